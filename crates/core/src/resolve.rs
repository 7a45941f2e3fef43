//! Name resolution: getaddrinfo and getnameinfo with Python's checks and errors,
//! and host names in address arguments resolved as Python's `setipaddr` does.
//! Everything here calls the C library's thread-safe functions, and every
//! `addrinfo` list is freed on drop, whichever way a call leaves.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use socket2::SockAddr;

use crate::addr::{unix_sockaddr, Address, AddressArg};
use crate::error::{Error, Result};
use crate::idna;
use crate::sys::{self, c, sockaddr_of, AddrInfoList};

/// One getaddrinfo result: `(family, type, proto, canonname, sockaddr)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    pub family: i32,
    pub socktype: i32,
    pub proto: i32,
    pub canonname: String,
    pub addr: Option<Address>,
}

/// A C string of `bytes` up to the first NUL, as the C library reads Python's
/// buffers (`'8\0'` is the service `'8'`).
pub(crate) fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // The slice holds no NUL, so this cannot fail; an empty string is the fallback.
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// getaddrinfo(3) on raw host and service strings, the list as the C library gives it.
fn raw_getaddrinfo(
    host: Option<&[u8]>,
    port: Option<&[u8]>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> Result<AddrInfoList> {
    let host = host.map(c_string);
    let port = port.map(c_string);
    sys::getaddrinfo(host.as_ref(), port.as_ref(), family, socktype, proto, flags)
        .map_err(|rc| gai_error(rc, "getaddrinfo"))
}

/// getaddrinfo(3) with Python's error mapping: `gaierror` with the EAI code,
/// EAI_SYSTEM as the OSError of errno. `host` and `port` are the bytes Python
/// hands the C library (see `idna::encode` for a `str` host).
pub fn getaddrinfo(
    host: Option<&[u8]>,
    port: Option<&[u8]>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>> {
    let list = raw_getaddrinfo(host, port, family, socktype, proto, flags)?;
    Ok(list.iter().map(to_addrinfo).collect())
}

pub(crate) fn gai_error(rc: i32, syscall: &'static str) -> Error {
    if rc == c::EAI_SYSTEM {
        Error::last(syscall)
    } else {
        Error::gai(rc, syscall)
    }
}

fn to_addrinfo(ai: &c::addrinfo) -> AddrInfo {
    AddrInfo {
        family: ai.ai_family,
        socktype: ai.ai_socktype,
        proto: ai.ai_protocol,
        canonname: sys::canonname(ai),
        addr: sockaddr_of(ai).as_ref().and_then(Address::from_sockaddr),
    }
}

impl AddressArg<'_> {
    /// Resolves the host name (as Python's `setipaddr`) and builds the `sockaddr`.
    pub fn to_sockaddr(&self) -> Result<SockAddr> {
        match *self {
            AddressArg::Inet { host, port } => {
                let ip = host_v4(host)?;
                Ok(SockAddr::from(SocketAddrV4::new(ip, port)))
            }
            AddressArg::Inet6 {
                host,
                port,
                flowinfo,
                scope_id,
            } => {
                let ip = host_v6(host)?;
                Ok(SockAddr::from(SocketAddrV6::new(ip, port, flowinfo, scope_id)))
            }
            AddressArg::Unix(path) => unix_sockaddr(path),
            AddressArg::Netlink { pid, groups } => crate::sys::netlink_sockaddr(pid, groups),
            AddressArg::Vsock { cid, port } => crate::sys::vsock_sockaddr(cid, port),
            AddressArg::Packet {
                ifname,
                proto,
                pkttype,
                hatype,
                addr,
            } => crate::sys::packet_sockaddr(ifname, proto, pkttype, hatype, addr),
        }
    }
}

/// The address of `name` in `family`, as Python's `setipaddr`: `''` is the
/// wildcard, `'<broadcast>'` is INADDR_BROADCAST, literals need no lookup, and
/// anything else is the first address getaddrinfo gives (a zone such as
/// `fe80::1%lo` is left to getaddrinfo, which knows interface names).
/// `name` is already encoded (idna) and holds no NUL.
pub fn setipaddr(name: &str, family: i32) -> Result<Address> {
    if name.is_empty() {
        let list = raw_getaddrinfo(None, Some(b"0"), family, c::SOCK_DGRAM, 0, c::AI_PASSIVE)?;
        let mut nodes = list.iter();
        let first = nodes.next().and_then(sockaddr_of);
        if nodes.next().is_some() {
            return Err(Error::message(
                "wildcard resolved to multiple address",
                "getaddrinfo",
            ));
        }
        return match first.as_ref().and_then(Address::from_sockaddr) {
            Some(a @ (Address::V4 { .. } | Address::V6 { .. })) => Ok(a),
            _ => Err(Error::message("unsupported address family", "getaddrinfo")),
        };
    }
    if name == "<broadcast>" || name == "255.255.255.255" {
        if family != c::AF_INET && family != c::AF_UNSPEC {
            return Err(Error::message("address family mismatched", "getaddrinfo"));
        }
        return Ok(Address::V4 {
            ip: Ipv4Addr::BROADCAST,
            port: 0,
        });
    }
    if family == c::AF_INET || family == c::AF_UNSPEC {
        if let Some(ip) = crate::inet::pton4(name) {
            return Ok(Address::V4 { ip, port: 0 });
        }
    }
    if (family == c::AF_INET6 || family == c::AF_UNSPEC) && !name.contains('%') {
        let packed = crate::inet::pton(c::AF_INET6, name).ok();
        if let Some(octets) = packed.and_then(|p| <[u8; 16]>::try_from(p).ok()) {
            return Ok(Address::V6 {
                ip: Ipv6Addr::from(octets),
                port: 0,
                flowinfo: 0,
                scope_id: 0,
            });
        }
    }
    let list = raw_getaddrinfo(Some(name.as_bytes()), None, family, 0, 0, 0)?;
    let first = list.iter().next().and_then(sockaddr_of);
    match first.as_ref().and_then(Address::from_sockaddr) {
        Some(a @ (Address::V4 { .. } | Address::V6 { .. })) => Ok(a),
        _ => Err(Error::message("unknown address family", "getaddrinfo")),
    }
}

/// The IPv4 address of a host argument (`bind(('host', port))` and friends).
pub fn host_v4(host: &str) -> Result<Ipv4Addr> {
    match setipaddr(&idna::converter(host)?, c::AF_INET)? {
        Address::V4 { ip, .. } => Ok(ip),
        _ => Err(Error::gai(c::EAI_FAMILY, "getaddrinfo")),
    }
}

/// The IPv6 address of a host argument. As in Python, a zone in the name
/// (`fe80::1%lo`) does not set the scope id: the address tuple's does.
pub fn host_v6(host: &str) -> Result<Ipv6Addr> {
    match setipaddr(&idna::converter(host)?, c::AF_INET6)? {
        Address::V6 { ip, .. } => Ok(ip),
        _ => Err(Error::gai(c::EAI_FAMILY, "getaddrinfo")),
    }
}

/// A sockaddr tuple for getnameinfo, after the facade checked its shape:
/// `(host, port)` or `(host, port, flowinfo, scope_id)`, `len` its length.
#[derive(Debug, Clone, Copy)]
pub struct NameInfoArg<'a> {
    pub host: &'a str,
    pub port: i32,
    pub flowinfo: u32,
    pub scope_id: u32,
    pub len: usize,
}

