//! `plot_bargraph`: stacked bars of the top taxa per sample (or per group's mean), `Other` and
//! `No <rank>` first in the legend, optionally faceted by a metadata field.

use super::fields::{metadata_fetch, FieldName, LabelOption, MetadataFrame, ResultsFrame};
use super::spec::{self, field, float, named_data, set_props, sort_helper, SortOption};
use super::theme::{interleave_palette, Palette};
use super::{parse_options, plot_error, Chart, PlotInput};
use crate::error::Result;
use crate::results::collection::sort_desc_by_key;
use crate::results::{Matrix, MatrixOptions, MetricOption, RankOption};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// A number, `"auto"`, or nothing (`null`/`false`/`0`), as `top_n` and `threshold` take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum AutoNumber {
    Auto,
    Off,
    Value(f64),
}

impl<'de> Deserialize<'de> for AutoNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if s == "auto" => Ok(AutoNumber::Auto),
            Value::Null | Value::Bool(false) => Ok(AutoNumber::Off),
            Value::Number(n) if n.as_f64() == Some(0.0) => Ok(AutoNumber::Off),
            Value::Number(n) => Ok(AutoNumber::Value(n.as_f64().unwrap_or(f64::NAN))),
            other => Err(serde::de::Error::custom(format!("expected a number, \"auto\" or null, got {other}"))),
        }
    }
}

/// A tooltip: one field or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Tooltip {
    One(String),
    Many(Vec<FieldName>),
}

impl Tooltip {
    pub fn fields(t: &Option<Tooltip>) -> Vec<FieldName> {
        match t {
            None => Vec::new(),
            Some(Tooltip::One(s)) if s.is_empty() => Vec::new(),
            Some(Tooltip::One(s)) => vec![FieldName::One(s.clone())],
            Some(Tooltip::Many(v)) => v.clone(),
        }
    }
}

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
    haxis: Option<String>,
    /// A title, `"auto"` (the metric's name), or a Vega-Lite legend object.
    legend: Value,
    label: Option<LabelOption>,
    sort_x: SortOption,
    include_taxa_missing_rank: Option<bool>,
    include_other: bool,
    width: Option<f64>,
    height: Option<f64>,
    group_by: Option<String>,
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
            haxis: None,
            legend: Value::from("auto"),
            label: None,
            sort_x: SortOption::None,
            include_taxa_missing_rank: None,
            include_other: true,
            width: None,
            height: None,
            group_by: None,
            link: Link::Ocx,
            match_taxonomy: true,
        }
    }
}

/// Where a click on a mark goes: the classification in the web app, or the taxon at NCBI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Link {
    Ocx,
    Ncbi,
}

/// The Python client's `get_ncbi_taxonomy_browser_url` ("" for Other, No genus, custom ids).
pub(crate) fn ncbi_url(tax_id: &str) -> String {
    match tax_id.trim().parse::<i64>() {
        Ok(t) if (t as f64) < 2e9 => format!("https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={t}"),
        _ => String::new(),
    }
}

/// Python's `get_unique_column`: `_` prepended until the name is free.
pub(crate) fn unique_column(preferred: &str, existing: &[String]) -> String {
    let mut name = preferred.to_owned();
    while existing.contains(&name) {
        name.insert(0, '_');
    }
    name
}

/// The Vega-Lite legend of the `legend` option: a title (`"auto"`: `auto_title`) or an object.
pub(crate) fn legend_of(legend: &Value, auto_title: &str) -> Result<Value> {
    match legend {
        Value::String(s) => {
            let title = if s == "auto" { auto_title } else { s };
            Ok(json!({ "labelLimit": 0, "symbolLimit": 40, "title": title }))
        }
        Value::Object(_) => Ok(legend.clone()),
        other => Err(plot_error(format!("`legend` must be a string or a Vega-Lite legend object, not {other}"))),
    }
}

/// Which taxa a bar graph keeps ([`bargraph_table`]); both `None` means the Python default, top 10.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TaxaSelection {
    pub top_n: Option<usize>,
    pub threshold: Option<f64>,
    /// Add `Other` = row total − kept (0 for all-zero rows). Only meaningful for normalised data.
    pub include_other: bool,
}

