//! The I/O seam. The core never touches the network or the clock itself: the wasm layer
//! implements this with fetch and setTimeout, native tests with a real HTTP client or a script.

use crate::error::Result;
use crate::http::{Request, Response};

/// Errors from `send` use the codes `network`, `timeout` and `aborted`; any HTTP status,
/// including 4xx/5xx, is a successful `send`.
#[allow(async_fn_in_trait)] // wasm is single-threaded: no Send bounds wanted.
pub trait Transport {
    async fn send(&self, request: &Request) -> Result<Response>;
    /// Waits `ms` milliseconds; fails with `aborted` when the caller's signal fires.
    async fn sleep(&self, ms: f64) -> Result<()>;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}
