//! The Winsock calls behind the portable core, with the signatures of the Unix
//! layer (sys/unix/) and every `unsafe` at this edge.
//!
//! A socket is a Winsock SOCKET handle; the core and JavaScript see it as the
//! number `Fd` (an i32, as Python's `fileno()` is the handle's value). Handle
//! values are small multiples of four, far below i32::MAX; a handle that would
//! not fit is closed and reported as WSAEMFILE. Errors are the Winsock codes,
//! which are the socket errno values of Python on Windows (see c.rs).

pub mod c;
pub mod constants;
mod msg;
pub mod netdb;
mod poller;
pub mod signals;

pub use msg::*;
pub use poller::Imp;

use std::ffi::c_char;
use std::io;
use std::mem::{self, MaybeUninit};
use std::ptr;
use std::sync::Once;
use std::time::Duration;

use socket2::SockAddr;
use windows_sys::Win32::Foundation::{
    GetHandleInformation, SetHandleInformation, HANDLE, HANDLE_FLAG_INHERIT,
};
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::Threading::GetCurrentProcessId;

use super::with_sockaddr;
use crate::addr::Address;
use crate::error::{Error, Result};

pub type Fd = i32;

/// The SOCKET handle of an fd number (-1 stays INVALID_SOCKET).
pub fn handle(fd: Fd) -> ws::SOCKET {
    fd as isize as ws::SOCKET
}

/// Winsock's one-time start, before the first call that needs it.
pub(crate) fn startup() {
    static START: Once = Once::new();
    START.call_once(|| {
        // SAFETY: WSADATA is plain data that WSAStartup fills.
        let mut data: ws::WSADATA = unsafe { mem::zeroed() };
        // SAFETY: `data` is writable. A failure shows in the first socket call
        // as WSANOTINITIALISED, which is the honest error to report.
        unsafe { ws::WSAStartup(0x0202, &mut data) };
    });
}

fn last_error() -> io::Error {
    // SAFETY: WSAGetLastError takes nothing and reads the thread's error.
    io::Error::from_raw_os_error(unsafe { ws::WSAGetLastError() })
}

fn check(rc: i32) -> io::Result<i32> {
    if rc == ws::SOCKET_ERROR {
        Err(last_error())
    } else {
        Ok(rc)
    }
}

/// The error of a call Windows does not have, with a message that names it.
pub(crate) fn unsupported(call: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{call} is not available on Windows"),
    )
}

