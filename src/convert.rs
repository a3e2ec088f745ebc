//! JSON values across the boundary, and options objects that mix JSON with JS-only values
//! (an AbortSignal, a predicate function).

use crate::error::bad_argument;
use js_sys::{JsString, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A JSON value as a plain JS value: objects (not Maps), null for null.
pub fn to_js(value: &Value) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| bad_argument("converting a response", e))
}

#[wasm_bindgen(module = "/src/js/json.js")]
extern "C" {
    #[wasm_bindgen(js_name = jsonText, catch)]
    fn json_text(what: &str, value: &JsValue, omit: Vec<JsString>, non_finite: bool) -> Result<String, JsValue>;
}

/// Reads a JS value (object, array, string, number, boolean, null/undefined) as JSON, as
/// `JSON.stringify` reads it (`toJSON` honoured, `undefined` members dropped). Cycles, nesting
/// deeper than 100 levels, NaN, ±Infinity and BigInts are `invalid_argument`; an exception a
/// getter or `toJSON` throws comes back to the caller unchanged.
pub fn json_from_js(what: &str, value: &JsValue) -> Result<Value, JsValue> {
    json_without(what, value, &[], false)
}

/// [`json_from_js`] without the top-level keys `omit` (the JS-only parts of an options object).
fn json_without(what: &str, value: &JsValue, omit: &[&str], non_finite: bool) -> Result<Value, JsValue> {
    match json_text_of(what, value, omit, non_finite)? {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(&text).map_err(|e| bad_argument(what, e)),
    }
}

/// The JSON text of a value, None for undefined or null; with `non_finite`, NaN and ±Infinity
/// become the strings [`f64_or_nan`] reads.
fn json_text_of(what: &str, value: &JsValue, omit: &[&str], non_finite: bool) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let omit = omit.iter().map(|k| JsString::from(*k)).collect();
    json_text(what, value, omit, non_finite).map(Some).map_err(js_failure)
}

/// A `{ code, message }` the snippet threw becomes a `OneCodexError`; anything else is the
/// caller's own exception, rethrown as it is.
fn js_failure(e: JsValue) -> JsValue {
    let field = |k: &str| Reflect::get(&e, &k.into()).ok().and_then(|v| v.as_string());
    match (field("code").as_deref(), field("message")) {
        (Some("invalid_argument"), Some(message)) if !e.is_instance_of::<js_sys::Error>() => {
            crate::error::to_js(onecodex_core::Error::invalid_argument(message))
        }
        _ => e,
    }
}

/// The one reader of options objects: the JS-only `keys` (an AbortSignal, a callback, a stream)
/// are taken out as they are, in the order named, and the rest is read as JSON into `T`, whose
/// `deny_unknown_fields` refuses unknown keys. Undefined or null options are `T::default()`.
pub fn read_options<T, const N: usize>(
    what: &str,
    options: Option<JsValue>,
    keys: [&str; N],
) -> Result<(T, [JsValue; N]), JsValue>
where
    T: serde::de::DeserializeOwned + Default,
{
    read(what, options, keys, false)
}

/// [`read_options`] for options where NaN or ±Infinity mean something (a NaN `filler`): those
/// fields are read with [`f64_or_nan`].
pub fn read_options_with_nan<T, const N: usize>(
    what: &str,
    options: Option<JsValue>,
    keys: [&str; N],
) -> Result<(T, [JsValue; N]), JsValue>
where
    T: serde::de::DeserializeOwned + Default,
{
    read(what, options, keys, true)
}

fn read<T, const N: usize>(
    what: &str,
    options: Option<JsValue>,
    keys: [&str; N],
    non_finite: bool,
) -> Result<(T, [JsValue; N]), JsValue>
where
    T: serde::de::DeserializeOwned + Default,
{
    let (text, taken, secrets) = take_js_only(what, options, &keys, non_finite)?;
    let taken: [JsValue; N] = taken.try_into().map_err(|_| bad_argument(what, "options could not be read"))?;
    let parsed = match text {
        None => T::default(),
        Some(text) => parse_options(&text).map_err(|e| bad_argument(what, redact(serde_message(&e), &secrets)))?,
    };
    Ok((parsed, taken))
}

/// Options text into `T`, by whichever way makes the smaller module: the client build already
/// reads JSON values into many types (text → value → `T` costs one text parser), the tables build
/// parses text straight into types for its results (text → `T` shares that code); each way
/// measured at about 5 KB gzipped less than the other in its build.
fn parse_options<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    if cfg!(feature = "client") {
        serde_json::from_value(serde_json::from_str::<Value>(text)?)
    } else {
        serde_json::from_str(text)
    }
}

/// A number option that may be NaN or ±Infinity (as [`read_options_with_nan`] passes them).
pub fn f64_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct NumberOrWord;
    impl serde::de::Visitor<'_> for NumberOrWord {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
            Ok(Some(n))
        }
        fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n as f64))
        }
        fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n as f64))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: serde::de::Error>(self, w: &str) -> Result<Self::Value, E> {
            match w {
                "NaN" => Ok(Some(f64::NAN)),
                "Infinity" => Ok(Some(f64::INFINITY)),
                "-Infinity" => Ok(Some(f64::NEG_INFINITY)),
                _ => Err(E::invalid_type(serde::de::Unexpected::Str(w), &self)),
            }
        }
    }
    d.deserialize_any(NumberOrWord)
}

