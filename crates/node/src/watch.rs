//! fd watchers for bsdsock/asyncio: one per watched fd, a `uv_poll_t` on this
//! environment's loop or, where the host has no libuv loop (portable.rs), an
//! interest in the environment's poller. The facade (ts/asyncio/loop.ts) keeps
//! the readers, writers and pending operations of each fd, and says what the
//! watcher should do with a mask: READABLE and WRITABLE (the events to watch,
//! none to stop). The watchers never keep the loop alive themselves: while
//! operations are pending, the environment's one ref'd handle does
//! (`keepAlive`, loop_resolver.rs). A watcher is removed (`unwatch`) before
//! its fd is closed.
//!
//! Readiness is handed to the facade once per turn of the loop, as asyncio's
//! selector hands over every ready fd of one select(): each report of the
//! poll phase is kept, and a check handle (run right after the poll phase)
//! writes them all into the facade's batch array and calls its dispatch once,
//! which answers each fd's new mask in the same array. One call into JS (and
//! one run of the promise reactions) per turn, not per fd: with many ready
//! connections, that call and its callback scope were most of the cost of a
//! message above its syscalls. On the portable poller, each message of ready
//! fds is one batch.
//!
//! The poller's interests are one-shot: a report disarms the fd, and the mask
//! applied after the dispatch arms it again, which makes it level-triggered as
//! uv_poll is. Each interest carries a token (a count and the fd) that is
//! never reused: a report the poller took before `unwatch` removed the fd is
//! dropped, whatever fd of that number is watched now.

use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void};
use std::hash::BuildHasherDefault;
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use bsdsock_core::Error;
use napi_derive::napi;

use crate::env::{self, Backend, Callback};
use crate::repoll::{self, Guess};
use crate::state::fail;
use crate::uv::{data, Handle, Uv, READABLE, WRITABLE};
use crate::wire::{BATCH_COUNT, BATCH_EVENTS, BATCH_FD, BATCH_FDS, BATCH_WORDS};
use bsdsock_core::fdmap::FdMap;

const EVENTS: i32 = READABLE | WRITABLE;
/// The fd belongs to a bsdsock socket: closed with the environment.
const OWNED: i32 = 8;

/// This environment's watch tables, in one thread-local. The backend and the
/// batch array are the environment state's (env.rs).
struct Table {
    /// The watchers, by fd.
    watchers: FdMap<*mut Watcher>,
    /// The readiness reported since the last flush.
    reports: Vec<Report>,
    /// The memory of a flush's list of what it handed over, kept for the next.
    sent: Vec<Sent>,
    /// Whether a second look for ready fds is worth taking after a dispatch (repoll.rs).
    guess: Guess,
}

thread_local! {
    static TABLE: RefCell<Table> = const {
        RefCell::new(Table {
            watchers: FdMap::with_hasher(BuildHasherDefault::new()),
            reports: Vec::new(),
            sent: Vec::new(),
            guess: Guess::new(),
        })
    };
    /// The check handle that flushes the reports after each poll phase (libuv only).
    static CHECK: Cell<*mut c_void> = const { Cell::new(ptr::null_mut()) };
}

/// Runs `f` on this environment's watch state; None if it is in use (a
/// reentrant call). It is only ever borrowed for a moment, never across a call into JS.
fn with_table<T>(f: impl FnOnce(&mut Table) -> T) -> Option<T> {
    TABLE.with(|t| t.try_borrow_mut().ok().map(|mut t| f(&mut t)))
}

/// The watcher `id` of `fd` was reported ready for `events`.
#[derive(Clone, Copy)]
struct Report {
    fd: i32,
    id: u64,
    events: i32,
}

/// A report handed to the facade: whose mask its answer is.
struct Sent {
    fd: i32,
    id: u64,
}

fn report(r: Report) {
    with_table(|t| t.reports.push(r));
}

/// Runs `f` on this environment's watchers; None if they are in use (a reentrant call).
fn with_watchers<T>(f: impl FnOnce(&mut FdMap<*mut Watcher>) -> T) -> Option<T> {
    with_table(|t| f(&mut t.watchers))
}

/// What watches the fd.
enum Source {
    Uv(Handle),
    /// An interest in the environment's poller, armed with the watcher's id;
    /// `armed`: set, and not reported since.
    Poller {
        armed: bool,
    },
}

