//! Waiting for a socket to become ready: poll with a deadline, retried on
//! EINTR with the remaining time recomputed (PEP 475), and cut short by the
//! signals that interrupt blocking calls.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::sys::c;
use crate::sys::{self, Fd};

/// A socket's mode, as Python's `timeout`: `None` blocks, zero never waits,
/// anything else waits at most that long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeout(pub Option<Duration>);

impl Timeout {
    pub const BLOCKING: Timeout = Timeout(None);
    pub const NONBLOCKING: Timeout = Timeout(Some(Duration::ZERO));

    /// From Python's float seconds; negative means blocking (None).
    pub fn from_secs(secs: f64) -> Timeout {
        if secs == 0.0 {
            // Non-blocking, the mode of every asyncio call: no conversion needed.
            Timeout::NONBLOCKING
        } else if secs < 0.0 || !secs.is_finite() {
            Timeout(None)
        } else {
            // Beyond what a Duration holds, a wait is as good as endless.
            Timeout(Duration::try_from_secs_f64(secs).ok())
        }
    }

    /// Whether the timeout is zero: never wait.
    pub fn is_nonblocking(&self) -> bool {
        self.0 == Some(Duration::ZERO)
    }

    /// What is left of this timeout, `start` being when the call began (None
    /// for blocking mode). Never zero once it was not: a call resumed with no
    /// time left still polls once and then times out, rather than turning
    /// non-blocking.
    pub fn left_since(&self, start: Option<Instant>) -> Timeout {
        match (self.0, start) {
            (Some(total), Some(start)) => {
                let left = total.saturating_sub(start.elapsed());
                Timeout(Some(left.max(Duration::from_nanos(1))))
            }
            _ => *self,
        }
    }

