//! PCoA, PCA, MDS and hierarchical clustering against the Python reference: the expected values
//! are scikit-bio's, scikit-learn's and scipy's on the inputs of
//! `ecology/make_ordination_reference.py` (its output, `ecology/ordination_reference.json`).
//! Tolerances are the parity layer's: PCoA and PCA coordinates 1e-6 on the leading axes whose
//! eigenvalue is separated from the next (with the sign rules), proportions 1e-9; MDS stress no
//! worse than scikit-learn's; linkage exact merges and leaf order, heights 1e-9.

use onecodex_core::ecology::linkage::{linkage, LinkageMethod};
use onecodex_core::ecology::ordination::{
    collection_mds, collection_pca, collection_pcoa, mds, pca, pcoa, round_distances, MdsOptions,
};
use onecodex_core::ecology::DistanceMatrix;
use onecodex_core::results::{ClassificationTable, Collection, Metric, MetricOption, Rank, RankOption};
use onecodex_core::ErrorCode;
use serde_json::Value;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ecology/ordination_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn usize_of(v: &Value) -> usize {
    v.as_u64().expect("count") as usize
}

fn distances(case: &Value) -> DistanceMatrix {
    let n = usize_of(&case["n"]);
    DistanceMatrix::new((0..n).map(|i| format!("s{i}")).collect(), floats(&case["distances"]), "test").expect("valid")
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (±{tol})");
}

/// Columns `0..axes` of two row-major matrices with `cols` columns.
fn close_columns(got: &[f64], want: &[f64], cols: usize, axes: usize, tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: size");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if i % cols < axes {
            close(*g, *w, tol, &format!("{what} [{}, {}]", i / cols, i % cols));
        }
    }
}

fn code_of<T: std::fmt::Debug>(r: onecodex_core::Result<T>) -> (ErrorCode, String) {
    let e = r.expect_err("an error");
    (e.code, e.message)
}

#[test]
fn pcoa_matches_scikit_bio() {
    let reference = reference();
    let cases = reference["pcoa"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut dm = distances(case);
        if case["rounded"].as_bool().unwrap() {
            dm = round_distances(&dm, 6);
        }
        let r = pcoa(&dm).unwrap();
        let n = dm.len();
        assert_eq!(r.dimensions, n, "{name}");
        let want_eig = floats(&case["eigenvalues"]);
        let scale = want_eig[0].abs();
        for (k, (g, w)) in r.eigenvalues.iter().zip(&want_eig).enumerate() {
            close(*g, *w, 1e-9 * scale.max(1.0), &format!("{name} eigenvalue {k}"));
        }
        for (k, (g, w)) in r.proportion_explained.iter().zip(floats(&case["proportionExplained"])).enumerate() {
            close(*g, w, 1e-9, &format!("{name} proportion {k}"));
        }
        let axes = usize_of(&case["separatedAxes"]);
        assert!(axes >= 2, "{name}: the fixture should pin at least two axes");
        close_columns(&r.coordinates, &floats(&case["coordinates"]), n, axes, 1e-6, name);
    }
}

#[test]
fn pcoa_axes_of_negative_eigenvalues_are_zero_and_signs_are_pinned() {
    let reference = reference();
    let case = reference["pcoa"].as_array().unwrap().iter().find(|c| c["name"] == "braycurtis_8").unwrap();
    let r = pcoa(&distances(case)).unwrap();
    let n = r.dimensions;
    // Bray–Curtis is not Euclidean: the last axes have negative eigenvalues, reported as 0.
    assert_eq!(*r.eigenvalues.last().unwrap(), 0.0);
    assert!((0..n).all(|i| r.coordinates[i * n + n - 1] == 0.0));
    let total: f64 = r.proportion_explained.iter().sum();
    close(total, 1.0, 1e-12, "proportions sum");
    for k in 0..n {
        let column: Vec<f64> = (0..n).map(|i| r.coordinates[i * n + k]).collect();
        let largest = column.iter().cloned().fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        assert!(largest >= 0.0, "axis {k}: largest coordinate {largest} is negative");
    }
    assert!(r.to_csv().starts_with("classification_id,PC1,PC2,"));
    assert_eq!(r.to_csv().lines().count(), n + 1);
}

