//! Taxonomy tree (§9.7), BIOM 1.0 export and the bar-chart table (§9.8).

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::error::ErrorCode;
use onecodex_core::plots::{bargraph_table, plot_bargraph, PlotInput, TaxaSelection, DEFAULT_LINK_BASE};
use onecodex_core::results::{
    ClassificationTable, Collection, CollectionItem, MatrixOptions, Metric, MetricOption, Rank, RankOption, SampleInfo,
};

fn table(id: &str) -> Option<ClassificationTable> {
    Some(ClassificationTable::parse(&classification_zstd(id)?).expect("fixture parses"))
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
fn tree_lineage_and_pruning_on_fixture() {
    let c = need!(project());
    let (tree, warnings) = c.tree(false).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(tree.len(), c.taxonomy(false).len());
    assert_eq!(tree.node(tree.root()).tax_id, "1");
    // Akkermansia muciniphila (§8.2 excerpt): its lineage runs root -> … -> genus -> species
    let lin = tree.lineage("239935").unwrap();
    assert_eq!(tree.node(lin[0]).tax_id, "1");
    assert_eq!(tree.node(*lin.last().unwrap()).name.as_deref(), Some("Akkermansia muciniphila"));
    assert_eq!(tree.node(lin[lin.len() - 2]).tax_id, "239934");
    let names = tree.canonical_lineage_names("239935").unwrap();
    assert_eq!(names[0], "Bacteria");
    assert_eq!(names[6], "Akkermansia");
    assert_eq!(names[7], "Akkermansia muciniphila");
    assert!(tree.lineage("no such").is_none());

    let genus = tree.prune_rank(Rank::Genus).unwrap();
    assert!(genus.len() < tree.len());
    for n in genus.nodes() {
        if n.children.is_empty() {
            assert_eq!(n.rank.as_deref(), Some("genus"), "leaf {} is not a genus", n.tax_id);
        }
    }
    let genus_count = genus.nodes().iter().filter(|n| n.rank.as_deref() == Some("genus")).count();
    let m = c
        .to_matrix(&MatrixOptions {
            metric: MetricOption::Metric(Metric::Readcount),
            rank: RankOption::Rank(Rank::Genus),
            remove_zeros: false,
            ..Default::default()
        })
        .unwrap()
        .matrix;
    assert_eq!(genus_count, m.n_cols());

    let p = tree.prune_tax_ids(&["239935", "816"]).unwrap();
    let expect = {
        let mut v = tree.lineage("239935").unwrap();
        v.extend(tree.lineage("816").unwrap());
        v.sort();
        v.dedup();
        v.len()
    };
    assert_eq!(p.len(), expect);
    assert_eq!(p.lineage("239935").unwrap().len(), lin.len());
    assert_eq!(p.node(p.root()).tax_id, "1");
    assert_eq!(tree.prune_tax_ids(&["nope"]).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn tree_errors_and_warnings() {
    let parse = |s: &str| ClassificationTable::parse_json(s.as_bytes()).unwrap();
    let no_root = parse(r#"{"table": [{"tax_id": "2", "parent_tax_id": "1", "rank": "superkingdom"}]}"#);
    let c = Collection::from_tables([("a", no_root)]).unwrap();
    assert_eq!(c.tree(false).unwrap_err().code, ErrorCode::InvalidResponse);

    let detached = parse(
        r#"{"table": [{"tax_id": "1", "parent_tax_id": null, "rank": "no rank"},
                      {"tax_id": "5", "parent_tax_id": "4", "rank": "genus"}]}"#,
    );
    let c = Collection::from_tables([("a", detached)]).unwrap();
    let (tree, w) = c.tree(false).unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].code, "missing_parent");
    assert_eq!(tree.lineage("5").unwrap().len(), 1);
    assert!(tree.node(tree.root()).children.is_empty());

    let cycle = parse(
        r#"{"table": [{"tax_id": "1", "parent_tax_id": null, "rank": "no rank"},
                      {"tax_id": "5", "parent_tax_id": "6", "rank": "genus"},
                      {"tax_id": "6", "parent_tax_id": "5", "rank": "family"}]}"#,
    );
    let c = Collection::from_tables([("a", cycle)]).unwrap();
    let e = c.tree(false).unwrap_err();
    assert!(e.message.contains("cycle"), "{e}");
}

