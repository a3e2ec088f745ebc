//! Which fields each resource can be filtered on, and with which operators. One table serves
//! validation here and the TypeScript filter types the wasm layer publishes, so the two cannot
//! disagree.

use crate::error::kind_of;
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// The kinds of filterable field, after `onecodex/models/filters.py`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text: equality, lists and the substring operators.
    Str,
    /// Enum-backed text columns: whole values only.
    EnumStr,
    /// Equality only (`Users.email`).
    EqStr,
    Num,
    /// RFC 3339 strings with an offset.
    Datetime,
    Bool,
    /// A to-one reference: an id, a URI, `{ $ref }` or an object with a `$uri`.
    Ref,
    /// A to-many reference (`tags`).
    RefList,
    /// `Samples.tax_ids`: tax-id strings a sample must all contain.
    TaxIds,
}

impl FieldKind {
    /// The kind's name in the TypeScript `…Fields` interfaces and `filterableFields`.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Str => "str",
            FieldKind::EnumStr => "enum",
            FieldKind::EqStr => "eqstr",
            FieldKind::Num => "num",
            FieldKind::Datetime => "datetime",
            FieldKind::Bool => "bool",
            FieldKind::Ref => "ref",
            FieldKind::RefList => "reflist",
            FieldKind::TaxIds => "taxids",
        }
    }

    pub fn operators(self) -> &'static [&'static str] {
        const STR: &[&str] =
            &["$eq", "$ne", "$in", "$contains", "$icontains", "$startswith", "$istartswith", "$endswith", "$iendswith"];
        const ORDERED: &[&str] = &["$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$between", "$in"];
        match self {
            FieldKind::Str => STR,
            FieldKind::EnumStr | FieldKind::Ref => &["$eq", "$ne", "$in"],
            FieldKind::EqStr | FieldKind::Bool => &["$eq", "$ne"],
            FieldKind::Num | FieldKind::Datetime => ORDERED,
            FieldKind::RefList => &["$containsall", "$containsany"],
            FieldKind::TaxIds => &["$containsall"],
        }
    }

    /// Checks one literal (an equality value, an `$in` element, a `$between` bound…).
    fn check_literal(self, field: &str, op: &str, v: &Value) -> Result<()> {
        let ok = match (self, v) {
            (_, Value::Null) => matches!(op, "" | "$eq" | "$ne"),
            (FieldKind::Str | FieldKind::EnumStr | FieldKind::EqStr, Value::String(_)) => true,
            (FieldKind::Num, Value::Number(_)) => true,
            (FieldKind::Datetime, Value::String(s)) => crate::time::is_rfc3339_with_offset(s),
            (FieldKind::Bool, Value::Bool(_)) => true,
            (FieldKind::Ref | FieldKind::RefList, Value::String(s)) => !s.is_empty(),
            (FieldKind::Ref | FieldKind::RefList, Value::Object(m)) => {
                m.len() == 1 && m.get("$ref").is_some_and(Value::is_string)
            }
            (FieldKind::TaxIds, Value::String(s)) => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let want = match self {
            FieldKind::Str | FieldKind::EnumStr | FieldKind::EqStr => "a string",
            FieldKind::Num => "a number",
            FieldKind::Datetime => "an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00+00:00",
            FieldKind::Bool => "true or false",
            FieldKind::Ref => "an id, a URI, { $ref } or an object with a $uri",
            // `tags` is the only to-many field: its names are resolved when the query runs.
            FieldKind::RefList => "a tag name, an id, a URI, { $ref } or an object with a $uri",
            FieldKind::TaxIds => "tax ids as strings of digits",
        };
        let op = if op.is_empty() { "equality".to_string() } else { format!("operator '{op}'") };
        Err(Error::invalid_filter(format!("field '{field}', {op}: expects {want}, got {}", describe(v))))
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
        Value::Number(n) => n.to_string(),
        other => kind_of(other).to_string(),
    }
}

