//! Signals, as CPython handles them (PEP 475): a signal with a listener runs
//! that listener inside the blocking call it interrupted, and the call then
//! goes on with the time it has left, unless the listener threw.
//!
//! Node runs a `process.on('SIGINT')` listener only when its loop turns, which
//! a program blocked in a call (or looping around blocking calls) never lets
//! happen. So for every signal the facade says has listeners (`catch`), a
//! handler of ours takes the place of libuv's: it marks the signal pending in
//! one atomic word, counts it, writes a byte to a self-pipe that every wait on the main
//! thread polls, and wakes the loop through a waker the N-API layer gives
//! (`uv_async_send`, which is async-signal-safe). Whoever comes first, a wait
//! or the loop, takes the pending signals (`take_pending`) and runs their
//! listeners: each signal once, never by both. The handler ours replaced is
//! not called for a caught signal (libuv would deliver it a second time); for
//! every other signal it is, as if ours were not there.
//!
//! As in CPython, signals are handled on the main thread only: waits in worker
//! threads neither poll the pipe nor take signals, and retry after EINTR.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

const NSIG: usize = 65;

/// Signals whose listeners run inside blocking calls: those the facade says
/// have `process.on` listeners, unless `siginterrupt(sig, false)` opted out.
static CAUGHT: [AtomicBool; NSIG] = [const { AtomicBool::new(false) }; NSIG];
/// Whether any signal is in CAUGHT.
static ANY_CAUGHT: AtomicBool = AtomicBool::new(false);
/// Signals caught and not yet handled: bit `sig` for each (1..=63), and how
/// many times each came (its listeners run once per signal, as Node's do), up
/// to `QUEUED`.
static PENDING: AtomicU64 = AtomicU64::new(0);
static COUNTS: [AtomicU32; 64] = [const { AtomicU32::new(0) }; 64];
/// How many of one signal wait for their listeners at most; more coalesce, as
/// the kernel coalesces a signal that comes while one is pending, and as
/// libuv drops the signals its full pipe has no room for. Without a bound, a
/// storm that comes faster than the listeners run would queue more runs
/// during each batch than the batch ran, and the blocking call between
/// batches would never get its turn (CPython bounds it at one: a flag).
const QUEUED: u32 = 16;
/// The handler ours replaced, and its flags, per signal.
static PREV_HANDLER: [AtomicUsize; NSIG] = [const { AtomicUsize::new(libc::SIG_DFL) }; NSIG];
static PREV_FLAGS: [AtomicUsize; NSIG] = [const { AtomicUsize::new(0) }; NSIG];
/// The self-pipe: read end polled by the main thread's waits, write end written by the handler.
static PIPE_READ: AtomicI32 = AtomicI32::new(-1);
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
/// `extern "C" fn()` that wakes the main thread's event loop, or 0.
static WAKER: AtomicUsize = AtomicUsize::new(0);
static INIT: Mutex<bool> = Mutex::new(false);
/// Whether the handlers must be checked at the next wait (see `rearm`).
static DIRTY: AtomicBool = AtomicBool::new(true);

thread_local! {
    /// Whether this thread handles signals (the main JS thread).
    static MAIN: Cell<bool> = const { Cell::new(false) };
}

/// Signals whose default action is to do nothing.
fn default_ignores(sig: i32) -> bool {
    matches!(sig, libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT)
}

fn index(sig: i32) -> Option<usize> {
    usize::try_from(sig).ok().filter(|&i| i > 0 && i < NSIG)
}

/// Whether `sig` can be caught here: it has a pending bit, and is not one
/// that no handler can take.
fn catchable(sig: i32) -> Option<usize> {
    index(sig).filter(|&i| i < 64 && sig != libc::SIGKILL && sig != libc::SIGSTOP)
}

/// Makes this thread the one that handles signals (the facade's main thread).
pub fn set_main_thread() {
    MAIN.with(|m| m.set(true));
}

/// Whether this thread handles signals.
pub fn is_main_thread() -> bool {
    MAIN.with(Cell::get)
}

/// Sets the function that wakes the main thread's event loop when a signal
/// is caught (None: no loop to wake). It must be async-signal-safe.
pub fn set_waker(waker: Option<extern "C" fn()>) {
    WAKER.store(waker.map_or(0, |f| f as usize), Ordering::SeqCst);
}

/// Whether `sig`'s listeners run inside blocking calls (the facade says so
/// when a signal gets its first listener, and no longer after its last, or
/// after `siginterrupt(sig, false)`). Our handler goes in front of the
/// current one at once, so a signal that comes while the loop is idle is
/// caught too. False when the signal cannot be caught.
pub fn catch(sig: i32, on: bool) -> bool {
    let Some(i) = catchable(sig) else { return false };
    CAUGHT[i].store(on, Ordering::SeqCst);
    note_caught();
    if on && init().is_some() {
        install(sig);
    }
    rearm();
    true
}

