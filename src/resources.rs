//! `ocx.samples`, `ocx.projects`, …: one class per resource, so each has its own TypeScript
//! filter and model types and only the operations the API allows on it.

use crate::client::{call_signal, promise, ClientInner, OneCodex};
use crate::convert::json_from_js;
use crate::convert::{id_arg, read_options, signal_or_undefined, to_js};
use crate::error::{bad_argument, to_js as err_js};
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
async fn next_page(
    inner: &ClientInner,
    run: &mut QueryRun,
    predicate: &JsValue,
    signal: &JsValue,
) -> Result<JsValue, JsValue> {
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
fn start_query(
    inner: &Rc<ClientInner>,
    resource: &str,
    filter: Option<JsValue>,
    options: Option<JsValue>,
) -> Result<PageStream, JsValue> {
    let filter = json_from_js("where", &filter.unwrap_or(JsValue::NULL))?;
    let (o, [predicate, signal]) = read_options::<QueryJsonOptions, 2>("query options", options, ["filter", "signal"])?;
    if !predicate.is_undefined() && !predicate.is_instance_of::<Function>() {
        return Err(bad_argument("filter", "must be a function returning true for the objects to keep"));
    }
    let signal = signal_or_undefined(signal)?;
    let options = QueryOptions {
        sort: o.sort.unwrap_or(Value::Null),
        limit: o.limit.map(|l| l as usize),
        public: o.public.unwrap_or(false),
        organization: o.organization.unwrap_or(false),
        concurrency: o.concurrency.map_or(onecodex_core::query::run::DEFAULT_CONCURRENCY, |c| c as usize),
        ids: o.ids,
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

fn query_all(
    inner: &Rc<ClientInner>,
    resource: &str,
    filter: Option<JsValue>,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let stream = start_query(inner, resource, filter, options)?;
    Ok(promise(async move {
        let mut all = Array::new();
        // A fresh stream holds its run; taken already would be a bug of this crate, typed.
        let Some(mut run) = stream.run.borrow_mut().take() else {
            return Err(crate::error::to_js(onecodex_core::Error::new(
                onecodex_core::ErrorCode::Internal,
                "the listing was already started",
            )));
        };
        loop {
            let page = next_page(&stream.inner, &mut run, &stream.predicate, &stream.signal).await?;
            if page.is_undefined() {
                return Ok(all.into());
            }
            all.extend(Array::from(&page).iter());
        }
    }))
}

fn get_one(
    inner: &Rc<ClientInner>,
    resource: &'static str,
    id: JsValue,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let signal = call_signal(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        match objects::get(&inner.api(signal), resource, &id).await.map_err(err_js)? {
            Some(object) => to_js(&object),
            None => Ok(JsValue::NULL),
        }
    }))
}

fn update_one(
    inner: &Rc<ClientInner>,
    resource: &'static str,
    id: JsValue,
    patch: JsValue,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let signal = call_signal(options)?;
    let patch = json_from_js("changes", &patch)?;
    // Checked now, so a bad change throws before any request is made.
    let body = onecodex_core::objects::changes::update_body(resource, &patch).map_err(err_js)?;
    let inner = inner.clone();
    Ok(promise(async move { to_js(&objects::update(&inner.api(signal), resource, &id, &body).await.map_err(err_js)?) }))
}

fn delete_one(
    inner: &Rc<ClientInner>,
    resource: &'static str,
    id: JsValue,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let signal = call_signal(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        objects::delete(&inner.api(signal), resource, &id).await.map_err(err_js)?;
        Ok(JsValue::TRUE)
    }))
}

