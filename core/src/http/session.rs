//! The authenticated API session: builds requests for the API origin only (credentials never go
//! anywhere else), applies the retry policy, and maps failures to typed errors.

use crate::error::Result;
use crate::error::{Error, ErrorCode};
use crate::http::config::{BaseUrl, Credentials};
use crate::http::retry::{Attempt, Replay, RetryPolicy};
use crate::http::transport::Transport;
use crate::http::{status_error, Method, Request, Response};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: BaseUrl,
    pub credentials: Credentials,
    pub experimental: bool,
    pub retry: RetryPolicy,
    pub timeout_ms: Option<f64>,
    pub max_response_bytes: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: BaseUrl::default(),
            credentials: Credentials::None,
            experimental: false,
            retry: RetryPolicy::api(),
            timeout_ms: None,
            max_response_bytes: crate::http::config::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// `X-OneCodex-Client-User-Agent`: browsers cannot set `User-Agent`, so the client says
/// who it is here, in the JSON shape the Python client uses.
pub fn client_header() -> String {
    format!(
        r#"{{"onecodex_version": "onecodex-wasm/{}", "requests_version": null, "python_version": null, "os": null, "os_version": null}}"#,
        env!("CARGO_PKG_VERSION")
    )
}

/// The error of a creating request whose answer did not say whether it was applied.
fn outcome_unknown(req: &Request, outcome: &Result<Response>) -> Error {
    let (what, status) = match outcome {
        Ok(resp) => (format!("HTTP {}", resp.status), Some(resp.status)),
        Err(e) => (e.message.clone(), None),
    };
    let path = req.url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
    let path = path.split('?').next().unwrap_or(path);
    let mut e = Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "{} {path}: the request may have been applied, but no answer says so ({what}); it was not sent \
             again so as not to apply it twice. Check before repeating it",
            req.method.as_str()
        ),
    );
    e.status = status;
    e
}

pub struct Api<T> {
    pub config: ClientConfig,
    pub transport: T,
}

impl<T: Transport> Api<T> {
    pub fn new(config: ClientConfig, transport: T) -> Self {
        Api { config, transport }
    }

    /// A request to `path` on the API origin, with auth and the client headers.
    pub fn request(&self, method: Method, path: &str) -> Request {
        debug_assert!(path.starts_with('/'), "API paths are host-relative");
        let mut req = Request::new(method, format!("{}{}", self.config.base_url.as_str(), path))
            .header("Accept", "application/json")
            .header("X-OneCodex-Client-User-Agent", client_header());
        if let Some(auth) = self.config.credentials.authorization() {
            req = req.header("Authorization", auth);
        }
        if self.config.experimental {
            req = req.header("X-OneCodex-Api-Experimental", "1");
        }
        req.timeout_ms = self.config.timeout_ms;
        req.max_body_bytes = Some(self.config.max_response_bytes);
        req
    }

    /// Sends with the retry policy; returns the final response whatever its status. Exhausted
    /// retries on a retryable status return that response (the caller maps it to an error).
    /// A request that is not idempotent is sent again only where the server provably did
    /// nothing; where it may have acted, the result is an `outcome_unknown` error.
    pub async fn send(&self, req: &Request) -> Result<Response> {
        let policy = &self.config.retry;
        let mut retry = 0;
        loop {
            retry += 1;
            let outcome = self.transport.send(req).await;
            let now = self.transport.now_ms();
            let attempt = match &outcome {
                Ok(resp) => Attempt::Response(resp),
                Err(e) => Attempt::Failed(e),
            };
            let replay = if req.idempotent {
                policy.next_delay(retry, attempt, now).map_or(Replay::Final, Replay::After)
            } else {
                policy.replay(retry, attempt, now)
            };
            match replay {
                Replay::After(ms) => self.transport.sleep(ms).await?,
                Replay::Final => return outcome,
                Replay::Unknown => return Err(outcome_unknown(req, &outcome)),
            }
        }
    }

