//! `plot_heatmap`: a cell per sample and taxon of the top taxa, samples and taxa ordered by
//! hierarchical clustering (or as given), optionally faceted by a metadata field with each
//! group clustered on its own.

use super::bargraph::{ncbi_url, AutoNumber, Link, Tooltip};
use super::clustering::{cluster, compute_distance, euclidean_rounded, rounded_submatrix};
use super::fields::{metadata_fetch, FieldName, LabelOption, MetadataFrame, ResultsFrame};
use super::spec::{self, field, float, named_data, sort_helper, SortOption};
use super::{parse_options, plot_error, Chart, PlotInput, SortFn};
use crate::error::Result;
use crate::results::{Matrix, MatrixOptions, Metric, MetricOption, RankOption, Warning};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Options {
    rank: String,
    metric: String,
    top_n: AutoNumber,
    threshold: AutoNumber,
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    tooltip: Option<Tooltip>,
    linkage: String,
    haxis: Option<String>,
    diversity_metric: String,
    legend: String,
    label: Option<LabelOption>,
    sort_x: SortOption,
    sort_y: SortOption,
    width: Option<f64>,
    height: Option<f64>,
    link: Link,
    match_taxonomy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rank: "auto".into(),
            metric: "auto".into(),
            top_n: AutoNumber::Auto,
            threshold: AutoNumber::Auto,
            title: None,
            xlabel: None,
            ylabel: None,
            tooltip: None,
            linkage: "average".into(),
            haxis: None,
            diversity_metric: "euclidean".into(),
            legend: "auto".into(),
            label: None,
            sort_x: SortOption::None,
            sort_y: SortOption::None,
            width: None,
            height: None,
            link: Link::Ocx,
            match_taxonomy: true,
        }
    }
}

/// `top_n` and `threshold` as the client resolves `"auto"`: the top 10 unless a threshold is
/// given; `None` where not used.
pub(crate) fn taxa_limits(top_n: AutoNumber, threshold: AutoNumber) -> Result<(Option<usize>, Option<f64>)> {
    let value = |a: AutoNumber| if let AutoNumber::Value(v) = a { Some(v) } else { None };
    let (n, t) = match (top_n, threshold) {
        (AutoNumber::Off, AutoNumber::Off) => {
            return Err(plot_error("Please specify at least one of: threshold, top_n"));
        }
        (AutoNumber::Auto, AutoNumber::Auto) => (Some(10.0), None),
        (AutoNumber::Auto, t) => (None, value(t)),
        (n, AutoNumber::Auto) => (value(n), None),
        (n, t) => (value(n), value(t)),
    };
    match n {
        Some(n) if n.fract() != 0.0 || n < 0.0 || n > u32::MAX as f64 => {
            Err(plot_error("`top_n` must be a whole number"))
        }
        n => Ok((n.map(|n| n as usize), t)),
    }
}

/// An axis order given as a list or a function, or `None` when it is to be clustered.
fn given_order(
    sort: &SortOption,
    sort_fn: Option<SortFn>,
    labels: &[String],
    axis: &str,
) -> Result<Option<Vec<String>>> {
    if matches!(sort, SortOption::None) && sort_fn.is_none() {
        return Ok(None);
    }
    let order = sort_helper(sort, sort_fn, labels, axis)?;
    Ok(Some(order.as_array().map(|a| a.iter().map(spec::display).collect()).unwrap_or_default()))
}

/// pandas' order of group keys: numbers, then booleans, then strings, each in their own order;
/// missing values last.
fn group_order(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Number(_) => 0,
            Value::Bool(_) => 1,
            Value::String(_) => 2,
            Value::Null => 4,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(f64::NAN).total_cmp(&y.as_f64().unwrap_or(f64::NAN))
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)).then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// `groupby(key, dropna=False)`: the members of each distinct key, keys in pandas' order.
fn groups(keys: &[Value]) -> Vec<Vec<usize>> {
    let mut distinct: Vec<&Value> = Vec::new();
    for k in keys {
        if !distinct.contains(&k) {
            distinct.push(k);
        }
    }
    distinct.sort_by(|a, b| group_order(a, b));
    distinct.into_iter().map(|g| (0..keys.len()).filter(|&i| keys[i] == *g).collect()).collect()
}

/// The values of `m`'s rows `rows` with NaN as 0 (`replace(np.nan, 0)`).
fn filled_rows(m: &Matrix, rows: &[usize]) -> Vec<Vec<f64>> {
    rows.iter()
        .filter(|&&r| r < m.n_rows())
        .map(|&r| m.row(r).iter().map(|v| if v.is_nan() { 0.0 } else { *v }).collect())
        .collect()
}

