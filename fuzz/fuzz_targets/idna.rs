//! Host names through Python's idna codec (nameprep + punycode): any text
//! either fails with the codec's error or becomes ASCII whose labels are each
//! under 64 bytes, and the address-argument converter passes ASCII through.
#![no_main]

use bsdsock_core::idna::{converter, encode, encode_arg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match encode(text) {
        Ok(ascii) => {
            assert!(ascii.is_ascii(), "{text:?} -> {ascii:?}");
            let labels: Vec<&str> = ascii.split('.').collect();
            for label in &labels {
                assert!(label.len() < 64, "{text:?} -> label {label:?}");
            }
            // The codec splits the text at its four dots before nameprep, and
            // only an empty label there is an error: nameprep may still make
            // dots ('\u{2025}' is '..', so '\u{2025}x' is "..x" in Python too).
            let parts: Vec<&str> = text.split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}']).collect();
            let n = parts.len();
            for (i, part) in parts.iter().enumerate() {
                assert!(!part.is_empty() || i + 1 == n, "{text:?} -> {ascii:?}");
            }
        }
        Err(e) => assert!(
            e.to_string().starts_with("encoding with 'idna' codec failed"),
            "{e}"
        ),
    }
    match converter(text) {
        Ok(host) => {
            assert!(host.is_ascii() && !host.contains('\0'));
            if text.is_ascii() {
                assert_eq!(host, text);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg == "encoding of hostname failed" || msg == "host name must not contain null character",
                "{msg}"
            );
        }
    }
    if let Ok(arg) = encode_arg(text, true, "getaddrinfo") {
        assert_eq!(arg, text);
    }
});
