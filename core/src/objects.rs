//! Single-object operations (API_SPEC.md §5): get, update, delete, create, the job and analysis
//! actions, the account, and resolving references in bulk.

use crate::api::{check_id, Api};
use crate::error::{Error, Result};
use crate::http::{status_error, Method};
use crate::models::check_shape;
use crate::query_run::fetch_by_ids;
use crate::resources::Resource;
use crate::transport::Transport;
use crate::update::{job_create_body, update_body};
use serde_json::{json, Map, Value};

/// GET by id: the object, or None on 404 only; other failures are typed errors (not hidden as
/// "not found" as the Python client does, Appendix C.6).
pub async fn get<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<Option<Value>> {
    let r = Resource::by_name(resource)?;
    let id = check_id(id)?;
    let mut req = api.request(Method::Get, &format!("{}/{id}?expand=all", r.path()));
    if r.experimental && !api.config.experimental {
        req = req.header("X-OneCodex-Api-Experimental", "1");
    }
    let resp = api.send(&req).await?;
    if resp.status == 404 {
        return Ok(None);
    }
    if !resp.is_success() {
        return Err(status_error(&resp, &format!("Reading {resource} {id}")));
    }
    let object: Value = resp.json(&format!("Reading {resource} {id}"))?;
    check_shape(resource, &object)?;
    Ok(Some(object))
}

/// PATCH with the whitelisted keys; returns the updated object.
pub async fn update<T: Transport>(api: &Api<T>, resource: &str, id: &str, patch: &Value) -> Result<Value> {
    let r = Resource::by_name(resource)?;
    let id = check_id(id)?;
    let body = update_body(resource, patch)?;
    let object = api.patch_json(&format!("{}/{id}", r.path()), &body, &format!("Updating {resource} {id}")).await?;
    check_shape(resource, &object)?;
    Ok(object)
}

/// DELETE: success is exactly 204 (§5.3); anything else is a typed error, not a silent false.
pub async fn delete<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<()> {
    let r = Resource::by_name(resource)?;
    if !matches!(resource, "samples" | "projects" | "documents" | "assets") {
        return Err(Error::invalid_argument(format!("{resource} cannot be deleted")));
    }
    let id = check_id(id)?;
    let resp = api.send(&api.request(Method::Delete, &format!("{}/{id}", r.path()))).await?;
    match resp.status {
        204 => Ok(()),
        _ => Err(status_error(&resp, &format!("Deleting {resource} {id}"))),
    }
}

pub async fn create_job<T: Transport>(api: &Api<T>, job: &Value) -> Result<Value> {
    let body = job_create_body(job)?;
    let created = api.post_json("/api/v1/jobs", Some(&body), "Creating a job").await?;
    check_shape("jobs", &created)?;
    Ok(created)
}

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub job_args: Option<Map<String, Value>>,
    pub populate_default_arguments: bool,
    /// (analysis id, download path)
    pub dependencies: Vec<(String, Option<String>)>,
    pub description: Option<String>,
}

/// Runs a job on a sample and returns the new analysis (§5.5, §16.2.9).
pub async fn run_job<T: Transport>(api: &Api<T>, job_id: &str, sample_id: &str, opts: &RunOptions) -> Result<Value> {
    let job_id = check_id(job_id)?;
    let mut body = json!({
        "sample": check_id(sample_id)?,
        "job_args": opts.job_args.clone().map(Value::Object).unwrap_or(Value::Null),
        "populate_default_arguments": opts.populate_default_arguments,
    });
    if !opts.dependencies.is_empty() {
        let deps: Result<Vec<Value>> = opts
            .dependencies
            .iter()
            .map(|(a, p)| Ok(json!({"analysis": check_id(a)?, "download_path": p})))
            .collect();
        body["dependencies"] = Value::Array(deps?);
    }
    if let Some(d) = &opts.description {
        body["description"] = Value::String(d.trim().to_string());
    }
    let req = api.request(Method::Post, &format!("/api/v1/jobs/{job_id}/run")).json_body(&body);
    let resp = api.send(&req).await?;
    if !resp.is_success() {
        return Err(action_error(&resp, "Job run"));
    }
    let reply: Value = resp.json("Job run")?;
    let uri = reply
        .get("$ref")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_response("Job run: the response has no $ref to the new analysis"))?;
    get(api, "analyses", uri).await?.ok_or_else(|| Error::invalid_response(format!("Job run: the new analysis {uri} cannot be read")))
}

