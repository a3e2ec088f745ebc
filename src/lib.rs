//! onecodex-wasm: the JavaScript boundary. Everything here converts between JS values and the
//! plain-Rust core (`onecodex-core`) and turns core errors into typed `OneCodexError`s; the logic
//! itself lives in the core.
//!
//! One crate, two wasm builds (features, see Cargo.toml): `client` is the `onecodex-wasm` entry
//! (queries, uploads, downloads, analyses) and `tables` the `onecodex-wasm/tables` entry (results
//! parsing, tables, matrices). The client reaches the tables module through JavaScript
//! (`tables_link`), loaded the first time a table is asked for.

// With `panic = "abort"` a panic ends the wasm instance for good: code a caller or a server can
// reach returns typed errors instead (tests may still unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

// Shared helpers: some are used by only one of the two builds.
#[cfg_attr(not(all(feature = "client", feature = "tables")), allow(dead_code))]
mod convert;
#[cfg_attr(not(all(feature = "client", feature = "tables")), allow(dead_code))]
mod error;

#[cfg(feature = "client")]
mod analyses;
#[cfg(feature = "client")]
mod builder;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod download;
#[cfg(feature = "client")]
mod query;
#[cfg(feature = "client")]
mod resources;
#[cfg(feature = "client")]
mod results_fetch;
#[cfg(feature = "client")]
mod tables_link;
#[cfg(feature = "client")]
mod transport;
#[cfg(feature = "client")]
mod upload;

#[cfg(feature = "tables")]
mod ecology;
#[cfg(feature = "tables")]
mod tables;

#[cfg(feature = "client")]
pub use builder::{FieldCondition, Filter, WhereBuilders};
#[cfg(feature = "client")]
pub use client::OneCodex;
#[cfg(feature = "tables")]
pub use ecology::{linkage_js, mds_free_js, pcoa_js, PcoaResultJs};
pub use error::is_one_codex_error;
#[cfg(feature = "client")]
pub use query::{encode_sort, encode_where, filterable_fields};
#[cfg(feature = "tables")]
pub use tables::{parse_classification_results, parse_functional_results};
#[cfg(feature = "client")]
pub use tables_link::use_tables;
#[cfg(feature = "client")]
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
