//! Signals on Windows: there are no POSIX signals to interrupt a blocking
//! call, so no wait has a wake pipe to poll and nothing is ever interrupted,
//! as in Python on Windows, where Ctrl+C does not cut a blocking socket call
//! short either. The functions keep the Unix module's shape.

/// The fd a wait should poll beside its socket: none.
pub fn arm() -> i32 {
    -1
}

/// Whether an interrupting signal arrived: never.
pub fn take_interrupt() -> bool {
    false
}

/// A signal's handler may have changed: nothing to check again.
pub fn rearm() {}

/// Python's `signal.siginterrupt`, which Windows lacks: no signal is accepted.
pub fn siginterrupt(_sig: i32, _flag: bool) -> bool {
    false
}
