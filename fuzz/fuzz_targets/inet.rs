//! inet_pton / inet_ntop / inet_aton / inet_ntoa: text in, bytes out and back.
//! Whatever text pton accepts, ntop prints text that pton reads as the same
//! bytes; aton (lenient) accepts all that strict pton accepts, with the same
//! result; packed bytes of the right length always print and parse back.
#![no_main]

use bsdsock_core::inet::{aton, ntoa, ntop, pton};
use libfuzzer_sys::fuzz_target;

fn text_round_trip(family: i32, text: &str) {
    let Ok(packed) = pton(family, text) else {
        return;
    };
    let printed = ntop(family, &packed).unwrap_or_else(|e| panic!("ntop of pton({text:?}) failed: {e}"));
    assert_eq!(
        pton(family, &printed).ok().as_ref(),
        Some(&packed),
        "{text:?} -> {printed:?}"
    );
    if family == libc::AF_INET {
        assert_eq!(aton(text).ok().map(|b| b.to_vec()), Some(packed.clone()));
        assert_eq!(ntoa(&packed).ok(), Some(printed));
    }
}

fn packed_round_trip(family: i32, packed: &[u8]) {
    let expected_len = if family == libc::AF_INET { 4 } else { 16 };
    match ntop(family, packed) {
        Ok(text) => {
            assert_eq!(packed.len(), expected_len);
            assert_eq!(pton(family, &text).ok().as_deref(), Some(packed), "{text:?}");
        }
        Err(e) => {
            assert_ne!(packed.len(), expected_len, "{e}");
            assert_eq!(e.to_string(), "invalid length of packed IP address string");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        text_round_trip(libc::AF_INET, text);
        text_round_trip(libc::AF_INET6, text);
        // aton's result, when there is one, is a valid address: ntoa prints it.
        if let Ok(b) = aton(text) {
            assert!(ntoa(&b).is_ok());
        }
    }
    packed_round_trip(libc::AF_INET, data);
    packed_round_trip(libc::AF_INET6, data);
    assert!(pton(libc::AF_UNIX, "1.2.3.4").is_err());
});
