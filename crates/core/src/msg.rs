//! Messages and ancillary data (sendmsg, recvmsg, CMSG_LEN, CMSG_SPACE), the
//! decoding of the control messages users need, batched datagrams (sendmmsg,
//! recvmmsg) and sendfile, with Python's semantics and modes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use socket2::SockAddr;

use crate::addr::Address;
use crate::error::{Error, Result};
use crate::sock::{
    is_byte_stream, read_events, receive_after_wait, recv_all, retry, retry_flagless, retry_with, send_whole,
    sends_whole, waits_for_all, would_block,
};
use crate::sys::c;
use crate::sys::{self, Fd, POLLIN, POLLOUT};
use crate::wait::{interrupted_after, wait, Timeout};

/// Python's limit on socklen_t values (`SOCKLEN_T_LIMIT`): INT_MAX.
const SOCKLEN_LIMIT: usize = i32::MAX as usize;

/// The most room a receive gives the kernel for control data, whatever ancbufsize says: it writes
/// a few KiB at most (SCM_RIGHTS carries up to 253 fds, the rest are small structs), so room past
/// this is never written, only zeroed at a cost (2 GiB took 1.5 s).
const CONTROL_ROOM: usize = 1 << 20;

/// Python's `socket.CMSG_LEN(length)`; None where Python raises OverflowError.
pub fn cmsg_len(length: i64) -> Option<usize> {
    let n = usize::try_from(length).ok()?;
    if n > SOCKLEN_LIMIT - sys::cmsg_data_offset() {
        return None;
    }
    sys::cmsg_len(n)
}

/// Python's `socket.CMSG_SPACE(length)`; None where Python raises OverflowError.
pub fn cmsg_space(length: i64) -> Option<usize> {
    let n = usize::try_from(length).ok()?;
    if n > SOCKLEN_LIMIT - sys::cmsg_space(1)? {
        return None;
    }
    sys::cmsg_space(n)
}

/// One ancillary data item: `(level, type, data)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmsg {
    pub level: i32,
    pub ty: i32,
    pub data: Vec<u8>,
}

/// Lays out ancillary items as a control buffer, each item in CMSG_SPACE of its data.
pub fn encode_control(items: &[(i32, i32, &[u8])]) -> Result<Vec<u8>> {
    let too_much = || Error::message("too much ancillary data", "sendmsg");
    let mut total = 0usize;
    for (_, _, data) in items {
        let space = sys::cmsg_space(data.len()).ok_or_else(too_much)?;
        total = total
            .checked_add(space)
            .filter(|t| *t <= SOCKLEN_LIMIT)
            .ok_or_else(too_much)?;
    }
    let mut buf = vec![0u8; total];
    let mut off = 0usize;
    for (level, ty, data) in items {
        if !sys::put_cmsg(&mut buf, off, *level, *ty, data) {
            return Err(Error::message(
                "ancillary data does not fit in calculated space",
                "sendmsg",
            ));
        }
        off += sys::cmsg_space(data.len()).ok_or_else(too_much)?;
    }
    Ok(buf)
}

/// sendmsg(buffers, ancdata, flags, address) -> bytes sent.
pub fn sendmsg(
    fd: Fd,
    buffers: &[&[u8]],
    ancdata: &[(i32, i32, &[u8])],
    flags: i32,
    addr: Option<&SockAddr>,
    timeout: Timeout,
) -> Result<usize> {
    let control = encode_control(ancdata)?;
    if sends_whole(flags, timeout) {
        // The ancillary data goes with the first bytes only, as the kernel's own call sends it.
        let len = buffers.iter().map(|b| b.len()).sum();
        return send_whole(fd, len, flags, "sendmsg", |sent, f| match sent {
            0 => sys::sendmsg(fd, buffers, &control, addr, f),
            _ => sys::sendmsg(fd, &unsent(buffers, sent), &[], addr, f),
        });
    }
    retry(fd, timeout, flags, POLLOUT, "sendmsg", |f| {
        sys::sendmsg(fd, buffers, &control, addr, f)
    })
}

