//! `plot_functional_heatmap`: the top functions of a functional matrix (by their mean over the
//! samples) as a heatmap, samples across and functions down, with each sample's metadata.

use super::bargraph::unique_column;
use super::fields::{make_labels, LabelOption, MetadataFrame};
use super::metadata::{is_datetime, python_isoformat, DATETIME_FIELDS};
use super::spec::{self, field, named_data, number, sort_helper, SortOption};
use super::{parse_options, plot_error, Chart, LabelFn, PlotInput, SortFn};
use crate::error::Result;
use crate::results::collection::sort_desc_by_key;
use crate::results::{Collection, FunctionalAnnotation, FunctionalMatrix, FunctionalMetric, MetadataTable};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// What a functional heatmap reads: an unstratified functional matrix, the sample of each of its
/// rows, and the samples' metadata table (with the label and sort functions, if given).
pub struct FunctionalPlotInput<'a> {
    pub matrix: &'a FunctionalMatrix,
    /// The sample of each row of `matrix`, in row order.
    pub sample_ids: &'a [String],
    /// The collection's metadata table (`metadataTable()`): `label` and `haxis` read it.
    pub metadata: &'a MetadataTable,
    pub label_fn: Option<LabelFn<'a>>,
    pub sort_x_fn: Option<SortFn<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Options {
    /// How many functions (null: all).
    top_n: Option<i64>,
    annotation: String,
    metric: Option<String>,
    sort_x: SortOption,
    label: Option<LabelOption>,
    function_label: String,
    haxis: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    title: Option<String>,
    width: Value,
    height: Value,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top_n: Some(10),
            annotation: "go".into(),
            metric: None,
            sort_x: SortOption::None,
            label: None,
            function_label: "name".into(),
            haxis: None,
            xlabel: Some("Sample".into()),
            ylabel: Some("Function".into()),
            title: None,
            width: Value::Null,
            height: Value::Null,
        }
    }
}

/// `value or default`: a size that is null, zero, empty or false is the default.
fn size_or(v: &Value, default: f64) -> Value {
    match v {
        Value::Null | Value::Bool(false) => number(default),
        Value::Number(n) if n.as_f64() == Some(0.0) => number(default),
        Value::Number(n) => number(n.as_f64().unwrap_or(default)),
        Value::String(s) if s.is_empty() => number(default),
        other => other.clone(),
    }
}

/// The client's metadata for the heatmap: the collection's `metadata` re-indexed by sample id
/// (the column kept) and without `created_at`.
fn metadata_frame(t: &MetadataTable) -> MetadataFrame {
    let keep: Vec<usize> = (0..t.columns.len())
        .filter(|&i| {
            let c = t.columns[i].as_str();
            (c != t.index || c == "sample_id") && c != "created_at"
        })
        .collect();
    MetadataFrame {
        columns: keep.iter().map(|&i| t.columns[i].clone()).collect(),
        rows: t.rows.iter().map(|r| keep.iter().map(|&i| r.get(i).cloned().unwrap_or(Value::Null)).collect()).collect(),
    }
}

/// Column means skipping NaN (pandas `mean`), NaN for a column without values.
fn column_means(m: &FunctionalMatrix) -> Vec<f64> {
    let nc = m.column_ids.len();
    (0..nc)
        .map(|c| {
            let (sum, n) = m
                .values
                .iter()
                .skip(c)
                .step_by(nc.max(1))
                .filter(|v| !v.is_nan())
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            if n == 0 {
                f64::NAN
            } else {
                sum / n as f64
            }
        })
        .collect()
}