/// getnameinfo(sockaddr, flags) -> (host, service), as Python's: the host must
/// be numeric (it is parsed with AI_NUMERICHOST), IPv6 gets the tuple's flowinfo
/// and scope id, and the C library appends the zone of a scoped address.
pub fn getnameinfo(sa: NameInfoArg<'_>, flags: i32) -> Result<(String, String)> {
    let port = sa.port.to_string();
    let list = raw_getaddrinfo(
        Some(sa.host.as_bytes()),
        Some(port.as_bytes()),
        c::AF_UNSPEC,
        c::SOCK_DGRAM,
        0,
        c::AI_NUMERICHOST,
    )?;
    let mut nodes = list.iter();
    let Some(ai) = nodes.next() else {
        return Err(Error::gai(c::EAI_NONAME, "getaddrinfo"));
    };
    if nodes.next().is_some() {
        return Err(Error::message(
            "sockaddr resolved to multiple addresses",
            "getnameinfo",
        ));
    }
    let mut storage = sockaddr_of(ai).ok_or_else(|| Error::gai(c::EAI_FAMILY, "getnameinfo"))?;
    match ai.ai_family {
        c::AF_INET if sa.len != 2 => {
            return Err(Error::message("IPv4 sockaddr must be 2 tuple", "getnameinfo"));
        }
        c::AF_INET6 => {
            if let Some(v6) = storage.as_socket_ipv6() {
                let v6 = std::net::SocketAddrV6::new(*v6.ip(), v6.port(), sa.flowinfo, sa.scope_id);
                storage = SockAddr::from(v6);
            }
        }
        _ => {}
    }
    let mut host = [0u8; 1025];
    let mut serv = [0u8; 32];
    let rc = sys::getnameinfo(&storage, &mut host, &mut serv, flags);
    if rc != 0 {
        return Err(gai_error(rc, "getnameinfo"));
    }
    Ok((c_text(&host), c_text(&serv)))
}

