//! The S3 XML this client reads and writes: a minimal reader for the flat, known documents S3
//! returns (no crate: quick-xml would cost more wasm than these few shapes need), S3 error
//! bodies as typed errors, and the region S3 names when a request was signed for the wrong one.

use crate::error::{Error, ErrorCode, Result};

/// Inner text of every `<tag>…</tag>` (or `""` for `<tag/>`), in order. S3's documents never
/// nest an element inside one of the same name, so no stack is needed.
pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut pos = 0;
    while let Some(i) = xml[pos..].find(&open) {
        let start = pos + i + open.len();
        // `<Part>` must not match `<PartNumber>`.
        match xml[start..].chars().next() {
            Some('>') | Some('/') | Some(' ') | Some('\t') | Some('\r') | Some('\n') => {}
            _ => {
                pos = start;
                continue;
            }
        }
        let Some(gt) = xml[start..].find('>') else {
            break;
        };
        let body_start = start + gt + 1;
        if xml[..body_start].ends_with("/>") {
            out.push("");
            pos = body_start;
            continue;
        }
        let Some(end) = xml[body_start..].find(&close) else {
            break;
        };
        out.push(&xml[body_start..body_start + end]);
        pos = body_start + end + close.len();
    }
    out
}

/// Unescaped, trimmed text of the first `<tag>`.
pub fn text(xml: &str, tag: &str) -> Option<String> {
    elements(xml, tag).first().map(|s| unescape(s.trim()))
}

pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An S3 `<Error>` document.
#[derive(Debug, Clone, PartialEq)]
pub struct S3ErrorBody {
    pub code: String,
    pub message: String,
    pub region: Option<String>,
}

pub fn parse_error_body(body: &str) -> Option<S3ErrorBody> {
    let err = elements(body, "Error").into_iter().next()?;
    Some(S3ErrorBody {
        code: text(err, "Code").unwrap_or_default(),
        message: text(err, "Message").unwrap_or_default(),
        region: text(err, "Region").filter(|r| !r.is_empty()),
    })
}

/// A failed S3 response as a typed `s3_error` carrying S3's code and message (checksum
/// rejections become `checksum_mismatch`, so callers can tell corruption from other faults).
pub fn s3_error(status: u16, body: &str) -> Error {
    match parse_error_body(body) {
        Some(e) => {
            let code = if is_checksum_code(&e.code) { ErrorCode::ChecksumMismatch } else { ErrorCode::S3Error };
            Error::new(code, format!("S3 {}: {}", e.code, e.message)).with_status(status)
        }
        None => Error::new(ErrorCode::S3Error, format!("S3 answered HTTP {status} without an error document"))
            .with_status(status),
    }
}

pub fn is_checksum_code(code: &str) -> bool {
    matches!(code, "BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch" | "XAmzContentSHA256Mismatch")
}

/// The region to re-sign for, when S3 says the request was signed for the wrong one
/// (`AuthorizationHeaderMalformed` with `<Region>`, or a 301 `PermanentRedirect`); the
/// `x-amz-bucket-region` response header is the fallback. `None` for any other response.
pub fn region_from_error(status: u16, bucket_region_header: Option<&str>, body: &str) -> Option<String> {
    let e = parse_error_body(body);
    let is_region_error = status == 301
        || e.as_ref().is_some_and(|e| {
            matches!(
                e.code.as_str(),
                "AuthorizationHeaderMalformed" | "PermanentRedirect" | "IllegalLocationConstraintException"
            )
        });
    if !is_region_error {
        return None;
    }
    let named = e.and_then(|e| e.region).or_else(|| bucket_region_header.map(|h| h.trim().to_string()));
    named.filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `InitiateMultipartUploadResult` → the upload id.
pub fn parse_initiate(body: &str) -> Result<String> {
    if let Some(e) = parse_error_body(body) {
        return Err(Error::new(ErrorCode::S3Error, format!("S3 {}: {}", e.code, e.message)));
    }
    text(body, "UploadId")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Error::invalid_response("S3 CreateMultipartUpload answer has no UploadId"))
}

