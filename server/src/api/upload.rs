//! Upload flows (API_SPEC §6): init with per-upload S3 credentials, pre-upload, the callbacks
//! that check the object really is in S3, and cancellation.

use super::objects::validate_value;
use crate::app::{App, Req};
use crate::config::BUCKET;
use crate::filter::ref_id;
use crate::http::{error, ok, Resp};
use crate::model::{ASSETS, DOCUMENTS, METADATA, SAMPLES, TAGS};
use crate::store::{Obj, Store, MAIN};
use crate::uploads::{Upload, UploadKind, UploadState};
use http::StatusCode;
use serde_json::{json, Map, Value};

fn bad(msg: impl Into<String>) -> Resp {
    error(StatusCode::BAD_REQUEST, msg)
}

fn random_string(alphabet: &[u8], n: usize) -> String {
    let mut b = vec![0u8; n];
    super::fill_random(&mut b);
    b.iter().map(|x| alphabet[*x as usize % alphabet.len()] as char).collect()
}

/// A fresh key pair scoped to `keys`.
fn issue_creds(app: &App, keys: Vec<String>) -> (String, String) {
    let ak = format!("AKIA{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let sk = random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    app.creds.issue(ak.clone(), sk.clone(), keys);
    (ak, sk)
}

fn check_filename(f: &str) -> Result<(), String> {
    if f.is_empty() || f.len() > 255 {
        return Err("'filename' must be a non-empty name of at most 255 characters".into());
    }
    if !f.is_ascii() {
        return Err(format!("Filename {f} must be ASCII"));
    }
    if f.contains('/') || f.contains('\\') {
        return Err("'filename' must be a base name, without folders".into());
    }
    Ok(())
}

/// Validates `metadata` (PATCH schema) into (field, stored value) pairs.
fn parse_metadata(st: &Store, v: Option<&Value>) -> Result<Vec<(String, Value)>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(vec![]) };
    let m = v.as_object().ok_or("'metadata' must be an object")?;
    let mut out = vec![];
    for (k, x) in m {
        if !METADATA.patch.contains(&k.as_str()) {
            return Err(format!("Unknown metadata field '{k}'"));
        }
        let f = METADATA.field(k).ok_or("field")?;
        out.push((k.clone(), validate_value(st, "metadata", k, f.kind, x)?));
    }
    Ok(out)
}

fn parse_tags(v: Option<&Value>) -> Result<Vec<String>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(vec![]) };
    let a = v.as_array().ok_or("'tags' must be an array of {\"name\": …}")?;
    let mut out = vec![];
    for t in a {
        let name = t.get("name").and_then(Value::as_str).ok_or("each tag must be {\"name\": \"…\"}")?;
        if name.is_empty() || name.chars().count() > 30 {
            return Err(format!("Tag name '{name}' must be 1 to 30 characters"));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

fn parse_project(st: &Store, v: Option<&Value>) -> Result<Option<String>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let id = ref_id(v).ok_or("'project' must be a project id")?;
    match st.get("projects", &id) {
        Some(p) if p.owner == MAIN => Ok(Some(id)),
        Some(_) => Err(format!("You cannot add samples to project {id}")),
        None => Err(format!("Project {id} not found")),
    }
}

fn tag_ids(st: &mut Store, names: &[String]) -> Vec<Value> {
    let mut ids = vec![];
    for n in names {
        let existing = st
            .coll("tags")
            .iter()
            .find(|t| t.get(&TAGS, "name").and_then(Value::as_str) == Some(n))
            .map(|t| t.id.clone());
        let id = existing.unwrap_or_else(|| {
            let id = super::new_id();
            let mut o = Obj::new(&TAGS, id.clone(), crate::store::SYSTEM, true);
            o.set(&TAGS, "name", n.clone().into());
            st.insert("tags", o);
            id
        });
        if !ids.contains(&Value::String(id.clone())) {
            ids.push(Value::String(id));
        }
    }
    ids
}

/// Creates a sample (and its metadata) owned by the main user.
/// The sample fields an upload request may set: metadata, tags and project, each checked.
type SampleFields = (Vec<(String, Value)>, Vec<String>, Option<String>);

fn sample_fields(st: &Store, body: &Map<String, Value>) -> Result<SampleFields, String> {
    Ok((
        parse_metadata(st, body.get("metadata"))?,
        parse_tags(body.get("tags"))?,
        parse_project(st, body.get("project"))?,
    ))
}

fn create_sample(
    st: &mut Store,
    sid: &str,
    meta: &[(String, Value)],
    tags: &[String],
    project: Option<String>,
    awaiting: bool,
) {
    let now = crate::timefmt::format(crate::timefmt::now_secs());
    let mid = super::new_id();
    let mut s = Obj::new(&SAMPLES, sid.to_string(), MAIN, false);
    s.set(&SAMPLES, "created_at", now.clone().into());
    s.set(&SAMPLES, "updated_at", now.clone().into());
    s.set(&SAMPLES, "status", if awaiting { "pending" } else { "available" }.into());
    s.set(&SAMPLES, "visibility", if awaiting { "awaiting data" } else { "private" }.into());
    s.set(&SAMPLES, "metadata", mid.clone().into());
    s.set(&SAMPLES, "owner", st.user_ids[0].clone().into());
    s.set(&SAMPLES, "project", project.map_or(Value::Null, Value::String));
    let tids = tag_ids(st, tags);
    s.set(&SAMPLES, "tags", Value::Array(tids));
    st.insert("samples", s);
    let mut m = Obj::new(&METADATA, mid, MAIN, false);
    m.set(&METADATA, "sample", sid.into());
    m.set(&METADATA, "starred", false.into());
    m.set(&METADATA, "updated_at", now.into());
    m.set(&METADATA, "custom", json!({}));
    for (k, v) in meta {
        m.set(&METADATA, k, v.clone());
    }
    st.insert("metadata", m);
}

pub fn preupload(app: &App, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Body must be a JSON object"),
        Err(r) => return r,
    };
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let (meta, tags, project) = match sample_fields(&st, &body) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let sid = super::new_id();
    create_sample(&mut st, &sid, &meta, &tags, project, true);
    ok(&json!({"sample_id": sid}))
}

