//! `Range: bytes=…` on pre-signed GETs, as S3 answers it: 206 with `Content-Range`, 416 when
//! the start is past the end, and the full 200 when the header is absent or not understood.
//! Clients resume interrupted downloads with it.

use crate::http::{Body, Resp, StdError};
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::BodyExt;

/// (first, last) inclusive byte positions of a single range, or Err(()) when unsatisfiable.
fn parse(value: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None; // several ranges: S3 serves the whole object
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // Suffix range: the last n bytes.
        let n: u64 = b.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(Err(()));
        }
        return Some(Ok((len.saturating_sub(n), len - 1)));
    }
    let first: u64 = a.parse().ok()?;
    let last: u64 =
        if b.is_empty() { len.saturating_sub(1) } else { b.parse::<u64>().ok()?.min(len.saturating_sub(1)) };
    if first >= len || last < first {
        return Some(Err(()));
    }
    Some(Ok((first, last)))
}

/// Applies the request's Range to a full 200 response of known length.
pub fn apply(req_headers: &HeaderMap, resp: Resp) -> Resp {
    let mut resp = resp;
    if resp.status() != StatusCode::OK {
        return resp;
    }
    resp.headers_mut().insert("accept-ranges", HeaderValue::from_static("bytes"));
    let len = resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let (Some(len), Some(range)) = (len, req_headers.get("range").and_then(|v| v.to_str().ok())) else {
        return resp;
    };
    let (first, last) = match parse(range, len) {
        None => return resp,
        Some(Err(())) => {
            let mut r = crate::http::bytes(StatusCode::RANGE_NOT_SATISFIABLE, "application/xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>");
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert("content-range", v);
            }
            return r;
        }
        Some(Ok(r)) => r,
    };
    let (mut parts, body) = resp.into_parts();
    // Skips `first` bytes of the stream and stops after `last`; the body is generated or read
    // anyway, which is fine for a test server.
    let stream = futures_util::stream::unfold((body, 0u64), move |(mut body, mut at)| async move {
        loop {
            if at > last {
                return None;
            }
            match body.frame().await {
                Some(Ok(f)) => {
                    let Ok(data) = f.into_data() else { continue };
                    let (start, end) = (at, at + data.len() as u64);
                    at = end;
                    if end <= first {
                        continue;
                    }
                    let lo = first.saturating_sub(start) as usize;
                    let hi = ((last + 1).min(end) - start) as usize;
                    return Some((Ok::<_, StdError>(http_body::Frame::data(data.slice(lo..hi))), (body, at)));
                }
                Some(Err(e)) => return Some((Err(e), (body, u64::MAX))),
                None => return None,
            }
        }
    });
    parts.status = StatusCode::PARTIAL_CONTENT;
    parts.headers.insert("content-length", HeaderValue::from(last - first + 1));
    if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
        parts.headers.insert("content-range", v);
    }
    Resp::from_parts(parts, Body::new(http_body_util::StreamBody::new(stream)))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn ranges_as_s3_reads_them() {
        assert_eq!(parse("bytes=100-", 1000), Some(Ok((100, 999))));
        assert_eq!(parse("bytes=0-9", 1000), Some(Ok((0, 9))));
        assert_eq!(parse("bytes=990-2000", 1000), Some(Ok((990, 999))));
        assert_eq!(parse("bytes=-10", 1000), Some(Ok((990, 999))));
        assert_eq!(parse("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse("items=0-1", 1000), None);
    }
}
