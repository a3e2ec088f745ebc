//! The golden values of API_SPEC §9.3 and §9.4, reproduced from the real fixtures.

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::results::{
    ClassificationTable, Collection, CollectionItem, MatrixOptions, Metric, MetricOption, Rank, RankOption,
};

const GOLDEN: &str = "6579e99943f84ad2";

fn table(id: &str) -> Option<ClassificationTable> {
    let bytes = classification_zstd(id)?;
    Some(ClassificationTable::parse(&bytes).expect("fixture parses"))
}

fn single() -> Option<Collection> {
    Some(Collection::from_tables([(GOLDEN, table(GOLDEN)?)]).unwrap())
}

fn top(c: &Collection, metric: Metric, rank: Rank, n: usize) -> Vec<f64> {
    let r = c
        .to_matrix(&MatrixOptions {
            metric: MetricOption::Metric(metric),
            rank: RankOption::Rank(rank),
            top_n: Some(n),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.matrix.n_rows(), 1);
    assert_eq!(r.matrix.n_cols(), n);
    r.matrix.values
}

/// Values rounded to 4 decimal places, as the spec prints them.
fn r4(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 1e4).round() / 1e4).collect()
}

#[test]
fn stats_golden() {
    let t = need!(table(GOLDEN));
    let s = t.stats().unwrap();
    assert_eq!(s.n_reads_total, 32_742_710.0);
    assert_eq!(s.n_host_reads, 109_585.0);
    assert_eq!(s.n_nonspecific_reads, 807_721.0);
    assert_eq!(s.n_mapped_reads, 25_444_333.0);
    assert_eq!(s.n_mapped_microbial_reads, 24_527_027.0);
    assert_eq!(t.len(), 1698);
    assert_eq!(t.host_tax_ids().unwrap(), &["9606".to_string()]);
}

#[test]
fn readcount_species() {
    let c = need!(single());
    assert_eq!(
        top(&c, Metric::Readcount, Rank::Species, 6),
        vec![4417519.0, 283510.0, 212457.0, 179055.0, 172214.0, 128158.0]
    );
}

#[test]
fn readcount_w_children_species() {
    let c = need!(single());
    assert_eq!(
        top(&c, Metric::ReadcountWChildren, Rank::Species, 6),
        vec![4417519.0, 754966.0, 283510.0, 226485.0, 214160.0, 212457.0]
    );
}

#[test]
fn normalized_readcount_species() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::NormalizedReadcount, Rank::Species, 6)),
        vec![0.5487, 0.0352, 0.0264, 0.0222, 0.0214, 0.0159]
    );
}

#[test]
fn normalized_readcount_w_children_species() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::NormalizedReadcountWChildren, Rank::Species, 6)),
        vec![0.4483, 0.0766, 0.0288, 0.023, 0.0217, 0.0216]
    );
}

#[test]
fn normalized_readcount_w_children_genus() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::NormalizedReadcountWChildren, Rank::Genus, 6)),
        vec![0.3564, 0.2649, 0.0594, 0.0582, 0.046, 0.0441]
    );
}

#[test]
fn abundance_w_children_genus() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::AbundanceWChildren, Rank::Genus, 6)),
        vec![0.297, 0.2439, 0.0631, 0.0445, 0.0419, 0.041]
    );
}

#[test]
fn abundance_w_children_species_and_row_sum() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::AbundanceWChildren, Rank::Species, 6)),
        vec![0.2439, 0.0685, 0.0646, 0.0324, 0.0324, 0.0287]
    );
    let all = c
        .to_matrix(&MatrixOptions {
            metric: MetricOption::Metric(Metric::AbundanceWChildren),
            rank: RankOption::Rank(Rank::Species),
            ..Default::default()
        })
        .unwrap();
    let sum: f64 = all.matrix.values.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "species abundances sum to {sum}");
}

#[test]
fn prop_classified_w_children_species() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::PropClassifiedWChildren, Rank::Species, 6)),
        vec![0.1801, 0.0308, 0.0116, 0.0092, 0.0087, 0.0087]
    );
}

#[test]
fn prop_classified_w_children_phylum() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::PropClassifiedWChildren, Rank::Phylum, 6)),
        vec![0.511, 0.2645, 0.1887, 0.012, 0.0008, 0.0]
    );
}

#[test]
fn prop_readcount_species() {
    let c = need!(single());
    assert_eq!(
        r4(&top(&c, Metric::PropReadcount, Rank::Species, 6)),
        vec![0.1349, 0.0087, 0.0065, 0.0055, 0.0053, 0.0039]
    );
}

#[test]
fn normalized_filtered_equal_unfiltered_when_abundances_exist() {
    let c = need!(single());
    for (filtered, plain) in [
        (Metric::NormalizedFilteredReadcount, Metric::NormalizedReadcount),
        (Metric::NormalizedFilteredReadcountWChildren, Metric::NormalizedReadcountWChildren),
    ] {
        for rank in [Rank::Species, Rank::Genus] {
            let opts = |m| MatrixOptions {
                metric: MetricOption::Metric(m),
                rank: RankOption::Rank(rank),
                ..Default::default()
            };
            let a = c.to_matrix(&opts(filtered)).unwrap().matrix;
            let b = c.to_matrix(&opts(plain)).unwrap().matrix;
            assert_eq!(a.column_ids, b.column_ids);
            assert_eq!(a.values, b.values);
            assert!(a.n_cols() > 10);
        }
    }
}

#[test]
fn project_no_genus_golden() {
    let ids = ["6579e99943f84ad2", "b50c176668234fe7", "e0422602de41479f"];
    let mut items = Vec::new();
    for id in ids {
        items.push(CollectionItem::new(id, need!(table(id))));
    }
    let c = Collection::new(items, true).unwrap();
    let tax = c.taxonomy(false);
    let first: Vec<&str> = (0..5).map(|i| tax.tax_id(i)).collect();
    assert_eq!(first, ["1", "131567", "2", "1783270", "68336"]);

    let r = c
        .to_matrix(&MatrixOptions {
            metric: MetricOption::Metric(Metric::ReadcountWChildren),
            rank: RankOption::Rank(Rank::Genus),
            include_taxa_missing_rank: true,
            ..Default::default()
        })
        .unwrap();
    let m = &r.matrix;
    assert_eq!((m.n_rows(), m.n_cols()), (3, 475));
    assert_eq!(m.row_ids, ids);
    let no = m.column_index("No genus").expect("No genus column");
    assert_eq!(no, m.n_cols() - 1, "No genus comes after the genus columns");
    assert_eq!(m.column(no), vec![233369.0, 176153.0, 1014664.0]);
    assert_eq!(m.column_names[no], "No genus");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
