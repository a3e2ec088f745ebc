//! The Python client's `_metadata_fetch`: the columns a plot joins to its data for `label`,
//! `tooltip`, `haxis`, `color`, `size` and the like. A name is a metadata field, `Label`, a
//! tax id of the plotted table, or a taxon name (then that taxon's abundance within its own
//! rank); fields given as a list are joined with `_`.

use super::{plot_error, PlotInput};
use crate::ecology::collection::python_str;
use crate::error::Result;
use crate::results::{
    metadata_of_members, metadata_table, Matrix, MatrixOptions, Metric, MetricOption, Rank, RankOption,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// A metadata field (or taxon), or several categorical fields joined with `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(untagged)]
pub enum FieldName {
    One(String),
    Joined(Vec<String>),
}

impl FieldName {
    pub fn one(s: &str) -> Self {
        FieldName::One(s.to_owned())
    }
    /// The name in messages and of a joined column.
    pub fn joined(&self) -> String {
        match self {
            FieldName::One(s) => s.clone(),
            FieldName::Joined(v) => v.join("_"),
        }
    }
}

/// `label` given as a metadata field (a function of the row is `PlotInput::label_fn`).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct LabelOption(pub String);

/// The fetched columns, one value per member of the collection, in collection order.
#[derive(Debug, Clone, Default)]
pub struct MetadataFetch {
    /// (column name after renaming, values)
    pub columns: Vec<(String, Vec<Value>)>,
    /// Each field asked for and its column's name (`Bacteroides (816)` for `bacteroid`).
    pub renamed: Vec<(FieldName, String)>,
    /// The fields that matched a taxon.
    pub taxonomy_fields: HashSet<FieldName>,
}

impl MetadataFetch {
    /// The column name of a field asked for.
    pub fn name_of(&self, f: &FieldName) -> String {
        self.renamed.iter().find(|(k, _)| k == f).map_or_else(|| f.joined(), |(_, v)| v.clone())
    }
    pub fn column(&self, name: &str) -> Option<&[Value]> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| &v[..])
    }
    fn set(&mut self, name: String, values: Vec<Value>) {
        match self.columns.iter_mut().find(|(n, _)| *n == name) {
            Some(c) => c.1 = values,
            None => self.columns.push((name, values)),
        }
    }
}

/// The collection's metadata as the client's `metadata` DataFrame: its columns (the index column
/// left out) and one row per member.
pub(crate) struct MetadataFrame {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl MetadataFrame {
    pub fn of(input: &PlotInput) -> MetadataFrame {
        let t = metadata_table(&metadata_of_members(&input.collection.classification_ids(), input.meta));
        let keep: Vec<usize> = (0..t.columns.len()).filter(|&i| t.columns[i] != t.index).collect();
        MetadataFrame {
            columns: keep.iter().map(|&i| t.columns[i].clone()).collect(),
            rows: t.rows.iter().map(|r| keep.iter().map(|&i| r[i].clone()).collect()).collect(),
        }
    }
    pub fn position(&self, field: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == field)
    }
    pub fn column(&self, field: &str) -> Option<Vec<Value>> {
        self.position(field).map(|c| self.rows.iter().map(|r| r[c].clone()).collect())
    }
    /// The row as the dict a label function receives.
    pub fn record(&self, row: usize) -> Map<String, Value> {
        self.columns.iter().cloned().zip(self.rows[row].iter().cloned()).collect()
    }
    fn help(&self) -> String {
        self.columns.join(", ")
    }
    /// pandas' column dtype: numbers (with missing values) make a numeric column.
    pub fn is_numeric(&self, c: usize) -> bool {
        let mut non_null = self.rows.iter().map(|r| &r[c]).filter(|v| !v.is_null()).peekable();
        non_null.peek().is_some() && non_null.all(Value::is_number)
    }
    /// `series.astype(str)`: missing values are `nan` in a numeric column, else `None`.
    pub fn as_str(&self, c: usize, row: usize) -> String {
        python_str(&self.rows[row][c]).unwrap_or_else(|| if self.is_numeric(c) { "nan".into() } else { "None".into() })
    }
}

/// The client's `_make_labels_by_item_id`: a field's values (`str()`-ed) or the label function's,
/// with ` (1)`, ` (2)` … added to labels that repeat.
pub(crate) fn make_labels(
    input: &PlotInput,
    frame: &MetadataFrame,
    label: Option<&LabelOption>,
) -> Result<Vec<String>> {
    let raw: Vec<String> = if let Some(f) = input.label_fn {
        (0..frame.rows.len()).map(|i| f(&frame.record(i))).collect::<Result<_>>()?
    } else if let Some(LabelOption(field)) = label {
        let Some(c) = frame.position(field) else {
            return Err(plot_error(format!("Label field {field} not found. Choose from: {}", frame.help())));
        };
        (0..frame.rows.len()).map(|i| frame.as_str(c, i)).collect()
    } else {
        return Ok(Vec::new());
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for l in &raw {
        *counts.entry(l).or_default() += 1;
    }
    let mut next: HashMap<&str, usize> = HashMap::new();
    Ok(raw
        .iter()
        .map(|l| {
            if counts[l.as_str()] > 1 {
                let n = next.entry(l).or_insert(1);
                let out = format!("{l} ({n})");
                *n += 1;
                out
            } else {
                l.clone()
            }
        })
        .collect())
}

/// The plotted table a fetch may match tax ids against: its classification ids, tax ids and
/// values, and the metric (for taxa matched by name, fetched at their own rank).
pub(crate) struct ResultsFrame<'a> {
    pub matrix: &'a Matrix,
    pub metric: Metric,
}

