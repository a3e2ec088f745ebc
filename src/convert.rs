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

/// [`json_from_js`] without the top-level keys `omit` (the JS-only parts of an options object);
/// with `non_finite`, NaN and ±Infinity are read as the strings `f64_or_nan` fields take.
fn json_without(what: &str, value: &JsValue, omit: &[&str], non_finite: bool) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let omit = omit.iter().map(|k| JsString::from(*k)).collect();
    let text = json_text(what, value, omit, non_finite).map_err(js_failure)?;
    serde_json::from_str(&text).map_err(|e| bad_argument(what, e))
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

fn read<T, const N: usize>(what: &str, options: Option<JsValue>, keys: [&str; N], non_finite: bool) -> Result<(T, [JsValue; N]), JsValue>
where
    T: serde::de::DeserializeOwned + Default,
{
    let (json, taken) = take_js_only(what, options, &keys, non_finite)?;
    let taken: [JsValue; N] = taken.try_into().map_err(|_| bad_argument(what, "options could not be read"))?;
    Ok((options_from_json(what, json)?, taken))
}

/// A number option that may be NaN or ±Infinity (as [`read_options_with_nan`] passes them).
pub fn f64_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum NumberOrWord {
        Number(f64),
        Word(String),
    }
    match <Option<NumberOrWord> as serde::Deserialize>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrWord::Number(n)) => Ok(Some(n)),
        Some(NumberOrWord::Word(w)) => match w.as_str() {
            "NaN" => Ok(Some(f64::NAN)),
            "Infinity" => Ok(Some(f64::INFINITY)),
            "-Infinity" => Ok(Some(f64::NEG_INFINITY)),
            other => Err(serde::de::Error::custom(format!("expected a number, got \"{other}\""))),
        },
    }
}

/// The JSON part of an options object (null when there are none) and its JS-only `keys`.
fn take_js_only(what: &str, options: Option<JsValue>, keys: &[&str], non_finite: bool) -> Result<(Value, Vec<JsValue>), JsValue> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    if options.is_undefined() || options.is_null() {
        return Ok((Value::Null, keys.iter().map(|_| JsValue::UNDEFINED).collect()));
    }
    if !options.is_object() || options.is_function() {
        return Err(bad_argument(what, "must be an object"));
    }
    // Reflect.get is a `catch` import: a throwing getter comes back as the caller's error.
    let taken = keys.iter().map(|key| Reflect::get(&options, &(*key).into())).collect::<Result<Vec<_>, _>>()?;
    Ok((json_without(what, &options, keys, non_finite)?, taken))
}

fn options_from_json<T: serde::de::DeserializeOwned + Default>(what: &str, json: Value) -> Result<T, JsValue> {
    if json.is_null() {
        return Ok(T::default());
    }
    let secrets = secrets_in(&json);
    serde_json::from_value(json).map_err(|e| bad_argument(what, redact(e.to_string(), &secrets)))
}

/// The credential values of an options object.
fn secrets_in(json: &Value) -> Vec<String> {
    SECRET_OPTIONS
        .iter()
        .filter_map(|k| json.get(*k))
        .filter_map(|v| v.as_str().map(str::to_string).or_else(|| v.as_f64().map(|n| n.to_string())))
        .filter(|s| !s.is_empty())
        .collect()
}

/// serde's messages may quote a value ("invalid type: string \"…\""): never a secret.
fn redact(message: String, secrets: &[String]) -> String {
    secrets.iter().fold(message, |m, secret| m.replace(secret.as_str(), "<redacted>"))
}

/// Options whose values are credentials, redacted from error messages.
const SECRET_OPTIONS: [&str; 2] = ["apiKey", "bearerToken"];

/// Takes the JS-only `keys` out of an options object; the rest is read as JSON. Being replaced
/// by [`read_options`].
pub fn split_options(what: &str, options: Option<JsValue>, keys: &[&str]) -> Result<(Value, Vec<JsValue>), JsValue> {
    take_js_only(what, options, keys, false)
}

/// Reads JSON options into `T`. Being replaced by [`read_options`].
pub fn from_json<T: serde::de::DeserializeOwned + Default>(what: &str, json: Value) -> Result<T, JsValue> {
    options_from_json(what, json)
}

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
