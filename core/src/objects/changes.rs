//! Request bodies for PATCH and job creation: only
//! whitelisted keys, refs as `{ "$ref": uri }`, date-times in UTC with `+00:00`, ranges checked.

use crate::error::kind_of;
use crate::error::{Error, Result};
use crate::time::to_utc;
use serde_json::{json, Map, Value};

/// How one changeable field is checked and normalised.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Text,
    NullableText,
    Bool,
    Number,
    Datetime,
    Latitude,
    Longitude,
    /// To-one ref to the named collection; null allowed.
    Ref(&'static str),
    /// To-many refs to the named collection.
    Refs(&'static str),
    /// Metadata `custom`: a flat map of scalars.
    Custom,
    /// Passed through as JSON (job schemas and dependencies).
    Json,
}

/// A field a request may set, and its shape.
pub type ChangeField = (&'static str, Shape);

/// The TypeScript of a shape (the `Json` fields name theirs).
macro_rules! shape_ts {
    (Text) => {
        "string"
    };
    (NullableText) => {
        "string | null"
    };
    (Bool) => {
        "boolean"
    };
    (Number) => {
        "number"
    };
    (Datetime) => {
        "string | null"
    };
    (Latitude) => {
        "number | null"
    };
    (Longitude) => {
        "number | null"
    };
    (Ref) => {
        "RefValue | null"
    };
    (Refs) => {
        "readonly RefValue[]"
    };
    (Custom) => {
        "Record<string, string | number | boolean | null>"
    };
    (Json $ts:literal) => {
        $ts
    };
}

/// Declares each table of changeable fields once: the table the checks use and the TypeScript
/// interface of the same fields (all optional; `required` ones are added as such).
macro_rules! change_tables {
    ($( $(#[$doc:meta])* $table:ident $ts:literal $(required $required_table:ident $required_ts:literal [$($required:ident),*])? {
        $( $field:ident : $shape:ident $(($target:ident))? $(= $json_ts:literal)? ),* $(,)?
    } )*) => {
        $( $(#[$doc])* pub const $table: &[ChangeField] = &[ $( (stringify!($field), Shape::$shape $((stringify!($target)))?) ),* ];
           $( /// The fields a new object must have.
              pub const $required_table: &[&str] = &[ $( stringify!($required) ),* ]; )? )*

        /// `export interface SampleChanges { … }` and one such type per table.
        pub const CHANGES_TYPESCRIPT: &str = concat!( $(
            "/** What may be set: only these fields, checked before any request. */\nexport interface ", $ts,
            " {\n", $( "  ", stringify!($field), "?: ", shape_ts!($shape $($json_ts)?), ";\n", )* "}\n",
            $( "/** A new object: these fields, with the required ones. */\nexport type ", $required_ts, " = ", $ts,
               " & {", $( " ", stringify!($required), ": string;", )* " };\n", )?
        )* );
    };
}

change_tables! {
    SAMPLE_CHANGES "SampleChanges" { project: Ref(projects), tags: Refs(tags), visibility: Text }
    METADATA_CHANGES "MetadataChanges" {
        custom: Custom, date_collected: Datetime, date_sequenced: Datetime, description: NullableText,
        external_sample_id: NullableText, library_type: NullableText, location_lat: Latitude, location_lon: Longitude,
        location_string: NullableText, name: NullableText, platform: NullableText, sample_type: NullableText,
        starred: Bool,
    }
    ASSET_CHANGES "AssetChanges" { name: Text }
    JOB_CHANGES "JobChanges" {
        name: Text, script: Text, image_uri: Text, nextflow_version: Text, description: NullableText, cpu: Number,
        ram_gb: Number, storage_gb: Number, inject_bearer_token: Bool,
        repository: Json = "{ url: string; tag?: string | null }", assets: Refs(assets),
        dependencies: Json = "readonly { job: { $ref: string }; output_dir: string }[]",
        arguments_schema: Json = "readonly Record<string, unknown>[]", autorun_on_org_sample_upload: Bool,
    }
    /// Fields of a new custom job (`NewJob` requires `name` and `script`).
    JOB_CREATE "NewJobFields" required JOB_REQUIRED "NewJob" [name, script] {
        name: Text, script: Text, image_uri: Text, nextflow_version: Text, job_type: Text,
        description: NullableText, cpu: Number, ram_gb: Number, storage_gb: Number, inject_bearer_token: Bool,
        repository: Json = "{ url: string; tag?: string | null }", assets: Refs(assets),
        dependencies: Json = "readonly { job: { $ref: string }; output_dir: string }[]",
        arguments_schema: Json = "readonly Record<string, unknown>[]",
    }
}

/// The fields a PATCH of `resource` may change (the catalogue names the table).
fn updatable(resource: &str) -> Result<&'static [ChangeField]> {
    crate::resources::Resource::by_name(resource)?
        .changes
        .ok_or_else(|| Error::invalid_argument(format!("{resource} cannot be updated")))
}

/// A request body checked and normalised once, before any request, and then sent as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Body(Value);

impl Body {
    pub fn json(&self) -> &Value {
        &self.0
    }
}

/// The PATCH body for `resource`: only the given keys, each checked and normalised.
pub fn update_body(resource: &str, patch: &Value) -> Result<Body> {
    build(resource, patch, updatable(resource)?, "updated").map(Body)
}

/// The POST body of a new job: `name` and `script` are required.
pub fn job_create_body(job: &Value) -> Result<Body> {
    let body = build("jobs", job, JOB_CREATE, "set on a new job")?;
    for required in JOB_REQUIRED {
        let given = body.get(*required).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
        if !given {
            return Err(Error::invalid_argument(format!("a new job needs '{required}'")));
        }
    }
    Ok(Body(body))
}

fn build(resource: &str, patch: &Value, fields: &[ChangeField], verb: &str) -> Result<Value> {
    let Value::Object(patch) = patch else {
        return Err(Error::invalid_argument(format!("the changes must be an object, got {}", kind_of(patch))));
    };
    if patch.is_empty() {
        return Err(Error::invalid_argument("nothing to change: the object of changes is empty"));
    }
    let mut body = Map::new();
    for (key, value) in patch {
        let shape = fields.iter().find(|(f, _)| f == key).map(|(_, s)| *s).ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
            Error::invalid_argument(format!("'{key}' of {resource} cannot be {verb} (allowed: {})", names.join(", ")))
        })?;
        body.insert(key.clone(), normalise(key, shape, value)?);
    }
    Ok(Value::Object(body))
}

