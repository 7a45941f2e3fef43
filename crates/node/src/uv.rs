//! libuv, looked up at run time: the few functions bsdsock/asyncio needs to
//! watch fds (`uv_poll_t`) and to hear from its resolver threads (`uv_async_t`)
//! on the calling environment's own loop. They are found in the running
//! process (dlsym; GetProcAddress on node.exe on Windows: Node exports libuv's
//! symbols), so the addon still loads in a host without libuv; there `uv()` is
//! None and the async calls fail.

use std::ffi::{c_int, c_void, CStr};
use std::sync::OnceLock;

/// `uv_poll_event` bits.
pub const READABLE: c_int = 1;
pub const WRITABLE: c_int = 2;

/// `uv_handle_type` values of the handles used here.
const UV_ASYNC: c_int = 1;
const UV_CHECK: c_int = 2;
const UV_POLL: c_int = 8;
const UV_PREPARE: c_int = 9;

pub type PollCb = unsafe extern "C" fn(handle: *mut c_void, status: c_int, events: c_int);
pub type HandleCb = unsafe extern "C" fn(handle: *mut c_void);

/// libuv's `uv_os_sock_t`: an fd on Unix, a SOCKET handle on Windows.
#[cfg(unix)]
type OsSock = c_int;
#[cfg(windows)]
type OsSock = usize;

/// The poll-handle initializer for a socket: `uv_poll_init` takes an fd, and
/// on Windows `uv_poll_init_socket` takes the SOCKET.
#[cfg(unix)]
const POLL_INIT: &CStr = c"uv_poll_init";
#[cfg(windows)]
const POLL_INIT: &CStr = c"uv_poll_init_socket";

/// The libuv functions, as found in the process.
pub struct Uv {
    handle_size: unsafe extern "C" fn(c_int) -> usize,
    poll_init_sock: unsafe extern "C" fn(*mut c_void, *mut c_void, OsSock) -> c_int,
    pub poll_start: unsafe extern "C" fn(*mut c_void, c_int, PollCb) -> c_int,
    pub poll_stop: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub close: unsafe extern "C" fn(*mut c_void, Option<HandleCb>),
    pub ref_: unsafe extern "C" fn(*mut c_void),
    pub unref: unsafe extern "C" fn(*mut c_void),
    pub async_init: unsafe extern "C" fn(*mut c_void, *mut c_void, HandleCb) -> c_int,
    pub async_send: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub prepare_init: unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int,
    pub prepare_start: unsafe extern "C" fn(*mut c_void, HandleCb) -> c_int,
    pub check_init: unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int,
    pub check_start: unsafe extern "C" fn(*mut c_void, HandleCb) -> c_int,
    /// `uv_backend_fd`: the loop's epoll fd (repoll.rs), if the process exports it.
    #[cfg(target_os = "linux")]
    pub backend_fd: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
}

/// A symbol of the running process, as a function pointer of type `T`.
///
/// SAFETY: `T` must be the C signature of the symbol `name`.
unsafe fn symbol<T: Copy>(name: &CStr) -> Option<T> {
    #[cfg(unix)]
    let p = libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
    #[cfg(windows)]
    let p = bsdsock_core::sys::process_symbol(name);
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
            poll_init_sock: symbol(POLL_INIT)?,
            poll_start: symbol(c"uv_poll_start")?,
            poll_stop: symbol(c"uv_poll_stop")?,
            close: symbol(c"uv_close")?,
            ref_: symbol(c"uv_ref")?,
            unref: symbol(c"uv_unref")?,
            async_init: symbol(c"uv_async_init")?,
            async_send: symbol(c"uv_async_send")?,
            prepare_init: symbol(c"uv_prepare_init")?,
            prepare_start: symbol(c"uv_prepare_start")?,
            check_init: symbol(c"uv_check_init")?,
            check_start: symbol(c"uv_check_start")?,
            #[cfg(target_os = "linux")]
            backend_fd: symbol(c"uv_backend_fd"),
        })
    }
}

impl Uv {
    /// `uv_poll_init` of a socket fd (of its SOCKET handle on Windows).
    ///
    /// SAFETY: as libuv's: a live loop and zeroed uv_poll_t memory.
    pub unsafe fn poll_init(&self, loop_: *mut c_void, handle: *mut c_void, fd: c_int) -> c_int {
        #[cfg(unix)]
        let sock = fd;
        #[cfg(windows)]
        let sock = bsdsock_core::sys::handle(fd);
        (self.poll_init_sock)(loop_, handle, sock)
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

    pub fn prepare(uv: &Uv) -> Handle {
        Handle::new(uv, UV_PREPARE)
    }

    pub fn check(uv: &Uv) -> Handle {
        Handle::new(uv, UV_CHECK)
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
