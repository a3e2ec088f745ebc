//! The shipping upload loop (`upload::driver`) run to the end over a simulated host: an
//! in-memory S3 with random faults (5xx, SlowDown, dropped connections, stalls, bytes corrupted
//! in transit, lost answers), several parts in flight answered out of order, and the process
//! "killed" and resumed from the saved JSON. The stored object must equal the input byte for
//! byte, whatever happened. Scenarios below drive the same loop through pause, cancel, offline,
//! stalls, retry exhaustion and stream inputs.

use onecodex_core::http::config::{BaseUrl, Credentials};
use onecodex_core::http::retry::RetryPolicy;
use onecodex_core::http::session::{Api, ClientConfig};
use onecodex_core::http::transport::Transport;
use onecodex_core::http::{Request, Response};
use onecodex_core::upload::checksum::{ChecksumKind, PartHasher, MAX_CHUNK};
use onecodex_core::upload::driver::{
    part_report_due, resume_order, resume_session, Driver, Phase, S3Answer, S3Response, Settings, Start, UploadIo,
};
use onecodex_core::upload::encode::hex;
use onecodex_core::upload::init::InitParams;
use onecodex_core::upload::plan::{SourceSlice, MIB};
use onecodex_core::upload::request::{Body, S3Op, S3Request};
use onecodex_core::upload::s3xml;
use onecodex_core::upload::session::*;
use onecodex_core::{Error, ErrorCode, Result};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// Parts of one multipart upload: number -> (ETag, bytes).
type Parts = BTreeMap<u32, (String, Vec<u8>)>;

#[derive(Default)]
struct FakeS3 {
    uploads: BTreeMap<String, (String, Parts)>, // id -> (key, parts)
    objects: BTreeMap<String, Vec<u8>>,
    next_id: u32,
    faults_fired: u32,
}

struct Resp {
    status: u16,
    body: String,
    etag: Option<String>,
}

fn query<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    url.split_once('?')?.1.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn err(status: u16, code: &str) -> Resp {
    Resp { status, body: format!("<Error><Code>{code}</Code><Message>simulated</Message></Error>"), etag: None }
}

fn crc_b64(bytes: &[u8]) -> String {
    let mut h = PartHasher::new(ChecksumKind::Crc32c);
    for c in bytes.chunks(MAX_CHUNK) {
        h.update(c).unwrap();
    }
    h.finish().value
}