/// The TypeScript of each kind's filter: a literal (equality), a list (`$in`), null (IS NULL),
/// or an object of the operators the kind takes (several mean AND). Checked against
/// `FieldKind::operators` by a test.
pub const FILTER_KINDS_TYPESCRIPT: &str = r#"
/** A reference: an id, a URI, `{ $ref }`, or an object with a `$uri` (sent as `{ $ref }`). */
export type RefValue = string | { $ref: string } | { $uri: string };
/** Free text. */
export type StrFilter = string | null | readonly string[] | {
  $eq?: string | null; $ne?: string | null; $in?: readonly string[];
  $contains?: string; $icontains?: string; $startswith?: string; $istartswith?: string; $endswith?: string; $iendswith?: string;
};
/** Enum-backed text: whole values only. */
export type EnumStrFilter = string | null | readonly string[] | { $eq?: string | null; $ne?: string | null; $in?: readonly string[] };
/** Equality only. */
export type EqStrFilter = string | null | { $eq?: string | null; $ne?: string | null };
export type NumFilter = number | null | readonly number[] | {
  $eq?: number | null; $ne?: number | null; $lt?: number; $lte?: number; $gt?: number; $gte?: number;
  $between?: readonly [number, number]; $in?: readonly number[];
};
/** RFC 3339 date-times with an offset, e.g. "2026-01-01T00:00:00+00:00". */
export type DatetimeFilter = string | null | readonly string[] | {
  $eq?: string | null; $ne?: string | null; $lt?: string; $lte?: string; $gt?: string; $gte?: string;
  $between?: readonly [string, string]; $in?: readonly string[];
};
export type BoolFilter = boolean | null | { $eq?: boolean | null; $ne?: boolean | null };
export type RefFilter = RefValue | null | readonly RefValue[] | { $eq?: RefValue | null; $ne?: RefValue | null; $in?: readonly RefValue[] };
/** A list means "has all of these"; tags may be given by name, id or object. */
export type RefListFilter = readonly RefValue[] | { $containsall?: readonly RefValue[]; $containsany?: readonly RefValue[] };
/** Tax ids as strings; a sample must contain every one (at least one read). */
export type TaxIdsFilter = readonly string[] | { $containsall: readonly string[] };
"#;

macro_rules! kind_ts {
    (Str) => {
        "StrFilter"
    };
    (EnumStr) => {
        "EnumStrFilter"
    };
    (EqStr) => {
        "EqStrFilter"
    };
    (Num) => {
        "NumFilter"
    };
    (Datetime) => {
        "DatetimeFilter"
    };
    (Bool) => {
        "BoolFilter"
    };
    (Ref) => {
        "RefFilter"
    };
    (RefList) => {
        "RefListFilter"
    };
    (TaxIds) => {
        "TaxIdsFilter"
    };
}

macro_rules! kind_name {
    (Str) => {
        "str"
    };
    (EnumStr) => {
        "enum"
    };
    (EqStr) => {
        "eqstr"
    };
    (Num) => {
        "num"
    };
    (Datetime) => {
        "datetime"
    };
    (Bool) => {
        "bool"
    };
    (Ref) => {
        "ref"
    };
    (RefList) => {
        "reflist"
    };
    (TaxIds) => {
        "taxids"
    };
}

/// The filterable fields of each catalogue row: the lookup table and the TypeScript interfaces
/// `<Stem>Where` and `<Stem>Fields` come from the same lines.
macro_rules! filterable {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, delete: $delete:tt, download: $download:tt, results: [$($results:tt)*],
        update: [$($update:tt)*],
        fields: { $( $field:ident : $kind:ident ),* $(,)? } $(,)?
    } )*) => {
        /// The filterable fields of a resource (by its path name), or None for an unknown resource.
        pub fn fields_of(resource: &str) -> Option<&'static [(&'static str, FieldKind)]> {
            match resource {
                $( stringify!($name) => Some(&[ $( (stringify!($field), FieldKind::$kind) ),* ]), )*
                _ => None,
            }
        }

        /// `export interface SamplesWhere { … }` and one such interface per resource.
        pub const WHERE_TYPESCRIPT: &str = concat!(
            $( "/** Filterable fields of `", stringify!($name), "`; several terms are AND-ed. */\nexport interface ",
               stringify!($stem), "Where {\n",
               $( "  ", stringify!($field), "?: ", kind_ts!($kind), ";\n", )*
               "}\n", )*
        );

        /// `export interface SamplesFields { created_at: "datetime"; … }`: each field's kind, for
        /// the typed filter builder.
        pub const KINDS_TYPESCRIPT: &str = concat!(
            $( "export interface ", stringify!($stem), "Fields {",
               $( " ", stringify!($field), ": \"", kind_name!($kind), "\";", )* " }\n", )*
        );
    };
}

