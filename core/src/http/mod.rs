//! The HTTP layer: requests and responses as plain data, the I/O seam, the authenticated session,
//! the retry policy and the client configuration.

pub mod config;
pub mod request;
pub mod retry;
pub mod session;
pub mod transport;

pub use request::*;