/// The buffers' bytes after the first `sent`.
fn unsent<'a>(buffers: &[&'a [u8]], mut sent: usize) -> Vec<&'a [u8]> {
    buffers
        .iter()
        .map(|b| {
            let skip = sent.min(b.len());
            sent -= skip;
            &b[skip..]
        })
        .collect()
}

/// What recvmsg returns: `[nbytes, ancdata, msg_flags, address]`.
#[derive(Debug)]
pub struct Received {
    pub nbytes: usize,
    pub ancdata: Vec<Cmsg>,
    pub msg_flags: i32,
    pub address: Option<Address>,
}

impl Received {
    /// Closes the fds that arrived in SCM_RIGHTS messages: for a caller that
    /// fails after receiving them, so that they never leak.
    pub fn close_fds(&self) {
        close_rights(&self.ancdata);
    }
}

/// Closes every fd of the SCM_RIGHTS items in `ancdata`.
pub fn close_rights(ancdata: &[Cmsg]) {
    for c in ancdata {
        if c.level == c::SOL_SOCKET && c.ty == c::SCM_RIGHTS {
            for fd in sys::read_fds(&c.data) {
                // Nothing useful to do if close fails: the fd is gone either way.
                let _ = sys::close(fd);
            }
        }
    }
}

/// recvmsg_into(buffers, ancbufsize, flags): scatter into `buffers`.
pub fn recvmsg_into(
    fd: Fd,
    buffers: &mut [&mut [u8]],
    ancbufsize: i64,
    flags: i32,
    timeout: Timeout,
) -> Result<Received> {
    let ancbufsize = usize::try_from(ancbufsize)
        .ok()
        .filter(|n| *n <= SOCKLEN_LIMIT)
        .ok_or_else(|| Error::value("invalid ancillary data buffer length"))?;
    let mut control = Vec::new();
    crate::error::resize(&mut control, ancbufsize.min(CONTROL_ROOM), 0u8, "recvmsg")?;
    if waits_for_all(flags, timeout) {
        return recvmsg_all(fd, buffers, control, flags);
    }
    let (events, after_wait) = (read_events(flags), receive_after_wait(timeout));
    let (r, sa) = retry_with(
        fd,
        timeout,
        flags,
        events,
        "recvmsg",
        after_wait,
        &mut None,
        |f| sys::recvmsg(fd, buffers, &mut control, f),
    )?;
    Ok(Received {
        nbytes: r.nbytes,
        ancdata: parse(&control[..r.controllen]),
        msg_flags: r.msg_flags,
        address: Address::from_sockaddr(&sa),
    })
}

/// recvmsg with MSG_WAITALL in blocking mode: sock.rs's `recv_all` over the
/// scatter buffers, which ancillary data ends as the kernel's own wait ends it.
/// On AF_UNIX (Linux's unix_stream_read_generic) one call glues only bytes
/// sent with the same credentials (SO_PASSCRED), and stops after bytes that
/// brought fds. So once a receive has brought ancillary data, the next one
/// first peeks at what it would bring: bytes whose items begin with the same
/// go on (with fds after them, they end the wait), others are left for the next
/// call. On TCP each receive's items (a timestamp, TCP_INQ) replace the last's,
/// as TCP's own wait reports those of its last bytes.
fn recvmsg_all(fd: Fd, buffers: &mut [&mut [u8]], mut control: Vec<u8>, flags: i32) -> Result<Received> {
    let unix = sys::getsockname(fd).is_ok_and(|sa| i32::from(sa.family()) == c::AF_UNIX);
    let room = buffers.iter().map(|b| b.len()).sum();
    // The items kept so far, the first receive's sender, and every receive's msg_flags.
    let mut kept = Vec::new();
    let mut sender = None;
    let mut msg_flags = 0;
    let nbytes = recv_all(fd, room, flags, "recvmsg", |got, f| {
        if unix && !kept.is_empty() && !peek_control(fd, &mut control, f)?.starts_with(&kept) {
            return Ok((0, true));
        }
        let (r, sa) = sys::recvmsg(fd, &mut unreceived(buffers, got), &mut control, f)?;
        sender.get_or_insert(sa);
        msg_flags |= r.msg_flags;
        let items = &control[..r.controllen];
        let mut ends = false;
        if unix {
            ends =
                r.msg_flags & c::MSG_CTRUNC != 0 || has_rights(items) || (!kept.is_empty() && items != kept);
            if kept.is_empty() || ends {
                kept = items.to_vec();
            }
        } else if !items.is_empty() {
            kept = items.to_vec();
        }
        Ok((r.nbytes, ends))
    })?;
    Ok(Received {
        nbytes,
        ancdata: parse(&kept),
        msg_flags,
        address: sender.as_ref().and_then(Address::from_sockaddr),
    })
}

