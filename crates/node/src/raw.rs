//! Raw N-API calls: the machinery of the calls written as plain N-API
//! callbacks instead of `#[napi]` functions (the hot socket calls, the waits,
//! the batched datagram calls, the signal calls). The `#[napi]` wrappers
//! register every borrowed buffer in a process-wide table so it could outlive
//! the call; these calls only borrow for their own duration, so they read
//! their arguments directly (`Args`) and skip that cost. Each module lists its
//! calls in a table of `(name, Callback)`, and `export` adds a table to the
//! module's exports.

use std::ffi::CStr;
use std::ptr;

use bsdsock_core::{Error, Timeout};
use napi::sys;

use crate::state::fail;

/// The arguments of one call, read from the callback info.
pub(crate) struct Args<const N: usize> {
    pub(crate) env: sys::napi_env,
    pub(crate) argv: [sys::napi_value; N],
}

impl<const N: usize> Args<N> {
    /// SAFETY: call only from a callback, with the env and info it was given.
    pub(crate) unsafe fn read(env: sys::napi_env, info: sys::napi_callback_info) -> Option<Self> {
        let mut argv = [ptr::null_mut(); N];
        let mut argc = N;
        let status = sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        (status == sys::Status::napi_ok && argc == N).then_some(Args { env, argv })
    }

    pub(crate) fn i32(&self, i: usize) -> Option<i32> {
        let mut v = 0;
        // SAFETY: env and argv[i] come from the current callback.
        let status = unsafe { sys::napi_get_value_int32(self.env, self.argv[i], &mut v) };
        (status == sys::Status::napi_ok).then_some(v)
    }

    pub(crate) fn f64(&self, i: usize) -> Option<f64> {
        let mut v = 0.0;
        // SAFETY: env and argv[i] come from the current callback.
        let status = unsafe { sys::napi_get_value_double(self.env, self.argv[i], &mut v) };
        (status == sys::Status::napi_ok).then_some(v)
    }

    /// The memory of a typed array argument of `kind`: its pointer and element count.
    fn typed(&self, i: usize, kind: sys::napi_typedarray_type) -> Option<(*mut std::ffi::c_void, usize)> {
        let mut actual = 0;
        let mut len = 0;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0;
        // SAFETY: env and argv[i] come from the current callback; a value that is not a
        // typed array makes the call fail instead of writing anything.
        let status = unsafe {
            sys::napi_get_typedarray_info(
                self.env,
                self.argv[i],
                &mut actual,
                &mut len,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        };
        (status == sys::Status::napi_ok && actual == kind).then_some((data, len))
    }

    /// The bytes of a Uint8Array argument (any ArrayBufferView), borrowed for
    /// this call. Sound because no JS runs until the callback returns, so the
    /// view's memory can be neither freed nor detached meanwhile. Read with
    /// napi_get_buffer_info, which checks for a view and skips the typed
    /// array's kind (a third of the cost of the hottest calls' argument reading).
    pub(crate) fn bytes<'call>(&self, i: usize) -> Option<&'call mut [u8]> {
        let mut data = ptr::null_mut();
        let mut len = 0;
        // SAFETY: env and argv[i] come from the current callback; a value that is not
        // an ArrayBufferView makes the call fail instead of writing anything.
        let status = unsafe { sys::napi_get_buffer_info(self.env, self.argv[i], &mut data, &mut len) };
        if status != sys::Status::napi_ok {
            return None;
        }
        if len == 0 || data.is_null() {
            return Some(&mut []);
        }
        // SAFETY: napi reported `len` bytes at `data` for this view; see above for the lifetime.
        Some(unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) })
    }

    /// The bytes of an ArrayBuffer argument, or of an ArrayBufferView (as
    /// `bytes`), borrowed for this call. The receive slabs come as their
    /// ArrayBuffer: its memory is a field read, where a view's is found
    /// through the view's buffer (napi_get_buffer_info was a third of a
    /// datagram receive's crossing).
    pub(crate) fn memory<'call>(&self, i: usize) -> Option<&'call mut [u8]> {
        let mut data = ptr::null_mut();
        let mut len = 0;
        // SAFETY: env and argv[i] come from the current callback; a value that is not
        // an ArrayBuffer makes the call fail instead of writing anything.
        let status = unsafe { sys::napi_get_arraybuffer_info(self.env, self.argv[i], &mut data, &mut len) };
        if status != sys::Status::napi_ok {
            return self.bytes(i);
        }
        if len == 0 || data.is_null() {
            return Some(&mut []);
        }
        // SAFETY: napi reported `len` bytes at `data` for this ArrayBuffer; as `bytes`,
        // no JS runs until the callback returns, so it is neither freed nor detached meanwhile.
        Some(unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) })
    }

    /// The elements of an Int32Array argument, borrowed for this call (as `bytes`).
    pub(crate) fn ints<'call>(&self, i: usize) -> Option<&'call mut [i32]> {
        let (data, len) = self.typed(i, sys::TypedarrayType::int32_array)?;
        if len == 0 {
            return Some(&mut []);
        }
        // SAFETY: napi reported `len` aligned i32s at `data` for this Int32Array; see `bytes`.
        Some(unsafe { std::slice::from_raw_parts_mut(data.cast::<i32>(), len) })
    }

    /// The elements of a BigInt64Array argument, borrowed for this call (as `bytes`).
    /// Only kqueue's kevents come as these.
    #[cfg_attr(not(any(target_vendor = "apple", target_os = "freebsd")), allow(dead_code))]
    pub(crate) fn bigints<'call>(&self, i: usize) -> Option<&'call mut [i64]> {
        let (data, len) = self.typed(i, sys::TypedarrayType::bigint64_array)?;
        if len == 0 {
            return Some(&mut []);
        }
        // SAFETY: napi reported `len` aligned i64s at `data` for this BigInt64Array; see `bytes`.
        Some(unsafe { std::slice::from_raw_parts_mut(data.cast::<i64>(), len) })
    }

    pub(crate) fn timeout(&self, i: usize) -> Option<Timeout> {
        self.f64(i).map(Timeout::from_secs)
    }

    /// A data call's flags and timeout: arguments `at` and `at + 1`, or, with
    /// `at` None (the `*Now` entries of asyncio), no flags and never waiting.
    pub(crate) fn mode(&self, at: Option<usize>) -> Option<(i32, Timeout)> {
        match at {
            Some(i) => Some((self.i32(i)?, self.timeout(i + 1)?)),
            None => Some((0, Timeout::NONBLOCKING)),
        }
    }

    /// A number for JS; -1 (with the error recorded) when `n` is None.
    pub(crate) fn number(&self, n: Option<usize>) -> sys::napi_value {
        let mut out = ptr::null_mut();
        let v = n.map_or(-1.0, |n| n as f64);
        // SAFETY: creating a number in the current callback's env.
        unsafe { sys::napi_create_double(self.env, v, &mut out) };
        out
    }

    /// A small integer for JS (a status the facade tells from a count).
    pub(crate) fn int(&self, v: i32) -> sys::napi_value {
        let mut out = ptr::null_mut();
        // SAFETY: creating a number in the current callback's env.
        unsafe { sys::napi_create_int32(self.env, v, &mut out) };
        out
    }

    pub(crate) fn boolean(&self, b: bool) -> sys::napi_value {
        let mut out = ptr::null_mut();
        // SAFETY: getting a boolean in the current callback's env.
        unsafe { sys::napi_get_boolean(self.env, b, &mut out) };
        out
    }
}

