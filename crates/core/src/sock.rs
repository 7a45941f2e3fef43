//! The socket calls, with Python's three modes: each tries the syscall first
//! and, on EAGAIN, waits for readiness (blocking or timeout mode) or reports
//! BlockingIOError (non-blocking mode, or MSG_DONTWAIT).

use std::io;
use std::time::{Duration, Instant};

use socket2::SockAddr;

use crate::addr::{Address, AddressArg};
use crate::error::{Error, Result};
use crate::sys::c;
use crate::sys::{self, Fd, POLLIN, POLLOUT};
use crate::wait::{pause, wait, Deadline, Timeout};

pub(crate) fn would_block(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(c) if c == sys::EAGAIN || c == c::EWOULDBLOCK)
}

/// Runs `op` until it succeeds, waiting for `events` on EAGAIN as the mode says
/// (blocking, timeout) or failing (non-blocking, MSG_DONTWAIT); EINTR retried
/// unless a caught signal is pending (signals.rs). `op` gets the flags to
/// call with: the caller's, plus MSG_DONTWAIT where the OS has it, so that no
/// call ever blocks in the kernel, whatever O_NONBLOCK others set or clear on
/// the open file description. Every send and receive goes through here (a
/// receive through `retry_with`).
///
/// It always tries before it waits: poll(2) does not report everything the
/// call would fail with at once (a receive on a listening socket fails with
/// ENOTCONN, or EINVAL for AF_UNIX, while poll waits for a connection).
pub(crate) fn retry<T>(
    fd: Fd,
    timeout: Timeout,
    flags: i32,
    events: i16,
    syscall: &'static str,
    op: impl FnMut(i32) -> io::Result<T>,
) -> Result<T> {
    retry_with(fd, timeout, flags, events, syscall, sys::DONTWAIT, &mut None, op)
}

/// What a receive (recv, recvfrom, recvmsg and their `_into`s) is made with
/// after a wait, for `retry_with`. In blocking mode, once poll(2) said the
/// socket is readable, a blocking call, as the flag-less calls are: on TCP,
/// Linux ends a non-blocking receive where the queue it finds ends, and a
/// blocking one also takes in the packets that came while it copied, so a
/// reader that waits for a fast sender gets the larger reads C's blocking
/// recv gets (bench `bulk`: 1.7 against 2.6 GiB/s, C making each kind of
/// call). The window is the flag-less calls' one: another holder of the
/// socket taking the data between the poll and the call; the call then
/// blocks, as CPython's does.
pub(crate) fn receive_after_wait(timeout: Timeout) -> i32 {
    if sys::MODE_FLAG && timeout == Timeout::BLOCKING {
        0
    } else {
        sys::DONTWAIT
    }
}

/// When a call's waits give up, and whether that is the kernel's timeout (see
/// `wait_limit`): set at its first wait.
pub(crate) type Limit = Option<(Deadline, bool)>;

/// `retry`, whose calls after a wait carry `after_wait` (MSG_DONTWAIT, or
/// for a receive `receive_after_wait`) where the first carries MSG_DONTWAIT;
/// the waits give up at `limit`, set at the first (`&mut None` for a call of
/// its own; a blocking call made of several, a send of every byte or
/// MSG_WAITALL, shares one between them where the kernel's one call has one
/// budget for all its waits). The deadline starts at the first wait, as
/// CPython's does: a call that never waits (every non-blocking one) reads no clock.
#[allow(clippy::too_many_arguments)]
pub(crate) fn retry_with<T>(
    fd: Fd,
    timeout: Timeout,
    flags: i32,
    events: i16,
    syscall: &'static str,
    after_wait: i32,
    limit: &mut Limit,
    mut op: impl FnMut(i32) -> io::Result<T>,
) -> Result<T> {
    // In timeout mode a call the kernel never makes wait still waits for
    // readiness, as CPython's, which polls before it calls.
    let dontwait = timeout.is_nonblocking()
        || sys::dontwait(flags)
        || (timeout == Timeout::BLOCKING && sys::never_waits(flags));
    if blocks_first(timeout, dontwait, after_wait) {
        if let Some(done) = kernel_call(fd, syscall, || op(flags)) {
            return done;
        }
    }
    let mut call_flags = flags | sys::DONTWAIT;
    // The waits so far: after each, the fd was ready.
    let mut waits = 0;
    loop {
        match op(call_flags) {
            Ok(v) => return Ok(v),
            Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                if crate::signals::interrupted() {
                    return Err(Error::os(sys::EINTR, syscall));
                }
            }
            Err(e) if would_block(&e) && !dontwait => {
                let (deadline, kernel) = *limit.get_or_insert_with(|| wait_limit(fd, timeout, events));
                if waits > 0 {
                    // A wait said ready, yet the call would still block: readiness the call does not
                    // see (an unconnected Unix datagram socket polls writable while its receiver is
                    // full: poll sees only the sender's buffer), or another holder of the socket took
                    // it first. Waiting again may return at once and spin, where the kernel's own
                    // blocking call sleeps: so pause before it, longer each time.
                    pause(waits - 1, deadline, syscall).map_err(|e| timed_out(e, kernel, syscall))?;
                }
                wait(fd, events, deadline, syscall).map_err(|e| timed_out(e, kernel, syscall))?;
                waits += 1;
                call_flags = flags | after_wait;
            }
            Err(e) => return Err(Error::io(&e, syscall)),
        }
    }
}