/// The text of a NUL-terminated buffer.
pub(crate) fn c_text(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// gethostname(2).
pub fn gethostname() -> Result<String> {
    let mut buf = [0u8; 1024];
    let rc = sys::gethostname(&mut buf);
    if rc != 0 {
        return Err(Error::last("gethostname"));
    }
    Ok(c_text(&buf))
}

/// sethostname(2) (Unix: Python has no socket.sethostname on Windows).
#[cfg(unix)]
pub fn sethostname(name: &[u8]) -> Result<()> {
    sys::sethostname(name).map_err(|e| Error::io(&e, "sethostname"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Kind;

    #[test]
    fn literals_need_no_lookup() {
        assert_eq!(host_v4("127.0.0.1").ok(), Some(Ipv4Addr::LOCALHOST));
        assert_eq!(host_v4("").ok(), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(host_v4("<broadcast>").ok(), Some(Ipv4Addr::BROADCAST));
        assert_eq!(host_v6("::1").ok(), Some(Ipv6Addr::LOCALHOST));
        assert_eq!(host_v6("").ok(), Some(Ipv6Addr::UNSPECIFIED));
        // getaddrinfo parses the C library's lenient IPv4 forms without a query.
        assert_eq!(host_v4("127.1").ok(), Some(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn localhost_resolves() {
        assert_eq!(host_v4("localhost").ok(), Some(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn zones_resolve_but_leave_the_scope_to_the_tuple() {
        let ip = host_v6("fe80::1%lo").ok();
        assert_eq!(ip, Some(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1)));
        let a = setipaddr("fe80::1%lo", c::AF_INET6).ok();
        assert!(matches!(a, Some(Address::V6 { scope_id: 1, .. })), "{a:?}");
    }

    #[test]
    fn the_unspecified_wildcard_is_ambiguous() {
        let err = setipaddr("", c::AF_UNSPEC).err().map(|e| e.kind);
        assert_eq!(
            err,
            Some(Kind::Message("wildcard resolved to multiple address".into()))
        );
        let err = setipaddr("<broadcast>", c::AF_INET6).err().map(|e| e.kind);
        assert_eq!(err, Some(Kind::Message("address family mismatched".into())));
    }

    #[test]
    fn failed_resolution_is_gaierror() {
        // An IPv6 literal for AF_INET fails in getaddrinfo without any DNS query.
        let err = host_v4("::1").err();
        assert!(matches!(err.map(|e| e.kind), Some(Kind::Gai(_))));
        let flags = c::AI_NUMERICHOST;
        let err = getaddrinfo(Some(b"not-a-number"), None, 0, 0, 0, flags).err();
        assert_eq!(err.map(|e| e.kind), Some(Kind::Gai(c::EAI_NONAME)));
    }

    #[test]
    fn host_arguments_are_checked_as_python_does() {
        let err = host_v4("local\0host").err().map(|e| e.kind);
        assert_eq!(
            err,
            Some(Kind::Type("host name must not contain null character".into()))
        );
        let err = host_v4("\u{5d0}a").err().map(|e| e.kind);
        assert_eq!(err, Some(Kind::Type("encoding of hostname failed".into())));
        // Full-width digits and an ideographic full stop become 127.0.0.1 through the codec.
        assert_eq!(host_v4("１２７。０。０。１").ok(), Some(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn numeric_getaddrinfo() {
        let list = getaddrinfo(
            Some(b"127.0.0.1"),
            Some(b"80"),
            c::AF_INET,
            c::SOCK_STREAM,
            0,
            c::AI_NUMERICHOST,
        )
        .unwrap_or_default();
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].addr,
            Some(Address::V4 {
                ip: Ipv4Addr::LOCALHOST,
                port: 80
            })
        );
        // Windows' getaddrinfo gives the hints' protocol (0 here), the others the socket type's.
        let proto = if cfg!(windows) { 0 } else { c::IPPROTO_TCP };
        assert_eq!(list[0].proto, proto);
    }

    #[test]
    fn strings_stop_at_nul_as_in_c() {
        let list = getaddrinfo(
            Some(b"127.0.0.1\0junk"),
            Some(b"8\x000"),
            c::AF_INET,
            c::SOCK_STREAM,
            0,
            c::AI_NUMERICHOST,
        )
        .unwrap_or_default();
        let port = list.first().and_then(|ai| match ai.addr {
            Some(Address::V4 { port, .. }) => Some(port),
            _ => None,
        });
        assert_eq!(port, Some(8));
    }

    #[test]
    fn getnameinfo_numeric() {
        let sa = |host, port, scope_id, len| NameInfoArg {
            host,
            port,
            flowinfo: 0,
            scope_id,
            len,
        };
        let flags = c::NI_NUMERICHOST | c::NI_NUMERICSERV;
        let r = getnameinfo(sa("127.0.0.1", 80, 0, 2), flags).ok();
        assert_eq!(r, Some(("127.0.0.1".into(), "80".into())));
        let r = getnameinfo(sa("fe80::1", 80, 1, 4), flags).ok();
        assert_eq!(r, Some(("fe80::1%lo".into(), "80".into())));
        let err = getnameinfo(sa("127.0.0.1", 80, 0, 4), flags)
            .err()
            .map(|e| e.kind);
        assert_eq!(err, Some(Kind::Message("IPv4 sockaddr must be 2 tuple".into())));
        let err = getnameinfo(sa("localhost", 80, 0, 2), flags)
            .err()
            .map(|e| e.kind);
        assert_eq!(err, Some(Kind::Gai(c::EAI_NONAME)));
    }
}