impl FakeS3 {
    fn handle(&mut self, r: &S3Request, body: &[u8]) -> Resp {
        let key = r.url.split_once("/bucket").unwrap().1.trim_start_matches('/').split('?').next().unwrap().to_string();
        let id = query(&r.url, "uploadId").map(|u| u.replace("%2F", "/"));
        let checksum = r.headers.iter().find(|(k, _)| k == "x-amz-checksum-crc32c").map(|(_, v)| v.clone());
        match r.op {
            S3Op::PutObject => {
                if checksum.as_deref() != Some(&crc_b64(body)) {
                    return err(400, "BadDigest");
                }
                self.objects.insert(key, body.to_vec());
                Resp { status: 200, body: String::new(), etag: Some("\"put\"".into()) }
            }
            S3Op::CreateMultipart => {
                self.next_id += 1;
                let id = format!("u/{}", self.next_id);
                self.uploads.insert(id.clone(), (key, BTreeMap::new()));
                Resp {
                    status: 200,
                    body: format!(
                        "<InitiateMultipartUploadResult><UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
                    ),
                    etag: None,
                }
            }
            S3Op::UploadPart => {
                let n: u32 = query(&r.url, "partNumber").unwrap().parse().unwrap();
                let Some((_, parts)) = self.uploads.get_mut(&id.unwrap()) else {
                    return err(404, "NoSuchUpload");
                };
                if checksum.as_deref() != Some(&crc_b64(body)) {
                    return err(400, "BadDigest");
                }
                let etag = format!("\"{}\"", hex(&(body.len() as u64 ^ n as u64).to_be_bytes()));
                parts.insert(n, (etag.clone(), body.to_vec()));
                Resp { status: 200, body: String::new(), etag: Some(etag) }
            }
            S3Op::ListParts => {
                let Some((_, parts)) = self.uploads.get(&id.unwrap()) else {
                    return err(404, "NoSuchUpload");
                };
                let max: usize = query(&r.url, "max-parts").map(|m| m.parse().unwrap()).unwrap_or(1000);
                let marker: u32 = query(&r.url, "part-number-marker").map(|m| m.parse().unwrap()).unwrap_or(0);
                let page: Vec<_> = parts.range(marker + 1..).take(max + 1).collect();
                let truncated = page.len() > max;
                let mut xml = format!("<ListPartsResult><IsTruncated>{truncated}</IsTruncated>");
                for (n, (etag, bytes)) in page.iter().take(max) {
                    xml.push_str(&format!(
                        "<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag><Size>{}</Size></Part>",
                        bytes.len()
                    ));
                }
                if truncated {
                    xml.push_str(&format!("<NextPartNumberMarker>{}</NextPartNumberMarker>", page[max - 1].0));
                }
                xml.push_str("</ListPartsResult>");
                Resp { status: 200, body: xml, etag: None }
            }
            S3Op::Complete => {
                let id = id.unwrap();
                let Some((key, parts)) = self.uploads.get(&id) else {
                    return err(404, "NoSuchUpload");
                };
                let Body::Xml { text } = &r.body else { panic!() };
                let mut object = Vec::new();
                let mut last = 0;
                for p in s3xml::elements(text, "Part") {
                    let n: u32 = s3xml::text(p, "PartNumber").unwrap().parse().unwrap();
                    assert!(n > last, "parts must ascend");
                    last = n;
                    match parts.get(&n) {
                        Some((etag, bytes)) if Some(etag.as_str()) == s3xml::text(p, "ETag").as_deref() => {
                            object.extend_from_slice(bytes)
                        }
                        _ => return err(400, "InvalidPart"),
                    }
                }
                let key = key.clone();
                self.uploads.remove(&id);
                self.objects.insert(key, object);
                Resp {
                    status: 200,
                    body: "<CompleteMultipartUploadResult><ETag>\"x\"</ETag></CompleteMultipartUploadResult>".into(),
                    etag: None,
                }
            }
            S3Op::Abort => {
                self.uploads.remove(&id.unwrap());
                Resp { status: 204, body: String::new(), etag: None }
            }
            S3Op::ListUploads => {
                let prefix = query(&r.url, "prefix").unwrap_or("").replace("%2F", "/");
                let uploads: String = self
                    .uploads
                    .iter()
                    .filter(|(_, (k, _))| k.starts_with(&prefix))
                    .map(|(id, (k, _))| {
                        let n: u64 = id.trim_start_matches("u/").parse().unwrap();
                        format!("<Upload><Key>{k}</Key><UploadId>{id}</UploadId><Initiated>2026-01-01T00:00:{n:02}.000Z</Initiated></Upload>")
                    })
                    .collect();
                Resp {
                    status: 200,
                    body: format!("<ListMultipartUploadsResult>{uploads}</ListMultipartUploadsResult>"),
                    etag: None,
                }
            }
        }
    }
}

/// What the simulated network does to each request.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Per mille: no answer (network or stall), a 5xx, corrupted part bytes, a lost answer.
    dropped: u64,
    server: u64,
    corrupt: u64,
    lost: u64,
    /// Per mille per answer: the process dies (answers in flight are lost).
    kill: u64,
}

const RANDOM: Faults = Faults { dropped: 70, server: 70, corrupt: 70, lost: 20, kill: 30 };

fn timeout() -> Error {
    Error::new(ErrorCode::Timeout, "no progress (simulated stall)")
}

fn network() -> Error {
    Error::new(ErrorCode::Network, "connection reset (simulated)")
}

/// Sends `r` through the faulty network.
fn transmit(s3: &mut FakeS3, rng: &mut Rng, f: Faults, r: &S3Request, body: &[u8]) -> S3Answer {
    if rng.chance(f.dropped) {
        s3.faults_fired += 1;
        return Err(if rng.chance(500) { network() } else { timeout() });
    }
    if rng.chance(f.server) {
        s3.faults_fired += 1;
        return Ok(answer(if rng.chance(500) { err(500, "InternalError") } else { err(503, "SlowDown") }));
    }
    if r.op == S3Op::UploadPart && rng.chance(f.corrupt) && !body.is_empty() {
        s3.faults_fired += 1;
        let mut bad = body.to_vec();
        bad[0] ^= 1;
        return Ok(answer(s3.handle(r, &bad)));
    }
    let resp = s3.handle(r, body);
    if rng.chance(f.lost) {
        s3.faults_fired += 1;
        return Err(network()); // done, but the answer is lost
    }
    Ok(answer(resp))
}

