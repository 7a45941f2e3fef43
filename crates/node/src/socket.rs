//! The socket calls as N-API functions over fd numbers. The facade (ts/socket.ts)
//! owns each Socket's state (fd, closed, timeout) and checks it before calling.
//! Timeouts arrive as Python's float seconds, negative for blocking. No call
//! throws for an OS error: each returns its failure value (null, false, -1) and
//! leaves the error in state.rs, so that a would-block costs no JS exception
//! here, and addresses come back through the status block.

use bsdsock_core::addr::{sockaddr_bytes, sockaddr_from_bytes};
use bsdsock_core::{sock, Error, Fd, Timeout};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, AddrParts, Raw};
use crate::owned::owned;
use crate::signals::blocking;
use crate::state::{done, fail, ok, publish};

fn parts<'a>(
    family: i32,
    host: &'a Either<String, Uint8Array>,
    nums: (u32, u32, u32),
    extra: Option<&'a Uint8Array>,
) -> AddrParts<'a> {
    AddrParts {
        family,
        host,
        a: nums.0,
        b: nums.1,
        c: nums.2,
        extra: extra.map(|e| &e[..]),
    }
}

// The calls that make a socket fd own it here, before JavaScript sees it: a
// worker terminated between this call and the Socket's constructor still
// closes the fd when its environment goes away.

#[napi]
pub fn socket_create(family: i32, ty: i32, proto: i32) -> i32 {
    ok(sock::socket(family, ty, proto)).map_or(-1, owned)
}

/// `[family, type, proto]` of an existing socket fd, which becomes non-blocking.
#[napi]
pub fn socket_adopt(fd: i32) -> Option<(i32, i32, i32)> {
    ok(sock::adopt(fd as Fd))
}

#[napi]
pub fn socketpair(family: i32, ty: i32, proto: i32) -> Option<(i32, i32)> {
    ok(sock::socketpair(family, ty, proto)).map(|(a, b)| (owned(a), owned(b)))
}

#[napi]
pub fn close(fd: i32) -> bool {
    crate::owned::forget(fd);
    crate::io::forget_held(fd);
    done(sock::close(fd))
}

#[napi]
pub fn dup(fd: i32) -> i32 {
    ok(sock::dup(fd)).map_or(-1, owned)
}

/// share(fd, pid) -> the bytes fromshare opens in process pid (Windows).
#[cfg(windows)]
#[napi]
pub fn share(env: Env, fd: i32, pid: u32) -> Result<Option<Raw>> {
    ok(sock::share(fd, pid))
        .map(|bytes| buffer_copy(&env, &bytes))
        .transpose()
}

/// fromshare(data) -> [fd, family, type, proto] of the socket a share described (Windows).
#[cfg(windows)]
#[napi]
pub fn fromshare(data: Uint8Array) -> Option<(i32, i32, i32, i32)> {
    ok(sock::fromshare(&data)).map(|(fd, family, ty, proto)| (owned(fd), family, ty, proto))
}

/// ioctl(fd, control, input) -> the count Winsock returned (Windows).
#[cfg(windows)]
#[napi]
pub fn ioctl(fd: i32, control: u32, input: Uint8Array) -> Option<u32> {
    ok(sock::ioctl(fd, control, &input))
}

#[napi]
pub fn get_inheritable(fd: i32) -> Option<bool> {
    ok(sock::get_inheritable(fd))
}

#[napi]
pub fn set_inheritable(fd: i32, inheritable: bool) -> bool {
    done(sock::set_inheritable(fd, inheritable))
}

#[napi]
pub fn set_nonblocking(fd: i32, nonblocking: bool) -> bool {
    done(sock::set_nonblocking(fd, nonblocking))
}

/// The `sockaddr` bytes of an address (host names resolved), for the calls that take one.
#[napi]
pub fn sockaddr(
    env: Env,
    family: i32,
    host: Either<String, Uint8Array>,
    a: u32,
    b: u32,
    c: u32,
    extra: Option<Uint8Array>,
) -> Result<Option<Raw>> {
    let p = parts(family, &host, (a, b, c), extra.as_ref());
    match p.to_arg().and_then(|arg| arg.to_sockaddr()) {
        Ok(sa) => buffer_copy(&env, &sockaddr_bytes(&sa)).map(Some),
        Err(e) => {
            fail(e);
            Ok(None)
        }
    }
}

/// Runs `f` with the `sockaddr` the bytes hold, or fails with EINVAL.
fn with_sockaddr<T>(
    sa: &[u8],
    f: impl FnOnce(&bsdsock_core::SockAddr) -> bsdsock_core::Result<T>,
) -> Option<T> {
    match sockaddr_from_bytes(sa) {
        Some(addr) => ok(f(&addr)),
        None => ok(Err(Error::os(libc_einval(), "sockaddr"))),
    }
}

fn libc_einval() -> i32 {
    bsdsock_core::errno::value("EINVAL").unwrap_or(22)
}

#[napi]
pub fn bind(fd: i32, sa: &[u8]) -> bool {
    with_sockaddr(sa, |a| sock::bind_sockaddr(fd, a)).is_some()
}

/// connect; a connect a signal interrupted goes on waiting for its outcome
/// once the listeners have ran (see signals.rs).
#[napi]
pub fn connect(env: Env, fd: i32, timeout: f64, sa: &[u8]) -> bool {
    let Some(addr) = sockaddr_from_bytes(sa) else {
        return ok::<()>(Err(Error::os(libc_einval(), "sockaddr"))).is_some();
    };
    let mut started = false;
    blocking(env.raw(), fd, Timeout::from_secs(timeout), "connect", |t| {
        if std::mem::replace(&mut started, true) {
            sock::connect_finish(fd, &addr, t)
        } else {
            sock::connect_sockaddr(fd, &addr, t)
        }
    })
    .is_some()
}

#[napi]
pub fn listen(fd: i32, backlog: i32) -> bool {
    done(sock::listen(fd, backlog))
}

/// accept -> the new fd (its address through the status block), or -1.
#[napi]
pub fn accept(env: Env, fd: i32, timeout: f64) -> i32 {
    match blocking(env.raw(), fd, Timeout::from_secs(timeout), "accept", |t| {
        sock::accept(fd, t)
    }) {
        Some((newfd, addr)) => {
            publish(addr);
            owned(newfd)
        }
        None => -1,
    }
}

#[napi]
pub fn shutdown(fd: i32, how: i32) -> bool {
    done(sock::shutdown(fd, how))
}

#[napi]
pub fn getsockname(fd: i32) -> bool {
    ok(sock::getsockname(fd)).map(publish).is_some()
}

#[napi]
pub fn getpeername(fd: i32) -> bool {
    ok(sock::getpeername(fd)).map(publish).is_some()
}

/// getsockopt as an int; null on error (any int is a valid result).
#[napi]
pub fn getsockopt_int(fd: i32, level: i32, opt: i32) -> Option<i32> {
    ok(sock::getsockopt_int(fd, level, opt))
}

#[napi]
pub fn getsockopt_bytes(env: Env, fd: i32, level: i32, opt: i32, buflen: u32) -> Result<Option<Raw>> {
    match ok(sock::getsockopt_bytes(fd, level, opt, buflen as usize)) {
        Some(bytes) => buffer_copy(&env, &bytes).map(Some),
        None => Ok(None),
    }
}

/// setsockopt with the option's bytes, or with NULL and `optlen` when `value` is null.
#[napi]
pub fn setsockopt(fd: i32, level: i32, opt: i32, value: Option<&[u8]>, optlen: u32) -> bool {
    done(sock::setsockopt(fd, level, opt, value, optlen as usize))
}
