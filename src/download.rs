//! Downloads for JavaScript: `samples.download`, `documents.download`, ….
//! The plan (retries, Range resumption, status checks) is `onecodex_core::download::transfer`; bodies
//! stream in src/js/download.js from fetch straight into a file, a Blob or a WritableStream.

use crate::client::RetryOptions;
use crate::client::{promise, ClientInner};
use crate::convert::{read_options, signal_or_undefined};
use crate::error::{bad_argument, to_js as err_js};
use crate::resources::*;
use crate::transport::FetchTransport;
use js_sys::{Array, Function, Object, Promise, Reflect};
use onecodex_core::download::link::{annotation_csv_uri, check_downloadable, default_filename, download_uri};
use onecodex_core::download::transfer::{self, DownloadIo, DownloadStats, Head, Partial};
use onecodex_core::http::retry::RetryPolicy;
use onecodex_core::http::transport::Transport;
use onecodex_core::http::Request;
use onecodex_core::{objects, Error, ErrorCode, Result as CoreResult};
use serde::Deserialize;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/download.js")]
extern "C" {
    #[wasm_bindgen(js_name = openDownload)]
    fn open_download(url: &str, headers: Array, signal: &JsValue, dispatcher: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = pumpBody)]
    fn pump_body(
        response: &JsValue,
        sink: &JsValue,
        skip: f64,
        offset: f64,
        total: Option<f64>,
        on_progress: &JsValue,
        signal: &JsValue,
    ) -> Promise;
    #[wasm_bindgen(js_name = errorBody)]
    fn error_body(response: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = canWriteFiles)]
    fn can_write_files() -> bool;
    #[wasm_bindgen(js_name = fileSink)]
    fn file_sink(path: &str, overwrite: bool, default_name: &str, resume: bool) -> Promise;
    #[wasm_bindgen(js_name = blobSink)]
    fn blob_sink(content_type: &str) -> JsValue;
    #[wasm_bindgen(js_name = writableSink, catch)]
    fn writable_sink(writable: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = commitSink)]
    fn commit_sink(sink: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = discardSink)]
    fn discard_sink(sink: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = recordSink)]
    fn record_sink(sink: &JsValue, etag: Option<String>, total: Option<f64>) -> Promise;
    #[wasm_bindgen(js_name = restartSink)]
    fn restart_sink(sink: &JsValue) -> Promise;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_DOWNLOAD: &str = r#"
/** Bytes written so far, and the full size once the server said it. */
export interface DownloadProgress { bytes: number; total: number | null; }
/** Retries of the pre-signed GET (default: 5 retries on 404, 429, 500, 502, 503, 504 and network
 * failures, after 0, 4, 8, 16 and 32 s; `Retry-After` honoured). */
export interface DownloadRetryOptions { retries?: number; statuses?: readonly number[]; backoffMs?: readonly number[]; maxDelayMs?: number; }
/** Options every download takes. */
export interface DownloadCommon {
  /** Called as the body arrives, with the bytes written so far. */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  retry?: DownloadRetryOptions;
}
/** Node: write to `path` (a folder means the server's file name inside it), through a temporary
 * file renamed at the end; an existing file is refused (`file_exists`) unless `overwrite`. */
export interface DownloadToPath extends DownloadCommon {
  path: string;
  overwrite?: boolean;
  /**
   * Keep a partial file (`<file>.part`, with the object's ETag in `<file>.part.json`) when the
   * download fails or the process dies, and continue it on the next download to the same path
   * with a `Range` request; if the object changed meanwhile it starts over. One download per
   * file at a time.
   */
  resume?: boolean;
  writable?: never;
}
/** Pipe into a WritableStream, e.g. `await fileHandle.createWritable()` (File System Access API). */
export interface DownloadToWritable extends DownloadCommon { writable: WritableStream<Uint8Array>; path?: never; overwrite?: never; resume?: never; }
/** Neither: the body comes back as a Blob (in memory). */
export interface DownloadToBlob extends DownloadCommon { path?: undefined; writable?: undefined; overwrite?: never; resume?: never; }
export type DownloadOptions = DownloadToPath | DownloadToWritable | DownloadToBlob;
export interface DownloadResult {
  /** The server's file name (or one built from the id), as a plain name. */
  filename: string;
  bytes: number;
  /** The file written, for `{ path }`. */
  path?: string;
  /** The body, when neither `path` nor `writable` was given. */
  blob?: Blob;
  /** Requests made for the body, and how many continued a partial body with a Range. */
  attempts: number;
  resumed: number;
  /** Fresh links asked for because the previous one expired mid-download. */
  renewals: number;
  /** With `resume`: bytes of an earlier download's partial file that were kept (0 if none, or
   * if the object had changed and the download started over). */
  continued: number;
}
"#;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DownloadJson {
    path: Option<String>,
    overwrite: Option<bool>,
    resume: Option<bool>,
    retry: Option<RetryOptions>,
}

