//! select, poll and epoll as N-API functions over Int32Arrays of fds, written
//! in place (no arrays built per call). Timeouts: seconds for select and epoll,
//! milliseconds for poll, negative for none. Errors as in socket.rs: a failure
//! value (-1, false) and the error in state.rs.

use bsdsock_core::poll;
use bsdsock_core::wait::Deadline;
use napi_derive::napi;

use crate::js::Writable;
use crate::state::{done, ok};

fn after(secs: f64) -> Deadline {
    Deadline::after_secs((secs >= 0.0).then_some(secs))
}

/// select: entries not ready become -1; returns how many are ready, or -1.
#[napi]
pub fn select(mut r: Writable<i32>, mut w: Writable<i32>, mut x: Writable<i32>, timeout: f64) -> i64 {
    ok(poll::select(&mut r, &mut w, &mut x, after(timeout))).map_or(-1, |n| n as i64)
}

/// A poll object's poll: `revents[i]` for `fds[i]`; returns how many, or -1.
#[napi]
pub fn poll(fds: &[i32], events: &[i32], mut revents: Writable<i32>, timeout_ms: f64) -> i64 {
    let secs = if timeout_ms < 0.0 {
        -1.0
    } else {
        timeout_ms / 1000.0
    };
    ok(poll::poll(fds, events, &mut revents, after(secs))).map_or(-1, |n| n as i64)
}

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

/// epoll.poll: `[fd, events]` pairs into `out`; returns how many, or -1.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[napi]
pub fn epoll_wait(epfd: i32, mut out: Writable<i32>, timeout: f64) -> i64 {
    ok(poll::epoll::wait(epfd, &mut out, after(timeout))).map_or(-1, |n| n as i64)
}
