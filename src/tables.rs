//! Results as tables in JavaScript (issue 6): `ClassificationTable`, `FunctionalTable`,
//! `Collection` (matrices, metadata, BIOM, bar charts), `TaxonomyTree`, and the offline parsers.
//!
//! Bulk data cross as typed arrays (`Float64Array`, NaN for null) and string arrays; only `rows()`
//! and `format: "long"` build one object per row. Every class here holds wasm memory: it is
//! released when the object is garbage-collected (weak refs), or at once with `free()`.

use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use onecodex_core::results::{
    self as res, bar_chart_table, bar_chart_vega_lite, functional_matrix, metadata_table, BarChartOptions,
    CollectionItem, CondensedFunctional, FunctionalMatrixSpec, FunctionalMetric, MatrixOptions, MetadataItem,
    MetricOption, Rank, RankOption, RehydrateFilter, SampleInfo, TableFormat, TaxonomyTree as CoreTree,
    Warning, COLUMN_NAMES, DEFAULT_MAX_MATRIX_BYTES,
};
use onecodex_core::Error;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TABLES: &str = r#"
/** Results bytes as fetched or read from a file (zstd, gzip or plain JSON), or JSON text. */
export type ResultsInput = Uint8Array | ArrayBuffer | string;
/** A warning the Python client would print, returned as data. */
export interface Warning { code: string; message: string; }
/** One row of a classification table (`rows()`); null for null or absent numbers. */
export interface ClassificationRow {
  tax_id: string; name: string | null; rank: string | null; parent_tax_id: string | null;
  readcount: number | null; readcount_w_children: number | null;
  abundance: number | null; abundance_w_children: number | null;
  filtered_readcount: number | null; filtered_readcount_w_children: number | null;
}
export type ClassificationStringColumn = "tax_id" | "name" | "rank" | "parent_tax_id";
export type ClassificationNumberColumn = "readcount" | "readcount_w_children" | "abundance" |
  "abundance_w_children" | "filtered_readcount" | "filtered_readcount_w_children";
/** Per-classification statistics (API_SPEC §9.3). */
export interface SampleStats {
  n_reads_total: number; n_host_reads: number; n_nonspecific_reads: number;
  n_mapped_reads: number; n_mapped_microbial_reads: number;
}
export type Rank = "superkingdom" | "kingdom" | "phylum" | "class" | "order" | "family" | "genus" | "species";
export type Metric = "readcount" | "readcount_w_children" | "abundance" | "abundance_w_children" |
  "prop_readcount" | "prop_readcount_w_children" | "prop_classified" | "prop_classified_w_children" |
  "normalized_readcount" | "normalized_readcount_w_children" | "filtered_readcount" |
  "filtered_readcount_w_children" | "normalized_filtered_readcount" | "normalized_filtered_readcount_w_children";
/** Options of `Collection.toMatrix` (API_SPEC §9.4–9.5); defaults as in the Python client. */
export interface MatrixOptions {
  rank?: Rank | "auto"; metric?: Metric | "auto"; topN?: number; threshold?: number;
  removeZeros?: boolean; includeHost?: boolean; includeTaxaMissingRank?: boolean;
  fillMissing?: boolean; filler?: number; format?: "wide" | "long";
  /** Refuse a matrix whose values would need more bytes than this (default 512 MiB). */
  maxBytes?: number;
}
/** A wide matrix: rows are classification ids, columns tax ids (plus `No <rank>`); `values` row-major. */
export interface WideMatrix {
  format: "wide"; rowIds: string[]; columnIds: string[]; columnNames: string[]; values: Float64Array;
  metric: Metric; rank: Rank; valueName: string; warnings: Warning[];
}
/** A long table: one record per cell, column-major, zeros included. */
export interface LongMatrix {
  format: "long"; records: Array<{ classification_id: string; tax_id: string } & Record<string, number | string>>;
  metric: Metric; rank: Rank; valueName: string; warnings: Warning[];
}
/** Functional results (§8.4, or rehydrated from the condensed file, §16.3). */
export interface FunctionalResults {
  n_reads?: number | null; n_mapped?: number | null;
  table: FunctionalRow[];
}
export interface CollectionResultsItem {
  classificationId: string;
  /** The results (zstd, gzip or plain JSON), or `table`: one of the two. */
  bytes?: ResultsInput;
  /** An already parsed table; it is moved into the collection (the object becomes unusable). */
  table?: ClassificationTable;
  /** False for a classification that did not succeed (it has no results): skipped with a warning,
   * or refused when `skipMissing` is false (§9.1). Default true. */
  success?: boolean;
  /** The sample and metadata objects (as the API returns them), for `metadataTable()` and BIOM. */
  sample?: any; metadata?: any;
  /** For `metadataTable()` and the Python client's `job_id`/`job_name` checks. */
  projectName?: string; jobId?: string; jobName?: string;
}
export interface CollectionResultsOptions {
  /** Skip unsuccessful classifications with a warning instead of refusing them (default true). */
  skipMissing?: boolean;
  /** Warnings from before (e.g. fetching), listed first in `warnings`. */
  warnings?: Warning[];
}
export interface FunctionalParseOptions {
  /** Rows of one annotation (condensed files). */
  annotation?: FunctionalAnnotation;
  /** Rows of one metric, or all (condensed files). */
  metric?: FunctionalMetric | "all";
  /** Taxon-stratified rows or not (condensed files; default: both). */
  taxaStratified?: boolean;
}
export interface TaxonomyNode { tax_id: string; name: string | null; rank: string | null; parent: string | null; children: string[]; }
export interface BarChartOptions {
  rank?: Rank | "auto"; metric?: Metric | "auto"; topN?: number; threshold?: number;
  includeTaxaMissingRank?: boolean; includeHost?: boolean;
  /** Bar labels, one per row (default: classification ids). */
  labels?: string[];
}
export interface BarChart {
  rowIds: string[]; columnIds: string[]; columnNames: string[]; values: Float64Array;
  metric: Metric; rank: Rank; valueName: string; warnings: Warning[];
  /** A Vega-Lite v5 stacked bar chart of the table. */
  spec: any;
}
export interface MetadataTable { index: string; columns: string[]; rows: any[][]; }
export interface FunctionalRow {
  group_name: string | null; id: string | null; name: string | null; metric: string | null;
  taxa_stratified: boolean | null; taxon_id: string | null; taxon_name: string | null; value: number | null;
}
export type FunctionalAnnotation = "pathways" | "metacyc" | "eggnog" | "go" | "ko" | "ec" | "pfam" | "reaction";
export type FunctionalMetric = "rpk" | "cpm" | "abundance" | "complete_abundance" | "coverage";
/** `to_functional_df`'s options (§9.8, §16.3 item 17). */
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

