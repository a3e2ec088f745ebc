//! The `OneCodex` client object. Credentials stay inside wasm memory: nothing on the JS side can
//! read them back, and they are only ever attached to requests for the API origin.

use crate::convert::json_from_js;
use crate::convert::{read_options, signal_or_undefined, to_js};
use crate::error::{bad_argument, to_js as err_js};
use crate::transport::{is_function, node_defaults, FetchTransport};
use js_sys::{Promise, Reflect};
use onecodex_core::http::config::{BaseUrl, Credentials};
use onecodex_core::http::retry::{RetryOverrides, RetryPolicy};
use onecodex_core::http::session::{Api, ClientConfig};
use onecodex_core::objects;
use onecodex_core::query::{Listing, Route};
use onecodex_core::resources::Resource;
use serde::Deserialize;
use serde_json::Value;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Options of `new OneCodex(options)`, besides `onRequest` (see `OneCodexOptions`). Durations are
/// milliseconds. In Node, missing credentials and base URL come from `ONE_CODEX_BEARER_TOKEN`,
/// `ONE_CODEX_API_KEY`, the `api_key` of `~/.onecodex`, and `ONE_CODEX_API_BASE`.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// A One Codex API key, sent as HTTP Basic user name to the API origin only.
    #[tsify(optional)]
    pub api_key: Option<String>,
    /// An OAuth bearer token; wins over `apiKey` when both are given.
    #[tsify(optional)]
    pub bearer_token: Option<String>,
    /// Default `https://app.onecodex.com`; `http://` is accepted only for loopback hosts.
    #[tsify(optional)]
    pub base_url: Option<String>,
    /// Where uploads go; default `https://<bucket>.s3.amazonaws.com`.
    #[tsify(optional)]
    pub s3_endpoint: Option<String>,
    /// The upload bucket's region; default `us-east-1`.
    #[tsify(optional)]
    pub region: Option<String>,
    /// Sends `X-OneCodex-Api-Experimental: 1` on every request (experimental resources get it anyway).
    #[tsify(optional)]
    pub experimental: Option<bool>,
    /// Per-request timeout in milliseconds (none by default, as the Python client).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// The largest API answer read, in bytes after decompression (default 256 MiB): a larger
    /// one is an `invalid_response` error, stopped while it streams in. Downloads have no limit.
    #[tsify(optional)]
    pub max_response_bytes: Option<f64>,
    /// The retry policy of API calls (default: 3 retries on 429/502/503 and network errors,
    /// after 0, 8 and 16 s; `Retry-After` honoured; waits capped at 120 s).
    #[tsify(optional)]
    pub retry: Option<RetryOptions>,
}

#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryOptions {
    /// Retries after the first attempt (0 disables retrying).
    #[tsify(optional)]
    pub retries: Option<u32>,
    /// HTTP statuses that are retried.
    #[tsify(optional)]
    pub statuses: Option<Vec<u16>>,
    /// Waits before retry 1, 2, …; the last one repeats.
    #[tsify(optional)]
    pub backoff_ms: Option<Vec<f64>>,
    #[tsify(optional)]
    pub max_delay_ms: Option<f64>,
}

