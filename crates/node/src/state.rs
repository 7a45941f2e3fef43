//! Per-thread state shared with the facade, so that hot calls return plain
//! values and never throw:
//! - a status block the facade allocates once (ts/native.ts) and the addon
//!   writes: the address slot of the last call, and whether it is new;
//! - the last error, which the facade takes (`takeError`) when a call returned
//!   its failure value (null, false or -1);
//! - a small table of recent addresses: the facade keeps one frozen JS array
//!   per slot, so a datagram from a known peer costs no address conversion.
//!
//! Each JS thread (main, or a worker) has its own addon instance state here and
//! its own facade, so thread-locals match one-to-one.

use std::cell::{Cell, RefCell};

use bsdsock_core::{Address, Error};

/// Status block layout (i32 words).
const SLOT: usize = 0;
const IS_NEW: usize = 1;
/// The errno of the last failed call (0 for errors without one), readable
/// without a call: the async layer tells EAGAIN apart for free.
const ERRNO: usize = 2;
const WORDS: usize = 4;
/// Addresses remembered per thread.
const SLOTS: usize = 16;

thread_local! {
    static STATUS: Cell<*mut i32> = const { Cell::new(std::ptr::null_mut()) };
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
    static ADDRESSES: RefCell<Slots> = const { RefCell::new(Slots { entries: Vec::new(), next: 0 }) };
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
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(err));
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