/// Whether a call's first try is the kernel's own blocking call: a receive
/// in blocking mode (one made blocking after a wait, `after_wait` 0) when no
/// signal's listeners must run inside it (`signals::interruptible`). Nothing
/// then needs the wait in poll(2) beside the signal self-pipe: the kernel's
/// call waits as C's and CPython's do, one syscall where a receive that waits
/// would make four (MSG_DONTWAIT, SO_RCVTIMEO, poll, the receive again), and
/// keeps SO_RCVTIMEO itself. Where someone sharing the socket has set
/// O_NONBLOCK, it says EAGAIN at once, and the waits follow as before.
fn blocks_first(timeout: Timeout, dontwait: bool, after_wait: i32) -> bool {
    after_wait == 0 && kernel_waits(timeout, dontwait)
}

/// Whether a call in `timeout`'s mode may wait in the kernel's own blocking
/// call rather than in poll(2): blocking mode (where O_NONBLOCK is clear),
/// not MSG_DONTWAIT, and no signal's listeners to run inside it.
pub(crate) fn kernel_waits(timeout: Timeout, dontwait: bool) -> bool {
    sys::MODE_FLAG && timeout == Timeout::BLOCKING && !dontwait && !crate::signals::interruptible()
}

/// A call made as the kernel's own blocking one (`kernel_waits`): Some with
/// the call's outcome (a result, an error, or EAGAIN once SO_RCVTIMEO ran out,
/// as the kernel's call fails), None when it said EAGAIN because someone
/// sharing the socket set O_NONBLOCK, or was interrupted: the caller then
/// waits in poll(2) as it would have.
pub(crate) fn kernel_call<T>(
    fd: Fd,
    syscall: &'static str,
    op: impl FnOnce() -> io::Result<T>,
) -> Option<Result<T>> {
    let started = Instant::now();
    match op() {
        Ok(v) => Some(Ok(v)),
        Err(e) if would_block(&e) && !kernel_gave_up(fd, false, started) => None,
        Err(e) if e.raw_os_error() == Some(sys::EINTR) => None,
        Err(e) => Some(Err(Error::io(&e, syscall))),
    }
}

/// How much sooner than its SO_RCVTIMEO or SO_SNDTIMEO the kernel's blocking
/// call may give up: it counts in jiffies (10 ms at the slowest HZ, 100),
/// and its sleep ends at a jiffy's edge, up to one jiffy short of the time.
const KERNEL_TIMER_SLACK: Duration = Duration::from_millis(20);

/// After a call made to block at `started` said EAGAIN: whether that was the
/// kernel giving up at the socket's SO_RCVTIMEO (SO_SNDTIMEO when `writing`):
/// O_NONBLOCK is clear, the option set, and the call lasted about as long,
/// rather than O_NONBLOCK set by someone sharing the socket. The time rules out
/// a holder that set the flag and cleared it again before the `F_GETFL` (a
/// race within the slack, for an option shorter than it, remains: the time
/// the option names has then all but passed).
pub(crate) fn kernel_gave_up(fd: Fd, writing: bool, started: Instant) -> bool {
    matches!(sys::get_nonblocking(fd), Ok(false))
        && matches!(sys::kernel_timeout(fd, writing), Ok(Some(limit)) if started.elapsed() + KERNEL_TIMER_SLACK >= limit)
}

/// `retry` for the calls that take no MSG_DONTWAIT (accept, sendfile), which
/// block in the kernel when O_NONBLOCK is clear. In non-blocking and timeout
/// mode the flag must be set (CPython's invariant, which a child's stdio or a
/// dup's owner may have broken): it is set again if it is not. In blocking
/// mode the flag is clear, so the call is made only once the fd is ready, and
/// the wait before it is one a signal can interrupt; with `kernel_limit`, it
/// keeps the socket's SO_RCVTIMEO or SO_SNDTIMEO as the kernel's call would
/// (accept's, not sendfile's: CPython's blocking sendfile waits in select()
/// after an EAGAIN, whatever SO_SNDTIMEO says), and while no signal's
/// listener must run inside it is the kernel's own blocking call first.
pub(crate) fn retry_flagless<T>(
    fd: Fd,
    timeout: Timeout,
    events: i16,
    syscall: &'static str,
    kernel_limit: bool,
    mut op: impl FnMut() -> io::Result<T>,
) -> Result<T> {
    if !sys::MODE_FLAG || timeout != Timeout::BLOCKING {
        ensure_nonblocking(fd, syscall)?;
        // Where the call waits in retry (Windows' blocking mode), the kernel's timeout is asked there, unless not its.
        let mut limit = (timeout == Timeout::BLOCKING && !kernel_limit).then(|| (timeout.deadline(), false));
        return retry_with(fd, timeout, 0, events, syscall, sys::DONTWAIT, &mut limit, |_| {
            op()
        });
    }
    // A listening socket never becomes writable, and a send-like call on it fails at once
    // (EPIPE, ENOTCONN) without blocking: it is made, as CPython's blocking call is, rather
    // than waited for for ever.
    if events == POLLOUT && listening(fd) {
        return op().map_err(|e| Error::io(&e, syscall));
    }
    // A call the kernel's timeout limits (accept) is, as a receive is (`blocks_first`), the
    // kernel's own blocking call while no listener must run inside it.
    if kernel_limit && kernel_waits(timeout, false) {
        if let Some(done) = kernel_call(fd, syscall, &mut op) {
            return done;
        }
    }
    let (deadline, kernel) = if kernel_limit {
        wait_limit(fd, timeout, events)
    } else {
        (timeout.deadline(), false)
    };
    loop {
        wait(fd, events, deadline, syscall).map_err(|e| timed_out(e, kernel, syscall))?;
        match op() {
            Ok(v) => return Ok(v),
            // Ready, then not: someone else took it (or O_NONBLOCK was set): wait again.
            Err(e) if would_block(&e) || e.raw_os_error() == Some(sys::EINTR) => {}
            Err(e) => return Err(Error::io(&e, syscall)),
        }
    }
}

