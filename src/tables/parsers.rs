//! The offline entry points: results a user already has (bytes or text) parsed into tables, and
//! the functional matrix of condensed files.

use super::classification::ClassificationTableJs;
use super::convert::{input_bytes, owned_strings, set, table_options, table_options_with_nan};
use super::functional::FunctionalTableJs;
use crate::convert::FunctionalMatrixJson;
use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use onecodex_core::results::{
    self as res, functional_matrix, CondensedFunctional, FunctionalMetric, RehydrateFilter, DEFAULT_MAX_MATRIX_BYTES,
};
use onecodex_core::{Error, ErrorCode};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_PARSERS: &str = r#"
export interface FunctionalParseOptions {
  /** Rows of one annotation (condensed files). */
  annotation?: FunctionalAnnotation;
  /** Rows of one metric, or all (condensed files). */
  metric?: FunctionalMetric | "all";
  /** Taxon-stratified rows or not (condensed files; default: both). */
  taxaStratified?: boolean;
}
/** Options of the functional matrix, as the Python client's `to_functional_df` takes them. */
export interface FunctionalMatrixOptions {
  /** Default `"pathways"`. */
  annotation?: FunctionalAnnotation;
  /** Default `"coverage"` for pathways, `"cpm"` for the other annotations. */
  metric?: FunctionalMetric;
  /** Columns per (feature, taxon) pair (default true). */
  taxaStratified?: boolean;
  /** Replace empty cells by `filler` (default true, filler 0; a NaN filler keeps them NaN). */
  fillMissing?: boolean; filler?: number;
  /** Refuse matrices larger than this (bytes of values). */
  maxBytes?: number;
}
export interface FunctionalMatrix {
  rowIds: string[]; columnIds: string[]; columnTaxonIds: string[] | null; values: Float64Array;
  featureNames: Record<string, string | null>;
}
"#;

/// Parses classification results a user already has: zstd, gzip or plain JSON bytes, or JSON text.
/// Bad input throws a `OneCodexError` (`invalid_response`).
///
/// @example
/// ```ts
/// const table = parseClassificationResults(bytes); // e.g. bytes of a results .json.gz
/// console.log(table.length, table.n_reads);
/// ```
#[wasm_bindgen(js_name = parseClassificationResults)]
pub fn parse_classification_results(
    #[wasm_bindgen(unchecked_param_type = "ResultsInput")] input: JsValue,
) -> Result<ClassificationTableJs, JsValue> {
    let bytes = input_bytes("parseClassificationResults", &input)?;
    Ok(ClassificationTableJs { t: res::ClassificationTable::parse(&bytes).map_err(err_js)? })
}

