//! Experimental models: the client sends `X-OneCodex-Api-Experimental: 1` for them.

use super::misc::{Job, Tag, User};
use super::refs::Ref;
use super::sample::Sample;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AnnotationSet {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub assembly: Option<Ref<Assembly>>,
    #[serde(default)]
    pub job: Option<Ref<Job>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Assembly {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub genome: Option<Ref<Genome>>,
    #[serde(default)]
    pub input_samples: Option<Vec<Ref<Sample>>>,
    #[serde(default)]
    pub job: Option<Ref<Job>>,
    #[serde(default)]
    pub owner: Option<Ref<User>>,
    #[serde(default)]
    pub primary_annotation_set: Option<Ref<AnnotationSet>>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub visibility: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Genome {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub assemblies: Vec<Ref<Assembly>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub primary_assembly: Option<Ref<Assembly>>,
    #[serde(default)]
    pub tags: Vec<Ref<Tag>>,
    #[serde(default)]
    pub taxon: Option<Ref<Taxon>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Taxon {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// NCBI taxonomy id, as a string.
    #[serde(default)]
    pub taxon_id: Option<String>,
    #[serde(default)]
    pub rank: Option<String>,
    #[serde(default)]
    pub parent: Option<Ref<Taxon>>,
}