/// When the waits of a call in `timeout`'s mode give up: the mode's own
/// deadline, or in blocking mode the socket's SO_RCVTIMEO (a wait to read or
/// accept) or SO_SNDTIMEO (to write), which the kernel's blocking call keeps
/// (asked once the call has to wait); with whether it is the kernel's.
fn wait_limit(fd: Fd, timeout: Timeout, events: i16) -> (Deadline, bool) {
    if timeout != Timeout::BLOCKING {
        return (timeout.deadline(), false);
    }
    match sys::kernel_timeout(fd, events == POLLOUT) {
        Ok(Some(d)) => (Timeout(Some(d)).deadline(), true),
        _ => (timeout.deadline(), false),
    }
}

/// A wait that ran out of the kernel's timeout ends as the kernel's blocking
/// call then does: with EAGAIN (BlockingIOError), not with the mode's
/// TimeoutError; on Windows with WSAETIMEDOUT (TimeoutError, errno 10060).
fn timed_out(e: Error, kernel: bool, syscall: &'static str) -> Error {
    if kernel && e.errno().is_none() {
        Error::os(sys::KERNEL_TIMED_OUT, syscall)
    } else {
        e
    }
}

/// Sets O_NONBLOCK if it is clear (one F_GETFL when it is set, as it should be).
fn ensure_nonblocking(fd: Fd, syscall: &'static str) -> Result<()> {
    match sys::get_nonblocking(fd) {
        Ok(true) => Ok(()),
        Ok(false) => sys::set_nonblocking(fd, true).map_err(|e| Error::io(&e, syscall)),
        Err(e) => Err(Error::io(&e, syscall)),
    }
}

pub fn socket(family: i32, ty: i32, proto: i32) -> Result<Fd> {
    sys::socket(family, ty, proto).map_err(|e| Error::io(&e, "socket"))
}

pub fn socketpair(family: i32, ty: i32, proto: i32) -> Result<(Fd, Fd)> {
    sys::socketpair(family, ty, proto).map_err(|e| Error::io(&e, "socketpair"))
}

/// A connected stream pair for tests: AF_UNIX, or AF_INET on Windows, whose
/// socketpair (as Python's there) is a loopback connection.
#[cfg(test)]
pub(crate) fn stream_pair() -> Result<(Fd, Fd)> {
    #[cfg(unix)]
    let family = c::AF_UNIX;
    #[cfg(windows)]
    let family = c::AF_INET;
    socketpair(family, c::SOCK_STREAM, 0)
}

/// Adopts an existing fd (`socket(fileno=fd)`, `fromfd`): learns its family,
/// type and protocol. Its O_NONBLOCK flag is left as it is, as CPython leaves
/// it (the facade sets it when the default timeout says so).
pub fn adopt(fd: Fd) -> Result<(i32, i32, i32)> {
    sys::socket_info(fd).map_err(|e| Error::io(&e, "getsockopt"))
}

pub fn bind(fd: Fd, addr: &AddressArg) -> Result<()> {
    bind_sockaddr(fd, &addr.to_sockaddr()?)
}

pub fn bind_sockaddr(fd: Fd, sa: &SockAddr) -> Result<()> {
    sys::bind(fd, sa).map_err(|e| Error::io(&e, "bind"))
}

pub fn listen(fd: Fd, backlog: i32) -> Result<()> {
    sys::listen(fd, backlog).map_err(|e| Error::io(&e, "listen"))
}

pub fn accept(fd: Fd, timeout: Timeout) -> Result<(Fd, Option<Address>)> {
    // A socket that is not listening (or cannot) makes accept(2) fail at once, as
    // CPython's does; a blocking one would otherwise wait first, for ever.
    if sys::MODE_FLAG && timeout == Timeout::BLOCKING && !listening(fd) {
        let e = sys::accept(fd)
            .err()
            .unwrap_or_else(|| io::Error::from_raw_os_error(c::EINVAL));
        return Err(Error::io(&e, "accept"));
    }
    let (newfd, sa) = retry_flagless(fd, timeout, POLLIN, "accept", sys::KERNEL_TIMEOUT_ACCEPT, || {
        sys::accept(fd)
    })?;
    Ok((newfd, Address::from_sockaddr(&sa)))
}

/// Whether the socket listens (SO_ACCEPTCONN); false when that cannot be told.
fn listening(fd: Fd) -> bool {
    sys::getsockopt_int(fd, c::SOL_SOCKET, c::SO_ACCEPTCONN).is_ok_and(|v| v != 0)
}

/// connect(2) in the socket's mode: EINPROGRESS is waited out unless the socket
/// is non-blocking, and the outcome read from SO_ERROR. connect takes no
/// MSG_DONTWAIT, so O_NONBLOCK is made right for the call: set (again, if
/// someone cleared it) in non-blocking and timeout mode; set for the call
/// alone in blocking mode, whose wait is then one a signal can interrupt.
pub fn connect(fd: Fd, addr: &AddressArg, timeout: Timeout) -> Result<()> {
    connect_sockaddr(fd, &addr.to_sockaddr()?, timeout)
}

