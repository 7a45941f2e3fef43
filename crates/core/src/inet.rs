//! inet_pton / inet_ntop / inet_aton / inet_ntoa, with the C library's parsing
//! (glibc's lenient forms for inet_aton) and Python's errors.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::sys::c;

/// Strict dotted-quad IPv4, as inet_pton(AF_INET).
pub fn pton4(text: &str) -> Option<Ipv4Addr> {
    let c = CString::new(text).ok()?;
    let mut out = [0u8; 4];
    // SAFETY: `c` is NUL-terminated; `out` has room for an in_addr (4 bytes).
    let rc = unsafe { crate::sys::inet_pton(c::AF_INET, c.as_ptr(), out.as_mut_ptr().cast()) };
    (rc == 1).then(|| Ipv4Addr::from(out))
}

fn pton6(text: &str) -> Option<Ipv6Addr> {
    let c = CString::new(text).ok()?;
    let mut out = [0u8; 16];
    // SAFETY: `c` is NUL-terminated; `out` has room for an in6_addr (16 bytes).
    let rc = unsafe { crate::sys::inet_pton(c::AF_INET6, c.as_ptr(), out.as_mut_ptr().cast()) };
    (rc == 1).then(|| Ipv6Addr::from(out))
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
    let mut buf = [0u8; 64];
    // SAFETY: `octets` is an in6_addr; `buf` is larger than INET6_ADDRSTRLEN (46).
    let p = unsafe {
        crate::sys::inet_ntop(
            c::AF_INET6,
            octets.as_ptr().cast(),
            buf.as_mut_ptr().cast(),
            buf.len() as c::socklen_t,
        )
    };
    if p.is_null() {
        return Ipv6Addr::from(*octets).to_string();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// The text of an IPv6 address as Python shows it in address tuples.
pub fn ipv6_text(ip: &Ipv6Addr) -> String {
    ntop6(&ip.octets())
}

/// inet_aton(text) -> 4 bytes, accepting the C library's lenient forms ("127.1", "0x7f.1").
pub fn aton(text: &str) -> Result<[u8; 4]> {
    let illegal = || Error::message("illegal IP address string passed to inet_aton", "inet_aton");
    let c = CString::new(text).map_err(|_| illegal())?;
    // SAFETY: in_addr is plain data; all-zero is valid.
    let mut out: c::in_addr = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `out` is a valid in_addr to write.
    let rc = unsafe { crate::sys::inet_aton(c.as_ptr(), &mut out) };
    if rc == 0 {
        return Err(illegal());
    }
    Ok(out.s_addr.to_ne_bytes())
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
