//! The older resolver and interface calls on Windows; the module
//! `bsdsock_core::netdb` there. gethostbyname goes through getaddrinfo as on
//! Unix; the calls that read the C library's hostent, servent and protoent
//! tables, and the interface-name calls, are not ported to Winsock yet and
//! fail with an OSError that names them.

use crate::addr::Address;
use crate::error::{Error, Result};
use crate::resolve::setipaddr;
use crate::sys::c;

/// What `gethostbyname_ex` and `gethostbyaddr` return:
/// `(hostname, aliaslist, ipaddrlist)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnt {
    pub name: String,
    pub aliases: Vec<String>,
    pub addrs: Vec<String>,
}

fn not_ported<T>(call: &'static str) -> Result<T> {
    Err(Error::message(
        format!("{call} is not available on Windows"),
        call,
    ))
}

/// The message of an h_errno code (Winsock reports resolver errors as its own codes).
pub fn hstrerror(code: i32) -> String {
    crate::error::strerror(code)
}

/// gethostbyname(name) -> IPv4 address text. `name` is encoded already (see idna::encode_arg).
pub fn gethostbyname(name: &str) -> Result<String> {
    match setipaddr(name, c::AF_INET)? {
        Address::V4 { ip, .. } => Ok(ip.to_string()),
        _ => Err(Error::os(c::EAFNOSUPPORT, "gethostbyname")),
    }
}

pub fn gethostbyname_ex(_name: &str) -> Result<HostEnt> {
    not_ported("gethostbyname_ex")
}

pub fn gethostbyaddr(_ip: &str) -> Result<HostEnt> {
    not_ported("gethostbyaddr")
}

pub fn getservbyname(_name: &str, _proto: Option<&str>) -> Result<u16> {
    not_ported("getservbyname")
}

pub fn getservbyport(_port: u16, _proto: Option<&str>) -> Result<String> {
    not_ported("getservbyport")
}

pub fn getprotobyname(_name: &str) -> Result<i32> {
    not_ported("getprotobyname")
}

pub fn if_nameindex() -> Result<Vec<(u32, String)>> {
    not_ported("if_nameindex")
}

pub fn if_nametoindex(_name: &[u8]) -> Result<u32> {
    not_ported("if_nametoindex")
}

pub fn if_indextoname(_index: u32) -> Result<String> {
    not_ported("if_indextoname")
}
