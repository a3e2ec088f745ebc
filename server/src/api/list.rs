//! Listings: scope by route, `where`, `sort`, then page or cursor pagination.

use super::render::{analysis_type_of, can_view, render};
use crate::app::{App, Req};
use crate::filter::{self, Virtual};
use crate::gen::taxonomy::Selection;
use crate::http::{error, json, Resp};
use crate::model::{Schema, ANALYSIS_TYPES, SAMPLES};
use crate::store::{in_org, Obj, Store, MAIN, SYSTEM};
use base64::Engine;
use http::{HeaderValue, StatusCode};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Own,
    Public,
    Organization,
}

pub const MAX_PER_PAGE: usize = 1000;

struct V<'a> {
    st: &'a Store,
    o: &'a Obj,
}

impl Virtual for V<'_> {
    fn id(&self) -> &str {
        &self.o.id
    }
    fn has_tax_id(&self, tax_id: &str) -> bool {
        let Some(Value::String(cid)) = self.o.get(&SAMPLES, "primary_classification") else { return false };
        Selection::new(self.st.seed, cid).contains_tax_id(tax_id)
    }
}

fn in_scope(st: &Store, schema: &Schema, o: &Obj, route: Route) -> bool {
    match route {
        Route::Public => o.public,
        Route::Organization => in_org(o.owner),
        Route::Own => match schema.coll {
            "users" => in_org(o.owner),
            "tags" | "taxa" | "genomes" | "annotation_sets" => true,
            "jobs" => o.public || o.owner == MAIN,
            "documents" => can_view(st, schema, o) && o.owner != SYSTEM,
            "assemblies" => o.owner == MAIN || o.public,
            _ => o.owner == MAIN,
        },
    }
}

fn parse_json_param(req: &Req, name: &str) -> Result<Value, Resp> {
    match req.q(name) {
        None | Some("") => Ok(Value::Object(Default::default())),
        Some(s) => serde_json::from_str(s)
            .map_err(|e| error(StatusCode::BAD_REQUEST, format!("Invalid JSON in '{name}' parameter: {e}"))),
    }
}

fn positive(req: &Req, name: &str, default: usize) -> Result<usize, Resp> {
    match req.q(name) {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, format!("'{name}' must be a positive integer"))),
    }
}

fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(b).ok()?.strip_prefix("offset:")?.parse().ok()
}

pub fn list(app: &App, req: &Req, schema: &'static Schema, route: Route) -> Resp {
    let w = match parse_json_param(req, "where") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let s = match parse_json_param(req, "sort") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let terms = match filter::parse(schema, &w) {
        Ok(t) => t,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let sort = match filter::parse_sort(schema, &s) {
        Ok(t) => t,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let per_page = match positive(req, "per_page", 20) {
        Ok(n) if n <= MAX_PER_PAGE => n,
        Ok(_) => return error(StatusCode::BAD_REQUEST, format!("'per_page' must be at most {MAX_PER_PAGE}")),
        Err(r) => return r,
    };
    let expand = req.q("expand") == Some("all");
    let cursor_style =
        schema.cursor && req.header("x-pagination-style").is_some_and(|v| v.eq_ignore_ascii_case("cursor"));

    let st = match app.store.read() {
        Ok(s) => s,
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    };
    // Candidates: (schema of the object, object, analysis_type when listed through /analyses).
    let mut items: Vec<(&'static Schema, &Obj, Option<&'static str>)> = vec![];
    let colls: Vec<&'static str> =
        if schema.coll == "analyses" { ANALYSIS_TYPES.iter().map(|(c, _)| *c).collect() } else { vec![schema.coll] };
    for c in colls {
        let coll = st.coll(c);
        let at = if schema.coll == "analyses" { Some(analysis_type_of(c)) } else { None };
        let at_val = at.map(|a| Value::String(a.to_string()));
        for o in coll.iter() {
            if !in_scope(&st, coll.schema, o, route) {
                continue;
            }
            let get = |name: &str| -> Option<&Value> {
                if name == "analysis_type" {
                    return at_val.as_ref();
                }
                o.get(coll.schema, name)
            };
            if filter::matches(&terms, &get, &V { st: &st, o }) {
                items.push((coll.schema, o, at));
            }
        }
    }
    if schema.coll == "analyses" {
        items.sort_by(|a, b| {
            filter::compare_values(
                crate::model::Kind::Date,
                a.1.get(a.0, "created_at").unwrap_or(&Value::Null),
                b.1.get(b.0, "created_at").unwrap_or(&Value::Null),
            )
        });
    }
    if !sort.is_empty() {
        // Keys computed once per item (dates parsed once), then a stable sort.
        let keyed: Vec<Vec<filter::SortKey>> = items
            .iter()
            .map(|(sch, o, at)| {
                sort.iter()
                    .map(|(field, kind, _)| {
                        if field == "analysis_type" {
                            filter::SortKey::of(
                                crate::model::Kind::Str,
                                &at.map_or(Value::Null, |a| Value::String(a.into())),
                            )
                        } else {
                            filter::SortKey::of(*kind, o.get(sch, field).unwrap_or(&Value::Null))
                        }
                    })
                    .collect()
            })
            .collect();
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| {
            for (k, (_, _, desc)) in sort.iter().enumerate() {
                let mut o = keyed[a][k].cmp(&keyed[b][k]);
                if *desc {
                    o = o.reverse();
                }
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        items = order.into_iter().map(|i| items[i]).collect();
    }
    let total = items.len();
    let (start, next_cursor) = if cursor_style {
        let start = match req.q("cursor") {
            None => 0,
            Some(c) => match decode_cursor(c) {
                Some(n) => n,
                None => return error(StatusCode::BAD_REQUEST, "Invalid 'cursor' parameter"),
            },
        };
        let next = if start + per_page < total { Some(encode_cursor(start + per_page)) } else { None };
        (start, next)
    } else {
        let page = match positive(req, "page", 1) {
            Ok(p) => p,
            Err(r) => return r,
        };
        ((page - 1).saturating_mul(per_page), None)
    };
    let page_items: Vec<Value> =
        items.iter().skip(start).take(per_page).map(|(s, o, at)| render(app, &st, s, o, expand, *at)).collect();
    drop(st);
    let mut resp = json(StatusCode::OK, &Value::Array(page_items));
    let h = resp.headers_mut();
    if cursor_style {
        if let Some(c) = next_cursor {
            if let Ok(v) = HeaderValue::from_str(&c) {
                h.insert("x-next-cursor", v);
            }
        }
    } else {
        h.insert("x-total-count", HeaderValue::from(total));
        let page = start / per_page + 1;
        let last = total.div_ceil(per_page).max(1);
        let enc = |v: &Value| form_urlencoded::byte_serialize(v.to_string().as_bytes()).collect::<String>();
        let link = |p: usize, rel: &str| {
            format!("<{}?where={}&sort={}&per_page={per_page}&page={p}>; rel=\"{rel}\"", req.path, enc(&w), enc(&s))
        };
        let mut links = vec![link(1, "first")];
        if page > 1 {
            links.push(link(page - 1, "prev"));
        }
        if page < last {
            links.push(link(page + 1, "next"));
        }
        links.push(link(last, "last"));
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            h.insert("link", v);
        }
    }
    resp
}
