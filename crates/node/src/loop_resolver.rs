//! getaddrinfo and getnameinfo without blocking the loop, for bsdsock/asyncio:
//! the core's calls run on bsdsock's own threads (pool.rs), and each result
//! comes back to its environment's loop through one `uv_async_t` (or, where
//! the host has no libuv loop, the environment's threadsafe function,
//! portable.rs), whose callback hands it to the facade (`resolved(id,
//! result)`). The async handle keeps the loop alive only while lookups or
//! socket operations are pending (`keepAlive`). A result that arrives after
//! its environment is gone is dropped.
//!
//! The facade holds the loop with `keepAlive(true)` when an operation starts
//! and none was pending, but does not let it go when the last one ends: it
//! writes the count of pending operations into the status block
//! (STATUS_OPS), and a prepare handle, run at each turn of the loop before it
//! waits, lets the loop go once the count is 0. A request/response loop,
//! where one operation ends and the next starts in the same callback, then
//! makes no keepAlive call at all. (On Bun and Deno, with no libuv loop, the
//! facade calls `keepAlive(false)` itself.)

use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::{Arc, Mutex};

use bsdsock_core::{resolve, Result};
use napi::bindgen_prelude::{Either, ToNapiValue, Uint8Array};
use napi::sys;
use napi_derive::napi;

use crate::env::{self, Backend, Callback};
use crate::js::JsAddress;
use crate::portable::{Message, Portable};
use crate::resolver::{host_bytes, port_bytes};
use crate::state::{self, fail};
use crate::uv::{data, Handle, Uv};
use crate::wire::{STATUS_HELD, STATUS_OPS};

/// A finished lookup.
enum Outcome {
    AddrInfo(Result<Vec<resolve::AddrInfo>>),
    NameInfo(Result<(String, String)>),
}

/// What wakes the environment's thread.
#[derive(Clone)]
enum Wake {
    /// The async handle.
    Uv(&'static Uv, *mut c_void),
    Portable(Arc<Portable>),
}

impl Wake {
    /// Wakes the environment's thread to take the results.
    ///
    /// SAFETY: an async handle must be live.
    unsafe fn send(&self) {
        match self {
            Wake::Uv(uv, handle) => {
                (uv.async_send)(*handle);
            }
            Wake::Portable(p) => {
                p.send(Message::Resolved);
            }
        }
    }
}

struct Shared {
    /// False once the environment is gone: the handle is closed.
    open: bool,
    wake: Wake,
    done: Vec<(u32, Outcome)>,
}

// SAFETY: the handle pointer is used off the loop's thread only for
// uv_async_send (thread-safe), under the mutex, while `open` says it is live.
unsafe impl Send for Shared {}

thread_local! {
    /// This environment's completions; None before `loopInit`, or when its
    /// async handle could not be made.
    static COMPLETIONS: RefCell<Option<Completions>> = const { RefCell::new(None) };
}

/// Runs `f` on this environment's completions; None if there are none.
fn with_completions<T>(f: impl FnOnce(&mut Completions) -> T) -> Option<T> {
    COMPLETIONS.with(|c| c.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Opens this environment's async handle on its loop, if it has one (see `loopInit`, asyncio.rs).
pub fn open(backend: &Backend) {
    let made = match backend {
        Backend::Uv(uv, loop_) => Completions::new(uv, *loop_),
        Backend::Portable(p) => Some(Completions::with(Wake::Portable(Arc::clone(p)))),
    };
    COMPLETIONS.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            *c = made;
        }
    });
}

/// Closes this environment's async handle, if it has one; later results are dropped.
pub fn close() {
    let taken = COMPLETIONS.with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()));
    if let Some(c) = taken {
        c.close();
    }
}

/// One environment's completions: what wakes its thread and what the threads finished.
struct Completions {
    shared: Arc<Mutex<Shared>>,
    wake: Wake,
    pending: u32,
    /// Socket operations are pending (the facade's `keepAlive`).
    keep: bool,
    /// Whether the handle is ref'd: while lookups or operations are pending.
    refd: bool,
    /// The unref'd prepare handle that lets the loop go once no operation is
    /// pending (libuv only).
    prepare: Option<*mut c_void>,
}

