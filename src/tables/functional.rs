//! `FunctionalTable`: functional profile results in columns.

use super::convert::{num_or_null, set, strings_array};
use crate::error::bad_argument;
use js_sys::{Array, Float64Array, Object};
use onecodex_core::results as res;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_FUNCTIONAL: &str = r#"
/** Functional results: the server's `/results`, or rehydrated from the condensed file. */
export interface FunctionalResults {
  n_reads?: number | null; n_mapped?: number | null;
  table: FunctionalRow[];
}
export interface FunctionalRow {
  group_name: string | null; id: string | null; name: string | null; metric: string | null;
  taxa_stratified: boolean | null; taxon_id: string | null; taxon_name: string | null; value: number | null;
}
export type FunctionalAnnotation = "pathways" | "metacyc" | "eggnog" | "go" | "ko" | "ec" | "pfam" | "reaction";
export type FunctionalMetric = "rpk" | "cpm" | "abundance" | "complete_abundance" | "coverage";
"#;

/// Functional results rows in columns (server `/results`, `filtered_results`, or a condensed
/// file rehydrated as the Python client does).
///
/// @example
/// ```ts
/// const f = parseFunctionalResults(bytes);
/// const top = f.rows().filter((r) => r.value !== null).sort((a, b) => b.value! - a.value!).slice(0, 10);
/// ```
#[wasm_bindgen(js_name = FunctionalTable)]
pub struct FunctionalTableJs {
    pub(super) t: res::FunctionalTable,
}

#[wasm_bindgen(js_class = FunctionalTable)]
impl FunctionalTableJs {
    /// Rows in the table.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// console.log(`${f.length} rows`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.t.len()
    }

    /// `n_reads` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// console.log(f.n_reads, f.n_mapped);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_reads(&self) -> Option<f64> {
        self.t.n_reads()
    }

    /// `n_mapped` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const f = await ocx.functionalProfiles.table("8a2b3c4d5e6f4a1b", { annotation: "go", metric: "cpm" });
    /// const mapped = f.n_reads ? (f.n_mapped ?? 0) / f.n_reads : undefined;
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_mapped(&self) -> Option<f64> {
        self.t.n_mapped()
    }

    /// `value` as a `Float64Array`; `taxa_stratified` as `(boolean | null)[]`; the others as
    /// `(string | null)[]`.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const values = f.column("value") as Float64Array;
    /// const ids = f.column("id") as (string | null)[];
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Float64Array | (string | null)[] | (boolean | null)[]")]
    pub fn column(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "\"group_name\" | \"id\" | \"name\" | \"metric\" | \"taxa_stratified\" | \"taxon_id\" | \"taxon_name\" | \"value\""
        )]
        name: JsValue,
    ) -> Result<JsValue, JsValue> {
        let name = crate::convert::string_arg("column", &name)?;
        let t = &self.t;
        let codes = match name.as_str() {
            "value" => return Ok(Float64Array::from(t.values()).into()),
            "taxa_stratified" => {
                return Ok(t
                    .taxa_stratified()
                    .iter()
                    .map(|&b| match b {
                        0 => JsValue::FALSE,
                        1 => JsValue::TRUE,
                        _ => JsValue::NULL,
                    })
                    .collect::<Array>()
                    .into())
            }
            "group_name" => t.group_name_codes(),
            "id" => t.id_codes(),
            "name" => t.name_codes(),
            "metric" => t.metric_codes(),
            "taxon_id" => t.taxon_id_codes(),
            "taxon_name" => t.taxon_name_codes(),
            _ => return Err(bad_argument("column", format!("unknown functional column \"{name}\""))),
        };
        Ok(strings_array(codes.iter().map(|&c| t.strings().get(c))).into())
    }

    /// Every row as an object.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// for (const r of f.rows()) console.log(r.group_name, r.id, r.value);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "FunctionalRow[]")]
    pub fn rows(&self) -> Array {
        let s = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
        self.t
            .rows()
            .map(|r| {
                let o = Object::new();
                set(&o, "group_name", s(r.group_name));
                set(&o, "id", s(r.id));
                set(&o, "name", s(r.name));
                set(&o, "metric", s(r.metric));
                set(&o, "taxa_stratified", r.taxa_stratified.map_or(JsValue::NULL, JsValue::from_bool));
                set(&o, "taxon_id", s(r.taxon_id));
                set(&o, "taxon_name", s(r.taxon_name));
                set(&o, "value", num_or_null(r.value));
                JsValue::from(o)
            })
            .collect()
    }

    /// The table in the shape of the server's `/results`: `{ table: rows, n_reads, n_mapped }`.
    /// `JSON.stringify(table)` uses it.
    ///
    /// @example
    /// ```ts
    /// const json = JSON.stringify(parseFunctionalResults(bytes));
    /// ```
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "FunctionalResults")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        set(&o, "table", self.rows());
        set(&o, "n_reads", self.t.n_reads().map_or(JsValue::NULL, JsValue::from_f64));
        set(&o, "n_mapped", self.t.n_mapped().map_or(JsValue::NULL, JsValue::from_f64));
        o.into()
    }

    /// The rows of one group (or all) with the given stratification, as the Python client's `table()`.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const goUnstratified = f.filter("go", false);
    /// const allStratified = f.filter(null, true);
    /// ```
    pub fn filter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null")] group_name: JsValue,
        taxa_stratified: bool,
    ) -> Result<FunctionalTableJs, JsValue> {
        let group_name = crate::convert::optional_string_arg("groupName", &group_name)?;
        Ok(FunctionalTableJs { t: self.t.filter(group_name.as_deref(), taxa_stratified) })
    }

    /// CSV with a header row, the columns of `FunctionalRow`.
    ///
    /// @example
    /// ```ts
    /// const f = parseFunctionalResults(bytes);
    /// const csv = f.filter("pathways", false).toCSV();
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.t.to_csv()
    }
}