pub fn connect_sockaddr(fd: Fd, sa: &SockAddr, timeout: Timeout) -> Result<()> {
    let started = if sys::MODE_FLAG && timeout == Timeout::BLOCKING {
        connect_blocking(fd, sa)?
    } else {
        ensure_nonblocking(fd, "connect")?;
        sys::connect(fd, sa)
    };
    let in_progress = match started {
        Ok(()) => return Ok(()),
        Err(e) if e.raw_os_error() == Some(sys::EINPROGRESS) => e,
        Err(e) if e.raw_os_error() == Some(sys::EINTR) => e,
        Err(e) => return Err(Error::io(&e, "connect")),
    };
    if timeout.is_nonblocking() {
        return Err(Error::io(&in_progress, "connect"));
    }
    connect_finish(fd, sa, timeout)
}

/// The first connect(2) of a blocking socket. A Unix socket's listener whose
/// backlog is full makes a non-blocking connect fail with EAGAIN, where a
/// blocking one sleeps until the listener accepts (or goes); nothing polls
/// ready when it does (the connecting socket polls writable all along), so the
/// connect is made again after a pause, longer each time, as a call whose fd
/// polls ready while it still says EAGAIN is (`retry_with`).
/// SO_SNDTIMEO limits that wait, as it limits the kernel's (EAGAIN after it).
fn connect_blocking(fd: Fd, sa: &SockAddr) -> Result<io::Result<()>> {
    let mut pauses = 0;
    let mut limit = None;
    loop {
        let started = connect_nonblocking(fd, sa)?;
        match &started {
            Err(e) if would_block(e) && i32::from(sa.family()) == c::AF_UNIX => {
                let (deadline, kernel) =
                    *limit.get_or_insert_with(|| wait_limit(fd, Timeout::BLOCKING, POLLOUT));
                pause(pauses, deadline, "connect").map_err(|e| timed_out(e, kernel, "connect"))?;
                pauses += 1;
            }
            _ => return Ok(started),
        }
    }
}

/// connect(2) with O_NONBLOCK set for this call alone (a blocking socket's).
fn connect_nonblocking(fd: Fd, sa: &SockAddr) -> Result<io::Result<()>> {
    nonblocking_once(fd, || sys::connect(fd, sa)).map_err(|e| Error::io(&e, "connect"))
}

/// `call` on a blocking socket with O_NONBLOCK set for it alone: the outcome
/// of the call, or the error of setting or clearing the flag.
pub(crate) fn nonblocking_once<T>(fd: Fd, call: impl FnOnce() -> io::Result<T>) -> io::Result<io::Result<T>> {
    sys::set_nonblocking(fd, true)?;
    let outcome = call();
    sys::set_nonblocking(fd, false)?;
    Ok(outcome)
}

/// The rest of a connect already started: waits until the socket is
/// writable, then reads the outcome from SO_ERROR. A connect interrupted by a
/// signal goes on here once the listeners have run, as CPython's (PEP 475).
pub fn connect_finish(fd: Fd, sa: &SockAddr, timeout: Timeout) -> Result<()> {
    wait(fd, POLLOUT, timeout.deadline(), "connect")?;
    let outcome = match sys::getsockopt_int(fd, c::SOL_SOCKET, c::SO_ERROR) {
        Ok(0) => Ok(()),
        Ok(errno) => Err(Error::os(errno, "connect")),
        Err(e) => Err(Error::io(&e, "connect")),
    };
    if sys::MODE_FLAG && timeout == Timeout::BLOCKING {
        // Linux leaves a socket whose connect went on without blocking
        // "connecting" until connect(2) is called again; a blocking connect(2)
        // would have settled it: connected (a later connect raises EISCONN, as
        // CPython's), or after a failure disconnected (a receive raises
        // ENOTCONN, a new connect starts afresh). One more call settles it;
        // its answer is 0, or after a failure ECONNABORTED, which says nothing
        // new, unless the connection was made and then dropped (a socket shut
        // down before it connected to itself): then ECONNABORTED is the
        // outcome, as a blocking connect(2)'s.
        let settled = connect_nonblocking(fd, sa)?;
        if let (Ok(()), Err(e)) = (&outcome, settled) {
            if e.raw_os_error() == Some(c::ECONNABORTED) {
                return Err(Error::io(&e, "connect"));
            }
        }
    }
    outcome
}

pub fn shutdown(fd: Fd, how: i32) -> Result<()> {
    sys::shutdown(fd, how).map_err(|e| Error::io(&e, "shutdown"))
}

pub fn getsockname(fd: Fd) -> Result<Option<Address>> {
    let sa = sys::getsockname(fd).map_err(|e| Error::io(&e, "getsockname"))?;
    Ok(Address::from_sockaddr(&sa))
}

pub fn getpeername(fd: Fd) -> Result<Option<Address>> {
    let sa = sys::getpeername(fd).map_err(|e| Error::io(&e, "getpeername"))?;
    Ok(Address::from_sockaddr(&sa))
}

pub fn send(fd: Fd, data: &[u8], flags: i32, timeout: Timeout) -> Result<usize> {
    if sends_whole(flags, timeout) {
        return send_whole(fd, data.len(), flags, "send", |sent, f| {
            sys::send(fd, &data[sent..], f)
        });
    }
    retry(fd, timeout, flags, POLLOUT, "send", |f| sys::send(fd, data, f))
}