/// What clustering the samples needs: the plotted matrix, and the whole collection's
/// distances when the diversity metric is not Euclidean (computed once).
struct SampleClustering<'a> {
    input: &'a PlotInput<'a>,
    matrix: &'a Matrix,
    metric: Metric,
    rank: crate::results::Rank,
    diversity: &'a str,
    linkage: &'a str,
    distances: Option<crate::ecology::DistanceMatrix>,
    warnings: Vec<Warning>,
}

impl SampleClustering<'_> {
    /// `_cluster_by_sample` of the members `rows`: their ids in dendrogram order, then (for
    /// abundance metrics) every id without abundances, as the client appends them.
    fn ids_in_order(&mut self, rows: &[usize]) -> Result<Vec<String>> {
        let dm = if self.diversity == "euclidean" {
            let ids = rows.iter().filter_map(|&r| self.matrix.row_ids.get(r).cloned()).collect();
            euclidean_rounded(ids, &filled_rows(self.matrix, rows))?
        } else {
            if self.distances.is_none() {
                let b = compute_distance(self.input.collection, self.rank, self.metric, self.diversity)?;
                self.warnings.extend(b.warnings);
                self.distances = Some(b.matrix);
            }
            // The whole collection's distances, restricted to the group (the client computes
            // them for every member and then fails to restrict them).
            let all = self.distances.as_ref().ok_or_else(|| plot_error("no distances"))?;
            rounded_submatrix(all, rows)?
        };
        let mut ids: Vec<String> = cluster(&dm, self.linkage)?.ordered_ids().into_iter().map(str::to_owned).collect();
        if self.metric.is_abundance() {
            ids.extend(self.input.collection.classification_ids_without_abundances().into_iter().map(str::to_owned));
        }
        Ok(ids)
    }
}

/// `_cluster_by_taxa`: the taxa (columns) in dendrogram order by Euclidean distance over the
/// samples with any value.
fn taxa_in_order(m: &Matrix, linkage: &str) -> Result<Vec<usize>> {
    let rows: Vec<usize> = (0..m.n_rows()).filter(|&r| m.row(r).iter().any(|v| !v.is_nan())).collect();
    let filled = filled_rows(m, &rows);
    let columns: Vec<Vec<f64>> = (0..m.n_cols()).map(|c| filled.iter().map(|row| row[c]).collect()).collect();
    let dm = euclidean_rounded(m.column_ids.clone(), &columns)?;
    Ok(cluster(&dm, linkage)?.leaves)
}

/// The client's reordering of its long table for abundance metrics: the rows of the members
/// without abundances (`slots[row]`: which of them) moved to the end, one member after the
/// other; the missing values of the others become 0.
fn without_abundances_last(
    rows: Vec<(usize, Map<String, Value>)>,
    slots: &[Option<usize>],
    metric_name: &str,
) -> Vec<(usize, Map<String, Value>)> {
    let n_dropped = slots.iter().flatten().max().map_or(0, |k| k + 1);
    let mut kept = Vec::with_capacity(rows.len());
    let mut dropped: Vec<Vec<(usize, Map<String, Value>)>> = vec![Vec::new(); n_dropped];
    for (row, mut rec) in rows {
        match slots.get(row).copied().flatten().and_then(|k| dropped.get_mut(k)) {
            Some(d) => d.push((row, rec)),
            None => {
                if rec.get(metric_name).is_some_and(Value::is_null) {
                    rec.insert(metric_name.into(), json!(0.0));
                }
                kept.push((row, rec));
            }
        }
    }
    kept.extend(dropped.into_iter().flatten());
    kept
}