/// Bytes of a `ResultsInput`.
fn input_bytes(what: &str, input: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = input.as_string() {
        return Ok(s.into_bytes());
    }
    if input.is_instance_of::<Uint8Array>() || input.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(input).to_vec());
    }
    if ArrayBufferView::is_view(input) {
        let buf = Reflect::get(input, &"buffer".into())?;
        let off = Reflect::get(input, &"byteOffset".into())?.as_f64().unwrap_or(0.0) as u32;
        let len = Reflect::get(input, &"byteLength".into())?.as_f64().unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buf, off, len).to_vec());
    }
    Err(bad_argument(what, "expects a Uint8Array, an ArrayBuffer or a string"))
}

#[wasm_bindgen]
extern "C" {
    type ArrayBufferView;
    #[wasm_bindgen(static_method_of = ArrayBufferView, js_class = "ArrayBuffer", js_name = isView)]
    fn is_view(v: &JsValue) -> bool;
}

fn strings_array<'a>(items: impl Iterator<Item = Option<&'a str>>) -> Array {
    items
        .map(|s| match s {
            Some(s) => JsValue::from_str(s),
            None => JsValue::NULL,
        })
        .collect()
}

pub(crate) fn owned_strings(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

pub(crate) fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), &value.into());
}

fn num_or_null(v: f64) -> JsValue {
    if v.is_nan() {
        JsValue::NULL
    } else {
        JsValue::from_f64(v)
    }
}

fn warnings_js<'a>(w: impl IntoIterator<Item = (&'a str, &'a str)>) -> Array {
    w.into_iter()
        .map(|(code, message)| {
            let o = Object::new();
            set(&o, "code", code);
            set(&o, "message", message);
            JsValue::from(o)
        })
        .collect()
}

pub(crate) fn core_warnings_js(w: &[Warning]) -> Array {
    warnings_js(w.iter().map(|w| (w.code, w.message.as_str())))
}

