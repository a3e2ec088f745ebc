//! Runs one upload: the driver loop of `onecodex_core::upload` (see its module docs) over
//! src/js/upload.js. Every decision (what to send, retries, region switch, resume) is the core
//! session's; this loop does the I/O, keeps at most `concurrency` parts in flight (plus the one
//! being checksummed), and reports progress and state.

use super::io::{self, Answer, FileInput};
use crate::client::ClientInner;
use crate::transport::FetchTransport;
use js_sys::{Array, Function, Promise};
use onecodex_core::http::session::Api;
use onecodex_core::http::{Method, Request};
use onecodex_core::objects;
use onecodex_core::upload::checksum::PartChecksum;
use onecodex_core::upload::init::{init_request, InitParams};
use onecodex_core::upload::request::{ApiRequest, S3Request};
use onecodex_core::upload::session::{self, InitResponse, Outcome, Prepared, Reply, Session, Step, UploadKind};
use onecodex_core::{Error, ErrorCode, Result};
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

/// What the `Upload` handle and the running driver share.
pub struct Shared {
    pub inner: Rc<ClientInner>,
    pub session: RefCell<Option<Session>>,
    pub settings: Settings,
    pub handles: RefCell<Vec<JsValue>>,
    /// Bytes of stream parts read but not yet accepted by S3 (a stream cannot be read again).
    kept: RefCell<Vec<(u32, JsValue)>>,
    pub paused: Cell<bool>,
    pub cancelled: Cell<bool>,
    pub running: Cell<bool>,
    /// Aborts in-flight requests and sleeps on pause or cancel; replaced on resume.
    pub run: RefCell<JsValue>,
    /// `{ promise, resolve }` while paused.
    pub resume: RefCell<Option<JsValue>>,
    /// Bytes sent so far of each part in flight (XHR progress), by part number.
    inflight_bytes: RefCell<Vec<(u32, f64)>>,
    last_progress: Cell<f64>,
    phase: RefCell<&'static str>,
    started: Cell<(f64, u64)>,
}

impl Shared {
    pub fn new(inner: Rc<ClientInner>, settings: Settings) -> Rc<Shared> {
        Rc::new(Shared {
            inner,
            session: RefCell::new(None),
            settings,
            handles: RefCell::new(Vec::new()),
            kept: RefCell::new(Vec::new()),
            paused: Cell::new(false),
            cancelled: Cell::new(false),
            running: Cell::new(false),
            run: RefCell::new(io::new_controller()),
            resume: RefCell::new(None),
            inflight_bytes: RefCell::new(Vec::new()),
            last_progress: Cell::new(0.0),
            phase: RefCell::new("init"),
            started: Cell::new((0.0, 0)),
        })
    }

    fn signal(&self) -> JsValue {
        io::controller_signal(&self.run.borrow())
    }

    fn with<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        f(self.session.borrow_mut().as_mut().expect("the session exists once the upload started"))
    }

    pub fn state_json(&self) -> Option<String> {
        self.session.borrow().as_ref().map(Session::state_json)
    }

    pub fn set_phase(&self, phase: &'static str) {
        *self.phase.borrow_mut() = phase;
        self.progress(true);
    }

    /// `onProgress`, at most about 10 times a second (phase changes always).
    pub fn progress(&self, force: bool) {
        let cb = &self.settings.on_progress;
        if !cb.is_function() {
            return;
        }
        let now = io::now_ms();
        if !force && now - self.last_progress.get() < 100.0 {
            return;
        }
        self.last_progress.set(now);
        let p = match self.session.borrow().as_ref() {
            Some(s) => s.progress(),
            None => return call(cb, &json!({ "phase": *self.phase.borrow(), "loaded": 0, "total": 0, "partsDone": 0, "partsTotal": 0, "bytesPerSecond": 0 })),
        };
        let inflight: f64 = self.inflight_bytes.borrow().iter().map(|x| x.1).sum();
        let loaded = (p.loaded as f64 + inflight).min(p.total as f64);
        let (t0, l0) = self.started.get();
        let secs = (now - t0) / 1000.0;
        let rate = if t0 > 0.0 && secs > 0.2 { ((loaded - l0 as f64) / secs).max(0.0).round() } else { 0.0 };
        call(
            cb,
            &json!({ "phase": *self.phase.borrow(), "loaded": loaded, "total": p.total, "partsDone": p.parts_done, "partsTotal": p.parts_total, "bytesPerSecond": rate }),
        );
    }

    fn state_changed(&self) {
        let cb = &self.settings.on_state_change;
        if cb.is_function() {
            if let Some(s) = self.state_json() {
                if let Ok(v) = js_sys::JSON::parse(&s) {
                    let _ = cb.unchecked_ref::<Function>().call1(&JsValue::UNDEFINED, &v);
                }
            }
        }
    }
}