/// Top-N (by column **mean**) or threshold (column max ≥ t) selection of a full matrix, plus an
/// `Other` column. Feed it a matrix built without `top_n`/`threshold`.
pub fn bargraph_table(m: &Matrix, opts: &TaxaSelection) -> Matrix {
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

/// Per-group means of `m`'s rows, each rescaled to sum to 1 (0 where a group's sum is 0). Groups
/// are sorted as pandas sorts them, a missing value last as `N/A`.
fn group_means(m: &Matrix, keys: &[Value]) -> (Vec<Value>, Matrix) {
    let mut groups: Vec<Value> = Vec::new();
    for k in keys {
        if !groups.contains(k) {
            groups.push(k.clone());
        }
    }
    groups.sort_by(|a, b| match (a, b) {
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        (Value::Null, _) => std::cmp::Ordering::Greater,
        (_, Value::Null) => std::cmp::Ordering::Less,
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(f64::NAN).total_cmp(&y.as_f64().unwrap_or(f64::NAN))
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.as_str().unwrap_or_default().cmp(b.as_str().unwrap_or_default()),
    });
    let nc = m.n_cols();
    let mut values = vec![0.0; groups.len() * nc];
    for (g, key) in groups.iter().enumerate() {
        let members: Vec<usize> = (0..keys.len()).filter(|&r| keys[r] == *key).collect();
        let row = &mut values[g * nc..(g + 1) * nc];
        for &r in &members {
            for (c, v) in m.row(r).iter().enumerate() {
                row[c] += if v.is_nan() { 0.0 } else { *v };
            }
        }
        row.iter_mut().for_each(|v| *v /= members.len() as f64);
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v = if sum == 0.0 { 0.0 } else { *v / sum });
    }
    let labels = groups.into_iter().map(|g| if g.is_null() { Value::from("N/A") } else { g }).collect::<Vec<_>>();
    let row_ids = labels.iter().map(spec::display).collect();
    (labels, Matrix { row_ids, column_ids: m.column_ids.clone(), column_names: m.column_names.clone(), values })
}

