//! Which part failures retry, and after how long.

use onecodex_core::upload::retry::{Decision, Failure, RetryPolicy};

fn status(s: u16) -> Failure {
    Failure::Status { status: s, s3_code: None }
}

#[test]
fn transient_failures_retry_others_do_not() {
    for f in [
        Failure::Network,
        Failure::Stalled,
        status(408),
        status(429),
        status(500),
        status(502),
        status(503),
        status(504),
    ] {
        assert!(f.is_retryable(), "{f:?}");
    }
    for s in [400, 401, 403, 404, 409, 412] {
        assert!(!status(s).is_retryable(), "{s}");
    }
    // S3 400s that mean the bytes did not arrive intact or in time.
    for code in ["RequestTimeout", "BadDigest", "XAmzContentChecksumMismatch", "SlowDown"] {
        let f = Failure::from_response(400, &format!("<Error><Code>{code}</Code></Error>"));
        assert!(f.is_retryable(), "{code}");
    }
    let f = Failure::from_response(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
    assert_eq!(f, Failure::Status { status: 403, s3_code: Some("SignatureDoesNotMatch".into()) });
    assert!(!f.is_retryable());
    assert_eq!(Failure::from_response(500, "<html/>"), status(500));
}

#[test]
fn default_schedule_is_0_1_3_5_10_seconds_then_give_up() {
    let p = RetryPolicy::upload();
    let waits: Vec<Decision> = (0..6).map(|n| p.decide(&Failure::Network, n, None)).collect();
    assert_eq!(
        waits,
        vec![
            Decision::RetryAfter { delay_ms: 0 },
            Decision::RetryAfter { delay_ms: 1_000 },
            Decision::RetryAfter { delay_ms: 3_000 },
            Decision::RetryAfter { delay_ms: 5_000 },
            Decision::RetryAfter { delay_ms: 10_000 },
            Decision::GiveUp,
        ]
    );
    assert_eq!(p.decide(&status(403), 0, None), Decision::GiveUp);
    // Retry-After lengthens a wait, never shortens it.
    assert_eq!(p.decide(&status(429), 0, Some(2_000)), Decision::RetryAfter { delay_ms: 2_000 });
    assert_eq!(p.decide(&status(503), 4, Some(2_000)), Decision::RetryAfter { delay_ms: 10_000 });
    // Configurable, including no retries at all.
    assert_eq!(RetryPolicy::upload_waits(vec![]).decide(&Failure::Network, 0, None), Decision::GiveUp);
    // The upload's configuration of the one retry policy: one retry per wait.
    assert_eq!(p.retries, 5);
    assert_eq!(p.backoff_ms, [0.0, 1000.0, 3000.0, 5000.0, 10000.0]);
}
