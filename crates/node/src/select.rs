//! select, poll and epoll waits as plain N-API callbacks (see hot.rs) over
//! Int32Arrays of fds, written in place (no arrays built per call), and epoll's
//! create and ctl as #[napi] functions. Timeouts: seconds for select and epoll,
//! milliseconds for poll, negative for none. Errors as in socket.rs: a failure
//! value (-1, false) and the error in state.rs.

use std::ffi::CStr;
use std::ptr;

use bsdsock_core::poll;
use bsdsock_core::wait::Deadline;
use napi::sys;
use napi_derive::napi;

use crate::hot::{bad_args, Args, Callback};
use crate::state::{done, ok};

fn after(secs: f64) -> Deadline {
    Deadline::after_secs((secs >= 0.0).then_some(secs))
}

/// select(r, w, x, timeout): entries not ready become -1; returns how many are ready, or -1.
unsafe extern "C" fn select(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.ints(0), a.ints(1), a.ints(2), a.f64(3)) {
        (Some(r), Some(w), Some(x), Some(t)) => ok(poll::select(r, w, x, after(t))),
        _ => bad_args(),
    };
    a.number(n)
}

/// poll(fds, events, revents, timeout_ms): `revents[i]` for `fds[i]`; returns how many, or -1.
unsafe extern "C" fn poll_fds(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.ints(0), a.ints(1), a.ints(2), a.f64(3)) {
        (Some(fds), Some(events), Some(revents), Some(ms)) => {
            let secs = if ms < 0.0 { -1.0 } else { ms / 1000.0 };
            ok(poll::poll(fds, events, revents, after(secs)))
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// epollWait(epfd, out, timeout): `[fd, events]` pairs into `out`; returns how many, or -1.
#[cfg(any(target_os = "linux", target_os = "android"))]
unsafe extern "C" fn epoll_wait(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<3>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.ints(1), a.f64(2)) {
        (Some(epfd), Some(out), Some(t)) => ok(poll::epoll::wait(epfd, out, after(t))),
        _ => bad_args(),
    };
    a.number(n)
}

/// The waits, exported with the hot calls.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const WAITS: &[(&CStr, Callback)] = &[
    (c"select", select),
    (c"poll", poll_fds),
    (c"epollWait", epoll_wait),
];
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) const WAITS: &[(&CStr, Callback)] = &[(c"select", select), (c"poll", poll_fds)];

#[cfg(any(target_os = "linux", target_os = "android"))]
#[napi]
pub fn epoll_create(flags: i32) -> i32 {
    ok(poll::epoll::create(flags)).unwrap_or(-1)
}

/// epoll_ctl with op 'add', 'mod' or 'del'.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[napi]
pub fn epoll_ctl(epfd: i32, op: String, fd: i32, events: u32) -> bool {
    use poll::epoll::Op;
    let op = match op.as_str() {
        "add" => Op::Add,
        "mod" => Op::Modify,
        _ => Op::Delete,
    };
    done(poll::epoll::ctl(epfd, op, fd, events))
}
