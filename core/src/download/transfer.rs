//! Pre-signed downloads: which request to make next,
//! whether a response may be written, how long to wait before retrying, and where to resume.
//! The bytes themselves never come here: `DownloadIo` (JavaScript in the wasm build) streams each
//! body into its sink and reports only counts.

use crate::error::{Error, ErrorCode, Result};
use crate::http::retry::{retry_after_ms, RetryPolicy};
use crate::http::{Method, Request};

/// Status and headers of one response; its body stays with the `DownloadIo`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The host side of a download: send a GET, stream the body of the response just opened into
/// the sink, or read a (bounded) error body.
#[allow(async_fn_in_trait)]
pub trait DownloadIo {
    /// Errors: `network`, `timeout`, `aborted`.
    async fn open(&self, request: &Request) -> Result<Head>;
    /// Streams the open body into the sink, dropping its first `skip` bytes; `offset` is how many
    /// bytes the sink already holds (for progress). Returns the bytes written and how it ended:
    /// `network`/`timeout` failures are retried, anything else (aborted, a sink error) is final.
    async fn pump(&self, skip: u64, offset: u64, total: Option<u64>) -> (u64, Result<()>);
    /// The start of an error response's body (for the message), and releases the response.
    async fn error_body(&self) -> String;
    async fn sleep(&self, ms: f64) -> Result<()>;
    fn now_ms(&self) -> f64;
    /// A fresh link for the same file (pre-signed links expire during long downloads), or None
    /// when there is no way to ask for one.
    async fn renew_link(&self) -> Result<Option<String>>;
    /// Notes which object the sink is receiving (its ETag and size), so that a later run can
    /// continue a partial file only if the object is unchanged. Sinks that cannot outlive the
    /// run ignore it.
    async fn record(&self, _etag: Option<&str>, _total: Option<u64>) -> Result<()> {
        Ok(())
    }
    /// Empties the sink: the partial body an earlier run left is of another version of the object.
    async fn restart(&self) -> Result<()> {
        Err(Error::new(ErrorCode::Internal, "this download cannot start over"))
    }
}

/// What an earlier, interrupted run left in the sink: how many bytes, and the identity of the
/// object they came from (as recorded through [`DownloadIo::record`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Partial {
    pub bytes: u64,
    pub etag: Option<String>,
    pub total: Option<u64>,
}

/// How many times one download may ask for a fresh link.
pub const MAX_RENEWALS: u32 = 3;

/// What the state machine says about a response head.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Write the body, after dropping `skip` bytes (a server that ignored our Range).
    Write { skip: u64 },
    /// Nothing left to fetch (a 416 when all bytes are already here).
    Finished,
    /// Read the body for the message, then retry after `delay_ms` (or fail when out of retries).
    Retry,
    /// Read the body for the message, then fail.
    Fail,
    /// The bytes from an earlier run are of another version of the object: empty the sink and
    /// ask again from the start.
    Restart,
}

/// Progress of one download across attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadState {
    url: String,
    /// Bytes already in the sink.
    pub received: u64,
    /// The full size, once a response said it.
    pub total: Option<u64>,
    etag: Option<String>,
    /// Failed attempts since the last one that delivered bytes.
    failures: u32,
    pub attempts: u32,
    /// Attempts that continued a partial body with a Range request.
    pub resumed: u32,
    pub renewals: u32,
    /// True once the link answered with a body: a later 401/403 means it expired.
    link_worked: bool,
    /// `received` came from an earlier run and is not yet confirmed by a response of the same
    /// object: a mismatch then starts over instead of failing.
    from_earlier: bool,
}

