//! The analysis lifecycle on every analysis class (`ocx.analyses`, `ocx.classifications`, …):
//! awaitCompletion, refresh, logs, output files and the read-level TSV.

use crate::client::{call_signal, promise, ClientInner};
use crate::convert::{id_arg, read_options, signal_or_undefined, to_js};
use crate::download::{drop_sink, open_sink, stream_to_sink, DownloadOptions, Renewal};
use crate::error::{bad_argument, to_js as err_js};
use crate::resources::*;
use js_sys::{Function, Promise};
use onecodex_core::download::link::safe_name;
use onecodex_core::objects::analyses::{files, find_file, logs, readlevel_url};
use onecodex_core::objects::poll::{await_completion, refresh, PollOptions};
use onecodex_core::{Error, ErrorCode};
use serde::Deserialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ANALYSES: &str = r#"
/** Options of `awaitCompletion`. Intervals are at least 5000 ms (the API's
 * minimum); the wait grows by `backoff` (≥ 1) after each poll, up to `maxIntervalMs`. */
export interface AwaitCompletionOptions {
  /** Give up with a `timeout` error after this long (default: no limit). */
  timeoutMs?: number;
  /** Default 5000. */
  initialIntervalMs?: number;
  /** Default 120000. */
  maxIntervalMs?: number;
  /** Default 1.5. */
  backoff?: number;
  signal?: AbortSignal;
  /** Called with each refreshed analysis and the poll number (1 = the first refresh); an
   * exception stops polling and rejects with it. */
  onPoll?: (analysis: Analysis, poll: number) => void;
}
/** Options of `logs`. */
export interface LogsOptions { tail?: number; signal?: AbortSignal; }
"#;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PollJson {
    timeout_ms: Option<f64>,
    initial_interval_ms: Option<f64>,
    max_interval_ms: Option<f64>,
    backoff: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LogsJson {
    tail: Option<f64>,
}

fn await_one(
    inner: &Rc<ClientInner>,
    collection: &'static str,
    id: JsValue,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let (o, [signal, on_poll]) = read_options::<PollJson, 2>("awaitCompletion options", options, ["signal", "onPoll"])?;
    let signal = signal_or_undefined(signal)?;
    if !on_poll.is_undefined() && !on_poll.is_instance_of::<Function>() {
        return Err(bad_argument("onPoll", "must be a function"));
    }
    let d = PollOptions::default();
    let poll = PollOptions {
        timeout_ms: o.timeout_ms,
        initial_interval_ms: o.initial_interval_ms.unwrap_or(d.initial_interval_ms),
        max_interval_ms: o.max_interval_ms.unwrap_or(d.max_interval_ms),
        backoff: o.backoff.unwrap_or(d.backoff),
    };
    // Checked now so that bad values throw before any request.
    poll.validate().map_err(err_js)?;
    onecodex_core::refs::check_id(&id).map_err(err_js)?;
    let inner = inner.clone();
    Ok(promise(async move {
        let api = inner.api(signal);
        // What onPoll threw, handed back unchanged instead of being wrapped.
        let thrown: RefCell<Option<JsValue>> = RefCell::new(None);
        let mut hook = |analysis: &serde_json::Value, n: u32| -> onecodex_core::Result<()> {
            if let Some(f) = on_poll.dyn_ref::<Function>() {
                let js = to_js(analysis).map_err(|_| Error::invalid_response("analysis"))?;
                if let Err(e) = f.call2(&JsValue::UNDEFINED, &js, &n.into()) {
                    *thrown.borrow_mut() = Some(e);
                    return Err(Error::new(ErrorCode::Aborted, "onPoll threw"));
                }
            }
            Ok(())
        };
        match await_completion(&api, collection, &id, poll, &mut hook).await {
            Ok(done) => to_js(&done),
            Err(e) => Err(thrown.borrow_mut().take().unwrap_or_else(|| err_js(e))),
        }
    }))
}

fn download_file_one(
    inner: &Rc<ClientInner>,
    collection: &'static str,
    id: JsValue,
    filepath: String,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let id = onecodex_core::refs::check_id(&id).map_err(err_js)?.to_string();
    let options = DownloadOptions::parse(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        let api = inner.api(options.signal());
        let entry = find_file(files(&api, collection, &id).await.map_err(err_js)?, &id, &filepath).map_err(err_js)?;
        let filename =
            Some(safe_name(&entry.filename)).filter(|n| !n.is_empty()).unwrap_or_else(|| safe_name(&entry.filepath));
        let sink = open_sink(&options, &filename).await?;
        let what = format!("'{}' of analysis {id}", entry.filepath);
        let renewal = Renewal::AnalysisFile { collection, id: id.clone(), filepath: entry.filepath.clone() };
        stream_to_sink(inner.clone(), renewal, &entry.url, &what, &filename, sink, options).await
    }))
}

fn download_readlevel(inner: &Rc<ClientInner>, id: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
    let id = id_arg("id", &id)?;
    let id = onecodex_core::refs::check_id(&id).map_err(err_js)?.to_string();
    let options = DownloadOptions::parse(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        let api = inner.api(options.signal());
        let filename = format!("{id}.readlevel.tsv.gz");
        let sink = open_sink(&options, &filename).await?;
        let url = match readlevel_url(&api, &id).await {
            Ok(url) => url,
            Err(e) => {
                drop_sink(&sink).await;
                return Err(err_js(e));
            }
        };
        let what = format!("the read-level data of classification {id}");
        stream_to_sink(inner.clone(), Renewal::Readlevel { id: id.clone() }, &url, &what, &filename, sink, options)
            .await
    }))
}

