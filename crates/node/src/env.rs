//! The state of bsdsock/asyncio in one JS environment (the main thread or a
//! worker, each with its own libuv loop and its own addon instance): the loop,
//! the facade's two callbacks, the fd watchers (watch.rs) and the resolver's
//! completions (aresolve.rs). Node runs an environment on one thread, so the
//! state is thread-local. An env cleanup hook stops and closes every handle
//! when the environment goes away (worker.terminate(), process exit).
//!
//! libuv's callbacks reach JS through `call`: a handle scope, then
//! napi_make_callback, which runs the function inside a callback scope, so the
//! promises it settles run their reactions before control returns to libuv.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr;

use bsdsock_core::Error;
use napi::sys;

use crate::aresolve::Completions;
use crate::state::fail;
use crate::uv::{uv, Uv};
use crate::watch::Watcher;

pub struct EnvState {
    pub env: sys::napi_env,
    pub loop_: *mut c_void,
    context: sys::napi_async_context,
    /// `(fd, events) -> mask`: readiness of a watched fd (see watch.rs).
    dispatch: sys::napi_ref,
    /// `(id, result)`: a resolver call finished (see aresolve.rs).
    resolved: sys::napi_ref,
    pub watchers: HashMap<i32, *mut Watcher>,
    pub completions: Option<Completions>,
}

thread_local! {
    static STATE: RefCell<Option<EnvState>> = const { RefCell::new(None) };
}

/// Runs `f` on this environment's state; None before `loopInit`.
pub fn with<T>(f: impl FnOnce(&mut EnvState) -> T) -> Option<T> {
    STATE.with(|s| s.try_borrow_mut().ok()?.as_mut().map(f))
}

/// libuv and this environment's state, or None with the error recorded.
pub fn ready() -> Option<&'static Uv> {
    let Some(uv) = uv() else {
        fail(Error::message(
            "bsdsock/asyncio needs libuv, which this host does not have",
            "uv",
        ));
        return None;
    };
    if with(|_| ()).is_none() {
        fail(Error::message("bsdsock/asyncio is not initialized", "uv"));
        return None;
    }
    Some(uv)
}

/// Which of the facade's callbacks to call.
#[derive(Clone, Copy)]
pub enum Callback {
    Dispatch,
    Resolved,
}

/// Calls one of the facade's callbacks from a libuv callback, with the
/// arguments `args` makes, inside a callback scope. Returns the result as an
/// i32 (None when the function threw, or returned something else). An
/// exception goes to Node's uncaught exception handling, as a throwing event
/// listener's would.
///
/// SAFETY: call only from a libuv callback on this environment's thread, with
/// no JS frame on the stack.
pub unsafe fn call(which: Callback, args: impl FnOnce(sys::napi_env) -> [sys::napi_value; 2]) -> Option<i32> {
    let (env, context, reference) = with(|s| {
        let r = match which {
            Callback::Dispatch => s.dispatch,
            Callback::Resolved => s.resolved,
        };
        (s.env, s.context, r)
    })?;
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
            let mut v = 0;
            if sys::napi_get_value_int32(env, result, &mut v) == sys::Status::napi_ok {
                out = Some(v);
            }
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

/// A JS number.
///
/// SAFETY: `env` must be the current environment, inside a handle scope.
pub unsafe fn number(env: sys::napi_env, v: f64) -> sys::napi_value {
    let mut out = ptr::null_mut();
    sys::napi_create_double(env, v, &mut out);
    out
}

/// Stops and closes every handle of the environment that is going away; the
/// fds of its bsdsock sockets are closed after, by owned.rs's hook (their
/// Socket objects die with the environment). libuv frees each handle's memory
/// in its close callback, on the loop's last turns.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    let Some(state) = STATE.with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.take())) else {
        return;
    };
    if let Some(uv) = uv() {
        for (_, w) in state.watchers {
            crate::watch::close(uv, w);
        }
        if let Some(c) = state.completions {
            c.close(uv);
        }
    }
    // The references and the async context go with the environment: N-API
    // calls are not made while it is being torn down.
}

/// loopInit(dispatch, resolved) -> true, or false with the error recorded:
/// takes this environment's loop and the facade's two callbacks.
pub unsafe extern "C" fn loop_init(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let mut argv = [ptr::null_mut(); 2];
    let mut argc = 2;
    let mut out = ptr::null_mut();
    let ok = init(env, info, &mut argv, &mut argc).is_some();
    sys::napi_get_boolean(env, ok, &mut out);
    out
}

unsafe fn init(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    argv: &mut [sys::napi_value; 2],
    argc: &mut usize,
) -> Option<()> {
    let uv = uv();
    let Some(uv) = uv else {
        fail(Error::message(
            "bsdsock/asyncio needs libuv, which this host does not have",
            "uv",
        ));
        return None;
    };
    if with(|_| ()).is_some() {
        return Some(());
    }
    let okay = |s: sys::napi_status| (s == sys::Status::napi_ok).then_some(());
    okay(sys::napi_get_cb_info(
        env,
        info,
        argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
    ))?;
    if *argc != 2 {
        return None;
    }
    let mut loop_ = ptr::null_mut();
    okay(sys::napi_get_uv_event_loop(env, &mut loop_))?;
    let mut dispatch = ptr::null_mut();
    let mut resolved = ptr::null_mut();
    okay(sys::napi_create_reference(env, argv[0], 1, &mut dispatch))?;
    okay(sys::napi_create_reference(env, argv[1], 1, &mut resolved))?;
    let mut resource = ptr::null_mut();
    let mut name = ptr::null_mut();
    let mut context = ptr::null_mut();
    okay(sys::napi_create_object(env, &mut resource))?;
    okay(sys::napi_create_string_utf8(
        env,
        c"bsdsock.asyncio".as_ptr(),
        -1,
        &mut name,
    ))?;
    okay(sys::napi_async_init(env, resource, name, &mut context))?;
    let loop_ = loop_.cast::<c_void>();
    let completions = Completions::new(uv, loop_);
    let state = EnvState {
        env,
        loop_,
        context,
        dispatch,
        resolved,
        watchers: HashMap::new(),
        completions,
    };
    STATE.with(|s| s.try_borrow_mut().map(|mut s| *s = Some(state)).ok())?;
    okay(sys::napi_add_env_cleanup_hook(
        env,
        Some(cleanup),
        ptr::null_mut(),
    ))
}

/// Adds `loopInit` to the module's exports.
///
/// SAFETY: call with the env and exports object of the module being initialized.
pub unsafe fn export(env: sys::napi_env, exports: sys::napi_value) -> napi::Result<()> {
    let mut f = ptr::null_mut();
    let name = c"loopInit";
    let status = sys::napi_create_function(env, name.as_ptr(), -1, Some(loop_init), ptr::null_mut(), &mut f);
    if status != sys::Status::napi_ok
        || sys::napi_set_named_property(env, exports, name.as_ptr(), f) != sys::Status::napi_ok
    {
        return Err(napi::Error::from_reason("cannot export loopInit"));
    }
    Ok(())
}