impl DownloadState {
    pub fn new(url: &str) -> Result<Self> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::invalid_response(format!(
                "the download link is not an http(s) URL: {}",
                describe_url(url)
            )));
        }
        Ok(DownloadState {
            url: url.to_string(),
            received: 0,
            total: None,
            etag: None,
            failures: 0,
            attempts: 0,
            resumed: 0,
            renewals: 0,
            link_worked: false,
            from_earlier: false,
        })
    }

    /// Continues the partial body of an earlier run (its identity is checked on the first
    /// response). A partial without an ETag cannot be checked, so it is not used.
    pub fn continuing(url: &str, partial: &Partial) -> Result<Self> {
        let mut state = DownloadState::new(url)?;
        if partial.bytes > 0 && partial.etag.is_some() {
            state.received = partial.bytes;
            state.etag = partial.etag.clone();
            state.total = partial.total;
            state.from_earlier = true;
        }
        Ok(state)
    }

    /// Forgets every byte received: the next request asks for the whole object.
    pub fn restart(&mut self) {
        self.received = 0;
        self.total = None;
        self.etag = None;
        self.from_earlier = false;
    }

    /// The next GET: no API auth (the link is pre-signed) and, after a partial body, a Range
    /// from the bytes already received.
    pub fn request(&mut self) -> Request {
        self.attempts += 1;
        let mut req = Request::new(Method::Get, self.url.clone());
        if self.received > 0 {
            self.resumed += 1;
            req = req.header("Range", format!("bytes={}-", self.received));
        }
        req
    }

    /// True when a 401/403 should be answered by asking for a fresh link rather than failing:
    /// the link worked before (so it expired), and renewals are left.
    pub fn should_renew(&self, status: u16) -> bool {
        matches!(status, 401 | 403) && self.link_worked && self.renewals < MAX_RENEWALS
    }

    /// Continues with a fresh link; bytes already received stay (the Range goes on from them).
    pub fn renew(&mut self, url: &str) -> Result<()> {
        let fresh = DownloadState::new(url)?;
        self.url = fresh.url;
        self.renewals += 1;
        self.link_worked = false;
        Ok(())
    }

    pub fn on_head(&mut self, head: &Head, policy: &RetryPolicy) -> Result<Verdict> {
        if matches!(head.status, 200 | 206) {
            self.link_worked = true;
        }
        let etag = head.header("etag").map(str::to_string);
        let changed = || -> Error {
            Error::invalid_response(format!(
                "{} changed while it was being downloaded (its ETag differs); start the download again",
                describe_url(&self.url)
            ))
        };
        match head.status {
            200 => {
                let length = head.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
                let other_etag = self.received > 0 && self.etag.is_some() && etag.is_some() && self.etag != etag;
                let other_size = self.received > 0 && length.is_some() && self.total.is_some() && length != self.total;
                if other_etag || other_size {
                    return self.mismatch(changed());
                }
                self.total = length.or(self.total);
                self.etag = etag.or(self.etag.take());
                self.from_earlier = false;
                // A 200 after a Range request is the whole body again: skip what we have.
                Ok(Verdict::Write { skip: self.received })
            }
            206 => {
                let (start, total) = head.header("content-range").and_then(parse_content_range).ok_or_else(|| {
                    Error::invalid_response(format!(
                        "{}: a 206 response without a usable Content-Range",
                        describe_url(&self.url)
                    ))
                })?;
                if self.etag.is_some() && etag.is_some() && self.etag != etag {
                    return self.mismatch(changed());
                }
                if start != self.received {
                    return Err(Error::invalid_response(format!(
                        "{}: asked for bytes from {}, the server sent bytes from {start}",
                        describe_url(&self.url),
                        self.received
                    )));
                }
                if let (Some(t), Some(known)) = (total, self.total) {
                    if t != known {
                        return self.mismatch(changed());
                    }
                }
                self.total = total.or(self.total);
                self.etag = etag.or(self.etag.take());
                self.from_earlier = false;
                Ok(Verdict::Write { skip: 0 })
            }
            // Nothing after the bytes we have: finished if they are the whole object (its length
            // from `Content-Range: bytes */N`, else the size a response said before).
            416 if self.received > 0 => {
                let length = head
                    .header("content-range")
                    .and_then(|v| v.trim().strip_prefix("bytes */"))
                    .and_then(|n| n.trim().parse::<u64>().ok());
                let other_etag = self.etag.is_some() && etag.is_some() && self.etag != etag;
                if !other_etag && length.or(self.total) == Some(self.received) {
                    Ok(Verdict::Finished)
                } else if self.from_earlier {
                    Ok(Verdict::Restart)
                } else if policy.statuses.contains(&416) {
                    Ok(Verdict::Retry)
                } else {
                    Ok(Verdict::Fail)
                }
            }
            s if policy.statuses.contains(&s) => Ok(Verdict::Retry),
            _ => Ok(Verdict::Fail),
        }
    }

    /// The object differs from the one the bytes in the sink came from: an earlier run's bytes
    /// are dropped and the download starts over; this run's own bytes make it an error.
    fn mismatch(&self, changed: Error) -> Result<Verdict> {
        if self.from_earlier {
            Ok(Verdict::Restart)
        } else {
            Err(changed)
        }
    }

    /// After an attempt that failed (status, network): `Some(wait)` to retry, None to give up.
    /// An attempt that delivered bytes resets the count, so a long download survives many drops.
    pub fn retry_delay(&mut self, wrote: u64, head: Option<&Head>, policy: &RetryPolicy, now_ms: f64) -> Option<f64> {
        if wrote > 0 {
            self.failures = 0;
        }
        self.failures += 1;
        let asked = head.and_then(|h| h.header("retry-after")).and_then(|v| retry_after_ms(v, now_ms));
        policy.delay(self.failures, asked)
    }

    /// True when the sink holds the whole body (or the size was never said).
    pub fn is_complete(&self) -> bool {
        self.total.is_none_or(|t| self.received >= t)
    }
}