/// Where the body goes, decided (and checked) before any request.
enum Target {
    Path { path: String, overwrite: bool, resume: bool },
    Writable(JsValue),
    Blob,
}

/// Options of a download, read synchronously so bad ones throw before any request.
pub struct DownloadOptions {
    target: Target,
    policy: RetryPolicy,
    on_progress: JsValue,
    signal: JsValue,
}

impl DownloadOptions {
    pub fn parse(options: Option<JsValue>) -> Result<DownloadOptions, JsValue> {
        let (o, [writable, on_progress, signal]) =
            read_options::<DownloadJson, 3>("download options", options, ["writable", "onProgress", "signal"])?;
        let writable = Some(writable).filter(|w| !w.is_undefined() && !w.is_null());
        if !on_progress.is_undefined() && !on_progress.is_instance_of::<Function>() {
            return Err(bad_argument("onProgress", "must be a function"));
        }
        let signal = signal_or_undefined(signal)?;
        let target = match (o.path, writable) {
            (Some(_), Some(_)) => {
                return Err(bad_argument("download options", "give either path or writable, not both"))
            }
            (Some(path), None) => {
                if path.is_empty() {
                    return Err(bad_argument("path", "must not be empty"));
                }
                if !can_write_files() {
                    return Err(bad_argument("path", "files can only be written in Node; in a browser pass a writable (File System Access API) or nothing for a Blob"));
                }
                Target::Path { path, overwrite: o.overwrite.unwrap_or(false), resume: o.resume.unwrap_or(false) }
            }
            (None, writable) => {
                for (key, given) in [("overwrite", o.overwrite.is_some()), ("resume", o.resume.is_some())] {
                    if given {
                        return Err(bad_argument(key, "applies only to { path }"));
                    }
                }
                writable.map_or(Target::Blob, Target::Writable)
            }
        };
        let overrides = o.retry.map(RetryOptions::into_overrides).unwrap_or_default();
        let policy = RetryPolicy::download().with(overrides, "download retry").map_err(err_js)?;
        Ok(DownloadOptions { target, policy, on_progress, signal })
    }

    pub fn signal(&self) -> JsValue {
        self.signal.clone()
    }
}

/// `{ code, message }` from download.js as a core error.
fn js_error(e: JsValue) -> Error {
    crate::transport::js_failure(&e, "download failed")
}

