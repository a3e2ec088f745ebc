//! `where` operators and restrictions, sort, both pagination styles, routes, expansion, bad input.

mod common;
use common::{id_of, Server};
use serde_json::{json, Value};

fn ids(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(id_of).collect()
}

async fn all_samples(s: &Server) -> Vec<Value> {
    let (st, v) = s.list("samples", json!({})).await;
    assert_eq!(st, 200);
    v.as_array().unwrap().clone()
}

#[tokio::test]
async fn every_operator_filters_server_side() {
    let s = Server::start(&[]);
    let all = all_samples(&s).await;
    assert_eq!(all.len(), 60);
    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|x| f(x)).count();

    // Equality, $eq, $ne, null, $in, list literal.
    let first = &all[0];
    let fname = first["filename"].as_str().unwrap();
    let (_, v) = s.list("samples", json!({"filename": fname})).await;
    assert_eq!(ids(&v), vec![id_of(first)]);
    let (_, v) = s.list("samples", json!({"filename": {"$eq": fname}})).await;
    assert_eq!(ids(&v).len(), 1);
    let (_, v) = s.list("samples", json!({"filename": {"$ne": fname}})).await;
    assert_eq!(ids(&v).len(), 59);
    let (_, v) = s.list("samples", json!({"project": null})).await;
    assert_eq!(ids(&v).len(), count(&|x| x["project"].is_null()));
    let (_, v) = s.list("samples", json!({"project": {"$ne": null}})).await;
    assert_eq!(ids(&v).len(), count(&|x| !x["project"].is_null()));
    let two = [all[1]["filename"].clone(), all[2]["filename"].clone()];
    let (_, v) = s.list("samples", json!({"filename": {"$in": two}})).await;
    assert_eq!(ids(&v).len(), 2);
    let (_, v) = s.list("samples", json!({"filename": two})).await;
    assert_eq!(ids(&v).len(), 2);

    // String operators.
    let n = count(&|x| x["filename"].as_str().unwrap().to_lowercase().contains("stool"));
    let (_, v) = s.list("samples", json!({"filename": {"$icontains": "STOOL"}})).await;
    assert_eq!(ids(&v).len(), n);
    let (_, v) = s.list("samples", json!({"filename": {"$contains": "STOOL"}})).await;
    assert_eq!(ids(&v).len(), 0);
    let (_, v) = s.list("samples", json!({"filename": {"$contains": "stool"}})).await;
    assert_eq!(ids(&v).len(), n);
    let n = count(&|x| x["filename"].as_str().unwrap().starts_with("soil"));
    let (_, v) = s.list("samples", json!({"filename": {"$startswith": "soil"}})).await;
    assert_eq!(ids(&v).len(), n);
    let (_, v) = s.list("samples", json!({"filename": {"$istartswith": "SOIL"}})).await;
    assert_eq!(ids(&v).len(), n);
    let n = count(&|x| x["filename"].as_str().unwrap().ends_with(".fastq.gz"));
    let (_, v) = s.list("samples", json!({"filename": {"$endswith": ".fastq.gz"}})).await;
    assert_eq!(ids(&v).len(), n);
    let (_, v) = s.list("samples", json!({"filename": {"$iendswith": ".FASTQ.GZ"}})).await;
    assert_eq!(ids(&v).len(), n);

    // Numbers: comparisons, several operators on one field mean AND, $between inclusive.
    let size = |x: &Value| x["size"].as_u64().unwrap();
    let mid = size(&all[10]);
    for (op, f) in [
        ("$lt", Box::new(move |x: u64| x < mid) as Box<dyn Fn(u64) -> bool>),
        ("$lte", Box::new(move |x| x <= mid)),
        ("$gt", Box::new(move |x| x > mid)),
        ("$gte", Box::new(move |x| x >= mid)),
    ] {
        let (_, v) = s.list("samples", json!({"size": {op: mid}})).await;
        assert_eq!(ids(&v).len(), count(&|x| f(size(x))), "{op}");
    }
    let lo = mid / 2;
    let (_, v) = s.list("samples", json!({"size": {"$gte": lo, "$lte": mid}})).await;
    assert_eq!(ids(&v).len(), count(&|x| size(x) >= lo && size(x) <= mid));
    let (_, v) = s.list("samples", json!({"size": {"$between": [lo, mid]}})).await;
    assert_eq!(ids(&v).len(), count(&|x| size(x) >= lo && size(x) <= mid));

    // Dates, compared as instants whatever the offset.
    let t = all[30]["created_at"].as_str().unwrap().to_string();
    let (_, v) = s.list("samples", json!({"created_at": {"$gte": t}})).await;
    assert_eq!(ids(&v).len(), 30);
    let (_, v) = s.list("samples", json!({"created_at": {"$lt": t, "$gte": all[20]["created_at"]}})).await;
    assert_eq!(ids(&v).len(), 10);
    let (_, v) =
        s.list("samples", json!({"created_at": {"$between": [all[5]["created_at"], all[9]["created_at"]]}})).await;
    assert_eq!(ids(&v).len(), 5);

    // Refs: bare id, $ref and $in of refs.
    let proj = all.iter().find(|x| !x["project"].is_null()).unwrap()["project"]["$ref"].as_str().unwrap().to_string();
    let pid = proj.rsplit('/').next().unwrap().to_string();
    let n = count(&|x| x["project"]["$ref"] == proj.as_str());
    let (_, v) = s.list("samples", json!({"project": pid})).await;
    assert_eq!(ids(&v).len(), n);
    let (_, v) = s.list("samples", json!({"project": {"$ref": proj}})).await;
    assert_eq!(ids(&v).len(), n);
    let (_, v) = s.list("samples", json!({"project": {"$in": [{"$ref": proj}]}})).await;
    assert_eq!(ids(&v).len(), n);

    // To-many: $containsall / $containsany on tags.
    let tagged: Vec<&Value> = all.iter().filter(|x| x["tags"].as_array().unwrap().len() >= 2).collect();
    let t0 = tagged[0]["tags"][0].clone();
    let t1 = tagged[0]["tags"][1].clone();
    let has = |x: &Value, t: &Value| x["tags"].as_array().unwrap().contains(t);
    let (_, v) = s.list("samples", json!({"tags": {"$containsall": [t0, t1]}})).await;
    assert_eq!(ids(&v).len(), count(&|x| has(x, &t0) && has(x, &t1)));
    let (_, v) = s.list("samples", json!({"tags": {"$containsany": [t0, t1]}})).await;
    assert_eq!(ids(&v).len(), count(&|x| has(x, &t0) || has(x, &t1)));

    // $uri with $in fetches many by id.
    let (_, v) = s
        .list("samples", json!({"$uri": {"$in": [all[3]["$uri"], format!("/api/v1/samples/{}", id_of(&all[4]))]}}))
        .await;
    assert_eq!(ids(&v), vec![id_of(&all[3]), id_of(&all[4])]);

    // Booleans and enums on metadata.
    let (_, meta) = s.list("metadata", json!({})).await;
    let meta = meta.as_array().unwrap().clone();
    let starred = meta.iter().filter(|m| m["starred"] == true).count();
    let (_, v) = s.list("metadata", json!({"starred": true})).await;
    assert_eq!(ids(&v).len(), starred);
    let plat = meta.iter().filter(|m| m["platform"] == "Illumina MiSeq").count();
    let (_, v) = s.list("metadata", json!({"platform": {"$in": ["Illumina MiSeq"]}})).await;
    assert_eq!(ids(&v).len(), plat);
    let lat = meta.iter().filter(|m| m["location_lat"].as_f64().is_some_and(|l| l > 0.0)).count();
    let (_, v) = s.list("metadata", json!({"location_lat": {"$gt": 0}})).await;
    assert_eq!(ids(&v).len(), lat);
}

