//! The fds this environment's Socket objects own. When the environment goes
//! away (a worker terminated, the process ending) its Socket objects die
//! without their finalizers running, so an env cleanup hook closes what they
//! still held: a terminated worker leaks no fd. The hook is registered when the
//! module initializes, before bsdsock/asyncio's, so it runs after that one has
//! stopped its handles (N-API runs cleanup hooks in reverse order).

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr;

use bsdsock_core::sock;
use napi::sys;
use napi_derive::napi;

use bsdsock_core::fdmap::FdMap;

thread_local! {
    /// Each owned fd, with the generation it was owned in.
    static OWNED: RefCell<FdMap<u64>> = RefCell::new(FdMap::default());
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

/// own(fd): a Socket now holds fd.
#[napi]
pub fn own(fd: i32) {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    OWNED.with(|o| o.borrow_mut().insert(fd, generation));
}

/// Which owning of `fd` this is (0: not owned): a blocking call that let JS
/// run (a signal's listeners) compares it before and after, to learn whether
/// its socket was closed meanwhile, its number perhaps given to another.
pub fn generation(fd: i32) -> u64 {
    OWNED.with(|o| o.borrow().get(&fd).copied().unwrap_or(0))
}

/// Owns a new fd for this environment, and gives it back.
pub fn owned(fd: i32) -> i32 {
    own(fd);
    fd
}

/// disown(fd): the Socket gave fd up (detach) or closed it.
#[napi]
pub fn disown(fd: i32) {
    forget(fd);
}

pub fn forget(fd: i32) {
    OWNED.with(|o| o.borrow_mut().remove(&fd));
}

unsafe extern "C" fn close_owned(_arg: *mut c_void) {
    let fds: Vec<i32> = OWNED.with(|o| o.borrow_mut().drain().map(|(fd, _)| fd).collect());
    for fd in fds {
        // The environment is going away: there is no one left to report an error to.
        let _ = sock::close(fd);
    }
}

/// Registers the cleanup hook for this environment.
///
/// SAFETY: `env` must be the environment the module is initializing in.
pub unsafe fn register(env: sys::napi_env) -> bool {
    sys::napi_add_env_cleanup_hook(env, Some(close_owned), ptr::null_mut()) == sys::Status::napi_ok
}
