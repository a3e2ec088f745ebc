//! Fetching results from JavaScript: `ocx.classifications.results/table/readlevelUrl`,
//! `ocx.functionalProfiles.results/table/filteredResults`, `ocx.mlsts/panels/workflows.results`,
//! `ocx.collection(items, options)` and `ocx.functionalMatrix`. The logic is in
//! `onecodex_core::fetch`; tables are built by the tables module (`tables_link`).

use crate::client::{call_signal, promise, ClientInner, OneCodex};
use crate::convert::json_from_js;
use crate::convert::{read_options, read_options_with_nan, signal_or_undefined, to_js, FunctionalMatrixJson};
use crate::error::{bad_argument, to_js as err_js};
use crate::resources::{ClassificationsApi, FunctionalProfilesApi, MlstsApi, PanelsApi, WorkflowsApi};
use crate::tables_link::{self, core_error, FunctionalTable};
use crate::transport::{is_function, FetchTransport};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use onecodex_core::fetch::collection::{fetch_collection, CollectionRequest, FetchedCollection};
use onecodex_core::fetch::functional as fc;
use onecodex_core::fetch::results as rf;
use onecodex_core::http::session::Api;
use onecodex_core::refs::reference_id;
use onecodex_core::results::{
    self as res, filtered_results_query, FunctionalAnnotation, FunctionalMatrixSpec, FunctionalMetric,
};
use onecodex_core::{Error, ErrorCode};
use serde::Deserialize;
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_RESULTS: &str = r#"
/** An analysis by id, `$uri`, or as `get`/`where` return it. */
export type AnalysisRef = string | { $uri: string; [key: string]: any };
/** Classification results as the API sends them. */
export interface ClassificationResults {
  n_reads?: number; host_tax_ids?: string[];
  table: Array<{ tax_id: string; parent_tax_id: string | null; name: string; rank: string;
    readcount: number; readcount_w_children: number; abundance: number | null; abundance_w_children?: number | null;
    filtered_readcount?: number; filtered_readcount_w_children?: number }>;
}
export interface FunctionalTableOptions {
  annotation?: FunctionalAnnotation; metric?: FunctionalMetric | "all"; taxaStratified?: boolean; signal?: AbortSignal;
}
export interface FilteredResultsOptions {
  annotation: FunctionalAnnotation; metric: FunctionalMetric; taxaStratified?: boolean; signal?: AbortSignal;
}
/** `filtered_results`: the rows of one annotation and metric. */
export interface FilteredResults { table: Array<{ id: string; name: string | null; value: number; [key: string]: any }>; n_reads?: number; n_mapped?: number; }
export interface MlstAllele { gene: string; allele: number | string; }
/** MLST results, verbatim. */
export interface MlstResults {
  mlstResults?: {
    results?: Array<{ st: number | string | null; metadata?: any; alleles?: MlstAllele[] }>;
    summary?: { mlst: number | string | null; complete_match: boolean; n_alleles_matched: number; n_alleles_total: number };
  };
  panelResults?: Record<string, PanelMarkerResult>;
  [key: string]: any;
}
export interface PanelMarkerResult {
  id: string; name: string; description?: string; length?: number; marker_type?: string;
  status?: "present" | "absent"; coverage?: number; depth?: number; pct_identity?: number;
  n_reads?: number; n_reads_full_coverage?: number; n_one_snp_reads?: number; n_two_snp_reads?: number;
  n_three_snp_reads?: number; total_hits?: number; [key: string]: any;
}
/** Panel results, verbatim. */
export interface PanelResults { panelResults?: Record<string, PanelMarkerResult>; [key: string]: any; }
/** Workflow results, verbatim. */
export interface WorkflowResults {
  workflowResults?: { summary?: { status?: string; [key: string]: any }; steps?: Array<{ name: string; status: string; [key: string]: any }> };
  [key: string]: any;
}
/** Options of `ocx.functionalMatrix`: those of `functionalMatrix` (same defaults: pathways,
 * coverage, taxaStratified true, fillMissing true, filler 0) plus how to fetch. */
