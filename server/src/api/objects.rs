//! GET by id, PATCH with the §3 whitelists, DELETE, and the account.

use super::render::{analysis_type_of, can_edit, can_view, render};
use crate::app::{App, Req};
use crate::filter::ref_id;
use crate::http::{empty, error, ok, Resp};
use crate::model::{enum_values, schema_of, Kind, Schema, ANALYSIS_TYPES, SAMPLES};
use crate::store::{Obj, Store, MAIN};
use http::StatusCode;
use serde_json::{json, Map, Value};

pub fn not_found(schema: &Schema, id: &str) -> Resp {
    error(StatusCode::NOT_FOUND, format!("{} {id} not found", schema.coll))
}

pub fn forbidden() -> Resp {
    error(StatusCode::FORBIDDEN, "You do not have permission to access this resource")
}

/// Looks an object up (through all analysis collections for `/analyses`).
pub fn find<'a>(st: &'a Store, schema: &Schema, id: &str) -> Option<(&'static Schema, &'a Obj)> {
    if schema.coll == "analyses" {
        let (c, o) = st.find_analysis(id)?;
        return Some((schema_of(c)?, o));
    }
    let s = schema_of(schema.coll)?;
    Some((s, st.get(schema.coll, id)?))
}

pub fn get(app: &App, req: &Req, schema: &Schema, id: &str) -> Resp {
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some((s, o)) = find(&st, schema, id) else { return not_found(schema, id) };
    if !can_view(&st, s, o) {
        return forbidden();
    }
    let at = (schema.coll == "analyses").then(|| analysis_type_of(s.coll));
    ok(&render(app, &st, s, o, req.q("expand") == Some("all"), at))
}

pub fn account(app: &App) -> Resp {
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let uid = &st.user_ids[MAIN as usize];
    ok(&json!({
        "email": crate::gen::data::USER_EMAILS[0], "username": null,
        "user": {"$ref": format!("/api/v1/users/{uid}")},
        "created_at": crate::timefmt::format(1_500_000_000.0),
        "confirmed_at": crate::timefmt::format_naive(1_500_086_400.0),
        "credits": "$0.00", "coupons": []
    }))
}

fn bad(msg: impl Into<String>) -> Resp {
    error(StatusCode::BAD_REQUEST, msg)
}

/// Validates one PATCH value for a field and returns the stored form.
pub fn validate_value(st: &Store, coll: &str, name: &str, kind: Kind, v: &Value) -> Result<Value, String> {
    let err = |what: &str| format!("Invalid value for '{name}': {what}");
    if v.is_null() {
        return match (coll, name) {
            ("samples", "visibility") | ("metadata", "starred") | ("metadata", "custom") => Err(err("may not be null")),
            _ => Ok(Value::Null),
        };
    }
    match kind {
        Kind::Str | Kind::EqOnly => {
            let s = v.as_str().ok_or_else(|| err("expected a string"))?;
            let max = match name {
                "external_sample_id" => 60,
                _ => 255,
            };
            if s.chars().count() > max {
                return Err(err(&format!("longer than {max} characters")));
            }
            Ok(v.clone())
        }
        Kind::Enum => {
            let s = v.as_str().ok_or_else(|| err("expected a string"))?;
            let allowed: Vec<&str> = match (coll, name) {
                ("samples", "visibility") => vec!["private", "public"],
                _ => enum_values(coll, name).map(|a| a.to_vec()).unwrap_or_default(),
            };
            if !allowed.is_empty() && !allowed.contains(&s) {
                return Err(err(&format!("must be one of {}", allowed.join(", "))));
            }
            Ok(v.clone())
        }
        Kind::Num => {
            let n = v.as_f64().ok_or_else(|| err("expected a number"))?;
            let range = match name {
                "location_lat" => Some((-90.0, 90.0)),
                "location_lon" => Some((-180.0, 180.0)),
                _ => None,
            };
            if let Some((lo, hi)) = range {
                if !(lo..=hi).contains(&n) {
                    return Err(err(&format!("must be between {lo} and {hi}")));
                }
            }
            Ok(v.clone())
        }
        Kind::Bool => v.as_bool().map(Value::Bool).ok_or_else(|| err("expected a boolean")),
        Kind::Date => {
            let s = v.as_str().ok_or_else(|| err("expected an RFC 3339 string"))?;
            let t = crate::timefmt::parse(s).ok_or_else(|| err("expected an RFC 3339 string"))?;
            Ok(Value::String(crate::timefmt::format(t)))
        }
        Kind::Ref(c) => {
            let id = ref_id(v).ok_or_else(|| err("expected {\"$ref\": …}"))?;
            let o = st.get(c, &id).ok_or_else(|| err(&format!("{c} {id} not found")))?;
            if c == "projects" && o.owner != MAIN {
                return Err(err("you cannot add samples to that project"));
            }
            Ok(Value::String(id))
        }
        Kind::RefList(c) => {
            let a = v.as_array().ok_or_else(|| err("expected an array of {\"$ref\": …}"))?;
            let mut ids = vec![];
            for x in a {
                let id = ref_id(x).ok_or_else(|| err("expected {\"$ref\": …} items"))?;
                if st.get(c, &id).is_none() {
                    return Err(err(&format!("{c} {id} not found")));
                }
                if !ids.contains(&Value::String(id.clone())) {
                    ids.push(Value::String(id));
                }
            }
            Ok(Value::Array(ids))
        }
        Kind::Json => {
            if name == "custom" {
                let m = v.as_object().ok_or_else(|| err("expected an object"))?;
                if m.values().any(|x| x.is_object() || x.is_array()) {
                    return Err(err("values must be strings, numbers, booleans or null (no nesting)"));
                }
            }
            Ok(v.clone())
        }
    }
}

