//! How the client reaches the tables module (`onecodex-wasm/tables`, a separate wasm instance):
//! through a loader that the package entry registers on import. Pages that never ask for a table
//! never download the table code; the first `table()`/`collection()` loads it once. The exports
//! the client calls are typed below (`TablesModule`), and checked once when the module loads.

use crate::error::to_js as err_js;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use onecodex_core::{Error, ErrorCode};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The exports of `onecodex-wasm/tables` that the client calls.
    #[derive(Clone)]
    pub(crate) type TablesModule;

    /// `decodeResults(bytes)`: zstd or gzip inflated, plain JSON as it is.
    #[wasm_bindgen(method, catch, js_name = decodeResults)]
    pub(crate) fn decode_results(this: &TablesModule, bytes: &Uint8Array) -> Result<Uint8Array, JsValue>;

    /// `parseClassificationResults(bytes)`: a `ClassificationTable`.
    #[wasm_bindgen(method, catch, js_name = parseClassificationResults)]
    pub(crate) fn parse_classification_results(this: &TablesModule, bytes: &Uint8Array) -> Result<JsValue, JsValue>;

    /// `parseFunctionalResults(bytes, options)`: a `FunctionalTable`.
    #[wasm_bindgen(method, catch, js_name = parseFunctionalResults)]
    pub(crate) fn parse_functional_results(
        this: &TablesModule,
        bytes: &Uint8Array,
        options: &JsValue,
    ) -> Result<FunctionalTable, JsValue>;

    /// `functionalMatrix(profiles, options)`: a `FunctionalMatrix` object.
    #[wasm_bindgen(method, catch, js_name = functionalMatrix)]
    pub(crate) fn functional_matrix(this: &TablesModule, profiles: &Array, options: &Object)
        -> Result<Object, JsValue>;

    /// The `Collection` class.
    #[wasm_bindgen(method, getter = Collection)]
    pub(crate) fn collection_class(this: &TablesModule) -> CollectionClass;

    pub(crate) type CollectionClass;

    /// `Collection.fromResults(items, options)`: a `Collection`.
    #[wasm_bindgen(method, catch, js_name = fromResults)]
    pub(crate) fn from_results(this: &CollectionClass, items: &Array, options: &Object) -> Result<JsValue, JsValue>;

    /// A `FunctionalTable` of the tables module.
    pub(crate) type FunctionalTable;

    /// The table in the shape of `/results`.
    #[wasm_bindgen(method, catch, js_name = toJSON)]
    pub(crate) fn to_json(this: &FunctionalTable) -> Result<JsValue, JsValue>;

    /// Releases the table's wasm memory.
    #[wasm_bindgen(method)]
    pub(crate) fn free(this: &FunctionalTable);
}

/// The exports `TablesModule` names, checked when the module loads (a loader that resolves to
/// something else fails there, with a typed error, rather than at the first call).
const EXPORTS: [&str; 5] =
    ["decodeResults", "parseClassificationResults", "parseFunctionalResults", "functionalMatrix", "Collection"];

thread_local! {
    static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
    static MODULE: RefCell<Option<TablesModule>> = const { RefCell::new(None) };
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
pub fn use_tables(#[wasm_bindgen(unchecked_param_type = "() => Promise<object>")] loader: Function) {
    LOADER.with(|l| *l.borrow_mut() = Some(loader));
    MODULE.with(|m| *m.borrow_mut() = None);
}

/// The tables module, loaded on first use.
pub(crate) async fn module() -> Result<TablesModule, JsValue> {
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
        err_js(Error::new(
            ErrorCode::Network,
            format!("could not load the tables module (onecodex-wasm/tables): {why}"),
        ))
    })?;
    if let Some(missing) =
        EXPORTS.iter().find(|name| !Reflect::get(&m, &(**name).into()).is_ok_and(|f| f.is_function()))
    {
        return Err(err_js(Error::invalid_argument(format!(
            "the loaded tables module has no {missing}: useTables() must resolve to onecodex-wasm/tables"
        ))));
    }
    let m: TablesModule = m.unchecked_into();
    let kept = m.clone();
    MODULE.with(|slot| *slot.borrow_mut() = Some(kept));
    Ok(m)
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
