//! Derived outputs of a collection: BIOM 1.0, and the top-N plus `Other`
//! table behind stacked bar charts, with a Vega-Lite spec like the Python client's chart.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::collection::{sort_desc_by_key, Collection, Matrix};
use super::metric::{Field, Rank};
use super::taxonomy::TaxonomyTree;
use crate::error::Result;

impl Collection {
    /// BIOM 1.0 (`to_otu`): raw `readcount` of every canonical-rank taxon in each result (host
    /// rows included, zeros kept), rows sorted by tax id as strings, row metadata `taxonomy` =
    /// the names at the eight canonical ranks of the lineage. `date` is the caller's (ISO 8601;
    /// the core has no clock).
    pub fn to_biom(&self, biom_id: Option<&str>, date: &str) -> Result<Value> {
        let (tax, maps) = self.taxonomy_with_maps(true);
        let (tree, _warnings) = TaxonomyTree::build(tax)?;
        let mut columns = Vec::with_capacity(self.len());
        // tax id -> [(column, count)], in column order
        let mut rows: BTreeMap<&str, Vec<(usize, i64)>> = BTreeMap::new();
        for (col, (item, map)) in self.items().iter().zip(maps).enumerate() {
            let (sample_id, filename, metadata) = match &item.sample {
                Some(s) => {
                    let mut m = match &s.metadata {
                        Value::Object(m) => m.clone(),
                        _ => Map::new(),
                    };
                    m.remove("$uri");
                    m.remove("sample");
                    (Value::from(s.sample_id.clone()), Value::from(s.filename.clone()), Value::Object(m))
                }
                None => (Value::Null, Value::Null, Value::Object(Map::new())),
            };
            columns.push(json!({
                "id": item.classification_id,
                "sample_id": sample_id,
                "sample_filename": filename,
                "metadata": metadata,
            }));
            let rc = item.table.numbers(Field::Readcount);
            for (row, &t) in map.iter().enumerate() {
                if tax.rank_level(t as usize) == super::taxonomy::NON_CANONICAL {
                    continue;
                }
                let v = rc[row];
                let count = if v.is_finite() { v as i64 } else { 0 };
                let entry = rows.entry(tax.tax_id(t as usize)).or_default();
                // A tax id appears once per table, so the last write per column is the only one.
                entry.push((col, count));
            }
        }
        let mut out_rows = Vec::with_capacity(rows.len());
        let mut data = Vec::new();
        for (row_id, (tax_id, hits)) in rows.iter().enumerate() {
            let names = tree.canonical_lineage_names(tax_id).unwrap_or_default();
            out_rows.push(json!({"id": tax_id, "metadata": {"taxonomy": names}}));
            for &(col, count) in hits {
                data.push(json!([row_id, col, count]));
            }
        }
        Ok(json!({
            "id": biom_id,
            "format": "Biological Observation Matrix 1.0.0",
            "format_url": "http://biom-format.org",
            "type": "OTU table",
            "generated_by": "One Codex API V1",
            "date": date,
            "rows": out_rows,
            "columns": columns,
            "matrix_type": "sparse",
            "matrix_element_type": "int",
            "shape": [rows.len(), self.len()],
            "data": data,
        }))
    }
}

/// Options of [`bar_chart_table`]; both `None` means the Python default, top 10.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BarChartOptions {
    pub top_n: Option<usize>,
    pub threshold: Option<f64>,
    /// Add `Other` = row total − kept (0 for all-zero rows). Only meaningful for normalised data.
    pub include_other: bool,
}

