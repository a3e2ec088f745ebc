//! The classifications of a collection and what a `Collection` needs beside their results, over
//! HTTP, as the Python client gathers them: items are samples (their primary classifications) or
//! classifications, given as objects, URIs or ids; their samples, metadata, projects and jobs
//! are resolved with one query per resource; the results of the successful ones are fetched a
//! bounded number at a time and handed to a parser as each arrives.
//!
//! Building the matrices is `crate::results::Collection`'s job; the parser given here decides
//! where the tables live (the wasm client parses them in the tables module).

use super::results::{classification_results, concurrency_limit, run_bounded};
use crate::error::{Error, ErrorCode, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::objects::resolve_all;
use crate::refs::{check_id, reference_id};
use crate::results::Warning;
use serde_json::{json, Value};
use std::future::Future;

/// Which resource a collection's items are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Samples,
    Classifications,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Samples => "samples",
            ItemKind::Classifications => "classifications",
        }
    }

    /// The kind a `$uri` (of an object) or a URI names, if either.
    fn of(value: &Value) -> Option<Self> {
        let uri = value.get("$uri").and_then(Value::as_str).or_else(|| value.as_str())?;
        if uri.starts_with("/api/v1/samples/") {
            Some(ItemKind::Samples)
        } else if uri.starts_with("/api/v1/classifications/") {
            Some(ItemKind::Classifications)
        } else {
            None
        }
    }
}

/// A collection to fetch, checked before any request: one kind of item, each as an object or a
/// `{ "$ref": uri }` link, and how to fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionRequest {
    kind: ItemKind,
    refs: Vec<Value>,
    skip_missing: bool,
    concurrency: usize,
}

impl CollectionRequest {
    /// `items`: objects with a `$uri`, URIs, or bare ids (samples when `ids_are` is `"samples"`,
    /// else classifications). Mixing samples and classifications is refused. `skip_missing`
    /// (default true) skips samples without a primary classification and unsuccessful
    /// classifications with a warning; `concurrency` (default 6) bounds the results downloads.
    pub fn new(
        items: Vec<Value>,
        skip_missing: Option<bool>,
        concurrency: Option<f64>,
        ids_are: Option<&str>,
    ) -> Result<Self> {
        let bare_ids = match ids_are {
            None | Some("classifications") => ItemKind::Classifications,
            Some("samples") => ItemKind::Samples,
            Some(other) => {
                return Err(Error::invalid_argument(format!(
                    "idsAre must be \"classifications\" or \"samples\" (got \"{other}\")"
                )))
            }
        };
        let mut kind: Option<ItemKind> = None;
        let mut refs = Vec::with_capacity(items.len());
        for item in items {
            let k = match &item {
                Value::String(s) if !s.starts_with("/api/v1/") => bare_ids,
                v => ItemKind::of(v).ok_or_else(|| {
                    Error::invalid_argument(
                        "collection items must be samples or classifications (objects with a $uri, URIs or ids)",
                    )
                })?,
            };
            if kind.is_some_and(|x| x != k) {
                return Err(Error::invalid_argument("a collection takes samples or classifications, not both"));
            }
            kind = Some(k);
            refs.push(match item {
                Value::String(s) if s.starts_with("/api/v1/") => json!({ "$ref": s }),
                Value::String(s) => {
                    json!({ "$ref": format!("/api/v1/{}/{}", k.as_str(), check_id(&s)?) })
                }
                v => v,
            });
        }
        Ok(CollectionRequest {
            kind: kind.unwrap_or(ItemKind::Classifications),
            refs,
            skip_missing: skip_missing.unwrap_or(true),
            concurrency: concurrency_limit(concurrency)?,
        })
    }

    pub fn kind(&self) -> ItemKind {
        self.kind
    }

    pub fn skip_missing(&self) -> bool {
        self.skip_missing
    }
}

