//! The upload loop: runs a [`Session`] to its end over an [`UploadIo`] (the host's files, S3
//! requests, timers and network status) and the API session. The session decides what to send
//! and what a reply means; this loop decides when: at most `concurrency` parts in flight (plus the
//! one being checksummed), pause, cancel, offline waits, backoff naps and stream inputs.

use super::checksum::{ChecksumKind, PartChecksum, PartHasher, MAX_CHUNK};
use super::init::{init_request, InitParams};
use super::plan::SourceSlice;
use super::request::{ApiRequest, S3Request};
use super::retry::Failure;
use super::session::{
    self, FileSpec, InitResponse, Outcome, PartJob, Prepared, Progress, Reply, Session, Step, UploadKind, UploadState,
};
use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{Method, Request};
use crate::objects;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};

/// What `onProgress` reports the upload is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Init,
    Uploading,
    Paused,
    Finalizing,
    Done,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Init => "init",
            Phase::Uploading => "uploading",
            Phase::Paused => "paused",
            Phase::Finalizing => "finalizing",
            Phase::Done => "done",
        }
    }
}

/// An S3 response as the host read it (the body only matters for errors and XML answers).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct S3Response {
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
    /// `x-amz-bucket-region`
    pub bucket_region: Option<String>,
    pub retry_after_ms: Option<u64>,
}

/// How one S3 request ended: a response, or a failure without one whose code says why:
/// `network`, `timeout` (no progress for the stall limit: the host cut it off) or `aborted`
/// (pause, cancel). Any other code is not a transport failure and ends the upload unretried.
pub type S3Answer = Result<S3Response>;

/// The host side of an upload. Parts are the host's own objects (a Blob, a Buffer); only chunks
/// of at most [`MAX_CHUNK`] bytes are copied out of them, for checksums.
#[allow(async_fn_in_trait)] // wasm is single-threaded: no Send bounds wanted.
pub trait UploadIo {
    type Part: Clone;

    /// Reads the bytes of a part of input `file` from its source slices.
    async fn read_part(&self, file: usize, slices: &[SourceSlice], len: u64) -> Result<Self::Part>;
    /// The next `size` bytes of a stream input (fewer only at its end): (bytes, length, last).
    async fn read_stream_part(&self, file: usize, size: u64) -> Result<(Self::Part, u64, bool)>;
    /// Bytes `[start, end)` of a part (at most `MAX_CHUNK` of them) into `buf`, replacing it.
    async fn read_chunk(&self, part: &Self::Part, start: u64, end: u64, buf: &mut Vec<u8>) -> Result<()>;
    /// A part's request has ended: its buffer may be reused.
    fn release_part(&self, file: usize, part: &Self::Part);
    /// Starts a signed S3 request; its answer comes from `next_answer` under `tag`. Requests that
    /// are not `abortable` (cancel's aborts) go through even after a pause or cancel.
    fn start_send(&self, tag: u32, request: &S3Request, part: Option<&Self::Part>, abortable: bool);
    /// The answer of whichever started request ends first, with its tag.
    async fn next_answer(&self) -> Result<(u32, S3Answer)>;
    /// Cuts off the abortable requests in flight (their answers come back `aborted`).
    fn abort_sends(&self);
    /// Waits `ms`; false when a pause or cancel cut the wait short (only an `abortable` wait).
    async fn sleep(&self, ms: u64, abortable: bool) -> bool;
    /// Milliseconds since the Unix epoch (S3 signatures use it).
    fn now_ms(&self) -> u64;
    fn is_offline(&self) -> bool;
    /// Returns once the host is online again (or a pause or cancel came first).
    async fn wait_online(&self);
    fn paused(&self) -> bool;
    fn cancelled(&self) -> bool;
    /// Returns when a paused upload is resumed (or cancelled).
    async fn until_resumed(&self);
    /// Progress; the host may throttle events unless `force` (a phase change, the last part).
    fn progress(&self, phase: Phase, progress: Option<Progress>, force: bool);
    /// The resumable state changed (a part done, a multipart upload created, …).
    fn state_changed(&self, state_json: &str);
    /// The loop has ended (done, failed or cancelled): close the inputs.
    async fn close_inputs(&self);
}

