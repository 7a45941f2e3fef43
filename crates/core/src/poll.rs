//! I/O multiplexing as Python's select module: select (made with poll(2), so
//! no FD_SETSIZE limit), poll objects, epoll on Linux and kqueue on macOS and
//! FreeBSD. Every wait retries
//! on EINTR with the time left and is cut short by the interrupting signals,
//! as the blocking socket calls are.

use crate::error::{Error, Result};
use crate::sys::c;
use crate::sys::{self, Fd};
use crate::wait::{poll_fds, pollfd, Deadline};

/// What select(2) reports as readable, writable and exceptional, in poll terms
/// (Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET).
#[cfg(not(windows))]
const READABLE: i16 = c::POLLIN | c::POLLRDNORM | c::POLLRDBAND | c::POLLHUP | c::POLLERR;
#[cfg(not(windows))]
const WRITABLE: i16 = c::POLLOUT | c::POLLWRNORM | c::POLLWRBAND | c::POLLERR;
#[cfg(not(windows))]
const EXCEPTIONAL: i16 = c::POLLPRI;

/// select(rlist, wlist, xlist, timeout): on return, each entry that is not
/// ready is set to -1. Returns how many entries are ready.
pub fn select(r: &mut [Fd], w: &mut [Fd], x: &mut [Fd], deadline: Deadline) -> Result<usize> {
    // Windows: Winsock's select, as Python there (WSAPoll misses failed connects).
    #[cfg(windows)]
    {
        let left = deadline.left().unwrap_or(Some(std::time::Duration::ZERO));
        sys::select(r, w, x, left).map_err(|e| Error::io(&e, "select"))
    }
    #[cfg(not(windows))]
    select_with_poll(r, w, x, deadline)
}

/// select made with poll(2).
#[cfg(not(windows))]
fn select_with_poll(r: &mut [Fd], w: &mut [Fd], x: &mut [Fd], deadline: Deadline) -> Result<usize> {
    let lists: [(&mut [Fd], i16, i16); 3] = [
        (r, c::POLLIN, READABLE),
        (w, c::POLLOUT, WRITABLE),
        (x, c::POLLPRI, EXCEPTIONAL),
    ];
    let mut fds: Vec<c::pollfd> = Vec::with_capacity(lists.iter().map(|l| l.0.len()).sum::<usize>() + 1);
    for (list, events, _) in &lists {
        fds.extend(list.iter().map(|&fd| pollfd(fd, *events)));
    }
    poll_fds(&mut fds, deadline, "select")?;
    // select(2) fails with EBADF for an fd that is not open; poll marks it POLLNVAL.
    if fds.iter().any(|p| p.revents & c::POLLNVAL != 0) {
        return Err(Error::os(c::EBADF, "select"));
    }
    let mut ready = 0;
    let mut results = fds.iter();
    for (list, _, wanted) in lists {
        for (fd, p) in list.iter_mut().zip(results.by_ref()) {
            if p.revents & wanted != 0 {
                ready += 1;
            } else {
                *fd = -1;
            }
        }
    }
    Ok(ready)
}

