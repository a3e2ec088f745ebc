//! `plot_distance`: the beta diversity between every pair of samples as a heatmap, in the order
//! of their hierarchical clustering, with the dendrogram beside it.

use super::bargraph::Tooltip;
use super::clustering::{cluster, compute_distance, dendrogram_links, rounded_submatrix, DendrogramLinks};
use super::fields::{metadata_fetch, FieldName, LabelOption, ResultsFrame};
use super::spec::{self, field, float, named_data, number};
use super::{parse_options, plot_error, Chart, PlotInput};
use crate::error::Result;
use crate::results::{MatrixOptions, MetricOption, RankOption, Warning};
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Options {
    rank: String,
    metric: String,
    diversity_metric: String,
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    tooltip: Option<Tooltip>,
    linkage: String,
    label: Option<LabelOption>,
    width: Option<f64>,
    height: Option<f64>,
    match_taxonomy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rank: "auto".into(),
            metric: "auto".into(),
            diversity_metric: "braycurtis".into(),
            title: None,
            xlabel: None,
            ylabel: None,
            tooltip: None,
            linkage: "average".into(),
            label: None,
            width: None,
            height: None,
            match_taxonomy: true,
        }
    }
}

/// The client's `dendrogram` chart: each link a line of four points (heights on x and leaves on
/// y, both negated so the tree grows leftwards towards the heatmap), `height` tall.
fn dendrogram_chart(links: &DendrogramLinks, height: f64) -> (Map<String, Value>, (String, Vec<Value>)) {
    let mut rows = Vec::with_capacity(links.icoord.len() * 4);
    for (b, (i, d)) in links.icoord.iter().zip(&links.dcoord).enumerate() {
        for o in 0..4 {
            rows.push(json!({ "x": float(-d[o]), "y": float(-i[o]), "o": o, "b": b }));
        }
    }
    let branches = links.icoord.len();
    let (data, dataset) = named_data(rows);
    let mut chart = Map::new();
    chart.insert("data".into(), data);
    chart.insert("mark".into(), json!({ "type": "line", "opacity": 0.5, "point": false }));
    chart.insert(
        "encoding".into(),
        json!({
            "x": { "axis": null, "field": "x", "type": "quantitative" },
            "y": { "axis": null, "field": "y", "scale": { "nice": false, "zero": true }, "type": "quantitative" },
            "order": { "field": "o", "type": "quantitative" },
            "color": {
                "field": "b",
                "legend": null,
                "scale": { "domain": (0..branches).collect::<Vec<_>>(), "range": vec!["black"; branches] },
                "type": "nominal",
            },
        }),
    );
    chart.insert("height".into(), number(height));
    chart.insert("width".into(), json!(100));
    (chart, dataset)
}

