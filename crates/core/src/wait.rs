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
    /// A deadline `secs` from now; None (or negative) never.
    pub fn after_secs(secs: Option<f64>) -> Deadline {
        Timeout::from_secs(secs.unwrap_or(-1.0)).deadline()
    }

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
    let mut fds = [pollfd(fd, events), pollfd(wake, sys::POLLIN)];
    let count = if wake >= 0 { 2 } else { 1 };
    match poll_loop(&mut fds[..count], wake >= 0, deadline, syscall)? {
        0 => Err(Error::timeout(syscall)),
        _ => Ok(()),
    }
}

/// Polls `fds` until one is ready or the deadline passes (then 0), with the
/// wake pipe of the interrupting signals polled beside them.
pub fn poll_fds(fds: &mut Vec<libc::pollfd>, deadline: Deadline, syscall: &'static str) -> Result<usize> {
    let wake = crate::signals::arm();
    if wake >= 0 {
        fds.push(pollfd(wake, sys::POLLIN));
    }
    let ready = poll_loop(fds, wake >= 0, deadline, syscall);
    if wake >= 0 {
        fds.pop();
    }
    ready
}

pub fn pollfd(fd: Fd, events: i16) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

/// The poll loop of every wait: retried on EINTR with the time left (PEP 475),
/// cut short with EINTR when an interrupting signal came (the last entry is
/// then the wake pipe). Returns how many of the caller's fds are ready; 0 once
/// the deadline has passed (an expired or zero deadline still polls once).
fn poll_loop(
    fds: &mut [libc::pollfd],
    has_wake: bool,
    deadline: Deadline,
    syscall: &'static str,
) -> Result<usize> {
    loop {
        let ms = deadline.poll_ms().unwrap_or(0);
        match sys::poll(fds, ms) {
            Ok(mut ready) => {
                if has_wake && fds.last().is_some_and(|w| w.revents != 0) {
                    if crate::signals::take_interrupt() {
                        return Err(Error::os(sys::EINTR, syscall));
                    }
                    ready -= 1;
                }
                if ready > 0 || ms == 0 {
                    return Ok(ready);
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
