//! Per-object actions: jobs (create, run, details, publish), analysis results, logs, files,
//! cancel, download links, taxa relations.

use super::objects::{find, forbidden, not_found};
use super::render::{can_edit, can_view, render, uri};
use crate::app::{App, Req};
use crate::gen::results as gr;
use crate::http::{bytes, error, json, ok, Resp};
use crate::model::{schema_of, Schema, GENOMES, JOBS, TAXA};
use crate::store::{Obj, Store, MAIN};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

fn bad(msg: impl Into<String>) -> Resp {
    error(StatusCode::BAD_REQUEST, msg)
}

const JOB_KEYS: [&str; 14] = [
    "name",
    "script",
    "image_uri",
    "job_type",
    "description",
    "cpu",
    "ram_gb",
    "storage_gb",
    "inject_bearer_token",
    "repository",
    "assets",
    "dependencies",
    "arguments_schema",
    "nextflow_version",
];

pub fn job_create(app: &App, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Job body must be a JSON object"),
        Err(r) => return r,
    };
    for k in body.keys() {
        if !JOB_KEYS.contains(&k.as_str()) {
            return bad(format!("Unknown field '{k}' for jobs"));
        }
    }
    for k in ["name", "script"] {
        if body.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
            return bad(format!("'{k}' is required"));
        }
    }
    let job_type = body.get("job_type").and_then(Value::as_str).unwrap_or("shell_script").to_string();
    if !["shell_script", "nextflow"].contains(&job_type.as_str()) {
        return bad("'job_type' must be shell_script or nextflow");
    }
    if job_type != "nextflow" && body.get("image_uri").and_then(Value::as_str).is_none() {
        return bad("'image_uri' is required for shell_script jobs");
    }
    let id = super::new_id();
    let mut o = Obj::new(&JOBS, id.clone(), MAIN, false);
    o.set(&JOBS, "created_at", crate::timefmt::format(crate::timefmt::now_secs()).into());
    o.set(&JOBS, "name", body["name"].clone());
    o.set(&JOBS, "analysis_type", "workflow".into());
    o.set(&JOBS, "public", false.into());
    o.set(&JOBS, "job_args_schema", json!({}));
    o.set(&JOBS, "job_type", job_type.clone().into());
    o.set(&JOBS, "draft", true.into());
    o.extra = crate::gen::data::job_details_default(&job_type);
    for (k, v) in body {
        o.extra.insert(k, v);
    }
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    st.insert("jobs", o);
    let o = st.get("jobs", &id).expect("inserted");
    json(StatusCode::CREATED, &render(app, &st, &JOBS, o, false, None))
}

