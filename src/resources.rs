//! `ocx.samples`, `ocx.projects`, …: one class per resource, so each has its own TypeScript
//! filter and model types and only the operations the API allows on it.

use crate::client::{call_signal, promise, ClientInner};
use crate::convert::{from_json, signal_or_undefined, split_options, to_js};
use crate::error::{bad_argument, to_js as err_js};
use crate::convert::json_from_js;
use js_sys::{Array, Function, Promise};
use onecodex_core::models::check_shape;
use onecodex_core::objects;
use onecodex_core::query::run::{QueryOptions, QueryRun};
use serde::Deserialize;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/iterate.js")]
extern "C" {
    #[wasm_bindgen(js_name = asyncItems)]
    fn async_items(stream: JsValue) -> JsValue;
}

/// The JSON part of the options of `where`, `iter` and `pages` (see `QueryOptions`).
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueryJsonOptions {
    /// `"size"` descending, `"^filename"` ascending; a list gives priority.
    #[tsify(optional, type = "SortSpec")]
    pub sort: Option<Value>,
    /// At most this many objects (after `filter`).
    #[tsify(optional)]
    pub limit: Option<u32>,
    /// List `/public` objects instead of your own (where the resource has that route).
    #[tsify(optional)]
    pub public: Option<bool>,
    /// List your organization's objects (samples only).
    #[tsify(optional)]
    pub organization: Option<bool>,
    /// Only these ids (or URIs): `{ "$uri": { "$in": [...] } }`.
    #[tsify(optional)]
    pub ids: Option<Vec<String>>,
    /// Page-style listings fetch this many later pages at once once the total is known
    /// (default 4; 1 fetches one page at a time).
    #[tsify(optional)]
    pub concurrency: Option<u32>,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_QUERY_OPTIONS: &str = r#"
/** Options of `where`, `iter` and `pages`. */
export type QueryOptions<T> = QueryJsonOptions & {
  /** Keeps an object only when this returns exactly `true`; applied page by page, before `limit`. */
  filter?: (item: T) => boolean;
  signal?: AbortSignal;
};
"#;

/// A query read page by page: `await stream.next()` gives the next page, or undefined at the end.
///
/// @example
/// ```ts
/// const stream = ocx.samples.pages({ size: { $gt: 0 } });
/// for (let page = await stream.next(); page; page = await stream.next()) console.log(page.length, "of", stream.total);
/// ```
#[wasm_bindgen]
pub struct PageStream {
    inner: Rc<ClientInner>,
    run: Rc<RefCell<Option<QueryRun>>>,
    predicate: JsValue,
    signal: JsValue,
    total: Rc<RefCell<Option<f64>>>,
}

#[wasm_bindgen]
impl PageStream {
    /// The next page (after `filter` and `limit`), or undefined when the query is complete.
    ///
    /// @example
    /// ```ts
    /// const first = await ocx.projects.pages().next(); // up to one page of projects, or undefined
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<any[] | undefined>")]
    pub fn next(&self) -> Promise {
        let (inner, run_cell, predicate, signal, total) =
            (self.inner.clone(), self.run.clone(), self.predicate.clone(), self.signal.clone(), self.total.clone());
        promise(async move {
            // Taken out while the page is in flight, so a second concurrent call is refused
            // instead of aliasing the query state.
            let Some(mut run) = run_cell.borrow_mut().take() else {
                return Err(bad_argument("next()", "the previous page has not arrived yet (await it first)"));
            };
            let outcome = next_page(&inner, &mut run, &predicate, &signal).await;
            if let Some(t) = run.total() {
                *total.borrow_mut() = Some(t as f64);
            }
            *run_cell.borrow_mut() = Some(run);
            outcome
        })
    }

    /// The server's count of matching objects, where it gives one (page-style listings), once
    /// the first page has arrived.
    ///
    /// @example
    /// ```ts
    /// const stream = ocx.samples.pages();
    /// await stream.next();
    /// console.log(`${stream.total ?? "?"} samples`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn total(&self) -> Option<f64> {
        *self.total.borrow()
    }

    /// True once the last page has been returned.
    ///
    /// @example
    /// ```ts
    /// const stream = ocx.tags.pages({}, { limit: 10 });
    /// while (!stream.done) console.log(await stream.next());
    /// ```
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.run.borrow().as_ref().is_some_and(QueryRun::is_done)
    }
}

