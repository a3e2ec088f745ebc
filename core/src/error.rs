//! The one error type of the client. Every failure a user can see is one of these codes, so
//! JavaScript callers can branch on `err.code` instead of parsing messages.

use serde::Serialize;
use std::fmt;

/// Declares the codes once and derives from that one list the enum, its wire strings, `ALL`, and
/// the TypeScript union the wasm layer publishes, so the shipped `.d.ts` cannot drift from Rust.
macro_rules! error_codes {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// Machine-readable error codes, as JavaScript sees them in `err.code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $($variant),+ }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// `export type ErrorCode = "unauthorized" | …;`
            pub const TYPESCRIPT: &'static str =
                concat!("export type ErrorCode =", $(" | \"", $name, "\""),+, ";");

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name),+ }
            }

            /// The code of a wire string (e.g. an error that crossed from another wasm instance).
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(ErrorCode::$variant),)+ _ => None }
            }
        }
    };
}

error_codes! {
    Unauthorized => "unauthorized",
    Forbidden => "forbidden",
    PaymentRequired => "payment_required",
    NotFound => "not_found",
    InvalidFilter => "invalid_filter",
    InvalidArgument => "invalid_argument",
    InvalidFile => "invalid_file",
    FileExists => "file_exists",
    RateLimited => "rate_limited",
    Server => "server",
    Network => "network",
    Timeout => "timeout",
    // A request that creates something got no answer saying whether it was applied (a cut
    // connection, a proxy's 502/504, a timeout after sending), and it was not sent again, so as
    // not to create a second one: check before repeating it.
    OutcomeUnknown => "outcome_unknown",
    Aborted => "aborted",
    InvalidResponse => "invalid_response",
    S3Error => "s3_error",
    ChecksumMismatch => "checksum_mismatch",
    UploadFailed => "upload_failed",
    // A download could not be written where it was asked to go (disk full, stream closed).
    WriteFailed => "write_failed",
    // Something failed that the client does not recognise (a bug of the client or its host):
    // reported as it is, never retried.
    Internal => "internal",
}

/// A typed client error: a code, a message a person can act on, and the HTTP status when one
/// was received. Messages never contain credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub status: Option<u16>,
    /// A network failure before any byte of the request left (connection refused, no such
    /// host): the server cannot have acted on it, so even a creating request may be re-sent.
    pub unsent: bool,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), status: None, unsent: false }
    }

    /// Marks a network failure that happened before the request was sent.
    pub fn unsent(mut self) -> Self {
        self.unsent = true;
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    pub fn invalid_filter(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidFilter, message)
    }

    pub fn invalid_response(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidResponse, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (HTTP {}): {}", self.code.as_str(), status, self.message),
            None => write!(f, "{}: {}", self.code.as_str(), self.message),
        }
    }
}

impl std::error::Error for Error {}

/// What a JSON value is, for messages ("got a string").
pub(crate) fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_match_serde_names() {
        for &code in ErrorCode::ALL {
            let via_serde = serde_json::to_value(code).unwrap();
            assert_eq!(via_serde, serde_json::Value::String(code.as_str().to_string()));
        }
    }

    #[test]
    fn typescript_union_lists_every_code() {
        assert!(ErrorCode::TYPESCRIPT.starts_with("export type ErrorCode = | \"unauthorized\""));
        for &code in ErrorCode::ALL {
            assert!(ErrorCode::TYPESCRIPT.contains(&format!("\"{}\"", code.as_str())));
        }
    }

    #[test]
    fn from_name_reads_back_every_code() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_name("NotFound"), None);
    }

    #[test]
    fn display_names_code_and_status() {
        let e = Error::new(ErrorCode::NotFound, "no such sample").with_status(404);
        assert_eq!(e.to_string(), "not_found (HTTP 404): no such sample");
    }
}
