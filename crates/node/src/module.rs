//! Module-level functions of Python's socket module that are not socket calls.

use std::collections::HashMap;

use bsdsock_core::{constants, error, inet, resolve};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, lift, JsAddress, Raw};

/// Every constant of this platform, by Python's name.
#[napi]
pub fn constants() -> HashMap<String, i64> {
    constants::all().map(|(k, v)| (k.to_string(), v)).collect()
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
pub fn gethostname() -> Result<String> {
    lift(resolve::gethostname())
}

#[napi]
pub fn siginterrupt(signum: i32, flag: bool) -> bool {
    bsdsock_core::signals::siginterrupt(signum, flag)
}

#[napi]
pub fn inet_pton(env: Env, family: i32, text: String) -> Result<Raw> {
    let packed = lift(inet::pton(family, &text))?;
    buffer_copy(&env, &packed)
}

#[napi]
pub fn inet_ntop(family: i32, packed: &[u8]) -> Result<String> {
    lift(inet::ntop(family, packed))
}

#[napi]
pub fn inet_aton(env: Env, text: String) -> Result<Raw> {
    let packed = lift(inet::aton(&text))?;
    buffer_copy(&env, &packed)
}

#[napi]
pub fn inet_ntoa(packed: &[u8]) -> Result<String> {
    lift(inet::ntoa(packed))
}

/// One getaddrinfo result as Python's tuple: `[family, type, proto, canonname, sockaddr]`.
type JsAddrInfo = (i32, i32, i32, String, JsAddress);

/// getaddrinfo -> `[family, type, proto, canonname, sockaddr][]`.
#[napi]
pub fn getaddrinfo(
    host: Option<String>,
    port: Option<String>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> Result<Vec<JsAddrInfo>> {
    let list = lift(resolve::getaddrinfo(
        host.as_deref(),
        port.as_deref(),
        family,
        socktype,
        proto,
        flags,
    ))?;
    Ok(list
        .into_iter()
        .map(|ai| (ai.family, ai.socktype, ai.proto, ai.canonname, JsAddress(ai.addr)))
        .collect())
}

/// Python's `errno.errorcode`, the other way round: name -> number.
#[napi]
pub fn errno_table() -> HashMap<String, i32> {
    bsdsock_core::errno::all()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}
