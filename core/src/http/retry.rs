//! The one retry policy: how many times a failed request is sent again, after which waits, and
//! what a server's `Retry-After` does to a wait. Three configurations of it ship:
//! - [`RetryPolicy::api`]: API calls, 3 retries on 429/502/503 and on network
//!   errors, after 0, 8 and 16 s, or after the server's `Retry-After`, capped at 120 s;
//! - [`RetryPolicy::download`]: pre-signed downloads, 5 retries on 404/429/5xx (an object may
//!   still be landing in S3) after 0, 4, 8, 16 and 32 s, `Retry-After` honoured, capped at 120 s;
//! - [`RetryPolicy::upload`]: S3 upload requests, one retry per entry of the waits (default 0,
//!   1, 3, 5 and 10 s); a `Retry-After` only lengthens a wait. Which upload failures retry at
//!   all is the upload's own rule (`upload::retry::Failure`).
//!
//! Requests that are not idempotent (POSTs that create or run something) follow
//! [`RetryPolicy::replay`] instead: sent again only where the server provably did nothing.

use crate::error::{Error, ErrorCode, Result};
use crate::http::Response;

/// What a server's `Retry-After` does to the computed wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// The server's wait is used instead (capped at `max_delay_ms`).
    Replaces,
    /// The longer of the two is used: a server can ask for more patience, never for less.
    Lengthens,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// HTTP statuses that are retried (the upload classifies S3 answers itself and ignores this).
    pub statuses: Vec<u16>,
    /// Delay before retry n (1-based) is `backoff_ms[n-1]`, the last entry repeating.
    pub backoff_ms: Vec<f64>,
    /// No wait, computed or asked for by `Retry-After`, is longer than this.
    pub max_delay_ms: f64,
    pub retry_after: RetryAfter,
}

/// Caller's overrides of a policy's fields (the `retry` option of the client and of downloads);
/// `None` keeps the configuration's value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetryOverrides {
    pub retries: Option<u32>,
    pub statuses: Option<Vec<u16>>,
    pub backoff_ms: Option<Vec<f64>>,
    pub max_delay_ms: Option<f64>,
}

