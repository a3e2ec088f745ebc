//! CORS for browser pages: pre-flight answers and the headers added to every reply.

use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::http::{empty, Resp};

pub const API_ALLOW_HEADERS: &str = "Authorization, Content-Type, X-OneCodex-Api-Experimental, \
X-OneCodex-Client-User-Agent, X-Pagination-Style, X-Requested-With, Range";
pub const API_EXPOSE_HEADERS: &str =
    "X-Total-Count, X-Next-Cursor, Link, Retry-After, Content-Range, Accept-Ranges, ETag";
pub const S3_EXPOSE_HEADERS: &str = "ETag, x-amz-request-id, x-amz-id-2, x-amz-version-id, \
x-amz-server-side-encryption, x-amz-checksum-crc32c, x-amz-checksum-crc32";

fn origin(h: &HeaderMap) -> HeaderValue {
    h.get("origin").cloned().unwrap_or_else(|| HeaderValue::from_static("*"))
}

pub fn is_preflight(method: &Method, h: &HeaderMap) -> bool {
    method == Method::OPTIONS && h.contains_key("access-control-request-method")
}

/// Answer to an `OPTIONS` pre-flight. S3 echoes the requested headers (AWS allows `*` rules).
pub fn preflight(h: &HeaderMap, s3: bool) -> Resp {
    let mut r = Resp::new(empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let out = r.headers_mut();
    out.insert("access-control-allow-origin", origin(h));
    out.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    let allow = if s3 {
        h.get("access-control-request-headers").cloned().unwrap_or_else(|| HeaderValue::from_static("*"))
    } else {
        HeaderValue::from_static(API_ALLOW_HEADERS)
    };
    out.insert("access-control-allow-headers", allow);
    out.insert("access-control-max-age", HeaderValue::from_static("600"));
    out.insert("vary", HeaderValue::from_static("Origin"));
    r
}

pub fn decorate(req_headers: &HeaderMap, r: &mut Resp, s3: bool) {
    let out = r.headers_mut();
    out.insert("access-control-allow-origin", origin(req_headers));
    out.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(if s3 { S3_EXPOSE_HEADERS } else { API_EXPOSE_HEADERS }),
    );
    out.append("vary", HeaderValue::from_static("Origin"));
}