pub fn sample_init(app: &App, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Body must be a JSON object"),
        Err(r) => return r,
    };
    let filename = match body.get("filename").and_then(Value::as_str) {
        Some(f) => f.to_string(),
        None => return bad("'filename' is required"),
    };
    if let Err(e) = check_filename(&filename) {
        return bad(e);
    }
    let paired = match body.get("paired_end_filename") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => {
            if let Err(e) = check_filename(p) {
                return bad(e);
            }
            Some(p.clone())
        }
        Some(_) => return bad("'paired_end_filename' must be a string"),
    };
    let sample_id = body.get("sample_id").filter(|v| !v.is_null());
    let external = body.get("external_sample_id").filter(|v| !v.is_null());
    if sample_id.is_some() && external.is_some() {
        return bad("Provide sample_id or external_sample_id, not both");
    }
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let (meta, tags, project) = match sample_fields(&st, &body) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let awaiting =
        |o: &Obj| o.owner == MAIN && o.get(&SAMPLES, "visibility").and_then(Value::as_str) == Some("awaiting data");
    let reuse_id = if let Some(v) = sample_id {
        let Some(id) = v.as_str() else { return bad("'sample_id' must be a string") };
        match st.get("samples", id) {
            Some(o) if awaiting(o) => Some(id.to_string()),
            Some(o) if o.owner != MAIN => {
                return error(StatusCode::FORBIDDEN, "You do not have permission to upload to that sample")
            }
            Some(_) => return bad(format!("Sample {id} already has data")),
            None => return error(StatusCode::NOT_FOUND, format!("samples {id} not found")),
        }
    } else if let Some(v) = external {
        let Some(ext) = v.as_str() else { return bad("'external_sample_id' must be a string") };
        let hit = st.coll("metadata").iter().find_map(|m| {
            if m.owner != MAIN || m.get(&METADATA, "external_sample_id").and_then(Value::as_str) != Some(ext) {
                return None;
            }
            let sid = m.get(&METADATA, "sample").and_then(Value::as_str)?;
            st.get("samples", sid).filter(|o| awaiting(o)).map(|o| o.id.clone())
        });
        match hit {
            Some(id) => Some(id),
            None => {
                return error(StatusCode::NOT_FOUND, format!("No pre-uploaded sample with external_sample_id {ext}"))
            }
        }
    } else {
        None
    };
    drop(st);
    let sid = reuse_id.clone().unwrap_or_else(super::new_id);
    let token = super::new_id();
    let file_id = format!("{token}/{filename}");
    let paired_id = paired.as_ref().map(|p| format!("{token}/r2/{p}"));
    let mut keys = vec![file_id.clone()];
    keys.extend(paired_id.clone());
    let (ak, sk) = issue_creds(app, keys);
    let up = Upload {
        kind: UploadKind::Sample,
        sample_id: Some(sid.clone()),
        reuse: reuse_id.is_some(),
        file_id: file_id.clone(),
        paired_file_id: paired_id.clone(),
        filename: Some(filename),
        paired_filename: paired,
        metadata: Value::Object(meta.into_iter().collect::<Map<_, _>>()),
        tags,
        project,
        access_key: ak.clone(),
        state: UploadState::Pending,
    };
    if let Ok(mut u) = app.uploads.lock() {
        u.add(up);
    }
    let mut out = json!({
        "sample_id": sid, "s3_bucket": BUCKET, "file_id": file_id,
        "upload_aws_access_key_id": ak, "upload_aws_secret_access_key": sk,
        "callback_url": "/api/import_file_from_s3"
    });
    if let Some(p) = paired_id {
        out["paired_end_file_id"] = json!(p);
    }
    ok(&out)
}

