//! bsdsock's core: the BSD socket calls with the semantics of Python's socket
//! module (modes, timeouts, PEP 475 retries, signal interruption, address
//! conversion, name resolution, constants). No JavaScript here: the N-API layer
//! in crates/node turns these into JS values.

pub mod addr;
#[cfg(unix)]
pub mod constants;
#[cfg(windows)]
#[path = "sys/windows/constants.rs"]
pub mod constants;
pub mod errno;
pub mod error;
pub mod idna;
pub mod inet;
pub mod msg;
#[cfg(unix)]
pub mod netdb;
#[cfg(windows)]
#[path = "sys/windows/netdb.rs"]
pub mod netdb;
pub mod poll;
pub mod resolve;
#[cfg(unix)]
pub mod signals;
#[cfg(windows)]
pub use sys::signals;
pub mod sock;
pub mod sys;
pub mod wait;

pub use addr::{Address, AddressArg};
pub use error::{Error, Kind, Result};
pub use socket2::SockAddr;
pub use sys::Fd;
pub use wait::Timeout;
