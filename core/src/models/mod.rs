//! The API's objects as Rust types. They validate what the server sends
//! (a wrong type is an `invalid_response`, unknown keys are ignored) and, with the `ts` feature,
//! give the TypeScript declarations the package ships. Optional and nullable fields default, so
//! older or newer servers that omit a key still parse.

mod analysis;
mod experimental;
mod misc;
mod refs;
mod sample;

pub use analysis::*;
pub use experimental::*;
pub use misc::*;
pub use refs::*;
pub use sample::*;

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Checks that `value` is a well-formed `T` (the object itself is handed on unchanged, so fields
/// this version does not know survive).
pub fn validate<T: DeserializeOwned>(value: &Value, what: &str) -> Result<()> {
    T::deserialize(value)
        .map(|_: T| ())
        .map_err(|e| Error::invalid_response(format!("{what}: the server sent an object this client cannot read: {e}")))
}

/// The check every object from the API gets before it is handed to JavaScript: a JSON object
/// whose `$uri` is a string. Full typed parsing (`validate_resource_object`, which keeps the
/// TypeScript types honest against the recorded fixtures in tests) would add ~34 KB gzipped to
/// the wasm for little gain at run time, since the objects are passed on as they came.
pub fn check_shape(resource: &str, value: &Value) -> Result<()> {
    match value.get("$uri") {
        Some(Value::String(uri)) if uri.starts_with("/api/") => Ok(()),
        _ if !value.is_object() => Err(Error::invalid_response(format!(
            "a {resource} object: the server sent {} where an object was expected",
            crate::error::kind_of(value)
        ))),
        _ => Err(Error::invalid_response(format!("a {resource} object: the server sent one without a $uri"))),
    }
}

/// `validate_resource_object`: each catalogue row's path name checked as its model.
macro_rules! model_checks {
    ($( $name:ident $stem:ident { js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, $($rest:tt)* } )*) => {
        /// Validates an object as the model of a resource (by path name).
        pub fn validate_resource_object(resource: &str, value: &Value) -> Result<()> {
            let what = format!("a {resource} object");
            match resource {
                $( stringify!($name) => validate::<$model>(value, &what), )*
                _ => Err(Error::invalid_argument(format!("unknown resource '{resource}'"))),
            }
        }
    };
}

crate::for_each_resource!(model_checks);

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The recorded API responses in ../shared/fixtures (MIT, from the onecodex package).
    pub(crate) fn fixtures() -> Option<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/api/v1");
        if dir.is_dir() {
            return Some(dir);
        }
        assert!(std::env::var("CI").as_deref() != Ok("true"), "fixtures missing at {} (CI=true)", dir.display());
        eprintln!("note: fixtures missing at {}; skipped", dir.display());
        None
    }

    #[test]
    fn every_recorded_listing_parses_as_its_model() {
        let Some(dir) = fixtures() else { return };
        let mut checked = 0;
        for resource in crate::resources::RESOURCES.iter().map(|r| r.name) {
            let path = dir.join(resource).join("index.json");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let items: Value = serde_json::from_str(&text).unwrap();
            for item in items.as_array().expect("listing fixtures are arrays") {
                validate_resource_object(resource, item).unwrap_or_else(|e| panic!("{resource}: {e}\n{item}"));
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} fixture objects were checked");
    }

    #[test]
    fn the_account_fixture_parses() {
        let Some(dir) = fixtures() else { return };
        let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("account/index.json")).unwrap()).unwrap();
        validate::<Account>(&v, "account").unwrap();
    }

    #[test]
    fn shape_check() {
        check_shape("samples", &serde_json::json!({"$uri": "/api/v1/samples/x"})).unwrap();
        for bad in [serde_json::json!("<html>"), serde_json::json!({"id": 1}), serde_json::json!({"$uri": 5})] {
            assert_eq!(check_shape("samples", &bad).unwrap_err().code, crate::ErrorCode::InvalidResponse, "{bad}");
        }
    }

    #[test]
    fn wrong_types_are_invalid_response_and_unknown_keys_are_fine() {
        let bad = serde_json::json!({"$uri": "/api/v1/samples/x", "created_at": "2026-01-01T00:00:00+00:00", "size": "big",
            "metadata": {"$ref": "/api/v1/metadata/m"}, "owner": {"$ref": "/api/v1/users/u"}});
        let e = validate_resource_object("samples", &bad).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidResponse);
        let mut good = bad.clone();
        good["size"] = serde_json::json!(2_267_482_973u64);
        good["brand_new_field"] = serde_json::json!({"x": 1});
        validate_resource_object("samples", &good).unwrap();
    }
}