/// Whether a send is one that `send_whole` makes: in blocking mode (on Windows
/// too, whose sockets stay non-blocking underneath and send part), unless
/// MSG_DONTWAIT makes it one call.
pub(crate) fn sends_whole(flags: i32, timeout: Timeout) -> bool {
    timeout == Timeout::BLOCKING && !sys::dontwait(flags)
}

/// A send in blocking mode, as a blocking send(2), sendto(2) or sendmsg(2) is
/// on a stream: the kernel returns once every byte is queued, or with the count
/// so far when an error or a signal comes after some went (the error is then
/// the next call's). Each call here is non-blocking (MSG_DONTWAIT), so the rest
/// is sent after each short one: `call(sent, flags)` sends what follows the
/// first `sent` of the `len` bytes. A datagram goes whole or not at all.
///
/// SO_SNDTIMEO bounds the whole call on TCP, as Linux's tcp_sendmsg reads it
/// once for all its waits; AF_UNIX's stream send reads it again for each
/// buffer it queues, so there the budget starts again after bytes went.
pub(crate) fn send_whole(
    fd: Fd,
    len: usize,
    flags: i32,
    syscall: &'static str,
    mut call: impl FnMut(usize, i32) -> io::Result<usize>,
) -> Result<usize> {
    let mut sent = 0;
    let mut limit = None;
    // Whether the socket is TCP: asked once the call has waited and sent some.
    let mut tcp = None;
    loop {
        match retry_with(
            fd,
            Timeout::BLOCKING,
            flags,
            POLLOUT,
            syscall,
            sys::DONTWAIT,
            &mut limit,
            |f| call(sent, f),
        ) {
            Ok(n) => {
                sent += n;
                if sent >= len || n == 0 || crate::signals::interrupted() {
                    return Ok(sent);
                }
                if limit.is_some() && !*tcp.get_or_insert_with(|| is_tcp(fd)) {
                    limit = None;
                }
            }
            Err(_) if sent > 0 => return Ok(sent),
            Err(e) => return Err(e),
        }
    }
}

/// sendall: one deadline for the whole buffer; an error after some bytes went
/// out carries how many (`characters_written`), so the caller can resume.
/// In blocking mode SO_SNDTIMEO limits each wait after the last bytes that
/// went, as it limits each of CPython's blocking send(2) calls; while no
/// signal's listener must run inside it (`kernel_waits`), each send is the
/// kernel's blocking call, as CPython's are.
pub fn sendall(fd: Fd, data: &[u8], flags: i32, timeout: Timeout) -> Result<()> {
    let dontwait = timeout.is_nonblocking() || sys::dontwait(flags);
    // Until someone sharing the socket sets O_NONBLOCK under it (then the waits are poll's).
    let mut kernel = kernel_waits(timeout, dontwait);
    // When the waits give up (see wait_limit), asked at the first wait.
    let mut limit = None;
    let mut sent = 0;
    // As CPython's, at least one send(2), even of nothing (a SEQPACKET record, or the error).
    loop {
        let call_flags = if kernel { flags } else { flags | sys::DONTWAIT };
        // Only a send the kernel may block in needs its start (see kernel_gave_up).
        let started = kernel.then(Instant::now);
        match sys::send(fd, &data[sent..], call_flags) {
            Ok(n) => {
                sent += n;
                if sent >= data.len() {
                    return Ok(());
                }
                if let Some(e) = crate::wait::interrupted_after(sent as u64, "sendall") {
                    return Err(e);
                }
                // The kernel's timeout starts again with each send(2).
                if limit.is_some_and(|(_, kernel)| kernel) {
                    limit = None;
                }
            }
            Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                if crate::signals::interrupted() {
                    return Err(Error::os(sys::EINTR, "sendall").with_written(sent));
                }
            }
            Err(e) if would_block(&e) && kernel => {
                // The kernel's call waited its SO_SNDTIMEO out, and fails as it does.
                if started.is_some_and(|t| kernel_gave_up(fd, true, t)) {
                    return Err(Error::io(&e, "sendall").with_written(sent));
                }
                kernel = false;
            }
            Err(e) if would_block(&e) && !dontwait => {
                let (deadline, kernel) = *limit.get_or_insert_with(|| wait_limit(fd, timeout, POLLOUT));
                wait(fd, POLLOUT, deadline, "sendall")
                    .map_err(|err| timed_out(err, kernel, "sendall").with_written(sent))?
            }
            Err(e) => return Err(Error::io(&e, "sendall").with_written(sent)),
        }
    }
}

pub fn sendto(fd: Fd, data: &[u8], flags: i32, addr: &AddressArg, timeout: Timeout) -> Result<usize> {
    sendto_sockaddr(fd, data, flags, &addr.to_sockaddr()?, timeout)
}

/// sendto with an address already built (for callers that send to one
/// address many times).
pub fn sendto_sockaddr(fd: Fd, data: &[u8], flags: i32, sa: &SockAddr, timeout: Timeout) -> Result<usize> {
    if sends_whole(flags, timeout) {
        // TCP takes an address and sends to its peer: as much as a send.
        return send_whole(fd, data.len(), flags, "sendto", |sent, f| {
            sys::sendto(fd, &data[sent..], f, sa)
        });
    }
    retry(fd, timeout, flags, POLLOUT, "sendto", |f| {
        sys::sendto(fd, data, f, sa)
    })
}

