//! Jobs: create, run on a sample, details, publish.

use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{Method, Response};
use crate::models::check_shape;
use crate::objects::action_error;
use crate::objects::changes::Body;
use crate::objects::crud::get;
use crate::query::run::{QueryOptions, QueryRun};
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
    // A run costs money: an answer lost after the server may have acted is settled by comparing
    // the job's analyses of the sample before and after (no clock involved), never by blindly
    // running it again.
    let sample = check_id(sample_id)?;
    let before = analyses_of_job(api, job_id, sample).await?;
    let mut retry = 0;
    let uri = loop {
        let unknown = match api.send(&req).await {
            Ok(resp) => break ref_of_run(&resp)?,
            Err(e) if e.code == ErrorCode::OutcomeUnknown => e,
            Err(e) => return Err(e),
        };
        let after = analyses_of_job(api, job_id, sample).await?;
        let new: Vec<&String> = after.iter().filter(|u| !before.contains(u)).collect();
        retry += 1;
        match (new.as_slice(), api.config.retry.delay(retry, None)) {
            ([made], _) => break (*made).clone(),
            // Nothing was made: the run can be sent again without making a second one.
            ([], Some(ms)) => api.transport.sleep(ms).await?,
            ([], None) => return Err(unknown),
            (several, _) => {
                let list: Vec<&str> = several.iter().map(|u| u.as_str()).collect();
                return Err(Error::new(
                    ErrorCode::OutcomeUnknown,
                    format!(
                        "{}; meanwhile these analyses of the job appeared on the sample: {}",
                        unknown.message,
                        list.join(", ")
                    ),
                ));
            }
        }
    };
    get(api, "analyses", &uri)
        .await?
        .ok_or_else(|| Error::invalid_response(format!("Job run: the new analysis {uri} cannot be read")))
}

/// The analysis a run's answer refers to (its `$ref`), or the run's error.
fn ref_of_run(resp: &Response) -> Result<String> {
    if !resp.is_success() {
        return Err(action_error(resp, "Job run"));
    }
    let reply: Value = resp.json("Job run")?;
    reply
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid_response("Job run: the response has no $ref to the new analysis"))
}