#[test]
fn pcoa_of_three_points_by_hand() {
    // A 3-4-5 right triangle is Euclidean in 2 dimensions: the third eigenvalue is 0, and the
    // squared distances are recovered from the first two axes.
    let dm = DistanceMatrix::new(
        vec!["a".into(), "b".into(), "c".into()],
        vec![0.0, 3.0, 4.0, 3.0, 0.0, 5.0, 4.0, 5.0, 0.0],
        "test",
    )
    .unwrap();
    let r = pcoa(&dm).unwrap();
    assert_eq!(r.eigenvalues[2], 0.0);
    // the trace of the centred matrix is Σ d² / n = (9 + 16 + 25) / 3
    close(r.eigenvalues[0] + r.eigenvalues[1], 50.0 / 3.0, 1e-12, "trace");
    let at = |i: usize, k: usize| r.coordinates[i * 3 + k];
    for (i, j, d) in [(0, 1, 3.0), (0, 2, 4.0), (1, 2, 5.0)] {
        let d2 = (at(i, 0) - at(j, 0)).powi(2) + (at(i, 1) - at(j, 1)).powi(2);
        close(d2.sqrt(), d, 1e-12, "recovered distance");
    }
}

#[test]
fn pca_matches_scikit_learn() {
    let reference = reference();
    let cases = reference["pca"].as_array().unwrap();
    assert!(cases.iter().any(|c| c["svdSolver"] == "covariance_eigh"));
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (rows, cols) = (usize_of(&case["rows"]), usize_of(&case["cols"]));
        let r = pca(&floats(&case["values"]), rows, cols).unwrap();
        let k = rows.min(cols);
        assert_eq!(r.components_count, k, "{name}");
        for (a, (g, w)) in r.explained_variance_ratio.iter().zip(floats(&case["explainedVarianceRatio"])).enumerate() {
            close(*g, w, 1e-9, &format!("{name} ratio {a}"));
        }
        let axes = usize_of(&case["separatedAxes"]).min(k);
        assert!(axes >= 2, "{name}");
        close_columns(&r.scores, &floats(&case["scores"]), k, axes, 1e-6, &format!("{name} scores"));
        let want = floats(&case["components"]);
        close_columns(
            &r.components[..axes * cols],
            &want[..axes * cols],
            cols,
            cols,
            1e-6,
            &format!("{name} components"),
        );
    }
}

fn collection_of(case: &Value) -> Collection {
    let tables: Vec<(String, ClassificationTable)> = case["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            let body = serde_json::to_vec(&it["results"]).unwrap();
            (it["classificationId"].as_str().unwrap().to_string(), ClassificationTable::parse_json(&body).unwrap())
        })
        .collect();
    Collection::from_tables(tables).unwrap()
}

