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
