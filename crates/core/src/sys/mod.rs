//! What differs between operating systems. The rest of the core calls only these.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
#[cfg(unix)]
mod unix_msg;
#[cfg(unix)]
pub use unix_msg::*;

#[cfg(windows)]
compile_error!("bsdsock's Windows layer (sys/windows.rs) is not written yet");