export interface FunctionalMatrixFetchOptions extends FunctionalMatrixOptions {
  /** Condensed-file downloads in flight at once (default 6). */
  concurrency?: number;
  /** Called after each profile's condensed file arrives. */
  onProgress?: (progress: CollectionProgress) => void;
  signal?: AbortSignal;
}
/** `ocx.functionalMatrix`'s result: rows are functional profile ids, one per sample. */
export interface SampleFunctionalMatrix extends FunctionalMatrix {
  /** The sample of each row, in row order. */
  sampleIds: string[];
  /** Samples without a successful profile (`no_functional_profile`), several job versions
   * among the profiles (`mixed_functional_jobs`). */
  warnings: Warning[];
}
/** Progress of `ocx.collection`: results fetched so far of the total. */
export interface CollectionProgress { done: number; total: number; }
export interface CollectionOptions {
  /** Skip samples without a primary classification and unsuccessful classifications, with a warning (default true). */
  skipMissing?: boolean;
  /** Results downloads in flight at once (default 6). */
  concurrency?: number;
  /** Read bare ids as sample ids rather than classification ids. */
  idsAre?: "classifications" | "samples";
  /** Called after each classification's results arrive. */
  onProgress?: (progress: CollectionProgress) => void;
  signal?: AbortSignal;
}
"#;

fn reference(value: &JsValue) -> Result<Value, JsValue> {
    match json_from_js("analysis", value)? {
        v @ (Value::String(_) | Value::Object(_)) => Ok(v),
        _ => Err(bad_argument("analysis", "expects an id, a $uri, or an object with a $uri")),
    }
}

async fn object_of(api: &Api<FetchTransport>, resource: &str, reference: &Value) -> Result<Value, Error> {
    rf::analysis_object(api, resource, reference).await
}

/// The id of a reference: a bare id (checked), or the object's `$uri`.
fn id_of(reference: &Value) -> Result<String, JsValue> {
    reference_id(reference).map_err(err_js)
}

/// Bytes handed to the tables module (a copy out of this instance's memory).
fn bytes_js(bytes: &[u8]) -> Uint8Array {
    Uint8Array::from(bytes)
}

/// The JSON of a results body. A compressed one (a results file) is inflated by the tables
/// module, which has the decoders; the client itself carries none.
async fn json_body(bytes: &[u8], what: &str) -> Result<Value, JsValue> {
    let inflated;
    let text = match res::uncompressed_text(bytes) {
        Some(text) => text,
        None => {
            inflated = tables_link::module().await?.decode_results(&bytes_js(bytes))?.to_vec();
            &inflated[..]
        }
    };
    serde_json::from_slice(text).map_err(|e| err_js(Error::invalid_response(format!("{what}: {e}"))))
}

#[wasm_bindgen]
impl ClassificationsApi {
    /// The results JSON: from the pre-signed `results_uri` (no credentials, 30 s timeout,
    /// retried), else, or when that answers an HTTP error, from `{$uri}/results`.
    ///
    /// @example
    /// ```ts
    /// const results = await ocx.classifications.results("8a2b3c4d5e6f4a1b");
    /// const top = results.table.sort((a, b) => b.readcount_w_children - a.readcount_w_children).slice(0, 10);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<ClassificationResults>")]
    pub fn results(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (r, signal) = (reference(&analysis)?, call_signal(options)?);
        let inner = self.inner.clone();
        Ok(promise(async move {
            let api = inner.api(signal);
            let obj = object_of(&api, "classifications", &r).await.map_err(err_js)?;
            let f = rf::classification_results(&api, &obj).await.map_err(err_js)?;
            to_js(&json_body(&f.bytes, "classification results").await?)
        }))
    }

