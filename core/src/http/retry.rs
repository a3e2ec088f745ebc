//! The API retry policy (API_SPEC.md §1.4): 3 retries on 429/502/503 and on network errors,
//! after 0, 8 and 16 s, or after the server's `Retry-After`, capped at 120 s.

use crate::error::{Error, ErrorCode};
use crate::http::Response;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    pub statuses: Vec<u16>,
    /// Delay before retry n (1-based) is `backoff_ms[n-1]`, the last entry repeating.
    pub backoff_ms: Vec<f64>,
    /// No wait, computed or asked for by `Retry-After`, is longer than this.
    pub max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: 3, statuses: vec![429, 502, 503], backoff_ms: vec![0.0, 8000.0, 16000.0], max_delay_ms: 120_000.0 }
    }
}

/// What happened on one attempt.
pub enum Attempt<'a> {
    Response(&'a Response),
    Failed(&'a Error),
}

impl RetryPolicy {
    /// `Some(delay_ms)` when attempt number `retry` (1-based) should be made after this outcome.
    pub fn next_delay(&self, retry: u32, outcome: Attempt<'_>, now_ms: f64) -> Option<f64> {
        if retry > self.retries {
            return None;
        }
        let computed = self.backoff_ms.get(retry as usize - 1).or(self.backoff_ms.last()).copied().unwrap_or(0.0);
        let delay = match outcome {
            Attempt::Response(resp) if self.statuses.contains(&resp.status) => {
                resp.header("retry-after").and_then(|v| retry_after_ms(v, now_ms)).unwrap_or(computed)
            }
            Attempt::Response(_) => return None,
            Attempt::Failed(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Timeout) => computed,
            Attempt::Failed(_) => return None,
        };
        Some(delay.clamp(0.0, self.max_delay_ms))
    }
}

/// `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
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
        let p = RetryPolicy::default();
        let r = resp(503, None);
        let delays: Vec<_> = (1..=4).map(|n| p.next_delay(n, Attempt::Response(&r), 0.0)).collect();
        assert_eq!(delays, [Some(0.0), Some(8000.0), Some(16000.0), None]);
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(500, None)), 0.0), None, "500 is not retried");
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(404, None)), 0.0), None);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(429, Some("3"))), 0.0), Some(3000.0));
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(429, Some("9999"))), 0.0), Some(120_000.0));
        let now = http_date_ms("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(now, 1_445_412_480_000.0);
        assert_eq!(p.next_delay(1, Attempt::Response(&resp(503, Some("Wed, 21 Oct 2015 07:28:05 GMT"))), now), Some(5000.0));
        assert_eq!(p.next_delay(2, Attempt::Response(&resp(503, Some("soon"))), now), Some(8000.0), "unparsable: computed delay");
    }

    #[test]
    fn network_errors_retry_aborts_do_not() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, Attempt::Failed(&Error::new(ErrorCode::Network, "reset")), 0.0), Some(0.0));
        assert_eq!(p.next_delay(1, Attempt::Failed(&Error::new(ErrorCode::Aborted, "stop")), 0.0), None);
    }
}