pub fn action(app: &App, req: &Req, schema: &'static Schema, id: &str, action: &str) -> Resp {
    let m = &req.method;
    match (schema.coll, action, m) {
        ("jobs", "run", &Method::POST) => return job_run(app, req, id),
        ("jobs", "details", &Method::GET) => return job_details(app, id),
        ("jobs", "publish", &Method::POST) => return job_publish(app, req, id),
        ("taxa", "genomes" | "parents", &Method::GET) => return taxa_rel(app, req, id, action),
        ("samples" | "documents" | "assets" | "assemblies" | "annotation_sets", "download_uri", &Method::POST)
        | ("annotation_sets", "download_csv", &Method::POST) => return download_uri(app, schema, id, action),
        _ => {}
    }
    let is_analysis = schema.coll == "analyses" || schema.is_analysis();
    if !is_analysis {
        return error(StatusCode::NOT_FOUND, format!("No action '{action}' on {}", schema.coll));
    }
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some((s, o)) = find(&st, schema, id) else { return not_found(schema, id) };
    if !can_view(&st, s, o) {
        return forbidden();
    }
    let complete = o.get(s, "complete") == Some(&Value::Bool(true));
    let success = o.get(s, "success") == Some(&Value::Bool(true));
    let seed = st.seed;
    match (action, m) {
        ("results", &Method::GET) => {
            if !complete {
                return error(StatusCode::NOT_FOUND, format!("Results for analysis {id} are not available yet"));
            }
            if !success {
                return error(StatusCode::NOT_FOUND, format!("Analysis {id} failed; no results are available"));
            }
            ok(&match s.coll {
                "classifications" => gr::classification(seed, id),
                "functional_profiles" => gr::functional(seed, id),
                "mlsts" => gr::mlst(seed, id),
                "panels" => gr::panel(seed, id),
                "workflows" => gr::workflow(seed, id),
                _ => gr::alignment(seed, id),
            })
        }
        ("filtered_results", &Method::GET) if s.coll == "functional_profiles" => {
            let group = req.q("functional_group").unwrap_or("");
            let metric = req.q("metric").unwrap_or("");
            let strat = match req.q("taxa_stratified").unwrap_or("True") {
                "True" | "true" | "1" => true,
                "False" | "false" | "0" => false,
                other => return bad(format!("Invalid taxa_stratified value '{other}'")),
            };
            let ok_pair = match group {
                "pathways" => ["abundance", "complete_abundance", "coverage"].contains(&metric),
                "metacyc" | "eggnog" | "go" | "ko" | "ec" | "pfam" | "reaction" => ["cpm", "rpk"].contains(&metric),
                _ => return bad(format!("Invalid functional_group '{group}'")),
            };
            if !ok_pair {
                return bad(format!("metric {metric} cannot be retrieved for functional group {group}"));
            }
            if !complete || !success {
                return error(StatusCode::NOT_FOUND, "Results are not available");
            }
            ok(&gr::functional_filtered(seed, id, group, metric, strat))
        }
        ("readlevel", &Method::GET) if s.coll == "classifications" => {
            if !complete || !success {
                return error(StatusCode::NOT_FOUND, "Read-level results are not available");
            }
            ok(
                &json!({"url": app.presign.url(&app.api_base, &format!("/__signed/readlevel/classifications/{id}/results.tsv.gz"))}),
            )
        }
        ("logs", &Method::GET) => {
            let tail = match req.q("tail") {
                None => None,
                Some(t) => match t.parse::<usize>() {
                    Ok(n) if n >= 1 => Some(n),
                    _ => return bad("'tail' must be an integer of at least 1"),
                },
            };
            if s.coll != "workflows" {
                return error(StatusCode::NOT_FOUND, format!("Logs not found for analysis {id}"));
            }
            let text = gr::logs(seed, id);
            let lines: Vec<&str> = text.lines().collect();
            let from = tail.map_or(0, |n| lines.len().saturating_sub(n));
            let mut out = lines[from..].join("\n");
            out.push('\n');
            bytes(StatusCode::OK, "text/plain; charset=utf-8", out)
        }
        ("file_details", &Method::GET) => {
            let files: Vec<Value> = analysis_files(seed, s.coll, id)
                .into_iter()
                .map(|(name, path, content)| {
                    json!({"filename": name, "filepath": path, "size": content.len(),
                           "url": app.presign.url(&app.api_base, &format!("/__signed/file/{}/{id}/{path}", s.coll))})
                })
                .collect();
            ok(&json!({"files": files}))
        }
        ("cancel", &Method::POST) => {
            drop(st);
            cancel_analysis(app, schema, id)
        }
        _ => error(StatusCode::NOT_FOUND, format!("No action '{action}' ({m}) on {}", schema.coll)),
    }
}

/// Output files of an analysis: (filename, filepath, content).
pub fn analysis_files(seed: u64, coll: &str, id: &str) -> Vec<(String, String, Vec<u8>)> {
    let mut r = crate::rng::Rng::new(crate::rng::hs(seed, "files", id));
    let summary = format!("analysis {id} ({coll})\nstatus: complete\nrecords: {}\n", r.range(1000, 99999));
    let mut tsv = String::from("feature\tcount\n");
    for k in 0..r.range(20, 200) {
        tsv.push_str(&format!("feature_{k}\t{}\n", r.range(0, 10000)));
    }
    let mut files = vec![
        ("summary.txt".to_string(), "results/summary.txt".to_string(), summary.into_bytes()),
        ("counts.tsv".to_string(), "results/tables/counts.tsv".to_string(), tsv.into_bytes()),
    ];
    if coll == "workflows" {
        files.push(("output.log".into(), "logs/output.log".into(), gr::logs(seed, id).into_bytes()));
    }
    files
}

