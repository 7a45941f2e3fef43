//! The older resolver calls' decoding: hostents laid out as the C library lays
//! them out (name, alias list, address list, each null-terminated) decode to
//! the strings and addresses put in; and getservbyname / getservbyport, which
//! read the local services database, answer any name, protocol and port with a
//! result or Python's error, consistently with each other.
#![no_main]

use std::ffi::{c_char, CString};
use std::net::{Ipv4Addr, Ipv6Addr};

use arbitrary::Arbitrary;
use bsdsock_core::inet::ipv6_text;
use bsdsock_core::netdb::{getservbyname, getservbyport, host_common};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    name: &'a [u8],
    aliases: Vec<&'a [u8]>,
    v4: Vec<[u8; 4]>,
    v6: Vec<[u8; 16]>,
    ask_v6: bool,
    service: &'a str,
    proto: Option<&'a str>,
    port: u16,
}

/// A null-terminated array of pointers to `items`, which must outlive it.
fn pointers<T>(items: &mut [T], ptr: impl Fn(&mut T) -> *mut c_char) -> Vec<*mut c_char> {
    items
        .iter_mut()
        .map(ptr)
        .chain(std::iter::once(std::ptr::null_mut()))
        .collect()
}

fn c_strings(items: &[&[u8]]) -> Vec<CString> {
    items
        .iter()
        .map(|b| CString::new(b.split(|&c| c == 0).next().unwrap_or_default()).unwrap_or_default())
        .collect()
}

fn check_hostent(input: &Input<'_>) {
    let name = c_strings(&[input.name]).remove(0);
    let mut aliases = c_strings(&input.aliases);
    let mut alias_ptrs = pointers(&mut aliases, |c| c.as_ptr().cast_mut());
    let (family, mut v4, mut v6) = (
        if input.ask_v6 {
            libc::AF_INET6
        } else {
            libc::AF_INET
        },
        input.v4.clone(),
        input.v6.clone(),
    );
    let mut addr_ptrs = if input.ask_v6 {
        pointers(&mut v6, |a| a.as_mut_ptr().cast())
    } else {
        pointers(&mut v4, |a| a.as_mut_ptr().cast())
    };
    let h = libc::hostent {
        h_name: name.as_ptr().cast_mut(),
        h_aliases: alias_ptrs.as_mut_ptr(),
        h_addrtype: family,
        h_length: if input.ask_v6 { 16 } else { 4 },
        h_addr_list: addr_ptrs.as_mut_ptr(),
    };
    // SAFETY: `h` is laid out as the C library fills one: NUL-terminated
    // strings, null-terminated lists, addresses of the family's length, all
    // alive until the end of this function.
    let ent = match unsafe { host_common(&h, family) } {
        Ok(ent) => ent,
        Err(e) => panic!("a well-formed hostent was refused: {e}"),
    };
    assert_eq!(ent.name, name.to_string_lossy());
    let alias_text: Vec<String> = aliases.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    assert_eq!(ent.aliases, alias_text);
    let addrs: Vec<String> = if input.ask_v6 {
        input.v6.iter().map(|o| ipv6_text(&Ipv6Addr::from(*o))).collect()
    } else {
        input.v4.iter().map(|o| Ipv4Addr::from(*o).to_string()).collect()
    };
    assert_eq!(ent.addrs, addrs);
    // The other family is refused, as Python's gethost_common refuses it.
    let other = if input.ask_v6 {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: as above.
    assert!(unsafe { host_common(&h, other) }.is_err());
}

fn check_services(input: &Input<'_>) {
    if let Ok(port) = getservbyname(input.service, input.proto) {
        assert!(
            getservbyport(port, input.proto).is_ok(),
            "{:?} -> {port}",
            input.service
        );
    }
    match getservbyport(input.port, input.proto) {
        Ok(name) => assert!(
            getservbyname(&name, input.proto).is_ok(),
            "{} -> {name:?}",
            input.port
        ),
        Err(e) => assert_eq!(e.to_string(), "port/proto not found"),
    }
}

fuzz_target!(|input: Input<'_>| {
    check_hostent(&input);
    check_services(&input);
});