/// `_metadata_fetch(fields, results_df, label, match_taxonomy, coerce_missing_composite_fields)`.
pub(crate) fn metadata_fetch(
    input: &PlotInput,
    fields: &[FieldName],
    results: &ResultsFrame,
    label: Option<&LabelOption>,
    match_taxonomy: bool,
    coerce_missing_composite: bool,
) -> Result<MetadataFetch> {
    let frame = MetadataFrame::of(input);
    let ids = input.collection.classification_ids();
    let n = ids.len();
    let mut fields: Vec<FieldName> = fields.to_vec();
    let label_given = label.is_some() || input.label_fn.is_some();
    let label_field = FieldName::one("Label");
    if label_given && !fields.contains(&label_field) {
        fields.push(label_field);
    }
    let mut out = MetadataFetch::default();
    let mut seen = HashSet::new();
    for f in fields.iter().filter(|f| seen.insert((*f).clone())) {
        match f {
            FieldName::Joined(parts) => {
                let mut cols = Vec::with_capacity(parts.len());
                for p in parts {
                    let Some(c) = frame.position(p) else {
                        return Err(plot_error(format!("Metadata field {p} not found. Choose from: {}", frame.help())));
                    };
                    if frame.is_numeric(c) {
                        return Err(plot_error("When specifying multiple metadata fields, all must be categorical"));
                    }
                    cols.push(c);
                }
                let name = f.joined();
                let values = (0..n)
                    .map(|i| {
                        let parts: Option<Vec<String>> = cols
                            .iter()
                            .map(|&c| {
                                if coerce_missing_composite {
                                    Some(frame.as_str(c, i))
                                } else {
                                    python_str(&frame.rows[i][c])
                                }
                            })
                            .collect();
                        parts.map_or(Value::Null, |p| Value::from(p.join("_").trim_start_matches('_')))
                    })
                    .collect();
                out.set(name.clone(), values);
                out.renamed.push((f.clone(), name));
            }
            FieldName::One(s) if s == "Label" => {
                let values = if label_given {
                    make_labels(input, &frame, label)?.into_iter().map(Value::from).collect()
                } else {
                    frame.column("filename").unwrap_or_else(|| vec![Value::Null; n])
                };
                out.set(s.clone(), values);
                out.renamed.push((f.clone(), s.clone()));
            }
            FieldName::One(s) if frame.position(s).is_some() => {
                out.set(s.clone(), frame.column(s).unwrap_or_default());
                out.renamed.push((f.clone(), s.clone()));
            }
            FieldName::One(s) => {
                let tax = input.collection.taxonomy(false);
                let in_results = results.matrix.column_index(s).filter(|_| tax.index_of(s).is_some());
                if match_taxonomy && in_results.is_some() {
                    let t = tax.index_of(s).unwrap_or_default();
                    if tax.canonical_rank(t).is_some() {
                        let name = format!("{} ({s})", tax.name(t).unwrap_or("None"));
                        out.set(name.clone(), results_column(results.matrix, in_results.unwrap_or_default(), &ids));
                        out.renamed.push((f.clone(), name));
                        out.taxonomy_fields.insert(f.clone());
                    } else {
                        // a non-canonical rank: a column of nothing
                        out.set(s.clone(), vec![Value::Null; n]);
                        out.renamed.push((f.clone(), s.clone()));
                    }
                } else if let Some((t, rank)) = match_taxonomy.then(|| taxon_by_name(input, s)).flatten() {
                    let m = input.collection.to_matrix(&MatrixOptions {
                        rank: RankOption::Rank(rank),
                        metric: MetricOption::Metric(results.metric),
                        ..MatrixOptions::default()
                    })?;
                    let tax_id = tax.tax_id(t).to_owned();
                    let name = format!("{} ({tax_id})", tax.name(t).unwrap_or("None"));
                    let values = match m.matrix.column_index(&tax_id) {
                        Some(c) => results_column(&m.matrix, c, &ids),
                        None => vec![Value::Null; n],
                    };
                    out.set(name.clone(), values);
                    out.renamed.push((f.clone(), name));
                    out.taxonomy_fields.insert(f.clone());
                } else {
                    out.set(s.clone(), vec![Value::Null; n]);
                    out.renamed.push((f.clone(), s.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// A column of the plotted table per member (null where the table has no row for it).
fn results_column(m: &Matrix, col: usize, ids: &[&str]) -> Vec<Value> {
    ids.iter().map(|id| m.row_index(id).and_then(|r| m.get(r, col)).map_or(Value::Null, super::spec::float)).collect()
}

/// A taxon of a canonical rank whose name is `query` (case-insensitive) or, failing an exact
/// match, contains it; the lowest tax id of those. Queries of 4 characters or fewer match nothing.
fn taxon_by_name(input: &PlotInput, query: &str) -> Option<(usize, Rank)> {
    if query.chars().count() <= 4 {
        return None;
    }
    let tax = input.collection.taxonomy(false);
    let q = query.to_lowercase();
    let mut hits: Vec<usize> = Vec::new();
    for t in 0..tax.len() {
        if tax.canonical_rank(t).is_none() {
            continue;
        }
        let name = tax.name(t).unwrap_or("").to_lowercase();
        if name == q {
            hits = vec![t];
            break;
        } else if name.contains(&q) {
            hits.push(t);
        }
    }
    let t = hits.into_iter().min_by_key(|&t| tax.tax_id(t).parse::<i64>().unwrap_or(i64::MAX))?;
    Some((t, tax.canonical_rank(t)?))
}
