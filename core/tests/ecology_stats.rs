//! The rank tests, Dunn, Benjamini–Hochberg and the special functions against scipy 1.17 /
//! scikit-posthocs 0.17 on vectors that reach each of scipy's branches (exact, permutation,
//! asymptotic; ties, zeros, all equal). Values from `core/tests/ecology/make_reference.py`.

use onecodex_core::ecology::stats::{
    benjamini_hochberg, dunn_bh, kruskal, mann_whitney_u,
    special::{chi2_sf, normal_sf},
    wilcoxon,
};
use serde_json::Value;

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ecology/reference.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["rankTests"].take()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-300
}

#[test]
fn mann_whitney_u_matches_scipy() {
    let r = reference();
    for c in r["mannwhitneyu"].as_array().unwrap() {
        let t = mann_whitney_u(&nums(&c["x"]), &nums(&c["y"])).unwrap();
        assert!(close(t.statistic, num(&c["statistic"]), 1e-12), "{c}: {t:?}");
        assert!(close(t.pvalue, num(&c["pvalue"]), 1e-9), "{c}: {t:?}");
    }
}

#[test]
fn kruskal_and_dunn_match_scipy_and_scikit_posthocs() {
    let r = reference();
    for c in r["kruskal"].as_array().unwrap() {
        let groups: Vec<Vec<f64>> = c["groups"].as_array().unwrap().iter().map(nums).collect();
        let slices: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
        let t = kruskal(&slices).unwrap();
        assert!(close(t.statistic, num(&c["statistic"]), 1e-9), "{c}: {t:?}");
        assert!(close(t.pvalue, num(&c["pvalue"]), 1e-9), "{c}: {t:?}");
    }
    for c in r["dunn"].as_array().unwrap() {
        let groups: Vec<Vec<f64>> = c["groups"].as_array().unwrap().iter().map(nums).collect();
        let slices: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
        let ours = dunn_bh(&slices);
        for (a, b) in ours.iter().zip(nums(&c["adjustedPvalues"])) {
            assert!(close(*a, b, 1e-9), "{c}: {ours:?}");
        }
    }
}

#[test]
fn wilcoxon_matches_scipy() {
    let r = reference();
    for c in r["wilcoxon"].as_array().unwrap() {
        let t = wilcoxon(&nums(&c["x"]), &nums(&c["y"])).unwrap();
        assert!(close(t.statistic, num(&c["statistic"]), 1e-12), "{c}: {t:?}");
        assert!(close(t.pvalue, num(&c["pvalue"]), 1e-9), "{c}: {t:?}");
    }
}

#[test]
fn benjamini_hochberg_matches_scipy() {
    let r = reference();
    for c in r["bh"].as_array().unwrap() {
        let ours = benjamini_hochberg(&nums(&c["p"]));
        for (a, b) in ours.iter().zip(nums(&c["adjusted"])) {
            assert!(close(*a, b, 1e-12), "{c}: {ours:?}");
        }
    }
}

#[test]
fn survival_functions_match_scipy() {
    let r = reference();
    for c in r["ndtr_sf"].as_array().unwrap() {
        let ours = normal_sf(num(&c["z"]));
        assert!(close(ours, num(&c["sf"]), 1e-12), "{c}: {ours:e}");
    }
    for c in r["chi2_sf"].as_array().unwrap() {
        let ours = chi2_sf(num(&c["x"]), num(&c["df"]));
        assert!(close(ours, num(&c["sf"]), 1e-12), "{c}: {ours:e}");
    }
}