pub fn patch(app: &App, req: &Req, schema: &'static Schema, id: &str) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad("PATCH body must be a JSON object"),
        Err(r) => return r,
    };
    if schema.patch.is_empty() {
        return error(StatusCode::METHOD_NOT_ALLOWED, format!("{} cannot be updated", schema.coll));
    }
    for k in body.keys() {
        if !schema.patch.contains(&k.as_str()) {
            return bad(format!("Cannot update attribute '{k}' of {}", schema.coll));
        }
    }
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(o) = st.get(schema.coll, id) else { return not_found(schema, id) };
    if !can_view(&st, schema, o) {
        return forbidden();
    }
    if !can_edit(o) {
        return forbidden();
    }
    // Validate everything before changing anything.
    let mut fields: Vec<(String, Value)> = vec![];
    let mut extra: Map<String, Value> = Map::new();
    for (k, v) in &body {
        match schema.field(k) {
            Some(f) => match validate_value(&st, schema.coll, k, f.kind, v) {
                Ok(x) => fields.push((k.clone(), x)),
                Err(m) => return bad(m),
            },
            None => {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    if schema.coll == "jobs" {
        if let Some(Value::String(jt)) = body.get("job_type") {
            if !["shell_script", "nextflow"].contains(&jt.as_str()) {
                return bad("Invalid value for 'job_type'");
            }
        }
    }
    let now = Value::String(crate::timefmt::format(crate::timefmt::now_secs()));
    let mut visibility_change = None;
    {
        let o = st.get_mut(schema.coll, id).expect("checked above");
        for (k, v) in fields {
            if schema.coll == "samples" && k == "visibility" {
                o.public = v == "public";
                visibility_change = Some(o.public);
            }
            o.set(schema, &k, v);
        }
        for (k, v) in extra {
            o.extra.insert(k, v);
        }
        if schema.pos("updated_at").is_some() {
            o.set(schema, "updated_at", now);
        }
    }
    if let Some(public) = visibility_change {
        propagate_visibility(&mut st, id, public);
    }
    let o = st.get(schema.coll, id).expect("still there");
    ok(&render(app, &st, schema, o, req.q("expand") == Some("all"), None))
}

/// Metadata and analyses follow their sample's visibility.
fn propagate_visibility(st: &mut Store, sample_id: &str, public: bool) {
    if let Some(Value::String(mid)) = st.get("samples", sample_id).and_then(|s| s.get(&SAMPLES, "metadata")).cloned() {
        if let Some(m) = st.get_mut("metadata", &mid) {
            m.public = public;
        }
    }
    for (c, _) in ANALYSIS_TYPES {
        let schema = schema_of(c).expect("schema");
        let ids: Vec<String> = st
            .coll(c)
            .iter()
            .filter(|a| a.get(schema, "sample").and_then(Value::as_str) == Some(sample_id))
            .map(|a| a.id.clone())
            .collect();
        for id in ids {
            if let Some(a) = st.get_mut(c, &id) {
                a.public = public;
            }
        }
    }
}

pub fn delete(app: &App, schema: &Schema, id: &str) -> Resp {
    if !schema.deletable {
        return error(StatusCode::METHOD_NOT_ALLOWED, format!("{} cannot be deleted", schema.coll));
    }
    let Ok(mut st) = app.store.write() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let Some(o) = st.get(schema.coll, id) else { return not_found(schema, id) };
    if !can_view(&st, schema, o) || !can_edit(o) {
        return forbidden();
    }
    let o = st.remove(schema.coll, id).expect("present");
    if schema.coll == "samples" {
        if let Some(Value::String(mid)) = o.get(&SAMPLES, "metadata") {
            st.remove("metadata", mid);
        }
        for (c, _) in ANALYSIS_TYPES {
            let s = schema_of(c).expect("schema");
            let ids: Vec<String> = st
                .coll(c)
                .iter()
                .filter(|a| a.get(s, "sample").and_then(Value::as_str) == Some(id))
                .map(|a| a.id.clone())
                .collect();
            for aid in ids {
                st.remove(c, &aid);
            }
        }
    }
    if schema.coll == "projects" {
        // Samples of a deleted project lose the reference.
        let ids: Vec<String> = st
            .coll("samples")
            .iter()
            .filter(|x| x.get(&SAMPLES, "project").and_then(Value::as_str) == Some(id))
            .map(|x| x.id.clone())
            .collect();
        for sid in ids {
            if let Some(x) = st.get_mut("samples", &sid) {
                x.set(&SAMPLES, "project", Value::Null);
            }
        }
    }
    let mut r = Resp::new(empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}