fn call(cb: &JsValue, v: &Value) {
    if let Ok(v) = crate::convert::to_js(v) {
        // A throwing callback must not break the upload.
        let _ = cb.unchecked_ref::<Function>().call1(&JsValue::UNDEFINED, &v);
    }
}

/// What the driver needs to start: init for a new upload, or a resumed session already set.
pub enum Start {
    New { prepared: Prepared, params: InitParams },
    Resumed,
}

fn aborted() -> Error {
    Error::new(ErrorCode::Aborted, "the upload was cancelled")
}

fn api(inner: &ClientInner) -> Api<FetchTransport> {
    inner.api(JsValue::UNDEFINED)
}

async fn send_api(inner: &ClientInner, r: &ApiRequest) -> Result<(u16, String)> {
    let a = api(inner);
    let method = if r.method == "GET" { Method::Get } else { Method::Post };
    let mut req: Request = a.request(method, &r.path);
    if !r.body.is_null() {
        req = req.json_body(&r.body);
    }
    let resp = a.send(&req).await?;
    Ok((resp.status, resp.text()))
}

/// Runs the upload to its end: the new object (sample, document or asset).
pub async fn run(shared: Rc<Shared>, start: Start) -> Result<Value> {
    shared.running.set(true);
    let out = drive(&shared, start).await;
    shared.running.set(false);
    close_handles(&shared).await;
    match out {
        Err(e) if shared.cancelled.get() => {
            cancel_remote(&shared).await?;
            shared.progress(true);
            Err(if e.code == ErrorCode::Aborted { e } else { aborted() })
        }
        other => other,
    }
}

/// Closes the files (and stream readers) the upload opened.
pub async fn close_handles(shared: &Shared) {
    let handles: Vec<JsValue> = shared.handles.borrow().clone();
    for h in handles {
        let _ = wasm_bindgen_futures::JsFuture::from(io::close_file(&h)).await;
    }
}

async fn drive(shared: &Rc<Shared>, start: Start) -> Result<Value> {
    if let Start::New { prepared, params } = start {
        shared.set_phase("init");
        let req = init_request(&prepared, &params)?;
        let body = (!req.body.is_null()).then_some(&req.body);
        let answer = api(&shared.inner).post_json(&req.path, body, "starting the upload").await?;
        let init = InitResponse::from_json(&answer)?;
        *shared.session.borrow_mut() = Some(Session::start(prepared, init)?);
        shared.state_changed();
        if shared.cancelled.get() {
            return Err(aborted());
        }
    }
    shared.started.set((io::now_ms(), shared.with(|s| s.progress().loaded)));
    shared.set_phase("uploading");
    loop {
        if shared.cancelled.get() {
            return Err(aborted());
        }
        if shared.paused.get() {
            shared.set_phase("paused");
            let d = shared.resume.borrow().clone();
            if let Some(d) = d {
                let _ = io::await_js(io::get(&d, "promise").unchecked_into()).await;
            }
            if shared.cancelled.get() {
                return Err(aborted());
            }
            shared.started.set((io::now_ms(), shared.with(|s| s.progress().loaded)));
            shared.set_phase("uploading");
            continue;
        }
        let step = shared.with(|s| s.next_step());
        match step {
            Step::ListParts { .. } => {
                let page = shared.settings.list_parts_page;
                s3_step(shared, |s, now| s.list_parts_request(now, page), |s, r| s.on_list_parts(r)).await?;
            }
            Step::CreateMultipart { .. } => {
                s3_step(shared, |s, now| s.create_multipart_request(now), |s, r| s.on_create_multipart(r)).await?;
                shared.state_changed();
            }
            Step::UploadParts { .. } => upload_parts(shared).await?,
            Step::Complete { .. } => {
                shared.set_phase("finalizing");
                s3_step(shared, |s, now| s.complete_request(now), |s, r| s.on_complete(r)).await?;
                shared.state_changed();
            }
            Step::Callback => {
                shared.set_phase("finalizing");
                let req = shared.with(|s| s.callback_request())?;
                loop {
                    let (status, body) = match send_api(&shared.inner, &req).await {
                        Ok(x) => x,
                        Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => (0, String::new()),
                        Err(e) => return Err(e),
                    };
                    let failed = status == 0;
                    let reply = if failed {
                        Reply::Failed(onecodex_core::upload::retry::Failure::Network)
                    } else {
                        Reply::status(status, &body)
                    };
                    match shared.with(|s| s.on_callback(&reply))? {
                        Outcome::Retry { delay_ms } => {
                            if !io::nap(delay_ms as f64, &shared.signal()).await {
                                return Err(aborted());
                            }
                        }
                        _ => break,
                    }
                }
                shared.state_changed();
            }
            Step::Done => {
                let (kind, id) = shared.with(|s| (s.state().kind.clone(), s.state().result_id.clone()));
                let resource = match kind {
                    UploadKind::Sample => "samples",
                    UploadKind::Document => "documents",
                    UploadKind::Asset { .. } => "assets",
                };
                let obj = match id {
                    Some(id) => objects::get(&api(&shared.inner), resource, &id).await?.unwrap_or(json!({ "id": id })),
                    None => Value::Null,
                };
                shared.set_phase("done");
                return Ok(obj);
            }
        }
    }
}