macro_rules! analysis_lifecycle {
    ($class:ident, $collection:expr) => {
        #[wasm_bindgen]
        impl $class {
            /// Polls until the analysis is complete (whatever its `success`) and resolves to it;
            /// rejects with `timeout` when `timeoutMs` runs out.
            ///
            /// @example
            /// ```ts
            /// const done = await ocx.classifications.awaitCompletion("8a2b3c4d5e6f4a1b", {
            ///   timeoutMs: 3_600_000,
            ///   onPoll: (a, n) => console.log(`poll ${n}: complete=${a.complete}`),
            /// });
            /// if (!done.success) console.error(done.error_msg);
            /// ```
            #[wasm_bindgen(js_name = awaitCompletion, unchecked_return_type = "Promise<Analysis>")]
            pub fn await_completion(
                &self,
                #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "AwaitCompletionOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                await_one(&self.inner, $collection, id, options)
            }

            /// The analysis as it is now; `not_found` when it does not exist.
            ///
            /// @example
            /// ```ts
            /// const now = await ocx.analyses.refresh("8a2b3c4d5e6f4a1b");
            /// console.log(now.complete, now.success);
            /// ```
            #[wasm_bindgen(unchecked_return_type = "Promise<Analysis>")]
            pub fn refresh(
                &self,
                #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                let id = id_arg("id", &id)?;
                let signal = call_signal(options)?;
                let inner = self.inner.clone();
                Ok(promise(async move { to_js(&refresh(&inner.api(signal), $collection, &id).await.map_err(err_js)?) }))
            }

            /// The job's plain-text logs (the last `tail` lines, `tail` ≥ 1); `not_found` when
            /// there are none.
            ///
            /// @example
            /// ```ts
            /// const last = await ocx.workflows.logs("8a2b3c4d5e6f4a1b", { tail: 50 });
            /// ```
            #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
            pub fn logs(
                &self,
                #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "LogsOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                let id = id_arg("id", &id)?;
                let (o, [signal]) = read_options::<LogsJson, 1>("logs options", options, ["signal"])?;
                let signal = signal_or_undefined(signal)?;
                let tail = match o.tail {
                    None => None,
                    Some(t) if t.fract() == 0.0 && (1.0..=9.0e15).contains(&t) => Some(t as u64),
                    Some(t) => return Err(bad_argument("tail", format!("must be a whole number ≥ 1, not {t}"))),
                };
                let inner = self.inner.clone();
                Ok(promise(async move {
                    Ok(logs(&inner.api(signal), $collection, &id, tail).await.map_err(err_js)?.into())
                }))
            }

            /// The analysis's output files (name, path, size and a pre-signed link each).
            ///
            /// @example
            /// ```ts
            /// for (const f of await ocx.analyses.getFiles("8a2b3c4d5e6f4a1b")) console.log(f.filepath);
            /// ```
            #[wasm_bindgen(js_name = getFiles, unchecked_return_type = "Promise<AnalysisFile[]>")]
            pub fn get_files(
                &self,
                #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                let id = id_arg("id", &id)?;
                let signal = call_signal(options)?;
                let inner = self.inner.clone();
                Ok(promise(async move {
                    let list = files(&inner.api(signal), $collection, &id).await.map_err(err_js)?;
                    to_js(&serde_json::to_value(list).map_err(|e| bad_argument("files", e))?)
                }))
            }

            /// Downloads one output file, found by its `filepath` (as `getFiles` lists it); the
            /// bytes are saved as served (no Content-Encoding undone).
            ///
            /// @example
            /// ```ts
            /// // Node: into a folder (the server's file name); browsers: omit `path` for a Blob.
            /// const r = await ocx.workflows.downloadFile("8a2b3c4d5e6f4a1b", "results/report.html", { path: "out/" });
            /// console.log(r.path, r.bytes);
            /// ```
            #[wasm_bindgen(js_name = downloadFile, unchecked_return_type = "Promise<DownloadResult>")]
            pub fn download_file(
                &self,
                #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
                #[wasm_bindgen(unchecked_param_type = "string")] filepath: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "DownloadOptions")] options: Option<JsValue>,
            ) -> Result<Promise, JsValue> {
                let filepath = crate::convert::string_arg("filepath", &filepath)?;
                download_file_one(&self.inner, $collection, id, filepath, options)
            }
        }
    };
}

/// The lifecycle methods on every analysis collection of the catalogue.
macro_rules! analysis_classes {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, $($rest:tt)*
    } )*) => {
        $( onecodex_core::if_flag!($analysis { analysis_lifecycle!($class, stringify!($name)); }); )*
    };
}

onecodex_core::for_each_resource!(analysis_classes);

#[wasm_bindgen]
impl ClassificationsApi {
    /// Downloads the read-level TSV (gzip; one row per read) of a classification.
    ///
    /// @example
    /// ```ts
    /// const { blob } = await ocx.classifications.downloadReadlevel("8a2b3c4d5e6f4a1b", {
    ///   onProgress: ({ bytes, total }) => console.log(bytes, "of", total),
    /// });
    /// ```
    #[wasm_bindgen(js_name = downloadReadlevel, unchecked_return_type = "Promise<DownloadResult>")]
    pub fn download_readlevel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DownloadOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        download_readlevel(&self.inner, id, options)
    }
}