fn normalise(key: &str, shape: Shape, v: &Value) -> Result<Value> {
    let bad = |want: &str| Error::invalid_argument(format!("'{key}' must be {want}, got {}", kind_of(v)));
    match (shape, v) {
        (Shape::Text, Value::String(_)) => Ok(v.clone()),
        (Shape::NullableText, Value::String(_) | Value::Null) => Ok(v.clone()),
        (Shape::Text | Shape::NullableText, _) => Err(bad("a string")),
        (Shape::Bool, Value::Bool(_)) => Ok(v.clone()),
        (Shape::Bool, _) => Err(bad("true or false")),
        (Shape::Number, Value::Number(_) | Value::Null) => Ok(v.clone()),
        (Shape::Number, _) => Err(bad("a number")),
        (Shape::Datetime, Value::Null) => Ok(Value::Null),
        (Shape::Datetime, Value::String(s)) => to_utc(s)
            .map(Value::String)
            .ok_or_else(|| Error::invalid_argument(format!("'{key}' must be an RFC 3339 date-time, got \"{s}\""))),
        (Shape::Datetime, _) => Err(bad("an RFC 3339 date-time string")),
        (Shape::Latitude, _) => in_range(key, v, -90.0, 90.0),
        (Shape::Longitude, _) => in_range(key, v, -180.0, 180.0),
        (Shape::Ref(_), Value::Null) => Ok(Value::Null),
        (Shape::Ref(collection), _) => to_ref(key, collection, v),
        (Shape::Refs(collection), Value::Array(items)) => {
            Ok(Value::Array(items.iter().map(|i| to_ref(key, collection, i)).collect::<Result<_>>()?))
        }
        (Shape::Refs(_), _) => Err(bad("a list of ids or objects")),
        (Shape::Custom, Value::Object(map)) => {
            for (k, val) in map {
                if matches!(val, Value::Object(_) | Value::Array(_)) {
                    return Err(Error::invalid_argument(format!(
                        "custom metadata '{k}' must be a string, number, boolean or null (no nesting)"
                    )));
                }
            }
            Ok(v.clone())
        }
        (Shape::Custom, _) => Err(bad("an object of custom fields")),
        (Shape::Json, _) => Ok(v.clone()),
    }
}

