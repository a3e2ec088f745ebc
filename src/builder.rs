//! The typed filter builder: `where.samples.field("size").gte(1e6).and(…)`. Every step is
//! validated against the same field table as object filters, so a builder can only produce
//! filters the API accepts, and its JSON is exactly the object form's.

use crate::error::{bad_argument, to_js as err_js};
use crate::convert::json_from_js;
use onecodex_core::query::fields::{fields_of, validate_terms};
use onecodex_core::query::{normalize_where, pyjson::to_python_json};
use onecodex_core::resources::Resource;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_KINDS: &str = onecodex_core::query::fields::KINDS_TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TS_BUILDER: &str = r#"
/** A filter being built for one resource; immutable: each step returns a new filter. */
export interface TypedFilter<Kinds, W> {
  /** Starts a condition on a field; only the operators that field takes are offered. */
  field<K extends keyof Kinds & string>(name: K): ConditionOf<Kinds[K], TypedFilter<Kinds, W>>;
  /** Both filters (AND); `other` may be a builder or an object filter. */
  and(other: TypedFilter<Kinds, W> | W): TypedFilter<Kinds, W>;
  /** The object form, as `where()` takes it. */
  toJSON(): W;
  /** The wire JSON (what `encodeWhere` gives). */
  toString(): string;
  free(): void;
}
export interface EqCondition<V, B> { eq(value: V | null): B; ne(value: V | null): B; isNull(): B; }
export interface InCondition<V, B> extends EqCondition<V, B> { in(values: readonly V[]): B; }
export interface TextCondition<B> extends InCondition<string, B> {
  contains(text: string): B; icontains(text: string): B; startswith(text: string): B; istartswith(text: string): B;
  endswith(text: string): B; iendswith(text: string): B;
}
export interface OrderedCondition<V, B> extends InCondition<V, B> {
  lt(value: V): B; lte(value: V): B; gt(value: V): B; gte(value: V): B; between(low: V, high: V): B;
}
export interface RefListCondition<B> { containsall(refs: readonly RefValue[]): B; containsany(refs: readonly RefValue[]): B; }
export interface TaxIdsCondition<B> { containsall(taxIds: readonly string[]): B; }
export interface Conditions<B> {
  str: TextCondition<B>; enum: InCondition<string, B>; eqstr: EqCondition<string, B>;
  num: OrderedCondition<number, B>; datetime: OrderedCondition<string, B>; bool: EqCondition<boolean, B>;
  ref: InCondition<RefValue, B>; reflist: RefListCondition<B>; taxids: TaxIdsCondition<B>;
}
export type ConditionOf<Kind, B> = Kind extends keyof Conditions<B> ? Conditions<B>[Kind] : never;
"#;

/// A filter under construction (see `TypedFilter` for its typed view).
#[wasm_bindgen]
#[derive(Clone)]
pub struct Filter {
    resource: &'static str,
    terms: Map<String, Value>,
}

/// One field's condition; each operator method returns the filter with that term added.
#[wasm_bindgen]
pub struct FieldCondition {
    filter: Filter,
    field: String,
}

impl Filter {
    fn new(resource: &'static str) -> Filter {
        Filter { resource, terms: Map::new() }
    }

    /// Adds a term and checks the whole filter; operators on one field accumulate (AND).
    fn with(&self, field: &str, condition: Value) -> Result<Filter, JsValue> {
        let mut terms = self.terms.clone();
        match (terms.get_mut(field), condition) {
            (Some(Value::Object(existing)), Value::Object(ops)) if ops.keys().all(|k| k.starts_with('$')) && existing.keys().all(|k| k.starts_with('$')) => {
                for (op, operand) in ops {
                    if existing.contains_key(&op) {
                        return Err(bad_argument("filter", format!("field '{field}' already has '{op}'")));
                    }
                    existing.insert(op, operand);
                }
            }
            (Some(_), _) => return Err(bad_argument("filter", format!("field '{field}' already has a condition"))),
            (None, condition) => {
                terms.insert(field.to_string(), condition);
            }
        }
        let resource = Resource::by_name(self.resource).map_err(err_js)?;
        let normalized = normalize_where(&Value::Object(terms.clone()), &resource.path()).map_err(err_js)?;
        validate_terms(self.resource, &normalized).map_err(err_js)?;
        Ok(Filter { resource: self.resource, terms })
    }
}

#[wasm_bindgen]
impl Filter {
    /// Starts a condition on `name`; throws `invalid_filter` for a field the resource lacks.
    pub fn field(&self, name: &str) -> Result<FieldCondition, JsValue> {
        let known = fields_of(self.resource).unwrap_or(&[]);
        if !known.iter().any(|(f, _)| *f == name) {
            let names: Vec<&str> = known.iter().map(|(f, _)| *f).collect();
            return Err(err_js(onecodex_core::Error::invalid_filter(format!(
                "unknown field '{name}' for {} (filterable: {})", self.resource, names.join(", ")
            ))));
        }
        Ok(FieldCondition { filter: self.clone(), field: name.to_string() })
    }

    /// This filter AND another (a builder or an object filter).
    pub fn and(&self, #[wasm_bindgen(unchecked_param_type = "Filter | WhereFilter")] other: JsValue) -> Result<Filter, JsValue> {
        let Value::Object(other) = json_from_js("and()", &other)? else {
            return Err(bad_argument("and()", "expects a filter"));
        };
        other.into_iter().try_fold(self.clone(), |f, (field, condition)| f.with(&field, condition))
    }

