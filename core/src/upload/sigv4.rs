//! AWS Signature Version 4 for S3, header-based, on `hmac` + `sha2` only (aws-sigv4 costs ~83 KB
//! gzip in wasm; this ~9 KB). The time is passed in: wasm32 has no clock.
//!
//! S3 rules, which differ from other services: the path is encoded once and never normalised
//! (`//a/./b` stays as is), and bodies are signed as `UNSIGNED-PAYLOAD` because part bytes never
//! enter wasm whole; S3 checks each part with its own checksum header instead.

use super::encode::{hex, percent_decode, uri_encode};
use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// SHA-256 of the empty string.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Upload credentials from the API's init response. Sensitive: never logged, never in errors.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    // Redacted: a Debug print of the upload state must not leak the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// How the body enters the signature.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// `UNSIGNED-PAYLOAD`, sent as `x-amz-content-sha256` (what S3 uploads use).
    Unsigned,
    /// A known hex SHA-256; `send_header` adds `x-amz-content-sha256` (S3 requires it; the
    /// generic test suite signs without it).
    Hash { hex: &'a str, send_header: bool },
}

/// What a signature produced: the headers to add to the request, plus the intermediate texts
/// (useful to compare with a server's `CanonicalRequest` when S3 says the signature mismatches).
#[derive(Debug, Clone)]
pub struct Signed {
    pub headers: Vec<(String, String)>,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

pub struct SigningParams<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub service: &'a str,
    pub unix_ms: u64,
    pub payload: Payload<'a>,
}

/// Signs an S3 request with `UNSIGNED-PAYLOAD`. `headers` are the request's own headers that
/// must be signed (every `x-amz-*`, `content-md5`); `host` comes from the URL.
pub fn sign_s3(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    credentials: &Credentials,
    region: &str,
    unix_ms: u64,
) -> Result<Signed> {
    sign(
        method,
        url,
        headers,
        &SigningParams { credentials, region, service: "s3", unix_ms, payload: Payload::Unsigned },
    )
}

pub fn sign(method: &str, url: &str, headers: &[(&str, &str)], p: &SigningParams<'_>) -> Result<Signed> {
    Ok(sign_inner(method, url, headers, p, None)?.0)
}