pub async fn job_details<T: Transport>(api: &Api<T>, job_id: &str) -> Result<Value> {
    let job_id = check_id(job_id)?;
    api.get_json(&format!("/api/v1/jobs/{job_id}/details"), &format!("Reading details of job {job_id}")).await
}

/// Publishes a custom job (§16.2.8); cannot be undone.
pub async fn publish_job<T: Transport>(api: &Api<T>, job_id: &str, autorun_on_org_sample_upload: bool) -> Result<Value> {
    let job_id = check_id(job_id)?;
    let body = if autorun_on_org_sample_upload { json!({"autorun_on_org_sample_upload": true}) } else { json!({}) };
    let req = api.request(Method::Post, &format!("/api/v1/jobs/{job_id}/publish")).json_body(&body);
    let resp = api.send(&req).await?;
    if !resp.is_success() {
        return Err(action_error(&resp, "Job publish"));
    }
    resp.json("Job publish")
}

/// Cancels a running custom-workflow analysis (§16.2.10); the analysis may still be running after.
pub async fn cancel_analysis<T: Transport>(api: &Api<T>, analysis_id: &str) -> Result<Value> {
    let id = check_id(analysis_id)?;
    let resp = api.send(&api.request(Method::Post, &format!("/api/v1/analyses/{id}/cancel"))).await?;
    match resp.status {
        s if (200..300).contains(&s) => resp.json("Analysis cancellation"),
        403 => Err(Error::new(crate::ErrorCode::Forbidden, format!(
            "You are not allowed to cancel analysis {id}: only the user who started it or an organization admin can"
        )).with_status(403)),
        404 => Err(Error::new(crate::ErrorCode::NotFound, format!("Analysis {id} not found.")).with_status(404)),
        _ => Err(action_error(&resp, "Analysis cancellation")),
    }
}

pub async fn account<T: Transport>(api: &Api<T>) -> Result<Value> {
    let account = api.get_json("/api/v1/account", "Reading the account").await?;
    if !account.get("user").is_some_and(Value::is_object) {
        return Err(Error::invalid_response("the account: the server sent one without a user"));
    }
    Ok(account)
}

/// `<Action> failed (<status>)[: <detail>]` (§16.2.11), with the status's error code.
fn action_error(resp: &crate::http::Response, action: &str) -> Error {
    let detail = resp.server_message().or_else(|| {
        let t = resp.text();
        let t = t.trim();
        (!t.is_empty() && t.len() < 500).then(|| t.to_string())
    });
    let mut e = status_error(resp, action);
    e.message = match detail {
        Some(d) => format!("{action} failed ({}): {d}", resp.status),
        None => format!("{action} failed ({})", resp.status),
    };
    e
}