/// One multipart upload as ListMultipartUploads reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedUpload {
    pub key: String,
    pub upload_id: String,
    /// RFC 3339 as S3 writes it, so its text order is time order.
    pub initiated: String,
}

/// `ListMultipartUploadsResult` → its uploads (one page: a key has few).
pub fn parse_list_uploads(body: &str) -> Result<Vec<ListedUpload>> {
    if elements(body, "ListMultipartUploadsResult").is_empty() {
        return Err(Error::invalid_response("S3 ListMultipartUploads answer is not a ListMultipartUploadsResult"));
    }
    elements(body, "Upload")
        .into_iter()
        .map(|u| {
            let bad = |what: &str| Error::invalid_response(format!("S3 ListMultipartUploads: an upload has no {what}"));
            Ok(ListedUpload {
                key: text(u, "Key").ok_or_else(|| bad("Key"))?,
                upload_id: text(u, "UploadId").filter(|i| !i.is_empty()).ok_or_else(|| bad("UploadId"))?,
                initiated: text(u, "Initiated").unwrap_or_default(),
            })
        })
        .collect()
}

/// One part as ListParts reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedPart {
    pub number: u32,
    pub etag: String,
    pub size: u64,
    pub checksum_crc32c: Option<String>,
}

/// One page of `ListPartsResult`; `next_marker` is set while the listing is truncated.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPartsPage {
    pub parts: Vec<ListedPart>,
    pub next_marker: Option<u32>,
}

pub fn parse_list_parts(body: &str) -> Result<ListPartsPage> {
    if elements(body, "ListPartsResult").is_empty() {
        return Err(Error::invalid_response("S3 ListParts answer is not a ListPartsResult"));
    }
    let mut parts = Vec::new();
    for p in elements(body, "Part") {
        let bad = |what: &str| Error::invalid_response(format!("S3 ListParts: a part has no valid {what}"));
        let number = text(p, "PartNumber").and_then(|n| n.parse::<u32>().ok()).ok_or_else(|| bad("PartNumber"))?;
        let etag = text(p, "ETag").filter(|e| !e.is_empty()).ok_or_else(|| bad("ETag"))?;
        let size = text(p, "Size").and_then(|n| n.parse::<u64>().ok()).ok_or_else(|| bad("Size"))?;
        parts.push(ListedPart {
            number,
            etag,
            size,
            checksum_crc32c: text(p, "ChecksumCRC32C").filter(|c| !c.is_empty()),
        });
    }
    let truncated = text(body, "IsTruncated").is_some_and(|t| t.eq_ignore_ascii_case("true"));
    let next_marker = if truncated {
        let m = text(body, "NextPartNumberMarker")
            .and_then(|n| n.parse::<u32>().ok())
            .or_else(|| parts.iter().map(|p| p.number).max())
            .ok_or_else(|| Error::invalid_response("S3 ListParts is truncated but gives no NextPartNumberMarker"))?;
        Some(m)
    } else {
        None
    };
    Ok(ListPartsPage { parts, next_marker })
}

/// `CompleteMultipartUploadResult` → the object's ETag. S3 may answer Complete with HTTP 200
/// and an `<Error>` body (the failure arrives after the status line), so the body decides.
pub fn parse_complete(status: u16, body: &str) -> Result<String> {
    if parse_error_body(body).is_some() {
        return Err(s3_error(status, body));
    }
    if elements(body, "CompleteMultipartUploadResult").is_empty() {
        return Err(Error::invalid_response(
            "S3 CompleteMultipartUpload answer is not a CompleteMultipartUploadResult",
        ));
    }
    Ok(text(body, "ETag").unwrap_or_default())
}

/// The `CompleteMultipartUpload` request body: parts in ascending order with ETag and checksum.
pub fn complete_xml(parts: &[(u32, &str, Option<&str>)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (n, etag, crc) in parts {
        s.push_str(&format!("<Part><PartNumber>{n}</PartNumber><ETag>{}</ETag>", escape(etag)));
        if let Some(c) = crc {
            s.push_str(&format!("<ChecksumCRC32C>{}</ChecksumCRC32C>", escape(c)));
        }
        s.push_str("</Part>");
    }
    s.push_str("</CompleteMultipartUpload>");
    s
}
