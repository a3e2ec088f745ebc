//! `plot_pca`, `plot_pcoa` and `plot_mds`: the samples as points on the first two axes of an
//! ordination (PCA of the plotted matrix, or PCoA / SMACOF of a beta diversity), coloured and
//! sized by metadata, optionally with the taxa that weigh most on the PCA axes as lines.

use super::bargraph::Tooltip;
use super::clustering::compute_distance;
use super::fields::{metadata_fetch, FieldName, LabelOption, MetadataFetch, ResultsFrame};
use super::spec::{self, field, float, named_data, number};
use super::theme::{interleave_palette, Palette};
use super::{parse_options, plot_error, Chart, PlotInput};
use crate::ecology::collection::python_str;
use crate::ecology::ordination::{collection_mds, collection_pca, collection_pcoa, MdsOptions};
use crate::ecology::DistanceMatrix;
use crate::error::Result;
use crate::results::{Matrix, MetricOption, RankOption, Warning};
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct PcaOptions {
    rank: String,
    metric: String,
    org_vectors: i64,
    org_vectors_scale: Option<f64>,
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    color: Option<FieldName>,
    size: Option<FieldName>,
    tooltip: Option<Tooltip>,
    label: Option<LabelOption>,
    mark_size: f64,
    width: Option<f64>,
    height: Option<f64>,
    match_taxonomy: bool,
}

