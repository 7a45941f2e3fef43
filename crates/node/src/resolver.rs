//! The resolver as N-API functions: getaddrinfo, getnameinfo, the older
//! gethostby* / getservby* / getprotobyname calls and the interface calls.
//! The facade (ts/resolver.ts) checks argument types with Python's messages;
//! the core (resolve.rs, netdb.rs, idna.rs) does the rest. As everywhere in the
//! addon, a failure returns null and leaves its error in state.rs.

use std::fmt::Write;

use bsdsock_core::{idna, netdb, resolve, Address};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{JsAddress, Writable};
use crate::state::ok;
use crate::wire::{
    RESOLVER_FAMILY, RESOLVER_FLOWINFO, RESOLVER_IS_V6, RESOLVER_PORT, RESOLVER_PROTO, RESOLVER_SCOPE_ID,
    RESOLVER_TYPE, RESOLVER_WORDS,
};

/// One getaddrinfo result as Python's tuple: `[family, type, proto, canonname, sockaddr]`.
type JsAddrInfo = (i32, i32, i32, String, JsAddress);

/// `(hostname, aliaslist, ipaddrlist)`.
type JsHostEnt = (String, Vec<String>, Vec<String>);

/// A str or bytes argument: its text, and whether it came as bytes.
fn text_of(v: &Either<String, Uint8Array>) -> (std::borrow::Cow<'_, str>, bool) {
    match v {
        Either::A(s) => (std::borrow::Cow::Borrowed(s.as_str()), false),
        Either::B(b) => (String::from_utf8_lossy(b), true),
    }
}

