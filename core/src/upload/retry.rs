//! When a failed part (or callback) is sent again, as a pure function the driver consults.
//! Transient failures retry with backoff (by default 0, 1, 3, 5, 10 s: `RetryPolicy::upload`);
//! other 4xx do not, since sending the same request again would fail the same way.

use super::s3xml;

/// What went wrong with one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No response: connection refused or dropped, DNS, CORS-hidden errors.
    Network,
    /// The request made no progress for the configured time and the driver aborted it.
    Stalled,
    /// An HTTP response; `s3_code` is the `<Code>` of an S3 error body when there was one.
    Status { status: u16, s3_code: Option<String> },
}

impl Failure {
    /// From a response status and its (small) error body.
    pub fn from_response(status: u16, body: &str) -> Failure {
        Failure::Status { status, s3_code: s3xml::parse_error_body(body).map(|e| e.code).filter(|c| !c.is_empty()) }
    }

    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Network | Failure::Stalled => true,
            Failure::Status { status, s3_code } => {
                matches!(status, 408 | 429 | 500..=599)
                    || s3_code.as_deref().is_some_and(|c| {
                        // S3 400s that mean "the bytes did not arrive intact or in time".
                        matches!(c, "RequestTimeout" | "SlowDown" | "InternalError" | "ServiceUnavailable")
                            || s3xml::is_checksum_code(c)
                    })
            }
        }
    }
}

pub use crate::http::retry::RetryPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryAfter { delay_ms: u64 },
    GiveUp,
}

/// The upload's use of the one policy (configured by [`RetryPolicy::upload`]): the failure
/// decides whether to retry at all, the policy's waits how long before.
impl RetryPolicy {
    /// `retries_so_far` counts earlier retries of this same request (0 after the first failure).
    /// A `Retry-After` (from a 429/503) lengthens the wait, never shortens it.
    pub fn decide(&self, failure: &Failure, retries_so_far: u32, retry_after_ms: Option<u64>) -> Decision {
        if !failure.is_retryable() {
            return Decision::GiveUp;
        }
        match self.delay(retries_so_far.saturating_add(1), retry_after_ms.map(|ms| ms as f64)) {
            Some(d) => Decision::RetryAfter { delay_ms: d as u64 },
            None => Decision::GiveUp,
        }
    }
}
