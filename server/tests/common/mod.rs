//! Test harness: runs the real server binary on free ports, plus a small SigV4 S3 client.
#![allow(dead_code)]

pub mod sigv4;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const KEY: &str = "0123456789abcdef0123456789abcdef";
pub const BEARER: &str = "demo-bearer-token";

pub struct Server {
    pub child: Child,
    pub api: String,
    pub s3: String,
    pub data: String,
    pub http: reqwest::Client,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onecodex-server"))
            .args(["--port", "0", "--s3-port", "0", "--samples", "60", "--classify-delay-ms", "300"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        let (mut api, mut s3, mut data) = (String::new(), String::new(), String::new());
        while let Some(Ok(l)) = lines.next() {
            if let Some(v) = l.strip_prefix("api: ") {
                api = v.to_string();
            } else if let Some(v) = l.strip_prefix("s3: ") {
                s3 = v.to_string();
            } else if let Some(v) = l.strip_prefix("data: ") {
                data = v.to_string();
                break;
            }
        }
        assert!(!api.is_empty() && !s3.is_empty(), "server did not print its addresses");
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Server { child, api, s3, data, http: reqwest::Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.api, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).basic_auth(KEY, Some(""))
    }
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).basic_auth(KEY, Some(""))
    }
    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).basic_auth(KEY, Some(""))
    }
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).basic_auth(KEY, Some(""))
    }

    /// GET returning (status, json).
    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).send().await.expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A listing with a `where` object: (status, items or error body, headers).
    pub async fn list(&self, coll: &str, w: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .get(&format!("/api/v1/{coll}"))
            .query(&[("where", w.to_string()), ("per_page", "1000".into())])
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub fn signal_term(&self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn id_of(v: &serde_json::Value) -> String {
    v["$uri"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string()
}
