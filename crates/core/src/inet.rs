//! inet_pton / inet_ntop / inet_aton / inet_ntoa, with the C library's parsing
//! (glibc's lenient forms for inet_aton) and Python's errors.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::sys::{self, c};

/// Strict dotted-quad IPv4, as inet_pton(AF_INET).
pub fn pton4(text: &str) -> Option<Ipv4Addr> {
    let c = CString::new(text).ok()?;
    sys::inet_pton4(&c).map(Ipv4Addr::from)
}

fn pton6(text: &str) -> Option<Ipv6Addr> {
    let c = CString::new(text).ok()?;
    sys::inet_pton6(&c).map(Ipv6Addr::from)
}

/// inet_pton(family, text) -> packed bytes.
pub fn pton(family: i32, text: &str) -> Result<Vec<u8>> {
    let packed = match family {
        c::AF_INET => pton4(text).map(|ip| ip.octets().to_vec()),
        c::AF_INET6 => pton6(text).map(|ip| ip.octets().to_vec()),
        _ => return Err(Error::os(c::EAFNOSUPPORT, "inet_pton")),
    };
    packed.ok_or_else(|| Error::message("illegal IP address string passed to inet_pton", "inet_pton"))
}

/// inet_ntop(family, packed) -> text.
pub fn ntop(family: i32, packed: &[u8]) -> Result<String> {
    let bad_length = || Error::value("invalid length of packed IP address string");
    match family {
        c::AF_INET => {
            let octets: [u8; 4] = packed.try_into().map_err(|_| bad_length())?;
            Ok(Ipv4Addr::from(octets).to_string())
        }
        c::AF_INET6 => {
            let octets: [u8; 16] = packed.try_into().map_err(|_| bad_length())?;
            Ok(ntop6(&octets))
        }
        _ => Err(Error::value(format!("unknown address family {family}"))),
    }
}

/// The C library's text for an IPv6 address (it differs from Rust's for some
/// IPv4-compatible forms, and Python prints the C library's).
fn ntop6(octets: &[u8; 16]) -> String {
    sys::inet_ntop6(octets).unwrap_or_else(|| Ipv6Addr::from(*octets).to_string())
}

/// The text of an IPv6 address as Python shows it in address tuples.
pub fn ipv6_text(ip: &Ipv6Addr) -> String {
    ntop6(&ip.octets())
}

/// inet_aton(text) -> 4 bytes, accepting the C library's lenient forms ("127.1", "0x7f.1").
pub fn aton(text: &str) -> Result<[u8; 4]> {
    let illegal = || Error::message("illegal IP address string passed to inet_aton", "inet_aton");
    let c = CString::new(text).map_err(|_| illegal())?;
    sys::inet_aton4(&c).ok_or_else(illegal)
}

/// inet_ntoa(packed) -> dotted quad.
pub fn ntoa(packed: &[u8]) -> Result<String> {
    let octets: [u8; 4] = packed
        .try_into()
        .map_err(|_| Error::message("packed IP wrong length for inet_ntoa", "inet_ntoa"))?;
    Ok(Ipv4Addr::from(octets).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aton_is_lenient() {
        assert_eq!(aton("127.1").ok(), Some([127, 0, 0, 1]));
        assert_eq!(aton("0x7f.1").ok(), Some([127, 0, 0, 1]));
        assert!(aton("1.2.3.4.5").is_err());
    }

    #[test]
    fn pton_is_strict() {
        assert!(pton(c::AF_INET, "127.1").is_err());
        assert_eq!(pton(c::AF_INET6, "::1").map(|v| v.len()).ok(), Some(16));
    }

    #[test]
    fn ntop_round_trips() {
        assert_eq!(ntop(c::AF_INET, &[10, 0, 0, 1]).ok().as_deref(), Some("10.0.0.1"));
        let v6 = pton(c::AF_INET6, "fe80::1").unwrap_or_default();
        assert_eq!(ntop(c::AF_INET6, &v6).ok().as_deref(), Some("fe80::1"));
        assert!(ntop(c::AF_INET, &[1, 2, 3]).is_err());
    }
}
