//! Server-side `where` evaluation (API_SPEC §4.3/§4.4/§16.1) and `sort` (§4.5).
//! An independent implementation: operands are validated per field kind, and an operator a
//! field does not take, or an unknown field, is a 400 naming both.

use crate::model::{filter_only, Kind, Schema};
use serde_json::{Map, Value};
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Eq,
    Ne,
    In,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    ContainsAll,
    ContainsAny,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "$eq" => Op::Eq,
            "$ne" => Op::Ne,
            "$in" => Op::In,
            "$lt" => Op::Lt,
            "$lte" => Op::Lte,
            "$gt" => Op::Gt,
            "$gte" => Op::Gte,
            "$between" => Op::Between,
            "$contains" => Op::Contains,
            "$icontains" => Op::IContains,
            "$startswith" => Op::StartsWith,
            "$istartswith" => Op::IStartsWith,
            "$endswith" => Op::EndsWith,
            "$iendswith" => Op::IEndsWith,
            "$containsall" => Op::ContainsAll,
            "$containsany" => Op::ContainsAny,
            _ => return None,
        })
    }
}

/// The kinds a filter term can apply to (object fields plus the filter-only/virtual ones).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FKind {
    Field(Kind),
    /// `$uri`: fetch many objects by id.
    Uri,
    /// Samples `tax_ids`: `$containsall`/`$containsany` with tax-id strings.
    TaxIds,
}

fn allowed(k: FKind) -> &'static [Op] {
    use Op::*;
    match k {
        FKind::Field(Kind::Str) => &[Eq, Ne, In, Contains, IContains, StartsWith, IStartsWith, EndsWith, IEndsWith],
        FKind::Field(Kind::Enum) => &[Eq, Ne, In],
        FKind::Field(Kind::EqOnly) => &[Eq, Ne],
        FKind::Field(Kind::Num) | FKind::Field(Kind::Date) => &[Eq, Ne, In, Lt, Lte, Gt, Gte, Between],
        FKind::Field(Kind::Bool) => &[Eq, Ne],
        FKind::Field(Kind::Ref(_)) => &[Eq, Ne, In],
        FKind::Field(Kind::RefList(_)) => &[ContainsAll, ContainsAny],
        FKind::Field(Kind::Json) => &[],
        FKind::Uri => &[Eq, In],
        FKind::TaxIds => &[ContainsAll, ContainsAny],
    }
}

/// A normalised operand.
#[derive(Clone, Debug)]
pub enum Operand {
    Null,
    Str(String),
    Num(f64),
    Bool(bool),
    /// Parsed RFC 3339 time.
    Time(f64),
    List(Vec<Operand>),
}

#[derive(Clone, Debug)]
pub struct Term {
    pub field: String,
    pub kind: FKind,
    pub conds: Vec<(Op, Operand)>,
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "$eq",
        Op::Ne => "$ne",
        Op::In => "$in",
        Op::Lt => "$lt",
        Op::Lte => "$lte",
        Op::Gt => "$gt",
        Op::Gte => "$gte",
        Op::Between => "$between",
        Op::Contains => "$contains",
        Op::IContains => "$icontains",
        Op::StartsWith => "$startswith",
        Op::IStartsWith => "$istartswith",
        Op::EndsWith => "$endswith",
        Op::IEndsWith => "$iendswith",
        Op::ContainsAll => "$containsall",
        Op::ContainsAny => "$containsany",
    }
}

/// Bare id from `id`, `/api/v1/x/id`, `{"$ref": …}` or `{"$uri": …}`.
pub fn ref_id(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(m) => m.get("$ref").or_else(|| m.get("$uri")).and_then(Value::as_str)?,
        _ => return None,
    };
    let id = s.trim_end_matches('/').rsplit('/').next()?;
    if id.is_empty() {
        None
    } else {
        Some(id.to_string())
    }
}

