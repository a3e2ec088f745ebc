//! The session driven to the end against an in-memory S3 with random faults (5xx, SlowDown,
//! dropped connections, stalls, bytes corrupted in transit, lost answers), several parts in
//! flight answered out of order, and the process "killed" and resumed from the saved JSON.
//! The stored object must equal the input byte for byte, whatever happened.

use onecodex_core::upload::checksum::{ChecksumKind, PartChecksum, PartHasher, MAX_CHUNK};
use onecodex_core::upload::encode::hex;
use onecodex_core::upload::plan::MIB;
use onecodex_core::upload::request::{Body, S3Op, S3Request};
use onecodex_core::upload::retry::{Failure, RetryPolicy};
use onecodex_core::upload::s3xml;
use onecodex_core::upload::session::*;
use serde_json::json;
use std::collections::BTreeMap;

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
    url.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn err(status: u16, code: &str) -> Resp {
    Resp {
        status,
        body: format!("<Error><Code>{code}</Code><Message>simulated</Message></Error>"),
        etag: None,
    }
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
        let key = r
            .url
            .split_once("/bucket/")
            .unwrap()
            .1
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let id = query(&r.url, "uploadId").map(|u| u.replace("%2F", "/"));
        let checksum = r
            .headers
            .iter()
            .find(|(k, _)| k == "x-amz-checksum-crc32c")
            .map(|(_, v)| v.clone());
        match r.op {
            S3Op::PutObject => {
                if checksum.as_deref() != Some(&crc_b64(body)) {
                    return err(400, "BadDigest");
                }
                self.objects.insert(key, body.to_vec());
                Resp {
                    status: 200,
                    body: String::new(),
                    etag: Some("\"put\"".into()),
                }
            }
            S3Op::CreateMultipart => {
                self.next_id += 1;
                let id = format!("u/{}", self.next_id);
                self.uploads.insert(id.clone(), (key, BTreeMap::new()));
                Resp { status: 200, body: format!("<InitiateMultipartUploadResult><UploadId>{id}</UploadId></InitiateMultipartUploadResult>"), etag: None }
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
                Resp {
                    status: 200,
                    body: String::new(),
                    etag: Some(etag),
                }
            }
            S3Op::ListParts => {
                let Some((_, parts)) = self.uploads.get(&id.unwrap()) else {
                    return err(404, "NoSuchUpload");
                };
                let max: usize = query(&r.url, "max-parts")
                    .map(|m| m.parse().unwrap())
                    .unwrap_or(1000);
                let marker: u32 = query(&r.url, "part-number-marker")
                    .map(|m| m.parse().unwrap())
                    .unwrap_or(0);
                let page: Vec<_> = parts.range(marker + 1..).take(max + 1).collect();
                let truncated = page.len() > max;
                let mut xml = format!("<ListPartsResult><IsTruncated>{truncated}</IsTruncated>");
                for (n, (etag, bytes)) in page.iter().take(max) {
                    xml.push_str(&format!("<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag><Size>{}</Size></Part>", bytes.len()));
                }
                if truncated {
                    xml.push_str(&format!(
                        "<NextPartNumberMarker>{}</NextPartNumberMarker>",
                        page[max - 1].0
                    ));
                }
                xml.push_str("</ListPartsResult>");
                Resp {
                    status: 200,
                    body: xml,
                    etag: None,
                }
            }
            S3Op::Complete => {
                let id = id.unwrap();
                let Some((key, parts)) = self.uploads.get(&id) else {
                    return err(404, "NoSuchUpload");
                };
                let Body::Xml { text } = &r.body else {
                    panic!()
                };
                let mut object = Vec::new();
                let mut last = 0;
                for p in s3xml::elements(text, "Part") {
                    let n: u32 = s3xml::text(p, "PartNumber").unwrap().parse().unwrap();
                    assert!(n > last, "parts must ascend");
                    last = n;
                    match parts.get(&n) {
                        Some((etag, bytes))
                            if Some(etag.as_str()) == s3xml::text(p, "ETag").as_deref() =>
                        {
                            object.extend_from_slice(bytes)
                        }
                        _ => return err(400, "InvalidPart"),
                    }
                }
                let key = key.clone();
                self.uploads.remove(&id);
                self.objects.insert(key, object);
                Resp { status: 200, body: "<CompleteMultipartUploadResult><ETag>\"x\"</ETag></CompleteMultipartUploadResult>".into(), etag: None }
            }
            S3Op::Abort => {
                self.uploads.remove(&id.unwrap());
                Resp {
                    status: 204,
                    body: String::new(),
                    etag: None,
                }
            }
        }
    }
}

