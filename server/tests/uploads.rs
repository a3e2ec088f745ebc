//! Upload flows against the real S3 endpoint: single and paired, multipart with the wrapper's
//! checks, key scoping, region, callbacks, cancel, pre-upload, documents and assets.

mod common;
use base64::Engine;
use common::sigv4::{all_between, between, S3};
use common::{id_of, Server};
use md5::{Digest, Md5};
use serde_json::{json, Value};

async fn init(s: &Server, body: Value) -> Value {
    let r = s.post("/api/v1/samples/init_multipart_upload").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn s3_for(s: &Server, init: &Value) -> S3 {
    S3::new(
        &s.s3,
        init["upload_aws_access_key_id"].as_str().unwrap(),
        init["upload_aws_secret_access_key"].as_str().unwrap(),
        "us-east-1",
    )
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn single_upload_put_callback_sample_and_classification() {
    let s = Server::start(&["--classify-delay-ms", "200"]);
    let (_, projects) = s.json("/api/v1/projects").await;
    let pid = id_of(&projects[0]);
    let i = init(
        &s,
        json!({"sample_id": null, "external_sample_id": null, "filename": "my_sample.fastq.gz",
               "metadata": {"sample_type": "Metagenomic", "custom": {"a": 1}}, "tags": [{"name": "brand-new-tag"}], "project": pid}),
    )
    .await;
    assert_eq!(i["s3_bucket"], "onecodex-multipart-uploads-encrypted");
    assert_eq!(i["callback_url"], "/api/import_file_from_s3");
    let key = i["file_id"].as_str().unwrap().to_string();
    // Callback before the object exists: 400.
    let cb = json!({"s3_path": format!("s3://onecodex-multipart-uploads-encrypted/{key}"), "filename": "my_sample.fastq.gz"});
    let r = s.post("/api/import_file_from_s3").json(&cb).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let s3 = s3_for(&s, &i);
    let data = b"@r1\nACGT\n+\nIIII\n".repeat(100);
    let md5 = b64(&Md5::digest(&data));
    let r = s3
        .send(
            "PUT",
            &key,
            &[],
            &[("content-md5", md5), ("x-amz-server-side-encryption", "AES256".into())],
            data.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers["x-amz-server-side-encryption"], "AES256");
    let r = s.post("/api/import_file_from_s3").json(&cb).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["sample_id"], i["sample_id"]);
    // The key is revoked after the callback.
    let r = s3.put(&key, data.clone()).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // A second callback is refused.
    let r = s.post("/api/import_file_from_s3").json(&cb).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let sid = i["sample_id"].as_str().unwrap();
    let (st, sample) = s.json(&format!("/api/v1/samples/{sid}?expand=all")).await;
    assert_eq!(st, 200);
    assert_eq!(sample["size"], data.len());
    assert_eq!(sample["filename"], "my_sample.fastq.gz");
    assert_eq!(sample["project"]["$uri"], projects[0]["$uri"]);
    assert_eq!(sample["tags"][0]["name"], "brand-new-tag");
    assert_eq!(sample["metadata"]["sample_type"], "Metagenomic");
    assert_eq!(sample["metadata"]["custom"], json!({"a": 1}));
    let cls = &sample["primary_classification"];
    assert_eq!(cls["complete"], false);
    assert!(cls["results_uri"].is_null());
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (_, c) = s.json(&format!("/api/v1/classifications/{}", id_of(cls))).await;
    assert_eq!(c["complete"], true);
    assert!(c["results_uri"].as_str().unwrap().starts_with("http"));
    // Download: the bytes that were uploaded.
    let r = s.post(&format!("/api/v1/samples/{sid}/download_uri")).send().await.unwrap();
    let link: Value = r.json().await.unwrap();
    let body = reqwest::get(link["download_uri"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(body.as_ref(), data.as_slice());
    // Cancel after success.
    let r = s.post("/api/v1/samples/cancel_upload").json(&json!({"sample_id": sid})).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["message"], "Upload already successful");
}

#[tokio::test]
async fn paired_multipart_with_checksums_listparts_and_etag_checks() {
    let s = Server::start(&[]);
    let i = init(&s, json!({"filename": "reads_R1.fastq.gz", "paired_end_filename": "reads_R2.fastq.gz"})).await;
    let s3 = s3_for(&s, &i);
    let r1 = i["file_id"].as_str().unwrap().to_string();
    let r2 = i["paired_end_file_id"].as_str().unwrap().to_string();
    // R2 in one PUT.
    assert_eq!(s3.put(&r2, vec![b'A'; 1000]).await.status, 200);
    // R1 multipart: 3 parts (5 MiB, 5 MiB, 1 KiB).
    let up = s3.create_mpu(&r1).await;
    let parts: Vec<Vec<u8>> = vec![vec![1u8; 5 * MIB], vec![2u8; 5 * MIB], vec![3u8; 1024]];
    let mut etags = vec![];
    for (k, p) in parts.iter().enumerate() {
        let crc = b64(&crc32c::crc32c(p).to_be_bytes());
        let md5 = b64(&Md5::digest(p));
        let r = s3
            .upload_part(
                &r1,
                &up,
                k as u32 + 1,
                p.clone(),
                &[("content-md5", md5), ("x-amz-checksum-crc32c", crc.clone())],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.headers["x-amz-checksum-crc32c"], crc.as_str());
        etags.push(r.headers["etag"].to_str().unwrap().to_string());
    }
    // Corrupt parts are rejected: wrong MD5, wrong CRC32C, malformed digest.
    let wrong = b64(&Md5::digest(b"other"));
    let r = s3.upload_part(&r1, &up, 4, vec![9u8; 100], &[("content-md5", wrong)]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("BadDigest"), "{}", r.body);
    let r = s3.upload_part(&r1, &up, 4, vec![9u8; 100], &[("x-amz-checksum-crc32c", b64(&[0, 0, 0, 0]))]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("BadDigest"), "{}", r.body);
    let r = s3.upload_part(&r1, &up, 4, vec![9u8; 100], &[("content-md5", "@@@".into())]).await;
    assert_eq!(r.status, 400);
    // Browser style: UNSIGNED-PAYLOAD plus a CRC32C header; a corrupt body is caught by the checksum.
    let mut browser = s3_for(&s, &i);
    browser.unsigned = true;
    let p4 = vec![4u8; 2048];
    let crc = b64(&crc32c::crc32c(&p4).to_be_bytes());
    let r = browser.upload_part(&r1, &up, 4, p4.clone(), &[("x-amz-checksum-crc32c", crc.clone())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = browser.upload_part(&r1, &up, 4, vec![5u8; 2048], &[("x-amz-checksum-crc32c", crc)]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // ListParts paginates and returns ETags.
    let r = s3.send("GET", &r1, &[("uploadId", &up), ("max-parts", "2")], &[], vec![]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all_between(&r.body, "<PartNumber>", "</PartNumber>"), vec!["1", "2"]);
    assert!(r.body.contains("<IsTruncated>true</IsTruncated>"));
    assert_eq!(between(&r.body, "<NextPartNumberMarker>", "</NextPartNumberMarker>").unwrap(), "2");
    let listed: Vec<String> = all_between(&r.body, "<ETag>", "</ETag>");
    assert_eq!(listed[0].replace("&quot;", "\""), etags[0]);
    let r =
        s3.send("GET", &r1, &[("uploadId", &up), ("max-parts", "2"), ("part-number-marker", "2")], &[], vec![]).await;
    assert_eq!(all_between(&r.body, "<PartNumber>", "</PartNumber>"), vec!["3", "4"]);
    assert!(r.body.contains("<IsTruncated>false</IsTruncated>"));
    // ListMultipartUploads shows it.
    let r = s3.send("GET", "", &[("uploads", "")], &[], vec![]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(&up));
    // Complete with a wrong ETag, out of order, or a missing part: refused, upload still alive.
    let bad =
        vec![(1, etags[0].clone()), (2, "\"00000000000000000000000000000000\"".to_string()), (3, etags[2].clone())];
    let r = s3.complete(&r1, &up, &bad).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("InvalidPart"), "{}", r.body);
    let r = s3.complete(&r1, &up, &[(2, etags[1].clone()), (1, etags[0].clone())]).await;
    assert!(r.body.contains("InvalidPartOrder"), "{}", r.body);
    let r = s3.complete(&r1, &up, &[(1, etags[0].clone()), (2, etags[1].clone()), (7, etags[2].clone())]).await;
    assert!(r.body.contains("InvalidPart"), "{}", r.body);
    // Part numbers may have gaps, as on AWS: a second upload with parts 2, 5 and 9.
    let gap_key = r1.clone();
    let up2 = s3.create_mpu(&gap_key).await;
    let mut gap_etags = vec![];
    for (n, p) in [(2u32, vec![7u8; 5 * MIB]), (5, vec![8u8; 5 * MIB]), (9, vec![9u8; 10])] {
        let r = s3.upload_part(&gap_key, &up2, n, p, &[]).await;
        gap_etags.push((n, r.headers["etag"].to_str().unwrap().to_string()));
    }
    let r = s3.complete(&gap_key, &up2, &gap_etags).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s3.send("GET", &gap_key, &[], &[], vec![]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 10 * MIB + 10);
    let good: Vec<(u32, String)> = etags.iter().enumerate().map(|(k, e)| (k as u32 + 1, e.clone())).collect();
    let r = s3.complete(&r1, &up, &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("-3"), "multipart ETag: {}", r.body);
    let cb =
        json!({"s3_path": format!("s3://onecodex-multipart-uploads-encrypted/{r1}"), "filename": "reads_R1.fastq.gz"});
    let r = s.post("/api/import_file_from_s3").json(&cb).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, sample) = s.json(&format!("/api/v1/samples/{}", i["sample_id"].as_str().unwrap())).await;
    assert_eq!(sample["size"], 10 * MIB + 1024 + 1000);
    // Download: R1 then R2.
    let r = s.post(&format!("/api/v1/samples/{}/download_uri", i["sample_id"].as_str().unwrap())).send().await.unwrap();
    let link: Value = r.json().await.unwrap();
    let body = reqwest::get(link["download_uri"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(body.len(), 10 * MIB + 1024 + 1000);
    assert_eq!(body[0], 1);
    assert_eq!(body[body.len() - 1], b'A');
}

#[tokio::test]
async fn small_parts_sse_and_unknown_uploads_are_refused() {
    let s = Server::start(&[]);
    let i = init(&s, json!({"filename": "x.fq"})).await;
    let s3 = s3_for(&s, &i);
    let key = i["file_id"].as_str().unwrap().to_string();
    let up = s3.create_mpu(&key).await;
    let a = s3.upload_part(&key, &up, 1, vec![1; 1000], &[]).await;
    let b = s3.upload_part(&key, &up, 2, vec![2; 1000], &[]).await;
    let parts = vec![
        (1, a.headers["etag"].to_str().unwrap().to_string()),
        (2, b.headers["etag"].to_str().unwrap().to_string()),
    ];
    let r = s3.complete(&key, &up, &parts).await;
    assert!(r.body.contains("EntityTooSmall"), "{}", r.body);
    let r = s3.upload_part(&key, "not-an-upload", 1, vec![1; 10], &[]).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = s3.send("PUT", &key, &[], &[("x-amz-server-side-encryption", "aws:kms".into())], vec![1; 10]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = s3.send("DELETE", &key, &[("uploadId", &up)], &[], vec![]).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = s3.send("GET", &key, &[("uploadId", &up)], &[], vec![]).await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[tokio::test]
async fn keys_are_scoped_to_their_upload_and_region_is_enforced() {
    let s = Server::start(&["--s3-region", "eu-west-2"]);
    let a = init(&s, json!({"filename": "a.fq"})).await;
    let b = init(&s, json!({"filename": "b.fq"})).await;
    let mut s3a = s3_for(&s, &a);
    s3a.region = "eu-west-2".into();
    let b_key = b["file_id"].as_str().unwrap();
    let r = s3a.put(b_key, vec![1; 10]).await;
    assert_eq!(r.status, 403, "another upload's key is refused: {}", r.body);
    assert!(r.body.contains("AccessDenied"));
    let r = s3a.put(a["file_id"].as_str().unwrap(), vec![1; 10]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s3a.send("GET", "", &[("list-type", "2")], &[], vec![]).await;
    assert_eq!(r.status, 403, "listing the bucket is not part of an upload's rights: {}", r.body);
    // Signed for the wrong region: S3's region error naming the right region.
    let mut wrong = s3_for(&s, &a);
    wrong.region = "us-east-1".into();
    let r = wrong.put(a["file_id"].as_str().unwrap(), vec![1; 10]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("AuthorizationHeaderMalformed"), "{}", r.body);
    assert!(r.body.contains("<Region>eu-west-2</Region>"), "{}", r.body);
    assert_eq!(r.headers["x-amz-bucket-region"], "eu-west-2");
    // A bad secret fails SigV4.
    let mut forged = s3_for(&s, &a);
    forged.region = "eu-west-2".into();
    forged.secret = "not-the-secret".into();
    let r = forged.put(a["file_id"].as_str().unwrap(), vec![1; 10]).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("SignatureDoesNotMatch"), "{}", r.body);
    // Unknown key id.
    let mut unknown = s3_for(&s, &a);
    unknown.region = "eu-west-2".into();
    unknown.access_key = "AKIANOTISSUED0000000".into();
    let r = unknown.put(a["file_id"].as_str().unwrap(), vec![1; 10]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // S3 CORS: pre-flight and ETag exposed.
    let r = s
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/onecodex-multipart-uploads-encrypted/x", s.s3))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "authorization,x-amz-date,x-amz-content-sha256,content-md5")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(r.headers()["access-control-allow-headers"].to_str().unwrap().contains("content-md5"));
    let r = s3a.put(a["file_id"].as_str().unwrap(), vec![2; 10]).await;
    assert!(r.headers["access-control-expose-headers"].to_str().unwrap().contains("ETag"));
}

#[tokio::test]
async fn cancel_preupload_and_reuse_by_id_or_external_id() {
    let s = Server::start(&[]);
    let i = init(&s, json!({"filename": "c.fq"})).await;
    let sid = i["sample_id"].as_str().unwrap();
    let r = s.post("/api/v1/samples/cancel_upload").json(&json!({"sample_id": sid})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"success": true, "message": "Upload cancelled"}));
    let r = s3_for(&s, &i).put(i["file_id"].as_str().unwrap(), vec![1; 10]).await;
    assert_eq!(r.status, 403, "cancelled upload's key refused");
    let r =
        s.post("/api/v1/samples/cancel_upload").json(&json!({"sample_id": "0000000000000000"})).send().await.unwrap();
    assert_eq!(r.status(), 404);

    let (_, projects) = s.json("/api/v1/projects").await;
    let r = s
        .post("/api/v1/samples/preupload")
        .json(&json!({"metadata": {"name": "x", "external_sample_id": "EXT-1"}, "tags": [{"name": "t"}], "project": {"$ref": projects[0]["$uri"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let pre = r.json::<Value>().await.unwrap()["sample_id"].as_str().unwrap().to_string();
    let (_, v) = s.json(&format!("/api/v1/samples/{pre}")).await;
    assert_eq!(v["visibility"], "awaiting data");
    let r = s.post(&format!("/api/v1/samples/{pre}/download_uri")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Both ids at once: 400. By external id: the same sample.
    let r = s
        .post("/api/v1/samples/init_multipart_upload")
        .json(&json!({"filename": "d.fq", "sample_id": pre, "external_sample_id": "EXT-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let i = init(&s, json!({"filename": "d.fq", "external_sample_id": "EXT-1"})).await;
    assert_eq!(i["sample_id"], pre.as_str());
    let i2 = init(&s, json!({"filename": "d.fq", "sample_id": pre})).await;
    assert_eq!(i2["sample_id"], pre.as_str());
    assert_eq!(s3_for(&s, &i2).put(i2["file_id"].as_str().unwrap(), vec![1; 10]).await.status, 200);
    let cb = json!({"s3_path": format!("s3://onecodex-multipart-uploads-encrypted/{}", i2["file_id"].as_str().unwrap()), "filename": "d.fq"});
    assert_eq!(s.post("/api/import_file_from_s3").json(&cb).send().await.unwrap().status(), 200);
    let (_, v) = s.json(&format!("/api/v1/samples/{pre}?expand=all")).await;
    assert_eq!(v["visibility"], "private");
    assert_eq!(v["metadata"]["external_sample_id"], "EXT-1");
    // No longer awaiting data: init by id is refused.
    let r = s
        .post("/api/v1/samples/init_multipart_upload")
        .json(&json!({"filename": "e.fq", "sample_id": pre}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Bad init bodies.
    for body in [
        json!({}),
        json!({"filename": "Röö.fq"}),
        json!({"filename": "a.fq", "tags": [{"name": "x".repeat(31)}]}),
        json!({"filename": "a.fq", "metadata": {"bogus": 1}}),
        json!({"filename": "a.fq", "project": "nope"}),
    ] {
        let r = s.post("/api/v1/samples/init_multipart_upload").json(&body).send().await.unwrap();
        assert!(r.status().is_client_error(), "{body}");
    }
}

#[tokio::test]
async fn documents_and_assets_upload() {
    let s = Server::start(&["--classify-delay-ms", "100"]);
    for coll in ["documents", "assets"] {
        let r = s.post(&format!("/api/v1/{coll}/init_multipart_upload")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let i: Value = r.json().await.unwrap();
        let s3 = s3_for(&s, &i);
        let key = i["file_id"].as_str().unwrap();
        assert_eq!(s3.put(key, b"%PDF-1.4 hello".to_vec()).await.status, 200);
        let mut cb =
            json!({"s3_path": format!("s3://onecodex-multipart-uploads-encrypted/{key}"), "filename": "report.pdf"});
        if coll == "assets" {
            cb["name"] = json!("nice-name");
        }
        let r = s.post(i["callback_url"].as_str().unwrap()).json(&cb).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let id = v[if coll == "documents" { "document_id" } else { "asset_id" }].as_str().unwrap().to_string();
        let (_, o) = s.json(&format!("/api/v1/{coll}/{id}")).await;
        assert_eq!(o["size"], 14);
        if coll == "assets" {
            assert_eq!(o["name"], "nice-name");
            assert_eq!(o["status"], "importing");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let (_, o) = s.json(&format!("/api/v1/{coll}/{id}")).await;
            assert_eq!(o["status"], "available");
        }
        let r = s.post(&format!("/api/v1/{coll}/{id}/download_uri")).send().await.unwrap();
        let link: Value = r.json().await.unwrap();
        let body = reqwest::get(link["download_uri"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
        assert_eq!(body.as_ref(), b"%PDF-1.4 hello");
    }
}
