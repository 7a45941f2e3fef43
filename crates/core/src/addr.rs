//! Socket addresses: Python's address tuples as a Rust enum, from `sockaddr`
//! (an `AddressArg` becomes one in resolve.rs, which resolves its host name).

use std::net::{Ipv4Addr, Ipv6Addr};

use socket2::SockAddr;

use crate::error::{Error, Result};
use crate::sys::{self, c};

pub use crate::sys::{sockaddr_bytes, sockaddr_from_bytes};

/// An address as Python's socket module models it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `(host, port)`
    V4 { ip: Ipv4Addr, port: u16 },
    /// `(host, port, flowinfo, scope_id)`
    V6 {
        ip: Ipv6Addr,
        port: u16,
        flowinfo: u32,
        scope_id: u32,
    },
    /// An AF_UNIX path, the bytes of the name: empty for an unnamed socket,
    /// a leading NUL for a Linux abstract name.
    Unix(Vec<u8>),
    /// AF_NETLINK `(pid, groups)`
    Netlink { pid: u32, groups: u32 },
    /// AF_VSOCK `(cid, port)`
    Vsock { cid: u32, port: u32 },
    /// AF_PACKET `(ifname, proto, pkttype, hatype, addr)`
    Packet {
        ifname: String,
        proto: u16,
        pkttype: u8,
        hatype: u16,
        addr: Vec<u8>,
    },
    /// A family Python does not decode: `(family, raw bytes)`.
    Other { family: i32, data: Vec<u8> },
}

/// An address as the caller gave it, before host names are resolved.
#[derive(Debug, Clone)]
pub enum AddressArg<'a> {
    Inet {
        host: &'a str,
        port: u16,
    },
    Inet6 {
        host: &'a str,
        port: u16,
        flowinfo: u32,
        scope_id: u32,
    },
    Unix(&'a [u8]),
    Netlink {
        pid: u32,
        groups: u32,
    },
    Vsock {
        cid: u32,
        port: u32,
    },
    Packet {
        ifname: &'a str,
        proto: u16,
        pkttype: u8,
        hatype: u16,
        addr: &'a [u8],
    },
}

/// Builds a `sockaddr_un` from the bytes of a path (or abstract name) with
/// Python's length rule: the length excludes any terminating NUL.
pub fn unix_sockaddr(path: &[u8]) -> Result<SockAddr> {
    let capacity = sys::sun_path_capacity();
    let abstract_name = path.first() == Some(&0);
    // A path needs room for its NUL; an abstract name may fill sun_path.
    let too_long = if abstract_name {
        path.len() > capacity
    } else {
        path.len() >= capacity
    };
    if too_long {
        return Err(Error::message("AF_UNIX path too long", "bind"));
    }
    sys::unix_sockaddr_of(path).map_err(|e| Error::io(&e, "bind"))
}

impl Address {
    /// Decodes a `sockaddr` as Python's `makesockaddr` does. `None` for an
    /// empty address (an unbound datagram sender, say).
    pub fn from_sockaddr(addr: &SockAddr) -> Option<Address> {
        if addr.len() == 0 {
            return None;
        }
        let family = i32::from(addr.family());
        Some(match family {
            c::AF_INET => match addr.as_socket_ipv4() {
                Some(a) => Address::V4 {
                    ip: *a.ip(),
                    port: a.port(),
                },
                None => Address::Other {
                    family,
                    data: Vec::new(),
                },
            },
            c::AF_INET6 => match addr.as_socket_ipv6() {
                Some(a) => Address::V6 {
                    ip: *a.ip(),
                    port: a.port(),
                    flowinfo: a.flowinfo(),
                    scope_id: a.scope_id(),
                },
                None => Address::Other {
                    family,
                    data: Vec::new(),
                },
            },
            c::AF_UNIX => Address::Unix(unix_name(addr)),
            _ => crate::sys::decode_other(addr).unwrap_or_else(|| Address::Other {
                family,
                data: sys::sa_data(addr),
            }),
        })
    }
}

/// The bytes of `sockaddr_un.sun_path` that the length covers; a path stops at its NUL.
fn unix_name(addr: &SockAddr) -> Vec<u8> {
    let bytes = sys::sun_path_bytes(addr);
    if bytes.first() == Some(&0) {
        bytes
    } else {
        bytes.into_iter().take_while(|&b| b != 0).collect()
    }
}
