//! The resource catalogue (API_SPEC.md §3.1 and §16.1): where each collection lives, how it
//! paginates, which listing routes it has, and whether it needs the experimental header.

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    Page,
    Cursor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The name used in the JavaScript API and in the path, e.g. `samples`.
    pub name: &'static str,
    pub pagination: Pagination,
    pub has_public: bool,
    pub has_organization: bool,
    pub experimental: bool,
}

impl Resource {
    pub fn path(&self) -> String {
        format!("/api/v1/{}", self.name)
    }

    pub fn by_name(name: &str) -> Result<&'static Resource> {
        RESOURCES.iter().find(|r| r.name == name).ok_or_else(|| {
            let known: Vec<&str> = RESOURCES.iter().map(|r| r.name).collect();
            Error::invalid_argument(format!("unknown resource '{name}' (known: {})", known.join(", ")))
        })
    }
}

const fn res(name: &'static str, pagination: Pagination, has_public: bool, experimental: bool) -> Resource {
    Resource { name, pagination, has_public, has_organization: false, experimental }
}

use Pagination::{Cursor, Page};

pub const RESOURCES: &[Resource] = &[
    Resource { name: "samples", pagination: Cursor, has_public: true, has_organization: true, experimental: false },
    res("metadata", Cursor, false, false),
    res("users", Page, false, false),
    res("projects", Page, true, false),
    res("tags", Page, false, false),
    res("jobs", Page, false, false),
    res("documents", Page, false, false),
    res("assets", Page, false, false),
    res("analyses", Page, true, false),
    res("classifications", Page, true, false),
    res("alignments", Page, true, false),
    res("functional_profiles", Page, true, false),
    res("panels", Page, true, false),
    res("mlsts", Page, true, false),
    res("workflows", Page, true, false),
    res("annotation_sets", Page, false, true),
    res("assemblies", Cursor, false, true),
    res("genomes", Cursor, false, true),
    res("taxa", Page, false, true),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_collections_follow_1_2_0() {
        let cursor: Vec<&str> =
            RESOURCES.iter().filter(|r| r.pagination == Cursor).map(|r| r.name).collect();
        assert_eq!(cursor, ["samples", "metadata", "assemblies", "genomes"]);
    }

    #[test]
    fn unknown_resource_is_invalid_argument() {
        let e = Resource::by_name("sample").unwrap_err();
        assert!(e.message.contains("unknown resource 'sample'"));
        assert_eq!(Resource::by_name("taxa").unwrap().path(), "/api/v1/taxa");
    }
}
