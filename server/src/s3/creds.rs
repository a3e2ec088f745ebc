//! Per-upload S3 credentials: each init returns a fresh key pair valid only for that upload's
//! object keys, until its callback or cancel.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Clone, Debug)]
pub struct Cred {
    pub secret: String,
    pub keys: Vec<String>,
}

#[derive(Default)]
pub struct Creds {
    map: Mutex<HashMap<String, Cred>>,
}

impl Creds {
    pub fn issue(&self, access_key: String, secret: String, keys: Vec<String>) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).insert(access_key, Cred { secret, keys });
    }
    pub fn revoke(&self, access_key: &str) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(access_key);
    }
    pub fn get(&self, access_key: &str) -> Option<Cred> {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).get(access_key).cloned()
    }
}