/// Resolves references (`{ $ref }`, objects with `$uri`, or URIs) to full objects with one
/// `$uri $in` listing per resource rather than one GET each. Unknown ones come back as null,
/// in the order given.
pub async fn resolve_all<T: Transport>(api: &Api<T>, refs: &[Value]) -> Result<Vec<Value>> {
    let mut wanted: Vec<(String, String)> = Vec::with_capacity(refs.len()); // (collection, id)
    for r in refs {
        let uri = r
            .get("$ref")
            .or_else(|| r.get("$uri"))
            .and_then(Value::as_str)
            .or_else(|| r.as_str())
            .ok_or_else(|| Error::invalid_argument("resolve: each reference must be { $ref }, an object with a $uri, or a URI"))?;
        let mut parts = uri.strip_prefix("/api/v1/").unwrap_or_default().split('/');
        let (Some(collection), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::invalid_argument(format!("resolve: '{uri}' is not a /api/v1/<collection>/<id> URI")));
        };
        Resource::by_name(collection)?;
        wanted.push((collection.to_string(), check_id(id)?.to_string()));
    }
    let mut found: std::collections::HashMap<(String, String), Value> = Default::default();
    let mut collections: Vec<&str> = wanted.iter().map(|(c, _)| c.as_str()).collect();
    crate::sort::sort(&mut collections);
    collections.dedup();
    for collection in collections {
        let ids: Vec<String> = wanted.iter().filter(|(c, _)| c == collection).map(|(_, i)| i.clone()).collect();
        for object in fetch_by_ids(api, Resource::by_name(collection)?, &ids).await? {
            if let Some(id) = crate::query_run::object_id(&object) {
                found.insert((collection.to_string(), id.to_string()), object);
            }
        }
    }
    Ok(wanted.iter().map(|k| found.get(k).cloned().unwrap_or(Value::Null)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::{block_on, reply, Scripted};
    use crate::api::ClientConfig;
    use crate::config::BaseUrl;
    use crate::error::ErrorCode;

    fn api(outcomes: Vec<crate::Result<crate::http::Response>>) -> Api<Scripted> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        Api::new(config, Scripted::new(outcomes))
    }

    const SAMPLE: &str = r#"{"$uri": "/api/v1/samples/s1", "created_at": "2026-01-01T00:00:00+00:00", "metadata": {"$ref": "/api/v1/metadata/m"}, "owner": {"$ref": "/api/v1/users/u"}}"#;

    #[test]
    fn get_is_null_only_on_404() {
        let a = api(vec![reply(404, &[], "{}"), reply(403, &[], r#"{"message": "Forbidden"}"#), reply(200, &[], SAMPLE)]);
        assert_eq!(block_on(get(&a, "samples", "s1")).unwrap(), None);
        assert_eq!(block_on(get(&a, "samples", "s1")).unwrap_err().code, ErrorCode::Forbidden);
        assert!(block_on(get(&a, "samples", "s1")).unwrap().is_some());
        assert!(a.transport.requests.borrow()[0].url.ends_with("/api/v1/samples/s1?expand=all"));
    }

    #[test]
    fn delete_needs_204() {
        let a = api(vec![reply(204, &[], ""), reply(200, &[], "")]);
        block_on(delete(&a, "samples", "s1")).unwrap();
        assert_eq!(block_on(delete(&a, "samples", "s1")).unwrap_err().status, Some(200));
        assert!(block_on(delete(&a, "tags", "t")).unwrap_err().message.contains("tags cannot be deleted"));
    }

    #[test]
    fn run_job_follows_the_ref() {
        let analysis = r#"{"$uri": "/api/v1/analyses/a1", "complete": false}"#;
        let a = api(vec![reply(201, &[], r#"{"$ref": "/api/v1/analyses/a1"}"#), reply(200, &[], analysis)]);
        let opts = RunOptions { description: Some("  hi ".into()), ..Default::default() };
        let got = block_on(run_job(&a, "j1", "s1", &opts)).unwrap();
        assert_eq!(got["$uri"], "/api/v1/analyses/a1");
        let reqs = a.transport.requests.borrow();
        assert_eq!(reqs[0].body.as_deref(), Some(r#"{"sample":"s1","job_args":null,"populate_default_arguments":false,"description":"hi"}"#));
        assert!(reqs[1].url.ends_with("/api/v1/analyses/a1?expand=all"));
    }

    #[test]
    fn action_errors_follow_section_16_2_11() {
        let a = api(vec![reply(400, &[], r#"{"msg": "bad sample"}"#), reply(500, &[], "boom")]);
        let e = block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap_err();
        assert_eq!(e.message, "Job run failed (400): bad sample");
        let e = block_on(publish_job(&a, "j1", false)).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Server, "Job publish failed (500): boom"));
    }

    #[test]
    fn resolve_all_uses_one_listing_per_resource() {
        let a = api(vec![
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/projects/p1"}]"#),
            reply(200, &[], r#"[{"$uri": "/api/v1/samples/s2"}, {"$uri": "/api/v1/samples/s1"}]"#),
        ]);
        let refs = vec![json!({"$ref": "/api/v1/samples/s1"}), json!("/api/v1/projects/p1"), json!({"$uri": "/api/v1/samples/s2"}), json!({"$ref": "/api/v1/samples/zz"})];
        let got = block_on(resolve_all(&a, &refs)).unwrap();
        let ids: Vec<_> = got.iter().map(|o| o.get("$uri").and_then(Value::as_str).unwrap_or("null")).collect();
        assert_eq!(ids, ["/api/v1/samples/s1", "/api/v1/projects/p1", "/api/v1/samples/s2", "null"]);
        assert_eq!(a.transport.requests.borrow().len(), 2);
        assert!(block_on(resolve_all(&a, &[json!({"$ref": "/x/y"})])).is_err());
    }
}
