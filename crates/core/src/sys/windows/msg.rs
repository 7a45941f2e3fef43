//! The message calls on Windows. Python's socket module has neither sendmsg
//! nor recvmsg there; bsdsock sends messages through WSASendMsg (Winsock
//! takes it on datagram and raw sockets) with control messages laid out as
//! the WSA_CMSG_* macros say, and reports recvmsg (whose WSARecvMsg must be
//! looked up per socket provider) as unavailable. Windows passes no fds and
//! no credentials in control messages. sendfile reads the file and sends, as
//! Python's does on Windows.

use std::ffi::c_void;
use std::io;
use std::mem;
use std::ptr;
use std::sync::OnceLock;

use socket2::SockAddr;
use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::Storage::FileSystem::{ReadFile, SetFilePointerEx, FILE_BEGIN};

use super::{handle, unsupported, Fd};

// ---- control-message layout (WSA_CMSG_*) ----

/// MAX_NATURAL_ALIGNMENT of ws2def.h: control messages align to 8 bytes.
const ALIGN: usize = mem::size_of::<u64>();
const HEADER: usize = mem::size_of::<ws::CMSGHDR>();

/// `WSA_CMSGDATA_ALIGN(n)` / `WSA_CMSGHDR_ALIGN(n)`, or None if it overflows.
pub fn cmsg_align(n: usize) -> Option<usize> {
    Some(n.checked_add(ALIGN - 1)? & !(ALIGN - 1))
}

/// `WSA_CMSG_LEN(0)`: where a control message's data starts.
pub fn cmsg_data_offset() -> usize {
    HEADER.next_multiple_of(ALIGN)
}

/// `WSA_CMSG_LEN(n)`, or None if it overflows.
pub fn cmsg_len(n: usize) -> Option<usize> {
    cmsg_data_offset().checked_add(n)
}

/// `WSA_CMSG_SPACE(n)`, or None if it overflows.
pub fn cmsg_space(n: usize) -> Option<usize> {
    cmsg_align(HEADER.checked_add(cmsg_align(n)?)?)
}

/// Writes one control message (header and data) at `off` of `buf`; false if it does not fit.
pub fn put_cmsg(buf: &mut [u8], off: usize, level: i32, ty: i32, data: &[u8]) -> bool {
    let Some(len) = cmsg_len(data.len()) else {
        return false;
    };
    let hdr = ws::CMSGHDR {
        cmsg_len: len,
        cmsg_level: level,
        cmsg_type: ty,
    };
    crate::sys::write_cmsg(buf, off, hdr, cmsg_data_offset(), data)
}

/// The control messages of a received message: recvmsg is unavailable on
/// Windows, so there never are any.
pub fn parse_cmsgs(_buf: &[u8]) -> Vec<(i32, i32, Vec<u8>)> {
    Vec::new()
}

fn read_pod<T: Copy>(data: &[u8]) -> Option<T> {
    if data.len() < mem::size_of::<T>() {
        return None;
    }
    // SAFETY: data holds at least size_of::<T>() bytes; T is plain data read unaligned.
    Some(unsafe { ptr::read_unaligned(data.as_ptr().cast::<T>()) })
}

pub fn read_int(data: &[u8]) -> Option<i32> {
    read_pod::<i32>(data)
}

/// `struct timeval` (two 32-bit longs on Windows) as (seconds, microseconds).
pub fn read_timeval(data: &[u8]) -> Option<(i64, i64)> {
    read_pod::<ws::TIMEVAL>(data).map(|t| (i64::from(t.tv_sec), i64::from(t.tv_usec)))
}

pub fn read_in6_pktinfo(data: &[u8]) -> Option<(u32, [u8; 16])> {
    // SAFETY (of the union read): every IN6_ADDR is 16 bytes, whichever view.
    read_pod::<ws::IN6_PKTINFO>(data).map(|p| (p.ipi6_ifindex, unsafe { p.ipi6_addr.u.Byte }))
}

/// Windows passes no fds in control messages.
pub fn read_fds(_data: &[u8]) -> Vec<Fd> {
    Vec::new()
}

/// Windows has no `struct ucred`.
pub fn ucred_bytes(_pid: i32, _uid: u32, _gid: u32) -> Option<Vec<u8>> {
    None
}

// ---- sendmsg / recvmsg ----

