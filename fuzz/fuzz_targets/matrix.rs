//! `Collection::to_matrix` with options from the option parsers (unknown rank, metric or
//! format: `invalid_argument`), then the long form, CSV, the bar-graph table and the bar graph:
//! typed errors only, and every output's dimensions agree.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onecodex_core::plots::{bargraph_table, plot_bargraph, PlotInput, TaxaSelection, DEFAULT_LINK_BASE};
use onecodex_core::results::{MatrixOptions, Metric, MetricOption, Rank, RankOption, TableFormat};
use onecodex_fuzz::{check_typed, CollectionSpec, BODY_OR_ARG};

/// A known name most of the time, any text sometimes.
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
    format: Name,
    top_n: Option<u8>,
    threshold: Option<f64>,
    remove_zeros: bool,
    include_host: bool,
    include_taxa_missing_rank: bool,
    fill_missing: bool,
    filler: f64,
    /// In units of 8 bytes, so that the size limit is hit often.
    max_cells: u16,
    bar_top_n: Option<u8>,
    bar_threshold: Option<f64>,
    include_other: bool,
}

fuzz_target!(|input: Input| {
    let ranks: Vec<&str> = ["auto"].into_iter().chain(Rank::LINEAGE_ORDER.map(Rank::as_str)).collect();
    let metrics: Vec<&str> = ["auto"].into_iter().chain(Metric::ALL.map(Metric::as_str)).collect();
    let parsed = (
        RankOption::parse(&input.rank.text(&ranks)),
        MetricOption::parse(&input.metric.text(&metrics)),
        TableFormat::parse(&input.format.text(&["wide", "long"])),
    );
    let (rank, metric, format) = match parsed {
        (Ok(r), Ok(m), Ok(f)) => (r, m, f),
        (r, m, f) => {
            for e in [r.err(), m.err(), f.err()].into_iter().flatten() {
                check_typed(&e, &[onecodex_core::error::ErrorCode::InvalidArgument]);
            }
            return;
        }
    };
    let Some(c) = input.collection.build() else {
        return;
    };
    let opts = MatrixOptions {
        rank,
        metric,
        top_n: input.top_n.map(usize::from),
        threshold: input.threshold,
        remove_zeros: input.remove_zeros,
        include_host: input.include_host,
        include_taxa_missing_rank: input.include_taxa_missing_rank,
        fill_missing: input.fill_missing,
        filler: input.filler,
        format,
        max_bytes: input.max_cells as usize * 8,
    };
    let res = match c.to_matrix(&opts) {
        Ok(r) => r,
        Err(e) => return check_typed(&e, BODY_OR_ARG),
    };
    if let MetricOption::Metric(m) = metric {
        assert_eq!(res.metric, m);
    }
    if let RankOption::Rank(r) = rank {
        assert_eq!(res.rank, r);
    }
    let m = &res.matrix;
    let (nr, nc) = (m.n_rows(), m.n_cols());
    assert_eq!(nr, c.len());
    assert_eq!(m.column_names.len(), nc);
    assert_eq!(m.values.len(), nr * nc);
    assert!(nr * nc * 8 <= opts.max_bytes);
    if let Some(n) = opts.top_n.filter(|&n| n > 0) {
        assert!(nc <= n);
    }
    if opts.remove_zeros {
        for col in 0..nc {
            assert!(m.column(col).iter().any(|&v| v != 0.0), "an all-zero column survived remove_zeros");
        }
    }
    let long = m.to_long();
    assert_eq!(long.values.len(), nr * nc);
    assert_eq!(long.row_index.len(), nr * nc);
    assert!(m.to_csv().lines().count() > nr);
    let bar = bargraph_table(
        m,
        &TaxaSelection {
            top_n: input.bar_top_n.map(usize::from),
            threshold: input.bar_threshold,
            include_other: input.include_other,
        },
    );
    assert_eq!(bar.n_rows(), nr);
    assert!(bar.n_cols() <= nc + 1);
    assert_eq!(bar.values.len(), bar.n_rows() * bar.n_cols());
    // The whole bar graph of the same matrix: a spec or a typed error, never a panic.
    let options = serde_json::json!({
        "rank": res.rank.as_str(), "metric": res.metric.as_str(), "includeOther": input.include_other,
        "topN": input.bar_top_n, "threshold": input.bar_threshold,
    });
    match plot_bargraph(&PlotInput::new(&c, &[], DEFAULT_LINK_BASE), &options) {
        Ok(chart) => {
            let name = chart.spec["data"]["name"].as_str().expect("data.name");
            assert!(chart.spec["datasets"][name].is_array());
        }
        Err(e) => check_typed(&e, BODY_OR_ARG),
    }
});
