//! Everything checked before the first request: the file rules of applied to one file or
//! an R1/R2 pair, the options, and each file's part plan.

use super::files::{self, check_filename, check_size};
use super::plan::{self, Plan};
use super::request::object_url;
use super::sigv4::MAX_PRESIGN_SECS;
use super::state::{check_transfer_settings, FileSpec, Fingerprint, Role, UploadKind, UploadOptions};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;

/// A file after the rules of, before the init request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreparedFile {
    pub role: Role,
    /// The (ASCII) name sent to the API.
    pub filename: String,
    /// True when `coerceAscii` changed the name (the caller may warn).
    pub coerced: bool,
    pub plan: Plan,
    pub fingerprint: Fingerprint,
}

/// Files checked and planned; nothing has been sent yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prepared {
    pub kind: UploadKind,
    /// In upload order: R2 before R1 for a pair.
    pub files: Vec<PreparedFile>,
    pub options: UploadOptions,
}

impl Prepared {
    /// `filename` and `paired_end_filename` for the init request body.
    pub fn init_filenames(&self) -> (String, Option<String>) {
        let r1 = self.files.iter().find(|f| f.role != Role::R2).map(|f| f.filename.clone()).unwrap_or_default();
        (r1, self.files.iter().find(|f| f.role == Role::R2).map(|f| f.filename.clone()))
    }
}

/// Applies every file rule and plans the parts: one file, or two given as a pair (either
/// order). Documents and assets skip the ASCII rule but not the empty-file rule.
pub fn prepare(kind: UploadKind, files: &[FileSpec], options: UploadOptions) -> Result<Prepared> {
    if let Some(p) = options.part_size {
        plan::check_part_size(p)?;
    }
    if options.region.is_empty() || !options.region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid_argument(format!("region {:?} is not an AWS region name", options.region)));
    }
    if options.presign_secs.is_some_and(|p| p == 0 || p > MAX_PRESIGN_SECS) {
        return Err(Error::invalid_argument(format!("presignSecs must be 1 to {MAX_PRESIGN_SECS} seconds")));
    }
    if let Some(e) = &options.endpoint {
        object_url(Some(e), "bucket", "key", "")?;
    }
    check_transfer_settings(options.concurrency, options.stall_timeout_ms as f64)?;
    let max = plan::max_file_size(options.part_size);
    let roles: Vec<Role> = match files.len() {
        1 => vec![Role::Single],
        2 if kind == UploadKind::Sample => {
            let (r1, _) = files::check_pair(&files[0].name, &files[1].name)?;
            if r1 == 0 {
                vec![Role::R1, Role::R2]
            } else {
                vec![Role::R2, Role::R1]
            }
        }
        2 => return Err(Error::invalid_argument("documents and assets are uploaded one file at a time")),
        n => return Err(Error::invalid_argument(format!("an upload takes one file or an R1/R2 pair, not {n} files"))),
    };
    let mut out = Vec::new();
    for (spec, role) in files.iter().zip(roles) {
        let checked = if kind == UploadKind::Sample {
            check_filename(&spec.name, options.coerce_ascii)?
        } else {
            let base = files::basename(&spec.name);
            if base.is_empty() {
                return Err(Error::new(ErrorCode::InvalidFile, format!("{:?} has no file name", spec.name)));
            }
            files::CheckedName { name: base.to_string(), coerced: false }
        };
        let size = spec.sources.iter().fold(0u64, |a, &b| a.saturating_add(b));
        let plan = if spec.sources.is_empty() {
            Plan::streaming(options.part_size)?
        } else {
            check_size(&checked.name, size, max)?;
            Plan::new(&spec.sources, options.part_size)?
        };
        out.push(PreparedFile {
            role,
            filename: checked.name,
            coerced: checked.coerced,
            plan,
            fingerprint: Fingerprint {
                name: spec.name.clone(),
                size,
                last_modified_ms: spec.last_modified_ms,
                first_part_checksum: None,
            },
        });
    }
    // R2 goes first: the server looks for R1 when the one callback arrives.
    crate::index_sort::sort_by_key(&mut out, |f| f.role != Role::R2);
    Ok(Prepared { kind, files: out, options })
}
