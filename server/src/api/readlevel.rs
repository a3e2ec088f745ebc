//! The read-level TSV of a classification: for a sample uploaded to this server, one row per
//! record of its file (R1/R2 rows of a pair together), so the rows line up with the file;
//! for the generated samples, the generated rows.

use crate::app::App;
use crate::gen::{readlevel, results};
use crate::model::CLASSIFICATIONS;
use serde_json::Value;

/// The S3 keys (R1 and R2 if paired) of the file behind a classification's sample, if uploaded.
fn uploaded_keys(app: &App, id: &str) -> Option<(String, Option<String>)> {
    let st = app.store.read().ok()?;
    let c = st.get("classifications", id)?;
    let sample_id = c.get(&CLASSIFICATIONS, "sample")?.as_str()?.to_string();
    let s = st.get("samples", &sample_id)?;
    let key = s.extra.get("s3_key")?.as_str()?.to_string();
    let paired = s.extra.get("s3_paired_key").and_then(Value::as_str).map(str::to_string);
    Some((key, paired))
}

pub fn tsv_gz(app: &App, id: &str) -> Vec<u8> {
    let seed = app.cfg.seed;
    let Some((key, paired)) = uploaded_keys(app, id) else {
        return results::readlevel_tsv_gz(seed, id);
    };
    let root = app.s3_root.join(crate::config::BUCKET);
    let reads = std::fs::File::open(root.join(&key))
        .map(|f| readlevel::count_records_in(std::io::BufReader::new(f)))
        .unwrap_or(0);
    readlevel::aligned_tsv_gz(seed, id, reads, paired.is_some())
}
