//! Client configuration: the base URL and credentials. The base URL is
//! checked here so that an API key never travels in clear text to a remote host.

use crate::error::{Error, Result};

pub const DEFAULT_BASE_URL: &str = "https://app.onecodex.com";

/// The largest API answer read by default (after decompression): far above any listing page or
/// results body, far below what would exhaust a tab's memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 << 20;

/// The `maxResponseBytes` option: a whole number of bytes ≥ 1 (default 256 MiB).
pub fn max_response_bytes(option: Option<f64>) -> Result<u64> {
    match option {
        None => Ok(DEFAULT_MAX_RESPONSE_BYTES),
        Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 => Ok(v as u64),
        Some(v) => {
            Err(Error::invalid_argument(format!("maxResponseBytes: {v} is not a whole number of bytes of at least 1")))
        }
    }
}

/// Credentials; a bearer token wins over an API key.
#[derive(Clone, PartialEq)]
pub enum Credentials {
    None,
    ApiKey(String),
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    // Never print a secret, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

impl Credentials {
    pub fn from_options(api_key: Option<&str>, bearer_token: Option<&str>) -> Self {
        match (bearer_token.filter(|t| !t.is_empty()), api_key.filter(|k| !k.is_empty())) {
            (Some(token), _) => Credentials::Bearer(token.to_string()),
            (None, Some(key)) => Credentials::ApiKey(key.to_string()),
            (None, None) => Credentials::None,
        }
    }

    /// The `Authorization` header value: Basic with the key as user name and an empty password.
    pub fn authorization(&self) -> Option<String> {
        match self {
            Credentials::None => None,
            Credentials::ApiKey(key) => Some(format!("Basic {}", base64(format!("{key}:").as_bytes()))),
            Credentials::Bearer(token) => Some(format!("Bearer {token}")),
        }
    }
}

/// A validated base URL: `scheme://host[:port]` plus an optional path prefix, no trailing slash.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<Self> {
        let trimmed = raw.trim().trim_end_matches('/');
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| Error::invalid_argument(format!("baseUrl '{trimmed}' must start with https://")))?;
        let (host_port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        // Only a plain host and path are taken: on these characters every URL parser (the WHATWG
        // one of browsers and Node included) reads the same host, so the key cannot be steered
        // elsewhere by a backslash, an encoded byte, a user-info part or a control character.
        if !is_plain_host_port(host_port) || !path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b))
        {
            return Err(Error::invalid_argument(format!(
                "baseUrl '{trimmed}' must be scheme://host[:port][/path] without credentials, query or fragment"
            )));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if is_loopback(host_port) => {}
            "http" => {
                return Err(Error::invalid_argument(format!(
                    "baseUrl '{trimmed}' uses http:// on a non-loopback host; the API key would travel in clear text (use https://)"
                )))
            }
            other => return Err(Error::invalid_argument(format!("baseUrl scheme '{other}' is not http(s)"))),
        }
        Ok(BaseUrl(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `scheme://host[:port]` part: the only origin that receives credentials.
    pub fn origin(&self) -> &str {
        let after_scheme = self.0.find("://").map(|i| i + 3).unwrap_or(0);
        match self.0[after_scheme..].find('/') {
            Some(i) => &self.0[..after_scheme + i],
            None => &self.0,
        }
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl(DEFAULT_BASE_URL.to_string())
    }
}

/// `host[:port]` with a DNS name or IPv4 address of letters, digits, `-` and `.`, or `[IPv6]`.
fn is_plain_host_port(host_port: &str) -> bool {
    let (host, port) = match host_port.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, port)) => (v6, port),
            None => return false,
        },
        None => host_port.split_at(host_port.find(':').unwrap_or(host_port.len())),
    };
    let host_ok = if host_port.starts_with('[') {
        !host.is_empty() && host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

fn is_loopback(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host == "::1" || is_ipv4_loopback(&host)
}

fn is_ipv4_loopback(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_response_bytes_is_a_whole_number_of_at_least_one() {
        assert_eq!(max_response_bytes(None).unwrap(), 256 << 20);
        assert_eq!(max_response_bytes(Some(1.0)).unwrap(), 1);
        assert_eq!(max_response_bytes(Some(1e9)).unwrap(), 1_000_000_000);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(max_response_bytes(Some(bad)).unwrap_err().code, crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }
    use crate::error::ErrorCode;

    #[test]
    fn basic_auth_matches_spec_example() {
        let c = Credentials::from_options(Some("1eab4217d30d42849dbde0cd1bb94e39"), None);
        assert_eq!(c.authorization().unwrap(), "Basic MWVhYjQyMTdkMzBkNDI4NDlkYmRlMGNkMWJiOTRlMzk6");
        assert!(!format!("{c:?}").contains("1eab"), "debug output must not show the key");
    }

    #[test]
    fn bearer_wins_over_key() {
        let c = Credentials::from_options(Some("k"), Some("t"));
        assert_eq!(c.authorization().unwrap(), "Bearer t");
        assert_eq!(Credentials::from_options(Some(""), None), Credentials::None);
    }

    #[test]
    fn base_urls() {
        assert_eq!(BaseUrl::parse("https://app.onecodex.com/").unwrap().as_str(), "https://app.onecodex.com");
        assert_eq!(BaseUrl::parse("http://127.0.0.1:8080").unwrap().origin(), "http://127.0.0.1:8080");
        assert_eq!(BaseUrl::parse("http://localhost:3000/x/").unwrap().origin(), "http://localhost:3000");
        assert!(BaseUrl::parse("http://[::1]:9/").is_ok());
        for bad in [
            "http://example.com",
            "ftp://x",
            "app.onecodex.com",
            "https://u:p@x.com",
            "https://x.com?a=1",
            "http://127.0.0.1.evil.com",
            "http://example.com\\.localhost",
            "http://example.com%2f.localhost",
            "https://x.com\\@y.com",
            "https://x.com/a\\b",
            "https://x.com:",
            "https://x.com:99999x",
            "https://[::1",
            "https://x .com",
            "https://x.com#.localhost",
        ] {
            assert_eq!(BaseUrl::parse(bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
        let err = BaseUrl::parse("http://example.com").unwrap_err();
        assert!(err.message.contains("clear text"));
    }
}