#[test]
fn biom_export() {
    let ids = ["6579e99943f84ad2", "b50c176668234fe7"];
    let mut items = Vec::new();
    for id in ids {
        let mut it = CollectionItem::new(id, need!(table(id)));
        it.sample = Some(SampleInfo {
            sample_id: format!("s-{id}"),
            filename: Some(format!("{id}.fastq.gz")),
            metadata: serde_json::json!({"$uri": "/api/v1/metadata/x", "sample": {"$ref": "y"}, "name": "n", "custom": {}}),
        });
        items.push(it);
    }
    let c = Collection::new(items, true).unwrap();
    let b = c.to_biom(Some("biom-1"), "2026-01-01T00:00:00").unwrap();
    assert_eq!(b["format"], "Biological Observation Matrix 1.0.0");
    assert_eq!(b["format_url"], "http://biom-format.org");
    assert_eq!(b["type"], "OTU table");
    assert_eq!(b["generated_by"], "One Codex API V1");
    assert_eq!(b["matrix_type"], "sparse");
    assert_eq!(b["matrix_element_type"], "int");
    assert_eq!(b["id"], "biom-1");
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "format",
            "format_url",
            "type",
            "generated_by",
            "date",
            "rows",
            "columns",
            "matrix_type",
            "matrix_element_type",
            "shape",
            "data"
        ]
    );
    let cols = b["columns"].as_array().unwrap();
    assert_eq!(cols[1]["id"], "b50c176668234fe7");
    assert_eq!(cols[1]["sample_id"], "s-b50c176668234fe7");
    assert_eq!(cols[1]["sample_filename"], "b50c176668234fe7.fastq.gz");
    assert_eq!(cols[1]["metadata"], serde_json::json!({"name": "n", "custom": {}}));
    let rows = b["rows"].as_array().unwrap();
    let row_ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = row_ids.clone();
    sorted.sort();
    assert_eq!(row_ids, sorted, "rows sorted by tax id as strings");
    assert_eq!(b["shape"], serde_json::json!([rows.len(), 2]));
    // Homo sapiens (host) is included with its raw readcount in b50c… (§8.2 excerpt)
    let h = row_ids.iter().position(|&r| r == "9606").expect("host row");
    assert_eq!(rows[h]["metadata"]["taxonomy"][7], "Homo sapiens");
    let data = b["data"].as_array().unwrap();
    assert!(data.iter().any(|d| d == &serde_json::json!([h, 1, 372423])));
    // every count is the table's readcount; root and other non-canonical taxa are absent
    assert!(!row_ids.contains(&"1") && !row_ids.contains(&"131567"));
    let t0 = c.table(0).unwrap();
    let total0: i64 = data.iter().filter(|d| d[1] == 0).map(|d| d[2].as_i64().unwrap()).sum();
    let expect0: f64 =
        (0..t0.len()).filter(|&i| t0.canonical_rank(i).is_some()).map(|i| t0.row(i).unwrap().readcount).sum();
    assert_eq!(total0 as f64, expect0);
    let taxonomy = &rows[0]["metadata"]["taxonomy"];
    assert_eq!(taxonomy.as_array().unwrap().len(), 8);
}

#[test]
fn bargraph_top_n_and_other() {
    let c = need!(project());
    let full = c
        .to_matrix(&MatrixOptions {
            metric: MetricOption::Metric(Metric::AbundanceWChildren),
            rank: RankOption::Rank(Rank::Genus),
            include_taxa_missing_rank: true,
            ..Default::default()
        })
        .unwrap()
        .matrix;
    let t = bargraph_table(&full, &TaxaSelection { include_other: true, ..Default::default() });
    assert_eq!(t.n_cols(), 11, "default top 10 plus Other");
    assert_eq!(t.column_ids[10], "Other");
    for r in 0..3 {
        let total: f64 = full.row(r).iter().sum();
        let s: f64 = t.row(r).iter().sum();
        assert!((s - total).abs() < 1e-9, "bars stack to the row total");
        assert!(t.row(r)[10] >= -1e-12);
    }
    // ordered by column mean, descending
    let means: Vec<f64> = (0..10).map(|j| t.column(j).iter().sum::<f64>() / 3.0).collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]));
    // threshold instead of top N
    let th =
        bargraph_table(&full, &TaxaSelection { threshold: Some(0.05), include_other: false, ..Default::default() });
    assert!(th.n_cols() >= 1);
    for j in 0..th.n_cols() {
        assert!(th.column(j).iter().cloned().fold(f64::MIN, f64::max) >= 0.05);
    }
    let chart = plot_bargraph(
        &PlotInput::new(&c, &[], DEFAULT_LINK_BASE),
        &serde_json::json!({ "rank": "genus", "metric": "abundance_w_children" }),
    )
    .unwrap();
    let spec = &chart.spec;
    assert_eq!(spec["mark"]["type"], "bar");
    let name = spec["data"]["name"].as_str().unwrap();
    assert_eq!(spec["datasets"][name].as_array().unwrap().len(), 33, "3 samples x (10 taxa + Other)");
    assert_eq!(spec["encoding"]["color"]["sort"][0], "Other");
    assert_eq!(spec["encoding"]["y"]["scale"]["domain"], serde_json::json!([0, 1]));
    let url = spec["datasets"][name][0]["url"].as_str().unwrap();
    assert!(url.starts_with("https://app.onecodex.com/classification/"), "{url}");
}