/// WSASendMsg: gather `buffers`, with the control bytes `control` (laid out
/// by put_cmsg) and an optional destination.
pub fn sendmsg(
    fd: Fd,
    buffers: &[&[u8]],
    control: &[u8],
    addr: Option<&SockAddr>,
    flags: i32,
) -> io::Result<usize> {
    let too_long = || io::Error::from_raw_os_error(ws::WSAEMSGSIZE);
    let mut bufs = Vec::with_capacity(buffers.len());
    for b in buffers {
        bufs.push(ws::WSABUF {
            len: u32::try_from(b.len()).map_err(|_| too_long())?,
            buf: b.as_ptr().cast_mut(),
        });
    }
    let msg = ws::WSAMSG {
        name: addr.map_or(ptr::null_mut(), |a| a.as_ptr().cast_mut().cast()),
        namelen: addr.map_or(0, |a| a.len()),
        lpBuffers: bufs.as_mut_ptr(),
        dwBufferCount: u32::try_from(bufs.len()).map_err(|_| too_long())?,
        Control: ws::WSABUF {
            len: u32::try_from(control.len()).map_err(|_| too_long())?,
            buf: if control.is_empty() {
                ptr::null_mut()
            } else {
                control.as_ptr().cast_mut()
            },
        },
        dwFlags: 0,
    };
    let mut sent = 0u32;
    // SAFETY: msg points at the buffers (each readable for its length), the
    // address and the control bytes, all alive for the call; Winsock only
    // reads them. No overlapped I/O: the call completes (or fails) at once.
    let rc = unsafe { ws::WSASendMsg(handle(fd), &msg, flags as u32, &mut sent, ptr::null_mut(), None) };
    super::check(rc)?;
    Ok(sent as usize)
}

/// What recvmsg reported: bytes received, the control bytes used, msg_flags.
pub struct RecvMsg {
    pub nbytes: usize,
    pub controllen: usize,
    pub msg_flags: i32,
}

/// recvmsg is unavailable on Windows, as in Python there.
pub fn recvmsg(
    _fd: Fd,
    _buffers: &mut [&mut [u8]],
    _control: &mut [u8],
    _flags: i32,
) -> io::Result<(RecvMsg, SockAddr)> {
    Err(unsupported("recvmsg"))
}

// ---- files ----

/// The OS handle of a file descriptor. Node's fs fds belong to node.exe's C
/// runtime, not to this library's, so they are read through libuv's
/// `uv_get_osfhandle`, which node.exe exports; outside Node there is none.
fn file_handle(fd: Fd) -> io::Result<HANDLE> {
    type GetOsfHandle = unsafe extern "C" fn(i32) -> HANDLE;
    static GET: OnceLock<Option<GetOsfHandle>> = OnceLock::new();
    let get = GET.get_or_init(|| {
        let p = super::process_symbol(c"uv_get_osfhandle");
        // SAFETY: a non-null uv_get_osfhandle has this C signature (libuv's uv.h).
        (!p.is_null()).then(|| unsafe { mem::transmute::<*mut c_void, GetOsfHandle>(p) })
    });
    let get = get.ok_or_else(|| unsupported("sendfile outside Node"))?;
    // SAFETY: uv_get_osfhandle takes any int and returns INVALID_HANDLE_VALUE for a bad one.
    let h = unsafe { get(fd) };
    if h == INVALID_HANDLE_VALUE {
        return Err(io::Error::from_raw_os_error(super::c::EBADF));
    }
    Ok(h)
}

/// No OS sendfile here (TransmitFile needs overlapped sockets and files): the
/// caller reads and sends, as Python does on Windows.
pub fn file_size(_fd: Fd) -> io::Result<u64> {
    Err(unsupported("sendfile"))
}

/// Moves the file's position to `offset` (lseek(fd, offset, SEEK_SET)).
pub fn seek(fd: Fd, offset: u64) -> io::Result<()> {
    let h = file_handle(fd)?;
    let offset = i64::try_from(offset).map_err(|_| io::Error::from_raw_os_error(super::c::EINVAL))?;
    // SAFETY: a file handle, an offset and a null out-pointer (not wanted).
    if unsafe { SetFilePointerEx(h, offset, ptr::null_mut(), FILE_BEGIN) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads from the file's position (read(2)).
pub fn read(fd: Fd, buf: &mut [u8]) -> io::Result<usize> {
    let h = file_handle(fd)?;
    let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
    let mut got = 0u32;
    // SAFETY: buf is writable for len bytes; a synchronous read (no OVERLAPPED).
    if unsafe { ReadFile(h, buf.as_mut_ptr(), len, &mut got, ptr::null_mut()) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(got as usize)
}

/// No OS sendfile: asyncio's sock_sendfile falls back to reading and sending.
pub fn sendfile(_sock: Fd, _file: Fd, _offset: u64, _count: usize) -> io::Result<usize> {
    Err(unsupported("sendfile"))
}
