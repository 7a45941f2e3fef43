//! The socket calls as N-API functions over fd numbers. The facade (ts/socket.ts)
//! owns each Socket's state (fd, closed, timeout) and checks it before calling.
//! Timeouts arrive as Python's float seconds, negative for blocking.

use std::cell::RefCell;

use bsdsock_core::{sock, Fd, Timeout};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, lift, throw, AddrParts, JsAddress, Raw, Writable};

/// Received bytes land here first, then are copied once into a Buffer of the
/// exact length (Python's recv(4096) that gets 64 bytes returns 64 bytes).
const SCRATCH_MAX: usize = 1 << 20;
thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn with_scratch<T>(n: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    if n > SCRATCH_MAX {
        return f(&mut vec![0u8; n]);
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < n {
                buf.resize(n, 0);
            }
            f(&mut buf[..n])
        }
        Err(_) => f(&mut vec![0u8; n]),
    })
}

#[allow(clippy::too_many_arguments)]
fn parts<'a>(
    family: i32,
    host: &'a Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<&'a Uint8Array>,
) -> AddrParts<'a> {
    AddrParts {
        family,
        host,
        a,
        b,
        c,
        extra: extra.map(|e| &e[..]),
    }
}

#[napi]
pub fn socket_create(family: i32, ty: i32, proto: i32) -> Result<i32> {
    lift(sock::socket(family, ty, proto))
}

/// `[family, type, proto]` of an existing socket fd, which becomes non-blocking.
#[napi]
pub fn socket_adopt(fd: i32) -> Result<(i32, i32, i32)> {
    lift(sock::adopt(fd as Fd))
}

#[napi]
pub fn socketpair(family: i32, ty: i32, proto: i32) -> Result<(i32, i32)> {
    lift(sock::socketpair(family, ty, proto))
}

#[napi]
pub fn close(fd: i32) -> Result<()> {
    lift(sock::close(fd))
}

#[napi]
pub fn dup(fd: i32) -> Result<i32> {
    lift(sock::dup(fd))
}

#[napi]
pub fn get_inheritable(fd: i32) -> Result<bool> {
    lift(sock::get_inheritable(fd))
}

#[napi]
pub fn set_inheritable(fd: i32, inheritable: bool) -> Result<()> {
    lift(sock::set_inheritable(fd, inheritable))
}

