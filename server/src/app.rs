//! Shared server state and the two top-level request paths (API port, S3 port), where faults
//! and CORS wrap the real handlers.

use crate::config::Config;
use crate::faults::{self, Action, Faults};
use crate::http::{error, Resp};
use crate::presign::Presigner;
use crate::s3::creds::Creds;
use crate::store::Store;
use crate::uploads::Uploads;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

pub struct App {
    pub cfg: Config,
    pub store: RwLock<Store>,
    pub api_base: String,
    /// Printed at start; kept for handlers that need to name the S3 endpoint.
    #[allow(dead_code)]
    pub s3_base: String,
    pub faults: Faults,
    pub uploads: Mutex<Uploads>,
    pub creds: Arc<Creds>,
    /// Root of the S3 file store; objects live in `<s3_root>/<bucket>/<key>`.
    pub s3_root: PathBuf,
    pub presign: Presigner,
}

/// A fully read API request.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub segs: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub peer: SocketAddr,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Result<serde_json::Value, Resp> {
        if self.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| error(StatusCode::BAD_REQUEST, format!("Request body is not valid JSON: {e}")))
    }
}

pub fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

pub const MAX_API_BODY: usize = 1024 * 1024;

impl App {
    /// Everything that arrives on the API port.
    pub async fn handle_api(self: Arc<Self>, req: http::Request<Incoming>, peer: SocketAddr) -> Resp {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
        if crate::cors::is_preflight(&parts.method, &parts.headers) {
            return crate::cors::preflight(&parts.headers, false);
        }
        let admin = path.starts_with("/__admin/");
        let action = if admin {
            None
        } else {
            self.faults.decide(&faults::Request {
                target: "api",
                method: parts.method.as_str(),
                path: &path,
                operation: None,
                part_number: None,
            })
        };
        let mut resp = match &action {
            Some(Action::Respond(r)) if !r.after_handler => faults::canned(r),
            // Cut before reading the request: the handler never runs.
            Some(a @ Action::Drop(0)) => faults::wrap_body(a, Resp::new(crate::http::empty())),
            _ => {
                if let Some(Action::Latency(d)) = &action {
                    tokio::time::sleep(*d).await;
                }
                match crate::http::read_body(body, MAX_API_BODY).await {
                    Err(r) => r,
                    Ok(bytes) => {
                        let req = Req {
                            segs: path.trim_matches('/').split('/').map(str::to_string).collect(),
                            query: parse_query(parts.uri.query()),
                            method: parts.method.clone(),
                            path: path.clone(),
                            headers: parts.headers.clone(),
                            body: bytes,
                            peer,
                        };
                        let app = self.clone();
                        // Handlers are synchronous over the store; a panic must not kill the server.
                        match tokio::task::spawn_blocking(move || crate::api::route(&app, &req)).await {
                            Ok(r) => r,
                            Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
                        }
                    }
                }
            }
        };
        match &action {
            Some(Action::Respond(r)) if r.after_handler => resp = faults::canned(r),
            Some(Action::Respond(_)) | None => {}
            Some(a) => resp = faults::wrap_body(a, resp),
        }
        crate::cors::decorate(&parts.headers, &mut resp, false);
        resp
    }
}
