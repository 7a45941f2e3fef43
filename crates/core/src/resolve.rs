//! Name resolution: getaddrinfo, and host names in address arguments resolved
//! as Python's `setipaddr` does.

use std::ffi::{CStr, CString};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ptr;

use socket2::SockAddr;

use crate::addr::Address;
use crate::error::{Error, Result};

/// One getaddrinfo result: `(family, type, proto, canonname, sockaddr)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    pub family: i32,
    pub socktype: i32,
    pub proto: i32,
    pub canonname: String,
    pub addr: Option<Address>,
}

/// The C library's `addrinfo` list, freed on drop whatever path leaves.
struct AddrInfoList(*mut libc::addrinfo);

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from a successful getaddrinfo and is freed once.
            unsafe { libc::freeaddrinfo(self.0) }
        }
    }
}

impl AddrInfoList {
    fn iter(&self) -> impl Iterator<Item = &libc::addrinfo> {
        let mut next = self.0;
        std::iter::from_fn(move || {
            // SAFETY: each node of the list lives until the list is freed on drop,
            // which the borrow of `self` outlasts.
            let node = unsafe { next.as_ref()? };
            next = node.ai_next;
            Some(node)
        })
    }
}

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::value("embedded null character"))
}

/// getaddrinfo(3) with Python's error mapping: `gaierror` with the EAI code,
/// EAI_SYSTEM as the OSError of errno.
pub fn getaddrinfo(
    host: Option<&str>,
    port: Option<&str>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>> {
    let host = host.map(cstring).transpose()?;
    let port = port.map(cstring).transpose()?;
    // SAFETY: addrinfo is a plain C struct for which all-zero is the documented empty hints.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = ptr::null_mut();
    // SAFETY: the strings are NUL-terminated and outlive the call; `res` receives a
    // list we own and free through AddrInfoList.
    let rc = unsafe {
        libc::getaddrinfo(
            host.as_ref().map_or(ptr::null(), |h| h.as_ptr()),
            port.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
            &hints,
            &mut res,
        )
    };
    let list = AddrInfoList(res);
    if rc != 0 {
        return Err(gai_error(rc, "getaddrinfo"));
    }
    Ok(list.iter().map(to_addrinfo).collect())
}

pub(crate) fn gai_error(rc: i32, syscall: &'static str) -> Error {
    if rc == libc::EAI_SYSTEM {
        Error::last(syscall)
    } else {
        Error::gai(rc, syscall)
    }
}

fn to_addrinfo(ai: &libc::addrinfo) -> AddrInfo {
    let canonname = if ai.ai_canonname.is_null() {
        String::new()
    } else {
        // SAFETY: a non-null ai_canonname is a NUL-terminated string owned by the list.
        unsafe { CStr::from_ptr(ai.ai_canonname) }
            .to_string_lossy()
            .into_owned()
    };
    AddrInfo {
        family: ai.ai_family,
        socktype: ai.ai_socktype,
        proto: ai.ai_protocol,
        canonname,
        addr: sockaddr_of(ai).as_ref().and_then(Address::from_sockaddr),
    }
}

fn sockaddr_of(ai: &libc::addrinfo) -> Option<SockAddr> {
    if ai.ai_addr.is_null() {
        return None;
    }
    let len = ai.ai_addrlen as usize;
    if len > std::mem::size_of::<libc::sockaddr_storage>() {
        return None;
    }
    // SAFETY: ai_addr points at ai_addrlen bytes of sockaddr (checked to fit the
    // storage), copied into the zeroed storage that try_init provides.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, out_len| {
            ptr::copy_nonoverlapping(ai.ai_addr.cast::<u8>(), storage.cast::<u8>(), len);
            *out_len = len as libc::socklen_t;
            Ok(())
        })
    }
    .ok()?;
    Some(addr)
}