#[napi]
pub fn set_nonblocking(fd: i32, nonblocking: bool) -> Result<()> {
    lift(sock::set_nonblocking(fd, nonblocking))
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn bind(
    fd: i32,
    family: i32,
    host: Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<Uint8Array>,
) -> Result<()> {
    let p = parts(family, &host, a, b, c, extra.as_ref());
    lift(sock::bind(fd, &p.to_arg()?))
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn connect(
    fd: i32,
    timeout: f64,
    family: i32,
    host: Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<Uint8Array>,
) -> Result<()> {
    let p = parts(family, &host, a, b, c, extra.as_ref());
    lift(sock::connect(fd, &p.to_arg()?, Timeout::from_secs(timeout)))
}

/// connect_ex: an OS error (a timeout included, as EAGAIN) is returned as its
/// errno, 0 on success; address errors still throw, as in Python.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn connect_ex(
    fd: i32,
    timeout: f64,
    family: i32,
    host: Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<Uint8Array>,
) -> Result<i32> {
    let p = parts(family, &host, a, b, c, extra.as_ref());
    match sock::connect(fd, &p.to_arg()?, Timeout::from_secs(timeout)) {
        Ok(()) => Ok(0),
        Err(e) if e.syscall == "connect" || e.syscall == "poll" => match e.kind {
            bsdsock_core::Kind::Os(errno) if errno != bsdsock_core::sys::EINTR => Ok(errno),
            bsdsock_core::Kind::Timeout => Ok(bsdsock_core::sys::EAGAIN),
            _ => Err(throw(e)),
        },
        Err(e) => Err(throw(e)),
    }
}

#[napi]
pub fn listen(fd: i32, backlog: i32) -> Result<()> {
    lift(sock::listen(fd, backlog))
}

#[napi]
pub fn accept(fd: i32, timeout: f64) -> Result<(i32, JsAddress)> {
    let (newfd, addr) = lift(sock::accept(fd, Timeout::from_secs(timeout)))?;
    Ok((newfd, JsAddress(addr)))
}

#[napi]
pub fn shutdown(fd: i32, how: i32) -> Result<()> {
    lift(sock::shutdown(fd, how))
}

#[napi]
pub fn getsockname(fd: i32) -> Result<JsAddress> {
    lift(sock::getsockname(fd)).map(JsAddress)
}

#[napi]
pub fn getpeername(fd: i32) -> Result<JsAddress> {
    lift(sock::getpeername(fd)).map(JsAddress)
}

#[napi]
pub fn send(fd: i32, data: &[u8], flags: i32, timeout: f64) -> Result<u32> {
    lift(sock::send(fd, data, flags, Timeout::from_secs(timeout))).map(|n| n as u32)
}

#[napi]
pub fn sendall(fd: i32, data: &[u8], flags: i32, timeout: f64) -> Result<()> {
    lift(sock::sendall(fd, data, flags, Timeout::from_secs(timeout)))
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn sendto(
    fd: i32,
    data: &[u8],
    flags: i32,
    timeout: f64,
    family: i32,
    host: Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<Uint8Array>,
) -> Result<u32> {
    let p = parts(family, &host, a, b, c, extra.as_ref());
    let n = lift(sock::sendto(
        fd,
        data,
        flags,
        &p.to_arg()?,
        Timeout::from_secs(timeout),
    ))?;
    Ok(n as u32)
}

#[napi]
pub fn recv(env: Env, fd: i32, nbytes: u32, flags: i32, timeout: f64) -> Result<Raw> {
    let n = nbytes as usize;
    with_scratch(n, |buf| {
        let got = lift(sock::recv_into(fd, buf, flags, Timeout::from_secs(timeout)))?;
        buffer_copy(&env, &buf[..got.min(n)])
    })
}

#[napi]
pub fn recv_into(fd: i32, mut buf: Writable, nbytes: u32, flags: i32, timeout: f64) -> Result<u32> {
    let n = (nbytes as usize).min(buf.len());
    lift(sock::recv_into(
        fd,
        &mut buf[..n],
        flags,
        Timeout::from_secs(timeout),
    ))
    .map(|n| n as u32)
}

#[napi]
pub fn recvfrom(env: Env, fd: i32, nbytes: u32, flags: i32, timeout: f64) -> Result<(Raw, JsAddress)> {
    let n = nbytes as usize;
    with_scratch(n, |buf| {
        let (got, addr) = lift(sock::recvfrom_into(fd, buf, flags, Timeout::from_secs(timeout)))?;
        Ok((buffer_copy(&env, &buf[..got.min(n)])?, JsAddress(addr)))
    })
}

#[napi]
pub fn recvfrom_into(
    fd: i32,
    mut buf: Writable,
    nbytes: u32,
    flags: i32,
    timeout: f64,
) -> Result<(u32, JsAddress)> {
    let n = (nbytes as usize).min(buf.len());
    let (got, addr) = lift(sock::recvfrom_into(
        fd,
        &mut buf[..n],
        flags,
        Timeout::from_secs(timeout),
    ))?;
    Ok((got as u32, JsAddress(addr)))
}

#[napi]
pub fn getsockopt_int(fd: i32, level: i32, opt: i32) -> Result<i32> {
    lift(sock::getsockopt_int(fd, level, opt))
}

#[napi]
pub fn getsockopt_bytes(env: Env, fd: i32, level: i32, opt: i32, buflen: u32) -> Result<Raw> {
    let bytes = lift(sock::getsockopt_bytes(fd, level, opt, buflen as usize))?;
    buffer_copy(&env, &bytes)
}

/// setsockopt with the option's bytes, or with NULL and `optlen` when `value` is null.
#[napi]
pub fn setsockopt(fd: i32, level: i32, opt: i32, value: Option<&[u8]>, optlen: u32) -> Result<()> {
    lift(sock::setsockopt(fd, level, opt, value, optlen as usize))
}
