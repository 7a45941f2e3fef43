//! The message calls of Unix (sendmsg, recvmsg, sendmmsg, recvmmsg, sendfile)
//! and the layout of control messages, with every `unsafe` at this edge. The
//! control buffer is handled as bytes with checked offsets: headers are read
//! and written unaligned, and nothing past the length the kernel reported is
//! ever read.

use std::io;
use std::mem::{self, MaybeUninit};

use socket2::SockAddr;

#[cfg(any(target_os = "linux", target_os = "android"))]
use crate::sys::Datagram;
use crate::sys::Fd;

fn check_len(rc: libc::ssize_t) -> io::Result<usize> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}

// ---- control-message layout (CMSG_*), from the platform's macros ----

/// `CMSG_LEN(0)`: where a control message's data starts.
pub fn cmsg_data_offset() -> usize {
    // SAFETY: CMSG_LEN is arithmetic on its argument.
    unsafe { libc::CMSG_LEN(0) as usize }
}

/// `CMSG_SPACE(0)`: the aligned size of a header.
fn cmsg_header_space() -> usize {
    // SAFETY: CMSG_SPACE is arithmetic on its argument.
    unsafe { libc::CMSG_SPACE(0) as usize }
}

/// The alignment of control messages: `CMSG_SPACE(1) - CMSG_SPACE(0)`.
fn cmsg_alignment() -> usize {
    // SAFETY: CMSG_SPACE is arithmetic on its argument.
    unsafe { libc::CMSG_SPACE(1) as usize - libc::CMSG_SPACE(0) as usize }
}

/// `CMSG_ALIGN(n)`, or None if it overflows.
pub fn cmsg_align(n: usize) -> Option<usize> {
    let a = cmsg_alignment();
    Some(n.checked_add(a - 1)? & !(a - 1))
}

/// `CMSG_LEN(n)`, or None if it overflows.
pub fn cmsg_len(n: usize) -> Option<usize> {
    cmsg_data_offset().checked_add(n)
}

/// `CMSG_SPACE(n)`, or None if it overflows.
pub fn cmsg_space(n: usize) -> Option<usize> {
    cmsg_header_space().checked_add(cmsg_align(n)?)
}

const HEADER: usize = mem::size_of::<libc::cmsghdr>();

/// Writes one control message (header and data) at `off` of `buf`; false if it does not fit.
pub fn put_cmsg(buf: &mut [u8], off: usize, level: i32, ty: i32, data: &[u8]) -> bool {
    let Some(len) = cmsg_len(data.len()) else {
        return false;
    };
    // SAFETY: cmsghdr is a C struct of integers (and padding on some systems): all-zero is valid.
    let mut hdr: libc::cmsghdr = unsafe { mem::zeroed() };
    hdr.cmsg_level = level;
    hdr.cmsg_type = ty;
    // The field is size_t or socklen_t as the platform has it; len fits (the caller checks the total).
    hdr.cmsg_len = len as _;
    crate::sys::write_cmsg(buf, off, hdr, cmsg_data_offset(), data)
}

/// `(level, type, cmsg_len)` of the header at `off`, if a whole header lies within `buf`.
fn header_at(buf: &[u8], off: usize) -> Option<(i32, i32, usize)> {
    if off.checked_add(HEADER)? > buf.len() {
        return None;
    }
    // SAFETY: HEADER bytes at off are within buf (checked above); the read is unaligned.
    let hdr: libc::cmsghdr = unsafe { std::ptr::read_unaligned(buf.as_ptr().add(off).cast()) };
    Some((hdr.cmsg_level, hdr.cmsg_type, hdr.cmsg_len as usize))
}

/// The control messages in the first `buf.len()` bytes the kernel filled, as
/// `CMSG_FIRSTHDR` / `CMSG_NXTHDR` walk them, and with Python's rule for a
/// truncated last message (its data is what lies within the buffer). A
/// malformed header ends the walk.
pub fn parse_cmsgs(buf: &[u8]) -> Vec<(i32, i32, Vec<u8>)> {
    let mut out = Vec::new();
    let data_off = cmsg_data_offset();
    let mut off = 0usize;
    while let Some((level, ty, len)) = header_at(buf, off) {
        let Some(start) = off.checked_add(data_off) else {
            break;
        };
        if len < data_off || start > buf.len() {
            break;
        }
        let data_len = (len - data_off).min(buf.len() - start);
        out.push((level, ty, buf[start..start + data_len].to_vec()));
        // CMSG_NXTHDR: the next header must fit, and so must its aligned length.
        let Some(next) = cmsg_align(len).and_then(|a| off.checked_add(a)) else {
            break;
        };
        match header_at(buf, next) {
            Some((_, _, next_len))
                if cmsg_align(next_len)
                    .and_then(|a| next.checked_add(a))
                    .is_some_and(|e| e <= buf.len()) =>
            {
                off = next
            }
            _ => break,
        }
    }
    out
}

