//! `plot_metadata`: a metadata field (or a taxon's abundance) on the horizontal axis against an
//! alpha diversity, a numeric field or a taxon's abundance on the vertical one, as a boxplot or a
//! scatter plot chosen from the horizontal field's type.

use super::fields::{metadata_fetch, FieldName, LabelOption, MetadataFetch, MetadataFrame, ResultsFrame};
use super::spec::{self, field, named_data, number, sort_helper, SortOption};
use super::{parse_options, plot_error, Chart, PlotInput};
use crate::ecology::collection::{alpha_diversity, MatrixChoice};
use crate::ecology::metrics::AlphaMetric;
use crate::error::Result;
use crate::results::{MatrixOptions, MetricOption, RankOption, Warning};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// The client's automatic box widths: the nominal width shared by the boxes, in steps of 5 px
/// between 5 and 45.
const MAX_BOXPLOT_SIZE: i64 = 45;
const MIN_BOXPLOT_SIZE: i64 = 5;
const BOXPLOT_SIZE_INCREMENT: i64 = 5;
const NOMINAL_BOXPLOT_WIDTH: i64 = 400;

/// The metadata fields the client's sample model types as date-times (pandas reads them as
/// datetime columns when any value is set).
pub(super) const DATETIME_FIELDS: [&str; 4] = ["date_collected", "date_sequenced", "updated_at", "created_at"];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Options {
    rank: String,
    metric: String,
    haxis: FieldName,
    vaxis: String,
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    plot_type: String,
    label: Option<LabelOption>,
    sort_x: SortOption,
    /// A number, `"container"`, or null for none (default 200).
    width: Value,
    /// A number, `"container"`, or null for none (default 400).
    height: Value,
    facet_by: Option<FieldName>,
    coerce_haxis_dates: bool,
    secondary_haxis: Option<FieldName>,
    match_taxonomy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rank: "auto".into(),
            metric: "auto".into(),
            haxis: FieldName::one("Label"),
            vaxis: "shannon".into(),
            title: None,
            xlabel: None,
            ylabel: None,
            plot_type: "auto".into(),
            label: None,
            sort_x: SortOption::None,
            width: json!(200),
            height: json!(400),
            facet_by: None,
            coerce_haxis_dates: true,
            secondary_haxis: None,
            match_taxonomy: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlotType {
    Auto,
    BoxPlot,
    Scatter,
}

impl PlotType {
    fn parse(s: &str) -> Result<PlotType> {
        match s {
            "auto" => Ok(PlotType::Auto),
            "boxplot" => Ok(PlotType::BoxPlot),
            "scatter" => Ok(PlotType::Scatter),
            _ => Err(plot_error("Plot type must be one of: auto, boxplot, scatter")),
        }
    }
}

/// What pandas makes of a column, as far as the plot cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Numeric,
    /// Values are already ISO strings (`isoformat()`), missing ones null.
    Datetime,
    /// Strings, booleans, mixed or missing values: the client's "categorical metadata".
    Categorical,
}

/// A column of the plot's data frame: one value per member of the collection.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    values: Vec<Value>,
    kind: Kind,
    /// Missing values were filled with `N/A` (pandas then no longer has a numeric or date dtype).
    filled: bool,
}

/// `Timestamp.isoformat()` of a date-time or date string in UTC (naive ones are UTC, as
/// `pd.to_datetime(utc=True)` reads them): `YYYY-MM-DDTHH:MM:SS[.ffffff|.fffffffff]+00:00`.
pub(super) fn python_isoformat(s: &str) -> Option<String> {
    let s = s.trim();
    let full;
    let text = if s.len() == 10 {
        full = format!("{s}T00:00:00");
        &full
    } else {
        s
    };
    let (secs, nanos) = crate::time::instant(text)?;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, mo, d) = crate::time::civil_from_days(days);
    let frac = match nanos {
        0 => String::new(),
        n if n % 1000 == 0 => format!(".{:06}", n / 1000),
        n => format!(".{n:09}"),
    };
    Some(format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{frac}+00:00", rem / 3600, rem % 3600 / 60, rem % 60))
}