fn answer(r: Resp) -> S3Response {
    S3Response { status: r.status, body: r.body, etag: r.etag, bucket_region: None, retry_after_ms: None }
}

/// A scripted fault for the scenarios: what the nth request of an op gets instead of S3.
type Script = Box<dyn Fn(&S3Request, u32) -> Option<S3Answer>>;

/// What a scenario does after the nth answer was taken.
type Hook = Box<dyn Fn(&SimIo, u32)>;

/// The host of the simulated upload.
struct SimIo {
    s3: RefCell<FakeS3>,
    rng: RefCell<Rng>,
    faults: Faults,
    /// Bytes per input file, per source (file parts); stream bytes for a stream input.
    data: Vec<Vec<Vec<u8>>>,
    stream: Vec<u8>,
    stream_at: Cell<usize>,
    /// The session's file i reads input `handles[i]`.
    handles: RefCell<Vec<usize>>,
    pending: RefCell<Vec<(u32, S3Answer, bool)>>,
    clock: Cell<u64>,
    sleeps: RefCell<Vec<u64>>,
    killed: Cell<bool>,
    kill_at: Cell<Option<u32>>,
    answers: Cell<u32>,
    paused: Cell<bool>,
    cancelled: Cell<bool>,
    offline: Cell<bool>,
    online_waits: Cell<u32>,
    resumed: Cell<u32>,
    phases: RefCell<Vec<&'static str>>,
    states: RefCell<Vec<String>>,
    closed: Cell<u32>,
    /// Every request started: op, part number, clock.
    sent: RefCell<Vec<(S3Op, Option<u32>, u64)>>,
    /// Called after each answer is taken: scenarios pause, cancel or go offline from here.
    on_answer: RefCell<Option<Hook>>,
    script: Option<Script>,
    /// S3 handles the nth request of this op, and its answer is lost.
    lose_answer: Cell<Option<(S3Op, u32)>>,
}

impl SimIo {
    fn new(seed: u64, faults: Faults, data: Vec<Vec<Vec<u8>>>) -> SimIo {
        SimIo {
            s3: RefCell::new(FakeS3::default()),
            rng: RefCell::new(Rng(seed)),
            faults,
            handles: RefCell::new((0..data.len()).collect()),
            data,
            stream: Vec::new(),
            stream_at: Cell::new(0),
            pending: RefCell::new(Vec::new()),
            clock: Cell::new(1_000_000),
            sleeps: RefCell::new(Vec::new()),
            killed: Cell::new(false),
            kill_at: Cell::new(None),
            answers: Cell::new(0),
            paused: Cell::new(false),
            cancelled: Cell::new(false),
            offline: Cell::new(false),
            online_waits: Cell::new(0),
            resumed: Cell::new(0),
            phases: RefCell::new(Vec::new()),
            states: RefCell::new(Vec::new()),
            closed: Cell::new(0),
            sent: RefCell::new(Vec::new()),
            on_answer: RefCell::new(None),
            script: None,
            lose_answer: Cell::new(None),
        }
    }

    fn sources(&self, file: usize) -> &[Vec<u8>] {
        let h = self.handles.borrow()[file];
        &self.data[h]
    }

    fn count(&self, op: S3Op) -> usize {
        self.sent.borrow().iter().filter(|x| x.0 == op).count()
    }

    /// The process died: answers in flight are gone; the host starts again.
    fn restart(&self) {
        self.pending.borrow_mut().clear();
        self.killed.set(false);
    }
}

impl UploadIo for SimIo {
    type Part = Rc<Vec<u8>>;

    async fn read_part(&self, file: usize, slices: &[SourceSlice], len: u64) -> Result<Self::Part> {
        let src = self.sources(file);
        let mut out = Vec::new();
        for s in slices {
            out.extend_from_slice(&src[s.source][s.start as usize..s.end as usize]);
        }
        assert_eq!(out.len() as u64, len);
        Ok(Rc::new(out))
    }

    async fn read_stream_part(&self, _file: usize, size: u64) -> Result<(Self::Part, u64, bool)> {
        let at = self.stream_at.get();
        let end = (at + size as usize).min(self.stream.len());
        self.stream_at.set(end);
        let bytes = self.stream[at..end].to_vec();
        let len = bytes.len() as u64;
        Ok((Rc::new(bytes), len, end == self.stream.len()))
    }

