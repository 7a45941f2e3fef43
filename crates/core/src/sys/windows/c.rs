//! The C names the portable core uses, for Winsock: the `libc` crate's names
//! and types (as socket2 spells them on Windows), so that the same code reads
//! `c::AF_INET` or `c::addrinfo` on every platform. Values come from
//! windows-sys (Winsock) or, for the C runtime's errno numbers, from libc.
//! The few that neither carries say where they come from (SOMAXCONN); where
//! Windows has no such thing, the value is one no call ever returns, and the
//! comment says so.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int};

use windows_sys::Win32::Networking::WinSock as ws;

pub use std::ffi::c_void;

pub type socklen_t = ws::socklen_t;
pub type sa_family_t = ws::ADDRESS_FAMILY;
pub type sockaddr = ws::SOCKADDR;
pub type sockaddr_storage = ws::SOCKADDR_STORAGE;
pub type sockaddr_un = ws::SOCKADDR_UN;
pub type addrinfo = ws::ADDRINFOA;
pub type pollfd = ws::WSAPOLLFD;

/// `struct in_addr` as C code reads it: the address in network byte order.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct in_addr {
    pub s_addr: u32,
}

// ---- families, types, levels, options ----

pub const AF_UNSPEC: c_int = ws::AF_UNSPEC as c_int;
pub const AF_INET: c_int = ws::AF_INET as c_int;
pub const AF_INET6: c_int = ws::AF_INET6 as c_int;
pub const AF_UNIX: c_int = ws::AF_UNIX as c_int;
pub const SOCK_STREAM: c_int = ws::SOCK_STREAM;
pub const SOCK_DGRAM: c_int = ws::SOCK_DGRAM;
pub const SOL_SOCKET: c_int = ws::SOL_SOCKET;
pub const SO_ERROR: c_int = ws::SO_ERROR;
pub const SO_TYPE: c_int = ws::SO_TYPE;
pub const SO_ACCEPTCONN: c_int = ws::SO_ACCEPTCONN;
pub const IPPROTO_IP: c_int = ws::IPPROTO_IP;
pub const IPPROTO_IPV6: c_int = ws::IPPROTO_IPV6;
pub const IPPROTO_TCP: c_int = ws::IPPROTO_TCP;
pub const IPPROTO_UDP: c_int = ws::IPPROTO_UDP;
pub const IP_TTL: c_int = ws::IP_TTL;
pub const IPV6_HOPLIMIT: c_int = ws::IPV6_HOPLIMIT;
pub const IPV6_PKTINFO: c_int = ws::IPV6_PKTINFO;
/// winsock2.h's SOMAXCONN (0x7fffffff: "as many as the provider allows"),
/// which Python has; windows-sys carries only winsock.h's old value, 5.
pub const SOMAXCONN: c_int = c_int::MAX;
/// Windows passes no fds and has no timestamp messages: types no message has.
pub const SCM_RIGHTS: c_int = -1;
pub const SCM_TIMESTAMP: c_int = -2;

// ---- send / recv flags ----

pub const MSG_OOB: c_int = ws::MSG_OOB;
pub const MSG_PEEK: c_int = ws::MSG_PEEK;
pub const MSG_WAITALL: c_int = ws::MSG_WAITALL;
pub const MSG_CTRUNC: c_int = ws::MSG_CTRUNC as c_int;

// ---- WSAPoll events ----

pub const POLLIN: i16 = ws::POLLIN;
pub const POLLOUT: i16 = ws::POLLOUT;
pub const POLLPRI: i16 = ws::POLLPRI;
pub const POLLERR: i16 = ws::POLLERR;
pub const POLLHUP: i16 = ws::POLLHUP;
pub const POLLNVAL: i16 = ws::POLLNVAL;
pub const POLLRDNORM: i16 = ws::POLLRDNORM;
pub const POLLRDBAND: i16 = ws::POLLRDBAND;
pub const POLLWRNORM: i16 = ws::POLLWRNORM;
pub const POLLWRBAND: i16 = ws::POLLWRBAND;

// ---- getaddrinfo / getnameinfo ----