/// One S3 request at a time (create, complete, list, abort), with the core's retries.
async fn s3_step(
    shared: &Rc<Shared>,
    make: impl Fn(&Session, u64) -> Result<S3Request>,
    on_reply: impl Fn(&mut Session, &Reply) -> Result<Outcome>,
) -> Result<()> {
    loop {
        if shared.cancelled.get() || shared.paused.get() {
            return Ok(());
        }
        let req = {
            let b = shared.session.borrow();
            make(b.as_ref().expect("session"), io::now_ms() as u64)?
        };
        let signal = shared.signal();
        let ans = Answer::from_js(&io::await_js(io::send_s3(0, &req, &JsValue::NULL, &signal, shared.settings.stall_ms, &JsValue::UNDEFINED)).await?);
        if ans.aborted() {
            return Ok(());
        }
        if ans.failed.is_some() && io::is_offline() {
            let _ = io::await_js(io::wait_online(&signal)).await;
            continue;
        }
        match shared.with(|s| on_reply(s, &ans.reply()))? {
            Outcome::Done => return Ok(()),
            Outcome::Continue => {}
            Outcome::Retry { delay_ms } => {
                io::nap(delay_ms as f64, &signal).await;
            }
        }
    }
}

struct InFlight {
    number: u32,
    /// The part's bytes (file parts go back to the buffer pool when the request ends).
    part: JsValue,
    file: usize,
    sum: PartChecksum,
    promise: Promise,
}

/// Sends parts until the step moves on, the upload pauses or is cancelled, or a part fails for good.
async fn upload_parts(shared: &Rc<Shared>) -> Result<()> {
    let mut flight: Vec<InFlight> = Vec::new();
    let on_bytes = {
        let weak = Rc::downgrade(shared);
        Closure::<dyn Fn(f64, f64)>::new(move |tag: f64, sent: f64| {
            if let Some(s) = weak.upgrade() {
                let mut v = s.inflight_bytes.borrow_mut();
                let n = tag as u32;
                match v.iter_mut().find(|x| x.0 == n) {
                    Some(x) => x.1 = sent,
                    None => v.push((n, sent)),
                }
                drop(v);
                s.progress(false);
            }
        })
    };
    let result = parts_loop(shared, &mut flight, on_bytes.as_ref()).await;
    // Whatever ended the loop, nothing stays in flight: abort and give the parts back.
    if !flight.is_empty() {
        if result.is_err() {
            io::abort_controller(&shared.run.borrow());
        }
        for f in flight.drain(..) {
            let _ = io::await_js(f.promise).await;
            shared.with(|s| s.release_part(f.number));
        }
        if result.is_err() && !shared.paused.get() && !shared.cancelled.get() {
            *shared.run.borrow_mut() = io::new_controller();
        }
    }
    shared.inflight_bytes.borrow_mut().clear();
    drop(on_bytes);
    result
}

