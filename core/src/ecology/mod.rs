//! What users do with a collection's matrix next: diversity, distances, ordination, clustering and
//! statistics, with the numbers of the Python client (scikit-bio, scipy, scikit-learn).
//!
//! Plain functions over plain data (row-major `f64` matrices, [`DistanceMatrix`]); the collection
//! level (rank/metric resolution, taxonomy trees) is in the modules that take a `Collection`.

pub mod aitchison;
pub mod alpha;
pub mod beta;
pub mod collection;
pub mod distance_matrix;
pub mod linkage;
pub mod metrics;
pub mod ordination;
pub mod stats;
pub mod unifrac;

pub use collection::{
    alpha_diversity, alpha_diversity_stats, beta_diversity, beta_diversity_stats, filter, AlphaDiversity,
    AlphaStatsOptions, BetaDiversity, BetaStatsOptions, MatrixChoice, Posthoc, StatsResult,
};
pub use distance_matrix::DistanceMatrix;
pub use metrics::{AlphaMetric, AlphaTest, BetaMetric};
