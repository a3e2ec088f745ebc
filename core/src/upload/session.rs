//! One upload (a single file, or an R2 + R1 pair, each possibly several lane files) as a state
//! machine. The driver asks [`Session::next_step`], makes the request the session builds, and
//! feeds the reply back; the session never does I/O, reads no clock (times are passed in) and
//! holds only upload credentials, never the API key.
//!
//! Decisions: failures keep the multipart upload so it can resume;
//! only `cancel` aborts. Before Complete the parts are checked against the plan (lib-storage
//! shipped corrupt objects without that). Resume lists the parts S3 has (paginated) and sends
//! only the rest.

use super::checksum::{ChecksumKind, PartChecksum};
use super::encode::uri_encode;
use super::files;
use super::request::{bucket_url, object_url, ApiRequest, Body, S3Op, S3Request};
use super::retry::{Decision, Failure, RetryPolicy};
use super::s3xml;
use super::sigv4::{presign_s3, sign_s3};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::{json, Value};
// HashMap, not BTreeMap: only keyed access here, and the B-tree code would cost ~8 KB of wasm.
use std::collections::HashMap;

pub use super::prepare::{prepare, Prepared, PreparedFile};
pub use super::state::*;

/// What the driver should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    /// Ask S3 which parts it has (resume): `list_parts_request` / `on_list_parts`.
    ListParts {
        file: usize,
    },
    CreateMultipart {
        file: usize,
    },
    /// A CreateMultipartUpload got no answer: ask S3 for the file's multipart uploads before
    /// creating another (`find_multipart_request` / `on_find_multipart`), so none is left behind.
    FindMultipart {
        file: usize,
    },
    /// Send parts: `next_part` / `part_request` / `on_part` (a small file is one PutObject).
    UploadParts {
        file: usize,
    },
    Complete {
        file: usize,
    },
    Callback,
    Done,
}

/// A reply to a request: an HTTP response (body only needed when it is an error or XML), or a
/// failure without one.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply<'a> {
    Response {
        status: u16,
        body: &'a str,
        etag: Option<&'a str>,
        /// `x-amz-bucket-region`
        bucket_region: Option<&'a str>,
        retry_after_ms: Option<u64>,
    },
    Failed(Failure),
}

impl<'a> Reply<'a> {
    pub fn status(status: u16, body: &'a str) -> Reply<'a> {
        Reply::Response { status, body, etag: None, bucket_region: None, retry_after_ms: None }
    }
}

/// What a reply means for the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    /// The step moved on.
    Done,
    /// More of the same (the next ListParts page): request again now.
    Continue,
    /// Request the same thing again (freshly signed) after `delay_ms`.
    Retry { delay_ms: u64 },
}

/// How `cancel_upload` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcome {
    Cancelled,
    /// The server had already finished the upload: nothing to cancel.
    AlreadySuccessful,
}

/// Progress counters for `onProgress` (bytes of parts S3 has confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub loaded: u64,
    pub total: u64,
    pub parts_done: u32,
    pub parts_total: u32,
}

// Retry counter keys besides part numbers.
const K_CREATE: u32 = 0;
const K_COMPLETE: u32 = u32::MAX;
const K_LIST: u32 = u32::MAX - 1;
const K_ABORT: u32 = u32::MAX - 2;
const K_RELIST: u32 = u32::MAX - 3;
const K_FIND: u32 = u32::MAX - 4;
const CALLBACK_FILE: usize = usize::MAX;

/// The upload state plus what only lives while it runs (parts in flight, retry counts).
#[derive(Debug, Clone)]
pub struct Session {
    state: UploadState,
    retry: RetryPolicy,
    in_flight: Vec<u32>,
    not_before: HashMap<u32, u64>,
    retries: HashMap<(usize, u32), u32>,
    /// Files whose parts must be listed from S3 before sending more (resume).
    needs_listing: Vec<usize>,
    listing: Option<(usize, Vec<DonePart>, Option<u32>)>,
    /// A Complete got no answer; a later NoSuchUpload then means it had succeeded.
    complete_unanswered: bool,
    /// Files whose CreateMultipartUpload got no answer: S3 may have created one.
    create_unanswered: Vec<usize>,
}

fn s3_failure(reply: &Reply) -> Failure {
    match reply {
        Reply::Failed(f) => f.clone(),
        Reply::Response { status, body, .. } => Failure::from_response(*status, body),
    }
}

