//! Uploads: `ocx.samples.upload`, `preupload`, `resumeUpload`, `ocx.documents.upload`,
//! `ocx.assets.upload`, the `Upload` handle and `pairFiles`. The logic (file rules, plans,
//! signing, retries, resume) is `onecodex_core::upload`; `driver` runs it over src/js/upload.js.

mod driver;
mod io;

use crate::client::{promise, ClientInner};
use crate::convert::{read_options, signal_or_undefined, to_js};
use crate::error::{bad_argument, to_js as err_js};
use crate::resources::{AssetsApi, DocumentsApi, SamplesApi};
use driver::{Settings, Shared};
use js_sys::{Array, Promise};
use onecodex_core::http::retry::RetryPolicy;
use onecodex_core::refs::check_id;
use onecodex_core::upload::checksum::ChecksumKind;
use onecodex_core::upload::driver::{resume_order, resume_session, Start};
use onecodex_core::upload::files::pair_files;
use onecodex_core::upload::init::{preupload_request, InitParams};
use onecodex_core::upload::session::{self, UploadKind, UploadOptions, UploadState};
use onecodex_core::upload::state::check_transfer_settings;
use onecodex_core::{Error, ErrorCode};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// The JSON options of `upload` / `resumeUpload` (see `UploadOptions` for the whole type).
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadJsonOptions {
    /// Sample metadata (samples only); keys are snake-cased as the Python client does.
    #[tsify(optional, type = "Record<string, unknown>")]
    pub metadata: Option<Map<String, Value>>,
    /// Tag names (samples only); missing tags are created.
    #[tsify(optional)]
    pub tags: Option<Vec<String>>,
    /// A project id (samples only).
    #[tsify(optional)]
    pub project: Option<String>,
    /// Transliterate non-ASCII file names instead of refusing them.
    #[tsify(optional)]
    pub coerce_ascii: Option<bool>,
    /// Upload into a pre-uploaded sample (see `preupload`), by id …
    #[tsify(optional)]
    pub sample_id: Option<String>,
    /// … or by external id.
    #[tsify(optional)]
    pub external_sample_id: Option<String>,
    /// An asset's name (assets only).
    #[tsify(optional)]
    pub name: Option<String>,
    /// Bytes per part (5 MiB to 5 GiB); default by file size.
    #[tsify(optional)]
    pub part_size: Option<f64>,
    /// Parts sent at once (1 to 16, default 4); at most this many plus one are in memory.
    #[tsify(optional)]
    pub concurrency: Option<u32>,
    /// The per-part checksum S3 verifies (default `"crc32c"`).
    #[tsify(optional, type = "\"crc32c\" | \"md5\"")]
    pub checksum: Option<ChecksumKind>,
    /// Waits before retry 1, 2, … of a failed part (default 0, 1000, 3000, 5000, 10000 ms).
    #[tsify(optional)]
    pub retry_delays_ms: Option<Vec<f64>>,
    /// A part request making no progress for this long (ms, at least 5000) is aborted and retried.
    #[tsify(optional)]
    pub stall_timeout_ms: Option<f64>,
    /// Pre-sign S3 requests (auth in the URL) for this many seconds instead of signed headers.
    #[tsify(optional)]
    pub presign_secs: Option<u32>,
    /// Page size of ListParts on resume (S3's default 1000; small values are for tests).
    #[tsify(optional)]
    pub list_parts_page_size: Option<u32>,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_UPLOAD: &str = r#"
/** A file to upload: a File (or a Blob with a name) in browsers, a path in Node, or a list of those
 *  (lane files `_L001`, `_L002`, … of one read, uploaded as one file in order). */
export type UploadFile = Blob | string | readonly (Blob | string)[] | UploadStream;
/** A stream read once, in order (not resumable after a reload); `size`, when known, picks the part size. */
export interface UploadStream { name: string; stream: ReadableStream<Uint8Array>; size?: number; lastModified?: number; }
export type UploadPhase = "init" | "uploading" | "paused" | "finalizing" | "done";
export interface UploadProgress {
  phase: UploadPhase; loaded: number; total: number; partsDone: number; partsTotal: number; bytesPerSecond: number;
}
/** The resumable record of an upload (`upload.state()`). It holds the upload's S3 credentials (never
 *  the API key): keep it as private as the files. */
export interface UploadState { version: number; kind: { type: "sample" | "document" | "asset" }; sample_id: string | null; files: unknown[]; [key: string]: unknown; }
export type UploadOptions = UploadJsonOptions & {
  /** Progress, at most about 10 events a second. `loaded` counts bytes of parts in flight too: from
   *  XHR upload progress in browsers and socket writes in Node (128 KiB steps); where only fetch
   *  exists (or in Node through an HTTP(S)_PROXY), it moves part by part. */
  onProgress?: (progress: UploadProgress) => void;
  /** The new state after every part: save it to resume after a reload or crash. */
  onStateChange?: (state: UploadState) => void;
  /** Aborting it cancels the upload (as `cancel()`). */
  signal?: AbortSignal;
};
/** What `pairFiles` found: indices-free groups of the inputs themselves. */
export interface FilePairs<F> { pairs: { r1: F[]; r2: F[] }[]; singles: F[][]; leftover: { file: F; reason: string }[]; }
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_PAIR_FILES: &str = r#"
/**
 * Groups files (paths, Files, or anything with a `name`) into R1/R2 pairs by their names;
 * lane files (`_L001`, `_L002`, …) of one read are grouped in lane order, ready to pass as one
 * file to `upload`. Files that fit no pair are `leftover`, with the reason. The groups hold the
 * inputs themselves, typed as given: Files in, Files out, so they go to `upload` as they are.
 *
 * @example
 * ```ts
 * const { pairs, singles, leftover } = pairFiles(files); // e.g. the files of an <input multiple>
 * for (const { r1, r2 } of pairs) ocx.samples.upload([r1, r2]);
 * for (const lanes of singles) ocx.samples.upload([lanes]);
 * for (const { file, reason } of leftover) console.warn(file.name, reason);
 * ```
 */
export function pairFiles<F extends string | Blob | { name: string }>(files: readonly F[]): FilePairs<F>;
"#;

/// A running upload.
///
/// @example
/// ```ts
/// const up = ocx.samples.upload(["s_R1.fastq.gz", "s_R2.fastq.gz"], {
///   onProgress: (p) => console.log(`${p.phase} ${p.loaded} of ${p.total} bytes`),
///   onStateChange: (state) => localStorage.setItem("upload", JSON.stringify(state)),
/// });
/// const sample = await up.done;
/// ```
#[wasm_bindgen]
pub struct Upload {
    shared: Rc<Shared>,
    done: Promise,
}

#[wasm_bindgen]
impl Upload {
    /// The new sample (document, asset), fetched after the callback. Rejects with a
    /// `OneCodexError`; after `upload_failed`/`network`/`timeout` the state can be resumed.
    ///
    /// @example
    /// ```ts
    /// const up = ocx.samples.upload(file);
    /// try {
    ///   const sample = await up.done;
    ///   console.log(sample.$uri);
    /// } catch (e) {
    ///   if (isOneCodexError(e) && e.code === "upload_failed") localStorage.setItem("upload", JSON.stringify(up.state()));
    /// }
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<any>")]
    pub fn done(&self) -> Promise {
        self.done.clone()
    }

    /// Stops sending: parts in flight are aborted (they are sent again on `resume()`).
    ///
    /// @example
    /// ```ts
    /// const up = ocx.samples.upload(file);
    /// up.pause(); // e.g. while the user is on a metered connection
    /// up.resume();
    /// ```
    pub fn pause(&self) {
        let s = &self.shared;
        if s.paused.get() || s.cancelled.get() {
            return;
        }
        s.paused.set(true);
        *s.resume.borrow_mut() = Some(io::deferred());
        io::abort_controller(&s.run.borrow());
        s.progress(true);
    }

    /// Continues after `pause()`.
    ///
    /// @example
    /// ```ts
    /// const up = ocx.samples.upload(file);
    /// up.pause();
    /// setTimeout(() => up.resume(), 10_000);
    /// ```
    pub fn resume(&self) {
        let s = &self.shared;
        if !s.paused.get() {
            return;
        }
        s.paused.set(false);
        *s.run.borrow_mut() = io::new_controller();
        wake(s);
    }

    /// Cancels: aborts the multipart uploads (nothing is left in S3) and posts `cancel_upload`.
    /// Resolves true once done (`done` then rejects with `aborted`); false when the upload had
    /// already finished. Also works after `done` failed (retries ran out).
    ///
    /// @example
    /// ```ts
    /// const up = ocx.samples.upload(file);
    /// const cancelled = await up.cancel(); // false if it had already finished
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn cancel(&self) -> Promise {
        cancel(&self.shared, &self.done)
    }

    /// The resumable state (JSON-serialisable; holds the upload credentials), or null before init.
    ///
    /// @example
    /// ```ts
    /// const up = ocx.samples.upload(file, { onStateChange: (s) => localStorage.setItem("upload", JSON.stringify(s)) });
    /// // later, after a reload, with the same file picked again:
    /// const saved = localStorage.getItem("upload");
    /// if (saved) await ocx.samples.resumeUpload(saved, file).done;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "UploadState | null")]
    pub fn state(&self) -> JsValue {
        self.shared.state_json().and_then(|s| js_sys::JSON::parse(&s).ok()).unwrap_or(JsValue::NULL)
    }
}

fn wake(s: &Shared) {
    if let Some(d) = s.resume.borrow_mut().take() {
        let resolve: js_sys::Function = io::get(&d, "resolve").unchecked_into();
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}

fn cancel(s: &Rc<Shared>, done: &Promise) -> Promise {
    let first = !s.cancelled.replace(true);
    io::abort_controller(&s.run.borrow());
    wake(s);
    if s.running.get() {
        return io::settle_cancel(done);
    }
    // A finished upload has nothing to cancel.
    let finished = s.session.borrow().as_ref().is_some_and(|x| x.state().callback_done);
    if finished {
        return Promise::resolve(&JsValue::FALSE);
    }
    let s = s.clone();
    promise(async move {
        if first {
            driver::cancel_remote(&s).await.map_err(err_js)?;
        }
        Ok(JsValue::TRUE)
    })
}

struct Parsed {
    json: UploadJsonOptions,
    on_progress: JsValue,
    on_state_change: JsValue,
    signal: JsValue,
}

fn parse_options(options: Option<JsValue>) -> Result<Parsed, JsValue> {
    let (opts, js) =
        read_options::<UploadJsonOptions, 3>("upload options", options, ["onProgress", "onStateChange", "signal"])?;
    for (i, name) in ["onProgress", "onStateChange"].iter().enumerate() {
        if !js[i].is_undefined() && !js[i].is_function() {
            return Err(bad_argument(name, "must be a function"));
        }
    }
    // Here, before any request, for a new upload and a resumed one alike.
    let d = UploadOptions::default();
    check_transfer_settings(
        opts.concurrency.unwrap_or(d.concurrency),
        opts.stall_timeout_ms.unwrap_or(d.stall_timeout_ms as f64),
    )
    .map_err(err_js)?;
    Ok(Parsed {
        json: opts,
        on_progress: js[0].clone(),
        on_state_change: js[1].clone(),
        signal: signal_or_undefined(js[2].clone())?,
    })
}

fn retry_policy(o: &UploadJsonOptions) -> Result<RetryPolicy, JsValue> {
    RetryPolicy::upload_option(o.retry_delays_ms.clone()).map_err(err_js)
}

fn input_list(files: &JsValue) -> Vec<JsValue> {
    if Array::is_array(files) {
        Array::from(files).iter().collect()
    } else {
        vec![files.clone()]
    }
}

fn new_handle(inner: &Rc<ClientInner>, p: &Parsed) -> Rc<Shared> {
    let d = UploadOptions::default();
    let settings = Settings {
        concurrency: p.json.concurrency.unwrap_or(d.concurrency) as usize,
        stall_ms: Some(p.json.stall_timeout_ms.unwrap_or(d.stall_timeout_ms as f64)),
        list_parts_page: p.json.list_parts_page_size,
        on_progress: p.on_progress.clone(),
        on_state_change: p.on_state_change.clone(),
    };
    Shared::new(inner.clone(), settings)
}

/// Runs `body` as the upload's `done` and hooks the AbortSignal to `cancel`.
fn launch(
    shared: Rc<Shared>,
    signal: JsValue,
    body: impl std::future::Future<Output = Result<Value, Error>> + 'static,
) -> Upload {
    shared.running.set(true);
    let s2 = shared.clone();
    let done = promise(async move {
        let out = body.await;
        s2.running.set(false);
        to_js(&out.map_err(err_js)?)
    });
    if !signal.is_undefined() {
        let (s, d) = (shared.clone(), done.clone());
        let f = Closure::once_into_js(move || {
            let _ = cancel(&s, &d);
        });
        io::on_abort_signal(&signal, &f);
    }
    Upload { shared, done }
}

fn start(
    inner: &Rc<ClientInner>,
    kind: UploadKind,
    files: JsValue,
    options: Option<JsValue>,
) -> Result<Upload, JsValue> {
    let p = parse_options(options)?;
    let o = &p.json;
    if kind != UploadKind::Sample
        && (o.metadata.is_some()
            || o.tags.is_some()
            || o.project.is_some()
            || o.sample_id.is_some()
            || o.external_sample_id.is_some())
    {
        return Err(bad_argument(
            "upload options",
            "metadata, tags, project, sampleId and externalSampleId are for samples",
        ));
    }
    if !matches!(kind, UploadKind::Asset { .. }) && o.name.is_some() {
        return Err(bad_argument("upload options", "name is for assets"));
    }
    let project = o.project.as_deref().map(check_id).transpose().map_err(err_js)?.map(str::to_string);
    let params = InitParams {
        metadata: o.metadata.clone(),
        tags: o.tags.clone().unwrap_or_default(),
        project,
        sample_id: o.sample_id.clone(),
        external_sample_id: o.external_sample_id.clone(),
    };
    let defaults = UploadOptions::default();
    let uo = UploadOptions {
        part_size: o.part_size.map(|x| x as u64),
        checksum: o.checksum.unwrap_or_default(),
        coerce_ascii: o.coerce_ascii.unwrap_or(false),
        region: inner.region.clone(),
        endpoint: inner.s3_endpoint.as_ref().map(|u| u.as_str().to_string()),
        retry: retry_policy(o)?,
        presign_secs: o.presign_secs,
        concurrency: o.concurrency.unwrap_or(defaults.concurrency),
        stall_timeout_ms: o.stall_timeout_ms.map_or(defaults.stall_timeout_ms, |t| t as u64),
    };
    let inputs = input_list(&files);
    let shared = new_handle(inner, &p);
    let s = shared.clone();
    Ok(launch(shared, p.signal, async move {
        let (specs, handles, stream_size) = driver::describe_all(&inputs).await?;
        let mut uo = uo;
        if let (None, Some(size)) = (uo.part_size, stream_size) {
            // A stream of known size gets the part size its size would.
            uo.part_size = Some(onecodex_core::upload::plan::ladder_part_size(size)?);
        }
        let prepared = session::prepare(kind, &specs, uo)?;
        // The session's file order (R2 first) decides which handle reads which file.
        *s.handles.borrow_mut() = prepared
            .files
            .iter()
            .map(|f| {
                specs
                    .iter()
                    .position(|x| x.name == f.fingerprint.name)
                    .map_or(JsValue::UNDEFINED, |i| handles[i].clone())
            })
            .collect();
        // Every file rule and the init body are checked before any request.
        onecodex_core::upload::init::init_request(&prepared, &params)?;
        driver::run(s, Start::New { prepared: Box::new(prepared), params }).await
    }))
}

fn resume(
    inner: &Rc<ClientInner>,
    state: JsValue,
    files: JsValue,
    options: Option<JsValue>,
) -> Result<Upload, JsValue> {
    let p = parse_options(options)?;
    let retry = retry_policy(&p.json)?;
    // Read through serde_json::Value (whose deserializer the client already has) rather than
    // from text: one less family of generic code in the wasm.
    let value = match state.as_string() {
        Some(s) => serde_json::from_str::<Value>(&s).map_err(|e| bad_argument("state", e))?,
        None => crate::convert::json_from_js("state", &state)?,
    };
    let state: UploadState = serde_json::from_value(value).map_err(|e| bad_argument("not a saved upload state", e))?;
    let inputs = input_list(&files);
    let shared = new_handle(inner, &p);
    let s = shared.clone();
    Ok(launch(shared, p.signal, async move {
        let (specs, handles, _) = driver::describe_all(&inputs).await?;
        // Files picked again in any order: put in the state's order (R2 first) by name.
        let (specs, handles) = resume_order(&state, specs, handles);
        *s.handles.borrow_mut() = handles;
        match resume_session(s.as_ref(), state, &specs, retry).await {
            Ok(session) => *s.session.borrow_mut() = Some(session),
            Err(e) => {
                // A refused file: close what reading part 1 opened.
                driver::close_handles(&s).await;
                return Err(e);
            }
        }
        driver::run(s, Start::Resumed).await
    }))
}

#[wasm_bindgen]
impl SamplesApi {
    /// Uploads a sample: one file or an R1/R2 pair (`[r1, r2]`, either order; R2 is sent first and
    /// one callback follows). Returns at once; `await upload.done` for the new sample. File rules
    /// are checked before any request (`invalid_file`).
    ///
    /// @example
    /// ```ts
    /// const single = ocx.samples.upload(file, { tags: ["gut"], metadata: { sample_type: "Stool" } });
    /// const paired = ocx.samples.upload(["s_R1.fastq.gz", "s_R2.fastq.gz"], { project: "7d3e2f1a0b9c4d8e" });
    /// const sample = await paired.done;
    /// ```
    #[wasm_bindgen]
    pub fn upload(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Blob | string | readonly [UploadFile] | readonly [UploadFile, UploadFile]"
        )]
        files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: Option<JsValue>,
    ) -> Result<Upload, JsValue> {
        start(&self.inner, UploadKind::Sample, files, options)
    }

    /// Continues an upload from `state()` (saved after a reload or crash) with the same files, picked
    /// again: a different file is refused. Only the parts S3 does not have are sent.
    ///
    /// @example
    /// ```ts
    /// const saved = localStorage.getItem("upload"); // a state saved by onStateChange
    /// if (saved) {
    ///   const sample = await ocx.samples.resumeUpload(saved, file, { onProgress: (p) => console.log(p.partsDone, "/", p.partsTotal) }).done;
    /// }
    /// ```
    #[wasm_bindgen(js_name = resumeUpload)]
    pub fn resume_upload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadState | string")] state: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "Blob | string | readonly [UploadFile] | readonly [UploadFile, UploadFile]"
        )]
        files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: Option<JsValue>,
    ) -> Result<Upload, JsValue> {
        resume(&self.inner, state, files, options)
    }

    /// Creates a sample that waits for its files (`POST /api/v1/samples/preupload`); upload into it
    /// later with `{ sampleId }`. Resolves to `{ sample_id }`.
    ///
    /// @example
    /// ```ts
    /// const { sample_id } = await ocx.samples.preupload({ tags: ["gut"], metadata: { name: "day 3" } });
    /// const sample = await ocx.samples.upload(file, { sampleId: sample_id }).done;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<{ sample_id: string }>")]
    pub fn preupload(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ metadata?: Record<string, unknown>; tags?: string[]; project?: string; signal?: AbortSignal }"
        )]
        options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        #[derive(Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct Pre {
            metadata: Option<Map<String, Value>>,
            tags: Option<Vec<String>>,
            project: Option<String>,
        }
        let (o, [signal]) = read_options::<Pre, 1>("preupload options", options, ["signal"])?;
        let signal = signal_or_undefined(signal)?;
        let project = o.project.as_deref().map(check_id).transpose().map_err(err_js)?;
        let req = preupload_request(o.metadata, &o.tags.unwrap_or_default(), project).map_err(err_js)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let api = inner.api(signal);
            to_js(&api.post_json(&req.path, Some(&req.body), "pre-uploading a sample").await.map_err(err_js)?)
        }))
    }
}