/// `plot_heatmap(...)` of the Python client, as a spec.
pub fn plot_heatmap(input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: Options = parse_options("plotHeatmap", options)?;
    let c = input.collection;
    let metric = match MetricOption::parse(&o.metric)? {
        MetricOption::Auto => c.automatic_metric(),
        MetricOption::Metric(m) => m,
    };
    let rank = RankOption::parse(&o.rank)?;
    let (top_n, threshold) = taxa_limits(o.top_n, o.threshold)?;
    if c.len() < 2 {
        return Err(plot_error(
            "There are too few samples for heatmap plots after filtering. Please select 2 or more samples to plot.",
        ));
    }
    let without: Vec<String> = if metric.is_abundance() {
        c.classification_ids_without_abundances().into_iter().map(str::to_owned).collect()
    } else {
        Vec::new()
    };
    if metric.is_abundance() && without.len() == c.len() {
        return Err(plot_error(
            "Abundances are not calculated for any of the selected samples. Please select a different metric or a different set of samples to plot.",
        ));
    }
    let r = c.shared_matrix(&MatrixOptions {
        rank,
        metric: MetricOption::Metric(metric),
        top_n,
        threshold,
        fill_missing: false,
        ..MatrixOptions::default()
    })?;
    let m = &r.matrix;
    if m.n_cols() < 2 {
        return Err(plot_error(
            "There are too few taxa for heatmap clustering after filtering. Please select a rank or threshold that includes at least 2 taxa.",
        ));
    }
    let mut warnings = r.warnings.clone();
    let haxis = o.haxis.as_deref().filter(|h| !h.is_empty());

    // metadata: Label, the tooltip fields and haxis, missing values shown as N/A
    let mut tooltip = Tooltip::fields(&o.tooltip);
    if let Some(h) = haxis {
        tooltip.push(FieldName::one(h));
    }
    tooltip.insert(0, FieldName::one("Label"));
    // The client matches tax ids against its long table, whose columns are no tax ids.
    let no_columns = Matrix::default();
    let mut fetched = metadata_fetch(
        input,
        &tooltip,
        &ResultsFrame { matrix: &no_columns, metric },
        o.label.as_ref(),
        o.match_taxonomy,
        true,
    )?;
    for (_, values) in fetched.columns.iter_mut() {
        values.iter_mut().filter(|v| v.is_null()).for_each(|v| *v = Value::from("N/A"));
    }
    let labels: Vec<String> = match fetched.column("Label") {
        Some(col) => col.iter().map(spec::display).collect(),
        None => vec!["N/A".into(); c.len()],
    };
    let label_of = |id: &str| m.row_index(id).and_then(|i| labels.get(i)).cloned().unwrap_or_default();
    let tooltip_columns: Vec<String> = tooltip.iter().map(|f| fetched.name_of(f)).collect();

    let tax = c.taxonomy(false);
    let tax_names: Vec<String> = m
        .column_ids
        .iter()
        .map(|t| match tax.index_of(t) {
            Some(i) => format!("{} ({t})", tax.name(i).unwrap_or("None")),
            None => t.clone(),
        })
        .collect();

    if metric.is_normalized() && o.diversity_metric != "euclidean" {
        warnings.push(Warning::new(
            "euclidean_only",
            format!("Only euclidean distances are supported for metric {}", metric.as_str()),
        ));
    }

    // the taxa's order
    let taxa_order = match given_order(&o.sort_y, input.sort_y_fn, &tax_names, "sort_y")? {
        Some(order) => order,
        None => taxa_in_order(m, &o.linkage)?.into_iter().filter_map(|c| tax_names.get(c).cloned()).collect(),
    };

    // the samples' order: the client's list, appended to as it appends (ids without abundances
    // after each cluster) and then reworked in place (see below)
    let mut clustering = SampleClustering {
        input,
        matrix: m,
        metric,
        rank: r.rank,
        diversity: &o.diversity_metric,
        linkage: &o.linkage,
        distances: None,
        warnings: Vec::new(),
    };
    let mut labels_in_order: Vec<String> = match given_order(&o.sort_x, input.sort_x_fn, &labels, "sort_x")? {
        Some(order) => order,
        None => match haxis {
            None => {
                let all: Vec<usize> = (0..m.n_rows()).collect();
                clustering.ids_in_order(&all)?.iter().map(|id| label_of(id)).collect()
            }
            Some(h) => {
                let column = fetched.column(&fetched.name_of(&FieldName::one(h))).unwrap_or_default();
                if !column.is_empty() && column.iter().all(Value::is_number) {
                    return Err(plot_error("Metadata field on horizontal axis can not be numerical"));
                }
                let keys = MetadataFrame::of(input)
                    .column(h)
                    .ok_or_else(|| plot_error(format!("Metadata field {h} not found")))?;
                let mut out = Vec::new();
                for rows in groups(&keys) {
                    if rows.len() <= 3 {
                        // too few to cluster
                        let mut group: Vec<String> = rows.iter().filter_map(|&i| labels.get(i).cloned()).collect();
                        group.sort();
                        out.extend(group);
                    } else {
                        out.extend(clustering.ids_in_order(&rows)?.iter().map(|id| label_of(id)));
                    }
                }
                out
            }
        },
    };
    warnings.append(&mut clustering.warnings);

    // the rows: for each taxon, for each sample
    let metric_name = r.value_name;
    let nr = m.n_rows();
    let mut rows: Vec<(usize, Map<String, Value>)> = Vec::with_capacity(nr * m.n_cols());
    for (col, tax_id) in m.column_ids.iter().enumerate() {
        for (row, id) in m.row_ids.iter().enumerate() {
            let mut rec = Map::new();
            rec.insert("classification_id".into(), id.as_str().into());
            rec.insert("tax_id".into(), tax_id.as_str().into());
            rec.insert(metric_name.into(), float(m.values[row * m.n_cols() + col]));
            rec.insert("Label".into(), labels.get(row).cloned().unwrap_or_default().into());
            rec.insert("tax_name".into(), tax_names[col].as_str().into());
            for name in &tooltip_columns {
                let v = fetched.column(name).and_then(|c| c.get(row)).cloned().unwrap_or(Value::Null);
                rec.insert(name.clone(), v);
            }
            match o.link {
                Link::Ocx => rec.insert("url".into(), input.classification_url(id).into()),
                Link::Ncbi => rec.insert("url".into(), ncbi_url(tax_id).into()),
            };
            rows.push((row, rec));
        }
    }

    // Abundance metrics: the samples without abundances go last, in the data and on the axis
    // (their cells stay empty; the others' missing cells are 0). The client removes each one
    // from the very list it gave as the axis order and appends it to a copy, which is what
    // the width counts.
    let mut n_columns = labels_in_order.len();
    if metric.is_abundance() {
        for id in &without {
            let label = label_of(id);
            let Some(at) = labels_in_order.iter().position(|l| *l == label) else {
                return Err(plot_error(format!("{label} is not in the x-axis order")));
            };
            labels_in_order.remove(at);
        }
        n_columns = labels_in_order.len() + without.len();
        let slots: Vec<Option<usize>> = m.row_ids.iter().map(|id| without.iter().position(|w| w == id)).collect();
        rows = without_abundances_last(rows, &slots, metric_name);
    }
    let rows: Vec<Value> = rows.into_iter().map(|(_, rec)| Value::Object(rec)).collect();

    // encodings
    let mut tooltip_fields: Vec<String> = tooltip_columns.clone();
    tooltip_fields.insert(1.min(tooltip_fields.len()), "tax_name".into());
    tooltip_fields.insert(2.min(tooltip_fields.len()), format!("{metric_name}:Q"));
    let legend = if o.legend == "auto" { metric_name.to_owned() } else { o.legend.clone() };
    let mut x = field("Label", "nominal");
    x.insert("axis".into(), json!({ "title": o.xlabel }));
    x.insert("sort".into(), json!(labels_in_order));
    let mut y = field("tax_name", "nominal");
    y.insert("axis".into(), json!({ "title": o.ylabel }));
    y.insert("sort".into(), json!(taxa_order));
    let mut color = field(metric_name, "quantitative");
    color.insert("legend".into(), json!({ "title": legend }));
    let mut encoding = Map::new();
    encoding.insert("x".into(), Value::Object(x));
    encoding.insert("y".into(), Value::Object(y));
    encoding.insert("color".into(), Value::Object(color));
    encoding.insert("tooltip".into(), tooltip_fields.iter().map(|t| spec::tooltip_entry(&rows, t)).collect());
    encoding.insert("href".into(), Value::Object(field("url", "nominal")));
    if let Some(h) = haxis {
        encoding.insert("column".into(), spec::facet_column(field(h, spec::column_type(&rows, h)), h));
    }

    let (data, dataset) = named_data(rows);
    let mut body = Map::new();
    body.insert("data".into(), data);
    body.insert("mark".into(), json!({ "type": "rect" }));
    body.insert("encoding".into(), Value::Object(encoding));
    let height = o.height.filter(|&h| h != 0.0).unwrap_or(15.0 * taxa_order.len() as f64);
    let width = o.width.filter(|&w| w != 0.0).unwrap_or(15.0 * n_columns as f64);
    spec::set_props(&mut body, o.title.as_deref(), Some(width), Some(height));
    if haxis.is_some() {
        body.insert("resolve".into(), json!({ "scale": { "x": "independent" } }));
    }
    Ok(Chart { spec: spec::top_level(body, vec![dataset]), warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_n_and_threshold_resolve_as_the_client_does() {
        use AutoNumber::*;
        assert_eq!(taxa_limits(Auto, Auto).unwrap(), (Some(10), None));
        assert_eq!(taxa_limits(Auto, Value(0.1)).unwrap(), (None, Some(0.1)));
        assert_eq!(taxa_limits(Value(5.0), Auto).unwrap(), (Some(5), None));
        assert_eq!(taxa_limits(Value(5.0), Value(0.1)).unwrap(), (Some(5), Some(0.1)));
        assert!(taxa_limits(Off, Off).is_err());
        assert!(taxa_limits(Value(2.5), Auto).is_err());
    }

    #[test]
    fn groups_sort_as_pandas_with_missing_last() {
        let mut keys = vec![json!("b"), Value::Null, json!("a"), json!(2), json!(1.5)];
        keys.sort_by(group_order);
        assert_eq!(keys, vec![json!(1.5), json!(2), json!("a"), json!("b"), Value::Null]);
    }

    #[test]
    fn taxa_cluster_by_their_profiles_across_samples() {
        // Taxa 0 and 2 rise together; 1 is the odd one out. The all-NaN sample is left out.
        let m = Matrix {
            row_ids: vec!["s1".into(), "s2".into(), "s3".into()],
            column_ids: vec!["t0".into(), "t1".into(), "t2".into()],
            column_names: vec![String::new(); 3],
            values: vec![0.1, 0.9, 0.12, 0.8, 0.0, 0.79, f64::NAN, f64::NAN, f64::NAN],
        };
        let order = taxa_in_order(&m, "average").unwrap();
        assert_eq!(order, vec![1, 0, 2]);
    }

    fn heatmap(options: Value) -> Result<Chart> {
        let (c, meta) = super::super::clustering::fixture::collection();
        plot_heatmap(&PlotInput::new(&c, &meta, "https://app.example"), &options)
    }

    #[test]
    fn samples_without_abundances_come_last_with_empty_cells() {
        let chart = heatmap(json!({ "rank": "genus" })).unwrap();
        let sort = chart.spec["encoding"]["x"]["sort"].as_array().unwrap().clone();
        assert_eq!(sort.len(), 5);
        assert_eq!(sort[4], json!("s5.fq"));
        let rows = chart.rows();
        assert_eq!(rows.len(), 20);
        // the last sample's rows last, its values missing; every other cell has a value
        assert!(rows[16..].iter().all(|r| r["Label"] == "s5.fq" && r["Relative Abundance"].is_null()));
        assert!(rows[..16].iter().all(|r| r["Relative Abundance"].is_number()));
        assert_eq!(rows[0]["url"], json!("https://app.example/classification/s1"));
        // 15 px a taxon; the width counts s5 twice, as the client does
        assert_eq!(chart.spec["height"], json!(60));
        assert_eq!(chart.spec["width"], json!(90));
    }

    #[test]
    fn groups_of_three_or_fewer_are_sorted_by_label() {
        let chart = heatmap(json!({ "rank": "genus", "metric": "readcount_w_children", "haxis": "site" })).unwrap();
        assert_eq!(chart.spec["encoding"]["x"]["sort"], json!(["s1.fq", "s2.fq", "s3.fq", "s4.fq", "s5.fq"]));
        assert_eq!(chart.spec["encoding"]["column"]["field"], json!("site"));
        assert_eq!(chart.spec["resolve"], json!({ "scale": { "x": "independent" } }));
        let tips: Vec<&str> = chart.spec["encoding"]["tooltip"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["field"].as_str().unwrap())
            .collect();
        assert_eq!(tips, ["Label", "tax_name", "Readcount With Children", "site"]);
    }

    #[test]
    fn given_orders_and_ncbi_links() {
        let taxa = json!(["Genus3 (14)", "Genus2 (13)", "Genus1 (12)", "Genus0 (11)"]);
        let samples = json!(["s5.fq", "s4.fq", "s3.fq", "s2.fq", "s1.fq"]);
        let chart = heatmap(json!({ "rank": "genus", "metric": "readcount_w_children", "sortX": samples,
            "sortY": taxa, "link": "ncbi" }))
        .unwrap();
        assert_eq!(chart.spec["encoding"]["x"]["sort"], samples);
        assert_eq!(chart.spec["encoding"]["y"]["sort"], taxa);
        let rows = chart.rows();
        let row = rows.iter().find(|r| r["tax_id"] == "11").unwrap();
        assert_eq!(row["url"], json!("https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id=11"));
    }

    #[test]
    fn impossible_options_are_refused() {
        for bad in [
            json!({ "topN": null, "threshold": null }),
            json!({ "rank": "genus", "topN": 1 }),
            json!({ "rank": "genus", "linkage": "ward" }),
            json!({ "rank": "genus", "haxis": "no_such_field" }),
            json!({ "rank": "genus", "sortX": ["s1.fq"] }),
            json!({ "rank": "genus", "diversityMetric": "minkowski" }),
            json!({ "rank": "genus", "colour": "site" }),
        ] {
            let e = heatmap(bad.clone()).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
