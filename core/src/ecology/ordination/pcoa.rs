//! Principal coordinate analysis of a distance matrix, as scikit-bio's `pcoa(dm)` (method
//! "eigh", all dimensions).

use super::linalg::symmetric_eigen;
use super::{checked_len, pin_column_signs};
use crate::ecology::distance_matrix::DistanceMatrix;
use crate::results::Matrix;
use crate::{Error, Result};

/// Principal coordinates of the samples, one axis per sample, largest eigenvalue first.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcoa {
    pub ids: Vec<String>,
    /// n × dimensions, row-major: sample i on axis k is `coordinates[i * dimensions + k]`.
    pub coordinates: Vec<f64>,
    pub dimensions: usize,
    /// Negative eigenvalues (non-Euclidean distances) and those within 1e-8 of 0 are reported as
    /// 0, and their axes are all zeros.
    pub eigenvalues: Vec<f64>,
    /// Each eigenvalue over the sum of the (non-negative) eigenvalues.
    pub proportion_explained: Vec<f64>,
}

impl Pcoa {
    /// The axis names, `PC1` …
    pub fn axis_names(&self) -> Vec<String> {
        (1..=self.dimensions).map(|k| format!("PC{k}")).collect()
    }

    /// `classification_id,PC1,PC2,…` then one row per sample.
    pub fn to_csv(&self) -> String {
        let names = self.axis_names();
        Matrix {
            row_ids: self.ids.clone(),
            column_ids: names.clone(),
            column_names: names,
            values: self.coordinates.clone(),
        }
        .to_csv()
    }
}

/// PCoA of the samples of `dm` (at least 3). Each axis is signed so that its coordinate of
/// largest magnitude is positive, as the Python client's PCoA plot pins them.
pub fn pcoa(dm: &DistanceMatrix) -> Result<Pcoa> {
    let n = checked_len(dm, 3, "PCoA")?;
    let centred = gower_centred(&dm.values, n);
    let eigen = symmetric_eigen(&centred, n)?;
    // Largest first; values that are 0 up to rounding become 0 (numpy's isclose(λ, 0)).
    let mut order: Vec<usize> = (0..n).collect();
    let clean = |v: f64| if v.abs() <= 1e-8 { 0.0 } else { v };
    order.sort_by(|&a, &b| clean(eigen.values[b]).total_cmp(&clean(eigen.values[a])));
    let eigenvalues: Vec<f64> = order.iter().map(|&k| clean(eigen.values[k]).max(0.0)).collect();
    let total: f64 = eigenvalues.iter().sum();
    if total <= 0.0 {
        return Err(Error::invalid_argument("PCoA: all distances are 0, so there are no axes"));
    }
    let proportion_explained = eigenvalues.iter().map(|v| v / total).collect();
    let mut coordinates = vec![0.0; n * n];
    for (axis, (&k, &value)) in order.iter().zip(&eigenvalues).enumerate() {
        let scale = value.sqrt();
        for i in 0..n {
            coordinates[i * n + axis] = eigen.vectors[i * n + k] * scale;
        }
    }
    pin_column_signs(&mut coordinates, n, n);
    Ok(Pcoa { ids: dm.ids.clone(), coordinates, dimensions: n, eigenvalues, proportion_explained })
}

/// Gower's centred matrix of −d²/2: each entry minus its row and column means plus the grand
/// mean (Legendre & Legendre's E and F matrices).
fn gower_centred(d: &[f64], n: usize) -> Vec<f64> {
    let mut e: Vec<f64> = d.iter().map(|v| -0.5 * v * v).collect();
    let row_means: Vec<f64> = e.chunks_exact(n).map(|row| row.iter().sum::<f64>() / n as f64).collect();
    let grand_mean = row_means.iter().sum::<f64>() / n as f64;
    for (i, row) in e.chunks_exact_mut(n).enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = *v - row_means[i] - row_means[j] + grand_mean;
        }
    }
    e
}
