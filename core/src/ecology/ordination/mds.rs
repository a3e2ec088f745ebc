//! Metric multidimensional scaling by SMACOF (stress majorization), as scikit-learn's `MDS` runs
//! it for `plot_mds`: random starts drawn as numpy's `RandomState(seed)` draws them, the best of
//! `n_init` runs by raw stress.

use super::checked_len;
use super::mt19937::Mt19937;
use crate::ecology::distance_matrix::DistanceMatrix;
use crate::{Error, Result};

/// Options of [`mds`]; the defaults are `plot_mds`'s (seed 3, 4 runs, 3000 iterations, eps 1e-12).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MdsOptions {
    /// The seed of the random starts (numpy's legacy seeding: 0 to 2³² − 1).
    pub seed: u32,
    pub n_init: usize,
    pub max_iter: usize,
    /// Convergence: stop when the stress decreased by less than `eps` × (sum of squared embedding
    /// distances) / 2 in one iteration.
    pub eps: f64,
}

impl Default for MdsOptions {
    fn default() -> Self {
        MdsOptions { seed: 3, n_init: 4, max_iter: 3000, eps: 1e-12 }
    }
}

/// A 2-D embedding of the samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Mds {
    pub ids: Vec<String>,
    /// n × 2, row-major.
    pub coordinates: Vec<f64>,
    /// Raw stress: the sum over pairs of (embedding distance − distance)².
    pub stress: f64,
    /// Iterations of the best run.
    pub iterations: usize,
}

const DIMENSIONS: usize = 2;

/// Metric MDS of the samples of `dm` (at least 3) into 2 dimensions.
pub fn mds(dm: &DistanceMatrix, options: &MdsOptions) -> Result<Mds> {
    let n = checked_len(dm, 3, "MDS")?;
    if options.n_init == 0 || options.max_iter == 0 {
        return Err(Error::invalid_argument("MDS needs at least 1 run of at least 1 iteration"));
    }
    if !(options.eps.is_finite() && options.eps >= 0.0) {
        return Err(Error::invalid_argument(format!("MDS eps must be a number ≥ 0, got {}", options.eps)));
    }
    let mut rng = Mt19937::new(options.seed);
    let mut best: Option<(Vec<f64>, f64, usize)> = None;
    for _ in 0..options.n_init {
        let start: Vec<f64> = (0..n * DIMENSIONS).map(|_| rng.next_f64()).collect();
        let (x, stress, iterations) = smacof_run(&dm.values, n, start, options);
        if best.as_ref().is_none_or(|b| stress < b.1) {
            best = Some((x, stress, iterations));
        }
    }
    let (coordinates, stress, iterations) = best.unwrap_or_default();
    Ok(Mds { ids: dm.ids.clone(), coordinates, stress, iterations })
}

/// One SMACOF run from `x` (n × 2): Guttman transforms until the stress stops decreasing.
fn smacof_run(delta: &[f64], n: usize, mut x: Vec<f64>, options: &MdsOptions) -> (Vec<f64>, f64, usize) {
    let mut dist = vec![0.0; n * n];
    euclidean(&x, n, &mut dist);
    let mut next = vec![0.0; n * DIMENSIONS];
    let inv_n = 1.0 / n as f64;
    let mut old_stress: Option<f64> = None;
    let mut stress = 0.0;
    let mut it = 0;
    while it < options.max_iter {
        // X ← (1/n) B(X) X with b_ij = −δ_ij / d_ij (i ≠ j), b_ii = Σ_j δ_ij / d_ij; coincident
        // points count as 1e-5 apart, as scikit-learn's.
        for i in 0..n {
            let (mut acc0, mut acc1, mut row_sum) = (0.0, 0.0, 0.0);
            for j in 0..n {
                let d = dist[i * n + j];
                let ratio = delta[i * n + j] / if d == 0.0 { 1e-5 } else { d };
                row_sum += ratio;
                acc0 -= ratio * x[j * DIMENSIONS];
                acc1 -= ratio * x[j * DIMENSIONS + 1];
            }
            // the diagonal ratio is 0 (δ_ii = 0), so b_ii = row_sum
            next[i * DIMENSIONS] = inv_n * (acc0 + row_sum * x[i * DIMENSIONS]);
            next[i * DIMENSIONS + 1] = inv_n * (acc1 + row_sum * x[i * DIMENSIONS + 1]);
        }
        std::mem::swap(&mut x, &mut next);
        euclidean(&x, n, &mut dist);
        let mut sum_sq = 0.0;
        stress = 0.0;
        for (d, e) in dist.iter().zip(delta) {
            stress += (d - e) * (d - e);
            sum_sq += d * d;
        }
        stress /= 2.0;
        it += 1;
        if let Some(old) = old_stress {
            if (old - stress) / (sum_sq / 2.0) < options.eps {
                break;
            }
        }
        old_stress = Some(stress);
    }
    (x, stress, it)
}

/// Pairwise distances of the rows of `x` (n × 2), as scikit-learn computes them:
/// √max(0, |a|² + |b|² − 2 a·b), with an exact zero diagonal.
fn euclidean(x: &[f64], n: usize, out: &mut [f64]) {
    for i in 0..n {
        let (a0, a1) = (x[i * DIMENSIONS], x[i * DIMENSIONS + 1]);
        let aa = a0 * a0 + a1 * a1;
        for j in 0..n {
            let (b0, b1) = (x[j * DIMENSIONS], x[j * DIMENSIONS + 1]);
            let d2 = -2.0 * (a0 * b0 + a1 * b1) + aa + (b0 * b0 + b1 * b1);
            out[i * n + j] = if i == j { 0.0 } else { d2.max(0.0).sqrt() };
        }
    }
}