impl Completions {
    /// The async handle on `loop_`, unref'd until a lookup is pending.
    fn new(uv: &'static Uv, loop_: *mut c_void) -> Option<Completions> {
        let h = Box::into_raw(Box::new(Handle::async_(uv)));
        // SAFETY: h was just made, its memory uv_async_t-sized; the loop is this environment's.
        let (rc, handle) = unsafe {
            (*h).set_data(h.cast());
            let handle = (*h).ptr();
            ((uv.async_init)(loop_, handle, on_async), handle)
        };
        if rc < 0 {
            // SAFETY: libuv did not take the handle.
            drop(unsafe { Box::from_raw(h) });
            return None;
        }
        // SAFETY: an initialized handle.
        unsafe { (uv.unref)(handle) };
        let mut c = Completions::with(Wake::Uv(uv, handle));
        c.prepare = open_prepare(uv, loop_);
        if c.prepare.is_none() {
            c.close();
            return None;
        }
        Some(c)
    }

    /// The completions woken by `wake`, which is unref'd.
    fn with(wake: Wake) -> Completions {
        let shared = Shared {
            open: true,
            wake: wake.clone(),
            done: Vec::new(),
        };
        Completions {
            shared: Arc::new(Mutex::new(shared)),
            wake,
            pending: 0,
            keep: false,
            refd: false,
            prepare: None,
        }
    }

    /// Refs the handle while anything is pending, unrefs it otherwise.
    fn sync_ref(&mut self) {
        let want = self.pending > 0 || self.keep;
        if want == self.refd {
            return;
        }
        match &self.wake {
            // SAFETY: the environment's live async handle.
            Wake::Uv(uv, handle) => unsafe {
                if want {
                    (uv.ref_)(*handle)
                } else {
                    (uv.unref)(*handle)
                }
            },
            Wake::Portable(p) => {
                let Some(env) = env::with(|s| s.env) else { return };
                // SAFETY: called from a JS call or callback on the environment's thread.
                unsafe { p.set_ref(env, want) };
            }
        }
        self.refd = want;
    }

    /// Closes the handle; later results are dropped.
    fn close(self) {
        if let Ok(mut s) = self.shared.lock() {
            s.open = false;
        }
        if let Wake::Uv(uv, handle) = self.wake {
            // SAFETY: the handle is live, and nothing sends to it once `open` is false.
            unsafe { (uv.close)(handle, Some(on_handle_close)) };
            if let Some(prepare) = self.prepare {
                // SAFETY: the prepare handle is live; closing stops it.
                unsafe { (uv.close)(prepare, Some(on_handle_close)) };
            }
        }
    }
}

/// The started, unref'd prepare handle of the loop, or None.
fn open_prepare(uv: &'static Uv, loop_: *mut c_void) -> Option<*mut c_void> {
    let h = Box::into_raw(Box::new(Handle::prepare(uv)));
    // SAFETY: h was just made, its memory uv_prepare_t-sized; the loop is this environment's.
    unsafe {
        (*h).set_data(h.cast());
        let handle = (*h).ptr();
        if (uv.prepare_init)(loop_, handle) < 0 {
            // SAFETY: libuv did not take the handle.
            drop(Box::from_raw(h));
            return None;
        }
        (uv.unref)(handle);
        if (uv.prepare_start)(handle, on_prepare) < 0 {
            (uv.close)(handle, Some(on_handle_close));
            return None;
        }
        Some(handle)
    }
}

/// Each turn of the loop, before it waits: lets the loop go if no operation is pending.
unsafe extern "C" fn on_prepare(_handle: *mut c_void) {
    if state::read(STATUS_HELD) == 0 || state::read(STATUS_OPS) != 0 {
        return;
    }
    with_completions(|c| {
        c.keep = false;
        c.sync_ref();
        state::write(STATUS_HELD, 0);
    });
}

/// Frees the memory of a handle of the completions once libuv has closed it.
unsafe extern "C" fn on_handle_close(handle: *mut c_void) {
    // SAFETY: data is the Box<Handle> leaked in Completions::new; called once, last.
    drop(Box::from_raw(data(handle).cast::<Handle>()));
}

