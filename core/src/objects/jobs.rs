//! Jobs: create, run on a sample, details, publish.

use crate::error::{Error, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::Method;
use crate::models::check_shape;
use crate::objects::action_error;
use crate::objects::changes::Body;
use crate::objects::crud::get;
use crate::refs::check_id;
use serde_json::{json, Map, Value};

/// POST a new job with a body `changes::job_create_body` prepared.
pub async fn create_job<T: Transport>(api: &Api<T>, body: &Body) -> Result<Value> {
    let created = api.post_json("/api/v1/jobs", Some(body.json()), "Creating a job").await?;
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

/// Runs a job on a sample and returns the new analysis.
pub async fn run_job<T: Transport>(api: &Api<T>, job_id: &str, sample_id: &str, opts: &RunOptions) -> Result<Value> {
    let job_id = check_id(job_id)?;
    let mut body = json!({
        "sample": check_id(sample_id)?,
        "job_args": opts.job_args.clone().map(Value::Object).unwrap_or(Value::Null),
        "populate_default_arguments": opts.populate_default_arguments,
    });
    if !opts.dependencies.is_empty() {
        let deps: Result<Vec<Value>> =
            opts.dependencies.iter().map(|(a, p)| Ok(json!({"analysis": check_id(a)?, "download_path": p}))).collect();
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
    get(api, "analyses", uri)
        .await?
        .ok_or_else(|| Error::invalid_response(format!("Job run: the new analysis {uri} cannot be read")))
}

pub async fn job_details<T: Transport>(api: &Api<T>, job_id: &str) -> Result<Value> {
    let job_id = check_id(job_id)?;
    api.get_json(&format!("/api/v1/jobs/{job_id}/details"), &format!("Reading details of job {job_id}")).await
}

/// Publishes a custom job; cannot be undone.
pub async fn publish_job<T: Transport>(
    api: &Api<T>,
    job_id: &str,
    autorun_on_org_sample_upload: bool,
) -> Result<Value> {
    let job_id = check_id(job_id)?;
    let body = if autorun_on_org_sample_upload { json!({"autorun_on_org_sample_upload": true}) } else { json!({}) };
    let req = api.request(Method::Post, &format!("/api/v1/jobs/{job_id}/publish")).json_body(&body);
    let resp = api.send(&req).await?;
    if !resp.is_success() {
        return Err(action_error(&resp, "Job publish"));
    }
    resp.json("Job publish")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::http::session::tests::{block_on, reply};
    use crate::objects::test_support::api;
    #[test]
    fn run_job_follows_the_ref() {
        let analysis = r#"{"$uri": "/api/v1/analyses/a1", "complete": false}"#;
        let a = api(vec![reply(201, &[], r#"{"$ref": "/api/v1/analyses/a1"}"#), reply(200, &[], analysis)]);
        let opts = RunOptions { description: Some("  hi ".into()), ..Default::default() };
        let got = block_on(run_job(&a, "j1", "s1", &opts)).unwrap();
        assert_eq!(got["$uri"], "/api/v1/analyses/a1");
        let reqs = a.transport.requests.borrow();
        assert_eq!(
            reqs[0].body.as_deref(),
            Some(r#"{"sample":"s1","job_args":null,"populate_default_arguments":false,"description":"hi"}"#)
        );
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
}
