//! The saved record of an upload and its inputs: what the caller gives (`FileSpec`,
//! `UploadOptions`), what the API's init answers (`InitResponse`), and `UploadState`, the small
//! JSON record `upload.state()` returns. It holds upload credentials, never the API key.

use super::checksum::ChecksumKind;
use super::plan::{Plan, SourceSlice};
use super::retry::RetryPolicy;
use super::sigv4::Credentials;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the saved state's shape; a state of another version is refused on resume.
pub const STATE_VERSION: u32 = 1;

/// What is being uploaded: it decides the callback body and the id in its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UploadKind {
    Sample,
    Document,
    Asset { name: Option<String> },
}

impl UploadKind {
    pub(crate) fn id_field(&self) -> &'static str {
        match self {
            UploadKind::Sample => "sample_id",
            UploadKind::Document => "document_id",
            UploadKind::Asset { .. } => "asset_id",
        }
    }
}

/// The fields of an `init_multipart_upload` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct InitResponse {
    pub sample_id: Option<String>,
    pub s3_bucket: String,
    pub file_id: String,
    pub paired_end_file_id: Option<String>,
    pub credentials: Credentials,
    pub callback_url: String,
}

impl InitResponse {
    pub fn from_json(v: &Value) -> Result<InitResponse> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let need = |k: &str| s(k).ok_or_else(|| Error::invalid_response(format!("the upload init answer has no {k}")));
        Ok(InitResponse {
            sample_id: s("sample_id"),
            s3_bucket: need("s3_bucket")?,
            file_id: need("file_id")?,
            paired_end_file_id: s("paired_end_file_id"),
            credentials: Credentials {
                access_key_id: need("upload_aws_access_key_id")?,
                secret_access_key: need("upload_aws_secret_access_key")?,
                session_token: s("upload_aws_session_token"),
            },
            callback_url: crate::refs::check_api_path("the upload init answer's callback_url", &need("callback_url")?)?
                .to_string(),
        })
    }
}

/// A file as the caller has it: its name, and the sizes of its sources (one for an ordinary
/// file; several for lane files sent as one object; none for a stream of unknown length), plus
/// its last-modified time if known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSpec {
    pub name: String,
    pub sources: Vec<u64>,
    #[serde(default)]
    pub last_modified_ms: Option<f64>,
}

/// Upload options; every field has a default, so a partial JSON object deserialises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadOptions {
    pub part_size: Option<u64>,
    pub checksum: ChecksumKind,
    pub coerce_ascii: bool,
    /// Default us-east-1; S3's region error moves it.
    pub region: String,
    /// The `s3Endpoint` client option (see `request::object_url`).
    pub endpoint: Option<String>,
    /// Set by the `retryDelaysMs` option, not read from JSON.
    #[serde(skip, default = "RetryPolicy::upload")]
    pub retry: RetryPolicy,
    /// Pre-sign S3 requests for this many seconds (auth in the URL, as Uppy does) instead of
    /// signing headers: fewer headers for the bucket's CORS rules to allow.
    pub presign_secs: Option<u32>,
    /// Parts in flight at once (the driver keeps at most this many, plus one being read).
    pub concurrency: u32,
    /// A part with no progress for this long is aborted by the driver and retried.
    pub stall_timeout_ms: u64,
}

/// Default parts in flight: lib-storage's 4; at most 16 (browsers allow 6 per origin anyway).
pub const DEFAULT_CONCURRENCY: u32 = 4;
pub const MAX_CONCURRENCY: u32 = 16;
pub const DEFAULT_STALL_TIMEOUT_MS: u64 = 60_000;
/// Shorter stall limits would abort parts on any slow uplink.
pub const MIN_STALL_TIMEOUT_MS: u64 = 5_000;

/// The limits of the transfer settings, for a new upload (`prepare`) and a resumed one (which
/// does not go through `prepare`): 1 to [`MAX_CONCURRENCY`] parts at once, and a stall timeout
/// from [`MIN_STALL_TIMEOUT_MS`] up to the timer range.
pub fn check_transfer_settings(concurrency: u32, stall_timeout_ms: f64) -> Result<()> {
    if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
        return Err(Error::invalid_argument(format!("concurrency must be 1 to {MAX_CONCURRENCY}, not {concurrency}")));
    }
    if !(crate::time::is_duration_ms(stall_timeout_ms) && stall_timeout_ms >= MIN_STALL_TIMEOUT_MS as f64) {
        return Err(Error::invalid_argument(format!(
            "stallTimeoutMs must be from {MIN_STALL_TIMEOUT_MS} to {} ms, not {stall_timeout_ms}",
            crate::time::MAX_TIMER_MS
        )));
    }
    Ok(())
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            part_size: None,
            checksum: ChecksumKind::Crc32c,
            coerce_ascii: false,
            region: "us-east-1".into(),
            endpoint: None,
            retry: RetryPolicy::upload(),
            presign_secs: None,
            concurrency: DEFAULT_CONCURRENCY,
            stall_timeout_ms: DEFAULT_STALL_TIMEOUT_MS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Single,
    R1,
    R2,
}

/// What identifies a file across a reload: a different file must not continue an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub name: String,
    pub size: u64,
    pub last_modified_ms: Option<f64>,
    /// Checksum of part 1, set when it is first computed.
    pub first_part_checksum: Option<String>,
}

/// A part S3 has accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonePart {
    pub number: u32,
    pub etag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileState {
    pub role: Role,
    pub filename: String,
    pub key: String,
    pub fingerprint: Fingerprint,
    pub plan: Plan,
    pub upload_id: Option<String>,
    pub parts: Vec<DonePart>,
    pub completed: bool,
}

/// The resumable record (`upload.state()`): small, JSON-serialisable. It holds the upload
/// credentials, so it is sensitive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadState {
    pub version: u32,
    pub kind: UploadKind,
    pub sample_id: Option<String>,
    pub bucket: String,
    pub callback_url: String,
    pub credentials: Credentials,
    pub region: String,
    pub endpoint: Option<String>,
    pub checksum: ChecksumKind,
    pub files: Vec<FileState>,
    pub callback_done: bool,
    /// The id the callback answered (sample, document or asset).
    pub result_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presign_secs: Option<u32>,
}

/// A part to read and checksum, then request with `part_request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartJob {
    pub file: usize,
    pub number: u32,
    pub len: u64,
    pub slices: Vec<SourceSlice>,
}

impl UploadState {
    /// The job for part 1 of `file` (checksum it for `Session::resume`).
    pub fn first_part_job(&self, file: usize) -> Option<PartJob> {
        let f = self.files.get(file)?;
        let p = f.plan.part(1)?;
        Some(PartJob { file, number: 1, len: p.len(), slices: f.plan.slices(p.start, p.end) })
    }

    pub fn from_json(json: &str) -> Result<UploadState> {
        serde_json::from_str(json).map_err(|e| Error::invalid_argument(format!("not a saved upload state: {e}")))
    }
}