/// Options read straight from JS (so a NaN `filler` survives); unknown keys are refused, as
/// serde-wasm-bindgen only looks at the fields it knows.
pub(crate) fn js_options<T: for<'de> Deserialize<'de> + Default>(what: &str, options: Option<JsValue>, known: &[&str]) -> Result<T, JsValue> {
    match options {
        None => Ok(T::default()),
        Some(v) if v.is_undefined() || v.is_null() => Ok(T::default()),
        Some(v) if !v.is_object() => Err(bad_argument(what, "must be an object")),
        Some(v) => {
            for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
                let key = key.as_string().unwrap_or_default();
                if !known.contains(&key.as_str()) {
                    return Err(bad_argument(what, format!("unknown option \"{key}\"; expected one of {}", known.join(", "))));
                }
            }
            serde_wasm_bindgen::from_value(v).map_err(|e| bad_argument(what, e))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ClassificationTable

/// One classification's results in columns. `column(name)` gives numbers as a `Float64Array`
/// (NaN for null) and strings as `(string | null)[]`.
///
/// @example
/// ```ts
/// const t = parseClassificationResults(bytes);
/// const counts = t.numbers("readcount_w_children"); // Float64Array
/// const species = t.strings("rank").flatMap((r, i) => (r === "species" ? [i] : []));
/// t.free(); // optional: releases the wasm memory now instead of at garbage collection
/// ```
#[wasm_bindgen(js_name = ClassificationTable)]
pub struct ClassificationTableJs {
    t: res::ClassificationTable,
}

#[wasm_bindgen(js_class = ClassificationTable)]
impl ClassificationTableJs {
    /// Rows in the table.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// console.log(`${t.length} taxa`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.t.len()
    }

    /// Column names, in CSV order.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const header = t.columns.join(","); // "tax_id,name,rank,…"
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "(ClassificationStringColumn | ClassificationNumberColumn)[]")]
    pub fn columns(&self) -> Array {
        COLUMN_NAMES.iter().map(|c| JsValue::from_str(c)).collect()
    }

    /// A column: `Float64Array` for numbers (NaN for null or absent), `(string | null)[]` for strings.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const counts = t.column("readcount") as Float64Array;
    /// const names = t.column("name") as (string | null)[];
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Float64Array | (string | null)[]")]
    pub fn column(&self, name: &str) -> Result<JsValue, JsValue> {
        Ok(match self.t.column(name).map_err(err_js)? {
            res::Column::Numbers(v) => Float64Array::from(v).into(),
            res::Column::Strings(codes) => strings_array(codes.iter().map(|&c| self.t.str(c))).into(),
        })
    }

    /// A number column (`Float64Array`, NaN for null); throws for a string column.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const abundance = t.numbers("abundance_w_children"); // NaN where null
    /// const total = t.numbers("readcount").reduce((a, b) => a + b, 0);
    /// ```
    #[wasm_bindgen(js_name = numbers)]
    pub fn numbers(&self, #[wasm_bindgen(unchecked_param_type = "ClassificationNumberColumn")] name: &str) -> Result<Float64Array, JsValue> {
        match self.t.column(name).map_err(err_js)? {
            res::Column::Numbers(v) => Ok(Float64Array::from(v)),
            res::Column::Strings(_) => Err(bad_argument("numbers", format!("column \"{name}\" holds strings"))),
        }
    }

    /// A string column (`(string | null)[]`); throws for a number column.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const names = t.strings("name");
    /// ```
    #[wasm_bindgen(js_name = strings, unchecked_return_type = "(string | null)[]")]
    pub fn strings(&self, #[wasm_bindgen(unchecked_param_type = "ClassificationStringColumn")] name: &str) -> Result<Array, JsValue> {
        match self.t.column(name).map_err(err_js)? {
            res::Column::Strings(codes) => Ok(strings_array(codes.iter().map(|&c| self.t.str(c)))),
            res::Column::Numbers(_) => Err(bad_argument("strings", format!("column \"{name}\" holds numbers"))),
        }
    }

    /// `n_reads` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// console.log(t.n_reads ?? "n_reads not in the results");
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_reads(&self) -> Option<f64> {
        self.t.n_reads()
    }

    /// `host_tax_ids` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const host = new Set(t.host_tax_ids ?? []);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "string[] | undefined")]
    pub fn host_tax_ids(&self) -> JsValue {
        self.t.host_tax_ids().map_or(JsValue::UNDEFINED, |h| owned_strings(h).into())
    }

    /// The row index of a tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const i = t.rowOf("562"); // E. coli
    /// if (i !== undefined) console.log(t.numbers("readcount")[i]);
    /// ```
    #[wasm_bindgen(js_name = rowOf)]
    pub fn row_of(&self, tax_id: &str) -> Option<usize> {
        self.t.row_of(tax_id)
    }

    /// One row as an object, or undefined past the end.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const first = t.row(0);
    /// console.log(first?.name, first?.readcount);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ClassificationRow | undefined")]
    pub fn row(&self, index: usize) -> JsValue {
        self.row_js(index).map_or(JsValue::UNDEFINED, Into::into)
    }

    /// The row of a tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const ecoli = t.get("562");
    /// console.log(ecoli?.readcount_w_children ?? 0);
    /// ```
    #[wasm_bindgen(js_name = get, unchecked_return_type = "ClassificationRow | undefined")]
    pub fn get(&self, tax_id: &str) -> JsValue {
        self.t.row_of(tax_id).and_then(|i| self.row_js(i)).map_or(JsValue::UNDEFINED, Into::into)
    }

    /// Every row as an object (convenient; prefer `column()` for bulk work).
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const genera = t.rows().filter((r) => r.rank === "genus");
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ClassificationRow[]")]
    pub fn rows(&self) -> Array {
        (0..self.t.len()).filter_map(|i| self.row_js(i)).map(JsValue::from).collect()
    }

    /// §9.3 statistics; needs `n_reads` and `host_tax_ids` in the results.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const { n_reads_total, n_mapped_microbial_reads } = t.stats();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "SampleStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let s = self.t.stats().map_err(err_js)?;
        let o = Object::new();
        set(&o, "n_reads_total", s.n_reads_total);
        set(&o, "n_host_reads", s.n_host_reads);
        set(&o, "n_nonspecific_reads", s.n_nonspecific_reads);
        set(&o, "n_mapped_reads", s.n_mapped_reads);
        set(&o, "n_mapped_microbial_reads", s.n_mapped_microbial_reads);
        Ok(o.into())
    }

    /// CSV with a header row, columns as `columns`.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const csv = t.toCSV(); // "tax_id,name,rank,…\n…"
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.t.to_csv()
    }

    /// TSV with a header row.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const tsv = t.toTSV();
    /// ```
    #[wasm_bindgen(js_name = toTSV)]
    pub fn to_tsv(&self) -> String {
        self.t.to_tsv()
    }

    /// The results as JSON text again (`n_reads`, `host_tax_ids`, `table`).
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const again = parseClassificationResults(t.toJSONText());
    /// ```
    #[wasm_bindgen(js_name = toJSONText)]
    pub fn to_json_text(&self) -> String {
        self.t.to_json()
    }
}

impl ClassificationTableJs {
    fn row_js(&self, i: usize) -> Option<Object> {
        let r = self.t.row(i)?;
        let o = Object::new();
        let s = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
        set(&o, "tax_id", r.tax_id);
        set(&o, "name", s(r.name));
        set(&o, "rank", s(r.rank));
        set(&o, "parent_tax_id", s(r.parent_tax_id));
        set(&o, "readcount", num_or_null(r.readcount));
        set(&o, "readcount_w_children", num_or_null(r.readcount_w_children));
        set(&o, "abundance", num_or_null(r.abundance));
        set(&o, "abundance_w_children", num_or_null(r.abundance_w_children));
        set(&o, "filtered_readcount", num_or_null(r.filtered_readcount));
        set(&o, "filtered_readcount_w_children", num_or_null(r.filtered_readcount_w_children));
        Some(o)
    }
}

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

