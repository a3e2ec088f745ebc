//! In-memory object store: one collection per resource, objects as compact value rows
//! in schema field order, plus ownership and visibility bookkeeping.

use crate::model::{schema_of, Schema};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Users: 0 = the API key's owner, 1 = a colleague in the same organisation, 2 = an outsider.
pub const MAIN: u8 = 0;
pub const COLLEAGUE: u8 = 1;
pub const OUTSIDER: u8 = 2;
/// Objects owned by nobody in particular (public jobs, tags, taxa).
pub const SYSTEM: u8 = 255;

pub fn in_org(u: u8) -> bool {
    u == MAIN || u == COLLEAGUE
}

#[derive(Clone, Debug)]
pub struct Obj {
    pub id: String,
    pub owner: u8,
    pub public: bool,
    pub vals: Vec<Value>,
    /// Server-side state that is not rendered (job scripts, uploaded S3 keys, completion time).
    pub extra: Map<String, Value>,
}

impl Obj {
    pub fn new(schema: &Schema, id: String, owner: u8, public: bool) -> Obj {
        Obj { id, owner, public, vals: vec![Value::Null; schema.fields.len()], extra: Map::new() }
    }
    pub fn get<'a>(&'a self, schema: &Schema, name: &str) -> Option<&'a Value> {
        schema.pos(name).map(|p| &self.vals[p])
    }
    pub fn set(&mut self, schema: &Schema, name: &str, v: Value) {
        if let Some(p) = schema.pos(name) {
            self.vals[p] = v;
        } else {
            debug_assert!(false, "no field {name} in {}", schema.coll);
        }
    }
}

pub struct Coll {
    pub schema: &'static Schema,
    pub objs: Vec<Option<Obj>>,
    pub index: HashMap<String, usize>,
}

impl Coll {
    pub fn iter(&self) -> impl Iterator<Item = &Obj> {
        self.objs.iter().flatten()
    }
}

pub struct Store {
    pub seed: u64,
    pub colls: HashMap<&'static str, Coll>,
    pub user_ids: [String; 3],
    /// (time, collection, id) of analyses/assets that finish later.
    pub pending: Vec<(f64, &'static str, String)>,
}

impl Store {
    pub fn new(seed: u64, user_ids: [String; 3]) -> Store {
        let mut colls = HashMap::new();
        for s in crate::model::ALL.iter() {
            if s.coll != "analyses" {
                colls.insert(s.coll, Coll { schema: s, objs: vec![], index: HashMap::new() });
            }
        }
        Store { seed, colls, user_ids, pending: vec![] }
    }
    pub fn coll(&self, c: &str) -> &Coll {
        &self.colls[c]
    }
    pub fn get(&self, c: &str, id: &str) -> Option<&Obj> {
        let coll = self.colls.get(c)?;
        coll.index.get(id).and_then(|&i| coll.objs[i].as_ref())
    }
    pub fn get_mut(&mut self, c: &str, id: &str) -> Option<&mut Obj> {
        let coll = self.colls.get_mut(c)?;
        let i = *coll.index.get(id)?;
        coll.objs[i].as_mut()
    }
    pub fn insert(&mut self, c: &str, o: Obj) {
        let coll = self.colls.get_mut(c).expect("collection");
        coll.index.insert(o.id.clone(), coll.objs.len());
        coll.objs.push(Some(o));
    }
    pub fn remove(&mut self, c: &str, id: &str) -> Option<Obj> {
        let coll = self.colls.get_mut(c)?;
        let i = coll.index.remove(id)?;
        coll.objs[i].take()
    }
    /// Finds an analysis in any analysis collection.
    pub fn find_analysis(&self, id: &str) -> Option<(&'static str, &Obj)> {
        for (c, _) in crate::model::ANALYSIS_TYPES {
            if let Some(o) = self.get(c, id) {
                return Some((c, o));
            }
        }
        None
    }
    /// Marks analyses/assets whose time has come as complete.
    pub fn tick(&mut self, now: f64) {
        if self.pending.is_empty() {
            return;
        }
        let due: Vec<_> = self.pending.iter().filter(|p| p.0 <= now).cloned().collect();
        self.pending.retain(|p| p.0 > now);
        for (t, c, id) in due {
            let schema = schema_of(c).expect("schema");
            if let Some(o) = self.get_mut(c, &id) {
                let ts = Value::String(crate::timefmt::format(t));
                if c == "assets" {
                    o.set(schema, "status", "available".into());
                } else {
                    o.set(schema, "complete", true.into());
                    o.set(schema, "success", true.into());
                    o.set(schema, "error_msg", "".into());
                    o.set(schema, "updated_at", ts);
                }
            }
        }
    }
}