/// The first address of `host` in `family`, as Python's `setipaddr`:
/// `''` is the wildcard, `'<broadcast>'` is INADDR_BROADCAST, literals need no lookup.
fn first_address(host: &str, family: i32) -> Result<Address> {
    if host.is_empty() {
        let list = getaddrinfo(None, Some("0"), family, libc::SOCK_DGRAM, 0, libc::AI_PASSIVE)?;
        return first_of(list);
    }
    if host == "<broadcast>" || host == "255.255.255.255" {
        if family != libc::AF_INET && family != libc::AF_UNSPEC {
            return Err(Error::message("address family mismatched", "getaddrinfo"));
        }
        return Ok(Address::V4 {
            ip: Ipv4Addr::BROADCAST,
            port: 0,
        });
    }
    if family == libc::AF_INET || family == libc::AF_UNSPEC {
        if let Some(ip) = crate::inet::pton4(host) {
            return Ok(Address::V4 { ip, port: 0 });
        }
    }
    if (family == libc::AF_INET6 || family == libc::AF_UNSPEC) && !host.contains('%') {
        if let Ok(ip) = host.parse::<Ipv6Addr>() {
            return Ok(Address::V6 {
                ip,
                port: 0,
                flowinfo: 0,
                scope_id: 0,
            });
        }
    }
    first_of(getaddrinfo(Some(host), None, family, 0, 0, 0)?)
}

fn first_of(list: Vec<AddrInfo>) -> Result<Address> {
    list.into_iter()
        .find_map(|ai| ai.addr)
        .ok_or_else(|| Error::gai(libc::EAI_NONAME, "getaddrinfo"))
}

/// The IPv4 address of a host argument.
pub fn host_v4(host: &str) -> Result<Ipv4Addr> {
    match first_address(host, libc::AF_INET)? {
        Address::V4 { ip, .. } => Ok(ip),
        _ => Err(Error::gai(libc::EAI_FAMILY, "getaddrinfo")),
    }
}

/// The IPv6 address of a host argument.
pub fn host_v6(host: &str) -> Result<Ipv6Addr> {
    match first_address(host, libc::AF_INET6)? {
        Address::V6 { ip, .. } => Ok(ip),
        _ => Err(Error::gai(libc::EAI_FAMILY, "getaddrinfo")),
    }
}

/// gethostname(2).
pub fn gethostname() -> Result<String> {
    let mut buf = [0u8; 1024];
    // SAFETY: the buffer is writable for its whole length, and one byte is kept for the NUL.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return Err(Error::last("gethostname"));
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_need_no_lookup() {
        assert_eq!(host_v4("127.0.0.1").ok(), Some(Ipv4Addr::LOCALHOST));
        assert_eq!(host_v4("").ok(), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(host_v4("<broadcast>").ok(), Some(Ipv4Addr::BROADCAST));
        assert_eq!(host_v6("::1").ok(), Some(Ipv6Addr::LOCALHOST));
        assert_eq!(host_v6("").ok(), Some(Ipv6Addr::UNSPECIFIED));
    }

    #[test]
    fn localhost_resolves() {
        assert_eq!(host_v4("localhost").ok(), Some(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn failed_resolution_is_gaierror() {
        // An IPv6 literal for AF_INET fails in getaddrinfo without any DNS query.
        let err = host_v4("::1").err();
        assert!(matches!(err.map(|e| e.kind), Some(crate::error::Kind::Gai(_))));
        let flags = libc::AI_NUMERICHOST;
        let err = getaddrinfo(Some("not-a-number"), None, 0, 0, 0, flags).err();
        assert_eq!(err.map(|e| e.kind), Some(crate::error::Kind::Gai(libc::EAI_NONAME)));
    }

    #[test]
    fn numeric_getaddrinfo() {
        let list = getaddrinfo(
            Some("127.0.0.1"),
            Some("80"),
            libc::AF_INET,
            libc::SOCK_STREAM,
            0,
            libc::AI_NUMERICHOST,
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
        assert_eq!(list[0].proto, libc::IPPROTO_TCP);
    }
}
