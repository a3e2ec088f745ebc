//! `ClassificationTable`: one classification's results in columns.

use super::convert::{num_or_null, owned_strings, set, strings_array};
use crate::convert::string_arg;
use crate::error::{bad_argument, to_js as err_js};
use js_sys::{Array, Float64Array, Object};
use onecodex_core::results::{self as res, COLUMN_NAMES};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_CLASSIFICATION: &str = r#"
/** One row of a classification table (`rows()`); null for null or absent numbers. */
export interface ClassificationRow {
  tax_id: string; name: string | null; rank: string | null; parent_tax_id: string | null;
  readcount: number | null; readcount_w_children: number | null;
  abundance: number | null; abundance_w_children: number | null;
  filtered_readcount: number | null; filtered_readcount_w_children: number | null;
}
export type ClassificationStringColumn = "tax_id" | "name" | "rank" | "parent_tax_id";
export type ClassificationNumberColumn = "readcount" | "readcount_w_children" | "abundance" |
  "abundance_w_children" | "filtered_readcount" | "filtered_readcount_w_children";
/** Read counts of one classification, as the Python client computes them. */
export interface SampleStats {
  n_reads_total: number; n_host_reads: number; n_nonspecific_reads: number;
  n_mapped_reads: number; n_mapped_microbial_reads: number;
}
"#;

/// One classification's results in columns. `column(name)` gives numbers as a `Float64Array`
/// (NaN for null) and strings as `(string | null)[]`.
///
/// @example
/// ```ts
/// const t = parseClassificationResults(bytes);
/// const counts = t.numbers("readcount_w_children"); // Float64Array
/// const species = t.strings("rank").flatMap((r, i) => (r === "species" ? [i] : []));
/// t.free(); // optional: releases the wasm memory now instead of at garbage collection
/// ```
#[wasm_bindgen(js_name = ClassificationTable)]
pub struct ClassificationTableJs {
    pub(super) t: res::ClassificationTable,
}

