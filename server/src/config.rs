//! Command-line flags.

use std::path::PathBuf;

pub const DEFAULT_API_KEY: &str = "0123456789abcdef0123456789abcdef";
pub const DEFAULT_BEARER: &str = "demo-bearer-token";
pub const BUCKET: &str = "onecodex-multipart-uploads-encrypted";

#[derive(Clone, Debug)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub s3_port: u16,
    pub seed: u64,
    pub samples: usize,
    pub api_key: String,
    pub bearer_token: String,
    pub data: Option<PathBuf>,
    pub classify_delay_ms: u64,
    pub s3_region: String,
    pub faults_file: Option<PathBuf>,
    /// Lifetime of pre-signed download/result URLs.
    pub presign_ttl_secs: u64,
    /// Generator mode: write N classification results files to a folder and exit.
    pub generate_results: Option<(usize, PathBuf)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8080,
            s3_port: 8081,
            seed: 1,
            samples: 200,
            api_key: DEFAULT_API_KEY.into(),
            bearer_token: DEFAULT_BEARER.into(),
            data: None,
            classify_delay_ms: 2000,
            s3_region: "us-east-1".into(),
            faults_file: None,
            presign_ttl_secs: 3600,
            generate_results: None,
        }
    }
}

pub const USAGE: &str = "onecodex-server [flags]
  --port N               API port (default 8080; 0 = a free port)
  --s3-port N            S3 port (default 8081; 0 = a free port)
  --host H               bind address (default 127.0.0.1)
  --seed N               data seed (default 1)
  --samples N            samples of the main user (default 200)
  --api-key KEY          accepted API key (default a fixed demo key)
  --bearer-token T       accepted bearer token (default a fixed demo token)
  --data DIR             storage folder (default a temporary folder removed on exit)
  --classify-delay-ms N  time a new classification takes to complete (default 2000)
  --s3-region R          the upload bucket's region (default us-east-1)
  --faults FILE          JSON file of fault rules to install at start
  --presign-ttl-secs N   lifetime of pre-signed URLs (default 3600)
  --generate-results N DIR   write N classification results files (zstd JSON) to DIR and exit";

pub fn parse(args: &[String]) -> Result<Config, String> {
    let mut c = Config::default();
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag, None),
        };
        if name == "--help" || name == "-h" {
            return Err(USAGE.to_string());
        }
        let val = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| format!("{name} needs a value"))
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: not a valid number: {v}"))
        }
        match name {
            "--port" => c.port = num(name, val(&mut i)?)?,
            "--s3-port" => c.s3_port = num(name, val(&mut i)?)?,
            "--host" => c.host = val(&mut i)?,
            "--seed" => c.seed = num(name, val(&mut i)?)?,
            "--samples" => c.samples = num(name, val(&mut i)?)?,
            "--api-key" => c.api_key = val(&mut i)?,
            "--bearer-token" => c.bearer_token = val(&mut i)?,
            "--data" => c.data = Some(PathBuf::from(val(&mut i)?)),
            "--classify-delay-ms" => c.classify_delay_ms = num(name, val(&mut i)?)?,
            "--s3-region" => c.s3_region = val(&mut i)?,
            "--faults" => c.faults_file = Some(PathBuf::from(val(&mut i)?)),
            "--presign-ttl-secs" => c.presign_ttl_secs = num(name, val(&mut i)?)?,
            "--generate-results" => {
                let n: usize = num(name, val(&mut i)?)?;
                i += 1;
                let dir = args.get(i).ok_or("--generate-results needs N and DIR")?;
                c.generate_results = Some((n, PathBuf::from(dir)));
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
        i += 1;
    }
    if c.samples > 100_000 {
        return Err("--samples must be at most 100000".into());
    }
    if c.api_key.is_empty() || c.bearer_token.is_empty() {
        return Err("--api-key and --bearer-token must not be empty".into());
    }
    Ok(c)
}
