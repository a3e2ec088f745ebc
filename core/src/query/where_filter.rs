//! The `where` filter: validation and the client-side coercions the Python
//! client applies before sending. Per-resource field rules come on top of this.

use super::pyjson::to_python_json;
use crate::error::kind_of;
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Every operator the API understands, as sent on the wire.
pub const OPERATORS: &[&str] = &[
    "$eq",
    "$ne",
    "$in",
    "$lt",
    "$lte",
    "$gt",
    "$gte",
    "$between",
    "$contains",
    "$icontains",
    "$startswith",
    "$istartswith",
    "$endswith",
    "$iendswith",
    "$containsall",
    "$containsany",
];

/// Validates a filter and applies the coercions: a list becomes `$in`, a model object becomes
/// `{"$ref": its $uri}`, and the `id` keyword becomes `{"$uri": {"$in": [...]}}` (the Python
/// client's intended behaviour,). `collection` is the resource path, e.g.
/// `/api/v1/samples`, used to turn bare ids into URIs.
pub fn normalize_where(filter: &Value, collection: &str) -> Result<Map<String, Value>> {
    let terms = match filter {
        Value::Null => return Ok(Map::new()),
        Value::Object(terms) => terms,
        other => {
            return Err(Error::invalid_filter(format!(
                "a where filter must be an object of field conditions, got {}",
                kind_of(other)
            )))
        }
    };
    let mut out = Map::new();
    for (field, condition) in terms {
        if field.is_empty() {
            return Err(Error::invalid_filter("a where filter has an empty field name"));
        }
        let (key, value) = if field == "id" {
            ("$uri".to_string(), ids_to_uri_in(condition, collection)?)
        } else if field == "$uri" {
            ("$uri".to_string(), ids_to_uri_in(&uri_operand(condition)?, collection)?)
        } else if field.starts_with('$') {
            return Err(Error::invalid_filter(format!(
                "'{field}' is an operator, not a field name; write {{\"<field>\": {{\"{field}\": …}}}}"
            )));
        } else {
            (field.clone(), normalize_condition(field, condition)?)
        };
        if out.insert(key.clone(), value).is_some() {
            return Err(Error::invalid_filter(format!(
                "field '{key}' is given twice (id and $uri are the same field)"
            )));
        }
    }
    Ok(out)
}

/// `normalize_where` followed by the Python-spaced JSON text that goes into the query string.
pub fn encode_where(filter: &Value, collection: &str) -> Result<String> {
    Ok(to_python_json(&Value::Object(normalize_where(filter, collection)?)))
}

fn normalize_condition(field: &str, condition: &Value) -> Result<Value> {
    match condition {
        Value::Array(items) => Ok(wrap("$in", Value::Array(items.iter().map(coerce_literal).collect()))),
        Value::Object(map) if is_model(map) || is_ref(map) => Ok(coerce_literal(condition)),
        Value::Object(map) => {
            if map.is_empty() {
                return Err(Error::invalid_filter(format!("field '{field}': an empty object is not a condition")));
            }
            let mut ops = Map::new();
            for (op, operand) in map {
                if !op.starts_with('$') {
                    return Err(Error::invalid_filter(format!(
                        "field '{field}': '{op}' is not an operator (operators start with $: {})",
                        OPERATORS.join(" ")
                    )));
                }
                if !OPERATORS.contains(&op.as_str()) {
                    return Err(Error::invalid_filter(format!(
                        "field '{field}': unknown operator '{op}' (known: {})",
                        OPERATORS.join(" ")
                    )));
                }
                ops.insert(op.clone(), check_operand(field, op, operand)?);
            }
            Ok(Value::Object(ops))
        }
        scalar => Ok(scalar.clone()),
    }
}

/// Operand shape per operator; several operators on one field are allowed and mean AND.
fn check_operand(field: &str, op: &str, operand: &Value) -> Result<Value> {
    let bad = |want: &str| {
        Error::invalid_filter(format!("field '{field}', operator '{op}': expects {want}, got {}", kind_of(operand)))
    };
    match op {
        "$in" | "$containsall" | "$containsany" => match operand {
            Value::Array(items) => Ok(Value::Array(items.iter().map(coerce_literal).collect())),
            _ => Err(bad("an array")),
        },
        "$between" => match operand {
            Value::Array(items) if items.len() == 2 && items.iter().all(|v| v.is_number() || v.is_string()) => {
                Ok(operand.clone())
            }
            Value::Array(items) => Err(Error::invalid_filter(format!(
                "field '{field}', operator '$between': expects two values [low, high], got {} value(s)",
                items.len()
            ))),
            _ => Err(bad("an array of two values [low, high]")),
        },
        "$lt" | "$lte" | "$gt" | "$gte" => match operand {
            Value::Number(_) | Value::String(_) => Ok(operand.clone()),
            _ => Err(bad("a number or an RFC 3339 date-time string")),
        },
        "$eq" | "$ne" => match operand {
            Value::Array(_) => Err(bad("a single value (use $in for a list)")),
            _ => Ok(coerce_literal(operand)),
        },
        _ => match operand {
            // The substring operators.
            Value::String(s) if !s.is_empty() => Ok(operand.clone()),
            Value::String(_) => Err(bad("a non-empty string")),
            _ => Err(bad("a string")),
        },
    }
}