/// As `catch`, but our handler goes in front at the next wait (`arm`) rather
/// than now: for hosts (Bun, Deno) that install their own handler just after
/// a listener is added, and chain to the one they replaced. Ours, put in
/// front of theirs then, is the one that runs, and never runs theirs for a
/// caught signal, which their loop would deliver a second time.
/// Off, the handler ours replaced goes back, so that the host handles the
/// signal as if ours had never been there.
pub fn catch_later(sig: i32, on: bool) -> bool {
    let Some(i) = catchable(sig) else { return false };
    CAUGHT[i].store(on, Ordering::SeqCst);
    note_caught();
    if !on {
        uninstall(sig);
    } else if init().is_none() {
        return false;
    }
    rearm();
    true
}

/// What Python's `signal.siginterrupt` asks of the kernel, without changing
/// anything: the signal's action read and set again as it is, so that a
/// signal no handler may take (SIGKILL, SIGSTOP, those the C library keeps
/// for itself) fails as sigaction(2) says. `NSIG` bounds the numbers before.
pub fn check_action(sig: i32) -> crate::Result<()> {
    // SAFETY: sigaction is a plain C struct, valid as all zeroes.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only reads the current one into `act`. As
    // CPython, a failed read leaves it zeroed, and the write says why.
    let _ = unsafe { libc::sigaction(sig, std::ptr::null(), &mut act) };
    // SAFETY: sets the action just read (or, if the read failed, one the kernel refuses as it did the read).
    if unsafe { libc::sigaction(sig, &act, std::ptr::null_mut()) } != 0 {
        return Err(crate::Error::last("sigaction"));
    }
    Ok(())
}

/// The number past the last signal, as CPython's `Py_NSIG` (the C library's
/// `NSIG`, or FreeBSD's `_SIG_MAXSIG + 1`).
#[cfg(any(target_os = "macos", target_os = "ios"))]
pub const SIGNAL_LIMIT: i32 = 32;
#[cfg(target_os = "freebsd")]
pub const SIGNAL_LIMIT: i32 = 129;
#[cfg(target_os = "netbsd")]
pub const SIGNAL_LIMIT: i32 = 64;
#[cfg(target_os = "openbsd")]
pub const SIGNAL_LIMIT: i32 = 33;
#[cfg(not(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
)))]
pub const SIGNAL_LIMIT: i32 = NSIG as i32;

/// Puts back the handler ours replaced, if ours is the one installed.
fn uninstall(sig: i32) {
    // SAFETY: sigaction with a null new action only reads the current one.
    let mut cur: libc::sigaction = unsafe { std::mem::zeroed() };
    if unsafe { libc::sigaction(sig, std::ptr::null(), &mut cur) } != 0
        || cur.sa_sigaction != on_signal as *const () as usize
    {
        return;
    }
    let i = sig as usize;
    let mut prev = cur;
    prev.sa_sigaction = PREV_HANDLER[i].load(Ordering::SeqCst);
    prev.sa_flags = PREV_FLAGS[i].load(Ordering::SeqCst) as _;
    // SAFETY: installs the action that was this signal's before ours (or the default).
    unsafe { libc::sigaction(sig, &prev, std::ptr::null_mut()) };
}

fn init() -> Option<()> {
    let mut done = INIT.lock().ok()?;
    if !*done {
        let (read, write) = crate::sys::pipe().ok()?;
        PIPE_WRITE.store(write, Ordering::Relaxed);
        PIPE_READ.store(read, Ordering::Release);
        *done = true;
    }
    Some(())
}

/// The fd a wait on this thread should poll beside its socket (-1 for none:
/// not the main thread, or no signal caught yet). Makes sure our handler is
/// still in front for every caught signal: another party (libuv, when a
/// listener is added) may have installed its own since.
pub fn arm() -> i32 {
    if !is_main_thread() {
        return -1;
    }
    let fd = PIPE_READ.load(Ordering::Acquire);
    if fd >= 0 && DIRTY.swap(false, Ordering::AcqRel) {
        for (i, on) in CAUGHT.iter().enumerate() {
            if on.load(Ordering::Relaxed) {
                install(i as i32);
            }
        }
    }
    fd
}

/// Says that a signal's handler may have changed: the next wait checks each
/// caught signal's handler again. Between such changes a wait makes no
/// sigaction calls.
pub fn rearm() {
    DIRTY.store(true, Ordering::Release);
}

fn install(sig: i32) {
    // SAFETY: sigaction with a null new action only reads the current one.
    let mut cur: libc::sigaction = unsafe { std::mem::zeroed() };
    if unsafe { libc::sigaction(sig, std::ptr::null(), &mut cur) } != 0 {
        return;
    }
    if cur.sa_sigaction == on_signal as *const () as usize || cur.sa_sigaction == libc::SIG_IGN {
        return;
    }
    let i = sig as usize;
    PREV_HANDLER[i].store(cur.sa_sigaction, Ordering::SeqCst);
    PREV_FLAGS[i].store(cur.sa_flags as usize, Ordering::SeqCst);
    let mut ours = cur;
    ours.sa_sigaction = on_signal as *const () as usize;
    ours.sa_flags = (cur.sa_flags | libc::SA_SIGINFO | libc::SA_ONSTACK) & !libc::SA_RESETHAND;
    // SAFETY: installs a handler that only does async-signal-safe work (atomics, write,
    // the waker, which must be async-signal-safe, and the previous handler, which was
    // itself installed as a signal handler).
    unsafe { libc::sigaction(sig, &ours, std::ptr::null_mut()) };
}

