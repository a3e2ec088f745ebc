//! Results over HTTP: an analysis's results files (`results`), the classifications of a
//! collection with their samples, metadata and results (`collection`), and which functional
//! profile stands for each sample (`functional`).

pub mod collection;
pub mod functional;
pub mod results;