/// Plain C structs of integers: any bytes of their size are a valid value.
///
/// # Safety
///
/// Implement only for types with no invalid bit patterns.
unsafe trait Pod: Copy {}
// SAFETY: each is a C struct (or integer) made only of integer fields.
unsafe impl Pod for libc::c_int {}
unsafe impl Pod for libc::timeval {}
unsafe impl Pod for libc::timespec {}
#[cfg(any(target_os = "linux", target_os = "android"))]
unsafe impl Pod for libc::ucred {}
#[cfg(any(target_os = "linux", target_os = "android"))]
unsafe impl Pod for libc::in_pktinfo {}
unsafe impl Pod for libc::in6_pktinfo {}

/// A `T` from the start of `data`, if `data` holds one.
fn read_pod<T: Pod>(data: &[u8]) -> Option<T> {
    if data.len() < mem::size_of::<T>() {
        return None;
    }
    // SAFETY: data holds size_of::<T>() bytes (checked), any bytes are a valid T
    // (Pod), and the read is unaligned.
    Some(unsafe { std::ptr::read_unaligned(data.as_ptr().cast::<T>()) })
}

pub fn read_int(data: &[u8]) -> Option<i32> {
    read_pod::<libc::c_int>(data)
}

/// `struct timeval` as (seconds, microseconds).
// The field types differ between platforms: the casts are not always no-ops.
#[allow(clippy::unnecessary_cast)]
pub fn read_timeval(data: &[u8]) -> Option<(i64, i64)> {
    read_pod::<libc::timeval>(data).map(|t| (t.tv_sec as i64, t.tv_usec as i64))
}

/// `struct timespec` as (seconds, nanoseconds).
// The field types differ between platforms: the casts are not always no-ops.
#[allow(clippy::unnecessary_cast)]
pub fn read_timespec(data: &[u8]) -> Option<(i64, i64)> {
    read_pod::<libc::timespec>(data).map(|t| (t.tv_sec as i64, t.tv_nsec as i64))
}

/// `struct ucred` as (pid, uid, gid).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn read_ucred(data: &[u8]) -> Option<(i32, u32, u32)> {
    read_pod::<libc::ucred>(data).map(|c| (c.pid, c.uid, c.gid))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn read_ucred(_data: &[u8]) -> Option<(i32, u32, u32)> {
    None
}

/// The bytes of a `struct ucred`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn ucred_bytes(pid: i32, uid: u32, gid: u32) -> Option<Vec<u8>> {
    let c = libc::ucred { pid, uid, gid };
    // SAFETY: ucred is three integers with no padding; we read exactly its size.
    let b = unsafe {
        std::slice::from_raw_parts(
            (&c as *const libc::ucred).cast::<u8>(),
            mem::size_of::<libc::ucred>(),
        )
    };
    Some(b.to_vec())
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn ucred_bytes(_pid: i32, _uid: u32, _gid: u32) -> Option<Vec<u8>> {
    None
}

