//! `/__admin/faults`: loopback only, no API auth.

use crate::app::{App, Req};
use crate::http::{error, ok, Resp};
use http::{Method, StatusCode};
use serde_json::json;

pub fn faults(app: &App, req: &Req, rest: &[&str]) -> Resp {
    if !req.peer.ip().is_loopback() {
        return error(StatusCode::FORBIDDEN, "The fault admin is only available from loopback");
    }
    match (&req.method, rest) {
        (&Method::GET, []) => ok(&app.faults.list()),
        (&Method::POST, []) => {
            let v = match req.json() {
                Ok(v) => v,
                Err(r) => return r,
            };
            match app.faults.add_json(v) {
                Ok(ids) => ok(&json!({"ids": ids})),
                Err(m) => error(StatusCode::BAD_REQUEST, m),
            }
        }
        (&Method::DELETE, []) => ok(&json!({"cleared": app.faults.clear()})),
        (&Method::DELETE, [id]) => {
            if app.faults.remove(id) {
                ok(&json!({"removed": id}))
            } else {
                error(StatusCode::NOT_FOUND, format!("No fault rule {id}"))
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "Use GET, POST or DELETE on /__admin/faults"),
    }
}

/// Ids of notable seeded objects (for tests of 403s and org listings), loopback only.
pub fn info(app: &App, req: &Req) -> Resp {
    if !req.peer.ip().is_loopback() {
        return error(StatusCode::FORBIDDEN, "The admin is only available from loopback");
    }
    let Ok(st) = app.store.read() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "store") };
    let first =
        |coll: &str, f: &dyn Fn(&crate::store::Obj) -> bool| st.coll(coll).iter().find(|o| f(o)).map(|o| o.id.clone());
    use crate::store::{COLLEAGUE, OUTSIDER};
    ok(&json!({
        "users": {"main": st.user_ids[0], "colleague": st.user_ids[1], "outsider": st.user_ids[2]},
        "outsider_private_sample": first("samples", &|o| o.owner == OUTSIDER && !o.public),
        "outsider_public_sample": first("samples", &|o| o.owner == OUTSIDER && o.public),
        "colleague_private_sample": first("samples", &|o| o.owner == COLLEAGUE && !o.public),
        "outsider_private_project": first("projects", &|o| o.owner == OUTSIDER && !o.public),
        "outsider_private_job": first("jobs", &|o| o.owner == OUTSIDER && !o.public),
        "outsider_private_classification": first("classifications", &|o| o.owner == OUTSIDER && !o.public),
        "s3_bucket": crate::config::BUCKET,
        "s3_region": app.cfg.s3_region,
    }))
}
