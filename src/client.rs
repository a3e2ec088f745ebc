//! The `OneCodex` client object. Credentials stay inside wasm memory: nothing on the JS side can
//! read them back, and they are only ever attached to requests for the API origin.

use crate::error::{bad_argument, to_js};
use crate::query::{json_from_js, options_from_js};
use onecodex_core::config::{BaseUrl, Credentials};
use onecodex_core::query::{Listing, Route};
use onecodex_core::resources::Resource;
use serde::Deserialize;
use serde_json::Value;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Options of `new OneCodex(options)`. Durations are milliseconds.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OneCodexOptions {
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
    /// Sends `X-OneCodex-Api-Experimental: 1` (needed for assemblies, genomes, taxa…).
    #[tsify(optional)]
    pub experimental: Option<bool>,
    /// Per-request timeout in milliseconds.
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

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

/// serde's messages may quote a value ("invalid type: string \"…\""); never let that be a secret.
fn redact_secrets(message: &str, options: &JsValue) -> String {
    ["apiKey", "bearerToken"]
        .iter()
        .filter_map(|k| js_sys::Reflect::get(options, &(*k).into()).ok())
        .filter_map(|v| v.as_string().or_else(|| v.as_f64().map(|n| n.to_string())))
        .filter(|secret| !secret.is_empty())
        .fold(message.to_string(), |m, secret| m.replace(&secret, "<redacted>"))
}

/// A One Codex API client.
///
/// ```js
/// const ocx = new OneCodex({ apiKey: "…", baseUrl: "http://127.0.0.1:8080" });
/// ```
#[wasm_bindgen]
pub struct OneCodex {
    base_url: BaseUrl,
    credentials: Credentials,
    experimental: bool,
    s3_endpoint: Option<BaseUrl>,
    region: String,
    timeout_ms: Option<f64>,
}

#[wasm_bindgen]
impl OneCodex {
    /// Creates a client. Throws a `OneCodexError` (`invalid_argument`) on an unknown option or a
    /// base URL that would send the key in clear text.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "OneCodexOptions")] options: Option<JsValue>,
    ) -> Result<OneCodex, JsValue> {
        let raw = options.clone().unwrap_or(JsValue::UNDEFINED);
        let options: OneCodexOptions =
            options_from_js("OneCodex options", options, |message| redact_secrets(&message, &raw))?;
        let base_url = match options.base_url.as_deref() {
            Some(raw) => BaseUrl::parse(raw).map_err(to_js)?,
            None => BaseUrl::default(),
        };
        let s3_endpoint = options.s3_endpoint.as_deref().map(BaseUrl::parse).transpose().map_err(to_js)?;
        let region = options.region.unwrap_or_else(|| "us-east-1".to_string());
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad_argument("region", format!("'{region}' is not an AWS region name")));
        }
        if let Some(t) = options.timeout_ms.filter(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(bad_argument("timeoutMs", format!("{t} is not a positive number of milliseconds")));
        }
        Ok(OneCodex {
            base_url,
            credentials: Credentials::from_options(options.api_key.as_deref(), options.bearer_token.as_deref()),
            experimental: options.experimental.unwrap_or(false),
            s3_endpoint,
            region,
            timeout_ms: options.timeout_ms,
        })
    }

    /// The API base URL, without a trailing slash.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.base_url.as_str().to_string()
    }

    /// How requests authenticate: `"bearer"`, `"basic"` (API key) or `"none"`. The secret itself
    /// cannot be read back.
    #[wasm_bindgen(getter, js_name = authScheme, unchecked_return_type = "\"bearer\" | \"basic\" | \"none\"")]
    pub fn auth_scheme(&self) -> String {
        match self.credentials {
            Credentials::Bearer(_) => "bearer",
            Credentials::ApiKey(_) => "basic",
            Credentials::None => "none",
        }
        .to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn experimental(&self) -> bool {
        self.experimental
    }

    /// The S3 endpoint uploads go to, when one was set.
    #[wasm_bindgen(getter, js_name = s3Endpoint)]
    pub fn s3_endpoint(&self) -> Option<String> {
        self.s3_endpoint.as_ref().map(|u| u.as_str().to_string())
    }

    /// The upload bucket's region.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.region.clone()
    }

    /// The per-request timeout in milliseconds, when one was set.
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> Option<f64> {
        self.timeout_ms
    }

    /// The full URL of one page of a listing, exactly as the client requests it.
    ///
    /// ```js
    /// ocx.listingUrl("samples", { size: { $gte: 1e6 } }, { sort: ["^filename"] })
    /// ```
    #[wasm_bindgen(js_name = listingUrl)]
    pub fn listing_url(
        &self,
        resource: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "WhereFilter | null")] filter: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "ListingOptions")] options: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let resource = Resource::by_name(resource).map_err(to_js)?;
        let filter = json_from_js("where", &filter.unwrap_or(JsValue::NULL))?;
        let options: ListingOptions = options_from_js("listing options", options, |m| m)?;
        let route = match (options.public, options.organization) {
            (Some(true), _) => Route::Public,
            (_, Some(true)) => Route::Organization,
            _ => Route::Own,
        };
        let listing = Listing::new(resource, route, &filter, options.sort.as_ref().unwrap_or(&Value::Null))
            .map_err(to_js)?;
        let path = listing.page_path(options.page.unwrap_or(1), options.cursor.as_deref());
        Ok(format!("{}{}", self.base_url.as_str(), path))
    }
}