/// `struct in_pktinfo` as (ifindex, spec_dst, addr), the addresses in network order.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn read_in_pktinfo(data: &[u8]) -> Option<(u32, [u8; 4], [u8; 4])> {
    read_pod::<libc::in_pktinfo>(data).map(|p| {
        (
            p.ipi_ifindex as u32,
            p.ipi_spec_dst.s_addr.to_ne_bytes(),
            p.ipi_addr.s_addr.to_ne_bytes(),
        )
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn read_in_pktinfo(_data: &[u8]) -> Option<(u32, [u8; 4], [u8; 4])> {
    None
}

/// `struct in6_pktinfo` as (ifindex, addr).
// The field types differ between platforms: the casts are not always no-ops.
#[allow(clippy::unnecessary_cast)]
pub fn read_in6_pktinfo(data: &[u8]) -> Option<(u32, [u8; 16])> {
    read_pod::<libc::in6_pktinfo>(data).map(|p| (p.ipi6_ifindex as u32, p.ipi6_addr.s6_addr))
}

/// The fds of an SCM_RIGHTS payload (whole ints only).
pub fn read_fds(data: &[u8]) -> Vec<Fd> {
    data.chunks_exact(mem::size_of::<libc::c_int>())
        .filter_map(read_int)
        .collect()
}

// ---- sendmsg / recvmsg ----

fn iovecs(buffers: &[&[u8]]) -> Vec<libc::iovec> {
    buffers
        .iter()
        .map(|b| libc::iovec {
            iov_base: b.as_ptr() as *mut libc::c_void,
            iov_len: b.len(),
        })
        .collect()
}

fn iovecs_mut(buffers: &mut [&mut [u8]]) -> Vec<libc::iovec> {
    buffers
        .iter_mut()
        .map(|b| libc::iovec {
            iov_base: b.as_mut_ptr().cast(),
            iov_len: b.len(),
        })
        .collect()
}

fn empty_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is a C struct of integers and pointers: all-zero (null) is valid.
    unsafe { mem::zeroed() }
}

/// sendmsg(2): gather `buffers`, with the control bytes `control` (already laid
/// out by put_cmsg) and an optional destination.
pub fn sendmsg(
    fd: Fd,
    buffers: &[&[u8]],
    control: &[u8],
    addr: Option<&SockAddr>,
    flags: i32,
) -> io::Result<usize> {
    let iov = iovecs(buffers);
    let mut msg = empty_msghdr();
    if let Some(a) = addr {
        msg.msg_name = a.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = a.len();
    }
    msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
    msg.msg_iovlen = iov.len() as _;
    if !control.is_empty() {
        msg.msg_control = control.as_ptr() as *mut libc::c_void;
        msg.msg_controllen = control.len() as _;
    }
    // SAFETY: msg points at iov (each entry readable for its length), the
    // address (its length) and the control bytes (their length), all alive
    // for the call.
    check_len(unsafe { libc::sendmsg(fd, &msg, flags | crate::sys::NOSIGNAL) })
}

/// What recvmsg(2) reported: bytes received, the control bytes used, msg_flags.
pub struct RecvMsg {
    pub nbytes: usize,
    pub controllen: usize,
    pub msg_flags: i32,
}

/// recvmsg(2): scatter into `buffers`, control messages into `control`.
// The field types differ between platforms: the casts are not always no-ops.
#[allow(clippy::unnecessary_cast)]
pub fn recvmsg(
    fd: Fd,
    buffers: &mut [&mut [u8]],
    control: &mut [u8],
    flags: i32,
) -> io::Result<(RecvMsg, SockAddr)> {
    let mut iov = iovecs_mut(buffers);
    let mut got = None;
    // SAFETY: try_init provides zeroed sockaddr_storage and its length; msg
    // points at it, at iov (each entry writable for its length) and at the
    // control buffer (writable for its length), all alive for the call; the
    // kernel writes no more than each length and reports what it wrote.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            let mut msg = empty_msghdr();
            msg.msg_name = storage.cast();
            msg.msg_namelen = *len;
            msg.msg_iov = iov.as_mut_ptr();
            msg.msg_iovlen = iov.len() as _;
            if !control.is_empty() {
                msg.msg_control = control.as_mut_ptr().cast();
                msg.msg_controllen = control.len() as _;
            }
            let n = check_len(libc::recvmsg(fd, &mut msg, flags | RECV_CLOEXEC))?;
            *len = msg.msg_namelen;
            got = Some(RecvMsg {
                nbytes: n,
                controllen: (msg.msg_controllen as usize).min(control.len()),
                // Linux echoes MSG_CMSG_CLOEXEC in msg_flags: only a caller who asked sees it.
                msg_flags: msg.msg_flags & !(RECV_CLOEXEC & !flags),
            });
            Ok(())
        })
    }?;
    match got {
        Some(r) => {
            if RECV_CLOEXEC == 0 {
                cloexec_rights(&control[..r.controllen]);
            }
            Ok((r, addr))
        }
        None => Err(io::Error::from_raw_os_error(libc::EIO)),
    }
}

/// Every fd received is close-on-exec, as every fd bsdsock makes: a peer's
/// fds must not leak into the programs this process starts. Python leaves
/// them inheritable unless the caller passes MSG_CMSG_CLOEXEC.
/// The systems with MSG_CMSG_CLOEXEC are those build.rs marks `atomic_cloexec`.
#[cfg(atomic_cloexec)]
const RECV_CLOEXEC: i32 = libc::MSG_CMSG_CLOEXEC;
/// No MSG_CMSG_CLOEXEC here: the fds are marked right after recvmsg returns.
#[cfg(not(atomic_cloexec))]
const RECV_CLOEXEC: i32 = 0;

