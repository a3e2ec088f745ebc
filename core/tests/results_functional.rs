//! Functional profiles: server `/results` (§8.4), condensed files and their rehydrated table and
//! matrix (§16.3), and the `filtered_results` query's Python-style booleans.

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::error::ErrorCode;
use onecodex_core::results::{
    filtered_results_query, functional_matrix, CondensedFunctional, FunctionalAnnotation as A, FunctionalMetric as M,
    FunctionalTable, RehydrateFilter,
};

#[test]
fn server_results_fixture() {
    let b = need!(fixture_bytes("functional_profiles/eec4ac90d9104d1e/results/index.json"));
    let t = FunctionalTable::parse(&b).unwrap();
    assert_eq!(t.len(), 450);
    assert_eq!(t.n_reads(), Some(871_218.0));
    assert_eq!(t.n_mapped(), Some(345_093.0));
    assert_eq!(t.filter(Some("pfam"), true).len(), 46);
    assert_eq!(t.filter(Some("gene_family"), false).len(), 26);
    assert_eq!(t.filter(None, true).len(), 314);
    assert_eq!(t.filter(None, false).len(), 136);
    // float taxon ids become integer text (Appendix D)
    let r = t
        .rows()
        .find(|r| {
            r.id == Some("ARGSYN-PWY: L-arginine biosynthesis I (via L-ornithine)")
                && r.metric == Some("rpk")
                && r.taxon_name == Some("g__Campylobacter.s__Campylobacter_hominis")
        })
        .unwrap();
    // serde_json's default float parser may be 1 ulp off (its `float_roundtrip` feature fixes it).
    assert!((r.value - 21.004908581800002).abs() <= 4.0 * f64::EPSILON * 21.0, "{}", r.value);
    assert_eq!(r.taxon_id, Some("76517"));
    assert_eq!(r.taxon_name, Some("g__Campylobacter.s__Campylobacter_hominis"));
    let last = t.row(449).unwrap();
    assert_eq!(last.id, Some("K00036"));
    assert_eq!(last.name, Some("glucose-6-phosphate 1-dehydrogenase [EC:1.1.1.49 1.1.1.363]"));
    assert_eq!(last.taxon_id, None);
    assert_eq!(last.value, 1.91904);
    let csv = t.to_csv();
    assert_eq!(csv.lines().count(), 451);
    assert!(csv.lines().nth(1).unwrap().starts_with("gene_family,UNMAPPED,,total_cpm,477284,False,,"));
    for id in ["31ddae978aff475f", "bde18eb9407d4c2f"] {
        let b = need!(fixture_bytes(&format!("functional_profiles/{id}/results/index.json")));
        assert!(FunctionalTable::parse(&b).unwrap().len() >= 900);
    }
}

