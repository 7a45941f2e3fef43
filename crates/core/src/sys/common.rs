//! What every platform does alike around its own structs: a call that fills
//! a socket address, a control message written into a buffer, and a byte
//! buffer handed to a call that only writes it.

use std::io;
use std::mem::{self, MaybeUninit};
use std::ptr;

use socket2::SockAddr;

use super::c;

/// Calls `f` with zeroed sockaddr storage and its length, and returns the address it filled.
pub(crate) fn with_sockaddr<T>(
    f: impl FnOnce(*mut c::sockaddr, *mut c::socklen_t) -> io::Result<T>,
) -> io::Result<(T, SockAddr)> {
    let mut out = None;
    // SAFETY: try_init provides zeroed sockaddr_storage and its length; `f` passes
    // both to a call that writes at most that many bytes and updates the length.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            out = Some(f(storage.cast(), len)?);
            Ok(())
        })
    }?;
    match out {
        Some(v) => Ok((v, addr)),
        None => Err(io::Error::from_raw_os_error(c::EIO)),
    }
}

/// Writes one control message at `off` of `buf`: `hdr` (the platform's
/// cmsghdr, its length already set), then `data` at `data_offset` from the
/// header (CMSG_LEN(0)). False if it does not fit.
pub(crate) fn write_cmsg<H: Copy>(
    buf: &mut [u8],
    off: usize,
    hdr: H,
    data_offset: usize,
    data: &[u8],
) -> bool {
    let Some(start) = off.checked_add(data_offset) else {
        return false;
    };
    let Some(end) = start.checked_add(data.len()) else {
        return false;
    };
    if end > buf.len() || off.saturating_add(mem::size_of::<H>()) > buf.len() {
        return false;
    }
    // SAFETY: size_of::<H>() bytes at off lie within buf (checked above); the write is unaligned.
    unsafe { ptr::write_unaligned(buf.as_mut_ptr().add(off).cast::<H>(), hdr) };
    buf[start..end].copy_from_slice(data);
    true
}

/// A byte buffer as the uninitialized memory socket2's receive calls take.
pub fn as_uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: u8 and MaybeUninit<u8> have the same layout, and the OS only writes bytes.
    unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) }
}
