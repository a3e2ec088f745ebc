//! The host side of an upload: `onecodex_core::upload::driver` runs the loop; this file gives it
//! src/js/upload.js (inputs, parts, signed S3 requests), the timers, the network status, and the
//! `Upload` handle's pause and cancel, and reports progress and state to the callbacks.

use super::io::{self, Answer, FileInput};
use crate::client::ClientInner;
use crate::transport::FetchTransport;
use js_sys::{Array, Function, Promise};
use onecodex_core::http::session::Api;
use onecodex_core::upload::driver::{Driver, Phase, S3Answer, Settings as LoopSettings, Start, UploadIo};
use onecodex_core::upload::plan::SourceSlice;
use onecodex_core::upload::request::S3Request;
use onecodex_core::upload::session::{self, Progress, Session};
use onecodex_core::Result;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub struct Settings {
    pub concurrency: usize,
    pub stall_ms: Option<f64>,
    pub list_parts_page: Option<u32>,
    pub on_progress: JsValue,
    pub on_state_change: JsValue,
}

/// The byte-progress callback handed to the S3 senders.
type BytesCallback = Closure<dyn Fn(f64, f64)>;

/// What the `Upload` handle and the running loop share.
pub struct Shared {
    pub inner: Rc<ClientInner>,
    pub session: RefCell<Option<Session>>,
    pub settings: Settings,
    pub handles: RefCell<Vec<JsValue>>,
    pub paused: Cell<bool>,
    pub cancelled: Cell<bool>,
    pub running: Cell<bool>,
    /// Aborts in-flight requests and sleeps on pause or cancel; replaced on resume.
    pub run: RefCell<JsValue>,
    /// `{ promise, resolve }` while paused.
    pub resume: RefCell<Option<JsValue>>,
    /// Requests started and not yet answered, by tag.
    sends: RefCell<Vec<(u32, Promise)>>,
    /// Bytes sent so far of each part in flight (XHR progress), by part number.
    inflight_bytes: RefCell<Vec<(u32, f64)>>,
    last_progress: Cell<f64>,
    phase: Cell<Phase>,
    started: Cell<(f64, u64)>,
    on_bytes: RefCell<Option<BytesCallback>>,
}

impl Shared {
    pub fn new(inner: Rc<ClientInner>, settings: Settings) -> Rc<Shared> {
        let shared = Rc::new(Shared {
            inner,
            session: RefCell::new(None),
            settings,
            handles: RefCell::new(Vec::new()),
            paused: Cell::new(false),
            cancelled: Cell::new(false),
            running: Cell::new(false),
            run: RefCell::new(io::new_controller()),
            resume: RefCell::new(None),
            sends: RefCell::new(Vec::new()),
            inflight_bytes: RefCell::new(Vec::new()),
            last_progress: Cell::new(0.0),
            phase: Cell::new(Phase::Init),
            started: Cell::new((0.0, 0)),
            on_bytes: RefCell::new(None),
        });
        let weak = Rc::downgrade(&shared);
        let on_bytes = Closure::<dyn Fn(f64, f64)>::new(move |tag: f64, sent: f64| {
            if let Some(s) = weak.upgrade() {
                let n = tag as u32;
                let mut v = s.inflight_bytes.borrow_mut();
                match v.iter_mut().find(|x| x.0 == n) {
                    Some(x) => x.1 = sent,
                    None => v.push((n, sent)),
                }
                drop(v);
                s.report(false);
            }
        });
        *shared.on_bytes.borrow_mut() = Some(on_bytes);
        shared
    }

    fn signal(&self) -> JsValue {
        io::controller_signal(&self.run.borrow())
    }

    pub fn state_json(&self) -> Option<String> {
        self.session.borrow().as_ref().map(Session::state_json)
    }

    /// `onProgress` with the current phase.
    pub fn progress(&self, force: bool) {
        self.report(force);
    }

