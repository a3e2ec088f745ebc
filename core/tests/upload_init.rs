//! The API requests that start an upload (§6.1, §6.3–6.5).

use onecodex_core::upload::init::*;
use onecodex_core::upload::session::{prepare, FileSpec, UploadKind, UploadOptions};
use onecodex_core::ErrorCode;
use serde_json::{json, Map, Value};

fn files(names: &[&str]) -> Vec<FileSpec> {
    names.iter().map(|n| FileSpec { name: (*n).into(), sources: vec![10], last_modified_ms: None }).collect()
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn snake_case_follows_the_python_rule() {
    for (i, o) in [
        ("sampleType", "sample_type"),
        ("HTTPServer", "http_server"),
        ("already_snake", "already_snake"),
        ("getHTTPResponseCode", "get_http_response_code"),
        ("Name", "name"),
        ("location2Lat", "location2_lat"),
        ("ABC", "abc"),
        ("", ""),
    ] {
        assert_eq!(snake_case(i), o, "{i}");
    }
}

#[test]
fn sample_init_body() {
    let p = prepare(UploadKind::Sample, &files(&["/x/s_R2.fq.gz", "/x/s_R1.fq.gz"]), UploadOptions::default()).unwrap();
    let params = InitParams {
        metadata: Some(map(json!({"sampleType": "Metagenomic", "custom": {"myKey": 1}}))),
        tags: vec!["t1".into()],
        project: Some("472fc57510e24150".into()),
        ..InitParams::default()
    };
    let r = init_request(&p, &params).unwrap();
    assert_eq!((r.method, r.path.as_str()), ("POST", "/api/v1/samples/init_multipart_upload"));
    assert_eq!(
        r.body,
        json!({
            "sample_id": null, "external_sample_id": null,
            "filename": "s_R1.fq.gz", "paired_end_filename": "s_R2.fq.gz",
            "metadata": {"sample_type": "Metagenomic", "custom": {"myKey": 1}},
            "tags": [{"name": "t1"}],
            "project": "472fc57510e24150"
        })
    );
    // Empty metadata and tags are left out; a pre-uploaded sample is named by one id.
    let p = prepare(UploadKind::Sample, &files(&["a.fq"]), UploadOptions::default()).unwrap();
    let params = InitParams { metadata: Some(Map::new()), sample_id: Some("abc".into()), ..InitParams::default() };
    let r = init_request(&p, &params).unwrap();
    assert_eq!(r.body, json!({"sample_id": "abc", "external_sample_id": null, "filename": "a.fq"}));
}

#[test]
fn bad_init_params_are_typed() {
    let p = prepare(UploadKind::Sample, &files(&["a.fq"]), UploadOptions::default()).unwrap();
    let both =
        InitParams { sample_id: Some("a".into()), external_sample_id: Some("b".into()), ..InitParams::default() };
    assert_eq!(init_request(&p, &both).unwrap_err().code, ErrorCode::InvalidArgument);
    let empty_tag = InitParams { tags: vec![" ".into()], ..InitParams::default() };
    assert_eq!(init_request(&p, &empty_tag).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(preupload_request(None, &["".into()], None).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn documents_and_assets_init_without_body() {
    let p = prepare(UploadKind::Document, &files(&["r.pdf"]), UploadOptions::default()).unwrap();
    let r = init_request(&p, &InitParams::default()).unwrap();
    assert_eq!((r.path.as_str(), &r.body), ("/api/v1/documents/init_multipart_upload", &Value::Null));
    let p = prepare(UploadKind::Asset { name: None }, &files(&["r.fa"]), UploadOptions::default()).unwrap();
    assert_eq!(init_request(&p, &InitParams::default()).unwrap().path, "/api/v1/assets/init_multipart_upload");
}

#[test]
fn preupload_body() {
    let r =
        preupload_request(Some(map(json!({"name": "x", "sampleType": "y"}))), &["t".into()], Some("472fc57510e24150"))
            .unwrap();
    assert_eq!(r.path, "/api/v1/samples/preupload");
    assert_eq!(
        r.body,
        json!({"metadata": {"name": "x", "sampleType": "y"}, "tags": [{"name": "t"}], "project": {"$ref": "/api/v1/projects/472fc57510e24150"}})
    );
    let r = preupload_request(None, &[], None).unwrap();
    assert_eq!(r.body, json!({"metadata": null, "tags": null, "project": null}));
}