/// A buffer length as Winsock takes it: at most i32::MAX bytes per call.
fn len_i32(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

/// Takes a new SOCKET as an fd: non-blocking (blocking calls wait in poll)
/// and not inherited by child processes, as every bsdsock socket.
fn adopt_new(s: ws::SOCKET) -> io::Result<Fd> {
    if s == ws::INVALID_SOCKET {
        return Err(last_error());
    }
    let setup = || -> io::Result<Fd> {
        let fd = Fd::try_from(s).map_err(|_| io::Error::from_raw_os_error(ws::WSAEMFILE))?;
        set_nonblocking(fd, true)?;
        set_inheritable(fd, false)?;
        Ok(fd)
    };
    setup().inspect_err(|_| {
        // SAFETY: `s` is the socket just created, closed once here.
        unsafe { ws::closesocket(s) };
    })
}

/// WSASocketW with Python's flags: overlapped, never inherited.
fn wsa_socket(family: i32, ty: i32, proto: i32, info: *const ws::WSAPROTOCOL_INFOW) -> io::Result<Fd> {
    startup();
    let flags = ws::WSA_FLAG_OVERLAPPED | ws::WSA_FLAG_NO_HANDLE_INHERIT;
    // SAFETY: integers, and `info` null or a protocol description WSADuplicateSocketW filled.
    adopt_new(unsafe { ws::WSASocketW(family, ty, proto, info, 0, flags) })
}

pub fn socket(family: i32, ty: i32, proto: i32) -> io::Result<Fd> {
    wsa_socket(family, ty, proto, ptr::null())
}

/// socketpair() as Python makes it on Windows (Lib/socket.py): a listener on
/// the loopback address, a connection to it, and the accepted end, checked
/// to be that connection.
pub fn socketpair(family: i32, ty: i32, proto: i32) -> io::Result<(Fd, Fd)> {
    let loopback: std::net::SocketAddr = match family {
        c::AF_INET => (std::net::Ipv4Addr::LOCALHOST, 0).into(),
        c::AF_INET6 => (std::net::Ipv6Addr::LOCALHOST, 0).into(),
        _ => {
            return Err(unsupported(
                "socketpair() of a family other than AF_INET and AF_INET6",
            ))
        }
    };
    if ty != c::SOCK_STREAM || (proto != 0 && proto != c::IPPROTO_TCP) {
        return Err(unsupported("socketpair() of a type other than SOCK_STREAM"));
    }
    let listener = socket(family, ty, proto)?;
    let pair = connected_pair(listener, family, ty, proto, &SockAddr::from(loopback));
    close(listener)?;
    pair
}

/// A connected pair through `listener`, bound and listening on `at`.
fn connected_pair(listener: Fd, family: i32, ty: i32, proto: i32, at: &SockAddr) -> io::Result<(Fd, Fd)> {
    bind(listener, at)?;
    listen(listener, 1)?;
    let addr = getsockname(listener)?;
    let client = socket(family, ty, proto)?;
    let accepted = connect_to_listener(listener, client, &addr);
    match accepted {
        Ok(server) => Ok((server, client)),
        Err(e) => {
            let _ = close(client);
            Err(e)
        }
    }
}

fn connect_to_listener(listener: Fd, client: Fd, addr: &SockAddr) -> io::Result<Fd> {
    match connect(client, addr) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(ws::WSAEWOULDBLOCK) => {}
        Err(e) => return Err(e),
    }
    let mut fds = [pollfd(listener, c::POLLIN)];
    poll(&mut fds, None)?;
    let (server, _) = accept(listener)?;
    let mut fds = [pollfd(client, c::POLLOUT)];
    poll(&mut fds, None)?;
    // Another process may have connected first: the pair must be each other's peer.
    let same = getsockname(client)?.as_socket() == getpeername(server)?.as_socket();
    if !same {
        let _ = close(server);
        return Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "Unexpected peer connection",
        ));
    }
    Ok(server)
}

pub fn close(fd: Fd) -> io::Result<()> {
    // SAFETY: closing a handle the caller owns; Winsock rejects a bad one with WSAENOTSOCK.
    check(unsafe { ws::closesocket(handle(fd)) }).map(|_| ())
}

/// A second handle to the socket, as Python's `dup()` on Windows: the socket's
/// protocol description, duplicated for this process, opened again.
pub fn dup(fd: Fd) -> io::Result<Fd> {
    // SAFETY: GetCurrentProcessId takes nothing.
    let info = duplicate_for(fd, unsafe { GetCurrentProcessId() })?;
    let from_info = ws::FROM_PROTOCOL_INFO;
    wsa_socket(from_info, from_info, from_info, &info)
}

/// The protocol description of a duplicate of the socket for process `pid`.
fn duplicate_for(fd: Fd, pid: u32) -> io::Result<ws::WSAPROTOCOL_INFOW> {
    // SAFETY: WSAPROTOCOL_INFOW is plain data that WSADuplicateSocketW fills.
    let mut info: ws::WSAPROTOCOL_INFOW = unsafe { mem::zeroed() };
    // SAFETY: `info` is writable; Winsock checks the socket and the process id.
    check(unsafe { ws::WSADuplicateSocketW(handle(fd), pid, &mut info) })?;
    Ok(info)
}

/// How many bytes `share` gives: a WSAPROTOCOL_INFOW.
pub const SHARE_SIZE: usize = mem::size_of::<ws::WSAPROTOCOL_INFOW>();