    /// The results as a `ClassificationTable` (columns in wasm memory; `free()` when done).
    ///
    /// @example
    /// ```ts
    /// const t = await ocx.classifications.table("8a2b3c4d5e6f4a1b");
    /// const species = t.rows().filter((r) => r.rank === "species");
    /// t.free();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<ClassificationTable>")]
    pub fn table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (r, signal) = (reference(&analysis)?, call_signal(options)?);
        let inner = self.inner.clone();
        Ok(promise(async move {
            let api = inner.api(signal);
            let obj = object_of(&api, "classifications", &r).await.map_err(err_js)?;
            let f = rf::classification_results(&api, &obj).await.map_err(err_js)?;
            tables_link::module().await?.parse_classification_results(&bytes_js(&f.bytes))
        }))
    }

    /// The pre-signed URL of the read-level TSV (gzip) of a classification.
    ///
    /// @example
    /// ```ts
    /// const url = await ocx.classifications.readlevelUrl("8a2b3c4d5e6f4a1b"); // pre-signed, expires
    /// ```
    #[wasm_bindgen(js_name = readlevelUrl, unchecked_return_type = "Promise<string>")]
    pub fn readlevel_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (r, signal) = (reference(&analysis)?, call_signal(options)?);
        let inner = self.inner.clone();
        Ok(promise(async move {
            let id = id_of(&r)?;
            Ok(onecodex_core::objects::analyses::readlevel_url(&inner.api(signal), &id).await.map_err(err_js)?.into())
        }))
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FunctionalJsOptions {
    annotation: Option<String>,
    metric: Option<String>,
    taxa_stratified: Option<bool>,
}

fn functional_options(options: Option<JsValue>) -> Result<(FunctionalJsOptions, JsValue), JsValue> {
    let (o, [signal]) = read_options::<FunctionalJsOptions, 1>("options", options, ["signal"])?;
    Ok((o, signal_or_undefined(signal)?))
}

/// A functional table of the tables module from results bytes (condensed or `/results` JSON),
/// rows selected by `filter` (condensed files only). The caller frees it.
async fn functional_table(bytes: &[u8], filter: Option<&JsValue>) -> Result<FunctionalTable, JsValue> {
    let module = tables_link::module().await?;
    module.parse_functional_results(&bytes_js(bytes), filter.unwrap_or(&JsValue::UNDEFINED))
}

/// Where a profile's results come from, as in the Python client: its condensed file, read into a table of
/// the tables module; else (no file, or one this version cannot read) the server's `/results`.
enum FunctionalSource {
    Condensed(FunctionalTable),
    Api(Vec<u8>),
}

async fn functional_source(api: &Api<FetchTransport>, reference: &Value) -> Result<FunctionalSource, JsValue> {
    let obj = object_of(api, "functional_profiles", reference).await.map_err(err_js)?;
    if let Some(bytes) = rf::functional_condensed(api, &obj).await.map_err(err_js)? {
        if let Ok(t) = functional_table(&bytes, None).await {
            return Ok(FunctionalSource::Condensed(t));
        }
    }
    let id = reference_id(&obj).map_err(err_js)?;
    Ok(FunctionalSource::Api(rf::api_results(api, "functional_profiles", &id).await.map_err(err_js)?))
}

/// The table's `toJSON()` (the `/results` shape), freeing the table.
fn functional_json(table: FunctionalTable) -> Result<JsValue, JsValue> {
    let json = table.to_json();
    table.free();
    json
}

#[wasm_bindgen]
impl FunctionalProfilesApi {
    /// The results: the condensed file rehydrated when it is available, else
    /// `{$uri}/results` as the server sends it.
    ///
    /// @example
    /// ```ts
    /// const r = await ocx.functionalProfiles.results("8a2b3c4d5e6f4a1b");
    /// console.log(r.n_reads, r.table.length);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<FunctionalResults>")]
    pub fn results(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (r, signal) = (reference(&analysis)?, call_signal(options)?);
        let inner = self.inner.clone();
        Ok(promise(async move {
            match functional_source(&inner.api(signal), &r).await? {
                FunctionalSource::Condensed(t) => functional_json(t),
                FunctionalSource::Api(bytes) => to_js(&json_body(&bytes, "functional results").await?),
            }
        }))
    }