/// A poll object's wait: `revents[i]` receives what `fds[i]` reported. Returns
/// how many have events.
pub fn poll(fds: &[Fd], events: &[i32], revents: &mut [i32], deadline: Deadline) -> Result<usize> {
    thread_local! {
        // The pollfd array, kept between calls as CPython keeps its ufds.
        static SET: std::cell::RefCell<Vec<c::pollfd>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SET.with(|cell| {
        let mut owned = Vec::new();
        let mut borrowed = cell.try_borrow_mut();
        let set = borrowed.as_deref_mut().unwrap_or(&mut owned);
        set.clear();
        set.reserve(fds.len() + 1);
        set.extend(fds.iter().zip(events).map(|(&fd, &ev)| pollfd(fd, ev as i16)));
        let ready = poll_fds(set, deadline, "poll")?;
        for (out, p) in revents.iter_mut().zip(set.iter()) {
            *out = i32::from(p.revents as u16);
        }
        Ok(ready)
    })
}

/// epoll, on Linux.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub mod epoll {
    use super::*;
    use crate::sys::{EpollEvent, EPOLL_EVENT_NONE};

    /// epoll_create1; Python ignores sizehint beyond checking it.
    pub fn create(flags: i32) -> Result<Fd> {
        sys::epoll_create(flags).map_err(|e| Error::io(&e, "epoll_create1"))
    }

    /// What epoll_ctl does to an fd.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Op {
        Add,
        Modify,
        Delete,
    }

    /// epoll_ctl(op, fd, events); the event's data is the fd, as Python's.
    pub fn ctl(epfd: Fd, op: Op, fd: Fd, events: u32) -> Result<()> {
        let op = match op {
            Op::Add => c::EPOLL_CTL_ADD,
            Op::Modify => c::EPOLL_CTL_MOD,
            Op::Delete => c::EPOLL_CTL_DEL,
        };
        sys::epoll_ctl(epfd, op, fd, events).map_err(|e| Error::io(&e, "epoll_ctl"))
    }

    fn wait_now(epfd: Fd, events: &mut [EpollEvent]) -> Result<usize> {
        loop {
            match sys::epoll_wait_now(epfd, events) {
                Ok(n) => return Ok(n),
                Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                    if crate::signals::interrupted() {
                        return Err(Error::os(sys::EINTR, "epoll_wait"));
                    }
                }
                Err(e) => return Err(Error::io(&e, "epoll_wait")),
            }
        }
    }

    /// The wait of epoll.poll while no signal's listener must run inside it:
    /// epoll_wait(2) itself, as CPython's is, one syscall; EINTR is retried
    /// with the time left (PEP 475).
    fn wait_kernel(epfd: Fd, events: &mut [EpollEvent], deadline: Deadline) -> Result<usize> {
        loop {
            // An expired deadline still collects what is ready, without waiting.
            let left = deadline.left().unwrap_or(Some(std::time::Duration::ZERO));
            match sys::epoll_wait(epfd, events, sys::timeout_ms(left)) {
                Ok(n) => return Ok(n),
                Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                    if crate::signals::interrupted() {
                        return Err(Error::os(sys::EINTR, "epoll_wait"));
                    }
                }
                Err(e) => return Err(Error::io(&e, "epoll_wait")),
            }
        }
    }

    /// epoll.poll: `out` receives `[fd, events]` pairs; returns how many.
    /// While a signal has a listener, the wait itself is a poll(2) on the
    /// epoll fd beside the wake pipe, so a signal interrupts it like every
    /// other wait, and events are then collected without waiting; otherwise
    /// it is epoll_wait(2)'s own (`wait_kernel`).
    pub fn wait(epfd: Fd, out: &mut [i32], deadline: Deadline) -> Result<usize> {
        thread_local! {
            static EVENTS: std::cell::RefCell<Vec<EpollEvent>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        EVENTS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut events) => wait_into(epfd, out, deadline, &mut events),
            Err(_) => wait_into(epfd, out, deadline, &mut Vec::new()),
        })
    }

    /// epoll.poll with `events` as the (reused) kernel buffer.
    fn wait_into(
        epfd: Fd,
        out: &mut [i32],
        deadline: Deadline,
        events: &mut Vec<EpollEvent>,
    ) -> Result<usize> {
        crate::error::resize(events, out.len() / 2, EPOLL_EVENT_NONE, "epoll_wait")?;
        if events.is_empty() {
            return Err(Error::value("maxevents must be greater than 0"));
        }
        let n = if crate::signals::interruptible() {
            loop {
                let n = wait_now(epfd, events)?;
                if n > 0 {
                    break n;
                }
                let mut fds = vec![pollfd(epfd, c::POLLIN)];
                if poll_fds(&mut fds, deadline, "epoll_wait")? == 0 {
                    break 0;
                }
            }
        } else {
            wait_kernel(epfd, events, deadline)?
        };
        for (pair, ev) in out.chunks_exact_mut(2).zip(&events[..n]) {
            pair[0] = ev.u64 as u32 as i32;
            pair[1] = ev.events as i32;
        }
        Ok(n)
    }
}

