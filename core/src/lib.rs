//! Plain-Rust core of onecodex-wasm. Nothing here knows about JavaScript: the wasm crate at the
//! workspace root wraps it, and native tests exercise it directly.
//!
//! Grouped by layer: `http` (the transport seam, the session, retries, configuration), `query`
//! (filters and listings), `objects` (single-object operations, jobs, analyses), `download` and
//! `upload` (the transfer engines), `results` (parsers and matrices), `fetch` (results and
//! collections over HTTP), `ecology` (diversity, distances, ordination, statistics).

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

pub mod download;
pub mod ecology;
pub mod error;
pub mod fetch;
pub mod http;
pub mod index_sort;
pub mod models;
pub mod objects;
pub mod plots;
pub mod query;
pub mod refs;
pub mod resources;
pub mod results;
pub mod time;
pub mod upload;

pub use error::{Error, ErrorCode, Result};
