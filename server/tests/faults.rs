//! Fault rules: respond (with Retry-After), latency, drop after N bytes, slow body; times and
//! rate; S3 operation and part-number matching; hit counters; the --faults file.

mod common;
use common::sigv4::S3;
use common::Server;
use serde_json::{json, Value};
use std::time::Instant;

async fn add(s: &Server, rule: Value) -> String {
    let r = s.http.post(s.url("/__admin/faults")).json(&rule).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["ids"][0].as_str().unwrap().to_string()
}

async fn rules(s: &Server) -> Value {
    s.http.get(s.url("/__admin/faults")).send().await.unwrap().json().await.unwrap()
}

async fn hits(s: &Server, id: &str) -> u64 {
    let v = rules(s).await;
    v["rules"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["hits"].as_u64().unwrap()
}

#[tokio::test]
async fn respond_times_and_retry_after() {
    let s = Server::start(&[]);
    let id = add(
        &s,
        json!({"target": "api", "method": "GET", "path": "/api/v1/samples*",
                            "respond": {"status": 503, "body": {"message": "busy"}, "retry_after": 2}, "times": 2}),
    )
    .await;
    for _ in 0..2 {
        let r = s.get("/api/v1/samples").send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "2");
        assert_eq!(r.json::<Value>().await.unwrap()["message"], "busy");
    }
    assert_eq!(s.get("/api/v1/samples").send().await.unwrap().status(), 200);
    assert_eq!(s.get("/api/v1/projects").send().await.unwrap().status(), 200);
    assert_eq!(hits(&s, &id).await, 2);
    let v = rules(&s).await;
    assert_eq!(v["rules"][0]["matched"], 3);
    let r = s.http.delete(s.url("/__admin/faults")).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["cleared"], 1);
    assert_eq!(rules(&s).await["rules"], json!([]));
}

