//! The Unix system calls behind the portable core: thin wrappers that return
//! `io::Result`, with every `unsafe` at this edge.

pub mod constants;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod epoll;
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
mod kqueue;
mod msg;
pub mod netdb;
mod poller;
pub mod signals;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub use epoll::*;
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub use kqueue::*;
pub use msg::*;
pub use poller::Imp;

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;

use socket2::SockAddr;

use super::with_sockaddr;
use crate::addr::Address;
use crate::error::{Error, Result};

pub type Fd = libc::c_int;

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

fn check_len(rc: libc::ssize_t) -> io::Result<usize> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}

/// socket(2), always close-on-exec; non-blocking only if `ty` asks
/// (SOCK_NONBLOCK): the O_NONBLOCK flag follows the socket's mode.
pub fn socket(family: i32, ty: i32, proto: i32) -> io::Result<Fd> {
    // SAFETY: socket(2) takes plain integers.
    let fd = check(unsafe { libc::socket(family, ty | flags::ATOMIC, proto) })?;
    new_socket(fd)
}

pub fn socketpair(family: i32, ty: i32, proto: i32) -> io::Result<(Fd, Fd)> {
    let mut fds = [-1; 2];
    // SAFETY: socketpair(2) writes two fds into the array.
    check(unsafe { libc::socketpair(family, ty | flags::ATOMIC, proto, fds.as_mut_ptr()) })?;
    match new_socket(fds[0]) {
        Ok(a) => new_socket(fds[1]).map(|b| (a, b)),
        Err(e) => {
            let _ = close(fds[1]);
            Err(e)
        }
    }
}

/// The systems whose socket(2), socketpair(2), accept4(2) and pipe2(2) take
/// close-on-exec (and for the pipe non-blocking) as flags, so a new fd has
/// them from birth, and whose send calls take MSG_NOSIGNAL (EPIPE, never
/// SIGPIPE); build.rs lists them.
#[cfg(atomic_cloexec)]
mod flags {
    use super::Fd;

    pub const ATOMIC: i32 = libc::SOCK_CLOEXEC;
    pub const NOSIGNAL: i32 = libc::MSG_NOSIGNAL;

    /// # Safety
    /// `sa` and `len` describe writable sockaddr storage.
    pub unsafe fn accept(fd: Fd, sa: *mut libc::sockaddr, len: *mut libc::socklen_t) -> libc::c_int {
        // SAFETY: as the caller promises.
        unsafe { libc::accept4(fd, sa, len, ATOMIC) }
    }

    pub fn pipe(fds: &mut [Fd; 2]) -> libc::c_int {
        // SAFETY: pipe2 writes two fds into the array.
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) }
    }
}

/// Elsewhere (macOS) the plain calls, and `new_fd` sets the flags after with
/// fcntl, as CPython does there; SO_NOSIGPIPE stands for MSG_NOSIGNAL.
#[cfg(not(atomic_cloexec))]
mod flags {
    use super::Fd;

    pub const ATOMIC: i32 = 0;
    pub const NOSIGNAL: i32 = 0;

    /// # Safety
    /// `sa` and `len` describe writable sockaddr storage.
    pub unsafe fn accept(fd: Fd, sa: *mut libc::sockaddr, len: *mut libc::socklen_t) -> libc::c_int {
        // SAFETY: as the caller promises.
        unsafe { libc::accept(fd, sa, len) }
    }

    pub fn pipe(fds: &mut [Fd; 2]) -> libc::c_int {
        // SAFETY: pipe writes two fds into the array.
        unsafe { libc::pipe(fds.as_mut_ptr()) }
    }
}

pub(super) use flags::NOSIGNAL;

/// Makes a new fd close-on-exec, and the self-pipe's also non-blocking, where
/// the flags could not say so at birth. On failure the fd is closed.
fn new_fd(fd: Fd, nonblocking: bool) -> io::Result<Fd> {
    if flags::ATOMIC != 0 {
        return Ok(fd);
    }
    let setup = || {
        set_inheritable(fd, false)?;
        if nonblocking {
            set_nonblocking(fd, true)?;
        }
        Ok(())
    };
    match setup() {
        Ok(()) => Ok(fd),
        Err(e) => {
            let _ = close(fd);
            Err(e)
        }
    }
}