#[wasm_bindgen]
impl DocumentsApi {
    /// Uploads a document (any file type); resolves `upload.done` to the new document.
    ///
    /// @example
    /// ```ts
    /// const doc = await ocx.documents.upload(file).done; // e.g. a PDF report
    /// ```
    #[wasm_bindgen]
    pub fn upload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadFile")] file: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: Option<JsValue>,
    ) -> Result<Upload, JsValue> {
        start(&self.inner, UploadKind::Document, Array::of1(&file).into(), options)
    }
}

#[wasm_bindgen]
impl AssetsApi {
    /// Uploads an asset, optionally `{ name }`; resolves `upload.done` to the new asset.
    ///
    /// @example
    /// ```ts
    /// const asset = await ocx.assets.upload(file, { name: "reference genome" }).done;
    /// ```
    #[wasm_bindgen]
    pub fn upload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadFile")] file: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: Option<JsValue>,
    ) -> Result<Upload, JsValue> {
        let name = match &options {
            Some(o) if o.is_object() => io::get(o, "name").as_string(),
            _ => None,
        };
        start(&self.inner, UploadKind::Asset { name }, Array::of1(&file).into(), options)
    }
}

/// Groups files into R1/R2 pairs by their names. Its TypeScript, generic over the file
/// type, is declared in `TS_PAIR_FILES` (wasm-bindgen cannot write type parameters).
#[wasm_bindgen(js_name = pairFiles, skip_typescript)]
pub fn pair_files_js(files: JsValue) -> Result<JsValue, JsValue> {
    if !Array::is_array(&files) {
        return Err(err_js(Error::new(ErrorCode::InvalidArgument, "pairFiles expects an array of files")));
    }
    let items: Vec<JsValue> = crate::convert::array_items("pairFiles", &files)?;
    let names: Vec<String> = items.iter().map(io::input_name).collect();
    let g = pair_files(&names);
    let pick = |ix: &[usize]| -> Array { ix.iter().map(|&i| items[i].clone()).collect() };
    let obj = |pairs: &[(&str, JsValue)]| {
        let o = js_sys::Object::new();
        for (k, v) in pairs {
            let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
        }
        JsValue::from(o)
    };
    let pairs: Array = g.pairs.iter().map(|p| obj(&[("r1", pick(&p.r1).into()), ("r2", pick(&p.r2).into())])).collect();
    let singles: Array = g.singles.iter().map(|s| JsValue::from(pick(s))).collect();
    let leftover: Array = g
        .leftover
        .iter()
        .map(|l| obj(&[("file", items[l.index].clone()), ("reason", l.reason.as_str().into())]))
        .collect();
    Ok(obj(&[("pairs", pairs.into()), ("singles", singles.into()), ("leftover", leftover.into())]))
}
