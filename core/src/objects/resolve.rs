//! Resolving references in bulk: one `$uri $in` listing per resource instead of one GET each.

use crate::error::{Error, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::query::run::fetch_by_ids;
use crate::refs::check_id;
use crate::resources::Resource;
use serde_json::Value;

/// Resolves references (`{ $ref }`, objects with `$uri`, or URIs) to full objects with one
/// `$uri $in` listing per resource rather than one GET each. Unknown ones come back as null,
/// in the order given.
pub async fn resolve_all<T: Transport>(api: &Api<T>, refs: &[Value]) -> Result<Vec<Value>> {
    let mut wanted: Vec<(String, String)> = Vec::with_capacity(refs.len()); // (collection, id)
    for r in refs {
        let uri = r.get("$ref").or_else(|| r.get("$uri")).and_then(Value::as_str).or_else(|| r.as_str()).ok_or_else(
            || Error::invalid_argument("resolve: each reference must be { $ref }, an object with a $uri, or a URI"),
        )?;
        let mut parts = uri.strip_prefix("/api/v1/").unwrap_or_default().split('/');
        let (Some(collection), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::invalid_argument(format!("resolve: '{uri}' is not a /api/v1/<collection>/<id> URI")));
        };
        Resource::by_name(collection)?;
        wanted.push((collection.to_string(), check_id(id)?.to_string()));
    }
    let mut found: std::collections::HashMap<(String, String), Value> = Default::default();
    let mut collections: Vec<&str> = wanted.iter().map(|(c, _)| c.as_str()).collect();
    crate::index_sort::sort(&mut collections);
    collections.dedup();
    for collection in collections {
        let ids: Vec<String> = wanted.iter().filter(|(c, _)| c == collection).map(|(_, i)| i.clone()).collect();
        for object in fetch_by_ids(api, Resource::by_name(collection)?, &ids).await? {
            if let Some(id) = crate::refs::object_id(&object) {
                found.insert((collection.to_string(), id.to_string()), object);
            }
        }
    }
    Ok(wanted.iter().map(|k| found.get(k).cloned().unwrap_or(Value::Null)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::{block_on, reply};
    use crate::objects::test_support::api;
    use serde_json::json;

    #[test]
    fn resolve_all_uses_one_listing_per_resource() {
        let a = api(vec![
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/projects/p1"}]"#),
            reply(200, &[], r#"[{"$uri": "/api/v1/samples/s2"}, {"$uri": "/api/v1/samples/s1"}]"#),
        ]);
        let refs = vec![
            json!({"$ref": "/api/v1/samples/s1"}),
            json!("/api/v1/projects/p1"),
            json!({"$uri": "/api/v1/samples/s2"}),
            json!({"$ref": "/api/v1/samples/zz"}),
        ];
        let got = block_on(resolve_all(&a, &refs)).unwrap();
        let ids: Vec<_> = got.iter().map(|o| o.get("$uri").and_then(Value::as_str).unwrap_or("null")).collect();
        assert_eq!(ids, ["/api/v1/samples/s1", "/api/v1/projects/p1", "/api/v1/samples/s2", "null"]);
        assert_eq!(a.transport.requests.borrow().len(), 2);
        assert!(block_on(resolve_all(&a, &[json!({"$ref": "/x/y"})])).is_err());
    }
}
