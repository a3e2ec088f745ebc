//! Pre-signed links (no API auth): downloads, results files, read-level TSVs, analysis files.

use crate::app::{App, Req};
use crate::gen::results as gr;
use crate::http::{bytes, Body, Resp, StdError};
use crate::model::schema_of;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde_json::Value;

fn s3_style_error(status: StatusCode, code: &str, msg: &str) -> Resp {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message></Error>"
    );
    bytes(status, "application/xml", xml)
}

pub fn serve(app: &App, req: &Req, rest: &[&str]) -> Resp {
    if req.method != http::Method::GET && req.method != http::Method::HEAD {
        return s3_style_error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "Only GET is allowed");
    }
    if let Err(msg) = app.presign.verify(&req.path, &req.query) {
        return s3_style_error(StatusCode::FORBIDDEN, "AccessDenied", msg);
    }
    let (kind, coll, id) = match rest {
        [k, c, i, ..] => (*k, *c, *i),
        _ => return s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
    };
    let tail = rest.get(3..).map(|t| t.join("/")).unwrap_or_default();
    let seed = app.cfg.seed;
    let octet = "application/octet-stream";
    match kind {
        "results" => {
            let v = match coll {
                "classifications" => gr::classification(seed, id),
                "functional_profiles" => gr::functional_condensed(seed, id),
                _ => return s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "No results file"),
            };
            let body = serde_json::to_vec(&v).unwrap_or_default();
            bytes(StatusCode::OK, octet, gr::encode(gr::encoding(seed, id), &body))
        }
        "readlevel" => bytes(StatusCode::OK, octet, super::readlevel::tsv_gz(app, id)),
        "file" => match super::actions::analysis_files(seed, coll, id).into_iter().find(|f| f.1 == tail) {
            Some((_, _, content)) => bytes(StatusCode::OK, octet, content),
            None => s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        },
        "csv" => bytes(
            StatusCode::OK,
            "text/csv",
            format!("locus_tag,start,end,product\n{id}_0001,1,900,hypothetical protein\n"),
        ),
        "download" => download(app, coll, id),
        _ => s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
    }
}

fn download(app: &App, coll: &str, id: &str) -> Resp {
    let (s3_key, paired_key, size, name) = {
        let Ok(st) = app.store.read() else {
            return s3_style_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "store");
        };
        let Some(schema) = schema_of(coll) else {
            return s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "no such object");
        };
        let Some(o) = st.get(coll, id) else {
            return s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "no such object");
        };
        (
            o.extra.get("s3_key").and_then(Value::as_str).map(str::to_string),
            o.extra.get("s3_paired_key").and_then(Value::as_str).map(str::to_string),
            o.get(schema, "size").and_then(Value::as_u64).unwrap_or(1024),
            o.get(schema, "filename").and_then(Value::as_str).unwrap_or("annotations.gbk").to_string(),
        )
    };
    if let Some(key) = s3_key {
        // A paired sample downloads as R1 followed by R2 (its size is their sum).
        let bucket = app.s3_root.join(crate::config::BUCKET);
        let mut paths = vec![bucket.join(&key)];
        paths.extend(paired_key.map(|k| bucket.join(k)));
        return file_stream(paths);
    }
    if coll == "annotation_sets" {
        return bytes(
            StatusCode::OK,
            "application/octet-stream",
            format!("LOCUS       {id}\nFEATURES             Location/Qualifiers\n//\n"),
        );
    }
    with_etag(generated_stream(app.cfg.seed, id, size, &name), &format!("{}/{id}/{size}", app.cfg.seed))
}

/// An S3-style ETag (`"<32 hex>"`) on a download: opaque, and different whenever the object's
/// content may be (its files' paths and times, or what it is generated from). Clients check it
/// before continuing a partial download.
fn with_etag(mut resp: Resp, identity: &str) -> Resp {
    if resp.status() == StatusCode::OK {
        let (a, b) = (crate::rng::hs(1, "etag", identity), crate::rng::hs(2, "etag", identity));
        if let Ok(v) = HeaderValue::from_str(&format!("\"{a:016x}{b:016x}\"")) {
            resp.headers_mut().insert("etag", v);
        }
    }
    resp
}

/// Deterministic content of `size` bytes (FASTQ-looking for reads), streamed.
fn generated_stream(seed: u64, id: &str, size: u64, name: &str) -> Resp {
    let fastq = name.contains(".fq") || name.contains(".fastq");
    let mut r = crate::rng::Rng::new(crate::rng::hs(seed, "content", id));
    let mut block = Vec::with_capacity(64 * 1024);
    let mut n = 0;
    while block.len() < 64 * 1024 {
        n += 1;
        let seq: String = (0..100).map(|_| *r.pick(&['A', 'C', 'G', 'T'])).collect();
        if fastq {
            block.extend_from_slice(format!("@read{n}\n{seq}\n+\n{}\n", "I".repeat(100)).as_bytes());
        } else {
            block.extend_from_slice(format!(">seq{n}\n{seq}\n").as_bytes());
        }
    }
    let block = Bytes::from(block);
    let stream = futures_util::stream::unfold(0u64, move |sent| {
        let block = block.clone();
        async move {
            if sent >= size {
                return None;
            }
            let n = (size - sent).min(block.len() as u64) as usize;
            Some((Ok::<_, StdError>(http_body::Frame::data(block.slice(0..n))), sent + n as u64))
        }
    });
    let mut resp = Resp::new(Body::new(http_body_util::StreamBody::new(stream)));
    resp.headers_mut().insert("content-length", HeaderValue::from(size));
    resp.headers_mut().insert("content-type", HeaderValue::from_static("application/octet-stream"));
    resp
}

fn file_stream(paths: Vec<std::path::PathBuf>) -> Resp {
    let mut size = 0;
    // The ETag's input: each file's path, size and modification time.
    let mut identity = String::new();
    for p in &paths {
        match std::fs::metadata(p) {
            Ok(m) => {
                size += m.len();
                identity.push_str(&format!("{}:{}:{:?};", p.display(), m.len(), m.modified().ok()));
            }
            Err(_) => return s3_style_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        }
    }
    // State: remaining paths, the open file.
    let stream =
        futures_util::stream::unfold((paths, 0usize, None::<tokio::fs::File>), |(paths, mut idx, f)| async move {
            use tokio::io::AsyncReadExt;
            let mut f = f;
            loop {
                if f.is_none() {
                    let path = paths.get(idx)?.clone();
                    match tokio::fs::File::open(&path).await {
                        Ok(file) => f = Some(file),
                        Err(e) => {
                            return Some((
                                Err::<http_body::Frame<Bytes>, StdError>(Box::new(e)),
                                (paths, usize::MAX, None),
                            ))
                        }
                    }
                }
                let mut buf = vec![0u8; 256 * 1024];
                let file = f.as_mut()?;
                match file.read(&mut buf).await {
                    Ok(0) => {
                        idx += 1;
                        f = None;
                    }
                    Ok(n) => {
                        buf.truncate(n);
                        return Some((Ok(http_body::Frame::data(Bytes::from(buf))), (paths, idx, f)));
                    }
                    Err(e) => return Some((Err(Box::new(e) as StdError), (paths, usize::MAX, None))),
                }
            }
        });
    let mut resp = Resp::new(Body::new(http_body_util::StreamBody::new(stream)));
    resp.headers_mut().insert("content-length", HeaderValue::from(size));
    resp.headers_mut().insert("content-type", HeaderValue::from_static("application/octet-stream"));
    with_etag(resp, &identity)
}
