//! Pagination state of one listing: page numbers until `X-Total-Count` items
//! have come, or cursors until `X-Next-Cursor` is absent. An empty page always ends the listing,
//! so a server that over-reports its total cannot make the client loop; neither can one that
//! repeats a cursor or sends a page of objects already listed (both end it with
//! `invalid_response`).

use crate::error::{Error, Result};
use crate::http::Response;
use crate::query::Listing;
use crate::resources::Pagination;
use serde_json::Value;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct Pager {
    listing: Listing,
    page: u32,
    cursor: Option<String>,
    received: u64,
    total: Option<u64>,
    done: bool,
    /// Cursors and object URIs seen so far: a listing that goes round in circles is detected.
    cursors: HashSet<String>,
    uris: HashSet<String>,
}

impl Pager {
    pub fn new(listing: Listing) -> Self {
        let (cursors, uris) = (HashSet::new(), HashSet::new());
        Pager { listing, page: 1, cursor: None, received: 0, total: None, done: false, cursors, uris }
    }

    pub fn listing(&self) -> &Listing {
        &self.listing
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// `X-Total-Count` of page-style listings, once the first page has come.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The path and query of the next request, or None when the listing is complete.
    pub fn next_path(&self) -> Option<String> {
        (!self.done).then(|| self.listing.page_path(self.page, self.cursor.as_deref()))
    }

    /// Pages still to come, when the total is known (page style).
    pub fn pages_left(&self) -> usize {
        match (self.done, self.total) {
            (true, _) => 0,
            (false, Some(total)) => {
                let per_page = crate::query::listing::PER_PAGE as u64;
                (total.saturating_sub(self.received)).div_ceil(per_page) as usize
            }
            (false, None) => 1,
        }
    }

    /// The paths of the next `n` pages (page style), to fetch together; accept their
    /// responses in this order.
    pub fn next_paths(&self, n: usize) -> Vec<String> {
        if self.done {
            return Vec::new();
        }
        (0..n as u32).map(|i| self.listing.page_path(self.page + i, None)).collect()
    }

    /// Consumes a 2xx response to the request of `next_path` and returns its items.
    pub fn accept(&mut self, resp: &Response) -> Result<Vec<Value>> {
        let items = match resp.json::<Value>("Listing")? {
            Value::Array(items) => items,
            other => {
                return Err(Error::invalid_response(format!(
                    "a listing page must be a JSON array, got {}",
                    crate::error::kind_of(&other)
                )))
            }
        };
        self.received += items.len() as u64;
        // A page whose objects were all listed before (page numbers a server ignores) brings
        // nothing: going on would never end.
        let mut fresh = false;
        for uri in items.iter().filter_map(|o| o.get("$uri").and_then(Value::as_str)) {
            fresh |= self.uris.insert(uri.to_string());
        }
        let with_uris = items.iter().any(|o| o.get("$uri").is_some());
        if with_uris && !fresh {
            self.done = true;
            return Err(Error::invalid_response(format!(
                "listing {}: page {} repeats objects already listed; the listing would never end",
                self.listing.path, self.page
            )));
        }
        match self.listing.pagination {
            Pagination::Page => {
                // A missing header counts as 0: stop after this page.
                let total = resp.header("x-total-count").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0);
                self.total = Some(total);
                self.page += 1;
                self.done = items.is_empty() || self.received >= total;
            }
            Pagination::Cursor => {
                self.cursor = resp.header("x-next-cursor").map(str::to_string).filter(|c| !c.is_empty());
                if let Some(c) = &self.cursor {
                    if !self.cursors.insert(c.clone()) {
                        self.done = true;
                        return Err(Error::invalid_response(format!(
                            "listing {}: the server sent the cursor '{c}' a second time; the listing would never end",
                            self.listing.path
                        )));
                    }
                }
                if let Some(total) = resp.header("x-total-count").and_then(|v| v.trim().parse().ok()) {
                    self.total = Some(total);
                }
                self.done = items.is_empty() || self.cursor.is_none();
            }
        }
        Ok(items)
    }

    /// Ends the listing early (a limit was reached).
    pub fn finish(&mut self) {
        self.done = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Route;
    use crate::resources::Resource;

    fn pager(resource: &str) -> Pager {
        let r = Resource::by_name(resource).unwrap();
        Pager::new(Listing::new(r, Route::Own, &Value::Null, &Value::Null).unwrap())
    }

    fn page(body: &str, headers: &[(&str, &str)]) -> Response {
        Response {
            status: 200,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn page_style_stops_at_total() {
        let mut p = pager("projects");
        assert!(p.next_path().unwrap().ends_with("&page=1"));
        assert_eq!(p.accept(&page("[1, 2]", &[("X-Total-Count", "3")])).unwrap().len(), 2);
        assert!(p.next_path().unwrap().ends_with("&page=2"));
        p.accept(&page("[3]", &[("X-Total-Count", "3")])).unwrap();
        assert_eq!((p.next_path(), p.total()), (None, Some(3)));
    }

    #[test]
    fn page_style_stops_on_missing_total_and_on_empty_pages() {
        let mut p = pager("projects");
        p.accept(&page("[1]", &[])).unwrap();
        assert!(p.is_done(), "missing X-Total-Count counts as 0");
        let mut p = pager("projects");
        p.accept(&page("[]", &[("X-Total-Count", "50")])).unwrap();
        assert!(p.is_done(), "an empty page ends the loop even if the total says more");
    }

    #[test]
    fn cursor_style_follows_next_cursor() {
        let mut p = pager("samples");
        assert!(p.next_path().unwrap().ends_with("&expand=all"), "no cursor on the first request");
        p.accept(&page("[1]", &[("X-Next-Cursor", "c 2")])).unwrap();
        assert!(p.next_path().unwrap().ends_with("&cursor=c+2"));
        p.accept(&page("[2]", &[])).unwrap();
        assert!(p.is_done());
    }

    #[test]
    fn a_non_array_page_is_invalid_response() {
        let mut p = pager("samples");
        let e = p.accept(&page(r#"{"message": "x"}"#, &[])).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidResponse);
    }

    fn objects(ids: &[&str]) -> String {
        let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"$uri": "/api/v1/samples/{id}"}}"#)).collect();
        format!("[{}]", items.join(", "))
    }

    #[test]
    fn a_repeated_cursor_ends_the_listing() {
        let mut p = pager("samples");
        p.accept(&page(&objects(&["a"]), &[("X-Next-Cursor", "same")])).unwrap();
        let e = p.accept(&page(&objects(&["b"]), &[("X-Next-Cursor", "same")])).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidResponse);
        assert!(e.message.contains("cursor 'same' a second time"), "{}", e.message);
        assert!(p.is_done() && p.next_path().is_none());
    }

    #[test]
    fn a_page_of_objects_already_listed_ends_the_listing() {
        let mut p = pager("projects");
        let total = [("X-Total-Count", "1000000000")];
        p.accept(&page(&objects(&["a", "b"]), &total)).unwrap();
        // Overlap is fine (an object inserted meanwhile shifts the pages); all-old is not.
        p.accept(&page(&objects(&["b", "c"]), &total)).unwrap();
        let e = p.accept(&page(&objects(&["a", "c"]), &total)).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidResponse);
        assert!(e.message.contains("repeats objects already listed"), "{}", e.message);
        assert!(p.is_done());
    }
}
