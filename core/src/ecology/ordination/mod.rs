//! Ordination of samples, with the Python client's numbers and sign conventions: PCoA of a
//! distance matrix (scikit-bio), PCA of a collection's matrix (scikit-learn's `PCA()`), and metric
//! MDS by SMACOF (scikit-learn, with `plot_mds`'s parameters).

mod collection;
mod linalg;
mod mds;
mod mt19937;
mod pca;
mod pcoa;

pub use collection::{collection_mds, collection_pca, collection_pcoa, mds_of, pcoa_of, CollectionPca};
pub use mds::{mds, Mds, MdsOptions};
pub use pca::{pca, Pca};
pub use pcoa::{pcoa, Pcoa};

use super::distance_matrix::DistanceMatrix;
use crate::{Error, Result};

/// The number of samples of `dm` after re-checking what [`DistanceMatrix::new`] checks (its fields
/// are public, so a value may not have come through it): at least `min` samples, n × n finite,
/// non-negative values, symmetric with a zero diagonal.
pub(crate) fn checked_len(dm: &DistanceMatrix, min: usize, what: &str) -> Result<usize> {
    let n = dm.ids.len();
    if n < min {
        return Err(Error::invalid_argument(format!("{what} needs at least {min} samples, got {n}")));
    }
    if dm.values.len() != n * n {
        return Err(Error::invalid_argument(format!(
            "{what}: a distance matrix of {n} samples needs {} values, got {}",
            n * n,
            dm.values.len()
        )));
    }
    for i in 0..n {
        for j in 0..n {
            let v = dm.values[i * n + j];
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid_argument(format!(
                    "{what}: distance ({i}, {j}) is {v}; distances must be finite and ≥ 0"
                )));
            }
            if i == j && v != 0.0 {
                return Err(Error::invalid_argument(format!("{what}: the diagonal ({i}, {i}) must be 0, got {v}")));
            }
            if j < i && v != dm.values[j * n + i] {
                return Err(Error::invalid_argument(format!("{what}: distances ({i}, {j}) and ({j}, {i}) differ")));
            }
        }
    }
    Ok(n)
}

/// `dm` with every distance rounded to `decimals` places as numpy rounds (scale, round half to
/// even, unscale): the Python client rounds to 6 before PCoA and clustering.
pub fn round_distances(dm: &DistanceMatrix, decimals: i32) -> DistanceMatrix {
    let scale = 10f64.powi(decimals);
    DistanceMatrix {
        ids: dm.ids.clone(),
        values: dm.values.iter().map(|v| (v * scale).round_ties_even() / scale).collect(),
        metric: dm.metric.clone(),
    }
}

/// Flips the sign of each column of the row-major `rows × cols` matrix so that its entry of
/// largest magnitude is positive (the first one when several tie, within rounding noise): the rule
/// `plot_pcoa` pins axes with, and scikit-learn's `svd_flip` applied to columns.
pub(crate) fn pin_column_signs(values: &mut [f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut signs = vec![1.0; cols];
    for (c, sign) in signs.iter_mut().enumerate() {
        let column = || (0..rows).filter_map(|r| values.get(r * cols + c).copied());
        let largest = column().fold(0.0f64, |m, v| m.max(v.abs()));
        // Ties within 1e-9 relative count as ties: the first one decides, as numpy's argmax.
        if let Some(first) = column().find(|v| v.abs() >= largest * (1.0 - 1e-9)) {
            if first < 0.0 {
                *sign = -1.0;
            }
        }
    }
    for r in 0..rows {
        for (c, &sign) in signs.iter().enumerate() {
            if let Some(v) = values.get_mut(r * cols + c) {
                *v *= sign;
            }
        }
    }
    signs
}
