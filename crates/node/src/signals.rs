//! Signals' listeners, run as CPython runs its handlers (crates/core's
//! signals.rs says how a signal is caught): inside the blocking call the
//! signal interrupted, which then goes on with the time it has left
//! (`blocking`); before a blocking call starts, for a signal caught since the
//! last one; or from the loop, through an async handle, when the loop turns
//! first. The facade gives the function that runs a signal's listeners
//! (`signalsInit`, on the main thread only).

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::time::Instant;

use bsdsock_core::{signals, Error, Timeout};
use napi::sys;

use crate::raw::Args;
use crate::state::{fail, ok};
use crate::uv::{uv, Handle};

thread_local! {
    /// The facade's `(signum) => void`, which runs a signal's listeners.
    static RUN: Cell<sys::napi_ref> = const { Cell::new(ptr::null_mut()) };
    static ENV: Cell<sys::napi_env> = const { Cell::new(ptr::null_mut()) };
    static CONTEXT: Cell<sys::napi_async_context> = const { Cell::new(ptr::null_mut()) };
    /// Whether the host has no libuv loop (Bun, Deno; see `signalsInit`).
    static PORTABLE: Cell<bool> = const { Cell::new(false) };
}

/// The main loop's async handle, and libuv's `uv_async_send`, for the signal
/// handler (which may run on any thread).
static ASYNC: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());
static ASYNC_SEND: AtomicUsize = AtomicUsize::new(0);

/// Wakes the main loop: the core's handler calls this for each caught signal.
extern "C" fn wake_loop() {
    let handle = ASYNC.load(Ordering::SeqCst);
    let send = ASYNC_SEND.load(Ordering::SeqCst);
    if !handle.is_null() && send != 0 {
        // SAFETY: ASYNC_SEND holds libuv's uv_async_send, which is async-signal-safe,
        // and ASYNC a live async handle (cleared before the handle is closed).
        unsafe {
            let f: unsafe extern "C" fn(*mut c_void) -> c_int = std::mem::transmute(send);
            f(handle);
        }
    }
}

/// Runs the listeners of every pending signal, once per time it came, in the
/// order of their numbers (as CPython). False when one threw: its exception
/// is pending in JS, and the runs after it go back to wait for the next chance.
pub fn run_pending(env: sys::napi_env) -> bool {
    let run = RUN.with(Cell::get);
    let mut counts = signals::take_pending();
    for sig in 0..counts.len() {
        while counts[sig] > 0 {
            counts[sig] -= 1;
            // SAFETY: env is the current environment, `run` a reference made in it.
            if !run.is_null() && !unsafe { call_run(env, run, sig as u32) } {
                signals::put_back(&counts);
                return false;
            }
        }
    }
    true
}

/// Calls the facade's runner for one signal; false if it threw.
///
/// SAFETY: `env` must be the current environment and `run` a live reference in it.
unsafe fn call_run(env: sys::napi_env, run: sys::napi_ref, sig: u32) -> bool {
    let mut f = ptr::null_mut();
    let mut recv = ptr::null_mut();
    let mut arg = ptr::null_mut();
    let mut result = ptr::null_mut();
    if sys::napi_get_reference_value(env, run, &mut f) != sys::Status::napi_ok
        || sys::napi_get_undefined(env, &mut recv) != sys::Status::napi_ok
        || sys::napi_create_uint32(env, sig, &mut arg) != sys::Status::napi_ok
    {
        return true;
    }
    sys::napi_call_function(env, recv, f, 1, &arg, &mut result) != sys::Status::napi_pending_exception
}