/// How the loop runs; the retry schedule and the stall limit belong to the session and the host.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub concurrency: usize,
    /// ListParts page size on resume (S3's default when None; small values are for tests).
    pub list_parts_page: Option<u32>,
}

/// What the loop starts from: init for a new upload, or a session already in the slot (resume).
pub enum Start {
    New { prepared: Box<Prepared>, params: InitParams },
    Resumed,
}

fn aborted() -> Error {
    Error::new(ErrorCode::Aborted, "the upload was cancelled")
}

/// One upload's loop: the API session, the host, and the session slot the host's handle reads
/// (`upload.state()`) while the loop runs.
pub struct Driver<'a, T: Transport, I: UploadIo> {
    pub api: &'a Api<T>,
    pub io: &'a I,
    pub slot: &'a RefCell<Option<Session>>,
    pub settings: Settings,
    /// Stream parts read but not yet accepted by S3 (a stream cannot be read again).
    kept: RefCell<Vec<(u32, I::Part)>>,
    phase: Cell<Phase>,
    /// Parts done since the state was last reported.
    state_unreported: Cell<u32>,
}

/// Whether a part done makes a state report due, `unreported` parts after the last one with
/// `done` parts in all. Each report serialises the whole state (every part's ETag), so one per
/// part costs time quadratic in the parts: up to 50 parts every part is reported, beyond that
/// every 2% of them (linear in all). Parts a report left out are found again by ListParts on
/// resume; init, the multipart upload's creation, Complete, the callback, a pause and the end
/// of the loop are always reported.
pub fn part_report_due(unreported: u32, done: u32) -> bool {
    u64::from(unreported) * 50 >= u64::from(done)
}

struct InFlight<P> {
    number: u32,
    part: P,
    file: usize,
    sum: PartChecksum,
}

/// A transport failure as the session's `Failure`; `Err` for what is no transport failure.
fn failure_of(e: Error) -> Result<Failure> {
    match e.code {
        ErrorCode::Network => Ok(Failure::Network),
        // The host cut off a request that made no progress.
        ErrorCode::Timeout => Ok(Failure::Stalled),
        _ => Err(e),
    }
}

fn reply_of(answer: &S3Answer) -> Result<Reply<'_>> {
    match answer {
        Ok(r) => Ok(Reply::Response {
            status: r.status,
            body: &r.body,
            etag: r.etag.as_deref(),
            bucket_region: r.bucket_region.as_deref(),
            retry_after_ms: r.retry_after_ms,
        }),
        Err(e) => failure_of(e.clone()).map(Reply::Failed),
    }
}

fn is_aborted(answer: &S3Answer) -> bool {
    matches!(answer, Err(e) if e.code == ErrorCode::Aborted)
}

fn is_transport_failure(answer: &S3Answer) -> bool {
    matches!(answer, Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout))
}

/// A part's checksum, fed to the hasher in chunks of at most `MAX_CHUNK` bytes.
pub async fn checksum<I: UploadIo>(io: &I, part: &I::Part, len: u64, kind: ChecksumKind) -> Result<PartChecksum> {
    let mut hasher = PartHasher::new(kind);
    let mut buf = Vec::new();
    let mut at = 0u64;
    while at < len {
        let end = (at + MAX_CHUNK as u64).min(len);
        io.read_chunk(part, at, end, &mut buf).await?;
        hasher.update(&buf)?;
        at = end;
    }
    if hasher.bytes_fed() != len {
        return Err(Error::new(ErrorCode::InvalidFile, "a file changed while it was being uploaded"));
    }
    Ok(hasher.finish())
}

