//! What differs between operating systems. The rest of the core calls only these.
//!
//! Each platform's folder holds the same names: its system calls (mod.rs,
//! msg.rs), its constants, netdb and signal modules (re-exported by lib.rs),
//! and every `unsafe` of the core.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

// Batched datagrams as loops, where the OS has no sendmmsg / recvmmsg.
mod batch;
pub use batch::*;

// The C library's resolver calls, alike on every platform.
mod addrinfo;
pub use addrinfo::*;

// The address text calls, alike on every platform.
mod inet;
pub use inet::*;

// Socket addresses as bytes, alike on every platform.
mod sockaddr;
pub use sockaddr::*;

// A readiness poller with a thread of its own, for hosts without libuv's loop.
mod poller;
pub use poller::{Poller, Ready, POLL_READ, POLL_WRITE};

// What every platform does alike around its own structs.
mod common;
pub use common::as_uninit;
use common::{with_sockaddr, write_cmsg};

/// The C names of the platform (`c::AF_INET`, `c::addrinfo`): the libc crate's on Unix.
#[cfg(unix)]
pub use libc as c;

/// Whether send/recv flags ask the call not to wait (MSG_DONTWAIT).
#[cfg(unix)]
pub fn dontwait(flags: i32) -> bool {
    flags & c::MSG_DONTWAIT != 0
}

/// Whether the kernel never makes a receive with these flags wait: a read of
/// the error queue (MSG_ERRQUEUE) says EAGAIN when the queue is empty, so
/// CPython's blocking call raises BlockingIOError at once.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn never_waits(flags: i32) -> bool {
    flags & c::MSG_ERRQUEUE != 0
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
pub fn never_waits(_flags: i32) -> bool {
    false
}

/// The flag that makes one send or receive call non-blocking whatever the
/// fd's O_NONBLOCK says (others who share the open file description may
/// change that at any time).
#[cfg(unix)]
pub const DONTWAIT: i32 = c::MSG_DONTWAIT;

/// Whether a socket's O_NONBLOCK flag follows its mode, as CPython's does:
/// set in non-blocking and timeout mode, clear in blocking mode. On Windows
/// the socket stays non-blocking underneath (no call there takes
/// MSG_DONTWAIT), and blocking calls wait in select.
#[cfg(unix)]
pub const MODE_FLAG: bool = true;

/// A poll entry for `fd`.
#[cfg(unix)]
pub fn pollfd(fd: Fd, events: i16) -> c::pollfd {
    c::pollfd {
        fd,
        events,
        revents: 0,
    }
}