/// The ancillary items the next receive would bring (a one-byte peek), with
/// any fds the peek installed closed again; an empty queue is EAGAIN.
fn peek_control(fd: Fd, control: &mut [u8], flags: i32) -> std::io::Result<Vec<u8>> {
    let mut byte = [0u8; 1];
    let (r, _) = sys::recvmsg(fd, &mut [&mut byte[..]], control, flags | c::MSG_PEEK)?;
    let items = control[..r.controllen].to_vec();
    close_rights(&parse(&items));
    Ok(items)
}

/// The buffers' room after the first `got` bytes.
fn unreceived<'a>(buffers: &'a mut [&mut [u8]], mut got: usize) -> Vec<&'a mut [u8]> {
    buffers
        .iter_mut()
        .map(|b| {
            let skip = got.min(b.len());
            got -= skip;
            &mut b[skip..]
        })
        .collect()
}

/// Whether a control buffer holds fds.
fn has_rights(control: &[u8]) -> bool {
    parse(control)
        .iter()
        .any(|c| c.level == c::SOL_SOCKET && c.ty == c::SCM_RIGHTS)
}

/// The items of a control buffer.
fn parse(control: &[u8]) -> Vec<Cmsg> {
    sys::parse_cmsgs(control)
        .into_iter()
        .map(|(level, ty, data)| Cmsg { level, ty, data })
        .collect()
}

/// A control message decoded: the ones users need, by their C structs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// SCM_RIGHTS: the fds.
    Rights(Vec<Fd>),
    /// SCM_CREDENTIALS (and SO_PEERCRED's value): `struct ucred`.
    Credentials { pid: i32, uid: u32, gid: u32 },
    /// IP_PKTINFO / IPV6_PKTINFO: the datagram's destination address and the
    /// interface it came in on; for IPv4 also the local address used (spec_dst).
    Pktinfo {
        addr: IpAddr,
        ifindex: u32,
        spec_dst: Option<Ipv4Addr>,
    },
    /// IP_TTL (from IP_RECVTTL) or IPV6_HOPLIMIT (from IPV6_RECVHOPLIMIT).
    Hops(i32),
    /// SCM_TIMESTAMP (`struct timeval`) or SCM_TIMESTAMPNS (`struct timespec`),
    /// as seconds and nanoseconds.
    Timestamp { sec: i64, nsec: i64 },
}