fn bad(field: &str, op: &str, why: &str) -> String {
    format!("Invalid filter on field '{field}' with operator {op}: {why}")
}

fn scalar(kind: FKind, field: &str, op: &str, v: &Value) -> Result<Operand, String> {
    if v.is_null() {
        return Ok(Operand::Null);
    }
    let k = match kind {
        FKind::Field(k) => k,
        FKind::Uri => Kind::Ref(""),
        FKind::TaxIds => Kind::Str,
    };
    match k {
        Kind::Str | Kind::Enum | Kind::EqOnly => match v {
            Value::String(s) => Ok(Operand::Str(s.clone())),
            _ => Err(bad(field, op, "expected a string")),
        },
        Kind::Num => match v.as_f64() {
            Some(n) => Ok(Operand::Num(n)),
            None => Err(bad(field, op, "expected a number")),
        },
        Kind::Bool => match v {
            Value::Bool(b) => Ok(Operand::Bool(*b)),
            _ => Err(bad(field, op, "expected a boolean")),
        },
        Kind::Date => match v.as_str().and_then(crate::timefmt::parse) {
            Some(t) => Ok(Operand::Time(t)),
            None => Err(bad(field, op, "expected an RFC 3339 date-time string")),
        },
        Kind::Ref(_) | Kind::RefList(_) => match ref_id(v) {
            Some(id) => Ok(Operand::Str(id)),
            None => Err(bad(field, op, "expected an id or {\"$ref\": …}")),
        },
        Kind::Json => Err(bad(field, op, "field cannot be filtered")),
    }
}

fn list(kind: FKind, field: &str, op: &str, v: &Value) -> Result<Vec<Operand>, String> {
    match v {
        Value::Array(a) => a.iter().map(|x| scalar(kind, field, op, x)).collect(),
        _ => Err(bad(field, op, "expected an array")),
    }
}

fn operand(kind: FKind, field: &str, op: Op, v: &Value) -> Result<Operand, String> {
    let name = op_name(op);
    match op {
        Op::In => Ok(Operand::List(list(kind, field, name, v)?)),
        Op::ContainsAll | Op::ContainsAny => {
            let kk = if kind == FKind::TaxIds { FKind::Field(Kind::Str) } else { kind };
            let l = list(kk, field, name, v)?;
            if l.iter().any(|o| matches!(o, Operand::Null)) {
                return Err(bad(field, name, "null is not allowed in the list"));
            }
            Ok(Operand::List(l))
        }
        Op::Between => {
            let l = list(kind, field, name, v)?;
            if l.len() != 2 || l.iter().any(|o| matches!(o, Operand::Null)) {
                return Err(bad(field, name, "expected a [low, high] pair"));
            }
            Ok(Operand::List(l))
        }
        Op::Lt | Op::Lte | Op::Gt | Op::Gte => match scalar(kind, field, name, v)? {
            Operand::Null => Err(bad(field, name, "null cannot be compared")),
            o => Ok(o),
        },
        Op::Contains | Op::IContains | Op::StartsWith | Op::IStartsWith | Op::EndsWith | Op::IEndsWith => match v {
            Value::String(s) if !s.is_empty() => Ok(Operand::Str(s.clone())),
            _ => Err(bad(field, name, "expected a non-empty string")),
        },
        Op::Eq | Op::Ne => scalar(kind, field, name, v),
    }
}