/// Files picked again for a resume, in any order: put in the state's order (R2 first) by name,
/// with their handles. Left as given when the names do not match one to one (resume then says
/// which file differs).
pub fn resume_order<H: Clone>(state: &UploadState, specs: Vec<FileSpec>, handles: Vec<H>) -> (Vec<FileSpec>, Vec<H>) {
    if specs.len() != state.files.len() || handles.len() != specs.len() {
        return (specs, handles);
    }
    let base = |n: &str| super::files::basename(n).to_string();
    let order: Vec<Option<usize>> =
        state.files.iter().map(|f| specs.iter().position(|x| base(&x.name) == base(&f.fingerprint.name))).collect();
    let mut seen: Vec<usize> = order.iter().flatten().copied().collect();
    crate::index_sort::sort(&mut seen);
    seen.dedup();
    if seen.len() != specs.len() {
        return (specs, handles);
    }
    let ix: Vec<usize> = order.into_iter().flatten().collect();
    let specs2 = ix.iter().filter_map(|&i| specs.get(i).cloned()).collect();
    let handles2 = ix.iter().filter_map(|&i| handles.get(i).cloned()).collect();
    (specs2, handles2)
}

/// Checks the files picked again against a saved state (part 1's checksum of each, where the
/// file is long enough) and continues it: the session for `Start::Resumed`.
pub async fn resume_session<I: UploadIo>(
    io: &I,
    state: UploadState,
    specs: &[FileSpec],
    retry: super::retry::RetryPolicy,
) -> Result<Session> {
    let mut firsts = Vec::new();
    for i in 0..specs.len() {
        let first = match (state.first_part_job(i), specs.get(i)) {
            // Only when the file is at least as long as part 1 (else resume refuses it anyway).
            (Some(job), Some(spec)) if spec.sources.iter().sum::<u64>() >= job.len => {
                let part = io.read_part(i, &job.slices, job.len).await?;
                let sum = checksum(io, &part, job.len, state.checksum).await;
                io.release_part(i, &part);
                Some(sum?)
            }
            _ => None,
        };
        firsts.push(first);
    }
    Session::resume(state, specs, &firsts, retry)
}

impl<'a, T: Transport, I: UploadIo> Driver<'a, T, I> {
    pub fn new(api: &'a Api<T>, io: &'a I, slot: &'a RefCell<Option<Session>>, settings: Settings) -> Self {
        Driver {
            api,
            io,
            slot,
            settings,
            kept: RefCell::new(Vec::new()),
            phase: Cell::new(Phase::Init),
            state_unreported: Cell::new(0),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Session) -> R) -> Result<R> {
        match self.slot.borrow_mut().as_mut() {
            Some(s) => Ok(f(s)),
            None => Err(Error::new(ErrorCode::Internal, "the upload has no session")),
        }
    }

    fn phase(&self, phase: Phase) {
        self.phase.set(phase);
        self.report(true);
    }

    fn report(&self, force: bool) {
        let p = self.slot.borrow().as_ref().map(Session::progress);
        self.io.progress(self.phase.get(), p, force);
    }

    fn state_changed(&self) {
        if let Some(s) = self.slot.borrow().as_ref() {
            self.io.state_changed(&s.state_json());
        }
        self.state_unreported.set(0);
    }

    /// A part is done: the state is reported when [`part_report_due`] says so.
    fn part_state_changed(&self) -> Result<()> {
        let unreported = self.state_unreported.get() + 1;
        self.state_unreported.set(unreported);
        if part_report_due(unreported, self.with(|s| s.progress().parts_done)?) {
            self.state_changed();
        }
        Ok(())
    }

    /// Reports parts that the last reports left out (when the loop stops or pauses).
    fn flush_state(&self) {
        if self.state_unreported.get() > 0 {
            self.state_changed();
        }
    }

    fn stopping(&self) -> bool {
        self.io.cancelled() || self.io.paused()
    }

    /// Runs the upload to its end: the new object (sample, document or asset). A cancelled
    /// upload cleans up S3 and the API (see [`Driver::cancel_remote`]) and ends `aborted`.
    pub async fn run(&self, start: Start) -> Result<Value> {
        let out = self.drive(start).await;
        self.flush_state();
        self.io.close_inputs().await;
        match out {
            Err(e) if self.io.cancelled() => {
                self.cancel_remote().await?;
                self.report(true);
                Err(if e.code == ErrorCode::Aborted { e } else { aborted() })
            }
            other => other,
        }
    }

