//! What differs between operating systems. The rest of the core calls only these.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
compile_error!("bsdsock's Windows layer (sys/windows.rs) is not written yet");
