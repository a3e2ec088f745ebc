//! `sort`: `"size"` means descending (`{"size": true}`), `"^filename"`
//! ascending (`{"filename": false}`); key order is priority.

use crate::error::kind_of;
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// What a caller may pass: nothing, one field, a list of fields, or the wire object itself.
pub fn encode_sort(spec: &Value) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    match spec {
        Value::Null => {}
        Value::String(field) => add_field(&mut out, field)?,
        Value::Array(fields) => {
            for field in fields {
                match field {
                    Value::String(f) => add_field(&mut out, f)?,
                    other => {
                        return Err(Error::invalid_argument(format!(
                            "sort: each entry must be a field name string, got {}",
                            kind_of(other)
                        )))
                    }
                }
            }
        }
        Value::Object(map) => {
            for (field, descending) in map {
                check_name(field)?;
                match descending {
                    Value::Bool(_) => {
                        out.insert(field.clone(), descending.clone());
                    }
                    other => {
                        return Err(Error::invalid_argument(format!(
                            "sort: '{field}' must map to true (descending) or false (ascending), got {}",
                            kind_of(other)
                        )))
                    }
                }
            }
        }
        other => {
            return Err(Error::invalid_argument(format!(
                "sort must be a field name, a list of field names or an object, got {}",
                kind_of(other)
            )))
        }
    }
    Ok(out)
}

fn add_field(out: &mut Map<String, Value>, field: &str) -> Result<()> {
    let (name, descending) = match field.strip_prefix('^') {
        Some(rest) => (rest, false),
        None => (field, true),
    };
    check_name(name)?;
    if out.contains_key(name) {
        return Err(Error::invalid_argument(format!("sort: '{name}' is given twice")));
    }
    out.insert(name.to_string(), Value::Bool(descending));
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.starts_with('$') || name.chars().any(|c| c.is_whitespace()) {
        return Err(Error::invalid_argument(format!("sort: '{name}' is not a field name")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn list_form_matches_python() {
        let got = encode_sort(&json!(["size", "^filename"])).unwrap();
        assert_eq!(Value::Object(got), json!({"size": true, "filename": false}));
        let keys: Vec<_> = encode_sort(&json!(["^b", "a"])).unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"], "key order is priority");
    }

    #[test]
    fn bad_sorts_are_invalid_argument() {
        for bad in [json!(3), json!(["size", 1]), json!({"size": "desc"}), json!("^"), json!(["a", "^a"])] {
            let err = encode_sort(&bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