impl RetryOptions {
    pub(crate) fn into_overrides(self) -> RetryOverrides {
        RetryOverrides {
            retries: self.retries,
            statuses: self.statuses,
            backoff_ms: self.backoff_ms,
            max_delay_ms: self.max_delay_ms,
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_CLIENT: &str = r#"
/** What `onRequest` sees of each API request: secrets are redacted. */
export interface RequestInfo { method: string; url: string; headers: Record<string, string>; }
/** Options of `new OneCodex(options)`. */
export type OneCodexOptions = ClientOptions & {
  /** A debugging hook called before each request, with credentials redacted. */
  onRequest?: (request: RequestInfo) => void;
};
/** Options every network call takes. */
export interface CallOptions { signal?: AbortSignal; }
"#;

pub struct ClientInner {
    pub config: ClientConfig,
    pub on_request: JsValue,
    pub s3_endpoint: Option<BaseUrl>,
    pub region: String,
}

impl ClientInner {
    /// An API session for one call, with that call's abort signal.
    pub fn api(&self, signal: JsValue) -> Api<FetchTransport> {
        Api::new(self.config.clone(), FetchTransport::new(signal, self.on_request.clone()))
    }
}

/// Runs an async core call as a JS Promise, turning core errors into `OneCodexError`s.
pub fn promise<F>(future: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
{
    // One boxed future type, so wasm-bindgen's promise glue is instantiated once rather than
    // once per method (it was the largest part of the module).
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> = Box::pin(future);
    future_to_promise(boxed)
}

/// A One Codex API client.
///
/// @example
/// ```ts
/// const ocx = new OneCodex({ apiKey: "…", baseUrl: "http://127.0.0.1:8080" });
/// const recent = await ocx.samples.where({ filename: { $iendswith: ".fastq.gz" } }, { limit: 10 });
/// ```
#[wasm_bindgen]
pub struct OneCodex {
    inner: Rc<ClientInner>,
}

fn node_default(defaults: &JsValue, key: &str) -> Option<String> {
    Reflect::get(defaults, &key.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty())
}

impl OneCodex {
    /// The shared client state, for methods defined in other modules.
    pub(crate) fn inner_rc(&self) -> Rc<ClientInner> {
        self.inner.clone()
    }
}

#[wasm_bindgen]
impl OneCodex {
    /// Creates a client. Throws a `OneCodexError` (`invalid_argument`) on an unknown option or a
    /// base URL that would send the key in clear text.
    ///
    /// @example
    /// ```ts
    /// const ocx = new OneCodex({ apiKey: "…", timeoutMs: 30_000, retry: { retries: 5 } });
    /// const local = new OneCodex({ apiKey: "…", baseUrl: "http://127.0.0.1:8080", s3Endpoint: "http://127.0.0.1:9000" });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "OneCodexOptions")] options: Option<JsValue>,
    ) -> Result<OneCodex, JsValue> {
        let (options, [on_request]) = read_options::<ClientOptions, 1>("OneCodex options", options, ["onRequest"])?;
        if !on_request.is_undefined() && !is_function(&on_request) {
            return Err(bad_argument("onRequest", "must be a function"));
        }
        // explicit credentials win; otherwise (Node) the file's key, then the environment's;
        // a bearer token from the environment still wins over any key.
        let defaults = node_defaults();
        let credentials = if options.api_key.is_some() || options.bearer_token.is_some() {
            Credentials::from_options(options.api_key.as_deref(), options.bearer_token.as_deref())
        } else {
            let key = node_default(&defaults, "fileApiKey").or_else(|| node_default(&defaults, "envApiKey"));
            Credentials::from_options(key.as_deref(), node_default(&defaults, "envBearerToken").as_deref())
        };
        let base_url = match options.base_url.or_else(|| node_default(&defaults, "envBaseUrl")) {
            Some(raw) => BaseUrl::parse(&raw).map_err(err_js)?,
            None => BaseUrl::default(),
        };
        let s3_endpoint = options.s3_endpoint.as_deref().map(BaseUrl::parse).transpose().map_err(err_js)?;
        let region = options.region.unwrap_or_else(|| "us-east-1".to_string());
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad_argument("region", format!("'{region}' is not an AWS region name")));
        }
        if let Some(t) = options.timeout_ms.filter(|t| !(*t > 0.0 && onecodex_core::time::is_duration_ms(*t))) {
            return Err(bad_argument("timeoutMs", format!("{t} is not a number of milliseconds from 1 to 2147483647")));
        }
        let retry = match options.retry {
            Some(r) => RetryPolicy::api().with(r.into_overrides(), "retry").map_err(err_js)?,
            None => RetryPolicy::api(),
        };
        let config = ClientConfig {
            base_url,
            credentials,
            experimental: options.experimental.unwrap_or(false),
            retry,
            timeout_ms: options.timeout_ms,
            max_response_bytes: onecodex_core::http::config::max_response_bytes(options.max_response_bytes)
                .map_err(err_js)?,
        };
        Ok(OneCodex { inner: Rc::new(ClientInner { config, on_request, s3_endpoint, region }) })
    }

    /// The API base URL, without a trailing slash.
    ///
    /// @example
    /// ```ts
    /// new OneCodex({ apiKey: "…", baseUrl: "https://app.onecodex.com/" }).baseUrl; // "https://app.onecodex.com"
    /// ```
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config.base_url.as_str().to_string()
    }

    /// How requests authenticate: `"bearer"`, `"basic"` (API key) or `"none"`. The secret itself
    /// cannot be read back.
    ///
    /// @example
    /// ```ts
    /// if (ocx.authScheme === "none") throw new Error("set ONE_CODEX_API_KEY or pass { apiKey }");
    /// ```
    #[wasm_bindgen(getter, js_name = authScheme, unchecked_return_type = "\"bearer\" | \"basic\" | \"none\"")]
    pub fn auth_scheme(&self) -> String {
        match self.inner.config.credentials {
            Credentials::Bearer(_) => "bearer",
            Credentials::ApiKey(_) => "basic",
            Credentials::None => "none",
        }
        .to_string()
    }

    /// Whether every request sends `X-OneCodex-Api-Experimental: 1` (the `experimental` option).
    ///
    /// @example
    /// ```ts
    /// new OneCodex({ apiKey: "…", experimental: true }).experimental; // true
    /// ```
    #[wasm_bindgen(getter)]
    pub fn experimental(&self) -> bool {
        self.inner.config.experimental
    }

