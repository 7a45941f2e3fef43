//! bsdsock/asyncio in one JS environment: `loopInit` takes the environment's
//! loop and the facade's two callbacks (env.rs) and opens the resolver's async
//! handle (loop_resolver.rs); a cleanup hook stops and closes every handle, the fd
//! watchers' (watch.rs) too, when the environment goes away
//! (worker.terminate(), process exit).

use std::ffi::{c_void, CStr};
use std::ptr;

use bsdsock_core::Error;
use napi::sys;

use crate::raw::Callback;
use crate::state::fail;
use crate::uv::uv;
use crate::{env, loop_resolver, watch};

/// Stops and closes every handle of the environment that is going away; the
/// fds of its bsdsock sockets are closed after, by owned.rs's hook (their
/// Socket objects die with the environment). libuv frees each handle's memory
/// in its close callback, on the loop's last turns.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    if !env::take() {
        return;
    }
    if let Some(uv) = uv() {
        watch::close_all(uv);
        loop_resolver::close(uv);
    }
    // The references and the async context go with the environment: N-API
    // calls are not made while it is being torn down.
}

/// loopInit(dispatch, resolved) -> true, or false with the error recorded:
/// takes this environment's loop and the facade's two callbacks.
unsafe extern "C" fn loop_init(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
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
    let Some(uv) = uv() else {
        fail(Error::message(
            "bsdsock/asyncio needs libuv, which this host does not have",
            "uv",
        ));
        return None;
    };
    if env::with(|_| ()).is_some() {
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
    loop_resolver::open(uv, loop_);
    env::install(env, loop_, context, dispatch, resolved)?;
    okay(sys::napi_add_env_cleanup_hook(
        env,
        Some(cleanup),
        ptr::null_mut(),
    ))
}

/// `loopInit`, for raw::export.
pub(crate) const CALLS: &[(&CStr, Callback)] = &[(c"loopInit", loop_init)];