async fn parts_loop(shared: &Rc<Shared>, flight: &mut Vec<InFlight>, on_bytes: &JsValue) -> Result<()> {
    let concurrency = shared.settings.concurrency.max(1);
    loop {
        if shared.cancelled.get() || shared.paused.get() {
            return Ok(());
        }
        let signal = shared.signal();
        if io::is_offline() {
            let _ = io::await_js(io::wait_online(&signal)).await;
            continue;
        }
        while flight.len() < concurrency && !shared.paused.get() && !shared.cancelled.get() {
            let (job, kept) = match shared.with(|s| s.next_part(io::now_ms() as u64)) {
                Some(job) => {
                    let kept = shared.kept.borrow().iter().find(|k| k.0 == job.number).map(|k| k.1.clone());
                    (job, kept)
                }
                None => match next_stream_part(shared).await? {
                    Some(x) => x,
                    None => break,
                },
            };
            let handle = shared.handles.borrow()[job.file].clone();
            let prepared = async {
                let part = match kept {
                    Some(bytes) => bytes,
                    None => io::read_part(&handle, &job.slices, job.len).await?,
                };
                let kind = shared.with(|s| s.state().checksum);
                let sum = io::checksum(&part, job.len, kind).await?;
                let req = shared.with(|s| s.part_request(job.number, &sum, io::now_ms() as u64))?;
                Ok::<_, Error>((part, sum, req))
            }
            .await;
            let (part, sum, req) = match prepared {
                Ok(x) => x,
                Err(e) => {
                    shared.with(|s| s.release_part(job.number));
                    return Err(e);
                }
            };
            let promise = io::send_s3(job.number, &req, &part, &shared.signal(), shared.settings.stall_ms, on_bytes);
            flight.push(InFlight { number: job.number, part, file: job.file, sum, promise });
        }
        if flight.is_empty() {
            if !matches!(shared.with(|s| s.next_step()), Step::UploadParts { .. }) {
                return Ok(());
            }
            let wake = shared.with(|s| s.next_wake_ms());
            let now = io::now_ms();
            match wake {
                Some(t) => {
                    io::nap((t as f64 - now).max(0.0), &signal).await;
                }
                None => return Err(Error::new(ErrorCode::UploadFailed, "no part can be sent and none is in flight")),
            }
            continue;
        }
        let list: Array = flight.iter().map(|f| JsValue::from(f.promise.clone())).collect();
        let ans = Answer::from_js(&io::await_js(io::first_of(&list)).await?);
        let Some(i) = flight.iter().position(|f| f.number == ans.tag) else { continue };
        let f = flight.swap_remove(i);
        shared.inflight_bytes.borrow_mut().retain(|x| x.0 != f.number);
        let kept_stream = shared.kept.borrow().iter().any(|k| k.0 == f.number);
        if !kept_stream {
            let handle = shared.handles.borrow()[f.file].clone();
            io::release_part(&handle, &f.part);
        }
        if ans.aborted() {
            shared.with(|s| s.release_part(f.number));
            continue;
        }
        if ans.failed.is_some() && io::is_offline() {
            // Offline is not the part's fault: it goes back without counting a retry.
            shared.with(|s| s.release_part(f.number));
            continue;
        }
        let out = shared.with(|s| s.on_part(f.number, &f.sum, &ans.reply(), io::now_ms() as u64))?;
        if out == Outcome::Done {
            shared.kept.borrow_mut().retain(|k| k.0 != f.number);
            shared.state_changed();
        }
        shared.progress(out == Outcome::Done && shared.with(|s| s.progress().parts_done == s.progress().parts_total));
    }
}

/// For a stream input whose plan is still open: reads the next part (kept until S3 has it).
async fn next_stream_part(shared: &Rc<Shared>) -> Result<Option<(onecodex_core::upload::session::PartJob, Option<JsValue>)>> {
    loop {
        let Step::UploadParts { file } = shared.with(|s| s.next_step()) else { return Ok(None) };
        let (open, size) = shared.with(|s| (s.state().files[file].plan.open, s.state().files[file].plan.part_size));
        if !open {
            return Ok(None);
        }
        let handle = shared.handles.borrow()[file].clone();
        let (bytes, len, last) = io::read_stream_part(&handle, size).await?;
        match shared.with(|s| s.stream_part(len, last))? {
            Some(job) => {
                shared.kept.borrow_mut().push((job.number, bytes.clone()));
                return Ok(Some((job, Some(bytes))));
            }
            // The stream ended on a part boundary: the plan is closed now.
            None => continue,
        }
    }
}

/// Cancel: abort every unfinished multipart upload (so nothing is left in S3), then tell the API
/// (`cancel_upload` revokes the upload credentials, so it comes last).
pub async fn cancel_remote(shared: &Rc<Shared>) -> Result<()> {
    if shared.session.borrow().is_none() {
        return Ok(());
    }
    let reqs = shared.with(|s| s.abort_requests(io::now_ms() as u64))?;
    for req in reqs {
        loop {
            let ans = Answer::from_js(&io::await_js(io::send_s3(0, &req, &JsValue::NULL, &JsValue::UNDEFINED, shared.settings.stall_ms, &JsValue::UNDEFINED)).await?);
            match shared.with(|s| s.on_abort(req.file, &ans.reply()))? {
                Outcome::Retry { delay_ms } => {
                    io::nap(delay_ms as f64, &JsValue::UNDEFINED).await;
                }
                _ => break,
            }
        }
    }
    let cancel = shared.with(|s| s.cancel_request());
    if let Some(req) = cancel {
        let (status, body) = send_api(&shared.inner, &req).await?;
        session::on_cancel(status, &body)?;
    }
    shared.state_changed();
    Ok(())
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
