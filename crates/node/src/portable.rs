//! bsdsock/asyncio where the host has no libuv loop to share (Bun, Deno): one
//! poller thread per environment (sys::Poller: epoll, kqueue or WSAPoll)
//! waits on the watched fds, and its reports, as the resolver threads'
//! results, come back to the environment's thread through one N-API
//! threadsafe function. Its callback (asyncio.rs `on_message`) does what the
//! uv callbacks do on Node (watch.rs `ready`, loop_resolver.rs `deliver`). The function keeps the
//! host alive only while it is ref'd: while operations or lookups are pending
//! (`keepAlive`, loop_resolver.rs), as the uv async handle does on Node.

use std::ffi::{c_void, CStr};
use std::ptr;
use std::sync::{Arc, Mutex};

use bsdsock_core::sys::{Poller, Ready};
use napi::sys;

/// What another thread hands to the environment's thread.
pub enum Message {
    /// Watched fds are ready (sys::Poller's reports).
    Ready(Vec<Ready>),
    /// A resolver thread finished a lookup.
    Resolved,
}

/// The threadsafe function's callback: `(env, _, _, data)`, data a Box<Message>.
pub type OnMessage = unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut c_void, *mut c_void);

/// A threadsafe function (unref'd, its queue unbounded) whose calls run `call_js`
/// on the environment's thread.
///
/// SAFETY: call on the environment's thread, from a JS call.
pub unsafe fn threadsafe_function(
    env: sys::napi_env,
    name: &CStr,
    call_js: OnMessage,
) -> Option<sys::napi_threadsafe_function> {
    let mut js_name = ptr::null_mut();
    let mut tsfn = ptr::null_mut();
    let ok = |s: sys::napi_status| (s == sys::Status::napi_ok).then_some(());
    ok(sys::napi_create_string_utf8(env, name.as_ptr(), -1, &mut js_name))?;
    ok(sys::napi_create_threadsafe_function(
        env,
        ptr::null_mut(),
        ptr::null_mut(),
        js_name,
        0,
        1,
        ptr::null_mut(),
        None,
        ptr::null_mut(),
        Some(call_js),
        &mut tsfn,
    ))?;
    sys::napi_unref_threadsafe_function(env, tsfn);
    Some(tsfn)
}

/// A threadsafe function's pointer.
struct Tsfn(sys::napi_threadsafe_function);

// SAFETY: N-API's threadsafe-function calls may be made from any thread; the
// pointer is used only under Portable's mutex, until it is released.
unsafe impl Send for Tsfn {}

/// One environment's poller and threadsafe function.
pub struct Portable {
    pub poller: Poller,
    /// None once the environment is gone (the function released).
    tsfn: Mutex<Option<Tsfn>>,
}

impl Portable {
    /// Makes the threadsafe function (unref'd), whose callback `on_message`
    /// takes each Box<Message>, and the poller, and starts the poller's thread.
    ///
    /// SAFETY: call on the environment's thread, from a JS call; `on_message`
    /// must take ownership of the Box<Message> its `data` is, and drop it
    /// without using it when `env` is null (the function is being torn down).
    pub unsafe fn start(env: sys::napi_env, on_message: OnMessage) -> Option<Arc<Portable>> {
        let poller = Poller::new().ok()?;
        let tsfn = threadsafe_function(env, c"bsdsock.asyncio", on_message)?;
        let portable = Arc::new(Portable {
            poller,
            tsfn: Mutex::new(Some(Tsfn(tsfn))),
        });
        let waiter = Arc::clone(&portable);
        let spawned = std::thread::Builder::new()
            .name("bsdsock-poller".into())
            .spawn(move || waiter.run());
        if spawned.is_err() {
            portable.close();
            return None;
        }
        Some(portable)
    }

    /// The poller thread: waits, and hands each batch of reports over, until closed.
    fn run(&self) {
        loop {
            let mut ready = Vec::new();
            if self.poller.wait(&mut ready).is_err() {
                return;
            }
            let sent = if ready.is_empty() {
                self.tsfn.lock().is_ok_and(|t| t.is_some())
            } else {
                self.send(Message::Ready(ready))
            };
            if !sent {
                return;
            }
        }
    }

    /// Queues `message` for the environment's thread; false once closed.
    pub fn send(&self, message: Message) -> bool {
        let Ok(tsfn) = self.tsfn.lock() else { return false };
        let Some(Tsfn(f)) = *tsfn else { return false };
        let data = Box::into_raw(Box::new(message));
        // SAFETY: the function is live (not released while the lock is held), and the queue is unbounded.
        let status = unsafe {
            sys::napi_call_threadsafe_function(f, data.cast(), sys::ThreadsafeFunctionCallMode::nonblocking)
        };
        if status != sys::Status::napi_ok {
            // SAFETY: N-API did not take the message, so the box is still only ours.
            drop(unsafe { Box::from_raw(data) });
            return false;
        }
        true
    }

    /// Refs the function (the host stays alive) or unrefs it.
    ///
    /// SAFETY: call on the environment's thread.
    pub unsafe fn set_ref(&self, env: sys::napi_env, on: bool) {
        if let Ok(tsfn) = self.tsfn.lock() {
            if let Some(Tsfn(f)) = *tsfn {
                if on {
                    sys::napi_ref_threadsafe_function(env, f);
                } else {
                    sys::napi_unref_threadsafe_function(env, f);
                }
            }
        }
    }

    /// Releases the function (what is queued is dropped) and ends the poller's thread.
    pub fn close(&self) {
        let taken = self.tsfn.lock().ok().and_then(|mut t| t.take());
        if let Some(Tsfn(f)) = taken {
            // SAFETY: the function is live, and taken out, so no other call uses it after this.
            unsafe { sys::napi_release_threadsafe_function(f, sys::ThreadsafeFunctionReleaseMode::abort) };
        }
        let _ = self.poller.wake();
    }
}
