//! API authentication: HTTP Basic with the key as user name (any password), or Bearer.

use base64::Engine;
use http::HeaderMap;

pub fn check(h: &HeaderMap, api_key: &str, bearer: &str) -> Result<(), &'static str> {
    let Some(v) = h.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err("Authentication required: send your API key (HTTP Basic) or a Bearer token");
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("Malformed Basic credentials")?;
            let user = decoded.split_once(':').map_or(decoded.as_str(), |(u, _)| u);
            if constant_eq(user.as_bytes(), api_key.as_bytes()) {
                Ok(())
            } else {
                Err("Invalid API key")
            }
        }
        "bearer" => {
            if constant_eq(rest.trim().as_bytes(), bearer.as_bytes()) {
                Ok(())
            } else {
                Err("Invalid bearer token")
            }
        }
        _ => Err("Unsupported authorization scheme"),
    }
}

pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