    /// `onProgress`, at most about 10 times a second (phase changes always).
    fn report(&self, force: bool) {
        let p = self.session.borrow().as_ref().map(Session::progress);
        self.emit(self.phase.get(), p, force);
    }

    fn emit(&self, phase: Phase, p: Option<Progress>, force: bool) {
        let cb = &self.settings.on_progress;
        if !cb.is_function() {
            return;
        }
        let now = io::now_ms();
        if !force && now - self.last_progress.get() < 100.0 {
            return;
        }
        self.last_progress.set(now);
        let Some(p) = p else {
            return call(
                cb,
                &json!({ "phase": phase.as_str(), "loaded": 0, "total": 0, "partsDone": 0, "partsTotal": 0, "bytesPerSecond": 0 }),
            );
        };
        let inflight: f64 = self.inflight_bytes.borrow().iter().map(|x| x.1).sum();
        let loaded = (p.loaded as f64 + inflight).min(p.total as f64);
        let (t0, l0) = self.started.get();
        let secs = (now - t0) / 1000.0;
        let rate = if t0 > 0.0 && secs > 0.2 { ((loaded - l0 as f64) / secs).max(0.0).round() } else { 0.0 };
        call(
            cb,
            &json!({ "phase": phase.as_str(), "loaded": loaded, "total": p.total, "partsDone": p.parts_done, "partsTotal": p.parts_total, "bytesPerSecond": rate }),
        );
    }
}

fn call(cb: &JsValue, v: &Value) {
    if let Ok(v) = crate::convert::to_js(v) {
        // A throwing callback must not break the upload.
        let _ = cb.unchecked_ref::<Function>().call1(&JsValue::UNDEFINED, &v);
    }
}

impl UploadIo for Shared {
    type Part = JsValue;

    async fn read_part(&self, file: usize, slices: &[SourceSlice], len: u64) -> Result<JsValue> {
        io::read_part(&self.handle(file), slices, len).await
    }

    async fn read_stream_part(&self, file: usize, size: u64) -> Result<(JsValue, u64, bool)> {
        io::read_stream_part(&self.handle(file), size).await
    }

    async fn read_chunk(&self, part: &JsValue, start: u64, end: u64, buf: &mut Vec<u8>) -> Result<()> {
        io::read_chunk(part, start, end, buf).await
    }

    fn release_part(&self, file: usize, part: &JsValue) {
        io::release_part(&self.handle(file), part);
    }

    fn start_send(&self, tag: u32, request: &S3Request, part: Option<&JsValue>, abortable: bool) {
        let signal = if abortable { self.signal() } else { JsValue::UNDEFINED };
        let on_bytes = match (part, self.on_bytes.borrow().as_ref()) {
            (Some(_), Some(f)) => f.as_ref().clone(),
            _ => JsValue::UNDEFINED,
        };
        let body = part.cloned().unwrap_or(JsValue::NULL);
        let promise = io::send_s3(tag, request, &body, &signal, self.settings.stall_ms, &on_bytes);
        self.sends.borrow_mut().push((tag, promise));
    }

    async fn next_answer(&self) -> Result<(u32, S3Answer)> {
        let list: Array = self.sends.borrow().iter().map(|s| JsValue::from(s.1.clone())).collect();
        let ans = Answer::from_js(&io::await_js(io::first_of(&list)).await?);
        // Tags are unique among requests in flight (part numbers; 0 for the one other request).
        self.sends.borrow_mut().retain(|s| s.0 != ans.tag);
        self.inflight_bytes.borrow_mut().retain(|x| x.0 != ans.tag);
        Ok((ans.tag, ans.into_answer()))
    }

    fn abort_sends(&self) {
        io::abort_controller(&self.run.borrow());
        if !self.paused.get() && !self.cancelled.get() {
            *self.run.borrow_mut() = io::new_controller();
        }
    }