/// What happened on one attempt.
pub enum Attempt<'a> {
    Response(&'a Response),
    Failed(&'a Error),
}

fn is_wait(ms: f64) -> bool {
    crate::time::is_duration_ms(ms)
}

fn check_waits(waits: &[f64], name: &str, empty_ok: bool) -> Result<()> {
    if (waits.is_empty() && !empty_ok) || !waits.iter().all(|b| is_wait(*b)) {
        let what = if empty_ok { "a list" } else { "a non-empty list" };
        return Err(Error::invalid_argument(format!("{name} must be {what} of waits from 0 to 2147483647 ms")));
    }
    Ok(())
}

impl RetryPolicy {
    pub fn api() -> Self {
        RetryPolicy {
            retries: 3,
            statuses: vec![429, 502, 503],
            backoff_ms: vec![0.0, 8000.0, 16000.0],
            max_delay_ms: 120_000.0,
            retry_after: RetryAfter::Replaces,
        }
    }

    pub fn download() -> Self {
        RetryPolicy {
            retries: 5,
            statuses: vec![404, 429, 500, 502, 503, 504],
            backoff_ms: vec![0.0, 4000.0, 8000.0, 16000.0, 32000.0],
            max_delay_ms: 120_000.0,
            retry_after: RetryAfter::Replaces,
        }
    }

    /// The upload's default waits: 0, 1, 3, 5 and 10 s (as Uppy/tus, plus one step).
    pub fn upload() -> Self {
        RetryPolicy::upload_waits(vec![0.0, 1_000.0, 3_000.0, 5_000.0, 10_000.0])
    }

    /// One retry per wait (none for an empty list), each waiting its entry.
    pub fn upload_waits(delays_ms: Vec<f64>) -> Self {
        RetryPolicy {
            retries: delays_ms.len() as u32,
            statuses: Vec::new(),
            backoff_ms: delays_ms,
            max_delay_ms: f64::MAX,
            retry_after: RetryAfter::Lengthens,
        }
    }

    /// The upload's `retryDelaysMs` option, checked (an empty list turns retries off).
    pub fn upload_option(delays_ms: Option<Vec<f64>>) -> Result<Self> {
        match delays_ms {
            None => Ok(RetryPolicy::upload()),
            Some(d) => {
                check_waits(&d, "retryDelaysMs", true)?;
                Ok(RetryPolicy::upload_waits(d))
            }
        }
    }

    /// This configuration with the caller's overrides, checked; `option` names it in errors
    /// (`retry`, `download retry`).
    pub fn with(mut self, o: RetryOverrides, option: &str) -> Result<Self> {
        self.retries = o.retries.unwrap_or(self.retries);
        self.statuses = o.statuses.unwrap_or(self.statuses);
        self.backoff_ms = o.backoff_ms.unwrap_or(self.backoff_ms);
        self.max_delay_ms = o.max_delay_ms.unwrap_or(self.max_delay_ms);
        self.validate(option)?;
        Ok(self)
    }

    /// Every wait a finite number ≥ 0 ms (at least one: the last repeats), every status an
    /// HTTP error status.
    pub fn validate(&self, option: &str) -> Result<()> {
        check_waits(&self.backoff_ms, &format!("{option}.backoffMs"), false)?;
        if self.statuses.iter().any(|s| !(400..600).contains(s)) {
            return Err(Error::invalid_argument(format!("{option}.statuses must be HTTP error statuses (400–599)")));
        }
        if !is_wait(self.max_delay_ms) {
            return Err(Error::invalid_argument(format!(
                "{option}.maxDelayMs must be a number from 0 to 2147483647 ms"
            )));
        }
        Ok(())
    }

    /// The wait before retry number `retry` (1-based), given the server's `Retry-After` (ms)
    /// if it sent one; None when the retries are used up.
    pub fn delay(&self, retry: u32, retry_after_ms: Option<f64>) -> Option<f64> {
        if retry == 0 || retry > self.retries {
            return None;
        }
        let i = retry as usize - 1;
        let computed = self.backoff_ms.get(i).or(self.backoff_ms.last()).copied().unwrap_or(0.0);
        let delay = match (self.retry_after, retry_after_ms) {
            (_, None) => computed,
            (RetryAfter::Replaces, Some(asked)) => asked,
            (RetryAfter::Lengthens, Some(asked)) => computed.max(asked),
        };
        Some(delay.clamp(0.0, self.max_delay_ms))
    }

    /// `Some(delay_ms)` when attempt number `retry` (1-based) should be made after this outcome.
    pub fn next_delay(&self, retry: u32, outcome: Attempt<'_>, now_ms: f64) -> Option<f64> {
        match outcome {
            Attempt::Response(resp) if self.statuses.contains(&resp.status) => {
                self.delay(retry, resp.header("retry-after").and_then(|v| retry_after_ms(v, now_ms)))
            }
            Attempt::Response(_) => None,
            Attempt::Failed(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => self.delay(retry, None),
            Attempt::Failed(_) => None,
        }
    }
}

/// What to do after an attempt of a request that is not idempotent (a POST that creates or runs
/// something), where sending it again could make a second one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Replay {
    /// The server provably did nothing (a 429, a 503 with `Retry-After`, a connection that
    /// failed before the request left): send again after this wait.
    After(f64),
    /// No answer says whether it was applied (a cut connection, a 502/504, a 503 without
    /// `Retry-After`, a timeout after sending): do not send again.
    Unknown,
    /// The outcome is final (a success, an error status, retries used up).
    Final,
}

impl RetryPolicy {
    /// The rule for non-idempotent requests: [`RetryPolicy::next_delay`] only where the server
    /// cannot have acted; where it may have, [`Replay::Unknown`] instead of a retry.
    pub fn replay(&self, retry: u32, outcome: Attempt<'_>, now_ms: f64) -> Replay {
        let untouched = match &outcome {
            Attempt::Response(resp) => {
                resp.status == 429 || (resp.status == 503 && resp.header("retry-after").is_some())
            }
            Attempt::Failed(e) => e.code == ErrorCode::Network && e.unsent,
        };
        // A gateway's 502/503/504 may come after forwarding, whether or not the policy retries it.
        let retryable = match &outcome {
            Attempt::Response(resp) => self.statuses.contains(&resp.status) || matches!(resp.status, 502..=504),
            Attempt::Failed(e) => matches!(e.code, ErrorCode::Network | ErrorCode::Timeout),
        };
        match (retryable, untouched) {
            (false, _) => Replay::Final,
            (true, false) => Replay::Unknown,
            (true, true) => self.next_delay(retry, outcome, now_ms).map_or(Replay::Final, Replay::After),
        }
    }
}

/// `Retry-After` is either delta-seconds or an HTTP date (RFC 9110).
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then_some(secs * 1000.0);
    }
    http_date_ms(value).map(|at| (at - now_ms).max(0.0))
}

/// IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`, as Unix milliseconds.
pub fn http_date_ms(value: &str) -> Option<f64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let day: i64 = parts[1].parse().ok()?;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == parts[2])? as i64 + 1;
    let year: i64 = parts[3].parse().ok()?;
    let hms: Vec<i64> = parts[4].split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if hms.len() != 3 || !(1..=31).contains(&day) {
        return None;
    }
    let days = crate::time::days_from_civil(year, month, day);
    Some(((days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]) * 1000) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, retry_after: Option<&str>) -> Response {
        let headers = retry_after.map(|v| vec![("Retry-After".to_string(), v.to_string())]).unwrap_or_default();
        Response { status, headers, body: vec![] }
    }

    #[test]
    fn python_schedule_then_give_up() {
        let p = RetryPolicy::api();
        let r = resp(503, None);
        let delays: Vec<_> = (1..=4).map(|n| p.next_delay(n, Attempt::Response(&r), 0.0)).collect();
        assert_eq!(delays, [Some(0.0), Some(8000.0), Some(16000.0), None]);
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(500, None)), 0.0), None, "500 is not retried");
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(404, None)), 0.0), None);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy::api();
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(429, Some("3"))), 0.0), Some(3000.0));
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(429, Some("9999"))), 0.0), Some(120_000.0));
        let now = http_date_ms("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(now, 1_445_412_480_000.0);
        assert_eq!(
            p.next_delay(1, Attempt::Response(&resp(503, Some("Wed, 21 Oct 2015 07:28:05 GMT"))), now),
            Some(5000.0)
        );
        assert_eq!(
            p.next_delay(2, Attempt::Response(&resp(503, Some("soon"))), now),
            Some(8000.0),
            "unparsable: computed delay"
        );
    }

    #[test]
    fn creating_requests_are_sent_again_only_where_nothing_happened() {
        let p = RetryPolicy::api();
        let at = |n, r: &Response| p.replay(n, Attempt::Response(r), 0.0);
        assert_eq!(at(1, &resp(429, None)), Replay::After(0.0));
        assert_eq!(at(1, &resp(429, Some("3"))), Replay::After(3000.0));
        assert_eq!(at(1, &resp(503, Some("2"))), Replay::After(2000.0));
        assert_eq!(at(4, &resp(429, None)), Replay::Final, "retries used up: the 429 is the answer");
        assert_eq!(at(1, &resp(503, None)), Replay::Unknown, "a 503 without Retry-After may come after acting");
        assert_eq!(at(1, &resp(502, None)), Replay::Unknown);
        assert_eq!(at(1, &resp(504, None)), Replay::Unknown, "not in the API policy, but a gateway's");
        assert_eq!(at(1, &resp(500, None)), Replay::Final, "not retried for any request");
        assert_eq!(at(1, &resp(201, None)), Replay::Final);
        let failed = |e: Error| p.replay(1, Attempt::Failed(&e), 0.0);
        assert_eq!(failed(Error::new(ErrorCode::Network, "refused").unsent()), Replay::After(0.0));
        assert_eq!(failed(Error::new(ErrorCode::Network, "reset")), Replay::Unknown);
        assert_eq!(failed(Error::new(ErrorCode::Timeout, "slow")), Replay::Unknown);
        assert_eq!(failed(Error::new(ErrorCode::Aborted, "stop")), Replay::Final);
        let no_503 = RetryPolicy { statuses: vec![429], ..RetryPolicy::api() };
        assert_eq!(no_503.replay(1, Attempt::Response(&resp(503, Some("1"))), 0.0), Replay::Final);
    }

    #[test]
    fn network_errors_retry_aborts_do_not() {
        let p = RetryPolicy::api();
        assert_eq!(p.next_delay(1, Attempt::Failed(&Error::new(ErrorCode::Network, "reset")), 0.0), Some(0.0));
        assert_eq!(p.next_delay(1, Attempt::Failed(&Error::new(ErrorCode::Aborted, "stop")), 0.0), None);
    }
}
