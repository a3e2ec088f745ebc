//! The Python client's `plot_*` charts on a `Collection`, as Vega-Lite specs: options in, a spec
//! and warnings out. The core builds every chart; this layer reads the options, turns the ones
//! that are JS functions (`label`, `sortX`, `sortY`) into callbacks, and converts the result.

use super::convert::set;
use super::CollectionJs;
use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Array, Function, Object};
use onecodex_core::plots::{self, Chart, PlotInput, DEFAULT_LINK_BASE};
use onecodex_core::Error;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

// One file per kind of chart (its TypeScript options and its `plot*` method); the bar graph is here.
mod distance;
mod functional;
mod heatmap;
mod metadata;
mod ordination;

pub use functional::plot_functional_heatmap;

#[wasm_bindgen(typescript_custom_section)]
const TS_PLOTS: &str = r#"
/** A chart: a Vega-Lite spec with its data inline (for `vega-embed`), and what the Python client
 * would have warned while drawing it. */
export interface Plot { spec: any; warnings: Warning[]; }
/** A metadata field, or several categorical fields joined with `_`. */
export type PlotField = string | string[];
/** A metadata field, or a function of a sample's metadata row returning its label. */
export type PlotLabel = string | ((metadata: Record<string, unknown>) => string);
/** An axis order: the labels in order, or a function that orders the distinct labels. */
export type PlotSort = string[] | ((labels: string[]) => string[]);
/** Options every plot of a collection takes (Python's names in camelCase). */
export interface PlotCommonOptions {
  title?: string; width?: number; height?: number;
  /** A metadata field, a tax id or a taxon name, matched against taxonomy as Python matches it
   * (default `matchTaxonomy: true`). */
  tooltip?: PlotField | PlotField[];
  /** Default `"auto"`, as in `toMatrix`. */
  rank?: Rank | "auto"; metric?: Metric | "auto";
}
/** `plotBargraph`: the Python client's `plot_bargraph`. */
export interface BargraphOptions extends PlotCommonOptions {
  /** Default `"auto"`: the top 10 by mean, unless `threshold` is given; `null` for none. */
  topN?: number | "auto" | null;
  /** Keep taxa at least this abundant in some sample (default `"auto"`: not used). */
  threshold?: number | "auto" | null;
  xlabel?: string; ylabel?: string;
  /** A metadata field to facet by (one column of bars per value). */
  haxis?: string;
  /** A legend title, or a Vega-Lite legend object; default the metric's name. */
  legend?: string | Record<string, unknown>;
  label?: PlotLabel; sortX?: PlotSort;
  /** Default: true for metrics with children. */
  includeTaxaMissingRank?: boolean;
  /** Add `Other` (the rest of each bar); default true. */
  includeOther?: boolean;
  /** Average the samples of each value of this metadata field (then rescaled to 1). Not with
   * `tooltip`, `haxis`, `label` or `sortX`. */
  groupBy?: string;
  /** A click opens the classification in the web app (`"ocx"`, default) or the taxon at NCBI. */
  link?: "ocx" | "ncbi";
  matchTaxonomy?: boolean;
}
"#;

/// Reads a plot's options: the function-valued ones become callbacks, the rest JSON.
struct PlotOptions {
    json: Value,
    label_fn: Option<Function>,
    sort_x_fn: Option<Function>,
    sort_y_fn: Option<Function>,
}

fn plot_options(what: &str, options: Option<JsValue>) -> Result<PlotOptions, JsValue> {
    let (json, [label, sort_x, sort_y]) =
        crate::convert::read_options::<Value, 3>(what, options, ["label", "sortX", "sortY"])?;
    let mut json = match json {
        Value::Null => Map::new(),
        Value::Object(m) => m,
        _ => return Err(bad_argument(what, "options must be an object")),
    };
    let mut function = |key: &str, v: JsValue| -> Result<Option<Function>, JsValue> {
        if v.is_undefined() {
            return Ok(None);
        }
        if let Some(f) = v.dyn_ref::<Function>() {
            return Ok(Some(f.clone()));
        }
        json.insert(key.to_owned(), crate::convert::json_from_js(&format!("{what} {key}"), &v)?);
        Ok(None)
    };
    let label_fn = function("label", label)?;
    let sort_x_fn = function("sortX", sort_x)?;
    let sort_y_fn = function("sortY", sort_y)?;
    Ok(PlotOptions { json: Value::Object(json), label_fn, sort_x_fn, sort_y_fn })
}

