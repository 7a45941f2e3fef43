//! Module-level functions of Python's socket module that are not socket calls.

use std::collections::HashMap;

use bsdsock_core::{constants, error, inet, resolve};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, Raw};
use crate::state::{done, ok};

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

/// sethostname(name) -> false with the error recorded (Unix).
#[cfg(unix)]
#[napi]
pub fn sethostname(name: Uint8Array) -> bool {
    ok(resolve::sethostname(&name)).is_some()
}

/// Whether `signum`'s listeners run inside blocking calls (see signals.rs);
/// false if the signal cannot be caught. With `later` (Bun, Deno, whose own
/// handler goes in after this call), the handler goes in at the next wait.
#[napi]
pub fn catch_signal(signum: i32, on: bool, later: Option<bool>) -> bool {
    #[cfg(unix)]
    if later == Some(true) {
        return bsdsock_core::signals::catch_later(signum, on);
    }
    #[cfg(not(unix))]
    let _ = later;
    bsdsock_core::signals::catch(signum, on)
}

/// Python's `signal.siginterrupt` checks on `signum`: out of range (false,
/// with a ValueError recorded), or refused by sigaction(2) (false, its
/// OSError recorded); nothing about the signal changes.
#[napi]
pub fn signal_check(signum: i32) -> bool {
    #[cfg(unix)]
    {
        use bsdsock_core::signals::{check_action, SIGNAL_LIMIT};
        if !(1..SIGNAL_LIMIT).contains(&signum) {
            return done(Err(bsdsock_core::Error::value("signal number out of range")));
        }
        done(check_action(signum))
    }
    #[cfg(not(unix))]
    {
        let _ = signum;
        done(Err(bsdsock_core::Error::message(
            "siginterrupt is not available on Windows",
            "siginterrupt",
        )))
    }
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