#[test]
fn collection_pca_uses_the_matrix_and_leaves_out_samples_without_abundances() {
    let reference = reference();
    for case in reference["collectionPca"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let c = collection_of(case);
        let metric = Metric::parse(case["metric"].as_str().unwrap()).unwrap();
        let r = collection_pca(&c, RankOption::Rank(Rank::Genus), MetricOption::Metric(metric)).unwrap();
        let ids: Vec<&str> = case["analysedIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(r.ids, ids, "{name}");
        assert_eq!((r.metric, r.rank), (metric, Rank::Genus));
        let left_out = r.warnings.iter().any(|w| w.code == "samples_without_abundances");
        assert_eq!(left_out, ids.len() < c.len(), "{name}: {:?}", r.warnings);
        // components follow the matrix's columns: compare them by tax id
        let want_cols: Vec<&str> = case["columnIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let cols = want_cols.len();
        assert_eq!(r.column_ids.len(), cols);
        let k = r.pca.components_count;
        let axes = usize_of(&case["separatedAxes"]).min(k);
        close_columns(&r.pca.scores, &floats(&case["scores"]), k, axes, 1e-6, name);
        let want = floats(&case["components"]);
        for a in 0..axes {
            for (j, id) in r.column_ids.iter().enumerate() {
                let wj = want_cols.iter().position(|w| w == id).unwrap();
                close(r.pca.components[a * cols + j], want[a * cols + wj], 1e-6, &format!("{name} component {a} {id}"));
            }
        }
    }
}

#[test]
fn mds_reaches_scikit_learn_stress_from_its_starts() {
    let reference = reference();
    for case in reference["mds"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let dm = distances(case);
        let seed = case["seed"].as_u64().unwrap() as u32;
        let r = mds(&dm, &MdsOptions { seed, ..MdsOptions::default() }).unwrap();
        assert_eq!(r.coordinates.len(), dm.len() * 2);
        let want = case["stress"].as_f64().unwrap();
        // no worse than scikit-learn's, up to rounding in the last digits
        assert!(r.stress <= want * (1.0 + 1e-9) + 1e-12, "{name}: stress {} > scikit-learn's {want}", r.stress);
        // the same random starts lead to the same configuration
        close_columns(&r.coordinates, &floats(&case["coordinates"]), 2, 2, 1e-5, name);
        assert!(r.iterations >= 1 && r.iterations <= 3000);
    }
}

#[test]
fn mds_is_deterministic_for_a_seed() {
    let reference = reference();
    let case = &reference["mds"][1];
    let dm = distances(case);
    let a = mds(&dm, &MdsOptions::default()).unwrap();
    let b = mds(&dm, &MdsOptions::default()).unwrap();
    assert_eq!(a, b);
    let c = mds(&dm, &MdsOptions { seed: 11, ..MdsOptions::default() }).unwrap();
    assert_ne!(a.coordinates, c.coordinates);
}

#[test]
fn linkage_matches_scipy_including_ties() {
    let reference = reference();
    let cases = reference["linkage"].as_array().unwrap();
    let methods: std::collections::BTreeSet<&str> = cases.iter().map(|c| c["method"].as_str().unwrap()).collect();
    assert_eq!(methods.len(), 6);
    assert!(cases.iter().any(|c| c["name"] == "ties_6") && cases.iter().any(|c| c["name"] == "grid_7"));
    for case in cases {
        let what = format!("{} {}", case["name"].as_str().unwrap(), case["method"].as_str().unwrap());
        let dm = distances(case);
        let method = LinkageMethod::parse(case["method"].as_str().unwrap()).unwrap();
        let l = linkage(&dm, method).unwrap();
        let got = l.matrix();
        let want = floats(&case["linkage"]);
        assert_eq!(got.len(), want.len(), "{what}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            if i % 4 == 2 {
                close(*g, *w, 1e-9, &format!("{what} height of merge {}", i / 4));
            } else {
                assert_eq!(g, w, "{what}: merge {} column {}\n got {got:?}\nwant {want:?}", i / 4, i % 4);
            }
        }
        let leaves: Vec<usize> = case["leaves"].as_array().unwrap().iter().map(usize_of).collect();
        assert_eq!(l.leaves, leaves, "{what}: leaf order");
        assert_eq!(l.ordered_ids().len(), dm.len());
    }
}

fn bad(ids: usize, values: Vec<f64>) -> DistanceMatrix {
    // Built field by field: `DistanceMatrix::new` would refuse these.
    DistanceMatrix { ids: (0..ids).map(|i| format!("s{i}")).collect(), values, metric: "test".into() }
}

#[test]
fn bad_input_gets_typed_errors() {
    let two = bad(2, vec![0.0, 1.0, 1.0, 0.0]);
    for (what, r) in [("PCoA", pcoa(&two).map(|_| ())), ("MDS", mds(&two, &MdsOptions::default()).map(|_| ()))] {
        let (code, message) = code_of(r);
        assert_eq!(code, ErrorCode::InvalidArgument);
        assert!(message.contains(&format!("{what} needs at least 3 samples, got 2")), "{message}");
    }
    let (_, message) = code_of(linkage(&bad(1, vec![0.0]), LinkageMethod::Average));
    assert!(message.contains("at least 2 samples"), "{message}");

    let mut nan = vec![0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0];
    nan[1] = f64::NAN;
    nan[3] = f64::NAN;
    let (code, message) = code_of(pcoa(&bad(3, nan)));
    assert_eq!(code, ErrorCode::InvalidArgument);
    assert!(message.contains("finite and ≥ 0"), "{message}");
    let negative = bad(3, vec![0.0, -1.0, 2.0, -1.0, 0.0, 1.0, 2.0, 1.0, 0.0]);
    assert!(code_of(linkage(&negative, LinkageMethod::Single)).1.contains("finite and ≥ 0"));
    let asymmetric = bad(3, vec![0.0, 1.0, 2.0, 1.5, 0.0, 1.0, 2.0, 1.0, 0.0]);
    assert!(code_of(mds(&asymmetric, &MdsOptions::default())).1.contains("differ"));
    let short = bad(3, vec![0.0; 8]);
    assert!(code_of(pcoa(&short)).1.contains("needs 9 values, got 8"));
    let huge = bad(3, vec![0.0, 1e200, 1e200, 1e200, 0.0, 1e200, 1e200, 1e200, 0.0]);
    assert!(code_of(pcoa(&huge)).1.contains("too large"));
    assert!(code_of(pca(&[1e308, -1e308, -1e308, 1e308, 1e308, 1e308], 3, 2)).1.contains("too large"));
    let zeros = bad(3, vec![0.0; 9]);
    assert!(code_of(pcoa(&zeros)).1.contains("all distances are 0"));

    let (_, message) = code_of(LinkageMethod::parse("ward"));
    assert!(message.contains("must be one of: average, single, complete, weighted, centroid, median"), "{message}");

    let ok = bad(3, vec![0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0]);
    assert!(code_of(mds(&ok, &MdsOptions { n_init: 0, ..MdsOptions::default() })).1.contains("at least 1 run"));
    assert!(code_of(mds(&ok, &MdsOptions { eps: -1.0, ..MdsOptions::default() })).1.contains("eps"));

    assert!(code_of(pca(&[1.0, 2.0, 3.0, 4.0], 2, 2)).1.contains("at least 3 samples"));
    assert!(code_of(pca(&[1.0, 2.0, 3.0], 3, 1)).1.contains("at least 2 taxa"));
    assert!(code_of(pca(&[1.0; 5], 3, 2)).1.contains("needs 6 values"));
    assert!(code_of(pca(&[1.0, f64::INFINITY, 0.0, 1.0, 2.0, 3.0], 3, 2)).1.contains("not a finite number"));
    assert!(code_of(pca(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 3, 2)).1.contains("no variance"));
}

#[test]
fn collection_level_checks_and_rounding() {
    let reference = reference();
    let case = &reference["collectionPca"][1]; // c02 has no abundances
    let c = collection_of(case);
    let ids: Vec<String> = c.classification_ids().iter().map(|s| s.to_string()).collect();
    let n = ids.len();
    // distances between the 5 classifications: |i − j| + 1e-7 noise that rounding removes
    let values: Vec<f64> = (0..n * n)
        .map(|k| {
            let (i, j) = (k / n, k % n);
            if i == j {
                0.0
            } else {
                (i as f64 - j as f64).abs() * (1.0 + ((i + j) % 3) as f64 * 0.1) + 1e-7
            }
        })
        .collect();
    let dm = DistanceMatrix::new(ids.clone(), values, "test").unwrap();

    let (p, warnings) = collection_pcoa(&c, Metric::ReadcountWChildren, &dm).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(p, pcoa(&round_distances(&dm, 6)).unwrap());

    let (p, warnings) = collection_pcoa(&c, Metric::AbundanceWChildren, &dm).unwrap();
    assert_eq!(p.ids, ["c00", "c01", "c03", "c04"]);
    assert_eq!(warnings[0].code, "samples_without_abundances");

    let (m, _) = collection_mds(&c, Metric::AbundanceWChildren, &dm, &MdsOptions::default()).unwrap();
    assert_eq!(m.ids.len(), 4);

    let stranger = DistanceMatrix::new(
        vec!["c00".into(), "c01".into(), "zz".into()],
        vec![0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0],
        "test",
    )
    .unwrap();
    let (_, message) = code_of(collection_pcoa(&c, Metric::ReadcountWChildren, &stranger));
    assert!(message.contains("zz, which is not in the collection"), "{message}");

    let small = Collection::from_tables(c.classification_ids().iter().take(2).map(|id| {
        let i = ids.iter().position(|x| x == id).unwrap();
        (id.to_string(), c.table(i).unwrap().clone())
    }))
    .unwrap();
    let (_, message) = code_of(collection_pca(&small, RankOption::Auto, MetricOption::Auto));
    assert!(message.contains("PCA needs at least 3 samples, got 2"), "{message}");
}