/// What a receive waits for: out-of-band data is signalled as POLLPRI, not POLLIN.
pub(crate) fn read_events(flags: i32) -> i16 {
    if flags & c::MSG_OOB != 0 {
        c::POLLPRI
    } else {
        POLLIN
    }
}

pub fn recv_into(fd: Fd, buf: &mut [u8], flags: i32, timeout: Timeout) -> Result<usize> {
    if waits_for_all(flags, timeout) {
        return recv_all(fd, buf.len(), flags, "recv", |got, f| {
            sys::recv(fd, sys::as_uninit(&mut buf[got..]), f).map(|n| (n, false))
        });
    }
    let buf = sys::as_uninit(buf);
    let after_wait = receive_after_wait(timeout);
    retry_with(
        fd,
        timeout,
        flags,
        read_events(flags),
        "recv",
        after_wait,
        &mut None,
        |f| sys::recv(fd, buf, f),
    )
}

/// Whether a receive is MSG_WAITALL's in blocking mode, which `recv_all` makes;
/// with MSG_DONTWAIT too it is one call, which returns what is queued.
pub(crate) fn waits_for_all(flags: i32, timeout: Timeout) -> bool {
    flags & c::MSG_WAITALL != 0 && !sys::dontwait(flags) && timeout == Timeout::BLOCKING
}

/// MSG_WAITALL in blocking mode: each call is non-blocking (MSG_DONTWAIT),
/// where the kernel returns what it has, so keep receiving until `room` bytes
/// are in, the stream ends, or an error; an error after some bytes returns those bytes, as
/// the kernel's own MSG_WAITALL does. On TCP that error stays pending for the
/// next call, as Linux's TCP leaves it (a reset: ECONNRESET from the next send
/// or receive); AF_UNIX's own MSG_WAITALL takes it, as a receive here does.
/// `call(got, flags)` makes one receive into the room after the first `got`
/// bytes: the count, and whether that receive ends the wait (recvmsg's, when
/// ancillary data came with it). Returns the bytes received.
pub(crate) fn recv_all(
    fd: Fd,
    room: usize,
    flags: i32,
    syscall: &'static str,
    mut call: impl FnMut(usize, i32) -> io::Result<(usize, bool)>,
) -> Result<usize> {
    // A message (datagram, SOCK_SEQPACKET) is one receive whatever MSG_WAITALL
    // says, and so is a peek (each would look at the same bytes again).
    if flags & c::MSG_PEEK != 0 || !is_byte_stream(fd) {
        return retry(fd, Timeout::BLOCKING, flags, POLLIN, syscall, |f| call(0, f)).map(|(n, _)| n);
    }
    let mut got = 0;
    // Whether the socket is TCP: asked once some bytes are in.
    let mut tcp = None;
    // One budget of SO_RCVTIMEO for all the waits, as the kernel's one call has.
    let mut limit = None;
    // At least one receive, as the kernel makes (into no room, it still says what is wrong with the socket).
    loop {
        let received = retry_with(
            fd,
            Timeout::BLOCKING,
            flags,
            POLLIN,
            syscall,
            sys::DONTWAIT,
            &mut limit,
            |f| {
                if got > 0 && *tcp.get_or_insert_with(|| is_tcp(fd)) && error_pending(fd) {
                    return Ok((0, true));
                }
                call(got, f)
            },
        );
        match received {
            Ok((n, ends)) => {
                got += n;
                if n == 0 || ends {
                    break;
                }
            }
            Err(_) if got > 0 => break,
            Err(e) => return Err(e),
        }
        if got >= room {
            break;
        }
    }
    Ok(got)
}

/// Whether `fd` is a SOCK_STREAM socket, whose calls move bytes rather than
/// messages (false if it cannot say: the call itself then fails).
pub(crate) fn is_byte_stream(fd: Fd) -> bool {
    sys::getsockopt_int(fd, c::SOL_SOCKET, c::SO_TYPE).is_ok_and(|ty| ty == c::SOCK_STREAM)
}

/// Whether `fd` is a TCP socket (an IPv4 or IPv6 stream).
fn is_tcp(fd: Fd) -> bool {
    sys::getsockname(fd).is_ok_and(|sa| {
        let family = i32::from(sa.family());
        family == c::AF_INET || family == c::AF_INET6
    })
}

/// What poll(2) reports of `fd` when asked for nothing: the conditions it
/// always reports (POLLERR, POLLHUP, POLLNVAL), or 0.
fn conditions(fd: Fd) -> i16 {
    let mut fds = [sys::pollfd(fd, 0)];
    match sys::poll(&mut fds, Some(std::time::Duration::ZERO)) {
        Ok(n) if n > 0 => fds[0].revents,
        _ => 0,
    }
}

/// Whether the socket has an error pending (poll's POLLERR), which poll(2),
/// unlike a receive or SO_ERROR, leaves for the next call.
fn error_pending(fd: Fd) -> bool {
    conditions(fd) & c::POLLERR != 0
}

/// Whether the socket is hung up or has an error pending (POLLHUP, POLLERR):
/// a state that a selector reports as readable and writable both, since a
/// receive and a send would each say what it is.
pub fn hung_up(fd: Fd) -> bool {
    conditions(fd) & (c::POLLHUP | c::POLLERR) != 0
}