/// Python's `socket.share(pid)`: the protocol description of a duplicate of
/// the socket made for process `pid`, as bytes that `fromshare` opens there.
pub fn share(fd: Fd, pid: u32) -> io::Result<Vec<u8>> {
    let info = duplicate_for(fd, pid)?;
    // SAFETY: WSAPROTOCOL_INFOW is plain data, read as bytes for its own size.
    let bytes = unsafe {
        std::slice::from_raw_parts((&info as *const ws::WSAPROTOCOL_INFOW).cast::<u8>(), SHARE_SIZE)
    };
    Ok(bytes.to_vec())
}

/// Python's `socket.fromshare(data)`: the socket a `share` for this process
/// described, opened, with its family, type and protocol. `data` must be
/// SHARE_SIZE bytes (WSAEINVAL otherwise).
pub fn fromshare(data: &[u8]) -> io::Result<(Fd, i32, i32, i32)> {
    if data.len() != SHARE_SIZE {
        return Err(io::Error::from_raw_os_error(ws::WSAEINVAL));
    }
    // SAFETY: WSAPROTOCOL_INFOW is plain data, for which any bytes are a value.
    let mut info: ws::WSAPROTOCOL_INFOW = unsafe { mem::zeroed() };
    // SAFETY: `data` holds exactly SHARE_SIZE bytes, the size of `info`, and they do not overlap.
    unsafe {
        ptr::copy_nonoverlapping(
            data.as_ptr(),
            (&mut info as *mut ws::WSAPROTOCOL_INFOW).cast::<u8>(),
            SHARE_SIZE,
        )
    };
    let from_info = ws::FROM_PROTOCOL_INFO;
    let fd = wsa_socket(from_info, from_info, from_info, &info)?;
    Ok((fd, info.iAddressFamily, info.iSocketType, info.iProtocol))
}

/// Python's `socket.ioctl(control, option)`: WSAIoctl with `input` and no
/// output buffer; the count of bytes Winsock reports it returned.
pub fn ioctl(fd: Fd, control: u32, input: &[u8]) -> io::Result<u32> {
    let mut returned = 0u32;
    // SAFETY: `input` is readable for its length; there is no output buffer, no
    // overlapped structure and no completion routine, so the call is synchronous.
    check(unsafe {
        ws::WSAIoctl(
            handle(fd),
            control,
            input.as_ptr().cast(),
            input.len() as u32,
            ptr::null_mut(),
            0,
            &mut returned,
            ptr::null_mut(),
            None,
        )
    })?;
    Ok(returned)
}

pub fn get_inheritable(fd: Fd) -> io::Result<bool> {
    let mut flags = 0u32;
    // SAFETY: a SOCKET is a kernel handle; `flags` is writable.
    if unsafe { GetHandleInformation(handle(fd) as HANDLE, &mut flags) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & HANDLE_FLAG_INHERIT != 0)
}

