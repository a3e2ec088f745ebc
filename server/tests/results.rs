//! Results: pre-signed results_uri (zstd/gzip/plain) with the §8.2 invariants, expiry and the
//! /results fallback, functional results, readlevel, logs, file_details, MLST/panel/workflow.

mod common;
use common::{id_of, Server};
use serde_json::{json, Value};
use std::collections::HashMap;

fn decode(b: &[u8]) -> Value {
    let raw = if b.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        zstd::decode_all(b).unwrap()
    } else if b.starts_with(&[0x1F, 0x8B]) {
        let mut out = vec![];
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(b), &mut out).unwrap();
        out
    } else {
        b.to_vec()
    };
    serde_json::from_slice(&raw).unwrap()
}

fn check_invariants(v: &Value) {
    let table = v["table"].as_array().unwrap();
    assert!((2000..=5000).contains(&table.len()), "rows {}", table.len());
    let by: HashMap<&str, &Value> = table.iter().map(|r| (r["tax_id"].as_str().unwrap(), r)).collect();
    assert_eq!(by.len(), table.len(), "unique tax ids");
    let mut kids: HashMap<&str, Vec<&Value>> = HashMap::new();
    for r in table {
        match r["parent_tax_id"].as_str() {
            Some(p) => {
                assert!(by.contains_key(p), "parent present");
                kids.entry(p).or_default().push(r);
            }
            None => assert_eq!(r["tax_id"], "1"),
        }
    }
    let has_abw = table[0].get("abundance_w_children").is_some();
    let has_filtered = table[0].get("filtered_readcount").is_some();
    for r in table {
        let id = r["tax_id"].as_str().unwrap();
        let children = kids.get(id).cloned().unwrap_or_default();
        let sum = |k: &str| children.iter().map(|c| c[k].as_u64().unwrap()).sum::<u64>();
        assert_eq!(
            r["readcount_w_children"].as_u64().unwrap(),
            r["readcount"].as_u64().unwrap() + sum("readcount_w_children")
        );
        if has_filtered {
            assert_eq!(
                r["filtered_readcount_w_children"].as_u64().unwrap(),
                r["filtered_readcount"].as_u64().unwrap() + sum("filtered_readcount_w_children")
            );
        }
        if has_abw && !r["abundance_w_children"].is_null() {
            let want = r["abundance"].as_f64().unwrap_or(0.0)
                + children.iter().map(|c| c["abundance_w_children"].as_f64().unwrap()).sum::<f64>();
            assert!((r["abundance_w_children"].as_f64().unwrap() - want).abs() < 1e-9);
        }
    }
    let total: u64 = table.iter().map(|r| r["readcount"].as_u64().unwrap()).sum();
    assert_eq!(by["1"]["readcount_w_children"].as_u64().unwrap(), total);
    assert!(v["n_reads"].as_u64().unwrap() >= total);
    let ab: Vec<f64> = table.iter().filter_map(|r| r["abundance"].as_f64()).collect();
    if !ab.is_empty() {
        assert!((ab.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
    if !ab.is_empty() {
        for h in v["host_tax_ids"].as_array().unwrap() {
            assert_eq!(by[h.as_str().unwrap()]["abundance"], json!(0), "host rows carry abundance 0");
        }
    }
}

#[tokio::test]
async fn results_uri_is_presigned_compressed_and_consistent() {
    let s = Server::start(&["--samples", "60"]);
    let (_, cls) = s.json("/api/v1/classifications?per_page=40").await;
    let mut magic = std::collections::HashSet::new();
    let mut flavours = std::collections::HashSet::new();
    for c in cls.as_array().unwrap().iter().filter(|c| c["success"] == true).take(12) {
        let url = c["results_uri"].as_str().unwrap();
        let r = reqwest::get(url).await.unwrap();
        assert_eq!(r.status(), 200);
        let b = r.bytes().await.unwrap();
        magic.insert(match b[0] {
            0x28 => "zstd",
            0x1F => "gzip",
            _ => "plain",
        });
        let v = decode(&b);
        check_invariants(&v);
        let t0 = &v["table"][0];
        flavours.insert((
            t0.get("abundance_w_children").is_some(),
            t0.get("filtered_readcount").is_some(),
            t0["abundance_w_children"].is_null(),
        ));
        // The authenticated /results fallback serves the same table.
        let (st, same) = s.json(&format!("/api/v1/classifications/{}/results", id_of(c))).await;
        assert_eq!(st, 200);
        assert_eq!(same, v);
    }
    assert!(magic.contains("zstd") && magic.len() >= 2, "{magic:?}");
    assert!(flavours.len() >= 2, "several table flavours: {flavours:?}");
    // Tampered signature → 403, no auth needed for a valid one.
    let url = cls[0]["results_uri"].as_str().unwrap().replace("signature=", "signature=00");
    assert_eq!(reqwest::get(url).await.unwrap().status(), 403);
}

#[tokio::test]
async fn presigned_links_expire() {
    let s = Server::start(&["--presign-ttl-secs", "1"]);
    let (_, cls) = s.json("/api/v1/classifications?per_page=3").await;
    let url = cls[0]["results_uri"].as_str().unwrap().to_string();
    let (_, samples) = s.json("/api/v1/samples?per_page=1").await;
    let r = s.post(&format!("/api/v1/samples/{}/download_uri", id_of(&samples[0]))).send().await.unwrap();
    let dl = r.json::<Value>().await.unwrap()["download_uri"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("expired"));
    assert_eq!(reqwest::get(&dl).await.unwrap().status(), 403);
}

#[tokio::test]
async fn generated_downloads_have_the_declared_size() {
    let s = Server::start(&[]);
    let (_, docs) = s.json("/api/v1/documents").await;
    let d = &docs[0];
    let r = s.post(&format!("/api/v1/documents/{}/download_uri", id_of(d))).send().await.unwrap();
    let url = r.json::<Value>().await.unwrap()["download_uri"].as_str().unwrap().to_string();
    let b = s.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(b.len() as u64, d["size"].as_u64().unwrap());
}

#[tokio::test]
async fn functional_mlst_panel_workflow_readlevel_logs_files() {
    let s = Server::start(&["--samples", "60"]);
    let (_, fps) = s.json("/api/v1/functional_profiles").await;
    let fp = &fps[0];
    let (st, full) = s.json(&format!("/api/v1/functional_profiles/{}/results", id_of(fp))).await;
    assert_eq!(st, 200);
    assert!(full["n_mapped"].is_f64());
    assert!(full["table"].as_array().unwrap().iter().any(|r| r["group_name"] == "pathways"));
    let condensed = decode(&reqwest::get(fp["results_uri"].as_str().unwrap()).await.unwrap().bytes().await.unwrap());
    assert_eq!(condensed["version"], 1);
    assert!(condensed["results"]["pathways"][0].as_array().unwrap().len() == 6);
    let r = s
        .get(&format!("/api/v1/functional_profiles/{}/filtered_results", id_of(fp)))
        .query(&[("functional_group", "pfam"), ("metric", "cpm"), ("taxa_stratified", "False")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(!v["table"].as_array().unwrap().is_empty());
    let r = s
        .get(&format!("/api/v1/functional_profiles/{}/filtered_results", id_of(fp)))
        .query(&[("functional_group", "pathways"), ("metric", "cpm"), ("taxa_stratified", "True")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let (_, mlsts) = s.json("/api/v1/mlsts").await;
    let (_, m) = s.json(&format!("/api/v1/mlsts/{}/results", id_of(&mlsts[0]))).await;
    assert!(m["mlstResults"]["summary"]["mlst"].is_u64());
    let (_, panels) = s.json("/api/v1/panels").await;
    let (_, p) = s.json(&format!("/api/v1/panels/{}/results", id_of(&panels[0]))).await;
    assert!(p["panelResults"].is_object());
    let (_, wfs) = s.json("/api/v1/workflows").await;
    let wid = id_of(&wfs[0]);
    let (_, w) = s.json(&format!("/api/v1/workflows/{wid}/results")).await;
    assert_eq!(w["workflowResults"]["summary"]["status"], "complete");
    let logs = s.get(&format!("/api/v1/workflows/{wid}/logs?tail=3")).send().await.unwrap().text().await.unwrap();
    assert_eq!(logs.lines().count(), 3);
    let r = s.get(&format!("/api/v1/workflows/{wid}/logs?tail=0")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let (_, cls) = s.json("/api/v1/classifications?per_page=1").await;
    let r = s.get(&format!("/api/v1/classifications/{}/logs", id_of(&cls[0]))).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let (_, files) = s.json(&format!("/api/v1/workflows/{wid}/file_details")).await;
    for f in files["files"].as_array().unwrap() {
        let b = reqwest::get(f["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
        assert_eq!(b.len() as u64, f["size"].as_u64().unwrap(), "{}", f["filepath"]);
    }
    let (_, rl) = s.json(&format!("/api/v1/classifications/{}/readlevel", id_of(&cls[0]))).await;
    let gz = reqwest::get(rl["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz.as_ref()), &mut text).unwrap();
    assert!(text.starts_with("Tax ID\tN Hits\tSeq Len\tPassed Filter\n"));
    // Generic analyses endpoint serves results by type.
    let (st, _) = s.json(&format!("/api/v1/analyses/{}/results", id_of(&mlsts[0]))).await;
    assert_eq!(st, 200);
}

#[test]
fn generator_mode_writes_results_files() {
    let dir = std::env::temp_dir().join(format!("ocx-gen-{}", std::process::id()));
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_onecodex-server"))
        .args(["--seed", "7", "--generate-results", "3"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for f in &files {
        check_invariants(&decode(&std::fs::read(f).unwrap()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
