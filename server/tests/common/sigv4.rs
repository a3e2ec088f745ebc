//! A minimal AWS SigV4 signer and S3 client for tests (independent of the server code).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub struct S3 {
    pub endpoint: String,
    pub access_key: String,
    pub secret: String,
    pub region: String,
    /// Sign with `UNSIGNED-PAYLOAD` (as browsers do) instead of the body's SHA-256.
    pub unsigned: bool,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn enc(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || (keep_slash && c == '/') {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn now_amz() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

impl S3 {
    pub fn new(endpoint: &str, ak: &str, sk: &str, region: &str) -> S3 {
        S3 {
            endpoint: endpoint.into(),
            access_key: ak.into(),
            secret: sk.into(),
            region: region.into(),
            unsigned: false,
            http: reqwest::Client::new(),
        }
    }

    /// Sends a signed request. `query` pairs are unencoded; `headers` extra (lowercase names).
    pub async fn send(
        &self,
        method: &str,
        key: &str,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Reply {
        let bucket = "onecodex-multipart-uploads-encrypted";
        let path = if key.is_empty() { format!("/{bucket}") } else { format!("/{bucket}/{}", enc(key, true)) };
        let mut q: Vec<(String, String)> = query.iter().map(|(k, v)| (enc(k, false), enc(v, false))).collect();
        q.sort();
        let qs = q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let host = self.endpoint.trim_start_matches("http://").to_string();
        let amz_date = now_amz();
        let payload = if self.unsigned { "UNSIGNED-PAYLOAD".to_string() } else { hex::encode(Sha256::digest(&body)) };
        let mut hs: Vec<(String, String)> = vec![
            ("host".into(), host),
            ("x-amz-content-sha256".into(), payload.clone()),
            ("x-amz-date".into(), amz_date.clone()),
        ];
        for (k, v) in headers {
            hs.push((k.to_lowercase(), v.clone()));
        }
        hs.sort();
        let canon_headers: String = hs.iter().map(|(k, v)| format!("{k}:{}\n", v.trim())).collect();
        let signed: String = hs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
        let creq = format!("{method}\n{path}\n{qs}\n{canon_headers}\n{signed}\n{payload}");
        let date = &amz_date[..8];
        let scope = format!("{date}/{}/s3/aws4_request", self.region);
        let sts = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(creq.as_bytes())));
        let k = hmac(format!("AWS4{}", self.secret).as_bytes(), date);
        let k = hmac(&k, &self.region);
        let k = hmac(&k, "s3");
        let k = hmac(&k, "aws4_request");
        let sig = hex::encode(hmac(&k, &sts));
        let auth =
            format!("AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={sig}", self.access_key);
        let url =
            if qs.is_empty() { format!("{}{path}", self.endpoint) } else { format!("{}{path}?{qs}", self.endpoint) };
        let mut rb = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
            .header("authorization", auth);
        for (k, v) in &hs {
            if k != "host" {
                rb = rb.header(k.as_str(), v.as_str());
            }
        }
        let r = rb.body(body).send().await.expect("s3 request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Reply { status, headers, body }
    }

    pub async fn put(&self, key: &str, data: Vec<u8>) -> Reply {
        self.send("PUT", key, &[], &[("x-amz-server-side-encryption", "AES256".into())], data).await
    }

    pub async fn create_mpu(&self, key: &str) -> String {
        let r = self
            .send("POST", key, &[("uploads", "")], &[("x-amz-server-side-encryption", "AES256".into())], vec![])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        between(&r.body, "<UploadId>", "</UploadId>").expect("upload id")
    }

    pub async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        n: u32,
        data: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Reply {
        let ns = n.to_string();
        self.send("PUT", key, &[("partNumber", &ns), ("uploadId", upload_id)], headers, data).await
    }

    pub async fn complete(&self, key: &str, upload_id: &str, parts: &[(u32, String)]) -> Reply {
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (n, e) in parts {
            xml.push_str(&format!("<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>"));
        }
        xml.push_str("</CompleteMultipartUpload>");
        self.send("POST", key, &[("uploadId", upload_id)], &[], xml.into_bytes()).await
    }
}

pub fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

pub fn all_between(s: &str, a: &str, b: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = s;
    while let Some(i) = rest.find(a) {
        let after = &rest[i + a.len()..];
        let Some(j) = after.find(b) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + b.len()..];
    }
    out
}
