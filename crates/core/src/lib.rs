//! bsdsock's core: the BSD socket calls with the semantics of Python's socket
//! module (modes, timeouts, PEP 475 retries, signal interruption, address
//! conversion, name resolution, constants). No JavaScript here: the N-API layer
//! in crates/node turns these into JS values.

pub mod addr;
pub mod errno;
pub mod error;
pub mod fdmap;
pub mod idna;
pub mod inet;
pub mod msg;
pub mod poll;
pub mod resolve;
pub mod sock;
pub mod sys;
pub mod wait;

pub use sys::{constants, netdb, signals};

pub use addr::{Address, AddressArg};
pub use error::{Error, Kind, Result};
pub use socket2::SockAddr;
pub use sys::Fd;
pub use wait::Timeout;
