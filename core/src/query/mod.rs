//! Query building: `where` filters, `sort`, and the listing query string.

pub mod builder;
pub mod fields;
pub mod form;
pub mod keywords;
pub mod listing;
pub mod pager;
pub mod pyjson;
pub mod run;
pub mod sort;
pub mod where_filter;

pub use keywords::expand_keywords;
pub use listing::{listing_query, Listing, Page, Route};
pub use sort::encode_sort;
pub use where_filter::{encode_where, normalize_where};