/// Parses and validates a `where` object against a schema.
pub fn parse(schema: &Schema, w: &Value) -> Result<Vec<Term>, String> {
    let obj = match w {
        Value::Object(m) => m,
        _ => return Err("'where' must be a JSON object".into()),
    };
    let mut terms = vec![];
    for (field, cond) in obj {
        // Collect the (operator, raw operand) pairs first, to name them in errors.
        let mut pairs: Vec<(String, Option<Op>, &Value)> = vec![];
        match cond {
            Value::Object(m) if !m.contains_key("$ref") && !m.contains_key("$uri") => {
                if m.is_empty() {
                    return Err(format!("Invalid filter on field '{field}': empty condition object"));
                }
                for (k, v) in m {
                    pairs.push((k.clone(), Op::parse(k), v));
                }
            }
            Value::Array(_) => pairs.push(("$in".into(), Some(Op::In), cond)),
            _ => pairs.push(("$eq".into(), Some(Op::Eq), cond)),
        }
        let first_op = pairs.first().map(|p| p.0.clone()).unwrap_or_default();
        let kind = if field == "$uri" {
            FKind::Uri
        } else if filter_only(schema.coll, field) {
            FKind::TaxIds
        } else {
            match schema.field(field) {
                Some(f) if f.filter => FKind::Field(f.kind),
                Some(_) => {
                    return Err(format!("Field '{field}' of {} cannot be filtered (operator {first_op})", schema.coll))
                }
                None => return Err(format!("Unknown field '{field}' for {} (operator {first_op})", schema.coll)),
            }
        };
        let mut conds = vec![];
        for (name, op, v) in pairs {
            let Some(op) = op else {
                return Err(format!("Unknown operator {name} on field '{field}' of {}", schema.coll));
            };
            if !allowed(kind).contains(&op) {
                return Err(format!("Operator {name} is not allowed on field '{field}' of {}", schema.coll));
            }
            conds.push((op, operand(kind, field, op, v)?));
        }
        terms.push(Term { field: field.clone(), kind, conds });
    }
    Ok(terms)
}

/// Value of a stored field as an operand for comparison.
fn stored(kind: FKind, v: &Value) -> Operand {
    match (kind, v) {
        (_, Value::Null) => Operand::Null,
        (FKind::Field(Kind::Date), Value::String(s)) => crate::timefmt::parse(s).map_or(Operand::Null, Operand::Time),
        (_, Value::String(s)) => Operand::Str(s.clone()),
        (_, Value::Number(n)) => Operand::Num(n.as_f64().unwrap_or(f64::NAN)),
        (_, Value::Bool(b)) => Operand::Bool(*b),
        (_, Value::Array(a)) => Operand::List(a.iter().map(|x| stored(kind, x)).collect()),
        _ => Operand::Null,
    }
}

fn eq(a: &Operand, b: &Operand) -> bool {
    match (a, b) {
        (Operand::Null, Operand::Null) => true,
        (Operand::Str(x), Operand::Str(y)) => x == y,
        (Operand::Num(x), Operand::Num(y)) => x == y,
        (Operand::Time(x), Operand::Time(y)) => x == y,
        (Operand::Bool(x), Operand::Bool(y)) => x == y,
        _ => false,
    }
}