/// `pd.to_datetime(values, utc=True)` for the dates a metadata field holds as text.
fn coerce_dates(name: &str, values: &[Value]) -> Result<Vec<Value>> {
    values
        .iter()
        .map(|v| match v {
            Value::Null => Ok(Value::Null),
            Value::String(s) => python_isoformat(s).map(Value::from).ok_or_else(|| {
                plot_error(format!("{name}: \"{s}\" is not a date (YYYY-MM-DD or an ISO 8601 date-time)"))
            }),
            other => Err(plot_error(format!("{name}: {other} is not a date; pass coerceHaxisDates: false"))),
        })
        .collect()
}

/// The dtype of a fetched field: taxa are abundances, metadata fields as pandas reads the
/// collection's metadata, joined fields, `Label` and fields matching nothing are text.
fn kind_of(frame: &MetadataFrame, fetched: &MetadataFetch, f: &FieldName) -> Kind {
    if fetched.taxonomy_fields.contains(f) {
        return Kind::Numeric;
    }
    let FieldName::One(s) = f else { return Kind::Categorical };
    match frame.position(s) {
        Some(_) if s == "Label" => Kind::Categorical,
        Some(c) if DATETIME_FIELDS.contains(&s.as_str()) && is_datetime(frame, c) => Kind::Datetime,
        Some(c) if frame.is_numeric(c) => Kind::Numeric,
        _ => Kind::Categorical,
    }
}

/// A date-time field with at least one value, every value a date-time.
pub(super) fn is_datetime(frame: &MetadataFrame, c: usize) -> bool {
    let mut set = frame.rows.iter().map(|r| &r[c]).filter(|v| !v.is_null()).peekable();
    set.peek().is_some() && set.all(|v| v.as_str().and_then(python_isoformat).is_some())
}

/// The columns of a fetch, each once, in the order fetched.
fn columns_of(frame: &MetadataFrame, fetched: &MetadataFetch) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    for (f, name) in &fetched.renamed {
        if out.iter().any(|c| c.name == *name) {
            continue;
        }
        let values = fetched.column(name).map(<[Value]>::to_vec).unwrap_or_default();
        let kind = kind_of(frame, fetched, f);
        let values = match kind {
            Kind::Datetime => {
                values.iter().map(|v| v.as_str().and_then(python_isoformat).map_or(Value::Null, Value::from)).collect()
            }
            _ => values,
        };
        out.push(Column { name: name.clone(), values, kind, filled: false });
    }
    out
}

/// Distinct values as `Series.unique()` counts them (missing ones are one value).
fn distinct(values: impl Iterator<Item = Value>) -> usize {
    let mut seen = HashSet::new();
    values
        .filter(|v| {
            let key = match v {
                Value::Number(n) => format!("n{}", n.as_f64().unwrap_or(f64::NAN)),
                other => other.to_string(),
            };
            seen.insert(key)
        })
        .count()
}

/// The Vega-Lite type Altair infers for a column of the data.
fn vl_type(col: &Column, rows: &[usize]) -> &'static str {
    match (col.kind, col.filled) {
        (Kind::Datetime, false) => "temporal",
        (Kind::Numeric, false) => "quantitative",
        _ => spec::infer_type(rows.iter().map(|&r| &col.values[r])),
    }
}

/// A chart's width or height as `prepare_props` passes it: a number or `"container"`, left out
/// when null, zero or empty.
fn size_prop(what: &str, v: &Value) -> Result<Option<Value>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(None),
        Value::Number(n) => Ok(Some(number(n.as_f64().unwrap_or_default()))),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) if s == "container" => Ok(Some(v.clone())),
        other => Err(plot_error(format!("`{what}` must be a number or \"container\", not {other}"))),
    }
}

