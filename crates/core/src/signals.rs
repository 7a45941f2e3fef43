//! Signals that interrupt blocking calls.
//!
//! A blocking call waits in poll(2). Node runs `process.on('SIGINT')` listeners
//! only when its loop turns, which a blocked main thread never lets happen, so a
//! signal that should interrupt (SIGINT and SIGTERM by default, others through
//! `siginterrupt`) must make the call fail with EINTR. The wait cannot tell which
//! signal caused an EINTR, so a handler of ours runs in front of whatever handler
//! is installed (Node's, libuv's, or the default action), writes a byte to a
//! self-pipe that every wait also polls, and then calls the handler it replaced.
//! Other signals only make the wait retry (PEP 475).

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::Mutex;

const NSIG: usize = 65;

/// Signals that interrupt blocking calls: SIGINT and SIGTERM unless changed.
static INTERRUPTS: [AtomicBool; NSIG] = defaults();

const fn defaults() -> [AtomicBool; NSIG] {
    let mut table = [const { AtomicBool::new(false) }; NSIG];
    table[libc::SIGINT as usize] = AtomicBool::new(true);
    table[libc::SIGTERM as usize] = AtomicBool::new(true);
    table
}
/// The handler ours replaced, and its flags, per signal.
static PREV_HANDLER: [AtomicUsize; NSIG] = [const { AtomicUsize::new(libc::SIG_DFL) }; NSIG];
static PREV_FLAGS: [AtomicUsize; NSIG] = [const { AtomicUsize::new(0) }; NSIG];
/// The self-pipe: read end polled by waits, write end written by the handler.
static PIPE_READ: AtomicI32 = AtomicI32::new(-1);
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static INIT: Mutex<bool> = Mutex::new(false);
/// Whether the handlers must be checked at the next wait (see `rearm`).
static DIRTY: AtomicBool = AtomicBool::new(true);

/// Signals whose default action is to do nothing.
fn default_ignores(sig: i32) -> bool {
    matches!(sig, libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT)
}

fn index(sig: i32) -> Option<usize> {
    usize::try_from(sig).ok().filter(|&i| i > 0 && i < NSIG)
}

/// Python's `signal.siginterrupt(signum, flag)`: whether `sig` interrupts blocking calls.
pub fn siginterrupt(sig: i32, flag: bool) -> bool {
    match index(sig) {
        Some(i) if sig != libc::SIGKILL && sig != libc::SIGSTOP => {
            INTERRUPTS[i].store(flag, Ordering::Relaxed);
            rearm();
            true
        }
        _ => false,
    }
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

/// Makes sure our handler runs first for every interrupting signal, and returns
/// the fd a wait should poll for readability beside its socket (-1 if none).
/// Called before each wait: another party (libuv, when a listener is added)
/// may have installed its own handler since.
pub fn arm() -> i32 {
    let mut fd = PIPE_READ.load(Ordering::Acquire);
    if fd < 0 {
        if init().is_none() {
            return -1;
        }
        fd = PIPE_READ.load(Ordering::Acquire);
    }
    if DIRTY.swap(false, Ordering::AcqRel) {
        for (i, on) in INTERRUPTS.iter().enumerate() {
            if on.load(Ordering::Relaxed) {
                install(i as i32);
            }
        }
    }
    fd
}

/// Says that a signal's handler may have changed (a `process.on` listener for a
/// signal added or removed, which makes libuv install or remove its handler):
/// the next wait checks each interrupting signal's handler again. Between such
/// changes a wait makes no sigaction calls.
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
    // SAFETY: installs a handler that only does async-signal-safe work (atomics, write, and
    // the previous handler, which was itself installed as a signal handler).
    unsafe { libc::sigaction(sig, &ours, std::ptr::null_mut()) };
}

extern "C" fn on_signal(sig: i32, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(i) = index(sig) else { return };
    if INTERRUPTS[i].load(Ordering::Relaxed) {
        let fd = PIPE_WRITE.load(Ordering::Relaxed);
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; a full pipe just drops the byte.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    chain(sig, i, info, ctx);
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

/// Whether an interrupting signal arrived since the last call that returned
/// true; empties the self-pipe.
pub fn take_interrupt() -> bool {
    let fd = PIPE_READ.load(Ordering::Relaxed);
    if fd < 0 {
        return false;
    }
    let mut buf = [0u8; 64];
    let mut any = false;
    loop {
        // SAFETY: reads into a local buffer of the length given; the fd is non-blocking.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            return any;
        }
        any = true;
    }
}
