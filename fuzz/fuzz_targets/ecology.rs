//! The analyses of a collection (diversity, distances, UniFrac, rank tests, PERMANOVA) and the
//! metrics over a raw matrix of any floats (NaN, negative, huge): typed errors only, and every
//! distance matrix n×n, finite, symmetric, with a zero diagonal.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onecodex_core::ecology::{
    self, aitchison::aitchison, beta::beta_diversity, AlphaMetric, AlphaStatsOptions, AlphaTest, BetaMetric,
    BetaStatsOptions, DistanceMatrix, MatrixChoice,
};
use onecodex_core::error::ErrorCode;
use onecodex_core::results::{MetadataItem, Metric, MetricOption, Rank, RankOption};
use onecodex_fuzz::{check_typed, CollectionSpec, BODY_OR_ARG};
use serde_json::json;

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Raw(String),
}

impl Name {
    fn text(&self, known: &[&str]) -> String {
        match self {
            Name::Known(b) => known[*b as usize % known.len()].to_owned(),
            Name::Raw(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    collection: CollectionSpec,
    rank: Name,
    metric: Name,
    alpha_metric: Name,
    beta_metric: Name,
    test: Name,
    /// Per member: a group (few values, so groups repeat), a pair key, or nothing.
    groups: Vec<(Option<u8>, Option<u8>)>,
    paired: bool,
    alpha: f64,
    permutations: u8,
    seed: u64,
    raw: Vec<f64>,
    raw_cols: u8,
}

fn check_matrix(d: &DistanceMatrix) {
    let n = d.len();
    assert_eq!(d.values.len(), n * n);
    for i in 0..n {
        assert_eq!(d.get(i, i), 0.0);
        for j in 0..n {
            assert!(d.get(i, j).is_finite() && d.get(i, j) >= 0.0);
            assert_eq!(d.get(i, j), d.get(j, i));
        }
    }
}

fuzz_target!(|input: Input| {
    let alpha_names: Vec<&str> = AlphaMetric::ALL.iter().map(|m| m.as_str()).collect();
    let beta_names: Vec<&str> = BetaMetric::ALL.iter().map(|m| m.as_str()).collect();
    let tests: Vec<&str> = AlphaTest::ALL.iter().map(|m| m.as_str()).collect();
    let ranks: Vec<&str> = ["auto"].into_iter().chain(Rank::LINEAGE_ORDER.map(Rank::as_str)).collect();
    let metrics: Vec<&str> = ["auto"].into_iter().chain(Metric::ALL.map(Metric::as_str)).collect();
    let parsed = (
        AlphaMetric::parse(&input.alpha_metric.text(&alpha_names)),
        BetaMetric::parse(&input.beta_metric.text(&beta_names)),
        AlphaTest::parse(&input.test.text(&tests)),
        RankOption::parse(&input.rank.text(&ranks)),
        MetricOption::parse(&input.metric.text(&metrics)),
    );
    let (am, bm, test, rank, metric) = match parsed {
        (Ok(a), Ok(b), Ok(t), Ok(r), Ok(m)) => (a, b, t, r, m),
        (a, b, t, r, m) => {
            for e in [a.err(), b.err(), t.err(), r.err(), m.err()].into_iter().flatten() {
                check_typed(&e, &[ErrorCode::InvalidArgument]);
            }
            return;
        }
    };

    // Raw matrices: any floats.
    let cols = (input.raw_cols as usize % 8).max(1);
    let rows = (input.raw.len() / cols).min(12);
    let values = &input.raw[..rows * cols];
    let ids: Vec<String> = (0..rows).map(|i| format!("r{i}")).collect();
    let raw =
        if bm == BetaMetric::Aitchison { aitchison(ids, values, cols) } else { beta_diversity(bm, ids, values, cols) };
    match raw {
        Ok(d) => check_matrix(&d),
        Err(e) => check_typed(&e, &[ErrorCode::InvalidArgument]),
    }

    let Some(c) = input.collection.build() else {
        return;
    };
    let choice = MatrixChoice { rank, metric };
    match ecology::alpha_diversity(&c, am, choice) {
        Ok(a) => assert_eq!(a.values.len(), c.len()),
        Err(e) => check_typed(&e, BODY_OR_ARG),
    }
    match ecology::beta_diversity(&c, bm, choice) {
        Ok(b) => {
            check_matrix(&b.matrix);
            assert_eq!(b.matrix.len(), c.len());
        }
        Err(e) => check_typed(&e, BODY_OR_ARG),
    }
    let meta: Vec<MetadataItem> = c
        .classification_ids()
        .iter()
        .zip(input.groups.iter().chain(std::iter::repeat(&(None, None))))
        .map(|(id, (g, p))| MetadataItem {
            classification_id: Some((*id).to_owned()),
            sample: serde_json::Value::Null,
            metadata: json!({"custom": {"g": g.map(|g| format!("g{}", g % 3)), "p": p.map(|p| p % 4)}}),
            project_name: None,
        })
        .collect();
    let a = ecology::alpha_diversity_stats(
        &c,
        &meta,
        &AlphaStatsOptions {
            diversity_metric: am,
            matrix: choice,
            group_by: vec!["g".into()],
            paired_by: input.paired.then(|| vec!["g".into(), "g".into()]),
            test,
            alpha: input.alpha,
            require_classification_version_match: input.seed % 2 == 0,
        },
    );
    if let Err(e) = a {
        check_typed(&e, BODY_OR_ARG);
    }
    let b = ecology::beta_diversity_stats(
        &c,
        &meta,
        &BetaStatsOptions {
            diversity_metric: bm,
            matrix: choice,
            group_by: vec!["g".into()],
            alpha: input.alpha,
            num_permutations: input.permutations as usize % 20,
            seed: input.seed,
            require_classification_version_match: input.seed % 3 == 0,
        },
    );
    match b {
        Ok(r) => assert!(r.pvalue.is_nan() || (0.0..=1.0).contains(&r.pvalue)),
        Err(e) => check_typed(&e, BODY_OR_ARG),
    }
});
