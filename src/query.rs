//! Filter and sort encoding, exported as plain functions so a page can preview what a query sends.

use crate::error::to_js;
use onecodex_core::query;
use onecodex_core::resources::Resource;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_QUERY: &str = r#"
/** A `where` condition: a literal (equality), null (IS NULL), a list (IN), a model object or
 * `{ $ref }` (reference equality), or an object of operators (several mean AND). */
export type Condition = string | number | boolean | null | readonly unknown[] | { [op: string]: unknown };
/** A `where` filter: field name to condition; all terms are AND-ed. */
export type WhereFilter = { [field: string]: Condition };
/** `"size"` sorts descending, `"^filename"` ascending; a list gives priority order. */
export type SortSpec = string | readonly string[] | { [field: string]: boolean };
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_WHERE_TYPES: &str = onecodex_core::query::fields::WHERE_TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TS_FILTER_KINDS: &str = onecodex_core::query::fields::FILTER_KINDS_TYPESCRIPT;

/// Encodes a `where` filter to the JSON text sent on the wire, with the
/// Python client's coercions and spacing. `resource` (default `"samples"`) turns ids into URIs.
/// Tag names stay names here; a query resolves them to `{ $ref }`s.
///
/// @example
/// ```ts
/// encodeWhere({ filename: { $iendswith: ".fastq.gz" }, size: [1, 2] });
/// // '{"filename": {"$iendswith": ".fastq.gz"}, "size": {"$in": [1, 2]}}'
/// ```
#[wasm_bindgen(js_name = encodeWhere)]
pub fn encode_where(
    #[wasm_bindgen(unchecked_param_type = "WhereFilter | null | undefined")] filter: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] resource: JsValue,
) -> Result<String, JsValue> {
    let resource = crate::convert::optional_string_arg("resource", &resource)?;
    let resource = Resource::by_name(resource.as_deref().unwrap_or("samples")).map_err(to_js)?;
    let filter = match crate::convert::json_from_js("where", &filter)? {
        // On samples, `tags: [...]` and `tax_ids: [...]` mean all of them, as in `where()`.
        Value::Object(m) => Value::Object(query::expand_keywords(resource.name, &m)),
        other => other,
    };
    query::encode_where(&filter, &resource.path()).map_err(to_js)
}

#[wasm_bindgen(typescript_custom_section)]
const TS_FIELD_INFO: &str = r#"
/** A filterable field and the operators it takes, for building filter UIs. */
export interface FieldInfo { name: string; kind: "str" | "enum" | "eqstr" | "num" | "datetime" | "bool" | "ref" | "reflist" | "taxids"; operators: string[]; }
"#;

/// The filterable fields of a resource with their operators, e.g. to
/// offer only valid operators in a filter UI.
///
/// @example
/// ```ts
/// for (const { name, kind, operators } of filterableFields("samples")) console.log(name, kind, operators.join(" "));
/// ```
#[wasm_bindgen(js_name = filterableFields, unchecked_return_type = "FieldInfo[]")]
pub fn filterable_fields(
    #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
) -> Result<JsValue, JsValue> {
    use onecodex_core::query::fields::fields_of;
    let resource = crate::convert::string_arg("resource", &resource)?;
    Resource::by_name(&resource).map_err(to_js)?;
    let fields: Vec<Value> = fields_of(&resource)
        .unwrap_or(&[])
        .iter()
        .map(|(name, kind)| serde_json::json!({ "name": name, "kind": kind.name(), "operators": kind.operators() }))
        .collect();
    crate::convert::to_js(&Value::Array(fields))
}

/// Encodes a sort specification to its wire JSON: `encodeSort(["size", "^filename"])` gives
/// `'{"size": true, "filename": false}'` (true = descending).
///
/// @example
/// ```ts
/// encodeSort(["size", "^filename"]); // '{"size": true, "filename": false}'
/// ```
#[wasm_bindgen(js_name = encodeSort)]
pub fn encode_sort(
    #[wasm_bindgen(unchecked_param_type = "SortSpec | null | undefined")] sort: JsValue,
) -> Result<String, JsValue> {
    let sort = crate::convert::json_from_js("sort", &sort)?;
    let map: Map<String, Value> = query::encode_sort(&sort).map_err(to_js)?;
    Ok(query::pyjson::to_python_json(&Value::Object(map)))
}
