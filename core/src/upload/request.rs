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
    /// ListMultipartUploads of one key.
    ListUploads,
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
    if key.is_empty() {
        return Err(Error::invalid_response("the upload init answer has an empty bucket or key"));
    }
    s3_url(endpoint, bucket, &uri_encode(key.as_bytes(), true), query)
}

/// The bucket's own URL (for ListMultipartUploads), with `query`.
pub fn bucket_url(endpoint: Option<&str>, bucket: &str, query: &str) -> Result<String> {
    s3_url(endpoint, bucket, "", query)
}

/// `path` (encoded, possibly empty) in the bucket, virtual-hosted on AWS or as the endpoint says.
fn s3_url(endpoint: Option<&str>, bucket: &str, path: &str, query: &str) -> Result<String> {
    if bucket.is_empty() {
        return Err(Error::invalid_response("the upload init answer has an empty bucket or key"));
    }
    let base = match endpoint {
        None => format!("https://{bucket}.s3.amazonaws.com/{path}"),
        Some(e) => {
            let e = e.trim_end_matches('/');
            if !(e.starts_with("https://") || e.starts_with("http://")) || e.contains('?') || e.contains('#') {
                return Err(Error::invalid_argument(format!("s3Endpoint {e:?} must be an http(s) URL without query")));
            }
            if e.contains("{bucket}") {
                format!("{}/{path}", e.replace("{bucket}", bucket))
            } else if path.is_empty() {
                // Path style: the bucket itself is `/bucket`, as S3 writes it.
                format!("{e}/{}", uri_encode(bucket.as_bytes(), false))
            } else {
                format!("{e}/{}/{path}", uri_encode(bucket.as_bytes(), false))
            }
        }
    };
    Ok(if query.is_empty() { base } else { format!("{base}?{query}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_and_bucket_urls_in_each_style() {
        assert_eq!(object_url(None, "b", "k/r1.fq", "").unwrap(), "https://b.s3.amazonaws.com/k/r1.fq");
        assert_eq!(bucket_url(None, "b", "uploads=").unwrap(), "https://b.s3.amazonaws.com/?uploads=");
        let local = Some("http://127.0.0.1:9000/");
        assert_eq!(object_url(local, "b", "k", "uploadId=1").unwrap(), "http://127.0.0.1:9000/b/k?uploadId=1");
        assert_eq!(bucket_url(local, "b", "prefix=k&uploads=").unwrap(), "http://127.0.0.1:9000/b?prefix=k&uploads=");
        let hosted = Some("https://{bucket}.example.com");
        assert_eq!(bucket_url(hosted, "b", "").unwrap(), "https://b.example.com/");
        assert!(bucket_url(None, "", "").is_err() && object_url(None, "b", "", "").is_err());
    }
}