/// Sets FD_CLOEXEC on the fds of the SCM_RIGHTS items of a control buffer.
fn cloexec_rights(control: &[u8]) {
    for (level, ty, data) in parse_cmsgs(control) {
        if level == libc::SOL_SOCKET && ty == libc::SCM_RIGHTS {
            for fd in read_fds(&data) {
                // The fd is the caller's either way; a failure here leaves it as received.
                let _ = crate::sys::set_inheritable(fd, false);
            }
        }
    }
}

// ---- batched datagrams ----

/// One datagram's header for sendmmsg/recvmmsg: its address (`name`, `namelen`
/// bytes; null and 0 for none) and its one iovec. The pointers are the caller's
/// to keep alive for the call.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn datagram_header(
    name: *mut libc::c_void,
    namelen: libc::socklen_t,
    iov: &mut libc::iovec,
) -> libc::mmsghdr {
    let mut hdr = empty_msghdr();
    hdr.msg_name = name;
    hdr.msg_namelen = namelen;
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 1;
    libc::mmsghdr {
        msg_hdr: hdr,
        msg_len: 0,
    }
}

/// sendmmsg(2): one datagram per buffer, each to its address (or the
/// connected peer). Returns how many were sent.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn sendmmsg(fd: Fd, datas: &[&[u8]], addrs: &[Option<&SockAddr>], flags: i32) -> io::Result<usize> {
    let mut iov = iovecs(datas);
    let mut msgs: Vec<libc::mmsghdr> = iov
        .iter_mut()
        .enumerate()
        .map(|(i, v)| match addrs.get(i) {
            Some(Some(a)) => datagram_header(a.as_ptr() as *mut libc::c_void, a.len(), v),
            _ => datagram_header(std::ptr::null_mut(), 0, v),
        })
        .collect();
    // SAFETY: each header points at one iovec (readable for its length) and
    // its address (readable for its length), all alive for the call. The
    // flags are a c_int with glibc, a c_uint with musl.
    let rc = unsafe {
        libc::sendmmsg(
            fd,
            msgs.as_mut_ptr(),
            msgs.len() as _,
            (flags | crate::sys::NOSIGNAL) as _,
        )
    };
    check_len(rc as libc::ssize_t)
}

/// The headers, vectors and address space of the last recvmmsg, kept for the
/// next: an event loop receives batch after batch, and would otherwise
/// allocate (and zero) them each time.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[derive(Default)]
struct MmsgScratch {
    iov: Vec<libc::iovec>,
    names: Vec<libc::sockaddr_storage>,
    msgs: Vec<libc::mmsghdr>,
}

#[cfg(any(target_os = "linux", target_os = "android"))]
thread_local! {
    static MMSG_SCRATCH: std::cell::RefCell<MmsgScratch> = std::cell::RefCell::new(MmsgScratch::default());
}

/// recvmmsg(2) into `bufs`, one datagram each; `out` gets one entry per datagram.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn recvmmsg(fd: Fd, bufs: &mut [&mut [u8]], flags: i32, out: &mut Vec<Datagram>) -> io::Result<usize> {
    MMSG_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => recvmmsg_with(fd, bufs, flags, out, &mut scratch),
        // Not reentered in practice (nothing runs inside the call); fresh space if it were.
        Err(_) => recvmmsg_with(fd, bufs, flags, out, &mut MmsgScratch::default()),
    })
}

/// Linux's UIO_MAXIOV: the most messages one recvmmsg(2) takes.
#[cfg(any(target_os = "linux", target_os = "android"))]
const UIO_MAXIOV: usize = 1024;