/// A new socket fd: `new_fd`, and on macOS and the BSDs SO_NOSIGPIPE, since
/// sendfile(2) and write(2) take no MSG_NOSIGNAL. On failure the fd is closed.
fn new_socket(fd: Fd) -> io::Result<Fd> {
    let fd = new_fd(fd, false)?;
    #[cfg(any(target_vendor = "apple", target_os = "freebsd", target_os = "dragonfly"))]
    if let Err(e) = setsockopt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_NOSIGPIPE,
        Some(&1i32.to_ne_bytes()),
        0,
    ) {
        let _ = close(fd);
        return Err(e);
    }
    Ok(fd)
}

pub fn close(fd: Fd) -> io::Result<()> {
    // SAFETY: closing an fd number the caller owns; the OS rejects a bad one with EBADF.
    match check(unsafe { libc::close(fd) }) {
        // After EINTR the fd is closed on Linux: retrying could close a reused number.
        Err(e) if e.raw_os_error() == Some(libc::EINTR) => Ok(()),
        r => r.map(|_| ()),
    }
}

pub fn dup(fd: Fd) -> io::Result<Fd> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) takes integers and returns a new fd.
    check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) })
}

pub fn get_inheritable(fd: Fd) -> io::Result<bool> {
    // SAFETY: F_GETFD takes integers.
    let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
    Ok(flags & libc::FD_CLOEXEC == 0)
}

pub fn set_inheritable(fd: Fd, inheritable: bool) -> io::Result<()> {
    // SAFETY: F_GETFD / F_SETFD take integers.
    let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
    let flags = if inheritable {
        flags & !libc::FD_CLOEXEC
    } else {
        flags | libc::FD_CLOEXEC
    };
    check(unsafe { libc::fcntl(fd, libc::F_SETFD, flags) }).map(|_| ())
}

/// Whether the fd's open file description has O_NONBLOCK.
pub fn get_nonblocking(fd: Fd) -> io::Result<bool> {
    // SAFETY: F_GETFL takes integers.
    let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    Ok(flags & libc::O_NONBLOCK != 0)
}

pub fn set_nonblocking(fd: Fd, nonblocking: bool) -> io::Result<()> {
    // SAFETY: F_GETFL / F_SETFL take integers.
    let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    let new = if nonblocking {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    if new != flags {
        check(unsafe { libc::fcntl(fd, libc::F_SETFL, new) })?;
    }
    Ok(())
}

pub fn getsockopt_int(fd: Fd, level: i32, opt: i32) -> io::Result<i32> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value and len describe a writable c_int.
    check(unsafe { libc::getsockopt(fd, level, opt, (&mut value as *mut i32).cast(), &mut len) })?;
    Ok(value)
}

pub fn getsockopt_bytes(fd: Fd, level: i32, opt: i32, buf: &mut [u8]) -> io::Result<usize> {
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: buf is writable for len bytes; the OS writes at most len and updates it.
    check(unsafe { libc::getsockopt(fd, level, opt, buf.as_mut_ptr().cast(), &mut len) })?;
    Ok((len as usize).min(buf.len()))
}

/// A socket's SO_SNDTIMEO (`writing`) or SO_RCVTIMEO: how long the kernel's
/// blocking call on it waits before it fails with EAGAIN; None for ever (zero).
pub fn kernel_timeout(fd: Fd, writing: bool) -> io::Result<Option<std::time::Duration>> {
    let opt = if writing {
        libc::SO_SNDTIMEO
    } else {
        libc::SO_RCVTIMEO
    };
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    let mut len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: tv is a writable timeval and len its size; the OS writes at most len bytes.
    check(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            (&mut tv as *mut libc::timeval).cast(),
            &mut len,
        )
    })?;
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(tv.tv_usec).unwrap_or(0).saturating_mul(1000);
    let d = std::time::Duration::new(secs, nanos.min(999_999_999));
    Ok((!d.is_zero()).then_some(d))
}

/// What a blocking call fails with once the kernel's timeout passes: EAGAIN (BlockingIOError).
pub const KERNEL_TIMED_OUT: i32 = libc::EAGAIN;

/// Whether the kernel's timeout limits a blocking accept: SO_RCVTIMEO does here.
pub const KERNEL_TIMEOUT_ACCEPT: bool = true;

/// setsockopt(2) with `value` as the option's bytes, or NULL and `len` when `value` is None.
pub fn setsockopt(fd: Fd, level: i32, opt: i32, value: Option<&[u8]>, len: usize) -> io::Result<()> {
    let ptr = value.map_or(std::ptr::null(), |v| v.as_ptr());
    let len = value.map_or(len, |v| v.len()) as libc::socklen_t;
    // SAFETY: ptr is either null or readable for len bytes.
    check(unsafe { libc::setsockopt(fd, level, opt, ptr.cast(), len) }).map(|_| ())
}

