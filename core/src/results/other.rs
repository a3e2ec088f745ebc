//! Results that the Python client returns as JSON (MLST and panels, workflows), and
//! the sample metadata table of a collection, built from plain JSON objects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::decode;
use crate::error::{Error, Result};

/// Any JSON results body (panels, workflows, alignments): decoded and checked to be JSON.
pub fn parse_json_results(bytes: &[u8]) -> Result<Value> {
    let text = decode::decode(bytes)?;
    serde_json::from_slice(&text).map_err(|e| Error::invalid_response(format!("results are not valid JSON: {e}")))
}

/// MLST `/results`, kept verbatim (the Python client returns it as is) with typed views.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MlstResults {
    pub raw: Value,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MlstResult {
    /// Sequence type: a number, or text for novel types.
    #[serde(default)]
    pub st: Value,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default)]
    pub alleles: Vec<MlstAllele>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MlstAllele {
    pub gene: String,
    #[serde(default)]
    pub allele: Value,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MlstSummary {
    #[serde(default)]
    pub mlst: Value,
    #[serde(default)]
    pub complete_match: Option<bool>,
    #[serde(default)]
    pub n_alleles_matched: Option<u64>,
    #[serde(default)]
    pub n_alleles_total: Option<u64>,
}

/// One panel marker of `panelResults`, typed for convenience.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PanelMarker {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub length: Option<f64>,
    #[serde(default)]
    pub marker_type: Option<String>,
    /// `present` or `absent`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub coverage: Option<f64>,
    #[serde(default)]
    pub depth: Option<f64>,
    #[serde(default)]
    pub pct_identity: Option<f64>,
    #[serde(default)]
    pub n_reads: Option<f64>,
    #[serde(default)]
    pub n_reads_full_coverage: Option<f64>,
    #[serde(default)]
    pub n_one_snp_reads: Option<f64>,
    #[serde(default)]
    pub n_two_snp_reads: Option<f64>,
    #[serde(default)]
    pub n_three_snp_reads: Option<f64>,
    #[serde(default)]
    pub total_hits: Option<f64>,
}

fn typed<T: for<'de> Deserialize<'de>>(v: &Value, what: &str) -> Result<T> {
    T::deserialize(v).map_err(|e| Error::invalid_response(format!("MLST results: {what}: {e}")))
}

impl MlstResults {
    /// Parses the body (any compression); it must be a JSON object.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let raw = parse_json_results(bytes)?;
        if !raw.is_object() {
            return Err(Error::invalid_response("MLST results: expected a JSON object"));
        }
        Ok(MlstResults { raw })
    }

    /// `mlstResults.results`, typed (empty when absent).
    pub fn results(&self) -> Result<Vec<MlstResult>> {
        match self.raw.pointer("/mlstResults/results") {
            Some(v) if !v.is_null() => typed(v, "mlstResults.results"),
            _ => Ok(Vec::new()),
        }
    }

    /// `mlstResults.summary`, typed.
    pub fn summary(&self) -> Result<Option<MlstSummary>> {
        match self.raw.pointer("/mlstResults/summary") {
            Some(v) if !v.is_null() => typed(v, "mlstResults.summary").map(Some),
            _ => Ok(None),
        }
    }

    /// The panel markers, typed, in file order.
    pub fn panel_markers(&self) -> Result<Vec<(String, PanelMarker)>> {
        let Some(Value::Object(p)) = self.raw.get("panelResults") else {
            return Ok(Vec::new());
        };
        p.iter().map(|(k, v)| typed(v, k).map(|m| (k.clone(), m))).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// sample metadata table.

/// Metadata fields of the table, in the Python model's order (all but `$uri`, `sample`, `custom`).
pub const METADATA_FIELDS: [&str; 13] = [
    "date_collected",
    "date_sequenced",
    "description",
    "external_sample_id",
    "library_type",
    "location_lat",
    "location_lon",
    "location_string",
    "name",
    "platform",
    "sample_type",
    "starred",
    "updated_at",
];

/// One collection item for the metadata table: the sample and metadata objects as the API
/// returns them (refs or embedded), the classification id if any, and the project's name when
/// the sample's `project` is only a ref (the Python client fetches it; we take it from the caller).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetadataItem {
    pub classification_id: Option<String>,
    pub sample: Value,
    pub metadata: Value,
    pub project_name: Option<String>,
}

