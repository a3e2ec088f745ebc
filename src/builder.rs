//! The typed filter builder: `where.samples.field("size").gte(1e6).and(…)`. Every step is
//! validated against the same field table as object filters, so a builder can only produce
//! filters the API accepts, and its JSON is exactly the object form's.

use crate::convert::json_from_js;
use crate::error::to_js as err_js;
use onecodex_core::query::builder::FilterBuilder;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_KINDS: &str = onecodex_core::query::fields::KINDS_TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TS_BUILDER: &str = r#"
/** A filter being built for one resource; immutable: each step returns a new filter. */
export interface TypedFilter<Kinds, W> {
  /**
   * Starts a condition on a field; only the operators that field takes are offered.
   *
   * @example
   * ```ts
   * const big = where.samples.field("size").gte(1e9);
   * const gut = where.samples.field("filename").icontains("gut");
   * ```
   */
  field<K extends keyof Kinds & string>(name: K): ConditionOf<Kinds[K], TypedFilter<Kinds, W>>;
  /**
   * Both filters (AND); `other` may be a builder or an object filter, read as `where()` reads it:
   * on samples, `tags: [...]` and `tax_ids: [...]` mean all of them (`$containsall`).
   *
   * @example
   * ```ts
   * const f = where.samples.field("size").gte(1e6).and({ filename: { $iendswith: ".fastq.gz" } });
   * const samples = await ocx.samples.where(f.toJSON());
   * ```
   */
  and(other: TypedFilter<Kinds, W> | W): TypedFilter<Kinds, W>;
  /**
   * The object form, as `where()` takes it.
   *
   * @example
   * ```ts
   * const filter = where.classifications.field("complete").eq(true).toJSON(); // { complete: { $eq: true } }
   * const done = await ocx.classifications.where(filter);
   * ```
   */
  toJSON(): W;
  /**
   * The wire JSON (what `encodeWhere` gives); tag names in it become `{ $ref }`s when the query runs.
   *
   * @example
   * ```ts
   * console.log(where.samples.field("size").between(1e6, 1e9).toString()); // {"size": {"$between": [1000000, 1000000000]}}
   * ```
   */
  toString(): string;
  /**
   * Releases the filter's wasm memory now instead of at garbage collection (optional).
   *
   * @example
   * ```ts
   * const f = where.samples.field("starred").eq(true);
   * const starred = await ocx.samples.where(f.toJSON());
   * f.free();
   * ```
   */
  free(): void;
}
/** The operators of a field that takes equality only (`eqstr`, `bool`). */
export interface EqCondition<V, B> {
  /**
   * Equal to `value` (null: IS NULL).
   *
   * @example
   * ```ts
   * const f = where.users.field("email").eq("ada@example.org");
   * ```
   */
  eq(value: V | null): B;
  /**
   * Not equal to `value` (null: IS NOT NULL).
   *
   * @example
   * ```ts
   * const f = where.samples.field("starred").ne(true);
   * ```
   */
  ne(value: V | null): B;
  /**
   * IS NULL.
   *
   * @example
   * ```ts
   * const noDescription = where.samples.field("description").isNull();
   * ```
   */
  isNull(): B;
}
/** Equality plus `in` (`enum`, `ref`). */
export interface InCondition<V, B> extends EqCondition<V, B> {
  /**
   * Any of `values` (`$in`).
   *
   * @example
   * ```ts
   * const f = where.samples.field("platform").in(["Illumina MiSeq", "Illumina NovaSeq 6000"]);
   * ```
   */
  in(values: readonly V[]): B;
}
/** The operators of free-text fields (`str`). */
export interface TextCondition<B> extends InCondition<string, B> {
  /**
   * Contains `text` (case-sensitive).
   *
   * @example
   * ```ts
   * const f = where.samples.field("filename").contains("_R1");
   * ```
   */
  contains(text: string): B;
  /**
   * Contains `text`, ignoring case.
   *
   * @example
   * ```ts
   * const f = where.samples.field("filename").icontains("stool");
   * ```
   */
  icontains(text: string): B;
  /**
   * Starts with `text` (case-sensitive).
   *
   * @example
   * ```ts
   * const f = where.projects.field("name").startswith("Study");
   * ```
   */
  startswith(text: string): B;
  /**
   * Starts with `text`, ignoring case.
   *
   * @example
   * ```ts
   * const f = where.projects.field("name").istartswith("study");
   * ```
   */
  istartswith(text: string): B;
  /**
   * Ends with `text` (case-sensitive).
   *
   * @example
   * ```ts
   * const f = where.samples.field("filename").endswith(".fastq.gz");
   * ```
   */
  endswith(text: string): B;
  /**
   * Ends with `text`, ignoring case.
   *
   * @example
   * ```ts
   * const f = where.samples.field("filename").iendswith(".FQ.GZ");
   * ```
   */
  iendswith(text: string): B;
}
/** The operators of numbers and date-times (`num`, `datetime`). */
export interface OrderedCondition<V, B> extends InCondition<V, B> {
  /**
   * Less than `value`.
   *
   * @example
   * ```ts
   * const small = where.samples.field("size").lt(1e6);
   * ```
   */
  lt(value: V): B;
  /**
   * Less than or equal to `value`.
   *
   * @example
   * ```ts
   * const before = where.samples.field("created_at").lte("2026-01-01T00:00:00+00:00");
   * ```
   */
  lte(value: V): B;
  /**
   * Greater than `value`.
   *
   * @example
   * ```ts
   * const big = where.samples.field("size").gt(1e9);
   * ```
   */
  gt(value: V): B;
  /**
   * Greater than or equal to `value`.
   *
   * @example
   * ```ts
   * const recent = where.classifications.field("created_at").gte("2026-01-01T00:00:00+00:00");
   * ```
   */
  gte(value: V): B;
  /**
   * Between `low` and `high`, both included.
   *
   * @example
   * ```ts
   * const mid = where.samples.field("size").between(1e6, 1e9);
   * ```
   */
  between(low: V, high: V): B;
}
/** The operators of reference lists (`reflist`, e.g. a sample's tags). */
export interface RefListCondition<B> {
  /**
   * Has all of `refs`: tag names, ids, URIs or objects. Names (and ids) are resolved to tags when
   * the query runs, as for `{ tags: [...] }`; an unknown name rejects with `invalid_argument`.
   *
   * @example
   * ```ts
   * const f = where.samples.field("tags").containsall(["gut", "5c1e9e41043e4435"]);
   * const gut = await ocx.samples.where(f.toJSON()); // the same request as where({ tags: ["gut", "5c1e9e41043e4435"] })
   * ```
   */
  containsall(refs: readonly RefValue[]): B;
  /**
   * Has at least one of `refs` (tag names, ids, URIs or objects, resolved as for `containsall`).
   *
   * @example
   * ```ts
   * const f = where.samples.field("tags").containsany(["gut", "skin"]);
   * ```
   */
  containsany(refs: readonly RefValue[]): B;
}
/** The operator of `tax_ids`. */
export interface TaxIdsCondition<B> {
  /**
   * Contains every one of these tax ids (at least one read each).
   *
   * @example
   * ```ts
   * const ecoli = where.samples.field("tax_ids").containsall(["562"]);
   * ```
   */
  containsall(taxIds: readonly string[]): B;
}
export interface Conditions<B> {
  str: TextCondition<B>; enum: InCondition<string, B>; eqstr: EqCondition<string, B>;
  num: OrderedCondition<number, B>; datetime: OrderedCondition<string, B>; bool: EqCondition<boolean, B>;
  ref: InCondition<RefValue, B>; reflist: RefListCondition<B>; taxids: TaxIdsCondition<B>;
}
export type ConditionOf<Kind, B> = Kind extends keyof Conditions<B> ? Conditions<B>[Kind] : never;
"#;