fn cancel_analysis(app: &App, schema: &Schema, id: &str) -> Resp {
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some((s, o)) = find(&st, schema, id) else {
        return error(StatusCode::NOT_FOUND, format!("Analysis {id} not found."));
    };
    if !can_edit(o) {
        return error(
            StatusCode::FORBIDDEN,
            "You are not allowed to cancel this analysis: only the initiating user or an org admin can",
        );
    }
    if s.coll != "workflows" {
        return bad("Only custom workflow runs can be cancelled");
    }
    if o.get(s, "complete") == Some(&Value::Bool(true)) {
        return bad("Analysis is not in progress");
    }
    st.pending.retain(|p| p.2 != id);
    let now = crate::timefmt::format(crate::timefmt::now_secs());
    let o = st.get_mut(s.coll, id).expect("found");
    o.set(s, "complete", true.into());
    o.set(s, "success", false.into());
    o.set(s, "error_msg", "Cancelled by user".into());
    o.set(s, "updated_at", now.into());
    let o = st.get(s.coll, id).expect("found");
    ok(&render(app, &st, s, o, false, None))
}

fn job_run(app: &App, req: &Req, id: &str) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Run body must be a JSON object"),
        Err(r) => return r,
    };
    for k in body.keys() {
        if !["sample", "job_args", "populate_default_arguments", "dependencies", "description"].contains(&k.as_str()) {
            return bad(format!("Unknown field '{k}' in job run"));
        }
    }
    let Some(sample_id) = body.get("sample").and_then(crate::filter::ref_id) else {
        return bad("'sample' is required");
    };
    if let Some(d) = body.get("description").and_then(Value::as_str) {
        if d.chars().count() > 250 {
            return bad("'description' must be at most 250 characters");
        }
    }
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(job) = st.get("jobs", id) else { return not_found(&JOBS, id) };
    if !(job.public || job.owner == MAIN) {
        return forbidden();
    }
    let at = job.get(&JOBS, "analysis_type").and_then(Value::as_str).unwrap_or("workflow").to_string();
    let Some(sample) = st.get("samples", &sample_id) else {
        return error(StatusCode::NOT_FOUND, format!("samples {sample_id} not found"));
    };
    if !can_view(&st, &crate::model::SAMPLES, sample) {
        return forbidden();
    }
    let (owner, public) = (MAIN, sample.public);
    let coll = crate::model::ANALYSIS_TYPES.iter().find(|(_, t)| *t == at).map_or("workflows", |(c, _)| *c);
    let aid = super::new_id();
    let delay = app.cfg.classify_delay_ms as f64 / 1000.0;
    st.insert(coll, new_analysis(coll, &aid, owner, public, id, &sample_id));
    st.pending.push((crate::timefmt::now_secs() + delay, coll, aid.clone()));
    if let Some(a) = st.get_mut(coll, &aid) {
        if let Some(d) = body.get("description") {
            a.extra.insert("description".into(), d.clone());
        }
    }
    drop(st);
    if delay <= 0.0 {
        if let Ok(mut st) = app.store.write() {
            st.tick(crate::timefmt::now_secs());
        }
    }
    ok(&json!({"$ref": uri("analyses", &aid)}))
}

/// A new, incomplete analysis.
pub fn new_analysis(coll: &str, id: &str, owner: u8, public: bool, job: &str, sample: &str) -> Obj {
    let s = schema_of(coll).expect("analysis schema");
    let mut a = Obj::new(s, id.to_string(), owner, public);
    a.set(s, "created_at", crate::timefmt::format(crate::timefmt::now_secs()).into());
    a.set(s, "updated_at", Value::Null);
    a.set(s, "complete", false.into());
    a.set(s, "success", Value::Null);
    a.set(s, "error_msg", Value::Null);
    a.set(s, "job", job.into());
    a.set(s, "sample", sample.into());
    a.set(s, "cost", Value::Null);
    a.set(s, "draft", false.into());
    a.set(s, "dependencies", json!([]));
    a
}