// ---------------------------------------------------------------------------------------------
// FunctionalTable

/// Functional results rows in columns (server `/results`, `filtered_results`, or a condensed
/// file rehydrated as the Python client does).
///
/// @example
/// ```ts
/// const f = parseFunctionalResults(bytes);
/// const top = f.rows().filter((r) => r.value !== null).sort((a, b) => b.value! - a.value!).slice(0, 10);
/// ```
#[wasm_bindgen(js_name = FunctionalTable)]
pub struct FunctionalTableJs {
    t: res::FunctionalTable,
}

#[wasm_bindgen(js_class = FunctionalTable)]
impl FunctionalTableJs {
    /// Rows in the table.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// console.log(`${f.length} rows`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.t.len()
    }

    /// `n_reads` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// console.log(f.n_reads, f.n_mapped);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_reads(&self) -> Option<f64> {
        self.t.n_reads()
    }

    /// `n_mapped` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// const mapped = f.n_reads ? (f.n_mapped ?? 0) / f.n_reads : undefined;
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_mapped(&self) -> Option<f64> {
        self.t.n_mapped()
    }

    /// `value` as a `Float64Array`; `taxa_stratified` as `(boolean | null)[]`; the others as
    /// `(string | null)[]`.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const values = f.column("value") as Float64Array;
    /// const ids = f.column("id") as (string | null)[];
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Float64Array | (string | null)[] | (boolean | null)[]")]
    pub fn column(
        &self,
        #[wasm_bindgen(unchecked_param_type = "\"group_name\" | \"id\" | \"name\" | \"metric\" | \"taxa_stratified\" | \"taxon_id\" | \"taxon_name\" | \"value\"")] name: &str,
    ) -> Result<JsValue, JsValue> {
        let t = &self.t;
        let codes = match name {
            "value" => return Ok(Float64Array::from(t.values()).into()),
            "taxa_stratified" => {
                return Ok(t
                    .taxa_stratified()
                    .iter()
                    .map(|&b| match b {
                        0 => JsValue::FALSE,
                        1 => JsValue::TRUE,
                        _ => JsValue::NULL,
                    })
                    .collect::<Array>()
                    .into())
            }
            "group_name" => t.group_name_codes(),
            "id" => t.id_codes(),
            "name" => t.name_codes(),
            "metric" => t.metric_codes(),
            "taxon_id" => t.taxon_id_codes(),
            "taxon_name" => t.taxon_name_codes(),
            _ => return Err(bad_argument("column", format!("unknown functional column \"{name}\""))),
        };
        Ok(strings_array(codes.iter().map(|&c| t.strings().get(c))).into())
    }

    /// Every row as an object.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// for (const r of f.rows()) console.log(r.group_name, r.id, r.value);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "FunctionalRow[]")]
    pub fn rows(&self) -> Array {
        let s = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
        self.t
            .rows()
            .map(|r| {
                let o = Object::new();
                set(&o, "group_name", s(r.group_name));
                set(&o, "id", s(r.id));
                set(&o, "name", s(r.name));
                set(&o, "metric", s(r.metric));
                set(&o, "taxa_stratified", r.taxa_stratified.map_or(JsValue::NULL, JsValue::from_bool));
                set(&o, "taxon_id", s(r.taxon_id));
                set(&o, "taxon_name", s(r.taxon_name));
                set(&o, "value", num_or_null(r.value));
                JsValue::from(o)
            })
            .collect()
    }

    /// The table in the shape of the server's `/results` (§8.4): `{ table: rows, n_reads, n_mapped }`.
    /// `JSON.stringify(table)` uses it.
    ///
    /// @example
    /// ```ts
    /// const json = JSON.stringify(parseFunctionalResults(bytes));
    /// ```
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "FunctionalResults")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        set(&o, "table", self.rows());
        set(&o, "n_reads", self.t.n_reads().map_or(JsValue::NULL, JsValue::from_f64));
        set(&o, "n_mapped", self.t.n_mapped().map_or(JsValue::NULL, JsValue::from_f64));
        o.into()
    }

    /// The rows of one group (or all) with the given stratification (§8.4 `table()`).
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const goUnstratified = f.filter("go", false);
    /// const allStratified = f.filter(null, true);
    /// ```
    pub fn filter(&self, group_name: Option<String>, taxa_stratified: bool) -> FunctionalTableJs {
        FunctionalTableJs { t: self.t.filter(group_name.as_deref(), taxa_stratified) }
    }

    /// CSV with a header row, the columns of `FunctionalRow`.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const csv = f.filter("pathways", false).toCSV();
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.t.to_csv()
    }
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
/// not. A condensed file is rehydrated (§16.3 items 15–16): in full, or only the rows `options`
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
    let o: FunctionalParseJsOptions = js_options(&format!("{WHAT} options"), options, &["annotation", "metric", "taxaStratified"])?;
    let (annotation, metric) = FunctionalMetric::parse_selection(o.annotation.as_deref(), o.metric.as_deref()).map_err(err_js)?;
    let filter = RehydrateFilter { group_name: annotation.map(|a| a.as_str()), metric, taxa_stratified: o.taxa_stratified };
    let selects = filter.group_name.is_some() || filter.metric.is_some() || filter.taxa_stratified.is_some();
    let bytes = input_bytes(WHAT, &input)?;
    let text = res::decode(&bytes).map_err(err_js)?;
    if looks_condensed(&text) {
        return match CondensedFunctional::parse(&text).map_err(err_js)? {
            Some(c) => Ok(FunctionalTableJs { t: c.rehydrate(&filter) }),
            None => Err(err_js(Error::invalid_response("condensed functional results of an unsupported version (only version 1 is read)"))),
        };
    }
    if selects {
        return Err(bad_argument(WHAT, "annotation, metric and taxaStratified select rows of a condensed file; /results JSON has the rows the server chose"));
    }
    Ok(FunctionalTableJs { t: res::FunctionalTable::parse_json(&text).map_err(err_js)? })
}