pub fn recvfrom_into(
    fd: Fd,
    buf: &mut [u8],
    flags: i32,
    timeout: Timeout,
) -> Result<(usize, Option<Address>)> {
    if waits_for_all(flags, timeout) {
        // The sender is the first receive's.
        let mut sender = None;
        let n = recv_all(fd, buf.len(), flags, "recvfrom", |got, f| {
            let (n, sa) = sys::recvfrom(fd, sys::as_uninit(&mut buf[got..]), f)?;
            sender.get_or_insert(sa);
            Ok((n, false))
        })?;
        return Ok((n, sender.and_then(|sa| Address::from_sockaddr(&sa))));
    }
    let buf = sys::as_uninit(buf);
    let events = read_events(flags);
    let after_wait = receive_after_wait(timeout);
    let (n, sa) = retry_with(
        fd,
        timeout,
        flags,
        events,
        "recvfrom",
        after_wait,
        &mut None,
        |f| sys::recvfrom(fd, buf, f),
    )?;
    Ok((n, Address::from_sockaddr(&sa)))
}

pub fn close(fd: Fd) -> Result<()> {
    sys::close(fd).map_err(|e| Error::io(&e, "close"))
}

pub fn dup(fd: Fd) -> Result<Fd> {
    sys::dup(fd).map_err(|e| Error::io(&e, "dup"))
}

/// Python's `socket.share(pid)` (Windows): see sys::share.
#[cfg(windows)]
pub fn share(fd: Fd, pid: u32) -> Result<Vec<u8>> {
    sys::share(fd, pid).map_err(|e| Error::io(&e, "share"))
}

/// Python's `socket.fromshare(data)` (Windows): `(fd, family, type, proto)`.
#[cfg(windows)]
pub fn fromshare(data: &[u8]) -> Result<(Fd, i32, i32, i32)> {
    sys::fromshare(data).map_err(|e| Error::io(&e, "fromshare"))
}

/// Python's `socket.ioctl(control, option)` (Windows), `option` as the bytes the control takes.
#[cfg(windows)]
pub fn ioctl(fd: Fd, control: u32, input: &[u8]) -> Result<u32> {
    sys::ioctl(fd, control, input).map_err(|e| Error::io(&e, "ioctl"))
}

pub fn get_inheritable(fd: Fd) -> Result<bool> {
    sys::get_inheritable(fd).map_err(|e| Error::io(&e, "fcntl"))
}

pub fn set_inheritable(fd: Fd, inheritable: bool) -> Result<()> {
    sys::set_inheritable(fd, inheritable).map_err(|e| Error::io(&e, "fcntl"))
}

pub fn set_nonblocking(fd: Fd, nonblocking: bool) -> Result<()> {
    sys::set_nonblocking(fd, nonblocking).map_err(|e| Error::io(&e, "fcntl"))
}

pub fn getsockopt_int(fd: Fd, level: i32, opt: i32) -> Result<i32> {
    sys::getsockopt_int(fd, level, opt).map_err(|e| Error::io(&e, "getsockopt"))
}

/// getsockopt with a buffer of `buflen` bytes (Python allows 1..=1024).
pub fn getsockopt_bytes(fd: Fd, level: i32, opt: i32, buflen: usize) -> Result<Vec<u8>> {
    if buflen == 0 || buflen > 1024 {
        return Err(Error::message("getsockopt buflen out of range", "getsockopt"));
    }
    let mut buf = vec![0u8; buflen];
    let n = sys::getsockopt_bytes(fd, level, opt, &mut buf).map_err(|e| Error::io(&e, "getsockopt"))?;
    buf.truncate(n);
    Ok(buf)
}