    /// The deadline of one call, starting now.
    pub fn deadline(&self) -> Deadline {
        // A deadline past what an Instant holds is no deadline at all.
        Deadline(self.0.and_then(|d| Instant::now().checked_add(d)))
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

    /// The time left: `Some(None)` for ever, `None` once the deadline passed.
    pub(crate) fn left(&self) -> Option<Option<Duration>> {
        let Some(at) = self.0 else { return Some(None) };
        let left = at.checked_duration_since(Instant::now())?;
        (!left.is_zero()).then_some(Some(left))
    }

    /// Whether the deadline has passed (never, for none).
    pub fn expired(&self) -> bool {
        self.left().is_none()
    }

    /// Milliseconds left, rounded up (-1 for ever); `None` once the deadline passed.
    #[cfg(test)]
    fn poll_ms(&self) -> Option<i32> {
        Some(match self.left()? {
            None => -1,
            Some(left) => i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        })
    }
}

/// Waits until `fd` has one of `events`, the deadline passes (TimeoutError),
/// or an interrupting signal arrives (InterruptedError).
///
/// A deadline that has passed is a timeout at once: a socket that polls ready
/// while its call still says EAGAIN (an error queue, a shut-down reader) would
/// otherwise be waited for and retried for ever, where CPython's timeout fires.
pub fn wait(fd: Fd, events: i16, deadline: Deadline, syscall: &'static str) -> Result<()> {
    if deadline.expired() {
        return Err(Error::timeout(syscall));
    }
    match wait_ready(fd, events, deadline, syscall)? {
        0 => Err(Error::timeout(syscall)),
        _ => Ok(()),
    }
}

/// EINTR, carrying the `sent` bytes, when a signal's listeners must run before
/// a sending loop's next call: Python runs its handlers between the calls of
/// its loops (sendfile's, and sendall's in C), and the next call could block
/// with them waiting (a blocking socket's sendfile(2) sleeps until the peer
/// reads, and a signal that came before it does not cut that short). The
/// caller's listeners run, and the call resumes after the bytes sent.
pub fn interrupted_after(sent: u64, syscall: &'static str) -> Option<Error> {
    (sent > 0 && crate::signals::interrupted())
        .then(|| Error::os(sys::EINTR, syscall).with_written(sent as usize))
}

/// The longest `pause`: a receiver that makes room is seen this late at most.
const PAUSE_MAX_MS: u64 = 16;

/// Sleeps 1 ms for the first (`n` 0), twice as long for each next, up to
/// PAUSE_MAX_MS, or until the deadline (then TimeoutError), or until an
/// interrupting signal arrives (InterruptedError): for a call whose fd polls
/// ready while the call still says EAGAIN.
pub fn pause(n: u32, deadline: Deadline, syscall: &'static str) -> Result<()> {
    if deadline.expired() {
        return Err(Error::timeout(syscall));
    }
    let ms = (1u64 << n.min(8)).min(PAUSE_MAX_MS);
    let until = Instant::now().checked_add(Duration::from_millis(ms));
    let soon = match (deadline.0, until) {
        (Some(d), Some(u)) => Deadline(Some(d.min(u))),
        (d, u) => Deadline(d.or(u)),
    };
    sleep_until(soon, syscall)
}

/// Waits for the deadline, or an interrupting signal.
#[cfg(not(windows))]
fn sleep_until(deadline: Deadline, syscall: &'static str) -> Result<()> {
    poll_fds(&mut Vec::new(), deadline, syscall).map(|_| ())
}

/// Waits for the deadline (a signal does not interrupt a wait on Windows).
#[cfg(windows)]
fn sleep_until(deadline: Deadline, _syscall: &'static str) -> Result<()> {
    if let Some(Some(left)) = deadline.left() {
        std::thread::sleep(left);
    }
    Ok(())
}

/// The wait of `wait`: poll on the fd and the wake pipe; 0 once the deadline passed.
#[cfg(not(windows))]
fn wait_ready(fd: Fd, events: i16, deadline: Deadline, syscall: &'static str) -> Result<usize> {
    let wake = crate::signals::arm();
    let mut fds = [pollfd(fd, events), pollfd(wake, sys::POLLIN)];
    let count = if wake >= 0 { 2 } else { 1 };
    poll_loop(&mut fds[..count], wake >= 0, deadline, syscall)
}

/// The wait of `wait` on Windows: Winsock's select, as Python waits there (it
/// also reports a failed connect, which WSAPoll misses before Windows 10 2004).
#[cfg(windows)]
fn wait_ready(fd: Fd, events: i16, deadline: Deadline, _syscall: &'static str) -> Result<usize> {
    let left = deadline.left().unwrap_or(Some(Duration::ZERO));
    sys::wait_socket(fd, events, left).map_err(|e| Error::io(&e, "select"))
}

/// Polls `fds` until one is ready or the deadline passes (then 0), with the
/// wake pipe of the interrupting signals polled beside them.
pub fn poll_fds(fds: &mut Vec<c::pollfd>, deadline: Deadline, syscall: &'static str) -> Result<usize> {
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

pub use sys::pollfd;

/// The poll loop of every wait: retried on EINTR with the time left (PEP 475),
/// cut short with EINTR when a caught signal is pending on the main thread
/// (its listeners run, then the caller goes on: see signals.rs); the last
/// entry is then the wake pipe. Returns how many of the caller's fds are
/// ready; 0 once the deadline has passed (an expired or zero deadline still
/// polls once).
fn poll_loop(
    fds: &mut [c::pollfd],
    has_wake: bool,
    deadline: Deadline,
    syscall: &'static str,
) -> Result<usize> {
    loop {
        // A signal already pending: look without waiting. What is ready is returned before
        // the signal's EINTR, as CPython's poll(2) returns ready fds (only an EINTR runs its
        // handlers); the caller runs the listeners as the call returns. Else a storm of
        // signals, one coming during each run of the listeners, would keep the call from
        // ever returning the fds it waits for.
        let pending = crate::signals::interrupted();
        // None once the deadline passed: an expired (or zero) deadline still polls once.
        let left = deadline.left();
        let wait = if pending {
            Some(Duration::ZERO)
        } else {
            left.unwrap_or(Some(Duration::ZERO))
        };
        match sys::poll(fds, wait) {
            Ok(mut ready) => {
                if has_wake && fds.last().is_some_and(|w| w.revents != 0) {
                    // The byte only woke us; the signals themselves are in PENDING.
                    crate::signals::drain();
                    ready -= 1;
                }
                if ready > 0 {
                    return Ok(ready);
                }
                // The deadline passed: the call times out, signals or not (the caller
                // runs their listeners as it returns), as CPython gives up once no time
                // is left after an EINTR. Else a storm would keep it waiting for ever.
                if left.is_none() {
                    return Ok(0);
                }
                if pending || crate::signals::interrupted() {
                    return Err(Error::os(sys::EINTR, syscall));
                }
            }
            Err(e) if e.raw_os_error() == Some(sys::EINTR) => {}
            Err(e) => return Err(Error::io(&e, "poll")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_wait_for_ever_instead_of_overflowing() {
        for secs in [1e300, f64::MAX, 1.9e19] {
            assert_eq!(Timeout::from_secs(secs).deadline().poll_ms(), Some(-1), "{secs}");
        }
        // Long but representable: poll waits as long as it can, and again after.
        assert_eq!(Timeout::from_secs(1e9).deadline().poll_ms(), Some(i32::MAX));
        assert!(Timeout::from_secs(9.2e18).deadline().poll_ms().is_some());
        assert_eq!(Timeout::from_secs(f64::INFINITY), Timeout(None));
        assert_eq!(Timeout::from_secs(-1.0), Timeout(None));
    }

    #[test]
    fn a_pause_ends_by_itself_and_never_outlives_the_deadline() -> Result<()> {
        // The longest pause, with no deadline: it ends by itself.
        pause(u32::MAX, Deadline(None), "send")?;
        // A deadline that has passed: TimeoutError at once, as a wait's.
        let passed = Deadline(Some(Instant::now()));
        assert!(pause(0, passed, "send").is_err_and(|e| e.errno().is_none()));
        Ok(())
    }
}
