use super::misc::Job;
use super::refs::Ref;
use super::sample::Sample;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Any analysis: classifications, alignments, functional profiles, panels, MLSTs, workflows
///. Kind-specific keys are optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Analysis {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// True once the analysis reached a terminal state.
    #[serde(default)]
    pub complete: bool,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub job: Option<Ref<Job>>,
    #[serde(default)]
    pub sample: Option<Ref<Sample>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub job_args: Map<String, Value>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "{ amount: number; currency: string } | null"))]
    pub cost: Option<Value>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "(Ref<Analysis>)[]"))]
    pub dependencies: Vec<Value>,
    /// On `/analyses` listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub analysis_type: Option<String>,
    /// Classifications and functional profiles: a pre-signed URL of the compressed results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub results_uri: Option<String>,
}
