//! The analyses of a collection against onecodex 1.2.0 itself: `core/tests/ecology/reference.json`
//! is written by `core/tests/ecology/make_reference.py` (run with the reference virtualenv), which
//! hands the same results bodies to a real `SampleCollection` and records `to_df`,
//! `alpha_diversity`, `beta_diversity`, `alpha_diversity_stats` and `beta_diversity_stats`.
//!
//! Tolerances (as the parity layer's): alpha, Bray–Curtis, Jaccard, city block, Euclidean,
//! UniFrac 1e-9 relative; Aitchison |Δd²| ≤ 1e-12·(‖x‖² + ‖y‖²) on the clr rows; rank tests
//! 1e-9; PERMANOVA's pseudo-F 1e-9 and its p-value within 4σ of a binomial around Python's
//! (our permutations are not numpy's).

use onecodex_core::ecology::{
    self, aitchison::clr_replaced, AlphaMetric, AlphaStatsOptions, AlphaTest, BetaMetric, BetaStatsOptions,
    MatrixChoice, StatsResult,
};
use onecodex_core::results::{
    ClassificationTable, Collection, CollectionItem, MatrixOptions, MetadataItem, MetricOption, RankOption,
};
use serde_json::Value;
use std::collections::HashMap;

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ecology/reference.json"))
        .expect("reference.json (run core/tests/ecology/make_reference.py)");
    serde_json::from_str(&text).unwrap()
}

struct Fixture {
    collections: HashMap<String, (Collection, Vec<MetadataItem>)>,
    r: Value,
}

fn fixture() -> Fixture {
    let r = reference();
    let mut collections = HashMap::new();
    for (name, items) in r["collections"].as_object().unwrap() {
        let mut core_items = Vec::new();
        let mut meta = Vec::new();
        for it in items.as_array().unwrap() {
            let id = it["classificationId"].as_str().unwrap();
            let body = serde_json::to_vec(&it["results"]).unwrap();
            let mut ci = CollectionItem::new(id, ClassificationTable::parse(&body).unwrap());
            ci.job_id = it["jobId"].as_str().map(str::to_owned);
            ci.job_name = it["jobName"].as_str().map(str::to_owned);
            core_items.push(ci);
            meta.push(MetadataItem {
                classification_id: Some(id.to_owned()),
                sample: Value::Null,
                metadata: it["metadata"].clone(),
                project_name: None,
            });
        }
        collections.insert(name.clone(), (Collection::new(core_items, true).unwrap(), meta));
    }
    Fixture { collections, r }
}

fn choice(metric: &str, rank: &str) -> MatrixChoice {
    MatrixChoice { metric: MetricOption::parse(metric).unwrap(), rank: RankOption::parse(rank).unwrap() }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

/// |a − b| ≤ 1e-9 · max(|a|, |b|) (+1e-14 for values that are 0 up to rounding); NaN = NaN.
fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-14
}

fn assert_all_close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(close(*a, *b), "{what}[{i}]: ours {a}, Python {b}");
    }
}

fn label(c: &Value) -> String {
    format!("{} {} {} {}", c["collection"], c["metric"], c["rank"], c["diversityMetric"])
}

