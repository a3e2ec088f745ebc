//! The API requests that start an upload: `init_multipart_upload` for samples
//! (with metadata keys snake-cased as the Python client does), documents and assets, and
//! `preupload`. Their answers feed `session::InitResponse`.

use super::prepare::Prepared;
use super::request::ApiRequest;
use super::state::UploadKind;
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};

/// What a sample upload attaches to the new (or pre-uploaded) sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InitParams {
    /// Sample metadata; top-level keys are snake-cased, `custom` is passed unchanged.
    pub metadata: Option<Map<String, Value>>,
    /// Tag names (the server creates missing tags).
    pub tags: Vec<String>,
    /// The bare project id, already resolved by the caller (not a `$ref`).
    pub project: Option<String>,
    /// Upload into a pre-uploaded sample, by id or external id (never both).
    pub sample_id: Option<String>,
    pub external_sample_id: Option<String>,
}

/// The Python client's `snake_case`: `_` before an Uppercase+lowercase run that follows any
/// character, then between a lowercase letter or digit and an uppercase letter, then lowercase
/// (`sampleType` → `sample_type`, `HTTPServer` → `http_server`).
pub fn snake_case(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    // re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    let mut s1 = Vec::with_capacity(c.len() + 4);
    let mut i = 0;
    while i < c.len() {
        let run =
            c.get(i + 1).is_some_and(char::is_ascii_uppercase) && c.get(i + 2).is_some_and(char::is_ascii_lowercase);
        if c[i] != '\n' && run {
            let mut end = i + 3;
            while c.get(end).is_some_and(char::is_ascii_lowercase) {
                end += 1;
            }
            s1.push(c[i]);
            s1.push('_');
            s1.extend_from_slice(&c[i + 1..end]);
            i = end;
        } else {
            s1.push(c[i]);
            i += 1;
        }
    }
    // re.sub('([a-z0-9])([A-Z])', r'\1_\2', s1).lower()
    let mut out = String::with_capacity(s1.len() + 4);
    let mut i = 0;
    while i < s1.len() {
        let a = s1[i];
        if (a.is_ascii_lowercase() || a.is_ascii_digit()) && s1.get(i + 1).is_some_and(char::is_ascii_uppercase) {
            out.push(a);
            out.push('_');
            out.push(s1[i + 1]);
            i += 2;
        } else {
            out.push(a);
            i += 1;
        }
    }
    out.to_lowercase()
}

fn tag_list(tags: &[String]) -> Result<Value> {
    let mut out = Vec::new();
    for t in tags {
        if t.trim().is_empty() {
            return Err(Error::invalid_argument("a tag name is empty"));
        }
        out.push(json!({ "name": t }));
    }
    Ok(Value::Array(out))
}

/// The init request for prepared files. Documents and assets send no body (`Value::Null`).
pub fn init_request(prepared: &Prepared, params: &InitParams) -> Result<ApiRequest> {
    let path = match prepared.kind {
        UploadKind::Sample => "/api/v1/samples/init_multipart_upload",
        UploadKind::Document => "/api/v1/documents/init_multipart_upload",
        UploadKind::Asset { .. } => "/api/v1/assets/init_multipart_upload",
    };
    if prepared.kind != UploadKind::Sample {
        return Ok(ApiRequest { method: "POST", path: path.into(), body: Value::Null });
    }
    if params.sample_id.is_some() && params.external_sample_id.is_some() {
        return Err(Error::invalid_argument("give sampleId or externalSampleId, not both"));
    }
    let (filename, paired) = prepared.init_filenames();
    let mut body = json!({
        "sample_id": params.sample_id,
        "external_sample_id": params.external_sample_id,
        "filename": filename,
    });
    if let Some(p) = paired {
        body["paired_end_filename"] = Value::String(p);
    }
    if let Some(m) = params.metadata.as_ref().filter(|m| !m.is_empty()) {
        let snake: Map<String, Value> =
            m.iter().map(|(k, v)| (if k == "custom" { k.clone() } else { snake_case(k) }, v.clone())).collect();
        body["metadata"] = Value::Object(snake);
    }
    if !params.tags.is_empty() {
        body["tags"] = tag_list(&params.tags)?;
    }
    if let Some(p) = &params.project {
        body["project"] = Value::String(p.clone());
    }
    Ok(ApiRequest { method: "POST", path: path.into(), body })
}

/// `POST /api/v1/samples/preupload`: every key present, `null` when not given; the
/// project as a `$ref`, and metadata keys as given (not snake-cased).
pub fn preupload_request(
    metadata: Option<Map<String, Value>>,
    tags: &[String],
    project: Option<&str>,
) -> Result<ApiRequest> {
    let tags = if tags.is_empty() { Value::Null } else { tag_list(tags)? };
    let project = project.map(|p| json!({ "$ref": format!("/api/v1/projects/{p}") })).unwrap_or(Value::Null);
    Ok(ApiRequest {
        method: "POST",
        path: "/api/v1/samples/preupload".into(),
        body: json!({ "metadata": metadata.map(Value::Object).unwrap_or(Value::Null), "tags": tags, "project": project }),
    })
}
