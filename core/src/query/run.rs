//! Running a listing query against the API: validation before any request, then page by page,
//! with the samples extras of (tags by name, `tax_ids`, the metadata join).

use crate::error::{Error, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use crate::http::Method;
use crate::query::fields::{is_metadata_join_field, validate_terms};
use crate::query::pager::Pager;
use crate::query::{expand_keywords, normalize_where, pyjson::to_python_json, Listing, Route};
use crate::refs::object_id;
use crate::resources::{Pagination, Resource};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct QueryOptions {
    pub sort: Value,
    pub limit: Option<usize>,
    pub public: bool,
    pub organization: bool,
    /// Page-style listings fetch up to this many later pages at once once the total is known (≥ 1).
    pub concurrency: usize,
    /// Only these ids (or URIs), added to the filter as its `id` term.
    pub ids: Option<Vec<String>>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            sort: Value::Null,
            limit: None,
            public: false,
            organization: false,
            concurrency: DEFAULT_CONCURRENCY,
            ids: None,
        }
    }
}

/// The filter with `ids` as its `id` term; ids given twice (option and filter) are refused.
fn with_ids(filter: &Value, ids: Option<Vec<String>>) -> Result<Value> {
    let Some(ids) = ids else { return Ok(filter.clone()) };
    match filter {
        Value::Null => Ok(json!({ "id": ids })),
        Value::Object(map) if map.contains_key("id") || map.contains_key("$uri") => {
            Err(Error::invalid_argument("ids: give ids either in the filter (id) or in options.ids, not both"))
        }
        Value::Object(map) => {
            let mut map = map.clone();
            map.insert("id".into(), Value::from(ids));
            Ok(Value::Object(map))
        }
        _ => Err(Error::invalid_argument("where: must be an object")),
    }
}

/// Later pages fetched at once (page-style listings with a known total).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Ids of samples a metadata join allowed; None when there is no join.
type IdFilter = Option<HashMap<String, usize>>;

enum Stage {
    Start,
    Listing { pager: Box<Pager>, only: IdFilter },
    ByIds { chunks: VecDeque<Vec<String>> },
    Done,
}

pub struct QueryRun {
    resource: &'static Resource,
    route: Route,
    sort: Value,
    terms: Map<String, Value>,
    /// Samples `tags` terms hold names, ids, URIs or refs until the query starts.
    resolve_tags: bool,
    metadata_terms: Map<String, Value>,
    limit: Option<usize>,
    kept: usize,
    concurrency: usize,
    /// Pages fetched ahead, in order.
    ready: VecDeque<Vec<Value>>,
    stage: Stage,
}

/// How many ids go into one `$uri $in` request.
const IDS_PER_REQUEST: usize = 100;

impl QueryRun {
    /// Validates everything that can be checked without the network; no request is made here.
    pub fn new(resource: &str, filter: &Value, options: QueryOptions) -> Result<QueryRun> {
        let resource = Resource::by_name(resource)?;
        let route = if options.public {
            Route::Public
        } else if options.organization {
            Route::Organization
        } else {
            Route::Own
        };
        if options.concurrency == 0 {
            return Err(Error::invalid_argument("concurrency: must be at least 1"));
        }
        let filter = match with_ids(filter, options.ids)? {
            Value::Null => Map::new(),
            Value::Object(m) => m,
            other => {
                return Err(Error::invalid_filter(format!(
                    "a where filter must be an object, got {}",
                    crate::error::kind_of(&other)
                )))
            }
        };
        // `tags: [..]` and `tax_ids: [..]` mean all of them; an empty list adds nothing.
        let filter = expand_keywords(resource.name, &filter);
        let mut terms = normalize_where(&Value::Object(filter), &resource.path())?;
        validate_terms(resource.name, &terms)?;
        // Tags by name are resolved however the filter was written: `tags: [..]`, or the
        // `$containsall`/`$containsany` a filter builder (or an object filter) gives.
        let resolve_tags = resource.name == "samples" && terms.contains_key("tags");
        let mut metadata_terms = Map::new();
        if resource.name == "samples" {
            let keys: Vec<String> = terms.keys().filter(|k| is_metadata_join_field(k)).cloned().collect();
            if !keys.is_empty() && route != Route::Own {
                let word = if route == Route::Public { "public" } else { "organization" };
                let mut sorted = keys.clone();
                crate::index_sort::sort(&mut sorted);
                return Err(Error::invalid_filter(format!(
                    "Cannot filter {word} samples by metadata field(s): {}",
                    sorted.join(", ")
                )));
            }
            for k in keys {
                // shift_remove: the other terms keep their order (the wire order of).
                if let Some(v) = terms.shift_remove(&k) {
                    metadata_terms.insert(k, v);
                }
            }
        }
        // The sort is checked now too, by building the listing once.
        Listing::from_terms(resource, route, terms.clone(), &options.sort)?;
        Ok(QueryRun {
            resource,
            route,
            sort: options.sort,
            terms,
            resolve_tags,
            metadata_terms,
            limit: options.limit,
            kept: 0,
            concurrency: options.concurrency,
            ready: VecDeque::new(),
            stage: Stage::Start,
        })
    }