/// How a blocking call ended: a value, or None with its error recorded, or
/// with a listener's exception pending in JS (which then throws it).
///
/// Runs `call` as CPython runs a blocking call (PEP 475): when a caught
/// signal interrupts it, the signal's listeners run, then `call` runs again
/// with the time left, unless a listener threw, or closed the socket (EBADF,
/// as CPython's retry on its closed socket gives). Signals caught before the
/// call have their listeners run first. `fd` is the socket's (-1 for none);
/// `call` must read its arguments afresh each time, since JS ran in between.
pub fn blocking<T>(
    env: sys::napi_env,
    fd: i32,
    timeout: Timeout,
    syscall: &'static str,
    mut call: impl FnMut(Timeout) -> bsdsock_core::Result<T>,
) -> Option<T>
where
    T: Outcome,
{
    if !timeout.is_nonblocking() && signals::interrupted() && !run_pending(env) {
        return None;
    }
    let start = timeout.0.filter(|d| !d.is_zero()).map(|_| Instant::now());
    let mut left = timeout;
    loop {
        match call(left) {
            Err(e) if e.errno() == Some(bsdsock_core::sys::EINTR) && signals::interrupted() => {
                // No JS has run in this call yet: the fd is still the socket's.
                let owner = crate::owned::generation(fd);
                if !run_pending(env) {
                    return None;
                }
                if crate::owned::generation(fd) != owner {
                    fail(Error::os(ebadf(), syscall));
                    return None;
                }
                left = timeout.left_since(start);
            }
            // Signals that came during a call that ended all the same (with a result, or
            // out of time): their listeners run as it returns, and one that throws takes
            // the outcome's place.
            r if !listeners_after(env, timeout) => {
                if let Ok(v) = r {
                    v.release();
                }
                return None;
            }
            r => return ok(r),
        }
    }
}

/// After a call that ended all the same, though a signal came during it
/// (MSG_WAITALL with the bytes it had, or a result just in): its listeners run
/// now, as CPython runs the handler as soon as the call returns (in blocking
/// and timeout mode, as before a call). False when one threw: its exception
/// then takes the result's place, which the caller lets go.
pub fn listeners_after(env: sys::napi_env, timeout: Timeout) -> bool {
    timeout.is_nonblocking() || !signals::interrupted() || run_pending(env)
}

/// A blocking call's result, let go when a signal's listener throws right
/// after the call returned it: what it holds (an accepted connection's fd)
/// is closed, as CPython's unused socket object is.
pub trait Outcome: Sized {
    fn release(self) {}
}

impl Outcome for () {}
impl Outcome for usize {}
impl Outcome for u64 {}

/// An accepted connection: its fd and its peer's address.
impl Outcome for (i32, Option<bsdsock_core::addr::Address>) {
    fn release(self) {
        // Nothing more to do if close fails: the fd is gone either way.
        let _ = bsdsock_core::sock::close(self.0);
    }
}

fn ebadf() -> i32 {
    bsdsock_core::errno::value("EBADF").unwrap_or(9)
}

/// The async handle's callback: the loop turned with signals pending.
unsafe extern "C" fn on_async(_handle: *mut c_void) {
    run_from_loop(ENV.with(Cell::get));
}

/// Runs pending signals' listeners from the loop (not inside a call).
///
/// SAFETY: call only from a loop callback on the main thread, with no JS frame on the stack.
unsafe fn run_from_loop(env: sys::napi_env) {
    if env.is_null() || !signals::interrupted() {
        return;
    }
    let mut scope = ptr::null_mut();
    if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
        return;
    }
    let mut cb_scope = ptr::null_mut();
    let mut resource = ptr::null_mut();
    let context = CONTEXT.with(Cell::get);
    // A callback scope, so that what the listeners queue (promise reactions,
    // process.nextTick) runs before control goes back to libuv.
    let scoped = sys::napi_create_object(env, &mut resource) == sys::Status::napi_ok
        && sys::napi_open_callback_scope(env, resource, context, &mut cb_scope) == sys::Status::napi_ok;
    if !run_pending(env) {
        // A throwing listener: Node's uncaught-exception handling, as for its own signal events.
        let mut err = ptr::null_mut();
        if sys::napi_get_and_clear_last_exception(env, &mut err) == sys::Status::napi_ok {
            sys::napi_fatal_exception(env, err);
        }
    }
    if scoped {
        sys::napi_close_callback_scope(env, cb_scope);
    }
    sys::napi_close_handle_scope(env, scope);
}