/// The TypeScript of one resource class's generic methods. They are declared with
/// `skip_typescript` (wasm-bindgen's type attributes take literals only) and typed here through an
/// interface that merges with the generated class, so each row of the catalogue gives its types.
// Only the wasm32 build keeps typescript_custom_section constants.
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_macros))]
macro_rules! class_ts {
    ($class:ident $stem:ident $model:ident $delete:tt [$($changes_ts:literal)?]) => {
        concat!(
            "export interface ", stringify!($class), " {\n",
            "  /**\n   * All objects matching `filter` (all pages), validated before any request.\n",
            "   * @example\n   * ```ts\n   * const big = await ocx.samples.where({ size: { $gt: 1e9 } }, { sort: \"size\", limit: 20 });\n",
            "   * const mine = await ocx.projects.where();\n   * ```\n   */\n",
            "  where(filter?: ", stringify!($stem), "Where | null, options?: QueryOptions<", stringify!($model), ">): Promise<",
            stringify!($model), "[]>;\n",
            "  /**\n   * The same query as an async iterator that yields objects as each page arrives.\n",
            "   * @example\n   * ```ts\n   * for await (const sample of ocx.samples.iter({ created_at: { $gte: \"2026-01-01T00:00:00+00:00\" } })) {\n",
            "   *   console.log(sample.filename);\n   * }\n   * ```\n   */\n",
            "  iter(filter?: ", stringify!($stem), "Where | null, options?: QueryOptions<", stringify!($model),
            ">): AsyncGenerator<", stringify!($model), ", void, undefined>;\n",
            "  /**\n   * The same query page by page: `await stream.next()` until it gives undefined.\n",
            "   * @example\n   * ```ts\n   * const stream = ocx.classifications.pages({ complete: true });\n",
            "   * for (let page = await stream.next(); page; page = await stream.next()) console.log(page.length);\n   * ```\n   */\n",
            "  pages(filter?: ", stringify!($stem), "Where | null, options?: QueryOptions<", stringify!($model), ">): PageStream;\n",
            "  /**\n   * One object by id (or `$uri`); null only when it does not exist (404).\n",
            "   * @example\n   * ```ts\n   * const sample = await ocx.samples.get(\"0ee172af60e84f61\");\n",
            "   * if (sample === null) console.log(\"no such sample\");\n   * ```\n   */\n",
            "  get(id: IdArg, options?: CallOptions): Promise<", stringify!($model), " | null>;\n",
            $(
                "  /**\n   * Changes the given fields (only those the API allows; checked before any request)\n",
                "   * and resolves to the updated object.\n",
                "   * @example\n   * ```ts\n   * await ocx.samples.update(\"0ee172af60e84f61\", { tags: [\"5c1e9e41043e4435\"], visibility: \"private\" });\n",
                "   * await ocx.metadata.update(\"4ba6ea2f5e5e4a4e\", { name: \"Stool, day 3\", custom: { day: 3 } });\n   * ```\n   */\n",
                "  update(id: IdArg, changes: ", $changes_ts, ", options?: CallOptions): Promise<", stringify!($model), ">;\n",
            )?
            onecodex_core::if_flag_str!($delete {
                "  /**\n   * Deletes the object: true when the server answered 204, otherwise a typed error.\n",
                "   * @example\n   * ```ts\n   * await ocx.samples.delete(\"0ee172af60e84f61\"); // true\n   * ```\n   */\n",
                "  delete(id: IdArg, options?: CallOptions): Promise<true>;\n",
            }),
            "}\n",
        )
    };
}

