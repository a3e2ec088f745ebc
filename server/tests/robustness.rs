//! Hostile input never crashes the server; the fault admin answers only loopback peers.

mod common;
use common::Server;
use serde_json::{json, Value};

#[tokio::test]
async fn malformed_queries_and_bodies_get_4xx_and_server_lives() {
    let s = Server::start(&[]);
    let wheres = [
        json!(null),
        json!(1),
        json!("x"),
        json!({"size": {"$gt": null}}),
        json!({"size": {"$in": "x"}}),
        json!({"size": {"$in": [null, {"a": 1}]}}),
        json!({"created_at": {"$lt": 5}}),
        json!({"tags": {"$containsany": [null]}}),
        json!({"tax_ids": {"$containsall": "543"}}),
        json!({"tax_ids": {"$containsall": [543]}}),
        json!({"$uri": {"$in": [1]}}),
        json!({"$uri": {"$contains": "a"}}),
        json!({"project": {"$ref": 5}}),
        json!({"project": {"$in": [{"$ref": ""}]}}),
        json!({"filename": {"$between": ["a", "b"]}}),
        json!({"size": {"$between": [1, 2, 3]}}),
        json!({"filename": {"$eq": [1]}}),
        json!({"owner": {"$gt": "x"}}),
        json!({"metadata": true}),
        json!({"status": {"$in": [1, 2]}}),
        json!({"filename": "\u{0}\u{ffff}"}),
        json!({"size": 1e308}),
        json!({"size": {"$gt": -1e308}}),
    ];
    for w in wheres {
        let r = s.get("/api/v1/samples").query(&[("where", w.to_string())]).send().await.unwrap();
        assert!(r.status().as_u16() == 200 || r.status().as_u16() == 400, "{w}: {}", r.status());
        let v: Value = r.json().await.unwrap();
        if !v.is_array() {
            assert!(v["message"].is_string(), "{w}");
        }
    }
    let deep = "[".repeat(10_000);
    let r = s.get("/api/v1/samples").query(&[("where", deep.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 400);
    for (path, body) in [
        ("/api/v1/samples/init_multipart_upload", "null"),
        ("/api/v1/samples/init_multipart_upload", "{\"filename\": 5}"),
        ("/api/v1/samples/init_multipart_upload", "{\"filename\": \"a.fq\", \"metadata\": [1]}"),
        ("/api/v1/samples/preupload", "{\"project\": {\"$ref\": null}}"),
        ("/api/v1/samples/cancel_upload", "{}"),
        ("/api/import_file_from_s3", "{\"s3_path\": \"http://x\"}"),
        ("/api/import_file_from_s3", "{\"s3_path\": \"s3://other-bucket/k\"}"),
        ("/api/v1/jobs", "[]"),
        ("/api/v1/documents/confirm_upload", "{}"),
    ] {
        let r = s.post(path).header("content-type", "application/json").body(body).send().await.unwrap();
        assert!(r.status().is_client_error(), "{path} {body}: {}", r.status());
        let v: Value = r.json().await.unwrap();
        assert!(v["message"].is_string(), "{path} {body}");
    }
    let r = s.http.post(s.url("/__admin/faults")).body("{").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let (st, _) = s.json("/api/v1/account").await;
    assert_eq!(st, 200, "still serving");
}

#[tokio::test]
async fn fault_admin_is_loopback_only() {
    // Find an address of this machine that is not loopback.
    let Some(ip) = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|u| u.connect("192.0.2.1:9").map(|_| u))
        .ok()
        .and_then(|u| u.local_addr().ok())
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
    else {
        eprintln!("no non-loopback address; skipped");
        return;
    };
    let s = Server::start(&["--host", "0.0.0.0"]);
    let port = s.api.rsplit(':').next().unwrap().to_string();
    let remote = format!("http://{ip}:{port}");
    let r = s.http.get(format!("{remote}/__admin/faults")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = s.http.get(format!("{remote}/api/v1/account")).basic_auth(common::KEY, Some("")).send().await.unwrap();
    assert_eq!(r.status(), 200, "the API itself is reachable");
    let r = s.http.get(s.url("/__admin/faults")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn serves_64_requests_at_once() {
    let s = Server::start(&["--samples", "20"]);
    // Each listing is held 500 ms, so the 64 are in flight together: served one at a time they
    // would take 32 s.
    let r = s
        .http
        .post(s.url("/__admin/faults"))
        .json(&json!({"target": "api", "method": "GET", "path": "/api/v1/projects", "latency": {"ms": 500}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let started = std::time::Instant::now();
    let requests = (0..64).map(|_| async { s.get("/api/v1/projects").send().await.map(|r| r.status().as_u16()) });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|st| matches!(st, Ok(200))), "{statuses:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
}
