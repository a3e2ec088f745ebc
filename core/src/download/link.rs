//! Step 1–2 of a download: the object (for its name, and a sample's
//! visibility), then its pre-signed link from `POST {$uri}/download_uri`, with the download errors the API gives.

use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{status_error, Method, Response};
use crate::refs::check_id;
use crate::resources::Resource;
use serde_json::Value;

/// Refuses a sample that has no file yet, before any download request.
pub fn check_downloadable(resource: &str, object: &Value) -> Result<()> {
    if resource == "samples" && object.get("visibility").and_then(Value::as_str) == Some("awaiting data") {
        let id = object.get("$uri").and_then(Value::as_str).and_then(|u| u.rsplit('/').next()).unwrap_or("?");
        return Err(Error::invalid_argument(format!(
            "Sample {id} has not finished processing (it is awaiting data): there is no file to download yet"
        )));
    }
    Ok(())
}

/// The local name when the caller gives a folder or nothing: the object's `filename`, or a name
/// built from the id (annotation sets have none; assemblies may have none, C.8).
pub fn default_filename(resource: &str, id: &str, object: &Value) -> String {
    let from_server = object.get("filename").and_then(Value::as_str).map(safe_name).filter(|n| !n.is_empty());
    match (resource, from_server) {
        (_, Some(name)) => name,
        ("annotation_sets", None) => format!("annotation_set_{id}.gbk"),
        ("assemblies", None) => format!("assembly_{id}.fasta"),
        (r, None) => format!("{}_{id}", r.trim_end_matches('s')),
    }
}

/// A server-given name as a plain file name: no folders, no `..`, no control characters.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    if cleaned == "." || cleaned == ".." {
        String::new()
    } else {
        cleaned
    }
}

/// `POST {$uri}/download_uri` → the pre-signed link.
pub async fn download_uri<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<String> {
    link(api, resource, id, "download_uri").await
}

/// `POST /annotation_sets/<id>/download_csv` → a link to the annotations as CSV.
/// Unlike the Python client, no credentials are sent to that link: they go to the API only.
pub async fn annotation_csv_uri<T: Transport>(api: &Api<T>, id: &str) -> Result<String> {
    link(api, "annotation_sets", id, "download_csv").await
}

async fn link<T: Transport>(api: &Api<T>, resource: &str, id: &str, action: &str) -> Result<String> {
    let r = Resource::by_name(resource)?;
    if !r.downloadable {
        return Err(Error::invalid_argument(format!("{resource} cannot be downloaded")));
    }
    let id = check_id(id)?;
    // Asking for a download link twice gives two links to the same object.
    let mut req = api.request(Method::Post, &format!("{}/{id}/{action}", r.path())).idempotent_post();
    if r.experimental && !api.config.experimental {
        req = req.header("X-OneCodex-Api-Experimental", "1");
    }
    let resp = api.send(&req).await?;
    if !resp.is_success() {
        return Err(download_uri_error(&resp, resource, id));
    }
    let v: Value = resp.json("Asking for a download link")?;
    v.get("download_uri").and_then(Value::as_str).filter(|u| crate::refs::is_link(u)).map(str::to_string).ok_or_else(
        || Error::invalid_response("Asking for a download link: the response has no http(s) 'download_uri'"),
    )
}