/// `plot_distance(...)` of the Python client, as a spec.
pub fn plot_distance(input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: Options = parse_options("plotDistance", options)?;
    let c = input.collection;
    let metric = match MetricOption::parse(&o.metric)? {
        MetricOption::Auto => c.automatic_metric(),
        MetricOption::Metric(m) => m,
    };
    let rank = RankOption::parse(&o.rank)?;
    if c.len() < 2 {
        return Err(plot_error(
            "There are too few samples for distance matrix plots after filtering. Please select 2 or more samples to plot.",
        ));
    }
    let without: Vec<&str> = if metric.is_abundance() { c.classification_ids_without_abundances() } else { Vec::new() };
    if c.len() - without.len() < 2 {
        return Err(plot_error(
            "There are too few samples for distance matrix plots after filtering out samples with no abundances calculated; please select more samples to plot.",
        ));
    }
    // The client sends Euclidean down a path that cannot index its result.
    if o.diversity_metric == "euclidean" {
        return Err(plot_error(
            "euclidean distances are not supported by plot_distance; choose another diversity_metric",
        ));
    }

    // tooltips: each field for both samples of a cell
    let mut tooltip = Tooltip::fields(&o.tooltip);
    tooltip.insert(0, FieldName::one("Label"));
    let results =
        c.shared_matrix(&MatrixOptions { rank, metric: MetricOption::Metric(metric), ..MatrixOptions::default() })?;
    let fetched = metadata_fetch(
        input,
        &tooltip,
        &ResultsFrame { matrix: &results.matrix, metric },
        o.label.as_ref(),
        o.match_taxonomy,
        true,
    )?;
    let mut names: Vec<String> = Vec::new();
    for (_, name) in &fetched.renamed {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }

    // distances between the samples with abundances (for abundance metrics), rounded
    let b = compute_distance(c, results.rank, metric, &o.diversity_metric)?;
    let mut warnings = results.warnings.clone();
    warnings.extend(b.warnings.iter().cloned());
    let keep: Vec<usize> = (0..b.matrix.len()).filter(|&i| !without.contains(&b.matrix.ids[i].as_str())).collect();
    let dm = rounded_submatrix(&b.matrix, &keep)?;
    let tree = cluster(&dm, &o.linkage)?;
    if !without.is_empty() {
        warnings.push(Warning::new(
            "no_abundances_omitted",
            format!(
                "{} sample(s) have no abundances calculated and have been omitted from the distance heatmap.",
                without.len()
            ),
        ));
    }

    // the cells: for each sample, for each sample
    // each field's values for the samples of the distance matrix, in its order
    let members = c.classification_ids();
    let at: Vec<Option<usize>> = dm.ids.iter().map(|id| members.iter().position(|m| m == id)).collect();
    let values_of = |name: &str| -> Vec<Value> {
        let col = fetched.column(name).unwrap_or_default();
        at.iter().map(|i| i.and_then(|i| col.get(i)).cloned().unwrap_or(Value::Null)).collect()
    };
    let label = values_of("Label");
    let columns: Vec<(&String, Vec<Value>)> = names.iter().map(|n| (n, values_of(n))).collect();
    let n = dm.len();
    let mut rows = Vec::with_capacity(n * n);
    for (i, id1) in dm.ids.iter().enumerate() {
        for j in 0..n {
            let mut rec = Map::new();
            rec.insert("1) Label".into(), label[i].clone());
            rec.insert("2) Label".into(), label[j].clone());
            rec.insert("Distance".into(), if i == j { Value::Null } else { float(dm.get(i, j)) });
            rec.insert("classification_id".into(), id1.as_str().into());
            for (name, values) in &columns {
                rec.insert(format!("1) {name}"), values[i].clone());
                rec.insert(format!("2) {name}"), values[j].clone());
            }
            rec.insert("url".into(), input.classification_url(id1).into());
            rows.push(Value::Object(rec));
        }
    }
    // The client orders the axes by indexing the whole collection with the positions of the
    // clustered samples, which scrambles them once samples without abundances are left out;
    // here the order is that of the clustered samples themselves.
    let labels_in_order: Vec<Value> = tree.leaves.iter().filter_map(|&i| label.get(i).cloned()).collect();

    let mut tooltip_fields: Vec<String> = names.iter().flat_map(|n| [format!("1) {n}"), format!("2) {n}")]).collect();
    tooltip_fields.push("Distance:Q".into());
    let mut x = field("1) Label", "nominal");
    x.insert("axis".into(), json!({ "title": o.xlabel }));
    x.insert("sort".into(), json!(labels_in_order));
    let mut y = field("2) Label", "nominal");
    y.insert("axis".into(), json!({ "orient": "right", "title": o.ylabel }));
    y.insert("sort".into(), json!(labels_in_order));
    let mut encoding = Map::new();
    encoding.insert("x".into(), Value::Object(x));
    encoding.insert("y".into(), Value::Object(y));
    encoding.insert(
        "color".into(),
        json!({ "field": "Distance", "legend": { "title": "Distance" }, "type": "quantitative" }),
    );
    encoding.insert("tooltip".into(), tooltip_fields.iter().map(|t| spec::tooltip_entry(&rows, t)).collect());
    encoding.insert("href".into(), Value::Object(field("url", "nominal")));
    let (data, heat_data) = named_data(rows);
    let mut heatmap = Map::new();
    heatmap.insert("data".into(), data);
    heatmap.insert("mark".into(), json!({ "type": "rect" }));
    heatmap.insert("encoding".into(), Value::Object(encoding));
    let side = 15.0 * n as f64;
    let height = o.height.filter(|&h| h != 0.0);
    heatmap.insert("height".into(), number(height.unwrap_or(side)));
    heatmap.insert("width".into(), number(o.width.filter(|&w| w != 0.0).unwrap_or(side)));

    // the dendrogram is as tall as the heatmap less half a cell
    let links = dendrogram_links(&tree.merges, n);
    let dendro_height = match height {
        Some(h) => h - h / n as f64 / 2.0,
        None => side - 7.5,
    };
    let (dendrogram, dendro_data) = dendrogram_chart(&links, dendro_height);

    let mut body = Map::new();
    body.insert("hconcat".into(), json!([dendrogram, heatmap]));
    body.insert("spacing".into(), json!(0));
    spec::set_props(&mut body, o.title.as_deref(), None, None);
    Ok(Chart { spec: spec::top_level(body, vec![dendro_data, heat_data]), warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dendrogram_lines_have_four_points_per_link_and_black_branches() {
        let links =
            DendrogramLinks { icoord: vec![[5.0, 5.0, 15.0, 15.0]], dcoord: vec![[0.0, 0.5, 0.5, 0.0]], leaves: 2 };
        let (chart, (_, rows)) = dendrogram_chart(&links, 22.5);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1], json!({ "x": -0.5, "y": -5.0, "o": 1, "b": 0 }));
        assert_eq!(chart["encoding"]["color"]["scale"], json!({ "domain": [0], "range": ["black"] }));
        assert_eq!(chart["height"], json!(22.5));
    }

    fn distance(options: Value) -> Result<Chart> {
        let (c, meta) = super::super::clustering::fixture::collection();
        plot_distance(&PlotInput::new(&c, &meta, "https://app.example"), &options)
    }

    fn labels(v: &Value) -> Vec<String> {
        let mut out: Vec<String> = v.as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect();
        out.sort();
        out
    }

    #[test]
    fn samples_without_abundances_are_left_out_of_cells_and_axes() {
        let chart = distance(json!({ "rank": "genus", "metric": "abundance_w_children" })).unwrap();
        let heat = &chart.spec["hconcat"][1];
        let name = heat["data"]["name"].as_str().unwrap();
        let rows = chart.spec["datasets"][name].as_array().unwrap();
        assert_eq!(rows.len(), 16);
        let mut in_cells: Vec<String> = rows.iter().map(|r| r["1) Label"].as_str().unwrap().to_owned()).collect();
        in_cells.dedup();
        in_cells.sort();
        assert_eq!(in_cells, ["s1.fq", "s2.fq", "s3.fq", "s4.fq"]);
        // the axes hold exactly the clustered samples: s1 with s2, s3 with s4
        assert_eq!(labels(&heat["encoding"]["x"]["sort"]), in_cells);
        let order = heat["encoding"]["y"]["sort"].as_array().unwrap();
        let at = |l: &str| order.iter().position(|x| x == l).unwrap();
        assert_eq!(at("s1.fq").abs_diff(at("s2.fq")), 1);
        assert_eq!(heat["height"], json!(60));
        assert_eq!(chart.spec["hconcat"][0]["height"], json!(52.5));
        assert!(chart.warnings.iter().any(|w| w.message.starts_with("1 sample(s) have no abundances")));
        // a diagonal cell has no distance; the others are rounded to 6 decimals
        assert_eq!(rows[0]["Distance"], Value::Null);
        let d = rows[1]["Distance"].as_f64().unwrap();
        assert_eq!(d, (d * 1e6).round() / 1e6);
    }

    #[test]
    fn tooltips_pair_each_field_in_the_order_given() {
        let chart =
            distance(json!({ "rank": "genus", "metric": "readcount_w_children", "tooltip": ["site", "filename"] }))
                .unwrap();
        let fields: Vec<&str> = chart.spec["hconcat"][1]["encoding"]["tooltip"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["1) Label", "2) Label", "1) site", "2) site", "1) filename", "2) filename", "Distance"]);
        let heat = &chart.spec["hconcat"][1];
        assert_eq!(labels(&heat["encoding"]["x"]["sort"]).len(), 5);
    }

    #[test]
    fn impossible_options_are_refused() {
        for bad in [
            json!({ "diversityMetric": "euclidean" }),
            json!({ "diversityMetric": "minkowski" }),
            json!({ "linkage": "ward" }),
            json!({ "label": "no_such_field" }),
            json!({ "sortX": ["a"] }),
        ] {
            let e = distance(bad.clone()).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