    async fn read_chunk(&self, part: &Self::Part, start: u64, end: u64, buf: &mut Vec<u8>) -> Result<()> {
        assert!(end - start <= MAX_CHUNK as u64, "chunks of at most 1 MiB");
        buf.clear();
        buf.extend_from_slice(&part[start as usize..end as usize]);
        Ok(())
    }

    fn release_part(&self, _file: usize, _part: &Self::Part) {}

    fn start_send(&self, tag: u32, request: &S3Request, part: Option<&Self::Part>, abortable: bool) {
        let body: &[u8] = part.map_or(&[], |p| p.as_slice());
        if let Body::Part { len, .. } = &request.body {
            assert_eq!(*len, body.len() as u64, "the part sent is the part signed");
        }
        let nth = self.count(request.op) as u32;
        self.sent.borrow_mut().push((request.op, request.part_number, self.clock.get()));
        let scripted = self.script.as_ref().and_then(|f| f(request, nth));
        let mut answer = match scripted {
            Some(a) => a,
            None => transmit(&mut self.s3.borrow_mut(), &mut self.rng.borrow_mut(), self.faults, request, body),
        };
        if self.lose_answer.get() == Some((request.op, nth)) {
            answer = Err(network());
        }
        self.pending.borrow_mut().push((tag, answer, abortable));
    }

    async fn next_answer(&self) -> Result<(u32, S3Answer)> {
        if self.killed.get() {
            return Err(Error::new(ErrorCode::Internal, "killed"));
        }
        let n = self.answers.get() + 1;
        self.answers.set(n);
        if self.kill_at.get() == Some(n) || self.rng.borrow_mut().chance(self.faults.kill) {
            self.killed.set(true);
            return Err(Error::new(ErrorCode::Internal, "killed"));
        }
        let len = self.pending.borrow().len();
        assert!(len > 0, "the loop waits for an answer with nothing in flight");
        // Answers arrive in any order.
        let i = (self.rng.borrow_mut().next() % len as u64) as usize;
        let (tag, answer, _) = self.pending.borrow_mut().remove(i);
        self.clock.set(self.clock.get() + 100);
        if let Some(f) = self.on_answer.borrow().as_ref() {
            f(self, n);
        }
        Ok((tag, answer))
    }

    fn abort_sends(&self) {
        for p in self.pending.borrow_mut().iter_mut().filter(|p| p.2) {
            p.1 = Err(Error::new(ErrorCode::Aborted, "aborted"));
        }
    }

    async fn sleep(&self, ms: u64, abortable: bool) -> bool {
        self.sleeps.borrow_mut().push(ms);
        self.clock.set(self.clock.get() + ms);
        !(abortable && (self.paused.get() || self.cancelled.get()))
    }

    fn now_ms(&self) -> u64 {
        self.clock.get()
    }

    fn is_offline(&self) -> bool {
        self.offline.get()
    }

    async fn wait_online(&self) {
        self.online_waits.set(self.online_waits.get() + 1);
        self.offline.set(false);
    }

    fn paused(&self) -> bool {
        self.paused.get()
    }

    fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    async fn until_resumed(&self) {
        self.resumed.set(self.resumed.get() + 1);
        self.paused.set(false);
    }

    fn progress(&self, phase: Phase, _progress: Option<Progress>, force: bool) {
        if force && self.phases.borrow().last() != Some(&phase.as_str()) {
            self.phases.borrow_mut().push(phase.as_str());
        }
    }

    fn state_changed(&self, state_json: &str) {
        self.states.borrow_mut().push(state_json.to_string());
    }

    async fn close_inputs(&self) {
        self.closed.set(self.closed.get() + 1);
    }
}

/// The API side: init, the callback, the new sample, cancel_upload.
#[derive(Default)]
struct FakeApi {
    calls: RefCell<Vec<String>>,
}

impl Transport for FakeApi {
    async fn send(&self, request: &Request) -> Result<Response> {
        let path =
            request.url.split_once("127.0.0.1:1").map_or("", |x| x.1).split('?').next().unwrap_or("").to_string();
        self.calls.borrow_mut().push(path.clone());
        let body = match path.as_str() {
            "/api/v1/samples/init_multipart_upload" => json!({
                "sample_id": "s1", "s3_bucket": "bucket", "file_id": "k/r1", "paired_end_file_id": "k/r2",
                "upload_aws_access_key_id": "AK", "upload_aws_secret_access_key": "SK", "callback_url": "/cb"
            }),
            "/cb" => json!({ "sample_id": "s1" }),
            "/api/v1/samples/s1" => json!({ "$uri": "/api/v1/samples/s1" }),
            "/api/v1/samples/cancel_upload" => json!({}),
            other => panic!("unexpected API call {other}"),
        };
        Ok(Response { status: 200, headers: vec![], body: body.to_string().into_bytes() })
    }
    async fn sleep(&self, _ms: f64) -> Result<()> {
        Ok(())
    }
    fn now_ms(&self) -> f64 {
        0.0
    }
}

