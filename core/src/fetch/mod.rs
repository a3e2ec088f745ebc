//! Results over HTTP: an analysis's results files (`results`) and which functional profile stands
//! for each sample of a collection (`functional`).

pub mod functional;
pub mod results;