#[cfg(any(target_os = "linux", target_os = "android"))]
fn recvmmsg_with(
    fd: Fd,
    bufs: &mut [&mut [u8]],
    flags: i32,
    out: &mut Vec<Datagram>,
    scratch: &mut MmsgScratch,
) -> io::Result<usize> {
    let MmsgScratch { iov, names, msgs } = scratch;
    iov.clear();
    // The kernel takes at most UIO_MAXIOV messages a call (it cuts a longer vlen to that): headers
    // and addresses for more would only be memory (a caller's millions of buffers, gigabytes).
    iov.extend(bufs.iter_mut().take(UIO_MAXIOV).map(|b| libc::iovec {
        iov_base: b.as_mut_ptr().cast(),
        iov_len: b.len(),
    }));
    // SAFETY: sockaddr_storage is a C struct of integers: all-zero is valid.
    // Grown (and zeroed) only when a batch is larger than any before; the
    // kernel writes each address it reports, with its length.
    if names.len() < iov.len() {
        names.resize(iov.len(), unsafe { mem::zeroed() });
    }
    msgs.clear();
    msgs.extend(iov.iter_mut().zip(names.iter_mut()).map(|(v, name)| {
        let len = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        datagram_header((name as *mut libc::sockaddr_storage).cast(), len, v)
    }));
    // SAFETY: each header points at one iovec (writable for its length) and at
    // its own sockaddr_storage (writable for the length given), all alive for
    // the call. No timeout: the caller passes MSG_DONTWAIT (see sock.rs's
    // retry), so the call returns what has arrived.
    let rc = unsafe {
        libc::recvmmsg(
            fd,
            msgs.as_mut_ptr(),
            msgs.len() as _,
            flags as _,
            std::ptr::null_mut(),
        )
    };
    let n = check_len(rc as libc::ssize_t)?;
    out.clear();
    for (m, name) in msgs.iter().zip(names.iter()).take(n) {
        let len = m
            .msg_hdr
            .msg_namelen
            .min(mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t);
        // SAFETY: try_init provides zeroed storage as large as `name`; the kernel
        // wrote an address of `len` bytes (at most the storage's size) into `name`.
        let ((), addr) = unsafe {
            SockAddr::try_init(|storage, l| {
                std::ptr::copy_nonoverlapping(
                    (name as *const libc::sockaddr_storage).cast::<u8>(),
                    storage.cast::<u8>(),
                    len as usize,
                );
                *l = len;
                Ok(())
            })
        }?;
        out.push(Datagram {
            nbytes: m.msg_len as usize,
            msg_flags: m.msg_hdr.msg_flags,
            addr,
        });
    }
    Ok(n)
}

// ---- files (sendfile and its fallback) ----

/// The size of the file behind `fd`, if fstat(2) works on it.
pub fn file_size(fd: Fd) -> io::Result<u64> {
    let mut st = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes a whole struct stat into st when it succeeds.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstat succeeded, so st is initialized.
    let st = unsafe { st.assume_init() };
    Ok(st.st_size.max(0) as u64)
}

/// lseek(fd, offset, SEEK_SET).
pub fn seek(fd: Fd, offset: u64) -> io::Result<()> {
    let off = libc::off_t::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: lseek takes integers.
    if unsafe { libc::lseek(fd, off, libc::SEEK_SET) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// read(2) from the file's position.
pub fn read(fd: Fd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: buf is writable for its length.
    check_len(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) })
}

/// sendfile(2) of up to `count` bytes of `file` from `offset` to the socket.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn sendfile(sock: Fd, file: Fd, offset: u64, count: usize) -> io::Result<usize> {
    let mut off = libc::off_t::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: off is a valid off_t the kernel reads and updates.
    check_len(unsafe { libc::sendfile(sock, file, &mut off, count) })
}

/// sendfile(2) of macOS and FreeBSD, which sends from file `file` to socket
/// `sock` (the arguments the other way round from Linux's) and reports the
/// bytes sent through a pointer, also when it fails with EAGAIN or EINTR
/// after sending some: those count as sent, as CPython's os.sendfile has it.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub fn sendfile(sock: Fd, file: Fd, offset: u64, count: usize) -> io::Result<usize> {
    // A count of 0 would send up to the end of the file.
    if count == 0 {
        return Ok(0);
    }
    let off = libc::off_t::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // macOS reads the count from `sent` and writes what it sent there; FreeBSD
    // takes the count as an argument and only writes `sent`.
    #[cfg(target_vendor = "apple")]
    let mut sent = libc::off_t::try_from(count).unwrap_or(libc::off_t::MAX);
    #[cfg(target_vendor = "apple")]
    // SAFETY: `sent` is a valid off_t the call reads and writes; no headers or trailers.
    let rc = unsafe { libc::sendfile(file, sock, off, &mut sent, std::ptr::null_mut(), 0) };
    #[cfg(target_os = "freebsd")]
    let mut sent: libc::off_t = 0;
    #[cfg(target_os = "freebsd")]
    // SAFETY: `sent` is a valid off_t the call writes; no headers or trailers.
    let rc = unsafe { libc::sendfile(file, sock, off, count, std::ptr::null_mut(), &mut sent, 0) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        let partial = matches!(err.raw_os_error(), Some(libc::EAGAIN | libc::EINTR | libc::EBUSY));
        if !(partial && sent > 0) {
            return Err(err);
        }
    }
    Ok(usize::try_from(sent).unwrap_or(0))
}

/// No sendfile here: the caller falls back to read and send, as Python does.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd"
)))]
pub fn sendfile(_sock: Fd, _file: Fd, _offset: u64, _count: usize) -> io::Result<usize> {
    Err(io::Error::from_raw_os_error(libc::ENOSYS))
}