pub struct Watcher {
    source: Source,
    fd: i32,
    /// Never used by another watcher: its poller token, and who it is after a
    /// dispatch (which may have closed it and made another for the fd).
    id: u64,
    /// The mask applied to the watcher.
    mask: i32,
    /// libuv stopped the handle itself (after an error report): the mask
    /// applied next starts it again, whatever `mask` says.
    halted: bool,
}

/// An id never used before: a count in the high half, the fd in the low.
fn new_id(fd: i32) -> u64 {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    (u64::from(COUNT.fetch_add(1, Ordering::Relaxed)) << 32) | u64::from(fd as u32)
}

/// Makes the watcher do what `mask` says.
///
/// SAFETY: `w` must be a live watcher of this environment, not closing.
unsafe fn apply(backend: &Backend, w: *mut Watcher, mask: i32) -> bool {
    let w = &mut *w;
    let old = if w.halted { 0 } else { w.mask & EVENTS };
    let new = mask & EVENTS;
    let rc = match (&mut w.source, backend) {
        (Source::Uv(handle), Backend::Uv(uv, _)) if new != old => {
            let rc = if new == 0 {
                (uv.poll_stop)(handle.ptr())
            } else {
                (uv.poll_start)(handle.ptr(), new, on_poll)
            };
            (rc < 0).then(|| Error::os(-rc, "uv_poll_start"))
        }
        (Source::Poller { armed }, Backend::Portable(p)) if new != old || (new != 0 && !*armed) => {
            let done = if new == 0 {
                p.poller.remove(w.fd)
            } else {
                p.poller.arm(w.fd, w.id, new)
            };
            *armed = new != 0 && done.is_ok();
            done.err().map(|e| Error::io(&e, "poll"))
        }
        _ => None,
    };
    if let Some(e) = rc {
        fail(e);
        return false;
    }
    w.halted = false;
    w.mask = mask | (w.mask & OWNED);
    true
}

unsafe extern "C" fn on_poll(handle: *mut c_void, status: c_int, events: c_int) {
    // An error (the fd is in a bad state) is reported as readiness both ways:
    // the operations then make their syscall, which says what is wrong.
    let mut ready = if status < 0 { EVENTS } else { events & EVENTS };
    let w = data(handle).cast::<Watcher>();
    // SAFETY: libuv calls back a started handle, whose watcher is live.
    let (fd, id, mask) = unsafe { ((*w).fd, (*w).id, (*w).mask) };
    // libuv hands a hangup (EPOLLHUP) over as the one way that came with it
    // (uv__io_poll adds the watched ways only to a hangup that came alone).
    // asyncio's selectors report it as both ways, and the poller here does
    // too: a writer kept waiting on a socket shut down both ways (a Unix
    // datagram socket with its peer's queue full) is called, and its send
    // says EPIPE. So when both ways are watched and one came, ask poll(2).
    if ready != 0 && ready != EVENTS && mask & EVENTS == EVENTS && bsdsock_core::sock::hung_up(fd) {
        ready = EVENTS;
    }
    if status < 0 {
        // libuv stopped the handle before this callback (uv__poll_io, on
        // POLLERR): it watches nothing now, so the mask applied after the
        // dispatch starts it again rather than finding it unchanged. A socket
        // with a pending error (a reset) then stays ready, as a
        // level-triggered selector reports it to asyncio, until its reader is
        // done with it.
        // SAFETY: as above; nothing else holds the watcher during this callback.
        unsafe { (*w).halted = true };
    }
    report(Report {
        fd,
        id,
        events: ready,
    });
}

/// The poller reported the fd armed with `token` ready for `events`: kept for
/// the next `flush`, or armed again at once if nothing it watches is ready.
///
/// SAFETY: call from the environment's threadsafe function callback, on its thread.
pub unsafe fn ready(token: u64, events: i32) {
    let fd = token as u32 as i32;
    let Some(Some(w)) = with_watchers(|watchers| watchers.get(&fd).copied()) else {
        return;
    };
    // SAFETY: the watcher is in the table, so it is live.
    let ready = match unsafe { &mut (*w).source } {
        Source::Poller { armed } if (*w).id == token => {
            *armed = false;
            events & (*w).mask & EVENTS
        }
        _ => return,
    };
    if ready == 0 {
        settle(fd, token, None);
    } else {
        report(Report {
            fd,
            id: token,
            events: ready,
        });
    }
}

unsafe extern "C" fn on_check(_handle: *mut c_void) {
    flush();
}

