//! Fetching analysis results: the pre-signed `results_uri` (plain
//! session: no credentials, 30 s timeout, the API retry policy) with the authenticated
//! `{$uri}/results` fallback, functional condensed files, JSON results of the other analyses,
//! the read-level URL, and many results at once with bounded concurrency.
//!
//! Bodies come back as bytes (zstd, gzip or JSON); parsing is `crate::results`'s job.

use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{status_error, Method, Request, Response};
use crate::objects;
use crate::refs::check_id;
use crate::refs::reference_id;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Timeout of a pre-signed results download.
pub const RESULTS_TIMEOUT_MS: f64 = 30_000.0;

/// Where a results body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The pre-signed `results_uri`.
    ResultsUri,
    /// `GET {$uri}/results` on the API.
    Api,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::ResultsUri => "results_uri",
            Source::Api => "api",
        }
    }
}

/// A results body and the analysis object it belongs to.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub object: Value,
    pub bytes: Vec<u8>,
    pub source: Source,
}

/// GET of a pre-signed URL: no credentials, no client headers, 30 s timeout, API retries, the
/// API's answer size limit (a results body is read whole).
pub async fn get_presigned<T: Transport>(api: &Api<T>, url: &str) -> Result<Response> {
    let mut req = Request::new(Method::Get, url);
    req.timeout_ms = Some(RESULTS_TIMEOUT_MS);
    req.max_body_bytes = Some(api.config.max_response_bytes);
    api.send(&req).await
}

/// The object of `reference`: an id (fetched with `?expand=all`), or an object already in hand.
pub async fn analysis_object<T: Transport>(api: &Api<T>, resource: &str, reference: &Value) -> Result<Value> {
    match reference {
        Value::String(id) => objects::get(api, resource, id)
            .await?
            .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("{resource} {id} does not exist"))),
        Value::Object(_) => {
            reference_id(reference)?;
            Ok(reference.clone())
        }
        _ => Err(Error::invalid_argument("expected an id or an object with a $uri")),
    }
}

/// `GET /api/v1/<resource>/<id>/results` as bytes (2xx required).
pub async fn api_results<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<Vec<u8>> {
    let id = check_id(id)?;
    let req = api.request(Method::Get, &format!("/api/v1/{resource}/{id}/results"));
    Ok(api.send_ok(&req, &format!("Fetching results of {resource} {id}")).await?.body)
}

/// Classification results: `results_uri` when it is an http(s) URL, else (or when that GET
/// answers with an HTTP error status) `{$uri}/results`. Network errors after retries propagate.
pub async fn classification_results<T: Transport>(api: &Api<T>, reference: &Value) -> Result<Fetched> {
    let object = analysis_object(api, "classifications", reference).await?;
    let id = reference_id(&object)?;
    if let Some(url) = object.get("results_uri").and_then(Value::as_str).filter(|u| crate::refs::is_link(u)) {
        let resp = get_presigned(api, url).await?;
        if resp.is_success() {
            return Ok(Fetched { object, bytes: resp.body, source: Source::ResultsUri });
        }
    }
    let bytes = api_results(api, "classifications", &id).await?;
    Ok(Fetched { object, bytes, source: Source::Api })
}

/// The functional profile's condensed file: `None` when it is unavailable
/// (no `results_uri`, or an HTTP error even after one refresh of the object).
pub async fn functional_condensed<T: Transport>(api: &Api<T>, object: &Value) -> Result<Option<Vec<u8>>> {
    let id = reference_id(object)?;
    let Some(url) = object.get("results_uri").and_then(Value::as_str).filter(|u| crate::refs::is_link(u)) else {
        return Ok(None);
    };
    let resp = get_presigned(api, url).await?;
    if resp.is_success() {
        return Ok(Some(resp.body));
    }
    // One refresh (no expand), then one more try with the new URL.
    let req = api.request(Method::Get, &format!("/api/v1/functional_profiles/{id}"));
    let fresh = api.send(&req).await?;
    if !fresh.is_success() {
        return Ok(None);
    }
    let fresh: Value = fresh.json("Refreshing a functional profile")?;
    let Some(url) = fresh.get("results_uri").and_then(Value::as_str).filter(|u| crate::refs::is_link(u)) else {
        return Ok(None);
    };
    let resp = get_presigned(api, url).await?;
    Ok(resp.is_success().then_some(resp.body))
}

/// `/api/v1/functional_profiles/<id>/filtered_results?<query>`, the query from
/// [`crate::results::filtered_results_query`]; non-2xx is an error with the body's message.
pub async fn functional_filtered_results<T: Transport>(api: &Api<T>, id: &str, query: &str) -> Result<Vec<u8>> {
    let id = check_id(id)?;
    let req = api.request(Method::Get, &format!("/api/v1/functional_profiles/{id}/filtered_results?{query}"));
    Ok(api.send_ok(&req, &format!("Fetching filtered results of functional profile {id}")).await?.body)
}

/// Checks the shape of an analysis's JSON results where the client relies on one: MLST results
/// are an object. Others are passed on verbatim.
pub fn check_results_json(resource: &str, results: &Value) -> Result<()> {
    if resource == "mlsts" && !results.is_object() {
        return Err(Error::invalid_response("MLST results: expected a JSON object"));
    }
    Ok(())
}

/// Results downloads in flight at once unless the caller says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 6;

/// A `concurrency` option: a whole number ≥ 1, default [`DEFAULT_CONCURRENCY`].
pub fn concurrency_limit(n: Option<f64>) -> Result<usize> {
    match n {
        None => Ok(DEFAULT_CONCURRENCY),
        Some(n) if n.is_finite() && n >= 1.0 && n.fract() == 0.0 => Ok(n as usize),
        Some(n) => Err(Error::invalid_argument(format!("concurrency must be a whole number ≥ 1 (got {n})"))),
    }
}

