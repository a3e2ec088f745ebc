//! Requests and responses as plain data, so that retry, paging and error mapping are pure Rust
//! and the wasm layer (fetch) or a native test client only moves bytes.

use crate::error::{Error, ErrorCode, Result};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// Headers whose values are secrets: never shown to `onRequest`, logs or errors.
const SECRET_HEADERS: &[&str] = &["authorization", "x-amz-security-token", "cookie"];

#[derive(Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// A JSON (or other text) body; large bodies never pass through here (they stay in JS).
    pub body: Option<String>,
    pub timeout_ms: Option<f64>,
    /// Sending it twice has the effect of sending it once. True for every method but POST, whose
    /// requests create or run something unless marked with [`Request::idempotent_post`]; the
    /// retry policy re-sends a non-idempotent request only when the server provably did nothing.
    pub idempotent: bool,
    /// The answer's body is refused (`invalid_response`) once it passes this many bytes, checked
    /// while it streams in, after decompression; `None`: no limit (pre-signed transfers).
    pub max_body_bytes: Option<u64>,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        let idempotent = method != Method::Post;
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
            idempotent,
            max_body_bytes: None,
        }
    }

    /// A POST whose repetition changes nothing (a download link, a cancel, a confirmation).
    pub fn idempotent_post(mut self) -> Self {
        self.idempotent = true;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json_body(mut self, body: &serde_json::Value) -> Self {
        self.headers.push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.to_string());
        self
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The headers with secret values replaced, for `onRequest` and debugging.
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                if SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                    let scheme = v.split_once(' ').map(|(s, _)| format!("{s} ")).unwrap_or_default();
                    (k.clone(), format!("{scheme}<redacted>"))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    }
}

impl std::fmt::Debug for Request {
    // Debug output ends up in logs and panics: credentials never go there.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("x-amz-security-token");
                (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("timeout_ms", &self.timeout_ms)
            .field("idempotent", &self.idempotent)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Parses the body as JSON into `T`; a body that does not fit is `invalid_response`.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::invalid_response(format!(
                "{what}: the response (HTTP {}) is not the expected JSON: {e}",
                self.status
            ))
            .with_status(self.status)
        })
    }

    /// The server's own words: `msg` (preferred) or `message` of a JSON body.
    pub fn server_message(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        ["msg", "message"]
            .iter()
            .find_map(|k| v.get(*k).and_then(|m| m.as_str()))
            .map(|m| m.trim().trim_end_matches('.').to_string())
            .filter(|m| !m.is_empty())
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The error for a non-2xx API response: the code follows the status; the message says what
/// failed and, when the server said why, why.
pub fn status_error(resp: &Response, action: &str) -> Error {
    let code = match resp.status {
        401 => ErrorCode::Unauthorized,
        402 => ErrorCode::PaymentRequired,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        408 => ErrorCode::Timeout,
        429 => ErrorCode::RateLimited,
        400 | 405..=499 => ErrorCode::InvalidArgument,
        _ => ErrorCode::Server,
    };
    let hint = match code {
        ErrorCode::Unauthorized => " (check the API key or bearer token)",
        ErrorCode::PaymentRequired => {
            " (the account needs a payment method or a premium plan; contact One Codex support)"
        }
        ErrorCode::Forbidden => " (this account may not access it)",
        ErrorCode::RateLimited => " (rate limited; retry later)",
        _ => "",
    };
    let message = match resp.server_message() {
        Some(m) => format!("{action} failed (HTTP {}): {m}{hint}", resp.status),
        None => format!("{action} failed (HTTP {}){hint}", resp.status),
    };
    Error::new(code, message).with_status(resp.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response { status, headers: vec![("X-Total-Count".into(), "7".into())], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn headers_are_case_insensitive() {
        assert_eq!(resp(200, "").header("x-total-count"), Some("7"));
    }

    #[test]
    fn secrets_are_redacted() {
        let r = Request::new(Method::Get, "http://x").header("Authorization", "Basic abc").header("Accept", "*/*");
        assert_eq!(r.redacted_headers()[0].1, "Basic <redacted>");
        assert_eq!(r.redacted_headers()[1].1, "*/*");
    }

    #[test]
    fn status_errors_carry_code_status_and_server_message() {
        let e = status_error(&resp(403, r#"{"message": "Forbidden."}"#), "Updating sample abc");
        assert_eq!((e.code, e.status), (ErrorCode::Forbidden, Some(403)));
        assert_eq!(e.message, "Updating sample abc failed (HTTP 403): Forbidden (this account may not access it)");
        let e = status_error(&resp(400, r#"{"msg": "bad arg foo", "message": "x"}"#), "Listing samples");
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::InvalidArgument, "Listing samples failed (HTTP 400): bad arg foo")
        );
        assert_eq!(status_error(&resp(502, "<html>"), "X").code, ErrorCode::Server);
        assert_eq!(status_error(&resp(402, ""), "X").code, ErrorCode::PaymentRequired);
    }

    #[test]
    fn bad_json_is_invalid_response() {
        let e = resp(200, "not json").json::<serde_json::Value>("Listing samples").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn debug_output_redacts_credentials() {
        let mut req = Request::new(Method::Get, "https://app.onecodex.com/api/v1/samples");
        req.headers.push(("Authorization".into(), "Basic c2VjcmV0Og==".into()));
        let shown = format!("{req:?}");
        assert!(!shown.contains("c2VjcmV0Og") && shown.contains("<redacted>"), "{shown}");
    }
}
