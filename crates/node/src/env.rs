//! The state of bsdsock/asyncio in one JS environment (the main thread or a
//! worker, each with its own libuv loop and its own addon instance): its
//! backend (the libuv loop, or on a host without one bsdsock's own poller
//! thread, portable.rs) and the facade's two callbacks. Node runs an environment on one thread, so
//! the state is thread-local, as are the fd watchers (watch.rs) and the
//! resolver's completions (loop_resolver.rs). asyncio.rs sets it all up
//! (`loopInit`) and tears it down when the environment goes away.
//!
//! libuv's callbacks (and the poller's) reach JS through `call`: a handle scope, then
//! napi_make_callback, which runs the function inside a callback scope, so the
//! promises it settles run their reactions before control returns to libuv.

use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;

use bsdsock_core::Error;
use napi::sys;

use crate::portable::Portable;
use crate::state::fail;
use crate::uv::Uv;

/// What watches the fds and wakes the environment's thread.
#[derive(Clone)]
pub enum Backend {
    /// The environment's libuv loop (Node).
    Uv(&'static Uv, *mut c_void),
    /// bsdsock's own poller thread and a threadsafe function (Bun, Deno).
    Portable(Arc<Portable>),
}

/// The batch array's memory, and the reference that keeps it alive.
pub struct Batch {
    pub data: *mut i32,
    pub len: usize,
    pub reference: sys::napi_ref,
}

/// The datagram transports' batch (ts/asyncio/transports.ts): an area of
/// windows of `stride` bytes, its meta Int32Array and its array of fresh
/// addresses, made once per environment (`datagramArea`, mmsg.rs) and kept alive by
/// strong references for the environment's life. Each read of a transport
/// (`recvmmsgArea`) then finds them without looking them up: the three lookups
/// were a third of a datagram read's crossing. The facade never hands the area
/// or the meta array out (datagrams are copied out of the area), so nothing
/// detaches them, and an ArrayBuffer's memory stays where it is for its life.
#[derive(Clone, Copy)]
pub struct DatagramArea {
    pub data: *mut u8,
    pub len: usize,
    pub stride: usize,
    pub meta: *mut i32,
    pub meta_len: usize,
    /// The area's ArrayBuffer, the meta Int32Array and the fresh array.
    pub values: [sys::napi_ref; 3],
}

impl DatagramArea {
    /// The first `count` windows of the area (as many as fit), borrowed while no JS runs.
    pub fn windows<'call>(&self, count: usize) -> Vec<&'call mut [u8]> {
        // SAFETY: `len` bytes at `data` are the area's ArrayBuffer's (see above); the
        // callback that borrows them runs no JS, so nothing else touches them meanwhile.
        let all = unsafe { std::slice::from_raw_parts_mut(self.data, self.len) };
        all.chunks_exact_mut(self.stride).take(count).collect()
    }

    /// The meta array's elements, borrowed while no JS runs (as `windows`).
    pub fn meta<'call>(&self) -> &'call mut [i32] {
        // SAFETY: `meta_len` aligned i32s at `meta` are the meta Int32Array's; as `windows`.
        unsafe { std::slice::from_raw_parts_mut(self.meta, self.meta_len) }
    }