/// How to ask the API for a fresh link when one expires during a long download.
pub enum Renewal {
    Object { resource: &'static str, id: String },
    AnalysisFile { collection: &'static str, id: String, filepath: String },
    Readlevel { id: String },
    AnnotationCsv { id: String },
}

impl Renewal {
    async fn fresh_link(&self, inner: &ClientInner, signal: JsValue) -> CoreResult<String> {
        let api = inner.api(signal);
        match self {
            Renewal::Object { resource, id } => download_uri(&api, resource, id).await,
            Renewal::AnalysisFile { collection, id, filepath } => {
                let files = onecodex_core::objects::analyses::files(&api, collection, id).await?;
                Ok(onecodex_core::objects::analyses::find_file(files, id, filepath)?.url)
            }
            Renewal::Readlevel { id } => onecodex_core::objects::analyses::readlevel_url(&api, id).await,
            Renewal::AnnotationCsv { id } => annotation_csv_uri(&api, id).await,
        }
    }
}

/// The host side of `core::download::run` over download.js.
struct JsIo {
    inner: Rc<ClientInner>,
    renewal: Renewal,
    timers: FetchTransport,
    sink: JsValue,
    on_progress: JsValue,
    signal: JsValue,
    response: RefCell<JsValue>,
}

impl DownloadIo for JsIo {
    async fn open(&self, request: &Request) -> CoreResult<Head> {
        let headers = crate::transport::pairs(&request.headers);
        let dispatcher = crate::transport::proxy_dispatcher_for(&request.url).map_err(js_error)?;
        let raw =
            JsFuture::from(open_download(&request.url, headers, &self.signal, &dispatcher)).await.map_err(js_error)?;
        let get = |k: &str| Reflect::get(&raw, &k.into()).unwrap_or(JsValue::UNDEFINED);
        *self.response.borrow_mut() = get("response");
        let headers = crate::transport::header_pairs(&get("headers"));
        Ok(Head { status: get("status").as_f64().unwrap_or(0.0) as u16, headers })
    }

    async fn pump(&self, skip: u64, offset: u64, total: Option<u64>) -> (u64, CoreResult<()>) {
        let response = self.response.replace(JsValue::UNDEFINED);
        let p = pump_body(
            &response,
            &self.sink,
            skip as f64,
            offset as f64,
            total.map(|t| t as f64),
            &self.on_progress,
            &self.signal,
        );
        match JsFuture::from(p).await {
            Ok(out) => {
                let bytes = Reflect::get(&out, &"bytes".into()).ok().and_then(|b| b.as_f64()).unwrap_or(0.0) as u64;
                let error = Reflect::get(&out, &"error".into()).unwrap_or(JsValue::NULL);
                (bytes, if error.is_null() || error.is_undefined() { Ok(()) } else { Err(js_error(error)) })
            }
            // pumpBody reports failures as values; a rejection means the count of bytes written
            // is unknown, so resuming could corrupt the file: final, never retried.
            Err(e) => {
                let mut err = js_error(e);
                if matches!(err.code, ErrorCode::Network | ErrorCode::Timeout) {
                    err.code = ErrorCode::WriteFailed;
                }
                (0, Err(err))
            }
        }
    }

    async fn error_body(&self) -> String {
        let response = self.response.replace(JsValue::UNDEFINED);
        JsFuture::from(error_body(&response)).await.ok().and_then(|s| s.as_string()).unwrap_or_default()
    }

    async fn sleep(&self, ms: f64) -> CoreResult<()> {
        self.timers.sleep(ms).await
    }

    fn now_ms(&self) -> f64 {
        self.timers.now_ms()
    }

    async fn renew_link(&self) -> CoreResult<Option<String>> {
        self.renewal.fresh_link(&self.inner, self.signal.clone()).await.map(Some)
    }

    async fn record(&self, etag: Option<&str>, total: Option<u64>) -> CoreResult<()> {
        JsFuture::from(record_sink(&self.sink, etag.map(str::to_string), total.map(|t| t as f64)))
            .await
            .map(drop)
            .map_err(js_error)
    }

    async fn restart(&self) -> CoreResult<()> {
        JsFuture::from(restart_sink(&self.sink)).await.map(drop).map_err(js_error)
    }
}

/// What an earlier run left in a resumable file sink (`sink.existing`), or nothing.
fn partial_of(sink: &JsValue) -> Partial {
    let existing = Reflect::get(sink, &"existing".into()).unwrap_or(JsValue::UNDEFINED);
    let get = |k: &str| Reflect::get(&existing, &k.into()).ok().and_then(|v| v.as_f64());
    // Sizes from JavaScript: whole, non-negative, exactly representable.
    let size = |v: f64| (v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0).then_some(v as u64);
    Partial {
        bytes: get("bytes").and_then(size).unwrap_or(0),
        etag: Reflect::get(&existing, &"etag".into()).ok().and_then(|v| v.as_string()),
        total: get("total").and_then(size),
    }
}

/// Opens where the body goes (a Node file refuses to replace one now, before any request).
pub async fn open_sink(options: &DownloadOptions, filename: &str) -> Result<JsValue, JsValue> {
    Ok(match &options.target {
        Target::Path { path, overwrite, resume } => {
            JsFuture::from(file_sink(path, *overwrite, filename, *resume)).await.map_err(|e| err_js(js_error(e)))?
        }
        Target::Writable(w) => writable_sink(w).map_err(|e| err_js(js_error(e)))?,
        Target::Blob => blob_sink(content_type(filename)),
    })
}

/// Discards a sink whose download never started (the link request failed).
pub async fn drop_sink(sink: &JsValue) {
    let _ = JsFuture::from(discard_sink(sink)).await;
}

/// Streams `url` (a pre-signed link) into `sink`, committed only on success, discarded otherwise.
pub async fn stream_to_sink(
    inner: Rc<ClientInner>,
    renewal: Renewal,
    url: &str,
    what: &str,
    filename: &str,
    sink: JsValue,
    options: DownloadOptions,
) -> Result<JsValue, JsValue> {
    let io = JsIo {
        inner,
        renewal,
        timers: FetchTransport::new(options.signal.clone(), JsValue::UNDEFINED),
        sink: sink.clone(),
        on_progress: options.on_progress.clone(),
        signal: options.signal.clone(),
        response: RefCell::new(JsValue::UNDEFINED),
    };
    let partial = partial_of(&sink);
    let stats: DownloadStats = match transfer::run_from(&io, url, what, &options.policy, &partial).await {
        Ok(stats) => stats,
        Err(e) => {
            let _ = JsFuture::from(discard_sink(&sink)).await;
            return Err(err_js(e));
        }
    };
    let committed = JsFuture::from(commit_sink(&sink)).await.map_err(|e| err_js(js_error(e)))?;
    let out = Object::assign(&Object::new(), committed.unchecked_ref());
    let set = |k: &str, v: JsValue| Reflect::set(&out, &k.into(), &v).map(|_| ());
    set("filename", filename.into())?;
    set("bytes", (stats.bytes as f64).into())?;
    set("attempts", stats.attempts.into())?;
    set("resumed", stats.resumed.into())?;
    set("renewals", stats.renewals.into())?;
    set("continued", (stats.continued as f64).into())?;
    Ok(out.into())
}

/// A Blob's type from the file name (the common bioinformatics kinds; anything else is binary).
fn content_type(filename: &str) -> &'static str {
    let f = filename.to_ascii_lowercase();
    if f.ends_with(".gz") {
        "application/gzip"
    } else if f.ends_with(".json") {
        "application/json"
    } else if f.ends_with(".csv") {
        "text/csv"
    } else if f.ends_with(".tsv") || f.ends_with(".txt") || f.ends_with(".log") {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// The object to download: an id/URI (fetched) or an object the caller already has.
fn target_id(target: &JsValue) -> Result<(String, Option<Value>), JsValue> {
    if let Some(id) = target.as_string() {
        return Ok((id, None));
    }
    let object = crate::convert::json_from_js("download target", target)?;
    let uri = object
        .get("$uri")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_argument("download", "expects an id or an object with a $uri"))?;
    Ok((uri.to_string(), Some(object)))
}

/// `xxx.download(idOrObject, options)` for the resources with `download_uri`.
pub fn download_object(
    inner: &Rc<ClientInner>,
    resource: &'static str,
    target: JsValue,
    options: Option<JsValue>,
) -> Result<Promise, JsValue> {
    let (id, given) = target_id(&target)?;
    let id = onecodex_core::refs::check_id(&id).map_err(err_js)?.to_string();
    // An object the caller has is checked now: an awaiting-data sample makes no request at all.
    if let Some(object) = &given {
        check_downloadable(resource, object).map_err(err_js)?;
    }
    let options = DownloadOptions::parse(options)?;
    let inner = inner.clone();
    Ok(promise(async move {
        let api = inner.api(options.signal());
        let object = match given {
            Some(o) if o.get("filename").is_some() || resource == "annotation_sets" => o,
            _ => objects::get(&api, resource, &id).await.map_err(err_js)?.ok_or_else(|| {
                err_js(Error::new(ErrorCode::NotFound, format!("{resource} {id} not found")).with_status(404))
            })?,
        };
        check_downloadable(resource, &object).map_err(err_js)?;
        let filename = default_filename(resource, &id, &object);
        let sink = open_sink(&options, &filename).await?;
        let url = match download_uri(&api, resource, &id).await {
            Ok(url) => url,
            Err(e) => {
                drop_sink(&sink).await;
                return Err(err_js(e));
            }
        };
        let what = format!("{} {id}", resource.trim_end_matches('s'));
        stream_to_sink(
            inner.clone(),
            Renewal::Object { resource, id: id.clone() },
            &url,
            &what,
            &filename,
            sink,
            options,
        )
        .await
    }))
}

/// `download` on the resource classes whose catalogue row has `download: true`. Declared with
/// `skip_typescript` (wasm-bindgen's type attributes take literals only) and typed by an interface
/// that merges with the generated class, so the row gives the type of the object it takes.
macro_rules! download_methods {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, delete: $delete:tt, download: $download:tt, $($rest:tt)*
    } )*) => {
        $( onecodex_core::if_flag!($download {
            #[wasm_bindgen]
            impl $class {
                #[wasm_bindgen(skip_typescript)]
                pub fn download(&self, target: JsValue, options: Option<JsValue>) -> Result<Promise, JsValue> {
                    download_object(&self.inner, stringify!($name), target, options)
                }
            }
        }); )*

        #[wasm_bindgen(typescript_custom_section)]
        const TS_DOWNLOAD_METHODS: &str = concat!($( onecodex_core::if_flag_str!($download {
            "export interface ", stringify!($class), " {\n",
            "  /**\n",
            "   * Downloads the file behind the object (`POST …/download_uri`, then the pre-signed link\n",
            "   * without API auth, retried and resumed). Node: `{ path }`; browsers: `{ writable }` or a Blob.\n",
            "   * @example\n   * ```ts\n",
            "   * // Node: to a file (refused if it exists, unless `overwrite`); `resume` continues a partial one.\n",
            "   * await ocx.samples.download(\"0ee172af60e84f61\", { path: \"reads.fastq.gz\", resume: true });\n",
            "   * // Browsers: into a file the user picked (File System Access API), else a Blob.\n",
            "   * const handle = await (window as any).showSaveFilePicker();\n",
            "   * await ocx.samples.download(\"0ee172af60e84f61\", { writable: await handle.createWritable() });\n",
            "   * ```\n   */\n",
            "  download(target: string | ", stringify!($model), ", options?: DownloadOptions): Promise<DownloadResult>;\n",
            "}\n",
        }), )*);
    };
}

