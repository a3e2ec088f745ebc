//! `plotFunctionalHeatmap`: the Python client's `plot_functional_heatmap` on a functional matrix
//! (as `ocx.functionalMatrix` gives it) and the collection's metadata table.

use super::{call_label, call_sort, plot_js, plot_options};
use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Float64Array, Reflect};
use onecodex_core::plots::{self, FunctionalPlotInput};
use onecodex_core::results::{FunctionalMatrix, MetadataTable};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_FUNCTIONAL_HEATMAP: &str = r#"
/** `plotFunctionalHeatmap`: the Python client's `plot_functional_heatmap`. The matrix must be
 * built with the same `annotation` and `metric` and `taxaStratified: false`. */
export interface FunctionalHeatmapOptions {
  /** The collection's `metadataTable()`: labels and `haxis` read it (without it, samples are
   * labelled by their ids). */
  metadata?: MetadataTable;
  /** How many functions, the most abundant by mean over the samples (default 10; `null` for all). */
  topN?: number | null;
  /** The matrix's annotation (default `"go"`). */
  annotation?: FunctionalAnnotation;
  /** The matrix's metric, the legend's title: default `"cpm"`, or `"abundance"` for pathways. */
  metric?: FunctionalMetric;
  /** Functions by `"name"` (default) or `"id"`. */
  functionLabel?: "name" | "id";
  /** A metadata field to facet the samples by. */
  haxis?: string;
  /** A metadata field, or a function of a sample's metadata row; default the filename. */
  label?: PlotLabel;
  sortX?: PlotSort;
  /** Axis titles (default `"Sample"` and `"Function"`; `null` for none). */
  xlabel?: string | null; ylabel?: string | null;
  title?: string;
  /** Default 15 px a sample and 15 px a function. */
  width?: number | string; height?: number | string;
}
"#;

/// `metadataTable()` from its JSON: `{ index, columns, rows }`.
fn metadata_table(v: Value) -> Option<MetadataTable> {
    let Value::Object(mut o) = v else { return None };
    let index = o.remove("index")?.as_str()?.to_owned();
    let columns = match o.remove("columns")? {
        Value::Array(a) => a.into_iter().map(|c| c.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let rows = match o.remove("rows")? {
        Value::Array(a) => a
            .into_iter()
            .map(|r| match r {
                Value::Array(r) => Some(r),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    Some(MetadataTable { index, columns, rows })
}

fn strings(what: &str, v: &JsValue) -> Result<Vec<String>, JsValue> {
    crate::convert::array_items(what, v)?
        .iter()
        .map(|s| s.as_string().ok_or_else(|| bad_argument(what, "must hold strings")))
        .collect()
}

/// The matrix of `functionalMatrix` / `ocx.functionalMatrix`, and the sample of each row
/// (`sampleIds`, else the row ids).
fn read_matrix(v: &JsValue) -> Result<(FunctionalMatrix, Vec<String>), JsValue> {
    const WHAT: &str = "plotFunctionalHeatmap matrix";
    if !v.is_object() {
        return Err(bad_argument(WHAT, "must be a functional matrix (functionalMatrix or ocx.functionalMatrix)"));
    }
    let get = |k: &str| Reflect::get(v, &k.into());
    let row_ids = strings(&format!("{WHAT} rowIds"), &get("rowIds")?)?;
    let column_ids = strings(&format!("{WHAT} columnIds"), &get("columnIds")?)?;
    let taxa = get("columnTaxonIds")?;
    let column_taxon_ids = if taxa.is_null() || taxa.is_undefined() {
        None
    } else {
        Some(strings(&format!("{WHAT} columnTaxonIds"), &taxa)?)
    };
    let values = get("values")?;
    let values = match values.dyn_ref::<Float64Array>() {
        Some(a) => a.to_vec(),
        None => crate::convert::array_items(&format!("{WHAT} values"), &values)?
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect(),
    };
    let feature_names = match crate::convert::json_from_js(&format!("{WHAT} featureNames"), &get("featureNames")?)? {
        Value::Object(m) => m.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_owned))).collect(),
        Value::Null => Vec::new(),
        _ => return Err(bad_argument(WHAT, "featureNames must be an object")),
    };
    let samples = get("sampleIds")?;
    let sample_ids =
        if samples.is_undefined() { row_ids.clone() } else { strings(&format!("{WHAT} sampleIds"), &samples)? };
    Ok((FunctionalMatrix { row_ids, column_ids, column_taxon_ids, values, feature_names }, sample_ids))
}

/// The Python client's `plot_functional_heatmap`: the top functions of a functional matrix (by
/// their mean over the samples) as coloured cells, samples across and functions down, as a
/// Vega-Lite spec. Python fetches the matrix itself; here it is `ocx.functionalMatrix`'s (or
/// `functionalMatrix`'s), built unstratified with the annotation and metric given here: by
/// default `{ annotation: "go", metric: "cpm", taxaStratified: false }` (for pathways, metric
/// `"abundance"`). Samples are in the matrix's row order.
///
/// @example
/// ```ts
/// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
/// const meta = c.metadataTable();
/// const sampleIds = meta.rows.map((row) => row[meta.columns.indexOf("sample_id")]);
/// const m = await ocx.functionalMatrix(sampleIds, { annotation: "go", metric: "cpm", taxaStratified: false });
/// const { spec } = plotFunctionalHeatmap(m, { metadata: meta, topN: 20, haxis: "site" });
/// // await vegaEmbed("#chart", spec);
/// ```
#[wasm_bindgen(js_name = plotFunctionalHeatmap, unchecked_return_type = "Plot")]
pub fn plot_functional_heatmap(
    #[wasm_bindgen(unchecked_param_type = "FunctionalMatrix & { sampleIds?: string[] }")] matrix: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FunctionalHeatmapOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    const WHAT: &str = "plotFunctionalHeatmap";
    let (matrix, sample_ids) = read_matrix(&matrix)?;
    let o = plot_options(WHAT, options)?;
    let mut json = match o.json {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if json.contains_key("sortY") || o.sort_y_fn.is_some() {
        return Err(bad_argument(WHAT, "sortY is not an option of plotFunctionalHeatmap"));
    }
    let metadata = match json.remove("metadata") {
        None | Some(Value::Null) => MetadataTable { index: "sample_id".into(), ..MetadataTable::default() },
        Some(v) => metadata_table(v)
            .ok_or_else(|| bad_argument(WHAT, "metadata must be a metadataTable(): { index, columns, rows }"))?,
    };
    let label = o.label_fn.as_ref().map(|f| move |row: &Map<String, Value>| call_label(f, row));
    let sort_x = o.sort_x_fn.as_ref().map(|f| move |l: &[String]| call_sort(f, "sortX", l));
    let input = FunctionalPlotInput {
        matrix: &matrix,
        sample_ids: &sample_ids,
        metadata: &metadata,
        label_fn: label.as_ref().map(|f| f as plots::LabelFn),
        sort_x_fn: sort_x.as_ref().map(|f| f as plots::SortFn),
    };
    let chart = plots::plot_functional_heatmap(&input, &Value::Object(json)).map_err(err_js)?;
    plot_js(chart, &[])
}