    /// One of the batch's JS values (a handle of the current scope): 0 the area, 1 the meta, 2 the fresh array.
    pub fn value(&self, env: sys::napi_env, i: usize) -> Option<sys::napi_value> {
        // SAFETY: the references are this environment's, made by mmsg.rs's `make_area`.
        unsafe { reference_value(env, self.values[i]) }
    }
}

pub struct EnvState {
    pub env: sys::napi_env,
    pub backend: Backend,
    context: sys::napi_async_context,
    /// `(count) -> 0`: readiness of `count` watched fds, in `batch` (see watch.rs).
    dispatch: sys::napi_ref,
    /// The Int32Array of (fd, events) pairs that `dispatch` reads and answers
    /// in (each pair's events become the fd's new mask).
    pub batch: Batch,
    /// `(id, result)`: a resolver call finished (see loop_resolver.rs).
    resolved: sys::napi_ref,
    /// Where the datagram transports read, once registered (mmsg.rs).
    pub datagrams: Option<DatagramArea>,
}

thread_local! {
    static STATE: RefCell<Option<EnvState>> = const { RefCell::new(None) };
}

/// Makes this environment's state: its loop, the async context its callbacks
/// run in, and references to the facade's `dispatch` and `resolved`.
pub fn install(
    env: sys::napi_env,
    backend: Backend,
    context: sys::napi_async_context,
    dispatch: sys::napi_ref,
    resolved: sys::napi_ref,
    batch: Batch,
) -> Option<()> {
    let state = EnvState {
        env,
        backend,
        context,
        dispatch,
        batch,
        resolved,
        datagrams: None,
    };
    STATE.with(|s| s.try_borrow_mut().map(|mut s| *s = Some(state)).ok())
}

/// Forgets this environment's state (it is going away); its backend, if it had one.
pub fn take() -> Option<Backend> {
    STATE
        .with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .map(|s| s.backend)
}

/// Runs `f` on this environment's state; None before `loopInit`.
pub fn with<T>(f: impl FnOnce(&mut EnvState) -> T) -> Option<T> {
    STATE.with(|s| s.try_borrow_mut().ok()?.as_mut().map(f))
}

/// This environment's backend, or None with the error recorded.
pub fn ready() -> Option<Backend> {
    let backend = with(|s| s.backend.clone());
    if backend.is_none() {
        fail(Error::message("bsdsock/asyncio is not initialized", "uv"));
    }
    backend
}

/// Which of the facade's callbacks to call.
#[derive(Clone, Copy)]
pub enum Callback {
    Dispatch,
    Resolved,
}

/// Calls one of the facade's callbacks from a libuv (or threadsafe function) callback, with the
/// arguments `args` makes, inside a callback scope: Some once it returned,
/// None when it could not be called or threw. An exception goes to Node's uncaught exception handling, as a throwing event
/// listener's would.
///
/// SAFETY: call only from a libuv or threadsafe function callback on this
/// environment's thread, with no JS frame on the stack.
pub unsafe fn call<const N: usize>(
    which: Callback,
    args: impl FnOnce(sys::napi_env) -> [sys::napi_value; N],
) -> Option<()> {
    let target = with(|s| s.target(which))?;
    call_target(target, args)
}

/// What calling one of the facade's callbacks needs, taken from the state in one borrow.
#[derive(Clone, Copy)]
pub struct Target {
    env: sys::napi_env,
    context: sys::napi_async_context,
    reference: sys::napi_ref,
}

impl EnvState {
    /// The callback `which`, to call with `call_target`.
    pub fn target(&self, which: Callback) -> Target {
        let reference = match which {
            Callback::Dispatch => self.dispatch,
            Callback::Resolved => self.resolved,
        };
        Target {
            env: self.env,
            context: self.context,
            reference,
        }
    }
}

/// `call`, with the callback already taken from the state.
///
/// SAFETY: as `call`'s.
pub unsafe fn call_target<const N: usize>(
    target: Target,
    args: impl FnOnce(sys::napi_env) -> [sys::napi_value; N],
) -> Option<()> {
    let Target {
        env,
        context,
        reference,
    } = target;
    let mut scope = ptr::null_mut();
    if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
        return None;
    }
    let mut f = ptr::null_mut();
    let mut recv = ptr::null_mut();
    let mut result = ptr::null_mut();
    let mut out = None;
    if sys::napi_get_reference_value(env, reference, &mut f) == sys::Status::napi_ok
        && sys::napi_get_global(env, &mut recv) == sys::Status::napi_ok
    {
        let argv = args(env);
        let status = sys::napi_make_callback(env, context, recv, f, argv.len(), argv.as_ptr(), &mut result);
        if status == sys::Status::napi_ok {
            out = Some(());
        } else if status == sys::Status::napi_pending_exception {
            let mut err = ptr::null_mut();
            if sys::napi_get_and_clear_last_exception(env, &mut err) == sys::Status::napi_ok {
                sys::napi_fatal_exception(env, err);
            }
        }
    }
    sys::napi_close_handle_scope(env, scope);
    out
}

/// The batch array, for a second `loopInit` (a handle of the current scope).
///
/// SAFETY: call from a JS call on the environment's thread.
pub unsafe fn batch_value(s: &EnvState) -> Option<sys::napi_value> {
    reference_value(s.env, s.batch.reference)
}

/// The value `reference` holds (a handle of the current scope); None if it is gone.
///
/// SAFETY: `env` must be the current environment and `reference` one of its references.
unsafe fn reference_value(env: sys::napi_env, reference: sys::napi_ref) -> Option<sys::napi_value> {
    let mut out = ptr::null_mut();
    (sys::napi_get_reference_value(env, reference, &mut out) == sys::Status::napi_ok && !out.is_null())
        .then_some(out)
}

/// A JS number.
///
/// SAFETY: `env` must be the current environment, inside a handle scope.
pub unsafe fn number(env: sys::napi_env, v: f64) -> sys::napi_value {
    let mut out = ptr::null_mut();
    sys::napi_create_double(env, v, &mut out);
    out
}