    /// `table(annotation, taxaStratified = true, metric = "all")` (as in the Python client) from the
    /// condensed file; `not_found` when the profile has none.
    ///
    /// @example
    /// ```ts
    /// const go = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm", taxaStratified: false });
    /// console.log(go.toCSV());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<FunctionalTable>")]
    pub fn table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FunctionalTableOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let r = reference(&analysis)?;
        let (o, signal) = functional_options(options)?;
        let (annotation, metric) =
            FunctionalMetric::parse_selection(o.annotation.as_deref(), o.metric.as_deref()).map_err(err_js)?;
        let filter = Object::new();
        if let Some(a) = annotation {
            let _ = Reflect::set(&filter, &"annotation".into(), &a.as_str().into());
        }
        if let Some(m) = metric {
            let _ = Reflect::set(&filter, &"metric".into(), &m.as_str().into());
        }
        let _ = Reflect::set(&filter, &"taxaStratified".into(), &o.taxa_stratified.unwrap_or(true).into());
        let inner = self.inner.clone();
        Ok(promise(async move {
            let api = inner.api(signal);
            let obj = object_of(&api, "functional_profiles", &r).await.map_err(err_js)?;
            let id = reference_id(&obj).map_err(err_js)?;
            let unavailable = || {
                err_js(Error::new(
                    ErrorCode::NotFound,
                    format!("Results are not available for functional profile {id}"),
                ))
            };
            let bytes = rf::functional_condensed(&api, &obj).await.map_err(err_js)?.ok_or_else(unavailable)?;
            Ok(functional_table(&bytes, Some(&filter.into())).await?.into())
        }))
    }

    /// `GET …/filtered_results?functional_group=…&metric=…&taxa_stratified=True|False`.
    ///
    /// @example
    /// ```ts
    /// const r = await ocx.functionalProfiles.filteredResults("8a2b3c4d5e6f4a1b", { annotation: "pathways", metric: "abundance" });
    /// for (const row of r.table) console.log(row.id, row.value);
    /// ```
    #[wasm_bindgen(js_name = filteredResults, unchecked_return_type = "Promise<FilteredResults>")]
    pub fn filtered_results(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FilteredResultsOptions")] options: JsValue,
    ) -> Result<Promise, JsValue> {
        let r = reference(&analysis)?;
        let (o, signal) = functional_options(Some(options))?;
        let annotation = FunctionalAnnotation::parse(
            o.annotation.as_deref().ok_or_else(|| bad_argument("filteredResults", "annotation is required"))?,
        )
        .map_err(err_js)?;
        let metric = FunctionalMetric::parse(
            o.metric.as_deref().ok_or_else(|| bad_argument("filteredResults", "metric is required"))?,
        )
        .map_err(err_js)?;
        let query = filtered_results_query(annotation, metric, o.taxa_stratified.unwrap_or(false)).map_err(err_js)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let id = id_of(&r)?;
            let bytes = rf::functional_filtered_results(&inner.api(signal), &id, &query).await.map_err(err_js)?;
            to_js(&json_body(&bytes, "filtered functional results").await?)
        }))
    }

    /// The functional results as a `FunctionalTable` from `results()`'s source (condensed file,
    /// else `/results`).
    ///
    /// @example
    /// ```ts
    /// const t = await ocx.functionalProfiles.resultsTable("8a2b3c4d5e6f4a1b");
    /// const pathways = t.filter("pathways", false).rows();
    /// ```
    #[wasm_bindgen(js_name = resultsTable, unchecked_return_type = "Promise<FunctionalTable>")]
    pub fn results_table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AnalysisRef")] analysis: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (r, signal) = (reference(&analysis)?, call_signal(options)?);
        let inner = self.inner.clone();
        Ok(promise(async move {
            match functional_source(&inner.api(signal), &r).await? {
                FunctionalSource::Condensed(t) => Ok(t.into()),
                FunctionalSource::Api(bytes) => Ok(functional_table(&bytes, None).await?.into()),
            }
        }))
    }
}

async fn json_results(
    inner: Rc<ClientInner>,
    signal: JsValue,
    resource: &'static str,
    r: Value,
) -> Result<JsValue, JsValue> {
    let id = id_of(&r)?;
    let bytes = rf::api_results(&inner.api(signal), resource, &id).await.map_err(err_js)?;
    let v = json_body(&bytes, "results").await?;
    rf::check_results_json(resource, &v).map_err(err_js)?;
    to_js(&v)
}

