//! `OneCodexError` for JavaScript: a real `Error` (with a stack) whose `name` is
//! `"OneCodexError"`, carrying `code` and, when HTTP gave one, `status`.

use js_sys::Reflect;
use onecodex_core::Error;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODE: &str = onecodex_core::ErrorCode::TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = r#"
/** Every error the client throws or rejects with. Branch on `code`; `message` is for people. */
export interface OneCodexError extends Error {
  name: "OneCodexError";
  code: ErrorCode;
  /** The HTTP status, when the error came from a response. */
  status?: number;
}
"#;

pub(crate) const ERROR_NAME: &str = "OneCodexError";

/// Converts a core error into the JS error object that crosses the boundary.
pub(crate) fn to_js(err: Error) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name(ERROR_NAME);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &err.code.as_str().into());
    if let Some(status) = err.status {
        let _ = Reflect::set(&js, &"status".into(), &f64::from(status).into());
    }
    js.into()
}

/// A JS argument that did not have the expected shape.
pub(crate) fn bad_argument(what: &str, detail: impl std::fmt::Display) -> JsValue {
    to_js(Error::invalid_argument(format!("{what}: {detail}")))
}

/// True for errors thrown by this package, e.g. in a `catch` block: `if (isOneCodexError(e) && e.code === "not_found")`.
///
/// @example
/// ```ts
/// try {
///   await ocx.samples.delete("0ee172af60e84f61");
/// } catch (e) {
///   if (isOneCodexError(e) && e.code === "not_found") console.log("already gone");
///   else throw e;
/// }
/// ```
#[wasm_bindgen(js_name = isOneCodexError, unchecked_return_type = "value is OneCodexError")]
pub fn is_one_codex_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && Reflect::get(&value, &"name".into()).ok().and_then(|n| n.as_string()).as_deref() == Some(ERROR_NAME)
        && Reflect::get(&value, &"code".into()).ok().is_some_and(|c| c.is_string())
}
