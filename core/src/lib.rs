//! Plain-Rust core of onecodex-wasm. Nothing here knows about JavaScript: the wasm crate at the
//! workspace root wraps it, and native tests exercise it directly.

pub mod config;
pub mod error;
pub mod query;
pub mod resources;
pub mod results;

pub use error::{Error, ErrorCode, Result};
