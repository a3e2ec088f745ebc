//! Single-object operations: get, update and delete (`crud`), the bodies they send (`changes`),
//! jobs (`jobs`), per-analysis endpoints and cancellation (`analyses`), waiting for an analysis
//! (`poll`), the account (`account`), and resolving references in bulk (`resolve`).

pub mod account;
pub mod analyses;
pub mod changes;
pub mod crud;
pub mod jobs;
pub mod poll;
pub mod resolve;

pub use account::account;
pub use analyses::cancel_analysis;
pub use crud::{delete, get, update};
pub use jobs::{create_job, job_details, publish_job, run_job, RunOptions};
pub use resolve::resolve_all;

use crate::error::Error;
use crate::http::status_error;

/// `<Action> failed (<status>)[: <detail>]`, with the status's error code.
pub(crate) fn action_error(resp: &crate::http::Response, action: &str) -> Error {
    let detail = resp.server_message().or_else(|| {
        let t = resp.text();
        let t = t.trim();
        (!t.is_empty() && t.len() < 500).then(|| t.to_string())
    });
    let mut e = status_error(resp, action);
    e.message = match detail {
        Some(d) => format!("{action} failed ({}): {d}", resp.status),
        None => format!("{action} failed ({})", resp.status),
    };
    e
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::http::config::BaseUrl;
    use crate::http::session::tests::Scripted;
    use crate::http::session::{Api, ClientConfig};

    pub(crate) fn api(outcomes: Vec<crate::Result<crate::http::Response>>) -> Api<Scripted> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        Api::new(config, Scripted::new(outcomes))
    }
}