/// The item of each classification id, in the order of `ids` (the first item with that id), or
/// None; indexed once, so a large collection is not searched once per member.
pub fn metadata_in_order<'a>(ids: &[&str], items: &'a [MetadataItem]) -> Vec<Option<&'a MetadataItem>> {
    let mut by_id: std::collections::HashMap<&str, &MetadataItem> =
        std::collections::HashMap::with_capacity(items.len());
    for m in items {
        if let Some(id) = m.classification_id.as_deref() {
            by_id.entry(id).or_insert(m);
        }
    }
    ids.iter().map(|id| by_id.get(id).copied()).collect()
}

/// [`metadata_in_order`] with an item holding only the id where there is none, so that every
/// member of a collection has a row.
pub fn metadata_of_members(ids: &[&str], items: &[MetadataItem]) -> Vec<MetadataItem> {
    metadata_in_order(ids, items)
        .into_iter()
        .zip(ids)
        .map(|(m, id)| {
            m.cloned()
                .unwrap_or_else(|| MetadataItem { classification_id: Some((*id).to_owned()), ..Default::default() })
        })
        .collect()
}

/// A table of JSON values: `columns`, then one row per item; `index` names the column that
/// identifies rows (`classification_id` when unique, else `sample_id`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MetadataTable {
    pub index: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

fn id_from_uri(v: &Value) -> Value {
    match v.get("$uri").and_then(Value::as_str) {
        Some(u) => Value::from(u.rsplit('/').next().unwrap_or(u)),
        None => v.get("id").cloned().unwrap_or(Value::Null),
    }
}

/// The metadata table of: the 13 metadata fields, then `classification_id, sample_id,
/// metadata_id, created_at, filename, project`, then every `custom` key (first-seen order; a
/// custom key named like an earlier column overwrites that column's value, as
/// `dict.update` does). Missing values are null.
pub fn metadata_table(items: &[MetadataItem]) -> MetadataTable {
    let mut columns: Vec<String> = METADATA_FIELDS.iter().map(|s| s.to_string()).collect();
    columns.extend(
        ["classification_id", "sample_id", "metadata_id", "created_at", "filename", "project"]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut records: Vec<Map<String, Value>> = Vec::with_capacity(items.len());
    for it in items {
        let m = &it.metadata;
        let s = &it.sample;
        let mut rec = Map::new();
        for f in METADATA_FIELDS {
            rec.insert(f.into(), m.get(f).cloned().unwrap_or(Value::Null));
        }
        rec.insert("classification_id".into(), it.classification_id.clone().map_or(Value::Null, Value::from));
        rec.insert("sample_id".into(), id_from_uri(s));
        rec.insert("metadata_id".into(), id_from_uri(m));
        rec.insert("created_at".into(), s.get("created_at").cloned().unwrap_or(Value::Null));
        rec.insert("filename".into(), s.get("filename").cloned().unwrap_or(Value::Null));
        let project = match (&it.project_name, s.get("project")) {
            (Some(n), _) => Value::from(n.clone()),
            (None, Some(p)) => p.get("name").cloned().unwrap_or_else(|| Value::from("")),
            (None, None) => Value::from(""),
        };
        rec.insert("project".into(), project);
        if let Some(Value::Object(custom)) = m.get("custom") {
            for (k, v) in custom {
                if !columns.iter().any(|c| c == k) {
                    columns.push(k.clone());
                }
                rec.insert(k.clone(), v.clone());
            }
        }
        records.push(rec);
    }
    let rows: Vec<Vec<Value>> =
        records.iter().map(|r| columns.iter().map(|c| r.get(c).cloned().unwrap_or(Value::Null)).collect()).collect();
    let ci = columns.iter().position(|c| c == "classification_id").unwrap_or(0);
    let mut seen = super::strings::StringTable::with_capacity(rows.len());
    let unique = rows.iter().all(|r| {
        let before = seen.len();
        seen.intern(&r[ci].to_string());
        seen.len() > before
    });
    MetadataTable { index: if unique { "classification_id" } else { "sample_id" }.to_string(), columns, rows }
}