/// Runs futures with at most `limit` in flight, results in input order. The first error wins and
/// drops (cancels) the others; `on_done(finished, total)` is called after each success.
pub async fn run_bounded<O, Fut>(
    futures: Vec<Fut>,
    limit: usize,
    mut on_done: impl FnMut(usize, usize),
) -> Result<Vec<O>>
where
    Fut: Future<Output = Result<O>>,
{
    let total = futures.len();
    let limit = limit.max(1);
    let mut pending = futures.into_iter().enumerate();
    let mut running: Vec<(usize, Pin<Box<Fut>>)> = Vec::with_capacity(limit.min(total));
    let mut out: Vec<Option<O>> = (0..total).map(|_| None).collect();
    let mut finished = 0;
    std::future::poll_fn(|cx| loop {
        while running.len() < limit {
            match pending.next() {
                Some((i, f)) => running.push((i, Box::pin(f))),
                None => break,
            }
        }
        if running.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let mut progressed = false;
        let mut k = 0;
        while k < running.len() {
            match running[k].1.as_mut().poll(cx) {
                Poll::Ready(Ok(v)) => {
                    let (i, _) = running.remove(k);
                    out[i] = Some(v);
                    finished += 1;
                    on_done(finished, total);
                    progressed = true;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => k += 1,
            }
        }
        if !progressed {
            return Poll::Pending;
        }
    })
    .await?;
    // Every slot is filled once the loop is done; a gap would be a bug here, not a panic.
    out.into_iter()
        .collect::<Option<Vec<O>>>()
        .ok_or_else(|| Error::invalid_response("a concurrent request did not finish"))
}

/// An HTTP error of a results GET as a typed error (used by callers that want one).
pub fn results_status_error(resp: &Response, what: &str) -> Error {
    status_error(resp, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::{api, block_on, reply};
    use serde_json::json;

    fn object() -> Value {
        json!({"$uri": "/api/v1/classifications/abc123", "results_uri": "https://bucket.example/r?sig=1"})
    }

    #[test]
    fn presigned_get_has_no_credentials_and_a_timeout() {
        let a = api(vec![reply(200, &[], "{\"table\": []}")]);
        let f = block_on(classification_results(&a, &object())).unwrap();
        assert_eq!(f.source, Source::ResultsUri);
        let reqs = a.transport.requests.borrow();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].url, "https://bucket.example/r?sig=1");
        assert!(reqs[0].header_value("authorization").is_none());
        assert_eq!(reqs[0].timeout_ms, Some(RESULTS_TIMEOUT_MS));
    }

    #[test]
    fn http_error_falls_back_to_the_api_and_retries_first() {
        let a = api(vec![reply(503, &[], ""), reply(403, &[], "<Error/>"), reply(200, &[], "{}")]);
        let f = block_on(classification_results(&a, &object())).unwrap();
        assert_eq!(f.source, Source::Api);
        let reqs = a.transport.requests.borrow();
        assert_eq!(reqs.len(), 3, "503 retried, 403 falls back");
        assert_eq!(reqs[2].url, "http://127.0.0.1:1/api/v1/classifications/abc123/results");
        assert!(reqs[2].header_value("authorization").is_some());
    }

    #[test]
    fn null_results_uri_goes_to_the_api() {
        let a = api(vec![reply(200, &[], "{}")]);
        let o = json!({"$uri": "/api/v1/classifications/abc123", "results_uri": null});
        assert_eq!(block_on(classification_results(&a, &o)).unwrap().source, Source::Api);
    }

    #[test]
    fn fallback_error_is_typed() {
        let a = api(vec![reply(403, &[], ""), reply(404, &[], "{\"message\": \"gone\"}")]);
        let e = block_on(classification_results(&a, &object())).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    #[test]
    fn bounded_keeps_order_and_limit() {
        use std::cell::Cell;
        let in_flight = Cell::new(0usize);
        let peak = Cell::new(0usize);
        struct Yield(bool);
        impl Future for Yield {
            type Output = ();
            fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
                if self.0 {
                    Poll::Ready(())
                } else {
                    self.0 = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            }
        }
        let futs: Vec<_> = (0..10)
            .map(|i| {
                let (in_flight, peak) = (&in_flight, &peak);
                async move {
                    in_flight.set(in_flight.get() + 1);
                    peak.set(peak.get().max(in_flight.get()));
                    for _ in 0..(10 - i) {
                        Yield(false).await;
                    }
                    in_flight.set(in_flight.get() - 1);
                    Ok::<_, Error>(i * 2)
                }
            })
            .collect();
        let mut progress = vec![];
        let out = block_on(run_bounded(futs, 3, |d, t| progress.push((d, t)))).unwrap();
        assert_eq!(out, (0..10).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(peak.get(), 3);
        assert_eq!(progress.last(), Some(&(10, 10)));
        assert_eq!(progress.len(), 10);
    }

    #[test]
    fn mlst_results_must_be_an_object() {
        assert!(check_results_json("mlsts", &json!({"mlstResults": {}})).is_ok());
        assert_eq!(check_results_json("mlsts", &json!([1])).unwrap_err().code, ErrorCode::InvalidResponse);
        assert!(check_results_json("panels", &json!([1])).is_ok());
    }

    #[test]
    fn bounded_stops_at_the_first_error() {
        let futs: Vec<_> = (0..5)
            .map(|i| async move {
                if i == 2 {
                    Err(Error::invalid_response("bad"))
                } else {
                    Ok(i)
                }
            })
            .collect();
        assert!(block_on(run_bounded(futs, 2, |_, _| {})).is_err());
    }
}