/// The JSON text of an options object without its JS-only `keys` (None when there are no
/// options), those keys' values, and the credentials it holds (to keep them out of messages).
#[allow(clippy::type_complexity)]
fn take_js_only(
    what: &str,
    options: Option<JsValue>,
    keys: &[&str],
    non_finite: bool,
) -> Result<(Option<String>, Vec<JsValue>, Vec<String>), JsValue> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    if options.is_undefined() || options.is_null() {
        return Ok((None, keys.iter().map(|_| JsValue::UNDEFINED).collect(), Vec::new()));
    }
    if !options.is_object() || options.is_function() {
        return Err(bad_argument(what, "must be an object"));
    }
    // Reflect.get is a `catch` import: a throwing getter comes back as the caller's error.
    let taken = keys.iter().map(|key| Reflect::get(&options, &(*key).into())).collect::<Result<Vec<_>, _>>()?;
    let mut secrets = Vec::new();
    for key in SECRET_OPTIONS {
        let v = Reflect::get(&options, &key.into())?;
        if let Some(s) = v.as_string().or_else(|| v.as_f64().map(|n| n.to_string())).filter(|s| !s.is_empty()) {
            secrets.push(s);
        }
    }
    Ok((json_text_of(what, &options, keys, non_finite)?, taken, secrets))
}

/// serde_json's message without its "at line 1 column 8" (the text is ours, not the caller's).
fn serde_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) if e.line() > 0 => m[..i].to_string(),
        _ => m,
    }
}

/// serde's messages may quote a value ("invalid type: string \"…\""): never a secret.
fn redact(message: String, secrets: &[String]) -> String {
    secrets.iter().fold(message, |m, secret| m.replace(secret.as_str(), "<redacted>"))
}

/// Options whose values are credentials, redacted from error messages.
const SECRET_OPTIONS: [&str; 2] = ["apiKey", "bearerToken"];

/// An id argument: an id or URI string, or an object with a `$uri` (as `get`/`where` return
/// them), checked before it goes into a path; anything else is `invalid_argument`.
pub fn id_arg(what: &str, value: &JsValue) -> Result<String, JsValue> {
    let reference = if let Some(s) = value.as_string() {
        Value::String(s)
    } else if value.is_object() && !value.is_function() {
        let uri = Reflect::get(value, &"$uri".into())?;
        match uri.as_string() {
            Some(uri) => serde_json::json!({ "$uri": uri }),
            None => return Err(bad_argument(what, "must be an id, or an object with a $uri string")),
        }
    } else {
        return Err(bad_argument(what, format!("must be an id string, got {}", js_kind(value))));
    };
    onecodex_core::refs::reference_id(&reference).map_err(crate::error::to_js)
}

/// A string argument. wasm-bindgen's own `&str` parameters trust their caller (a number or an
/// object there corrupts the instance), so exported functions take a `JsValue` and read it here.
pub fn string_arg(what: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| bad_argument(what, format!("must be a string, got {}", js_kind(value))))
}

/// An optional string argument: undefined or null is `None`.
pub fn optional_string_arg(what: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        string_arg(what, value).map(Some)
    }
}

/// The most elements an array argument may have (far above any real list of files or samples).
const MAX_ARRAY_ITEMS: f64 = 10_000_000.0;

/// The elements of an array argument, read through `Reflect` so that a throwing getter or
/// Proxy trap comes back as the caller's own error. (`Array.from` and friends would throw
/// through the wasm frames, leaving the object whose method was running borrowed for good.)
/// Anything but an array is `invalid_argument`.
pub fn array_items(what: &str, value: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    if !js_sys::Array::is_array(value) {
        return Err(bad_argument(what, format!("must be an array, got {}", js_kind(value))));
    }
    let len = Reflect::get(value, &"length".into())?.as_f64().unwrap_or(f64::NAN);
    if !(0.0..=MAX_ARRAY_ITEMS).contains(&len) {
        return Err(bad_argument(what, format!("has {len} items, more than {MAX_ARRAY_ITEMS}")));
    }
    (0..len as u32).map(|i| Reflect::get_u32(value, i)).collect()
}

/// What a JS value is, for messages.
fn js_kind(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if value.is_undefined() {
        "undefined".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

/// An AbortSignal, or undefined; anything else is refused.
pub fn signal_or_undefined(value: JsValue) -> Result<JsValue, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    let aborted = Reflect::get(&value, &"aborted".into()).ok();
    if aborted.is_some_and(|a| a.as_bool().is_some()) {
        Ok(value)
    } else {
        Err(bad_argument("signal", "must be an AbortSignal"))
    }
}

/// The options of a functional matrix, read alike by the tables module's `functionalMatrix` and
/// the client's `ocx.functionalMatrix` (which alone takes `concurrency`: it fetches).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionalMatrixJson {
    annotation: Option<String>,
    metric: Option<String>,
    taxa_stratified: Option<bool>,
    fill_missing: Option<bool>,
    #[serde(default, deserialize_with = "f64_or_nan")]
    filler: Option<f64>,
    max_bytes: Option<f64>,
    pub concurrency: Option<f64>,
}

impl FunctionalMatrixJson {
    /// The options after defaults; a metric the annotation lacks is refused here.
    pub fn spec(&self) -> Result<onecodex_core::results::FunctionalMatrixSpec, JsValue> {
        onecodex_core::results::FunctionalMatrixSpec::resolve(
            self.annotation.as_deref(),
            self.metric.as_deref(),
            self.taxa_stratified,
            self.fill_missing,
            self.filler,
        )
        .map_err(crate::error::to_js)
    }

    /// `maxBytes`: a whole number ≥ 0, when given.
    pub fn max_bytes(&self) -> Result<Option<usize>, JsValue> {
        count_option("maxBytes", self.max_bytes)
    }
}

/// A count option (`topN`, `maxBytes`): a whole number ≥ 0.
pub fn count_option(what: &str, v: Option<f64>) -> Result<Option<usize>, JsValue> {
    match v {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as usize)),
        Some(n) => Err(bad_argument(what, format!("{n} is not a whole number ≥ 0"))),
    }
}