fn is_model(map: &Map<String, Value>) -> bool {
    matches!(map.get("$uri"), Some(Value::String(_)))
}

fn is_ref(map: &Map<String, Value>) -> bool {
    map.len() == 1 && matches!(map.get("$ref"), Some(Value::String(_)))
}

/// A model object (anything with a `$uri`) becomes a `$ref`; everything else is kept.
fn coerce_literal(v: &Value) -> Value {
    match v {
        Value::Object(map) if is_model(map) => wrap("$ref", map["$uri"].clone()),
        other => other.clone(),
    }
}

fn wrap(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

fn uri_operand(condition: &Value) -> Result<Value> {
    match condition {
        Value::Object(map) if map.len() == 1 && map.contains_key("$in") => Ok(map["$in"].clone()),
        _ => Err(Error::invalid_filter("field '$uri' only takes {\"$in\": [ids or URIs]}")),
    }
}

fn ids_to_uri_in(condition: &Value, collection: &str) -> Result<Value> {
    let ids: Vec<&Value> = match condition {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut uris = Vec::with_capacity(ids.len());
    for id in ids {
        let uri = match id {
            Value::String(s) if s.starts_with('/') => s.clone(),
            Value::String(s) if !s.is_empty() && !s.contains('/') => format!("{collection}/{s}"),
            Value::Object(map) if is_model(map) => map["$uri"].as_str().unwrap_or_default().to_string(),
            other => {
                return Err(Error::invalid_filter(format!(
                    "field 'id': expects ids, URIs or objects with a $uri, got {}",
                    kind_of(other)
                )))
            }
        };
        uris.push(Value::String(uri));
    }
    Ok(wrap("$in", Value::Array(uris)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    const SAMPLES: &str = "/api/v1/samples";

    fn norm(v: Value) -> Value {
        Value::Object(normalize_where(&v, SAMPLES).unwrap())
    }

    fn err(v: Value) -> String {
        let e = normalize_where(&v, SAMPLES).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFilter, "{v}");
        e.message
    }

    #[test]
    fn spec_example_encodes_byte_for_byte() {
        let f = json!({"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4"});
        assert_eq!(
            encode_where(&f, SAMPLES).unwrap(),
            r#"{"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4"}"#
        );
    }

    #[test]
    fn coercions_of_section_4_3() {
        let owner = json!({"$uri": "/api/v1/users/4ada56103d9a48b8", "email": "x@y"});
        let got = norm(json!({
            "size": [1, 2],
            "error_msg": null,
            "owner": owner,
            "tags": {"$containsall": [{"$uri": "/api/v1/tags/5c1e9e41043e4435"}]},
            "project": {"$ref": "/api/v1/projects/4b53797444f846c4"},
            "created_at": {"$gte": "2024-01-01T00:00:00+00:00", "$lte": "2024-12-31T00:00:00+00:00"}
        }));
        assert_eq!(
            got,
            json!({
                "size": {"$in": [1, 2]},
                "error_msg": null,
                "owner": {"$ref": "/api/v1/users/4ada56103d9a48b8"},
                "tags": {"$containsall": [{"$ref": "/api/v1/tags/5c1e9e41043e4435"}]},
                "project": {"$ref": "/api/v1/projects/4b53797444f846c4"},
                "created_at": {"$gte": "2024-01-01T00:00:00+00:00", "$lte": "2024-12-31T00:00:00+00:00"}
            })
        );
    }

    #[test]
    fn id_keyword_becomes_uri_in() {
        assert_eq!(
            norm(json!({"id": ["abc", "/api/v1/samples/def"]})),
            json!({"$uri": {"$in": ["/api/v1/samples/abc", "/api/v1/samples/def"]}})
        );
        assert_eq!(norm(json!({"id": "abc"})), json!({"$uri": {"$in": ["/api/v1/samples/abc"]}}));
        assert!(err(json!({"id": "a", "$uri": {"$in": ["b"]}})).contains("twice"));
    }

    #[test]
    fn bad_filters_name_field_and_operator() {
        assert!(err(json!({"size": {"$between": [1]}})).contains("'size', operator '$between'"));
        assert!(err(json!({"size": {"$gt": [1]}})).contains("'$gt'"));
        assert!(err(json!({"size": {"$near": 1}})).contains("unknown operator '$near'"));
        assert!(err(json!({"filename": {"$icontains": ""}})).contains("non-empty"));
        assert!(err(json!({"filename": {"$in": "x"}})).contains("an array"));
        assert!(err(json!({"filename": {"x": 1}})).contains("not an operator"));
        assert!(err(json!({"$in": [1]})).contains("not a field name"));
        assert!(err(json!([1, 2])).contains("must be an object"));
        assert!(err(json!({"size": {}})).contains("empty object"));
    }

    #[test]
    fn null_filter_is_empty() {
        assert_eq!(encode_where(&Value::Null, SAMPLES).unwrap(), "{}");
    }
}
