//! S3 requests as data: where they go (endpoint and addressing style) and what they carry.
//! The session builds and signs them; the driver sends them as they are.

use super::encode::uri_encode;
use super::plan::SourceSlice;
use crate::error::{Error, Result};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum S3Op {
    PutObject,
    CreateMultipart,
    UploadPart,
    ListParts,
    Complete,
    Abort,
}

/// A request body. Part bytes are never here: `Part` names the source slices the driver sends
/// (a Blob of Blob slices in browsers, consecutive file ranges in Node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    Empty,
    Xml { text: String },
    Part { slices: Vec<SourceSlice>, len: u64 },
}

/// A signed S3 request; signatures are time-bound, so ask for a fresh one for every attempt.
#[derive(Debug, Clone, Serialize)]
pub struct S3Request {
    pub op: S3Op,
    /// Index of the file in the upload (`UploadState::files`).
    pub file: usize,
    pub part_number: Option<u32>,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// An authenticated call to the One Codex API (callback, cancel); the wasm layer adds the API
/// key. `path` is host-relative, as the init response gives `callback_url`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiRequest {
    pub method: &'static str,
    pub path: String,
    pub body: serde_json::Value,
}

/// The URL of `key` in `bucket` with an already encoded `query` (may be empty).
///
/// Without an endpoint: virtual-hosted `https://<bucket>.s3.amazonaws.com/<key>`. An endpoint
/// containing `{bucket}` is filled in (virtual-hosted); any other endpoint is path-style
/// (`<endpoint>/<bucket>/<key>`), which is what local S3 servers expect.
pub fn object_url(endpoint: Option<&str>, bucket: &str, key: &str, query: &str) -> Result<String> {
    if bucket.is_empty() || key.is_empty() {
        return Err(Error::invalid_response("the upload init answer has an empty bucket or key"));
    }
    let path = uri_encode(key.as_bytes(), true);
    let base = match endpoint {
        None => format!("https://{bucket}.s3.amazonaws.com/{path}"),
        Some(e) => {
            let e = e.trim_end_matches('/');
            if !(e.starts_with("https://") || e.starts_with("http://")) || e.contains('?') || e.contains('#') {
                return Err(Error::invalid_argument(format!("s3Endpoint {e:?} must be an http(s) URL without query")));
            }
            if e.contains("{bucket}") {
                format!("{}/{path}", e.replace("{bucket}", bucket))
            } else {
                format!("{e}/{}/{path}", uri_encode(bucket.as_bytes(), false))
            }
        }
    };
    Ok(if query.is_empty() { base } else { format!("{base}?{query}") })
}