impl Default for PcaOptions {
    fn default() -> Self {
        PcaOptions {
            rank: "auto".into(),
            metric: "auto".into(),
            org_vectors: 0,
            org_vectors_scale: None,
            title: None,
            xlabel: None,
            ylabel: None,
            color: None,
            size: None,
            tooltip: None,
            label: None,
            mark_size: 100.0,
            width: None,
            height: None,
            match_taxonomy: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct MdsPlotOptions {
    rank: String,
    metric: String,
    diversity_metric: String,
    method: String,
    title: Option<String>,
    xlabel: Option<String>,
    ylabel: Option<String>,
    color: Option<FieldName>,
    size: Option<FieldName>,
    tooltip: Option<Tooltip>,
    label: Option<LabelOption>,
    mark_size: f64,
    width: Option<f64>,
    height: Option<f64>,
    match_taxonomy: bool,
}

impl Default for MdsPlotOptions {
    fn default() -> Self {
        MdsPlotOptions {
            rank: "auto".into(),
            metric: "auto".into(),
            diversity_metric: "braycurtis".into(),
            method: "pcoa".into(),
            title: None,
            xlabel: None,
            ylabel: None,
            color: None,
            size: None,
            tooltip: None,
            label: None,
            mark_size: 100.0,
            width: None,
            height: None,
            match_taxonomy: true,
        }
    }
}

/// What the scatter of either plot is drawn from: the options they share, and the points.
struct Scatter<'a> {
    color: Option<&'a FieldName>,
    size: Option<&'a FieldName>,
    tooltip: &'a Option<Tooltip>,
    label: Option<&'a LabelOption>,
    mark_size: f64,
    match_taxonomy: bool,
    /// The axes' field names and titles.
    x: (&'a str, String),
    y: (&'a str, String),
    /// The analysed classifications and their coordinates.
    points: Vec<(String, f64, f64)>,
}

/// A field option as the client tests it (`if color:`): an empty name is no field.
fn given(f: &Option<FieldName>) -> Option<&FieldName> {
    f.as_ref().filter(|f| match f {
        FieldName::One(s) => !s.is_empty(),
        FieldName::Joined(v) => !v.is_empty(),
    })
}

/// The tooltip fields as the client lists them: `Label`, then the colour and size fields
/// (unless listed already), then the ones given.
fn tooltip_fields(tooltip: &Option<Tooltip>, color: Option<&FieldName>, size: Option<&FieldName>) -> Vec<FieldName> {
    let mut fields = Tooltip::fields(tooltip);
    fields.insert(0, FieldName::one("Label"));
    if let Some(c) = color.filter(|c| !fields.contains(c)) {
        fields.insert(1, c.clone());
    }
    if let Some(s) = size.filter(|s| !fields.contains(s)) {
        fields.insert(2.min(fields.len()), s.clone());
    }
    fields
}

/// A colour column as the client draws it: numbers without gaps stay numbers (a continuous
/// scale); anything else becomes strings with `N/A` for missing values (`fillna("N/A")
/// .astype(str)`), numbers written as the floats pandas holds them as.
fn categorical(values: &[Value]) -> Option<Vec<Value>> {
    if values.iter().all(Value::is_number) {
        return None;
    }
    let numeric = values.iter().all(|v| v.is_null() || v.is_number());
    let text = |v: &Value| match v {
        Value::Null => "N/A".to_owned(),
        Value::Number(n) if numeric => python_str(&float(n.as_f64().unwrap_or(f64::NAN))).unwrap_or_default(),
        v => python_str(v).unwrap_or_default(),
    };
    Some(values.iter().map(|v| Value::from(text(v))).collect())
}

/// A chart of a layer and its dataset (name, rows).
type Layer = (Map<String, Value>, (String, Vec<Value>));

/// The scatter layer: one row per member of the collection (the analysed ones first, with their
/// coordinates, then the others, without, as the client's outer join lists them), the metadata
/// the tooltip, colour and size need, and a link to the classification.
fn scatter_chart(input: &PlotInput, results: &ResultsFrame, s: Scatter) -> Result<Layer> {
    let tooltip = tooltip_fields(s.tooltip, s.color, s.size);
    let mut fetched: MetadataFetch = metadata_fetch(input, &tooltip, results, s.label, s.match_taxonomy, true)?;
    let members = input.collection.classification_ids();
    let mut order: Vec<(usize, Option<(f64, f64)>)> = Vec::with_capacity(members.len());
    for (id, x, y) in &s.points {
        if let Some(i) = members.iter().position(|m| m == id) {
            order.push((i, Some((*x, *y))));
        }
    }
    for i in 0..members.len() {
        if !order.iter().any(|(j, _)| *j == i) {
            order.push((i, None));
        }
    }

    // the colour: its column made categorical where the client makes it so
    let mut color_enc = None;
    if let Some(c) = s.color {
        let name = fetched.name_of(c);
        let mut enc = Map::new();
        let mut scale = None;
        if let Some((_, values)) = fetched.columns.iter_mut().find(|(n, _)| *n == name) {
            if let Some(strings) = categorical(values) {
                *values = strings;
                let domain: Vec<Value> = order.iter().map(|&(i, _)| values[i].clone()).collect();
                let mut distinct: Vec<&Value> = Vec::new();
                for d in &domain {
                    if !distinct.contains(&d) {
                        distinct.push(d);
                    }
                }
                let range = interleave_palette(distinct.len(), &Palette::Ocx);
                scale = Some(json!({ "domain": domain, "range": range }));
            }
        }
        enc.insert("legend".into(), json!({ "title": name }));
        if let Some(scale) = scale {
            enc.insert("scale".into(), scale);
        }
        color_enc = Some((name, enc));
    }

    let mut rows = Vec::with_capacity(order.len());
    for &(i, xy) in &order {
        let mut rec = Map::new();
        rec.insert("classification_id".into(), members[i].into());
        rec.insert(s.x.0.into(), xy.map_or(Value::Null, |p| float(p.0)));
        rec.insert(s.y.0.into(), xy.map_or(Value::Null, |p| float(p.1)));
        for (name, values) in &fetched.columns {
            rec.insert(name.clone(), values.get(i).cloned().unwrap_or(Value::Null));
        }
        rec.insert("url".into(), input.classification_url(members[i]).into());
        rows.push(Value::Object(rec));
    }

    let axis = |(name, title): &(&str, String)| {
        let mut a = field(name, "quantitative");
        a.insert("axis".into(), json!({ "title": title }));
        Value::Object(a)
    };
    let mut encoding = Map::new();
    encoding.insert("x".into(), axis(&s.x));
    encoding.insert("y".into(), axis(&s.y));
    let tips: Vec<Value> = tooltip.iter().map(|f| spec::tooltip_entry(&rows, &fetched.tooltip_name(f))).collect();
    encoding.insert("tooltip".into(), Value::Array(tips));
    encoding.insert("href".into(), Value::Object(field("url", "nominal")));
    if let Some((name, extra)) = color_enc {
        let mut c = field(&name, spec::column_type(&rows, &name));
        c.extend(extra);
        encoding.insert("color".into(), Value::Object(c));
    }
    if let Some(size) = s.size {
        let name = fetched.name_of(size);
        encoding.insert("size".into(), Value::Object(field(&name, spec::column_type(&rows, &name))));
    }
    let (data, dataset) = named_data(rows);
    let mut chart = Map::new();
    chart.insert("data".into(), data);
    chart.insert("mark".into(), json!({ "type": "circle", "size": number(s.mark_size) }));
    chart.insert("encoding".into(), Value::Object(encoding));
    Ok((chart, dataset))
}

/// Python's `round(x, 2)` written as `str()` writes the float: `35.49`, `22.1`, `40.0`.
fn percent_rounded(x: f64) -> String {
    let rounded: f64 = format!("{x:.2}").parse().unwrap_or(x);
    python_str(&float(rounded)).unwrap_or_else(|| "nan".into())
}

/// `"%.2f" % x`.
fn two_decimals(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else {
        format!("{x:.2}")
    }
}

/// Refuses the function-valued options no ordination plot takes (JSON ones are refused as
/// unknown fields).
fn no_sort_functions(input: &PlotInput, what: &str) -> Result<()> {
    if input.sort_x_fn.is_some() || input.sort_y_fn.is_some() {
        return Err(plot_error(format!("{what} options: sortX and sortY are not options of this plot")));
    }
    Ok(())
}

/// The rows `ids` of `m` (the plotted table less the members left out of the analysis).
fn rows_of(m: &Matrix, ids: &[String]) -> Matrix {
    let mut out = Matrix {
        row_ids: Vec::with_capacity(ids.len()),
        column_ids: m.column_ids.clone(),
        column_names: m.column_names.clone(),
        values: Vec::with_capacity(ids.len() * m.n_cols()),
    };
    for id in ids {
        if let Some(r) = m.row_index(id) {
            out.row_ids.push(id.clone());
            out.values.extend_from_slice(m.row(r));
        }
    }
    out
}

/// The client's warning for members without abundances, in its words.
fn omitted_warning(warnings: &mut [Warning], plot: &str) {
    for w in warnings.iter_mut().filter(|w| w.code == "samples_without_abundances") {
        if let Some(count) = w.message.split(' ').next() {
            w.message =
                format!("{count} sample(s) have no abundances calculated and have been omitted from the {plot} plot.");
        }
    }
}

/// The lines of the `org_vectors` taxa that weigh most on PC1 and PC2 (by the length of their
/// loadings), in the table's order, from the origin to the loadings times `scale`.
fn eigenvector_rows(components: &[f64], cols: usize, names: &[String], count: usize, scale: f64) -> Vec<Value> {
    let magnitude = |c: usize| (components[c] * components[c] + components[cols + c] * components[cols + c]).sqrt();
    let mut magnitudes: Vec<f64> = (0..cols).map(magnitude).collect();
    magnitudes.sort_by(f64::total_cmp);
    // The client indexes the sorted lengths from the end and fails past the first; asking for
    // more vectors than there are taxa draws them all here.
    let count = count.min(cols);
    let Some(&cutoff) = magnitudes.get(cols - count) else { return Vec::new() };
    let mut rows = Vec::new();
    let mut left = count;
    for c in 0..cols {
        if left == 0 {
            break;
        }
        if magnitude(c) >= cutoff {
            let name = names.get(c).cloned().unwrap_or_default();
            rows.push(json!({ "x": 0.0, "y": 0.0, "o": 0, "Eigenvectors": name }));
            rows.push(json!({
                "x": float(components[c] * scale),
                "y": float(components[cols + c] * scale),
                "o": 1,
                "Eigenvectors": name,
            }));
            left -= 1;
        }
    }
    rows
}

/// `plot_pca(...)` of the Python client, as a spec.
pub fn plot_pca(input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: PcaOptions = parse_options("plotPca", options)?;
    no_sort_functions(input, "plotPca")?;
    let c = input.collection;
    let metric = MetricOption::parse(&o.metric)?;
    let rank = RankOption::parse(&o.rank)?;
    let r = c.analysis_matrix(rank, metric)?;
    let p = collection_pca(c, rank, metric)?;
    let mut warnings = p.warnings.clone();
    omitted_warning(&mut warnings, "PCA");
    let k = p.pca.components_count;
    let score = |i: usize, a: usize| p.pca.scores[i * k + a];
    let ratio = |a: usize| p.pca.explained_variance_ratio.get(a).copied().unwrap_or(f64::NAN);
    let xlabel = o.xlabel.clone().unwrap_or_else(|| format!("PC1 ({}%)", percent_rounded(ratio(0) * 100.0)));
    let ylabel = o.ylabel.clone().unwrap_or_else(|| format!("PC2 ({}%)", percent_rounded(ratio(1) * 100.0)));
    let points = p.ids.iter().enumerate().map(|(i, id)| (id.clone(), score(i, 0), score(i, 1))).collect();
    let analysed = rows_of(&r.matrix, &p.ids);
    let (scatter, scatter_data) = scatter_chart(
        input,
        &ResultsFrame { matrix: &analysed, metric: p.metric },
        Scatter {
            color: given(&o.color),
            size: given(&o.size),
            tooltip: &o.tooltip,
            label: o.label.as_ref(),
            mark_size: o.mark_size,
            match_taxonomy: o.match_taxonomy,
            x: ("PC1", xlabel),
            y: ("PC2", ylabel),
            points,
        },
    )?;

    let mut body = Map::new();
    let mut datasets = vec![scatter_data];
    if o.org_vectors > 0 {
        let scale =
            o.org_vectors_scale.unwrap_or_else(|| 0.8 * p.pca.scores.iter().fold(0.0f64, |m, v| m.max(v.abs())));
        let tax = c.taxonomy(false);
        let names: Vec<String> = p
            .column_ids
            .iter()
            .map(|t| tax.index_of(t).and_then(|i| tax.name(i)).unwrap_or("None").to_owned())
            .collect();
        let count = usize::try_from(o.org_vectors).unwrap_or(usize::MAX);
        let rows = eigenvector_rows(&p.pca.components, p.column_ids.len(), &names, count, scale);
        let (data, vector_data) = named_data(rows);
        let vectors = json!({
            "data": data,
            "mark": { "type": "line", "point": false },
            "encoding": {
                "x": { "axis": null, "field": "x", "type": "quantitative" },
                "y": { "axis": null, "field": "y", "type": "quantitative" },
                "order": { "field": "o", "type": "quantitative" },
                "color": { "field": "Eigenvectors", "type": "nominal" },
            },
        });
        datasets.push(vector_data);
        body.insert("layer".into(), json!([scatter, vectors]));
        body.insert("resolve".into(), json!({ "scale": { "color": "independent" } }));
    } else {
        body = scatter;
    }
    spec::set_props(&mut body, o.title.as_deref(), o.width, o.height);
    Ok(Chart { spec: spec::top_level(body, datasets), warnings })
}

/// `plot_pcoa(...)` of the Python client (`plot_mds` by PCoA), as a spec.
pub fn plot_pcoa(input: &PlotInput, options: &Value) -> Result<Chart> {
    if options.get("method").is_some() {
        return Err(plot_error("plotPcoa options: unknown field `method` (plotPcoa is plotMds by PCoA)"));
    }
    ordination_plot("plotPcoa", input, options)
}

/// `plot_mds(...)` of the Python client, as a spec: PCoA (the default) or SMACOF.
pub fn plot_mds(input: &PlotInput, options: &Value) -> Result<Chart> {
    ordination_plot("plotMds", input, options)
}

/// Pearson's correlation of two equally long series (NaN when either is constant).
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += (x - ma) * (y - mb);
        aa += (x - ma) * (x - ma);
        bb += (y - mb) * (y - mb);
    }
    (ab / (aa * bb).sqrt()).clamp(-1.0, 1.0)
}

/// How much of the distances each MDS axis alone reproduces: Pearson's correlation of the
/// distances along that axis (rounded to 6 decimals, as the client rounds them) with the
/// analysed distances, over every pair.
fn axis_correlations(coordinates: &[f64], dm: &DistanceMatrix) -> [f64; 2] {
    let n = dm.len();
    let mut out = [f64::NAN; 2];
    for (axis, r) in out.iter_mut().enumerate() {
        let (mut along, mut given) = (Vec::new(), Vec::new());
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (coordinates[i * 2 + axis], coordinates[j * 2 + axis]);
                // scikit-learn's √(a² + b² − 2ab)
                let d = (a * a + b * b - 2.0 * a * b).max(0.0).sqrt();
                along.push((d * 1e6).round_ties_even() / 1e6);
                given.push(dm.get(i, j));
            }
        }
        *r = pearson(&along, &given);
    }
    out
}

