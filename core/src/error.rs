//! The one error type of the client. Every failure a user can see is one of these codes, so
//! JavaScript callers can branch on `err.code` instead of parsing messages.

use serde::Serialize;
use std::fmt;

/// Machine-readable error codes (DESIGN.md). Serialised in snake_case, as JavaScript sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    PaymentRequired,
    NotFound,
    InvalidFilter,
    InvalidArgument,
    InvalidFile,
    FileExists,
    RateLimited,
    Server,
    Network,
    Timeout,
    Aborted,
    InvalidResponse,
    S3Error,
    ChecksumMismatch,
    UploadFailed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::PaymentRequired => "payment_required",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidFilter => "invalid_filter",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidFile => "invalid_file",
            ErrorCode::FileExists => "file_exists",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Server => "server",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::S3Error => "s3_error",
            ErrorCode::ChecksumMismatch => "checksum_mismatch",
            ErrorCode::UploadFailed => "upload_failed",
        }
    }
}

/// A typed client error: a code, a message a person can act on, and the HTTP status when one
/// was received. Messages never contain credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub status: Option<u16>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), status: None }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_match_serde_names() {
        for code in [ErrorCode::PaymentRequired, ErrorCode::S3Error, ErrorCode::InvalidFilter] {
            let via_serde = serde_json::to_value(code).unwrap();
            assert_eq!(via_serde, serde_json::Value::String(code.as_str().to_string()));
        }
    }

    #[test]
    fn display_names_code_and_status() {
        let e = Error::new(ErrorCode::NotFound, "no such sample").with_status(404);
        assert_eq!(e.to_string(), "not_found (HTTP 404): no such sample");
    }
}
