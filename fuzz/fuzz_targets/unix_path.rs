//! AF_UNIX names: the length rule (a path needs room for its NUL, an abstract
//! name may fill sun_path), and what is bound is what getsockname would read
//! back: an abstract name whole, a path up to its first NUL.
#![no_main]

use bsdsock_core::addr::unix_sockaddr;
use bsdsock_core::Address;
use libfuzzer_sys::fuzz_target;

fn sun_path_capacity() -> usize {
    std::mem::size_of::<libc::sockaddr_un>() - std::mem::offset_of!(libc::sockaddr_un, sun_path)
}

fuzz_target!(|path: &[u8]| {
    let abstract_name = path.first() == Some(&0);
    let fits = if abstract_name {
        path.len() <= sun_path_capacity()
    } else {
        path.len() < sun_path_capacity()
    };
    let sa = match unix_sockaddr(path) {
        Ok(sa) => sa,
        Err(e) => {
            assert!(!fits, "a {}-byte name was refused: {e}", path.len());
            assert_eq!(e.to_string(), "AF_UNIX path too long");
            return;
        }
    };
    assert!(fits, "a {}-byte name was accepted", path.len());
    let expected = if abstract_name {
        path.to_vec()
    } else {
        path.iter().copied().take_while(|&b| b != 0).collect()
    };
    match Address::from_sockaddr(&sa) {
        Some(Address::Unix(name)) => assert_eq!(name, expected),
        None => assert!(path.is_empty()),
        other => panic!("a unix sockaddr decoded as {other:?}"),
    }
});
