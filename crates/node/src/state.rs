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
use napi::bindgen_prelude::Env;
use napi_derive::napi;

use crate::js::{JsAddress, Writable};
use crate::wire::{
    ERROR_GAI, ERROR_HERROR, ERROR_MESSAGE, ERROR_OS, ERROR_SEPARATOR, ERROR_TIMEOUT, ERROR_TYPE,
    ERROR_VALUE, FAST_OS, FAST_TIMEOUT, STATUS_ERRNO, STATUS_FAST, STATUS_IS_NEW, STATUS_SLOT,
    STATUS_SYSCALL, STATUS_WORDS,
};

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
fn take_block(words: &'static mut [u8]) -> bool {
    if words.len() < STATUS_WORDS * 4 || words.as_ptr().align_offset(std::mem::align_of::<i32>()) != 0 {
        return false;
    }
    STATUS.with(|s| s.set(words.as_mut_ptr().cast()));
    true
}

/// A word of the status block (0 before the facade handed it over).
pub fn read(word: usize) -> i32 {
    STATUS.with(|s| {
        let p = s.get();
        if p.is_null() {
            return 0;
        }
        // SAFETY: as in `write`; the facade writes its words only on this same thread.
        unsafe { p.add(word).read() }
    })
}

pub fn write(word: usize, value: i32) {
    STATUS.with(|s| {
        let p = s.get();
        if !p.is_null() {
            // SAFETY: take_block checked the block has STATUS_WORDS aligned i32 words, and the
            // facade keeps it alive; only this thread writes it.
            unsafe { p.add(word).write(value) };
        }
    });
}

/// Records the error of a call that is about to return its failure value.
pub fn fail(err: Error) {
    write(STATUS_ERRNO, err.errno().unwrap_or(0));
    let fast = match (&err.kind, err.written) {
        (Kind::Os(_), None) => FAST_OS,
        (Kind::Timeout, None) => FAST_TIMEOUT,
        _ => 0,
    };
    write(STATUS_FAST, fast);
    if fast != 0 {
        write(STATUS_SYSCALL, syscall_id(err.syscall));
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

/// Publishes an address through the status block: its slot (-1 for none), and
/// whether the slot's content is new, so the facade fetches it (`addressSlot`).
pub fn publish(addr: Option<Address>) {
    let Some(addr) = addr else {
        write(STATUS_SLOT, -1);
        return;
    };
    let (slot, is_new) = remember(addr);
    write(STATUS_SLOT, slot as i32);
    write(STATUS_IS_NEW, i32::from(is_new));
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

/// A core result as a value, or None with the error recorded.
pub fn ok<T>(r: bsdsock_core::Result<T>) -> Option<T> {
    r.map_err(fail).ok()
}

/// A core result as success (true), or false with the error recorded.
pub fn done(r: bsdsock_core::Result<()>) -> bool {
    ok(r).is_some()
}

/// init(status): hands the addon this thread's status block, and registers
/// the cleanup of this environment's sockets (see owned.rs).
#[napi]
pub fn init(env: Env, status: Writable<u8>) -> bool {
    // SAFETY: `env` is the environment this module instance initializes in.
    take_block(status.into_static()) && unsafe { crate::owned::register(env.raw()) }
}

/// The error of the last call that returned its failure value, once, as one
/// string (cheaper to make than an array): kind, code, syscall, written and
/// message, joined by ERROR_SEPARATOR; the kinds are wire.rs's ERROR_*.
#[napi]
pub fn take_error() -> Option<String> {
    let err = LAST_ERROR.with(|e| e.borrow_mut().take())?;
    let written = err.written.map_or(-1, |w| w as i64);
    let (kind, code, message) = match err.kind {
        Kind::Os(e) => (ERROR_OS, e, String::new()),
        Kind::Timeout => (ERROR_TIMEOUT, 0, String::new()),
        Kind::Gai(c) => (ERROR_GAI, c, String::new()),
        Kind::Value(m) => (ERROR_VALUE, 0, m),
        Kind::Message(m) => (ERROR_MESSAGE, 0, m),
        Kind::Herror(c) => (ERROR_HERROR, c, String::new()),
        Kind::Type(m) => (ERROR_TYPE, 0, m),
    };
    let sep = ERROR_SEPARATOR;
    Some(format!(
        "{kind}{sep}{code}{sep}{}{sep}{written}{sep}{message}",
        err.syscall
    ))
}

/// The syscall name of an id the status block gave (the facade asks once per id).
#[napi]
pub fn syscall_name(id: u32) -> Option<&'static str> {
    SYSCALLS.with(|cell| cell.borrow().get(id as usize).copied())
}

/// The address in a slot of the table of recent addresses.
#[napi]
pub fn address_slot(slot: u32) -> JsAddress {
    JsAddress(ADDRESSES.with(|cell| cell.borrow().entries.get(slot as usize).cloned().flatten()))
}