pub const AI_PASSIVE: c_int = ws::AI_PASSIVE as c_int;
pub const AI_CANONNAME: c_int = ws::AI_CANONNAME as c_int;
pub const AI_NUMERICHOST: c_int = ws::AI_NUMERICHOST as c_int;
pub const NI_NUMERICHOST: c_int = ws::NI_NUMERICHOST as c_int;
pub const NI_NUMERICSERV: c_int = ws::NI_NUMERICSERV as c_int;
/// ws2tcpip.h's EAI_* names, which are Winsock error codes.
pub const EAI_AGAIN: c_int = ws::WSATRY_AGAIN;
pub const EAI_BADFLAGS: c_int = ws::WSAEINVAL;
pub const EAI_FAIL: c_int = ws::WSANO_RECOVERY;
pub const EAI_FAMILY: c_int = ws::WSAEAFNOSUPPORT;
pub const EAI_MEMORY: c_int = ws::WSA_NOT_ENOUGH_MEMORY;
pub const EAI_NODATA: c_int = ws::WSANO_DATA;
pub const EAI_NONAME: c_int = ws::WSAHOST_NOT_FOUND;
pub const EAI_SERVICE: c_int = ws::WSATYPE_NOT_FOUND;
pub const EAI_SOCKTYPE: c_int = ws::WSAESOCKTNOSUPPORT;
/// Windows reports every resolver failure by its own code: no EAI_SYSTEM.
pub const EAI_SYSTEM: c_int = c_int::MIN;

// ---- errno ----
//
// As in Python on Windows (Objects/exceptions.c, Modules/errnomodule.c): the
// socket errno names are the Winsock codes, which are what socket calls
// report; the others are the C runtime's.

pub use libc::{
    E2BIG, EACCES, EAGAIN, EBADF, EBUSY, ECHILD, EDEADLK, EDEADLOCK, EDOM, EEXIST, EFAULT, EFBIG, EILSEQ,
    EINTR, EINVAL, EIO, EISDIR, EMFILE, EMLINK, ENAMETOOLONG, ENFILE, ENODEV, ENOENT, ENOEXEC, ENOLCK,
    ENOMEM, ENOSPC, ENOSYS, ENOTDIR, ENOTEMPTY, ENOTTY, ENXIO, EPERM, EPIPE, ERANGE, EROFS, ESPIPE, ESRCH,
    EXDEV,
};

pub const EWOULDBLOCK: c_int = ws::WSAEWOULDBLOCK;
pub const EINPROGRESS: c_int = ws::WSAEINPROGRESS;
pub const EALREADY: c_int = ws::WSAEALREADY;
pub const ENOTSOCK: c_int = ws::WSAENOTSOCK;
pub const EDESTADDRREQ: c_int = ws::WSAEDESTADDRREQ;
pub const EMSGSIZE: c_int = ws::WSAEMSGSIZE;
pub const EPROTOTYPE: c_int = ws::WSAEPROTOTYPE;
pub const ENOPROTOOPT: c_int = ws::WSAENOPROTOOPT;
pub const EPROTONOSUPPORT: c_int = ws::WSAEPROTONOSUPPORT;
pub const ESOCKTNOSUPPORT: c_int = ws::WSAESOCKTNOSUPPORT;
pub const EOPNOTSUPP: c_int = ws::WSAEOPNOTSUPP;
pub const EPFNOSUPPORT: c_int = ws::WSAEPFNOSUPPORT;
pub const EAFNOSUPPORT: c_int = ws::WSAEAFNOSUPPORT;
pub const EADDRINUSE: c_int = ws::WSAEADDRINUSE;
pub const EADDRNOTAVAIL: c_int = ws::WSAEADDRNOTAVAIL;
pub const ENETDOWN: c_int = ws::WSAENETDOWN;
pub const ENETUNREACH: c_int = ws::WSAENETUNREACH;
pub const ENETRESET: c_int = ws::WSAENETRESET;
pub const ECONNABORTED: c_int = ws::WSAECONNABORTED;
pub const ECONNRESET: c_int = ws::WSAECONNRESET;
pub const ENOBUFS: c_int = ws::WSAENOBUFS;
pub const EISCONN: c_int = ws::WSAEISCONN;
pub const ENOTCONN: c_int = ws::WSAENOTCONN;
pub const ESHUTDOWN: c_int = ws::WSAESHUTDOWN;
pub const ETOOMANYREFS: c_int = ws::WSAETOOMANYREFS;
pub const ETIMEDOUT: c_int = ws::WSAETIMEDOUT;
pub const ECONNREFUSED: c_int = ws::WSAECONNREFUSED;
pub const ELOOP: c_int = ws::WSAELOOP;
pub const EHOSTDOWN: c_int = ws::WSAEHOSTDOWN;
pub const EHOSTUNREACH: c_int = ws::WSAEHOSTUNREACH;
pub const EPROCLIM: c_int = ws::WSAEPROCLIM;
pub const EUSERS: c_int = ws::WSAEUSERS;
pub const EDQUOT: c_int = ws::WSAEDQUOT;
pub const ESTALE: c_int = ws::WSAESTALE;
pub const EREMOTE: c_int = ws::WSAEREMOTE;

