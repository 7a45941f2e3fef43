//! Any bytes as a `sockaddr` (the opaque address a sender caches, or what the
//! kernel returns): decoding never reads out of bounds or panics, the bytes
//! come back as they went in, and a decoded inet or unix address encodes to
//! a sockaddr that decodes to the same address.
#![no_main]

use std::net::{SocketAddrV4, SocketAddrV6};

use bsdsock_core::addr::{sockaddr_bytes, sockaddr_from_bytes, unix_sockaddr};
use bsdsock_core::{Address, SockAddr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(sa) = sockaddr_from_bytes(data) else {
        let fits = data.len() >= 2 && data.len() <= std::mem::size_of::<libc::sockaddr_storage>();
        assert!(
            !fits,
            "{} bytes fit a sockaddr_storage but were refused",
            data.len()
        );
        return;
    };
    assert_eq!(sockaddr_bytes(&sa), data);
    let Some(address) = Address::from_sockaddr(&sa) else {
        return;
    };
    let again = match &address {
        Address::V4 { ip, port } => SockAddr::from(SocketAddrV4::new(*ip, *port)),
        Address::V6 {
            ip,
            port,
            flowinfo,
            scope_id,
        } => SockAddr::from(SocketAddrV6::new(*ip, *port, *flowinfo, *scope_id)),
        // A name read back from a sockaddr fits one, except a path that fills
        // sun_path with no NUL: the kernel allows it, Python's bind() refuses it.
        Address::Unix(name) => match unix_sockaddr(name) {
            Ok(sa) => sa,
            Err(e) => {
                let full = std::mem::size_of::<libc::sockaddr_un>()
                    - std::mem::offset_of!(libc::sockaddr_un, sun_path);
                assert!(
                    name.len() == full && name.first() != Some(&0),
                    "{} bytes: {e}",
                    name.len()
                );
                return;
            }
        },
        _ => return,
    };
    assert_eq!(Address::from_sockaddr(&again).as_ref(), Some(&address));
});