    /// The object form of the filter.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "WhereFilter")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        crate::convert::to_js(&Value::Object(self.terms.clone()))
    }

    /// The wire JSON, as `encodeWhere` gives it.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_wire(&self) -> Result<String, JsValue> {
        let resource = Resource::by_name(self.resource).map_err(err_js)?;
        let normalized = normalize_where(&Value::Object(self.terms.clone()), &resource.path()).map_err(err_js)?;
        Ok(to_python_json(&Value::Object(normalized)))
    }
}

fn op(c: &FieldCondition, op: &str, operand: Value) -> Result<Filter, JsValue> {
    let mut m = Map::new();
    m.insert(op.to_string(), operand);
    c.filter.with(&c.field, Value::Object(m))
}

fn js(v: &JsValue) -> Result<Value, JsValue> {
    json_from_js("value", v)
}

#[wasm_bindgen]
impl FieldCondition {
    pub fn eq(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$eq", js(&value)?) }
    pub fn ne(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$ne", js(&value)?) }
    /// IS NULL.
    #[wasm_bindgen(js_name = isNull)]
    pub fn is_null(&self) -> Result<Filter, JsValue> { self.filter.with(&self.field, Value::Null) }
    #[wasm_bindgen(js_name = "in")]
    pub fn in_(&self, values: JsValue) -> Result<Filter, JsValue> { op(self, "$in", js(&values)?) }
    pub fn lt(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$lt", js(&value)?) }
    pub fn lte(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$lte", js(&value)?) }
    pub fn gt(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$gt", js(&value)?) }
    pub fn gte(&self, value: JsValue) -> Result<Filter, JsValue> { op(self, "$gte", js(&value)?) }
    pub fn between(&self, low: JsValue, high: JsValue) -> Result<Filter, JsValue> {
        op(self, "$between", Value::Array(vec![js(&low)?, js(&high)?]))
    }
    pub fn contains(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$contains", js(&text)?) }
    pub fn icontains(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$icontains", js(&text)?) }
    pub fn startswith(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$startswith", js(&text)?) }
    pub fn istartswith(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$istartswith", js(&text)?) }
    pub fn endswith(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$endswith", js(&text)?) }
    pub fn iendswith(&self, text: JsValue) -> Result<Filter, JsValue> { op(self, "$iendswith", js(&text)?) }
    pub fn containsall(&self, values: JsValue) -> Result<Filter, JsValue> { op(self, "$containsall", js(&values)?) }
    pub fn containsany(&self, values: JsValue) -> Result<Filter, JsValue> { op(self, "$containsany", js(&values)?) }
}

/// `where.samples`, `where.projects`, …: an empty typed filter per resource.
#[wasm_bindgen(js_name = "where")]
pub struct WhereBuilders;

macro_rules! builders {
    ($( $getter:ident $js:literal $resource:literal $ts:literal ),* $(,)?) => {
        #[wasm_bindgen(js_class = "where")]
        impl WhereBuilders {
            $(
                #[wasm_bindgen(getter, js_name = $js, unchecked_return_type = $ts)]
                pub fn $getter() -> Filter {
                    Filter::new($resource)
                }
            )*
        }
    };
}

builders! {
    samples "samples" "samples" "TypedFilter<SamplesFields, SamplesWhere>",
    metadata "metadata" "metadata" "TypedFilter<MetadataFields, MetadataWhere>",
    users "users" "users" "TypedFilter<UsersFields, UsersWhere>",
    projects "projects" "projects" "TypedFilter<ProjectsFields, ProjectsWhere>",
    tags "tags" "tags" "TypedFilter<TagsFields, TagsWhere>",
    jobs "jobs" "jobs" "TypedFilter<JobsFields, JobsWhere>",
    documents "documents" "documents" "TypedFilter<DocumentsFields, DocumentsWhere>",
    assets "assets" "assets" "TypedFilter<AssetsFields, AssetsWhere>",
    analyses "analyses" "analyses" "TypedFilter<AnalysesFields, AnalysesWhere>",
    classifications "classifications" "classifications" "TypedFilter<ClassificationsFields, ClassificationsWhere>",
    alignments "alignments" "alignments" "TypedFilter<AlignmentsFields, AlignmentsWhere>",
    functional_profiles "functionalProfiles" "functional_profiles" "TypedFilter<FunctionalProfilesFields, FunctionalProfilesWhere>",
    panels "panels" "panels" "TypedFilter<PanelsFields, PanelsWhere>",
    mlsts "mlsts" "mlsts" "TypedFilter<MlstsFields, MlstsWhere>",
    workflows "workflows" "workflows" "TypedFilter<WorkflowsFields, WorkflowsWhere>",
    annotation_sets "annotationSets" "annotation_sets" "TypedFilter<AnnotationSetsFields, AnnotationSetsWhere>",
    assemblies "assemblies" "assemblies" "TypedFilter<AssembliesFields, AssembliesWhere>",
    genomes "genomes" "genomes" "TypedFilter<GenomesFields, GenomesWhere>",
    taxa "taxa" "taxa" "TypedFilter<TaxaFields, TaxaWhere>",
}
