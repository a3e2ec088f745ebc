//! The option parsers (rank, metric, table format, functional annotation and metric): an
//! unknown name is `invalid_argument`, a known one round-trips through `as_str`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::error::{ErrorCode, Result};
use onecodex_core::results::{
    filtered_results_query, FunctionalAnnotation, FunctionalMetric, Metric, MetricOption, Rank, RankOption, TableFormat,
};
use onecodex_fuzz::check_typed;

const ARG: &[ErrorCode] = &[ErrorCode::InvalidArgument];

/// Ok only for a name that prints back as itself; Err only typed.
fn check<T>(s: &str, r: Result<T>, name: impl Fn(&T) -> String) {
    match r {
        Ok(v) => assert_eq!(name(&v), s),
        Err(e) => check_typed(&e, ARG),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for s in text.split('\n') {
        check(s, Rank::parse(s), |r| r.as_str().to_owned());
        check(s, Metric::parse(s), |m| m.as_str().to_owned());
        check(s, RankOption::parse(s), |r| match r {
            RankOption::Auto => "auto".into(),
            RankOption::Rank(r) => r.as_str().into(),
        });
        check(s, MetricOption::parse(s), |m| match m {
            MetricOption::Auto => "auto".into(),
            MetricOption::Metric(m) => m.as_str().into(),
        });
        check(s, TableFormat::parse(s), |f| match f {
            TableFormat::Wide => "wide".into(),
            TableFormat::Long => "long".into(),
        });
        check(s, FunctionalAnnotation::parse(s), |a| a.as_str().to_owned());
        check(s, FunctionalMetric::parse(s), |m| m.as_str().to_owned());
        // "annotation metric": a query only for an allowed pair.
        if let Some((a, m)) = s.split_once(' ') {
            if let (Ok(a), Ok(m)) = (FunctionalAnnotation::parse(a), FunctionalMetric::parse(m)) {
                for strat in [false, true] {
                    match filtered_results_query(a, m, strat) {
                        Ok(q) => {
                            assert!(m.check_pair(a).is_ok());
                            assert!(q.contains(a.as_str()) && q.contains(m.as_str()));
                        }
                        Err(e) => {
                            check_typed(&e, ARG);
                            assert!(m.check_pair(a).is_err());
                        }
                    }
                }
            }
        }
    }
});