fn job_details(app: &App, id: &str) -> Resp {
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(job) = st.get("jobs", id) else { return not_found(&JOBS, id) };
    if !(job.public || job.owner == MAIN) {
        return forbidden();
    }
    if job.extra.is_empty() {
        return error(StatusCode::NOT_FOUND, "Details are only available for custom jobs");
    }
    let mut d = Map::new();
    for k in [
        "description",
        "job_type",
        "script",
        "image_uri",
        "cpu",
        "ram_gb",
        "storage_gb",
        "repository",
        "assets",
        "dependencies",
        "arguments_schema",
        "inject_bearer_token",
        "autorun_on_org_sample_upload",
        "nextflow_version",
    ] {
        d.insert(k.into(), job.extra.get(k).cloned().unwrap_or(Value::Null));
    }
    ok(&Value::Object(d))
}

fn job_publish(app: &App, req: &Req, id: &str) -> Resp {
    let body = match req.json() {
        Ok(Value::Null) => Map::new(),
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("Publish body must be a JSON object"),
        Err(r) => return r,
    };
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(job) = st.get("jobs", id) else { return not_found(&JOBS, id) };
    if job.owner != MAIN {
        return forbidden();
    }
    if job.get(&JOBS, "draft") != Some(&Value::Bool(true)) {
        return bad("Job is already published");
    }
    let job = st.get_mut("jobs", id).expect("found");
    job.set(&JOBS, "draft", false.into());
    if let Some(Value::Bool(b)) = body.get("autorun_on_org_sample_upload") {
        job.extra.insert("autorun_on_org_sample_upload".into(), Value::Bool(*b));
    }
    let job = st.get("jobs", id).expect("found");
    ok(&render(app, &st, &JOBS, job, false, None))
}

fn taxa_rel(app: &App, req: &Req, id: &str, rel: &str) -> Resp {
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    if st.get("taxa", id).is_none() {
        return not_found(&TAXA, id);
    }
    let expand = req.q("expand") == Some("all");
    let parent = |st: &Store, t: &str| {
        st.get("taxa", t).and_then(|o| o.get(&TAXA, "parent")).and_then(Value::as_str).map(str::to_string)
    };
    if rel == "parents" {
        let mut out = vec![];
        let mut cur = parent(&st, id);
        while let Some(p) = cur {
            if let Some(o) = st.get("taxa", &p) {
                out.push(render(app, &st, &TAXA, o, expand, None));
            }
            cur = parent(&st, &p);
        }
        return ok(&Value::Array(out));
    }
    let descends = |t: &str| {
        let mut cur = Some(t.to_string());
        while let Some(c) = cur {
            if c == id {
                return true;
            }
            cur = parent(&st, &c);
        }
        false
    };
    let out: Vec<Value> = st
        .coll("genomes")
        .iter()
        .filter(|g| g.get(&GENOMES, "taxon").and_then(Value::as_str).is_some_and(descends))
        .map(|g| render(app, &st, &GENOMES, g, expand, None))
        .collect();
    ok(&Value::Array(out))
}

fn download_uri(app: &App, schema: &Schema, id: &str, action: &str) -> Resp {
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(o) = st.get(schema.coll, id) else { return not_found(schema, id) };
    if !can_view(&st, schema, o) {
        return error(StatusCode::FORBIDDEN, "You are not authorized to download this file");
    }
    if schema.coll == "samples" && o.get(schema, "visibility").and_then(Value::as_str) == Some("awaiting data") {
        return bad("This sample has no data yet (awaiting data)");
    }
    let kind = if action == "download_csv" { "csv" } else { "download" };
    ok(&json!({"download_uri": app.presign.url(&app.api_base, &format!("/__signed/{kind}/{}/{id}", schema.coll))}))
}