pub fn set_inheritable(fd: Fd, inheritable: bool) -> io::Result<()> {
    let flags = if inheritable { HANDLE_FLAG_INHERIT } else { 0 };
    // SAFETY: a SOCKET is a kernel handle; the mask and flags are integers.
    if unsafe { SetHandleInformation(handle(fd) as HANDLE, HANDLE_FLAG_INHERIT, flags) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub fn set_nonblocking(fd: Fd, nonblocking: bool) -> io::Result<()> {
    let mut on = u32::from(nonblocking);
    // SAFETY: FIONBIO reads the u32 it is given.
    check(unsafe { ws::ioctlsocket(handle(fd), ws::FIONBIO, &mut on) }).map(|_| ())
}

pub fn getsockopt_int(fd: Fd, level: i32, opt: i32) -> io::Result<i32> {
    let mut value = [0u8; 4];
    getsockopt_bytes(fd, level, opt, &mut value)?;
    Ok(i32::from_ne_bytes(value))
}

pub fn getsockopt_bytes(fd: Fd, level: i32, opt: i32, buf: &mut [u8]) -> io::Result<usize> {
    let mut len = len_i32(buf.len());
    // SAFETY: buf is writable for len bytes; Winsock writes at most len and updates it.
    check(unsafe { ws::getsockopt(handle(fd), level, opt, buf.as_mut_ptr(), &mut len) })?;
    Ok(usize::try_from(len).unwrap_or(0).min(buf.len()))
}

/// setsockopt with `value` as the option's bytes, or NULL and `len` when `value` is None.
pub fn setsockopt(fd: Fd, level: i32, opt: i32, value: Option<&[u8]>, len: usize) -> io::Result<()> {
    let ptr = value.map_or(ptr::null(), |v| v.as_ptr());
    let len = len_i32(value.map_or(len, |v| v.len()));
    // SAFETY: ptr is either null or readable for len bytes.
    check(unsafe { ws::setsockopt(handle(fd), level, opt, ptr, len) }).map(|_| ())
}

pub fn bind(fd: Fd, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: addr points at addr.len() bytes of sockaddr.
    check(unsafe { ws::bind(handle(fd), addr.as_ptr().cast(), addr.len()) }).map(|_| ())
}

pub fn connect(fd: Fd, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: addr points at addr.len() bytes of sockaddr.
    check(unsafe { ws::connect(handle(fd), addr.as_ptr().cast(), addr.len()) }).map(|_| ())
}

pub fn listen(fd: Fd, backlog: i32) -> io::Result<()> {
    // SAFETY: listen takes integers.
    check(unsafe { ws::listen(handle(fd), backlog) }).map(|_| ())
}

pub fn shutdown(fd: Fd, how: i32) -> io::Result<()> {
    // SAFETY: shutdown takes integers (SHUT_RD/WR/RDWR are SD_RECEIVE/SEND/BOTH).
    check(unsafe { ws::shutdown(handle(fd), how) }).map(|_| ())
}

pub fn accept(fd: Fd) -> io::Result<(Fd, SockAddr)> {
    // SAFETY: sa/len describe writable sockaddr storage.
    with_sockaddr(|sa, len| adopt_new(unsafe { ws::accept(handle(fd), sa, len) }))
}

pub fn getsockname(fd: Fd) -> io::Result<SockAddr> {
    // SAFETY: sa/len describe writable sockaddr storage.
    with_sockaddr(|sa, len| check(unsafe { ws::getsockname(handle(fd), sa, len) })).map(|(_, a)| a)
}

pub fn getpeername(fd: Fd) -> io::Result<SockAddr> {
    // SAFETY: sa/len describe writable sockaddr storage.
    with_sockaddr(|sa, len| check(unsafe { ws::getpeername(handle(fd), sa, len) })).map(|(_, a)| a)
}

fn sent(rc: i32) -> io::Result<usize> {
    check(rc).map(|n| n as usize)
}

pub fn send(fd: Fd, data: &[u8], flags: i32) -> io::Result<usize> {
    // SAFETY: data is readable for the length passed (at most its own).
    sent(unsafe { ws::send(handle(fd), data.as_ptr(), len_i32(data.len()), flags) })
}

pub fn sendto(fd: Fd, data: &[u8], flags: i32, addr: &SockAddr) -> io::Result<usize> {
    let len = len_i32(data.len());
    // SAFETY: data is readable for len bytes; addr points at addr.len() bytes.
    sent(unsafe {
        ws::sendto(
            handle(fd),
            data.as_ptr(),
            len,
            flags,
            addr.as_ptr().cast(),
            addr.len(),
        )
    })
}

/// The flags Winsock gets for a receive: never MSG_WAITALL, which it refuses
/// on a non-blocking socket (WSAEOPNOTSUPP), and which the core makes itself
/// in blocking mode (sock.rs's recv_all) as on Unix.
fn recv_flags(flags: i32) -> i32 {
    flags & !c::MSG_WAITALL
}

pub fn recv(fd: Fd, buf: &mut [MaybeUninit<u8>], flags: i32) -> io::Result<usize> {
    let (len, flags) = (len_i32(buf.len()), recv_flags(flags));
    // SAFETY: buf is writable for len bytes; Winsock writes at most that many.
    sent(unsafe { ws::recv(handle(fd), buf.as_mut_ptr().cast(), len, flags) })
}

pub fn recvfrom(fd: Fd, buf: &mut [MaybeUninit<u8>], flags: i32) -> io::Result<(usize, SockAddr)> {
    let (len, flags) = (len_i32(buf.len()), recv_flags(flags));
    with_sockaddr(|sa, salen| {
        // SAFETY: buf is writable for len bytes; sa/salen describe writable storage.
        sent(unsafe { ws::recvfrom(handle(fd), buf.as_mut_ptr().cast(), len, flags, sa, salen) })
    })
}

/// Whether send/recv flags ask the call not to wait: Winsock has no
/// MSG_DONTWAIT, so none do.
pub fn dontwait(_flags: i32) -> bool {
    false
}

/// Whether the kernel never makes a receive with these flags wait: Winsock's
/// calls have no such flag.
pub fn never_waits(_flags: i32) -> bool {
    false
}

/// No call takes MSG_DONTWAIT here: the socket stays non-blocking underneath.
pub const DONTWAIT: i32 = 0;

/// The socket's non-blocking mode does not follow its Python mode here (see sys/mod.rs).
pub const MODE_FLAG: bool = false;

/// A socket's SO_SNDTIMEO (`writing`) or SO_RCVTIMEO, a DWORD of
/// milliseconds: how long Winsock's blocking send or receive waits before it
/// fails with WSAETIMEDOUT; None for ever (zero). Sockets here stay
/// non-blocking underneath, so bsdsock's waits keep it themselves.
pub fn kernel_timeout(fd: Fd, writing: bool) -> io::Result<Option<Duration>> {
    let opt = if writing { ws::SO_SNDTIMEO } else { ws::SO_RCVTIMEO };
    let ms = getsockopt_int(fd, ws::SOL_SOCKET, opt)? as u32;
    Ok((ms != 0).then(|| Duration::from_millis(u64::from(ms))))
}

/// What a blocking call fails with once the kernel's timeout passes: WSAETIMEDOUT (TimeoutError).
pub const KERNEL_TIMED_OUT: i32 = ws::WSAETIMEDOUT;

/// Whether the kernel's timeout limits a blocking accept: not on Windows,
/// where SO_RCVTIMEO is the receives' alone.
pub const KERNEL_TIMEOUT_ACCEPT: bool = false;

/// Whether the socket is non-blocking underneath: always, as bsdsock makes every socket here.
pub fn get_nonblocking(_fd: Fd) -> io::Result<bool> {
    Ok(true)
}

/// A poll entry for `fd`.
pub fn pollfd(fd: Fd, events: i16) -> c::pollfd {
    c::pollfd {
        fd: handle(fd),
        events,
        revents: 0,
    }
}

/// The events WSAPoll accepts (it fails with WSAEINVAL on any other bit):
/// out-of-band data, POLLPRI elsewhere, is POLLRDBAND here.
fn wsapoll_events(events: i16) -> i16 {
    let wanted = if events & c::POLLPRI != 0 {
        events | c::POLLRDBAND
    } else {
        events
    };
    wanted & (c::POLLRDNORM | c::POLLRDBAND | c::POLLWRNORM)
}

/// Sleeps for `timeout` (for ever if None): a wait on no socket at all.
fn sleep(timeout: Option<Duration>) {
    match timeout {
        Some(d) => std::thread::sleep(d),
        None => loop {
            std::thread::sleep(Duration::from_secs(u64::from(u32::MAX)));
        },
    }
}

/// Milliseconds for a wait, rounded up (-1: for ever).
fn timeout_ms(timeout: Option<Duration>) -> i32 {
    timeout.map_or(-1, |d| {
        i32::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
    })
}

/// WSAPoll with a timeout (None: for ever); returns how many sockets are ready.
/// It serves poll objects (Python has none on Windows); the socket calls
/// wait with `wait_socket`. WSAPoll of Windows before 10 version 2004 does
/// not report a connection that failed.
pub fn poll(fds: &mut [c::pollfd], timeout: Option<Duration>) -> io::Result<usize> {
    if fds.is_empty() {
        sleep(timeout);
        return Ok(0);
    }
    for p in fds.iter_mut() {
        p.events = wsapoll_events(p.events);
    }
    let count = u32::try_from(fds.len()).unwrap_or(u32::MAX);
    // SAFETY: fds is a valid array of WSAPOLLFD of the length given.
    check(unsafe { ws::WSAPoll(fds.as_mut_ptr(), count, timeout_ms(timeout)) }).map(|n| n as usize)
}

/// An fd_set of any size: Winsock reads `fd_count` entries, so the set is a
/// count followed by that many handles, laid out as FD_SET.
struct FdSet(Vec<ws::SOCKET>);

impl FdSet {
    fn new(fds: &[Fd]) -> FdSet {
        let mut v = Vec::with_capacity(fds.len() + 1);
        v.push(fds.len() as ws::SOCKET);
        v.extend(fds.iter().map(|&fd| handle(fd)));
        FdSet(v)
    }

    fn ptr(&mut self) -> *mut ws::FD_SET {
        if self.0.len() == 1 {
            ptr::null_mut()
        } else {
            self.0.as_mut_ptr().cast()
        }
    }

    /// Leaves in `fds` the entries select reported; the others become -1.
    fn keep_ready(&self, fds: &mut [Fd]) -> usize {
        let count = (self.0[0] as u32 as usize).min(self.0.len() - 1);
        let ready = &self.0[1..=count];
        let mut n = 0;
        for fd in fds.iter_mut() {
            if ready.contains(&handle(*fd)) {
                n += 1;
            } else {
                *fd = -1;
            }
        }
        n
    }
}

/// select(rlist, wlist, xlist, timeout) with Winsock's select, as Python on
/// Windows (with no FD_SETSIZE limit): entries not ready become -1; returns
/// how many are ready. A failed connect shows in the exceptional list.
pub fn select(r: &mut [Fd], w: &mut [Fd], x: &mut [Fd], timeout: Option<Duration>) -> io::Result<usize> {
    if r.is_empty() && w.is_empty() && x.is_empty() {
        sleep(timeout);
        return Ok(0);
    }
    startup();
    let mut sets = [FdSet::new(r), FdSet::new(w), FdSet::new(x)];
    let tv = timeout.map(|d| ws::TIMEVAL {
        tv_sec: i32::try_from(d.as_secs()).unwrap_or(i32::MAX),
        tv_usec: d.subsec_micros() as i32,
    });
    let tv_ptr = tv.as_ref().map_or(ptr::null(), |t| t as *const ws::TIMEVAL);
    let [rs, wsets, xs] = &mut sets;
    // SAFETY: each set is null or a count followed by that many handles; the
    // timeout is null or a valid TIMEVAL; all live for the call.
    check(unsafe { ws::select(0, rs.ptr(), wsets.ptr(), xs.ptr(), tv_ptr) })?;
    Ok(sets[0].keep_ready(r) + sets[1].keep_ready(w) + sets[2].keep_ready(x))
}

/// Waits until the socket has one of `events` (poll bits) or `timeout`
/// passes, with Winsock's select as Python waits on Windows: readable for
/// POLLIN, writable for POLLOUT, and the exceptional set for POLLOUT (a
/// connect that failed) and POLLPRI (out-of-band data). Returns how many sets
/// report it: 0 when the time ran out.
pub fn wait_socket(fd: Fd, events: i16, timeout: Option<Duration>) -> io::Result<usize> {
    let one = [fd];
    let none: [Fd; 0] = [];
    let pick = |wanted: i16| if events & wanted != 0 { &one[..] } else { &none[..] };
    let (mut r, mut w) = (pick(c::POLLIN).to_vec(), pick(c::POLLOUT).to_vec());
    let mut x = pick(c::POLLOUT | c::POLLPRI).to_vec();
    select(&mut r, &mut w, &mut x, timeout)
}

pub const POLLIN: i16 = c::POLLIN;
pub const POLLOUT: i16 = c::POLLOUT;
/// What a call that would block reports.
pub const EAGAIN: i32 = ws::WSAEWOULDBLOCK;
/// What a non-blocking connect reports while it goes on: WSAEWOULDBLOCK, as Python sees.
pub const EINPROGRESS: i32 = ws::WSAEWOULDBLOCK;
pub const EINTR: i32 = ws::WSAEINTR;

/// The message Python gives with `code` on Windows. A Winsock code (10000 to
/// 11999, which Python raises as `[WinError N]`, as ts/errors.ts does) has the
/// system's message as CPython's PyErr_SetExcFromWindowsErr makes it:
/// FormatMessageW, less its trailing spaces, line ends and dots, or "Windows
/// Error 0x..." when the system has none. Any other code is a C errno, whose
/// message is the C runtime's strerror, as CPython's `OSError(errno)` shows
/// (FormatMessageW would read 9, EBADF, as ERROR_INVALID_BLOCK).
pub fn strerror(code: i32) -> String {
    if (10000..12000).contains(&code) {
        return system_message(code as u32).unwrap_or_else(|| format!("Windows Error 0x{code:x}"));
    }
    // SAFETY: strerror takes any int and returns the C runtime's NUL-terminated
    // message (or null, handled) in storage that stays valid until this
    // thread's next strerror call; it is copied before that.
    let p = unsafe { libc::strerror(code) };
    if p.is_null() {
        return format!("Unknown error {code}");
    }
    // SAFETY: non-null and NUL-terminated, as above.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

/// The system's message for a Windows error code, as CPython asks for it.
fn system_message(code: u32) -> Option<String> {
    use windows_sys::Win32::System::Diagnostics::Debug::{
        FormatMessageW, FORMAT_MESSAGE_FROM_SYSTEM, FORMAT_MESSAGE_IGNORE_INSERTS,
    };
    // MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), as CPython passes.
    const LANG: u32 = 0x0400;
    let mut buf = [0u16; 1024];
    let flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
    // SAFETY: `buf` is writable for the length in u16s passed as nsize; with
    // IGNORE_INSERTS no arguments are read, so none are given.
    let len = unsafe {
        FormatMessageW(
            flags,
            ptr::null(),
            code,
            LANG,
            buf.as_mut_ptr(),
            buf.len() as u32,
            ptr::null(),
        )
    } as usize;
    if len == 0 {
        return None;
    }
    let mut text = &buf[..len.min(buf.len())];
    while let Some((&last, rest)) = text.split_last() {
        if last > u16::from(b' ') && last != u16::from(b'.') {
            break;
        }
        text = rest;
    }
    Some(String::from_utf16_lossy(text))
}

/// The message of a resolver error: Windows has no hstrerror, and Python
/// there says "host not found" whatever the code.
pub fn hstrerror(_code: i32) -> String {
    "host not found".to_string()
}

/// A resolver error's message. Windows has no gai_strerror to link against
/// (ws2tcpip.h's is an inline function), and Python there says
/// "getaddrinfo failed" whatever the code, which the errno carries.
pub fn gai_strerror(_code: i32) -> String {
    "getaddrinfo failed".to_string()
}

/// The family, type and protocol of an existing socket (for `socket(fileno=fd)`),
/// from its protocol description, as Python does on Windows.
pub fn socket_info(fd: Fd) -> io::Result<(i32, i32, i32)> {
    startup();
    // SAFETY: WSAPROTOCOL_INFOW is plain data; getsockopt fills it.
    let mut info: ws::WSAPROTOCOL_INFOW = unsafe { mem::zeroed() };
    let mut len = mem::size_of::<ws::WSAPROTOCOL_INFOW>() as i32;
    let opt = ws::SO_PROTOCOL_INFOW;
    // SAFETY: `info` is writable for len bytes.
    check(unsafe {
        ws::getsockopt(
            handle(fd),
            c::SOL_SOCKET,
            opt,
            (&mut info as *mut ws::WSAPROTOCOL_INFOW).cast(),
            &mut len,
        )
    })?;
    Ok((info.iAddressFamily, info.iSocketType, info.iProtocol))
}

pub fn netlink_sockaddr(_pid: u32, _groups: u32) -> Result<SockAddr> {
    Err(Error::os(c::EAFNOSUPPORT, "bind"))
}

pub fn packet_sockaddr(_: &str, _: u16, _: u8, _: u16, _: &[u8]) -> Result<SockAddr> {
    Err(Error::os(c::EAFNOSUPPORT, "bind"))
}

pub fn vsock_sockaddr(_cid: u32, _port: u32) -> Result<SockAddr> {
    Err(Error::os(c::EAFNOSUPPORT, "bind"))
}

pub fn decode_other(_addr: &SockAddr) -> Option<Address> {
    None
}

/// inet_pton(3).
///
/// # Safety
/// `src` NUL-terminated; `dst` writable for the family's address size.
pub unsafe fn inet_pton(af: i32, src: *const c_char, dst: *mut c::c_void) -> i32 {
    startup();
    ws::inet_pton(af, src.cast(), dst)
}

/// inet_ntop(3).
///
/// # Safety
/// `src` readable for the family's address size; `dst` writable for `size` bytes.
pub unsafe fn inet_ntop(
    af: i32,
    src: *const c::c_void,
    dst: *mut c_char,
    size: c::socklen_t,
) -> *const c_char {
    startup();
    ws::inet_ntop(af, src, dst.cast(), usize::try_from(size).unwrap_or(0)).cast()
}

/// inet_aton as Python makes it where the C library has none: inet_addr, whose
/// failure value is also the address 255.255.255.255, which is accepted by name.
///
/// # Safety
/// `cp` NUL-terminated; `inp` writable.
pub unsafe fn inet_aton(cp: *const c_char, inp: *mut c::in_addr) -> i32 {
    startup();
    if std::ffi::CStr::from_ptr(cp).to_bytes() == b"255.255.255.255" {
        (*inp).s_addr = ws::INADDR_BROADCAST;
        return 1;
    }
    let addr = ws::inet_addr(cp.cast());
    if addr == ws::INADDR_NONE {
        return 0;
    }
    (*inp).s_addr = addr;
    1
}

pub const AF_INET: i32 = c::AF_INET;
pub const AF_INET6: i32 = c::AF_INET6;
pub const AF_UNIX: i32 = c::AF_UNIX;
pub const EAFNOSUPPORT: i32 = c::EAFNOSUPPORT;
// Families Windows lacks: values no socket can have, so no address matches them.
pub const AF_NETLINK: i32 = -1;
pub const AF_PACKET: i32 = -2;
pub const AF_VSOCK: i32 = -3;

/// A symbol exported by the program (node.exe exports libuv's), or null.
pub fn process_symbol(name: &std::ffi::CStr) -> *mut c::c_void {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
    // SAFETY: a null name asks for the program's own module, which lives as long as the process.
    let program = unsafe { GetModuleHandleW(ptr::null()) };
    if program.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `name` is NUL-terminated; the module handle is valid.
    match unsafe { GetProcAddress(program, name.as_ptr().cast()) } {
        Some(f) => f as *mut c::c_void,
        None => ptr::null_mut(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_size_is_the_facades() {
        // ts/windows.ts checks fromshare's bytes against the same number, as Python does.
        assert_eq!(SHARE_SIZE, 628);
    }

    #[test]
    fn fromshare_opens_what_share_describes() {
        let fd = socket(c::AF_INET, c::SOCK_STREAM, 0).expect("socket");
        // SAFETY: GetCurrentProcessId takes nothing.
        let data = share(fd, unsafe { GetCurrentProcessId() }).expect("share");
        assert_eq!(data.len(), SHARE_SIZE);
        let (copy, family, ty, proto) = fromshare(&data).expect("fromshare");
        assert_ne!(copy, fd);
        assert_eq!((family, ty, proto), (c::AF_INET, c::SOCK_STREAM, c::IPPROTO_TCP));
        assert_eq!(socket_info(copy).expect("socket_info"), (family, ty, proto));
        assert_eq!(
            fromshare(&data[1..]).map_err(|e| e.raw_os_error()).err(),
            Some(Some(ws::WSAEINVAL))
        );
        close(copy).expect("close");
        close(fd).expect("close");
    }
}
