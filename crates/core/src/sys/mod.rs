//! What differs between operating systems. The rest of the core calls only these.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
#[cfg(unix)]
mod unix_msg;
#[cfg(unix)]
pub use unix_msg::*;
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
mod kqueue;
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub use kqueue::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

// Batched datagrams as loops, where the OS has no sendmmsg / recvmmsg.
mod batch;
pub use batch::*;

// What every platform does alike around its own structs.
mod common;
use common::{with_sockaddr, write_cmsg};

/// The C names of the platform (`c::AF_INET`, `c::addrinfo`): the libc crate's on Unix.
#[cfg(unix)]
pub use libc as c;

/// Whether send/recv flags ask the call not to wait (MSG_DONTWAIT).
#[cfg(unix)]
pub fn dontwait(flags: i32) -> bool {
    flags & c::MSG_DONTWAIT != 0
}

/// A poll entry for `fd`.
#[cfg(unix)]
pub fn pollfd(fd: Fd, events: i16) -> c::pollfd {
    c::pollfd {
        fd,
        events,
        revents: 0,
    }
}
