//! Results as tables in JavaScript (the `onecodex-wasm/tables` entry): one module per class
//! (`ClassificationTable`, `FunctionalTable`, `Collection`, `TaxonomyTree`), the offline parsers,
//! and the conversions they share.
//!
//! Bulk data cross as typed arrays (`Float64Array`, NaN for null) and string arrays; only `rows()`
//! and `format: "long"` build one object per row. Every class here holds wasm memory: it is
//! released when the object is garbage-collected (weak refs), or at once with `free()`.

mod classification;
mod collection;
pub(crate) mod convert;
mod functional;
mod parsers;
mod plots;
mod taxonomy;

// The paths of the single-file module this folder replaced, which other modules extend (the
// analyses in `src/ecology/` add methods to `crate::tables::CollectionJs`).
#[allow(unused_imports)]
pub use classification::ClassificationTableJs;
#[allow(unused_imports)]
pub use collection::CollectionJs;
#[allow(unused_imports)]
pub use functional::FunctionalTableJs;
pub use parsers::{parse_classification_results, parse_functional_results};
#[allow(unused_imports)]
pub use plots::plot_functional_heatmap;
#[allow(unused_imports)]
pub use taxonomy::TaxonomyTreeJs;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SHARED: &str = r#"
/** Results bytes as fetched or read from a file (zstd, gzip or plain JSON), or JSON text. */
export type ResultsInput = Uint8Array | ArrayBuffer | string;
/** A warning the Python client would print, returned as data. */
export interface Warning { code: string; message: string; }
export type Rank = "superkingdom" | "kingdom" | "phylum" | "class" | "order" | "family" | "genus" | "species";
export type Metric = "readcount" | "readcount_w_children" | "abundance" | "abundance_w_children" |
  "prop_readcount" | "prop_readcount_w_children" | "prop_classified" | "prop_classified_w_children" |
  "normalized_readcount" | "normalized_readcount_w_children" | "filtered_readcount" |
  "filtered_readcount_w_children" | "normalized_filtered_readcount" | "normalized_filtered_readcount_w_children";
"#;
