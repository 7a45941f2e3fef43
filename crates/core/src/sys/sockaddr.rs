//! Socket addresses as bytes, alike on every platform: an AF_UNIX name in and
//! out of `sockaddr_un`, the raw bytes of any `sockaddr`, with every `unsafe`
//! of address handling at this edge.

use std::io;
use std::mem;

use socket2::SockAddr;

use super::c;

/// Offset of `sun_path` in `sockaddr_un`.
pub fn sun_path_offset() -> usize {
    mem::offset_of!(c::sockaddr_un, sun_path)
}

/// The room `sun_path` has.
pub fn sun_path_capacity() -> usize {
    mem::size_of::<c::sockaddr_un>() - sun_path_offset()
}

/// A `sockaddr_un` holding `path` (no NUL added), its length the offset of
/// `sun_path` plus the path's; EINVAL if the path does not fit.
pub fn unix_sockaddr_of(path: &[u8]) -> io::Result<SockAddr> {
    if path.len() > sun_path_capacity() {
        return Err(io::Error::from_raw_os_error(c::EINVAL));
    }
    // SAFETY: try_init hands a zeroed sockaddr_storage, large enough for a
    // sockaddr_un; we write the family and at most `sun_path_capacity()` path
    // bytes into it (checked above) and report a length within it.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            let un = storage.cast::<c::sockaddr_un>();
            (*un).sun_family = c::AF_UNIX as c::sa_family_t;
            std::ptr::copy_nonoverlapping(
                path.as_ptr(),
                (*un).sun_path.as_mut_ptr().cast::<u8>(),
                path.len(),
            );
            *len = (sun_path_offset() + path.len()) as c::socklen_t;
            Ok(())
        })
    }?;
    Ok(addr)
}

/// The bytes of an AF_UNIX address's `sun_path` that its length covers.
// c_char is i8 on x86_64 and u8 on aarch64 Linux: the cast is not always a no-op.
#[allow(clippy::unnecessary_cast)]
pub fn sun_path_bytes(addr: &SockAddr) -> Vec<u8> {
    let len = (addr.len() as usize).saturating_sub(sun_path_offset());
    // SAFETY: a SockAddr's storage is a sockaddr_storage, large enough for a
    // sockaddr_un, zeroed beyond what the OS wrote.
    let un = unsafe { &*addr.as_ptr().cast::<c::sockaddr_un>() };
    let len = len.min(un.sun_path.len());
    un.sun_path[..len].iter().map(|&c| c as u8).collect()
}

/// `sa_data` of any address.
// See sun_path_bytes.
#[allow(clippy::unnecessary_cast)]
pub fn sa_data(addr: &SockAddr) -> Vec<u8> {
    // SAFETY: every SockAddr holds at least a `sockaddr` (16 bytes) of storage.
    let sa = unsafe { &*addr.as_ptr().cast::<c::sockaddr>() };
    sa.sa_data.iter().map(|&c| c as u8).collect()
}

/// The bytes of a `sockaddr`, to hand to the caller as an opaque, reusable
/// address (a sender caches it instead of parsing the same address each time).
pub fn sockaddr_bytes(addr: &SockAddr) -> Vec<u8> {
    // SAFETY: a SockAddr's storage holds at least len() initialized bytes.
    unsafe { std::slice::from_raw_parts(addr.as_ptr().cast::<u8>(), addr.len() as usize) }.to_vec()
}

/// A `sockaddr` back from the bytes `sockaddr_bytes` gave; None if they cannot be one.
pub fn sockaddr_from_bytes(bytes: &[u8]) -> Option<SockAddr> {
    if bytes.len() < mem::size_of::<c::sa_family_t>() || bytes.len() > mem::size_of::<c::sockaddr_storage>() {
        return None;
    }
    // SAFETY: the bytes fit the zeroed storage try_init provides (checked above).
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), storage.cast::<u8>(), bytes.len());
            *len = bytes.len() as c::socklen_t;
            Ok(())
        })
    }
    .ok()?;
    Some(addr)
}
