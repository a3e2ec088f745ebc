//! `Collection`: classification results of many samples, as matrices, a metadata table, a
//! taxonomy tree and BIOM (charts are in `plots/`).

use super::classification::ClassificationTableJs;
use super::convert::{
    core_warnings_js, count_option, input_bytes, owned_strings, set, table_options, table_options_with_nan, warnings_js,
};
use super::taxonomy::TaxonomyTreeJs;
use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Array, Float64Array, Object, Reflect};
use onecodex_core::results::{
    self as res, metadata_in_order, metadata_table, CollectionItem, MatrixOptions, MetadataItem, MetricOption,
    RankOption, SampleInfo, TableFormat,
};
use serde::Deserialize;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_COLLECTION: &str = r#"
/** Options of `Collection.toMatrix`; defaults as in the Python client's `to_classification_df`. */
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
export interface CollectionResultsItem {
  classificationId: string;
  /** The results (zstd, gzip or plain JSON), or `table`: one of the two. */
  bytes?: ResultsInput;
  /** An already parsed table; it is moved into the collection (the object becomes unusable). */
  table?: ClassificationTable;
  /** False for a classification that did not succeed (it has no results): skipped with a warning,
   * or refused when `skipMissing` is false. Default true. */
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
  /** The web app charts link classifications to (default `https://app.onecodex.com`; a
   * collection from `ocx.collection` links to the API base it was fetched from). */
  linkBase?: string;
}
export interface MetadataTable { index: string; columns: string[]; rows: any[][]; }
"#;

/// Classification results of many samples: matrices, metadata, taxonomy, exports.
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
    /// The web app charts link classifications to (`fromResults`' `linkBase`).
    pub(crate) link_base: Option<String>,
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
    #[serde(default, deserialize_with = "crate::convert::f64_or_nan")]
    filler: Option<f64>,
    format: Option<String>,
    max_bytes: Option<f64>,
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
    link_base: Option<String>,
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
    let id =
        text("classificationId")?.ok_or_else(|| bad_argument(WHAT, "each item needs a classificationId string"))?;
    let success = match get("success")? {
        v if v.is_undefined() => true,
        v => v.as_bool().ok_or_else(|| bad_argument(WHAT, "success must be a boolean"))?,
    };
    let (table, bytes) = (get("table")?, get("bytes")?);
    let table = if !table.is_undefined() {
        ClassificationTableJs::try_from_js_value(table)
            .map_err(|_| {
                bad_argument(WHAT, format!("{id}: table must be a ClassificationTable of this module, not yet freed"))
            })?
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
    ci.sample = SampleInfo::from_objects(&sample, &metadata);
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
        let opts: FromResultsOptions = table_options("Collection.fromResults options", options)?;
        if let Some(base) = &opts.link_base {
            onecodex_core::plots::check_link_base(base).map_err(err_js)?;
        }
        let (mut core_items, mut meta) = (Vec::new(), Vec::new());
        for item in crate::convert::array_items("Collection.fromResults", &items)? {
            let (ci, m) = collection_item(&item)?;
            core_items.push(ci);
            meta.push(m);
        }
        let c = res::Collection::new(core_items, opts.skip_missing.unwrap_or(true)).map_err(err_js)?;
        let pre_warnings = opts.warnings.into_iter().map(|w| (w.code, w.message)).collect();
        Ok(CollectionJs { c, meta, pre_warnings, link_base: opts.link_base })
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

    /// What the Python client would have printed while building the collection (skipped
    /// samples and classifications, mixed jobs).
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
    pub fn table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] classification_id: JsValue,
    ) -> Result<Option<ClassificationTableJs>, JsValue> {
        let id = crate::convert::string_arg("classificationId", &classification_id)?;
        let Some(i) = self.c.classification_ids().iter().position(|c| *c == id) else { return Ok(None) };
        Ok(self.c.table(i).map(|t| ClassificationTableJs { t: t.clone() }))
    }

    /// The Python client's `to_classification_df`: a wide matrix, or with `format: "long"` records.
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
        let opts = matrix_options(table_options_with_nan("toMatrix options", options)?)?;
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

    /// The sample metadata table: needs the samples and metadata (fetched by
    /// `ocx.collection`, or given to `fromResults`).
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { index, columns, rows } = c.metadataTable();
    /// ```
    #[wasm_bindgen(js_name = metadataTable, unchecked_return_type = "MetadataTable")]
    pub fn metadata_table(&self) -> Result<JsValue, JsValue> {
        // Members without a sample or metadata have no row here.
        let kept: Vec<MetadataItem> =
            metadata_in_order(&self.c.classification_ids(), &self.meta).into_iter().flatten().cloned().collect();
        let t = metadata_table(&kept);
        crate::convert::to_js(&serde_json::to_value(&t).map_err(|e| bad_argument("metadataTable", e))?)
    }

    /// The taxonomy tree of the collection; host taxa left out unless `includeHost`.
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
        let o: TreeJsOptions = table_options("tree options", options)?;
        let (tree, warnings) = self.c.tree(o.include_host.unwrap_or(false)).map_err(err_js)?;
        Ok(TaxonomyTreeJs { tree, warnings })
    }

    /// BIOM 1.0 (the Python client's `to_otu`) as a JSON-ready object.
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
        let o: BiomJsOptions = table_options("toBiom options", options)?;
        let date = o.date.unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()));
        crate::convert::to_js(&self.c.to_biom(o.biom_id.as_deref(), &date).map_err(err_js)?)
    }
}
