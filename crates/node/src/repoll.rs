//! A second look for ready fds before a turn of the loop ends.
//!
//! A turn's dispatch (watch.rs's `flush`) and the promise reactions after it
//! often make another watched fd ready: a datagram one socket of this process
//! sends another, or a reply a fast peer sent meanwhile. Left alone, that fd
//! waits for the next turn: back through libuv's timers, Node's check handles
//! (setImmediate's runs every turn) and an epoll_wait: about 1,700
//! user-space instructions a turn, where a round trip of two tasks of one
//! process ping-ponging datagrams takes about 21,000 with the looks, 23,400
//! without (bench/instructions.js).
//! Instead, `flush` asks the loop's own epoll set (`uv_backend_fd`) once more,
//! without waiting, and dispatches what is ready at once.
//!
//! This takes nothing from libuv: its interests are level-triggered and carry
//! the fd (`data.fd`), so an fd still ready is reported to it again next turn,
//! and an event for an fd that is not this environment's, or that its watcher
//! no longer watches, is only skipped. Errors and hang-ups are left to libuv,
//! which reports them its own way (uv_poll stops the handle). The looks a turn
//! takes are bounded (3, or what BSDSOCK_LOOKS says; 0 turns them off), so
//! that timers and Node's own I/O keep their turns (libuv itself polls again,
//! up to 48 times, while its event array comes back full).
//! A look that finds nothing makes the next ones rarer (`Guess`): a program
//! whose peers answer from afar pays an empty epoll_wait only now and then.
//!
//! Linux only. On Windows libuv's backend is IOCP; kqueue (macOS, the BSDs)
//! could be asked the same way, but that is not tried here, so there the
//! turn ends after its one dispatch, as before.

use std::ffi::c_void;
use std::sync::OnceLock;

use crate::uv::Uv;

/// The looks after a turn's first dispatch, at most, unless BSDSOCK_LOOKS says
/// otherwise: each one that finds something is one more dispatch before the
/// loop's timers and Node's I/O run.
const LOOKS: u32 = 3;
/// The most BSDSOCK_LOOKS may ask for.
const LOOKS_MOST: u32 = 64;

/// The looks a turn may take: BSDSOCK_LOOKS (a count, 0 for none; at most
/// LOOKS_MOST), read once, or LOOKS; none where `look` cannot look (not Linux).
pub fn most_looks() -> u32 {
    if !cfg!(target_os = "linux") {
        return 0;
    }
    static MOST: OnceLock<u32> = OnceLock::new();
    *MOST.get_or_init(|| {
        std::env::var("BSDSOCK_LOOKS")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .map_or(LOOKS, |n| n.min(LOOKS_MOST))
    })
}

/// How often a look the guess advises against is taken anyway: at first, and at most.
const PROBE_FIRST: u32 = 16;
const PROBE_MOST: u32 = 256;

/// Whether a look is likely to find something: yes until one finds nothing,
/// then only every PROBE_FIRST-th time it is asked, twice as far apart after
/// each probe that finds nothing (up to PROBE_MOST), until one finds something.
/// The facade guesses its early reads the same way (ReadGuess, ts/asyncio/loop.ts).
pub struct Guess {
    empty: bool,
    asked: u32,
    every: u32,
}

impl Guess {
    pub const fn new() -> Guess {
        Guess {
            empty: false,
            asked: 0,
            every: PROBE_FIRST,
        }
    }

    pub fn worth_looking(&mut self) -> bool {
        if !self.empty {
            return true;
        }
        self.asked += 1;
        if self.asked < self.every {
            return false;
        }
        self.asked = 0;
        true
    }

    /// What the look it advised found.
    pub fn found(&mut self, something: bool) {
        if something {
            self.every = PROBE_FIRST;
        } else if self.empty {
            self.every = (2 * self.every).min(PROBE_MOST);
        }
        self.empty = !something;
    }
}

/// Calls `ready(fd, events)` for each fd of the loop's epoll set that is ready
/// now for reading or writing (READABLE, WRITABLE), without waiting.
///
/// SAFETY: call on the loop's thread, `loop_` a live loop of this libuv.
#[cfg(target_os = "linux")]
pub unsafe fn look(uv: &Uv, loop_: *mut c_void, mut ready: impl FnMut(i32, i32)) {
    use crate::uv::{READABLE, WRITABLE};
    let Some(backend_fd) = uv.backend_fd else { return };
    let epfd = backend_fd(loop_);
    if epfd < 0 {
        return;
    }
    const ROOM: usize = 64;
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; ROOM];
    // SAFETY: `events` holds ROOM entries, and epoll_wait writes at most that many.
    let n = libc::epoll_wait(epfd, events.as_mut_ptr(), ROOM as i32, 0);
    let troubled = (libc::EPOLLERR | libc::EPOLLHUP) as u32;
    for e in events.iter().take(n.max(0) as usize) {
        // Copied out: the struct is packed on x86-64.
        let (bits, data) = (e.events, e.u64);
        if bits & troubled != 0 {
            continue;
        }
        let mut mask = 0;
        if bits & libc::EPOLLIN as u32 != 0 {
            mask |= READABLE;
        }
        if bits & libc::EPOLLOUT as u32 != 0 {
            mask |= WRITABLE;
        }
        if mask != 0 {
            // libuv's `data.fd`: the low 32 bits.
            ready(data as u32 as i32, mask);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub unsafe fn look(_uv: &Uv, _loop: *mut c_void, _ready: impl FnMut(i32, i32)) {}
