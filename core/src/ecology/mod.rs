//! What users do with a collection's matrix next: diversity, distances, ordination, clustering and
//! statistics, with the numbers of the Python client (scikit-bio, scipy, scikit-learn).
//!
//! Plain functions over plain data (row-major `f64` matrices, [`DistanceMatrix`]); the collection
//! level (rank/metric resolution, taxonomy trees) is in the modules that take a `Collection`.

pub mod distance_matrix;

pub use distance_matrix::DistanceMatrix;
pub mod linkage;
pub mod ordination;
