//! The data calls (send, sendall, sendto, recvInto, recvfromInto) as raw
//! N-API callbacks (raw.rs): the hottest calls of the facade, which always
//! passes (fd, Uint8Array, ...numbers[, Uint8Array]). Each blocking call runs
//! through signals.rs's `blocking`, so a signal's listeners run inside it.

use std::ffi::CStr;
use std::ptr;

use bsdsock_core::addr::sockaddr_from_bytes;
use bsdsock_core::sock;
use napi::sys;

use crate::raw::{bad_args, Args, Callback};
use crate::signals::blocking;
use crate::state::publish;

/// send(fd, data, flags, timeout) -> count or -1
unsafe extern "C" fn send(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.i32(2), a.timeout(3)) {
        (Some(fd), Some(flags), Some(t)) => {
            blocking(env, fd, t, "send", |t| sock::send(fd, a.data(1)?, flags, t))
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// sendall(fd, data, flags, timeout) -> true or false; resumed after a
/// signal's listeners from where it stopped.
unsafe extern "C" fn sendall(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let done = match (a.i32(0), a.i32(2), a.timeout(3)) {
        (Some(fd), Some(flags), Some(t)) => {
            let mut sent = 0;
            blocking(env, fd, t, "sendall", |t| {
                let data = a.data(1)?;
                let rest = data.get(sent..).unwrap_or_default();
                sock::sendall(fd, rest, flags, t).map_err(|e| {
                    sent += e.written.unwrap_or(0);
                    e.after_sending(sent)
                })
            })
            .is_some()
        }
        _ => bad_args().is_some(),
    };
    a.boolean(done)
}

/// sendto(fd, data, flags, timeout, sockaddr) -> count or -1
unsafe extern "C" fn sendto(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<5>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (
        a.i32(0),
        a.i32(2),
        a.timeout(3),
        a.bytes(4).and_then(|b| sockaddr_from_bytes(b)),
    ) {
        (Some(fd), Some(flags), Some(t), Some(sa)) => blocking(env, fd, t, "sendto", |t| {
            sock::sendto_sockaddr(fd, a.data(1)?, flags, &sa, t)
        }),
        _ => bad_args(),
    };
    a.number(n)
}

/// `buf[offset..offset + nbytes]`, clamped to the buffer.
fn window(buf: &mut [u8], offset: f64, nbytes: f64) -> &mut [u8] {
    let start = (offset.max(0.0) as usize).min(buf.len());
    let end = start.saturating_add(nbytes.max(0.0) as usize).min(buf.len());
    &mut buf[start..end]
}

/// recvInto(fd, buf, offset, nbytes, flags, timeout) -> count or -1
unsafe extern "C" fn recv_into(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<6>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.f64(2), a.f64(3), a.i32(4), a.timeout(5)) {
        (Some(fd), Some(offset), Some(nbytes), Some(flags), Some(t)) => blocking(env, fd, t, "recv", |t| {
            sock::recv_into(fd, window(a.data(1)?, offset, nbytes), flags, t)
        }),
        _ => bad_args(),
    };
    a.number(n)
}

/// recvfromInto(fd, buf, offset, nbytes, flags, timeout) -> count or -1; the
/// sender's address goes through the status block.
unsafe extern "C" fn recvfrom_into(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<6>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.f64(2), a.f64(3), a.i32(4), a.timeout(5)) {
        (Some(fd), Some(offset), Some(nbytes), Some(flags), Some(t)) => {
            blocking(env, fd, t, "recvfrom", |t| {
                sock::recvfrom_into(fd, window(a.data(1)?, offset, nbytes), flags, t)
            })
            .map(|(got, addr)| {
                publish(addr);
                got
            })
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// The data calls, for raw::export.
pub(crate) const CALLS: &[(&CStr, Callback)] = &[
    (c"send", send),
    (c"sendall", sendall),
    (c"sendto", sendto),
    (c"recvInto", recv_into),
    (c"recvfromInto", recvfrom_into),
];
