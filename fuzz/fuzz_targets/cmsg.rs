//! Ancillary data: any control buffer the kernel could hand back is walked
//! within its bounds (every item's data lies inside the buffer, the walk ends
//! on a malformed header) and decoded without reading past an item; items laid
//! out by `encode_control` parse back as they were; CMSG_LEN/CMSG_SPACE agree.
#![no_main]

use arbitrary::Arbitrary;
use bsdsock_core::msg::{cmsg_len, cmsg_space, decode, encode_control, Decoded};
use bsdsock_core::sys::{cmsg_data_offset, parse_cmsgs};
use libfuzzer_sys::fuzz_target;

/// Items to lay out, a length for CMSG_LEN/CMSG_SPACE, and the rest of the
/// input as a control buffer the kernel might have filled.
#[derive(Debug, Arbitrary)]
struct Input<'a> {
    items: Vec<(i32, i32, &'a [u8])>,
    length: i64,
    control: &'a [u8],
}

/// The (level, type) pairs `decode` knows, so that random items hit them.
const KINDS: [(i32, i32); 8] = [
    (libc::SOL_SOCKET, libc::SCM_RIGHTS),
    (libc::SOL_SOCKET, libc::SCM_CREDENTIALS),
    (libc::SOL_SOCKET, libc::SCM_TIMESTAMP),
    (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS),
    (libc::IPPROTO_IP, libc::IP_PKTINFO),
    (libc::IPPROTO_IP, libc::IP_TTL),
    (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT),
    (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO),
];

fn check_decode(level: i32, ty: i32, data: &[u8]) {
    // Only whole ints are fds; nothing else of a known kind decodes from short data.
    match decode(level, ty, data) {
        Some(Decoded::Rights(fds)) => assert_eq!(fds.len(), data.len() / 4),
        Some(_) => assert!(data.len() >= 4, "{level} {ty} decoded from {} bytes", data.len()),
        None => {}
    }
}

fuzz_target!(|input: Input<'_>| {
    let parsed = parse_cmsgs(input.control);
    let mut total = 0usize;
    for (level, ty, data) in &parsed {
        total += cmsg_data_offset() + data.len();
        check_decode(*level, *ty, data);
    }
    // Items do not overlap: headers and data together fit in the buffer.
    assert!(total <= input.control.len(), "{total} > {}", input.control.len());

    // Map the first items onto the known kinds, then round-trip them all.
    let items: Vec<(i32, i32, &[u8])> = input
        .items
        .iter()
        .enumerate()
        .map(|(i, &(level, ty, data))| match KINDS.get(i) {
            Some(&(l, t)) if level % 2 == 0 => (l, t, data),
            _ => (level, ty, data),
        })
        .collect();
    if let Ok(buf) = encode_control(&items) {
        let back = parse_cmsgs(&buf);
        let expected: Vec<(i32, i32, Vec<u8>)> = items.iter().map(|&(l, t, d)| (l, t, d.to_vec())).collect();
        assert_eq!(back, expected);
        for (level, ty, data) in &back {
            check_decode(*level, *ty, data);
        }
    }

    match (cmsg_len(input.length), cmsg_space(input.length)) {
        (Some(len), Some(space)) => {
            assert!(
                space >= len,
                "CMSG_SPACE({}) = {space} < CMSG_LEN = {len}",
                input.length
            );
            assert_eq!(len, cmsg_data_offset() + input.length as usize);
        }
        (len, _) => {
            // Only a negative or huge length has no CMSG_SPACE; CMSG_LEN fails only then too.
            assert!(input.length < 0 || input.length > i64::from(i32::MAX) - 64);
            assert!(len.is_none() || input.length >= 0);
        }
    }
});
