//! JSON values across the boundary, and options objects that mix JSON with JS-only values
//! (an AbortSignal, a predicate function).

use crate::error::bad_argument;
use js_sys::{Object, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A JSON value as a plain JS value: objects (not Maps), null for null.
pub fn to_js(value: &Value) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| bad_argument("converting a response", e))
}

/// Reads a JS value (object, array, string, number, boolean, null/undefined) as JSON.
pub fn json_from_js(what: &str, value: &JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    // Objects that define toJSON (a filter builder, a Date) are read as JSON.stringify reads them.
    if let Ok(to_json) = js_sys::Reflect::get(value, &"toJSON".into()) {
        if let Some(f) = to_json.dyn_ref::<js_sys::Function>() {
            let plain = f.call0(value)?;
            return serde_wasm_bindgen::from_value(plain).map_err(|e| bad_argument(what, e));
        }
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| bad_argument(what, e))
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
    let (json, taken) = take_js_only(what, options, &keys)?;
    let taken: [JsValue; N] = taken.try_into().map_err(|_| bad_argument(what, "options could not be read"))?;
    Ok((options_from_json(what, json)?, taken))
}

/// The JSON part of an options object (null when there are none) and its JS-only `keys`.
fn take_js_only(what: &str, options: Option<JsValue>, keys: &[&str]) -> Result<(Value, Vec<JsValue>), JsValue> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    if options.is_undefined() || options.is_null() {
        return Ok((Value::Null, keys.iter().map(|_| JsValue::UNDEFINED).collect()));
    }
    if !options.is_object() {
        return Err(bad_argument(what, "must be an object"));
    }
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    let mut taken = Vec::with_capacity(keys.len());
    for key in keys {
        taken.push(Reflect::get(&copy, &(*key).into()).unwrap_or(JsValue::UNDEFINED));
        let _ = Reflect::delete_property(&copy, &(*key).into());
    }
    Ok((json_from_js(what, &copy.into())?, taken))
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
    take_js_only(what, options, keys)
}

/// Reads JSON options into `T`. Being replaced by [`read_options`].
pub fn from_json<T: serde::de::DeserializeOwned + Default>(what: &str, json: Value) -> Result<T, JsValue> {
    options_from_json(what, json)
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