fn bytes_of(r: &S3Request, sources: &[Vec<u8>]) -> Vec<u8> {
    match &r.body {
        Body::Part { slices, len } => {
            let mut out = Vec::new();
            for s in slices {
                out.extend_from_slice(&sources[s.source][s.start as usize..s.end as usize]);
            }
            assert_eq!(out.len() as u64, *len);
            out
        }
        _ => Vec::new(),
    }
}

fn checksum_of(job: &PartJob, sources: &[Vec<u8>]) -> PartChecksum {
    let mut h = PartHasher::new(ChecksumKind::Crc32c);
    for s in &job.slices {
        for c in sources[s.source][s.start as usize..s.end as usize].chunks(MAX_CHUNK) {
            h.update(c).unwrap();
        }
    }
    assert_eq!(h.bytes_fed(), job.len);
    h.finish()
}

/// Sends `r` through the faulty network; `None` when no answer arrives.
fn transmit(s3: &mut FakeS3, rng: &mut Rng, r: &S3Request, body: &[u8]) -> Result<Resp, Failure> {
    if rng.chance(70) {
        s3.faults_fired += 1;
        return Err(if rng.chance(500) {
            Failure::Network
        } else {
            Failure::Stalled
        });
    }
    if rng.chance(70) {
        s3.faults_fired += 1;
        return Ok(if rng.chance(500) {
            err(500, "InternalError")
        } else {
            err(503, "SlowDown")
        });
    }
    if r.op == S3Op::UploadPart && rng.chance(70) && !body.is_empty() {
        s3.faults_fired += 1;
        let mut bad = body.to_vec();
        bad[0] ^= 1;
        return Ok(s3.handle(r, &bad));
    }
    let resp = s3.handle(r, body);
    if rng.chance(20) {
        s3.faults_fired += 1;
        return Err(Failure::Network); // done, but the answer is lost
    }
    Ok(resp)
}

fn reply(r: &Result<Resp, Failure>) -> Reply<'_> {
    match r {
        Ok(x) => Reply::Response {
            status: x.status,
            body: &x.body,
            etag: x.etag.as_deref(),
            bucket_region: None,
            retry_after_ms: None,
        },
        Err(f) => Reply::Failed(f.clone()),
    }
}

