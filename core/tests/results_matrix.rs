//! `to_matrix` options, `auto` metric and rank, warnings and refusals (API_SPEC §9.1–§9.5),
//! on the real fixtures and on generated trees.

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::error::ErrorCode;
use onecodex_core::results::{
    ClassificationTable, Collection, CollectionItem, MatrixOptions, Metric, MetricOption, Rank, RankOption, TableFormat,
};

fn table(id: &str) -> Option<ClassificationTable> {
    Some(ClassificationTable::parse(&classification_zstd(id)?).expect("fixture parses"))
}

fn opts(metric: Metric, rank: Rank) -> MatrixOptions {
    MatrixOptions { metric: MetricOption::Metric(metric), rank: RankOption::Rank(rank), ..Default::default() }
}

fn project() -> Option<Collection> {
    let ids = ["6579e99943f84ad2", "b50c176668234fe7", "e0422602de41479f"];
    let mut v = Vec::new();
    for id in ids {
        v.push((id, table(id)?));
    }
    Some(Collection::from_tables(v).unwrap())
}

#[test]
fn auto_metric_and_rank() {
    let c = need!(project());
    assert_eq!(c.automatic_metric(), Metric::AbundanceWChildren);
    let r = c.to_matrix(&MatrixOptions::default()).unwrap();
    assert_eq!((r.metric, r.rank), (Metric::AbundanceWChildren, Rank::Species));
    assert_eq!(r.value_name, "Relative Abundance");

    let no_ab = Collection::from_tables([("n1", need!(table("464a7ebcnocaffe1")))]).unwrap();
    assert_eq!(no_ab.automatic_metric(), Metric::NormalizedReadcountWChildren);
    assert_eq!(no_ab.automatic_rank(Metric::NormalizedReadcountWChildren), Rank::Genus);
    assert_eq!(no_ab.classification_ids_without_abundances(), vec!["n1"]);
    let r = no_ab.to_matrix(&MatrixOptions::default()).unwrap();
    assert_eq!((r.metric, r.rank), (Metric::NormalizedReadcountWChildren, Rank::Genus));
    let sum: f64 = r.matrix.values.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9);

    // One shared job name containing "One Codex Database" is metagenomic: species.
    let mut item = CollectionItem::new("n1", need!(table("464a7ebcnocaffe1")));
    item.job_name = Some("One Codex Database".into());
    let meta = Collection::new(vec![item], true).unwrap();
    assert!(meta.is_metagenomic());
    assert_eq!(meta.automatic_rank(Metric::ReadcountWChildren), Rank::Species);
}

#[test]
fn mixed_abundance_warning_and_kingdom_hint() {
    let c = Collection::from_tables([
        ("with", need!(table("1198c7ce565643f9"))),
        ("without", need!(table("464a7ebcnocaffe1"))),
    ])
    .unwrap();
    assert_eq!(c.classification_ids_without_abundances(), vec!["without"]);
    let r = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Genus)).unwrap();
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "mixed_abundances");
    assert!(r.warnings[0].message.contains("without"));
    // Filtered metrics are comparable: no warning.
    let r = c.to_matrix(&opts(Metric::FilteredReadcountWChildren, Rank::Genus)).unwrap();
    assert!(r.warnings.is_empty());
    // Filtered counts of the no-abundance copy really differ (§8.2).
    let a = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Genus)).unwrap().matrix;
    let b = c.to_matrix(&opts(Metric::FilteredReadcountWChildren, Rank::Genus)).unwrap().matrix;
    assert_ne!(a.values, b.values);

    // These results have two kingdom rows (e.g. Metazoa): a matrix, and the hint.
    let k = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Kingdom)).unwrap();
    assert!(k.warnings.iter().any(|w| w.code == "kingdom_rank"));
    assert!(k.matrix.n_cols() >= 1);
}