fn in_range(key: &str, v: &Value, low: f64, high: f64) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Number(n) if n.as_f64().is_some_and(|x| (low..=high).contains(&x)) => Ok(v.clone()),
        _ => Err(Error::invalid_argument(format!("'{key}' must be a number from {low} to {high}, got {v}"))),
    }
}

/// An id, a URI, `{ $ref }`, `{ $uri }` or an object with a `$uri` becomes `{ "$ref": uri }`.
pub fn to_ref(key: &str, collection: &str, v: &Value) -> Result<Value> {
    let uri = match v {
        Value::String(s) if s.starts_with("/api/v1/") => s.clone(),
        Value::String(s) => format!("/api/v1/{collection}/{}", crate::refs::check_id(s)?),
        Value::Object(m) => m
            .get("$ref")
            .or_else(|| m.get("$uri"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::invalid_argument(format!("'{key}': an object reference needs a $ref or $uri")))?,
        _ => return Err(Error::invalid_argument(format!("'{key}' must be an id or an object, got {}", kind_of(v)))),
    };
    Ok(json!({ "$ref": uri }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn sample_patch_matches_the_python_client() {
        let body = update_body(
            "samples",
            &json!({"project": "4b53797444f846c4", "tags": [{"$uri": "/api/v1/tags/5c1e9e41043e4435"}]}),
        )
        .unwrap();
        assert_eq!(
            body.json(),
            &json!({"project": {"$ref": "/api/v1/projects/4b53797444f846c4"}, "tags": [{"$ref": "/api/v1/tags/5c1e9e41043e4435"}]})
        );
        assert_eq!(update_body("samples", &json!({"project": null})).unwrap().json(), &json!({"project": null}));
    }

    #[test]
    fn metadata_patch_normalises_dates_to_utc() {
        let body = update_body(
            "metadata",
            &json!({"date_collected": "2024-01-02T05:04:05.25+02:00", "platform": "Illumina MiSeq"}),
        )
        .unwrap();
        assert_eq!(
            body.json(),
            &json!({"date_collected": "2024-01-02T03:04:05.25+00:00", "platform": "Illumina MiSeq"})
        );
    }

    #[test]
    fn whitelists_and_checks() {
        let e = update_body("samples", &json!({"filename": "x"})).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ErrorCode::InvalidArgument,
                "'filename' of samples cannot be updated (allowed: project, tags, visibility)"
            )
        );
        assert!(update_body("projects", &json!({"name": "x"}))
            .unwrap_err()
            .message
            .contains("projects cannot be updated"));
        assert!(update_body("metadata", &json!({"location_lat": 91})).unwrap_err().message.contains("from -90 to 90"));
        assert!(update_body("metadata", &json!({"custom": {"a": {"b": 1}}}))
            .unwrap_err()
            .message
            .contains("no nesting"));
        assert!(update_body("metadata", &json!({"sample": "x"})).is_err(), "read-only");
        assert!(update_body("samples", &json!({})).unwrap_err().message.contains("empty"));
        assert!(update_body("samples", &json!({"project": "a/b"})).is_err());
    }

    #[test]
    fn job_creation() {
        let body = job_create_body(
            &json!({"name": "n", "script": "echo", "nextflow_version": "26.04.6", "job_type": "nextflow"}),
        )
        .unwrap();
        assert_eq!(
            body.json(),
            &json!({"name": "n", "script": "echo", "nextflow_version": "26.04.6", "job_type": "nextflow"})
        );
        assert!(job_create_body(&json!({"name": "n"})).unwrap_err().message.contains("'script'"));
        assert!(job_create_body(&json!({"name": "n", "script": "s", "autorun_on_org_sample_upload": true})).is_err());
    }
}