/// `results` on the analysis classes whose catalogue row has `results: [Json "TsType"]`. Declared
/// with `skip_typescript` (wasm-bindgen's type attributes take literals only) and typed by an
/// interface that merges with the generated class, so the row gives the results type.
macro_rules! json_results_methods {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, delete: $delete:tt, download: $download:tt, results: [$($results:tt)*],
        $($rest:tt)*
    } )*) => {
        $( json_results_method!($class, stringify!($name), [$($results)*]); )*

        #[wasm_bindgen(typescript_custom_section)]
        const TS_JSON_RESULTS: &str = concat!($( json_results_ts!($class, [$($results)*]), )*);
    };
}

/// One row's `results` method: only for `[Json "TsType"]` rows.
macro_rules! json_results_method {
    ($class:ident, $resource:expr, [Json $ts:literal]) => {
        #[wasm_bindgen]
        impl $class {
            #[wasm_bindgen(skip_typescript)]
            pub fn results(&self, analysis: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
                let (r, signal) = (reference(&analysis)?, call_signal(options)?);
                Ok(promise(json_results(self.inner.clone(), signal, $resource, r)))
            }
        }
    };
    ($class:ident, $resource:expr, [$($other:tt)*]) => {};
}

/// The TypeScript of [`json_results_method!`]'s method, merged into the class.
// Only the wasm32 build keeps typescript_custom_section constants.
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_macros))]
macro_rules! json_results_ts {
    ($class:ident, [Json $ts:literal]) => {
        concat!(
            "export interface ",
            stringify!($class),
            " {\n",
            "  /**\n",
            "   * `{$uri}/results` as JSON; an HTTP error is a `OneCodexError`.\n",
            "   * @example\n   * ```ts\n",
            "   * const mlst = await ocx.mlsts.results(\"8a2b3c4d5e6f4a1b\");\n",
            "   * console.log(mlst.mlstResults?.summary?.mlst);\n",
            "   * const panel = await ocx.panels.results(\"9b3c4d5e6f7a4b2c\");\n",
            "   * ```\n   */\n",
            "  results(analysis: AnalysisRef, options?: CallOptions): Promise<",
            $ts,
            ">;\n",
            "}\n",
        )
    };
    ($class:ident, [$($other:tt)*]) => {
        ""
    };
}

onecodex_core::for_each_resource!(json_results_methods);

// ---------------------------------------------------------------------------------------------
// ocx.collection

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CollectionJsOptions {
    skip_missing: Option<bool>,
    concurrency: Option<f64>,
    ids_are: Option<String>,
}

/// `onProgress({ done, total })`, if given.
fn report_progress(f: Option<&Function>, done: usize, total: usize) {
    if let Some(f) = f {
        let p = Object::new();
        let _ = Reflect::set(&p, &"done".into(), &(done as f64).into());
        let _ = Reflect::set(&p, &"total".into(), &(total as f64).into());
        let _ = f.call1(&JsValue::UNDEFINED, &p);
    }
}

/// The core fetches (each classification's results parsed by the tables module as it arrives,
/// so only `concurrency` results are held as bytes at a time); `Collection.fromResults` builds.
async fn build_collection(
    inner: Rc<ClientInner>,
    signal: JsValue,
    items: Vec<Value>,
    opts: CollectionJsOptions,
    on_progress: JsValue,
) -> Result<JsValue, Error> {
    let request = CollectionRequest::new(items, opts.skip_missing, opts.concurrency, opts.ids_are.as_deref())?;
    let tables = tables_link::module().await.map_err(core_error)?;
    let parse = |bytes: Vec<u8>| {
        let parsed = tables.parse_classification_results(&bytes_js(&bytes)).map_err(core_error);
        std::future::ready(parsed)
    };
    let progress = on_progress.dyn_ref::<Function>().cloned();
    let api = inner.api(signal);
    let fetched =
        fetch_collection(&api, request, parse, |done, total| report_progress(progress.as_ref(), done, total)).await?;
    let (items, options) = collection_items(fetched)?;
    // Charts link classifications to the web app of the API they came from.
    let _ = Reflect::set(&options, &"linkBase".into(), &inner.config.base_url.as_str().trim_end_matches('/').into());
    tables.collection_class().from_results(&items, &options).map_err(core_error)
}

