//! API routing: `/api/v1/<collection>[/<id>[/<action>]]`, the upload callbacks, pre-signed
//! links and the fault admin.

mod actions;
mod admin;
mod list;
mod login;
mod objects;
mod range;
mod readlevel;
pub mod render;
mod signed;
mod upload;

use crate::app::{App, Req};
use crate::http::{error, Resp};
use crate::model::schema_of;
use http::{Method, StatusCode};

pub fn route(app: &App, req: &Req) -> Resp {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["__admin", "faults", rest @ ..] => return admin::faults(app, req, rest),
        ["__admin", "info"] => return admin::info(app, req),
        ["__signed", rest @ ..] => return range::apply(&req.headers, signed::serve(app, req, rest)),
        // The web login of the command-line clients (no API credentials yet).
        ["login"] if req.method == Method::GET => return login::form(app),
        ["login"] if req.method == Method::POST => return login::submit(app, req),
        ["api", "get_token"] if req.method == Method::GET => return login::token(app, req),
        _ => {}
    }
    if segs.first() != Some(&"api") {
        return error(StatusCode::NOT_FOUND, format!("No route for {}", req.path));
    }
    if let Err(msg) = crate::auth::check(&req.headers, &app.cfg.api_key, &app.cfg.bearer_token) {
        return error(StatusCode::UNAUTHORIZED, msg);
    }
    {
        // Let finished work complete (classifications after --classify-delay-ms, asset imports).
        let now = crate::timefmt::now_secs();
        let due = app.store.read().map(|s| s.pending.iter().any(|p| p.0 <= now)).unwrap_or(false);
        if due {
            if let Ok(mut s) = app.store.write() {
                s.tick(now);
            }
        }
    }
    let m = &req.method;
    match segs.as_slice() {
        ["api", "import_file_from_s3"] if m == Method::POST => upload::sample_callback(app, req),
        ["api", "v1", "account"] if m == Method::GET => objects::account(app),
        ["api", "v1", "samples", "init_multipart_upload"] if m == Method::POST => upload::sample_init(app, req),
        ["api", "v1", "samples", "preupload"] if m == Method::POST => upload::preupload(app, req),
        ["api", "v1", "samples", "cancel_upload"] if m == Method::POST => upload::cancel(app, req),
        ["api", "v1", c @ ("documents" | "assets"), "init_multipart_upload"] if m == Method::POST => {
            upload::file_init(app, c)
        }
        ["api", "v1", c @ ("documents" | "assets"), "confirm_upload"] if m == Method::POST => {
            upload::file_callback(app, req, c)
        }
        ["api", "v1", "jobs"] if m == Method::POST => actions::job_create(app, req),
        ["api", "v1", coll, rest @ ..] => {
            let Some(schema) = schema_of(coll) else {
                return error(StatusCode::NOT_FOUND, format!("Unknown resource '{coll}'"));
            };
            if schema.experimental && req.header("x-onecodex-api-experimental") != Some("1") {
                return error(
                    StatusCode::NOT_FOUND,
                    format!("'{coll}' is experimental: send the header X-OneCodex-Api-Experimental: 1"),
                );
            }
            match (rest, m) {
                ([], &Method::GET) => list::list(app, req, schema, list::Route::Own),
                (["public"], &Method::GET) if schema.public_route => list::list(app, req, schema, list::Route::Public),
                (["organization"], &Method::GET) if schema.org_route => {
                    list::list(app, req, schema, list::Route::Organization)
                }
                ([r @ ("public" | "organization")], &Method::GET) => {
                    error(StatusCode::METHOD_NOT_ALLOWED, format!("{} do not support {r} listings", schema.coll))
                }
                ([id], &Method::GET) => objects::get(app, req, schema, id),
                ([id], &Method::PATCH) => objects::patch(app, req, schema, id),
                ([id], &Method::DELETE) => objects::delete(app, schema, id),
                ([id, action], _) => actions::action(app, req, schema, id, action),
                _ => error(StatusCode::METHOD_NOT_ALLOWED, format!("{} is not allowed on {}", m, req.path)),
            }
        }
        _ => error(StatusCode::NOT_FOUND, format!("No route for {}", req.path)),
    }
}

/// 16 lowercase hex characters, random per call (new objects at run time).
pub fn new_id() -> String {
    let mut b = [0u8; 8];
    fill_random(&mut b);
    hex::encode(b)
}

pub fn fill_random(b: &mut [u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CTR: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    let mut x = crate::rng::mix(nanos ^ CTR.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9));
    for chunk in b.chunks_mut(8) {
        x = crate::rng::mix(x);
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}
