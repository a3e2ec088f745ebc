//! What every spec shares, as Altair's `to_dict()` writes it: the top level (theme config, data
//! by name in `datasets`, `$schema`), encodings of a field with its inferred type, the chart
//! properties, and the client's `sort_helper`.

use super::theme;
use super::{plot_error, SortFn};
use crate::error::Result;
use serde_json::{json, Map, Value};

/// The Vega-Lite the package is tested with (vega-embed compares the major version).
pub const VEGA_LITE_SCHEMA: &str = "https://vega.github.io/schema/vega-lite/v6.json";

/// A name for inline data: `data-` and a hash of its rows, as Altair names datasets (the hash
/// differs from Altair's MD5; equal rows give equal names, so charts that share data share it).
pub fn dataset_name(rows: &[Value]) -> String {
    // FNV-1a, 128 bits: no dependency, and collisions between a chart's few datasets are moot.
    let text = Value::Array(rows.to_vec()).to_string();
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in text.bytes() {
        h ^= b as u128;
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    format!("data-{h:032x}")
}

/// A top-level spec: `body` (mark, encoding, layers …) with the theme's config, its datasets
/// inline and `$schema`. `datasets` are the rows of every `data` name the body refers to.
pub(crate) fn top_level(mut body: Map<String, Value>, datasets: Vec<(String, Vec<Value>)>) -> Value {
    let mut all = Map::new();
    for (name, rows) in datasets {
        all.insert(name, Value::Array(rows));
    }
    let mut spec = Map::new();
    spec.insert("config".into(), theme::config());
    spec.append(&mut body);
    spec.insert("$schema".into(), VEGA_LITE_SCHEMA.into());
    spec.insert("datasets".into(), Value::Object(all));
    Value::Object(spec)
}

/// `{"name": …}` for rows, with the dataset to list at the top level.
pub(crate) fn named_data(rows: Vec<Value>) -> (Value, (String, Vec<Value>)) {
    let name = dataset_name(&rows);
    (json!({ "name": name }), (name, rows))
}

/// Vega-Lite reads `.`, `[` and `]` in a field name as paths: Altair's `escape_chart_fields`.
pub(crate) fn escape_field(name: &str) -> String {
    name.replace('.', "\\.").replace('[', "\\[").replace(']', "\\]")
}

/// Vega-Lite's type of a data column, as Altair infers it from the pandas dtype: numbers (and
/// all-missing float columns) are quantitative, the rest nominal.
pub(crate) fn infer_type<'v>(values: impl IntoIterator<Item = &'v Value>) -> &'static str {
    let mut any = false;
    for v in values {
        match v {
            Value::Null => {}
            Value::Number(_) => any = true,
            _ => return "nominal",
        }
    }
    if any {
        "quantitative"
    } else {
        "nominal"
    }
}

/// The type of a field of `rows` (records).
pub(crate) fn column_type(rows: &[Value], field: &str) -> &'static str {
    infer_type(rows.iter().map(|r| r.get(field).unwrap_or(&Value::Null)))
}

/// `{"field", "type"}` for a field of the data.
pub(crate) fn field(name: &str, ty: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("field".into(), escape_field(name).into());
    m.insert("type".into(), ty.into());
    m
}

/// The `column` channel that facets a chart by `field` (the encoding `field()` gives), headed at
/// the bottom as the Python client heads it.
pub(crate) fn facet_column(mut field: Map<String, Value>, title: &str) -> Value {
    field.insert("header".into(), json!({ "labelOrient": "bottom", "title": title, "titleOrient": "bottom" }));
    Value::Object(field)
}

/// A tooltip entry for a field of `rows`: `name:Q` style shorthands keep their type.
pub(crate) fn tooltip_entry(rows: &[Value], shorthand: &str) -> Value {
    let (name, ty) = match shorthand.rsplit_once(':') {
        Some((n, "Q")) => (n, "quantitative"),
        Some((n, "N")) => (n, "nominal"),
        Some((n, "O")) => (n, "ordinal"),
        Some((n, "T")) => (n, "temporal"),
        _ => (shorthand, column_type(rows, shorthand)),
    };
    Value::Object(field(name, ty))
}