/// The JS value of a result: the list or pair, or null with the error recorded.
///
/// SAFETY: `env` is the current environment, inside a handle scope.
unsafe fn to_js(env: sys::napi_env, outcome: Outcome) -> sys::napi_value {
    let value = match outcome {
        Outcome::AddrInfo(Ok(list)) => {
            let tuple =
                |ai: resolve::AddrInfo| (ai.family, ai.socktype, ai.proto, ai.canonname, JsAddress(ai.addr));
            Vec::to_napi_value(env, list.into_iter().map(tuple).collect::<Vec<_>>()).ok()
        }
        Outcome::NameInfo(Ok(pair)) => <(String, String)>::to_napi_value(env, pair).ok(),
        Outcome::AddrInfo(Err(e)) | Outcome::NameInfo(Err(e)) => {
            fail(e);
            None
        }
    };
    value.unwrap_or_else(|| {
        let mut null = std::ptr::null_mut();
        sys::napi_get_null(env, &mut null);
        null
    })
}

unsafe extern "C" fn on_async(_handle: *mut c_void) {
    deliver();
}

/// Hands the finished lookups to the facade.
///
/// SAFETY: call from the environment's async handle or threadsafe function callback, on its thread.
pub unsafe fn deliver() {
    let done = with_completions(|c| {
        let done = std::mem::take(&mut c.shared.lock().ok()?.done);
        c.pending = c.pending.saturating_sub(done.len() as u32);
        c.sync_ref();
        Some(done)
    })
    .flatten()
    .unwrap_or_default();
    for (id, outcome) in done {
        env::call(Callback::Resolved, |env| {
            [env::number(env, f64::from(id)), to_js(env, outcome)]
        });
    }
}

/// Runs `job` on a pool thread; its outcome comes back as `resolved(id, ...)`.
fn submit(id: u32, job: impl FnOnce() -> Outcome + Send + 'static) -> bool {
    if env::ready().is_none() {
        return false;
    }
    let queued = with_completions(|c| {
        let shared = Arc::clone(&c.shared);
        let queued = crate::pool::submit(move || {
            let outcome = job();
            if let Ok(mut s) = shared.lock() {
                if s.open {
                    s.done.push((id, outcome));
                    // SAFETY: the handle is live while `open`, and uv_async_send is thread-safe.
                    unsafe { s.wake.send() };
                }
            }
        });
        if !queued {
            fail(bsdsock_core::Error::message(
                "cannot start a resolver thread",
                "getaddrinfo",
            ));
            return false;
        }
        c.pending += 1;
        c.sync_ref();
        true
    });
    queued.unwrap_or_else(|| {
        fail(bsdsock_core::Error::message(
            "bsdsock/asyncio has no async handle",
            "uv_async_init",
        ));
        false
    })
}

/// keepAlive(on): whether socket operations are pending, which keeps the loop
/// alive (the fd handles themselves never do).
#[napi]
pub fn keep_alive(on: bool) -> bool {
    if env::ready().is_none() {
        return false;
    }
    with_completions(|c| {
        c.keep = on;
        c.sync_ref();
        state::write(STATUS_HELD, i32::from(on));
        true
    })
    .unwrap_or(false)
}

/// getaddrinfoAsync(id, host, port, family, type, proto, flags) -> queued;
/// the arguments as the sync getaddrinfo takes them (resolver.rs).
#[napi]
pub fn getaddrinfo_async(
    id: u32,
    host: Option<Either<String, Uint8Array>>,
    port: Option<Either<String, Uint8Array>>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> bool {
    let Ok(host) = host_bytes(host.as_ref()) else {
        return false;
    };
    let port = port.as_ref().map(|p| port_bytes(p).to_vec());
    submit(id, move || {
        Outcome::AddrInfo(resolve::getaddrinfo(
            host.as_deref(),
            port.as_deref(),
            family,
            socktype,
            proto,
            flags,
        ))
    })
}

/// getnameinfoAsync(id, host, port, flowinfo, scopeId, len, flags) -> queued.
#[napi]
pub fn getnameinfo_async(
    id: u32,
    host: String,
    port: i32,
    flowinfo: u32,
    scope_id: u32,
    len: u32,
    flags: i32,
) -> bool {
    submit(id, move || {
        let sa = resolve::NameInfoArg {
            host: &host,
            port,
            flowinfo,
            scope_id,
            len: len as usize,
        };
        Outcome::NameInfo(resolve::getnameinfo(sa, flags))
    })
}