fn api() -> Api<FakeApi> {
    let config = ClientConfig {
        credentials: Credentials::ApiKey("k".into()),
        base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(),
        ..Default::default()
    };
    Api::new(config, FakeApi::default())
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
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

fn specs_of(sizes: &[&[u64]]) -> Vec<FileSpec> {
    let names = if sizes.len() == 2 { vec!["s_R1.fq", "s_R2.fq"] } else { vec!["s.fq"] };
    sizes
        .iter()
        .zip(&names)
        .map(|(s, n)| FileSpec { name: (*n).into(), sources: s.to_vec(), last_modified_ms: None })
        .collect()
}

fn options(retry: RetryPolicy) -> UploadOptions {
    UploadOptions {
        part_size: Some(5 * MIB),
        endpoint: Some("http://s3.local/".into()),
        retry,
        ..UploadOptions::default()
    }
}

/// Prepared files and their bytes (in the session's order, R2 first).
fn prepared_with_data(seed: u64, sizes: &[&[u64]], retry: RetryPolicy) -> (Prepared, Vec<Vec<Vec<u8>>>) {
    let mut data_rng = Rng(seed ^ 0x9E37_79B9);
    let prepared = prepare(UploadKind::Sample, &specs_of(sizes), options(retry)).unwrap();
    let data = prepared
        .files
        .iter()
        .map(|f| f.plan.sources.iter().map(|&n| (0..n).map(|_| data_rng.next() as u8).collect()).collect())
        .collect();
    (prepared, data)
}

fn new_upload(prepared: Prepared) -> Start {
    Start::New { prepared: Box::new(prepared), params: InitParams { tags: vec![], ..Default::default() } }
}

fn settings(concurrency: usize) -> Settings {
    Settings { concurrency, list_parts_page: Some(2) }
}

/// Checks S3 holds every file's bytes exactly.
fn assert_stored(io: &SimIo, state: &UploadState, what: &str) {
    let s3 = io.s3.borrow();
    for (i, f) in state.files.iter().enumerate() {
        let want: Vec<u8> = io.sources(i).concat();
        let got = s3.objects.get(&f.key).unwrap_or_else(|| panic!("{what}: no object {}", f.key));
        assert!(got == &want, "{what}: object {} differs ({} vs {} bytes)", f.key, got.len(), want.len());
    }
}

/// Runs one upload to the end through the driver; returns (faults fired, resumes).
fn run(seed: u64, sizes: &[&[u64]], concurrency: usize) -> (u32, u32) {
    let (prepared, data) = prepared_with_data(seed, sizes, RetryPolicy::upload());
    // The files as the user picks them again on resume: in their own order, not the session's.
    let user_specs = specs_of(sizes);
    let user_handles: Vec<usize> =
        user_specs.iter().map(|u| prepared.files.iter().position(|f| f.fingerprint.name == u.name).unwrap()).collect();
    let io = SimIo::new(seed, RANDOM, data);
    io.kill_at.set(Some((2 + seed % 4) as u32));
    let api = api();
    let slot = RefCell::new(None);
    let mut resumes = 0;
    let mut start = new_upload(prepared);
    let mut outcome = None;
    for _ in 0..10_000 {
        let out = block_on(Driver::new(&api, &io, &slot, settings(concurrency)).run(start));
        match out {
            Ok(obj) => {
                outcome = Some(obj);
                break;
            }
            Err(e) => {
                if e.message != "killed" {
                    // Retries ran out: the user resumes later.
                    assert!(
                        matches!(
                            e.code,
                            ErrorCode::Network | ErrorCode::Timeout | ErrorCode::S3Error | ErrorCode::ChecksumMismatch
                        ),
                        "{e}"
                    );
                    io.clock.set(io.clock.get() + 60_000);
                }
                io.restart();
                resumes += 1;
                // Resume from the saved JSON, the files picked again in the user's order.
                let saved = slot.borrow().as_ref().map(Session::state_json).expect("init done before any fault");
                let state = UploadState::from_json(&saved).unwrap();
                let (specs, handles) = resume_order(&state, user_specs.clone(), user_handles.clone());
                *io.handles.borrow_mut() = handles;
                let session = block_on(resume_session(&io, state, &specs, RetryPolicy::upload())).unwrap();
                *slot.borrow_mut() = Some(session);
                start = Start::Resumed;
            }
        }
    }
    assert_eq!(outcome, Some(json!({ "$uri": "/api/v1/samples/s1" })), "seed {seed} did not finish");
    let state = slot.borrow().as_ref().unwrap().state().clone();
    assert!(state.callback_done);
    assert_stored(&io, &state, &format!("seed {seed}"));
    // Nothing is left behind: a CreateMultipartUpload whose answer was lost is found with
    // ListMultipartUploads and used, not created again. (A process killed between a lost
    // create and the look for it starts over and leaves that empty one to S3's lifecycle rules.)
    for (id, (_, parts)) in &io.s3.borrow().uploads {
        assert!(parts.is_empty() && resumes > 0, "seed {seed}: upload {id} left behind ({} parts)", parts.len());
    }
    let faults = io.s3.borrow().faults_fired;
    (faults, resumes)
}

#[test]
fn uploads_survive_random_faults_and_restarts() {
    let mut faults = 0;
    let mut resumes = 0;
    for seed in 1..=10u64 {
        let (f, r) = run(seed * 7919, &[&[10 * MIB + 17]], 1 + (seed as usize % 4));
        faults += f;
        resumes += r;
    }
    // The faults really fired, and so did restarts.
    assert!(faults > 10, "{faults} faults");
    assert!(resumes >= 10, "{resumes} resumes");
}

#[test]
fn paired_lane_uploads_survive_random_faults() {
    for seed in 1..=4u64 {
        run(seed * 104_729, &[&[7 * MIB + 1, 3 * MIB, 4 * MIB + 5], &[6 * MIB + 2]], 3);
        run(seed * 31, &[&[100], &[2 * MIB]], 2);
    }
}

/// A clean network with `script` deciding some answers: one run of the driver.
fn scenario(
    sizes: &[&[u64]],
    retry: RetryPolicy,
    script: Option<Script>,
) -> (SimIo, Api<FakeApi>, RefCell<Option<Session>>, Start) {
    let (prepared, data) = prepared_with_data(7, sizes, retry);
    let mut io = SimIo::new(7, Faults::default(), data);
    io.script = script;
    (io, api(), RefCell::new(None), new_upload(prepared))
}

fn part_put(r: &S3Request) -> bool {
    r.op == S3Op::UploadPart
}

#[test]
fn a_failed_part_is_retried_on_the_schedule_until_retries_run_out() {
    // Every attempt at part 2 fails with a 500: 1 + 2 retries, waiting 0 then 1000 ms, then the
    // upload fails with the S3 error, resumable (nothing aborted).
    let script: Script =
        Box::new(|r, _| (part_put(r) && r.part_number == Some(2)).then(|| Ok(answer(err(500, "InternalError")))));
    let (io, api, slot, start) = scenario(&[&[15 * MIB]], RetryPolicy::upload_waits(vec![0.0, 1000.0]), Some(script));
    let e = block_on(Driver::new(&api, &io, &slot, settings(1)).run(start)).unwrap_err();
    assert_eq!(e.code, ErrorCode::S3Error, "{e}");
    let at: Vec<u64> = io.sent.borrow().iter().filter(|x| x.1 == Some(2)).map(|x| x.2).collect();
    assert_eq!(at.len(), 3, "the first attempt and two retries");
    assert!(at[2] - at[1] >= 1000, "the second retry waits 1000 ms: sent at {at:?}");
    assert_eq!(io.count(S3Op::Abort), 0, "a failure keeps the multipart upload for resume");
    assert_eq!(io.closed.get(), 1, "the inputs are closed");
    let state = slot.borrow().as_ref().unwrap().state().clone();
    assert_eq!(state.files[0].parts.len(), 2, "parts 1 and 3 are done");
}

#[test]
fn a_stalled_part_is_cut_off_and_sent_again_and_stalls_end_as_timeout() {
    // The host cuts off part 1 twice for no progress: retried, then the upload completes.
    let stalls = Rc::new(Cell::new(0));
    let seen = stalls.clone();
    let script: Script = Box::new(move |r, _| {
        if part_put(r) && r.part_number == Some(1) && seen.get() < 2 {
            seen.set(seen.get() + 1);
            return Some(Err(timeout()));
        }
        None
    });
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload(), Some(script));
    block_on(Driver::new(&api, &io, &slot, settings(2)).run(start)).unwrap();
    assert_eq!(stalls.get(), 2);
    assert_stored(&io, slot.borrow().as_ref().unwrap().state(), "stalls");
    // With no retries, a stall fails the upload as a timeout.
    let script: Script = Box::new(|r, _| part_put(r).then(|| Err(timeout())));
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload_waits(vec![]), Some(script));
    let e = block_on(Driver::new(&api, &io, &slot, settings(1)).run(start)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
}