    async fn drive(&self, start: Start) -> Result<Value> {
        if let Start::New { prepared, params } = start {
            self.phase(Phase::Init);
            let req = init_request(&prepared, &params)?;
            let body = (!req.body.is_null()).then_some(&req.body);
            let answer = self.api.post_json(&req.path, body, "starting the upload").await?;
            let init = InitResponse::from_json(&answer)?;
            *self.slot.borrow_mut() = Some(Session::start(*prepared, init)?);
            self.state_changed();
            if self.io.cancelled() {
                return Err(aborted());
            }
        }
        self.phase(Phase::Uploading);
        loop {
            if self.io.cancelled() {
                return Err(aborted());
            }
            if self.io.paused() {
                self.flush_state();
                self.phase(Phase::Paused);
                self.io.until_resumed().await;
                if self.io.cancelled() {
                    return Err(aborted());
                }
                self.phase(Phase::Uploading);
                continue;
            }
            match self.with(|s| s.next_step())? {
                Step::ListParts { .. } => {
                    let page = self.settings.list_parts_page;
                    self.s3_step(|s, now| s.list_parts_request(now, page), |s, r| s.on_list_parts(r)).await?;
                }
                Step::CreateMultipart { .. } => {
                    self.s3_step(|s, now| s.create_multipart_request(now), |s, r| s.on_create_multipart(r)).await?;
                    self.state_changed();
                }
                Step::FindMultipart { .. } => {
                    self.s3_step(|s, now| s.find_multipart_request(now), |s, r| s.on_find_multipart(r)).await?;
                    self.state_changed();
                }
                Step::UploadParts { .. } => self.upload_parts().await?,
                Step::Complete { .. } => {
                    self.phase(Phase::Finalizing);
                    self.s3_step(|s, now| s.complete_request(now), |s, r| s.on_complete(r)).await?;
                    self.state_changed();
                }
                Step::Callback => {
                    self.phase(Phase::Finalizing);
                    self.callback().await?;
                    self.state_changed();
                }
                Step::Done => {
                    let obj = self.fetch_result().await?;
                    self.phase(Phase::Done);
                    return Ok(obj);
                }
            }
        }
    }

    async fn send_api(&self, r: &ApiRequest) -> Result<(u16, String)> {
        let method = if r.method == "GET" { Method::Get } else { Method::Post };
        // The session's API requests (the callback, cancel_upload) may be repeated: a repeated
        // callback is answered "already successful", a repeated cancel changes nothing.
        let mut req: Request = self.api.request(method, &r.path).idempotent_post();
        if !r.body.is_null() {
            req = req.json_body(&r.body);
        }
        let resp = self.api.send(&req).await?;
        Ok((resp.status, resp.text()))
    }

