//! bsdsock's N-API layer: JS values in, core calls, JS values out. No socket
//! logic lives here; see crates/core.

mod asyncio;
mod env;
mod io;
mod js;
mod loop_resolver;
mod mmsg;
mod module;
mod msg;
mod owned;
mod pool;
mod portable;
mod raw;
mod repoll;
mod resolver;
mod select;
mod signals;
mod socket;
mod state;
mod uv;
mod watch;
mod wire;

use napi::bindgen_prelude::{Env, JsValue, Object};

/// Adds the calls written as raw N-API callbacks (raw.rs) to the exports.
#[napi_derive::napi(module_exports)]
pub fn exports(exports: Object, env: Env) -> napi::Result<()> {
    let tables = [
        io::CALLS,
        select::WAITS,
        signals::CALLS,
        mmsg::CALLS,
        asyncio::CALLS,
    ];
    for table in tables {
        // SAFETY: napi-rs calls this once while initializing the module, with its env and exports.
        unsafe { raw::export(env.raw(), exports.raw(), table)? };
    }
    Ok(())
}