pub fn bind(fd: Fd, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: addr points at addr.len() bytes of sockaddr.
    check(unsafe { libc::bind(fd, addr.as_ptr().cast(), addr.len()) }).map(|_| ())
}

pub fn connect(fd: Fd, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: addr points at addr.len() bytes of sockaddr.
    check(unsafe { libc::connect(fd, addr.as_ptr().cast(), addr.len()) }).map(|_| ())
}

pub fn listen(fd: Fd, backlog: i32) -> io::Result<()> {
    // SAFETY: listen(2) takes integers.
    check(unsafe { libc::listen(fd, backlog) }).map(|_| ())
}

pub fn shutdown(fd: Fd, how: i32) -> io::Result<()> {
    // SAFETY: shutdown(2) takes integers.
    check(unsafe { libc::shutdown(fd, how) }).map(|_| ())
}

pub fn accept(fd: Fd) -> io::Result<(Fd, SockAddr)> {
    let (newfd, addr) = with_sockaddr(|sa, len| {
        // SAFETY: sa/len describe writable sockaddr storage.
        check(unsafe { flags::accept(fd, sa, len) })
    })?;
    Ok((new_socket(newfd)?, addr))
}

/// A close-on-exec, non-blocking pipe: (read end, write end).
pub fn pipe() -> io::Result<(Fd, Fd)> {
    let mut fds = [-1; 2];
    check(flags::pipe(&mut fds))?;
    match new_fd(fds[0], true) {
        Ok(r) => new_fd(fds[1], true).map(|w| (r, w)),
        Err(e) => {
            let _ = close(fds[1]);
            Err(e)
        }
    }
}

pub fn getsockname(fd: Fd) -> io::Result<SockAddr> {
    // SAFETY: sa/len describe writable sockaddr storage.
    with_sockaddr(|sa, len| check(unsafe { libc::getsockname(fd, sa, len) })).map(|(_, a)| a)
}

pub fn getpeername(fd: Fd) -> io::Result<SockAddr> {
    // SAFETY: sa/len describe writable sockaddr storage.
    with_sockaddr(|sa, len| check(unsafe { libc::getpeername(fd, sa, len) })).map(|(_, a)| a)
}

pub fn send(fd: Fd, data: &[u8], flags: i32) -> io::Result<usize> {
    // SAFETY: data is readable for its length.
    check_len(unsafe { libc::send(fd, data.as_ptr().cast(), data.len(), flags | NOSIGNAL) })
}

pub fn sendto(fd: Fd, data: &[u8], flags: i32, addr: &SockAddr) -> io::Result<usize> {
    let flags = flags | NOSIGNAL;
    // SAFETY: data is readable for its length; addr points at addr.len() bytes.
    check_len(unsafe {
        libc::sendto(
            fd,
            data.as_ptr().cast(),
            data.len(),
            flags,
            addr.as_ptr().cast(),
            addr.len(),
        )
    })
}

pub fn recv(fd: Fd, buf: &mut [MaybeUninit<u8>], flags: i32) -> io::Result<usize> {
    // SAFETY: buf is writable for its length; the OS writes at most that many bytes.
    check_len(unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) })
}

pub fn recvfrom(fd: Fd, buf: &mut [MaybeUninit<u8>], flags: i32) -> io::Result<(usize, SockAddr)> {
    with_sockaddr(|sa, len| {
        // SAFETY: buf is writable for its length; sa/len describe writable storage.
        check_len(unsafe { libc::recvfrom(fd, buf.as_mut_ptr().cast(), buf.len(), flags, sa, len) })
    })
}

/// A wait's time as the milliseconds poll(2) and epoll_wait(2) take: rounded
/// up, as CPython rounds it (a wait never ends early); -1 for ever.
pub fn timeout_ms(timeout: Option<std::time::Duration>) -> i32 {
    timeout.map_or(-1, |d| {
        i32::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
    })
}