/// A condensed file has a top-level `version` and `results` object instead of `table`.
fn looks_condensed(text: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        version: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(text).is_ok_and(|p| p.version.is_some())
}

/// The functional matrix (§16.3 item 17) of condensed files: rows are the given ids.
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
    let opts: FunctionalMatrixJsOptions = js_options("functionalMatrix options", options, &["annotation", "metric", "taxaStratified", "fillMissing", "filler", "maxBytes"])?;
    let list = Array::from(&profiles);
    let mut parsed: Vec<(String, CondensedFunctional)> = Vec::with_capacity(list.length() as usize);
    for item in list.iter() {
        let id = Reflect::get(&item, &"id".into())?.as_string().ok_or_else(|| bad_argument("functionalMatrix", "each profile needs an id string"))?;
        let bytes = input_bytes("functionalMatrix bytes", &Reflect::get(&item, &"bytes".into())?)?;
        let c = CondensedFunctional::parse(&bytes)
            .map_err(err_js)?
            .ok_or_else(|| err_js(Error::invalid_response(format!("Results are not available for functional profile {id}"))))?;
        parsed.push((id, c));
    }
    let refs: Vec<(&str, &CondensedFunctional)> = parsed.iter().map(|(i, c)| (i.as_str(), c)).collect();
    let spec = FunctionalMatrixSpec::resolve(opts.annotation.as_deref(), opts.metric.as_deref(), opts.taxa_stratified, opts.fill_missing, opts.filler)
        .map_err(err_js)?;
    let m = functional_matrix(
        &refs,
        spec.annotation,
        spec.metric,
        spec.taxa_stratified,
        spec.fill_missing,
        spec.filler,
        opts.max_bytes.map_or(DEFAULT_MAX_MATRIX_BYTES, |b| b as usize),
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FunctionalMatrixJsOptions {
    annotation: Option<String>,
    metric: Option<String>,
    taxa_stratified: Option<bool>,
    fill_missing: Option<bool>,
    filler: Option<f64>,
    max_bytes: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// Collection

/// Classification results of many samples (API_SPEC §9): matrices, metadata, taxonomy, exports.
///
/// @example
/// ```ts
/// const c = await ocx.collection(await ocx.classifications.where({ complete: true, success: true }));
/// const m = c.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
/// if (m.format === "wide") console.log(m.values[0 * m.columnIds.length + 1]); // row 0, column 1
/// ```
#[wasm_bindgen(js_name = Collection)]
pub struct CollectionJs {
    pub(crate) c: res::Collection,
    pub(crate) meta: Vec<MetadataItem>,
    /// Warnings from before the collection (e.g. samples without a primary classification, found
    /// while fetching), listed before the core's: (code, message).
    pub(crate) pre_warnings: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MatrixJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    top_n: Option<f64>,
    threshold: Option<f64>,
    remove_zeros: Option<bool>,
    include_host: Option<bool>,
    include_taxa_missing_rank: Option<bool>,
    fill_missing: Option<bool>,
    filler: Option<f64>,
    format: Option<String>,
    max_bytes: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BarChartJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    top_n: Option<f64>,
    threshold: Option<f64>,
    include_taxa_missing_rank: Option<bool>,
    include_host: Option<bool>,
    labels: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TreeJsOptions {
    include_host: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BiomJsOptions {
    biom_id: Option<String>,
    date: Option<String>,
}

pub(crate) fn count_option(what: &str, v: Option<f64>) -> Result<Option<usize>, JsValue> {
    match v {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as usize)),
        Some(n) => Err(bad_argument(what, format!("{n} is not a whole number ≥ 0"))),
    }
}

fn matrix_options(o: MatrixJsOptions) -> Result<MatrixOptions, JsValue> {
    let d = MatrixOptions::default();
    Ok(MatrixOptions {
        rank: RankOption::parse(o.rank.as_deref().unwrap_or("auto")).map_err(err_js)?,
        metric: MetricOption::parse(o.metric.as_deref().unwrap_or("auto")).map_err(err_js)?,
        top_n: count_option("topN", o.top_n)?,
        threshold: o.threshold,
        remove_zeros: o.remove_zeros.unwrap_or(d.remove_zeros),
        include_host: o.include_host.unwrap_or(d.include_host),
        include_taxa_missing_rank: o.include_taxa_missing_rank.unwrap_or(d.include_taxa_missing_rank),
        fill_missing: o.fill_missing.unwrap_or(d.fill_missing),
        filler: o.filler.unwrap_or(d.filler),
        format: TableFormat::parse(o.format.as_deref().unwrap_or("wide")).map_err(err_js)?,
        max_bytes: match count_option("maxBytes", o.max_bytes)? {
            Some(b) => b,
            None => d.max_bytes,
        },
    })
}

fn matrix_head(o: &Object, m: &res::Matrix) {
    set(o, "rowIds", owned_strings(&m.row_ids));
    set(o, "columnIds", owned_strings(&m.column_ids));
    set(o, "columnNames", owned_strings(&m.column_names));
    set(o, "values", Float64Array::from(&m.values[..]));
}

fn metric_rank(o: &Object, r: &res::MatrixResult) {
    set(o, "metric", r.metric.as_str());
    set(o, "rank", r.rank.as_str());
    set(o, "valueName", r.value_name);
    set(o, "warnings", core_warnings_js(&r.warnings));
}

/// The JSON-only options of `Collection.fromResults`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FromResultsOptions {
    skip_missing: Option<bool>,
    #[serde(default)]
    warnings: Vec<PreWarning>,
}

#[derive(Deserialize)]
struct PreWarning {
    code: String,
    message: String,
}

/// One `CollectionResultsItem`: its table (moved out of a `ClassificationTable`, or parsed from
/// `bytes`; empty for an unsuccessful classification) and what `metadataTable()` needs.
fn collection_item(item: &JsValue) -> Result<(CollectionItem, MetadataItem), JsValue> {
    const WHAT: &str = "Collection.fromResults";
    if !item.is_object() {
        return Err(bad_argument(WHAT, "each item must be { classificationId, bytes } or { classificationId, table }"));
    }
    let get = |k: &str| Reflect::get(item, &k.into());
    let text = |k: &str| -> Result<Option<String>, JsValue> {
        match get(k)? {
            v if v.is_undefined() || v.is_null() => Ok(None),
            v => v.as_string().map(Some).ok_or_else(|| bad_argument(WHAT, format!("{k} must be a string"))),
        }
    };
    let id = text("classificationId")?.ok_or_else(|| bad_argument(WHAT, "each item needs a classificationId string"))?;
    let success = match get("success")? {
        v if v.is_undefined() => true,
        v => v.as_bool().ok_or_else(|| bad_argument(WHAT, "success must be a boolean"))?,
    };
    let (table, bytes) = (get("table")?, get("bytes")?);
    let table = if !table.is_undefined() {
        ClassificationTableJs::try_from_js_value(table)
            .map_err(|_| bad_argument(WHAT, format!("{id}: table must be a ClassificationTable of this module, not yet freed")))?
            .t
    } else if !bytes.is_undefined() {
        res::ClassificationTable::parse(&input_bytes("Collection.fromResults bytes", &bytes)?).map_err(|mut e| {
            e.message = format!("classification {id}: {}", e.message);
            err_js(e)
        })?
    } else if !success {
        res::ClassificationTable::parse_json(br#"{"table": []}"#).map_err(err_js)?
    } else {
        return Err(bad_argument(WHAT, format!("{id}: needs bytes or a table")));
    };
    let sample = crate::convert::json_from_js("sample", &get("sample")?)?;
    let metadata = crate::convert::json_from_js("metadata", &get("metadata")?)?;
    let mut ci = CollectionItem::new(id.clone(), table);
    ci.success = success;
    ci.job_id = text("jobId")?;
    ci.job_name = text("jobName")?;
    ci.sample = sample_info(&sample, &metadata);
    let project_name = text("projectName")?;
    Ok((ci, MetadataItem { classification_id: Some(id), sample, metadata, project_name }))
}

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// A collection from results a user already has (or that `ocx.collection` fetched): each item
    /// is `{ classificationId, bytes }` or `{ classificationId, table }`, with optional sample,
    /// metadata and job fields. An error names the classification whose body is bad.
    ///
    /// @example
    /// ```ts
    /// const load = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
    /// const c = Collection.fromResults([
    ///   { classificationId: "8a2b3c4d5e6f4a1b", bytes: await load("8a2b3c4d5e6f4a1b.json.gz") },
    ///   { classificationId: "9b3c4d5e6f7a4b2c", table: parseClassificationResults(bytes) },
    /// ]);
    /// const m = c.toMatrix({ rank: "genus" });
    /// ```
    #[wasm_bindgen(js_name = fromResults)]
    pub fn from_results(
        #[wasm_bindgen(unchecked_param_type = "CollectionResultsItem[]")] items: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CollectionResultsOptions")] options: Option<JsValue>,
    ) -> Result<CollectionJs, JsValue> {
        if !Array::is_array(&items) {
            return Err(bad_argument("Collection.fromResults", "expects an array of { classificationId, bytes }"));
        }
        let opts: FromResultsOptions = js_options("Collection.fromResults options", options, &["skipMissing", "warnings"])?;
        let (mut core_items, mut meta) = (Vec::new(), Vec::new());
        for item in Array::from(&items).iter() {
            let (ci, m) = collection_item(&item)?;
            core_items.push(ci);
            meta.push(m);
        }
        let c = res::Collection::new(core_items, opts.skip_missing.unwrap_or(true)).map_err(err_js)?;
        Ok(CollectionJs { c, meta, pre_warnings: opts.warnings.into_iter().map(|w| (w.code, w.message)).collect() })
    }

    /// Classifications in the collection.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// console.log(`${c.length} classifications`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.c.len()
    }

    /// Their ids, in collection order.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// for (const id of c.classificationIds) console.log(id);
    /// ```
    #[wasm_bindgen(getter, js_name = classificationIds, unchecked_return_type = "string[]")]
    pub fn classification_ids(&self) -> Array {
        self.c.classification_ids().into_iter().map(JsValue::from_str).collect()
    }

    /// What the Python client would have printed while building the collection (§9.1).
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// for (const w of c.warnings) console.warn(w.code, w.message);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Array {
        let pre = self.pre_warnings.iter().map(|(c, m)| (c.as_str(), m.as_str()));
        warnings_js(pre.chain(self.c.warnings().iter().map(|w| (w.code, w.message.as_str()))))
    }

    /// The table of one classification (a copy: free it when done), or undefined.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const t = c.table("8a2b3c4d5e6f4a1b");
    /// console.log(t?.length);
    /// t?.free();
    /// ```
    pub fn table(&self, classification_id: &str) -> Option<ClassificationTableJs> {
        let i = self.c.classification_ids().iter().position(|c| *c == classification_id)?;
        self.c.table(i).map(|t| ClassificationTableJs { t: t.clone() })
    }

    /// `to_classification_df` (§9.4–9.5): a wide matrix, or with `format: "long"` records.
    /// A matrix larger than `maxBytes` is refused (`invalid_argument`) before it is built.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const m = c.toMatrix({ rank: "genus", metric: "abundance_w_children", topN: 20 });
    /// const long = c.toMatrix({ rank: "species", format: "long" });
    /// ```
    #[wasm_bindgen(js_name = toMatrix, unchecked_return_type = "WideMatrix | LongMatrix")]
    pub fn to_matrix(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MatrixOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let opts = matrix_options(js_options("toMatrix options", options, &["rank", "metric", "topN", "threshold", "removeZeros", "includeHost", "includeTaxaMissingRank", "fillMissing", "filler", "format", "maxBytes"])?)?;
        let r = self.c.to_matrix(&opts).map_err(err_js)?;
        let o = Object::new();
        match r.format {
            TableFormat::Wide => {
                set(&o, "format", "wide");
                matrix_head(&o, &r.matrix);
            }
            TableFormat::Long => {
                set(&o, "format", "long");
                let long = r.matrix.to_long();
                let rows: Vec<JsValue> = r.matrix.row_ids.iter().map(|s| JsValue::from_str(s)).collect();
                let cols: Vec<JsValue> = r.matrix.column_ids.iter().map(|s| JsValue::from_str(s)).collect();
                let key = JsValue::from_str(r.value_name);
                let (k_c, k_t) = (JsValue::from_str("classification_id"), JsValue::from_str("tax_id"));
                let records: Array = (0..long.values.len())
                    .map(|i| {
                        let rec = Object::new();
                        let _ = Reflect::set(&rec, &k_c, &rows[long.row_index[i] as usize]);
                        let _ = Reflect::set(&rec, &k_t, &cols[long.column_index[i] as usize]);
                        let _ = Reflect::set(&rec, &key, &JsValue::from_f64(long.values[i]));
                        JsValue::from(rec)
                    })
                    .collect();
                set(&o, "records", records);
            }
        }
        metric_rank(&o, &r);
        Ok(o.into())
    }

    /// The sample metadata table (§9.6): needs the samples and metadata (fetched by
    /// `ocx.collection`, or given to `fromResults`).
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { index, columns, rows } = c.metadataTable();
    /// ```
    #[wasm_bindgen(js_name = metadataTable, unchecked_return_type = "MetadataTable")]
    pub fn metadata_table(&self) -> Result<JsValue, JsValue> {
        let kept: Vec<MetadataItem> = self
            .c
            .classification_ids()
            .iter()
            .filter_map(|id| self.meta.iter().find(|m| m.classification_id.as_deref() == Some(*id)).cloned())
            .collect();
        let t = metadata_table(&kept);
        crate::convert::to_js(&serde_json::to_value(&t).map_err(|e| bad_argument("metadataTable", e))?)
    }

    /// The taxonomy tree of the collection (§9.7); host taxa left out unless `includeHost`.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const tree = c.tree({ includeHost: false });
    /// console.log(tree.root().children);
    /// ```
    pub fn tree(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ includeHost?: boolean }")] options: Option<JsValue>,
    ) -> Result<TaxonomyTreeJs, JsValue> {
        let o: TreeJsOptions = js_options("tree options", options, &["includeHost"])?;
        let (tree, warnings) = self.c.tree(o.include_host.unwrap_or(false)).map_err(err_js)?;
        Ok(TaxonomyTreeJs { tree, warnings })
    }

    /// BIOM 1.0 (`to_otu`, §9.8) as a JSON-ready object.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const biom = c.toBiom({ biomId: "my-study" });
    /// const text = JSON.stringify(biom);
    /// ```
    #[wasm_bindgen(js_name = toBiom)]
    pub fn to_biom(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ biomId?: string; date?: string }")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let o: BiomJsOptions = js_options("toBiom options", options, &["biomId", "date"])?;
        let date = o.date.unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()));
        crate::convert::to_js(&self.c.to_biom(o.biom_id.as_deref(), &date).map_err(err_js)?)
    }

    /// A bar-chart table (§9.8: top N by mean, or a threshold, plus `Other` for normalised metrics)
    /// and a Vega-Lite spec of a stacked bar chart.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const chart = c.barChart({ rank: "genus", topN: 10, labels: ["day 1", "day 2"] });
    /// // e.g. with vega-embed: await vegaEmbed("#chart", chart.spec);
    /// ```
    #[wasm_bindgen(js_name = barChart, unchecked_return_type = "BarChart")]
    pub fn bar_chart(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BarChartOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let o: BarChartJsOptions = js_options("barChart options", options, &["rank", "metric", "topN", "threshold", "includeTaxaMissingRank", "includeHost", "labels"])?;
        let metric = match MetricOption::parse(o.metric.as_deref().unwrap_or("auto")).map_err(err_js)? {
            MetricOption::Auto => self.c.automatic_metric(),
            MetricOption::Metric(m) => m,
        };
        let opts = MatrixOptions {
            rank: RankOption::parse(o.rank.as_deref().unwrap_or("auto")).map_err(err_js)?,
            metric: MetricOption::Metric(metric),
            include_host: o.include_host.unwrap_or(false),
            include_taxa_missing_rank: o.include_taxa_missing_rank.unwrap_or(metric.includes_children()),
            ..MatrixOptions::default()
        };
        let r = self.c.to_matrix(&opts).map_err(err_js)?;
        let bar = bar_chart_table(
            &r.matrix,
            &BarChartOptions {
                top_n: count_option("topN", o.top_n)?,
                threshold: o.threshold,
                include_other: metric.is_normalized(),
            },
        );
        let spec = bar_chart_vega_lite(&bar, o.labels.as_deref(), r.value_name, Some(r.rank), metric.is_normalized());
        let out = Object::new();
        matrix_head(&out, &bar);
        metric_rank(&out, &r);
        set(&out, "spec", crate::convert::to_js(&spec)?);
        Ok(out.into())
    }
}

