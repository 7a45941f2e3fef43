//! The older resolver and interface calls on Windows, the module
//! `bsdsock_core::netdb` there, as Python makes them: gethostbyname through
//! getaddrinfo; gethostbyname_ex, gethostbyaddr, getservby* and
//! getprotobyname over Winsock's tables (whose results live in storage of the
//! calling thread, so no lock is needed); the interface calls over the IP
//! Helper's interface names (`loopback_0`, `ethernet_32768` ...).

use std::ffi::CStr;
use std::net::{Ipv4Addr, Ipv6Addr};

use windows_sys::Win32::NetworkManagement::IpHelper as ip;
use windows_sys::Win32::NetworkManagement::Ndis::NET_LUID_LH;
use windows_sys::Win32::Networking::WinSock as ws;

use crate::addr::Address;
use crate::error::{Error, Result};
use crate::resolve::{c_string, setipaddr};
use crate::sys::c;

/// What `gethostbyname_ex` and `gethostbyaddr` return:
/// `(hostname, aliaslist, ipaddrlist)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnt {
    pub name: String,
    pub aliases: Vec<String>,
    pub addrs: Vec<String>,
}

/// gethostbyname(name) -> IPv4 address text. `name` is encoded already (see idna::encode_arg).
pub fn gethostbyname(name: &str) -> Result<String> {
    match setipaddr(name, c::AF_INET)? {
        Address::V4 { ip, .. } => Ok(ip.to_string()),
        _ => Err(Error::os(c::EAFNOSUPPORT, "gethostbyname")),
    }
}

/// The text of a C string (null: empty).
///
/// # Safety
/// `p` must be null or a NUL-terminated string alive for the call.
unsafe fn text<T>(p: *const T) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p.cast()).to_string_lossy().into_owned()
}

/// The entries of a null-terminated array of pointers, each as `read` takes it.
///
/// # Safety
/// `list` must be null or a null-terminated array of pointers that `read` can take.
unsafe fn collect<T, U>(list: *const *mut T, read: impl Fn(*const T) -> U) -> Vec<U> {
    let mut out = Vec::new();
    let mut at = list;
    while !at.is_null() && !(*at).is_null() {
        out.push(read(*at));
        at = at.add(1);
    }
    out
}

/// A hostent of `family` as Python's `gethost_common` makes it; herror when
/// the lookup failed.
///
/// # Safety
/// `h` must be null or a hostent Winsock just filled for this thread.
unsafe fn host_common(h: *const ws::HOSTENT, family: i32, syscall: &'static str) -> Result<HostEnt> {
    let Some(h) = h.as_ref() else {
        return Err(Error::herror(ws::WSAGetLastError(), syscall));
    };
    if i32::from(h.h_addrtype) != family {
        return Err(Error::os(c::EAFNOSUPPORT, syscall));
    }
    let addrs = collect(h.h_addr_list, |p| {
        if family == c::AF_INET {
            Ipv4Addr::from(p.cast::<[u8; 4]>().read_unaligned()).to_string()
        } else {
            crate::inet::ipv6_text(&Ipv6Addr::from(p.cast::<[u8; 16]>().read_unaligned()))
        }
    });
    Ok(HostEnt {
        name: text(h.h_name),
        aliases: collect(h.h_aliases, |p| text(p)),
        addrs,
    })
}

/// gethostbyname_ex(name) -> (hostname, aliases, IPv4 addresses).
pub fn gethostbyname_ex(name: &str) -> Result<HostEnt> {
    // As Python: the name must resolve first (literals need no lookup).
    setipaddr(name, c::AF_INET)?;
    let cname = c_string(name.as_bytes());
    // SAFETY: the name is NUL-terminated; the result is this thread's storage, read at once.
    unsafe {
        host_common(
            ws::gethostbyname(cname.as_ptr().cast()),
            c::AF_INET,
            "gethostbyname",
        )
    }
}

/// gethostbyaddr(ip) -> (hostname, aliases, addresses); `ip` may be a name,
/// resolved first (IPv4 or IPv6).
pub fn gethostbyaddr(ip: &str) -> Result<HostEnt> {
    let (family, packed) = match setipaddr(ip, c::AF_UNSPEC)? {
        Address::V4 { ip, .. } => (c::AF_INET, ip.octets().to_vec()),
        Address::V6 { ip, .. } => (c::AF_INET6, ip.octets().to_vec()),
        _ => return Err(Error::message("unsupported address family", "gethostbyaddr")),
    };
    let len = packed.len() as i32;
    // SAFETY: the address bytes are readable for len; the result is this thread's storage.
    unsafe {
        host_common(
            ws::gethostbyaddr(packed.as_ptr(), len, family),
            family,
            "gethostbyaddr",
        )
    }
}

/// What getservby* looks up.
enum ServQuery<'a> {
    Name(&'a CStr),
    /// The port in network byte order, as the C call takes it.
    Port(i32),
}

