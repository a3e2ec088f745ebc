//! Plain-Rust core of onecodex-wasm. Nothing here knows about JavaScript: the wasm crate at the
//! workspace root wraps it, and native tests exercise it directly.

pub mod analyses;
pub mod api;
pub mod config;
pub mod download;
pub mod ecology;
pub mod download_link;
pub mod error;
pub mod functional_collection;
pub mod http;
pub mod models;
pub mod objects;
pub mod paging;
pub mod poll;
pub mod query;
pub mod query_run;
pub mod resources;
pub mod retry;
pub mod sort;
pub mod results;
pub mod results_fetch;
pub mod transport;
pub mod update;
pub mod upload;

pub use error::{Error, ErrorCode, Result};