fn failure_error(f: &Failure, what: &str, body: &str) -> Error {
    match f {
        Failure::Network => Error::new(
            ErrorCode::Network,
            format!("{what}: the network failed and retries ran out; the upload can be resumed"),
        ),
        Failure::Stalled => Error::new(
            ErrorCode::Timeout,
            format!("{what}: no progress and retries ran out; the upload can be resumed"),
        ),
        Failure::Status { status, .. } => {
            let e = s3xml::s3_error(*status, body);
            Error { message: format!("{what}: {}", e.message), ..e }
        }
    }
}

impl Session {
    /// Starts an upload from prepared files and the API's init answer.
    pub fn start(prepared: Prepared, init: InitResponse) -> Result<Session> {
        let mut files = Vec::new();
        for f in prepared.files {
            let key = match f.role {
                Role::R2 => init.paired_end_file_id.clone().ok_or_else(|| {
                    Error::invalid_response("the upload init answer has no paired_end_file_id for R2")
                })?,
                _ => init.file_id.clone(),
            };
            files.push(FileState {
                role: f.role,
                filename: f.filename,
                key,
                fingerprint: f.fingerprint,
                plan: f.plan,
                upload_id: None,
                parts: Vec::new(),
                completed: false,
            });
        }
        let o = prepared.options;
        // Validates the endpoint now rather than at the first part.
        object_url(o.endpoint.as_deref(), &init.s3_bucket, &init.file_id, "")?;
        let state = UploadState {
            version: STATE_VERSION,
            kind: prepared.kind,
            sample_id: init.sample_id,
            bucket: init.s3_bucket,
            callback_url: init.callback_url,
            credentials: init.credentials,
            region: o.region,
            endpoint: o.endpoint,
            checksum: o.checksum,
            files,
            callback_done: false,
            result_id: None,
            presign_secs: o.presign_secs,
        };
        Ok(Session::with_state(state, o.retry))
    }

    fn with_state(state: UploadState, retry: RetryPolicy) -> Session {
        Session {
            state,
            retry,
            in_flight: Vec::new(),
            not_before: HashMap::new(),
            retries: HashMap::new(),
            needs_listing: Vec::new(),
            listing: None,
            complete_unanswered: false,
            create_unanswered: Vec::new(),
        }
    }

