//! HTTP plumbing shared by the API and S3 listeners: body type, JSON replies, the accept loop.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpListener;

pub type StdError = Box<dyn std::error::Error + Send + Sync + 'static>;
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, StdError>;
pub type Resp = Response<Body>;
pub type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send>>;

pub fn full(b: impl Into<Bytes>) -> Body {
    http_body_util::Full::new(b.into()).map_err(|e| match e {}).boxed_unsync()
}

pub fn empty() -> Body {
    full(Bytes::new())
}

pub fn json(status: StatusCode, v: &Value) -> Resp {
    let mut r = Response::new(full(serde_json::to_vec(v).unwrap_or_default()));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    r
}

pub fn ok(v: &Value) -> Resp {
    json(StatusCode::OK, v)
}

/// Error body as the hosted API sends it: `{"message": …, "status": …}`.
pub fn error(status: StatusCode, msg: impl Into<String>) -> Resp {
    json(status, &json!({"message": msg.into(), "status": status.as_u16()}))
}

pub fn bytes(status: StatusCode, content_type: &str, b: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(full(b));
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert("content-type", v);
    }
    r
}

pub type Handler = Arc<dyn Fn(http::Request<Incoming>, SocketAddr) -> BoxFut<Resp> + Send + Sync>;

/// Accepts connections until the listener is dropped with the task.
pub async fn serve(listener: TcpListener, handler: Handler) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let handler = handler.clone();
                async move {
                    let resp = handler(req, peer).await;
                    if resp.extensions().get::<crate::faults::DropConnection>().is_some() {
                        return Err(std::io::Error::other("connection dropped by fault rule"));
                    }
                    Ok(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// Reads a request body up to `limit` bytes. A larger body gets 413, after draining up to
/// `DRAIN` bytes so the client can finish sending and read the reply.
pub async fn read_body(mut body: Incoming, limit: usize) -> Result<Bytes, Resp> {
    const DRAIN: usize = 64 * 1024 * 1024;
    let mut buf = bytes::BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(error(StatusCode::BAD_REQUEST, "Could not read the request body"));
        };
        if let Ok(data) = frame.into_data() {
            total += data.len();
            if total <= limit {
                buf.extend_from_slice(&data);
            } else if total > DRAIN {
                break;
            }
        }
    }
    if total > limit {
        let mut r = error(StatusCode::PAYLOAD_TOO_LARGE, format!("Request body larger than {limit} bytes"));
        r.headers_mut().insert("connection", HeaderValue::from_static("close"));
        return Err(r);
    }
    Ok(buf.freeze())
}