/// poll(2) with a timeout (None: for ever); returns how many fds are ready. A
/// timeout with a part finer than a millisecond goes to ppoll on Linux
/// (Python's select waits in microseconds); the rest to poll, rounded up to
/// milliseconds.
pub fn poll(fds: &mut [libc::pollfd], timeout: Option<std::time::Duration>) -> io::Result<usize> {
    let nfds = fds.len() as libc::nfds_t;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(d) = timeout.filter(|d| d.subsec_nanos() % 1_000_000 != 0) {
        // musl marks time_t deprecated (it is to become 64-bit there); any width saturates.
        #[allow(deprecated)]
        let ts = libc::timespec {
            tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: d.subsec_nanos() as libc::c_long,
        };
        // SAFETY: fds is a valid array of pollfd of the length given; ts is a valid timespec.
        return check(unsafe { libc::ppoll(fds.as_mut_ptr(), nfds, &ts, std::ptr::null()) })
            .map(|n| n as usize);
    }
    let ms = timeout_ms(timeout);
    // SAFETY: fds is a valid array of pollfd of the length given.
    check(unsafe { libc::poll(fds.as_mut_ptr(), nfds, ms) }).map(|n| n as usize)
}

pub const POLLIN: i16 = libc::POLLIN;
pub const POLLOUT: i16 = libc::POLLOUT;
pub const EAGAIN: i32 = libc::EAGAIN;
pub const EINPROGRESS: i32 = libc::EINPROGRESS;
pub const EINTR: i32 = libc::EINTR;

/// The C library's message for an errno, as Python's `strerror`.
/// sethostname(2): `name`'s bytes as they are (NULs too: the kernel keeps `len` bytes).
pub fn sethostname(name: &[u8]) -> io::Result<()> {
    // SAFETY: the pointer and length describe `name`, which outlives the call; the
    // kernel only reads them. The length's C type differs (size_t on Linux, int on
    // macOS and FreeBSD): a name too long for an int is one the kernel refuses anyway.
    let rc = unsafe { libc::sethostname(name.as_ptr().cast(), name.len().min(i32::MAX as usize) as _) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub fn strerror(errno: i32) -> String {
    io::Error::from_raw_os_error(errno)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The C library's message for an h_errno code, as Python's herror carries it.
pub fn hstrerror(code: i32) -> String {
    // SAFETY: hstrerror returns a pointer to a static, NUL-terminated message
    // (or null, handled), for any code.
    let p = unsafe { libc::hstrerror(code) };
    if p.is_null() {
        return format!("Resolver Error {code}");
    }
    // SAFETY: checked non-null above; the string is static.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

pub fn gai_strerror(code: i32) -> String {
    // SAFETY: gai_strerror returns a static NUL-terminated string (or null).
    let p = unsafe { libc::gai_strerror(code) };
    if p.is_null() {
        return format!("Unknown error {code}");
    }
    // SAFETY: non-null, NUL-terminated and static.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// The family, type and protocol of an existing socket (for `socket(fileno=fd)`).
pub fn socket_info(fd: Fd) -> io::Result<(i32, i32, i32)> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let family = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN)?;
        let ty = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE)?;
        let proto = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL)?;
        Ok((family, ty, proto))
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let family = i32::from(getsockname(fd)?.family());
        let ty = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE)?;
        Ok((family, ty, 0))
    }
}