#[test]
fn threshold_top_n_remove_zeros_fill_missing() {
    let c = need!(project());
    let base = c.to_matrix(&opts(Metric::NormalizedReadcountWChildren, Rank::Genus)).unwrap().matrix;
    // normalised rows sum to 1 over the kept columns
    for r in 0..3 {
        let s: f64 = base.row(r).iter().sum();
        assert!((s - 1.0).abs() < 1e-9, "row {r} sums to {s}");
    }
    // threshold keeps exactly the columns whose max reaches it, in the same order
    let th = 0.01;
    let t = c
        .to_matrix(&MatrixOptions { threshold: Some(th), ..opts(Metric::NormalizedReadcountWChildren, Rank::Genus) })
        .unwrap()
        .matrix;
    let expect: Vec<&String> = (0..base.n_cols())
        .filter(|&j| base.column(j).iter().cloned().fold(f64::MIN, f64::max) >= th)
        .map(|j| &base.column_ids[j])
        .collect();
    assert_eq!(t.column_ids.iter().collect::<Vec<_>>(), expect);
    assert!(t.n_cols() < base.n_cols() && t.n_cols() > 3);
    // threshold 0 is falsy in Python: no filtering
    let t0 = c
        .to_matrix(&MatrixOptions { threshold: Some(0.0), ..opts(Metric::NormalizedReadcountWChildren, Rank::Genus) })
        .unwrap()
        .matrix;
    assert_eq!(t0, base);
    // top_n orders by column sum, descending; values are not renormalised
    let top = c
        .to_matrix(&MatrixOptions { top_n: Some(5), ..opts(Metric::NormalizedReadcountWChildren, Rank::Genus) })
        .unwrap()
        .matrix;
    assert_eq!(top.n_cols(), 5);
    let sums: Vec<f64> = (0..5).map(|j| top.column(j).iter().sum()).collect();
    assert!(sums.windows(2).all(|w| w[0] >= w[1]), "{sums:?}");
    for (j, id) in top.column_ids.iter().enumerate() {
        let bj = base.column_index(id).unwrap();
        assert_eq!(top.column(j), base.column(bj));
    }
    // remove_zeros=false keeps genus columns that are all zero
    let rc = c.to_matrix(&opts(Metric::Readcount, Rank::Genus)).unwrap().matrix;
    let rc_all =
        c.to_matrix(&MatrixOptions { remove_zeros: false, ..opts(Metric::Readcount, Rank::Genus) }).unwrap().matrix;
    assert!(rc_all.n_cols() > rc.n_cols());
    assert!((0..rc.n_cols()).all(|j| rc.column(j).iter().any(|&v| v != 0.0)));
    assert!((0..rc_all.n_cols()).any(|j| rc_all.column(j).iter().all(|&v| v == 0.0)));
    // abundance: absent taxa are NaN unless filled
    let ab =
        c.to_matrix(&MatrixOptions { fill_missing: false, ..opts(Metric::Abundance, Rank::Species) }).unwrap().matrix;
    assert!(ab.values.iter().any(|v| v.is_nan()));
    let filled = c.to_matrix(&MatrixOptions { filler: -1.0, ..opts(Metric::Abundance, Rank::Species) }).unwrap().matrix;
    assert!(!filled.values.iter().any(|v| v.is_nan()));
    assert!(filled.values.iter().any(|&v| v == -1.0));
    assert_eq!(filled.column_ids, ab.column_ids);
}

#[test]
fn include_host_adds_the_host_column() {
    let c = need!(project());
    let without = c.to_matrix(&opts(Metric::Readcount, Rank::Species)).unwrap().matrix;
    assert!(without.column_index("9606").is_none());
    let with =
        c.to_matrix(&MatrixOptions { include_host: true, ..opts(Metric::Readcount, Rank::Species) }).unwrap().matrix;
    let h = with.column_index("9606").expect("host column");
    assert_eq!(with.column_names[h], "Homo sapiens");
    assert_eq!(with.get(1, h), Some(372423.0)); // b50c176668234fe7, §8.2 excerpt
    assert_eq!(with.n_cols(), without.n_cols() + 1);
}

#[test]
fn long_format_is_column_major_with_zeros() {
    let c = need!(project());
    let r = c
        .to_matrix(&MatrixOptions { format: TableFormat::Long, top_n: Some(3), ..opts(Metric::Readcount, Rank::Genus) })
        .unwrap();
    assert_eq!(r.format, TableFormat::Long);
    assert_eq!(r.value_name, "Readcount");
    let long = r.matrix.to_long();
    assert_eq!(long.values.len(), 9);
    assert_eq!(long.row_index, vec![0, 1, 2, 0, 1, 2, 0, 1, 2]);
    assert_eq!(long.column_index, vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
    for k in 0..9 {
        let (i, j) = (long.row_index[k] as usize, long.column_index[k] as usize);
        assert_eq!(r.matrix.get(i, j), Some(long.values[k]));
    }
}

#[test]
fn byte_limit_refuses_before_building() {
    let c = need!(project());
    let e = c.to_matrix(&MatrixOptions { max_bytes: 1000, ..opts(Metric::Readcount, Rank::Species) }).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("limit"), "{e}");
    // genus fits in 3 × 475 × 8 bytes
    let ok = c.to_matrix(&MatrixOptions { max_bytes: 3 * 600 * 8, ..opts(Metric::Readcount, Rank::Genus) });
    assert!(ok.is_ok());
}

