//! Resolver inputs that never leave the machine: getaddrinfo with
//! AI_NUMERICHOST | AI_NUMERICSERV on any host and service bytes and any
//! family, type, protocol and flags; Python's setipaddr on literal names; and
//! getnameinfo with NI_NUMERICHOST | NI_NUMERICSERV. Results convert to
//! address tuples that agree with inet_pton; errors are errors, not crashes.
#![no_main]

use std::net::IpAddr;

use arbitrary::Arbitrary;
use bsdsock_core::idna::converter;
use bsdsock_core::inet::pton4;
use bsdsock_core::resolve::{getaddrinfo, getnameinfo, setipaddr, NameInfoArg};
use bsdsock_core::Address;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    host: Option<&'a [u8]>,
    port: Option<&'a [u8]>,
    family_pick: u8,
    socktype: i32,
    proto: i32,
    flags: i32,
    name: &'a str,
    ni_port: i32,
    flowinfo: u32,
    scope_id: u32,
    tuple_len: bool,
}

fn family(pick: u8) -> i32 {
    match pick % 4 {
        0 => libc::AF_UNSPEC,
        1 => libc::AF_INET,
        2 => libc::AF_INET6,
        _ => i32::from(pick),
    }
}

/// The literal a name stands for, when it is one (so no lookup is needed).
fn literal(name: &str) -> Option<IpAddr> {
    if name.contains('%') {
        return None;
    }
    if let Some(ip) = pton4(name) {
        return Some(IpAddr::V4(ip));
    }
    let packed = bsdsock_core::inet::pton(libc::AF_INET6, name).ok()?;
    <[u8; 16]>::try_from(packed).ok().map(|o| IpAddr::V6(o.into()))
}

fn check_getaddrinfo(input: &Input<'_>) {
    // No canonical name: glibc may ask the network for one.
    let flags = (input.flags & !libc::AI_CANONNAME) | libc::AI_NUMERICHOST | libc::AI_NUMERICSERV;
    let fam = family(input.family_pick);
    let Ok(infos) = getaddrinfo(input.host, input.port, fam, input.socktype, input.proto, flags) else {
        return;
    };
    let host_ip = input
        .host
        .and_then(|h| std::str::from_utf8(h.split(|&b| b == 0).next().unwrap_or(h)).ok())
        .and_then(literal);
    for info in infos {
        let ip = match info.addr {
            Some(Address::V4 { ip, .. }) => IpAddr::V4(ip),
            Some(Address::V6 { ip, .. }) => IpAddr::V6(ip),
            other => panic!("getaddrinfo gave {other:?}"),
        };
        assert!(
            fam == libc::AF_UNSPEC || fam == info.family,
            "{fam} {}",
            info.family
        );
        if let Some(expected) = host_ip {
            if expected.is_ipv4() == ip.is_ipv4() {
                assert_eq!(ip, expected);
            }
        }
    }
}

fn check_setipaddr(input: &Input<'_>) {
    let Ok(name) = converter(input.name) else {
        return;
    };
    let fam = family(input.family_pick);
    if name.is_empty() || name == "<broadcast>" {
        // The wildcard and the broadcast address need no lookup either.
        let _ = setipaddr(&name, fam);
        return;
    }
    let Some(expected) = literal(&name) else {
        return;
    };
    match setipaddr(&name, fam) {
        Ok(Address::V4 { ip, .. }) if expected.is_ipv4() => assert_eq!(IpAddr::V4(ip), expected),
        Ok(Address::V6 { ip, .. }) if expected.is_ipv6() => assert_eq!(IpAddr::V6(ip), expected),
        Ok(Address::V4 { .. } | Address::V6 { .. }) => assert_ne!(fam, libc::AF_UNSPEC),
        Ok(other) => panic!("setipaddr gave {other:?}"),
        // A literal of either family is an address when no family is asked for.
        Err(e) => assert_ne!(fam, libc::AF_UNSPEC, "{name:?}: {e}"),
    }
}

fn check_getnameinfo(input: &Input<'_>) {
    // Only literals: a name would be looked up.
    if literal(input.name).is_none() || input.name.contains('\0') {
        return;
    }
    let arg = NameInfoArg {
        host: input.name,
        port: input.ni_port,
        flowinfo: input.flowinfo,
        scope_id: input.scope_id,
        len: if input.tuple_len { 2 } else { 4 },
    };
    let flags = libc::NI_NUMERICHOST | libc::NI_NUMERICSERV;
    if let Ok((host, serv)) = getnameinfo(arg, flags) {
        assert!(!host.is_empty());
        if (0..=65535).contains(&input.ni_port) {
            assert_eq!(serv.parse::<i32>().ok(), Some(input.ni_port), "{serv:?}");
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    check_getaddrinfo(&input);
    check_setipaddr(&input);
    check_getnameinfo(&input);
});