#[test]
fn filtered_results_shapes_and_python_booleans() {
    let t = FunctionalTable::parse_json(
        br#"{"table": [{"id": "PF00005", "name": "ABC transporter", "value": 256.524}], "n_reads": 1633660, "n_mapped": 719249.0}"#,
    )
    .unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t.row(0).unwrap().taxa_stratified, None);
    assert_eq!(t.n_mapped(), Some(719_249.0));
    let t = FunctionalTable::parse_json(
        br#"{"table": [{"id": "x", "taxa_stratified": "True", "value": 1}, {"id": "y", "taxa_stratified": "False", "value": null}]}"#,
    )
    .unwrap();
    assert_eq!(t.row(0).unwrap().taxa_stratified, Some(true));
    assert_eq!(t.row(1).unwrap().taxa_stratified, Some(false));
    assert!(t.row(1).unwrap().value.is_nan());

    assert_eq!(
        filtered_results_query(A::Pathways, M::Coverage, true).unwrap(),
        "functional_group=pathways&metric=coverage&taxa_stratified=True"
    );
    assert_eq!(
        filtered_results_query(A::Pfam, M::Cpm, false).unwrap(),
        "functional_group=pfam&metric=cpm&taxa_stratified=False"
    );
    let e = filtered_results_query(A::Pfam, M::Coverage, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert_eq!(e.message, "metric coverage cannot be retrieved for functional group pfam");
    assert_eq!(A::parse("gene_family").unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(M::parse("complete_abundance").unwrap(), M::CompleteAbundance);
}

#[test]
fn malformed_functional_input_is_typed() {
    for bad in [
        &br#"{"n_reads": 1}"#[..],
        br#"{"table": [{"id": "x", "value": "12"}]}"#,
        br#"{"table": [{"id": "x", "taxa_stratified": "yes"}]}"#,
        br#"{"table": [{"id": "x""#,
        br#"[]"#,
    ] {
        let e = FunctionalTable::parse_json(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse);
    }
    for bad in [
        &br#"{"version": 1, "results": {"go": [["GO:1", "n", "x", 1.0, []]]}}"#[..],
        br#"{"version": 1, "results": {"go": [["GO:1", "n", 1.0]]}}"#,
        br#"{"version": 1}"#,
        br#"{"version": 1, "results": {"pathways": [["P", "n", 1.0, 1.0, 1.0, [["562", 1.0]]]]}}"#,
    ] {
        let e = CondensedFunctional::parse(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "{}", String::from_utf8_lossy(bad));
    }
    assert_eq!(CondensedFunctional::parse(br#"{"version": 2, "whatever": []}"#).unwrap(), None);
    assert_eq!(CondensedFunctional::parse(br#"{"results": {}}"#).unwrap(), None);
}

const CONDENSED: &str = r#"{"version": 1, "n_reads": 871218, "n_mapped": 345093.0,
 "taxonomy": {"nodes": [{"id": "562", "name": "Escherichia coli"}]},
 "results": {
   "go": [["GO:0000015", "phosphopyruvate hydratase complex", 10.0, 5.0, [["562", 6.0, 3.0], ["0", 4.0, 2.0]]],
          ["GO:0000016", "GO:0000016", 1.0, 0.5, []],
          ["UNMAPPED", "UNMAPPED", 900.0, 450.0, []]],
   "pathways": [["PWY-1", "pathway one", 7.0, 1.0, 3.0, [["562", 4.0, 1.0, 2.0], [1280.0, 3.0, 0.5, 1.0]]],
                ["PWY-2", "pathway two", 2.0, 0.5, 1.0, []]]}}"#;

type RowT = (String, String, Option<String>, String, bool, Option<String>, Option<String>, f64);

fn rows(t: &FunctionalTable) -> Vec<RowT> {
    t.rows()
        .map(|r| {
            (
                r.group_name.unwrap().to_owned(),
                r.id.unwrap().to_owned(),
                r.name.map(str::to_owned),
                r.metric.unwrap().to_owned(),
                r.taxa_stratified.unwrap(),
                r.taxon_id.map(str::to_owned),
                r.taxon_name.map(str::to_owned),
                r.value,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn row(g: &str, id: &str, name: Option<&str>, m: &str, st: bool, tid: Option<&str>, tn: Option<&str>, v: f64) -> RowT {
    (g.into(), id.into(), name.map(Into::into), m.into(), st, tid.map(Into::into), tn.map(Into::into), v)
}

#[test]
fn condensed_rehydrates_in_the_client_order() {
    let c = CondensedFunctional::parse(CONDENSED.as_bytes()).unwrap().unwrap();
    assert_eq!(c.n_reads, Some(871_218.0));
    let t = c.rehydrate(&RehydrateFilter::default());
    let p1 = Some("pathway one");
    let p2 = Some("pathway two");
    let go = Some("phosphopyruvate hydratase complex");
    let ec = Some("Escherichia coli");
    let expect = vec![
        row("go", "GO:0000015", go, "cpm", false, None, None, 10.0),
        row("go", "GO:0000015", go, "rpk", false, None, None, 5.0),
        row("go", "GO:0000015", go, "rpk", true, Some("562"), ec, 3.0),
        row("go", "GO:0000015", go, "cpm", true, Some("562"), ec, 6.0),
        row("go", "GO:0000015", go, "rpk", true, Some("0"), Some("unclassified"), 2.0),
        row("go", "GO:0000015", go, "cpm", true, Some("0"), Some("unclassified"), 4.0),
        row("go", "GO:0000016", None, "cpm", false, None, None, 1.0),
        row("go", "GO:0000016", None, "rpk", false, None, None, 0.5),
        row("go", "UNMAPPED", None, "cpm", false, None, None, 900.0),
        row("go", "UNMAPPED", None, "rpk", false, None, None, 450.0),
        row("metacyc", "PWY-1", p1, "cpm", false, None, None, 3.0),
        row("metacyc", "PWY-1", p1, "rpk", false, None, None, 7.0),
        row("metacyc", "PWY-1", p1, "rpk", true, Some("562"), ec, 4.0),
        row("metacyc", "PWY-1", p1, "cpm", true, Some("562"), ec, 2.0),
        row("metacyc", "PWY-1", p1, "rpk", true, Some("1280.0"), None, 3.0),
        row("metacyc", "PWY-1", p1, "cpm", true, Some("1280.0"), None, 1.0),
        row("metacyc", "PWY-2", p2, "cpm", false, None, None, 1.0),
        row("metacyc", "PWY-2", p2, "rpk", false, None, None, 2.0),
        row("pathways", "PWY-1", p1, "coverage", false, None, None, 1.0),
        row("pathways", "PWY-1", p1, "abundance", false, None, None, 7.0),
        row("pathways", "PWY-1", p1, "coverage", true, Some("562"), ec, 1.0),
        row("pathways", "PWY-1", p1, "abundance", true, Some("562"), ec, 4.0),
        row("pathways", "PWY-1", p1, "coverage", true, Some("1280.0"), None, 0.5),
        row("pathways", "PWY-1", p1, "abundance", true, Some("1280.0"), None, 3.0),
        row("pathways", "PWY-2", p2, "coverage", false, None, None, 0.5),
        row("pathways", "PWY-2", p2, "abundance", false, None, None, 2.0),
    ];
    assert_eq!(rows(&t), expect);

    // filters: a metric drops UNMAPPED; complete_abundance keeps coverage == 1.0 pathways only
    let f =
        c.rehydrate(&RehydrateFilter { group_name: Some("go"), metric: Some(M::Cpm), taxa_stratified: Some(false) });
    assert_eq!(rows(&f), vec![expect[0].clone(), expect[6].clone()]);
    let f = c.rehydrate(&RehydrateFilter {
        group_name: Some("pathways"),
        metric: Some(M::CompleteAbundance),
        taxa_stratified: None,
    });
    assert_eq!(rows(&f), vec![expect[19].clone(), expect[21].clone(), expect[23].clone()]);
}

fn go_profile(features: &str) -> CondensedFunctional {
    let json = format!(r#"{{"version": 1, "results": {{"go": [{features}]}}}}"#);
    CondensedFunctional::parse(json.as_bytes()).unwrap().unwrap()
}

#[test]
fn functional_matrix_first_seen_columns() {
    let a = go_profile(
        r#"["GO:0", "zero", 5.0, 50.0, [["562", 1.0, 10.0], ["0", 2.0, 20.0]]],
           ["GO:0000016", "GO:0000016", 3.0, 30.0, [["562", 3.0, 30.0]]],
           ["UNMAPPED", "UNMAPPED", 9.0, 9.0, [["562", 9.0, 9.0]]]"#,
    );
    let b = go_profile(
        r#"["GO:1", "one", 1.0, 1.0, [["562.0", 4.0, 40.0], [0.0, 5.0, 50.0]]],
           ["GO:0", "zero", 1.0, 1.0, [["562", 6.0, 60.0]]]"#,
    );
    let m = functional_matrix(&[("fa", &a), ("fb", &b)], A::Go, M::Cpm, true, true, 0.0, 1 << 20).unwrap();
    let cols: Vec<(&str, &str)> =
        m.column_ids.iter().zip(m.column_taxon_ids.as_ref().unwrap()).map(|(f, t)| (f.as_str(), t.as_str())).collect();
    // "562.0" is a string in the file and stays distinct; 0.0 (a number) becomes "0".
    assert_eq!(cols, [("GO:0", "562"), ("GO:0", "0"), ("GO:0000016", "562"), ("GO:1", "562.0"), ("GO:1", "0")]);
    assert_eq!(m.row_ids, ["fa", "fb"]);
    assert_eq!(m.values, vec![1.0, 2.0, 3.0, 0.0, 0.0, 6.0, 0.0, 0.0, 4.0, 5.0]);
    assert_eq!(
        m.feature_names,
        vec![
            ("GO:0".to_string(), Some("zero".to_string())),
            ("GO:0000016".to_string(), None),
            ("GO:1".to_string(), Some("one".to_string()))
        ]
    );
    // unstratified rpk, no filling
    let m = functional_matrix(&[("fa", &a), ("fb", &b)], A::Go, M::Rpk, false, false, 0.0, 1 << 20).unwrap();
    assert_eq!(m.column_ids, ["GO:0", "GO:0000016", "GO:1"]);
    assert!(m.column_taxon_ids.is_none());
    assert_eq!((m.values[0], m.values[1], m.values[3], m.values[5]), (50.0, 30.0, 1.0, 1.0));
    assert!(m.values[2].is_nan() && m.values[4].is_nan());
    // pairs are checked; the byte limit is enforced
    assert_eq!(
        functional_matrix(&[("fa", &a)], A::Go, M::Coverage, true, true, 0.0, 1 << 20).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    assert!(functional_matrix(&[("fa", &a)], A::Go, M::Cpm, true, true, 0.0, 8).is_err());
}

#[test]
fn functional_matrix_pathways_and_metacyc() {
    let c = CondensedFunctional::parse(CONDENSED.as_bytes()).unwrap().unwrap();
    let one = [("p", &c)];
    let m = functional_matrix(&one, A::Pathways, M::Coverage, false, true, 0.0, 1 << 20).unwrap();
    assert_eq!(
        (m.column_ids.clone(), m.values.clone()),
        (vec!["PWY-1".to_string(), "PWY-2".to_string()], vec![1.0, 0.5])
    );
    let m = functional_matrix(&one, A::Pathways, M::CompleteAbundance, true, true, 0.0, 1 << 20).unwrap();
    assert_eq!(m.column_taxon_ids.unwrap(), ["562", "1280"]);
    assert_eq!(m.values, vec![4.0, 3.0]);
    let m = functional_matrix(&one, A::Metacyc, M::Cpm, false, true, 0.0, 1 << 20).unwrap();
    assert_eq!(m.values, vec![3.0, 1.0]);
    let m = functional_matrix(&one, A::Metacyc, M::Rpk, true, true, 0.0, 1 << 20).unwrap();
    assert_eq!(m.values, vec![4.0, 3.0]);
    let m = functional_matrix(&one, A::Pathways, M::Abundance, true, true, 0.0, 1 << 20).unwrap();
    assert_eq!(m.values, vec![4.0, 3.0]);
}

#[test]
fn rehydrate_puts_metacyc_after_every_other_group_and_matches_ids_like_python() {
    // pathways first in the file: the Python client still emits the other groups first.
    let c = CondensedFunctional::parse(
        br#"{"version": 1, "n_reads": 1, "n_mapped": 1.0,
             "taxonomy": {"nodes": [{"id": "562", "name": "E. coli"}, {"id": 1280, "name": "S. aureus"}]},
             "results": {"pathways": [["P", "p", 2.0, 1.0, 3.0, [[1280.0, 1.0, 1.0, 1.0]]]],
                         "go": [["G", "G", 5.0, 6.0, [[562, 1.0, 2.0]]]],
                         "ko": [["K", "k", 7.0, 8.0, []]]}}"#,
    )
    .unwrap()
    .unwrap();
    let t = c.rehydrate(&RehydrateFilter::default());
    let groups: Vec<&str> = t.rows().map(|r| r.group_name.unwrap()).collect();
    assert_eq!(
        groups,
        [
            "go", "go", "go", "go", "ko", "ko", "metacyc", "metacyc", "metacyc", "metacyc", "pathways", "pathways",
            "pathways", "pathways"
        ]
    );
    let rows: Vec<_> = t.rows().collect();
    // an integer 562 does not match the text id "562"; 1280.0 equals the integer node id 1280
    assert_eq!((rows[2].taxon_id, rows[2].taxon_name), (Some("562"), None));
    assert_eq!((rows[8].taxon_id, rows[8].taxon_name), (Some("1280.0"), Some("S. aureus")));
    // a repeated group key replaces the earlier group, as a Python dict does
    let d = CondensedFunctional::parse(
        br#"{"version": 1, "results": {"go": [["A", "A", 1.0, 1.0, []]], "ko": [], "go": [["B", "B", 1.0, 1.0, []]]}}"#,
    )
    .unwrap()
    .unwrap();
    assert_eq!(d.features("go")[0].id, "B");
    assert_eq!(d.groups.len(), 2);
}

#[test]
fn functional_matrix_defaults_are_the_python_ones() {
    use onecodex_core::results::FunctionalMatrixSpec;
    let d = FunctionalMatrixSpec::resolve(None, None, None, None, None).unwrap();
    assert_eq!(
        (d.annotation, d.metric, d.taxa_stratified, d.fill_missing, d.filler),
        (A::Pathways, M::Coverage, true, true, 0.0)
    );
    // Another annotation without a metric takes cpm (coverage is pathways-only).
    assert_eq!(FunctionalMatrixSpec::resolve(Some("go"), None, Some(false), None, None).unwrap().metric, M::Cpm);
    for (a, m) in [(Some("go"), Some("coverage")), (Some("gene_family"), None), (None, Some("tpm"))] {
        let e = FunctionalMatrixSpec::resolve(a, m, None, None, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{a:?} {m:?}");
    }
}

#[test]
fn results_or_condensed_tells_the_two_apart() {
    // Hand-made: a condensed file has a top-level `version`; `/results` JSON has `table`.
    assert!(CondensedFunctional::is_condensed(br#"{"version": 1, "results": {}}"#));
    assert!(!CondensedFunctional::is_condensed(br#"{"table": []}"#));
    assert!(!CondensedFunctional::is_condensed(b"not json"));

    let none = RehydrateFilter::default();
    let plain = br#"{"table": [{"group_name": "go", "id": "GO:1", "value": 2.5}], "n_reads": 10}"#;
    let t = FunctionalTable::parse_results_or_condensed(plain, &none).unwrap();
    assert_eq!((t.len(), t.n_reads()), (1, Some(10.0)));

    let go = RehydrateFilter { group_name: Some("go"), ..RehydrateFilter::default() };
    assert!(go.selects_rows() && !none.selects_rows());
    let e = FunctionalTable::parse_results_or_condensed(plain, &go).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);

    let v2 = br#"{"version": 2, "results": {}}"#;
    let e = FunctionalTable::parse_results_or_condensed(v2, &none).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);

    let empty = br#"{"version": 1, "results": {}}"#;
    assert_eq!(FunctionalTable::parse_results_or_condensed(empty, &none).unwrap().len(), 0);
}
