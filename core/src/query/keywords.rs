//! The samples keyword forms: `tags: [...]` means "has all of these
//! tags" and `tax_ids: [...]` "contains every one of these taxa", not `$in` as a list means for
//! other fields. Applied to the object form before `normalize_where`, and by the filter builder's
//! `and()`, so a list there means what it means in `ocx.samples.where({ … })`.

use serde_json::{json, Map, Value};

/// `filter` with the samples keyword lists written as `{"$containsall": [...]}`; an empty list
/// (or a null `tax_ids`) adds nothing. Other resources' filters come back unchanged. Tags stay as
/// given (names, ids, URIs, objects): they are resolved to refs when the query runs.
pub fn expand_keywords(resource: &str, filter: &Map<String, Value>) -> Map<String, Value> {
    if resource != "samples" {
        return filter.clone();
    }
    let mut out = Map::new();
    for (field, condition) in filter {
        match (field.as_str(), condition) {
            ("tags" | "tax_ids", Value::Array(items)) if items.is_empty() => {}
            ("tax_ids", Value::Null) => {}
            ("tags" | "tax_ids", Value::Array(items)) => {
                out.insert(field.clone(), json!({ "$containsall": items }));
            }
            _ => {
                out.insert(field.clone(), condition.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(resource: &str, v: Value) -> Value {
        Value::Object(expand_keywords(resource, v.as_object().unwrap()))
    }

    #[test]
    fn samples_lists_mean_all_of_them() {
        assert_eq!(
            expand("samples", json!({"size": [1, 2], "tags": ["gut", {"$uri": "/api/v1/tags/t"}], "tax_ids": ["543"]})),
            json!({"size": [1, 2], "tags": {"$containsall": ["gut", {"$uri": "/api/v1/tags/t"}]}, "tax_ids": {"$containsall": ["543"]}})
        );
        assert_eq!(expand("samples", json!({"tags": [], "tax_ids": null})), json!({}));
        let ops = json!({"tags": {"$containsany": ["a"]}, "tax_ids": {"$containsall": ["1"]}});
        assert_eq!(expand("samples", ops.clone()), ops, "operator forms are kept");
    }

    #[test]
    fn other_resources_are_untouched() {
        assert_eq!(expand("genomes", json!({"tags": ["x"]})), json!({"tags": ["x"]}));
    }
}
