//! The core's `Transport` over the host's fetch and timers (src/js/transport.js). One instance
//! per call, carrying that call's `AbortSignal` and the client's `onRequest` hook.

use js_sys::{Array, Function, Reflect, Uint8Array};
use onecodex_core::http::transport::Transport;
use onecodex_core::http::{Request, Response};
use onecodex_core::{Error, ErrorCode, Result};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendRequest)]
    fn send_request(
        method: &str,
        url: &str,
        headers: Array,
        body: Option<String>,
        timeout_ms: Option<f64>,
        max_body_bytes: Option<f64>,
        signal: &JsValue,
        on_request: &JsValue,
        redacted_headers: Array,
    ) -> js_sys::Promise;

    fn sleep(ms: f64, signal: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(js_name = nowMs)]
    fn now_ms() -> f64;

    #[wasm_bindgen(js_name = nodeDefaults)]
    pub(crate) fn node_defaults() -> JsValue;

    /// Node's proxy dispatcher for a URL (HTTP(S)_PROXY), or undefined; throws { code, message }
    /// when a proxy is set but undici is missing.
    #[wasm_bindgen(js_name = proxyDispatcherFor, catch)]
    pub(crate) fn proxy_dispatcher_for(url: &str) -> std::result::Result<JsValue, JsValue>;
}

#[derive(Clone)]
pub struct FetchTransport {
    /// The caller's AbortSignal, or undefined.
    pub signal: JsValue,
    /// `onRequest` from the client options, or undefined.
    pub on_request: JsValue,
}

impl FetchTransport {
    pub fn new(signal: JsValue, on_request: JsValue) -> Self {
        FetchTransport { signal, on_request }
    }
}

/// `[[name, value], …]` from the JS side, as Rust header pairs (anything else is skipped).
pub(crate) fn header_pairs(value: &JsValue) -> Vec<(String, String)> {
    Array::from(value)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Rust header pairs as `[[name, value], …]` for the JS side.
pub(crate) fn pairs(headers: &[(String, String)]) -> Array {
    headers.iter().map(|(k, v)| Array::of2(&k.into(), &v.into())).collect()
}

/// A `{ code, message, unsent? }` failure from the snippets (transport.js `failure`, also used by
/// download.js and upload.js) as a core error, read by the code's name. Anything else a host may
/// throw (a platform error, an unknown name) is `internal`: a bug to report, never retried as if
/// the network had failed. `fallback` is the message when there is none.
pub(crate) fn js_failure(e: &JsValue, fallback: &str) -> Error {
    let text = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string());
    let known = text("code").as_deref().and_then(ErrorCode::from_name);
    let message = text("message").or_else(|| e.as_string()).unwrap_or_else(|| fallback.into());
    match known {
        // `unsent: true`: the request never left (transport.js says so only where it knows).
        Some(code) if Reflect::get(e, &"unsent".into()).ok().and_then(|v| v.as_bool()) == Some(true) => {
            Error::new(code, message).unsent()
        }
        Some(code) => Error::new(code, message),
        None => Error::new(ErrorCode::Internal, message),
    }
}

impl Transport for FetchTransport {
    async fn send(&self, request: &Request) -> Result<Response> {
        let promise = send_request(
            request.method.as_str(),
            &request.url,
            pairs(&request.headers),
            request.body.clone(),
            request.timeout_ms,
            request.max_body_bytes.map(|b| b as f64),
            &self.signal,
            &self.on_request,
            pairs(&request.redacted_headers()),
        );
        let raw = JsFuture::from(promise).await.map_err(|e| js_failure(&e, "request failed"))?;
        let get = |k: &str| Reflect::get(&raw, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let status = get("status").as_f64().unwrap_or(0.0) as u16;
        let headers = header_pairs(&get("headers"));
        let body = Uint8Array::new(&get("body")).to_vec();
        Ok(Response { status, headers, body })
    }

    async fn sleep(&self, ms: f64) -> Result<()> {
        JsFuture::from(sleep(ms, &self.signal)).await.map(|_| ()).map_err(|e| js_failure(&e, "request failed"))
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }
}

/// True when `value` is a callable, for the `onRequest` option.
pub fn is_function(value: &JsValue) -> bool {
    value.is_instance_of::<Function>()
}
