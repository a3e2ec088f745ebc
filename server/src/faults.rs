//! Switchable faults: rules installed at start (`--faults FILE`) or through `/__admin/faults`.
//! Each rule matches a target (api or s3), a method, a path glob or S3 operation and optionally a
//! part number, and does one thing: respond, add latency, drop the connection, or slow the body.
//! It applies `times: N` or at a deterministic `rate`; hits are counted.

use crate::http::{Body, Resp, StdError};
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    pub status: u16,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Answer this only after the handler has run (its effects kept, its answer dropped), as a
    /// proxy that times out or fails after forwarding: the client cannot know what happened.
    #[serde(default)]
    pub after_handler: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    #[serde(default)]
    pub ms: u64,
    #[serde(default)]
    pub jitter_ms: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SlowBody {
    pub bytes_per_sec: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Glob on the request path (`*` matches any run of characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// S3 operation name, e.g. `UploadPart`, `CompleteMultipartUpload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<Respond>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_after_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_body: Option<SlowBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

impl Rule {
    pub fn validate(&self) -> Result<(), String> {
        if self.target != "api" && self.target != "s3" {
            return Err("fault rule 'target' must be \"api\" or \"s3\"".into());
        }
        let actions =
            [self.respond.is_some(), self.latency.is_some(), self.drop_after_bytes.is_some(), self.slow_body.is_some()];
        if actions.iter().filter(|a| **a).count() != 1 {
            return Err("a fault rule needs exactly one of respond, latency, drop_after_bytes, slow_body".into());
        }
        if let Some(r) = &self.respond {
            if StatusCode::from_u16(r.status).is_err() || r.status < 100 {
                return Err(format!("invalid status {}", r.status));
            }
        }
        if let Some(rate) = self.rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err("rate must be between 0 and 1".into());
            }
        }
        if self.slow_body.as_ref().is_some_and(|s| s.bytes_per_sec == 0) {
            return Err("slow_body.bytes_per_sec must be positive".into());
        }
        Ok(())
    }
}

struct Entry {
    rule: Rule,
    id: String,
    matched: u64,
    hits: u64,
}

pub struct Faults {
    seed: u64,
    next: Mutex<u64>,
    rules: Mutex<Vec<Entry>>,
}

/// What the request being handled must suffer.
pub enum Action {
    Respond(Respond),
    Latency(Duration),
    Drop(u64),
    Slow(u64),
}

pub struct Request<'a> {
    pub target: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub operation: Option<&'a str>,
    pub part_number: Option<u32>,
}

fn glob(pat: &str, s: &str) -> bool {
    let parts: Vec<&str> = pat.split('*').collect();
    if parts.len() == 1 {
        return pat == s;
    }
    let mut rest = s;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            if !rest.starts_with(p) {
                return false;
            }
            rest = &rest[p.len()..];
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else if let Some(pos) = rest.find(p) {
            rest = &rest[pos + p.len()..];
        } else {
            return false;
        }
    }
    true
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults { seed, next: Mutex::new(0), rules: Mutex::new(vec![]) }
    }

    pub fn add(&self, mut rule: Rule) -> Result<String, String> {
        rule.validate()?;
        let id = match rule.id.clone() {
            Some(id) => id,
            None => {
                let mut n = self.next.lock().unwrap_or_else(|e| e.into_inner());
                *n += 1;
                format!("rule-{n}")
            }
        };
        rule.id = Some(id.clone());
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.retain(|e| e.id != id);
        rules.push(Entry { rule, id: id.clone(), matched: 0, hits: 0 });
        Ok(id)
    }

    /// Accepts a rule, an array of rules, or `{"rules": [...]}`.
    pub fn add_json(&self, v: Value) -> Result<Vec<String>, String> {
        let list = match v {
            Value::Array(a) => a,
            Value::Object(mut m) if m.contains_key("rules") => match m.remove("rules") {
                Some(Value::Array(a)) => a,
                _ => return Err("'rules' must be an array".into()),
            },
            other => vec![other],
        };
        let rules: Vec<Rule> = list
            .into_iter()
            .map(|r| serde_json::from_value(r).map_err(|e| format!("invalid fault rule: {e}")))
            .collect::<Result<_, _>>()?;
        for r in &rules {
            r.validate()?;
        }
        rules.into_iter().map(|r| self.add(r)).collect()
    }

    pub fn clear(&self) -> usize {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let n = rules.len();
        rules.clear();
        n
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let n = rules.len();
        rules.retain(|e| e.id != id);
        n != rules.len()
    }

    pub fn list(&self) -> Value {
        let rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let out: Vec<Value> = rules
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(&e.rule).unwrap_or(json!({}));
                v["id"] = json!(e.id);
                v["matched"] = json!(e.matched);
                v["hits"] = json!(e.hits);
                v
            })
            .collect();
        json!({"rules": out})
    }

    /// Finds the first rule that matches and fires for this request, counting it.
    pub fn decide(&self, req: &Request) -> Option<Action> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        for (idx, e) in rules.iter_mut().enumerate() {
            let r = &e.rule;
            if r.target != req.target {
                continue;
            }
            if r.method.as_ref().is_some_and(|m| !m.eq_ignore_ascii_case(req.method)) {
                continue;
            }
            if r.path.as_ref().is_some_and(|p| !glob(p, req.path)) {
                continue;
            }
            if r.operation.as_ref().is_some_and(|o| Some(o.as_str()) != req.operation) {
                continue;
            }
            if r.part_number.is_some() && r.part_number != req.part_number {
                continue;
            }
            let n = e.matched;
            e.matched += 1;
            if r.times.is_some_and(|t| e.hits >= t) {
                continue;
            }
            if let Some(rate) = r.rate {
                let x = crate::rng::h(self.seed ^ idx as u64, &e.id, n);
                if ((x >> 11) as f64 / (1u64 << 53) as f64) >= rate {
                    continue;
                }
            }
            e.hits += 1;
            let jitter = |l: &Latency| {
                let j = if l.jitter_ms > 0 { crate::rng::h(self.seed, "jitter", n) % (l.jitter_ms + 1) } else { 0 };
                Duration::from_millis(l.ms + j)
            };
            return Some(if let Some(resp) = &r.respond {
                Action::Respond(resp.clone())
            } else if let Some(l) = &r.latency {
                Action::Latency(jitter(l))
            } else if let Some(d) = r.drop_after_bytes {
                Action::Drop(d)
            } else {
                Action::Slow(r.slow_body.as_ref().map_or(1, |s| s.bytes_per_sec))
            });
        }
        None
    }
}