#[test]
fn csv_of_matrix() {
    let c = need!(project());
    let m = c.to_matrix(&MatrixOptions { top_n: Some(2), ..opts(Metric::Readcount, Rank::Genus) }).unwrap().matrix;
    let csv = m.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], format!("classification_id,{},{}", m.column_ids[0], m.column_ids[1]));
    assert!(lines[1].starts_with("6579e99943f84ad2,"));
}

// ---- synthetic inputs -------------------------------------------------------------------

fn parse(json: &str) -> ClassificationTable {
    ClassificationTable::parse_json(json.as_bytes()).unwrap()
}

const TINY: &str = r#"{"n_reads": 100, "host_tax_ids": [], "table": [
  {"tax_id": "1", "parent_tax_id": null, "name": "root", "rank": "no rank", "readcount": 0, "readcount_w_children": 50},
  {"tax_id": "10", "parent_tax_id": "1", "name": "F", "rank": "family", "readcount": 10, "readcount_w_children": 50},
  {"tax_id": "20", "parent_tax_id": "10", "name": "G", "rank": "genus", "readcount": 5, "readcount_w_children": 25},
  {"tax_id": "21", "parent_tax_id": "20", "name": "G s1", "rank": "species", "readcount": 20, "readcount_w_children": 20},
  {"tax_id": "30", "parent_tax_id": "10", "name": "clade", "rank": "clade", "readcount": 0, "readcount_w_children": 15},
  {"tax_id": "31", "parent_tax_id": "30", "name": "orphan sp", "rank": "species", "readcount": 10, "readcount_w_children": 15},
  {"tax_id": "32", "parent_tax_id": "31", "name": "orphan strain", "rank": "strain", "readcount": 5, "readcount_w_children": 5}]}"#;

