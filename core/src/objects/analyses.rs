//! Per-analysis endpoints besides results: logs, output files and
//! the read-level link. Unlike the Python client, statuses are always checked.

use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{status_error, Method};
use crate::objects::action_error;
use crate::refs::check_id;
use crate::resources::Resource;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of `/file_details`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AnalysisFile {
    pub filename: String,
    /// Where the file sits in the analysis's output, e.g. `results/out.txt`.
    pub filepath: String,
    /// Bytes, when the server knows.
    #[serde(default)]
    pub size: Option<u64>,
    /// A pre-signed link (no API auth); it expires.
    pub url: String,
}

#[derive(Deserialize)]
struct FileDetails {
    files: Vec<AnalysisFile>,
}

fn analysis_path(collection: &str, id: &str) -> Result<String> {
    let r = Resource::by_name(collection)?;
    if !r.is_analysis {
        return Err(Error::invalid_argument(format!("{collection} are not analyses")));
    }
    Ok(format!("{}/{}", r.path(), check_id(id)?))
}

/// Plain-text job logs, the last `tail` lines when given (≥ 1). A 404 means there are none.
pub async fn logs<T: Transport>(api: &Api<T>, collection: &str, id: &str, tail: Option<u64>) -> Result<String> {
    if tail == Some(0) {
        return Err(Error::invalid_argument("logs: tail must be at least 1"));
    }
    let mut path = format!("{}/logs", analysis_path(collection, id)?);
    if let Some(n) = tail {
        path.push_str(&format!("?tail={n}"));
    }
    let id = check_id(id)?;
    let resp = api.send(&api.request(Method::Get, &path).header("Accept", "text/plain")).await?;
    match resp.status {
        200..=299 => Ok(resp.text()),
        404 => Err(Error::new(
            ErrorCode::NotFound,
            format!("Logs not found for analysis {id}: it has no logs (yet), or it does not exist"),
        )
        .with_status(404)),
        _ => Err(status_error(&resp, &format!("Reading the logs of analysis {id}"))),
    }
}

/// The analysis's output files (`/file_details`).
pub async fn files<T: Transport>(api: &Api<T>, collection: &str, id: &str) -> Result<Vec<AnalysisFile>> {
    let path = format!("{}/file_details", analysis_path(collection, id)?);
    let action = format!("Listing the files of analysis {}", check_id(id)?);
    let details: FileDetails = api.send_ok(&api.request(Method::Get, &path), &action).await?.json(&action)?;
    Ok(details.files)
}

/// The entry for `filepath` (a leading `/` is ignored), or `not_found` naming what exists.
pub fn find_file(files: Vec<AnalysisFile>, id: &str, filepath: &str) -> Result<AnalysisFile> {
    let wanted = filepath.trim_start_matches('/');
    let names: Vec<String> = files.iter().map(|f| f.filepath.clone()).collect();
    files.into_iter().find(|f| f.filepath.trim_start_matches('/') == wanted).ok_or_else(|| {
        let shown = if names.len() > 10 { format!("{}, …", names[..10].join(", ")) } else { names.join(", ") };
        Error::new(
            ErrorCode::NotFound,
            format!(
                "Analysis {id} has no file '{filepath}' (it has: {})",
                if shown.is_empty() { "no files" } else { &shown }
            ),
        )
    })
}

/// The pre-signed link of a classification's read-level TSV (`{"url": …}`).
pub async fn readlevel_url<T: Transport>(api: &Api<T>, id: &str) -> Result<String> {
    let path = format!("{}/readlevel", analysis_path("classifications", id)?);
    let action = format!("Reading the read-level link of classification {}", check_id(id)?);
    let v: serde_json::Value = api.send_ok(&api.request(Method::Get, &path), &action).await?.json(&action)?;
    v.get("url")
        .and_then(|u| u.as_str())
        .filter(|u| crate::refs::is_link(u))
        .map(str::to_string)
        .ok_or_else(|| Error::invalid_response(format!("{action}: the response has no http(s) 'url'")))
}

