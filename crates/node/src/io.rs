//! The data calls (send, sendall, sendto, recvInto, recvfromInto) as raw
//! N-API callbacks (raw.rs): the hottest calls of the facade, which always
//! passes (fd, Uint8Array, ...numbers[, Uint8Array]). Each blocking call runs
//! through signals.rs's `blocking`, so a signal's listeners run inside it.
//! asyncio's transports and operations, whose calls never wait and take no
//! flags, have lean entries of their own (sendNow, sendtoNow, recvNow,
//! recvfromNow): the same calls without the flags and timeout arguments,
//! which are a good part of a crossing's cost. `sendtoNow` also keeps its
//! destination for the fd, so that the next send to it (`sendtoHeld`) names
//! the sending Socket's token instead of handing over the sockaddr bytes,
//! whose buffer is the dearest argument to read.

use std::cell::RefCell;
use std::ffi::CStr;
use std::ptr;

use bsdsock_core::addr::sockaddr_from_bytes;
use bsdsock_core::fdmap::FdMap;
use bsdsock_core::sock;
use bsdsock_core::wait::Timeout;
use bsdsock_core::SockAddr;
use napi::sys;

use crate::raw::{bad_args, Args, Callback};
use crate::signals::blocking;
use crate::state::publish;
use crate::wire::SEND_NOT_HELD;

/// Where a call's flags and timeout are: `Some(i)`, arguments i and i + 1; None, a `*Now` entry.
type ModeAt = Option<usize>;

/// send(fd, data, flags, timeout) or sendNow(fd, data); with `to`, sendto(fd,
/// data, flags, timeout, sockaddr) or sendtoNow(fd, data, sockaddr) -> count or -1
unsafe fn transmit<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    at: ModeAt,
    to: bool,
) -> sys::napi_value {
    let Some(a) = Args::<N>::read(env, info) else {
        return std::ptr::null_mut();
    };
    let target = match to {
        true => a.bytes(N - 1).and_then(|b| sockaddr_from_bytes(b)).map(Some),
        false => Some(None),
    };
    let n = match (a.i32(0), a.mode(at), target) {
        (Some(fd), Some((flags, t)), Some(Some(sa))) => blocking(env, fd, t, "sendto", |t| {
            sock::sendto_sockaddr(fd, a.data(1)?, flags, &sa, t)
        }),
        (Some(fd), Some((flags, t)), Some(None)) => {
            blocking(env, fd, t, "send", |t| sock::send(fd, a.data(1)?, flags, t))
        }
        _ => bad_args(),
    };
    a.number(n)
}

unsafe extern "C" fn send(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    transmit::<4>(env, info, Some(2), false)
}

unsafe extern "C" fn send_now(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    transmit::<2>(env, info, None, false)
}

