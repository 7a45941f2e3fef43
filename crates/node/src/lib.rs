//! bsdsock's N-API layer: JS values in, core calls, JS values out. No socket
//! logic lives here; see crates/core.

mod aresolve;
mod env;
mod hot;
mod js;
mod mmsg;
mod module;
mod msg;
mod owned;
mod pool;
mod resolver;
mod select;
mod signals;
mod socket;
mod state;
mod uv;
mod watch;

use napi::bindgen_prelude::{Env, JsValue, Object};

/// Adds the hot calls, written as plain N-API callbacks (hot.rs), to the exports.
#[napi_derive::napi(module_exports)]
pub fn exports(exports: Object, env: Env) -> napi::Result<()> {
    // SAFETY: napi-rs calls this once while initializing the module, with its env and exports.
    unsafe { hot::export(env.raw(), exports.raw())? };
    // SAFETY: as above.
    unsafe { mmsg::export(env.raw(), exports.raw())? };
    // SAFETY: as above.
    unsafe { env::export(env.raw(), exports.raw()) }
}