fn object_size(app: &App, key: &str) -> Option<u64> {
    std::fs::metadata(app.s3_root.join(BUCKET).join(key)).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// Parses `s3://bucket/key` and finds the pending upload for it.
fn callback_upload(app: &App, req: &Req, kind: UploadKind) -> Result<(Upload, Map<String, Value>), Resp> {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(bad("Body must be a JSON object")),
        Err(r) => return Err(r),
    };
    let Some(path) = body.get("s3_path").and_then(Value::as_str) else { return Err(bad("'s3_path' is required")) };
    let Some((bucket, key)) = path.strip_prefix("s3://").and_then(|p| p.split_once('/')) else {
        return Err(bad(format!("Invalid s3_path {path}")));
    };
    if bucket != BUCKET {
        return Err(bad(format!("Unknown bucket {bucket}")));
    }
    let u = app.uploads.lock().ok().and_then(|u| u.by_key.get(key).cloned());
    let Some(u) = u.filter(|u| u.kind == kind) else {
        return Err(error(StatusCode::NOT_FOUND, format!("No upload in progress for {path}")));
    };
    match u.state {
        UploadState::Done => return Err(bad("Upload already successful")),
        UploadState::Cancelled => return Err(bad("Upload was cancelled")),
        UploadState::Pending => {}
    }
    Ok((u, body))
}

fn check_objects(app: &App, keys: &[&str]) -> Result<u64, Resp> {
    let mut total = 0;
    for k in keys {
        match object_size(app, k) {
            None => {
                return Err(bad(format!("File s3://{BUCKET}/{k} was not found in S3; upload it before calling back")))
            }
            Some(0) => return Err(bad(format!("File s3://{BUCKET}/{k} is empty"))),
            Some(n) => total += n,
        }
    }
    Ok(total)
}

fn finish(app: &App, u: &Upload) {
    app.creds.revoke(&u.access_key);
    if let Ok(mut ups) = app.uploads.lock() {
        if let Some(x) = ups.by_key.get_mut(&u.file_id) {
            x.state = UploadState::Done;
        }
    }
}

pub fn sample_callback(app: &App, req: &Req) -> Resp {
    let (u, _) = match callback_upload(app, req, UploadKind::Sample) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut keys = vec![u.file_id.as_str()];
    if let Some(p) = &u.paired_file_id {
        keys.push(p);
    }
    let size = match check_objects(app, &keys) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sid = u.sample_id.clone().unwrap_or_default();
    let meta: Vec<(String, Value)> =
        u.metadata.as_object().map(|m| m.clone().into_iter().collect()).unwrap_or_default();
    let delay = app.cfg.classify_delay_ms as f64 / 1000.0;
    {
        let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
        if !u.reuse || st.get("samples", &sid).is_none() {
            create_sample(&mut st, &sid, &meta, &u.tags, u.project.clone(), false);
        } else {
            // Pre-uploaded: keep its metadata, apply any new values, add tags.
            let mid = st
                .get("samples", &sid)
                .and_then(|s| s.get(&SAMPLES, "metadata"))
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(m) = mid.and_then(|mid| st.get_mut("metadata", &mid)) {
                for (k, v) in &meta {
                    m.set(&METADATA, k, v.clone());
                }
            }
            let new_tags = tag_ids(&mut st, &u.tags);
            if let Some(s) = st.get_mut("samples", &sid) {
                if let Some(Value::Array(a)) = s.get(&SAMPLES, "tags").cloned() {
                    let mut all = a;
                    for t in new_tags {
                        if !all.contains(&t) {
                            all.push(t);
                        }
                    }
                    s.set(&SAMPLES, "tags", Value::Array(all));
                }
                if let Some(p) = &u.project {
                    s.set(&SAMPLES, "project", p.clone().into());
                }
            }
        }
        let cls_job = st
            .coll("jobs")
            .iter()
            .find(|j| j.get(&crate::model::JOBS, "name").and_then(Value::as_str) == Some("One Codex Database"))
            .map(|j| j.id.clone())
            .unwrap_or_default();
        let cid = super::new_id();
        let cls = super::actions::new_analysis("classifications", &cid, MAIN, false, &cls_job, &sid);
        st.insert("classifications", cls);
        st.pending.push((crate::timefmt::now_secs() + delay, "classifications", cid.clone()));
        if let Some(s) = st.get_mut("samples", &sid) {
            s.set(&SAMPLES, "filename", u.filename.clone().map_or(Value::Null, Value::String));
            s.set(&SAMPLES, "size", size.into());
            s.set(&SAMPLES, "status", "available".into());
            s.set(&SAMPLES, "visibility", "private".into());
            s.set(&SAMPLES, "primary_classification", cid.into());
            s.extra.insert("s3_key".into(), u.file_id.clone().into());
            if let Some(p) = &u.paired_file_id {
                s.extra.insert("s3_paired_key".into(), p.clone().into());
            }
        }
        if delay <= 0.0 {
            st.tick(crate::timefmt::now_secs());
        }
    }
    finish(app, &u);
    ok(&json!({"sample_id": sid}))
}