/// Opens the environment's check handle, unref'd: each turn of the loop, right
/// after the poll phase, it hands what was reported to the facade.
///
/// SAFETY: call from a JS call on the environment's thread, `loop_` its loop.
pub unsafe fn open_batching(uv: &'static Uv, loop_: *mut c_void) -> Option<()> {
    let h = Box::into_raw(Box::new(Handle::check(uv)));
    (*h).set_data(h.cast());
    let handle = (*h).ptr();
    if (uv.check_init)(loop_, handle) < 0 {
        // SAFETY: libuv did not take the handle.
        drop(Box::from_raw(h));
        fail(Error::message("uv_check_init failed", "uv"));
        return None;
    }
    (uv.unref)(handle);
    if (uv.check_start)(handle, on_check) < 0 {
        (uv.close)(handle, Some(on_check_close));
        fail(Error::message("uv_check_start failed", "uv"));
        return None;
    }
    CHECK.with(|c| c.set(handle));
    Some(())
}

unsafe extern "C" fn on_check_close(handle: *mut c_void) {
    // SAFETY: data is the Box<Handle> leaked in `open_batching`; libuv calls this once, last.
    drop(Box::from_raw(data(handle).cast::<Handle>()));
}

/// Hands the facade every readiness reported since the last flush, then, on
/// libuv's epoll, what the dispatch made ready meanwhile (repoll.rs): up to
/// `most_looks()` more dispatches in this turn of the loop.
///
/// SAFETY: as `dispatch_reports`'s.
pub unsafe fn flush() {
    let most = repoll::most_looks();
    let mut looks = 0;
    while dispatch_reports() && looks < most && look_again() {
        looks += 1;
    }
}

/// Takes a look for fds ready now that their watchers watch (repoll.rs), and
/// queues their reports; whether it found any.
fn look_again() -> bool {
    // Only libuv's loop is looked at (the portable poller's Arc is not cloned for nothing).
    let uv_loop = env::with(|s| match s.backend {
        Backend::Uv(uv, loop_) => Some((uv, loop_)),
        Backend::Portable(_) => None,
    });
    let Some(Some((uv, loop_))) = uv_loop else {
        return false;
    };
    with_table(|t| {
        if !t.guess.worth_looking() {
            return false;
        }
        let before = t.reports.len();
        let (watchers, reports) = (&t.watchers, &mut t.reports);
        let ready = |fd: i32, events: i32| {
            let Some(&w) = watchers.get(&fd) else { return };
            // SAFETY: a watcher in the table is live and not closing.
            let (id, mask) = unsafe { ((*w).id, (*w).mask) };
            let events = events & mask & EVENTS;
            if events != 0 {
                reports.push(Report { fd, id, events });
            }
        };
        // SAFETY: flush runs on the loop's thread, and the loop is this environment's.
        unsafe { repoll::look(uv, loop_, ready) };
        let found = t.reports.len() > before;
        t.guess.found(found);
        found
    })
    .unwrap_or(false)
}

/// Hands the facade every readiness reported since the last flush (as many
/// calls as its batch array needs), then gives each watcher the mask the
/// facade answered. A report whose watcher is gone, or was made again for the
/// fd, is dropped; one whose events the watcher no longer watches is only armed again.
/// The watch state is borrowed once before each call into JS and once after,
/// not once a report: a turn of the loop with one ready socket is the common
/// case, and this runs on every one. Whether there were reports to hand over.
///
/// SAFETY: call from a libuv or threadsafe function callback on the
/// environment's thread, with no JS frame on the stack.
unsafe fn dispatch_reports() -> bool {
    // The batch array's memory is the environment's for its whole life (the
    // state's reference keeps it), and only JS that this call runs touches it.
    let Some((data, len, backend, target)) = env::with(|s| {
        (
            s.batch.data,
            s.batch.len,
            s.backend.clone(),
            s.target(Callback::Dispatch),
        )
    }) else {
        return false;
    };
    if data.is_null() || len <= BATCH_COUNT {
        return false;
    }
    let Some(Some(mut round)) = with_table(|t| {
        if t.reports.is_empty() {
            return None;
        }
        let mut round = Round {
            reports: std::mem::take(&mut t.reports),
            sent: std::mem::take(&mut t.sent),
            next: 0,
            batch: (data, len),
            backend,
        };
        round.fill(t);
        Some(round)
    }) else {
        return false;
    };
    loop {
        let answered = !round.sent.is_empty() && env::call_target(target, |_| []).is_some();
        // The answers taken, the next batch filled, or the lists kept for the next turn: one borrow.
        let more = with_table(|t| {
            round.settle(t, answered);
            let more = round.next < round.reports.len();
            if more {
                round.fill(t);
            } else {
                round.keep(t);
            }
            more
        });
        if more != Some(true) {
            break;
        }
    }
    true
}