    pub fn resource(&self) -> &'static Resource {
        self.resource
    }

    /// True when no further page will come (known as soon as the last page has arrived).
    pub fn is_done(&self) -> bool {
        match &self.stage {
            Stage::Done => true,
            Stage::Start => false,
            Stage::Listing { pager, .. } => pager.is_done() && self.ready.is_empty(),
            Stage::ByIds { chunks } => chunks.is_empty(),
        }
    }

    /// The server's total where it gave one (page-style listings).
    pub fn total(&self) -> Option<u64> {
        match &self.stage {
            Stage::Listing { pager, only: None } => pager.total(),
            _ => None,
        }
    }

    /// Records that `n` items of the last page were kept (after a client-side predicate) and
    /// returns how many of them to hand out before the limit; reaching it ends the query.
    pub fn keep(&mut self, n: usize) -> usize {
        let allowed = match self.limit {
            Some(limit) => n.min(limit.saturating_sub(self.kept)),
            None => n,
        };
        self.kept += allowed;
        if self.limit.is_some_and(|l| self.kept >= l) {
            self.stage = Stage::Done;
        }
        allowed
    }

    /// The next page of raw items, or None when there are no more. Callers then call `keep`.
    pub async fn next_page<T: Transport>(&mut self, api: &Api<T>) -> Result<Option<Vec<Value>>> {
        loop {
            match &mut self.stage {
                Stage::Done => return Ok(None),
                Stage::Start => self.start(api).await?,
                Stage::Listing { pager, only } => {
                    let items = match self.ready.pop_front() {
                        Some(items) => items,
                        None => {
                            let remaining = self.limit.map(|l| l.saturating_sub(self.kept));
                            let pages = fetch_pages(api, self.resource, pager, self.concurrency, remaining).await?;
                            self.ready.extend(pages);
                            match self.ready.pop_front() {
                                Some(items) => items,
                                None => {
                                    self.stage = Stage::Done;
                                    return Ok(None);
                                }
                            }
                        }
                    };
                    let items = match only {
                        Some(ids) => {
                            items.into_iter().filter(|o| object_id(o).is_some_and(|id| ids.contains_key(id))).collect()
                        }
                        None => items,
                    };
                    return Ok(Some(items));
                }
                Stage::ByIds { chunks } => {
                    let Some(chunk) = chunks.pop_front() else {
                        self.stage = Stage::Done;
                        return Ok(None);
                    };
                    let found = fetch_by_ids(api, self.resource, &chunk).await?;
                    return Ok(Some(found));
                }
            }
        }
    }

    async fn start<T: Transport>(&mut self, api: &Api<T>) -> Result<()> {
        if std::mem::take(&mut self.resolve_tags) {
            self.resolve_tag_terms(api).await?;
        }
        let only = if self.metadata_terms.is_empty() {
            None
        } else {
            let ids = self.metadata_sample_ids(api).await?;
            if ids.is_empty() {
                self.stage = Stage::Done;
                return Ok(());
            }
            if self.terms.is_empty() && self.sort.is_null() {
                // Nothing else to filter or order by: fetch exactly those samples, in metadata order.
                let chunks = ids.chunks(IDS_PER_REQUEST).map(<[String]>::to_vec).collect();
                self.stage = Stage::ByIds { chunks };
                return Ok(());
            }
            Some(ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect())
        };
        let listing = Listing::from_terms(self.resource, self.route, self.terms.clone(), &self.sort)?;
        self.stage = Stage::Listing { pager: Box::new(Pager::new(listing)), only };
        Ok(())
    }

    /// Each tag of the `tags` operators becomes `{"$ref": its URI}`, in the order given.
    async fn resolve_tag_terms<T: Transport>(&mut self, api: &Api<T>) -> Result<()> {
        let Some(Value::Object(ops)) = self.terms.shift_remove("tags") else { return Ok(()) };
        let mut resolved = Map::new();
        for (op, operand) in ops {
            let mut refs = Vec::new();
            for tag in operand.as_array().into_iter().flatten() {
                refs.push(json!({ "$ref": resolve_tag(api, tag).await? }));
            }
            resolved.insert(op, Value::Array(refs));
        }
        // Python's key order: declared fields, then tags, then tax_ids.
        self.terms.insert("tags".into(), Value::Object(resolved));
        if let Some(tax_ids) = self.terms.shift_remove("tax_ids") {
            self.terms.insert("tax_ids".into(), tax_ids);
        }
        Ok(())
    }

    /// Ids of the samples whose metadata matches the metadata terms, in listing order.
    async fn metadata_sample_ids<T: Transport>(&self, api: &Api<T>) -> Result<Vec<String>> {
        let metadata = Resource::by_name("metadata")?;
        let listing = Listing::from_terms(metadata, Route::Own, self.metadata_terms.clone(), &Value::Null)?;
        let mut pager = Pager::new(listing);
        let (mut ids, mut seen) = (Vec::new(), std::collections::HashSet::new());
        while let Some(items) = fetch_page(api, metadata, &mut pager).await? {
            for m in items {
                let sample =
                    m.get("sample").and_then(|s| s.get("$ref").or_else(|| s.get("$uri"))).and_then(Value::as_str);
                if let Some(id) = sample.and_then(|uri| uri.rsplit('/').next()) {
                    if seen.insert(id.to_string()) {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        Ok(ids)
    }
}

/// One page of a listing, or None when the pager is done.
async fn fetch_page<T: Transport>(api: &Api<T>, resource: &Resource, pager: &mut Pager) -> Result<Option<Vec<Value>>> {
    let Some(path) = pager.next_path() else { return Ok(None) };
    let req = page_request(api, resource, pager, &path);
    let resp = api.send_ok(&req, &format!("Listing {}", resource.name)).await?;
    pager.accept(&resp).map(Some)
}

/// The next pages in order: one request while the total is unknown, then up to `concurrency`
/// at once, but never more pages than `remaining` items need (a limit fetches at most the page
/// it ends in).
async fn fetch_pages<T: Transport>(
    api: &Api<T>,
    resource: &Resource,
    pager: &mut Pager,
    concurrency: usize,
    remaining: Option<usize>,
) -> Result<Vec<Vec<Value>>> {
    let ahead = match (pager.listing().pagination, pager.total()) {
        (Pagination::Page, Some(_)) => {
            let per_page = crate::query::listing::PER_PAGE as usize;
            let for_limit = remaining.map_or(usize::MAX, |r| r.div_ceil(per_page).max(1));
            concurrency.min(pager.pages_left()).min(for_limit)
        }
        _ => 1,
    };
    if ahead <= 1 {
        return Ok(fetch_page(api, resource, pager).await?.into_iter().collect());
    }
    let paths = pager.next_paths(ahead);
    let requests: Vec<_> = paths.iter().map(|p| page_request(api, resource, pager, p)).collect();
    let action = format!("Listing {}", resource.name);
    let responses = futures_util::future::join_all(requests.iter().map(|r| api.send_ok(r, &action))).await;
    let mut pages = Vec::with_capacity(responses.len());
    for resp in responses {
        let resp = resp?;
        if pager.is_done() {
            break; // an earlier page was empty: the server has fewer items than it said
        }
        pages.push(pager.accept(&resp)?);
    }
    Ok(pages)
}

fn page_request<T: Transport>(api: &Api<T>, resource: &Resource, pager: &Pager, path: &str) -> crate::http::Request {
    let mut req = api.request(Method::Get, path);
    if pager.listing().pagination == Pagination::Cursor {
        req = req.header("X-Pagination-Style", "cursor");
    }
    if resource.experimental && !api.config.experimental {
        req = req.header("X-OneCodex-Api-Experimental", "1");
    }
    req
}

/// Objects by id with `$uri $in` queries instead of one GET each, in the order asked.
pub async fn fetch_by_ids<T: Transport>(api: &Api<T>, resource: &Resource, ids: &[String]) -> Result<Vec<Value>> {
    let mut by_id: HashMap<String, Value> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_REQUEST) {
        let filter = json!({ "$uri": { "$in": chunk } });
        let listing = Listing::new(resource, Route::Own, &filter, &Value::Null)?;
        let mut pager = Pager::new(listing);
        while let Some(items) = fetch_page(api, resource, &mut pager).await? {
            for item in items {
                if let Some(id) = object_id(&item) {
                    by_id.insert(id.to_string(), item);
                }
            }
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// A string of the shape `/api/v1/tags/<id>` is taken as the tag's URI, without a lookup (the
/// `RefValue` type promises URIs; a tag named exactly like a URI is not worth a request).
const TAGS_PREFIX: &str = "/api/v1/tags/";

fn looks_like_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A tag given by ref (an object's `$uri` became a `$ref` in `normalize_where`), URI, id or name
/// becomes its URI. A 16-hex-character string is tried as an id first and, if no such tag exists,
/// as a name (the Python client never tries the name: C.4).
async fn resolve_tag<T: Transport>(api: &Api<T>, tag: &Value) -> Result<String> {
    if let Some(uri) = tag.get("$ref").or_else(|| tag.get("$uri")).and_then(Value::as_str) {
        return Ok(uri.to_string());
    }
    let name = tag.as_str().unwrap_or_default();
    if name.starts_with(TAGS_PREFIX) && looks_like_id(&name[TAGS_PREFIX.len()..]) {
        return Ok(name.to_string());
    }
    if looks_like_id(name) {
        let resp = api.send(&api.request(Method::Get, &format!("/api/v1/tags/{name}?expand=all"))).await?;
        if resp.is_success() {
            let tag: Value = resp.json("Reading a tag")?;
            if let Some(uri) = tag.get("$uri").and_then(Value::as_str) {
                return Ok(uri.to_string());
            }
        } else if resp.status != 404 {
            return Err(crate::http::status_error(&resp, &format!("Reading tag {name}")));
        }
    }
    let path = format!(
        "/api/v1/tags?{}",
        crate::query::listing_query(&to_python_json(&json!({ "name": name })), "{}", crate::query::Page::Number(1))
    );
    let found: Value = api.get_json(&path, &format!("Looking up tag '{name}'")).await?;
    let found = found.as_array().cloned().unwrap_or_default();
    match found.as_slice() {
        [one] => object_id(one)
            .map(|_| one["$uri"].as_str().unwrap_or_default().to_string())
            .ok_or_else(|| Error::invalid_response("a tag without a $uri")),
        [] => Err(Error::invalid_argument(format!("unknown tag '{name}'"))),
        _ => Err(Error::invalid_argument(format!("several tags are named '{name}'; pass the tag's id instead"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::http::config::BaseUrl;
    use crate::http::session::tests::{block_on, reply, Scripted};
    use crate::http::session::ClientConfig;

    fn api(outcomes: Vec<crate::Result<crate::http::Response>>) -> Api<Scripted> {
        let config = ClientConfig { base_url: BaseUrl::parse("http://127.0.0.1:1").unwrap(), ..Default::default() };
        Api::new(config, Scripted::new(outcomes))
    }

    fn collect(run: &mut QueryRun, api: &Api<Scripted>) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(page) = block_on(run.next_page(api)).unwrap() {
            let n = run.keep(page.len());
            out.extend(page.into_iter().take(n));
        }
        out
    }

    fn urls(api: &Api<Scripted>) -> Vec<String> {
        api.transport.requests.borrow().iter().map(|r| r.url.replace("http://127.0.0.1:1", "")).collect()
    }

    #[test]
    fn bad_filters_fail_before_any_request() {
        let e =
            QueryRun::new("samples", &json!({"status": {"$contains": "a"}}), QueryOptions::default()).err().unwrap();
        assert_eq!(e.code, ErrorCode::InvalidFilter);
        let opts = QueryOptions { public: true, ..Default::default() };
        let e = QueryRun::new("samples", &json!({"platform": "x", "date_collected": null}), opts).err().unwrap();
        assert_eq!(e.message, "Cannot filter public samples by metadata field(s): date_collected, platform");
        let e = QueryRun::new("samples", &Value::Null, QueryOptions { sort: json!(5), ..Default::default() })
            .err()
            .unwrap();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn pages_until_the_limit_and_no_further() {
        let a = api(vec![
            reply(200, &[("X-Next-Cursor", "2")], r#"[{"$uri": "/api/v1/samples/a"}, {"$uri": "/api/v1/samples/b"}]"#),
            reply(200, &[("X-Next-Cursor", "3")], r#"[{"$uri": "/api/v1/samples/c"}, {"$uri": "/api/v1/samples/d"}]"#),
        ]);
        let mut run =
            QueryRun::new("samples", &Value::Null, QueryOptions { limit: Some(3), ..Default::default() }).unwrap();
        let got = collect(&mut run, &a);
        assert_eq!(got.iter().map(|o| object_id(o).unwrap()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(urls(&a).len(), 2, "the limit stops the paging");
        assert!(run.is_done());
        assert_eq!(a.transport.requests.borrow()[0].header_value("x-pagination-style"), Some("cursor"));
    }

    #[test]
    fn metadata_join_intersects_before_the_limit() {
        let a = api(vec![
            reply(
                200,
                &[],
                r#"[{"sample": {"$ref": "/api/v1/samples/b"}}, {"sample": {"$ref": "/api/v1/samples/d"}}]"#,
            ),
            reply(200, &[("X-Next-Cursor", "x")], r#"[{"$uri": "/api/v1/samples/a"}, {"$uri": "/api/v1/samples/b"}]"#),
            reply(200, &[], r#"[{"$uri": "/api/v1/samples/c"}, {"$uri": "/api/v1/samples/d"}]"#),
        ]);
        let filter = json!({"platform": "Illumina HiSeq", "filename": {"$icontains": "q"}});
        let mut run = QueryRun::new("samples", &filter, QueryOptions { limit: Some(2), ..Default::default() }).unwrap();
        let got: Vec<_> = collect(&mut run, &a).iter().map(|o| object_id(o).unwrap().to_string()).collect();
        assert_eq!(got, ["b", "d"]);
        let u = urls(&a);
        assert!(u[0].starts_with("/api/v1/metadata?where=%7B%22platform%22%3A+%22Illumina+HiSeq%22%7D"), "{}", u[0]);
        assert!(u[1].starts_with("/api/v1/samples?where=%7B%22filename%22"), "{}", u[1]);
    }

    #[test]
    fn later_pages_are_fetched_together_and_kept_in_order() {
        let page = |ids: &[&str]| {
            let items: Vec<String> = ids.iter().map(|i| format!(r#"{{"$uri": "/api/v1/projects/{i}"}}"#)).collect();
            reply(200, &[("X-Total-Count", "4")], &format!("[{}]", items.join(", ")))
        };
        // Scripted replies come back in request order; the pages asked together are 2, 3, 4.
        let a = api(vec![page(&["a"]), page(&["b"]), page(&["c"]), page(&["d"])]);
        let mut run = QueryRun::new("projects", &Value::Null, QueryOptions::default()).unwrap();
        let got: Vec<_> = collect(&mut run, &a).iter().map(|o| object_id(o).unwrap().to_string()).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
        let u = urls(&a);
        assert!(u[1].ends_with("&page=2") && u[2].ends_with("&page=3") && u[3].ends_with("&page=4"), "{u:?}");
    }

    #[test]
    fn a_limit_fetches_no_page_beyond_the_one_it_ends_in() {
        let mut pages = Vec::new();
        for p in 0..3 {
            let items: Vec<String> = (0..100).map(|i| format!(r#"{{"$uri": "/api/v1/projects/p{p}x{i}"}}"#)).collect();
            pages.push(reply(200, &[("X-Total-Count", "1000")], &format!("[{}]", items.join(", "))));
        }
        let a = api(pages);
        let mut run =
            QueryRun::new("projects", &Value::Null, QueryOptions { limit: Some(150), ..Default::default() }).unwrap();
        assert_eq!(collect(&mut run, &a).len(), 150);
        assert_eq!(urls(&a).len(), 2, "page 1, then only page 2 (of 10)");
    }

    #[test]
    fn done_is_known_when_the_last_page_arrives() {
        let a = api(vec![reply(200, &[], r#"[{"$uri": "/api/v1/samples/a"}]"#)]);
        let mut run = QueryRun::new("samples", &Value::Null, QueryOptions::default()).unwrap();
        assert!(!run.is_done());
        block_on(run.next_page(&a)).unwrap().unwrap();
        assert!(run.is_done(), "no X-Next-Cursor: nothing more to fetch");
    }

    #[test]
    fn metadata_only_join_fetches_those_samples_by_uri() {
        let a = api(vec![
            reply(
                200,
                &[],
                r#"[{"sample": {"$ref": "/api/v1/samples/d"}}, {"sample": {"$ref": "/api/v1/samples/b"}}]"#,
            ),
            reply(200, &[], r#"[{"$uri": "/api/v1/samples/b"}, {"$uri": "/api/v1/samples/d"}]"#),
        ]);
        let mut run = QueryRun::new("samples", &json!({"starred": true}), QueryOptions::default()).unwrap();
        let got: Vec<_> = collect(&mut run, &a).iter().map(|o| object_id(o).unwrap().to_string()).collect();
        assert_eq!(got, ["d", "b"], "metadata order");
        assert!(
            urls(&a)[1].contains("%24uri%22%3A+%7B%22%24in%22%3A+%5B%22%2Fapi%2Fv1%2Fsamples%2Fd%22"),
            "{}",
            urls(&a)[1]
        );
    }

    #[test]
    fn no_metadata_match_means_no_sample_request() {
        let a = api(vec![reply(200, &[], "[]")]);
        let mut run = QueryRun::new("samples", &json!({"platform": "x", "size": 1}), QueryOptions::default()).unwrap();
        assert!(collect(&mut run, &a).is_empty());
        assert_eq!(urls(&a).len(), 1);
    }

    #[test]
    fn tags_by_name_and_id_and_tax_ids() {
        let a = api(vec![
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/tags/t1", "name": "trimmed"}]"#),
            reply(404, &[], r#"{"message": "not found"}"#),
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/tags/t2"}]"#),
            reply(200, &[], "[]"),
        ]);
        let filter = json!({"tags": ["trimmed", "0123456789abcdef"], "tax_ids": ["543", "590"]});
        let mut run = QueryRun::new("samples", &filter, QueryOptions::default()).unwrap();
        collect(&mut run, &a);
        let u = urls(&a);
        assert!(u[0].starts_with("/api/v1/tags?where=%7B%22name%22%3A+%22trimmed%22%7D"), "{}", u[0]);
        assert_eq!(u[1], "/api/v1/tags/0123456789abcdef?expand=all");
        assert!(u[2].contains("%22name%22%3A+%220123456789abcdef%22"), "a 16-hex name falls back to a name lookup");
        let sent = u[3].split("where=").nth(1).unwrap().split('&').next().unwrap().to_string();
        assert_eq!(
            sent,
            crate::query::form::quote_plus(
                r#"{"tags": {"$containsall": [{"$ref": "/api/v1/tags/t1"}, {"$ref": "/api/v1/tags/t2"}]}, "tax_ids": {"$containsall": ["543", "590"]}}"#
            )
        );
    }

    #[test]
    fn tags_in_operator_form_are_resolved_like_the_list() {
        // What the filter builder gives: `tags` first, as $containsall (a name, a URI) and
        // $containsany (a name, an object); a metadata term between two sample terms.
        let a = api(vec![
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/tags/t1", "name": "trimmed"}]"#),
            reply(200, &[("X-Total-Count", "1")], r#"[{"$uri": "/api/v1/tags/t3", "name": "gut"}]"#),
            reply(200, &[], r#"[{"sample": {"$ref": "/api/v1/samples/s"}}]"#),
            reply(200, &[], "[]"),
        ]);
        let filter = json!({
            "tags": {"$containsall": ["trimmed", "/api/v1/tags/0123456789abcdef"], "$containsany": ["gut", {"$uri": "/api/v1/tags/t4"}]},
            "tax_ids": ["543"], "platform": "x", "size": {"$gt": 1}, "filename": "f"
        });
        let mut run = QueryRun::new("samples", &filter, QueryOptions::default()).unwrap();
        collect(&mut run, &a);
        let u = urls(&a);
        assert_eq!(u.len(), 4, "two name look-ups (none for the URI or the object), metadata, samples: {u:?}");
        assert!(u[0].contains("%22name%22%3A+%22trimmed%22") && u[1].contains("%22name%22%3A+%22gut%22"), "{u:?}");
        assert!(u[2].starts_with("/api/v1/metadata?where=%7B%22platform%22"), "{}", u[2]);
        let sent = u[3].split("where=").nth(1).unwrap().split('&').next().unwrap().to_string();
        assert_eq!(
            sent,
            crate::query::form::quote_plus(concat!(
                r#"{"size": {"$gt": 1}, "filename": "f", "tags": {"$containsall": [{"$ref": "/api/v1/tags/t1"}, {"$ref": "/api/v1/tags/0123456789abcdef"}], "#,
                r#""$containsany": [{"$ref": "/api/v1/tags/t3"}, {"$ref": "/api/v1/tags/t4"}]}, "tax_ids": {"$containsall": ["543"]}}"#
            )),
            "the sample terms keep their order; tags then tax_ids last"
        );
    }

    #[test]
    fn unknown_tag_is_a_typed_error() {
        let a = api(vec![reply(200, &[("X-Total-Count", "0")], "[]")]);
        let mut run = QueryRun::new("samples", &json!({"tags": ["nope"]}), QueryOptions::default()).unwrap();
        let e = block_on(run.next_page(&a)).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidArgument, "unknown tag 'nope'"));
    }

    #[test]
    fn ids_join_the_filter_once() {
        let ids = || Some(vec!["s1".to_string(), "s2".to_string()]);
        assert_eq!(with_ids(&Value::Null, ids()).unwrap(), json!({"id": ["s1", "s2"]}));
        assert_eq!(with_ids(&json!({"size": 1}), ids()).unwrap(), json!({"size": 1, "id": ["s1", "s2"]}));
        let e = with_ids(&json!({"id": "s3"}), ids()).unwrap_err();
        assert!(e.message.starts_with("ids: give ids either"), "{}", e.message);
        assert_eq!(with_ids(&json!([1]), ids()).unwrap_err().message, "where: must be an object");
        let zero = QueryOptions { concurrency: 0, ..Default::default() };
        assert_eq!(
            QueryRun::new("samples", &Value::Null, zero).err().unwrap().message,
            "concurrency: must be at least 1"
        );
    }
}
