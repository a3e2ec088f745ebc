use super::analysis::Analysis;
use super::misc::{Project, Tag, User};
use super::refs::Ref;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A sample: an uploaded FASTA/FASTQ file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Sample {
    #[serde(rename = "$uri")]
    pub uri: String,
    pub created_at: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    /// Bytes; can exceed 2³¹.
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub status: Option<String>,
    /// `"private"`, `"public"` or `"awaiting data"` (pre-uploaded, no file yet).
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    pub metadata: Ref<Metadata>,
    pub owner: Ref<User>,
    #[serde(default)]
    pub primary_classification: Option<Ref<Analysis>>,
    #[serde(default)]
    pub project: Option<Ref<Project>>,
    #[serde(default)]
    pub tags: Vec<Ref<Tag>>,
}

/// A sample's metadata, one per sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Metadata {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub sample: Option<Ref<Sample>>,
    #[serde(default)]
    pub starred: Option<bool>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// A flat map: string, number, boolean or null values.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, string | number | boolean | null>"))]
    pub custom: Map<String, Value>,
    #[serde(default)]
    pub date_collected: Option<String>,
    #[serde(default)]
    pub date_sequenced: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub external_sample_id: Option<String>,
    #[serde(default)]
    pub library_type: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub sample_type: Option<String>,
    #[serde(default)]
    pub location_lat: Option<f64>,
    #[serde(default)]
    pub location_lon: Option<f64>,
    #[serde(default)]
    pub location_string: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}