fn ordination_plot(what: &str, input: &PlotInput, options: &Value) -> Result<Chart> {
    let o: MdsPlotOptions = parse_options(what, options)?;
    no_sort_functions(input, what)?;
    let c = input.collection;
    let metric = MetricOption::parse(&o.metric)?;
    let rank = RankOption::parse(&o.rank)?;
    let r = c.analysis_matrix(rank, metric)?;
    let b = compute_distance(c, r.rank, r.metric, &o.diversity_metric)?;
    let mut warnings = r.warnings.clone();
    warnings.extend(b.warnings.iter().cloned());
    let (ids, x, y, coordinates): (Vec<String>, _, _, Vec<f64>) = match o.method.as_str() {
        "pcoa" => {
            let (p, more) = collection_pcoa(c, r.metric, &b.matrix)?;
            warnings.extend(more);
            let n = p.ids.len();
            let mut xy: Vec<f64> = (0..n).flat_map(|i| [p.coordinates[i * n], p.coordinates[i * n + 1]]).collect();
            scale_to_unit(&mut xy);
            let label = |a: usize| two_decimals(p.proportion_explained.get(a).copied().unwrap_or(f64::NAN) * 100.0);
            (p.ids.clone(), ("PC1", format!("PC1 ({}%)", label(0))), ("PC2", format!("PC2 ({}%)", label(1))), xy)
        }
        "smacof" => {
            let (m, more) = collection_mds(c, r.metric, &b.matrix, &MdsOptions::default())?;
            warnings.extend(more);
            let keep: Vec<usize> = m.ids.iter().filter_map(|id| b.matrix.ids.iter().position(|d| d == id)).collect();
            let analysed = submatrix(&b.matrix, &keep)?;
            let [r1, r2] = axis_correlations(&m.coordinates, &analysed);
            let mut xy = m.coordinates.clone();
            scale_to_unit(&mut xy);
            let x = ("MDS1", format!("MDS1 (r² = {})", two_decimals(r1)));
            let y = ("MDS2", format!("MDS2 (r² = {})", two_decimals(r2)));
            (m.ids.clone(), x, y, xy)
        }
        other => return Err(plot_error(format!("MDS method must be one of: pcoa, smacof (got \"{other}\")"))),
    };
    omitted_warning(&mut warnings, "MDS/PCoA");
    let xlabel = o.xlabel.clone().unwrap_or(x.1);
    let ylabel = o.ylabel.clone().unwrap_or(y.1);
    let points =
        ids.iter().enumerate().map(|(i, id)| (id.clone(), coordinates[i * 2], coordinates[i * 2 + 1])).collect();
    let (mut body, dataset) = scatter_chart(
        input,
        &ResultsFrame { matrix: &r.matrix, metric: r.metric },
        Scatter {
            color: given(&o.color),
            size: given(&o.size),
            tooltip: &o.tooltip,
            label: o.label.as_ref(),
            mark_size: o.mark_size,
            match_taxonomy: o.match_taxonomy,
            x: (x.0, xlabel),
            y: (y.0, ylabel),
            points,
        },
    )?;
    spec::set_props(&mut body, o.title.as_deref(), o.width, o.height);
    Ok(Chart { spec: spec::top_level(body, vec![dataset]), warnings })
}

