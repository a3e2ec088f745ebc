//! How the client reaches the tables module (`onecodex-wasm/tables`, a separate wasm instance):
//! through a loader that the package entry registers on import. Pages that never ask for a table
//! never download the table code; the first `table()`/`collection()` loads it once.

use crate::error::to_js as err_js;
use js_sys::{Array, Function, Promise, Reflect};
use onecodex_core::{Error, ErrorCode};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Tells the client how to load `onecodex-wasm/tables`, which `table()`, `resultsTable()` and
/// `collection()` build their results with. The package entries do this on import; only the
/// bring-your-own-wasm entry (`onecodex-wasm/slim`) needs it, with the tables' own slim entry.
///
/// @example
/// ```ts
/// import { init, useTables } from "onecodex-wasm/slim";
/// // Where your bundler put the two .wasm files (esbuild: import them with --loader:.wasm=file).
/// await init({ module_or_path: "/assets/onecodex_wasm_bg.wasm" });
/// useTables(async () => {
///   const tables = await import("onecodex-wasm/tables/slim");
///   await tables.init({ module_or_path: "/assets/onecodex_tables_bg.wasm" });
///   return tables;
/// });
/// ```
#[wasm_bindgen(js_name = useTables)]
pub fn use_tables(
    #[wasm_bindgen(unchecked_param_type = "() => Promise<object>")] loader: Function,
) {
    LOADER.with(|l| *l.borrow_mut() = Some(loader));
    MODULE.with(|m| *m.borrow_mut() = None);
}

/// The tables module's exports, loaded on first use.
async fn module() -> Result<JsValue, JsValue> {
    if let Some(m) = MODULE.with(|m| m.borrow().clone()) {
        return Ok(m);
    }
    let Some(loader) = LOADER.with(|l| l.borrow().clone()) else {
        return Err(err_js(Error::invalid_argument(
            "the tables module is not registered: with onecodex-wasm/slim, call useTables() first (see its documentation)",
        )));
    };
    let loaded = match loader.call0(&JsValue::UNDEFINED) {
        Ok(p) => JsFuture::from(Promise::resolve(&p)).await,
        Err(e) => Err(e),
    };
    let m = loaded.map_err(|e| {
        let why = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
        err_js(Error::new(ErrorCode::Network, format!("could not load the tables module (onecodex-wasm/tables): {why}")))
    })?;
    MODULE.with(|slot| *slot.borrow_mut() = Some(m.clone()));
    Ok(m)
}

/// Calls `path` (e.g. `["Collection", "fromResults"]`) of the tables module with `args`.
pub(crate) async fn call(path: &[&str], args: &[JsValue]) -> Result<JsValue, JsValue> {
    let Some((last, parents)) = path.split_last() else {
        return Err(err_js(Error::invalid_argument("no tables function named")));
    };
    let mut owner = module().await?;
    for name in parents {
        owner = Reflect::get(&owner, &(*name).into())?;
    }
    invoke(&owner, last, args)
}

/// Calls the method `name` of an object the tables module returned.
pub(crate) fn invoke(object: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(object, &name.into())?
        .dyn_into()
        .map_err(|_| err_js(Error::invalid_argument(format!("the tables module's object has no {name}()"))))?;
    f.apply(object, &args.iter().collect::<Array>())
}

/// A `OneCodexError` thrown by the tables module, back as a core error (code, message, status),
/// for code paths that collect core errors.
pub(crate) fn core_error(e: JsValue) -> Error {
    let text = |k: &str| Reflect::get(&e, &k.into()).ok().and_then(|v| v.as_string());
    let code = text("code").and_then(|c| ErrorCode::from_name(&c)).unwrap_or(ErrorCode::InvalidResponse);
    let mut err = Error::new(code, text("message").unwrap_or_else(|| "the tables module failed".into()));
    err.status = Reflect::get(&e, &"status".into()).ok().and_then(|s| s.as_f64()).map(|s| s as u16);
    err
}