#[test]
fn an_unrecognised_failure_is_not_retried_and_surfaces_as_internal() {
    let script: Script =
        Box::new(|r, _| part_put(r).then(|| Err(Error::new(ErrorCode::Internal, "TypeError: x is undefined"))));
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload(), Some(script));
    let e = block_on(Driver::new(&api, &io, &slot, settings(1)).run(start)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal, "{e}");
    assert_eq!(io.count(S3Op::UploadPart), 1, "sent once, never again");
    assert!(io.sleeps.borrow().is_empty(), "no backoff: {:?}", io.sleeps.borrow());
}

#[test]
fn offline_failures_wait_for_the_network_without_counting_a_retry() {
    // Part 1 fails while the host is offline, twice; with no retries allowed the upload still
    // completes, because an offline failure is not the part's fault.
    let drops = Rc::new(Cell::new(0));
    let seen = drops.clone();
    let script: Script = Box::new(move |r, _| {
        if part_put(r) && r.part_number == Some(1) && seen.get() < 2 {
            seen.set(seen.get() + 1);
            return Some(Err(network()));
        }
        None
    });
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload_waits(vec![]), Some(script));
    *io.on_answer.borrow_mut() = Some(Box::new(|io: &SimIo, n| {
        if n <= 3 {
            io.offline.set(true);
        }
    }));
    block_on(Driver::new(&api, &io, &slot, settings(1)).run(start)).unwrap();
    assert_eq!(drops.get(), 2);
    assert!(io.online_waits.get() >= 2, "{} waits", io.online_waits.get());
    assert_stored(&io, slot.borrow().as_ref().unwrap().state(), "offline");
}

