//! Ids and references: what may go into a path, and the id of an object or a reference.

use crate::error::{Error, Result};
use serde_json::Value;

/// A path the API gave (or a saved state holds) that the client will call with the API key: it
/// must be host-relative (`/…`), so that base URL + path stays on the API origin. Anything else
/// (`.attacker.example/x`, `:9999/x`, `@host/x`, a full URL) could send the key elsewhere.
pub fn check_api_path<'a>(what: &str, path: &'a str) -> Result<&'a str> {
    if path.starts_with('/') && !path.chars().any(|c| c.is_ascii_control()) {
        Ok(path)
    } else {
        Err(Error::invalid_response(format!("{what} is not a path on the API server: {path:?}")))
    }
}

/// A link an answer gives for a GET without credentials (a pre-signed download, results or
/// read-level URL): an absolute `http(s)://` URL with a host, and no whitespace or control
/// characters that a URL parser would strip or reinterpret.
pub fn is_link(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    host_end > 0 && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

/// Checks an id before it goes into a path: a `/`, `?` or `#` would change which URL is asked.
/// A full `$uri` is accepted too, for its last segment.
pub fn check_id(id: &str) -> Result<&str> {
    let id = if id.starts_with("/api/v1/") { id.rsplit('/').next().unwrap_or(id) } else { id };
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(Error::invalid_argument(format!("'{id}' is not a One Codex id (letters, digits, - and _ only)")));
    }
    Ok(id)
}

/// The id of an object: the last segment of its `$uri`, as the server wrote it.
pub fn object_id(object: &Value) -> Option<&str> {
    object.get("$uri").and_then(Value::as_str).and_then(|u| u.rsplit('/').next())
}

/// The id of a reference a caller gave: a bare id or URI, or an object with a `$uri` (as `get`
/// and `where` return them); checked as [`check_id`] checks it.
pub fn reference_id(reference: &Value) -> Result<String> {
    let id = match reference {
        Value::String(s) => s.as_str(),
        other => other.get("$uri").and_then(Value::as_str).ok_or_else(|| {
            Error::invalid_argument("expected an object with a $uri (as get/where return them), or an id")
        })?,
    };
    Ok(check_id(id)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    #[test]
    fn links_from_answers_are_absolute_http_urls_with_a_host() {
        for good in ["https://bucket.s3.amazonaws.com/k?X-Amz-Signature=a", "HTTP://127.0.0.1:9000/b/k", "https://h"] {
            assert!(is_link(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/plain,x",
            "/api/v1/x",
            "https:///nohost",
            "https://?q",
            "https://a b/c",
            "https://h/\n",
            "https://example.com\\.localhost/",
            "ftp://h/x",
            "",
        ] {
            assert!(!is_link(bad), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_checked_before_they_reach_a_path() {
        assert_eq!(check_id("/api/v1/samples/abc123").unwrap(), "abc123");
        assert_eq!(check_id("7428cca4nocaffe1").unwrap(), "7428cca4nocaffe1");
        for bad in ["", "a?b", "a b", "../x?y", "a/b", "/api/v1/samples/"] {
            assert_eq!(check_id(bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn api_paths_are_host_relative() {
        assert_eq!(check_api_path("x", "/api/import_file_from_s3").unwrap(), "/api/import_file_from_s3");
        for bad in ["", "api/x", ".evil.example/x", ":1/x", "https://evil.example/", "/a\tb"] {
            assert_eq!(check_api_path("x", bad).unwrap_err().code, ErrorCode::InvalidResponse, "{bad}");
        }
    }

    #[test]
    fn ids_of_objects_and_references() {
        assert_eq!(object_id(&json!({"$uri": "/api/v1/samples/s1"})), Some("s1"));
        assert_eq!(object_id(&json!({"id": "s1"})), None);
        assert_eq!(reference_id(&json!("s1")).unwrap(), "s1");
        assert_eq!(reference_id(&json!({"$uri": "/api/v1/classifications/c1"})).unwrap(), "c1");
        assert!(reference_id(&json!({"$uri": "/api/v1/x/a?b"})).is_err());
        assert!(reference_id(&json!(5)).is_err());
    }
}