unsafe extern "C" fn on_close(handle: *mut c_void) {
    // SAFETY: the handle's data is the Box that `start_loop_waker` leaked.
    drop(Box::from_raw(crate::uv::data(handle).cast::<Handle>()));
}

/// Closes the async handle when the environment goes away.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    signals::set_waker(None);
    #[cfg(unix)]
    thread_waker::stop();
    let handle = ASYNC.swap(ptr::null_mut(), Ordering::SeqCst);
    if let (false, Some(uv)) = (handle.is_null(), uv()) {
        (uv.close)(handle, Some(on_close));
    }
    // The runner's reference and the async context go with the environment,
    // released here so that nothing made for them is left behind. Not on Bun
    // and Deno: Deno runs cleanup hooks outside any handle scope, where these
    // calls abort the process.
    let env = ENV.with(|e| e.replace(ptr::null_mut()));
    let run = RUN.with(|r| r.replace(ptr::null_mut()));
    let context = CONTEXT.with(|c| c.replace(ptr::null_mut()));
    if !env.is_null() && !PORTABLE.with(Cell::get) {
        if !run.is_null() {
            sys::napi_delete_reference(env, run);
        }
        if !context.is_null() {
            sys::napi_async_destroy(env, context);
        }
    }
}

/// An unref'd async handle on this environment's loop, whose callback runs
/// pending listeners; the core's handler wakes it. Without libuv (or if it
/// cannot be made), signals still run their listeners inside blocking calls.
///
/// SAFETY: `env` must be the current environment.
unsafe fn start_loop_waker(env: sys::napi_env) -> Option<()> {
    let uv = uv()?;
    let mut loop_ = ptr::null_mut();
    (sys::napi_get_uv_event_loop(env, &mut loop_) == sys::Status::napi_ok).then_some(())?;
    let boxed = Box::into_raw(Box::new(Handle::async_(uv)));
    let handle = (*boxed).ptr();
    if (uv.async_init)(loop_.cast(), handle, on_async) != 0 {
        drop(Box::from_raw(boxed));
        return None;
    }
    (*boxed).set_data(boxed.cast());
    (uv.unref)(handle);
    ASYNC_SEND.store(uv.async_send as usize, Ordering::SeqCst);
    ASYNC.store(handle, Ordering::SeqCst);
    signals::set_waker(Some(wake_loop));
    Some(())
}

/// Where the host has no libuv loop to share (Bun, Deno): a thread that
/// waits on a socket pair the signal handler writes to (write(2) is
/// async-signal-safe, where the host's uv_async_send, if any, need not be),
/// and wakes the JS thread through an unref'd threadsafe function.
#[cfg(unix)]
mod thread_waker {
    use std::ffi::c_void;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::ptr;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, OnceLock};
    use std::thread::JoinHandle;

    use bsdsock_core::signals;
    use napi::sys;

    /// The pair's end the handler writes to (non-blocking: a full pair already has a wake-up pending).
    static WRITE: OnceLock<UnixStream> = OnceLock::new();
    static STOP: AtomicBool = AtomicBool::new(false);
    static THREAD: Mutex<Option<(JoinHandle<()>, Tsfn)>> = Mutex::new(None);

    struct Tsfn(sys::napi_threadsafe_function);
    // SAFETY: N-API's threadsafe-function calls may be made from any thread; the
    // function is released only after the thread that calls it has ended.
    unsafe impl Send for Tsfn {}

    extern "C" fn wake() {
        if let Some(mut w) = WRITE.get() {
            // A plain write(2) on a non-blocking socket: no allocation, no lock.
            let _ = w.write(&[1]);
        }
    }

    unsafe extern "C" fn on_wake(
        env: sys::napi_env,
        _f: sys::napi_value,
        _ctx: *mut c_void,
        _data: *mut c_void,
    ) {
        if !env.is_null() {
            super::run_from_loop(env);
        }
    }

    fn run(mut read: UnixStream, tsfn: Tsfn) {
        let mut buf = [0u8; 64];
        loop {
            match read.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            }
            if STOP.load(Ordering::SeqCst) {
                return;
            }
            // SAFETY: the function is live until `stop` has joined this thread; the queue is unbounded.
            unsafe {
                sys::napi_call_threadsafe_function(
                    tsfn.0,
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            };
        }
    }

    /// Starts the thread and makes it the signals' waker.
    ///
    /// SAFETY: call on the main JS thread, from a JS call.
    pub unsafe fn start(env: sys::napi_env) -> Option<()> {
        let (read, write) = UnixStream::pair().ok()?;
        write.set_nonblocking(true).ok()?;
        let tsfn = crate::portable::threadsafe_function(env, c"bsdsock.signal", on_wake)?;
        let thread_tsfn = Tsfn(tsfn);
        let spawned = std::thread::Builder::new()
            .name("bsdsock-signals".into())
            .spawn(move || run(read, thread_tsfn));
        let (Ok(handle), Ok(())) = (spawned, WRITE.set(write).map_err(drop)) else {
            sys::napi_release_threadsafe_function(tsfn, sys::ThreadsafeFunctionReleaseMode::abort);
            return None;
        };
        if let Ok(mut t) = THREAD.lock() {
            *t = Some((handle, Tsfn(tsfn)));
        }
        signals::set_waker(Some(wake));
        Some(())
    }

    /// Ends the thread (the waker is already unset), then releases the function.
    pub fn stop() {
        let Some((handle, tsfn)) = THREAD.lock().ok().and_then(|mut t| t.take()) else {
            return;
        };
        STOP.store(true, Ordering::SeqCst);
        if let Some(mut w) = WRITE.get() {
            let _ = w.write(&[1]);
        }
        let _ = handle.join();
        // SAFETY: the only thread that called the function has ended.
        unsafe { sys::napi_release_threadsafe_function(tsfn.0, sys::ThreadsafeFunctionReleaseMode::abort) };
    }
}