/// The canned response of a `respond` rule.
pub fn canned(r: &Respond) -> Resp {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (ctype, body) = match &r.body {
        None => (
            "application/json",
            serde_json::to_vec(&json!({"message": format!("Injected fault ({})", r.status)})).unwrap_or_default(),
        ),
        Some(Value::String(s)) if s.trim_start().starts_with('<') => ("application/xml", s.clone().into_bytes()),
        Some(Value::String(s)) => ("text/plain", s.clone().into_bytes()),
        Some(v) => ("application/json", serde_json::to_vec(v).unwrap_or_default()),
    };
    let mut resp = crate::http::bytes(status, ctype, body);
    if let Some(ra) = r.retry_after {
        resp.headers_mut().insert("retry-after", HeaderValue::from(ra));
    }
    resp
}

/// Marker: the connection must be dropped without any response.
#[derive(Clone, Copy)]
pub struct DropConnection;

#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault rule")
    }
}
impl std::error::Error for Dropped {}

/// Applies a body-level action (drop after N bytes, slow body) to a response.
pub fn wrap_body(action: &Action, resp: Resp) -> Resp {
    match action {
        Action::Drop(0) => {
            let mut r = Resp::new(crate::http::empty());
            r.extensions_mut().insert(DropConnection);
            r
        }
        Action::Drop(n) => {
            let limit = *n;
            let (parts, body) = resp.into_parts();
            let stream = futures_util::stream::unfold((body, 0u64, false), move |(mut body, sent, done)| async move {
                if done {
                    return None;
                }
                loop {
                    match body.frame().await {
                        Some(Ok(f)) => {
                            let Ok(data) = f.into_data() else { continue };
                            let room = limit - sent;
                            if (data.len() as u64) < room {
                                let l = data.len() as u64;
                                return Some((
                                    Ok::<_, StdError>(http_body::Frame::data(data)),
                                    (body, sent + l, false),
                                ));
                            }
                            return Some((
                                Ok(http_body::Frame::data(data.slice(0..room as usize))),
                                (body, limit, true),
                            ));
                        }
                        Some(Err(e)) => return Some((Err(e), (body, sent, true))),
                        None => return None,
                    }
                }
            });
            // After the allowed bytes, fail the body so the connection is cut mid-response.
            let failing = futures_util::StreamExt::chain(
                stream,
                futures_util::stream::once(async {
                    // Let the allowed bytes reach the socket before the connection is cut.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err::<http_body::Frame<Bytes>, StdError>(Box::new(Dropped))
                }),
            );
            Resp::from_parts(parts, Body::new(http_body_util::StreamBody::new(failing)))
        }
        Action::Slow(bps) => {
            let bps = *bps;
            let (parts, body) = resp.into_parts();
            let chunk = (bps / 10).max(1) as usize;
            let stream = futures_util::stream::unfold((body, Bytes::new()), move |(mut body, mut buf)| async move {
                while buf.is_empty() {
                    match body.frame().await {
                        Some(Ok(f)) => {
                            if let Ok(d) = f.into_data() {
                                buf = d;
                            }
                        }
                        Some(Err(e)) => return Some((Err(e), (body, Bytes::new()))),
                        None => return None,
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                let n = chunk.min(buf.len());
                let out = buf.split_to(n);
                Some((Ok::<_, StdError>(http_body::Frame::data(out)), (body, buf)))
            });
            Resp::from_parts(parts, Body::new(http_body_util::StreamBody::new(stream)))
        }
        _ => resp,
    }
}

/// Names the S3 operation of a request (for rules that match by operation).
pub fn s3_operation(method: &str, path: &str, query: &[(String, String)]) -> &'static str {
    let has = |k: &str| query.iter().any(|(a, _)| a == k);
    let is_object = path.trim_start_matches('/').contains('/');
    match (method, is_object) {
        ("PUT", true) if has("partNumber") && has("uploadId") => "UploadPart",
        ("PUT", true) => "PutObject",
        ("POST", true) if has("uploads") => "CreateMultipartUpload",
        ("POST", true) if has("uploadId") => "CompleteMultipartUpload",
        ("DELETE", true) if has("uploadId") => "AbortMultipartUpload",
        ("DELETE", true) => "DeleteObject",
        ("GET", true) if has("uploadId") => "ListParts",
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("GET", false) if has("uploads") => "ListMultipartUploads",
        ("GET", false) => "ListObjects",
        ("HEAD", false) => "HeadBucket",
        _ => "Other",
    }
}