/// 401, 402 and 403 each say what to do; others quote the status.
fn download_uri_error(resp: &Response, resource: &str, id: &str) -> Error {
    let what = format!("{} {id}", resource.trim_end_matches('s'));
    let (code, message) = match resp.status {
        401 => (ErrorCode::Unauthorized, format!("You must be logged in to download {what}: check the API key or bearer token")),
        402 => (ErrorCode::PaymentRequired, format!(
            "Downloading {what} needs a premium account or a notebook environment; contact One Codex support to enable downloads"
        )),
        403 => (ErrorCode::Forbidden, format!("You are not authorized to download {what}")),
        _ => return status_error(resp, &format!("Downloading {what}")),
    };
    Error::new(code, message).with_status(resp.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::config::BaseUrl;
    use crate::http::session::tests::{block_on, reply, Scripted};
    use crate::http::session::ClientConfig;
    use serde_json::json;

    fn api(outcomes: Vec<Result<Response>>) -> Api<Scripted> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        Api::new(config, Scripted::new(outcomes))
    }

    #[test]
    fn the_link_comes_from_download_uri() {
        let a = api(vec![reply(200, &[], r#"{"download_uri": "https://s3/x?sig=1"}"#)]);
        assert_eq!(block_on(download_uri(&a, "samples", "s1")).unwrap(), "https://s3/x?sig=1");
        let req = &a.transport.requests.borrow()[0];
        assert_eq!((req.method, req.url.as_str()), (Method::Post, "http://127.0.0.1:1/api/v1/samples/s1/download_uri"));
        let a = api(vec![
            reply(200, &[], r#"{"download_uri": "https://s3/a"}"#),
            reply(200, &[], r#"{"download_uri": "https://s3/c"}"#),
        ]);
        block_on(download_uri(&a, "assemblies", "a1")).unwrap();
        assert_eq!(a.transport.requests.borrow()[0].header_value("x-onecodex-api-experimental"), Some("1"));
        assert_eq!(block_on(annotation_csv_uri(&a, "n1")).unwrap(), "https://s3/c");
        let req = &a.transport.requests.borrow()[1];
        assert!(req.url.ends_with("/api/v1/annotation_sets/n1/download_csv"));
        assert_eq!(req.header_value("x-onecodex-api-experimental"), Some("1"));
    }

    #[test]
    fn each_section_7_1_status_has_its_code_and_advice() {
        let cases = [
            (401, ErrorCode::Unauthorized, "You must be logged in to download sample s1"),
            (402, ErrorCode::PaymentRequired, "needs a premium account or a notebook environment"),
            (403, ErrorCode::Forbidden, "You are not authorized to download sample s1"),
            (400, ErrorCode::InvalidArgument, "Downloading sample s1 failed (HTTP 400): awaiting data"),
            (500, ErrorCode::Server, "Downloading sample s1 failed (HTTP 500)"),
        ];
        for (status, code, text) in cases {
            let a = api(vec![reply(status, &[], r#"{"message": "awaiting data"}"#)]);
            let e = block_on(download_uri(&a, "samples", "s1")).unwrap_err();
            assert_eq!((e.code, e.status), (code, Some(status)));
            assert!(e.message.contains(text), "{status}: {}", e.message);
        }
        let a = api(vec![reply(200, &[], r#"{"url": "x"}"#)]);
        assert_eq!(block_on(download_uri(&a, "samples", "s1")).unwrap_err().code, ErrorCode::InvalidResponse);
        let a = api(vec![]);
        assert_eq!(block_on(download_uri(&a, "projects", "p1")).unwrap_err().code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn awaiting_data_is_refused_locally() {
        let s = json!({"$uri": "/api/v1/samples/s1", "visibility": "awaiting data"});
        let e = check_downloadable("samples", &s).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(e.message.contains("Sample s1 has not finished processing"));
        assert!(check_downloadable("samples", &json!({"visibility": "private"})).is_ok());
    }

    #[test]
    fn default_names_are_plain_file_names() {
        assert_eq!(default_filename("samples", "s1", &json!({"filename": "SRR1.fastq.gz"})), "SRR1.fastq.gz");
        assert_eq!(default_filename("documents", "d1", &json!({"filename": "../../etc/passwd"})), "passwd");
        assert_eq!(default_filename("documents", "d1", &json!({"filename": ".."})), "document_d1");
        assert_eq!(default_filename("annotation_sets", "x", &json!({})), "annotation_set_x.gbk");
        assert_eq!(default_filename("assemblies", "y", &json!({"filename": null})), "assembly_y.fasta");
    }
}