/// A pre-signed request: the URL carries the signature (`X-Amz-*` query parameters), and only
/// the headers given to `presign` must be sent, unchanged. Fewer headers cross CORS this way.
#[derive(Debug, Clone)]
pub struct Presigned {
    pub url: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Longest validity S3 accepts for a pre-signed URL: 7 days.
pub const MAX_PRESIGN_SECS: u32 = 604_800;

/// Query-string signing (S3 "pre-signed URL"), valid `expires_secs` from `unix_ms`.
pub fn presign(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    p: &SigningParams<'_>,
    expires_secs: u32,
) -> Result<Presigned> {
    if !(1..=MAX_PRESIGN_SECS).contains(&expires_secs) {
        return Err(Error::invalid_argument(format!(
            "a pre-signed URL must expire in 1 to {MAX_PRESIGN_SECS} seconds, not {expires_secs}"
        )));
    }
    let (s, url) = sign_inner(method, url, headers, p, Some(expires_secs))?;
    Ok(Presigned {
        url: url.unwrap_or_default(),
        canonical_request: s.canonical_request,
        string_to_sign: s.string_to_sign,
        signature: s.signature,
    })
}

/// Pre-signs an S3 request with `UNSIGNED-PAYLOAD`.
pub fn presign_s3(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    credentials: &Credentials,
    region: &str,
    unix_ms: u64,
    expires_secs: u32,
) -> Result<Presigned> {
    let p = SigningParams { credentials, region, service: "s3", unix_ms, payload: Payload::Unsigned };
    presign(method, url, headers, &p, expires_secs)
}

/// Both flavours: with `presign_secs` the auth goes into the query (and the signed URL is
/// returned), otherwise into headers.
fn sign_inner(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    p: &SigningParams<'_>,
    presign_secs: Option<u32>,
) -> Result<(Signed, Option<String>)> {
    if p.region.is_empty() || !p.region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid_argument(format!("S3 region {:?} is not a valid region name", p.region)));
    }
    let mut parts = split_url(url)?;
    let amz_date = amz_date(p.unix_ms);
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/{}/aws4_request", p.region, p.service);
    let payload_hash = match p.payload {
        Payload::Unsigned => UNSIGNED_PAYLOAD,
        Payload::Hash { hex, .. } => hex,
    };

    // Header signing adds these headers; query signing sends none of its own.
    let mut added: Vec<(String, String)> = Vec::new();
    if presign_secs.is_none() {
        added.push(("x-amz-date".into(), amz_date.clone()));
        if matches!(p.payload, Payload::Unsigned | Payload::Hash { send_header: true, .. }) {
            added.push(("x-amz-content-sha256".into(), payload_hash.to_string()));
        }
        if let Some(token) = &p.credentials.session_token {
            added.push(("x-amz-security-token".into(), token.clone()));
        }
    }

    // Canonical headers: lowercase names, trimmed values with inner runs of spaces collapsed,
    // sorted by name, repeated names joined by commas.
    let mut canon: Vec<(String, String)> = vec![("host".into(), parts.host.clone())];
    for (k, v) in headers.iter().map(|(k, v)| (*k, *v)).chain(added.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        let name = k.trim().to_ascii_lowercase();
        if name == "host" || name == "authorization" {
            continue; // host is taken from the URL so the two cannot disagree
        }
        if name.is_empty() || name.bytes().any(|b| !b.is_ascii_graphic() || b == b':') {
            return Err(Error::invalid_argument(format!("header name {k:?} cannot be signed")));
        }
        let value = v.split_whitespace().collect::<Vec<_>>().join(" ");
        canon.push((name, value));
    }
    crate::index_sort::sort_by(&mut canon, |a, b| a.0.cmp(&b.0)); // stable: repeated names keep their order
    let mut merged: Vec<(String, String)> = Vec::with_capacity(canon.len());
    for (k, v) in canon {
        match merged.last_mut() {
            Some((lk, lv)) if *lk == k => {
                lv.push(',');
                lv.push_str(&v);
            }
            _ => merged.push((k, v)),
        }
    }
    let signed_headers = merged.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let canonical_headers: String = merged.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();

    let mut auth_query: Vec<(String, String)> = Vec::new();
    if let Some(secs) = presign_secs {
        let enc = |s: &str| uri_encode(s.as_bytes(), false);
        auth_query.push(("X-Amz-Algorithm".into(), "AWS4-HMAC-SHA256".into()));
        auth_query.push(("X-Amz-Credential".into(), enc(&format!("{}/{scope}", p.credentials.access_key_id))));
        auth_query.push(("X-Amz-Date".into(), amz_date.clone()));
        auth_query.push(("X-Amz-Expires".into(), secs.to_string()));
        if let Some(token) = &p.credentials.session_token {
            auth_query.push(("X-Amz-Security-Token".into(), enc(token)));
        }
        auth_query.push(("X-Amz-SignedHeaders".into(), enc(&signed_headers)));
        parts.pairs.extend(auth_query.iter().cloned());
    }
    crate::index_sort::sort(&mut parts.pairs);
    let canonical_query = parts.pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");

    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        parts.canonical_path,
        canonical_query,
        canonical_headers,
        signed_headers,
        payload_hash
    );
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical_request.as_bytes())));

    let k_date = hmac(format!("AWS4{}", p.credentials.secret_access_key).as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, p.region.as_bytes());
    let k_service = hmac(&k_region, p.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));

    let presigned_url = presign_secs.map(|_| {
        let base = url.split('#').next().unwrap_or(url);
        let sep = if base.contains('?') { '&' } else { '?' };
        let q: Vec<String> = auth_query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{base}{sep}{}&X-Amz-Signature={signature}", q.join("&"))
    });
    if presign_secs.is_none() {
        added.push((
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                p.credentials.access_key_id
            ),
        ));
    }
    Ok((Signed { headers: added, canonical_request, string_to_sign, signature }, presigned_url))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length (longer ones are hashed first), so this never fails; if it
    // did, the signature would be wrong and S3 would refuse the request (a typed error).
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return [0; 32] };
    m.update(data);
    m.finalize().into_bytes().into()
}

struct UrlParts {
    host: String,
    canonical_path: String,
    /// Query pairs, each side already SigV4-encoded, unsorted.
    pairs: Vec<(String, String)>,
}

/// Splits `scheme://host[:port]/path?query` and canonicalises path and query the S3 way.
fn split_url(url: &str) -> Result<UrlParts> {
    let bad = || Error::invalid_argument(format!("cannot sign URL {url:?}: expected http(s)://host/path"));
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let rest = rest.split('#').next().unwrap_or("");
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..path_start];
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.is_empty() {
        return Err(bad());
    }
    let mut host = authority.to_ascii_lowercase();
    // Browsers and fetch drop a default port from Host, so it must not be signed either.
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    if host.ends_with(default_port) {
        host.truncate(host.len() - default_port.len());
    }
    let tail = &rest[path_start..];
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    let canonical_path = uri_encode(&percent_decode(path).ok_or_else(bad)?, true);

    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        let k = uri_encode(&percent_decode(k).ok_or_else(bad)?, false);
        let v = uri_encode(&percent_decode(v).ok_or_else(bad)?, false);
        pairs.push((k, v));
    }
    Ok(UrlParts { host, canonical_path, pairs })
}

/// `YYYYMMDD'T'HHMMSS'Z'` in UTC from unix milliseconds (civil-from-days, no calendar crate).
pub fn amz_date(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let sod = secs % 86_400;
    let (y, m, d) = crate::time::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", sod / 3600, sod / 60 % 60, sod % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_formats_utc() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_440_938_160_000), "20150830T123600Z");
        assert_eq!(amz_date(951_782_400_000), "20000229T000000Z"); // leap day
        assert_eq!(amz_date(1_369_353_600_999), "20130524T000000Z");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let c = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "SECRET".into(),
            session_token: Some("TOK".into()),
        };
        let s = format!("{c:?}");
        assert!(s.contains("AKID") && !s.contains("SECRET") && !s.contains("TOK"));
    }
}