/// One class per catalogue row (`ocx.samples` is a `SamplesApi`), with the query methods every
/// resource has plus `update` and `delete` where the row allows them, and the client's getters.
macro_rules! resource_classes {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, delete: $delete:tt, download: $download:tt, results: [$($results:tt)*],
        update: [$($changes:ident $changes_ts:literal)?],
        fields: { $($fields:tt)* } $(,)?
    } )*) => {
        $(
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

            #[wasm_bindgen]
            impl $class {
                #[wasm_bindgen(js_name = "where", skip_typescript)]
                pub fn where_(&self, filter: Option<JsValue>, options: Option<JsValue>) -> Result<Promise, JsValue> {
                    query_all(&self.inner, stringify!($name), filter, options)
                }

                #[wasm_bindgen(skip_typescript)]
                pub fn iter(&self, filter: Option<JsValue>, options: Option<JsValue>) -> Result<JsValue, JsValue> {
                    Ok(async_items(start_query(&self.inner, stringify!($name), filter, options)?.into()))
                }

                #[wasm_bindgen(skip_typescript)]
                pub fn pages(&self, filter: Option<JsValue>, options: Option<JsValue>) -> Result<PageStream, JsValue> {
                    start_query(&self.inner, stringify!($name), filter, options)
                }

                #[wasm_bindgen(skip_typescript)]
                pub fn get(&self, id: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
                    get_one(&self.inner, stringify!($name), id, options)
                }

                $(
                    /// Checked against the catalogue's table of this resource's changes, typed as
                    #[doc = $changes_ts]
                    #[wasm_bindgen(skip_typescript)]
                    pub fn update(&self, id: JsValue, changes: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
                        update_one(&self.inner, stringify!($name), id, changes, options)
                    }
                )?
            }

            onecodex_core::if_flag!($delete {
                #[wasm_bindgen]
                impl $class {
                    #[wasm_bindgen(skip_typescript)]
                    pub fn delete(&self, id: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
                        delete_one(&self.inner, stringify!($name), id, options)
                    }
                }
            });
        )*

        #[wasm_bindgen(typescript_custom_section)]
        const TS_RESOURCE_CLASSES: &str = concat!($( class_ts!($class $stem $model $delete [$($changes_ts)?]), )*);

        #[wasm_bindgen]
        impl OneCodex {
            $(
                /// The methods of one resource: `ocx.samples`, `ocx.projects`, `ocx.classifications`, …
                /// (the same query methods on each, plus what that resource allows).
                ///
                /// @example
                /// ```ts
                /// const samples = await ocx.samples.where({ filename: { $icontains: "gut" } });
                /// const projects = await ocx.projects.where({}, { limit: 10 });
                /// ```
                #[wasm_bindgen(getter, js_name = $js)]
                pub fn $getter(&self) -> $class {
                    $class { inner: self.inner_rc() }
                }
            )*
        }
    };
}

onecodex_core::for_each_resource!(resource_classes);

#[wasm_bindgen(typescript_custom_section)]
const TS_CHANGES: &str = onecodex_core::objects::changes::CHANGES_TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TS_RUN_OPTIONS: &str = r#"
/** An id (or `$uri`), or an object with a `$uri` as `get` and `where` return them. */
export type IdArg = string | { readonly $uri: string };
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
        let body = onecodex_core::objects::changes::job_create_body(&job).map_err(err_js)?;
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::create_job(&inner.api(signal), &body).await.map_err(err_js)?) }))
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
        #[wasm_bindgen(unchecked_param_type = "IdArg")] job_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IdArg")] sample_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RunJobOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let (job_id, sample_id) = (id_arg("jobId", &job_id)?, id_arg("sampleId", &sample_id)?);
        let (o, [signal]) = read_options::<RunJobJson, 1>("run options", options, ["signal"])?;
        let signal = signal_or_undefined(signal)?;
        let run = objects::RunOptions {
            job_args: o.job_args,
            populate_default_arguments: o.populate_default_arguments.unwrap_or(false),
            dependencies: o
                .dependencies
                .unwrap_or_default()
                .into_iter()
                .map(|d| (d.analysis, d.download_path))
                .collect(),
            description: o.description,
        };
        let inner = self.inner.clone();
        Ok(promise(async move {
            to_js(&objects::run_job(&inner.api(signal), &job_id, &sample_id, &run).await.map_err(err_js)?)
        }))
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
        #[wasm_bindgen(unchecked_param_type = "IdArg")] job_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let job_id = id_arg("jobId", &job_id)?;
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
        #[wasm_bindgen(unchecked_param_type = "IdArg")] job_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ autorunOnOrgSampleUpload?: boolean; signal?: AbortSignal }")]
        options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let job_id = id_arg("jobId", &job_id)?;
        let (p, [signal]) = read_options::<Publish, 1>("publish options", options, ["signal"])?;
        let signal = signal_or_undefined(signal)?;
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Publish {
            autorun_on_org_sample_upload: Option<bool>,
        }
        let inner = self.inner.clone();
        Ok(promise(async move {
            let job =
                objects::publish_job(&inner.api(signal), &job_id, p.autorun_on_org_sample_upload.unwrap_or(false))
                    .await
                    .map_err(err_js)?;
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
        #[wasm_bindgen(unchecked_param_type = "IdArg")] analysis_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let analysis_id = id_arg("analysisId", &analysis_id)?;
        let signal = call_signal(options)?;
        let inner = self.inner.clone();
        Ok(promise(
            async move { to_js(&objects::cancel_analysis(&inner.api(signal), &analysis_id).await.map_err(err_js)?) },
        ))
    }
}
