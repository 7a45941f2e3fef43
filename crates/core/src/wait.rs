//! Waiting for a socket to become ready: poll with a deadline, retried on
//! EINTR with the remaining time recomputed (PEP 475), and cut short by the
//! signals that interrupt blocking calls.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::sys::{self, Fd};

/// A socket's mode, as Python's `timeout`: `None` blocks, zero never waits,
/// anything else waits at most that long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeout(pub Option<Duration>);

impl Timeout {
    pub const BLOCKING: Timeout = Timeout(None);

    /// From Python's float seconds; negative means blocking (None).
    pub fn from_secs(secs: f64) -> Timeout {
        if secs < 0.0 || !secs.is_finite() {
            Timeout(None)
        } else {
            Timeout(Some(Duration::from_secs_f64(secs)))
        }
    }

    pub fn is_nonblocking(&self) -> bool {
        self.0 == Some(Duration::ZERO)
    }

    /// The deadline of one call, starting now.
    pub fn deadline(&self) -> Deadline {
        Deadline(self.0.map(|d| Instant::now() + d))
    }
}

/// When a call must give up: `None` never.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// Milliseconds left for poll, rounded up; `None` once the deadline passed.
    fn poll_ms(&self) -> Option<i32> {
        let Some(at) = self.0 else { return Some(-1) };
        let left = at.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        let ms = left.as_nanos().div_ceil(1_000_000);
        Some(i32::try_from(ms).unwrap_or(i32::MAX))
    }
}

/// Waits until `fd` has one of `events`, the deadline passes (TimeoutError),
/// or an interrupting signal arrives (InterruptedError).
pub fn wait(fd: Fd, events: i16, deadline: Deadline, syscall: &'static str) -> Result<()> {
    let wake = crate::signals::arm();
    loop {
        let Some(ms) = deadline.poll_ms() else {
            return Err(Error::timeout(syscall));
        };
        let mut fds = [
            libc::pollfd {
                fd,
                events,
                revents: 0,
            },
            libc::pollfd {
                fd: wake,
                events: sys::POLLIN,
                revents: 0,
            },
        ];
        let count = if wake >= 0 { 2 } else { 1 };
        match sys::poll(&mut fds[..count], ms) {
            Ok(0) => continue,
            Ok(_) => {
                if fds[1].revents != 0 && crate::signals::take_interrupt() {
                    return Err(Error::os(sys::EINTR, syscall));
                }
                if fds[0].revents != 0 {
                    return Ok(());
                }
            }
            Err(e) if e.raw_os_error() == Some(sys::EINTR) => {
                if crate::signals::take_interrupt() {
                    return Err(Error::os(sys::EINTR, syscall));
                }
            }
            Err(e) => return Err(Error::io(&e, "poll")),
        }
    }
}