/// `Collection.fromResults`'s items and options from a fetched collection.
fn collection_items(fetched: FetchedCollection<JsValue>) -> Result<(js_sys::Array, Object), Error> {
    let set = |o: &Object, k: &str, v: JsValue| {
        let _ = Reflect::set(o, &k.into(), &v);
    };
    let str_or_undefined = |v: Option<&str>| v.map_or(JsValue::UNDEFINED, JsValue::from_str);
    let js = |v: &Value| to_js(v).map_err(core_error);
    let items = js_sys::Array::new();
    for m in fetched.members {
        let item = Object::new();
        set(&item, "classificationId", m.classification_id.into());
        set(&item, "table", m.table.unwrap_or(JsValue::UNDEFINED));
        set(&item, "success", m.success.into());
        set(&item, "jobId", str_or_undefined(m.job_uri.as_deref()));
        set(&item, "jobName", str_or_undefined(m.job_name.as_deref()));
        set(&item, "sample", js(&m.sample)?);
        set(&item, "metadata", js(&m.metadata)?);
        set(&item, "projectName", str_or_undefined(m.project_name.as_deref()));
        items.push(&item);
    }
    let options = Object::new();
    set(&options, "skipMissing", fetched.skip_missing.into());
    let warnings = serde_json::to_value(&fetched.warnings).map_err(|e| Error::invalid_response(e.to_string()))?;
    set(&options, "warnings", js(&warnings)?);
    Ok((items, options))
}

#[wasm_bindgen]
impl OneCodex {
    /// A `Collection` of samples (their primary classifications) or classifications: objects as
    /// `where`/`get` return them, URIs, or ids. Results are fetched `concurrency` at a time with
    /// `onProgress({ done, total })` after each; samples or classifications skipped are listed in `collection.warnings`.
    ///
    /// @example
    /// ```ts
    /// const samples = await ocx.samples.where({ tags: ["gut"] });
    /// const c = await ocx.collection(samples, { concurrency: 8, onProgress: ({ done, total }) => console.log(done, "/", total) });
    /// const m = c.toMatrix({ rank: "genus" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Collection>")]
    pub fn collection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly AnalysisRef[] | readonly { $uri: string }[]")] items: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CollectionOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (opts, [on_progress, signal]) =
            read_options::<CollectionJsOptions, 2>("collection options", options, ["onProgress", "signal"])?;
        if !on_progress.is_undefined() && !is_function(&on_progress) {
            return Err(bad_argument("onProgress", "must be a function"));
        }
        let signal = signal_or_undefined(signal)?;
        let items = match json_from_js("collection items", &items)? {
            Value::Array(a) => a,
            _ => return Err(bad_argument("collection", "expects an array of samples or classifications")),
        };
        let inner = self.inner_rc();
        Ok(promise(async move { build_collection(inner, signal, items, opts, on_progress).await.map_err(err_js) }))
    }
}

// ---------------------------------------------------------------------------------------------
// ocx.functionalMatrix

/// `ocx.functionalMatrix`'s options, read key by key (no serde visitor in the client build for
/// them; `filler` may be NaN, which JSON cannot carry).
struct FunctionalMatrixFetchJsOptions {
    spec: FunctionalMatrixSpec,
    max_bytes: Option<usize>,
    limit: usize,
    on_progress: Option<Function>,
    signal: JsValue,
}

fn functional_matrix_options(options: Option<JsValue>) -> Result<FunctionalMatrixFetchJsOptions, JsValue> {
    let (o, [on_progress, signal]) = read_options_with_nan::<FunctionalMatrixJson, 2>(
        "functionalMatrix options",
        options,
        ["onProgress", "signal"],
    )?;
    let (spec, max_bytes) = (o.spec()?, o.max_bytes()?);
    let on_progress = match on_progress {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(v.dyn_into::<Function>().map_err(|_| bad_argument("onProgress", "must be a function"))?),
    };
    Ok(FunctionalMatrixFetchJsOptions {
        spec,
        max_bytes,
        limit: rf::concurrency_limit(o.concurrency).map_err(err_js)?,
        on_progress,
        signal: signal_or_undefined(signal)?,
    })
}