#[tokio::test]
async fn latency_drop_and_slow_body() {
    let s = Server::start(&[]);
    let id = add(
        &s,
        json!({"target": "api", "path": "/api/v1/account", "latency": {"ms": 300, "jitter_ms": 50}, "times": 1}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(s.get("/api/v1/account").send().await.unwrap().status(), 200);
    assert!(t.elapsed().as_millis() >= 300);
    assert_eq!(hits(&s, &id).await, 1);

    let id = add(&s, json!({"target": "api", "path": "/api/v1/tags", "drop_after_bytes": 10, "times": 1})).await;
    let r = s.get("/api/v1/tags").send().await.unwrap();
    assert!(r.bytes().await.is_err(), "body cut after 10 bytes");
    assert_eq!(hits(&s, &id).await, 1);
    let id = add(&s, json!({"target": "api", "path": "/api/v1/tags", "drop_after_bytes": 0, "times": 1})).await;
    assert!(s.get("/api/v1/tags").send().await.is_err(), "connection dropped before any response");
    assert_eq!(hits(&s, &id).await, 1);
    // Dropped before the handler runs: a POST has no effect.
    let id = add(&s, json!({"target": "api", "method": "POST", "path": "/api/v1/samples/preupload", "drop_after_bytes": 0, "times": 1})).await;
    assert!(s.post("/api/v1/samples/preupload").json(&json!({})).send().await.is_err());
    assert_eq!(hits(&s, &id).await, 1);
    let (_, v) = s.list("samples", json!({"visibility": "awaiting data"})).await;
    assert_eq!(v.as_array().unwrap().len(), 0);
    assert_eq!(s.get("/api/v1/tags").send().await.unwrap().status(), 200);

    let id = add(&s, json!({"target": "api", "path": "/api/v1/users", "slow_body": {"bytes_per_sec": 500}})).await;
    let t = Instant::now();
    let body = s.get("/api/v1/users").send().await.unwrap().bytes().await.unwrap();
    assert!(body.len() > 100);
    assert!(t.elapsed().as_millis() >= 200, "slowed: {:?}", t.elapsed());
    assert_eq!(hits(&s, &id).await, 1);
}

#[tokio::test]
async fn rate_is_deterministic_and_partial() {
    let s = Server::start(&["--seed", "3"]);
    let id =
        add(&s, json!({"target": "api", "path": "/api/v1/account", "respond": {"status": 429}, "rate": 0.5})).await;
    let mut statuses = vec![];
    for _ in 0..40 {
        statuses.push(s.get("/api/v1/account").send().await.unwrap().status().as_u16());
    }
    let fired = statuses.iter().filter(|s| **s == 429).count() as u64;
    assert!(fired > 5 && fired < 35, "{fired}");
    assert_eq!(hits(&s, &id).await, fired);
    // Same seed, same pattern.
    let s2 = Server::start(&["--seed", "3"]);
    add(&s2, json!({"target": "api", "path": "/api/v1/account", "respond": {"status": 429}, "rate": 0.5})).await;
    let mut again = vec![];
    for _ in 0..40 {
        again.push(s2.get("/api/v1/account").send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, again);
}

#[tokio::test]
async fn s3_operation_and_part_number_rules() {
    let s = Server::start(&[]);
    let id = add(&s, json!({"target": "s3", "operation": "UploadPart", "part_number": 2,
                            "respond": {"status": 500, "body": "<Error><Code>InternalError</Code><Message>boom</Message></Error>"}, "times": 1})).await;
    let i: Value = s
        .post("/api/v1/samples/init_multipart_upload")
        .json(&json!({"filename": "f.fq"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s3 = S3::new(
        &s.s3,
        i["upload_aws_access_key_id"].as_str().unwrap(),
        i["upload_aws_secret_access_key"].as_str().unwrap(),
        "us-east-1",
    );
    let key = i["file_id"].as_str().unwrap();
    let up = s3.create_mpu(key).await;
    assert_eq!(s3.upload_part(key, &up, 1, vec![1; 10], &[]).await.status, 200);
    let r = s3.upload_part(key, &up, 2, vec![1; 10], &[]).await;
    assert_eq!(r.status, 500);
    assert!(r.body.contains("InternalError"));
    assert_eq!(s3.upload_part(key, &up, 2, vec![1; 10], &[]).await.status, 200, "retry succeeds");
    assert_eq!(hits(&s, &id).await, 1);
    // An API rule does not touch S3 and vice versa.
    let id2 = add(&s, json!({"target": "s3", "operation": "CompleteMultipartUpload", "latency": {"ms": 200}})).await;
    assert_eq!(s.get("/api/v1/account").send().await.unwrap().status(), 200);
    assert_eq!(hits(&s, &id2).await, 0);
    // Invalid rules are 400.
    for bad in [
        json!({"target": "ftp", "respond": {"status": 500}}),
        json!({"target": "api"}),
        json!({"target": "api", "respond": {"status": 500}, "latency": {"ms": 1}}),
        json!({"target": "api", "respond": {"status": 500}, "rate": 2}),
        json!({"target": "api", "respond": {"status": 500}, "colour": "red"}),
    ] {
        let r = s.http.post(s.url("/__admin/faults")).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn rules_from_a_file_at_start() {
    let f = std::env::temp_dir().join(format!("ocx-faults-{}.json", std::process::id()));
    std::fs::write(
        &f,
        json!([{"id": "boot", "target": "api", "path": "/api/v1/projects", "respond": {"status": 502}, "times": 1}])
            .to_string(),
    )
    .unwrap();
    let s = Server::start(&["--faults", f.to_str().unwrap()]);
    assert_eq!(s.get("/api/v1/projects").send().await.unwrap().status(), 502);
    assert_eq!(s.get("/api/v1/projects").send().await.unwrap().status(), 200);
    assert_eq!(hits(&s, "boot").await, 1);
    let _ = std::fs::remove_file(&f);
}