/// The distances between the members `keep` of `dm`, unrounded.
fn submatrix(dm: &DistanceMatrix, keep: &[usize]) -> Result<DistanceMatrix> {
    let n = dm.len();
    let ids = keep.iter().map(|&i| dm.ids[i].clone()).collect();
    let values = keep.iter().flat_map(|&i| keep.iter().map(move |&j| dm.values[i * n + j])).collect();
    DistanceMatrix::new(ids, values, dm.metric.clone())
}

/// Each column of the n × 2 `xy` divided by its largest magnitude (`df.div(df.abs().max())`).
fn scale_to_unit(xy: &mut [f64]) {
    for axis in 0..2 {
        let largest = xy.iter().skip(axis).step_by(2).fold(0.0f64, |m, v| m.max(v.abs()));
        xy.iter_mut().skip(axis).step_by(2).for_each(|v| *v /= largest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input_chart(kind: &str, options: Value) -> Result<Chart> {
        let (c, meta) = super::super::clustering::fixture::collection();
        super::super::plot(kind, &PlotInput::new(&c, &meta, "https://app.example"), &options)
    }

    fn rows(spec: &Value, data: &Value) -> Vec<Value> {
        spec["datasets"][data["name"].as_str().unwrap()].as_array().unwrap().clone()
    }

    #[test]
    fn tooltips_put_label_colour_and_size_first() {
        let f = |s: &str| FieldName::one(s);
        let tip = Some(Tooltip::Many(vec![f("a"), f("b")]));
        assert_eq!(tooltip_fields(&tip, Some(&f("c")), Some(&f("d"))), [f("Label"), f("c"), f("d"), f("a"), f("b")]);
        assert_eq!(tooltip_fields(&tip, Some(&f("b")), Some(&f("b"))), [f("Label"), f("a"), f("b")]);
        assert_eq!(tooltip_fields(&None, None, Some(&f("d"))), [f("Label"), f("d")]);
        assert_eq!(given(&Some(f(""))), None);
    }

    #[test]
    fn colour_columns_become_strings_unless_complete_numbers() {
        assert_eq!(categorical(&[json!(1), json!(2.5)]), None);
        // a numeric column with a gap holds floats in pandas
        assert_eq!(
            categorical(&[json!(7), Value::Null, json!(6.5)]),
            Some(vec![json!("7.0"), json!("N/A"), json!("6.5")])
        );
        assert_eq!(categorical(&[json!(true), json!(false)]), Some(vec![json!("True"), json!("False")]));
        assert_eq!(categorical(&[json!(7), json!("x")]), Some(vec![json!("7"), json!("x")]));
        assert_eq!(percent_rounded(35.4949), "35.49");
        assert_eq!(percent_rounded(22.1), "22.1");
        assert_eq!(percent_rounded(39.999), "40.0");
        assert_eq!(two_decimals(0.5), "0.50");
    }

    #[test]
    fn org_vectors_are_the_longest_loadings_in_table_order() {
        // PC1 and PC2 loadings of 4 taxa: lengths 1, 0.5, 2, 1.5
        let components = [1.0, 0.0, 0.0, 1.5, 0.0, 0.5, 2.0, 0.0];
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let rows = eigenvector_rows(&components, 4, &names, 2, 10.0);
        let picked: Vec<&str> = rows.iter().map(|r| r["Eigenvectors"].as_str().unwrap()).collect();
        assert_eq!(picked, ["c", "c", "d", "d"]);
        assert_eq!(rows[1], json!({ "x": 0.0, "y": 20.0, "o": 1, "Eigenvectors": "c" }));
        assert_eq!(rows[3]["x"], json!(15.0));
        // more than there are taxa: all of them
        assert_eq!(eigenvector_rows(&components, 4, &names, 9, 1.0).len(), 8);
    }

    #[test]
    fn pca_rows_list_members_without_abundances_last_without_coordinates() {
        let chart =
            input_chart("pca", json!({ "rank": "genus", "metric": "abundance", "color": "site", "size": "site" }))
                .unwrap();
        let spec = &chart.spec;
        let rows = rows(spec, &spec["data"]);
        let ids: Vec<&str> = rows.iter().map(|r| r["classification_id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["s1", "s2", "s3", "s4", "s5"]);
        assert!(rows[..4].iter().all(|r| r["PC1"].is_number() && r["PC2"].is_number()));
        assert_eq!((rows[4]["PC1"].clone(), rows[4]["PC2"].clone()), (Value::Null, Value::Null));
        let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["classification_id", "PC1", "PC2", "Label", "site", "url"]);
        assert_eq!(rows[0]["url"], "https://app.example/classification/s1");
        let enc = &spec["encoding"];
        assert_eq!(enc["color"]["scale"]["domain"], json!(["soil", "soil", "water", "water", "water"]));
        assert_eq!(enc["color"]["scale"]["range"], json!(["#0072C7", "#1DA893"]));
        assert_eq!(enc["size"], json!({ "field": "site", "type": "nominal" }));
        let tips: Vec<&str> = enc["tooltip"].as_array().unwrap().iter().map(|t| t["field"].as_str().unwrap()).collect();
        assert_eq!(tips, ["Label", "site"]);
        assert!(enc["x"]["axis"]["title"].as_str().unwrap().starts_with("PC1 ("));
        assert_eq!(spec["mark"], json!({ "type": "circle", "size": 100 }));
        assert!(chart.warnings.iter().any(|w| w.message.ends_with("have been omitted from the PCA plot.")));
        // the scores are centred
        let sum: f64 = rows[..4].iter().map(|r| r["PC1"].as_f64().unwrap()).sum();
        assert!(sum.abs() < 1e-12);
    }

    #[test]
    fn pca_org_vectors_make_a_layer_with_its_own_colours() {
        let chart =
            input_chart("pca", json!({ "rank": "genus", "metric": "abundance", "orgVectors": 2, "title": "T" }))
                .unwrap();
        let spec = &chart.spec;
        assert_eq!(spec["resolve"], json!({ "scale": { "color": "independent" } }));
        assert_eq!(spec["title"], "T");
        let layer = spec["layer"].as_array().unwrap();
        assert_eq!(layer.len(), 2);
        let lines = rows(spec, &layer[1]["data"]);
        assert_eq!(lines.len(), 4);
        // default scale: 0.8 × the largest score, so no line is longer than that
        let points = rows(spec, &layer[0]["data"]);
        let largest = points.iter().filter_map(|r| r["PC1"].as_f64()).fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(lines.iter().all(|r| r["x"].as_f64().unwrap().abs() <= largest * 0.8 + 1e-12 || largest == 0.0));
        assert_eq!(layer[1]["mark"], json!({ "type": "line", "point": false }));
    }

    #[test]
    fn pcoa_axes_are_scaled_to_one_and_signed_by_their_largest_coordinate() {
        for kind in ["pcoa", "mds"] {
            let chart = input_chart(kind, json!({ "rank": "genus", "metric": "readcount_w_children" })).unwrap();
            let rows = rows(&chart.spec, &chart.spec["data"]);
            assert_eq!(rows.len(), 5);
            for axis in ["PC1", "PC2"] {
                let v: Vec<f64> = rows.iter().map(|r| r[axis].as_f64().unwrap()).collect();
                let largest = v.iter().copied().fold(0.0f64, |m, x| m.max(x.abs()));
                assert!((largest - 1.0).abs() < 1e-12, "{kind} {axis}");
                assert!(v.iter().any(|&x| (x - 1.0).abs() < 1e-12), "{kind} {axis}: the largest is positive");
            }
            let title = chart.spec["encoding"]["x"]["axis"]["title"].as_str().unwrap().to_owned();
            assert!(title.starts_with("PC1 (") && title.ends_with("%)"), "{title}");
        }
    }

    #[test]
    fn smacof_scales_axes_and_labels_their_correlation() {
        let chart = input_chart(
            "mds",
            json!({ "rank": "genus", "metric": "abundance", "method": "smacof", "color": ["site", "filename"] }),
        )
        .unwrap();
        let spec = &chart.spec;
        let rows = rows(spec, &spec["data"]);
        assert_eq!(rows[4]["MDS1"], Value::Null);
        let largest = rows.iter().filter_map(|r| r["MDS2"].as_f64()).fold(0.0f64, |m, x| m.max(x.abs()));
        assert!((largest - 1.0).abs() < 1e-12);
        let title = spec["encoding"]["y"]["axis"]["title"].as_str().unwrap();
        let r: f64 = title.strip_prefix("MDS2 (r² = ").and_then(|t| t.strip_suffix(')')).unwrap().parse().unwrap();
        assert!((-1.0..=1.0).contains(&r) && title.len() == "MDS2 (r² = 0.00)".len() + usize::from(r < 0.0), "{title}");
        // a joined colour field (which the client looks up by the tuple and fails on)
        assert_eq!(spec["encoding"]["color"]["field"], "site_filename");
        assert_eq!(rows[0]["site_filename"], "soil_s1.fq");
        assert!(chart.warnings.iter().any(|w| w.message.ends_with("omitted from the MDS/PCoA plot.")));
    }

    #[test]
    fn colour_by_a_taxon_uses_its_renamed_column() {
        // the client looks the colour up by the name given, not the `Name (tax id)` column
        let chart =
            input_chart("pcoa", json!({ "rank": "genus", "metric": "readcount_w_children", "color": "Genus0" }))
                .unwrap();
        let spec = &chart.spec;
        assert_eq!(spec["encoding"]["color"]["field"], "Genus0 (11)");
        assert_eq!(spec["encoding"]["color"]["type"], "quantitative");
        assert!(spec["encoding"]["color"].get("scale").is_none());
        let rows = rows(spec, &spec["data"]);
        assert_eq!(rows[0]["Genus0 (11)"], json!(50.0));
    }

    #[test]
    fn correlations_are_of_each_axis_alone() {
        // the distances are those along the first axis: r = 1 there
        let xy = [0.0, 0.0, 1.0, 5.0, 3.0, 1.0];
        let dm = DistanceMatrix::new(
            vec!["a".into(), "b".into(), "c".into()],
            vec![0.0, 1.0, 3.0, 1.0, 0.0, 2.0, 3.0, 2.0, 0.0],
            "t",
        )
        .unwrap();
        let [r1, r2] = axis_correlations(&xy, &dm);
        assert!((r1 - 1.0).abs() < 1e-12);
        assert!(r2 < 0.9);
    }

    #[test]
    fn impossible_options_are_refused() {
        for (kind, bad) in [
            ("pca", json!({ "link": "ncbi" })),
            ("pca", json!({ "orgVectors": 2.5 })),
            ("pca", json!({ "label": "no_such_field" })),
            ("pca", json!({ "rank": "superkingdom" })),
            ("pcoa", json!({ "method": "smacof" })),
            ("pcoa", json!({ "diversityMetric": "euclidean" })),
            ("mds", json!({ "method": "tsne" })),
            ("mds", json!({ "diversityMetric": "minkowski" })),
            ("mds", json!({ "color": ["site", "no_such_field"] })),
        ] {
            let e = input_chart(kind, bad.clone()).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidArgument, "{kind} {bad}");
        }
    }
}
