//! A readiness poller of bsdsock's own, for hosts whose event loop it cannot
//! share (Bun exports libuv's names but not a loop; Deno's uv_poll reports a
//! readiness once, not for as long as it lasts). One thread waits in
//! `wait`; any thread sets what each fd is watched for. Every interest is
//! one-shot: once reported, the fd is not reported again until `arm` is called
//! again, so the waiter never spins on a readiness its owner has yet to handle,
//! and re-arming after each handling gives uv_poll's level-triggered meaning.
//! Each report carries the token the fd was armed with: an owner that
//! `remove`s an fd and then closes it tells a late report (one the waiter took
//! before the removal) from a report about a new fd of the same number.
//!
//! The platform's half is `Imp` (epoll on Linux, kqueue on macOS and the
//! BSDs, WSAPoll on Windows); this half is the wake-up channel, a socket pair.

use std::io;
use std::mem::MaybeUninit;

use super::{close, recv, send, set_nonblocking, socketpair, Fd, Imp, DONTWAIT};

/// Readiness bits, as uv_poll's.
pub const POLL_READ: i32 = 1;
pub const POLL_WRITE: i32 = 2;

/// The token of the wake-up socket (no fd is armed with it).
#[cfg(unix)]
pub(crate) const WAKE: u64 = u64::MAX;

#[cfg(unix)]
const PAIR_FAMILY: i32 = libc::AF_UNIX;
#[cfg(windows)]
const PAIR_FAMILY: i32 = super::c::AF_INET;

/// One readiness report: the token the fd was armed with, and POLL_READ / POLL_WRITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    pub token: u64,
    pub events: i32,
}

pub struct Poller {
    imp: Imp,
    /// The wake-up pair: `wake` writes to the second, the waiter watches the first.
    pair: (Fd, Fd),
}

impl Poller {
    pub fn new() -> io::Result<Poller> {
        let pair = socketpair(PAIR_FAMILY, super::c::SOCK_STREAM, 0)?;
        let made = set_nonblocking(pair.0, true)
            .and_then(|()| set_nonblocking(pair.1, true))
            .and_then(|()| Imp::new(pair.0));
        match made {
            Ok(imp) => Ok(Poller { imp, pair }),
            Err(e) => {
                let _ = close(pair.0);
                let _ = close(pair.1);
                Err(e)
            }
        }
    }

    /// Watches `fd` for `events` (POLL_READ, POLL_WRITE; not none), once.
    pub fn arm(&self, fd: Fd, token: u64, events: i32) -> io::Result<()> {
        if self.imp.arm(fd, token, events)? {
            self.wake()?;
        }
        Ok(())
    }

    /// Stops watching `fd`. After it returns, the waiter may still report the
    /// fd once, with its old token, from a wait that began before.
    pub fn remove(&self, fd: Fd) -> io::Result<()> {
        if self.imp.remove(fd)? {
            self.wake()?;
        }
        Ok(())
    }

    /// Waits until an armed fd is ready or `wake` is called; adds what is
    /// ready to `out` (nothing when woken, or interrupted by a signal).
    pub fn wait(&self, out: &mut Vec<Ready>) -> io::Result<()> {
        match self.imp.wait(self.pair.0, out) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            r => r,
        }
    }

    /// Ends a `wait` now, or the next one if none is under way.
    pub fn wake(&self) -> io::Result<()> {
        match send(self.pair.1, &[1], DONTWAIT) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            r => r.map(drop),
        }
    }
}

/// Empties the wake-up socket (the waiter's, when it was reported).
pub(crate) fn drain(fd: Fd) {
    let mut buf = [MaybeUninit::new(0u8); 64];
    while matches!(recv(fd, &mut buf, DONTWAIT), Ok(n) if n > 0) {}
}

impl Drop for Poller {
    fn drop(&mut self) {
        let _ = close(self.pair.0);
        let _ = close(self.pair.1);
    }
}
