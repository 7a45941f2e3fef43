//! The C library's address text calls (inet_pton, inet_ntop, inet_aton) as
//! safe functions, alike on every platform, with their `unsafe` at this edge.

use std::ffi::CStr;

use super::c;

/// inet_pton(AF_INET, text): the 4 bytes, None if the text is not one.
pub fn inet_pton4(text: &CStr) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    // SAFETY: `text` is NUL-terminated; `out` has room for an in_addr (4 bytes).
    let rc = unsafe { super::inet_pton(c::AF_INET, text.as_ptr(), out.as_mut_ptr().cast()) };
    (rc == 1).then_some(out)
}

/// inet_pton(AF_INET6, text): the 16 bytes, None if the text is not one.
pub fn inet_pton6(text: &CStr) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    // SAFETY: `text` is NUL-terminated; `out` has room for an in6_addr (16 bytes).
    let rc = unsafe { super::inet_pton(c::AF_INET6, text.as_ptr(), out.as_mut_ptr().cast()) };
    (rc == 1).then_some(out)
}

/// inet_ntop(AF_INET6, octets): the C library's text, None if it failed.
pub fn inet_ntop6(octets: &[u8; 16]) -> Option<String> {
    let mut buf = [0u8; 64];
    // SAFETY: `octets` is an in6_addr; `buf` is larger than INET6_ADDRSTRLEN (46).
    let p = unsafe {
        super::inet_ntop(
            c::AF_INET6,
            octets.as_ptr().cast(),
            buf.as_mut_ptr().cast(),
            buf.len() as c::socklen_t,
        )
    };
    if p.is_null() {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// inet_aton(text): the address in network order, None if the text is not one.
pub fn inet_aton4(text: &CStr) -> Option<[u8; 4]> {
    // SAFETY: in_addr is plain data; all-zero is valid.
    let mut out: c::in_addr = unsafe { std::mem::zeroed() };
    // SAFETY: `text` is NUL-terminated and `out` is a valid in_addr to write.
    let rc = unsafe { super::inet_aton(text.as_ptr(), &mut out) };
    (rc != 0).then(|| out.s_addr.to_ne_bytes())
}