/// Decodes an ancillary item of a known kind; None for other kinds, or data too short.
pub fn decode(level: i32, ty: i32, data: &[u8]) -> Option<Decoded> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        if level == c::SOL_SOCKET && ty == c::SCM_CREDENTIALS {
            let (pid, uid, gid) = sys::read_ucred(data)?;
            return Some(Decoded::Credentials { pid, uid, gid });
        }
        if level == c::SOL_SOCKET && ty == c::SCM_TIMESTAMPNS {
            let (sec, nsec) = sys::read_timespec(data)?;
            return Some(Decoded::Timestamp { sec, nsec });
        }
        if level == c::IPPROTO_IP && ty == c::IP_PKTINFO {
            let (ifindex, spec, addr) = sys::read_in_pktinfo(data)?;
            return Some(Decoded::Pktinfo {
                addr: IpAddr::V4(Ipv4Addr::from(addr)),
                ifindex,
                spec_dst: Some(Ipv4Addr::from(spec)),
            });
        }
    }
    if level == c::SOL_SOCKET && ty == c::SCM_RIGHTS {
        return Some(Decoded::Rights(sys::read_fds(data)));
    }
    if level == c::SOL_SOCKET && ty == c::SCM_TIMESTAMP {
        let (sec, usec) = sys::read_timeval(data)?;
        // Saturating: the bytes are whatever the control buffer held.
        return Some(Decoded::Timestamp {
            sec,
            nsec: usec.saturating_mul(1000),
        });
    }
    if (level == c::IPPROTO_IP && ty == c::IP_TTL) || (level == c::IPPROTO_IPV6 && ty == c::IPV6_HOPLIMIT) {
        return sys::read_int(data).map(Decoded::Hops);
    }
    if level == c::IPPROTO_IPV6 && ty == c::IPV6_PKTINFO {
        let (ifindex, addr) = sys::read_in6_pktinfo(data)?;
        return Some(Decoded::Pktinfo {
            addr: IpAddr::V6(Ipv6Addr::from(addr)),
            ifindex,
            spec_dst: None,
        });
    }
    None
}

/// The bytes of a `struct ucred`, for sending SCM_CREDENTIALS; None where the OS has none.
pub fn ucred_bytes(pid: i32, uid: u32, gid: u32) -> Option<Vec<u8>> {
    sys::ucred_bytes(pid, uid, gid)
}

// ---- batched datagrams ----

pub use sys::Datagram;

/// sendmmsg: one datagram per buffer, each to its address (None: the connected
/// peer). Returns how many were sent, at least one unless it fails.
pub fn sendmmsg(
    fd: Fd,
    datas: &[&[u8]],
    addrs: &[Option<&SockAddr>],
    flags: i32,
    timeout: Timeout,
) -> Result<usize> {
    if datas.is_empty() {
        return Ok(0);
    }
    if sends_whole(flags, timeout) && is_byte_stream(fd) {
        return sendmmsg_whole(fd, datas, addrs, flags);
    }
    retry(fd, timeout, flags, POLLOUT, "sendmmsg", |f| {
        sys::sendmmsg(fd, datas, addrs, f)
    })
}

/// sendmmsg on a stream in blocking mode, as the kernel's blocking call makes
/// it: each message whole, as a blocking send(2) sends it, one after another
/// (one sendmmsg(2) with MSG_DONTWAIT would count a message it took part of as
/// sent). An error or a signal after some of them ends it with how many went,
/// one cut short among them, as sendmmsg(2) counts it.
fn sendmmsg_whole(fd: Fd, datas: &[&[u8]], addrs: &[Option<&SockAddr>], flags: i32) -> Result<usize> {
    for (i, data) in datas.iter().enumerate() {
        let addr = addrs.get(i).copied().flatten();
        let sent = send_whole(fd, data.len(), flags, "sendmmsg", |done, f| match addr {
            Some(sa) => sys::sendto(fd, &data[done..], f, sa),
            None => sys::send(fd, &data[done..], f),
        });
        match sent {
            Err(e) if i == 0 => return Err(e),
            Err(_) => return Ok(i),
            Ok(n) if n < data.len() || crate::signals::interrupted() => return Ok(i + 1),
            Ok(_) => {}
        }
    }
    Ok(datas.len())
}