onecodex_core::for_each_resource!(download_methods);

#[wasm_bindgen]
impl AnnotationSetsApi {
    /// Downloads the annotations as CSV (`POST …/download_csv`, then its link, without API auth).
    ///
    /// @example
    /// ```ts
    /// const { blob } = await ocx.annotationSets.downloadCsv("5f1e2d3c4b5a4968");
    /// const csv = await blob!.text();
    /// ```
    #[wasm_bindgen(js_name = downloadCsv, unchecked_return_type = "Promise<DownloadResult>")]
    pub fn download_csv(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdArg")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DownloadOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let id = crate::convert::id_arg("id", &id)?;
        let options = DownloadOptions::parse(options)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let api = inner.api(options.signal());
            let filename = format!("annotation_set_{id}.csv");
            let sink = open_sink(&options, &filename).await?;
            let url = match annotation_csv_uri(&api, &id).await {
                Ok(url) => url,
                Err(e) => {
                    drop_sink(&sink).await;
                    return Err(err_js(e));
                }
            };
            let what = format!("the annotations of annotation set {id} (CSV)");
            stream_to_sink(
                inner.clone(),
                Renewal::AnnotationCsv { id: id.clone() },
                &url,
                &what,
                &filename,
                sink,
                options,
            )
            .await
        }))
    }
}
