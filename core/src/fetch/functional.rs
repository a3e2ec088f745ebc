//! Which functional profile stands for each sample of a collection (as the Python client's functional
//! matrix): the profiles of the samples are listed 50 sample ids at a time with
//! `where={"sample": {"$in": [ids]}}` (the Python client's query, encoded by the same listing
//! code as every `where`), unsuccessful ones are dropped, and per sample the profile whose job is
//! newest wins (same job: the newest profile). Mixed job versions give a warning, as data.
//!
//! [`condensed_files`] then fetches the chosen profiles' condensed files; building the matrix is
//! the caller's (the wasm client hands the bytes to the tables module).

use super::results::{functional_condensed, run_bounded};
use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::objects::resolve_all;
use crate::query::run::{QueryOptions, QueryRun};
use crate::refs::{check_id, reference_id};
use crate::results::Warning;
use crate::time::instant;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// The condensed file of each chosen profile, at most `limit` downloads at a time, each handed to
/// `keep(profile_id, bytes)` as it arrives (so that only `limit` are held as bytes at once), with
/// `on_done(finished, total)` after each. A profile without one is `not_found`.
pub async fn condensed_files<Tr: Transport, T>(
    api: &Api<Tr>,
    chosen: &[Chosen],
    limit: usize,
    keep: impl Fn(String, Vec<u8>) -> T,
    on_done: impl FnMut(usize, usize),
) -> Result<Vec<T>> {
    let keep = &keep;
    let futures: Vec<_> = chosen
        .iter()
        .map(|c| async move {
            let id = reference_id(&c.profile)?;
            let bytes = functional_condensed(api, &c.profile).await?.ok_or_else(|| {
                Error::new(ErrorCode::NotFound, format!("Results are not available for functional profile {id}"))
            })?;
            Ok(keep(id, bytes))
        })
        .collect();
    run_bounded(futures, limit, on_done).await
}

/// Sample ids per listing request, as the Python client batches them.
pub const SAMPLES_PER_QUERY: usize = 50;

/// The sample ids of a collection's items: sample objects (anything with a `/api/v1/samples/…`
/// `$uri`), sample URIs, or bare sample ids. Repeats are dropped (first one kept); anything
/// else (a classification, say) is an error, before any request.
pub fn sample_ids(items: &[Value]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    let mut seen: HashSet<String> = HashSet::with_capacity(items.len());
    for item in items {
        let text = match item {
            Value::String(s) => s.as_str(),
            Value::Object(m) => m.get("$uri").and_then(Value::as_str).unwrap_or_default(),
            _ => "",
        };
        let id = match text.strip_prefix("/api/v1/") {
            None if !text.is_empty() => check_id(text)?,
            Some(rest) if rest.starts_with("samples/") && rest.matches('/').count() == 1 => check_id(text)?,
            _ => return Err(Error::invalid_argument(
                "functionalMatrix takes samples: sample objects (as get/where return them), sample URIs or sample ids",
            )),
        };
        if seen.insert(id.to_string()) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// The profile chosen for one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub sample_id: String,
    /// The functional profile object as the listing returned it (with its `results_uri`).
    pub profile: Value,
}

/// The outcome of discovery: one profile per sample that has a successful one, in the order
/// the samples were given, and the warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    pub chosen: Vec<Chosen>,
    pub warnings: Vec<Warning>,
}