/// `bytes 100-199/1000` → (100, Some(1000)); `bytes 100-199/*` → (100, None).
pub fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    if end < start {
        return None;
    }
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    Some((start, total))
}

/// Origin and path: the query of a pre-signed URL carries its signature, so it never goes into a
/// message or a log.
pub fn describe_url(url: &str) -> String {
    let no_fragment = url.split('#').next().unwrap_or("");
    let base = no_fragment.split('?').next().unwrap_or("");
    if no_fragment.len() > base.len() {
        format!("{base}?…")
    } else {
        base.to_string()
    }
}

/// The S3 error document's `<Code>` and `<Message>`, or a short plain body, for messages.
fn error_detail(body: &str) -> Option<String> {
    let tag = |t: &str| {
        let start = body.find(&format!("<{t}>"))? + t.len() + 2;
        let end = body[start..].find(&format!("</{t}>"))? + start;
        Some(body[start..end].trim().to_string())
    };
    match (tag("Code"), tag("Message")) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(c), None) => Some(c),
        _ => {
            let resp = crate::http::Response { status: 0, headers: vec![], body: body.as_bytes().to_vec() };
            resp.server_message().or_else(|| {
                let t = body.trim();
                (!t.is_empty() && t.len() <= 200 && !t.starts_with('<')).then(|| t.to_string())
            })
        }
    }
}

/// The error for a pre-signed GET that ended on `status` (C.10: it is never saved as data).
pub fn link_status_error(what: &str, url: &str, status: u16, body: &str, attempts: u32) -> Error {
    let detail = error_detail(body).map(|d| format!(": {d}")).unwrap_or_default();
    let tries = if attempts > 1 { format!(" after {attempts} attempts") } else { String::new() };
    let (code, hint) = match status {
        401 | 403 => (
            ErrorCode::Forbidden,
            " — the link was refused; links expire, so ask for a new one by starting the download again",
        ),
        404 => (
            ErrorCode::NotFound,
            " — the file is not (yet) at its link; if it was just uploaded, try again in a minute",
        ),
        429 => (ErrorCode::RateLimited, " — rate limited; try again later"),
        500..=599 => (ErrorCode::Server, " — the storage service failed; try again later"),
        _ => (ErrorCode::S3Error, ""),
    };
    Error::new(
        code,
        format!("Downloading {what} from {} failed (HTTP {status}{detail}){tries}{hint}", describe_url(url)),
    )
    .with_status(status)
}

/// What a finished download did.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadStats {
    pub bytes: u64,
    pub total: Option<u64>,
    pub attempts: u32,
    pub resumed: u32,
    /// Fresh links asked for after the first one expired.
    pub renewals: u32,
    /// Bytes of an earlier run's partial body that were kept (0 when there was none, or it was
    /// of another version and dropped).
    pub continued: u64,
}