/// `plot_functional_heatmap(...)` of the Python client, as a spec.
pub fn plot_functional_heatmap(input: &FunctionalPlotInput, options: &Value) -> Result<Chart> {
    let o: Options = parse_options("plotFunctionalHeatmap", options)?;
    let annotation = FunctionalAnnotation::parse(&o.annotation)?;
    let metric = match o.metric.as_deref() {
        Some(m) => FunctionalMetric::parse(m)?,
        None if annotation == FunctionalAnnotation::Pathways => FunctionalMetric::Abundance,
        None => FunctionalMetric::Cpm,
    };
    metric.check_pair(annotation)?;
    let by_id = match o.function_label.as_str() {
        "name" => false,
        "id" => true,
        other => return Err(plot_error(format!("functionLabel must be \"name\" or \"id\", not \"{other}\""))),
    };
    let m = input.matrix;
    if m.column_taxon_ids.is_some() {
        return Err(plot_error(
            "the functional matrix must not be taxon-stratified: build it with taxaStratified: false",
        ));
    }
    let (nr, nc) = (m.row_ids.len(), m.column_ids.len());
    if m.values.len() != nr * nc || input.sample_ids.len() != nr {
        return Err(plot_error("the functional matrix needs one value per row and column, and one sample per row"));
    }

    // the top functions by mean
    let means = column_means(m);
    let mut order: Vec<usize> = (0..nc).collect();
    sort_desc_by_key(&mut order, &means);
    let keep_n = match o.top_n {
        None => nc,
        Some(n) if n >= 0 => (n as usize).min(nc),
        Some(_) => return Err(plot_error("topN must be a number of functions (0 or more), or null for all")),
    };
    let top: Vec<usize> = order[..keep_n].to_vec();
    let mut kept = top.clone();
    kept.sort_unstable();
    let name_of = |c: usize| -> String {
        let id = &m.column_ids[c];
        let name = m.feature_names.iter().find(|(f, _)| f == id).and_then(|(_, n)| n.as_deref());
        name.filter(|n| !n.is_empty()).unwrap_or(id).to_owned()
    };

    // the metadata, its Label (a field, the function's, or the filename; else the sample id)
    let mut frame = metadata_frame(input.metadata);
    let sample_col = frame.position("sample_id");
    let sample_of = |row: &[Value]| sample_col.and_then(|c| row[c].as_str().map(str::to_owned));
    let no_collection = Collection::default();
    let mut labels_input = PlotInput::new(&no_collection, &[], "");
    labels_input.label_fn = input.label_fn;
    let given = make_labels(&labels_input, &frame, o.label.as_ref())?;
    let filename = frame.position("filename");
    let labels: Vec<String> = (0..frame.rows.len())
        .map(|i| {
            let fallback = || sample_of(&frame.rows[i]).unwrap_or_else(|| "None".into());
            match (given.get(i), filename) {
                (Some(Some(l)), _) => l.clone(),
                // a missing label is the sample id (`fillna` with the index)
                (Some(None), _) => fallback(),
                (None, Some(f)) => match &frame.rows[i][f] {
                    Value::Null => fallback(),
                    v => spec::display(v),
                },
                (None, None) => fallback(),
            }
        })
        .collect();
    // date-times as pandas writes them, missing ones empty
    for c in 0..frame.columns.len() {
        if DATETIME_FIELDS.contains(&frame.columns[c].as_str()) && is_datetime(&frame, c) {
            for row in frame.rows.iter_mut() {
                row[c] = row[c].as_str().and_then(python_isoformat).map_or_else(|| Value::from(""), Value::from);
            }
        }
    }
    let label_at = frame.position("Label");
    if label_at.is_none() {
        frame.columns.push("Label".into());
    }
    for (row, label) in frame.rows.iter_mut().zip(&labels) {
        match label_at {
            Some(c) => row[c] = label.as_str().into(),
            None => row.push(label.as_str().into()),
        }
    }
    let function_id = unique_column("function_id", &frame.columns);
    let function_name = unique_column("function_name", &frame.columns);

    // each profile's metadata row (none: every field missing)
    let mut by_sample: HashMap<String, &Vec<Value>> = HashMap::new();
    for row in &frame.rows {
        if let Some(s) = sample_of(row) {
            by_sample.entry(s).or_insert(row);
        }
    }
    let meta_rows: Vec<Option<&Vec<Value>>> = input.sample_ids.iter().map(|s| by_sample.get(s).copied()).collect();

    // melted: every profile for the first function kept, then the next …
    let mut rows = Vec::with_capacity(nr * kept.len());
    for &c in &kept {
        let (id, name) = (m.column_ids[c].as_str(), name_of(c));
        for (r, meta) in meta_rows.iter().enumerate() {
            let mut rec = Map::new();
            for (i, col) in frame.columns.iter().enumerate() {
                rec.insert(col.clone(), meta.map_or(Value::Null, |row| row[i].clone()));
            }
            if meta.is_none() {
                // a sample without metadata is labelled by its id
                rec.insert("Label".into(), input.sample_ids[r].as_str().into());
            }
            rec.insert(function_id.clone(), id.into());
            rec.insert("value".into(), spec::float(m.values[r * nc + c]));
            rec.insert(function_name.clone(), name.as_str().into());
            rows.push(Value::Object(rec));
        }
    }

    let sort_given = match &o.sort_x {
        SortOption::None => false,
        SortOption::Labels(l) => !l.is_empty(),
    };
    let sort_x = if sort_given || input.sort_x_fn.is_some() {
        let labels: Vec<String> = rows.iter().map(|r| spec::display(&r["Label"])).collect();
        sort_helper(&o.sort_x, input.sort_x_fn, &labels, "sort_x")?
    } else {
        Value::Null
    };
    let (y_field, sort_y): (&str, Vec<String>) = if by_id {
        (&function_id, top.iter().map(|&c| m.column_ids[c].clone()).collect())
    } else {
        (&function_name, top.iter().map(|&c| name_of(c)).collect())
    };

    let label = metric.label();
    let titled = |name: &str, ty: &str, title: &str| {
        let mut f = field(name, ty);
        f.insert("title".into(), title.into());
        Value::Object(f)
    };
    let mut x = field("Label", "nominal");
    x.insert("axis".into(), json!({ "title": o.xlabel }));
    x.insert("sort".into(), sort_x);
    let mut y = field(y_field, "nominal");
    y.insert("axis".into(), json!({ "title": o.ylabel }));
    y.insert("sort".into(), json!(sort_y));
    let mut value_tip = field("value", "quantitative");
    value_tip.insert("format".into(), ".02f".into());
    value_tip.insert("title".into(), label.into());
    let mut encoding = Map::new();
    encoding.insert("x".into(), Value::Object(x));
    encoding.insert("y".into(), Value::Object(y));
    encoding.insert("color".into(), titled("value", "quantitative", label));
    encoding.insert(
        "tooltip".into(),
        json!([
            titled("Label", "nominal", "Label"),
            titled(&function_name, "nominal", "Function Name"),
            titled(&function_id, "nominal", "Function ID"),
            Value::Object(value_tip),
        ]),
    );
    let haxis = o.haxis.as_deref().filter(|h| !h.is_empty());
    if let Some(h) = haxis {
        encoding.insert("column".into(), spec::facet_column(field(h, "nominal"), h));
    }

    let (data, dataset) = named_data(rows);
    let mut body = Map::new();
    body.insert("data".into(), data);
    body.insert("mark".into(), json!({ "type": "rect" }));
    body.insert("encoding".into(), Value::Object(encoding));
    if let Some(t) = o.title.as_deref().filter(|t| !t.is_empty()) {
        body.insert("title".into(), t.into());
    }
    // 15 px a function asked for (kept ones when all are) and a sample
    let n_functions = o.top_n.map_or(keep_n as f64, |n| n as f64);
    for (key, v) in [("height", size_or(&o.height, 15.0 * n_functions)), ("width", size_or(&o.width, 15.0 * nr as f64))]
    {
        if !matches!(&v, Value::Number(n) if n.as_f64() == Some(0.0)) {
            body.insert(key.into(), v);
        }
    }
    if haxis.is_some() {
        body.insert("resolve".into(), json!({ "scale": { "x": "independent" } }));
    }
    Ok(Chart { spec: spec::top_level(body, vec![dataset]), warnings: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three profiles (samples a, b, c) of four functions; d has metadata but no profile.
    fn matrix() -> FunctionalMatrix {
        FunctionalMatrix {
            row_ids: vec!["p1".into(), "p2".into(), "p3".into()],
            column_ids: vec!["F1".into(), "F2".into(), "F3".into(), "F4".into()],
            column_taxon_ids: None,
            // means: F1 2, F2 10, F3 0, F4 5
            values: vec![1.0, 10.0, 0.0, 5.0, 2.0, 20.0, 0.0, 5.0, 3.0, 0.0, 0.0, 5.0],
            feature_names: vec![
                ("F1".into(), Some("one".into())),
                ("F2".into(), None),
                ("F4".into(), Some("four".into())),
            ],
        }
    }

    fn metadata() -> MetadataTable {
        let columns = ["sample_id", "filename", "created_at", "updated_at", "site", "function_id", "classification_id"];
        let row = |s: &str, f: Value, site: &str, at: Value| {
            json!([s, f, "2024-01-01T00:00:00+00:00", at, site, 1, format!("c-{s}")])
        };
        let rows = vec![
            row("d", json!("d.fq"), "soil", json!("2024-01-02T00:00:00.5+00:00")),
            row("a", json!("a.fq"), "soil", Value::Null),
            row("b", Value::Null, "water", json!("2024-01-03T00:00:00Z")),
            row("c", json!("c.fq"), "soil", json!("2024-01-04T00:00:00+00:00")),
        ];
        MetadataTable {
            index: "classification_id".into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows.into_iter().map(|r| r.as_array().unwrap().clone()).collect(),
        }
    }

    fn heatmap(options: Value) -> Result<Chart> {
        let (m, t) = (matrix(), metadata());
        let samples = ["a".to_string(), "b".to_string(), "c".to_string()];
        let input =
            FunctionalPlotInput { matrix: &m, sample_ids: &samples, metadata: &t, label_fn: None, sort_x_fn: None };
        plot_functional_heatmap(&input, &options)
    }

    #[test]
    fn the_top_functions_by_mean_in_matrix_order() {
        let chart = heatmap(json!({ "topN": 2 })).unwrap();
        // the axis lists them by mean; the data keeps the matrix's order (F2 before F4)
        assert_eq!(chart.spec["encoding"]["y"]["sort"], json!(["F2", "four"]));
        assert_eq!(chart.spec["encoding"]["y"]["field"], "function_name");
        let rows = chart.rows();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0]["_function_id"], "F2");
        assert_eq!(rows[0]["function_name"], "F2");
        assert_eq!(rows[0]["value"], json!(10.0));
        assert_eq!(rows[5]["function_name"], "four");
        assert_eq!(chart.spec["height"], json!(30));
        assert_eq!(chart.spec["width"], json!(45));
        assert_eq!(chart.spec["encoding"]["color"]["title"], "CPM");
        let by_id = heatmap(json!({ "topN": 3, "functionLabel": "id", "annotation": "pathways" })).unwrap();
        assert_eq!(by_id.spec["encoding"]["y"]["sort"], json!(["F2", "F4", "F1"]));
        assert_eq!(by_id.spec["encoding"]["y"]["field"], "_function_id");
        assert_eq!(by_id.spec["encoding"]["color"]["title"], "Abundance");
        // all of them (the client would drop them all), 15 px each
        let all = heatmap(json!({ "topN": null })).unwrap();
        assert_eq!(all.rows().len(), 12);
        assert_eq!(all.spec["height"], json!(60));
    }

    #[test]
    fn samples_are_labelled_and_joined_to_their_metadata() {
        let rows = heatmap(json!({ "topN": 1 })).unwrap().rows();
        let labels: Vec<&Value> = rows.iter().map(|r| &r["Label"]).collect();
        // b has no filename: its sample id
        assert_eq!(labels, [&json!("a.fq"), &json!("b"), &json!("c.fq")]);
        assert!(rows[0].get("created_at").is_none() && rows[0].get("classification_id").is_none());
        assert_eq!(rows[0]["updated_at"], "");
        assert_eq!(rows[1]["updated_at"], "2024-01-03T00:00:00+00:00");
        assert_eq!(rows[1]["site"], "water");
        // repeated labels are numbered over every sample, d (without a profile) first
        let rows = heatmap(json!({ "topN": 1, "label": "site" })).unwrap().rows();
        let labels: Vec<&Value> = rows.iter().map(|r| &r["Label"]).collect();
        assert_eq!(labels, [&json!("soil (2)"), &json!("water"), &json!("soil (3)")]);
        let chart = heatmap(json!({ "topN": 1, "haxis": "site", "sortX": ["c.fq", "b", "a.fq"] })).unwrap();
        assert_eq!(chart.spec["encoding"]["x"]["sort"], json!(["c.fq", "b", "a.fq"]));
        assert_eq!(chart.spec["encoding"]["column"]["field"], "site");
        assert_eq!(chart.spec["resolve"], json!({ "scale": { "x": "independent" } }));
    }

    #[test]
    fn samples_without_metadata_are_labelled_by_their_id() {
        let (m, t) = (matrix(), MetadataTable { index: "sample_id".into(), ..MetadataTable::default() });
        let samples = ["a".to_string(), "b".to_string(), "c".to_string()];
        let input =
            FunctionalPlotInput { matrix: &m, sample_ids: &samples, metadata: &t, label_fn: None, sort_x_fn: None };
        let rows = plot_functional_heatmap(&input, &json!({ "topN": 1 })).unwrap().rows();
        assert_eq!(rows[2], json!({ "Label": "c", "function_id": "F2", "function_name": "F2", "value": 0.0 }));
    }

    #[test]
    fn impossible_inputs_are_refused() {
        for bad in [
            json!({ "metric": "coverage" }),
            json!({ "annotation": "kegg" }),
            json!({ "functionLabel": "description" }),
            json!({ "label": "nothing" }),
            json!({ "sortX": ["a.fq"] }),
            json!({ "topN": -1 }),
            json!({ "topn": 3 }),
        ] {
            assert_eq!(heatmap(bad.clone()).unwrap_err().code, crate::ErrorCode::InvalidArgument, "{bad}");
        }
        let mut stratified = matrix();
        stratified.column_taxon_ids = Some(vec![String::new(); 4]);
        let t = metadata();
        let samples = ["a".to_string(), "b".to_string(), "c".to_string()];
        let input = FunctionalPlotInput {
            matrix: &stratified,
            sample_ids: &samples,
            metadata: &t,
            label_fn: None,
            sort_x_fn: None,
        };
        assert!(plot_functional_heatmap(&input, &Value::Null).is_err());
    }
}