    /// Continues a saved upload with the files picked again (same order as the state's files).
    /// `first_parts` holds the part-1 checksum of each file (see [`UploadState::first_part_job`]),
    /// so a different file with the same name and size is refused.
    pub fn resume(
        state: UploadState,
        files: &[FileSpec],
        first_parts: &[Option<PartChecksum>],
        retry: RetryPolicy,
    ) -> Result<Session> {
        // A saved state is untrusted input (localStorage, a file): its callback gets the API key.
        crate::refs::check_api_path("this upload state's callback_url", &state.callback_url)
            .map_err(|e| Error::invalid_argument(e.message))?;
        if state.version != STATE_VERSION {
            return Err(Error::invalid_argument(format!(
                "this upload state has version {}, this client reads version {STATE_VERSION}",
                state.version
            )));
        }
        if files.len() != state.files.len() {
            return Err(Error::invalid_argument(format!(
                "this upload has {} file(s) but {} were given to resume it",
                state.files.len(),
                files.len()
            )));
        }
        for (i, (f, spec)) in state.files.iter().zip(files).enumerate() {
            f.plan.check()?;
            if f.plan.open || spec.sources.is_empty() {
                return Err(Error::invalid_argument(format!(
                    "{} was read from a stream, which cannot be read again: start a new upload",
                    f.filename
                )));
            }
            let size = spec.sources.iter().fold(0u64, |a, &b| a.saturating_add(b));
            let fp = &f.fingerprint;
            let differs = files::basename(&spec.name) != files::basename(&fp.name)
                || size != fp.size
                || spec.sources != f.plan.sources
                || matches!((spec.last_modified_ms, fp.last_modified_ms), (Some(a), Some(b)) if a != b);
            if differs {
                return Err(Error::new(
                    ErrorCode::InvalidFile,
                    format!(
                        "{} is not the file this upload started with (name, size or date differ); pick the same file",
                        spec.name
                    ),
                ));
            }
            if let (Some(saved), Some(Some(now))) = (&fp.first_part_checksum, first_parts.get(i)) {
                if now.kind != state.checksum {
                    return Err(Error::invalid_argument(format!(
                        "this upload fingerprints files with {:?}; the first part was checksummed with {:?}",
                        state.checksum, now.kind
                    )));
                }
                if saved != &now.value {
                    return Err(Error::new(
                        ErrorCode::InvalidFile,
                        format!(
                            "{} has changed since the upload started (its first part differs); start a new upload",
                            spec.name
                        ),
                    ));
                }
            }
        }
        let needs: Vec<usize> = state
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.completed && f.upload_id.is_some())
            .map(|(i, _)| i)
            .collect();
        let mut s = Session::with_state(state, retry);
        s.needs_listing = needs;
        Ok(s)
    }

    pub fn state(&self) -> &UploadState {
        &self.state
    }

    /// The state as JSON for `upload.state()` / `onStateChange`.
    pub fn state_json(&self) -> String {
        serde_json::to_string(&self.state).unwrap_or_default()
    }

    fn current_file(&self) -> Option<usize> {
        self.state.files.iter().position(|f| !f.completed)
    }

    pub fn next_step(&self) -> Step {
        let Some(i) = self.current_file() else {
            return if self.state.callback_done { Step::Done } else { Step::Callback };
        };
        let f = &self.state.files[i];
        if self.needs_listing.contains(&i) {
            return Step::ListParts { file: i };
        }
        if f.plan.single_put {
            return Step::UploadParts { file: i };
        }
        if f.upload_id.is_none() {
            if self.create_unanswered.contains(&i) {
                return Step::FindMultipart { file: i };
            }
            return Step::CreateMultipart { file: i };
        }
        if f.plan.open || self.parts_missing(i).next().is_some() || !self.in_flight.is_empty() {
            return Step::UploadParts { file: i };
        }
        Step::Complete { file: i }
    }

    /// Part numbers S3 does not have yet, lowest first. The done parts are marked once per call
    /// (a scan of them per part number was quadratic per call, cubic over a 10,000-part upload).
    fn parts_missing(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        let f = &self.state.files[i];
        let count = f.plan.part_count();
        let mut done = vec![false; count as usize + 1];
        for p in &f.parts {
            if let Some(d) = done.get_mut(p.number as usize) {
                *d = true;
            }
        }
        (1..=count).filter(move |n| !done.get(*n as usize).copied().unwrap_or(false))
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress { loaded: 0, total: 0, parts_done: 0, parts_total: 0 };
        for f in &self.state.files {
            p.total += f.plan.total();
            p.parts_total += f.plan.part_count();
            p.parts_done += f.parts.len() as u32;
            p.loaded += f.parts.iter().map(|d| d.size).sum::<u64>();
        }
        p
    }

    fn url(&self, file: usize, query: &str) -> Result<String> {
        object_url(self.state.endpoint.as_deref(), &self.state.bucket, &self.state.files[file].key, query)
    }

    fn upload_id_q(&self, file: usize) -> Result<String> {
        let id = self.state.files[file]
            .upload_id
            .as_deref()
            .ok_or_else(|| Error::invalid_argument("this file has no multipart upload yet"))?;
        Ok(uri_encode(id.as_bytes(), false))
    }

    fn draft(&self, op: S3Op, file: usize, method: &'static str, query: &str) -> Result<S3Request> {
        let url = self.url(file, query)?;
        Ok(S3Request { op, file, part_number: None, method, url, headers: Vec::new(), body: Body::Empty })
    }

    /// Signs the request's own headers and appends the signature headers.
    fn sign(&self, mut r: S3Request, now_ms: u64) -> Result<S3Request> {
        let refs: Vec<(&str, &str)> = r.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (creds, region) = (&self.state.credentials, &self.state.region);
        match self.state.presign_secs {
            Some(secs) => r.url = presign_s3(r.method, &r.url, &refs, creds, region, now_ms, secs)?.url,
            None => {
                let signed = sign_s3(r.method, &r.url, &refs, creds, region, now_ms)?;
                r.headers.extend(signed.headers);
            }
        }
        Ok(r)
    }

    fn expect_step(&self, ok: impl Fn(Step) -> bool, what: &str) -> Result<usize> {
        let step = self.next_step();
        if !ok(step) {
            return Err(Error::invalid_argument(format!(
                "{what} is not the next step of this upload (next: {step:?})"
            )));
        }
        Ok(self.current_file().unwrap_or(CALLBACK_FILE))
    }

    /// Counts a failure and decides; a region error re-signs at once without counting.
    fn on_failure(&mut self, key: (usize, u32), reply: &Reply, what: &str) -> Result<Outcome> {
        if let Reply::Response { status, body, bucket_region, .. } = reply {
            if let Some(region) = s3xml::region_from_error(*status, *bucket_region, body) {
                if region != self.state.region {
                    self.state.region = region;
                    return Ok(Outcome::Retry { delay_ms: 0 });
                }
                // Already switched: this request was signed before (another part in flight).
                // Send it again, counted, so a server that keeps saying so cannot loop us.
                let n = self.retries.get(&key).copied().unwrap_or(0);
                if n < self.retry.retries {
                    self.retries.insert(key, n + 1);
                    return Ok(Outcome::Retry { delay_ms: 0 });
                }
            }
        }
        let failure = s3_failure(reply);
        let n = self.retries.get(&key).copied().unwrap_or(0);
        let retry_after = match reply {
            Reply::Response { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        };
        match self.retry.decide(&failure, n, retry_after) {
            Decision::RetryAfter { delay_ms } => {
                self.retries.insert(key, n + 1);
                Ok(Outcome::Retry { delay_ms })
            }
            Decision::GiveUp => {
                let body = match reply {
                    Reply::Response { body, .. } => *body,
                    _ => "",
                };
                Err(failure_error(&failure, what, body))
            }
        }
    }

    // ---- CreateMultipartUpload ----

    pub fn create_multipart_request(&self, now_ms: u64) -> Result<S3Request> {
        let file = self.expect_step(|s| matches!(s, Step::CreateMultipart { .. }), "CreateMultipartUpload")?;
        let mut headers = vec![("x-amz-server-side-encryption".to_string(), "AES256".to_string())];
        if self.state.checksum == ChecksumKind::Crc32c {
            headers.push(("x-amz-checksum-algorithm".into(), "CRC32C".into()));
        }
        let mut r = self.draft(S3Op::CreateMultipart, file, "POST", "uploads=")?;
        r.headers = headers;
        self.sign(r, now_ms)
    }

    pub fn on_create_multipart(&mut self, reply: &Reply) -> Result<Outcome> {
        let file = self.expect_step(|s| matches!(s, Step::CreateMultipart { .. }), "CreateMultipartUpload")?;
        match reply {
            Reply::Response { status: 200..=299, body, .. } => {
                let id = s3xml::parse_initiate(body)?;
                // Parts belong to one multipart upload: none carry over to a new one.
                self.state.files[file].parts.clear();
                self.state.files[file].upload_id = Some(id);
                self.retries.remove(&(file, K_CREATE));
                Ok(Outcome::Done)
            }
            Reply::Failed(_) => {
                if !self.create_unanswered.contains(&file) {
                    self.create_unanswered.push(file);
                }
                self.on_failure((file, K_CREATE), reply, "starting the multipart upload")
            }
            _ => self.on_failure((file, K_CREATE), reply, "starting the multipart upload"),
        }
    }

    /// `ListMultipartUploads` of the file's key (`?uploads&prefix=`), after a lost create.
    pub fn find_multipart_request(&self, now_ms: u64) -> Result<S3Request> {
        let file = self.expect_step(|s| matches!(s, Step::FindMultipart { .. }), "ListMultipartUploads")?;
        let key = &self.state.files[file].key;
        let query = format!("prefix={}&uploads=", uri_encode(key.as_bytes(), false));
        let url = bucket_url(self.state.endpoint.as_deref(), &self.state.bucket, &query)?;
        let r = S3Request {
            op: S3Op::ListUploads,
            file,
            part_number: None,
            method: "GET",
            url,
            headers: Vec::new(),
            body: Body::Empty,
        };
        self.sign(r, now_ms)
    }

    /// Adopts the multipart upload S3 made for the lost create (the newest of the key's, if
    /// several), or, when there is none, lets the create be sent again.
    pub fn on_find_multipart(&mut self, reply: &Reply) -> Result<Outcome> {
        let file = self.expect_step(|s| matches!(s, Step::FindMultipart { .. }), "ListMultipartUploads")?;
        match reply {
            Reply::Response { status: 200..=299, body, .. } => {
                let key = &self.state.files[file].key;
                let found = s3xml::parse_list_uploads(body)?
                    .into_iter()
                    .filter(|u| &u.key == key)
                    .max_by(|a, b| a.initiated.cmp(&b.initiated));
                if let Some(u) = found {
                    self.state.files[file].parts.clear();
                    self.state.files[file].upload_id = Some(u.upload_id);
                }
                self.create_unanswered.retain(|&f| f != file);
                self.retries.remove(&(file, K_FIND));
                Ok(Outcome::Done)
            }
            _ => self.on_failure((file, K_FIND), reply, "looking for the multipart upload"),
        }
    }

    // ---- Parts ----

    /// The next part to send, lowest number first, skipping parts in flight or waiting out a
    /// backoff; `None` when nothing can start now (see `next_wake_ms`). The driver keeps at most
    /// `concurrency` in flight; this marks the part in flight.
    pub fn next_part(&mut self, now_ms: u64) -> Option<PartJob> {
        let Step::UploadParts { file } = self.next_step() else {
            return None;
        };
        let number = self
            .parts_missing(file)
            .find(|n| !self.in_flight.contains(n) && self.not_before.get(n).is_none_or(|&t| t <= now_ms))?;
        self.in_flight.push(number);
        self.not_before.remove(&number);
        let f = &self.state.files[file];
        let part = f.plan.part(number)?;
        Some(PartJob { file, number, len: part.len(), slices: f.plan.slices(part.start, part.end) })
    }

    /// For a stream of unknown length: the driver has read the next `len` bytes (exactly the part
    /// size, or less with `last`) and keeps them until the part is done; this plans that part and
    /// marks it in flight. Failed parts still come back through `next_part`, so check it first.
    /// `Ok(None)` when `last` adds no bytes.
    pub fn stream_part(&mut self, len: u64, last: bool) -> Result<Option<PartJob>> {
        let Step::UploadParts { file } = self.next_step() else {
            return Err(Error::invalid_argument("no part upload is in progress"));
        };
        let f = &mut self.state.files[file];
        let Some(part) = f.plan.grow(len, last)? else {
            return Ok(None);
        };
        f.fingerprint.size = f.plan.total();
        self.in_flight.push(part.number);
        Ok(Some(PartJob { file, number: part.number, len: part.len(), slices: f.plan.slices(part.start, part.end) }))
    }

    /// When a part waiting out its backoff may start (earliest), if any.
    pub fn next_wake_ms(&self) -> Option<u64> {
        self.not_before.values().min().copied()
    }

    pub fn in_flight(&self) -> &[u32] {
        &self.in_flight
    }

    /// Gives a part back without counting a failure (pause, or the driver aborted it).
    pub fn release_part(&mut self, number: u32) {
        self.in_flight.retain(|&n| n != number);
    }

    /// The job for part 1 of `file`, whose checksum fingerprints the file for resume.
    pub fn first_part_job(&self, file: usize) -> Option<PartJob> {
        self.state.first_part_job(file)
    }

    /// The signed PUT for an in-flight part, with its checksum header (the checksum of exactly
    /// the part's bytes, computed by the driver in chunks).
    pub fn part_request(&mut self, number: u32, checksum: &PartChecksum, now_ms: u64) -> Result<S3Request> {
        let Step::UploadParts { file } = self.next_step() else {
            return Err(Error::invalid_argument("no part upload is in progress"));
        };
        if !self.in_flight.contains(&number) {
            return Err(Error::invalid_argument(format!("part {number} was not handed out by next_part")));
        }
        if checksum.kind != self.state.checksum {
            return Err(Error::invalid_argument(format!(
                "this upload uses {:?} checksums, got {:?}",
                self.state.checksum, checksum.kind
            )));
        }
        if number == 1 {
            let fp = &mut self.state.files[file].fingerprint;
            match &fp.first_part_checksum {
                None => fp.first_part_checksum = Some(checksum.value.clone()),
                Some(v) if v != &checksum.value => {
                    return Err(Error::new(
                        ErrorCode::InvalidFile,
                        format!("{} changed while it was being uploaded; start a new upload", fp.name),
                    ));
                }
                Some(_) => {}
            }
        }
        let f = &self.state.files[file];
        let part =
            f.plan.part(number).ok_or_else(|| Error::invalid_argument(format!("part {number} is not in the plan")))?;
        let body = Body::Part { slices: f.plan.slices(part.start, part.end), len: part.len() };
        let mut headers = vec![(checksum.kind.header().to_string(), checksum.value.clone())];
        if f.plan.single_put {
            headers.push(("x-amz-server-side-encryption".into(), "AES256".into()));
        }
        let mut r = if f.plan.single_put {
            self.draft(S3Op::PutObject, file, "PUT", "")?
        } else {
            self.draft(
                S3Op::UploadPart,
                file,
                "PUT",
                &format!("partNumber={number}&uploadId={}", self.upload_id_q(file)?),
            )?
        };
        r.part_number = Some(number);
        r.headers = headers;
        r.body = body;
        self.sign(r, now_ms)
    }

    /// Records a part's reply. Success needs the `ETag` response header (the bucket's CORS must
    /// expose it). A retry leaves the part waiting `delay_ms`; `next_part` hands it out again.
    pub fn on_part(&mut self, number: u32, checksum: &PartChecksum, reply: &Reply, now_ms: u64) -> Result<Outcome> {
        let Step::UploadParts { file } = self.next_step() else {
            return Err(Error::invalid_argument("no part upload is in progress"));
        };
        if !self.in_flight.contains(&number) {
            return Err(Error::invalid_argument(format!("part {number} is not in flight")));
        }
        self.in_flight.retain(|&n| n != number);
        if let Reply::Response { status: 200..=299, etag, .. } = reply {
            let etag = etag.map(str::trim).filter(|e| !e.is_empty()).ok_or_else(|| {
                Error::new(ErrorCode::S3Error, "S3 accepted a part but its ETag header is not readable; the bucket's CORS configuration must expose ETag")
            })?;
            let f = &mut self.state.files[file];
            let size = f.plan.part(number).map(|p| p.len()).unwrap_or(0);
            let crc = (checksum.kind == ChecksumKind::Crc32c).then(|| checksum.value.clone());
            f.parts.retain(|p| p.number != number);
            f.parts.push(DonePart { number, etag: etag.to_string(), checksum: crc, size });
            crate::index_sort::sort_by_key(&mut f.parts, |p| p.number);
            if f.plan.single_put {
                f.completed = true;
            }
            self.retries.remove(&(file, number));
            return Ok(Outcome::Done);
        }
        let what = format!("uploading part {number} of {}", self.state.files[file].filename);
        let out = self.on_failure((file, number), reply, &what)?;
        if let Outcome::Retry { delay_ms } = out {
            self.not_before.insert(number, now_ms.saturating_add(delay_ms));
        }
        Ok(out)
    }

    // ---- Complete ----

    /// Checks the done parts against the plan: every part once, each with an ETag and the
    /// planned size. A mismatch is an `upload_failed` error naming the part.
    pub fn verify_parts(&self, file: usize) -> Result<()> {
        let f = self
            .state
            .files
            .get(file)
            .ok_or_else(|| Error::invalid_argument(format!("no file {file} in this upload")))?;
        let count = f.plan.part_count();
        let fail = |m: String| {
            Err(Error::new(ErrorCode::UploadFailed, format!("{}: {m}; the upload was not completed", f.filename)))
        };
        let mut seen = vec![false; count as usize + 1];
        for p in &f.parts {
            if p.number == 0 || p.number > count {
                return fail(format!("part {} is not in the plan of {count} parts", p.number));
            }
            if std::mem::replace(&mut seen[p.number as usize], true) {
                return fail(format!("part {} is recorded twice", p.number));
            }
            if p.etag.is_empty() {
                return fail(format!("part {} has no ETag", p.number));
            }
            let want = f.plan.part(p.number).map(|x| x.len()).unwrap_or(0);
            if p.size != want {
                return fail(format!("part {} has {} bytes, the plan says {want}", p.number, p.size));
            }
        }
        if let Some(n) = (1..=count).find(|&n| !seen[n as usize]) {
            return fail(format!("part {n} of {count} is missing"));
        }
        Ok(())
    }

    pub fn complete_request(&self, now_ms: u64) -> Result<S3Request> {
        let file = self.expect_step(|s| matches!(s, Step::Complete { .. }), "CompleteMultipartUpload")?;
        self.verify_parts(file)?;
        let f = &self.state.files[file];
        let list: Vec<(u32, &str, Option<&str>)> =
            f.parts.iter().map(|p| (p.number, p.etag.as_str(), p.checksum.as_deref())).collect();
        let xml = s3xml::complete_xml(&list);
        let query = format!("uploadId={}", self.upload_id_q(file)?);
        // No Content-Type: S3 does not need one, and browsers may append a charset to it, which
        // would break a signature that covered it.
        let mut r = self.draft(S3Op::Complete, file, "POST", &query)?;
        r.body = Body::Xml { text: xml };
        self.sign(r, now_ms)
    }

    pub fn on_complete(&mut self, reply: &Reply) -> Result<Outcome> {
        let file = self.expect_step(|s| matches!(s, Step::Complete { .. }), "CompleteMultipartUpload")?;
        let key = (file, K_COMPLETE);
        match reply {
            Reply::Response { status: status @ 200..=299, body, .. } => match s3xml::parse_complete(*status, body) {
                Ok(_) => {
                    self.state.files[file].completed = true;
                    self.retries.remove(&key);
                    self.complete_unanswered = false;
                    Ok(Outcome::Done)
                }
                Err(_) => self.on_complete_error(file, reply),
            },
            Reply::Failed(_) => {
                self.complete_unanswered = true;
                self.on_failure(key, reply, "completing the upload")
            }
            Reply::Response { .. } => self.on_complete_error(file, reply),
        }
    }

    fn on_complete_error(&mut self, file: usize, reply: &Reply) -> Result<Outcome> {
        let Reply::Response { status, body, .. } = reply else {
            return self.on_failure((file, K_COMPLETE), reply, "completing the upload");
        };
        let code = s3xml::parse_error_body(body).map(|e| e.code).unwrap_or_default();
        if code == "NoSuchUpload" && self.complete_unanswered {
            // An earlier Complete went through but its answer was lost.
            self.state.files[file].completed = true;
            return Ok(Outcome::Done);
        }
        if code == "InvalidPart" || code == "InvalidPartOrder" {
            // S3 lacks a part we think it has: list again and resend what is missing, a bounded
            // number of times (Uppy #6167 looped on this forever).
            let n = self.retries.get(&(file, K_RELIST)).copied().unwrap_or(0);
            if n < self.retry.retries {
                self.retries.insert((file, K_RELIST), n + 1);
                self.needs_listing.push(file);
                return Ok(Outcome::Retry { delay_ms: 0 });
            }
            return Err(s3xml::s3_error(*status, body));
        }
        // A 200 with an error body is S3's in-flight failure (e.g. InternalError): retryable.
        let reply = if (200..300).contains(status) { Reply::status(500, body) } else { reply.clone() };
        self.on_failure((file, K_COMPLETE), &reply, "completing the upload")
    }

    // ---- ListParts (resume) ----

    /// `max_parts` is for tests of pagination (S3 caps pages at 1000).
    pub fn list_parts_request(&self, now_ms: u64, max_parts: Option<u32>) -> Result<S3Request> {
        let file = self.expect_step(|s| matches!(s, Step::ListParts { .. }), "ListParts")?;
        let marker = match &self.listing {
            Some((f, _, m)) if *f == file => *m,
            _ => None,
        };
        let mut query = String::new();
        if let Some(m) = max_parts {
            query.push_str(&format!("max-parts={m}&"));
        }
        if let Some(m) = marker {
            query.push_str(&format!("part-number-marker={m}&"));
        }
        query.push_str(&format!("uploadId={}", self.upload_id_q(file)?));
        self.sign(self.draft(S3Op::ListParts, file, "GET", &query)?, now_ms)
    }

    /// Merges one page. `Continue` asks for the next page; `Done` replaces the recorded parts
    /// with what S3 has (parts of the wrong size are dropped and sent again). A vanished
    /// multipart upload (`NoSuchUpload`) starts that file afresh.
    pub fn on_list_parts(&mut self, reply: &Reply) -> Result<Outcome> {
        let file = self.expect_step(|s| matches!(s, Step::ListParts { .. }), "ListParts")?;
        let (status, body) = match reply {
            Reply::Response { status, body, .. } => (*status, *body),
            Reply::Failed(_) => return self.on_failure((file, K_LIST), reply, "listing uploaded parts"),
        };
        if !(200..300).contains(&status) {
            if s3xml::parse_error_body(body).is_some_and(|e| e.code == "NoSuchUpload") {
                let f = &mut self.state.files[file];
                f.upload_id = None;
                f.parts.clear();
                self.finish_listing(file);
                return Ok(Outcome::Done);
            }
            return self.on_failure((file, K_LIST), reply, "listing uploaded parts");
        }
        let page = s3xml::parse_list_parts(body)?;
        let mut acc = match self.listing.take() {
            Some((f, acc, _)) if f == file => acc,
            _ => Vec::new(),
        };
        let plan = &self.state.files[file].plan;
        for p in page.parts {
            if plan.part(p.number).is_some_and(|x| x.len() == p.size)
                && !acc.iter().any(|d: &DonePart| d.number == p.number)
            {
                acc.push(DonePart { number: p.number, etag: p.etag, checksum: p.checksum_crc32c, size: p.size });
            }
        }
        self.retries.remove(&(file, K_LIST));
        match page.next_marker {
            Some(m) => {
                let prev = self.listing.as_ref().and_then(|l| l.2);
                if prev.is_some_and(|p| m <= p) {
                    return Err(Error::invalid_response("S3 ListParts pagination does not advance"));
                }
                self.listing = Some((file, acc, Some(m)));
                Ok(Outcome::Continue)
            }
            None => {
                crate::index_sort::sort_by_key(&mut acc, |p| p.number);
                self.state.files[file].parts = acc;
                self.finish_listing(file);
                Ok(Outcome::Done)
            }
        }
    }

    fn finish_listing(&mut self, file: usize) {
        self.listing = None;
        self.needs_listing.retain(|&f| f != file);
    }

    // ---- Callback ----

    /// The one callback after every file is in S3: `{s3_path, filename}` of R1 (or the file).
    pub fn callback_request(&self) -> Result<ApiRequest> {
        self.expect_step(|s| s == Step::Callback, "the callback")?;
        let f = self
            .state
            .files
            .iter()
            .find(|f| f.role != Role::R2)
            .ok_or_else(|| Error::invalid_argument("this upload has no R1 or single file"))?;
        let mut body = json!({ "s3_path": format!("s3://{}/{}", self.state.bucket, f.key), "filename": f.filename });
        if let UploadKind::Asset { name: Some(n) } = &self.state.kind {
            body["name"] = Value::String(n.clone());
        }
        Ok(ApiRequest { method: "POST", path: self.state.callback_url.clone(), body })
    }

    /// Success is HTTP 200 (its JSON names the new id; a non-JSON body is tolerated) or an
    /// "already successful" answer (a repeated callback). Transient failures retry.
    pub fn on_callback(&mut self, reply: &Reply) -> Result<Outcome> {
        self.expect_step(|s| s == Step::Callback, "the callback")?;
        if let Reply::Response { status, body, .. } = reply {
            if *status == 200 || already_successful(body) {
                let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                self.state.result_id = v
                    .get(self.state.kind.id_field())
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| self.state.sample_id.clone());
                self.state.callback_done = true;
                return Ok(Outcome::Done);
            }
        }
        let failure = s3_failure(reply);
        let n = self.retries.get(&(CALLBACK_FILE, 0)).copied().unwrap_or(0);
        let retry_after = match reply {
            Reply::Response { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        };
        match self.retry.decide(&failure, n, retry_after) {
            Decision::RetryAfter { delay_ms } => {
                self.retries.insert((CALLBACK_FILE, 0), n + 1);
                Ok(Outcome::Retry { delay_ms })
            }
            Decision::GiveUp => {
                let (code, status, msg) = match reply {
                    Reply::Failed(_) => (ErrorCode::Network, None, "the network failed".to_string()),
                    Reply::Response { status, body, .. } => (
                        ErrorCode::UploadFailed,
                        Some(*status),
                        api_message(body).unwrap_or_else(|| format!("HTTP {status}")),
                    ),
                };
                let e = Error::new(
                    code,
                    format!(
                        "the files are in S3 but the upload could not be confirmed ({msg}); resume it to confirm again"
                    ),
                );
                Err(match status {
                    Some(s) => e.with_status(s),
                    None => e,
                })
            }
        }
    }

    // ---- Cancel ----

    /// AbortMultipartUpload for every unfinished file (only on an explicit cancel).
    pub fn abort_requests(&self, now_ms: u64) -> Result<Vec<S3Request>> {
        let mut out = Vec::new();
        for (i, f) in self.state.files.iter().enumerate() {
            if !f.completed && f.upload_id.is_some() {
                let query = format!("uploadId={}", self.upload_id_q(i)?);
                out.push(self.sign(self.draft(S3Op::Abort, i, "DELETE", &query)?, now_ms)?);
            }
        }
        Ok(out)
    }

    /// An abort succeeded, or the upload was already gone (`NoSuchUpload`): either way nothing
    /// is left in S3 for that file.
    pub fn on_abort(&mut self, file: usize, reply: &Reply) -> Result<Outcome> {
        if file >= self.state.files.len() {
            return Err(Error::invalid_argument(format!("no file {file} in this upload")));
        }
        let gone = match reply {
            Reply::Response { status: 200..=299, .. } => true,
            Reply::Response { status: 404, body, .. } => {
                s3xml::parse_error_body(body).is_none_or(|e| e.code == "NoSuchUpload")
            }
            _ => false,
        };
        if gone {
            let f = &mut self.state.files[file];
            f.upload_id = None;
            f.parts.clear();
            self.retries.remove(&(file, K_ABORT));
            return Ok(Outcome::Done);
        }
        self.on_failure((file, K_ABORT), reply, "aborting the multipart upload")
    }

    /// `POST /api/v1/samples/cancel_upload` for a sample upload (documents/assets have none).
    pub fn cancel_request(&self) -> Option<ApiRequest> {
        match (&self.state.kind, &self.state.sample_id) {
            (UploadKind::Sample, Some(id)) => Some(ApiRequest {
                method: "POST",
                path: "/api/v1/samples/cancel_upload".into(),
                body: json!({ "sample_id": id }),
            }),
            _ => None,
        }
    }
}

fn api_message(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let m = v.get("msg").or_else(|| v.get("message"))?.as_str()?;
    Some(m.trim_end_matches('.').to_string())
}

fn already_successful(body: &str) -> bool {
    body.to_ascii_lowercase().contains("already successful")
}

/// The answer to `cancel_upload`: 2xx, or an error saying the upload already succeeded (then
/// there is nothing to cancel, which must not fail the caller).
pub fn on_cancel(status: u16, body: &str) -> Result<CancelOutcome> {
    if already_successful(body) {
        return Ok(CancelOutcome::AlreadySuccessful);
    }
    if (200..300).contains(&status) {
        return Ok(CancelOutcome::Cancelled);
    }
    let msg = api_message(body).unwrap_or_else(|| format!("HTTP {status}"));
    Err(Error::new(ErrorCode::UploadFailed, format!("the upload could not be cancelled: {msg}")).with_status(status))
}