pub fn setsockopt(fd: Fd, level: i32, opt: i32, value: Option<&[u8]>, optlen: usize) -> Result<()> {
    sys::setsockopt(fd, level, opt, value, optlen).map_err(|e| Error::io(&e, "setsockopt"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    fn udp_pair() -> Result<(Fd, Fd, Address)> {
        let a = socket(c::AF_INET, c::SOCK_DGRAM, 0)?;
        let b = socket(c::AF_INET, c::SOCK_DGRAM, 0)?;
        bind(
            b,
            &AddressArg::Inet {
                host: "127.0.0.1",
                port: 0,
            },
        )?;
        let addr = getsockname(b)?.ok_or_else(|| Error::value("unbound"))?;
        Ok((a, b, addr))
    }

    #[test]
    fn udp_round_trip() -> Result<()> {
        let (a, b, addr) = udp_pair()?;
        let Address::V4 { port, .. } = addr else {
            panic!("not inet: {addr:?}")
        };
        let to = AddressArg::Inet {
            host: "127.0.0.1",
            port,
        };
        assert_eq!(sendto(a, b"ping", 0, &to, Timeout::BLOCKING)?, 4);
        let mut buf = [0u8; 16];
        let (n, from) = recvfrom_into(b, &mut buf, 0, Timeout::BLOCKING)?;
        assert_eq!(&buf[..n], b"ping");
        assert!(matches!(from, Some(Address::V4 { ip, .. }) if ip == Ipv4Addr::LOCALHOST));
        close(a)?;
        close(b)
    }

    #[test]
    fn nonblocking_recv_would_block() -> Result<()> {
        let (a, b, _) = udp_pair()?;
        let mut buf = [0u8; 4];
        let err = recv_into(b, &mut buf, 0, Timeout(Some(Duration::ZERO))).err();
        assert_eq!(err.and_then(|e| e.errno()), Some(sys::EAGAIN));
        close(a)?;
        close(b)
    }

    #[test]
    fn timeout_expires() -> Result<()> {
        let (a, b, _) = udp_pair()?;
        let mut buf = [0u8; 4];
        let start = std::time::Instant::now();
        let err = recv_into(b, &mut buf, 0, Timeout(Some(Duration::from_millis(50)))).err();
        assert_eq!(err.map(|e| e.kind), Some(crate::error::Kind::Timeout));
        assert!(start.elapsed() >= Duration::from_millis(50));
        close(a)?;
        close(b)
    }

    #[test]
    fn refused_connect_reports_errno() -> Result<()> {
        let listener = socket(c::AF_INET, c::SOCK_STREAM, 0)?;
        bind(
            listener,
            &AddressArg::Inet {
                host: "127.0.0.1",
                port: 0,
            },
        )?;
        let Some(Address::V4 { port, .. }) = getsockname(listener)? else {
            panic!("no port")
        };
        close(listener)?;
        let s = socket(c::AF_INET, c::SOCK_STREAM, 0)?;
        let err = connect(
            s,
            &AddressArg::Inet {
                host: "127.0.0.1",
                port,
            },
            Timeout::BLOCKING,
        )
        .err();
        assert_eq!(err.and_then(|e| e.errno()), Some(c::ECONNREFUSED));
        close(s)
    }

    #[test]
    fn unix_path_too_long() {
        let long = vec![b'a'; 200];
        assert!(crate::addr::unix_sockaddr(&long).is_err());
        assert!(crate::addr::unix_sockaddr(b"/tmp/x").is_ok());
    }
}

#[cfg(test)]
mod waitall_tests {
    use super::*;

    /// `receive` with MSG_WAITALL in blocking mode, into 6 bytes of which 3 are queued and 3 come 100 ms
    /// later: it waits for all six.
    fn waits_for_everything(receive: impl FnOnce(Fd, &mut [u8]) -> Result<usize>) -> Result<()> {
        let (a, b) = stream_pair()?;
        send(a, b"abc", 0, Timeout::BLOCKING)?;
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            send(a, b"def", 0, Timeout::BLOCKING).and_then(|_| close(a))
        });
        let mut buf = [0u8; 6];
        let n = receive(b, &mut buf)?;
        assert_eq!(&buf[..n], b"abcdef");
        writer.join().map_err(|_| Error::value("writer panicked"))??;
        close(b)
    }

    #[test]
    fn waitall_in_blocking_mode_waits_for_everything() -> Result<()> {
        waits_for_everything(|b, buf| recv_into(b, buf, c::MSG_WAITALL, Timeout::BLOCKING))
    }

    /// A TCP socket listening on 127.0.0.1, and its port.
    fn tcp_listener() -> Result<(Fd, u16)> {
        let listener = socket(c::AF_INET, c::SOCK_STREAM, 0)?;
        let any = AddressArg::Inet {
            host: "127.0.0.1",
            port: 0,
        };
        bind(listener, &any)?;
        listen(listener, 1)?;
        let Some(Address::V4 { port, .. }) = getsockname(listener)? else {
            return Err(Error::value("no port"));
        };
        Ok((listener, port))
    }

    /// A TCP connection to 127.0.0.1: (client, server side).
    fn tcp_pair() -> Result<(Fd, Fd)> {
        let (listener, port) = tcp_listener()?;
        let client = socket(c::AF_INET, c::SOCK_STREAM, 0)?;
        connect(
            client,
            &AddressArg::Inet {
                host: "127.0.0.1",
                port,
            },
            Timeout::BLOCKING,
        )?;
        let (server, _) = accept(listener, Timeout::BLOCKING)?;
        close(listener)?;
        Ok((client, server))
    }

    #[test]
    fn recvfrom_with_waitall_in_blocking_mode_waits_for_everything() -> Result<()> {
        waits_for_everything(|b, buf| {
            recvfrom_into(b, buf, c::MSG_WAITALL, Timeout::BLOCKING).map(|(n, _)| n)
        })
    }

    #[test]
    fn waitall_into_no_room_still_receives_once() -> Result<()> {
        // A listening socket: the receive's ENOTCONN, as CPython's one call gets, with or without MSG_DONTWAIT.
        let (listener, _) = tcp_listener()?;
        for flags in [c::MSG_WAITALL, c::MSG_WAITALL | sys::DONTWAIT] {
            let err = recv_into(listener, &mut [], flags, Timeout::BLOCKING).err();
            assert_eq!(err.and_then(|e| e.errno()), Some(c::ENOTCONN));
            let err = recvfrom_into(listener, &mut [], flags, Timeout::BLOCKING).err();
            assert_eq!(err.and_then(|e| e.errno()), Some(c::ENOTCONN));
        }
        close(listener)
    }

    #[test]
    fn waitall_on_tcp_leaves_a_reset_for_the_next_call() -> Result<()> {
        let (client, server) = tcp_pair()?;
        send(server, b"abc", 0, Timeout::BLOCKING)?;
        // Closing with bytes unread resets the connection: the client's MSG_WAITALL returns what it had, and, as
        // Linux's own MSG_WAITALL on TCP, leaves ECONNRESET to the next call rather than taking it.
        send(client, b"x", 0, Timeout::BLOCKING)?;
        std::thread::sleep(std::time::Duration::from_millis(50));
        close(server)?;
        let mut buf = [0u8; 16];
        let n = recv_into(client, &mut buf, c::MSG_WAITALL, Timeout::BLOCKING)?;
        assert_eq!(&buf[..n], b"abc");
        let err = send(client, b"", 0, Timeout::BLOCKING).err();
        assert_eq!(err.and_then(|e| e.errno()), Some(c::ECONNRESET));
        close(client)
    }
}