/// Python's `prepare_props`: only the properties given (and not empty or zero).
pub(crate) fn set_props(spec: &mut Map<String, Value>, title: Option<&str>, width: Option<f64>, height: Option<f64>) {
    if let Some(t) = title.filter(|t| !t.is_empty()) {
        spec.insert("title".into(), t.into());
    }
    if let Some(h) = height.filter(|&h| h != 0.0) {
        spec.insert("height".into(), number(h));
    }
    if let Some(w) = width.filter(|&w| w != 0.0) {
        spec.insert("width".into(), number(w));
    }
}

/// A JSON number, integral when it is (Python passes `width=400` as an int).
pub(crate) fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// A float as Altair writes it: NaN and infinities become null.
pub(crate) fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A value as a label: Python's `str()` of it (`None` for null).
pub(crate) fn display(v: &Value) -> String {
    crate::ecology::collection::python_str(v).unwrap_or_else(|| "None".into())
}

/// An axis sort as the option gives it: a list of the labels or a function of them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(untagged)]
pub enum SortOption {
    #[default]
    None,
    Labels(Vec<String>),
}

/// Python's `sort_helper`: a given order must hold exactly the labels; a function gets the
/// distinct labels. `None` (no sort given) is Vega-Lite's `sort: null`.
pub(crate) fn sort_helper(sort: &SortOption, sort_fn: Option<SortFn>, labels: &[String], axis: &str) -> Result<Value> {
    use std::collections::HashSet;
    let distinct: Vec<String> = {
        let mut seen = HashSet::new();
        labels.iter().filter(|l| seen.insert(l.as_str())).cloned().collect()
    };
    if let Some(f) = sort_fn {
        return Ok(json!(f(&distinct)?));
    }
    match sort {
        SortOption::None => Ok(Value::Null),
        SortOption::Labels(order) => {
            let given: HashSet<&str> = order.iter().map(String::as_str).collect();
            let have: HashSet<&str> = distinct.iter().map(String::as_str).collect();
            if given != have {
                return Err(plot_error(format!("{axis} must have the same items as your dataset.")));
            }
            Ok(json!(order))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_pandas_dtypes() {
        assert_eq!(infer_type(&[json!(1), Value::Null, json!(2.5)]), "quantitative");
        assert_eq!(infer_type(&[json!("a"), json!(1)]), "nominal");
        assert_eq!(infer_type(&[json!(true)]), "nominal");
        assert_eq!(infer_type(&[Value::Null]), "nominal");
    }

    #[test]
    fn fields_are_escaped_and_props_skip_empty_values() {
        assert_eq!(escape_field("a.b[0]"), "a\\.b\\[0\\]");
        let mut m = Map::new();
        set_props(&mut m, Some(""), Some(300.0), None);
        assert_eq!(Value::Object(m), json!({ "width": 300 }));
    }

    #[test]
    fn sort_orders_must_hold_the_labels() {
        let labels: Vec<String> = ["b", "a", "b"].iter().map(|s| s.to_string()).collect();
        let ok = SortOption::Labels(vec!["a".into(), "b".into()]);
        assert_eq!(sort_helper(&ok, None, &labels, "sort_x").unwrap(), json!(["a", "b"]));
        let bad = SortOption::Labels(vec!["a".into()]);
        assert!(sort_helper(&bad, None, &labels, "sort_x").is_err());
        assert_eq!(sort_helper(&SortOption::None, None, &labels, "sort_x").unwrap(), Value::Null);
        let rev = |v: &[String]| -> Result<Vec<String>> { Ok(v.iter().rev().cloned().collect()) };
        assert_eq!(sort_helper(&SortOption::None, Some(&rev), &labels, "sort_x").unwrap(), json!(["a", "b"]));
        assert_ne!(dataset_name(&[json!(1)]), dataset_name(&[json!(2)]));
    }
}