/// recvmmsg into `bufs`: waits (as the mode says) for the first datagram, then
/// takes those that have arrived, up to one per buffer.
pub fn recvmmsg(
    fd: Fd,
    bufs: &mut [&mut [u8]],
    flags: i32,
    timeout: Timeout,
    out: &mut Vec<Datagram>,
) -> Result<usize> {
    out.clear();
    if bufs.is_empty() {
        return Ok(0);
    }
    // While no signal's listener must run inside it, the kernel's own wait: MSG_WAITFORONE waits
    // for the first datagram only, as a blocking recvmmsg here returns once one is in.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if crate::sock::kernel_waits(timeout, sys::dontwait(flags) || sys::never_waits(flags)) {
        if let Some(done) = crate::sock::kernel_call(fd, "recvmmsg", || {
            sys::recvmmsg(fd, bufs, flags | c::MSG_WAITFORONE, out)
        }) {
            return done;
        }
    }
    retry(fd, timeout, flags, read_events(flags), "recvmmsg", |f| {
        sys::recvmmsg(fd, bufs, f, out)
    })
}

// ---- sendfile ----

/// Why the OS sendfile was given up on, to fall back to send (Python's `_GiveupOnSendfile`).
enum Sendfile {
    GiveUp,
    Failed(Error),
}

impl From<Error> for Sendfile {
    fn from(e: Error) -> Self {
        Sendfile::Failed(e)
    }
}

const NONBLOCKING: &str = "non-blocking sockets are not supported";

/// Python's `socket.sendfile(file, offset, count)` for a file given by its fd:
/// the OS sendfile, or read and send where that cannot be used. The caller
/// has checked the socket type and `count` (Python's `_check_sendfile_params`).
/// The file's position ends at `offset` + bytes sent, when any were. A
/// negative offset fails as Python's does: sendfile(2) is given up on, and the
/// file's seek fails with EINVAL (an empty file sends nothing first).
pub fn sendfile(sock: Fd, file: Fd, offset: i64, count: Option<u64>, timeout: Timeout) -> Result<u64> {
    match use_sendfile(sock, file, offset, count, timeout) {
        Ok(n) => Ok(n),
        Err(Sendfile::Failed(e)) => Err(e),
        Err(Sendfile::GiveUp) => use_send(sock, file, offset, count, timeout),
    }
}

/// One sendfile(2) of up to `count` bytes of `file` from `offset`, without
/// waiting: what asyncio's `loop.sock_sendfile` makes each time the socket is
/// writable. The file's position is not moved (see `seek_file`).
pub fn sendfile_once(sock: Fd, file: Fd, offset: u64, count: usize) -> Result<usize> {
    sys::sendfile(sock, file, offset, count).map_err(|e| Error::io(&e, "sendfile"))
}

/// Moves a file's position to `offset`, as Python's `file.seek(offset)` after a sendfile.
pub fn seek_file(file: Fd, offset: u64) -> Result<()> {
    sys::seek(file, offset).map_err(|e| Error::io(&e, "lseek"))
}

