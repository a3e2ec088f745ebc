//! `awaitCompletion`: the polling schedule as pure state, and the loop that
//! refreshes an analysis until it is complete, over the `Transport` clock and sleep.

use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::objects;
use crate::refs::check_id;
use serde_json::Value;

/// The server asks clients not to poll more often than this (`MIN_POLL_INTERVAL_SECONDS`).
pub const MIN_POLL_INTERVAL_MS: f64 = 5_000.0;

#[derive(Debug, Clone, PartialEq)]
pub struct PollOptions {
    /// None: wait as long as it takes.
    pub timeout_ms: Option<f64>,
    pub initial_interval_ms: f64,
    pub max_interval_ms: f64,
    pub backoff: f64,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions { timeout_ms: None, initial_interval_ms: 5_000.0, max_interval_ms: 120_000.0, backoff: 1.5 }
    }
}

impl PollOptions {
    /// Refuses what refuses (intervals under 5 s, backoff under 1) and what cannot mean
    /// anything (NaN, negative timeouts, a first interval above the cap).
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid_argument(format!("awaitCompletion: {m}")));
        for (name, v) in [("initialIntervalMs", self.initial_interval_ms), ("maxIntervalMs", self.max_interval_ms)] {
            if !(v.is_finite() && v >= MIN_POLL_INTERVAL_MS) {
                return bad(format!(
                    "{name} must be at least {MIN_POLL_INTERVAL_MS} ms (the API's minimum poll interval), not {v}"
                ));
            }
            if !crate::time::is_duration_ms(v) {
                return bad(format!("{name} must be at most 2147483647 ms (the longest a timer waits), not {v}"));
            }
        }
        if self.initial_interval_ms > self.max_interval_ms {
            return bad(format!(
                "initialIntervalMs ({}) must not exceed maxIntervalMs ({})",
                self.initial_interval_ms, self.max_interval_ms
            ));
        }
        if !(self.backoff.is_finite() && self.backoff >= 1.0) {
            return bad(format!("backoff must be a number ≥ 1, not {}", self.backoff));
        }
        if let Some(t) = self.timeout_ms {
            if !(t.is_finite() && t >= 0.0) {
                return bad(format!("timeoutMs must be a number of milliseconds ≥ 0, not {t}"));
            }
        }
        Ok(())
    }
}

/// The waits between refreshes: `initial`, then × `backoff` up to `max`, cut short by the deadline.
#[derive(Debug, Clone)]
pub struct PollSchedule {
    deadline_ms: Option<f64>,
    interval_ms: f64,
    options: PollOptions,
}

impl PollSchedule {
    pub fn start(options: PollOptions, now_ms: f64) -> Result<Self> {
        options.validate()?;
        Ok(PollSchedule {
            deadline_ms: options.timeout_ms.map(|t| now_ms + t),
            interval_ms: options.initial_interval_ms,
            options,
        })
    }

    /// How long to sleep before the next refresh, or a `timeout` error when the time is up.
    pub fn next_wait(&mut self, now_ms: f64, what: &str) -> Result<f64> {
        let wait = match self.deadline_ms {
            Some(deadline) => {
                let remaining = deadline - now_ms;
                if remaining <= 0.0 {
                    let secs = self.options.timeout_ms.unwrap_or(0.0) / 1000.0;
                    return Err(Error::new(ErrorCode::Timeout, format!("{what} did not complete within {secs} s")));
                }
                self.interval_ms.min(remaining)
            }
            None => self.interval_ms,
        };
        self.interval_ms = (self.interval_ms * self.options.backoff).min(self.options.max_interval_ms);
        Ok(wait)
    }
}

/// Refreshes `{collection}/{id}?expand=all` until `complete` is true (whatever `success` says),
/// calling `on_poll` with each refreshed object and the 1-based poll number. A 404 is an error
/// here (the analysis vanished), unlike `get`.
pub async fn await_completion<T: Transport>(
    api: &Api<T>,
    collection: &str,
    id: &str,
    options: PollOptions,
    on_poll: &mut dyn FnMut(&Value, u32) -> Result<()>,
) -> Result<Value> {
    let id = check_id(id)?.to_string();
    let mut schedule = PollSchedule::start(options, api.transport.now_ms())?;
    let what = format!("Analysis {id}");
    let mut polls = 0;
    loop {
        let analysis = refresh(api, collection, &id).await?;
        polls += 1;
        on_poll(&analysis, polls)?;
        if analysis.get("complete").and_then(Value::as_bool) == Some(true) {
            return Ok(analysis);
        }
        let wait = schedule.next_wait(api.transport.now_ms(), &what)?;
        api.transport.sleep(wait).await?;
    }
}