/// What a callback threw or returned, as the core's error.
fn callback_error(what: &str, e: JsValue) -> Error {
    let message = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
    Error::invalid_argument(format!("{what} threw: {}", message.unwrap_or_else(|| "a non-Error value".into())))
}

fn call_label(f: &Function, row: &Map<String, Value>) -> onecodex_core::Result<String> {
    let arg = crate::convert::to_js(&Value::Object(row.clone()))
        .map_err(|e| callback_error("the label function's argument", e))?;
    let out = f.call1(&JsValue::UNDEFINED, &arg).map_err(|e| callback_error("the label function", e))?;
    out.as_string().ok_or_else(|| {
        Error::invalid_argument(format!(
            "Expected string from label function, got: {}",
            out.js_typeof().as_string().unwrap_or_default()
        ))
    })
}

fn call_sort(f: &Function, axis: &str, labels: &[String]) -> onecodex_core::Result<Vec<String>> {
    let arg: Array = labels.iter().map(|l| JsValue::from_str(l)).collect();
    let out = f.call1(&JsValue::UNDEFINED, &arg).map_err(|e| callback_error(axis, e))?;
    let bad = || Error::invalid_argument(format!("{axis} must return an array of the labels"));
    if !Array::is_array(&out) {
        return Err(bad());
    }
    Array::from(&out).iter().map(|v| v.as_string().ok_or_else(bad)).collect()
}

/// `{ spec, warnings }` of a chart.
pub(crate) fn plot_js(chart: Chart, pre: &[(String, String)]) -> Result<JsValue, JsValue> {
    let out = Object::new();
    // Through JSON text: one native JSON.parse builds the (large, inline-data) spec many times
    // faster than an object at a time across the wasm boundary.
    let text = serde_json::to_string(&chart.spec).map_err(|e| bad_argument("a chart", e))?;
    set(&out, "spec", js_sys::JSON::parse(&text)?);
    let warnings = super::convert::warnings_js(
        pre.iter()
            .map(|(c, m)| (c.as_str(), m.as_str()))
            .chain(chart.warnings.iter().map(|w| (w.code, w.message.as_str()))),
    );
    set(&out, "warnings", warnings);
    Ok(out.into())
}

impl CollectionJs {
    /// One plot of the core's list, by its Python name without `plot_`.
    pub(crate) fn plot(&self, kind: &str, what: &str, options: Option<JsValue>) -> Result<JsValue, JsValue> {
        let o = plot_options(what, options)?;
        let label = o.label_fn.as_ref().map(|f| move |row: &Map<String, Value>| call_label(f, row));
        let sort_x = o.sort_x_fn.as_ref().map(|f| move |l: &[String]| call_sort(f, "sortX", l));
        let sort_y = o.sort_y_fn.as_ref().map(|f| move |l: &[String]| call_sort(f, "sortY", l));
        let mut input = PlotInput::new(&self.c, &self.meta, self.link_base.as_deref().unwrap_or(DEFAULT_LINK_BASE));
        input.label_fn = label.as_ref().map(|f| f as plots::LabelFn);
        input.sort_x_fn = sort_x.as_ref().map(|f| f as plots::SortFn);
        input.sort_y_fn = sort_y.as_ref().map(|f| f as plots::SortFn);
        let chart = plots::plot(kind, &input, &o.json).map_err(err_js)?;
        plot_js(chart, &[])
    }
}

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// The Python client's `plot_bargraph`: stacked bars of the top taxa of each sample (or of
    /// each group's mean), as a Vega-Lite spec.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { spec } = c.plotBargraph({ rank: "genus", topN: 10, label: "sample_name" });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotBargraph, unchecked_return_type = "Plot")]
    pub fn plot_bargraph(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BargraphOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("bargraph", "plotBargraph", options)
    }
}