    async fn sleep(&self, ms: u64, abortable: bool) -> bool {
        let signal = if abortable { self.signal() } else { JsValue::UNDEFINED };
        io::nap(ms as f64, &signal).await
    }

    fn now_ms(&self) -> u64 {
        io::now_ms() as u64
    }

    fn is_offline(&self) -> bool {
        io::is_offline()
    }

    async fn wait_online(&self) {
        let _ = io::await_js(io::wait_online(&self.signal())).await;
    }

    fn paused(&self) -> bool {
        self.paused.get()
    }

    fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    async fn until_resumed(&self) {
        let d = self.resume.borrow().clone();
        if let Some(d) = d {
            let _ = io::await_js(io::get(&d, "promise").unchecked_into()).await;
        }
    }

    fn progress(&self, phase: Phase, progress: Option<Progress>, force: bool) {
        if phase == Phase::Uploading && self.phase.get() != Phase::Uploading {
            // The rate counts from here (the start, or the end of a pause).
            self.started.set((io::now_ms(), progress.map_or(0, |p| p.loaded)));
        }
        self.phase.set(phase);
        self.emit(phase, progress, force);
    }

    fn state_changed(&self, state_json: &str) {
        let cb = &self.settings.on_state_change;
        if cb.is_function() {
            if let Ok(v) = js_sys::JSON::parse(state_json) {
                let _ = cb.unchecked_ref::<Function>().call1(&JsValue::UNDEFINED, &v);
            }
        }
    }

    async fn close_inputs(&self) {
        self.running.set(false);
        close_handles(self).await;
    }
}

impl Shared {
    fn handle(&self, file: usize) -> JsValue {
        self.handles.borrow().get(file).cloned().unwrap_or(JsValue::UNDEFINED)
    }
}

fn api(inner: &ClientInner) -> Api<FetchTransport> {
    inner.api(JsValue::UNDEFINED)
}

fn loop_settings(shared: &Shared) -> LoopSettings {
    LoopSettings { concurrency: shared.settings.concurrency, list_parts_page: shared.settings.list_parts_page }
}

/// Runs the upload to its end: the new object (sample, document or asset).
pub async fn run(shared: Rc<Shared>, start: Start) -> Result<Value> {
    shared.running.set(true);
    let api = api(&shared.inner);
    Driver::new(&api, shared.as_ref(), &shared.session, loop_settings(&shared)).run(start).await
}

/// Closes the files (and stream readers) the upload opened.
pub async fn close_handles(shared: &Shared) {
    let handles: Vec<JsValue> = shared.handles.borrow().clone();
    for h in handles {
        let _ = wasm_bindgen_futures::JsFuture::from(io::close_file(&h)).await;
    }
}

/// Cancel of an upload that is not running (it failed, or never started its loop).
pub async fn cancel_remote(shared: &Rc<Shared>) -> Result<()> {
    let api = api(&shared.inner);
    Driver::new(&api, shared.as_ref(), &shared.session, loop_settings(shared)).cancel_remote().await
}

/// Files described and checked for an upload: (specs for `prepare`, read handles).
/// Also the largest size a stream input declared (it picks the part size of an open plan).
pub async fn describe_all(inputs: &[JsValue]) -> Result<(Vec<session::FileSpec>, Vec<JsValue>, Option<u64>)> {
    let mut sizes_known = Vec::new();
    let mut specs = Vec::new();
    let mut handles = Vec::new();
    for input in inputs {
        let FileInput { name, sizes, last_modified_ms, handle, known_size } = io::describe(input).await?;
        if let Some(k) = known_size {
            sizes_known.push(k);
        }
        let name = if sizes.len() > 1 { onecodex_core::upload::files::lane_group_name(&name) } else { name };
        specs.push(session::FileSpec { name, sources: sizes, last_modified_ms });
        handles.push(handle);
    }
    Ok((specs, handles, sizes_known.into_iter().max()))
}
