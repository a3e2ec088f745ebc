//! Pre-signed URLs served by the API port without API auth; they expire.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub struct Presigner {
    key: Vec<u8>,
    pub ttl_secs: u64,
}

impl Presigner {
    pub fn new(seed: u64, ttl_secs: u64) -> Presigner {
        // A per-process key: URLs from an earlier run are not valid.
        let nonce =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        Presigner { key: format!("presign-{seed}-{nonce}").into_bytes(), ttl_secs }
    }
    fn sig(&self, path: &str, expires: u64) -> String {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key).expect("hmac key");
        m.update(path.as_bytes());
        m.update(b"\n");
        m.update(expires.to_string().as_bytes());
        hex::encode(m.finalize().into_bytes())
    }
    /// `base` + `path` + `?X-Amz-Expires…`-like query.
    pub fn url(&self, base: &str, path: &str) -> String {
        let expires = crate::timefmt::now_secs() as u64 + self.ttl_secs;
        format!("{base}{path}?expires={expires}&signature={}", self.sig(path, expires))
    }
    pub fn verify(&self, path: &str, query: &[(String, String)]) -> Result<(), &'static str> {
        let get = |k: &str| query.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let (Some(exp), Some(sig)) = (get("expires"), get("signature")) else {
            return Err("Query-string authentication requires the expires and signature parameters");
        };
        let exp: u64 = exp.parse().map_err(|_| "Invalid expires parameter")?;
        if !crate::auth::constant_eq(self.sig(path, exp).as_bytes(), sig.as_bytes()) {
            return Err("The request signature we calculated does not match the signature you provided");
        }
        if (crate::timefmt::now_secs() as u64) >= exp {
            return Err("Request has expired");
        }
        Ok(())
    }
}