fn sample_info(sample: &Value, metadata: &Value) -> Option<SampleInfo> {
    let uri = sample.get("$uri").and_then(Value::as_str)?;
    Some(SampleInfo {
        sample_id: uri.rsplit('/').next().unwrap_or(uri).to_string(),
        filename: sample.get("filename").and_then(Value::as_str).map(str::to_string),
        metadata: if metadata.is_object() { metadata.clone() } else { Value::Null },
    })
}


// ---------------------------------------------------------------------------------------------
// TaxonomyTree

/// A taxonomy tree rooted at `"1"` (§9.7).
///
/// @example
/// ```ts
/// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
/// console.log(tree.lineage("562")?.map((n) => n.name).join(" > "));
/// ```
#[wasm_bindgen(js_name = TaxonomyTree)]
pub struct TaxonomyTreeJs {
    tree: CoreTree,
    warnings: Vec<Warning>,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    tax_id: &'a str,
    name: Option<&'a str>,
    rank: Option<&'a str>,
    parent: Option<&'a str>,
    children: Vec<&'a str>,
}

impl TaxonomyTreeJs {
    fn node_js(&self, i: usize) -> Result<JsValue, JsValue> {
        let n = self.tree.node(i);
        let out = NodeOut {
            tax_id: &n.tax_id,
            name: n.name.as_deref(),
            rank: n.rank.as_deref(),
            parent: n.parent.map(|p| self.tree.node(p).tax_id.as_str()),
            children: n.children.iter().map(|&c| self.tree.node(c).tax_id.as_str()).collect(),
        };
        out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| bad_argument("tree node", e))
    }
}

