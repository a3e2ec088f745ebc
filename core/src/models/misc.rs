use super::refs::Ref;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct User {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Project {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Short handle, `^[a-zA-Z0-9_-]{3,15}$`.
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub owner: Option<Ref<User>>,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Tag {
    #[serde(rename = "$uri")]
    pub uri: String,
    pub name: String,
}

/// An analysis pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Job {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    pub name: String,
    /// `classification`, `typing`, `panel`, `alignment`, `functional`, `workflow`, …
    #[serde(default)]
    pub analysis_type: Option<String>,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub job_args_schema: Map<String, Value>,
    #[serde(default)]
    pub job_type: Option<String>,
    /// True while a custom job is unpublished; absent on older servers (read as false).
    #[serde(default)]
    pub draft: bool,
}

/// `GET /jobs/<id>/details`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct JobDetails {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub job_type: Option<String>,
    #[serde(default)]
    pub script: Option<String>,
    #[serde(default)]
    pub image_uri: Option<String>,
    #[serde(default)]
    pub nextflow_version: Option<String>,
    #[serde(default)]
    pub cpu: Option<f64>,
    #[serde(default)]
    pub ram_gb: Option<f64>,
    #[serde(default)]
    pub storage_gb: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "{ url: string; tag: string | null } | null"))]
    pub repository: Option<Value>,
    #[serde(default)]
    pub assets: Vec<Ref<Asset>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "{ job: Ref<Job>; output_dir: string }[]"))]
    pub dependencies: Vec<Value>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>[]"))]
    pub arguments_schema: Vec<Value>,
    #[serde(default)]
    pub inject_bearer_token: Option<bool>,
    #[serde(default)]
    pub autorun_on_org_sample_upload: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Document {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub uploader: Option<Ref<User>>,
    /// Users the document is shared with.
    #[serde(default)]
    pub downloaders: Vec<Ref<User>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Asset {
    #[serde(rename = "$uri")]
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    /// `"available"`, `"importing"`, …
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub uploader: Option<Ref<User>>,
}

/// `GET /api/v1/account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Account {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub user: Ref<User>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// May be naive (no offset).
    #[serde(default)]
    pub confirmed_at: Option<String>,
    /// A formatted amount, e.g. `"$0.00"`.
    #[serde(default)]
    pub credits: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "unknown[]"))]
    pub coupons: Vec<Value>,
}