#[tokio::test]
async fn tax_ids_filter_matches_classification_contents() {
    let s = Server::start(&[]);
    let all = all_samples(&s).await;
    let cid = all[0]["primary_classification"]["$ref"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let (st, res) = s.json(&format!("/api/v1/classifications/{cid}/results")).await;
    assert_eq!(st, 200);
    let species: Vec<String> = res["table"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rank"] == "species" && r["readcount_w_children"].as_u64().unwrap() > 0)
        .take(2)
        .map(|r| r["tax_id"].as_str().unwrap().to_string())
        .collect();
    let (st, v) = s.list("samples", json!({"tax_ids": {"$containsall": species}})).await;
    assert_eq!(st, 200);
    assert!(ids(&v).contains(&id_of(&all[0])));
    let (_, v) = s.list("samples", json!({"tax_ids": {"$containsall": ["999999999"]}})).await;
    assert_eq!(ids(&v).len(), 0);
}

#[tokio::test]
async fn restrictions_give_400_naming_field_and_operator() {
    let s = Server::start(&[]);
    for (coll, w, field, op) in [
        ("metadata", json!({"platform": {"$startswith": "Ill"}}), "platform", "$startswith"),
        ("metadata", json!({"sample_type": {"$icontains": "meta"}}), "sample_type", "$icontains"),
        ("samples", json!({"status": {"$contains": "avail"}}), "status", "$contains"),
        ("samples", json!({"visibility": {"$endswith": "ic"}}), "visibility", "$endswith"),
        ("assets", json!({"status": {"$icontains": "a"}}), "status", "$icontains"),
        ("users", json!({"email": {"$contains": "example"}}), "email", "$contains"),
        ("samples", json!({"bogus": {"$eq": 1}}), "bogus", "$eq"),
        ("samples", json!({"primary_classification": {"$eq": "x"}}), "primary_classification", "$eq"),
        ("samples", json!({"size": {"$contains": "1"}}), "size", "$contains"),
        ("samples", json!({"filename": {"$nope": "1"}}), "filename", "$nope"),
        ("metadata", json!({"custom": {"$eq": 1}}), "custom", "$eq"),
        ("documents", json!({"downloaders": {"$containsall": []}}), "downloaders", "$containsall"),
    ] {
        let (st, v) = s.list(coll, w.clone()).await;
        assert_eq!(st, 400, "{coll} {w}");
        let msg = v["message"].as_str().unwrap_or_default();
        assert!(msg.contains(field) && msg.contains(op), "{coll} {w}: {msg}");
    }
    // Operand type errors are 400 too.
    for w in [
        json!({"size": {"$gt": "big"}}),
        json!({"created_at": {"$gte": "yesterday"}}),
        json!({"created_at": {"$between": ["2020-01-01T00:00:00Z"]}}),
        json!({"filename": {"$contains": ""}}),
        json!({"tags": {"$containsall": "x"}}),
        json!({"filename": {}}),
        json!([1, 2]),
    ] {
        let (st, v) = s.list("samples", w.clone()).await;
        assert_eq!(st, 400, "{w}");
        assert!(v["message"].is_string());
    }
    // Users: email equality works.
    let (st, v) = s.list("users", json!({"email": "user@example.com"})).await;
    assert_eq!(st, 200);
    assert_eq!(ids(&v).len(), 1);
}

#[tokio::test]
async fn sort_true_is_descending_and_keys_are_priorities() {
    let s = Server::start(&[]);
    let r = s
        .get("/api/v1/samples")
        .query(&[("sort", json!({"size": true}).to_string()), ("per_page", "100".into())])
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let sizes: Vec<u64> = v.as_array().unwrap().iter().map(|x| x["size"].as_u64().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
    let r = s
        .get("/api/v1/samples")
        .query(&[("sort", json!({"project": false, "filename": false}).to_string()), ("per_page", "100".into())])
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let keys: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["project"]["$ref"].as_str().unwrap_or("").to_string(), x["filename"].as_str().unwrap().to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    for bad in [json!({"nope": true}), json!({"size": "desc"}), json!("size"), json!({"tags": true})] {
        let r = s.get("/api/v1/samples").query(&[("sort", bad.to_string())]).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn page_pagination_total_count_link_and_end() {
    let s = Server::start(&[]);
    let mut seen = vec![];
    let mut page = 1;
    loop {
        let r = s
            .get("/api/v1/samples")
            .query(&[("per_page", "25"), ("page", &page.to_string()), ("where", "{}"), ("sort", "{}")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-total-count"], "60");
        let link = r.headers()["link"].to_str().unwrap().to_string();
        assert!(link.contains("rel=\"first\"") && link.contains("rel=\"last\""));
        assert_eq!(link.contains("rel=\"next\""), page < 3, "{link}");
        let v: Value = r.json().await.unwrap();
        let n = v.as_array().unwrap().len();
        seen.extend(ids(&v));
        if seen.len() >= 60 {
            assert_eq!(n, 10);
            break;
        }
        page += 1;
    }
    seen.dedup();
    assert_eq!(seen.len(), 60);
    // Past the end: an empty page.
    let r = s.get("/api/v1/samples").query(&[("per_page", "25"), ("page", "9")]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    // Filtered total.
    let r = s
        .get("/api/v1/projects")
        .query(&[("where", json!({"name": {"$contains": "Project"}}).to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-total-count"], "7", "6 private + 1 public project");
}

#[tokio::test]
async fn cursor_pagination_follows_next_cursor_until_absent() {
    let s = Server::start(&[]);
    for (per, pages) in [(25usize, 3usize), (20, 3), (100, 1)] {
        let mut cursor: Option<String> = None;
        let mut seen = vec![];
        let mut n = 0;
        loop {
            let mut q = vec![("per_page".to_string(), per.to_string()), ("where".into(), "{}".into())];
            if let Some(c) = &cursor {
                q.push(("cursor".into(), c.clone()));
            }
            let r = s.get("/api/v1/samples").header("X-Pagination-Style", "cursor").query(&q).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert!(r.headers().get("x-total-count").is_none());
            cursor = r.headers().get("x-next-cursor").map(|v| v.to_str().unwrap().to_string());
            let v: Value = r.json().await.unwrap();
            seen.extend(ids(&v));
            n += 1;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(n, pages, "per_page {per}");
        assert_eq!(seen.len(), 60);
    }
    // Empty result: no cursor.
    let r = s
        .get("/api/v1/metadata")
        .header("X-Pagination-Style", "cursor")
        .query(&[("where", json!({"name": "nobody"}).to_string())])
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("x-next-cursor").is_none());
    let r = s
        .get("/api/v1/samples")
        .header("X-Pagination-Style", "cursor")
        .query(&[("cursor", "garbage!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Genomes are cursor-style too (experimental).
    let r = s
        .get("/api/v1/genomes")
        .header("X-Pagination-Style", "cursor")
        .header("X-OneCodex-Api-Experimental", "1")
        .query(&[("per_page", "30")])
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("x-next-cursor").is_some());
}

#[tokio::test]
async fn public_and_organization_routes_and_expansion() {
    let s = Server::start(&[]);
    let (_, own) = s.json("/api/v1/samples?per_page=1000").await;
    let (_, public) = s.json("/api/v1/samples/public?per_page=1000").await;
    let (_, org) = s.json("/api/v1/samples/organization?per_page=1000").await;
    let (own, public, org) =
        (own.as_array().unwrap().clone(), public.as_array().unwrap().clone(), org.as_array().unwrap().clone());
    assert_eq!(own.len(), 60);
    assert_eq!(org.len(), 66, "main user's and colleague's samples");
    assert!(public.iter().all(|x| x["visibility"] == "public"));
    let owners: std::collections::HashSet<String> =
        public.iter().map(|x| x["owner"]["$ref"].as_str().unwrap().to_string()).collect();
    assert!(owners.len() >= 2, "public samples of several users");
    let (st, _) = s.json("/api/v1/projects/public").await;
    assert_eq!(st, 200);
    let (st, _) = s.json("/api/v1/tags/public").await;
    assert_eq!(st, 405);
    // expand=all embeds references; without it they are $ref.
    let (_, v) = s.json("/api/v1/samples?per_page=1&expand=all").await;
    assert!(v[0]["owner"]["email"].is_string());
    let (_, v) = s.json("/api/v1/samples?per_page=1").await;
    assert!(v[0]["owner"]["$ref"].is_string());
    // Jobs: public jobs and own ones; where public=true.
    let (_, jobs) = s.list("jobs", json!({"public": true})).await;
    assert!(jobs.as_array().unwrap().iter().any(|j| j["name"] == "One Codex Database"));
    // Generic analyses view carries analysis_type.
    let (_, v) = s.list("analyses", json!({"analysis_type": "functional"})).await;
    assert!(!v.as_array().unwrap().is_empty());
    assert!(v.as_array().unwrap().iter().all(|a| a["analysis_type"] == "functional"));
    // Experimental resources need the header.
    let (st, _) = s.json("/api/v1/taxa").await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn bad_input_is_4xx_json_and_server_survives_concurrency() {
    let s = Server::start(&[]);
    for (path, code) in [
        ("/api/v1/samples?where=%7Bnot-json", 400),
        ("/api/v1/samples?sort=%5B", 400),
        ("/api/v1/samples?per_page=0", 400),
        ("/api/v1/samples?per_page=abc", 400),
        ("/api/v1/samples?per_page=100000", 400),
        ("/api/v1/samples?page=-1", 400),
        ("/api/v1/samples/..%2F..%2Fetc", 404),
        ("/api/v1/samples/%00%01", 404),
        ("/api/v1/nothing", 404),
        ("/api/v2/samples", 404),
    ] {
        let r = s.get(path).send().await.unwrap();
        assert_eq!(r.status().as_u16(), code, "{path}");
        let v: Value = r.json().await.expect("json body");
        assert!(v["message"].is_string(), "{path}");
    }
    let big = vec![b'x'; 2 * 1024 * 1024];
    let r = s.post("/api/v1/samples/preupload").body(big).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let r = s.post("/api/v1/samples/preupload").body("{nope").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = s.patch("/api/v1/samples/abc").body("[]").send().await.unwrap();
    assert_eq!(r.status(), 400);

    let mut tasks = vec![];
    for k in 0..64 {
        let http = s.http.clone();
        let url = s.url(&format!("/api/v1/samples?per_page=5&page={}", k % 12 + 1));
        tasks.push(tokio::spawn(async move {
            http.get(url).basic_auth(common::KEY, Some("")).send().await.map(|r| r.status().as_u16())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    let (st, _) = s.json("/api/v1/account").await;
    assert_eq!(st, 200);
}