#[test]
fn matrices_match_to_df() {
    let f = fixture();
    for c in f.r["matrices"].as_array().unwrap() {
        let (col, _) = &f.collections[c["collection"].as_str().unwrap()];
        let ch = choice(c["metric"].as_str().unwrap(), c["rank"].as_str().unwrap());
        let m =
            col.to_matrix(&MatrixOptions { metric: ch.metric, rank: ch.rank, ..Default::default() }).unwrap().matrix;
        let cols: Vec<String> =
            c["columns"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        assert_eq!(m.column_ids, cols, "{}", label(c));
        let theirs: Vec<f64> = c["values"].as_array().unwrap().iter().flat_map(nums).collect();
        assert_all_close(&label(c), &m.values, &theirs);
    }
}

#[test]
fn alpha_diversity_matches_scikit_bio() {
    let f = fixture();
    let mut checked = 0;
    for c in f.r["alpha"].as_array().unwrap() {
        let (col, _) = &f.collections[c["collection"].as_str().unwrap()];
        let dm = AlphaMetric::parse(c["diversityMetric"].as_str().unwrap()).unwrap();
        let ours =
            ecology::alpha_diversity(col, dm, choice(c["metric"].as_str().unwrap(), c["rank"].as_str().unwrap()));
        match (&c["ok"], ours) {
            (Value::Null, Err(_)) => {}
            (ok, Ok(a)) if !ok.is_null() => {
                assert_eq!(a.classification_ids.len(), ok["ids"].as_array().unwrap().len());
                assert_all_close(&label(c), &a.values, &nums(&ok["values"]));
                assert_eq!(a.warnings.iter().any(|w| w.code == "chao1_deprecated"), dm == AlphaMetric::Chao1);
                checked += 1;
            }
            (ok, ours) => panic!("{}: Python {ok} / {:?}, ours {ours:?}", label(c), c.get("error")),
        }
    }
    assert!(checked >= 60, "{checked}");
}

#[test]
fn beta_diversity_matches_scipy_and_scikit_bio() {
    let f = fixture();
    let (mut checked, mut errors) = (0, 0);
    for c in f.r["beta"].as_array().unwrap() {
        let (col, _) = &f.collections[c["collection"].as_str().unwrap()];
        let dm = BetaMetric::parse(c["diversityMetric"].as_str().unwrap()).unwrap();
        let ch = choice(c["metric"].as_str().unwrap(), c["rank"].as_str().unwrap());
        let ours = ecology::beta_diversity(col, dm, ch);
        match (&c["ok"], ours) {
            (Value::Null, Err(e)) => {
                assert_eq!(e.code, onecodex_core::ErrorCode::InvalidArgument, "{}: {e:?}", label(c));
                errors += 1;
            }
            (ok, Ok(b)) if !ok.is_null() => {
                let theirs = nums(&ok["values"]);
                let ids: Vec<&str> = ok["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                assert_eq!(b.matrix.ids, ids);
                if dm == BetaMetric::Aitchison {
                    let m = col
                        .to_matrix(&MatrixOptions { metric: ch.metric, rank: ch.rank, ..Default::default() })
                        .unwrap()
                        .matrix;
                    let clr = clr_replaced(&m.row_ids, &m.values, m.n_cols()).unwrap();
                    let k = m.n_cols();
                    let sq = |i: usize| clr[i * k..(i + 1) * k].iter().map(|v| v * v).sum::<f64>();
                    let n = ids.len();
                    for i in 0..n {
                        for j in 0..n {
                            let (a, p) = (b.matrix.get(i, j), theirs[i * n + j]);
                            assert!(
                                (a * a - p * p).abs() <= 1e-12 * (sq(i) + sq(j)),
                                "{} ({i}, {j}): {a} vs {p}",
                                label(c)
                            );
                        }
                    }
                } else {
                    assert_all_close(&label(c), &b.matrix.values, &theirs);
                }
                checked += 1;
            }
            (ok, ours) => panic!("{}: Python {ok} / {:?}, ours {ours:?}", label(c), c.get("error")),
        }
    }
    assert!(checked >= 80 && errors >= 2, "{checked} {errors}");
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
        _ => Vec::new(),
    }
}

fn check_common(what: &str, ours: &StatsResult, ok: &Value) {
    assert_eq!(ours.test, ok["test"].as_str().unwrap(), "{what}");
    assert_eq!(ours.sample_size as u64, ok["sampleSize"].as_u64().unwrap(), "{what}");
    assert_eq!(ours.group_by_variable, ok["groupByVariable"].as_str().unwrap(), "{what}");
    let sizes: Vec<(String, usize)> =
        ok["groupSizes"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize)).collect();
    assert_eq!(ours.group_sizes, sizes, "{what}");
    assert!(
        close(ours.statistic, ok["statistic"].as_f64().unwrap_or(f64::NAN)),
        "{what}: statistic {} vs {}",
        ours.statistic,
        ok["statistic"]
    );
}