/// Top-N (by column **mean**) or threshold (column max ≥ t) selection of a full matrix, plus an
/// `Other` column. Feed it a matrix built without `top_n`/`threshold`.
pub fn bar_chart_table(m: &Matrix, opts: &BarChartOptions) -> Matrix {
    let (nr, nc) = (m.n_rows(), m.n_cols());
    let (top_n, threshold) = match (opts.top_n, opts.threshold) {
        (None, None) => (Some(10), None),
        t => t,
    };
    let row_totals: Vec<f64> = (0..nr).map(|r| m.row(r).iter().filter(|v| !v.is_nan()).sum()).collect();
    let mut cols: Vec<usize> = (0..nc).collect();
    if let Some(t) = threshold.filter(|&t| t != 0.0) {
        cols.retain(|&c| m.column(c).into_iter().filter(|v| !v.is_nan()).fold(f64::NAN, f64::max) >= t);
    }
    if let Some(n) = top_n.filter(|&n| n > 0) {
        // Column means skipping NaN (pandas `mean`); an all-NaN column's mean is NaN.
        let means: Vec<f64> = (0..nc)
            .map(|c| {
                let (mut sum, mut n) = (0.0, 0usize);
                for r in 0..nr {
                    let v = m.values[r * nc + c];
                    if !v.is_nan() {
                        sum += v;
                        n += 1;
                    }
                }
                if n == 0 {
                    f64::NAN
                } else {
                    sum / n as f64
                }
            })
            .collect();
        // Descending, NaN last (pandas sort_values).
        sort_desc_by_key(&mut cols, &means);
        cols.truncate(n);
    }
    let mut out = Matrix {
        row_ids: m.row_ids.clone(),
        column_ids: cols.iter().map(|&c| m.column_ids[c].clone()).collect(),
        column_names: cols.iter().map(|&c| m.column_names[c].clone()).collect(),
        values: Vec::with_capacity(nr * (cols.len() + 1)),
    };
    if opts.include_other {
        out.column_ids.push("Other".into());
        out.column_names.push("Other".into());
    }
    for (r, &total) in row_totals.iter().enumerate() {
        let row = m.row(r);
        let mut kept = 0.0;
        for &c in &cols {
            out.values.push(row[c]);
            if !row[c].is_nan() {
                kept += row[c];
            }
        }
        if opts.include_other {
            out.values.push(if total == 0.0 { 0.0 } else { total - kept });
        }
    }
    out
}

/// A Vega-Lite v5 stacked bar chart of a bar-chart table, like the Python client's
/// `plot_bargraph`: one bar per row (labelled by `labels`, else the row id), colour by taxon
/// (`name (tax_id)`), `Other` and `No <rank>` first in the legend, y fixed to [0, 1] when
/// `normalized`.
pub fn bar_chart_vega_lite(
    m: &Matrix,
    labels: Option<&[String]>,
    value_name: &str,
    rank: Option<Rank>,
    normalized: bool,
) -> Value {
    let label = |r: usize| labels.and_then(|l| l.get(r)).unwrap_or(&m.row_ids[r]).clone();
    let tax_name = |c: usize| {
        let id = &m.column_ids[c];
        let name = &m.column_names[c];
        if id == "Other" || id.starts_with("No ") || name.is_empty() {
            id.clone()
        } else {
            format!("{name} ({id})")
        }
    };
    let no_level = rank.map(|r| format!("No {}", r.as_str()));
    let mut domain: Vec<String> = (0..m.n_cols()).map(tax_name).collect();
    domain.sort();
    domain.dedup();
    let mut front = Vec::new();
    for special in [Some("Other".to_string()), no_level].into_iter().flatten() {
        if let Some(p) = domain.iter().position(|d| *d == special) {
            front.push(domain.remove(p));
        }
    }
    front.extend(domain);
    let domain = front;
    let mut values = Vec::with_capacity(m.n_rows() * m.n_cols());
    for c in 0..m.n_cols() {
        let tn = tax_name(c);
        let order = domain.iter().position(|d| *d == tn).unwrap_or(0);
        for r in 0..m.n_rows() {
            let v = m.values[r * m.n_cols() + c];
            values.push(json!({
                "classification_id": m.row_ids[r],
                "Label": label(r),
                "tax_id": m.column_ids[c],
                "tax_name": tn,
                value_name: if v.is_finite() { Value::from(v) } else { Value::Null },
                "order": order,
            }));
        }
    }
    let mut y_scale = json!({"zero": true, "nice": false});
    if normalized {
        y_scale["domain"] = json!([0, 1]);
    }
    json!({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "Label", "type": "nominal", "axis": {"title": ""}},
            "y": {"field": value_name, "type": "quantitative", "axis": {"title": value_name}, "scale": y_scale},
            "color": {"field": "tax_name", "type": "nominal", "sort": domain, "scale": {"domain": domain},
                      "legend": {"title": value_name, "symbolLimit": 40, "labelLimit": 0}},
            "tooltip": [
                {"field": "Label", "type": "nominal"},
                {"field": "tax_name", "type": "nominal"},
                {"field": value_name, "type": "quantitative"}
            ],
            "order": {"field": "order", "sort": "descending"}
        }
    })
}