pub fn cancel(app: &App, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Body must be a JSON object"),
        Err(r) => return r,
    };
    let Some(sid) = body.get("sample_id").and_then(Value::as_str) else { return bad("'sample_id' is required") };
    let Ok(mut ups) = app.uploads.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "uploads") };
    let Some(key) = ups.by_sample.get(sid).cloned() else {
        return error(StatusCode::NOT_FOUND, format!("No upload found for sample {sid}"));
    };
    let Some(u) = ups.by_key.get_mut(&key) else { return error(StatusCode::NOT_FOUND, "No upload found") };
    match u.state {
        UploadState::Done => bad("Upload already successful"),
        UploadState::Cancelled => ok(&json!({"success": true, "message": "Upload cancelled"})),
        UploadState::Pending => {
            u.state = UploadState::Cancelled;
            app.creds.revoke(&u.access_key);
            for k in std::iter::once(&u.file_id).chain(u.paired_file_id.iter()) {
                let _ = std::fs::remove_file(app.s3_root.join(BUCKET).join(k));
            }
            ok(&json!({"success": true, "message": "Upload cancelled"}))
        }
    }
}

pub fn file_init(app: &App, coll: &str) -> Resp {
    let kind = if coll == "documents" { UploadKind::Document } else { UploadKind::Asset };
    let file_id = format!("{}/{}", coll, super::new_id());
    let (ak, sk) = issue_creds(app, vec![file_id.clone()]);
    if let Ok(mut u) = app.uploads.lock() {
        u.add(Upload {
            kind,
            sample_id: None,
            reuse: false,
            file_id: file_id.clone(),
            paired_file_id: None,
            filename: None,
            paired_filename: None,
            metadata: Value::Null,
            tags: vec![],
            project: None,
            access_key: ak.clone(),
            state: UploadState::Pending,
        });
    }
    ok(&json!({
        "callback_url": format!("/api/v1/{coll}/confirm_upload"), "s3_bucket": BUCKET, "file_id": file_id,
        "upload_aws_access_key_id": ak, "upload_aws_secret_access_key": sk
    }))
}

pub fn file_callback(app: &App, req: &Req, coll: &str) -> Resp {
    let kind = if coll == "documents" { UploadKind::Document } else { UploadKind::Asset };
    let (u, body) = match callback_upload(app, req, kind) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(filename) = body.get("filename").and_then(Value::as_str).map(str::to_string) else {
        return bad("'filename' is required");
    };
    let name = match body.get("name") {
        None | Some(Value::Null) => filename.clone(),
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        Some(_) => return bad("'name' must be a non-empty string"),
    };
    let size = match check_objects(app, &[&u.file_id]) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = super::new_id();
    let now = crate::timefmt::now_secs();
    {
        let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
        let me = st.user_ids[0].clone();
        if kind == UploadKind::Document {
            let mut o = Obj::new(&DOCUMENTS, id.clone(), MAIN, false);
            o.set(&DOCUMENTS, "created_at", crate::timefmt::format(now).into());
            o.set(&DOCUMENTS, "filename", filename.into());
            o.set(&DOCUMENTS, "size", size.into());
            o.set(&DOCUMENTS, "uploader", me.into());
            o.set(&DOCUMENTS, "downloaders", json!([]));
            o.extra.insert("s3_key".into(), u.file_id.clone().into());
            st.insert("documents", o);
        } else {
            let mut o = Obj::new(&ASSETS, id.clone(), MAIN, false);
            o.set(&ASSETS, "created_at", crate::timefmt::format(now).into());
            o.set(&ASSETS, "name", name.into());
            o.set(&ASSETS, "filename", filename.into());
            o.set(&ASSETS, "size", size.into());
            o.set(&ASSETS, "status", "importing".into());
            o.set(&ASSETS, "uploader", me.into());
            o.extra.insert("s3_key".into(), u.file_id.clone().into());
            st.insert("assets", o);
            st.pending.push((now + app.cfg.classify_delay_ms as f64 / 1000.0, "assets", id.clone()));
        }
    }
    finish(app, &u);
    if kind == UploadKind::Document {
        ok(&json!({"document_id": id}))
    } else {
        ok(&json!({"asset_id": id, "message": "Asset is being imported"}))
    }
}