#[wasm_bindgen(js_class = ClassificationTable)]
impl ClassificationTableJs {
    /// Rows in the table.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// console.log(`${t.length} taxa`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.t.len()
    }

    /// Column names, in CSV order.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const header = t.columns.join(","); // "tax_id,name,rank,…"
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "(ClassificationStringColumn | ClassificationNumberColumn)[]")]
    pub fn columns(&self) -> Array {
        COLUMN_NAMES.iter().map(|c| JsValue::from_str(c)).collect()
    }

    /// A column: `Float64Array` for numbers (NaN for null or absent), `(string | null)[]` for strings.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const counts = t.column("readcount") as Float64Array;
    /// const names = t.column("name") as (string | null)[];
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Float64Array | (string | null)[]")]
    pub fn column(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClassificationStringColumn | ClassificationNumberColumn")] name: JsValue,
    ) -> Result<JsValue, JsValue> {
        let name = string_arg("column", &name)?;
        Ok(match self.t.column(&name).map_err(err_js)? {
            res::Column::Numbers(v) => Float64Array::from(v).into(),
            res::Column::Strings(codes) => strings_array(codes.iter().map(|&c| self.t.str(c))).into(),
        })
    }

    /// A number column (`Float64Array`, NaN for null); throws for a string column.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const abundance = t.numbers("abundance_w_children"); // NaN where null
    /// const total = t.numbers("readcount").reduce((a, b) => a + b, 0);
    /// ```
    #[wasm_bindgen(js_name = numbers)]
    pub fn numbers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClassificationNumberColumn")] name: JsValue,
    ) -> Result<Float64Array, JsValue> {
        let name = string_arg("numbers", &name)?;
        match self.t.column(&name).map_err(err_js)? {
            res::Column::Numbers(v) => Ok(Float64Array::from(v)),
            res::Column::Strings(_) => Err(bad_argument("numbers", format!("column \"{name}\" holds strings"))),
        }
    }

    /// A string column (`(string | null)[]`); throws for a number column.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const names = t.strings("name");
    /// ```
    #[wasm_bindgen(js_name = strings, unchecked_return_type = "(string | null)[]")]
    pub fn strings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClassificationStringColumn")] name: JsValue,
    ) -> Result<Array, JsValue> {
        let name = string_arg("strings", &name)?;
        match self.t.column(&name).map_err(err_js)? {
            res::Column::Strings(codes) => Ok(strings_array(codes.iter().map(|&c| self.t.str(c)))),
            res::Column::Numbers(_) => Err(bad_argument("strings", format!("column \"{name}\" holds numbers"))),
        }
    }

    /// `n_reads` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// console.log(t.n_reads ?? "n_reads not in the results");
    /// ```
    #[wasm_bindgen(getter)]
    pub fn n_reads(&self) -> Option<f64> {
        self.t.n_reads()
    }

    /// `host_tax_ids` of the results, when present.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const host = new Set(t.host_tax_ids ?? []);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "string[] | undefined")]
    pub fn host_tax_ids(&self) -> JsValue {
        self.t.host_tax_ids().map_or(JsValue::UNDEFINED, |h| owned_strings(h).into())
    }

    /// The row index of a tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const i = t.rowOf("562"); // E. coli
    /// if (i !== undefined) console.log(t.numbers("readcount")[i]);
    /// ```
    #[wasm_bindgen(js_name = rowOf)]
    pub fn row_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] tax_id: JsValue,
    ) -> Result<Option<usize>, JsValue> {
        Ok(self.t.row_of(&string_arg("taxId", &tax_id)?))
    }

    /// One row as an object, or undefined past the end.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const first = t.row(0);
    /// console.log(first?.name, first?.readcount);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ClassificationRow | undefined")]
    pub fn row(&self, #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue) -> Result<JsValue, JsValue> {
        // A whole number ≥ 0: wasm-bindgen's own usize would read 2**32 or NaN as row 0.
        let index = index
            .as_f64()
            .filter(|i| *i >= 0.0 && i.fract() == 0.0)
            .ok_or_else(|| bad_argument("row", "the index must be a whole number of at least 0"))?;
        let row = if index < self.t.len() as f64 { self.row_js(index as usize) } else { None };
        Ok(row.map_or(JsValue::UNDEFINED, Into::into))
    }

    /// The row of a tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const ecoli = t.get("562");
    /// console.log(ecoli?.readcount_w_children ?? 0);
    /// ```
    #[wasm_bindgen(js_name = get, unchecked_return_type = "ClassificationRow | undefined")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "string")] tax_id: JsValue) -> Result<JsValue, JsValue> {
        let tax_id = string_arg("taxId", &tax_id)?;
        Ok(self.t.row_of(&tax_id).and_then(|i| self.row_js(i)).map_or(JsValue::UNDEFINED, Into::into))
    }

    /// Every row as an object (convenient; prefer `column()` for bulk work).
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const genera = t.rows().filter((r) => r.rank === "genus");
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ClassificationRow[]")]
    pub fn rows(&self) -> Array {
        (0..self.t.len()).filter_map(|i| self.row_js(i)).map(JsValue::from).collect()
    }

    /// Read counts of the sample: total, host, non-specific, mapped and mapped microbial reads;
    /// needs `n_reads` and `host_tax_ids` in the results.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const { n_reads_total, n_mapped_microbial_reads } = t.stats();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "SampleStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let s = self.t.stats().map_err(err_js)?;
        let o = Object::new();
        set(&o, "n_reads_total", s.n_reads_total);
        set(&o, "n_host_reads", s.n_host_reads);
        set(&o, "n_nonspecific_reads", s.n_nonspecific_reads);
        set(&o, "n_mapped_reads", s.n_mapped_reads);
        set(&o, "n_mapped_microbial_reads", s.n_mapped_microbial_reads);
        Ok(o.into())
    }

    /// CSV with a header row, columns as `columns`.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const csv = t.toCSV(); // "tax_id,name,rank,…\n…"
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.t.to_csv()
    }

    /// TSV with a header row.
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const tsv = t.toTSV();
    /// ```
    #[wasm_bindgen(js_name = toTSV)]
    pub fn to_tsv(&self) -> String {
        self.t.to_tsv()
    }

    /// The results as JSON text again (`n_reads`, `host_tax_ids`, `table`).
    ///
    /// @example
    /// ```ts
    /// const t = parseClassificationResults(bytes);
    /// const again = parseClassificationResults(t.toJSONText());
    /// ```
    #[wasm_bindgen(js_name = toJSONText)]
    pub fn to_json_text(&self) -> String {
        self.t.to_json()
    }
}

impl ClassificationTableJs {
    fn row_js(&self, i: usize) -> Option<Object> {
        let r = self.t.row(i)?;
        let o = Object::new();
        let s = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
        set(&o, "tax_id", r.tax_id);
        set(&o, "name", s(r.name));
        set(&o, "rank", s(r.rank));
        set(&o, "parent_tax_id", s(r.parent_tax_id));
        set(&o, "readcount", num_or_null(r.readcount));
        set(&o, "readcount_w_children", num_or_null(r.readcount_w_children));
        set(&o, "abundance", num_or_null(r.abundance));
        set(&o, "abundance_w_children", num_or_null(r.abundance_w_children));
        set(&o, "filtered_readcount", num_or_null(r.filtered_readcount));
        set(&o, "filtered_readcount_w_children", num_or_null(r.filtered_readcount_w_children));
        Some(o)
    }
}