/// One page: fetched, validated, filtered by the predicate, cut to the limit.
async fn next_page(inner: &ClientInner, run: &mut QueryRun, predicate: &JsValue, signal: &JsValue) -> Result<JsValue, JsValue> {
    let api = inner.api(signal.clone());
    loop {
        let Some(items) = run.next_page(&api).await.map_err(err_js)? else {
            return Ok(JsValue::UNDEFINED);
        };
        let out = Array::new();
        for item in &items {
            check_shape(run.resource().name, item).map_err(err_js)?;
            let js = to_js(item)?;
            if let Some(f) = predicate.dyn_ref::<Function>() {
                if f.call1(&JsValue::UNDEFINED, &js)? != JsValue::TRUE {
                    continue;
                }
            }
            out.push(&js);
        }
        let n = run.keep(out.length() as usize) as u32;
        out.set_length(n);
        // A page emptied by the predicate is not an end: go on to the next one.
        if n > 0 || run.is_done() {
            return Ok(out.into());
        }
    }
}

/// Builds a query run and its JS-only parts from `where`/`iter` arguments.
fn start_query(inner: &Rc<ClientInner>, resource: &str, filter: Option<JsValue>, options: Option<JsValue>) -> Result<PageStream, JsValue> {
    let mut filter = json_from_js("where", &filter.unwrap_or(JsValue::NULL))?;
    let (json, js_only) = split_options("query options", options, &["filter", "signal"])?;
    let mut options: QueryJsonOptions = from_json("query options", json)?;
    let mut js_only = js_only.into_iter();
    let predicate = js_only.next().unwrap_or(JsValue::UNDEFINED);
    if !predicate.is_undefined() && !predicate.is_instance_of::<Function>() {
        return Err(bad_argument("filter", "must be a function returning true for the objects to keep"));
    }
    let signal = signal_or_undefined(js_only.next().unwrap_or(JsValue::UNDEFINED))?;
    if let Some(ids) = options.ids.take() {
        let Value::Object(map) = &mut filter else {
            if !filter.is_null() {
                return Err(bad_argument("where", "must be an object"));
            }
            filter = serde_json::json!({ "id": ids });
            return finish_query(inner, resource, filter, options, predicate, signal);
        };
        if map.contains_key("id") || map.contains_key("$uri") {
            return Err(bad_argument("ids", "give ids either in the filter (id) or in options.ids, not both"));
        }
        map.insert("id".into(), Value::from(ids));
    }
    finish_query(inner, resource, filter, options, predicate, signal)
}

fn finish_query(
    inner: &Rc<ClientInner>,
    resource: &str,
    filter: Value,
    o: QueryJsonOptions,
    predicate: JsValue,
    signal: JsValue,
) -> Result<PageStream, JsValue> {
    if o.concurrency == Some(0) {
        return Err(bad_argument("concurrency", "must be at least 1"));
    }
    let options = QueryOptions {
        sort: o.sort.unwrap_or(Value::Null),
        limit: o.limit.map(|l| l as usize),
        public: o.public.unwrap_or(false),
        organization: o.organization.unwrap_or(false),
        concurrency: o.concurrency.map_or(onecodex_core::query::run::DEFAULT_CONCURRENCY, |c| c as usize),
    };
    let run = QueryRun::new(resource, &filter, options).map_err(err_js)?;
    Ok(PageStream {
        inner: inner.clone(),
        run: Rc::new(RefCell::new(Some(run))),
        predicate,
        signal,
        total: Rc::new(RefCell::new(None)),
    })
}

