//! The C library's resolver structs, alike on every platform: the `addrinfo`
//! list getaddrinfo(3) returns (freed on drop), getnameinfo(3) and
//! gethostname(2), with every `unsafe` of name resolution at this edge.

use std::ffi::{CStr, CString};
use std::ptr;

use socket2::SockAddr;

use super::c;

/// The C library's `addrinfo` list, freed on drop whatever path leaves.
pub struct AddrInfoList(*mut c::addrinfo);

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from a successful getaddrinfo and is freed once.
            unsafe { c::freeaddrinfo(self.0) }
        }
    }
}

impl AddrInfoList {
    /// The list's nodes, in the C library's order.
    pub fn iter(&self) -> impl Iterator<Item = &c::addrinfo> {
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

/// getaddrinfo(3) with hints of `family`, `socktype`, `proto` and `flags`; the
/// C library's return code when it fails.
pub fn getaddrinfo(
    host: Option<&CString>,
    port: Option<&CString>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> std::result::Result<AddrInfoList, i32> {
    // SAFETY: addrinfo is a plain C struct for which all-zero is the documented empty hints.
    let mut hints: c::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    let mut res: *mut c::addrinfo = ptr::null_mut();
    // SAFETY: the strings are NUL-terminated and outlive the call; `res` receives a
    // list we own and free through AddrInfoList.
    let rc = unsafe {
        c::getaddrinfo(
            host.map_or(ptr::null(), |h| h.as_ptr()),
            port.map_or(ptr::null(), |p| p.as_ptr()),
            &hints,
            &mut res,
        )
    };
    let list = AddrInfoList(res);
    if rc != 0 {
        return Err(rc);
    }
    Ok(list)
}

/// A node's ai_canonname, or "" when it has none.
pub fn canonname(ai: &c::addrinfo) -> String {
    if ai.ai_canonname.is_null() {
        return String::new();
    }
    // SAFETY: a non-null ai_canonname is a NUL-terminated string owned by the list.
    unsafe { CStr::from_ptr(ai.ai_canonname.cast_const().cast()) }
        .to_string_lossy()
        .into_owned()
}

/// A copy of a node's ai_addr.
// ai_addrlen is a socklen_t on Unix, a size_t on Windows.
#[allow(clippy::unnecessary_cast)]
pub fn sockaddr_of(ai: &c::addrinfo) -> Option<SockAddr> {
    if ai.ai_addr.is_null() {
        return None;
    }
    let len = ai.ai_addrlen as usize;
    if len > std::mem::size_of::<c::sockaddr_storage>() {
        return None;
    }
    // SAFETY: ai_addr points at ai_addrlen bytes of sockaddr (checked to fit the
    // storage), copied into the zeroed storage that try_init provides.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, out_len| {
            ptr::copy_nonoverlapping(ai.ai_addr.cast::<u8>(), storage.cast::<u8>(), len);
            *out_len = len as c::socklen_t;
            Ok(())
        })
    }
    .ok()?;
    Some(addr)
}

/// getnameinfo(3) of `addr` into the two buffers (NUL-terminated); the C
/// library's return code.
pub fn getnameinfo(addr: &SockAddr, host: &mut [u8], serv: &mut [u8], flags: i32) -> i32 {
    // SAFETY: the sockaddr is valid for its length; both buffers are writable for
    // the lengths passed, and getnameinfo NUL-terminates what it writes.
    unsafe {
        c::getnameinfo(
            addr.as_ptr().cast(),
            addr.len(),
            host.as_mut_ptr().cast(),
            // socklen_t on Linux and macOS, size_t on FreeBSD.
            host.len() as _,
            serv.as_mut_ptr().cast(),
            serv.len() as _,
            flags,
        )
    }
}

/// gethostname(2) into `buf`, NUL-terminated (its last byte is kept for the
/// NUL); the return code, errno saying why on failure.
pub fn gethostname(buf: &mut [u8]) -> i32 {
    let room = buf.len().saturating_sub(1);
    // SAFETY: the buffer is writable for `room` bytes, and one byte is kept for the NUL.
    unsafe { c::gethostname(buf.as_mut_ptr().cast(), room as _) }
}