/// One classification of a fetched collection, with what `Collection` reads beside its table.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionMember<T> {
    pub classification_id: String,
    /// The parsed results; `None` for an unsuccessful classification (it has none).
    pub table: Option<T>,
    pub success: bool,
    /// The URI of the classification's job.
    pub job_uri: Option<String>,
    pub job_name: Option<String>,
    /// The sample and metadata objects (null when unknown).
    pub sample: Value,
    pub metadata: Value,
    pub project_name: Option<String>,
}

/// The members in the order given, and the warnings of fetching (samples skipped for having no
/// primary classification), listed before those of building the collection.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedCollection<T> {
    pub members: Vec<CollectionMember<T>>,
    pub warnings: Vec<Warning>,
    pub skip_missing: bool,
}

/// The URI of a link or an object: its `$ref`, else its `$uri`.
fn ref_uri(value: &Value) -> Option<&str> {
    value.get("$ref").or_else(|| value.get("$uri")).and_then(Value::as_str)
}

/// True for a reference still to be fetched: a `{ $ref }` link, or an object that is only a `$uri`.
fn is_link(r: &Value) -> bool {
    r.get("$ref").is_some() || r.as_object().is_some_and(|m| m.len() == 1 && m.contains_key("$uri"))
}

/// Objects for the references that are links (one `$in` query per resource); objects already
/// expanded are kept as they are. Missing ones are null.
async fn expand<Tr: Transport>(api: &Api<Tr>, refs: &[Value]) -> Result<Vec<Value>> {
    let need: Vec<Value> =
        refs.iter().filter(|r| is_link(r)).map(|r| json!({ "$ref": ref_uri(r).unwrap_or_default() })).collect();
    let mut fetched = if need.is_empty() { Vec::new() } else { resolve_all(api, &need).await? }.into_iter();
    Ok(refs.iter().map(|r| if is_link(r) { fetched.next().unwrap_or(Value::Null) } else { r.clone() }).collect())
}

/// The field `key` of each object (null where absent), resolved.
async fn expand_field<Tr: Transport>(api: &Api<Tr>, objects: &[Value], key: &str) -> Result<Vec<Value>> {
    let refs: Vec<Value> = objects.iter().map(|o| o.get(key).cloned().unwrap_or(Value::Null)).collect();
    expand(api, &refs).await
}