/// A filter under construction (see `TypedFilter` for its typed view).
///
/// @example
/// ```ts
/// const f = where.samples.field("size").gte(1e6).and({ filename: { $iendswith: ".fastq.gz" } });
/// const samples = await ocx.samples.where(f.toJSON());
/// ```
#[wasm_bindgen]
#[derive(Clone)]
pub struct Filter {
    builder: FilterBuilder,
}

/// One field's condition; each operator method returns the filter with that term added.
///
/// @example
/// ```ts
/// const condition = where.samples.field("size"); // takes lt, lte, gt, gte, between, eq, ne, in, isNull
/// const big = condition.gte(1e9);
/// ```
#[wasm_bindgen]
pub struct FieldCondition {
    filter: Filter,
    field: String,
}

impl Filter {
    fn new(resource: &str) -> Result<Filter, JsValue> {
        Ok(Filter { builder: FilterBuilder::new(resource).map_err(err_js)? })
    }
}

#[wasm_bindgen]
impl Filter {
    /// Starts a condition on `name`; throws `invalid_filter` for a field the resource lacks.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").iendswith(".fastq.gz");
    /// ```
    pub fn field(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Result<FieldCondition, JsValue> {
        let name = crate::convert::string_arg("field", &name)?;
        self.builder.check_field(&name).map_err(err_js)?;
        Ok(FieldCondition { filter: self.clone(), field: name })
    }

    /// This filter AND another (a builder or an object filter).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("size").gte(1e6).and(where.samples.field("starred").eq(true));
    /// ```
    pub fn and(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Filter | WhereFilter")] other: JsValue,
    ) -> Result<Filter, JsValue> {
        let other = json_from_js("and()", &other)?;
        Ok(Filter { builder: self.builder.and(&other).map_err(err_js)? })
    }

    /// The object form of the filter.
    ///
    /// @example
    /// ```ts
    /// const samples = await ocx.samples.where(where.samples.field("size").gte(1e6).toJSON());
    /// ```
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "WhereFilter")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        crate::convert::to_js(&Value::Object(self.builder.terms().clone()))
    }

    /// The wire JSON, as `encodeWhere` gives it.
    ///
    /// @example
    /// ```ts
    /// where.samples.field("size").gte(1e6).toString(); // '{"size": {"$gte": 1000000}}'
    /// ```
    #[wasm_bindgen(js_name = toString)]
    pub fn to_wire(&self) -> Result<String, JsValue> {
        self.builder.to_wire().map_err(err_js)
    }
}