/// The URIs of the analyses of a job on a sample.
async fn analyses_of_job<T: Transport>(api: &Api<T>, job_id: &str, sample: &str) -> Result<Vec<String>> {
    let filter = json!({
        "sample": { "$ref": format!("/api/v1/samples/{sample}") },
        "job": { "$ref": format!("/api/v1/jobs/{job_id}") },
    });
    let mut run = QueryRun::new("analyses", &filter, QueryOptions::default())?;
    let mut uris = Vec::new();
    while let Some(page) = run.next_page(api).await? {
        uris.extend(page.iter().filter_map(|a| a.get("$uri").and_then(Value::as_str).map(str::to_owned)));
    }
    Ok(uris)
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
    let req = api.request(Method::Post, &format!("/api/v1/jobs/{job_id}/publish")).json_body(&body).idempotent_post();
    let resp = api.send(&req).await?;
    if !resp.is_success() {
        return Err(action_error(&resp, "Job publish"));
    }
    resp.json("Job publish")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::{block_on, reply};
    use crate::objects::test_support::api;

    const RUN_A1: &str = r#"{"$ref": "/api/v1/analyses/a1"}"#;
    const A1: &str = r#"{"$uri": "/api/v1/analyses/a1", "complete": false}"#;
    const NONE: &str = "[]";

    fn cut() -> crate::Result<crate::http::Response> {
        Err(Error::new(ErrorCode::Network, "other side closed"))
    }

    fn posts(a: &Api<crate::http::session::tests::Scripted>) -> usize {
        a.transport.requests.borrow().iter().filter(|r| r.method == Method::Post).count()
    }

    #[test]
    fn run_job_lists_the_job_analyses_then_follows_the_ref() {
        let a = api(vec![reply(200, &[], NONE), reply(201, &[], RUN_A1), reply(200, &[], A1)]);
        let opts = RunOptions { description: Some("  hi ".into()), ..Default::default() };
        let got = block_on(run_job(&a, "j1", "s1", &opts)).unwrap();
        assert_eq!(got["$uri"], "/api/v1/analyses/a1");
        let reqs = a.transport.requests.borrow();
        let listing = crate::upload::encode::percent_decode(&reqs[0].url.replace('+', " ")).unwrap();
        let listing = String::from_utf8(listing).unwrap();
        assert!(listing.contains(r#"/api/v1/analyses?where={"sample": {"$ref": "/api/v1/samples/s1"}, "job": {"$ref": "/api/v1/jobs/j1"}}"#), "{listing}");
        assert_eq!(
            reqs[1].body.as_deref(),
            Some(r#"{"sample":"s1","job_args":null,"populate_default_arguments":false,"description":"hi"}"#)
        );
        assert!(reqs[2].url.ends_with("/api/v1/analyses/a1?expand=all"));
    }

    #[test]
    fn a_run_whose_answer_was_lost_is_found_not_repeated() {
        let after = r#"[{"$uri": "/api/v1/analyses/a0"}, {"$uri": "/api/v1/analyses/a1"}]"#;
        let a = api(vec![
            reply(200, &[], r#"[{"$uri": "/api/v1/analyses/a0"}]"#),
            cut(),
            reply(200, &[], after),
            reply(200, &[], A1),
        ]);
        let got = block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap();
        assert_eq!(got["$uri"], "/api/v1/analyses/a1");
        assert_eq!(posts(&a), 1, "the run is sent once");
        // A proxy's 502 after forwarding: the same.
        let a = api(vec![
            reply(200, &[], NONE),
            reply(502, &[], "Bad Gateway"),
            reply(200, &[], r#"[{"$uri": "/api/v1/analyses/a1"}]"#),
            reply(200, &[], A1),
        ]);
        assert_eq!(block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap()["$uri"], "/api/v1/analyses/a1");
        assert_eq!(posts(&a), 1);
    }

    #[test]
    fn a_run_that_provably_made_nothing_is_sent_again() {
        let a = api(vec![
            reply(200, &[], NONE),
            cut(),
            reply(200, &[], NONE),
            reply(201, &[], RUN_A1),
            reply(200, &[], A1),
        ]);
        assert_eq!(block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap()["$uri"], "/api/v1/analyses/a1");
        assert_eq!(posts(&a), 2);
        // A 429 is a refusal before acting: sent again without a check.
        let a = api(vec![
            reply(200, &[], NONE),
            reply(429, &[("Retry-After", "1")], ""),
            reply(201, &[], RUN_A1),
            reply(200, &[], A1),
        ]);
        assert_eq!(block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap()["$uri"], "/api/v1/analyses/a1");
        assert_eq!(*a.transport.sleeps.borrow(), vec![1000.0]);
        assert_eq!(a.transport.requests.borrow().len(), 4, "no second listing");
    }

    #[test]
    fn an_outcome_the_listing_cannot_settle_is_outcome_unknown() {
        let two = r#"[{"$uri": "/api/v1/analyses/a1"}, {"$uri": "/api/v1/analyses/a2"}]"#;
        let a = api(vec![reply(200, &[], NONE), cut(), reply(200, &[], two)]);
        let e = block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap_err();
        assert_eq!(e.code, ErrorCode::OutcomeUnknown);
        assert!(e.message.contains("POST /api/v1/jobs/j1/run: the request may have been applied"), "{}", e.message);
        assert!(e.message.ends_with("/api/v1/analyses/a1, /api/v1/analyses/a2"), "{}", e.message);
        assert_eq!(posts(&a), 1);
        // Nothing made, every time: after the policy's retries, the last outcome_unknown.
        let mut script = vec![reply(200, &[], NONE)];
        for _ in 0..4 {
            script.extend([cut(), reply(200, &[], NONE)]);
        }
        let a = api(script);
        let e = block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap_err();
        assert_eq!(e.code, ErrorCode::OutcomeUnknown);
        assert_eq!(posts(&a), 4, "1 attempt + 3 retries, each after a check that found nothing");
    }

    #[test]
    fn action_errors_follow_section_16_2_11() {
        let a = api(vec![reply(200, &[], NONE), reply(400, &[], r#"{"msg": "bad sample"}"#), reply(500, &[], "boom")]);
        let e = block_on(run_job(&a, "j1", "s1", &RunOptions::default())).unwrap_err();
        assert_eq!(e.message, "Job run failed (400): bad sample");
        let e = block_on(publish_job(&a, "j1", false)).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Server, "Job publish failed (500): boom"));
    }
}