/// Lists the functional profiles of `sample_ids` one batch after the other (as the Python client
/// does; a batch's later pages come together), resolves the jobs the listing did not embed (one
/// `$uri $in` query for all of them, not one GET each), and selects with [`select`].
pub async fn discover<T: Transport>(api: &Api<T>, sample_ids: &[String]) -> Result<Discovery> {
    let mut profiles: Vec<Value> = Vec::new();
    for chunk in sample_ids.chunks(SAMPLES_PER_QUERY) {
        let filter = json!({ "sample": { "$in": chunk } });
        let mut run = QueryRun::new("functional_profiles", &filter, QueryOptions::default())?;
        while let Some(page) = run.next_page(api).await? {
            let n = run.keep(page.len());
            profiles.extend(page.into_iter().take(n));
        }
    }

    // Jobs to read: those of successful profiles that came as a bare reference.
    let mut jobs: HashMap<String, Value> = HashMap::new();
    let mut to_resolve: Vec<Value> = Vec::new();
    let mut resolving: HashSet<String> = HashSet::new();
    for p in profiles.iter().filter(|p| is_successful(p)) {
        let Some(job) = p.get("job") else { continue };
        let Some(id) = ref_id(job) else { continue };
        if job.get("created_at").is_some() {
            jobs.entry(id).or_insert_with(|| job.clone());
        } else if !jobs.contains_key(&id) && resolving.insert(id.clone()) {
            to_resolve.push(json!({ "$ref": format!("/api/v1/jobs/{id}") }));
        }
    }
    if !to_resolve.is_empty() {
        for job in resolve_all(api, &to_resolve).await? {
            if let Some(id) = ref_id(&job) {
                jobs.insert(id, job);
            }
        }
    }
    Ok(select(sample_ids, &profiles, &jobs))
}

fn is_successful(profile: &Value) -> bool {
    profile.get("success") == Some(&Value::Bool(true))
}

/// The id of a reference in any of its shapes: `{ $ref }`, an object with a `$uri`, a URI or a
/// bare id.
fn ref_id(v: &Value) -> Option<String> {
    let s = v.get("$ref").or_else(|| v.get("$uri")).unwrap_or(v).as_str()?;
    let id = s.rsplit('/').next().unwrap_or(s);
    (!id.is_empty()).then(|| id.to_string())
}