/// The analysis as the server has it now; a missing one is `not_found`.
pub async fn refresh<T: Transport>(api: &Api<T>, collection: &str, id: &str) -> Result<Value> {
    objects::get(api, collection, id).await?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("{collection} {id} not found (it may have been deleted, or belong to another account)"),
        )
        .with_status(404)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::config::BaseUrl;
    use crate::http::session::tests::{block_on, reply};
    use crate::http::session::ClientConfig;
    use crate::http::{Request, Response};
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    /// Scripted responses on a fake clock: `sleep` advances time instead of waiting, and each
    /// request costs `request_ms`, so schedules of minutes run in microseconds.
    struct FakeClock {
        now: Cell<f64>,
        request_ms: f64,
        outcomes: RefCell<VecDeque<Result<Response>>>,
        sleeps: RefCell<Vec<f64>>,
        requests: RefCell<Vec<String>>,
    }

    impl Transport for FakeClock {
        async fn send(&self, r: &Request) -> Result<Response> {
            self.requests.borrow_mut().push(r.url.clone());
            self.now.set(self.now.get() + self.request_ms);
            self.outcomes.borrow_mut().pop_front().expect("a scripted response per request")
        }
        async fn sleep(&self, ms: f64) -> Result<()> {
            self.sleeps.borrow_mut().push(ms);
            self.now.set(self.now.get() + ms);
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            self.now.get()
        }
    }

    fn analysis(complete: bool) -> Result<Response> {
        reply(200, &[], &format!(r#"{{"$uri": "/api/v1/analyses/a1", "complete": {complete}, "success": null}}"#))
    }

    fn api(outcomes: Vec<Result<Response>>, request_ms: f64) -> Api<FakeClock> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        let clock = FakeClock {
            now: Cell::new(1_000_000.0),
            request_ms,
            outcomes: RefCell::new(outcomes.into()),
            sleeps: RefCell::default(),
            requests: RefCell::default(),
        };
        Api::new(config, clock)
    }

    fn opts(initial: f64, max: f64, backoff: f64, timeout: Option<f64>) -> PollOptions {
        PollOptions { timeout_ms: timeout, initial_interval_ms: initial, max_interval_ms: max, backoff }
    }

    #[test]
    fn default_schedule_matches_section_8_7() {
        let mut s = PollSchedule::start(PollOptions::default(), 0.0).unwrap();
        let waits: Vec<f64> = (0..10).map(|_| s.next_wait(0.0, "x").unwrap()).collect();
        let expected = [5000.0, 7500.0, 11250.0, 16875.0, 25312.5, 37968.75, 56953.125, 85429.6875, 120000.0, 120000.0];
        assert_eq!(waits, expected);
    }

    #[test]
    fn spec_example_three_incomplete_polls_sleep_5_then_10() {
        // initial=5, backoff=2, max=20; incomplete, incomplete, complete → sleeps [5, 10] s.
        let a = api(vec![analysis(false), analysis(false), analysis(true)], 0.0);
        let mut seen = vec![];
        let done = block_on(await_completion(&a, "analyses", "a1", opts(5000.0, 20000.0, 2.0, None), &mut |v, n| {
            seen.push((n, v["complete"].as_bool().unwrap()));
            Ok(())
        }))
        .unwrap();
        assert_eq!(done["complete"], true);
        assert_eq!(*a.transport.sleeps.borrow(), vec![5000.0, 10000.0]);
        assert_eq!(seen, vec![(1, false), (2, false), (3, true)]);
        assert!(a.transport.requests.borrow().iter().all(|u| u.ends_with("/api/v1/analyses/a1?expand=all")));
    }

    #[test]
    fn complete_on_first_refresh_never_sleeps() {
        let a = api(vec![analysis(true)], 0.0);
        block_on(await_completion(&a, "classifications", "a1", PollOptions::default(), &mut |_, _| Ok(()))).unwrap();
        assert!(a.transport.sleeps.borrow().is_empty());
        assert!(a.transport.requests.borrow()[0].contains("/api/v1/classifications/a1"));
    }

    #[test]
    fn timeout_cuts_the_last_sleep_short_then_fails() {
        // 12 s budget: sleep 5, then 7 (remaining, not 7.5), then time is up.
        let a = api((0..5).map(|_| analysis(false)).collect(), 0.0);
        let e = block_on(await_completion(
            &a,
            "analyses",
            "a1",
            opts(5000.0, 120_000.0, 1.5, Some(12_000.0)),
            &mut |_, _| Ok(()),
        ))
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
        assert_eq!(e.message, "Analysis a1 did not complete within 12 s");
        assert_eq!(*a.transport.sleeps.borrow(), vec![5000.0, 7000.0]);
        assert_eq!(a.transport.requests.borrow().len(), 3);
    }

    #[test]
    fn slow_requests_count_against_the_timeout() {
        // Each refresh takes 4 s of the 10 s budget: refresh (4), sleep 5 (9), refresh (13) → timeout.
        let a = api((0..5).map(|_| analysis(false)).collect(), 4000.0);
        let e =
            block_on(await_completion(&a, "analyses", "a1", opts(5000.0, 5000.0, 1.0, Some(10_000.0)), &mut |_, _| {
                Ok(())
            }))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
        assert_eq!(*a.transport.sleeps.borrow(), vec![5000.0]);
    }

    #[test]
    fn zero_timeout_still_refreshes_once() {
        let a = api(vec![analysis(true)], 0.0);
        assert!(block_on(await_completion(
            &a,
            "analyses",
            "a1",
            opts(5000.0, 5000.0, 1.0, Some(0.0)),
            &mut |_, _| Ok(())
        ))
        .is_ok());
        let a = api(vec![analysis(false)], 0.0);
        let e =
            block_on(await_completion(&a, "analyses", "a1", opts(5000.0, 5000.0, 1.0, Some(0.0)), &mut |_, _| Ok(())))
                .unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
    }

    #[test]
    fn out_of_range_options_are_invalid_arguments_before_any_request() {
        let cases = [
            (opts(4999.0, 120_000.0, 1.5, None), "initialIntervalMs must be at least 5000"),
            (opts(5000.0, 4000.0, 1.5, None), "maxIntervalMs must be at least 5000"),
            (opts(10_000.0, 6000.0, 1.5, None), "must not exceed maxIntervalMs"),
            (opts(5000.0, 120_000.0, 0.9, None), "backoff must be a number ≥ 1"),
            (opts(5000.0, 120_000.0, f64::NAN, None), "backoff"),
            (opts(f64::INFINITY, f64::INFINITY, 1.5, None), "initialIntervalMs"),
            (opts(5000.0, 120_000.0, 1.5, Some(-1.0)), "timeoutMs"),
        ];
        for (o, text) in cases {
            let a = api(vec![], 0.0);
            let e = block_on(await_completion(&a, "analyses", "a1", o.clone(), &mut |_, _| Ok(()))).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{o:?}");
            assert!(e.message.contains(text), "{o:?}: {}", e.message);
            assert!(a.transport.requests.borrow().is_empty());
        }
    }

    #[test]
    fn refresh_errors_are_raised_and_a_vanished_analysis_is_not_found() {
        let a = api(vec![analysis(false), reply(404, &[], "{}")], 0.0);
        let e =
            block_on(await_completion(&a, "analyses", "a1", PollOptions::default(), &mut |_, _| Ok(()))).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::NotFound, Some(404)));
        let a = api(vec![reply(401, &[], r#"{"message": "Unauthorized"}"#)], 0.0);
        let e =
            block_on(await_completion(&a, "analyses", "a1", PollOptions::default(), &mut |_, _| Ok(()))).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthorized);
    }

    #[test]
    fn an_on_poll_error_stops_polling() {
        let a = api(vec![analysis(false), analysis(false)], 0.0);
        let e = block_on(await_completion(&a, "analyses", "a1", PollOptions::default(), &mut |_, _| {
            Err(Error::invalid_argument("onPoll threw"))
        }))
        .unwrap_err();
        assert_eq!(e.message, "onPoll threw");
        assert_eq!(a.transport.requests.borrow().len(), 1);
    }
}
