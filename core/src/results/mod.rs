//! Results and tables: decoding results bodies, classification tables in columns,
//! multi-sample matrices, taxonomy trees, exports, functional profiles.
//!
//! Plain Rust: the wasm crate wraps these types and hands their columns to JavaScript as typed
//! arrays plus one string table.
//!
//! Entry points:
//! * [`ClassificationTable::parse`] (zstd, gzip or JSON bytes) → columns: string columns are
//!   `u32` codes into [`ClassificationTable::strings`] (one buffer + end offsets, or an
//!   iterator), numbers are `f64` with NaN for null; `stats()`, `row_of()`, `to_csv()`,
//!   `to_tsv()`, `to_json()`.
//! * [`Collection::new`] / [`Collection::from_tables`] / [`Collection::from_results`] →
//!   [`Collection::to_matrix`] (warnings as data), `taxonomy()`, `tree()`,
//!   `to_biom()`.
//! * [`FunctionalTable::parse`] (server `/results`), [`CondensedFunctional::parse`] (1.2.0
//!   condensed file) → `rehydrate()`, [`functional_matrix`]; [`filtered_results_query`].
//! * [`MlstResults::parse`], [`parse_json_results`], [`metadata_table`].
//!
//! Every bad input is an `invalid_response` (bodies) or `invalid_argument` (options) error,
//! never a panic; matrices larger than `max_bytes` are refused before they are allocated.

pub mod classification;
pub mod collection;
pub mod decode;
pub mod exports;
pub mod functional;
pub mod metric;
pub mod other;
pub mod strings;
pub mod taxonomy;

pub use classification::{ClassificationTable, Column, Row, SampleStats, COLUMN_NAMES};
pub use collection::{
    Collection, CollectionItem, LongTable, Matrix, MatrixOptions, MatrixResult, SampleInfo, TableFormat,
    DEFAULT_MAX_MATRIX_BYTES,
};
pub use decode::{
    decode, decode_with_limit, sniff, strip_bom, uncompressed_text, Compression, DEFAULT_MAX_DECODED_BYTES,
};
pub use functional::{
    filtered_results_query, functional_matrix, CondensedFunctional, FunctionalAnnotation, FunctionalMatrix,
    FunctionalMatrixSpec, FunctionalMetric, FunctionalTable, RehydrateFilter,
};
pub use metric::{Field, Metric, MetricOption, Normalization, Rank, RankOption};
pub use other::{
    metadata_in_order, metadata_of_members, metadata_table, parse_json_results, MetadataItem, MetadataTable,
    MlstAllele, MlstResult, MlstResults, MlstSummary, PanelMarker,
};
pub use strings::{StringTable, NULL_CODE};
pub use taxonomy::{Taxonomy, TaxonomyTree, TreeNode};

/// A warning the Python client would print, returned as data instead.
/// `code` is stable (snake_case) for programs; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

impl Warning {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Warning { code, message: message.into() }
    }
}