/// sendall(fd, data, flags, timeout) -> true or false; resumed after a
/// signal's listeners from where it stopped.
unsafe extern "C" fn sendall(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return std::ptr::null_mut();
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

unsafe extern "C" fn sendto(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    transmit::<5>(env, info, Some(2), true)
}

/// A destination `sendtoNow` keeps for an fd: the sockaddr, and the token of
/// the Socket that sent to it (a number the facade gives each Socket object,
/// never reused: another Socket on the same fd, or on the number reused after
/// a close, has another).
struct Held {
    token: f64,
    to: SockAddr,
}

thread_local! {
    /// This environment's kept destinations, by fd.
    static HELD: RefCell<FdMap<Held>> = RefCell::new(FdMap::default());
}

/// Forgets the destination kept for `fd`, which is being closed (a socket
/// given the number next starts afresh; until then the entry is only memory).
pub fn forget_held(fd: i32) {
    HELD.with(|h| h.try_borrow_mut().map(|mut h| h.remove(&fd)).ok());
}

/// sendtoNow(fd, data, sockaddr, token) -> count or -1: sends without
/// flags or waiting, and keeps the sockaddr as the fd's destination for `token`.
unsafe extern "C" fn sendto_now(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<4>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (
        a.i32(0),
        a.bytes(2).and_then(|b| sockaddr_from_bytes(b)),
        a.f64(3),
    ) {
        (Some(fd), Some(to), Some(token)) => {
            let n = send_to(env, &a, fd, &to);
            // Not borrowed across the send: a signal's listeners may run inside it and send.
            HELD.with(|h| {
                h.try_borrow_mut()
                    .map(|mut h| h.insert(fd, Held { token, to }))
                    .ok()
            });
            n
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// sendtoHeld(fd, data, token) -> count, -1 (the error recorded), or SEND_NOT_HELD when
/// the fd keeps no destination for `token` (send with sendtoNow then).
unsafe extern "C" fn sendto_held(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<3>::read(env, info) else {
        return ptr::null_mut();
    };
    let (Some(fd), Some(token)) = (a.i32(0), a.f64(2)) else {
        return a.number(bad_args());
    };
    let held = HELD.with(|h| {
        let h = h.try_borrow().ok()?;
        h.get(&fd)
            .filter(|held| held.token == token)
            .map(|held| held.to.clone())
    });
    let Some(to) = held else {
        return a.int(SEND_NOT_HELD);
    };
    a.number(send_to(env, &a, fd, &to))
}

/// Sends the call's data (its argument 1) to `to`, without flags or waiting.
fn send_to<const N: usize>(env: sys::napi_env, a: &Args<N>, fd: i32, to: &SockAddr) -> Option<usize> {
    blocking(env, fd, Timeout::NONBLOCKING, "sendto", |t| {
        sock::sendto_sockaddr(fd, a.data(1)?, 0, to, t)
    })
}

/// `buf[offset..offset + nbytes]`, clamped to the buffer.
fn window(buf: &mut [u8], offset: f64, nbytes: f64) -> &mut [u8] {
    let start = (offset.max(0.0) as usize).min(buf.len());
    let end = start.saturating_add(nbytes.max(0.0) as usize).min(buf.len());
    &mut buf[start..end]
}

/// A receive into `buf[offset..offset + nbytes]`: recvInto(fd, buf, offset,
/// nbytes, flags, timeout) and the rest of its kind, or their `*Now` entries
/// without the last two -> count or -1.
unsafe fn receive<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    at: ModeAt,
    syscall: &'static str,
    call: impl Fn(i32, &mut [u8], i32, Timeout) -> bsdsock_core::Result<usize>,
) -> sys::napi_value {
    let Some(a) = Args::<N>::read(env, info) else {
        return std::ptr::null_mut();
    };
    let n = match (a.i32(0), a.f64(2), a.f64(3), a.mode(at)) {
        (Some(fd), Some(offset), Some(nbytes), Some((flags, t))) => blocking(env, fd, t, syscall, |t| {
            call(fd, window(a.room(1)?, offset, nbytes), flags, t)
        }),
        _ => bad_args(),
    };
    a.number(n)
}

/// recvfrom_into whose sender's address goes through the status block.
fn recvfrom_publishing(fd: i32, buf: &mut [u8], flags: i32, t: Timeout) -> bsdsock_core::Result<usize> {
    sock::recvfrom_into(fd, buf, flags, t).map(|(got, addr)| {
        publish(addr);
        got
    })
}

unsafe extern "C" fn recv_into(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    receive::<6>(env, info, Some(4), "recv", sock::recv_into)
}

unsafe extern "C" fn recv_now(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    receive::<4>(env, info, None, "recv", sock::recv_into)
}

unsafe extern "C" fn recvfrom_into(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    receive::<6>(env, info, Some(4), "recvfrom", recvfrom_publishing)
}

unsafe extern "C" fn recvfrom_now(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    receive::<4>(env, info, None, "recvfrom", recvfrom_publishing)
}

/// The data calls, for raw::export.
pub(crate) const CALLS: &[(&CStr, Callback)] = &[
    (c"send", send),
    (c"sendNow", send_now),
    (c"sendall", sendall),
    (c"sendto", sendto),
    (c"sendtoNow", sendto_now),
    (c"sendtoHeld", sendto_held),
    (c"recvInto", recv_into),
    (c"recvNow", recv_now),
    (c"recvfromInto", recvfrom_into),
    (c"recvfromNow", recvfrom_now),
];
