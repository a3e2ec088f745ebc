//! onecodex-server: a local One Codex-compatible API and S3 endpoint with generated data and
//! switchable faults. It shares no code with the client crates.

// Handlers return a ready HTTP reply as their error value, by design.
#![allow(clippy::result_large_err)]

mod api;
mod app;
mod auth;
mod config;
mod cors;
mod faults;
mod filter;
mod gen;
mod http;
mod model;
mod presign;
mod rng;
mod s3;
mod store;
mod timefmt;
mod uploads;

use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match config::parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            let help = args.iter().any(|a| a == "--help" || a == "-h");
            eprintln!("{msg}");
            std::process::exit(if help { 0 } else { 2 });
        }
    };
    if let Some((n, dir)) = &cfg.generate_results {
        match gen::files::write_results(cfg.seed, *n, dir) {
            Ok(()) => std::process::exit(0),
            Err(e) => {
                eprintln!("could not write results: {e}");
                std::process::exit(1);
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let code = rt.block_on(run(cfg));
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(code);
}

async fn run(cfg: config::Config) -> i32 {
    let (data_dir, temporary) = match &cfg.data {
        Some(d) => (d.clone(), false),
        None => {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            (std::env::temp_dir().join(format!("onecodex-server-{}-{nanos}", std::process::id())), true)
        }
    };
    let s3_root = data_dir.join("s3");
    if let Err(e) = std::fs::create_dir_all(&s3_root) {
        eprintln!("cannot create data folder {}: {e}", data_dir.display());
        return 1;
    }
    let cleanup = || {
        if temporary {
            let _ = std::fs::remove_dir_all(&data_dir);
        }
    };
    let bind = |port: u16| {
        let host = cfg.host.clone();
        async move { tokio::net::TcpListener::bind((host.as_str(), port)).await }
    };
    let (api_l, s3_l) = match (bind(cfg.port).await, bind(cfg.s3_port).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("cannot listen on {}: {e}", cfg.host);
            cleanup();
            return 1;
        }
    };
    let api_addr = api_l.local_addr().expect("addr");
    let s3_addr = s3_l.local_addr().expect("addr");
    let shown_host = if cfg.host == "0.0.0.0" {
        "127.0.0.1".to_string()
    } else if cfg.host.contains(':') {
        format!("[{}]", cfg.host)
    } else {
        cfg.host.clone()
    };
    let api_base = format!("http://{shown_host}:{}", api_addr.port());
    let s3_base = format!("http://{shown_host}:{}", s3_addr.port());

    let creds = Arc::new(s3::creds::Creds::default());
    let svc = match s3::build(&s3_root, creds.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start S3: {e}");
            cleanup();
            return 1;
        }
    };
    let faults = faults::Faults::new(cfg.seed);
    if let Some(f) = &cfg.faults_file {
        let loaded = std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
            .and_then(|v| faults.add_json(v));
        if let Err(e) = loaded {
            eprintln!("cannot load fault rules from {}: {e}", f.display());
            cleanup();
            return 2;
        }
    }
    let store = gen::data::generate(cfg.seed, cfg.samples);
    let app = Arc::new(app::App {
        presign: presign::Presigner::new(cfg.seed, cfg.presign_ttl_secs),
        cfg: cfg.clone(),
        store: RwLock::new(store),
        api_base: api_base.clone(),
        s3_base: s3_base.clone(),
        faults,
        uploads: Mutex::new(Default::default()),
        creds,
        s3_root,
    });
    let a = app.clone();
    let api_handler: http::Handler = Arc::new(move |req, peer| Box::pin(a.clone().handle_api(req, peer)));
    let a = app.clone();
    let s3_handler: http::Handler = Arc::new(move |req, peer| Box::pin(s3::handle(a.clone(), svc.clone(), req, peer)));
    // Install the signal handlers before announcing the addresses, so an early SIGTERM is clean.
    let stop = shutdown_signal();
    let t1 = tokio::spawn(http::serve(api_l, api_handler));
    let t2 = tokio::spawn(http::serve(s3_l, s3_handler));

    println!("api: {api_base}");
    println!("s3: {s3_base}");
    println!("api key: {}", cfg.api_key);
    println!("bearer token: {}", cfg.bearer_token);
    println!("data: {}", data_dir.display());
    let _ = std::io::stdout().flush();

    stop.await;
    t1.abort();
    t2.abort();
    cleanup();
    eprintln!("onecodex-server: stopped");
    0
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C); the handlers are installed when this is called.
fn shutdown_signal() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        Box::pin(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
