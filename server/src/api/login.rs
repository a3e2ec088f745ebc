//! The web login the command-line clients use to get an API key from an email and password:
//! `GET /login` (a form with a hidden CSRF token and a session cookie), `POST /login` (email,
//! password, `csrf_token`, `next`), then `GET /api/get_token` with the logged-in session, which
//! answers `{"key": <API key>}`. Sessions are stateless: the CSRF token and the login proof are
//! HMACs of the session id under the server's API key.

use crate::app::{App, Req};
use crate::http::{bytes, error, ok, Resp};
use hmac::{Hmac, Mac};
use http::{HeaderValue, StatusCode};
use serde_json::json;
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};

/// The password of the main user (`user@example.com`) for the login form.
pub const DEMO_PASSWORD: &str = "demo-password";
const COOKIE: &str = "session";

static SESSIONS: AtomicU64 = AtomicU64::new(1);

fn mac(app: &App, label: &str, session: &str) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(app.cfg.api_key.as_bytes()) else {
        return String::new();
    };
    m.update(label.as_bytes());
    m.update(b":");
    m.update(session.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The value of our cookie in the request, if any.
fn session_cookie(req: &Req) -> Option<&str> {
    req.header("cookie")?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

fn with_cookie(mut r: Resp, value: &str) -> Resp {
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax")) {
        r.headers_mut().append("set-cookie", v);
    }
    r
}

fn page(app: &App, session: &str, message: &str) -> Resp {
    let csrf = mac(app, "csrf", session);
    let html = format!(
        "<!doctype html><html><head><title>Log in · One Codex (local)</title></head><body>\
         <form method=\"post\" action=\"/login\">{message}\
         <input id=\"csrf_token\" name=\"csrf_token\" type=\"hidden\" value=\"{csrf}\">\
         <input name=\"email\" type=\"email\"><input name=\"password\" type=\"password\">\
         <input name=\"next\" type=\"hidden\" value=\"/\"><button>Log in</button></form></body></html>"
    );
    with_cookie(bytes(StatusCode::OK, "text/html; charset=utf-8", html), session)
}

/// `GET /login`: a fresh session and its form.
pub fn form(app: &App) -> Resp {
    let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
    let session: String =
        mac(app, "session", &format!("{n}:{}", crate::timefmt::now_secs())).chars().take(32).collect();
    page(app, &session, "")
}

/// `POST /login`: on success a redirect to `next` with the session marked as logged in.
pub fn submit(app: &App, req: &Req) -> Resp {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
    let field = |k: &str| fields.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let Some(session) = session_cookie(req).map(|s| s.split('.').next().unwrap_or("").to_string()) else {
        return error(StatusCode::BAD_REQUEST, "The CSRF session token is missing.");
    };
    if field("csrf_token") != mac(app, "csrf", &session) || session.is_empty() {
        return error(StatusCode::BAD_REQUEST, "The CSRF token is invalid.");
    }
    let email_ok = field("email").eq_ignore_ascii_case(crate::gen::data::USER_EMAILS[0]);
    if !email_ok || field("password") != DEMO_PASSWORD {
        return page(app, &session, "<p class=\"error\">Invalid email or password.</p>");
    }
    let next = field("next");
    let next = if next.starts_with('/') && !next.starts_with("//") { next } else { "/" };
    let mut r = bytes(StatusCode::FOUND, "text/plain", "");
    if let Ok(v) = HeaderValue::from_str(next) {
        r.headers_mut().insert("location", v);
    }
    with_cookie(r, &format!("{session}.{}", mac(app, "auth", &session)))
}

/// `GET /api/get_token`: the API key of a logged-in session.
pub fn token(app: &App, req: &Req) -> Resp {
    let logged_in = session_cookie(req)
        .and_then(|c| c.split_once('.'))
        .is_some_and(|(s, proof)| !s.is_empty() && proof == mac(app, "auth", s));
    if logged_in {
        ok(&json!({"key": app.cfg.api_key}))
    } else {
        error(StatusCode::UNAUTHORIZED, "Log in first.")
    }
}
