use serde::{Deserialize, Serialize};

/// A reference to another object: `{ "$ref": uri }` unless the server embedded the object itself
/// (`expand=all`). Both shapes occur for the same field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(untagged)]
pub enum Ref<T> {
    Ref {
        #[serde(rename = "$ref")]
        uri: String,
    },
    Embedded(Box<T>),
}

/// `{ "$ref": uri }` as sent in request bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct RefLink {
    #[serde(rename = "$ref")]
    pub uri: String,
}
