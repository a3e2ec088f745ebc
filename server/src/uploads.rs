//! Upload sessions between init and callback/cancel (API_SPEC §6).

use serde_json::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UploadKind {
    Sample,
    Document,
    Asset,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UploadState {
    Pending,
    Done,
    Cancelled,
}

#[derive(Clone, Debug)]
pub struct Upload {
    pub kind: UploadKind,
    /// The sample id handed out at init (new or pre-uploaded).
    pub sample_id: Option<String>,
    /// Whether `sample_id` names a pre-uploaded sample that already exists.
    pub reuse: bool,
    pub file_id: String,
    pub paired_file_id: Option<String>,
    pub filename: Option<String>,
    #[allow(dead_code)]
    pub paired_filename: Option<String>,
    pub metadata: Value,
    pub tags: Vec<String>,
    pub project: Option<String>,
    pub access_key: String,
    pub state: UploadState,
}

#[derive(Default)]
pub struct Uploads {
    /// By file_id (the S3 key of the single file / R1).
    pub by_key: HashMap<String, Upload>,
    /// sample id → file_id.
    pub by_sample: HashMap<String, String>,
}

impl Uploads {
    pub fn add(&mut self, u: Upload) {
        if let Some(s) = &u.sample_id {
            self.by_sample.insert(s.clone(), u.file_id.clone());
        }
        self.by_key.insert(u.file_id.clone(), u);
    }
}
