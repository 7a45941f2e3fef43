//! Maps keyed by fd, hashed by the number itself. The addon's fd tables are
//! looked up on every readiness and its keys are small distinct numbers the
//! kernel chose, so the default SipHash (built to resist keys chosen by an
//! attacker) costs time and buys nothing here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A HashMap from fd to `V`.
pub type FdMap<V> = HashMap<i32, V, BuildHasherDefault<FdHasher>>;

/// Fibonacci hashing: the key times 2^64 / φ, which spreads consecutive fds
/// over both the low bits (the bucket) and the high bits (hashbrown's tag).
#[derive(Default)]
pub struct FdHasher(u64);

const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for FdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(PHI);
        }
    }

    fn write_i32(&mut self, fd: i32) {
        self.0 = (self.0 ^ u64::from(fd as u32)).wrapping_mul(PHI);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn consecutive_fds_hash_apart() {
        let build = BuildHasherDefault::<FdHasher>::default();
        let hashes: Vec<u64> = (0..64).map(|fd: i32| build.hash_one(fd)).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a & 0x3f, b & 0x3f, "the low bits pick the bucket");
            }
        }
    }

    #[test]
    fn holds_what_it_is_given() {
        let mut map = FdMap::default();
        for fd in [0, 1, 7, 1023, -1, i32::MAX] {
            map.insert(fd, i64::from(fd) * 2);
        }
        assert_eq!(map.get(&1023), Some(&2046));
        assert_eq!(map.remove(&-1), Some(-2));
        assert_eq!(map.len(), 5);
    }
}