fn query_all(inner: &Rc<ClientInner>, resource: &str, filter: Option<JsValue>, options: Option<JsValue>) -> Result<Promise, JsValue> {
    let stream = start_query(inner, resource, filter, options)?;
    Ok(promise(async move {
        let mut all = Array::new();
        let mut run = stream.run.borrow_mut().take().expect("a fresh stream holds its run");
        loop {
            let page = next_page(&stream.inner, &mut run, &stream.predicate, &stream.signal).await?;
            if page.is_undefined() {
                return Ok(all.into());
            }
            all.extend(Array::from(&page).iter());
        }
    }))
}

fn get_one(inner: &Rc<ClientInner>, resource: &'static str, id: String, options: Option<JsValue>) -> Result<Promise, JsValue> {
    let signal = call_signal(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        match objects::get(&inner.api(signal), resource, &id).await.map_err(err_js)? {
            Some(object) => to_js(&object),
            None => Ok(JsValue::NULL),
        }
    }))
}

fn update_one(inner: &Rc<ClientInner>, resource: &'static str, id: String, patch: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
    let signal = call_signal(options)?;
    let patch = json_from_js("changes", &patch)?;
    // Checked now, so a bad change throws before any request is made.
    onecodex_core::objects::changes::update_body(resource, &patch).map_err(err_js)?;
    let inner = inner.clone();
    Ok(promise(async move { to_js(&objects::update(&inner.api(signal), resource, &id, &patch).await.map_err(err_js)?) }))
}

fn delete_one(inner: &Rc<ClientInner>, resource: &'static str, id: String, options: Option<JsValue>) -> Result<Promise, JsValue> {
    let signal = call_signal(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        objects::delete(&inner.api(signal), resource, &id).await.map_err(err_js)?;
        Ok(JsValue::TRUE)
    }))
}

/// The listing methods every resource has.
macro_rules! resource_class {
    ($class:ident, $resource:literal, $model:literal, $where_t:literal, $list_t:literal, $one_t:literal, $iter_t:literal, $opts_t:literal) => {
        /// The methods of one resource, as `ocx.samples`, `ocx.projects`, … give them: the same
        /// query methods (`where`, `iter`, `pages`, `get`) on each, plus what that resource allows.
        ///
        /// @example
        /// ```ts
        /// const api = ocx.samples;
        /// const some = await api.where({ filename: { $icontains: "gut" } }, { limit: 5 });
        /// ```
        #[wasm_bindgen]
        pub struct $class {
            pub(crate) inner: Rc<ClientInner>,
        }

        impl $class {
            pub(crate) fn new(inner: Rc<ClientInner>) -> Self {
                $class { inner }
            }
        }

        #[wasm_bindgen]
        impl $class {
            /// All objects matching `filter` (all pages), validated before any request.
            ///
            /// @example
            /// ```ts
            /// const big = await ocx.samples.where({ size: { $gt: 1e9 } }, { sort: "size", limit: 20 });
            /// const mine = await ocx.projects.where();
            /// ```
            #[wasm_bindgen(js_name = "where", unchecked_return_type = $list_t)]
            pub fn where_(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = $where_t)] filter: Option<JsValue>,
                #[wasm_bindgen(unchecked_optional_param_type = $opts_t)] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                query_all(&self.inner, $resource, filter, options)
            }

            /// The same query as an async iterator that yields objects as each page arrives.
            ///
            /// @example
            /// ```ts
            /// for await (const sample of ocx.samples.iter({ created_at: { $gte: "2026-01-01T00:00:00+00:00" } })) {
            ///   console.log(sample.filename);
            /// }
            /// ```
            #[wasm_bindgen(unchecked_return_type = $iter_t)]
            pub fn iter(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = $where_t)] filter: Option<JsValue>,
                #[wasm_bindgen(unchecked_optional_param_type = $opts_t)] options: Option<JsValue>,
            ) -> Result<JsValue, JsValue> {
                Ok(async_items(start_query(&self.inner, $resource, filter, options)?.into()))
            }

            /// The same query page by page: `await stream.next()` until it gives undefined.
            ///
            /// @example
            /// ```ts
            /// const stream = ocx.classifications.pages({ complete: true });
            /// for (let page = await stream.next(); page; page = await stream.next()) console.log(page.length);
            /// ```
            pub fn pages(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = $where_t)] filter: Option<JsValue>,
                #[wasm_bindgen(unchecked_optional_param_type = $opts_t)] options: Option<JsValue>,
            ) -> Result<PageStream, JsValue> {
                start_query(&self.inner, $resource, filter, options)
            }

            /// One object by id (or `$uri`); null only when it does not exist (404).
            ///
            /// @example
            /// ```ts
            /// const sample = await ocx.samples.get("0ee172af60e84f61");
            /// if (sample === null) console.log("no such sample");
            /// ```
            #[wasm_bindgen(unchecked_return_type = $one_t)]
            pub fn get(
                &self,
                id: String,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                get_one(&self.inner, $resource, id, options)
            }
        }
    };
}