#[test]
fn collection_refusals_and_warnings() {
    let t = parse(TINY);
    let e = Collection::from_tables([("a", t.clone()), ("a", t.clone())]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("duplicate"));

    let mut bad = CollectionItem::new("b", t.clone());
    bad.success = false;
    let mut good = CollectionItem::new("a", t.clone());
    good.job_name = Some("One Codex Database".into());
    bad.job_name = Some("Targeted Loci".into());
    let c = Collection::new(vec![good.clone(), bad.clone()], true).unwrap();
    assert_eq!(c.classification_ids(), vec!["a"]);
    assert_eq!(c.warnings().len(), 1);
    assert_eq!(c.warnings()[0].code, "classification_not_successful");
    let e = Collection::new(vec![good.clone(), bad.clone()], false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    bad.success = true;
    let c = Collection::new(vec![good.clone(), bad.clone()], true).unwrap();
    assert_eq!(c.warnings()[0].code, "multiple_analysis_types");
    assert_eq!(
        c.warnings()[0].message,
        "SampleCollection contains multiple analysis types: One Codex Database, Targeted Loci"
    );
    assert!(!c.is_metagenomic());
    // jobs are told apart by id when known: two versions with one name still warn
    let (mut g2, mut b2) = (good, bad);
    b2.job_name = g2.job_name.clone();
    g2.job_id = Some("j1".into());
    b2.job_id = Some("j2".into());
    let c = Collection::new(vec![g2.clone(), b2.clone()], true).unwrap();
    assert_eq!(c.warnings().len(), 1);
    b2.job_id = Some("j1".into());
    assert!(Collection::new(vec![g2, b2], true).unwrap().warnings().is_empty());
}

#[test]
fn no_rank_column_on_a_small_tree() {
    let c = Collection::from_tables([("a", parse(TINY))]).unwrap();
    let r = c
        .to_matrix(&MatrixOptions { include_taxa_missing_rank: true, ..opts(Metric::ReadcountWChildren, Rank::Genus) })
        .unwrap()
        .matrix;
    // species 31 sits under a clade, not a genus: its subtree (15) goes to "No genus".
    assert_eq!(r.column_ids, vec!["20", "No genus"]);
    assert_eq!(r.values, vec![25.0, 15.0]);
    // the strain under 31 is not canonical and adds nothing on its own
    let r = c
        .to_matrix(&MatrixOptions {
            include_taxa_missing_rank: true,
            ..opts(Metric::NormalizedReadcountWChildren, Rank::Genus)
        })
        .unwrap()
        .matrix;
    assert_eq!(r.values, vec![25.0 / 40.0, 15.0 / 40.0]);
    // at family level nothing is missing: no extra column
    let r = c
        .to_matrix(&MatrixOptions { include_taxa_missing_rank: true, ..opts(Metric::ReadcountWChildren, Rank::Family) })
        .unwrap()
        .matrix;
    assert_eq!(r.column_ids, vec!["10"]);
    // prop_readcount divides by n_reads; prop_classified by mapped microbial reads (50 - 0 host - 0 root)
    let r = c.to_matrix(&opts(Metric::PropReadcount, Rank::Species)).unwrap().matrix;
    assert_eq!(r.values, vec![0.2, 0.1]);
    let r = c.to_matrix(&opts(Metric::PropClassified, Rank::Species)).unwrap().matrix;
    assert_eq!(r.values, vec![0.4, 0.2]);
}

#[test]
fn refusals_on_bad_requests() {
    let c = Collection::from_tables([("a", parse(TINY))]).unwrap();
    let e = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Phylum)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("phylum"), "{e}");
    // no filtered keys in these results
    let e = c.to_matrix(&opts(Metric::FilteredReadcount, Rank::Species)).unwrap_err();
    assert!(e.message.contains("filtered_readcount"), "{e}");
    // no n_reads
    let c2 = Collection::from_tables([("a", parse(&TINY.replace("\"n_reads\": 100,", "")))]).unwrap();
    let e = c2.to_matrix(&opts(Metric::PropReadcount, Rank::Species)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
    assert!(c2.table(0).unwrap().stats().is_err());
    // a parent cycle is found by the No-rank walk
    let cyc = TINY.replace(r#""tax_id": "10", "parent_tax_id": "1""#, r#""tax_id": "10", "parent_tax_id": "31""#);
    let c3 = Collection::from_tables([("a", parse(&cyc))]).unwrap();
    let e = c3
        .to_matrix(&MatrixOptions { include_taxa_missing_rank: true, ..opts(Metric::ReadcountWChildren, Rank::Order) })
        .unwrap_err();
    assert!(e.message.contains("cycle"), "{e}");
}

/// Random trees whose nodes all have canonical ranks (levels strictly decreasing, sometimes
/// skipping a level) and consistent `readcount_w_children`.
fn synth(seed: u64, n: usize) -> String {
    let mut s = seed | 1;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    const RANKS: [&str; 8] = ["species", "genus", "family", "order", "class", "phylum", "kingdom", "superkingdom"];
    // (tax_id, parent index, level, readcount)
    let mut nodes: Vec<(u64, Option<usize>, i32, u64)> = vec![(1, None, 8, 0)];
    while nodes.len() < n {
        let p = (rnd() as usize) % nodes.len();
        let pl = nodes[p].2;
        if pl == 0 {
            continue;
        }
        let drop = 1 + (rnd() % 3) as i32;
        let l = (pl - drop).max(0);
        let id = 100 + nodes.len() as u64 * 7;
        nodes.push((id, Some(p), l, rnd() % 1000));
    }
    let mut rwc: Vec<u64> = nodes.iter().map(|n| n.3).collect();
    for i in (1..nodes.len()).rev() {
        let p = nodes[i].1.unwrap();
        rwc[p] += rwc[i];
    }
    let rows: Vec<String> = nodes
        .iter()
        .enumerate()
        .map(|(i, (id, p, l, rc))| {
            let rank = if *l == 8 { "no rank" } else { RANKS[*l as usize] };
            let parent = p.map_or("null".to_string(), |p| format!("\"{}\"", nodes[p].0));
            format!(
                r#"{{"tax_id": "{id}", "parent_tax_id": {parent}, "name": "t{id}", "rank": "{rank}", "readcount": {rc}, "readcount_w_children": {}}}"#,
                rwc[i]
            )
        })
        .collect();
    format!(r#"{{"n_reads": 1000000, "host_tax_ids": [], "table": [{}]}}"#, rows.join(","))
}

#[test]
fn generated_trees_keep_every_read_at_or_below_the_rank() {
    let mut checked = 0;
    for seed in 1..30u64 {
        let json = synth(seed * 7919, 300);
        let t = parse(&json);
        let c = Collection::from_tables([("s", t.clone())]).unwrap();
        for rank in [Rank::Species, Rank::Genus, Rank::Family, Rank::Phylum] {
            let level = rank.level();
            let r = c.to_matrix(&MatrixOptions {
                include_taxa_missing_rank: true,
                remove_zeros: false,
                ..opts(Metric::ReadcountWChildren, rank)
            });
            let Ok(r) = r else { continue };
            let total: f64 = r.matrix.values.iter().sum();
            // every read assigned at or below the rank lands in exactly one column
            let expect: f64 = (0..t.len())
                .filter(|&i| t.canonical_rank(i).is_some_and(|rk| rk.level() <= level))
                .map(|i| t.row(i).unwrap().readcount)
                .sum();
            assert_eq!(total, expect, "seed {seed} rank {rank:?}");
            let n = c
                .to_matrix(&MatrixOptions {
                    include_taxa_missing_rank: true,
                    ..opts(Metric::NormalizedReadcountWChildren, rank)
                })
                .unwrap()
                .matrix;
            let s: f64 = n.values.iter().sum();
            assert!(expect == 0.0 || (s - 1.0).abs() < 1e-9);
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} generated cases ran");
}

#[test]
fn from_results_bytes_and_errors_name_the_classification() {
    let z = need!(classification_zstd("6579e99943f84ad2"));
    let c = Collection::from_results([("a", &z[..]), ("b", TINY.as_bytes())]).unwrap();
    assert_eq!(c.classification_ids(), vec!["a", "b"]);
    assert_eq!(c.table(0).unwrap().len(), 1698);
    // the taxonomy is built once and shared by later matrices
    assert!(std::ptr::eq(c.taxonomy(false), c.taxonomy(false)));
    let e = Collection::from_results([("a", &z[..]), ("bad", &z[..100])]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
    assert!(e.message.starts_with("classification bad: "), "{e}");
}

#[test]
fn top_n_reorders_values_with_their_columns() {
    // top_n larger than the column count still sorts columns by sum, and values follow them
    // (found by comparing with the Python client: superkingdom has 4 columns, top_n 7).
    let c = need!(project());
    let base = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Superkingdom)).unwrap().matrix;
    let top = c
        .to_matrix(&MatrixOptions { top_n: Some(7), ..opts(Metric::ReadcountWChildren, Rank::Superkingdom) })
        .unwrap()
        .matrix;
    assert_eq!(top.n_cols(), base.n_cols());
    assert_eq!(top.column_ids, ["2", "10239", "2759", "2157"]);
    assert_ne!(top.column_ids, base.column_ids);
    for (j, id) in top.column_ids.iter().enumerate() {
        assert_eq!(top.column(j), base.column(base.column_index(id).unwrap()), "{id}");
    }
    assert_eq!(top.column(1).iter().sum::<f64>(), 442_097.0);
}

#[test]
fn analysis_matrices_are_built_once_and_equal_to_matrix() {
    let c = need!(project());
    let (genus, species) = (RankOption::Rank(Rank::Genus), RankOption::Rank(Rank::Species));
    let rc = MetricOption::Metric(Metric::ReadcountWChildren);
    let first = c.analysis_matrix(genus, rc).unwrap();
    let plain = c.to_matrix(&opts(Metric::ReadcountWChildren, Rank::Genus)).unwrap();
    assert_eq!(first.matrix.values, plain.matrix.values);
    assert_eq!(first.matrix.column_ids, plain.matrix.column_ids);
    assert!(std::rc::Rc::ptr_eq(&first, &c.analysis_matrix(genus, rc).unwrap()), "the same matrix, not a rebuilt one");
    // A chart's options (other than the defaults) are a matrix of their own, shared as well.
    let chart_opts = MatrixOptions { include_taxa_missing_rank: true, ..opts(Metric::ReadcountWChildren, Rank::Genus) };
    let chart = c.shared_matrix(&chart_opts).unwrap();
    assert!(!std::rc::Rc::ptr_eq(&first, &chart));
    assert_eq!(chart.matrix.values, c.to_matrix(&chart_opts).unwrap().matrix.values);
    assert!(std::rc::Rc::ptr_eq(&chart, &c.shared_matrix(&chart_opts).unwrap()));
    assert!(std::rc::Rc::ptr_eq(&first, &c.analysis_matrix(genus, rc).unwrap()), "both kept");
    // Three others push the first out (four are kept); asked again, it is rebuilt with the same values.
    c.analysis_matrix(species, rc).unwrap();
    c.analysis_matrix(RankOption::Auto, MetricOption::Auto).unwrap();
    c.shared_matrix(&MatrixOptions { top_n: Some(2), ..opts(Metric::ReadcountWChildren, Rank::Genus) }).unwrap();
    let again = c.analysis_matrix(genus, rc).unwrap();
    assert!(!std::rc::Rc::ptr_eq(&first, &again));
    assert_eq!(again.matrix.values, first.matrix.values);
}