fn op(c: &FieldCondition, op: &str, operand: Value) -> Result<Filter, JsValue> {
    Ok(Filter { builder: c.filter.builder.with_operator(&c.field, op, operand).map_err(err_js)? })
}

fn js(v: &JsValue) -> Result<Value, JsValue> {
    json_from_js("value", v)
}

#[wasm_bindgen]
impl FieldCondition {
    /// Equal to `value` (null: IS NULL).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("visibility").eq("public");
    /// ```
    pub fn eq(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$eq", js(&value)?)
    }
    /// Not equal to `value` (null: IS NOT NULL).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("status").ne("failed");
    /// ```
    pub fn ne(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$ne", js(&value)?)
    }
    /// IS NULL.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("description").isNull();
    /// ```
    #[wasm_bindgen(js_name = isNull)]
    pub fn is_null(&self) -> Result<Filter, JsValue> {
        Ok(Filter { builder: self.filter.builder.with(&self.field, Value::Null).map_err(err_js)? })
    }
    /// Any of `values` (`$in`).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("sample_type").in(["Stool", "Swab"]);
    /// ```
    #[wasm_bindgen(js_name = "in")]
    pub fn in_(&self, values: JsValue) -> Result<Filter, JsValue> {
        op(self, "$in", js(&values)?)
    }
    /// Less than `value`.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("size").lt(1e6);
    /// ```
    pub fn lt(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$lt", js(&value)?)
    }
    /// Less than or equal to `value`.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("location_lat").lte(0);
    /// ```
    pub fn lte(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$lte", js(&value)?)
    }
    /// Greater than `value`.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("size").gt(1e9);
    /// ```
    pub fn gt(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$gt", js(&value)?)
    }
    /// Greater than or equal to `value`.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("created_at").gte("2026-01-01T00:00:00+00:00");
    /// ```
    pub fn gte(&self, value: JsValue) -> Result<Filter, JsValue> {
        op(self, "$gte", js(&value)?)
    }
    /// Between `low` and `high`, both included.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("size").between(1e6, 1e9);
    /// ```
    pub fn between(&self, low: JsValue, high: JsValue) -> Result<Filter, JsValue> {
        op(self, "$between", Value::Array(vec![js(&low)?, js(&high)?]))
    }
    /// Contains `text` (case-sensitive).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").contains("_R1");
    /// ```
    pub fn contains(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$contains", js(&text)?)
    }
    /// Contains `text`, ignoring case.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").icontains("stool");
    /// ```
    pub fn icontains(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$icontains", js(&text)?)
    }
    /// Starts with `text` (case-sensitive).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").startswith("2026-");
    /// ```
    pub fn startswith(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$startswith", js(&text)?)
    }
    /// Starts with `text`, ignoring case.
    ///
    /// @example
    /// ```ts
    /// const f = where.projects.field("name").istartswith("study");
    /// ```
    pub fn istartswith(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$istartswith", js(&text)?)
    }
    /// Ends with `text` (case-sensitive).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").endswith(".fastq.gz");
    /// ```
    pub fn endswith(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$endswith", js(&text)?)
    }
    /// Ends with `text`, ignoring case.
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("filename").iendswith(".FQ.GZ");
    /// ```
    pub fn iendswith(&self, text: JsValue) -> Result<Filter, JsValue> {
        op(self, "$iendswith", js(&text)?)
    }
    /// Has all of `values` (tags by name, id, URI or object, resolved when the query runs; tax ids
    /// as strings).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("tags").containsall(["gut", "5c1e9e41043e4435"]);
    /// ```
    pub fn containsall(&self, values: JsValue) -> Result<Filter, JsValue> {
        op(self, "$containsall", js(&values)?)
    }
    /// Has at least one of `values` (tags by name, id, URI or object).
    ///
    /// @example
    /// ```ts
    /// const f = where.samples.field("tags").containsany(["gut", "skin"]);
    /// ```
    pub fn containsany(&self, values: JsValue) -> Result<Filter, JsValue> {
        op(self, "$containsany", js(&values)?)
    }
}