fn use_sendfile(
    sock: Fd,
    file: Fd,
    offset: i64,
    count: Option<u64>,
    timeout: Timeout,
) -> std::result::Result<u64, Sendfile> {
    let fsize = sys::file_size(file).map_err(|_| Sendfile::GiveUp)?;
    if fsize == 0 {
        return Ok(0);
    }
    // At most 1 GiB per call, as Python (bpo-38319).
    let mut blocksize = count.unwrap_or(fsize).min(1 << 30);
    if timeout.is_nonblocking() {
        return Err(Error::value(NONBLOCKING).into());
    }
    // A closed socket's fd (-1): Python's selector refuses it before any call.
    if sock < 0 {
        return Err(Error::value(format!("Invalid file descriptor: {sock}")).into());
    }
    // With a timeout, Python's selector waits for room before each sendfile(2), the
    // whole timeout each time: a socket that never becomes writable (a listening one)
    // times out, even at the end of the file.
    let room = || {
        if timeout == Timeout::BLOCKING {
            Ok(())
        } else {
            wait(sock, POLLOUT, timeout.deadline(), "sendfile")
        }
    };
    // sendfile(2) refuses a negative offset (EINVAL), and Python gives up on it (after its wait).
    let Ok(mut offset) = u64::try_from(offset) else {
        room()?;
        return Err(Sendfile::GiveUp);
    };
    // While a signal's listeners must run inside the call, a blocking socket's sendfile(2) is
    // made with O_NONBLOCK set for it alone (as connect's): it sends what fits and returns, and
    // the call waits in poll(2), which a signal cuts short. The kernel's blocking sendfile(2)
    // would sleep until the peer reads, with a signal that came just before it (its listener
    // perhaps what makes the peer read) waiting the while.
    let interruptible = timeout == Timeout::BLOCKING && sys::MODE_FLAG && crate::signals::interruptible();
    let mut total = 0u64;
    let result = loop {
        if let Err(e) = room() {
            break Err(Sendfile::Failed(e.after_sending(total as usize)));
        }
        if let Some(c) = count {
            blocksize = c - total;
            if blocksize == 0 {
                break Ok(total);
            }
        }
        // At the end of the file (as it was when the call began) there is nothing
        // to wait for room for; CPython's blocking sendfile learns it from a 0.
        if offset >= fsize {
            break Ok(total);
        }
        if let Some(e) = interrupted_after(total, "sendfile") {
            break Err(Sendfile::Failed(e));
        }
        let size = usize::try_from(blocksize).unwrap_or(usize::MAX);
        match retry_flagless(sock, timeout, POLLOUT, "sendfile", false, || {
            if interruptible {
                crate::sock::nonblocking_once(sock, || sys::sendfile(sock, file, offset, size))
                    .and_then(|sent| sent)
            } else {
                sys::sendfile(sock, file, offset, size)
            }
        }) {
            Ok(0) => break Ok(total),
            Ok(n) => {
                offset += n as u64;
                total += n as u64;
            }
            Err(e) if total == 0 && matches!(e.kind, crate::Kind::Os(_)) && e.errno() != Some(sys::EINTR) => {
                break Err(Sendfile::GiveUp)
            }
            // What went out is said, so that a call interrupted to run a signal's listeners resumes after it.
            Err(e) => break Err(Sendfile::Failed(e.after_sending(total as usize))),
        }
    };
    if total > 0 {
        // Python seeks the file to where sending stopped; a file that cannot seek stays where it is.
        let _ = sys::seek(file, offset);
    }
    result
}

