//! Per-thread state shared with the facade, so that calls return plain
//! values and never throw:
//! - a status block the facade allocates once (ts/native.ts) and the addon
//!   writes: the address slot of the last call, and whether it is new;
//! - the last error, which the facade takes when a call returned its failure
//!   value (null, false or -1): an OS error or a timeout (the common ones, and
//!   BlockingIOError is control flow) from the status block alone, with no
//!   call; any other through `takeError`;
//! - a small table of recent addresses: the facade keeps one frozen JS array
//!   per slot, so a datagram from a known peer costs no address conversion.
//!
//! Each JS thread (main, or a worker) has its own addon instance state here and
//! its own facade, so thread-locals match one-to-one.

use std::cell::{Cell, RefCell};

use bsdsock_core::{Address, Error, Kind};

/// Status block layout (i32 words).
const SLOT: usize = 0;
const IS_NEW: usize = 1;
/// The errno of the last failed call (0 for errors without one), readable
/// without a call: the async layer tells EAGAIN apart for free.
const ERRNO: usize = 2;
/// What the facade can make of the last error from the block alone:
/// FAST_OS (errno and syscall), FAST_TIMEOUT (syscall), or 0 (take it).
/// The facade sets it back to 0 once it has made the error.
const FAST: usize = 3;
/// The id of the last error's syscall name (see `syscall_name`).
const SYSCALL: usize = 4;
const WORDS: usize = 5;
pub const FAST_OS: i32 = 1;
pub const FAST_TIMEOUT: i32 = 2;
/// Addresses remembered per thread.
const SLOTS: usize = 16;

thread_local! {
    static STATUS: Cell<*mut i32> = const { Cell::new(std::ptr::null_mut()) };
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
    static ADDRESSES: RefCell<Slots> = const { RefCell::new(Slots { entries: Vec::new(), next: 0 }) };
    static SYSCALLS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

struct Slots {
    entries: Vec<Option<Address>>,
    next: usize,
}

/// Takes the status block: `words` must stay alive and in place for the life of
/// the thread (the facade holds it in a module constant; it is an off-heap,
/// non-pooled Buffer, so the GC never moves it).
pub fn init(words: &'static mut [u8]) -> bool {
    if words.len() < WORDS * 4 || words.as_ptr().align_offset(std::mem::align_of::<i32>()) != 0 {
        return false;
    }
    STATUS.with(|s| s.set(words.as_mut_ptr().cast()));
    true
}

fn write(word: usize, value: i32) {
    STATUS.with(|s| {
        let p = s.get();
        if !p.is_null() {
            // SAFETY: init checked the block has WORDS aligned i32 words, and the
            // facade keeps it alive; only this thread writes it.
            unsafe { p.add(word).write(value) };
        }
    });
}

/// Records the error of a call that is about to return its failure value.
pub fn fail(err: Error) {
    write(ERRNO, err.errno().unwrap_or(0));
    let fast = match (&err.kind, err.written) {
        (Kind::Os(_), None) => FAST_OS,
        (Kind::Timeout, None) => FAST_TIMEOUT,
        _ => 0,
    };
    write(FAST, fast);
    if fast != 0 {
        write(SYSCALL, syscall_id(err.syscall));
    }
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(err));
}

/// A small number for a syscall name, the same for the life of the thread.
fn syscall_id(name: &'static str) -> i32 {
    SYSCALLS.with(|cell| {
        let mut names = cell.borrow_mut();
        let i = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name);
            names.len() - 1
        });
        i32::try_from(i).unwrap_or(i32::MAX)
    })
}

/// The syscall name of an id the status block gave (the facade asks once per id).
pub fn syscall_name(id: u32) -> Option<&'static str> {
    SYSCALLS.with(|cell| cell.borrow().get(id as usize).copied())
}

/// The last error, once.
pub fn take_error() -> Option<Error> {
    LAST_ERROR.with(|e| e.borrow_mut().take())
}

/// Publishes an address through the status block: its slot (-1 for none), and
/// whether the slot's content is new, so the facade fetches it (`addressSlot`).
pub fn publish(addr: Option<Address>) {
    let Some(addr) = addr else {
        write(SLOT, -1);
        return;
    };
    let (slot, is_new) = remember(addr);
    write(SLOT, slot as i32);
    write(IS_NEW, i32::from(is_new));
}

/// The slot of `addr` in the table of recent addresses, and whether it was
/// put there now (evicting the oldest). Batched receives (mmsg.rs) report
/// one slot per datagram this way, in order, as the facade reads them.
pub fn remember(addr: Address) -> (usize, bool) {
    ADDRESSES.with(|cell| {
        let mut slots = cell.borrow_mut();
        if let Some(i) = slots.entries.iter().position(|e| e.as_ref() == Some(&addr)) {
            return (i, false);
        }
        let i = slots.next;
        slots.next = (i + 1) % SLOTS;
        if slots.entries.len() < SLOTS {
            slots.entries.resize(SLOTS, None);
        }
        slots.entries[i] = Some(addr);
        (i, true)
    })
}

/// The address in a slot.
pub fn slot(i: u32) -> Option<Address> {
    ADDRESSES.with(|cell| cell.borrow().entries.get(i as usize).cloned().flatten())
}

/// A core result as a value, or None with the error recorded.
pub fn ok<T>(r: bsdsock_core::Result<T>) -> Option<T> {
    r.map_err(fail).ok()
}

/// A core result as success (true), or false with the error recorded.
pub fn done(r: bsdsock_core::Result<()>) -> bool {
    ok(r).is_some()
}