#[test]
fn pause_cuts_off_parts_in_flight_and_resume_sends_them_again() {
    let (io, api, slot, start) = scenario(&[&[22 * MIB]], RetryPolicy::upload_waits(vec![]), None);
    *io.on_answer.borrow_mut() = Some(Box::new(|io: &SimIo, n| {
        if n == 3 {
            io.paused.set(true);
            io.abort_sends();
        }
    }));
    block_on(Driver::new(&api, &io, &slot, settings(3)).run(start)).unwrap();
    assert_eq!(io.resumed.get(), 1);
    let phases = io.phases.borrow().clone();
    assert_eq!(phases, ["init", "uploading", "paused", "uploading", "finalizing", "done"]);
    // Parts cut off by the pause were sent again although no retries are allowed.
    assert!(io.count(S3Op::UploadPart) > 5, "{} part requests", io.count(S3Op::UploadPart));
    assert_stored(&io, slot.borrow().as_ref().unwrap().state(), "pause");
}

#[test]
fn cancel_aborts_the_multipart_upload_and_tells_the_api() {
    let (io, api, slot, start) = scenario(&[&[22 * MIB]], RetryPolicy::upload(), None);
    *io.on_answer.borrow_mut() = Some(Box::new(|io: &SimIo, n| {
        if n == 3 {
            io.cancelled.set(true);
            io.abort_sends();
        }
    }));
    let e = block_on(Driver::new(&api, &io, &slot, settings(2)).run(start)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Aborted, "{e}");
    assert_eq!(io.count(S3Op::Abort), 1, "the multipart upload is aborted");
    assert!(io.s3.borrow().uploads.is_empty(), "nothing is left in S3");
    assert_eq!(api.transport.calls.borrow().last().map(String::as_str), Some("/api/v1/samples/cancel_upload"));
    assert!(!api.transport.calls.borrow().iter().any(|c| c == "/cb"), "no callback after a cancel");
}