/// Fetches `url` into the IO's sink with retries and Range resumption. `what` names the thing in
/// messages ("sample 0b2d…"). The sink is committed or discarded by the caller.
pub async fn run<I: DownloadIo>(io: &I, url: &str, what: &str, policy: &RetryPolicy) -> Result<DownloadStats> {
    run_from(io, url, what, policy, &Partial::default()).await
}

/// [`run`], continuing what an earlier run left in the sink when the object is unchanged
/// (same ETag and size), and starting over otherwise.
pub async fn run_from<I: DownloadIo>(
    io: &I,
    url: &str,
    what: &str,
    policy: &RetryPolicy,
    partial: &Partial,
) -> Result<DownloadStats> {
    policy.validate("download retry")?;
    let mut state = DownloadState::continuing(url, partial)?;
    let mut continued = state.received;
    if partial.bytes > 0 && continued == 0 {
        io.restart().await?;
    }
    // The identity last handed to `record`, so it is written once per object version.
    let mut recorded: Option<(Option<String>, Option<u64>)> = None;
    loop {
        let req = state.request();
        let (wrote, failure, head) = match io.open(&req).await {
            Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => (0, e, None),
            Err(e) => return Err(e),
            Ok(head) => match state.on_head(&head, policy)? {
                Verdict::Finished => break,
                Verdict::Restart => {
                    let _ = io.error_body().await;
                    io.restart().await?;
                    state.restart();
                    recorded = None;
                    continued = 0;
                    continue;
                }
                Verdict::Write { skip } => {
                    let identity = (state.etag.clone(), state.total);
                    if recorded.as_ref() != Some(&identity) {
                        io.record(identity.0.as_deref(), identity.1).await?;
                        recorded = Some(identity);
                    }
                    let (wrote, ended) = io.pump(skip, state.received, state.total).await;
                    state.received += wrote;
                    match ended {
                        Ok(()) if state.is_complete() => break,
                        // A body that ended early without an error is a cut connection too.
                        Ok(()) => (
                            wrote,
                            Error::new(
                                ErrorCode::Network,
                                format!(
                                    "the body of {} ended after {} of {} bytes",
                                    describe_url(url),
                                    state.received,
                                    state.total.unwrap_or_default()
                                ),
                            ),
                            None,
                        ),
                        Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => (wrote, e, None),
                        Err(e) => return Err(e),
                    }
                }
                verdict => {
                    let body = io.error_body().await;
                    if state.should_renew(head.status) {
                        if let Some(fresh) = io.renew_link().await? {
                            state.renew(&fresh)?;
                            continue;
                        }
                    }
                    let e = link_status_error(what, url, head.status, &body, state.attempts);
                    if verdict == Verdict::Fail {
                        return Err(e);
                    }
                    (0, e, Some(head))
                }
            },
        };
        match state.retry_delay(wrote, head.as_ref(), policy, io.now_ms()) {
            Some(ms) => io.sleep(ms).await?,
            None => return Err(failure),
        }
    }
    Ok(DownloadStats {
        bytes: state.received,
        total: state.total,
        attempts: state.attempts,
        resumed: state.resumed,
        renewals: state.renewals,
        continued,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::block_on;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// One scripted attempt: a head (or a connection failure), then how the body goes.
    enum Step {
        Refused(ErrorCode),
        Reply(u16, Vec<(&'static str, String)>, Body),
    }
    enum Body {
        /// The body in full (after any skip).
        Full,
        /// `n` bytes, then the connection drops.
        Cut(u64),
        Error(&'static str),
    }

    /// A fake host over an in-memory "object": records requests and sleeps and what the sink got.
    struct Fake {
        object: Vec<u8>,
        steps: RefCell<VecDeque<Step>>,
        requests: RefCell<Vec<Request>>,
        sleeps: RefCell<Vec<f64>>,
        sink: RefCell<Vec<u8>>,
        current: RefCell<Option<(u64, Body)>>, // (body start offset in the object, plan)
        renewals: RefCell<Vec<&'static str>>,  // fresh links to hand out
        recorded: RefCell<Vec<(Option<String>, Option<u64>)>>,
        restarts: RefCell<u32>,
    }

    impl Fake {
        fn new(size: usize, steps: Vec<Step>) -> Self {
            Fake {
                object: (0..size).map(|i| (i * 7 % 251) as u8).collect(),
                steps: RefCell::new(steps.into()),
                requests: RefCell::default(),
                sleeps: RefCell::default(),
                sink: RefCell::default(),
                current: RefCell::default(),
                renewals: RefCell::default(),
                recorded: RefCell::default(),
                restarts: RefCell::default(),
            }
        }
    }

    impl DownloadIo for Fake {
        async fn open(&self, request: &Request) -> Result<Head> {
            self.requests.borrow_mut().push(request.clone());
            match self.steps.borrow_mut().pop_front().expect("a step per request") {
                Step::Refused(code) => Err(Error::new(code, "connection refused")),
                Step::Reply(status, headers, body) => {
                    let start = headers
                        .iter()
                        .find(|(k, _)| *k == "content-range")
                        .and_then(|(_, v)| parse_content_range(v))
                        .map_or(0, |r| r.0);
                    *self.current.borrow_mut() = Some((start, body));
                    Ok(Head { status, headers: headers.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
                }
            }
        }
        async fn pump(&self, skip: u64, offset: u64, _total: Option<u64>) -> (u64, Result<()>) {
            assert_eq!(offset as usize, self.sink.borrow().len(), "offset is what the sink holds");
            let (start, body) = self.current.borrow_mut().take().expect("pump after open");
            let from = (start + skip) as usize;
            let (end, result) = match body {
                Body::Full => (self.object.len(), Ok(())),
                Body::Cut(n) => (from + n as usize, Err(Error::new(ErrorCode::Network, "connection reset"))),
                Body::Error(_) => (from, Ok(())),
            };
            self.sink.borrow_mut().extend_from_slice(&self.object[from..end]);
            ((end - from) as u64, result)
        }
        async fn error_body(&self) -> String {
            match self.current.borrow_mut().take() {
                Some((_, Body::Error(text))) => text.to_string(),
                _ => String::new(),
            }
        }
        async fn sleep(&self, ms: f64) -> Result<()> {
            self.sleeps.borrow_mut().push(ms);
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            0.0
        }
        async fn renew_link(&self) -> Result<Option<String>> {
            Ok(self.renewals.borrow_mut().pop().map(str::to_string))
        }
        async fn record(&self, etag: Option<&str>, total: Option<u64>) -> Result<()> {
            self.recorded.borrow_mut().push((etag.map(str::to_string), total));
            Ok(())
        }
        async fn restart(&self) -> Result<()> {
            *self.restarts.borrow_mut() += 1;
            self.sink.borrow_mut().clear();
            Ok(())
        }
    }

    const URL: &str = "https://bucket.s3.amazonaws.com/key.fastq.gz?X-Amz-Signature=secret123&X-Amz-Expires=60";

    fn full(size: usize) -> Step {
        Step::Reply(200, vec![("content-length", size.to_string()), ("etag", "\"e1\"".into())], Body::Full)
    }
    /// A 200 of the whole object whose connection drops after `n` bytes.
    fn cut_after(n: u64, size: usize) -> Step {
        Step::Reply(200, vec![("content-length", size.to_string()), ("etag", "\"e1\"".into())], Body::Cut(n))
    }
    fn partial(from: usize, size: usize, body: Body) -> Step {
        Step::Reply(
            206,
            vec![("content-range", format!("bytes {from}-{}/{size}", size - 1)), ("etag", "\"e1\"".into())],
            body,
        )
    }
    fn status(s: u16, body: &'static str) -> Step {
        Step::Reply(s, vec![], Body::Error(body))
    }

    fn run_fake(fake: &Fake) -> Result<DownloadStats> {
        block_on(run(fake, URL, "sample s1", &RetryPolicy::download()))
    }

    #[test]
    fn plain_download_sends_no_auth_and_no_range() {
        let f = Fake::new(1000, vec![full(1000)]);
        let stats = run_fake(&f).unwrap();
        assert_eq!(
            stats,
            DownloadStats { bytes: 1000, total: Some(1000), attempts: 1, resumed: 0, renewals: 0, continued: 0 }
        );
        assert_eq!(*f.sink.borrow(), f.object);
        let req = &f.requests.borrow()[0];
        assert!(req.headers.is_empty(), "no Authorization, no One Codex headers: {:?}", req.headers);
    }

    #[test]
    fn statuses_404_429_5xx_are_retried_on_the_c11_schedule() {
        let f = Fake::new(
            10,
            vec![status(404, ""), status(503, ""), status(500, ""), status(429, ""), status(504, ""), full(10)],
        );
        assert_eq!(run_fake(&f).unwrap().attempts, 6);
        assert_eq!(*f.sleeps.borrow(), vec![0.0, 4000.0, 8000.0, 16000.0, 32000.0]);
        assert_eq!(*f.sink.borrow(), f.object, "no error body was written");
    }

    #[test]
    fn retry_after_is_honoured() {
        let f = Fake::new(10, vec![Step::Reply(503, vec![("retry-after", "7".into())], Body::Error("")), full(10)]);
        run_fake(&f).unwrap();
        assert_eq!(*f.sleeps.borrow(), vec![7000.0]);
    }

    #[test]
    fn exhausted_retries_fail_with_the_status_and_never_write_the_error_page() {
        let xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
        let f = Fake::new(10, (0..6).map(|_| status(404, xml)).collect());
        let e = run_fake(&f).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::NotFound, Some(404)));
        assert!(e.message.starts_with("Downloading sample s1 from https://bucket.s3.amazonaws.com/key.fastq.gz?… failed (HTTP 404: NoSuchKey: The specified key does not exist.) after 6 attempts"), "{}", e.message);
        assert!(!e.message.contains("secret123"), "signatures stay out of messages");
        assert!(f.sink.borrow().is_empty());
    }

    #[test]
    fn a_403_is_final_and_says_links_expire() {
        let f = Fake::new(
            10,
            vec![status(403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")],
        );
        let e = run_fake(&f).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::Forbidden, Some(403)));
        assert!(
            e.message.contains("AccessDenied: Request has expired") && e.message.contains("links expire"),
            "{}",
            e.message
        );
        assert_eq!(f.requests.borrow().len(), 1);
        let f = Fake::new(10, vec![status(400, "")]);
        assert_eq!(run_fake(&f).unwrap_err().code, ErrorCode::S3Error);
    }

    #[test]
    fn a_dropped_connection_resumes_with_a_range_from_the_bytes_received() {
        let f = Fake::new(
            5000,
            vec![cut_after(1200, 5000), partial(1200, 5000, Body::Cut(800)), partial(2000, 5000, Body::Full)],
        );
        let stats = run_fake(&f).unwrap();
        assert_eq!((stats.bytes, stats.attempts, stats.resumed), (5000, 3, 2));
        assert_eq!(*f.sink.borrow(), f.object);
        let reqs = f.requests.borrow();
        assert_eq!(reqs[1].header_value("range"), Some("bytes=1200-"));
        assert_eq!(reqs[2].header_value("range"), Some("bytes=2000-"));
        assert_eq!(*f.sleeps.borrow(), vec![0.0, 0.0], "progress resets the back-off");
    }

    #[test]
    fn an_expired_link_mid_download_is_renewed_and_the_range_goes_on() {
        let expired = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
        let f = Fake::new(4000, vec![cut_after(1500, 4000), status(403, expired), partial(1500, 4000, Body::Full)]);
        f.renewals.borrow_mut().push("https://bucket.s3.amazonaws.com/key.fastq.gz?X-Amz-Signature=fresh");
        let stats = run_fake(&f).unwrap();
        assert_eq!((stats.bytes, stats.renewals), (4000, 1));
        assert_eq!(*f.sink.borrow(), f.object);
        let reqs = f.requests.borrow();
        assert!(reqs[2].url.ends_with("Signature=fresh"));
        assert_eq!(reqs[2].header_value("range"), Some("bytes=1500-"));
        // Without a way to renew, or on a first answer of 403, it is final.
        let f = Fake::new(
            4000,
            vec![Step::Reply(200, vec![("content-length", "4000".into())], Body::Cut(10)), status(403, expired)],
        );
        assert_eq!(run_fake(&f).unwrap_err().code, ErrorCode::Forbidden);
    }

    #[test]
    fn a_server_ignoring_range_is_skipped_not_duplicated() {
        let f = Fake::new(
            3000,
            vec![Step::Reply(200, vec![("content-length", "3000".into())], Body::Cut(1000)), full(3000)],
        );
        run_fake(&f).unwrap();
        assert_eq!(*f.sink.borrow(), f.object);
    }

    #[test]
    fn a_changed_object_or_a_wrong_range_is_an_error() {
        let f = Fake::new(
            3000,
            vec![
                cut_after(1000, 3000),
                Step::Reply(
                    206,
                    vec![("content-range", "bytes 1000-2999/3000".into()), ("etag", "\"e2\"".into())],
                    Body::Full,
                ),
            ],
        );
        assert!(run_fake(&f).unwrap_err().message.contains("changed while it was being downloaded"));
        let f = Fake::new(
            3000,
            vec![
                Step::Reply(200, vec![("content-length", "3000".into())], Body::Cut(1000)),
                partial(500, 3000, Body::Full),
            ],
        );
        assert_eq!(run_fake(&f).unwrap_err().code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn network_failures_are_retried_then_reported_aborts_are_not() {
        let f = Fake::new(10, vec![Step::Refused(ErrorCode::Network), Step::Refused(ErrorCode::Timeout), full(10)]);
        assert_eq!(run_fake(&f).unwrap().attempts, 3);
        let f = Fake::new(10, (0..6).map(|_| Step::Refused(ErrorCode::Network)).collect());
        assert_eq!(run_fake(&f).unwrap_err().code, ErrorCode::Network);
        assert_eq!(f.requests.borrow().len(), 6);
        let f = Fake::new(10, vec![Step::Refused(ErrorCode::Aborted)]);
        assert_eq!(run_fake(&f).unwrap_err().code, ErrorCode::Aborted);
        assert!(f.sleeps.borrow().is_empty());
    }

    #[test]
    fn policy_is_configurable_and_checked() {
        let p = RetryPolicy { retries: 1, backoff_ms: vec![10.0], ..RetryPolicy::download() };
        let f = Fake::new(10, vec![status(503, ""), status(503, "")]);
        assert_eq!(block_on(run(&f, URL, "x", &p)).unwrap_err().code, ErrorCode::Server);
        assert_eq!(*f.sleeps.borrow(), vec![10.0]);
        for bad in [
            RetryPolicy { backoff_ms: vec![], ..RetryPolicy::download() },
            RetryPolicy { backoff_ms: vec![-1.0], ..RetryPolicy::download() },
            RetryPolicy { statuses: vec![200], ..RetryPolicy::download() },
        ] {
            assert_eq!(block_on(run(&f, URL, "x", &bad)).unwrap_err().code, ErrorCode::InvalidArgument);
        }
        assert_eq!(block_on(run(&f, "file:///etc/passwd", "x", &p)).unwrap_err().code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn content_range_and_url_helpers() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), Some((100, Some(1000))));
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes 9-1/10"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(describe_url("https://h/p?sig=1#x"), "https://h/p?…");
        assert_eq!(describe_url("https://h/p"), "https://h/p");
    }

    /// A sink holding the first `bytes` of `fake`'s object (or of another version when `stale`),
    /// as an earlier run left it.
    fn left_by_earlier_run(fake: &Fake, bytes: usize, stale: bool) {
        let mut sink = fake.object[..bytes].to_vec();
        if stale {
            sink.iter_mut().for_each(|b| *b ^= 0xff);
        }
        *fake.sink.borrow_mut() = sink;
    }

    fn run_partial(fake: &Fake, partial: Partial) -> Result<DownloadStats> {
        block_on(run_from(fake, URL, "sample s1", &RetryPolicy::download(), &partial))
    }

    #[test]
    fn an_earlier_runs_partial_file_is_continued_with_a_range_when_the_object_is_unchanged() {
        let f = Fake::new(3000, vec![partial(1200, 3000, Body::Full)]);
        left_by_earlier_run(&f, 1200, false);
        let stats = run_partial(&f, Partial { bytes: 1200, etag: Some("\"e1\"".into()), total: Some(3000) }).unwrap();
        assert_eq!(f.requests.borrow()[0].headers.iter().find(|(k, _)| k == "Range").unwrap().1, "bytes=1200-");
        assert_eq!((stats.bytes, stats.attempts, stats.resumed, stats.continued), (3000, 1, 1, 1200));
        assert_eq!(*f.sink.borrow(), f.object);
        assert_eq!(*f.restarts.borrow(), 0);
    }

    #[test]
    fn an_earlier_runs_partial_file_of_another_version_is_dropped_and_the_download_starts_over() {
        // The object now has ETag e2: the 206 for the old range is refused, the whole body fetched.
        let mut e2 = partial(1200, 3000, Body::Full);
        if let Step::Reply(_, headers, _) = &mut e2 {
            headers[1].1 = "\"e2\"".into();
        }
        let whole = Step::Reply(200, vec![("content-length", "3000".into()), ("etag", "\"e2\"".into())], Body::Full);
        let f = Fake::new(3000, vec![e2, whole]);
        left_by_earlier_run(&f, 1200, true);
        let stats = run_partial(&f, Partial { bytes: 1200, etag: Some("\"e1\"".into()), total: Some(3000) }).unwrap();
        assert_eq!(*f.restarts.borrow(), 1);
        assert!(f.requests.borrow()[1].headers.iter().all(|(k, _)| k != "Range"), "the second request asks for all");
        assert_eq!((stats.bytes, stats.continued), (3000, 0));
        assert_eq!(*f.sink.borrow(), f.object);
        assert_eq!(*f.recorded.borrow(), [(Some("\"e2\"".to_string()), Some(3000))]);
    }

    #[test]
    fn a_partial_file_without_a_recorded_etag_is_not_trusted() {
        let f = Fake::new(1000, vec![full(1000)]);
        left_by_earlier_run(&f, 400, true);
        let stats = run_partial(&f, Partial { bytes: 400, etag: None, total: Some(1000) }).unwrap();
        assert_eq!(*f.restarts.borrow(), 1);
        assert!(f.requests.borrow()[0].headers.iter().all(|(k, _)| k != "Range"));
        assert_eq!((stats.bytes, stats.resumed, stats.continued), (1000, 0, 0));
        assert_eq!(*f.sink.borrow(), f.object);
    }

    #[test]
    fn a_complete_partial_file_finishes_on_416_and_a_longer_one_starts_over() {
        let done = Step::Reply(416, vec![("content-range", "bytes */1000".into())], Body::Error(""));
        let f = Fake::new(1000, vec![done]);
        left_by_earlier_run(&f, 1000, false);
        let stats = run_partial(&f, Partial { bytes: 1000, etag: Some("\"e1\"".into()), total: Some(1000) }).unwrap();
        assert_eq!((stats.bytes, f.requests.borrow().len()), (1000, 1));

        let too_far = Step::Reply(416, vec![("content-range", "bytes */1000".into())], Body::Error(""));
        let f = Fake::new(1000, vec![too_far, full(1000)]);
        left_by_earlier_run(&f, 1000, true);
        f.sink.borrow_mut().extend_from_slice(&[0; 500]);
        let stats = run_partial(&f, Partial { bytes: 1500, etag: Some("\"e0\"".into()), total: Some(1500) }).unwrap();
        assert_eq!((*f.restarts.borrow(), stats.bytes), (1, 1000));
        assert_eq!(*f.sink.borrow(), f.object);
    }

    #[test]
    fn the_identity_of_the_object_is_recorded_once_for_a_later_run() {
        let f = Fake::new(5000, vec![cut_after(1200, 5000), partial(1200, 5000, Body::Full)]);
        run_fake(&f).unwrap();
        assert_eq!(*f.recorded.borrow(), [(Some("\"e1\"".to_string()), Some(5000))]);
    }
}