/// `where.samples`, `where.projects`, …: an empty typed filter per resource.
///
/// @example
/// ```ts
/// const f = where.samples.field("filename").iendswith(".fastq.gz").and(where.samples.field("size").gt(1e6));
/// const samples = await ocx.samples.where(f.toJSON());
/// ```
#[wasm_bindgen(js_name = "where")]
pub struct WhereBuilders;

/// `where.samples`, … for each catalogue row. The getters' types come from
/// `export type <Stem>Filter = TypedFilter<<Stem>Fields, <Stem>Where>` aliases written from the
/// same rows (wasm-bindgen takes an identifier as a type name).
macro_rules! builders {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident,
        filter: $filter:ident, $($rest:tt)*
    } )*) => {
        #[wasm_bindgen(js_class = "where")]
        impl WhereBuilders {
            $(
                /// An empty typed filter of one resource: only its fields, and only their operators.
                ///
                /// @example
                /// ```ts
                /// const projects = await ocx.projects.where(where.projects.field("name").icontains("soil").toJSON());
                /// ```
                #[wasm_bindgen(getter, js_name = $js, unchecked_return_type = $filter)]
                pub fn $getter() -> Result<Filter, JsValue> {
                    Filter::new(stringify!($name))
                }
            )*
        }

        #[wasm_bindgen(typescript_custom_section)]
        const TS_TYPED_FILTERS: &str = concat!($(
            "/** The filter builder of `", stringify!($name), "` (`where.", $js, "`). */\nexport type ", stringify!($filter),
            " = TypedFilter<", stringify!($stem), "Fields, ", stringify!($stem), "Where>;\n",
        )*);
    };
}

onecodex_core::for_each_resource!(builders);