/// Fetches a collection: the classifications (of the samples, when the items are samples), their
/// samples, metadata, projects and jobs, then the results of the successful ones, at most
/// `concurrency` at a time, each given to `parse` as it arrives (so that only that many are
/// held as bytes), with `on_progress(done, total)` after each.
pub async fn fetch_collection<Tr, T, P, F>(
    api: &Api<Tr>,
    request: CollectionRequest,
    parse: P,
    on_progress: impl FnMut(usize, usize),
) -> Result<FetchedCollection<T>>
where
    Tr: Transport,
    P: Fn(Vec<u8>) -> F,
    F: Future<Output = Result<T>>,
{
    let CollectionRequest { kind, refs, skip_missing: skip, concurrency } = request;
    let mut warnings = Vec::new();
    let mut samples: Vec<Value> = Vec::new();
    let classifications = match kind {
        ItemKind::Samples => {
            let mut class_refs = Vec::new();
            for (s, r) in expand(api, &refs).await?.into_iter().zip(&refs) {
                if s.is_null() {
                    let uri = ref_uri(r).unwrap_or("?");
                    return Err(Error::new(ErrorCode::NotFound, format!("sample {uri} does not exist")));
                }
                match s.get("primary_classification").filter(|p| !p.is_null()) {
                    Some(p) => {
                        class_refs.push(p.clone());
                        samples.push(s);
                    }
                    None => {
                        let id = reference_id(&s).unwrap_or_default();
                        if !skip {
                            return Err(Error::invalid_argument(format!("sample {id} has no primary classification")));
                        }
                        warnings.push(Warning::new(
                            "no_primary_classification",
                            format!("Sample {id} has no primary classification. Skipping."),
                        ));
                    }
                }
            }
            expand(api, &class_refs).await?
        }
        ItemKind::Classifications => expand(api, &refs).await?,
    };
    if classifications.iter().any(Value::is_null) {
        return Err(Error::new(ErrorCode::NotFound, "a classification of the collection does not exist"));
    }
    // Samples, metadata, projects and jobs of the classifications (one query per resource).
    if samples.is_empty() {
        samples = expand_field(api, &classifications, "sample").await?;
    }
    let metadata = expand_field(api, &samples, "metadata").await?;
    let projects = expand_field(api, &samples, "project").await?;
    let jobs = expand_field(api, &classifications, "job").await?;

    let successful: Vec<bool> = classifications.iter().map(|c| c.get("success") == Some(&Value::Bool(true))).collect();
    if !skip {
        if let Some((c, _)) = classifications.iter().zip(&successful).find(|(_, ok)| !**ok) {
            let id = reference_id(c)?;
            return Err(Error::invalid_argument(format!("classification {id} was not successful")));
        }
    }
    let wanted: Vec<&Value> = classifications.iter().zip(&successful).filter(|(_, ok)| **ok).map(|(c, _)| c).collect();
    let parse = &parse;
    let futures: Vec<_> = wanted
        .into_iter()
        .map(|c| async move {
            let fetched = classification_results(api, c).await?;
            let id = reference_id(c)?;
            parse(fetched.bytes).await.map_err(|mut e| {
                e.message = format!("classification {id}: {}", e.message);
                e
            })
        })
        .collect();
    let mut tables = run_bounded(futures, concurrency, on_progress).await?.into_iter();

    let text = |v: Option<&Value>, key: &str| v.and_then(|o| o.get(key)).and_then(Value::as_str).map(str::to_string);
    let mut members = Vec::with_capacity(classifications.len());
    for (i, (c, &success)) in classifications.iter().zip(&successful).enumerate() {
        members.push(CollectionMember {
            classification_id: reference_id(c)?,
            table: if success { tables.next() } else { None },
            success,
            job_uri: c.get("job").and_then(ref_uri).map(str::to_string),
            job_name: text(jobs.get(i), "name"),
            sample: samples.get(i).cloned().unwrap_or(Value::Null),
            metadata: metadata.get(i).cloned().unwrap_or(Value::Null),
            project_name: text(projects.get(i), "name"),
        });
    }
    Ok(FetchedCollection { members, warnings, skip_missing: skip })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::tests::{block_on, reply};
    use crate::objects::test_support::api;
    use std::cell::RefCell;

    fn classification(id: &str, success: bool) -> Value {
        json!({
            "$uri": format!("/api/v1/classifications/{id}"),
            "success": success,
            "results_uri": format!("https://bucket.example/{id}"),
            "job": {"$uri": "/api/v1/jobs/j1", "name": "One Codex Database"},
            "sample": {"$uri": "/api/v1/samples/s1", "filename": "a.fq", "metadata": null, "project": null},
        })
    }

    #[test]
    fn items_are_checked_before_any_request() {
        let new = |items: Vec<Value>, ids_are: Option<&str>| CollectionRequest::new(items, None, None, ids_are);
        let r = new(vec![json!("c1"), json!("/api/v1/classifications/c2")], None).unwrap();
        assert_eq!(r.kind(), ItemKind::Classifications);
        assert_eq!(
            r.refs,
            [json!({"$ref": "/api/v1/classifications/c1"}), json!({"$ref": "/api/v1/classifications/c2"})]
        );
        assert!(r.skip_missing() && r.concurrency == 6);
        assert_eq!(new(vec![json!("s1")], Some("samples")).unwrap().refs, [json!({"$ref": "/api/v1/samples/s1"})]);
        assert_eq!(new(vec![], None).unwrap().kind(), ItemKind::Classifications);

        let refused = [
            new(vec![json!("c1")], Some("jobs")),
            new(vec![json!("/api/v1/samples/s1"), json!({"$uri": "/api/v1/classifications/c1"})], None),
            new(vec![json!({"$uri": "/api/v1/jobs/j1"})], None),
            new(vec![json!(3)], None),
            new(vec![json!("a/b")], None),
            CollectionRequest::new(vec![], None, Some(0.0), None),
            CollectionRequest::new(vec![], None, Some(1.5), None),
        ];
        for r in refused {
            assert_eq!(r.unwrap_err().code, ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn fetches_the_successful_results_and_keeps_the_rest_in_order() {
        let a = api(vec![reply(200, &[], "results of c2")]);
        let items = vec![classification("c1", false), classification("c2", true)];
        let request = CollectionRequest::new(items, None, Some(2.0), None).unwrap();
        let progress = RefCell::new(vec![]);
        let parse = |bytes: Vec<u8>| async move { Ok(String::from_utf8_lossy(&bytes).into_owned()) };
        let got = block_on(fetch_collection(&a, request, parse, |d, t| progress.borrow_mut().push((d, t)))).unwrap();
        assert_eq!(a.transport.requests.borrow().len(), 1, "objects in hand are not fetched again");
        assert_eq!(got.members.len(), 2);
        let (c1, c2) = (&got.members[0], &got.members[1]);
        assert_eq!((c1.classification_id.as_str(), c1.success, c1.table.as_deref()), ("c1", false, None));
        assert_eq!((c2.classification_id.as_str(), c2.table.as_deref()), ("c2", Some("results of c2")));
        assert_eq!(c2.job_uri.as_deref(), Some("/api/v1/jobs/j1"));
        assert_eq!(c2.job_name.as_deref(), Some("One Codex Database"));
        assert_eq!(c2.sample["filename"], "a.fq");
        assert_eq!((&c2.metadata, &c2.project_name), (&Value::Null, &None));
        assert_eq!(*progress.borrow(), [(1, 1)]);
        assert!(got.warnings.is_empty() && got.skip_missing);
    }

    #[test]
    fn parse_errors_name_the_classification() {
        let a = api(vec![reply(200, &[], "bad")]);
        let request = CollectionRequest::new(vec![classification("c2", true)], None, None, None).unwrap();
        let parse = |_: Vec<u8>| async { Err::<(), _>(Error::invalid_response("not JSON")) };
        let e = block_on(fetch_collection(&a, request, parse, |_, _| {})).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidResponse, "classification c2: not JSON"));
    }

    #[test]
    fn samples_without_a_primary_classification_are_skipped_or_refused() {
        let sample = json!({"$uri": "/api/v1/samples/s9", "primary_classification": null, "filename": "x.fq"});
        let parse = |_: Vec<u8>| async { Ok(()) };

        let request = CollectionRequest::new(vec![sample.clone()], None, None, None).unwrap();
        assert_eq!(request.kind(), ItemKind::Samples);
        let got = block_on(fetch_collection(&api(vec![]), request, parse, |_, _| {})).unwrap();
        assert!(got.members.is_empty());
        assert_eq!(
            got.warnings,
            [Warning::new("no_primary_classification", "Sample s9 has no primary classification. Skipping.")]
        );

        let request = CollectionRequest::new(vec![sample], Some(false), None, None).unwrap();
        let e = block_on(fetch_collection(&api(vec![]), request, parse, |_, _| {})).unwrap_err();
        assert_eq!(e.message, "sample s9 has no primary classification");
    }

    #[test]
    fn unsuccessful_classifications_are_refused_without_skip_missing() {
        let request = CollectionRequest::new(vec![classification("c1", false)], Some(false), None, None).unwrap();
        let parse = |_: Vec<u8>| async { Ok(()) };
        let e = block_on(fetch_collection(&api(vec![]), request, parse, |_, _| {})).unwrap_err();
        assert_eq!(e.message, "classification c1 was not successful");
    }
}