/// signalsInit(run, portable) -> true, or false if it could not be set up:
/// makes this (the main) thread the one that handles signals, with
/// `run(signum)` to run a signal's listeners. `portable`: the host has no
/// libuv loop to share (Bun, Deno), and a thread of ours wakes its loop.
unsafe extern "C" fn signals_init(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<2>::read(env, info) else {
        return ptr::null_mut();
    };
    let mut portable = false;
    sys::napi_get_value_bool(env, a.argv[1], &mut portable);
    let mut reference = ptr::null_mut();
    let mut resource = ptr::null_mut();
    let mut name = ptr::null_mut();
    let mut context = ptr::null_mut();
    let made = RUN.with(Cell::get).is_null()
        && sys::napi_create_reference(env, a.argv[0], 1, &mut reference) == sys::Status::napi_ok
        && sys::napi_create_object(env, &mut resource) == sys::Status::napi_ok
        && sys::napi_create_string_utf8(env, c"bsdsock.signal".as_ptr(), -1, &mut name)
            == sys::Status::napi_ok
        && sys::napi_async_init(env, resource, name, &mut context) == sys::Status::napi_ok;
    if made {
        RUN.with(|r| r.set(reference));
        ENV.with(|e| e.set(env));
        CONTEXT.with(|c| c.set(context));
        PORTABLE.with(|p| p.set(portable));
        signals::set_main_thread();
        #[cfg(unix)]
        if portable {
            let _ = thread_waker::start(env);
        } else {
            let _ = start_loop_waker(env);
        }
        #[cfg(not(unix))]
        let _ = start_loop_waker(env);
        sys::napi_add_env_cleanup_hook(env, Some(cleanup), ptr::null_mut());
    }
    a.boolean(made)
}

/// runSignals(): runs the listeners of the pending signals, throwing what one
/// threw. For the calls whose buffers cannot be read afresh (sendmsg,
/// recvmsg): they fail with EINTR, and the facade runs the listeners with
/// this and makes the call again.
unsafe extern "C" fn run_signals(env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
    run_pending(env);
    let mut out = ptr::null_mut();
    sys::napi_get_undefined(env, &mut out);
    out
}

pub(crate) const CALLS: &[(&std::ffi::CStr, crate::raw::Callback)] =
    &[(c"signalsInit", signals_init), (c"runSignals", run_signals)];
