//! Statistics of the Python client's `onecodex/stats.py`: rank tests (Mann–Whitney U,
//! Kruskal–Wallis, Wilcoxon), Dunn's post-hoc test with Benjamini–Hochberg, and PERMANOVA.

pub mod multiple;
pub mod permanova;
pub mod rank;
pub mod rank_tests;
pub mod special;

pub use multiple::{benjamini_hochberg, dunn_bh};
pub use permanova::{permanova, Permanova, SplitMix64};
pub use rank_tests::{kruskal, mann_whitney_u, wilcoxon, TestResult};
