//! fd watchers for bsdsock/asyncio: one `uv_poll_t` per watched fd on this
//! environment's loop. The facade (ts/asyncio/loop.ts) keeps the readers,
//! writers and pending operations of each fd, and says what the handle should
//! do with a mask: READABLE and WRITABLE (the events to watch, none to stop).
//! The handles never keep the loop alive themselves: while operations are
//! pending, one ref'd handle of the environment does (`keepAlive`, loop_resolver.rs).
//! When an fd is ready, the facade's dispatch callback runs and returns the new mask.
//! A handle is stopped and closed (`unwatch`) before its fd is closed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_int, c_void};

use bsdsock_core::Error;
use napi_derive::napi;

use crate::env::{self, Callback};
use crate::state::fail;
use crate::uv::{self, data, Handle, Uv, READABLE, WRITABLE};

const EVENTS: i32 = READABLE | WRITABLE;
/// The fd belongs to a bsdsock socket: closed with the environment.
const OWNED: i32 = 8;

thread_local! {
    /// This environment's watchers, by fd.
    static WATCHERS: RefCell<HashMap<i32, *mut Watcher>> = RefCell::new(HashMap::new());
}

/// Runs `f` on this environment's watchers; None if they are in use (a reentrant call).
fn with_watchers<T>(f: impl FnOnce(&mut HashMap<i32, *mut Watcher>) -> T) -> Option<T> {
    WATCHERS.with(|w| w.try_borrow_mut().ok().map(|mut w| f(&mut w)))
}

pub struct Watcher {
    handle: Handle,
    fd: i32,
    /// The mask applied to the handle.
    mask: i32,
    /// Counts `watch` calls: a dispatch's returned mask is stale once JS
    /// called `watch` after it (from the promise reactions that ran in the
    /// callback scope).
    generation: u32,
}

/// Makes the handle do what `mask` says.
///
/// SAFETY: `w` must be a live watcher of this environment, not closing.
unsafe fn apply(uv: &Uv, w: *mut Watcher, mask: i32) -> bool {
    let w = &mut *w;
    let (old, new) = (w.mask & EVENTS, mask & EVENTS);
    if new != old {
        let rc = if new == 0 {
            (uv.poll_stop)(w.handle.ptr())
        } else {
            (uv.poll_start)(w.handle.ptr(), new, on_poll)
        };
        if rc < 0 {
            fail(Error::os(-rc, "uv_poll_start"));
            return false;
        }
    }
    w.mask = mask | (w.mask & OWNED);
    true
}

unsafe extern "C" fn on_poll(handle: *mut c_void, status: c_int, events: c_int) {
    let w = data(handle).cast::<Watcher>();
    let fd = (*w).fd;
    // An error (the fd is in a bad state) is reported as readiness both ways:
    // the operations then make their syscall, which says what is wrong.
    let ready = if status < 0 { EVENTS } else { events & EVENTS };
    let generation = (*w).generation;
    let mask = env::call(Callback::Dispatch, |env| {
        [
            env::number(env, f64::from(fd)),
            env::number(env, f64::from(ready)),
        ]
    });
    // The callbacks may have closed this watcher (and even made another for the fd).
    let Some(uv) = uv::uv() else { return };
    with_watchers(|watchers| {
        if let (Some(mask), Some(&current)) = (mask, watchers.get(&fd)) {
            // SAFETY: the watcher is still in the table, so it is live.
            if current == w && mask >= 0 && unsafe { (*w).generation } == generation {
                // SAFETY: the watcher is still in the table, so it is live and not closing.
                unsafe { apply(uv, w, mask) };
            }
        }
    });
}

unsafe extern "C" fn on_close(handle: *mut c_void) {
    // SAFETY: data is the Box<Watcher> leaked in `watch`; libuv calls this once, last.
    drop(Box::from_raw(data(handle).cast::<Watcher>()));
}

/// Stops and closes a watcher's handle (its memory goes in the close
/// callback). The fd stays open: its owner closes it.
///
/// SAFETY: `w` must be a live watcher, already out of the table.
unsafe fn close(uv: &Uv, w: *mut Watcher) {
    let handle = (*w).handle.ptr();
    (uv.poll_stop)(handle);
    (uv.close)(handle, Some(on_close));
}

/// Stops and closes every watcher of the environment that is going away.
///
/// SAFETY: call from the environment's cleanup hook, on its thread.
pub unsafe fn close_all(uv: &Uv) {
    let all = with_watchers(std::mem::take).unwrap_or_default();
    for (_, w) in all {
        // SAFETY: w was just taken out of the table: live, and closed only here.
        close(uv, w);
    }
}

/// watch(fd, mask) -> true, or false with the error recorded: makes the fd's
/// handle (created on first use) watch what `mask` says.
#[napi]
pub fn watch(fd: i32, mask: i32) -> bool {
    let Some(uv) = env::ready() else { return false };
    let Some(loop_) = env::with(|s| s.loop_) else {
        return false;
    };
    with_watchers(|watchers| {
        let w = match watchers.get(&fd) {
            Some(&w) => w,
            None => {
                let w = Box::into_raw(Box::new(Watcher {
                    handle: Handle::poll(uv),
                    fd,
                    mask: mask & OWNED,
                    generation: 0,
                }));
                // SAFETY: w was just made; its handle memory is uv_poll_t-sized and zeroed,
                // and the loop is this environment's.
                let rc = unsafe {
                    (*w).handle.set_data(w.cast());
                    let rc = uv.poll_init(loop_, (*w).handle.ptr(), fd);
                    if rc == 0 {
                        (uv.unref)((*w).handle.ptr());
                    }
                    rc
                };
                if rc < 0 {
                    // SAFETY: libuv did not take the handle, so the box is still only ours.
                    drop(unsafe { Box::from_raw(w) });
                    fail(Error::os(-rc, "uv_poll_init"));
                    return false;
                }
                watchers.insert(fd, w);
                w
            }
        };
        // SAFETY: w is in the table: live, not closing.
        unsafe {
            (*w).generation = (*w).generation.wrapping_add(1);
            apply(uv, w, mask)
        }
    })
    .unwrap_or(false)
}

/// unwatch(fd): stops and closes the fd's handle, if it has one. Called before
/// the fd is closed or handed elsewhere.
#[napi]
pub fn unwatch(fd: i32) -> bool {
    let Some(uv) = uv::uv() else { return false };
    let Some(Some(w)) = with_watchers(|watchers| watchers.remove(&fd)) else {
        return false;
    };
    // SAFETY: w was just taken out of the table: live, and closed only here.
    unsafe { close(uv, w) };
    true
}