fn cmp(a: &Operand, b: &Operand) -> Option<Ordering> {
    match (a, b) {
        (Operand::Num(x), Operand::Num(y)) | (Operand::Time(x), Operand::Time(y)) => x.partial_cmp(y),
        (Operand::Str(x), Operand::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Context for virtual fields evaluated by the caller (tax ids, `$uri`).
pub trait Virtual {
    fn id(&self) -> &str;
    fn has_tax_id(&self, tax_id: &str) -> bool;
}

pub fn matches<'a>(terms: &[Term], get: &dyn Fn(&str) -> Option<&'a Value>, virt: &dyn Virtual) -> bool {
    terms.iter().all(|t| {
        let val = match t.kind {
            FKind::Uri => Operand::Str(virt.id().to_string()),
            FKind::TaxIds => Operand::Null,
            FKind::Field(_) => get(&t.field).map_or(Operand::Null, |v| stored(t.kind, v)),
        };
        t.conds.iter().all(|(op, o)| test(*op, &val, o, t.kind, virt))
    })
}

fn test(op: Op, val: &Operand, o: &Operand, kind: FKind, virt: &dyn Virtual) -> bool {
    let s = |x: &Operand| match x {
        Operand::Str(s) => Some(s.clone()),
        _ => None,
    };
    match op {
        Op::Eq => eq(val, o),
        Op::Ne => !eq(val, o),
        Op::In => matches!(o, Operand::List(l) if l.iter().any(|x| eq(val, x))),
        Op::Lt => cmp(val, o) == Some(Ordering::Less),
        Op::Lte => matches!(cmp(val, o), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => cmp(val, o) == Some(Ordering::Greater),
        Op::Gte => matches!(cmp(val, o), Some(Ordering::Greater | Ordering::Equal)),
        Op::Between => match o {
            Operand::List(l) if l.len() == 2 => {
                matches!(cmp(val, &l[0]), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(cmp(val, &l[1]), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        Op::Contains | Op::IContains | Op::StartsWith | Op::IStartsWith | Op::EndsWith | Op::IEndsWith => {
            let (Some(v), Some(n)) = (s(val), s(o)) else { return false };
            let ci = matches!(op, Op::IContains | Op::IStartsWith | Op::IEndsWith);
            let (v, n) = if ci { (v.to_lowercase(), n.to_lowercase()) } else { (v, n) };
            match op {
                Op::Contains | Op::IContains => v.contains(&n),
                Op::StartsWith | Op::IStartsWith => v.starts_with(&n),
                _ => v.ends_with(&n),
            }
        }
        Op::ContainsAll | Op::ContainsAny => {
            let Operand::List(want) = o else { return false };
            let has = |x: &Operand| -> bool {
                if kind == FKind::TaxIds {
                    return s(x).is_some_and(|t| virt.has_tax_id(&t));
                }
                matches!(val, Operand::List(l) if l.iter().any(|y| eq(y, x)))
            };
            if op == Op::ContainsAll {
                want.iter().all(has)
            } else {
                want.iter().any(has)
            }
        }
    }
}

/// A parsed `sort`: (field, descending) in priority order.
pub fn parse_sort(schema: &Schema, s: &Value) -> Result<Vec<(String, Kind, bool)>, String> {
    let obj: &Map<String, Value> = match s {
        Value::Object(m) => m,
        _ => return Err("'sort' must be a JSON object of field: boolean".into()),
    };
    let mut out = vec![];
    for (k, v) in obj {
        let Some(f) = schema.field(k) else {
            return Err(format!("Cannot sort {} by unknown field '{k}'", schema.coll));
        };
        if matches!(f.kind, Kind::Json | Kind::RefList(_)) {
            return Err(format!("Cannot sort {} by field '{k}'", schema.coll));
        }
        let Value::Bool(desc) = v else {
            return Err(format!("Sort direction for '{k}' must be a boolean (true = descending)"));
        };
        out.push((k.clone(), f.kind, *desc));
    }
    Ok(out)
}

/// Compares two stored values of one field; nulls sort first.
pub fn compare_values(kind: Kind, a: &Value, b: &Value) -> Ordering {
    let (x, y) = (stored(FKind::Field(kind), a), stored(FKind::Field(kind), b));
    match (&x, &y) {
        (Operand::Null, Operand::Null) => Ordering::Equal,
        (Operand::Null, _) => Ordering::Less,
        (_, Operand::Null) => Ordering::Greater,
        (Operand::Bool(p), Operand::Bool(q)) => p.cmp(q),
        _ => cmp(&x, &y).unwrap_or(Ordering::Equal),
    }
}

/// A precomputed sort key: nulls first, then numbers/instants, strings, booleans.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub enum SortKey {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
}

impl SortKey {
    pub fn of(kind: Kind, v: &Value) -> SortKey {
        match stored(FKind::Field(kind), v) {
            Operand::Num(n) | Operand::Time(n) => SortKey::Num(n),
            Operand::Str(s) => SortKey::Str(s),
            Operand::Bool(b) => SortKey::Bool(b),
            _ => SortKey::Null,
        }
    }
    pub fn cmp(&self, other: &SortKey) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}
