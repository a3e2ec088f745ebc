//! The Python client's `_metadata_fetch`: the columns a plot joins to its data for `label`,
//! `tooltip`, `haxis`, `color`, `size` and the like. A name is a metadata field, `Label`, a
//! tax id of the plotted table, or a taxon name (then that taxon's abundance within its own
//! rank); fields given as a list are joined with `_`.

use super::metadata::{is_datetime, python_isoformat, DATETIME_FIELDS};
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
    /// The columns of date-time fields (written as Altair writes them: `isoformat()`, NaT empty).
    pub datetime_columns: HashSet<String>,
}

impl MetadataFetch {
    /// The column name of a field asked for.
    pub fn name_of(&self, f: &FieldName) -> String {
        self.renamed.iter().find(|(k, _)| k == f).map_or_else(|| f.joined(), |(_, v)| v.clone())
    }
    /// The column of a field asked for as a tooltip's shorthand: `name:T` for a date-time
    /// field (Altair reads a `datetime64` column as temporal), else its name.
    pub fn tooltip_name(&self, f: &FieldName) -> String {
        let name = self.name_of(f);
        if self.datetime_columns.contains(&name) {
            format!("{name}:T")
        } else {
            name
        }
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
    /// A date-time field of the metadata model (`date_collected`, `created_at`…) holding only
    /// date-times: pandas' `datetime64` column.
    pub fn is_datetime(&self, c: usize) -> bool {
        DATETIME_FIELDS.contains(&self.columns[c].as_str()) && is_datetime(self, c)
    }
    /// pandas 3's `series.astype(str)` of a column: each value's `str()`, missing values kept
    /// missing (`None` here) whatever the dtype. Numbers of a `float64` column (one with a
    /// missing value or a fraction) read `3.0`; date-times as pandas writes them.
    pub fn str_column(&self, c: usize) -> Vec<Option<String>> {
        let values: Vec<&Value> = self.rows.iter().map(|r| &r[c]).collect();
        if self.is_datetime(c) {
            return pandas_datetime_strs(&values);
        }
        let floats = self.is_numeric(c) && values.iter().any(|v| v.is_null() || v.is_f64());
        values
            .iter()
            .map(|v| match v {
                Value::Number(n) if floats => python_str(&Value::from(n.as_f64().unwrap_or(f64::NAN))),
                v => python_str(v),
            })
            .collect()
    }
}

/// pandas' `astype(str)` of a `datetime64` column (missing values stay missing): a space before
/// the time, the fraction to the digits the column needs (none, 3, 6 or 9), the values with an
/// offset in UTC (`+00:00`); a column without offsets reads bare, as dates if all are midnight.
fn pandas_datetime_strs(values: &[&Value]) -> Vec<Option<String>> {
    let parsed: Vec<Option<(i64, u32)>> = values
        .iter()
        .map(|v| {
            let s = v.as_str()?.trim();
            crate::time::instant(&if s.len() == 10 { format!("{s}T00:00:00") } else { s.to_owned() })
        })
        .collect();
    let present = || parsed.iter().flatten();
    let naive = values.iter().filter_map(|v| v.as_str()).all(|s| !crate::time::is_rfc3339_with_offset(s.trim()));
    let digits = match () {
        _ if present().all(|&(_, n)| n == 0) => 0,
        _ if present().all(|&(_, n)| n % 1_000_000 == 0) => 3,
        _ if present().all(|&(_, n)| n % 1_000 == 0) => 6,
        _ => 9,
    };
    let dates_only = naive && present().all(|&(s, n)| s.rem_euclid(86_400) == 0 && n == 0);
    parsed
        .iter()
        .map(|p| {
            let (secs, nanos) = (*p)?;
            let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
            let (y, mo, d) = crate::time::civil_from_days(days);
            let date = format!("{y:04}-{mo:02}-{d:02}");
            if dates_only {
                return Some(date);
            }
            let frac = match digits {
                0 => String::new(),
                k => format!(".{:0k$}", nanos / 10u32.pow(9 - k as u32)),
            };
            let tz = if naive { "" } else { "+00:00" };
            Some(format!("{date} {:02}:{:02}:{:02}{frac}{tz}", rem / 3600, rem % 3600 / 60, rem % 60))
        })
        .collect()
}

/// The client's `_make_labels_by_item_id` under pandas 3: a field's values `astype(str)` or the
/// label function's, with ` (1)`, ` (2)` … added to labels that repeat. Missing values stay
/// missing (`None`) but are one repeated label, NaN: two or more read `nan (1)`, `nan (2)` …
pub(crate) fn make_labels(
    input: &PlotInput,
    frame: &MetadataFrame,
    label: Option<&LabelOption>,
) -> Result<Vec<Option<String>>> {
    let raw: Vec<Option<String>> = if let Some(f) = input.label_fn {
        (0..frame.rows.len()).map(|i| f(&frame.record(i)).map(Some)).collect::<Result<_>>()?
    } else if let Some(LabelOption(field)) = label {
        let Some(c) = frame.position(field) else {
            return Err(plot_error(format!("Label field {field} not found. Choose from: {}", frame.help())));
        };
        frame.str_column(c)
    } else {
        return Ok(Vec::new());
    };
    let mut counts: HashMap<Option<&str>, usize> = HashMap::new();
    for l in &raw {
        *counts.entry(l.as_deref()).or_default() += 1;
    }
    let mut next: HashMap<Option<&str>, usize> = HashMap::new();
    Ok(raw
        .iter()
        .map(|l| {
            let key = l.as_deref();
            if counts[&key] > 1 {
                let n = next.entry(key).or_insert(1);
                let out = format!("{} ({n})", key.unwrap_or("nan"));
                *n += 1;
                Some(out)
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
    _coerce_missing_composite: bool,
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
                    if frame.is_numeric(c) || frame.is_datetime(c) {
                        return Err(plot_error("When specifying multiple metadata fields, all must be categorical"));
                    }
                    cols.push(c);
                }
                let name = f.joined();
                let values = joined_values(&frame, &cols);
                out.set(name.clone(), values);
                out.renamed.push((f.clone(), name));
            }
            FieldName::One(s) if s == "Label" => {
                let values = if label_given {
                    make_labels(input, &frame, label)?.into_iter().map(|l| l.map_or(Value::Null, Value::from)).collect()
                } else {
                    frame.column("filename").unwrap_or_else(|| vec![Value::Null; n])
                };
                out.set(s.clone(), values);
                out.renamed.push((f.clone(), s.clone()));
            }
            FieldName::One(s) if frame.position(s).is_some() => {
                let c = frame.position(s).unwrap_or_default();
                let mut values = frame.column(s).unwrap_or_default();
                if frame.is_datetime(c) {
                    // a `datetime64` column as Altair writes it: `isoformat()`, NaT empty
                    for v in values.iter_mut() {
                        *v = Value::from(v.as_str().and_then(python_isoformat).unwrap_or_default());
                    }
                    out.datetime_columns.insert(s.clone());
                }
                out.set(s.clone(), values);
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
                    let m = input.collection.shared_matrix(&MatrixOptions {
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

/// The values of fields joined with `_` (`str.cat` of each `astype(str)`, left `_` stripped):
/// pandas 3's `astype(str)` keeps missing values missing, so with either
/// `coerce_missing_composite_fields` a value with a missing part is missing.
fn joined_values(frame: &MetadataFrame, cols: &[usize]) -> Vec<Value> {
    let strs: Vec<Vec<Option<String>>> = cols.iter().map(|&c| frame.str_column(c)).collect();
    (0..frame.rows.len())
        .map(|i| {
            let parts: Option<Vec<&str>> = strs.iter().map(|col| col[i].as_deref()).collect();
            parts.map_or(Value::Null, |p| Value::from(p.join("_").trim_start_matches('_')))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Collection;
    use serde_json::json;

    fn frame(columns: &[&str], rows: Vec<Vec<Value>>) -> MetadataFrame {
        MetadataFrame { columns: columns.iter().map(|s| s.to_string()).collect(), rows }
    }
    fn labels(f: &MetadataFrame, field: &str) -> Vec<Option<String>> {
        let no_collection = Collection::default();
        let input = PlotInput::new(&no_collection, &[], "");
        make_labels(&input, f, Some(&LabelOption(field.into()))).unwrap()
    }
    fn strs(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|s| s.map(str::to_owned)).collect()
    }

    #[test]
    fn missing_labels_are_one_repeated_nan() {
        let f = frame(
            &["s"],
            vec![vec![json!("a")], vec![Value::Null], vec![json!("a")], vec![Value::Null], vec![json!("b")]],
        );
        assert_eq!(labels(&f, "s"), strs(&[Some("a (1)"), Some("nan (1)"), Some("a (2)"), Some("nan (2)"), Some("b")]));
        // a lone missing value repeats nothing: it stays missing, and is null in the fetch
        let f = frame(&["s"], vec![vec![json!("a")], vec![Value::Null]]);
        assert_eq!(labels(&f, "s"), strs(&[Some("a"), None]));
    }

    #[test]
    fn numbers_and_booleans_as_pandas_writes_them() {
        let f = frame(
            &["i", "f", "b"],
            vec![
                vec![json!(3), json!(3), json!(true)],
                vec![json!(4), Value::Null, Value::Null],
                vec![json!(5), json!(2.5), json!(false)],
            ],
        );
        assert_eq!(f.str_column(0), strs(&[Some("3"), Some("4"), Some("5")]));
        // a column with a missing number is float64: its integers read 3.0
        assert_eq!(f.str_column(1), strs(&[Some("3.0"), None, Some("2.5")]));
        assert_eq!(f.str_column(2), strs(&[Some("True"), None, Some("False")]));
    }

    #[test]
    fn datetimes_as_pandas_writes_them() {
        let f = frame(
            &["date_sequenced", "date_collected", "updated_at", "created_at", "visit"],
            vec![
                vec![
                    json!("2025-03-27T11:29:50.728519+00:00"),
                    json!("2024-01-01T00:00:00Z"),
                    json!("2024-01-01"),
                    json!("2024-01-01T08:00:00.5Z"),
                    json!("2024-01-01T00:00:00Z"),
                ],
                vec![
                    Value::Null,
                    json!("2024-01-02T03:04:05Z"),
                    json!("2024-01-02"),
                    json!("2024-01-02T00:00:00Z"),
                    Value::Null,
                ],
                vec![
                    json!("2024-01-01T00:00:00+00:00"),
                    Value::Null,
                    Value::Null,
                    json!("2024-01-03T00:00:00Z"),
                    Value::Null,
                ],
            ],
        );
        // the fraction to the digits the column needs, a space before the time, NaT missing
        assert_eq!(
            f.str_column(0),
            strs(&[Some("2025-03-27 11:29:50.728519+00:00"), None, Some("2024-01-01 00:00:00.000000+00:00")])
        );
        assert_eq!(
            f.str_column(1),
            strs(&[Some("2024-01-01 00:00:00+00:00"), Some("2024-01-02 03:04:05+00:00"), None])
        );
        // without offsets, midnights only: dates
        assert_eq!(f.str_column(2), strs(&[Some("2024-01-01"), Some("2024-01-02"), None]));
        assert_eq!(
            f.str_column(3),
            strs(&[
                Some("2024-01-01 08:00:00.500+00:00"),
                Some("2024-01-02 00:00:00.000+00:00"),
                Some("2024-01-03 00:00:00.000+00:00")
            ])
        );
        // a custom field is text, whatever it holds
        assert_eq!(f.str_column(4), strs(&[Some("2024-01-01T00:00:00Z"), None, None]));
        assert_eq!(labels(&f, "date_sequenced")[1], None);
        let two_missing =
            frame(&["date_collected"], vec![vec![Value::Null], vec![json!("2024-01-01T00:00:00Z")], vec![Value::Null]]);
        assert_eq!(
            labels(&two_missing, "date_collected"),
            strs(&[Some("nan (1)"), Some("2024-01-01 00:00:00+00:00"), Some("nan (2)")])
        );
    }

    #[test]
    fn joined_fields_are_missing_where_a_part_is() {
        let f = frame(
            &["site", "kind", "ok"],
            vec![
                vec![json!("stool"), json!("WGS"), json!(true)],
                vec![json!("soil"), Value::Null, json!(false)],
                vec![json!(""), json!("RNA"), Value::Null],
            ],
        );
        assert_eq!(joined_values(&f, &[0, 1]), vec![json!("stool_WGS"), Value::Null, json!("RNA")]);
        assert_eq!(joined_values(&f, &[1, 2]), vec![json!("WGS_True"), Value::Null, Value::Null]);
    }
}