extern "C" fn on_signal(sig: i32, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(i) = index(sig) else { return };
    if i < 64 && CAUGHT[i].load(Ordering::SeqCst) {
        // A lock-free compare-and-swap loop: async-signal-safe.
        let _ = COUNTS[i].fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < QUEUED).then_some(n + 1)
        });
        PENDING.fetch_or(1 << i, Ordering::SeqCst);
        wake();
    } else {
        chain(sig, i, info, ctx);
    }
}

/// Wakes whatever may be waiting for pending signals: the main thread's wait
/// (the self-pipe) and its event loop (the waker). Async-signal-safe.
fn wake() {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    let byte = 1u8;
    // SAFETY: write(2) is async-signal-safe; a full pipe just drops the byte
    // (a wake-up is pending already).
    unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    let waker = WAKER.load(Ordering::SeqCst);
    if waker != 0 {
        // SAFETY: set_waker stored an `extern "C" fn()` here, async-signal-safe as it promises.
        let f: extern "C" fn() = unsafe { std::mem::transmute(waker) };
        f();
    }
}

/// Runs the handler ours replaced, or its default action.
fn chain(sig: i32, i: usize, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let prev = PREV_HANDLER[i].load(Ordering::SeqCst);
    let flags = PREV_FLAGS[i].load(Ordering::SeqCst) as i32;
    if prev == libc::SIG_DFL {
        if !default_ignores(sig) {
            // SAFETY: restores the default action and re-raises; the signal is blocked
            // while this handler runs, so the default action happens when it returns.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                libc::raise(sig);
            }
        }
    } else if prev != libc::SIG_IGN {
        if flags & libc::SA_RESETHAND != 0 {
            // The handler ours replaced was one-shot: the kernel would have reset
            // the disposition before running it. Do so, or a handler that
            // re-raises to die (Node's own, for SIGINT and SIGTERM) would come
            // back here for ever instead of ending the process.
            // SAFETY: signal(2) with SIG_DFL is async-signal-safe.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
        // SAFETY: `prev` was installed as this signal's handler, with these flags
        // telling which of the two C signatures it has.
        unsafe {
            if flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(i32, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(prev);
                f(sig, info, ctx);
            } else {
                let f: extern "C" fn(i32) = std::mem::transmute(prev);
                f(sig);
            }
        }
    }
}

fn note_caught() {
    ANY_CAUGHT.store(CAUGHT.iter().any(|c| c.load(Ordering::SeqCst)), Ordering::SeqCst);
}

/// Whether a blocking call on this thread must wait where a signal can cut it
/// short, so that listeners run inside it: the main thread, while some signal
/// is caught (`catch`). Otherwise no listener would run inside the call, and
/// the kernel's own blocking call (which libuv's handlers restart) does as well.
pub fn interruptible() -> bool {
    ANY_CAUGHT.load(Ordering::Relaxed) && is_main_thread()
}

/// Whether a blocking call on this thread must stop so that pending signals'
/// listeners can run: the main thread, with a signal caught and not yet handled.
pub fn interrupted() -> bool {
    is_main_thread() && PENDING.load(Ordering::SeqCst) != 0
}

/// How many times each signal came since they were last taken.
pub type Counts = [u32; 64];

/// Takes the pending signals (`counts[sig]` for each) and empties the
/// self-pipe; the caller runs their listeners, once per signal.
pub fn take_pending() -> Counts {
    drain();
    let mut counts = [0; 64];
    let mut bits = PENDING.swap(0, Ordering::SeqCst);
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        // A signal counted after the bit was taken sets it again: it runs next time.
        counts[i] = COUNTS[i].swap(0, Ordering::SeqCst);
    }
    counts
}

/// Puts back signals whose listeners did not run (one before them threw), and
/// wakes the loop so that they run when it turns, if no wait comes first.
pub fn put_back(counts: &Counts) {
    let mut any = false;
    for (i, &n) in counts.iter().enumerate() {
        if n > 0 {
            let _ = COUNTS[i].fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(m.saturating_add(n).min(QUEUED))
            });
            PENDING.fetch_or(1 << i, Ordering::SeqCst);
            any = true;
        }
    }
    if any {
        wake();
    }
}

/// Empties the self-pipe: its bytes only wake waits, the signals are in PENDING.
pub fn drain() {
    let fd = PIPE_READ.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let mut buf = [0u8; 64];
    // SAFETY: reads into a local buffer of the length given; the fd is non-blocking.
    while unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
}
