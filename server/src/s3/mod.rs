//! The S3 endpoint: SigV4 verified by s3s against per-upload credentials, key scoping,
//! region enforcement, CORS and faults around it.

pub mod creds;
mod wrapper;

use crate::app::App;
use crate::faults::{self, Action};
use crate::http::{bytes, Resp};
use creds::Creds;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::path::S3Path;
use s3s::{s3_error, S3Result};
use std::net::SocketAddr;
use std::sync::Arc;

struct Auth(Arc<Creds>);

#[async_trait::async_trait]
impl S3Auth for Auth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.0.get(access_key) {
            Some(c) => Ok(SecretKey::from(c.secret)),
            None => {
                Err(s3_error!(InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records."))
            }
        }
    }
}

struct Access(Arc<Creds>);

#[async_trait::async_trait]
impl S3Access for Access {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(c) = cx.credentials() else { return Err(s3_error!(AccessDenied, "Anonymous access is not allowed")) };
        let Some(cred) = self.0.get(&c.access_key) else { return Err(s3_error!(InvalidAccessKeyId)) };
        match cx.s3_path() {
            S3Path::Object { bucket, key }
                if &**bucket == crate::config::BUCKET && cred.keys.iter().any(|k| k == &**key) =>
            {
                Ok(())
            }
            // Bucket level: only what an upload needs; listing other uploads' objects is denied.
            S3Path::Bucket { bucket }
                if &**bucket == crate::config::BUCKET
                    && matches!(cx.s3_op().name(), "ListMultipartUploads" | "HeadBucket" | "GetBucketLocation") =>
            {
                Ok(())
            }
            _ => Err(s3_error!(AccessDenied, "Access Denied")),
        }
    }
}

pub fn build(root: &std::path::Path, creds: Arc<Creds>) -> std::io::Result<s3s::service::S3Service> {
    std::fs::create_dir_all(root.join(crate::config::BUCKET))?;
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let canonical = std::env::current_dir()?.join(root).canonicalize()?;
    let mut b = s3s::service::S3ServiceBuilder::new(wrapper::Wrapped::new(fs, canonical, creds.clone()));
    b.set_auth(Auth(creds.clone()));
    b.set_access(Access(creds));
    Ok(b.build())
}

/// The region named in a SigV4 credential scope (header or pre-signed query).
fn signed_region(parts: &http::request::Parts) -> Option<String> {
    let scope = if let Some(a) = parts.headers.get("authorization").and_then(|v| v.to_str().ok()) {
        a.split("Credential=").nth(1)?.split([',', ' ']).next()?.to_string()
    } else {
        let q = crate::app::parse_query(parts.uri.query());
        q.into_iter().find(|(k, _)| k == "X-Amz-Credential")?.1
    };
    scope.split('/').nth(2).map(str::to_string)
}

fn s3_error_xml(status: StatusCode, code: &str, msg: &str, extra: &str) -> Resp {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message>{extra}<RequestId>0</RequestId></Error>"
    );
    bytes(status, "application/xml", xml)
}

pub async fn handle(
    app: Arc<App>,
    svc: s3s::service::S3Service,
    req: http::Request<Incoming>,
    _peer: SocketAddr,
) -> Resp {
    let (parts, body) = req.into_parts();
    if crate::cors::is_preflight(&parts.method, &parts.headers) {
        return crate::cors::preflight(&parts.headers, true);
    }
    let query = crate::app::parse_query(parts.uri.query());
    let op = faults::s3_operation(parts.method.as_str(), parts.uri.path(), &query);
    let part_number = query.iter().find(|(k, _)| k == "partNumber").and_then(|(_, v)| v.parse().ok());
    let action = app.faults.decide(&faults::Request {
        target: "s3",
        method: parts.method.as_str(),
        path: parts.uri.path(),
        operation: Some(op),
        part_number,
    });
    let mut resp = match &action {
        Some(Action::Respond(r)) => faults::canned(r),
        // Cut before reading the request: the part is not stored.
        Some(a @ Action::Drop(0)) => faults::wrap_body(a, Resp::new(crate::http::empty())),
        _ => {
            if let Some(Action::Latency(d)) = &action {
                tokio::time::sleep(*d).await;
            }
            let want = &app.cfg.s3_region;
            match signed_region(&parts) {
                Some(r) if &r != want => {
                    let mut resp = s3_error_xml(
                        StatusCode::BAD_REQUEST,
                        "AuthorizationHeaderMalformed",
                        &format!(
                            "The authorization header is malformed; the region '{r}' is wrong; expecting '{want}'"
                        ),
                        &format!("<Region>{want}</Region>"),
                    );
                    if let Ok(v) = HeaderValue::from_str(want) {
                        resp.headers_mut().insert("x-amz-bucket-region", v);
                    }
                    resp
                }
                _ => {
                    let req = http::Request::from_parts(parts.clone(), s3s::Body::from(body));
                    match svc.call(req).await {
                        Ok(r) => {
                            let (p, b) = r.into_parts();
                            let mut r = Resp::from_parts(p, b.boxed_unsync());
                            if let Ok(v) = HeaderValue::from_str(want) {
                                r.headers_mut().insert("x-amz-bucket-region", v);
                            }
                            r
                        }
                        Err(_) => s3_error_xml(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "InternalError",
                            "We encountered an internal error.",
                            "",
                        ),
                    }
                }
            }
        }
    };
    if let Some(a) = &action {
        resp = faults::wrap_body(a, resp);
    }
    crate::cors::decorate(&parts.headers, &mut resp, true);
    resp
}
