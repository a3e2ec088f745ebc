//! onecodex-wasm: the JavaScript boundary. Everything here converts between JS values and the
//! plain-Rust core (`onecodex-core`) and turns core errors into typed `OneCodexError`s; the logic
//! itself lives in the core.

mod analyses;
mod builder;
mod client;
mod convert;
mod download;
mod error;
mod query;
mod resources;
mod results_fetch;
mod tables;
mod transport;
mod upload;

pub use builder::{FieldCondition, Filter, WhereBuilders};
pub use client::OneCodex;
pub use error::is_one_codex_error;
pub use tables::{parse_classification_results, parse_functional_results};
pub use query::{encode_sort, encode_where, filterable_fields};
pub use upload::{pair_files_js, Upload, UploadJsonOptions};

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated (Node: on import; browsers: when init resolves).
///
/// @example
/// ```ts
/// import "onecodex-wasm"; // runs it: nothing to call (with "onecodex-wasm/slim", `await init()` does)
/// ```
#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug; this at least puts its message on the console before the instance dies.
    console_error_panic_hook::set_once();
}

/// The package version, as in Cargo.toml and package.json.
///
/// @example
/// ```ts
/// console.log(`onecodex-wasm ${version()}`);
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