/// Python's warnings that are the client's own (not pandas deprecations).
fn client_warnings(c: &Value) -> Vec<String> {
    c["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .filter(|w| w.contains("excluded from the test"))
        .collect()
}

#[test]
fn alpha_diversity_stats_match_stats_py() {
    let f = fixture();
    let mut checked = 0;
    for c in f.r["alphaStats"].as_array().unwrap() {
        let (col, meta) = &f.collections[c["collection"].as_str().unwrap()];
        let o = &c["options"];
        let what = format!("{} {o}", c["collection"]);
        let opts = AlphaStatsOptions {
            diversity_metric: AlphaMetric::parse(o["diversity_metric"].as_str().unwrap_or("shannon")).unwrap(),
            matrix: choice(o["metric"].as_str().unwrap_or("auto"), "auto"),
            group_by: strings(&o["group_by"]),
            paired_by: o.get("paired_by").map(strings),
            test: AlphaTest::parse(o["test"].as_str().unwrap_or("auto")).unwrap(),
            alpha: o["alpha"].as_f64().unwrap_or(0.05),
            ..Default::default()
        };
        match (&c["ok"], ecology::alpha_diversity_stats(col, meta, &opts)) {
            (Value::Null, Err(e)) => {
                assert_eq!(e.code, onecodex_core::ErrorCode::InvalidArgument, "{what}")
            }
            (ok, Ok(r)) if !ok.is_null() => {
                check_common(&what, &r, ok);
                assert!(close(r.pvalue, ok["pvalue"].as_f64().unwrap()), "{what}: p {} vs {}", r.pvalue, ok["pvalue"]);
                assert_eq!(r.paired_by_variable.as_deref(), ok["pairedByVariable"].as_str(), "{what}");
                match (&r.posthoc, &ok["posthoc"]) {
                    (None, Value::Null) => {}
                    (Some(p), theirs) if !theirs.is_null() => {
                        assert_eq!(p.test, theirs["test"].as_str().unwrap());
                        assert_eq!(p.groups, strings(&theirs["groups"]));
                        assert_all_close(&what, &p.adjusted_pvalues, &nums(&theirs["adjustedPvalues"]));
                    }
                    (ours, theirs) => panic!("{what}: posthoc {ours:?} vs {theirs}"),
                }
                let ours_w: Vec<&str> = r
                    .warnings
                    .iter()
                    .filter(|w| w.message.contains("excluded from the test"))
                    .map(|w| w.message.as_str())
                    .collect();
                assert_eq!(ours_w, client_warnings(c), "{what}");
                checked += 1;
            }
            (ok, ours) => panic!("{what}: Python {ok} / {:?}, ours {ours:?}", c.get("error")),
        }
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn beta_diversity_stats_match_stats_py() {
    let f = fixture();
    let mut checked = 0;
    for c in f.r["betaStats"].as_array().unwrap() {
        let (col, meta) = &f.collections[c["collection"].as_str().unwrap()];
        let o = &c["options"];
        let what = format!("{} {o}", c["collection"]);
        let opts = BetaStatsOptions {
            diversity_metric: BetaMetric::parse(o["diversity_metric"].as_str().unwrap_or("braycurtis")).unwrap(),
            group_by: strings(&o["group_by"]),
            alpha: o["alpha"].as_f64().unwrap_or(0.05),
            num_permutations: o["num_permutations"].as_u64().unwrap_or(999) as usize,
            seed: 42,
            ..Default::default()
        };
        match (&c["ok"], ecology::beta_diversity_stats(col, meta, &opts)) {
            (Value::Null, Err(e)) => {
                assert_eq!(e.code, onecodex_core::ErrorCode::InvalidArgument, "{what}")
            }
            (ok, Ok(r)) if !ok.is_null() => {
                check_common(&what, &r, ok);
                let n = opts.num_permutations as f64;
                let within = |ours: f64, p: f64| {
                    let sigma = (p * (1.0 - p) / n).sqrt().max(1.0 / n);
                    (ours - p).abs() <= 4.0 * sigma
                };
                let p = ok["pvalue"].as_f64().unwrap();
                assert!(within(r.pvalue, p), "{what}: p {} vs {p}", r.pvalue);
                assert_eq!(r.num_permutations, Some(opts.num_permutations));
                // The post-hoc runs only when p < alpha; near the threshold ours may differ.
                if let (Some(ph), theirs) = (&r.posthoc, &ok["posthoc"]) {
                    if !theirs.is_null() {
                        assert_eq!(ph.groups, strings(&theirs["groups"]));
                        assert_all_close(&what, ph.statistics.as_deref().unwrap(), &nums(&theirs["statistics"]));
                        for (a, b) in ph.pvalues.as_deref().unwrap().iter().zip(nums(&theirs["pvalues"])) {
                            assert!(within(*a, b), "{what}: pairwise p {a} vs {b}");
                        }
                    }
                } else {
                    assert!(ok["posthoc"].is_null() || (r.pvalue - opts.alpha).abs() < 0.02, "{what}: posthoc missing");
                }
                let ours_w: Vec<&str> = r
                    .warnings
                    .iter()
                    .filter(|w| w.message.contains("excluded from the test"))
                    .map(|w| w.message.as_str())
                    .collect();
                assert_eq!(ours_w, client_warnings(c), "{what}");
                checked += 1;
            }
            (ok, ours) => panic!("{what}: Python {ok} / {:?}, ours {ours:?}", c.get("error")),
        }
    }
    assert!(checked >= 6, "{checked}");
}

#[test]
fn permanova_is_deterministic_for_a_seed() {
    let f = fixture();
    let (col, meta) = &f.collections["main"];
    let o = BetaStatsOptions { group_by: vec!["site".into()], seed: 7, ..Default::default() };
    let a = ecology::beta_diversity_stats(col, meta, &o).unwrap();
    let b = ecology::beta_diversity_stats(col, meta, &o).unwrap();
    // Debug text: the statistics' NaN diagonal is not == itself
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let other = ecology::beta_diversity_stats(col, meta, &BetaStatsOptions { seed: 8, ..o.clone() }).unwrap();
    assert_eq!(other.statistic, a.statistic);
}
