//! The two decompositions ordination needs, from nalgebra (row-major slices in and out), so that
//! the rest of the module does not depend on a linear algebra crate's types.

use crate::{Error, Result};
use nalgebra::DMatrix;

/// Eigen-decomposition of a symmetric matrix: `values` ascending, `vectors` n × n row-major with
/// eigenvector k in column k.
pub(crate) struct SymmetricEigen {
    pub values: Vec<f64>,
    pub vectors: Vec<f64>,
}

/// A bound on the QR sweeps (they take a few per eigenvalue): a cap rather than nalgebra's
/// "until convergence", so that no input can spin forever.
fn max_sweeps(n: usize) -> usize {
    1000 * n.max(10)
}

/// Non-finite entries (e.g. squares of huge distances) would not converge: refused first.
fn finite(a: &[f64], what: &str) -> Result<()> {
    if a.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("{what}: the values are too large to decompose (they overflow)")))
    }
}

pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> Result<SymmetricEigen> {
    finite(a, "PCoA")?;
    let m = DMatrix::from_row_slice(n, n, a);
    let eigen = nalgebra::SymmetricEigen::try_new(m, f64::EPSILON, max_sweeps(n))
        .ok_or_else(|| Error::invalid_argument("the eigen-decomposition did not converge"))?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| eigen.eigenvalues[x].total_cmp(&eigen.eigenvalues[y]));
    let values = order.iter().map(|&k| eigen.eigenvalues[k]).collect();
    let mut vectors = vec![0.0; n * n];
    for (col, &k) in order.iter().enumerate() {
        for i in 0..n {
            vectors[i * n + col] = eigen.eigenvectors[(i, k)];
        }
    }
    Ok(SymmetricEigen { values, vectors })
}

/// Thin SVD of a rows × cols matrix: k = min(rows, cols) singular values descending, and Vᵀ
/// (k × cols, row-major). U is not returned: scores are computed from V.
pub(crate) struct ThinSvd {
    pub s: Vec<f64>,
    pub vt: Vec<f64>,
}

pub(crate) fn thin_svd(x: &[f64], rows: usize, cols: usize) -> Result<ThinSvd> {
    finite(x, "PCA")?;
    let m = DMatrix::from_row_slice(rows, cols, x);
    let svd = nalgebra::SVD::try_new(m, false, true, f64::EPSILON, max_sweeps(rows.min(cols)))
        .ok_or_else(|| Error::invalid_argument("the singular value decomposition did not converge"))?;
    let vt = svd.v_t.ok_or_else(|| Error::invalid_argument("the singular value decomposition gave no vectors"))?;
    let k = svd.singular_values.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]));
    let s = order.iter().map(|&a| svd.singular_values[a]).collect();
    let mut out = vec![0.0; k * cols];
    for (row, &a) in order.iter().enumerate() {
        for c in 0..cols {
            out[row * cols + c] = vt[(a, c)];
        }
    }
    Ok(ThinSvd { s, vt: out })
}