// wasm-bindgen's type attributes take string literals only, so each class's TypeScript types are
// spelled out here: class, resource, model, filter type, then the types of where/get/iter/options.
resource_class!(SamplesApi, "samples", "Sample", "SamplesWhere | null", "Promise<Sample[]>", "Promise<Sample | null>", "AsyncGenerator<Sample, void, undefined>", "QueryOptions<Sample>");
resource_class!(MetadataApi, "metadata", "Metadata", "MetadataWhere | null", "Promise<Metadata[]>", "Promise<Metadata | null>", "AsyncGenerator<Metadata, void, undefined>", "QueryOptions<Metadata>");
resource_class!(UsersApi, "users", "User", "UsersWhere | null", "Promise<User[]>", "Promise<User | null>", "AsyncGenerator<User, void, undefined>", "QueryOptions<User>");
resource_class!(ProjectsApi, "projects", "Project", "ProjectsWhere | null", "Promise<Project[]>", "Promise<Project | null>", "AsyncGenerator<Project, void, undefined>", "QueryOptions<Project>");
resource_class!(TagsApi, "tags", "Tag", "TagsWhere | null", "Promise<Tag[]>", "Promise<Tag | null>", "AsyncGenerator<Tag, void, undefined>", "QueryOptions<Tag>");
resource_class!(JobsApi, "jobs", "Job", "JobsWhere | null", "Promise<Job[]>", "Promise<Job | null>", "AsyncGenerator<Job, void, undefined>", "QueryOptions<Job>");
resource_class!(DocumentsApi, "documents", "Document", "DocumentsWhere | null", "Promise<Document[]>", "Promise<Document | null>", "AsyncGenerator<Document, void, undefined>", "QueryOptions<Document>");
resource_class!(AssetsApi, "assets", "Asset", "AssetsWhere | null", "Promise<Asset[]>", "Promise<Asset | null>", "AsyncGenerator<Asset, void, undefined>", "QueryOptions<Asset>");
resource_class!(AnalysesApi, "analyses", "Analysis", "AnalysesWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(ClassificationsApi, "classifications", "Analysis", "ClassificationsWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(AlignmentsApi, "alignments", "Analysis", "AlignmentsWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(FunctionalProfilesApi, "functional_profiles", "Analysis", "FunctionalProfilesWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(PanelsApi, "panels", "Analysis", "PanelsWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(MlstsApi, "mlsts", "Analysis", "MlstsWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(WorkflowsApi, "workflows", "Analysis", "WorkflowsWhere | null", "Promise<Analysis[]>", "Promise<Analysis | null>", "AsyncGenerator<Analysis, void, undefined>", "QueryOptions<Analysis>");
resource_class!(AnnotationSetsApi, "annotation_sets", "AnnotationSet", "AnnotationSetsWhere | null", "Promise<AnnotationSet[]>", "Promise<AnnotationSet | null>", "AsyncGenerator<AnnotationSet, void, undefined>", "QueryOptions<AnnotationSet>");
resource_class!(AssembliesApi, "assemblies", "Assembly", "AssembliesWhere | null", "Promise<Assembly[]>", "Promise<Assembly | null>", "AsyncGenerator<Assembly, void, undefined>", "QueryOptions<Assembly>");
resource_class!(GenomesApi, "genomes", "Genome", "GenomesWhere | null", "Promise<Genome[]>", "Promise<Genome | null>", "AsyncGenerator<Genome, void, undefined>", "QueryOptions<Genome>");
resource_class!(TaxaApi, "taxa", "Taxon", "TaxaWhere | null", "Promise<Taxon[]>", "Promise<Taxon | null>", "AsyncGenerator<Taxon, void, undefined>", "QueryOptions<Taxon>");

/// `update(id, changes)` on the resources the API lets you change (§5.2).
macro_rules! updatable {
    ($class:ident, $resource:literal, $changes_t:literal, $one_t:literal) => {
        #[wasm_bindgen]
        impl $class {
            /// Changes the given fields (only those the API allows; checked before any request)
            /// and resolves to the updated object.
            ///
            /// @example
            /// ```ts
            /// await ocx.samples.update("0ee172af60e84f61", { tags: ["5c1e9e41043e4435"], visibility: "private" });
            /// await ocx.metadata.update("4ba6ea2f5e5e4a4e", { name: "Stool, day 3", custom: { day: 3 } });
            /// ```
            #[wasm_bindgen(unchecked_return_type = $one_t)]
            pub fn update(
                &self,
                id: String,
                #[wasm_bindgen(unchecked_param_type = $changes_t)] changes: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                update_one(&self.inner, $resource, id, changes, options)
            }
        }
    };
}

/// `delete(id)` where the API allows it (§5.3); resolves when the server answered 204.
macro_rules! deletable {
    ($class:ident, $resource:literal) => {
        #[wasm_bindgen]
        impl $class {
            /// Deletes the object: true when the server answered 204, otherwise a typed error.
            ///
            /// @example
            /// ```ts
            /// await ocx.samples.delete("0ee172af60e84f61"); // true
            /// ```
            #[wasm_bindgen(unchecked_return_type = "Promise<true>")]
            pub fn delete(
                &self,
                id: String,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                delete_one(&self.inner, $resource, id, options)
            }
        }
    };
}

updatable!(SamplesApi, "samples", "SampleChanges", "Promise<Sample>");
updatable!(MetadataApi, "metadata", "MetadataChanges", "Promise<Metadata>");
updatable!(JobsApi, "jobs", "JobChanges", "Promise<Job>");
updatable!(AssetsApi, "assets", "{ name?: string }", "Promise<Asset>");
deletable!(SamplesApi, "samples");
deletable!(ProjectsApi, "projects");
deletable!(DocumentsApi, "documents");
deletable!(AssetsApi, "assets");

#[wasm_bindgen(typescript_custom_section)]
const TS_CHANGES: &str = r#"
/** What `samples.update` may change. */
export interface SampleChanges { project?: RefValue | null; tags?: readonly RefValue[]; visibility?: string; }
/** What `metadata.update` may change; date-times are sent in UTC. */
export interface MetadataChanges {
  custom?: Record<string, string | number | boolean | null>; date_collected?: string | null; date_sequenced?: string | null;
  description?: string | null; external_sample_id?: string | null; library_type?: string | null;
  location_lat?: number | null; location_lon?: number | null; location_string?: string | null; name?: string | null;
  platform?: string | null; sample_type?: string | null; starred?: boolean;
}
/** A new custom job: `name` and `script` are required (§16.2.7). */
export interface NewJob {
  name: string; script: string; image_uri?: string; nextflow_version?: string; job_type?: string; description?: string | null;
  cpu?: number; ram_gb?: number; storage_gb?: number; inject_bearer_token?: boolean;
  repository?: { url: string; tag?: string | null }; assets?: readonly RefValue[];
  dependencies?: readonly { job: { $ref: string }; output_dir: string }[]; arguments_schema?: readonly Record<string, unknown>[];
}
/** What `jobs.update` may change. */
export type JobChanges = Partial<NewJob> & { autorun_on_org_sample_upload?: boolean };
/** Options of `jobs.run`. */
export interface RunJobOptions {
  jobArgs?: Record<string, unknown>; populateDefaultArguments?: boolean;
  dependencies?: readonly { analysis: string; downloadPath?: string | null }[];
  /** At most 250 characters; trimmed. */
  description?: string; signal?: AbortSignal;
}
"#;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunJobJson {
    job_args: Option<serde_json::Map<String, Value>>,
    populate_default_arguments: Option<bool>,
    dependencies: Option<Vec<RunDependency>>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunDependency {
    analysis: String,
    download_path: Option<String>,
}

#[wasm_bindgen]
impl JobsApi {
    /// Creates a custom job and resolves to it.
    ///
    /// @example
    /// ```ts
    /// const job = await ocx.jobs.create({ name: "count reads", script: "echo $SAMPLE", cpu: 2, ram_gb: 4 });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Job>")]
    pub fn create(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewJob")] job: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let job = json_from_js("job", &job)?;
        onecodex_core::objects::changes::job_create_body(&job).map_err(err_js)?;
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::create_job(&inner.api(signal), &job).await.map_err(err_js)?) }))
    }

    /// Runs a job on a sample; resolves to the new analysis (follow it with `analyses.get`).
    ///
    /// @example
    /// ```ts
    /// const analysis = await ocx.jobs.run("e7b8d93a4a6c4b5c", "0ee172af60e84f61", { jobArgs: { threshold: 5 }, description: "rerun" });
    /// const finished = await ocx.analyses.awaitCompletion(analysis.$uri);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Analysis>")]
    pub fn run(
        &self,
        job_id: String,
        sample_id: String,
        #[wasm_bindgen(unchecked_optional_param_type = "RunJobOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (json, js_only) = split_options("run options", options, &["signal"])?;
        let signal = signal_or_undefined(js_only.into_iter().next().unwrap_or(JsValue::UNDEFINED))?;
        let o: RunJobJson = from_json("run options", json)?;
        let run = objects::RunOptions {
            job_args: o.job_args,
            populate_default_arguments: o.populate_default_arguments.unwrap_or(false),
            dependencies: o.dependencies.unwrap_or_default().into_iter().map(|d| (d.analysis, d.download_path)).collect(),
            description: o.description,
        };
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::run_job(&inner.api(signal), &job_id, &sample_id, &run).await.map_err(err_js)?) }))
    }

    /// The script, image and arguments of a job you may view (`GET /jobs/<id>/details`).
    ///
    /// @example
    /// ```ts
    /// const details = await ocx.jobs.details("e7b8d93a4a6c4b5c");
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<JobDetails>")]
    pub fn details(
        &self,
        job_id: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::job_details(&inner.api(signal), &job_id).await.map_err(err_js)?) }))
    }

    /// Publishes a draft job (cannot be undone); resolves to the updated job.
    ///
    /// @example
    /// ```ts
    /// const job = await ocx.jobs.publish("e7b8d93a4a6c4b5c", { autorunOnOrgSampleUpload: true });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Job>")]
    pub fn publish(
        &self,
        job_id: String,
        #[wasm_bindgen(unchecked_optional_param_type = "{ autorunOnOrgSampleUpload?: boolean; signal?: AbortSignal }")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (json, js_only) = split_options("publish options", options, &["signal"])?;
        let signal = signal_or_undefined(js_only.into_iter().next().unwrap_or(JsValue::UNDEFINED))?;
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Publish {
            autorun_on_org_sample_upload: Option<bool>,
        }
        let p: Publish = from_json("publish options", json)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let job = objects::publish_job(&inner.api(signal), &job_id, p.autorun_on_org_sample_upload.unwrap_or(false)).await.map_err(err_js)?;
            to_js(&job)
        }))
    }
}

#[wasm_bindgen]
impl AnalysesApi {
    /// Asks to cancel a running custom-workflow analysis; it may still be running afterwards.
    ///
    /// @example
    /// ```ts
    /// const analysis = await ocx.analyses.cancel("a2c4e6f8b0d24f6a");
    /// console.log(analysis.complete);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Analysis>")]
    pub fn cancel(
        &self,
        analysis_id: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::cancel_analysis(&inner.api(signal), &analysis_id).await.map_err(err_js)?) }))
    }
}