crate::for_each_resource!(filterable);

/// Metadata fields that `samples` filters are joined through (those not on samples itself).
pub fn is_metadata_join_field(field: &str) -> bool {
    field != "updated_at"
        && fields_of("metadata").is_some_and(|m| m.iter().any(|(f, _)| *f == field))
        && field != "sample"
}

/// Validates normalised terms (after `normalize_where`) against a resource's fields.
pub fn validate_terms(resource: &str, terms: &Map<String, Value>) -> Result<()> {
    let fields =
        fields_of(resource).ok_or_else(|| Error::invalid_argument(format!("unknown resource '{resource}'")))?;
    for (field, condition) in terms {
        if field == "$uri" {
            continue; // built by normalize_where from ids
        }
        let kind = fields.iter().find(|(f, _)| f == field).map(|(_, k)| *k).ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
            Error::invalid_filter(format!("unknown field '{field}' for {resource} (filterable: {})", names.join(", ")))
        })?;
        match condition {
            Value::Object(ops) if !(ops.len() == 1 && ops.contains_key("$ref")) => {
                for (op, operand) in ops {
                    if !kind.operators().contains(&op.as_str()) {
                        return Err(Error::invalid_filter(format!(
                            "field '{field}' of {resource} does not take operator '{op}' (it takes: {})",
                            kind.operators().join(" ")
                        )));
                    }
                    match operand {
                        Value::Array(items) => items.iter().try_for_each(|v| kind.check_literal(field, op, v))?,
                        single => kind.check_literal(field, op, single)?,
                    }
                }
            }
            // normalize_where turns lists into $in; a list here is a caller's bug, still no panic.
            Value::Array(_) => {
                return Err(Error::invalid_filter(format!(
                    "field '{field}' of {resource}: a list must be given as {{ \"$in\": [...] }}"
                )))
            }
            literal if matches!(kind, FieldKind::RefList | FieldKind::TaxIds) => {
                return Err(Error::invalid_filter(format!(
                    "field '{field}' of {resource} needs a list or {{ \"$containsall\": [...] }}, got {}",
                    describe(literal)
                )))
            }
            literal => kind.check_literal(field, "", literal)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::query::normalize_where;
    use serde_json::json;

    fn check(resource: &str, filter: Value) -> Result<()> {
        validate_terms(resource, &normalize_where(&filter, &format!("/api/v1/{resource}"))?)
    }

    fn msg(resource: &str, filter: Value) -> String {
        let e = check(resource, filter.clone()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFilter, "{filter}");
        e.message
    }

    #[test]
    fn every_resource_has_a_table() {
        for r in crate::resources::RESOURCES {
            assert!(fields_of(r.name).is_some(), "{}", r.name);
        }
    }

    #[test]
    fn good_filters_pass() {
        check(
            "samples",
            json!({
                "filename": {"$iendswith": ".fastq.gz"}, "size": {"$gte": 1, "$lte": 5},
                "created_at": {"$between": ["2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00.5Z"]},
                "status": ["available"], "project": "4b53797444f846c4", "owner": {"$uri": "/api/v1/users/x"},
                "tags": {"$containsall": [{"$ref": "/api/v1/tags/t"}]}, "tax_ids": {"$containsall": ["543"]},
                "error_msg": null, "platform": "Illumina HiSeq", "id": ["a"]
            }),
        )
        .unwrap();
        check("users", json!({"email": {"$ne": "a@b.c"}})).unwrap();
    }

    #[test]
    fn restrictions_of_section_4_4_and_16() {
        assert!(msg("samples", json!({"status": {"$contains": "avail"}}))
            .contains("'status' of samples does not take operator '$contains'"));
        assert!(msg("users", json!({"email": {"$icontains": "x"}})).contains("'$icontains'"));
        assert!(msg("assets", json!({"status": {"$startswith": "a"}})).contains("takes: $eq $ne $in"));
        assert!(msg("metadata", json!({"platform": {"$endswith": "q"}})).contains("$endswith"));
        assert!(msg("samples", json!({"primary_classification": "x"}))
            .contains("unknown field 'primary_classification' for samples"));
        assert!(msg("metadata", json!({"custom": {"$eq": 1}})).contains("unknown field 'custom'"));
    }

    #[test]
    fn operand_types_are_checked() {
        assert!(
            msg("samples", json!({"size": "big"})).contains("field 'size', equality: expects a number, got \"big\"")
        );
        assert!(msg("samples", json!({"size": {"$in": [1, "2"]}})).contains("'$in'"));
        assert!(msg("samples", json!({"created_at": {"$gte": "2026-01-01"}})).contains("RFC 3339"));
        assert!(msg("samples", json!({"created_at": {"$gte": "2026-01-01T00:00:00"}})).contains("with an offset"));
        assert!(msg("metadata", json!({"starred": "yes"})).contains("true or false"));
        assert!(msg("samples", json!({"tax_ids": {"$containsall": [543]}})).contains("tax ids as strings"));
        assert!(msg("samples", json!({"tags": "x"})).contains("needs a list"));
        assert!(msg("samples", json!({"size": {"$lt": null}})).contains("'$lt'"));
    }

    #[test]
    fn metadata_join_fields() {
        assert!(is_metadata_join_field("platform"));
        assert!(is_metadata_join_field("starred"));
        assert!(!is_metadata_join_field("updated_at"), "exists on both: stays a sample term");
        assert!(!is_metadata_join_field("filename"));
    }

    #[test]
    fn typescript_lists_fields_with_their_filter_types() {
        assert!(WHERE_TYPESCRIPT.contains("export interface SamplesWhere {\n  created_at?: DatetimeFilter;\n"));
        assert!(WHERE_TYPESCRIPT.contains("export interface UsersWhere {\n  email?: EqStrFilter;\n}"));
        assert!(WHERE_TYPESCRIPT.contains("  status?: EnumStrFilter;\n"));
    }

    #[test]
    fn filter_kind_types_offer_exactly_the_allowed_operators() {
        use FieldKind::*;
        for (kind, name) in [
            (Str, "StrFilter"),
            (EnumStr, "EnumStrFilter"),
            (EqStr, "EqStrFilter"),
            (Num, "NumFilter"),
            (Datetime, "DatetimeFilter"),
            (Bool, "BoolFilter"),
            (Ref, "RefFilter"),
            (RefList, "RefListFilter"),
            (TaxIds, "TaxIdsFilter"),
        ] {
            let start =
                FILTER_KINDS_TYPESCRIPT.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("{name}"));
            let rest = &FILTER_KINDS_TYPESCRIPT[start + 1..];
            let decl = &rest[..rest.find("export type").unwrap_or(rest.len())];
            let mut ops: Vec<&str> = decl
                .split('$')
                .skip(1)
                .map(|s| s.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap())
                .collect();
            ops.retain(|o| *o != "ref" && *o != "uri");
            ops.sort();
            ops.dedup();
            let mut want: Vec<&str> = kind.operators().iter().map(|o| &o[1..]).collect();
            want.sort();
            assert_eq!(ops, want, "{name}");
        }
    }

    #[test]
    fn kind_names_match_the_typescript_kinds() {
        for (field, kind) in fields_of("samples").unwrap() {
            assert!(KINDS_TYPESCRIPT.contains(&format!(" {field}: \"{}\";", kind.name())), "{field}");
        }
    }
}