/// kqueue, on macOS and FreeBSD.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub mod kqueue {
    use super::*;
    pub use crate::sys::Kevent;

    /// kqueue(): a new kqueue fd, close-on-exec.
    pub fn create() -> Result<Fd> {
        sys::kqueue().map_err(|e| Error::io(&e, "kqueue"))
    }

    /// kevent without waiting, EINTR retried unless an interrupting signal came.
    fn kevent_now(kq: Fd, changes: &[Kevent], events: &mut [Kevent]) -> Result<usize> {
        loop {
            match sys::kevent(kq, changes, events) {
                Ok(n) => return Ok(n),
                Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                    if crate::signals::interrupted() {
                        return Err(Error::os(sys::EINTR, "kevent"));
                    }
                }
                Err(e) => return Err(Error::io(&e, "kevent")),
            }
        }
    }

    /// kqueue.control(changelist, max_events, timeout): applies `changes`
    /// once, then waits until some of the `events.len()` slots fill or the
    /// deadline passes; returns how many filled. With no slots it does not
    /// wait, as kevent(2). As epoll's, the wait is a poll(2) on the kqueue fd
    /// beside the wake pipe, so a signal interrupts it like every other wait,
    /// and the events are then collected without waiting.
    pub fn control(kq: Fd, changes: &[Kevent], events: &mut [Kevent], deadline: Deadline) -> Result<usize> {
        let n = kevent_now(kq, changes, events)?;
        if n > 0 || events.is_empty() {
            return Ok(n);
        }
        loop {
            let mut fds = vec![pollfd(kq, c::POLLIN)];
            if poll_fds(&mut fds, deadline, "kevent")? == 0 {
                return Ok(0);
            }
            let n = kevent_now(kq, &[], events)?;
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sock;
    use crate::wait::Timeout;

    #[test]
    fn select_reports_only_ready_entries() -> Result<()> {
        let (a, b) = sock::stream_pair()?;
        let (c, d) = sock::stream_pair()?;
        sock::send(a, b"x", 0, Timeout::BLOCKING)?;
        let mut r = [b, d];
        let mut w = [a];
        let ready = select(&mut r, &mut w, &mut [], Deadline::after_secs(Some(0.0)))?;
        assert_eq!((ready, r, w), (2, [b, -1], [a]));
        for fd in [a, b, c, d] {
            sock::close(fd)?;
        }
        Ok(())
    }

    #[test]
    fn select_times_out_empty() -> Result<()> {
        let (a, b) = sock::stream_pair()?;
        let mut r = [a];
        assert_eq!(
            select(&mut r, &mut [], &mut [], Deadline::after_secs(Some(0.02)))?,
            0
        );
        assert_eq!(r, [-1]);
        sock::close(a)?;
        sock::close(b)
    }

    #[test]
    fn select_on_a_closed_fd_is_ebadf() {
        // Not a closed fd of this test: other tests' threads reuse numbers. An fd
        // beyond the process's limit is never open.
        let err = select(&mut [1 << 24], &mut [], &mut [], Deadline::after_secs(Some(0.0))).err();
        // Winsock's select says WSAENOTSOCK, as Python's there.
        let expected = if cfg!(windows) { c::ENOTSOCK } else { c::EBADF };
        assert_eq!(err.and_then(|e| e.errno()), Some(expected));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn epoll_reports_ready_fds() -> Result<()> {
        let (a, b) = sock::stream_pair()?;
        let ep = epoll::create(0)?;
        epoll::ctl(ep, epoll::Op::Add, b, c::EPOLLIN as u32)?;
        let mut out = [0i32; 8];
        assert_eq!(epoll::wait(ep, &mut out, Deadline::after_secs(Some(0.0)))?, 0);
        sock::send(a, b"x", 0, Timeout::BLOCKING)?;
        assert_eq!(epoll::wait(ep, &mut out, Deadline::after_secs(None))?, 1);
        assert_eq!(&out[..2], &[b, c::EPOLLIN]);
        for fd in [a, b, ep] {
            sock::close(fd)?;
        }
        Ok(())
    }

    #[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
    #[test]
    fn kqueue_reports_ready_fds() -> Result<()> {
        use kqueue::Kevent;
        let (a, b) = sock::stream_pair()?;
        let kq = kqueue::create()?;
        let read = Kevent {
            ident: b as u64,
            filter: c::EVFILT_READ,
            flags: c::EV_ADD,
            udata: 7,
            ..Kevent::default()
        };
        let mut out = [Kevent::default(); 4];
        assert_eq!(
            kqueue::control(kq, &[read], &mut [], Deadline::after_secs(None))?,
            0
        );
        assert_eq!(
            kqueue::control(kq, &[], &mut out, Deadline::after_secs(Some(0.0)))?,
            0
        );
        sock::send(a, b"xy", 0, Timeout::BLOCKING)?;
        assert_eq!(kqueue::control(kq, &[], &mut out, Deadline::after_secs(None))?, 1);
        let got = out[0];
        assert_eq!(
            (got.ident, got.filter, got.data, got.udata),
            (b as u64, c::EVFILT_READ, 2, 7)
        );
        for fd in [a, b, kq] {
            sock::close(fd)?;
        }
        Ok(())
    }
}