/// Python's errno module on Windows also has Winsock's own names.
pub use ws::{
    WSABASEERR, WSAEACCES, WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEALREADY, WSAEBADF,
    WSAECONNABORTED, WSAECONNREFUSED, WSAECONNRESET, WSAEDESTADDRREQ, WSAEDISCON, WSAEDQUOT, WSAEFAULT,
    WSAEHOSTDOWN, WSAEHOSTUNREACH, WSAEINPROGRESS, WSAEINTR, WSAEINVAL, WSAEISCONN, WSAELOOP, WSAEMFILE,
    WSAEMSGSIZE, WSAENAMETOOLONG, WSAENETDOWN, WSAENETRESET, WSAENETUNREACH, WSAENOBUFS, WSAENOPROTOOPT,
    WSAENOTCONN, WSAENOTEMPTY, WSAENOTSOCK, WSAEOPNOTSUPP, WSAEPFNOSUPPORT, WSAEPROCLIM, WSAEPROTONOSUPPORT,
    WSAEPROTOTYPE, WSAEREMOTE, WSAESHUTDOWN, WSAESOCKTNOSUPPORT, WSAESTALE, WSAETIMEDOUT, WSAETOOMANYREFS,
    WSAEUSERS, WSAEWOULDBLOCK, WSANOTINITIALISED, WSASYSNOTREADY, WSAVERNOTSUPPORTED,
};

// ---- the resolver calls, with the C library's signatures ----

/// getaddrinfo(3).
///
/// # Safety
/// As the C call: NUL-terminated strings (or null), a valid hints pointer (or
/// null), and `res` writable.
pub unsafe fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const addrinfo,
    res: *mut *mut addrinfo,
) -> c_int {
    super::startup();
    ws::getaddrinfo(node.cast(), service.cast(), hints, res)
}

/// freeaddrinfo(3).
///
/// # Safety
/// `res` must be a list getaddrinfo returned, freed once.
pub unsafe fn freeaddrinfo(res: *mut addrinfo) {
    ws::freeaddrinfo(res)
}

/// getnameinfo(3).
///
/// # Safety
/// As the C call: `sa` readable for `salen` bytes, each buffer writable for its length.
pub unsafe fn getnameinfo(
    sa: *const sockaddr,
    salen: socklen_t,
    host: *mut c_char,
    hostlen: socklen_t,
    serv: *mut c_char,
    servlen: socklen_t,
    flags: c_int,
) -> c_int {
    super::startup();
    let hostlen = u32::try_from(hostlen).unwrap_or(0);
    let servlen = u32::try_from(servlen).unwrap_or(0);
    ws::getnameinfo(sa, salen, host.cast(), hostlen, serv.cast(), servlen, flags)
}

/// gethostname(2); -1 with the error in `WSAGetLastError` on failure.
///
/// # Safety
/// `name` must be writable for `len` bytes.
pub unsafe fn gethostname(name: *mut c_char, len: usize) -> c_int {
    super::startup();
    ws::gethostname(name.cast(), c_int::try_from(len).unwrap_or(c_int::MAX))
}
