//! epoll(7) on Linux: the system calls behind poll::epoll, with every `unsafe`
//! at this edge.

use std::io;

use super::Fd;

/// One epoll event as the kernel reports it.
pub type EpollEvent = libc::epoll_event;

/// An empty event, to size a buffer with.
pub const EPOLL_EVENT_NONE: EpollEvent = libc::epoll_event { events: 0, u64: 0 };

/// epoll_create1(flags), close-on-exec.
pub fn epoll_create(flags: i32) -> io::Result<Fd> {
    // SAFETY: epoll_create1 takes integer flags.
    let fd = unsafe { libc::epoll_create1(flags | libc::EPOLL_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}

/// epoll_ctl(epfd, op, fd, events); the event's data is the fd, as Python's.
pub fn epoll_ctl(epfd: Fd, op: i32, fd: Fd, events: u32) -> io::Result<()> {
    epoll_ctl_token(epfd, op, fd, events, fd as u32 as u64)
}

/// epoll_ctl(epfd, op, fd, events) with `token` as the event's data.
pub fn epoll_ctl_token(epfd: Fd, op: i32, fd: Fd, events: u32, token: u64) -> io::Result<()> {
    let mut ev = libc::epoll_event { events, u64: token };
    // SAFETY: `ev` is a valid epoll_event for the call's duration.
    if unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// epoll_wait without waiting: how many of `events` the kernel filled.
pub fn epoll_wait_now(epfd: Fd, events: &mut [EpollEvent]) -> io::Result<usize> {
    epoll_wait(epfd, events, 0)
}

/// epoll_wait for up to `timeout_ms` (-1: for ever): how many of `events` the kernel filled.
pub fn epoll_wait(epfd: Fd, events: &mut [EpollEvent], timeout_ms: i32) -> io::Result<usize> {
    let max = i32::try_from(events.len()).unwrap_or(i32::MAX);
    // SAFETY: `events` is writable for `max` entries.
    let n = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), max, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}