fn use_send(sock: Fd, file: Fd, offset: i64, count: Option<u64>, timeout: Timeout) -> Result<u64> {
    if timeout.is_nonblocking() {
        return Err(Error::value(NONBLOCKING));
    }
    // Python seeks the file there first: lseek(2) fails on a negative offset.
    let Ok(offset) = u64::try_from(offset) else {
        return Err(Error::os(sys::c::EINVAL, "lseek"));
    };
    if offset != 0 {
        sys::seek(file, offset).map_err(|e| Error::io(&e, "lseek"))?;
    }
    let mut blocksize = count.map_or(8192, |c| c.min(8192)) as usize;
    let mut buf = vec![0u8; 8192];
    let mut total = 0u64;
    let result = loop {
        if let Some(c) = count {
            blocksize = blocksize.min((c - total).min(8192) as usize);
            if blocksize == 0 {
                break Ok(total);
            }
        }
        if let Some(e) = interrupted_after(total, "send") {
            break Err(e);
        }
        let n = match read_file(file, &mut buf[..blocksize]) {
            Ok(0) => break Ok(total),
            Ok(n) => n,
            Err(e) => break Err(e.after_sending(total as usize)),
        };
        let mut data = &buf[..n];
        let mut failed = None;
        while !data.is_empty() {
            match crate::sock::send(sock, data, 0, timeout) {
                Ok(sent) => {
                    total += sent as u64;
                    data = &data[sent..];
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            // What went out is said, so that a call resumed after a signal's listeners goes on after it.
            break Err(e.after_sending(total as usize));
        }
    };
    if total > 0 {
        let _ = sys::seek(file, offset + total);
    }
    result
}

/// read(2), retried on EINTR unless a signal should interrupt.
fn read_file(file: Fd, buf: &mut [u8]) -> Result<usize> {
    loop {
        match sys::read(file, buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                if crate::signals::interrupted() {
                    return Err(Error::os(sys::EINTR, "read"));
                }
            }
            Err(e) if would_block(&e) => {
                wait(file, POLLIN, Timeout::BLOCKING.deadline(), "read")?;
            }
            Err(e) => return Err(Error::io(&e, "read")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use crate::sock::{close, socketpair};

    #[test]
    fn cmsg_sizes_are_pythons() {
        assert_eq!(cmsg_len(0), Some(sys::cmsg_data_offset()));
        assert_eq!(cmsg_len(-1), None);
        assert_eq!(cmsg_len(i32::MAX as i64), None);
        assert!(cmsg_space(1).is_some_and(|s| s > sys::cmsg_data_offset()));
        assert_eq!(cmsg_space(i32::MAX as i64), None);
    }

    // Control messages as recvmsg fills them: Windows has no recvmsg.
    #[cfg(unix)]
    #[test]
    fn control_round_trip() {
        let items: [(i32, i32, &[u8]); 2] = [(1, 2, b"abc"), (3, 4, b"defghijk")];
        let buf = encode_control(&items).unwrap_or_default();
        let parsed = sys::parse_cmsgs(&buf);
        assert_eq!(
            parsed,
            vec![(1, 2, b"abc".to_vec()), (3, 4, b"defghijk".to_vec())]
        );
        // Truncated buffers never read past their end.
        for cut in 0..buf.len() {
            for (_, _, data) in sys::parse_cmsgs(&buf[..cut]) {
                assert!(data.len() <= cut);
            }
        }
        // A header claiming more than the buffer holds yields only what is there.
        let mut bad = buf.clone();
        bad[0] = 0xff;
        let parsed = sys::parse_cmsgs(&bad);
        assert!(parsed.len() <= 1);
        assert!(parsed.iter().all(|(_, _, d)| d.len() <= bad.len()));
    }

    // SCM_RIGHTS is Unix's.
    #[cfg(unix)]
    #[test]
    fn fds_pass_over_a_socketpair() -> Result<()> {
        let (a, b) = socketpair(c::AF_UNIX, c::SOCK_STREAM, 0)?;
        let fds: Vec<u8> = [a, b].iter().flat_map(|fd| fd.to_ne_bytes()).collect();
        let sent = sendmsg(
            a,
            &[b"x"],
            &[(c::SOL_SOCKET, c::SCM_RIGHTS, &fds)],
            0,
            None,
            Timeout::BLOCKING,
        )?;
        assert_eq!(sent, 1);
        let mut buf = [0u8; 4];
        let space = cmsg_space(8).unwrap_or(0) as i64;
        let r = recvmsg_into(b, &mut [&mut buf[..]], space, 0, Timeout::BLOCKING)?;
        assert_eq!(r.nbytes, 1);
        assert_eq!(r.ancdata.len(), 1);
        let Some(Decoded::Rights(got)) = decode(r.ancdata[0].level, r.ancdata[0].ty, &r.ancdata[0].data)
        else {
            panic!("no fds: {r:?}")
        };
        assert_eq!(got.len(), 2);
        r.close_fds();
        close(a)?;
        close(b)
    }

    // SCM_TIMESTAMP and struct timeval messages are Unix's.
    #[cfg(unix)]
    #[test]
    // musl marks time_t and suseconds_t deprecated (they are to become 64-bit there).
    #[allow(deprecated)]
    fn a_timestamp_of_any_bytes_decodes() {
        // A timeval whose microseconds overflow when made nanoseconds.
        let mut data = vec![0u8; std::mem::size_of::<c::timeval>()];
        let usec = std::mem::size_of::<c::time_t>();
        let max = c::suseconds_t::MAX.to_ne_bytes();
        data[usec..usec + max.len()].copy_from_slice(&max);
        let decoded = decode(c::SOL_SOCKET, c::SCM_TIMESTAMP, &data);
        assert!(
            matches!(decoded, Some(Decoded::Timestamp { sec: 0, .. })),
            "{decoded:?}"
        );
    }
}
