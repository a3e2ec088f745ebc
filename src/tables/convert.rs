//! Conversions the table classes share: results input as bytes, string and number columns,
//! warnings, and options objects read straight from JS.

use crate::error::bad_argument;
use js_sys::{Array, Object, Reflect, Uint8Array};
use onecodex_core::results::Warning;
use wasm_bindgen::prelude::*;

/// Bytes of a `ResultsInput`.
pub(super) fn input_bytes(what: &str, input: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = input.as_string() {
        return Ok(s.into_bytes());
    }
    if input.is_instance_of::<Uint8Array>() || input.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(input).to_vec());
    }
    if ArrayBufferView::is_view(input) {
        let buf = Reflect::get(input, &"buffer".into())?;
        let off = Reflect::get(input, &"byteOffset".into())?.as_f64().unwrap_or(0.0) as u32;
        let len = Reflect::get(input, &"byteLength".into())?.as_f64().unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buf, off, len).to_vec());
    }
    Err(bad_argument(what, "expects a Uint8Array, an ArrayBuffer or a string"))
}

#[wasm_bindgen]
extern "C" {
    type ArrayBufferView;
    #[wasm_bindgen(static_method_of = ArrayBufferView, js_class = "ArrayBuffer", js_name = isView)]
    fn is_view(v: &JsValue) -> bool;
}

pub(super) fn strings_array<'a>(items: impl Iterator<Item = Option<&'a str>>) -> Array {
    items
        .map(|s| match s {
            Some(s) => JsValue::from_str(s),
            None => JsValue::NULL,
        })
        .collect()
}

pub(crate) fn owned_strings(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

pub(crate) fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), &value.into());
}

pub(super) fn num_or_null(v: f64) -> JsValue {
    if v.is_nan() {
        JsValue::NULL
    } else {
        JsValue::from_f64(v)
    }
}

pub(super) fn warnings_js<'a>(w: impl IntoIterator<Item = (&'a str, &'a str)>) -> Array {
    w.into_iter()
        .map(|(code, message)| {
            let o = Object::new();
            set(&o, "code", code);
            set(&o, "message", message);
            JsValue::from(o)
        })
        .collect()
}

pub(crate) fn core_warnings_js(w: &[Warning]) -> Array {
    warnings_js(w.iter().map(|w| (w.code, w.message.as_str())))
}

/// The options of the tables' methods, through the one options reader. Unknown keys, NaN and
/// ±Infinity are refused.
pub(crate) fn table_options<T: serde::de::DeserializeOwned + Default>(
    what: &str,
    options: Option<JsValue>,
) -> Result<T, JsValue> {
    Ok(crate::convert::read_options::<T, 0>(what, options, [])?.0)
}

/// [`table_options`] for options with a `filler`, where NaN means "keep the empty cells NaN"
/// (read with `crate::convert::f64_or_nan`).
pub(crate) fn table_options_with_nan<T: serde::de::DeserializeOwned + Default>(
    what: &str,
    options: Option<JsValue>,
) -> Result<T, JsValue> {
    Ok(crate::convert::read_options_with_nan::<T, 0>(what, options, [])?.0)
}

pub(crate) use crate::convert::count_option;
