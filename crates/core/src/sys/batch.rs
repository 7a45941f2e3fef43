//! Batched datagrams: what one received datagram of a batch is, and, where
//! the OS has no sendmmsg / recvmmsg, loops of the single calls with the same
//! results.

use socket2::SockAddr;

/// One received datagram of a batch: its length, flags and sender.
pub struct Datagram {
    pub nbytes: usize,
    pub msg_flags: i32,
    pub addr: SockAddr,
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub use loops::*;

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod loops {
    use std::io;
    use std::mem::MaybeUninit;

    use socket2::SockAddr;

    use super::super::{recvfrom, send, sendto, Fd};
    use super::Datagram;

    /// sendmmsg as a loop of sendto/send: an error after the first datagram
    /// ends the batch early.
    pub fn sendmmsg(fd: Fd, datas: &[&[u8]], addrs: &[Option<&SockAddr>], flags: i32) -> io::Result<usize> {
        for (i, data) in datas.iter().enumerate() {
            let r = match addrs.get(i) {
                Some(Some(a)) => sendto(fd, data, flags, a),
                _ => send(fd, data, flags),
            };
            if let Err(e) = r {
                return if i == 0 { Err(e) } else { Ok(i) };
            }
        }
        Ok(datas.len())
    }

    /// recvmmsg as a loop of recvfrom: waits (as the caller's mode says) only
    /// for the first datagram, then takes what has arrived.
    pub fn recvmmsg(
        fd: Fd,
        bufs: &mut [&mut [u8]],
        flags: i32,
        out: &mut Vec<Datagram>,
    ) -> io::Result<usize> {
        out.clear();
        for buf in bufs.iter_mut() {
            // SAFETY: u8 and MaybeUninit<u8> have the same layout, and the OS only writes bytes.
            let uninit = unsafe { &mut *(&mut **buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
            match recvfrom(fd, uninit, flags) {
                Ok((n, addr)) => out.push(Datagram {
                    nbytes: n,
                    msg_flags: 0,
                    addr,
                }),
                Err(e) if out.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        Ok(out.len())
    }
}