/// A `sockaddr` of the C struct `T` (sockaddr_nl, sockaddr_vm, sockaddr_ll),
/// zeroed, then filled in by `fill`; its length is the struct's.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn linux_sockaddr<T>(fill: impl FnOnce(&mut T)) -> Result<SockAddr> {
    const { assert!(std::mem::size_of::<T>() <= std::mem::size_of::<libc::sockaddr_storage>()) };
    // SAFETY: T is one of the kernel's sockaddr structs: plain integers and
    // byte arrays, valid all zero, no larger than the zeroed sockaddr_storage
    // (checked above) and no more aligned than it.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            fill(&mut *storage.cast::<T>());
            *len = std::mem::size_of::<T>() as libc::socklen_t;
            Ok(())
        })
    }
    .map_err(|e| Error::io(&e, "bind"))?;
    Ok(addr)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn netlink_sockaddr(pid: u32, groups: u32) -> Result<SockAddr> {
    linux_sockaddr(|nl: &mut libc::sockaddr_nl| {
        nl.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        nl.nl_pid = pid;
        nl.nl_groups = groups;
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn vsock_sockaddr(cid: u32, port: u32) -> Result<SockAddr> {
    linux_sockaddr(|vm: &mut libc::sockaddr_vm| {
        vm.svm_family = libc::AF_VSOCK as libc::sa_family_t;
        vm.svm_cid = cid;
        vm.svm_port = port;
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn packet_sockaddr(ifname: &str, proto: u16, pkttype: u8, hatype: u16, hw: &[u8]) -> Result<SockAddr> {
    let name = std::ffi::CString::new(ifname).map_err(|_| Error::value("embedded null character"))?;
    // SAFETY: the name is NUL-terminated.
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if ifindex == 0 {
        return Err(Error::last("if_nametoindex"));
    }
    if hw.len() > 8 {
        return Err(Error::value("Hardware address must be 8 bytes or less"));
    }
    linux_sockaddr(|ll: &mut libc::sockaddr_ll| {
        ll.sll_family = libc::AF_PACKET as u16;
        ll.sll_protocol = proto.to_be();
        ll.sll_ifindex = ifindex as i32;
        ll.sll_pkttype = pkttype;
        ll.sll_hatype = hatype;
        ll.sll_halen = hw.len() as u8;
        // At most 8 bytes (checked above), sll_addr's size.
        ll.sll_addr[..hw.len()].copy_from_slice(hw);
    })
}

/// Decodes the Linux families Python decodes beyond inet and unix.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn decode_other(addr: &SockAddr) -> Option<Address> {
    match i32::from(addr.family()) {
        libc::AF_NETLINK => {
            // SAFETY: an AF_NETLINK address holds a sockaddr_nl.
            let nl = unsafe { &*addr.as_ptr().cast::<libc::sockaddr_nl>() };
            Some(Address::Netlink {
                pid: nl.nl_pid,
                groups: nl.nl_groups,
            })
        }
        libc::AF_VSOCK => {
            // SAFETY: an AF_VSOCK address holds a sockaddr_vm.
            let vm = unsafe { &*addr.as_ptr().cast::<libc::sockaddr_vm>() };
            Some(Address::Vsock {
                cid: vm.svm_cid,
                port: vm.svm_port,
            })
        }
        libc::AF_PACKET => {
            // SAFETY: an AF_PACKET address holds a sockaddr_ll.
            let ll = unsafe { &*addr.as_ptr().cast::<libc::sockaddr_ll>() };
            let mut name = [0 as libc::c_char; libc::IF_NAMESIZE];
            // SAFETY: name has IF_NAMESIZE bytes, as if_indextoname requires.
            let p = unsafe { libc::if_indextoname(ll.sll_ifindex as u32, name.as_mut_ptr()) };
            let ifname = if p.is_null() {
                String::new()
            } else {
                // SAFETY: if_indextoname wrote a NUL-terminated name.
                unsafe { CStr::from_ptr(name.as_ptr()) }
                    .to_string_lossy()
                    .into_owned()
            };
            let halen = usize::from(ll.sll_halen).min(ll.sll_addr.len());
            Some(Address::Packet {
                ifname,
                proto: u16::from_be(ll.sll_protocol),
                pkttype: ll.sll_pkttype,
                hatype: ll.sll_hatype,
                addr: ll.sll_addr[..halen].to_vec(),
            })
        }
        _ => None,
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn netlink_sockaddr(_pid: u32, _groups: u32) -> Result<SockAddr> {
    Err(Error::os(libc::EAFNOSUPPORT, "bind"))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn vsock_sockaddr(_cid: u32, _port: u32) -> Result<SockAddr> {
    Err(Error::os(libc::EAFNOSUPPORT, "bind"))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn packet_sockaddr(_: &str, _: u16, _: u8, _: u16, _: &[u8]) -> Result<SockAddr> {
    Err(Error::os(libc::EAFNOSUPPORT, "bind"))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn decode_other(_addr: &SockAddr) -> Option<Address> {
    None
}

// The address-text functions of the C library, which the libc crate does not declare.
extern "C" {
    pub fn inet_pton(af: libc::c_int, src: *const libc::c_char, dst: *mut libc::c_void) -> libc::c_int;
    pub fn inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
    pub fn inet_aton(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
}

pub const AF_INET: i32 = libc::AF_INET;
pub const AF_INET6: i32 = libc::AF_INET6;
pub const AF_UNIX: i32 = libc::AF_UNIX;
pub const EAFNOSUPPORT: i32 = libc::EAFNOSUPPORT;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const AF_NETLINK: i32 = libc::AF_NETLINK;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const AF_PACKET: i32 = libc::AF_PACKET;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const AF_VSOCK: i32 = libc::AF_VSOCK;
// Families this OS lacks: values no socket can have, so no address matches them.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const AF_NETLINK: i32 = -1;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const AF_PACKET: i32 = -2;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const AF_VSOCK: i32 = -3;