/// Decompresses a results file: zstd or gzip, told apart by their magic bytes; plain JSON is
/// returned as it is (without a UTF-8 BOM). Output over 1 GiB is refused (`invalid_response`).
///
/// @example
/// ```ts
/// const json = JSON.parse(new TextDecoder().decode(decodeResults(bytes)));
/// ```
#[wasm_bindgen(js_name = decodeResults)]
pub fn decode_results(
    #[wasm_bindgen(unchecked_param_type = "ResultsInput")] input: JsValue,
) -> Result<Uint8Array, JsValue> {
    let bytes = input_bytes("decodeResults", &input)?;
    Ok(Uint8Array::from(&res::decode(&bytes).map_err(err_js)?[..]))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct FunctionalParseJsOptions {
    annotation: Option<String>,
    metric: Option<String>,
    taxa_stratified: Option<bool>,
}

/// A functional table from server `/results` JSON or a condensed (version 1) file, compressed or
/// not. A condensed file is rehydrated as the Python client does: in full, or only the rows `options`
/// select; `/results` JSON takes no options (the server already chose its rows).
///
/// @example
/// ```ts
/// const all = parseFunctionalResults(bytes); // /results JSON, or a condensed file (compressed or not)
/// const pathways = parseFunctionalResults(bytes, { annotation: "pathways", metric: "abundance" });
/// console.log(all.length, pathways.column("value"));
/// ```
#[wasm_bindgen(js_name = parseFunctionalResults)]
pub fn parse_functional_results(
    #[wasm_bindgen(unchecked_param_type = "ResultsInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FunctionalParseOptions")] options: Option<JsValue>,
) -> Result<FunctionalTableJs, JsValue> {
    const WHAT: &str = "parseFunctionalResults";
    let o: FunctionalParseJsOptions = table_options(&format!("{WHAT} options"), options)?;
    let (annotation, metric) =
        FunctionalMetric::parse_selection(o.annotation.as_deref(), o.metric.as_deref()).map_err(err_js)?;
    let filter =
        RehydrateFilter { group_name: annotation.map(|a| a.as_str()), metric, taxa_stratified: o.taxa_stratified };
    let bytes = input_bytes(WHAT, &input)?;
    // The only invalid_argument here is a row selection given for `/results` JSON.
    res::FunctionalTable::parse_results_or_condensed(&bytes, &filter).map(|t| FunctionalTableJs { t }).map_err(|e| {
        match e.code {
            ErrorCode::InvalidArgument => bad_argument(WHAT, e.message),
            _ => err_js(e),
        }
    })
}

/// The functional matrix of condensed files (the Python client's `to_functional_df`): rows are
/// the given ids.
///
/// @example
/// ```ts
/// const load = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
/// const m = functionalMatrix(
///   [{ id: "a1", bytes: await load("a1.json.gz") }, { id: "b2", bytes: await load("b2.json.gz") }],
///   { annotation: "pathways", metric: "cpm" },
/// );
/// console.log(m.rowIds, m.columnIds.length);
/// ```
#[wasm_bindgen(js_name = functionalMatrix, unchecked_return_type = "FunctionalMatrix")]
pub fn functional_matrix_js(
    #[wasm_bindgen(unchecked_param_type = "{ id: string; bytes: ResultsInput }[]")] profiles: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FunctionalMatrixOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let opts: FunctionalMatrixJson = table_options_with_nan("functionalMatrix options", options)?;
    if opts.concurrency.is_some() {
        return Err(bad_argument("concurrency", "applies only to ocx.functionalMatrix, which fetches the profiles"));
    }
    let (spec, max_bytes) = (opts.spec()?, opts.max_bytes()?);
    if !Array::is_array(&profiles) {
        return Err(bad_argument("functionalMatrix", "expects an array of { id, bytes }"));
    }
    let list = crate::convert::array_items("functionalMatrix", &profiles)?;
    let mut parsed: Vec<(String, CondensedFunctional)> = Vec::with_capacity(list.len());
    for item in list {
        if !item.is_object() {
            return Err(bad_argument("functionalMatrix", "each profile must be an object { id, bytes }"));
        }
        let id = Reflect::get(&item, &"id".into())?
            .as_string()
            .ok_or_else(|| bad_argument("functionalMatrix", "each profile needs an id string"))?;
        let bytes = input_bytes("functionalMatrix bytes", &Reflect::get(&item, &"bytes".into())?)?;
        let c = CondensedFunctional::parse(&bytes).map_err(err_js)?.ok_or_else(|| {
            err_js(Error::invalid_response(format!("Results are not available for functional profile {id}")))
        })?;
        parsed.push((id, c));
    }
    let refs: Vec<(&str, &CondensedFunctional)> = parsed.iter().map(|(i, c)| (i.as_str(), c)).collect();
    let m = functional_matrix(
        &refs,
        spec.annotation,
        spec.metric,
        spec.taxa_stratified,
        spec.fill_missing,
        spec.filler,
        max_bytes.unwrap_or(DEFAULT_MAX_MATRIX_BYTES),
    )
    .map_err(err_js)?;
    let o = Object::new();
    set(&o, "rowIds", owned_strings(&m.row_ids));
    set(&o, "columnIds", owned_strings(&m.column_ids));
    set(&o, "columnTaxonIds", m.column_taxon_ids.as_deref().map_or(JsValue::NULL, |t| owned_strings(t).into()));
    set(&o, "values", Float64Array::from(&m.values[..]));
    let names = Object::new();
    for (id, name) in &m.feature_names {
        set(&names, id, name.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    }
    set(&o, "featureNames", names);
    Ok(o.into())
}
