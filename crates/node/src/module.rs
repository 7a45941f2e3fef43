//! Module-level functions of Python's socket module that are not socket calls.

use std::collections::HashMap;

use bsdsock_core::{constants, error, inet, resolve};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, JsAddress, Raw, Writable};
use crate::state::{self, ok};

/// Every constant of this platform, by Python's name.
#[napi]
pub fn constants() -> HashMap<String, i64> {
    constants::all().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The constants of Python's select module, by name.
#[napi]
pub fn select_constants() -> HashMap<String, i64> {
    constants::select().map(|(k, v)| (k.to_string(), v)).collect()
}

#[napi]
pub fn strerror(errno: i32) -> String {
    error::strerror(errno)
}

#[napi]
pub fn gai_strerror(code: i32) -> String {
    error::gai_strerror(code)
}

/// The errno name of a number (`'ECONNREFUSED'`), for Node's `code`.
#[napi]
pub fn errno_name(errno: i32) -> Option<String> {
    bsdsock_core::errno::name(errno).map(str::to_string)
}

#[napi]
pub fn gethostname() -> Option<String> {
    ok(resolve::gethostname())
}

/// Whether `signum`'s listeners run inside blocking calls (see signals.rs);
/// false if the signal cannot be caught.
#[napi]
pub fn catch_signal(signum: i32, on: bool) -> bool {
    bsdsock_core::signals::catch(signum, on)
}

#[napi]
pub fn inet_pton(env: Env, family: i32, text: String) -> Result<Option<Raw>> {
    ok(inet::pton(family, &text))
        .map(|p| buffer_copy(&env, &p))
        .transpose()
}

#[napi]
pub fn inet_ntop(family: i32, packed: &[u8]) -> Option<String> {
    ok(inet::ntop(family, packed))
}

#[napi]
pub fn inet_aton(env: Env, text: String) -> Result<Option<Raw>> {
    ok(inet::aton(&text)).map(|p| buffer_copy(&env, &p)).transpose()
}

#[napi]
pub fn inet_ntoa(packed: &[u8]) -> Option<String> {
    ok(inet::ntoa(packed))
}

/// Python's `errno.errorcode`, the other way round: name -> number.
#[napi]
pub fn errno_table() -> HashMap<String, i32> {
    bsdsock_core::errno::all()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Hands the addon this thread's status block (see state.rs), and registers
/// the cleanup of this environment's sockets (see owned.rs).
#[napi]
pub fn init(env: Env, status: Writable<u8>) -> bool {
    // SAFETY: `env` is the environment this module instance initializes in.
    state::init(status.into_static()) && unsafe { crate::owned::register(env.raw()) }
}

/// The error of the last call that returned its failure value, as one string
/// (cheaper to make than an array): `kind SEP code SEP syscall SEP written SEP
/// message` with SEP U+0001; kind one of os, timeout, gai, herror, value, type, message.
#[napi]
pub fn take_error() -> Option<String> {
    use bsdsock_core::Kind;
    let err = state::take_error()?;
    let written = err.written.map_or(-1, |w| w as i64);
    let (kind, code, message) = match err.kind {
        Kind::Os(e) => ("os", e, String::new()),
        Kind::Timeout => ("timeout", 0, String::new()),
        Kind::Gai(c) => ("gai", c, String::new()),
        Kind::Value(m) => ("value", 0, m),
        Kind::Message(m) => ("message", 0, m),
        Kind::Herror(c) => ("herror", c, String::new()),
        Kind::Type(m) => ("type", 0, m),
    };
    Some(format!(
        "{kind}\u{1}{code}\u{1}{}\u{1}{written}\u{1}{message}",
        err.syscall
    ))
}

/// The name of a syscall id from the status block (see state.rs).
#[napi]
pub fn syscall_name(id: u32) -> Option<&'static str> {
    state::syscall_name(id)
}

/// The address in a slot of the status block's table.
#[napi]
pub fn address_slot(slot: u32) -> JsAddress {
    JsAddress(state::slot(slot))
}