/// Runs one upload to the end; returns (faults fired, resumes).
fn run(seed: u64, sizes: &[&[u64]], concurrency: usize) -> (u32, u32) {
    let mut rng = Rng(seed);
    let mut data_rng = Rng(seed ^ 0x9E37_79B9);
    let names = if sizes.len() == 2 {
        vec!["s_R1.fq", "s_R2.fq"]
    } else {
        vec!["s.fq"]
    };
    let specs: Vec<FileSpec> = sizes
        .iter()
        .zip(&names)
        .map(|(s, n)| FileSpec {
            name: (*n).into(),
            sources: s.to_vec(),
            last_modified_ms: None,
        })
        .collect();
    let options = UploadOptions {
        part_size: Some(5 * MIB),
        endpoint: Some("http://s3.local/".into()),
        ..UploadOptions::default()
    };
    let prepared = prepare(UploadKind::Sample, &specs, options).unwrap();
    // Bytes per state file (upload order), per source.
    let data: Vec<Vec<Vec<u8>>> = prepared
        .files
        .iter()
        .map(|f| {
            f.plan
                .sources
                .iter()
                .map(|&n| (0..n).map(|_| data_rng.next() as u8).collect())
                .collect()
        })
        .collect();
    let init = InitResponse::from_json(&json!({
        "sample_id": "s1", "s3_bucket": "bucket", "file_id": "k/r1", "paired_end_file_id": "k/r2",
        "upload_aws_access_key_id": "AK", "upload_aws_secret_access_key": "SK", "callback_url": "/cb"
    }))
    .unwrap();
    let spec_order: Vec<FileSpec> = prepared
        .files
        .iter()
        .zip(&specs)
        .map(|_| ())
        .enumerate()
        .map(|(i, _)| {
            let f = &prepared.files[i];
            FileSpec {
                name: f.fingerprint.name.clone(),
                sources: f.plan.sources.clone(),
                last_modified_ms: None,
            }
        })
        .collect();
    let mut s = Session::start(prepared, init).unwrap();
    let mut s3 = FakeS3::default();
    let mut now = 1_000_000u64;
    let mut resumes = 0;
    let mut pending: Vec<(u32, PartChecksum, Result<Resp, Failure>)> = Vec::new();
    let resume = |s: &Session, resumes: &mut u32| -> Session {
        *resumes += 1;
        let state = UploadState::from_json(&s.state_json()).unwrap();
        let firsts: Vec<Option<PartChecksum>> = (0..state.files.len())
            .map(|i| Some(checksum_of(&state.first_part_job(i).unwrap(), &data[i])))
            .collect();
        Session::resume(state, &spec_order, &firsts, RetryPolicy::default()).unwrap()
    };
    let kill_at = 2 + seed % 4;
    for round in 0..100_000 {
        if round == kill_at || rng.chance(30) {
            // The process dies: in-flight answers are lost.
            pending.clear();
            s = resume(&s, &mut resumes);
        }
        match s.next_step() {
            Step::Done => break,
            Step::CreateMultipart { .. } => {
                let req = s.create_multipart_request(now).unwrap();
                let r = transmit(&mut s3, &mut rng, &req, &[]);
                if let Ok(Outcome::Retry { delay_ms }) = s.on_create_multipart(&reply(&r)) {
                    now += delay_ms;
                }
            }
            Step::ListParts { .. } => {
                let req = s.list_parts_request(now, Some(2)).unwrap();
                let r = transmit(&mut s3, &mut rng, &req, &[]);
                match s.on_list_parts(&reply(&r)) {
                    Ok(Outcome::Retry { delay_ms }) => now += delay_ms,
                    Ok(_) => {}
                    Err(e) => panic!("list: {e}"),
                }
            }
            Step::UploadParts { file } => {
                while s.in_flight().len() < concurrency {
                    let Some(job) = s.next_part(now) else { break };
                    let c = checksum_of(&job, &data[file]);
                    let req = s.part_request(job.number, &c, now).unwrap();
                    let body = bytes_of(&req, &data[file]);
                    let r = transmit(&mut s3, &mut rng, &req, &body);
                    pending.push((job.number, c, r));
                }
                if pending.is_empty() {
                    now = s
                        .next_wake_ms()
                        .expect("nothing in flight and nothing waiting")
                        .max(now);
                    continue;
                }
                // Answers arrive in any order.
                let (n, c, r) = pending.remove((rng.next() % pending.len() as u64) as usize);
                match s.on_part(n, &c, &reply(&r), now) {
                    Ok(_) => {}
                    Err(e) => {
                        // Retries ran out: the user resumes later.
                        assert!(
                            matches!(
                                e.code,
                                onecodex_core::ErrorCode::Network
                                    | onecodex_core::ErrorCode::Timeout
                                    | onecodex_core::ErrorCode::S3Error
                                    | onecodex_core::ErrorCode::ChecksumMismatch
                            ),
                            "{e}"
                        );
                        pending.clear();
                        now += 60_000;
                        s = resume(&s, &mut resumes);
                    }
                }
                now += 100;
            }
            Step::Complete { .. } => {
                let req = s.complete_request(now).unwrap();
                let r = transmit(&mut s3, &mut rng, &req, &[]);
                match s.on_complete(&reply(&r)) {
                    Ok(Outcome::Retry { delay_ms }) => now += delay_ms,
                    Ok(_) => {}
                    Err(_) => s = resume(&s, &mut resumes),
                }
            }
            Step::Callback => {
                s.callback_request().unwrap();
                s.on_callback(&Reply::status(200, r#"{"sample_id": "s1"}"#))
                    .unwrap();
            }
        }
    }
    assert_eq!(s.next_step(), Step::Done, "seed {seed} did not finish");
    for (i, f) in s.state().files.iter().enumerate() {
        let want: Vec<u8> = data[i].concat();
        let got = s3
            .objects
            .get(&f.key)
            .unwrap_or_else(|| panic!("seed {seed}: no object {}", f.key));
        assert!(
            got == &want,
            "seed {seed}: object {} differs ({} vs {} bytes)",
            f.key,
            got.len(),
            want.len()
        );
    }
    // A CreateMultipartUpload whose answer was lost leaves an empty upload behind (S3's
    // lifecycle rules clean those); an upload holding parts is never abandoned.
    for (id, (_, parts)) in &s3.uploads {
        assert!(
            parts.is_empty() || resumes > 0,
            "seed {seed}: upload {id} left behind with parts"
        );
    }
    (s3.faults_fired, resumes)
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
        run(
            seed * 104_729,
            &[&[7 * MIB + 1, 3 * MIB, 4 * MIB + 5], &[6 * MIB + 2]],
            3,
        );
        run(seed * 31, &[&[100], &[2 * MIB]], 2);
    }
}
