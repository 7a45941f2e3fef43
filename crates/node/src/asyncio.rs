//! bsdsock/asyncio in one JS environment: `loopInit` takes the environment's
//! loop (or, where the facade says the host has no libuv loop to share, starts
//! bsdsock's own poller, portable.rs) and the facade's two callbacks (env.rs)
//! and opens the resolver's async handle (loop_resolver.rs); a cleanup hook
//! stops and closes every handle, the fd watchers' (watch.rs) too, when the
//! environment goes away (worker.terminate(), process exit).

use std::ffi::{c_void, CStr};
use std::ptr;

use bsdsock_core::Error;
use napi::sys;

use crate::env::Backend;
use crate::portable::{Message, Portable};
use crate::raw::{okay, Callback};
use crate::state::fail;
use crate::uv::uv;
use crate::wire::BATCH_COUNT;
use crate::{env, loop_resolver, watch};

/// Stops and closes every handle of the environment that is going away; the
/// fds of its bsdsock sockets are closed after, by owned.rs's hook (their
/// Socket objects die with the environment). libuv frees each handle's memory
/// in its close callback, on the loop's last turns.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    let Some(backend) = env::take() else { return };
    watch::close_all(&backend);
    loop_resolver::close();
    if let Backend::Portable(p) = backend {
        p.close();
    }
    // The references and the async context go with the environment: N-API
    // calls are not made while it is being torn down.
}

/// loopInit(dispatchBatch, resolved, portable) -> the batch array, or null
/// with the error recorded: takes this environment's loop (bsdsock's own
/// poller if `portable`) and the facade's two callbacks, and makes the
/// Int32Array the readiness of fds is handed over in (watch.rs).
unsafe extern "C" fn loop_init(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let mut argv = [ptr::null_mut(); 3];
    let mut argc = 3;
    match init(env, info, &mut argv, &mut argc) {
        Some(array) => array,
        None => {
            let mut out = ptr::null_mut();
            sys::napi_get_null(env, &mut out);
            out
        }
    }
}

unsafe fn init(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    argv: &mut [sys::napi_value; 3],
    argc: &mut usize,
) -> Option<sys::napi_value> {
    // Set up already: the same batch array again.
    if let Some(array) = env::with(|s| env::batch_value(s)) {
        return array;
    }
    okay(sys::napi_get_cb_info(
        env,
        info,
        argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
    ))?;
    if *argc != 3 {
        return None;
    }
    let mut portable = false;
    okay(sys::napi_get_value_bool(env, argv[2], &mut portable))?;
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
    let (array, batch) = batch_array(env)?;
    let backend = backend(env, portable)?;
    loop_resolver::open(&backend);
    if let Backend::Uv(uv, loop_) = backend {
        watch::open_batching(uv, loop_)?;
    }
    env::install(env, backend, context, dispatch, resolved, batch)?;
    okay(sys::napi_add_env_cleanup_hook(
        env,
        Some(cleanup),
        ptr::null_mut(),
    ))?;
    Some(array)
}

/// The batch array: an Int32Array of BATCH_FDS entries (wire.rs), its memory, and a
/// reference that keeps it alive. napi_create_arraybuffer gives the memory
/// of the ArrayBuffer it makes, which stays put for the buffer's life (the
/// facade never hands it out, so nothing can detach it).
///
/// SAFETY: call from a JS call on the environment's thread.
unsafe fn batch_array(env: sys::napi_env) -> Option<(sys::napi_value, env::Batch)> {
    let len = BATCH_COUNT + 1;
    let (mut buffer, mut data, mut array, mut reference) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    okay(sys::napi_create_arraybuffer(env, len * 4, &mut data, &mut buffer))?;
    okay(sys::napi_create_typedarray(
        env,
        sys::TypedarrayType::int32_array,
        len,
        buffer,
        0,
        &mut array,
    ))?;
    okay(sys::napi_create_reference(env, array, 1, &mut reference))?;
    (!data.is_null()).then_some((
        array,
        env::Batch {
            data: data.cast::<i32>(),
            len,
            reference,
        },
    ))
}

/// The callback of the poller's threadsafe function, on the environment's
/// thread: `data` is a Box<Message>; `env` is null when the function is
/// being torn down.
unsafe extern "C" fn on_message(
    env: sys::napi_env,
    _f: sys::napi_value,
    _context: *mut c_void,
    data: *mut c_void,
) {
    if data.is_null() {
        return;
    }
    // SAFETY: every message is a Box<Message> leaked by Portable::send, handed to this callback once.
    let message = Box::from_raw(data.cast::<Message>());
    if env.is_null() {
        return;
    }
    match *message {
        Message::Ready(list) => {
            for r in list {
                watch::ready(r.token, r.events);
            }
            watch::flush();
        }
        Message::Resolved => loop_resolver::deliver(),
    }
}

/// The environment's libuv loop, or bsdsock's own poller if `portable`; None
/// with the error recorded.
///
/// SAFETY: call from a JS call on the environment's thread.
unsafe fn backend(env: sys::napi_env, portable: bool) -> Option<Backend> {
    if portable {
        let Some(p) = Portable::start(env, on_message) else {
            fail(Error::message("cannot start bsdsock's poller", "bsdsock-poller"));
            return None;
        };
        return Some(Backend::Portable(p));
    }
    let Some(uv) = uv() else {
        fail(Error::message(
            "bsdsock/asyncio needs libuv, which this host does not have",
            "uv",
        ));
        return None;
    };
    let mut loop_ = ptr::null_mut();
    if sys::napi_get_uv_event_loop(env, &mut loop_) != sys::Status::napi_ok {
        return None;
    }
    Some(Backend::Uv(uv, loop_.cast::<c_void>()))
}

/// `loopInit`, for raw::export.
pub(crate) const CALLS: &[(&CStr, Callback)] = &[(c"loopInit", loop_init)];
