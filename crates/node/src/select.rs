//! select, poll, epoll and kqueue waits as plain N-API callbacks (raw.rs)
//! over typed arrays (Int32Arrays of fds, BigInt64Arrays of kevents), written
//! in place (no arrays built per call), and epoll's create and ctl and
//! kqueue's create as #[napi] functions. Timeouts: seconds for select and epoll,
//! milliseconds for poll, negative for none. Errors as in socket.rs: a failure
//! value (-1, false) and the error in state.rs.

use std::ffi::CStr;
use std::ptr;

use bsdsock_core::poll;
use bsdsock_core::wait::Deadline;
use bsdsock_core::Timeout;
use napi::sys;
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd"
))]
use napi_derive::napi;

use crate::raw::{bad_args, einval, Args, Callback};
use crate::signals::{blocking, Outcome};
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd"
))]
use crate::state::ok;

fn after(secs: f64) -> Deadline {
    Deadline::after_secs((secs >= 0.0).then_some(secs))
}

/// A wait as a blocking call (see signals.rs): its deadline is fixed before
/// it starts, so a wait resumed after a signal's listeners keeps it.
fn waiting<T: Outcome>(
    env: sys::napi_env,
    secs: f64,
    syscall: &'static str,
    call: impl FnMut(Timeout) -> bsdsock_core::Result<T>,
) -> Option<T> {
    blocking(env, -1, Timeout::from_secs(secs), syscall, call)
}

/// select(r, w, x, timeout): entries not ready become -1; returns how many are ready, or -1.
unsafe extern "C" fn select(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    // The lists are read inside the wait, afresh at each attempt (a signal's listeners may run between).
    let n = match a.f64(3) {
        Some(t) => {
            let deadline = after(t);
            waiting(env, t, "select", |_| match (a.ints(0), a.ints(1), a.ints(2)) {
                (Some(r), Some(w), Some(x)) => poll::select(r, w, x, deadline),
                _ => Err(einval()),
            })
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// poll(fds, events, revents, timeout_ms): `revents[i]` for `fds[i]`; returns how many, or -1.
unsafe extern "C" fn poll_fds(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    // The arrays are read inside the wait, afresh at each attempt (as select's).
    let n = match a.f64(3) {
        Some(ms) => {
            let secs = if ms < 0.0 { -1.0 } else { ms / 1000.0 };
            let deadline = after(secs);
            waiting(env, secs, "poll", |_| match (a.ints(0), a.ints(1), a.ints(2)) {
                (Some(fds), Some(events), Some(revents)) => poll::poll(fds, events, revents, deadline),
                _ => Err(einval()),
            })
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
    // `out` is read inside the wait, afresh at each attempt (as select's).
    let n = match (a.i32(0), a.f64(2)) {
        (Some(epfd), Some(t)) => {
            let deadline = after(t);
            waiting(env, t, "epoll_wait", |_| match a.ints(1) {
                Some(out) => poll::epoll::wait(epfd, out, deadline),
                None => Err(einval()),
            })
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// kqueueControl(kq, changes, events, timeout): each kevent is six BigInt64
/// slots (ident, filter, flags, fflags, data, udata); `changes` is applied and
/// `events` filled; returns how many events, or -1.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
unsafe extern "C" fn kqueue_control(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.bigints(1), a.bigints(2), a.f64(3)) {
        (Some(kq), Some(changes), Some(out), Some(t)) => {
            let changes: Vec<poll::kqueue::Kevent> = changes.chunks_exact(6).map(kevent_of).collect();
            let mut events = vec![poll::kqueue::Kevent::default(); out.len() / 6];
            let deadline = after(t);
            let mut first = true;
            // The changes are applied once: a wait resumed after a signal's listeners only waits.
            let n = waiting(env, t, "kevent", |_| {
                let changes = if std::mem::replace(&mut first, false) {
                    &changes[..]
                } else {
                    &[]
                };
                poll::kqueue::control(kq, changes, &mut events, deadline)
            });
            let Some(out) = a.bigints(2) else {
                return a.number(bad_args());
            };
            for (slots, e) in out.chunks_exact_mut(6).zip(&events[..n.unwrap_or(0)]) {
                slots.copy_from_slice(&[
                    e.ident as i64,
                    e.filter.into(),
                    e.flags.into(),
                    e.fflags.into(),
                    e.data,
                    e.udata as i64,
                ]);
            }
            n
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// A kevent from its six slots; the facade checked each field's range.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
fn kevent_of(s: &[i64]) -> poll::kqueue::Kevent {
    poll::kqueue::Kevent {
        ident: s[0] as u64,
        filter: s[1] as i16,
        flags: s[2] as u16,
        fflags: s[3] as u32,
        data: s[4],
        udata: s[5] as u64,
    }
}

/// The waits, for raw::export.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const WAITS: &[(&CStr, Callback)] = &[
    (c"select", select),
    (c"poll", poll_fds),
    (c"epollWait", epoll_wait),
];
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub(crate) const WAITS: &[(&CStr, Callback)] = &[
    (c"select", select),
    (c"poll", poll_fds),
    (c"kqueueControl", kqueue_control),
];
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd"
)))]
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
    use crate::state::done;
    use poll::epoll::Op;
    let op = match op.as_str() {
        "add" => Op::Add,
        "mod" => Op::Modify,
        _ => Op::Delete,
    };
    done(poll::epoll::ctl(epfd, op, fd, events))
}

/// kqueue(): a new kqueue fd, or -1.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
#[napi]
pub fn kqueue_create() -> i32 {
    ok(poll::kqueue::create()).unwrap_or(-1)
}