/// A getaddrinfo port (service) as the C library takes it: the text's bytes, or the bytes.
pub(crate) fn port_bytes(v: &Either<String, Uint8Array>) -> &[u8] {
    match v {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// getaddrinfo's host as the C library takes it: a str through the idna codec,
/// bytes as they are. Err (the error recorded) when the codec refuses the str.
pub(crate) fn host_bytes(
    host: Option<&Either<String, Uint8Array>>,
) -> std::result::Result<Option<Vec<u8>>, ()> {
    Ok(match host {
        Some(Either::A(s)) => Some(ok(idna::encode(s)).ok_or(())?.into_bytes()),
        Some(Either::B(b)) => Some(b.to_vec()),
        None => None,
    })
}

/// The usual getaddrinfo result through the facade's block (an Int32Array,
/// ts/resolver.ts): word 0 the number of entries, then the numbers of each entry
/// in RESOLVER_WORDS words; the hosts as one string, one line per entry. Handing over one
/// string costs far less than nested arrays, whose every element is an N-API
/// call. None when an entry has a canonical name or another kind of address,
/// or the block is too small: those go as arrays.
fn through_block(list: &[resolve::AddrInfo], block: &mut [i32]) -> Option<String> {
    let fits = |ai: &resolve::AddrInfo| {
        ai.canonname.is_empty() && matches!(ai.addr, Some(Address::V4 { .. } | Address::V6 { .. }))
    };
    if 1 + list.len() * RESOLVER_WORDS > block.len() || !list.iter().all(fits) {
        return None;
    }
    block[0] = list.len() as i32;
    let mut hosts = String::with_capacity(list.len() * 16);
    for (i, ai) in list.iter().enumerate() {
        let w = &mut block[1 + i * RESOLVER_WORDS..1 + (i + 1) * RESOLVER_WORDS];
        w[RESOLVER_FAMILY] = ai.family;
        w[RESOLVER_TYPE] = ai.socktype;
        w[RESOLVER_PROTO] = ai.proto;
        if i > 0 {
            hosts.push('\n');
        }
        let (port, flowinfo, scope_id, is_v6) = match &ai.addr {
            Some(Address::V4 { ip, port }) => {
                let _ = write!(hosts, "{ip}");
                (*port, 0, 0, 0)
            }
            Some(Address::V6 {
                ip,
                port,
                flowinfo,
                scope_id,
            }) => {
                hosts += &bsdsock_core::inet::ipv6_text(ip);
                (*port, *flowinfo as i32, *scope_id as i32, 1)
            }
            _ => return None,
        };
        w[RESOLVER_PORT] = i32::from(port);
        w[RESOLVER_FLOWINFO] = flowinfo;
        w[RESOLVER_SCOPE_ID] = scope_id;
        w[RESOLVER_IS_V6] = is_v6;
    }
    Some(hosts)
}

/// getaddrinfo(host, port, family, type, proto, flags): a str host goes through
/// the idna codec, bytes as they are; the port is a service name or the text
/// of a number. The result is the hosts, the rest in the block (see
/// `through_block`), or, when it holds more than addresses, Python's tuples as arrays.
#[napi]
pub fn getaddrinfo(
    host: Option<Either<String, Uint8Array>>,
    port: Option<Either<String, Uint8Array>>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
    mut block: Writable<i32>,
) -> Option<Either<String, Vec<JsAddrInfo>>> {
    let encoded = host_bytes(host.as_ref()).ok()?;
    let port = port.as_ref().map(port_bytes);
    let list = ok(resolve::getaddrinfo(
        encoded.as_deref(),
        port,
        family,
        socktype,
        proto,
        flags,
    ))?;
    if let Some(hosts) = through_block(&list, &mut block) {
        return Some(Either::A(hosts));
    }
    let tuple = |ai: resolve::AddrInfo| (ai.family, ai.socktype, ai.proto, ai.canonname, JsAddress(ai.addr));
    Some(Either::B(list.into_iter().map(tuple).collect()))
}

/// getnameinfo((host, port[, flowinfo, scope_id]), flags) -> [host, service];
/// `len` is the tuple's length (2 to 4), which Python checks for IPv4.
#[napi]
pub fn getnameinfo(
    host: String,
    port: i32,
    flowinfo: u32,
    scope_id: u32,
    len: u32,
    flags: i32,
) -> Option<(String, String)> {
    let sa = resolve::NameInfoArg {
        host: &host,
        port,
        flowinfo,
        scope_id,
        len: len as usize,
    };
    ok(resolve::getnameinfo(sa, flags))
}

#[napi]
pub fn gethostbyname(name: Either<String, Uint8Array>) -> Option<String> {
    let (text, is_bytes) = text_of(&name);
    let name = ok(idna::encode_arg(&text, is_bytes, "gethostbyname"))?;
    ok(netdb::gethostbyname(&name))
}

#[napi]
pub fn gethostbyname_ex(name: Either<String, Uint8Array>) -> Option<JsHostEnt> {
    let (text, is_bytes) = text_of(&name);
    let name = ok(idna::encode_arg(&text, is_bytes, "gethostbyname_ex"))?;
    ok(netdb::gethostbyname_ex(&name)).map(|h| (h.name, h.aliases, h.addrs))
}

#[napi]
pub fn gethostbyaddr(ip: Either<String, Uint8Array>) -> Option<JsHostEnt> {
    let (text, is_bytes) = text_of(&ip);
    let ip = ok(idna::encode_arg(&text, is_bytes, "gethostbyaddr"))?;
    ok(netdb::gethostbyaddr(&ip)).map(|h| (h.name, h.aliases, h.addrs))
}

#[napi]
pub fn getservbyname(name: String, proto: Option<String>) -> Option<u32> {
    ok(netdb::getservbyname(&name, proto.as_deref())).map(u32::from)
}

#[napi]
pub fn getservbyport(port: u32, proto: Option<String>) -> Option<String> {
    ok(netdb::getservbyport(port as u16, proto.as_deref()))
}

#[napi]
pub fn getprotobyname(name: String) -> Option<i32> {
    ok(netdb::getprotobyname(&name))
}

#[napi]
pub fn if_nameindex() -> Option<Vec<(u32, String)>> {
    ok(netdb::if_nameindex())
}

#[napi]
pub fn if_nametoindex(name: Either<String, Uint8Array>) -> Option<u32> {
    ok(netdb::if_nametoindex(port_bytes(&name)))
}

#[napi]
pub fn if_indextoname(index: u32) -> Option<String> {
    ok(netdb::if_indextoname(index))
}

/// The C library's message for an h_errno code.
#[napi]
pub fn hstrerror(code: i32) -> String {
    bsdsock_core::error::hstrerror(code)
}
