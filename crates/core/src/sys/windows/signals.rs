//! Signals on Windows: there are no POSIX signals to interrupt a blocking
//! call, so no wait has a wake pipe to poll and nothing is ever interrupted,
//! as in Python on Windows, where Ctrl+C does not cut a blocking socket call
//! short either. The functions keep the Unix module's shape.

/// Makes this thread the one that handles signals: there are none to handle.
pub fn set_main_thread() {}

/// Whether this thread handles signals: none does.
pub fn is_main_thread() -> bool {
    false
}

/// The loop's waker: never called.
pub fn set_waker(_waker: Option<extern "C" fn()>) {}

/// No signal can be caught.
pub fn catch(_sig: i32, _on: bool) -> bool {
    false
}

/// The fd a wait should poll beside its socket: none.
pub fn arm() -> i32 {
    -1
}

/// A signal's handler may have changed: nothing to check again.
pub fn rearm() {}

/// Whether a blocking call must wait where a signal can cut it short: never.
pub fn interruptible() -> bool {
    false
}

/// Whether a blocking call must stop for pending signals: never.
pub fn interrupted() -> bool {
    false
}

/// How many times each signal came.
pub type Counts = [u32; 64];

/// The pending signals: none.
pub fn take_pending() -> Counts {
    [0; 64]
}

/// Nothing was taken, so nothing goes back.
pub fn put_back(_counts: &Counts) {}

/// No self-pipe to empty.
pub fn drain() {}