/// One flush's reports, handed to the facade in batches of what the batch array holds.
struct Round {
    reports: Vec<Report>,
    /// The reports of the batch being dispatched.
    sent: Vec<Sent>,
    /// The first report not yet in a batch.
    next: usize,
    /// The batch array's memory (not null, longer than BATCH_COUNT words).
    batch: (*mut i32, usize),
    backend: Backend,
}

impl Round {
    /// The batch array's memory, used only while no JS runs (see `flush`).
    fn batch(&self) -> &'static mut [i32] {
        // SAFETY: `flush` took the pointer and length from the environment's
        // array, which lives as long as the environment; see `flush`.
        unsafe { std::slice::from_raw_parts_mut(self.batch.0, self.batch.1) }
    }

    /// Writes the next reports whose watchers still watch their events into
    /// the batch array, with their count; the others' watchers are armed again.
    fn fill(&mut self, t: &mut Table) {
        self.sent.clear();
        let batch = self.batch();
        while self.next < self.reports.len() && self.sent.len() < BATCH_FDS {
            let r = self.reports[self.next];
            self.next += 1;
            match current(&t.watchers, r) {
                Some(events) if events != 0 => {
                    let at = BATCH_WORDS * self.sent.len();
                    batch[at + BATCH_FD] = r.fd;
                    batch[at + BATCH_EVENTS] = events;
                    self.sent.push(Sent { fd: r.fd, id: r.id });
                }
                Some(_) => settle_in(&t.watchers, &self.backend, r.fd, r.id, None),
                None => {}
            }
        }
        batch[BATCH_COUNT] = self.sent.len() as i32;
    }

    /// After the dispatch: each watcher of the batch takes the mask the facade
    /// answered (BATCH_KEEP: it set it itself) where its events were, or, when
    /// the dispatch failed, the mask it has.
    fn settle(&mut self, t: &mut Table, answered: bool) {
        let batch = self.batch();
        for (k, s) in self.sent.iter().enumerate() {
            let mask = answered.then(|| batch[BATCH_WORDS * k + BATCH_EVENTS]);
            settle_in(&t.watchers, &self.backend, s.fd, s.id, mask);
        }
    }

    /// The lists' memory is kept for the next turn, unless reports came meanwhile.
    fn keep(&mut self, t: &mut Table) {
        if t.reports.is_empty() {
            self.reports.clear();
            t.reports = std::mem::take(&mut self.reports);
        }
        self.sent.clear();
        t.sent = std::mem::take(&mut self.sent);
    }
}

/// What the report's watcher watches of its events now; None if the watcher
/// is gone or is another one.
fn current(watchers: &FdMap<*mut Watcher>, r: Report) -> Option<i32> {
    let w = *watchers.get(&r.fd)?;
    // SAFETY: a watcher in the table is live and not closing.
    let (id, mask) = unsafe { ((*w).id, (*w).mask) };
    (id == r.id).then_some(r.events & mask & EVENTS)
}

/// After a report: the watcher `id` of `fd`, if it is still the fd's, takes
/// the mask the facade answered, or, when it answered BATCH_KEEP (it set the mask
/// itself, in the dispatch or after it) or none, the mask it has (which arms a
/// poller interest again).
fn settle(fd: i32, id: u64, mask: Option<i32>) {
    // The callbacks may have closed this watcher (and even made another for the fd).
    let Some(backend) = env::with(|s| s.backend.clone()) else {
        return;
    };
    with_watchers(|watchers| settle_in(watchers, &backend, fd, id, mask));
}

/// `settle`, with the watchers and the backend at hand.
fn settle_in(watchers: &FdMap<*mut Watcher>, backend: &Backend, fd: i32, id: u64, mask: Option<i32>) {
    let Some(&w) = watchers.get(&fd) else { return };
    // SAFETY: a watcher in the table is live and not closing.
    let (now, same) = unsafe { ((*w).mask, (*w).id == id) };
    if !same {
        return;
    }
    let mask = match mask {
        Some(m) if m >= 0 => m,
        _ => now,
    };
    // SAFETY: as above.
    unsafe { apply(backend, w, mask) };
}

