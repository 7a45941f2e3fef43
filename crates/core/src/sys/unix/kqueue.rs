//! kqueue(2) and kevent(2) on macOS and FreeBSD: the system calls behind
//! poll::kqueue, with every `unsafe` at this edge.

use std::io;
use std::mem;
use std::ptr;

use crate::sys::Fd;

/// One kevent as Python's select.kevent holds it; the C struct's widths differ
/// between systems (data is intptr_t on macOS, int64_t on FreeBSD; FreeBSD adds ext).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kevent {
    pub ident: u64,
    pub filter: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
}

/// A new kqueue, close-on-exec (as CPython makes it).
pub fn kqueue() -> io::Result<Fd> {
    // SAFETY: kqueue(2) takes no arguments.
    let fd = unsafe { libc::kqueue() };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    if let Err(e) = crate::sys::set_inheritable(fd, false) {
        let _ = crate::sys::close(fd);
        return Err(e);
    }
    Ok(fd)
}

fn zeroed() -> libc::kevent {
    // SAFETY: struct kevent is integers and one pointer (udata): all-zero is valid.
    unsafe { mem::zeroed() }
}

// intptr_t data on macOS, int64_t on FreeBSD: the cast is not always a no-op.
#[allow(clippy::unnecessary_cast)]
fn to_c(e: &Kevent) -> libc::kevent {
    let mut k = zeroed();
    k.ident = e.ident as libc::uintptr_t;
    k.filter = e.filter;
    k.flags = e.flags;
    k.fflags = e.fflags;
    k.data = e.data as _;
    k.udata = ptr::without_provenance_mut(e.udata as usize);
    k
}

// See to_c.
#[allow(clippy::unnecessary_cast)]
fn from_c(k: &libc::kevent) -> Kevent {
    Kevent {
        ident: k.ident as u64,
        filter: k.filter,
        flags: k.flags,
        fflags: k.fflags,
        data: k.data as i64,
        udata: k.udata.addr() as u64,
    }
}

/// kevent(2) with a zero timeout: applies `changes`, then writes into `events`
/// what is pending now (errors of changes included, as EV_ERROR events, when
/// there is room). Returns how many events it wrote.
pub fn kevent(kq: Fd, changes: &[Kevent], events: &mut [Kevent]) -> io::Result<usize> {
    kevent_wait(kq, changes, events, Some(std::time::Duration::ZERO))
}

/// kevent(2) as `kevent`, waiting up to `timeout` (None: for ever) for an event.
pub fn kevent_wait(
    kq: Fd,
    changes: &[Kevent],
    events: &mut [Kevent],
    timeout: Option<std::time::Duration>,
) -> io::Result<usize> {
    let einval = || io::Error::from_raw_os_error(libc::EINVAL);
    let nchanges = libc::c_int::try_from(changes.len()).map_err(|_| einval())?;
    let nevents = libc::c_int::try_from(events.len()).map_err(|_| einval())?;
    let changes: Vec<libc::kevent> = changes.iter().map(to_c).collect();
    let mut out = vec![zeroed(); events.len()];
    let limit = timeout.map(|d| libc::timespec {
        tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: d.subsec_nanos() as _,
    });
    let limit_ptr = limit.as_ref().map_or(ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `changes` holds nchanges readable entries, `out` nevents writable
    // ones, and `limit_ptr` is null or a valid timespec, all alive for the call.
    let n = unsafe {
        libc::kevent(
            kq,
            changes.as_ptr(),
            nchanges,
            out.as_mut_ptr(),
            nevents,
            limit_ptr,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    for (dst, src) in events.iter_mut().zip(&out[..n]) {
        *dst = from_c(src);
    }
    Ok(n)
}