    /// The S3 endpoint uploads go to, when one was set.
    ///
    /// @example
    /// ```ts
    /// console.log(`uploads go to ${ocx.s3Endpoint ?? "the One Codex bucket on AWS"}`);
    /// ```
    #[wasm_bindgen(getter, js_name = s3Endpoint)]
    pub fn s3_endpoint(&self) -> Option<String> {
        self.inner.s3_endpoint.as_ref().map(|u| u.as_str().to_string())
    }

    /// The upload bucket's region.
    ///
    /// @example
    /// ```ts
    /// new OneCodex({ apiKey: "…", region: "us-west-2" }).region; // "us-west-2"
    /// ```
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.inner.region.clone()
    }

    /// The per-request timeout in milliseconds, when one was set.
    ///
    /// @example
    /// ```ts
    /// new OneCodex({ apiKey: "…", timeoutMs: 30_000 }).timeoutMs; // 30000
    /// ```
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> Option<f64> {
        self.inner.config.timeout_ms
    }

    /// The full URL of one page of a listing, exactly as the client requests it.
    ///
    /// @example
    /// ```ts
    /// const url = ocx.listingUrl("samples", { size: { $gte: 1e6 } }, { sort: ["^filename"] });
    /// ```
    #[wasm_bindgen(js_name = listingUrl)]
    pub fn listing_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WhereFilter | null")] filter: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "ListingOptions")] options: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let resource = Resource::by_name(&crate::convert::string_arg("resource", &resource)?).map_err(err_js)?;
        let filter = json_from_js("where", &filter.unwrap_or(JsValue::NULL))?;
        let (options, []) = read_options::<ListingOptions, 0>("listing options", options, [])?;
        let route = match (options.public, options.organization) {
            (Some(true), _) => Route::Public,
            (_, Some(true)) => Route::Organization,
            _ => Route::Own,
        };
        let listing =
            Listing::new(resource, route, &filter, options.sort.as_ref().unwrap_or(&Value::Null)).map_err(err_js)?;
        let path = listing.page_path(options.page.unwrap_or(1), options.cursor.as_deref());
        Ok(format!("{}{}", self.inner.config.base_url.as_str(), path))
    }

    /// The account the credentials belong to (`GET /api/v1/account`).
    ///
    /// @example
    /// ```ts
    /// const me = await ocx.account();
    /// console.log(me.email);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Account>")]
    pub fn account(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let inner = self.inner.clone();
        Ok(promise(async move { to_js(&objects::account(&inner.api(signal)).await.map_err(err_js)?) }))
    }

    /// Fetches the object a reference points to (`{ $ref }`, an object with a `$uri`, or a URI);
    /// null when it does not exist.
    ///
    /// @example
    /// ```ts
    /// const sample = await ocx.samples.get("0ee172af60e84f61");
    /// const project = sample?.project ? await ocx.resolve(sample.project) : null;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<any | null>")]
    pub fn resolve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ $ref: string } | { $uri: string } | string")] reference: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let reference = json_from_js("reference", &reference)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let found = objects::resolve_all(&inner.api(signal), &[reference]).await.map_err(err_js)?;
            to_js(&found.into_iter().next().unwrap_or(Value::Null))
        }))
    }

    /// Fetches many references with one `$uri $in` query per resource instead of one GET each.
    /// The result has the same order; missing objects are null.
    ///
    /// @example
    /// ```ts
    /// const samples = await ocx.samples.where({}, { limit: 50 });
    /// const metadata = await ocx.resolveAll(samples.map((s) => s.metadata));
    /// ```
    #[wasm_bindgen(js_name = resolveAll, unchecked_return_type = "Promise<(any | null)[]>")]
    pub fn resolve_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly ({ $ref: string } | { $uri: string } | string)[]")] references: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Result<Promise, JsValue> {
        let signal = call_signal(options)?;
        let refs = match json_from_js("references", &references)? {
            Value::Array(refs) => refs,
            _ => return Err(bad_argument("resolveAll", "expects an array of references")),
        };
        let inner = self.inner.clone();
        Ok(promise(async move {
            to_js(&Value::Array(objects::resolve_all(&inner.api(signal), &refs).await.map_err(err_js)?))
        }))
    }
}

/// The `signal` of `{ signal }` call options.
pub fn call_signal(options: Option<JsValue>) -> Result<JsValue, JsValue> {
    let (CallOnlyOptions {}, [signal]) = read_options("options", options, ["signal"])?;
    signal_or_undefined(signal)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CallOnlyOptions {}

/// Options of `listingUrl`.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListingOptions {
    #[tsify(optional, type = "SortSpec")]
    pub sort: Option<Value>,
    /// 1-based page number for page-style collections.
    #[tsify(optional)]
    pub page: Option<u32>,
    /// The `X-Next-Cursor` of the previous page, for cursor-style collections.
    #[tsify(optional)]
    pub cursor: Option<String>,
    #[tsify(optional)]
    pub public: Option<bool>,
    #[tsify(optional)]
    pub organization: Option<bool>,
}