#[test]
fn a_stream_input_is_read_once_in_parts_kept_until_s3_has_them() {
    // Parts of a stream fail once each: sent again from the kept bytes (a stream cannot be
    // read again), and the stored object is the whole stream.
    let failed = Rc::new(RefCell::new(Vec::<u32>::new()));
    let seen = failed.clone();
    let script: Script = Box::new(move |r, _| {
        let n = r.part_number?;
        if part_put(r) && !seen.borrow().contains(&n) {
            seen.borrow_mut().push(n);
            return Some(Ok(answer(err(503, "SlowDown"))));
        }
        None
    });
    let specs = vec![FileSpec { name: "s.fq".into(), sources: vec![], last_modified_ms: None }];
    let prepared = prepare(UploadKind::Sample, &specs, options(RetryPolicy::upload())).unwrap();
    let mut io = SimIo::new(3, Faults::default(), vec![vec![]]);
    io.script = Some(script);
    let mut rng = Rng(99);
    io.stream = (0..(11 * MIB + 3)).map(|_| rng.next() as u8).collect();
    let (api, slot) = (api(), RefCell::new(None));
    block_on(Driver::new(&api, &io, &slot, settings(2)).run(new_upload(prepared))).unwrap();
    assert_eq!(failed.borrow().len(), 3, "three parts, each failed once");
    let state = slot.borrow().as_ref().unwrap().state().clone();
    let s3 = io.s3.borrow();
    assert!(s3.objects.get(&state.files[0].key) == Some(&io.stream), "the stored object is the stream");
}

/// Parts done in the saved state (`onStateChange`'s JSON).
fn parts_in(state_json: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(state_json).unwrap();
    v["files"].as_array().unwrap().iter().map(|f| f["parts"].as_array().map_or(0, Vec::len)).sum()
}

#[test]
fn every_part_is_reported_in_a_small_upload_and_every_2_percent_in_a_large_one() {
    // 12 parts: a report after every one (onStateChange sees 1, 2, … 12 parts).
    let (io, api, slot, start) = scenario(&[&[56 * MIB]], RetryPolicy::upload(), None);
    block_on(Driver::new(&api, &io, &slot, settings(2)).run(start)).unwrap();
    let parts = slot.borrow().as_ref().unwrap().state().files[0].parts.len();
    assert!(parts >= 10, "{parts} parts");
    let counts: Vec<usize> = io.states.borrow().iter().map(|s| parts_in(s)).collect();
    for n in 1..=parts {
        assert!(counts.contains(&n), "a report with {n} parts: {counts:?}");
    }
    // The rule for large ones, at S3's 10,000 parts: reports stay linear in the parts.
    let (mut unreported, mut reports) = (0, 0);
    for done in 1..=10_000u32 {
        unreported += 1;
        if part_report_due(unreported, done) {
            reports += 1;
            unreported = 0;
        }
    }
    assert!((50..=300).contains(&reports), "{reports} reports for 10,000 parts");
    assert!((1..=50).all(|d| part_report_due(1, d)), "up to 50 parts, every part");
}

#[test]
fn a_lost_create_multipart_answer_is_found_not_made_twice() {
    // S3 creates the multipart upload, the answer is lost: the upload asks S3 for the key's
    // uploads, adopts that one, and leaves nothing behind.
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload(), None);
    io.lose_answer.set(Some((S3Op::CreateMultipart, 0)));
    block_on(Driver::new(&api, &io, &slot, settings(2)).run(start)).unwrap();
    assert_eq!((io.count(S3Op::CreateMultipart), io.count(S3Op::ListUploads)), (1, 1));
    assert!(io.s3.borrow().uploads.is_empty(), "no multipart upload left behind");
    assert_stored(&io, slot.borrow().as_ref().unwrap().state(), "lost create");

    // The request never reached S3: nothing is found, and the create is sent again.
    let script: Script = Box::new(|r, nth| (r.op == S3Op::CreateMultipart && nth == 0).then(|| Err(network())));
    let (io, api, slot, start) = scenario(&[&[12 * MIB]], RetryPolicy::upload(), Some(script));
    block_on(Driver::new(&api, &io, &slot, settings(2)).run(start)).unwrap();
    assert_eq!((io.count(S3Op::CreateMultipart), io.count(S3Op::ListUploads)), (2, 1));
    assert!(io.s3.borrow().uploads.is_empty());
    assert_stored(&io, slot.borrow().as_ref().unwrap().state(), "create not received");
}