unsafe extern "C" fn on_close(handle: *mut c_void) {
    // SAFETY: data is the Box<Watcher> leaked in `watch`; libuv calls this once, last.
    drop(Box::from_raw(data(handle).cast::<Watcher>()));
}

/// Stops and frees a watcher (a uv handle's memory goes in its close
/// callback). The fd stays open: its owner closes it.
///
/// SAFETY: `w` must be a live watcher, already out of the table.
unsafe fn close(backend: &Backend, w: *mut Watcher) {
    match (&mut (*w).source, backend) {
        (Source::Uv(handle), Backend::Uv(uv, _)) => {
            let handle = handle.ptr();
            (uv.poll_stop)(handle);
            (uv.close)(handle, Some(on_close));
        }
        (Source::Poller { .. }, Backend::Portable(p)) => {
            let _ = p.poller.remove((*w).fd);
            drop(Box::from_raw(w));
        }
        // A watcher is made by its environment's backend only.
        _ => {}
    }
}

/// Stops and closes every watcher of the environment that is going away.
///
/// SAFETY: call from the environment's cleanup hook, on its thread.
pub unsafe fn close_all(backend: &Backend) {
    let check = CHECK.with(|c| c.replace(ptr::null_mut()));
    if let (Backend::Uv(uv, _), false) = (backend, check.is_null()) {
        // SAFETY: the check handle is live; closing stops it.
        (uv.close)(check, Some(on_check_close));
    }
    let all = with_table(|t| {
        t.reports.clear();
        std::mem::take(&mut t.watchers)
    })
    .unwrap_or_default();
    for (_, w) in all {
        // SAFETY: w was just taken out of the table: live, and closed only here.
        close(backend, w);
    }
}

/// A new watcher of `fd` on `backend`, or None with the error recorded.
fn open(backend: &Backend, fd: i32, mask: i32) -> Option<*mut Watcher> {
    let source = match backend {
        Backend::Uv(uv, _) => Source::Uv(Handle::poll(uv)),
        Backend::Portable(_) => Source::Poller { armed: false },
    };
    let w = Box::into_raw(Box::new(Watcher {
        source,
        fd,
        id: new_id(fd),
        mask: mask & OWNED,
        halted: false,
    }));
    let Backend::Uv(uv, loop_) = backend else {
        return Some(w);
    };
    // SAFETY: w was just made; its handle memory is uv_poll_t-sized and zeroed,
    // and the loop is this environment's.
    let rc = unsafe {
        let Source::Uv(handle) = &mut (*w).source else {
            return None;
        };
        handle.set_data(w.cast());
        let rc = uv.poll_init(*loop_, handle.ptr(), fd);
        if rc == 0 {
            (uv.unref)(handle.ptr());
        }
        rc
    };
    if rc < 0 {
        // SAFETY: libuv did not take the handle, so the box is still only ours.
        drop(unsafe { Box::from_raw(w) });
        fail(Error::os(-rc, "uv_poll_init"));
        return None;
    }
    Some(w)
}

/// watch(fd, mask) -> true, or false with the error recorded: makes the fd's
/// watcher (created on first use) watch what `mask` says.
#[napi]
pub fn watch(fd: i32, mask: i32) -> bool {
    let Some(backend) = env::ready() else { return false };
    with_watchers(|watchers| {
        let w = match watchers.get(&fd) {
            Some(&w) => w,
            None => {
                let Some(w) = open(&backend, fd, mask) else {
                    return false;
                };
                watchers.insert(fd, w);
                w
            }
        };
        // SAFETY: w is in the table: live, not closing.
        unsafe { apply(&backend, w, mask) }
    })
    .unwrap_or(false)
}

/// unwatch(fd): stops and closes the fd's watcher, if it has one. Called before
/// the fd is closed or handed elsewhere; the poller reports it no more.
#[napi]
pub fn unwatch(fd: i32) -> bool {
    let Some(backend) = env::with(|s| s.backend.clone()) else {
        return false;
    };
    let Some(Some(w)) = with_watchers(|watchers| watchers.remove(&fd)) else {
        return false;
    };
    // SAFETY: w was just taken out of the table: live, and closed only here.
    unsafe { close(&backend, w) };
    true
}
