//! The state of the typed filter builder (`where.samples.field("size").gte(1e6).and(…)`): terms
//! added one at a time, each step checked against the same field table as object filters, so a
//! builder can only produce filters the API accepts and its JSON is exactly the object form's.

use super::fields::{fields_of, validate_terms};
use super::keywords::expand_keywords;
use super::pyjson::to_python_json;
use super::where_filter::normalize_where;
use crate::error::{Error, Result};
use crate::resources::Resource;
use serde_json::{Map, Value};

/// A filter under construction; immutable: each step returns a new one.
#[derive(Debug, Clone)]
pub struct FilterBuilder {
    resource: &'static Resource,
    terms: Map<String, Value>,
}

impl FilterBuilder {
    /// An empty filter of a resource of the catalogue.
    pub fn new(resource: &str) -> Result<FilterBuilder> {
        Ok(FilterBuilder { resource: Resource::by_name(resource)?, terms: Map::new() })
    }

    /// The object form, as `where()` takes it.
    pub fn terms(&self) -> &Map<String, Value> {
        &self.terms
    }

    /// Checks that `name` is a filterable field of the resource (`invalid_filter` otherwise).
    pub fn check_field(&self, name: &str) -> Result<()> {
        let known = fields_of(self.resource.name).unwrap_or(&[]);
        if known.iter().any(|(f, _)| *f == name) {
            return Ok(());
        }
        let names: Vec<&str> = known.iter().map(|(f, _)| *f).collect();
        Err(Error::invalid_filter(format!(
            "unknown field '{name}' for {} (filterable: {})",
            self.resource.name,
            names.join(", ")
        )))
    }

    /// `field` with one operator and its operand added.
    pub fn with_operator(&self, field: &str, op: &str, operand: Value) -> Result<FilterBuilder> {
        let mut condition = Map::new();
        condition.insert(op.to_string(), operand);
        self.with(field, Value::Object(condition))
    }

    /// Adds a term and checks the whole filter; operators on one field accumulate (AND).
    pub fn with(&self, field: &str, condition: Value) -> Result<FilterBuilder> {
        let already = |what: String| Error::invalid_argument(format!("filter: field '{field}' already has {what}"));
        let mut terms = self.terms.clone();
        let operators = |m: &Map<String, Value>| m.keys().all(|k| k.starts_with('$'));
        match (terms.get_mut(field), condition) {
            (Some(Value::Object(existing)), Value::Object(ops)) if operators(&ops) && operators(existing) => {
                for (op, operand) in ops {
                    if existing.contains_key(&op) {
                        return Err(already(format!("'{op}'")));
                    }
                    existing.insert(op, operand);
                }
            }
            (Some(_), _) => return Err(already("a condition".to_string())),
            (None, condition) => {
                terms.insert(field.to_string(), condition);
            }
        }
        let normalized = normalize_where(&Value::Object(terms.clone()), &self.resource.path())?;
        validate_terms(self.resource.name, &normalized)?;
        Ok(FilterBuilder { resource: self.resource, terms })
    }

    /// This filter AND an object filter, read as `where()` reads it (on samples, `tags: [...]` and
    /// `tax_ids: [...]` mean all of them).
    pub fn and(&self, other: &Value) -> Result<FilterBuilder> {
        let Value::Object(other) = other else {
            return Err(Error::invalid_argument("and(): expects a filter"));
        };
        expand_keywords(self.resource.name, other)
            .into_iter()
            .try_fold(self.clone(), |f, (field, condition)| f.with(&field, condition))
    }

    /// The wire JSON, as `encodeWhere` gives it.
    pub fn to_wire(&self) -> Result<String> {
        let normalized = normalize_where(&Value::Object(self.terms.clone()), &self.resource.path())?;
        Ok(to_python_json(&Value::Object(normalized)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    #[test]
    fn operators_on_one_field_accumulate_and_repeats_are_refused() {
        let f = FilterBuilder::new("samples").unwrap();
        let f = f.with_operator("size", "$gte", json!(1)).unwrap().with_operator("size", "$lte", json!(9)).unwrap();
        assert_eq!(Value::Object(f.terms().clone()), json!({"size": {"$gte": 1, "$lte": 9}}));
        let e = f.with_operator("size", "$gte", json!(2)).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::InvalidArgument, "filter: field 'size' already has '$gte'")
        );
        let e = f.with("size", Value::Null).unwrap_err();
        assert_eq!(e.message, "filter: field 'size' already has a condition");
    }

    #[test]
    fn every_step_is_validated() {
        let f = FilterBuilder::new("samples").unwrap();
        assert_eq!(f.check_field("nope").unwrap_err().code, ErrorCode::InvalidFilter);
        assert_eq!(f.with_operator("size", "$icontains", json!("x")).unwrap_err().code, ErrorCode::InvalidFilter);
        assert_eq!(f.and(&json!([1])).unwrap_err().code, ErrorCode::InvalidArgument);
        let tags = f.and(&json!({"tags": ["gut"]})).unwrap();
        assert_eq!(Value::Object(tags.terms().clone()), json!({"tags": {"$containsall": ["gut"]}}));
        assert!(FilterBuilder::new("sample").is_err());
    }
}
