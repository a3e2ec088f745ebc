//! GET, PATCH and DELETE of one object.

use crate::error::{Error, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::{status_error, Method};
use crate::models::check_shape;
use crate::objects::changes::Body;
use crate::refs::check_id;
use crate::resources::Resource;
use serde_json::Value;

/// GET by id: the object, or None on 404 only; other failures are typed errors (not hidden as
/// "not found" as the Python client does,).
pub async fn get<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<Option<Value>> {
    let r = Resource::by_name(resource)?;
    let id = check_id(id)?;
    let mut req = api.request(Method::Get, &format!("{}/{id}?expand=all", r.path()));
    if r.experimental && !api.config.experimental {
        req = req.header("X-OneCodex-Api-Experimental", "1");
    }
    let resp = api.send(&req).await?;
    if resp.status == 404 {
        return Ok(None);
    }
    if !resp.is_success() {
        return Err(status_error(&resp, &format!("Reading {resource} {id}")));
    }
    let object: Value = resp.json(&format!("Reading {resource} {id}"))?;
    check_shape(resource, &object)?;
    Ok(Some(object))
}

/// PATCH with a body `changes::update_body` prepared; returns the updated object.
pub async fn update<T: Transport>(api: &Api<T>, resource: &str, id: &str, body: &Body) -> Result<Value> {
    let r = Resource::by_name(resource)?;
    let id = check_id(id)?;
    let object =
        api.patch_json(&format!("{}/{id}", r.path()), body.json(), &format!("Updating {resource} {id}")).await?;
    check_shape(resource, &object)?;
    Ok(object)
}

/// DELETE: success is exactly 204; anything else is a typed error, not a silent false.
pub async fn delete<T: Transport>(api: &Api<T>, resource: &str, id: &str) -> Result<()> {
    let r = Resource::by_name(resource)?;
    if !r.deletable {
        return Err(Error::invalid_argument(format!("{resource} cannot be deleted")));
    }
    let id = check_id(id)?;
    let resp = api.send(&api.request(Method::Delete, &format!("{}/{id}", r.path()))).await?;
    match resp.status {
        204 => Ok(()),
        _ => Err(status_error(&resp, &format!("Deleting {resource} {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::http::session::tests::{block_on, reply};
    use crate::objects::test_support::api;
    const SAMPLE: &str = r#"{"$uri": "/api/v1/samples/s1", "created_at": "2026-01-01T00:00:00+00:00", "metadata": {"$ref": "/api/v1/metadata/m"}, "owner": {"$ref": "/api/v1/users/u"}}"#;

    #[test]
    fn get_is_null_only_on_404() {
        let a =
            api(vec![reply(404, &[], "{}"), reply(403, &[], r#"{"message": "Forbidden"}"#), reply(200, &[], SAMPLE)]);
        assert_eq!(block_on(get(&a, "samples", "s1")).unwrap(), None);
        assert_eq!(block_on(get(&a, "samples", "s1")).unwrap_err().code, ErrorCode::Forbidden);
        assert!(block_on(get(&a, "samples", "s1")).unwrap().is_some());
        assert!(a.transport.requests.borrow()[0].url.ends_with("/api/v1/samples/s1?expand=all"));
    }

    #[test]
    fn delete_needs_204() {
        let a = api(vec![reply(204, &[], ""), reply(200, &[], "")]);
        block_on(delete(&a, "samples", "s1")).unwrap();
        assert_eq!(block_on(delete(&a, "samples", "s1")).unwrap_err().status, Some(200));
        assert!(block_on(delete(&a, "tags", "t")).unwrap_err().message.contains("tags cannot be deleted"));
    }
}