/// Newest job, then newest profile; unreadable or missing times count as oldest, and of equals
/// the first listed wins.
pub fn select(sample_ids: &[String], profiles: &[Value], jobs: &HashMap<String, Value>) -> Discovery {
    type Key = (Option<(i64, u32)>, Option<(i64, u32)>);
    let created = |v: Option<&Value>| v.and_then(|v| v.get("created_at")).and_then(Value::as_str).and_then(instant);
    // (The map and key types are the ones the listing code uses: the client build shares them.)
    let index: HashMap<String, usize> = sample_ids.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
    let mut best: Vec<Option<(Key, &Value)>> = vec![None; sample_ids.len()];
    for p in profiles.iter().filter(|p| is_successful(p)) {
        let Some(&i) = p.get("sample").and_then(ref_id).and_then(|s| index.get(&s)) else { continue };
        let job = p.get("job").and_then(ref_id).and_then(|id| jobs.get(&id));
        let key: Key = (created(job), created(Some(p)));
        if best[i].as_ref().is_none_or(|(k, _)| key > *k) {
            best[i] = Some((key, p));
        }
    }
    let mut out = Discovery::default();
    for (s, b) in sample_ids.iter().zip(best) {
        match b {
            Some((_, p)) => out.chosen.push(Chosen { sample_id: s.clone(), profile: p.clone() }),
            None => out.warnings.push(Warning::new(
                "no_functional_profile",
                format!("Sample {s} has no successful functional profile. Skipping."),
            )),
        }
    }
    // Several job versions among the chosen profiles: their values may not be comparable.
    let mut seen: Vec<String> = Vec::new();
    let mut seen_set: HashSet<String> = HashSet::new();
    for c in &out.chosen {
        let id = c.profile.get("job").and_then(ref_id).unwrap_or_default();
        if seen_set.insert(id.clone()) {
            seen.push(id);
        }
    }
    if seen.len() > 1 {
        let named: Vec<String> = seen
            .iter()
            .map(|id| match jobs.get(id).and_then(|j| j.get("name")).and_then(Value::as_str) {
                Some(name) => format!("{name} ({id})"),
                None => id.clone(),
            })
            .collect();
        out.warnings.push(Warning::new(
            "mixed_functional_jobs",
            format!("Functional profiles from several job versions are mixed: {}", named.join(", ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::{api, block_on, reply, Scripted};
    use crate::http::Response;
    use crate::query::form::quote_plus;

    fn urls(a: &Api<Scripted>) -> Vec<String> {
        a.transport.requests.borrow().iter().map(|r| r.url.replace("http://127.0.0.1:1", "")).collect()
    }

    fn page(items: &[Value]) -> Result<Response> {
        let n = items.len().to_string();
        reply(200, &[("X-Total-Count", &n)], &Value::Array(items.to_vec()).to_string())
    }

    fn profile(id: &str, sample: &str, job: &str, created: &str, success: bool) -> Value {
        json!({
            "$uri": format!("/api/v1/functional_profiles/{id}"), "created_at": created, "success": success, "complete": true,
            "sample": {"$ref": format!("/api/v1/samples/{sample}")}, "job": {"$ref": format!("/api/v1/jobs/{job}")},
            "results_uri": format!("https://bucket.example/{id}?sig=1"),
        })
    }

    fn job(id: &str, name: &str, created: &str) -> Value {
        json!({"$uri": format!("/api/v1/jobs/{id}"), "name": name, "created_at": created})
    }

    fn ids(d: &Discovery) -> Vec<(&str, &str)> {
        d.chosen
            .iter()
            .map(|c| (c.sample_id.as_str(), c.profile["$uri"].as_str().unwrap().rsplit('/').next().unwrap()))
            .collect()
    }

    #[test]
    fn batches_of_fifty_encoded_as_the_python_client_does() {
        let samples: Vec<String> = (0..120).map(|i| format!("s{i:03}")).collect();
        let a = api(vec![
            page(&[profile("p001", "s001", "j1", "2024-01-01T00:00:00+00:00", true)]),
            page(&[profile("p060", "s060", "j1", "2024-01-01T00:00:00+00:00", true)]),
            page(&[]),
            page(&[job("j1", "Functional v1", "2023-01-01T00:00:00+00:00")]),
        ]);
        let d = block_on(discover(&a, &samples)).unwrap();
        assert_eq!(ids(&d), [("s001", "p001"), ("s060", "p060")]);
        let u = urls(&a);
        assert_eq!(u.len(), 4, "three batches (50, 50, 20) and one query for the jobs: {u:?}");
        // Python: json.dumps({"sample": {"$in": ids}}) then urlencode.
        let batch = |r: std::ops::Range<usize>| {
            let quoted: Vec<String> = samples[r].iter().map(|s| format!("\"{s}\"")).collect();
            let where_json = format!("{{\"sample\": {{\"$in\": [{}]}}}}", quoted.join(", "));
            format!(
                "/api/v1/functional_profiles?where={}&sort=%7B%7D&per_page=100&expand=all&page=1",
                quote_plus(&where_json)
            )
        };
        assert_eq!(u[0], batch(0..50));
        assert_eq!(u[1], batch(50..100));
        assert_eq!(u[2], batch(100..120));
        assert!(
            u[3].starts_with(
                "/api/v1/jobs?where=%7B%22%24uri%22%3A+%7B%22%24in%22%3A+%5B%22%2Fapi%2Fv1%2Fjobs%2Fj1%22%5D"
            ),
            "{}",
            u[3]
        );
        let missing = d.warnings.iter().filter(|w| w.code == "no_functional_profile").count();
        assert_eq!(missing, 118);
        assert!(!d.warnings.iter().any(|w| w.code == "mixed_functional_jobs"));
    }

    #[test]
    fn newest_job_wins_then_newest_profile_and_failures_are_skipped() {
        let samples = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let a = api(vec![
            page(&[
                // a: the v2 profile is newer, but v1 is the newer job, and the job decides.
                profile("a_v2", "a", "v2", "2024-06-01T00:00:00+00:00", true),
                profile("a_v1", "a", "v1", "2024-01-01T00:00:00+00:00", true),
                // b: same job twice → the newer profile; a failed newer one is ignored.
                profile("b_first", "b", "v1", "2024-01-01T10:00:00-07:00", true),
                profile("b_second", "b", "v1", "2024-01-01T16:30:00+00:00", true),
                profile("b_failed", "b", "v2", "2025-01-01T00:00:00+00:00", false),
                // c: only a failed one.
                profile("c_failed", "c", "v2", "2025-01-01T00:00:00+00:00", false),
            ]),
            // v1: 2023-05-01T23:00-07:00 = 2023-05-02T06:00Z, an hour after v2 although its date is earlier.
            page(&[
                job("v1", "Functional v1", "2023-05-01T23:00:00-07:00"),
                job("v2", "Functional v2", "2023-05-02T05:00:00Z"),
            ]),
        ]);
        let d = block_on(discover(&a, &samples)).unwrap();
        assert_eq!(ids(&d), [("a", "a_v1"), ("b", "b_first")], "b_first is 17:00Z, b_second 16:30Z");
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].code, "no_functional_profile");
        assert!(d.warnings[0].message.contains("Sample c"), "{}", d.warnings[0].message);
        let u = urls(&a);
        assert_eq!(u.len(), 2, "one listing, one query for both jobs (not one GET each)");
        assert!(u[1].contains("%2Fapi%2Fv1%2Fjobs%2Fv1") && u[1].contains("%2Fapi%2Fv1%2Fjobs%2Fv2"), "{}", u[1]);
    }

    #[test]
    fn mixed_job_versions_warn_and_embedded_jobs_need_no_request() {
        let samples = vec!["a".to_string(), "b".to_string()];
        let mut pa = profile("pa", "a", "v1", "2024-01-01T00:00:00+00:00", true);
        pa["job"] = job("v1", "Functional v1", "2023-01-01T00:00:00+00:00");
        let mut pb = profile("pb", "b", "v2", "2024-01-01T00:00:00+00:00", true);
        pb["job"] = job("v2", "Functional v2", "2024-01-01T00:00:00+00:00");
        // Listing order is b, a; the result follows the samples' order.
        let a = api(vec![page(&[pb, pa])]);
        let d = block_on(discover(&a, &samples)).unwrap();
        assert_eq!(ids(&d), [("a", "pa"), ("b", "pb")]);
        assert_eq!(urls(&a).len(), 1, "expanded jobs are not fetched again");
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].code, "mixed_functional_jobs");
        assert_eq!(
            d.warnings[0].message,
            "Functional profiles from several job versions are mixed: Functional v1 (v1), Functional v2 (v2)"
        );
    }

    #[test]
    fn a_failed_listing_is_a_typed_error() {
        let a = api(vec![reply(403, &[], r#"{"message": "Forbidden"}"#)]);
        let e = block_on(discover(&a, &["a".to_string()])).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::Forbidden, Some(403)));
    }

    #[test]
    fn items_are_samples_only() {
        let items = vec![
            json!("0123456789abcdef"),
            json!("/api/v1/samples/fedcba9876543210"),
            json!({"$uri": "/api/v1/samples/0123456789abcdef", "filename": "x.fq"}),
            json!({"$uri": "/api/v1/samples/aaaa"}),
        ];
        assert_eq!(sample_ids(&items).unwrap(), ["0123456789abcdef", "fedcba9876543210", "aaaa"]);
        for bad in [
            json!("/api/v1/classifications/abc"),
            json!({"$uri": "/api/v1/functional_profiles/x"}),
            json!(5),
            json!({}),
            json!("a/b"),
            json!(""),
        ] {
            assert_eq!(sample_ids(std::slice::from_ref(&bad)).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn condensed_files_are_kept_in_order_and_a_missing_one_is_not_found() {
        let profile = |id: &str, uri: Value| Chosen {
            sample_id: format!("s-{id}"),
            profile: json!({"$uri": format!("/api/v1/functional_profiles/{id}"), "results_uri": uri}),
        };
        let a = api(vec![reply(200, &[], "first"), reply(200, &[], "second!")]);
        let chosen =
            [profile("p1", json!("https://bucket.example/p1")), profile("p2", json!("https://bucket.example/p2"))];
        let mut progress = vec![];
        let got =
            block_on(condensed_files(&a, &chosen, 1, |id, b| (id, b.len()), |d, t| progress.push((d, t)))).unwrap();
        assert_eq!(got, [("p1".to_string(), 5), ("p2".to_string(), 7)]);
        assert_eq!(progress, [(1, 2), (2, 2)]);

        let none = [profile("p3", Value::Null)];
        let e = block_on(condensed_files(&api(vec![]), &none, 6, |id, _| id, |_, _| {})).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::NotFound, "Results are not available for functional profile p3")
        );
    }
}