/// Cancels a running custom-workflow analysis; the analysis may still be running after.
pub async fn cancel_analysis<T: Transport>(api: &Api<T>, analysis_id: &str) -> Result<Value> {
    let id = check_id(analysis_id)?;
    let resp = api.send(&api.request(Method::Post, &format!("/api/v1/analyses/{id}/cancel")).idempotent_post()).await?;
    match resp.status {
        s if (200..300).contains(&s) => resp.json("Analysis cancellation"),
        403 => Err(Error::new(
            crate::ErrorCode::Forbidden,
            format!(
            "You are not allowed to cancel analysis {id}: only the user who started it or an organization admin can"
        ),
        )
        .with_status(403)),
        404 => Err(Error::new(crate::ErrorCode::NotFound, format!("Analysis {id} not found.")).with_status(404)),
        _ => Err(action_error(&resp, "Analysis cancellation")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::config::BaseUrl;
    use crate::http::session::tests::{block_on, reply, Scripted};
    use crate::http::session::ClientConfig;

    fn api(outcomes: Vec<Result<crate::http::Response>>) -> Api<Scripted> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        Api::new(config, Scripted::new(outcomes))
    }

    #[test]
    fn logs_tail_and_missing_logs() {
        let a = api(vec![
            reply(200, &[], "line 9\nline 10\n"),
            reply(404, &[], r#"{"message": "nope"}"#),
            reply(500, &[], ""),
        ]);
        assert_eq!(block_on(logs(&a, "workflows", "w1", Some(2))).unwrap(), "line 9\nline 10\n");
        assert!(a.transport.requests.borrow()[0].url.ends_with("/api/v1/workflows/w1/logs?tail=2"));
        let e = block_on(logs(&a, "analyses", "w1", None)).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::NotFound, Some(404)));
        assert!(e.message.starts_with("Logs not found for analysis w1"), "{}", e.message);
        assert_eq!(block_on(logs(&a, "analyses", "w1", None)).unwrap_err().code, ErrorCode::Server);
    }

    #[test]
    fn bad_logs_arguments_make_no_request() {
        let a = api(vec![]);
        assert_eq!(block_on(logs(&a, "analyses", "w1", Some(0))).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(block_on(logs(&a, "samples", "w1", None)).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(block_on(logs(&a, "analyses", "a/../b", None)).unwrap_err().code, ErrorCode::InvalidArgument);
        assert!(a.transport.requests.borrow().is_empty());
    }

    #[test]
    fn files_are_status_checked_and_found_by_filepath() {
        let body = r#"{"files": [{"filename": "out.txt", "filepath": "results/out.txt", "size": 2048, "url": "https://s3/x?sig=1"}]}"#;
        let a = api(vec![
            reply(200, &[], body),
            reply(403, &[], r#"{"message": "Forbidden"}"#),
            reply(200, &[], r#"{"oops": 1}"#),
        ]);
        let files = block_on(files(&a, "analyses", "a1")).unwrap();
        assert_eq!(files[0].size, Some(2048));
        assert_eq!(find_file(files.clone(), "a1", "/results/out.txt").unwrap().filename, "out.txt");
        let e = find_file(files, "a1", "results/missing.txt").unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(e.message, "Analysis a1 has no file 'results/missing.txt' (it has: results/out.txt)");
        assert_eq!(block_on(super::files(&a, "analyses", "a1")).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(block_on(super::files(&a, "analyses", "a1")).unwrap_err().code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn readlevel_link_must_be_a_url() {
        let a = api(vec![
            reply(200, &[], r#"{"url": "https://s3/r.tsv.gz?x=1"}"#),
            reply(200, &[], r#"{"url": "file:///etc/passwd"}"#),
        ]);
        assert_eq!(block_on(readlevel_url(&a, "c1")).unwrap(), "https://s3/r.tsv.gz?x=1");
        assert_eq!(block_on(readlevel_url(&a, "c1")).unwrap_err().code, ErrorCode::InvalidResponse);
    }
}