/// The servent Winsock found for the query and `proto`.
fn servent<T>(query: ServQuery<'_>, proto: Option<&str>, read: impl Fn(&ws::SERVENT) -> T) -> Option<T> {
    crate::sys::startup();
    let proto = proto.map(|p| c_string(p.as_bytes()));
    let proto = proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr().cast());
    // SAFETY: the strings are NUL-terminated (proto may be null); the result is
    // this thread's storage, read before any other Winsock call.
    unsafe {
        let s = match query {
            ServQuery::Name(name) => ws::getservbyname(name.as_ptr().cast(), proto),
            ServQuery::Port(port) => ws::getservbyport(port, proto),
        };
        s.as_ref().map(read)
    }
}

/// getservbyname(name, proto) -> port.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Result<u16> {
    let name = c_string(name.as_bytes());
    servent(ServQuery::Name(&name), proto, |s| u16::from_be(s.s_port as u16))
        .ok_or_else(|| Error::message("service/proto not found", "getservbyname"))
}

/// getservbyport(port, proto) -> service name.
pub fn getservbyport(port: u16, proto: Option<&str>) -> Result<String> {
    // SAFETY: s_name of a servent Winsock filled is a NUL-terminated string.
    servent(ServQuery::Port(i32::from(port.to_be())), proto, |s| unsafe {
        text(s.s_name)
    })
    .ok_or_else(|| Error::message("port/proto not found", "getservbyport"))
}

/// getprotobyname(name) -> protocol number.
pub fn getprotobyname(name: &str) -> Result<i32> {
    crate::sys::startup();
    let name = c_string(name.as_bytes());
    // SAFETY: the name is NUL-terminated; the result is this thread's storage, read at once.
    let p = unsafe {
        ws::getprotobyname(name.as_ptr().cast())
            .as_ref()
            .map(|p| i32::from(p.p_proto))
    };
    p.ok_or_else(|| Error::message("protocol not found", "getprotobyname"))
}

/// The interface name of a LUID, as Python reads it on Windows.
fn luid_name(luid: &NET_LUID_LH) -> std::result::Result<String, u32> {
    let mut buf = [0u16; windows_sys::Win32::NetworkManagement::Ndis::IF_MAX_STRING_SIZE as usize + 1];
    // SAFETY: the buffer is writable for its length in UTF-16 units.
    let rc = unsafe { ip::ConvertInterfaceLuidToNameW(luid, buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return Err(rc);
    }
    let end = buf.iter().position(|&u| u == 0).unwrap_or(buf.len());
    Ok(String::from_utf16_lossy(&buf[..end]))
}

/// if_nameindex() -> [(index, name)], from the interface table.
pub fn if_nameindex() -> Result<Vec<(u32, String)>> {
    let mut table: *mut ip::MIB_IF_TABLE2 = std::ptr::null_mut();
    // SAFETY: `table` receives a table we own and free below.
    let rc = unsafe { ip::GetIfTable2Ex(ip::MibIfTableRaw, &mut table) };
    if rc != 0 {
        return Err(Error::os(rc as i32, "if_nameindex"));
    }
    // SAFETY: on success the table holds NumEntries rows, laid out from Table.
    let rows = unsafe { std::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize) };
    let out: std::result::Result<Vec<_>, u32> = rows
        .iter()
        .map(|r| Ok((r.InterfaceIndex, luid_name(&r.InterfaceLuid)?)))
        .collect();
    // SAFETY: the table came from GetIfTable2Ex and is freed once, after its last use.
    unsafe { ip::FreeMibTable(table.cast()) };
    out.map_err(|rc| Error::os(rc as i32, "if_nameindex"))
}

/// if_nametoindex(name) -> index.
pub fn if_nametoindex(name: &[u8]) -> Result<u32> {
    let name = c_string(name);
    // SAFETY: `name` is NUL-terminated.
    match unsafe { ip::if_nametoindex(name.as_ptr().cast()) } {
        0 => Err(Error::message("no interface with this name", "if_nametoindex")),
        index => Ok(index),
    }
}

/// if_indextoname(index) -> name.
pub fn if_indextoname(index: u32) -> Result<String> {
    // SAFETY: NET_LUID_LH is plain data that the call fills.
    let mut luid: NET_LUID_LH = unsafe { std::mem::zeroed() };
    // SAFETY: `luid` is writable.
    let rc = unsafe { ip::ConvertInterfaceIndexToLuid(index, &mut luid) };
    let name = if rc == 0 { luid_name(&luid) } else { Err(rc) };
    name.map_err(|rc| match rc {
        windows_sys::Win32::Foundation::ERROR_FILE_NOT_FOUND => {
            Error::message("no interface with this index", "if_indextoname")
        }
        rc => Error::os(rc as i32, "if_indextoname"),
    })
}
