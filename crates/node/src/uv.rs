//! libuv, looked up at run time: the few functions bsdsock/asyncio needs to
//! watch fds (`uv_poll_t`) and to hear from its resolver threads (`uv_async_t`)
//! on the calling environment's own loop. They are found with dlsym in the
//! running process (Node exports libuv's symbols), so the addon still loads in
//! a host without libuv; there `uv()` is None and the async calls fail.

use std::ffi::{c_int, c_void, CStr};
use std::sync::OnceLock;

/// `uv_poll_event` bits.
pub const READABLE: c_int = 1;
pub const WRITABLE: c_int = 2;

/// `uv_handle_type` values of the handles used here.
const UV_ASYNC: c_int = 1;
const UV_POLL: c_int = 8;

pub type PollCb = unsafe extern "C" fn(handle: *mut c_void, status: c_int, events: c_int);
pub type HandleCb = unsafe extern "C" fn(handle: *mut c_void);

/// The libuv functions, as found in the process.
pub struct Uv {
    handle_size: unsafe extern "C" fn(c_int) -> usize,
    pub poll_init: unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
    pub poll_start: unsafe extern "C" fn(*mut c_void, c_int, PollCb) -> c_int,
    pub poll_stop: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub close: unsafe extern "C" fn(*mut c_void, Option<HandleCb>),
    pub ref_: unsafe extern "C" fn(*mut c_void),
    pub unref: unsafe extern "C" fn(*mut c_void),
    pub async_init: unsafe extern "C" fn(*mut c_void, *mut c_void, HandleCb) -> c_int,
    pub async_send: unsafe extern "C" fn(*mut c_void) -> c_int,
}

/// A symbol of the running process, as a function pointer of type `T`.
///
/// SAFETY: `T` must be the C signature of the symbol `name`.
unsafe fn symbol<T: Copy>(name: &CStr) -> Option<T> {
    let p = libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
    if p.is_null() {
        return None;
    }
    debug_assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<*mut c_void>());
    // SAFETY: the caller names the symbol's C signature; a function pointer has a data pointer's size.
    Some(std::mem::transmute_copy::<*mut c_void, T>(&p))
}

fn lookup() -> Option<Uv> {
    // SAFETY: each type below is the documented C signature of the libuv function named.
    unsafe {
        Some(Uv {
            handle_size: symbol(c"uv_handle_size")?,
            poll_init: symbol(c"uv_poll_init")?,
            poll_start: symbol(c"uv_poll_start")?,
            poll_stop: symbol(c"uv_poll_stop")?,
            close: symbol(c"uv_close")?,
            ref_: symbol(c"uv_ref")?,
            unref: symbol(c"uv_unref")?,
            async_init: symbol(c"uv_async_init")?,
            async_send: symbol(c"uv_async_send")?,
        })
    }
}

/// libuv, or None when the process has none.
pub fn uv() -> Option<&'static Uv> {
    static UV: OnceLock<Option<Uv>> = OnceLock::new();
    UV.get_or_init(lookup).as_ref()
}

/// The memory of one libuv handle, 8-byte aligned and zeroed; libuv's
/// `void* data` is its first field.
pub struct Handle(Box<[u64]>);

impl Handle {
    fn new(uv: &Uv, kind: c_int) -> Handle {
        // SAFETY: uv_handle_size takes any handle type and returns its size.
        let size = unsafe { (uv.handle_size)(kind) };
        Handle(vec![0u64; size.div_ceil(8).max(1)].into_boxed_slice())
    }

    pub fn poll(uv: &Uv) -> Handle {
        Handle::new(uv, UV_POLL)
    }

    pub fn async_(uv: &Uv) -> Handle {
        Handle::new(uv, UV_ASYNC)
    }

    pub fn ptr(&mut self) -> *mut c_void {
        self.0.as_mut_ptr().cast()
    }

    /// Sets the handle's `data` field.
    pub fn set_data(&mut self, data: *mut c_void) {
        // SAFETY: `data` is the first field of every uv handle, and the memory holds at least one u64.
        unsafe { self.ptr().cast::<*mut c_void>().write(data) };
    }
}

/// The `data` field of a handle libuv passed to a callback.
///
/// SAFETY: `handle` must point to a live libuv handle.
pub unsafe fn data(handle: *mut c_void) -> *mut c_void {
    handle.cast::<*mut c_void>().read()
}
