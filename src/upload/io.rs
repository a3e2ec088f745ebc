//! Bindings to src/js/upload.js (reading inputs and parts, sending signed S3 requests) and the
//! conversions between its plain objects and the core's types.

use js_sys::{Array, Promise, Reflect, Uint8Array};
use onecodex_core::upload::driver::{S3Answer, S3Response};
use onecodex_core::upload::request::{Body, S3Request};
use onecodex_core::{Error, Result};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/upload.js")]
extern "C" {
    #[wasm_bindgen(js_name = describeFile)]
    pub fn describe_file(input: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = inputName)]
    pub fn input_name(input: &JsValue) -> String;
    #[wasm_bindgen(js_name = closeFile)]
    pub fn close_file(handle: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = readPart)]
    fn read_part_js(handle: &JsValue, slices: Array, len: f64) -> Promise;
    #[wasm_bindgen(js_name = readStreamPart)]
    fn read_stream_part_js(handle: &JsValue, n: f64) -> Promise;
    #[wasm_bindgen(js_name = releasePart)]
    pub fn release_part(handle: &JsValue, part: &JsValue);
    #[wasm_bindgen(js_name = partChunk)]
    fn part_chunk(part: &JsValue, start: f64, end: f64) -> JsValue;
    #[wasm_bindgen(js_name = waitOnline)]
    pub fn wait_online(signal: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = isOffline)]
    pub fn is_offline() -> bool;
    #[wasm_bindgen(js_name = sendS3)]
    fn send_s3_js(
        tag: f64,
        method: &str,
        url: &str,
        headers: Array,
        body: &JsValue,
        signal: &JsValue,
        stall_ms: Option<f64>,
        on_bytes: &JsValue,
        dispatcher: &JsValue,
    ) -> Promise;
    #[wasm_bindgen(js_name = firstOf)]
    pub fn first_of(promises: &Array) -> Promise;
    pub fn deferred() -> JsValue;
    #[wasm_bindgen(js_name = newController)]
    pub fn new_controller() -> JsValue;
    #[wasm_bindgen(js_name = abortController)]
    pub fn abort_controller(c: &JsValue);
    #[wasm_bindgen(js_name = controllerSignal)]
    pub fn controller_signal(c: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = onAbortSignal)]
    pub fn on_abort_signal(signal: &JsValue, f: &JsValue);
    #[wasm_bindgen(js_name = settleCancel)]
    pub fn settle_cancel(done: &Promise) -> Promise;
}

#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    fn sleep(ms: f64, signal: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms() -> f64;
    #[wasm_bindgen(js_name = proxyDispatcherFor, catch)]
    fn proxy_dispatcher_for(url: &str) -> std::result::Result<JsValue, JsValue>;
}

pub fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A `{ code, message }` from upload.js (or anything thrown) as a core error.
pub fn js_error(e: JsValue) -> Error {
    crate::transport::js_failure(&e, "upload I/O failed")
}

pub async fn await_js(p: Promise) -> Result<JsValue> {
    JsFuture::from(p).await.map_err(js_error)
}

/// Waits `ms`; false when `signal` fired first (pause or cancel).
pub async fn nap(ms: f64, signal: &JsValue) -> bool {
    JsFuture::from(sleep(ms, signal)).await.is_ok()
}

/// A described input: the name, source sizes, last-modified time and the handle to read it.
pub struct FileInput {
    pub name: String,
    pub sizes: Vec<u64>,
    pub last_modified_ms: Option<f64>,
    /// The size a stream input declared, if any (it chooses the part size).
    pub known_size: Option<u64>,
    pub handle: JsValue,
}

pub async fn describe(input: &JsValue) -> Result<FileInput> {
    let d = await_js(describe_file(input)).await?;
    let sizes = Array::from(&get(&d, "sizes")).iter().map(|s| s.as_f64().unwrap_or(0.0) as u64).collect();
    Ok(FileInput {
        name: get(&d, "name").as_string().unwrap_or_default(),
        sizes,
        last_modified_ms: get(&d, "lastModified").as_f64(),
        known_size: get(&d, "knownSize").as_f64().map(|x| x as u64),
        handle: get(&d, "handle"),
    })
}

/// Reads a part's bytes (lazily for Blobs) from its source slices.
pub async fn read_part(
    handle: &JsValue,
    body: &[onecodex_core::upload::plan::SourceSlice],
    len: u64,
) -> Result<JsValue> {
    let slices: Array = body
        .iter()
        .map(|s| Array::of3(&(s.source as f64).into(), &(s.start as f64).into(), &(s.end as f64).into()))
        .collect();
    await_js(read_part_js(handle, slices, len as f64)).await
}

/// Bytes `[start, end)` of a part (at most 1 MiB) copied into `buf`, for the checksum.
pub async fn read_chunk(part: &JsValue, start: u64, end: u64, buf: &mut Vec<u8>) -> Result<()> {
    let mut v = part_chunk(part, start as f64, end as f64);
    if v.is_instance_of::<Promise>() {
        v = await_js(v.unchecked_into()).await?;
    }
    let arr: Uint8Array = v.unchecked_into();
    buf.resize(arr.length() as usize, 0);
    arr.copy_to(buf);
    Ok(())
}

/// Starts a signed S3 request; the promise never rejects (see `sendS3`).
pub fn send_s3(
    tag: u32,
    req: &S3Request,
    part: &JsValue,
    signal: &JsValue,
    stall_ms: Option<f64>,
    on_bytes: &JsValue,
) -> Promise {
    let headers = crate::transport::pairs(&req.headers);
    let body = match &req.body {
        Body::Empty => JsValue::NULL,
        Body::Xml { text } => JsValue::from_str(text),
        Body::Part { .. } => part.clone(),
    };
    // Node with HTTP(S)_PROXY set: the proxy agent the API requests use too (S3 goes through fetch
    // then). Without undici to make one, the API requests fail first, with the reason.
    let dispatcher = proxy_dispatcher_for(&req.url).unwrap_or(JsValue::UNDEFINED);
    send_s3_js(tag as f64, req.method, &req.url, headers, &body, signal, stall_ms, on_bytes, &dispatcher)
}

/// The outcome object of `sendS3`: a response, or `error`, a `{ code, message }` failure.
pub struct Answer {
    pub tag: u32,
    pub outcome: S3Answer,
}

impl Answer {
    pub fn from_js(v: &JsValue) -> Answer {
        let tag = get(v, "tag").as_f64().unwrap_or(0.0) as u32;
        let error = get(v, "error");
        if !error.is_undefined() && !error.is_null() {
            return Answer { tag, outcome: Err(crate::transport::js_failure(&error, "an S3 request failed")) };
        }
        let outcome = Ok(S3Response {
            status: get(v, "status").as_f64().unwrap_or(0.0) as u16,
            body: get(v, "body").as_string().unwrap_or_default(),
            etag: get(v, "etag").as_string(),
            bucket_region: get(v, "bucketRegion").as_string(),
            retry_after_ms: get(v, "retryAfterMs").as_f64().map(|x| x as u64),
        });
        Answer { tag, outcome }
    }

    pub fn into_answer(self) -> S3Answer {
        self.outcome
    }
}

/// The next `n` bytes of a stream input: (bytes, last).
pub async fn read_stream_part(handle: &JsValue, n: u64) -> Result<(JsValue, u64, bool)> {
    let r = await_js(read_stream_part_js(handle, n as f64)).await?;
    let bytes = get(&r, "bytes");
    let len = get(&bytes, "length").as_f64().unwrap_or(0.0) as u64;
    Ok((bytes, len, get(&r, "last").as_bool().unwrap_or(false)))
}