/// `plot_bargraph(...)` of the Python client, as a spec.
pub fn plot_bargraph(input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: Options = parse_options("plotBargraph", options)?;
    if o.top_n == AutoNumber::Off && o.threshold == AutoNumber::Off {
        return Err(plot_error("Please specify at least one of: threshold, top_n"));
    }
    let grouped = o.group_by.as_deref().filter(|g| !g.is_empty());
    if grouped.is_some()
        && (o.tooltip.is_some()
            || o.haxis.is_some()
            || o.label.is_some()
            || input.label_fn.is_some()
            || !matches!(o.sort_x, SortOption::None)
            || input.sort_x_fn.is_some())
    {
        return Err(plot_error("`tooltip`, `haxis`, `label`, and `sort_x` are not supported with `group_by`."));
    }
    let c = input.collection;
    let metric = match MetricOption::parse(&o.metric)? {
        MetricOption::Auto => c.automatic_metric(),
        MetricOption::Metric(m) => m,
    };
    let include_missing = o.include_taxa_missing_rank.unwrap_or(metric.includes_children());
    if c.is_empty() {
        return Err(plot_error(
            "There are too few samples for bargraph plots after filtering. Please select 1 or more samples to plot.",
        ));
    }
    let r = c.shared_matrix(&MatrixOptions {
        rank: RankOption::parse(&o.rank)?,
        metric: MetricOption::Metric(metric),
        include_taxa_missing_rank: include_missing,
        ..MatrixOptions::default()
    })?;
    let mut metric_name = r.value_name.to_owned();
    let frame = MetadataFrame::of(input);
    let (group_labels, full) = match grouped {
        Some(g) => {
            let keys = frame.column(g).unwrap_or_else(|| vec![Value::Null; c.len()]);
            metric_name = format!("Mean {metric_name}");
            let (labels, m) = group_means(&r.matrix, &keys);
            (Some(labels), m)
        }
        None => (None, r.matrix.clone()),
    };
    let (top_n, threshold) = match (o.top_n, o.threshold) {
        (AutoNumber::Auto, AutoNumber::Auto) => (Some(10.0), None),
        (AutoNumber::Auto, AutoNumber::Value(t)) => (None, Some(t)),
        (AutoNumber::Value(n), AutoNumber::Auto) => (Some(n), None),
        (n, t) => (
            if let AutoNumber::Value(n) = n { Some(n) } else { None },
            if let AutoNumber::Value(t) = t { Some(t) } else { None },
        ),
    };
    let top_n = match top_n {
        Some(n) if n.fract() != 0.0 || n < 0.0 => return Err(plot_error("`top_n` must be a whole number")),
        n => n.map(|n| n as usize),
    };
    let table = bargraph_table(&full, &TaxaSelection { top_n, threshold, include_other: o.include_other });
    let legend = legend_of(&o.legend, &metric_name)?;

    // tooltip fields, and the metadata joined to each row
    let mut tooltip: Vec<FieldName> = Tooltip::fields(&o.tooltip);
    let (index_name, id_values, metadata_columns) = match (grouped, &group_labels) {
        (Some(g), Some(labels)) => {
            tooltip.push(FieldName::one(g));
            (g.to_owned(), labels.clone(), Vec::new())
        }
        _ => {
            tooltip.insert(0, FieldName::one("Label"));
            if let Some(h) = &o.haxis {
                tooltip.push(FieldName::one(h));
            }
            let fetched = metadata_fetch(
                input,
                &tooltip,
                &ResultsFrame { matrix: &table, metric },
                o.label.as_ref(),
                o.match_taxonomy,
                true,
            )?;
            tooltip = tooltip.iter().map(|f| FieldName::One(fetched.tooltip_name(f))).collect();
            let ids = table.row_ids.iter().map(|s| Value::from(s.as_str())).collect();
            ("classification_id".to_owned(), ids, fetched.columns)
        }
    };
    let mut id_vars = vec![index_name.clone()];
    id_vars.extend(metadata_columns.iter().map(|(n, _)| n.clone()));
    let tax_id_column = unique_column("tax_id", &id_vars);
    let tax_name_column = unique_column("tax_name", &id_vars);
    let mut tooltip: Vec<String> = tooltip.into_iter().map(|f| f.joined()).collect();
    tooltip.insert(1, tax_name_column.clone());
    tooltip.insert(2, format!("{metric_name}:Q"));

    // melt: every row of the first taxon, then of the next …
    let tax = c.taxonomy(false);
    let tax_names: Vec<String> = table
        .column_ids
        .iter()
        .map(|t| match tax.index_of(t) {
            Some(i) => format!("{} ({t})", tax.name(i).unwrap_or("None")),
            None => t.clone(),
        })
        .collect();
    let no_level = format!("No {}", r.rank.as_str());
    let mut domain: Vec<String> = tax_names.clone();
    domain.sort();
    domain.dedup();
    let distinct = domain.iter().filter(|d| **d != "Other" && **d != no_level).count();
    let mut range = interleave_palette(distinct, &Palette::Ocx);
    if include_missing && domain.contains(&no_level) {
        domain.retain(|d| *d != no_level);
        domain.insert(0, no_level.clone());
        range.insert(0, "#eeefe1".into());
    }
    if o.include_other && domain.contains(&"Other".to_owned()) {
        domain.retain(|d| d != "Other");
        domain.insert(0, "Other".into());
        range.insert(0, "#DCE0E5".into());
    }
    let nr = table.n_rows();
    let mut rows = Vec::with_capacity(nr * table.n_cols());
    for (col, tax_id) in table.column_ids.iter().enumerate() {
        let order = domain.iter().position(|d| *d == tax_names[col]).unwrap_or_default();
        for row in 0..nr {
            let mut rec = Map::new();
            rec.insert(index_name.clone(), id_values[row].clone());
            for (name, values) in &metadata_columns {
                rec.insert(name.clone(), values[row].clone());
            }
            rec.insert(tax_id_column.clone(), tax_id.as_str().into());
            rec.insert(metric_name.clone(), float(table.values[row * table.n_cols() + col]));
            rec.insert(tax_name_column.clone(), tax_names[col].as_str().into());
            rec.insert("order".into(), order.into());
            match o.link {
                Link::Ocx if grouped.is_none() => {
                    rec.insert("url".into(), input.classification_url(&table.row_ids[row]).into());
                }
                Link::Ncbi => {
                    rec.insert("url".into(), ncbi_url(tax_id).into());
                }
                Link::Ocx => {}
            }
            rows.push(Value::Object(rec));
        }
    }

    let x_field = grouped.unwrap_or("Label");
    let sort_order = match grouped {
        Some(_) => Value::Null,
        None => {
            let labels: Vec<String> =
                rows.iter().map(|r| r.get("Label").map(spec::display).unwrap_or_default()).collect();
            sort_helper(&o.sort_x, input.sort_x_fn, &labels, "sort_x")?
        }
    };
    let mut y_scale = json!({ "nice": false, "zero": true });
    if metric.is_normalized() {
        y_scale["domain"] = json!([0, 1]);
    }
    let mut x = field(x_field, spec::column_type(&rows, x_field));
    x.insert("axis".into(), json!({ "title": o.xlabel.clone().unwrap_or_else(|| grouped.unwrap_or("").to_owned()) }));
    x.insert("sort".into(), sort_order);
    let mut y = field(&metric_name, "quantitative");
    y.insert("axis".into(), json!({ "title": o.ylabel.clone().unwrap_or_else(|| metric_name.clone()) }));
    y.insert("scale".into(), y_scale);
    let mut color = field(&tax_name_column, "nominal");
    color.insert("legend".into(), legend);
    color.insert("scale".into(), json!({ "domain": domain, "range": range }));
    color.insert("sort".into(), json!(domain));
    let mut encoding = Map::new();
    encoding.insert("x".into(), Value::Object(x));
    encoding.insert("y".into(), Value::Object(y));
    encoding.insert("color".into(), Value::Object(color));
    encoding.insert("tooltip".into(), tooltip.iter().map(|t| spec::tooltip_entry(&rows, t)).collect());
    encoding.insert("order".into(), json!({ "field": "order", "sort": "descending", "type": "quantitative" }));
    if let Some(h) = &o.haxis {
        encoding.insert("column".into(), spec::facet_column(field(h, spec::column_type(&rows, h)), h));
    }
    if o.link == Link::Ncbi || grouped.is_none() {
        encoding.insert("href".into(), Value::Object(field("url", "nominal")));
    }
    let (data, dataset) = named_data(rows);
    let mut body = Map::new();
    body.insert("data".into(), data);
    body.insert("mark".into(), json!({ "type": "bar" }));
    body.insert("encoding".into(), Value::Object(encoding));
    if o.haxis.is_some() {
        body.insert("resolve".into(), json!({ "scale": { "x": "independent" } }));
    }
    set_props(&mut body, o.title.as_deref(), o.width, o.height);
    Ok(Chart { spec: spec::top_level(body, vec![dataset]), warnings: r.warnings.clone() })
}