/// Some(()) for napi_ok.
pub(crate) fn okay(status: sys::napi_status) -> Option<()> {
    (status == sys::Status::napi_ok).then_some(())
}

/// Wrong argument types cannot come from the facade; if they do, the call
/// fails with EINVAL rather than reading anything it was not given.
pub(crate) fn bad_args() -> Option<usize> {
    fail(einval());
    None
}

pub(crate) fn einval() -> Error {
    Error::os(bsdsock_core::errno::value("EINVAL").unwrap_or(22), "args")
}

impl<const N: usize> Args<N> {
    /// The bytes of Uint8Array argument `i`, read afresh: a blocking call reads
    /// its buffers again each time it resumes, since a signal's listeners ran
    /// in between (and could have detached one).
    pub(crate) fn data<'call>(&self, i: usize) -> bsdsock_core::Result<&'call mut [u8]> {
        self.bytes(i).ok_or_else(einval)
    }

    /// The memory a receive goes into, argument `i` (an ArrayBuffer or a view:
    /// see `memory`), read afresh as `data` is.
    pub(crate) fn room<'call>(&self, i: usize) -> bsdsock_core::Result<&'call mut [u8]> {
        self.memory(i).ok_or_else(einval)
    }
}

/// A raw N-API callback.
pub(crate) type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Adds a table of raw calls to the module's exports.
///
/// SAFETY: call with the env and exports object of the module being initialized.
pub unsafe fn export(
    env: sys::napi_env,
    exports: sys::napi_value,
    table: &[(&CStr, Callback)],
) -> napi::Result<()> {
    for (name, cb) in table {
        let mut f = ptr::null_mut();
        let status = sys::napi_create_function(env, name.as_ptr(), -1, Some(*cb), ptr::null_mut(), &mut f);
        if status != sys::Status::napi_ok
            || sys::napi_set_named_property(env, exports, name.as_ptr(), f) != sys::Status::napi_ok
        {
            return Err(napi::Error::from_reason(format!("cannot export {name:?}")));
        }
    }
    Ok(())
}