    /// Sends and requires a 2xx; `action` names what failed in the error message.
    pub async fn send_ok(&self, req: &Request, action: &str) -> Result<Response> {
        let resp = self.send(req).await?;
        if resp.is_success() {
            Ok(resp)
        } else {
            Err(status_error(&resp, action))
        }
    }

    pub async fn get_json(&self, path: &str, action: &str) -> Result<Value> {
        self.send_ok(&self.request(Method::Get, path), action).await?.json(action)
    }

    pub async fn post_json(&self, path: &str, body: Option<&Value>, action: &str) -> Result<Value> {
        let mut req = self.request(Method::Post, path);
        if let Some(body) = body {
            req = req.json_body(body);
        }
        let resp = self.send_ok(&req, action).await?;
        if resp.body.is_empty() {
            return Ok(Value::Null);
        }
        resp.json(action)
    }

    pub async fn patch_json(&self, path: &str, body: &Value, action: &str) -> Result<Value> {
        let req = self.request(Method::Patch, path).json_body(body);
        self.send_ok(&req, action).await?.json(action)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// A transport that replays scripted outcomes and records requests and sleeps.
    #[derive(Default)]
    pub struct Scripted {
        pub outcomes: RefCell<VecDeque<Result<Response>>>,
        pub requests: RefCell<Vec<Request>>,
        pub sleeps: RefCell<Vec<f64>>,
    }

    impl Scripted {
        pub fn new(outcomes: Vec<Result<Response>>) -> Self {
            Scripted { outcomes: RefCell::new(outcomes.into()), ..Default::default() }
        }
    }

    pub fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Result<Response> {
        Ok(Response {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        })
    }

    impl Transport for Scripted {
        async fn send(&self, request: &Request) -> Result<Response> {
            self.requests.borrow_mut().push(request.clone());
            self.outcomes.borrow_mut().pop_front().expect("script has a response for every request")
        }
        async fn sleep(&self, ms: f64) -> Result<()> {
            self.sleeps.borrow_mut().push(ms);
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            0.0
        }
    }

    /// Drives a future that never really waits (scripted transports are immediate).
    pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
        fn noop(_: *const ()) {}
        fn clone(p: *const ()) -> RawWaker {
            RawWaker::new(p, &VTABLE)
        }
        static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
        let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
        let mut cx = Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    /// A client with an API key on a scripted transport, for the core's tests.
    pub fn api(outcomes: Vec<Result<Response>>) -> Api<Scripted> {
        let config = ClientConfig {
            credentials: Credentials::ApiKey("k".into()),
            base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            ..Default::default()
        };
        Api::new(config, Scripted::new(outcomes))
    }

    #[test]
    fn headers_and_auth_go_to_the_api_origin() {
        let a = api(vec![reply(200, &[], "{}")]);
        block_on(a.get_json("/api/v1/account", "Reading the account")).unwrap();
        let req = &a.transport.requests.borrow()[0];
        assert_eq!(req.url, "http://127.0.0.1:1/api/v1/account");
        assert_eq!(req.header_value("authorization"), Some("Basic azo="));
        assert!(req
            .header_value("x-onecodex-client-user-agent")
            .unwrap()
            .starts_with(r#"{"onecodex_version": "onecodex-wasm/"#));
        assert_eq!(req.header_value("x-onecodex-api-experimental"), None);
    }

    #[test]
    fn retries_503_then_succeeds_and_waits_as_told() {
        let a = api(vec![reply(503, &[], ""), reply(429, &[("Retry-After", "2")], ""), reply(200, &[], "[]")]);
        assert_eq!(block_on(a.get_json("/x", "X")).unwrap(), serde_json::json!([]));
        assert_eq!(*a.transport.sleeps.borrow(), vec![0.0, 2000.0]);
    }

    #[test]
    fn exhausted_retries_give_a_typed_error() {
        let a = api((0..4).map(|_| reply(503, &[], r#"{"message": "busy"}"#)).collect());
        let e = block_on(a.get_json("/x", "Listing samples")).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::Server, Some(503)));
        assert_eq!(a.transport.requests.borrow().len(), 4, "1 attempt + 3 retries");
    }
}