    async fn callback(&self) -> Result<()> {
        let req = self.with(|s| s.callback_request())??;
        loop {
            let (status, body) = match self.send_api(&req).await {
                Ok(x) => x,
                Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => (0, String::new()),
                Err(e) => return Err(e),
            };
            let reply = if status == 0 { Reply::Failed(Failure::Network) } else { Reply::status(status, &body) };
            match self.with(|s| s.on_callback(&reply))?? {
                Outcome::Retry { delay_ms } => {
                    if !self.io.sleep(delay_ms, true).await {
                        return Err(aborted());
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    async fn fetch_result(&self) -> Result<Value> {
        let (kind, id) = self.with(|s| (s.state().kind.clone(), s.state().result_id.clone()))?;
        let resource = match kind {
            UploadKind::Sample => "samples",
            UploadKind::Document => "documents",
            UploadKind::Asset { .. } => "assets",
        };
        Ok(match id {
            Some(id) => objects::get(self.api, resource, &id).await?.unwrap_or(json!({ "id": id })),
            None => Value::Null,
        })
    }

    /// One S3 request at a time (create, complete, list), with the session's retries.
    async fn s3_step(
        &self,
        make: impl Fn(&Session, u64) -> Result<S3Request>,
        on_reply: impl Fn(&mut Session, &Reply) -> Result<Outcome>,
    ) -> Result<()> {
        loop {
            if self.stopping() {
                return Ok(());
            }
            let now = self.io.now_ms();
            let req = self.with(|s| make(s, now))??;
            self.io.start_send(0, &req, None, true);
            let (_, answer) = self.io.next_answer().await?;
            if is_aborted(&answer) {
                return Ok(());
            }
            if is_transport_failure(&answer) && self.io.is_offline() {
                self.io.wait_online().await;
                continue;
            }
            let reply = reply_of(&answer)?;
            match self.with(|s| on_reply(s, &reply))?? {
                Outcome::Done => return Ok(()),
                Outcome::Continue => {}
                // Back to the loop after the wait: the failure may have changed the next step
                // (a lost CreateMultipartUpload is followed by a look for what it made).
                Outcome::Retry { delay_ms } => {
                    self.io.sleep(delay_ms, true).await;
                    return Ok(());
                }
            }
        }
    }

    /// Sends parts until the step moves on, the upload pauses or is cancelled, or a part fails
    /// for good.
    async fn upload_parts(&self) -> Result<()> {
        let mut flight: Vec<InFlight<I::Part>> = Vec::new();
        let result = self.parts_loop(&mut flight).await;
        // Whatever ended the loop, nothing stays in flight: cut off and give the parts back.
        if !flight.is_empty() {
            if result.is_err() {
                self.io.abort_sends();
            }
            while !flight.is_empty() {
                let Ok((tag, _)) = self.io.next_answer().await else {
                    break;
                };
                if let Some(i) = flight.iter().position(|f| f.number == tag) {
                    let f = flight.swap_remove(i);
                    self.give_back(&f);
                    self.with(|s| s.release_part(f.number))?;
                }
            }
            for f in flight.drain(..) {
                self.with(|s| s.release_part(f.number))?;
            }
        }
        result
    }

    /// A part's request ended: its buffer goes back unless it is a kept stream part.
    fn give_back(&self, f: &InFlight<I::Part>) {
        if !self.kept.borrow().iter().any(|k| k.0 == f.number) {
            self.io.release_part(f.file, &f.part);
        }
    }

    async fn parts_loop(&self, flight: &mut Vec<InFlight<I::Part>>) -> Result<()> {
        let concurrency = self.settings.concurrency.max(1);
        loop {
            if self.stopping() {
                return Ok(());
            }
            if self.io.is_offline() {
                self.io.wait_online().await;
                continue;
            }
            while flight.len() < concurrency && !self.stopping() {
                let now = self.io.now_ms();
                let (job, kept) = match self.with(|s| s.next_part(now))? {
                    Some(job) => {
                        let kept = self.kept.borrow().iter().find(|k| k.0 == job.number).map(|k| k.1.clone());
                        (job, kept)
                    }
                    None => match self.next_stream_part().await? {
                        Some(x) => x,
                        None => break,
                    },
                };
                match self.prepare_part(&job, kept).await {
                    Ok((part, sum, req)) => {
                        self.io.start_send(job.number, &req, Some(&part), true);
                        flight.push(InFlight { number: job.number, part, file: job.file, sum });
                    }
                    Err(e) => {
                        self.with(|s| s.release_part(job.number))?;
                        return Err(e);
                    }
                }
            }
            if flight.is_empty() {
                if !matches!(self.with(|s| s.next_step())?, Step::UploadParts { .. }) {
                    return Ok(());
                }
                match self.with(|s| s.next_wake_ms())? {
                    Some(t) => {
                        self.io.sleep(t.saturating_sub(self.io.now_ms()), true).await;
                    }
                    None => {
                        return Err(Error::new(ErrorCode::UploadFailed, "no part can be sent and none is in flight"))
                    }
                }
                continue;
            }
            let (tag, answer) = self.io.next_answer().await?;
            let Some(i) = flight.iter().position(|f| f.number == tag) else {
                continue;
            };
            let f = flight.swap_remove(i);
            self.give_back(&f);
            if is_aborted(&answer) {
                self.with(|s| s.release_part(f.number))?;
                continue;
            }
            if is_transport_failure(&answer) && self.io.is_offline() {
                // Offline is not the part's fault: it goes back without counting a retry.
                self.with(|s| s.release_part(f.number))?;
                continue;
            }
            let reply = match reply_of(&answer) {
                Ok(r) => r,
                Err(e) => {
                    self.with(|s| s.release_part(f.number))?;
                    return Err(e);
                }
            };
            let now = self.io.now_ms();
            let out = self.with(|s| s.on_part(f.number, &f.sum, &reply, now))??;
            if out == Outcome::Done {
                self.kept.borrow_mut().retain(|k| k.0 != f.number);
                self.part_state_changed()?;
            }
            let last = out == Outcome::Done && self.with(|s| s.progress().parts_done == s.progress().parts_total)?;
            self.report(last);
        }
    }

    /// Reads (or takes the kept bytes of) a part, checksums it and signs its request.
    async fn prepare_part(&self, job: &PartJob, kept: Option<I::Part>) -> Result<(I::Part, PartChecksum, S3Request)> {
        let part = match kept {
            Some(bytes) => bytes,
            None => self.io.read_part(job.file, &job.slices, job.len).await?,
        };
        let kind = self.with(|s| s.state().checksum)?;
        let signed = match checksum(self.io, &part, job.len, kind).await {
            Ok(sum) => {
                let now = self.io.now_ms();
                self.with(|s| s.part_request(job.number, &sum, now))?.map(|req| (sum, req))
            }
            Err(e) => Err(e),
        };
        match signed {
            Ok((sum, req)) => Ok((part, sum, req)),
            Err(e) => {
                if !self.kept.borrow().iter().any(|k| k.0 == job.number) {
                    self.io.release_part(job.file, &part);
                }
                Err(e)
            }
        }
    }

    /// For a stream input whose plan is still open: reads the next part (kept until S3 has it).
    async fn next_stream_part(&self) -> Result<Option<(PartJob, Option<I::Part>)>> {
        loop {
            let Step::UploadParts { file } = self.with(|s| s.next_step())? else {
                return Ok(None);
            };
            let plan = self.with(|s| s.state().files.get(file).map(|f| (f.plan.open, f.plan.part_size)))?;
            let Some((true, size)) = plan else {
                return Ok(None);
            };
            let (bytes, len, last) = self.io.read_stream_part(file, size).await?;
            match self.with(|s| s.stream_part(len, last))?? {
                Some(job) => {
                    self.kept.borrow_mut().push((job.number, bytes.clone()));
                    return Ok(Some((job, Some(bytes))));
                }
                // The stream ended on a part boundary: the plan is closed now.
                None => continue,
            }
        }
    }

    /// Cancel: abort every unfinished multipart upload (so nothing is left in S3), then tell the
    /// API (`cancel_upload` revokes the upload credentials, so it comes last).
    pub async fn cancel_remote(&self) -> Result<()> {
        if self.slot.borrow().is_none() {
            return Ok(());
        }
        let now = self.io.now_ms();
        let reqs = self.with(|s| s.abort_requests(now))??;
        for req in reqs {
            loop {
                self.io.start_send(0, &req, None, false);
                let (_, answer) = self.io.next_answer().await?;
                let reply = reply_of(&answer)?;
                match self.with(|s| s.on_abort(req.file, &reply))?? {
                    Outcome::Retry { delay_ms } => {
                        // Not cut short by the cancel itself: this wait is part of it.
                        self.io.sleep(delay_ms, false).await;
                    }
                    _ => break,
                }
            }
        }
        if let Some(req) = self.with(|s| s.cancel_request())? {
            let (status, body) = self.send_api(&req).await?;
            session::on_cancel(status, &body)?;
        }
        self.state_changed();
        Ok(())
    }
}