#[wasm_bindgen(js_class = TaxonomyTree)]
impl TaxonomyTreeJs {
    /// Nodes in the tree.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// console.log(`${tree.length} nodes`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.tree.post_order().len()
    }

    /// Missing parents met while building (those taxa are left out).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// for (const w of tree.warnings) console.warn(w.message);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Array {
        core_warnings_js(&self.warnings)
    }

    /// The root node (`"1"`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const root = tree.root(); // { tax_id: "1", children: [...] }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode")]
    pub fn root(&self) -> Result<JsValue, JsValue> {
        self.node_js(self.tree.root())
    }

    /// A node by tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const ecoli = tree.node("562");
    /// console.log(ecoli?.parent, ecoli?.rank);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode | undefined")]
    pub fn node(&self, tax_id: &str) -> Result<JsValue, JsValue> {
        match self.tree.find(tax_id) {
            Some(i) => self.node_js(i),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Root first, ending with the node itself; undefined for an unknown tax id.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const names = tree.lineage("562")?.map((n) => n.name); // ["root", …, "Escherichia coli"]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode[] | undefined")]
    pub fn lineage(&self, tax_id: &str) -> Result<JsValue, JsValue> {
        match self.tree.lineage(tax_id) {
            Some(l) => Ok(l.into_iter().map(|i| self.node_js(i)).collect::<Result<Array, _>>()?.into()),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Every node reachable from the root, children before parents.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const leaves = tree.nodes().filter((n) => n.children.length === 0);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode[]")]
    pub fn nodes(&self) -> Result<Array, JsValue> {
        self.tree.post_order().into_iter().map(|i| self.node_js(i)).collect()
    }

    /// Keeps nodes of `rank` and their ancestors (`prune_rank`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const genera = tree.pruneRank("genus");
    /// ```
    #[wasm_bindgen(js_name = pruneRank)]
    pub fn prune_rank(&self, #[wasm_bindgen(unchecked_param_type = "Rank")] rank: &str) -> Result<TaxonomyTreeJs, JsValue> {
        let rank = Rank::parse(rank).map_err(err_js)?;
        Ok(TaxonomyTreeJs { tree: self.tree.prune_rank(rank).map_err(err_js)?, warnings: vec![] })
    }

    /// Keeps the given tax ids and their ancestors (`prune_tax_ids`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const small = tree.pruneTaxIds(["562", "1280"]);
    /// ```
    #[wasm_bindgen(js_name = pruneTaxIds)]
    pub fn prune_tax_ids(&self, tax_ids: Vec<String>) -> Result<TaxonomyTreeJs, JsValue> {
        Ok(TaxonomyTreeJs { tree: self.tree.prune_tax_ids(&tax_ids).map_err(err_js)?, warnings: vec![] })
    }
}
