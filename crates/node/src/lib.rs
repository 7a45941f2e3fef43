//! bsdsock's N-API layer: JS values in, core calls, JS values out. No socket
//! logic lives here; see crates/core.

mod js;
mod module;
mod socket;
mod state;
