//! Objects to JSON (refs as `{"$ref"}` or embedded with `expand=all`) and who may see what.

use crate::app::App;
use crate::model::{schema_of, Kind, Schema, ANALYSIS_TYPES};
use crate::store::{in_org, Obj, Store, MAIN, SYSTEM};
use serde_json::{json, Map, Value};

pub fn uri(coll: &str, id: &str) -> String {
    format!("/api/v1/{coll}/{id}")
}

fn lookup<'a>(st: &'a Store, coll: &str, id: &str) -> Option<(&'static Schema, &'a Obj, &'static str)> {
    if coll == "analyses" {
        let (c, o) = st.find_analysis(id)?;
        return Some((schema_of(c)?, o, c));
    }
    let s = schema_of(coll)?;
    Some((s, st.get(coll, id)?, s.coll))
}

fn reference(app: &App, st: &Store, coll: &str, id: &str, expand: bool) -> Value {
    if expand {
        if let Some((s, o, _)) = lookup(st, coll, id) {
            return render(app, st, s, o, false, None);
        }
    }
    json!({"$ref": uri(coll, id)})
}

/// `analysis_type` is set when rendering through the generic `/analyses` view.
pub fn render(app: &App, st: &Store, schema: &Schema, o: &Obj, expand: bool, analysis_type: Option<&str>) -> Value {
    let mut m = Map::new();
    let coll = if analysis_type.is_some() { "analyses" } else { schema.coll };
    m.insert("$uri".into(), json!(uri(coll, &o.id)));
    for (f, v) in schema.fields.iter().zip(&o.vals) {
        let out = match (f.kind, v) {
            (Kind::Ref(c), Value::String(id)) => reference(app, st, c, id, expand),
            (Kind::RefList(c), Value::Array(ids)) => {
                Value::Array(ids.iter().filter_map(Value::as_str).map(|id| reference(app, st, c, id, expand)).collect())
            }
            _ => v.clone(),
        };
        m.insert(f.name.into(), out);
    }
    if let Some(at) = analysis_type {
        m.insert("analysis_type".into(), json!(at));
    }
    if schema.results_uri {
        let done = o.get(schema, "complete") == Some(&Value::Bool(true))
            && o.get(schema, "success") == Some(&Value::Bool(true));
        let v = if done {
            json!(app.presign.url(&app.api_base, &format!("/__signed/results/{}/{}", schema.coll, o.id)))
        } else {
            Value::Null
        };
        m.insert("results_uri".into(), v);
    }
    Value::Object(m)
}

pub fn analysis_type_of(coll: &str) -> &'static str {
    ANALYSIS_TYPES.iter().find(|(c, _)| *c == coll).map_or("analysis", |(_, t)| t)
}

/// May the main user read this object?
pub fn can_view(st: &Store, schema: &Schema, o: &Obj) -> bool {
    if o.owner == SYSTEM || o.public || in_org(o.owner) {
        return true;
    }
    if schema.coll == "documents" {
        let me = &st.user_ids[MAIN as usize];
        return o.get(schema, "downloaders").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == me));
    }
    false
}

/// May the main user change or delete it?
pub fn can_edit(o: &Obj) -> bool {
    o.owner == MAIN
}
