//! Analyses of a `Collection` for JavaScript: diversity, distances, ordination, clustering and
//! statistics. Converts options and results; the computing is in `onecodex_core::ecology`.

pub(crate) mod diversity;
mod ordination;

pub use ordination::{linkage_js, mds_free_js, pcoa_js, PcoaResultJs};
