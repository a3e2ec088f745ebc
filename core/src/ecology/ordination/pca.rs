//! Principal component analysis of a samples × features matrix, as scikit-learn's `PCA()` (centred,
//! not scaled, all min(n, p) components) that `plot_pca` runs.

use super::linalg::thin_svd;
use super::pin_column_signs;
use crate::{Error, Result};

/// Scores and components, largest variance first.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// k = min(rows, columns) components.
    pub components_count: usize,
    /// rows × k, row-major: the centred data projected on the components.
    pub scores: Vec<f64>,
    /// k × columns, row-major: unit vectors; each signed so its loading of largest magnitude is
    /// positive (scikit-learn's `svd_flip` on the components).
    pub components: Vec<f64>,
    /// Each component's variance (ddof 1) over the total variance.
    pub explained_variance_ratio: Vec<f64>,
}

/// PCA of the row-major `rows × cols` matrix `values` (at least 3 rows and 2 columns).
pub fn pca(values: &[f64], rows: usize, cols: usize) -> Result<Pca> {
    if rows < 3 {
        return Err(Error::invalid_argument(format!("PCA needs at least 3 samples, got {rows}")));
    }
    if cols < 2 {
        return Err(Error::invalid_argument(format!("PCA needs at least 2 taxa (columns), got {cols}")));
    }
    if values.len() != rows * cols {
        return Err(Error::invalid_argument(format!(
            "PCA: a {rows} × {cols} matrix needs {} values, got {}",
            rows * cols,
            values.len()
        )));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid_argument(format!("PCA: value ({}, {}) is not a finite number", i / cols, i % cols)));
    }
    let mut centred = values.to_vec();
    for c in 0..cols {
        let mean = (0..rows).map(|r| values[r * cols + c]).sum::<f64>() / rows as f64;
        for r in 0..rows {
            centred[r * cols + c] -= mean;
        }
    }
    let svd = thin_svd(&centred, rows, cols)?;
    let k = svd.s.len();
    let variance: Vec<f64> = svd.s.iter().map(|s| s * s / (rows - 1) as f64).collect();
    let total: f64 = variance.iter().sum();
    if !total.is_finite() {
        return Err(Error::invalid_argument("PCA: the values are too large to decompose (their variance overflows)"));
    }
    if total <= 0.0 {
        return Err(Error::invalid_argument("PCA: all samples are identical, so there is no variance"));
    }
    // svd_flip decides on the components (rows of Vᵀ): flip them as columns of V.
    let mut v = vec![0.0; cols * k];
    for a in 0..k {
        for c in 0..cols {
            v[c * k + a] = svd.vt[a * cols + c];
        }
    }
    pin_column_signs(&mut v, cols, k);
    let mut components = vec![0.0; k * cols];
    for a in 0..k {
        for c in 0..cols {
            components[a * cols + c] = v[c * k + a];
        }
    }
    let mut scores = vec![0.0; rows * k];
    for r in 0..rows {
        for a in 0..k {
            scores[r * k + a] = (0..cols).map(|c| centred[r * cols + c] * v[c * k + a]).sum();
        }
    }
    Ok(Pca {
        components_count: k,
        scores,
        components,
        explained_variance_ratio: variance.iter().map(|v| v / total).collect(),
    })
}
