//! The listing query string: `where`, `sort`, `per_page=100`, `expand=all`,
//! then `page` or `cursor`, in that order, form-encoded as Python's `urlencode` does.

use super::form::quote_plus;
use super::pyjson::to_python_json;
use super::sort::encode_sort;
use super::where_filter::normalize_where;
use crate::error::{Error, Result};
use crate::resources::{Pagination, Resource};
use serde_json::{Map, Value};

/// The client always asks for 100 per page, as the Python client does.
pub const PER_PAGE: u32 = 100;

#[derive(Debug, Clone, PartialEq)]
pub enum Page<'a> {
    /// Page-style collections: `page=N` (1-based).
    Number(u32),
    /// Cursor-style collections: no parameter on the first request.
    FirstCursor,
    /// Cursor-style collections: the opaque `X-Next-Cursor` value from the previous page.
    Cursor(&'a str),
}

pub fn listing_query(where_json: &str, sort_json: &str, page: Page<'_>) -> String {
    let mut q =
        format!("where={}&sort={}&per_page={PER_PAGE}&expand=all", quote_plus(where_json), quote_plus(sort_json));
    match page {
        Page::Number(n) => q.push_str(&format!("&page={n}")),
        Page::FirstCursor => {}
        Page::Cursor(c) => q.push_str(&format!("&cursor={}", quote_plus(c))),
    }
    q
}

/// Which listing route of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Own,
    Public,
    Organization,
}

/// Everything about one listing except the page: the path, the encoded `where` and `sort`, and the
/// headers the collection needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub path: String,
    pub where_json: String,
    pub sort_json: String,
    pub pagination: Pagination,
    pub experimental: bool,
}

impl Listing {
    /// `public` wins over `organization`. Jobs have no `/public` route: the Python client
    /// sends `{"public": true}` in `where` instead, and so do we.
    pub fn new(resource: &Resource, route: Route, filter: &Value, sort: &Value) -> Result<Listing> {
        Listing::from_terms(resource, route, normalize_where(filter, &resource.path())?, sort)
    }

    /// The same from terms `normalize_where` already gave (a query normalises its filter once).
    pub fn from_terms(
        resource: &Resource,
        route: Route,
        mut terms: Map<String, Value>,
        sort: &Value,
    ) -> Result<Listing> {
        let suffix = match route {
            Route::Own => "",
            Route::Public if resource.has_public => "/public",
            Route::Public if resource.name == "jobs" => {
                terms.insert("public".into(), Value::Bool(true));
                ""
            }
            Route::Organization if resource.has_organization => "/organization",
            _ => {
                let word = if route == Route::Public { "public" } else { "organization" };
                return Err(Error::invalid_argument(format!(
                    "{} cannot be listed with {word}: true (no /{word} route)",
                    resource.name
                )));
            }
        };
        Ok(Listing {
            path: format!("{}{suffix}", resource.path()),
            where_json: to_python_json(&Value::Object(terms)),
            sort_json: to_python_json(&Value::Object(encode_sort(sort)?)),
            pagination: resource.pagination,
            experimental: resource.experimental,
        })
    }

    /// The path and query of one page request; cursor collections ignore `page`.
    pub fn page_path(&self, page: u32, cursor: Option<&str>) -> String {
        let page = match (self.pagination, cursor) {
            (Pagination::Page, _) => Page::Number(page.max(1)),
            (Pagination::Cursor, None) => Page::FirstCursor,
            (Pagination::Cursor, Some(c)) => Page::Cursor(c),
        };
        format!("{}?{}", self.path, listing_query(&self.where_json, &self.sort_json, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn listing_routes() {
        let samples = Resource::by_name("samples").unwrap();
        let l = Listing::new(samples, Route::Public, &json!({"size": {"$gt": 5}}), &json!("size")).unwrap();
        assert_eq!(l.path, "/api/v1/samples/public");
        assert_eq!(
            l.page_path(1, None),
            format!(
                "/api/v1/samples/public?{}",
                listing_query(r#"{"size": {"$gt": 5}}"#, r#"{"size": true}"#, Page::FirstCursor)
            )
        );
        let jobs = Resource::by_name("jobs").unwrap();
        let l = Listing::new(jobs, Route::Public, &Value::Null, &Value::Null).unwrap();
        assert_eq!((l.path.as_str(), l.where_json.as_str()), ("/api/v1/jobs", r#"{"public": true}"#));
        assert!(l.page_path(2, None).ends_with("&page=2"));
        let tags = Resource::by_name("tags").unwrap();
        let e = Listing::new(tags, Route::Organization, &Value::Null, &Value::Null).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(e.message.contains("tags cannot be listed with organization"));
    }

    #[test]
    fn matches_the_recorded_python_request() {
        // the API, observed from the Python client.
        let q = listing_query(
            r#"{"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4"}"#,
            "{}",
            Page::FirstCursor,
        );
        assert_eq!(
            q,
            "where=%7B%22filename%22%3A+%7B%22%24icontains%22%3A+%22a+b%2Fc%22%7D%2C+%22project%22%3A+%224b53797444f846c4%22%7D&sort=%7B%7D&per_page=100&expand=all"
        );
    }

    #[test]
    fn page_and_cursor_parameters() {
        assert!(listing_query("{}", "{}", Page::Number(3)).ends_with("&expand=all&page=3"));
        assert!(listing_query("{}", "{}", Page::Cursor("a b")).ends_with("&cursor=a+b"));
    }
}