fn non_empty(f: &Option<FieldName>) -> Option<&FieldName> {
    f.as_ref().filter(|f| match f {
        FieldName::One(s) => !s.is_empty(),
        FieldName::Joined(v) => !v.is_empty(),
    })
}

/// `plot_metadata(...)` of the Python client, as a spec.
pub fn plot_metadata(input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: Options = parse_options("plotMetadata", options)?;
    let c = input.collection;
    let metric = match MetricOption::parse(&o.metric)? {
        MetricOption::Auto => c.automatic_metric(),
        MetricOption::Metric(m) => m,
    };
    let rank = RankOption::parse(&o.rank)?;
    if c.is_empty() {
        return Err(plot_error(
            "There are too few samples for metadata plots after filtering. Please select 1 or more samples to plot.",
        ));
    }
    let mut plot_type = PlotType::parse(&o.plot_type)?;
    let facet_by = non_empty(&o.facet_by);
    let secondary = non_empty(&o.secondary_haxis);
    if Some(&o.haxis) == secondary {
        return Err(plot_error("`haxis` and `secondary_haxis` cannot be the same field(s)."));
    }
    let width = size_prop("width", &o.width)?;
    let height = size_prop("height", &o.height)?;
    let results =
        c.shared_matrix(&MatrixOptions { rank, metric: MetricOption::Metric(metric), ..MatrixOptions::default() })?;
    let mut warnings = results.warnings.clone();
    let results_frame = ResultsFrame { matrix: &results.matrix, metric };

    // the horizontal axis, Label, the facets and the secondary axis
    let mut fields = vec![o.haxis.clone(), FieldName::one("Label")];
    fields.extend(facet_by.cloned());
    fields.extend(secondary.cloned());
    let frame = MetadataFrame::of(input);
    let fetched = metadata_fetch(input, &fields, &results_frame, o.label.as_ref(), o.match_taxonomy, true)?;
    let mut columns = columns_of(&frame, &fetched);
    let name_of = |f: &FieldName| fetched.name_of(f);
    let haxis = name_of(&o.haxis);

    // the vertical axis: an alpha diversity, or a numeric field or taxon
    let ids = c.classification_ids();
    let (vaxis, exclude_without_abundances) = match AlphaMetric::parse(&o.vaxis) {
        Ok(diversity) => {
            let alpha = alpha_diversity(c, diversity, MatrixChoice { rank, metric: MetricOption::Metric(metric) })?;
            for w in alpha.warnings {
                if !warnings.iter().any(|x| x.message == w.message) {
                    warnings.push(w);
                }
            }
            let values = ids
                .iter()
                .map(|id| {
                    let at = alpha.classification_ids.iter().position(|a| a == id);
                    at.map_or(Value::Null, |i| spec::float(alpha.values[i]))
                })
                .collect();
            columns.retain(|col| col.name != o.vaxis);
            columns.push(Column { name: o.vaxis.clone(), values, kind: Kind::Numeric, filled: false });
            (o.vaxis.clone(), metric.is_abundance())
        }
        Err(_) => {
            // fetched on its own, without the label
            let plain = PlotInput { label_fn: None, sort_x_fn: None, sort_y_fn: None, ..*input };
            let field = FieldName::One(o.vaxis.clone());
            let vert =
                metadata_fetch(&plain, std::slice::from_ref(&field), &results_frame, None, o.match_taxonomy, true)?;
            let Some(col) = columns_of(&frame, &vert).into_iter().next() else {
                return Err(plot_error("Metadata field on vertical axis must be numerical"));
            };
            if col.kind != Kind::Numeric {
                return Err(plot_error("Metadata field on vertical axis must be numerical"));
            }
            let name = col.name.clone();
            // (the client would hold the column twice and fail; it is one column here)
            columns.retain(|c| c.name != name);
            columns.push(col);
            (name, vert.taxonomy_fields.contains(&field))
        }
    };
    let vcol = columns.iter().position(|c| c.name == vaxis).unwrap_or_default();
    let mut rows: Vec<usize> = (0..ids.len()).filter(|&r| !columns[vcol].values[r].is_null()).collect();
    let without = c.classification_ids_without_abundances();
    if exclude_without_abundances && !without.is_empty() {
        rows.retain(|&r| !without.contains(&ids[r]));
        if rows.is_empty() {
            return Err(plot_error(
                "Abundances are not calculated for any of the selected samples. Please select a different metric or a different set of samples to plot.",
            ));
        }
        warnings.push(Warning::new(
            "no_abundances_omitted",
            format!(
                "{} sample(s) have no abundances calculated and have been omitted from the metadata plot.",
                without.len()
            ),
        ));
    }

    // the plot's type follows the horizontal axis' type
    let hcol = columns.iter().position(|c| c.name == haxis).unwrap_or_default();
    let auto = plot_type == PlotType::Auto;
    if columns[hcol].kind == Kind::Datetime {
        if auto {
            plot_type = PlotType::BoxPlot;
        }
    } else if haxis.split('_').any(|p| p == "date") {
        if o.coerce_haxis_dates {
            let col = &mut columns[hcol];
            col.values = coerce_dates(&haxis, &col.values)?;
            col.kind = Kind::Datetime;
        }
        if auto {
            plot_type = PlotType::BoxPlot;
        }
    } else if columns[hcol].kind == Kind::Categorical {
        for col in columns.iter_mut() {
            for &r in &rows {
                if col.values[r].is_null() {
                    col.values[r] = Value::from("N/A");
                    col.filled = true;
                }
            }
        }
        if auto {
            // one value per sample: a scatter plot rather than boxes of one
            let n = distinct(rows.iter().map(|&r| columns[hcol].values[r].clone()));
            plot_type = if n == rows.len() { PlotType::Scatter } else { PlotType::BoxPlot };
        }
    } else if auto {
        plot_type = PlotType::Scatter;
    }

    let xlabel = o.xlabel.clone().unwrap_or_else(|| if facet_by.is_some() { String::new() } else { haxis.clone() });
    let ylabel = o.ylabel.clone().unwrap_or_else(|| vaxis.clone());
    let column_at = |name: &str| columns.iter().find(|c| c.name == name);
    let typed = |name: &str| -> Map<String, Value> {
        let ty = column_at(name).map_or("nominal", |c| vl_type(c, &rows));
        field(name, ty)
    };

    let mut encoding = Map::new();
    if let Some(f) = facet_by {
        let name = name_of(f);
        encoding.insert("column".into(), spec::facet_column(typed(&name), &name));
    }
    if let Some(f) = secondary {
        let name = name_of(f);
        encoding.insert("xOffset".into(), Value::Object(typed(&name)));
        encoding.insert("color".into(), Value::Object(typed(&name)));
    }
    let mut x = typed(&haxis);
    x.insert("axis".into(), json!({ "title": xlabel }));
    let mut y = typed(&vaxis);
    y.insert("axis".into(), json!({ "title": ylabel }));

    let record = |r: usize| -> Map<String, Value> {
        let mut rec = Map::new();
        for col in &columns {
            let v = match (&col.values[r], col.kind) {
                (Value::Null, Kind::Datetime) => Value::from(""),
                (v, _) => v.clone(),
            };
            rec.insert(col.name.clone(), v);
        }
        rec
    };
    let mut body = Map::new();
    let data_rows: Vec<Value> = match plot_type {
        PlotType::Scatter => {
            let labels: Vec<String> = rows.iter().map(|&r| spec::display(&columns[hcol].values[r])).collect();
            x.insert("sort".into(), sort_helper(&o.sort_x, input.sort_x_fn, &labels, "sort_x")?);
            encoding.insert("x".into(), Value::Object(x));
            encoding.insert("y".into(), Value::Object(y));
            let data: Vec<Value> = rows
                .iter()
                .map(|&r| {
                    let mut rec = record(r);
                    rec.insert("classification_id".into(), ids[r].into());
                    rec.insert("url".into(), input.classification_url(ids[r]).into());
                    Value::Object(rec)
                })
                .collect();
            encoding.insert(
                "tooltip".into(),
                json!([spec::tooltip_entry(&data, "Label"), spec::tooltip_entry(&data, &format!("{vaxis}:Q"))]),
            );
            encoding.insert("href".into(), Value::Object(field("url", "nominal")));
            body.insert("mark".into(), json!({ "type": "circle" }));
            data
        }
        _ => {
            let sort_given = match &o.sort_x {
                SortOption::None => false,
                SortOption::Labels(l) => !l.is_empty(),
            };
            if sort_given || input.sort_x_fn.is_some() {
                return Err(plot_error("Must not specify sort_x when plot_type is boxplot"));
            }
            let mut mark = json!({ "type": "boxplot", "median": { "stroke": "black" } });
            let container = width.as_ref().is_some_and(Value::is_string);
            if secondary.is_none() || container {
                let count =
                    |name: &str| column_at(name).map_or(1, |c| distinct(rows.iter().map(|&r| c.values[r].clone())));
                let mut n_boxes = count(&haxis);
                if let Some(f) = secondary {
                    n_boxes *= count(&name_of(f));
                }
                if let Some(f) = facet_by {
                    n_boxes *= count(&name_of(f));
                }
                // an integral width is Python's int; anything else counts as the nominal width
                let effective = o.width.as_i64().unwrap_or(NOMINAL_BOXPLOT_WIDTH);
                let n = n_boxes.max(1) as i64;
                let box_size = (effective.div_euclid(n).div_euclid(BOXPLOT_SIZE_INCREMENT)) * BOXPLOT_SIZE_INCREMENT;
                mark["size"] = json!(box_size.clamp(MIN_BOXPLOT_SIZE, MAX_BOXPLOT_SIZE));
            }
            encoding.insert("x".into(), Value::Object(x));
            encoding.insert("y".into(), Value::Object(y));
            body.insert("mark".into(), mark);
            rows.iter().map(|&r| Value::Object(record(r))).collect()
        }
    };

    let (data, dataset) = named_data(data_rows);
    body.insert("data".into(), data);
    body.insert("encoding".into(), Value::Object(encoding));
    if facet_by.is_some() && secondary.is_none() {
        body.insert("resolve".into(), json!({ "scale": { "x": "independent" } }));
    }
    if let Some(t) = o.title.as_deref().filter(|t| !t.is_empty()) {
        body.insert("title".into(), t.into());
    }
    if let Some(h) = height {
        body.insert("height".into(), h);
    }
    if let Some(w) = width {
        body.insert("width".into(), w);
    }
    Ok(Chart { spec: spec::top_level(body, vec![dataset]), warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::MetadataItem;

    /// The plots' five-sample fixture (s5 without abundances) with more metadata: a number, a
    /// date-time field, dates as text, and one date that is no date.
    fn plot(mut options: Value) -> Result<Chart> {
        // (the fixture has abundances, no abundances with children)
        for (key, default) in [("rank", "genus"), ("metric", "abundance")] {
            if options.get(key).is_none() {
                options[key] = json!(default);
            }
        }
        let (c, mut meta) = super::super::clustering::fixture::collection();
        let dates = ["2024-01-02", "2024-01-03T10:00:00Z", "2024-01-02", "2024-02-01", "2024-02-01"];
        for (i, m) in meta.iter_mut().enumerate() {
            let MetadataItem { metadata, .. } = m;
            metadata["custom"]["ph"] = json!(5.0 + i as f64);
            metadata["custom"]["collection_date"] = json!(dates[i]);
            metadata["custom"]["bad_date"] = json!(if i == 2 { "soon" } else { "2024-01-01" });
            metadata["date_collected"] =
                if i == 1 { Value::Null } else { json!(format!("2023-0{}-01T12:00:00+02:00", i + 1)) };
        }
        plot_metadata(&PlotInput::new(&c, &meta, "https://app.example"), &options)
    }

    #[test]
    fn dates_are_written_as_pandas_writes_them() {
        assert_eq!(python_isoformat("2024-01-02").as_deref(), Some("2024-01-02T00:00:00+00:00"));
        assert_eq!(
            python_isoformat("2024-01-02T03:04:05.5+02:00").as_deref(),
            Some("2024-01-02T01:04:05.500000+00:00")
        );
        assert_eq!(
            python_isoformat("2024-01-02 03:04:05.123456789").as_deref(),
            Some("2024-01-02T03:04:05.123456789+00:00")
        );
        assert_eq!(
            python_isoformat("2025-03-22T16:32:05.519686+00:00").as_deref(),
            Some("2025-03-22T16:32:05.519686+00:00")
        );
        assert_eq!(python_isoformat("soon"), None);
        assert_eq!(python_isoformat("2024-13-01"), None);
    }

    #[test]
    fn the_plot_type_follows_the_horizontal_axis() {
        // Label (one value per sample) and numbers: points; categories: boxes, sized to fit
        let labels = plot(json!({})).unwrap();
        assert_eq!(labels.spec["mark"], json!({ "type": "circle" }));
        assert_eq!(labels.spec["encoding"]["x"]["sort"], Value::Null);
        let ph = plot(json!({ "haxis": "ph" })).unwrap();
        assert_eq!(ph.spec["mark"]["type"], "circle");
        assert_eq!(ph.spec["encoding"]["x"]["type"], "quantitative");
        let site = plot(json!({ "haxis": "site" })).unwrap();
        assert_eq!(site.spec["mark"], json!({ "type": "boxplot", "median": { "stroke": "black" }, "size": 45 }));
        assert!(site.spec["encoding"].get("tooltip").is_none());
        // 600 px over 2 sites × 5 pH facets: 60 px a box, at most 45; 200 over 10: 20
        let faceted = plot(json!({ "haxis": "site", "facetBy": "ph", "width": 600 })).unwrap();
        assert_eq!(faceted.spec["mark"]["size"], 45);
        assert_eq!(faceted.spec["encoding"]["x"]["axis"]["title"], "");
        assert_eq!(faceted.spec["resolve"], json!({ "scale": { "x": "independent" } }));
        let faceted = plot(json!({ "haxis": "site", "facetBy": "ph", "metric": "readcount_w_children" })).unwrap();
        assert_eq!(faceted.spec["mark"]["size"], 20);
        // forced, and refused
        let forced = plot(json!({ "haxis": "site", "plotType": "scatter", "sortX": ["water", "soil"] })).unwrap();
        assert_eq!(forced.spec["encoding"]["x"]["sort"], json!(["water", "soil"]));
        assert!(plot(json!({ "haxis": "site", "sortX": ["water", "soil"] })).is_err());
        assert!(plot(json!({ "plotType": "violin" })).is_err());
        assert!(plot(json!({ "haxis": "site", "secondaryHaxis": "site" })).is_err());
    }

    #[test]
    fn the_vertical_axis_is_a_diversity_a_number_or_a_taxon() {
        // an alpha diversity of an abundance metric: s5 (no abundances) left out, with a warning
        let shannon = plot(json!({ "haxis": "site" })).unwrap();
        assert_eq!(shannon.rows().len(), 4);
        assert!(shannon.warnings.iter().any(|w| w.code == "no_abundances_omitted"));
        assert_eq!(shannon.spec["encoding"]["y"]["field"], "shannon");
        // a numeric field keeps every sample whatever the metric
        let ph = plot(json!({ "haxis": "site", "vaxis": "ph" })).unwrap();
        assert_eq!(ph.rows().len(), 5);
        // a taxon by name (part of it) or tax id, renamed, its samples with abundances only
        // even for read counts
        let by_name = plot(json!({ "vaxis": "genus2", "metric": "readcount_w_children" })).unwrap();
        assert_eq!(by_name.spec["encoding"]["y"]["field"], "Genus2 (13)");
        assert_eq!(by_name.rows().len(), 4);
        assert_eq!(by_name.rows()[0]["Genus2 (13)"], json!(20.0));
        let by_id = plot(json!({ "vaxis": "14", "rank": "genus", "metric": "readcount_w_children" })).unwrap();
        assert_eq!(by_id.spec["encoding"]["y"]["axis"]["title"], "Genus3 (14)");
        // text, unknown fields and taxa without matching are refused
        for vaxis in [
            json!({ "vaxis": "site" }),
            json!({ "vaxis": "nothing" }),
            json!({ "vaxis": "genus2", "matchTaxonomy": false }),
        ] {
            assert_eq!(plot(vaxis.clone()).unwrap_err().code, crate::ErrorCode::InvalidArgument, "{vaxis}");
        }
    }

    #[test]
    fn date_fields_are_read_as_dates() {
        // a date-time field of the sample: temporal boxes, a missing value empty
        let typed = plot(json!({ "haxis": "date_collected", "vaxis": "ph" })).unwrap();
        assert_eq!(typed.spec["encoding"]["x"]["type"], "temporal");
        assert_eq!(typed.spec["mark"]["type"], "boxplot");
        let rows = typed.rows();
        assert_eq!(rows[0]["date_collected"], "2023-01-01T10:00:00+00:00");
        assert_eq!(rows[1]["date_collected"], "");
        // text in a field named with `date`: coerced, or left as text (still boxes)
        let coerced = plot(json!({ "haxis": "collection_date", "vaxis": "ph" })).unwrap();
        assert_eq!(coerced.spec["encoding"]["x"]["type"], "temporal");
        assert_eq!(coerced.rows()[1]["collection_date"], "2024-01-03T10:00:00+00:00");
        let text = plot(json!({ "haxis": "collection_date", "vaxis": "ph", "coerceHaxisDates": false })).unwrap();
        assert_eq!(text.spec["encoding"]["x"]["type"], "nominal");
        assert_eq!(text.spec["mark"]["type"], "boxplot");
        assert_eq!(text.rows()[1]["collection_date"], "2024-01-03T10:00:00Z");
        assert!(plot(json!({ "haxis": "bad_date", "vaxis": "ph" })).is_err());
        assert!(plot(json!({ "haxis": "bad_date", "vaxis": "ph", "coerceHaxisDates": false })).is_ok());
    }

    #[test]
    fn facets_and_secondary_axes_may_be_taxa_or_joined_fields() {
        // (the client refers to the field as given, which its data does not have, and fails)
        let chart =
            plot(json!({ "haxis": "site", "vaxis": "ph", "secondaryHaxis": "genus1", "facetBy": ["site", "bad_date"],
            "metric": "readcount_w_children" }))
            .unwrap();
        assert_eq!(chart.spec["encoding"]["xOffset"], json!({ "field": "Genus1 (12)", "type": "quantitative" }));
        assert_eq!(chart.spec["encoding"]["column"]["field"], "site_bad_date");
        assert!(chart.spec["mark"].get("size").is_none());
        assert!(chart.spec.get("resolve").is_none());
        // the same field on both axes is one column
        let same = plot(json!({ "haxis": "ph", "vaxis": "ph" })).unwrap();
        assert_eq!(same.rows()[0]["ph"], json!(5.0));
    }
}