/// Discovery (the newest successful profile per sample), then each chosen profile's condensed file, `limit` at a time; the matrix
/// itself is the tables module's `functionalMatrix`, given the resolved options.
async fn build_functional_matrix(
    inner: Rc<ClientInner>,
    sample_ids: Vec<String>,
    o: FunctionalMatrixFetchJsOptions,
) -> Result<JsValue, Error> {
    let (spec, limit) = (o.spec, o.limit);
    let api = inner.api(o.signal);
    let found = fc::discover(&api, &sample_ids).await?;
    // Each file leaves this instance's memory as soon as it arrives.
    let keep = |id: String, bytes: Vec<u8>| {
        let item = Object::new();
        let _ = Reflect::set(&item, &"id".into(), &id.into());
        let _ = Reflect::set(&item, &"bytes".into(), &bytes_js(&bytes).into());
        JsValue::from(item)
    };
    let progress = |done, total| report_progress(o.on_progress.as_ref(), done, total);
    let profiles = fc::condensed_files(&api, &found.chosen, limit, keep, progress).await?;
    let options = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&options, &k.into(), &v);
    };
    set("annotation", spec.annotation.as_str().into());
    set("metric", spec.metric.as_str().into());
    set("taxaStratified", spec.taxa_stratified.into());
    set("fillMissing", spec.fill_missing.into());
    set("filler", spec.filler.into());
    if let Some(b) = o.max_bytes {
        set("maxBytes", (b as f64).into());
    }
    let list: js_sys::Array = profiles.into_iter().collect();
    let m = tables_link::module().await.map_err(core_error)?.functional_matrix(&list, &options).map_err(core_error)?;
    let samples: js_sys::Array = found.chosen.iter().map(|c| JsValue::from_str(&c.sample_id)).collect();
    let warnings = to_js(&serde_json::to_value(&found.warnings).map_err(|e| Error::invalid_response(e.to_string()))?)
        .map_err(core_error)?;
    let _ = Reflect::set(&m, &"sampleIds".into(), &samples);
    let _ = Reflect::set(&m, &"warnings".into(), &warnings);
    Ok(m.into())
}

#[wasm_bindgen]
impl OneCodex {
    /// The functional matrix of samples, as the Python client's `to_functional_df`:
    /// per sample its newest successful functional profile (listed 50 samples
    /// per request), then each profile's condensed file (`concurrency` at a time, with
    /// `onProgress`), built by `functionalMatrix` with the same options and defaults. Rows are
    /// functional profile ids; `sampleIds` gives each row's sample and `warnings` lists samples
    /// without a profile and mixed job versions. Bad options throw before any request.
    ///
    /// @example
    /// ```ts
    /// const samples = await ocx.samples.where({ tags: ["gut"] });
    /// const m = await ocx.functionalMatrix(samples, { annotation: "go", metric: "cpm", taxaStratified: false });
    /// for (const w of m.warnings) console.warn(w.message);
    /// const first = m.values.subarray(0, m.columnIds.length); // row 0: sample m.sampleIds[0]
    /// console.log(m.rowIds[0], m.featureNames[m.columnIds[0]], first[0]);
    /// ```
    #[wasm_bindgen(js_name = functionalMatrix, unchecked_return_type = "Promise<SampleFunctionalMatrix>")]
    pub fn functional_matrix(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly (string | { $uri: string })[]")] samples: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FunctionalMatrixFetchOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let o = functional_matrix_options(options)?;
        let items = match json_from_js("functionalMatrix samples", &samples)? {
            Value::Array(a) => a,
            _ => {
                return Err(bad_argument(
                    "functionalMatrix",
                    "expects an array of samples (objects with a $uri, URIs or ids)",
                ))
            }
        };
        let ids = fc::sample_ids(&items).map_err(err_js)?;
        let inner = self.inner_rc();
        Ok(promise(async move { build_functional_matrix(inner, ids, o).await.map_err(err_js) }))
    }
}
