//! Distances between the rows of a matrix, as `scipy.spatial.distance.pdist` computes them for
//! the Python client (which then replaces Bray–Curtis's 0-vs-0 NaN by 0).

use super::distance_matrix::DistanceMatrix;
use super::metrics::BetaMetric;
use crate::error::{Error, Result};

/// Refuses what no metric can use: NaN or infinite values, and negative ones where the metric
/// reads amounts. `what` names the caller in the message.
pub fn check_values(what: &str, values: &[f64], allow_negative: bool) -> Result<()> {
    if let Some(v) = values.iter().find(|v| !v.is_finite() || (!allow_negative && **v < 0.0)) {
        let kind = if v.is_nan() {
            "NaN"
        } else if v.is_finite() {
            "negative"
        } else {
            "infinite"
        };
        return Err(Error::invalid_argument(format!("{what}: the matrix has {kind} values")));
    }
    Ok(())
}

/// Checks the matrix shape: `values.len() == ids.len() × n_cols`, at least two rows.
pub fn check_shape(what: &str, ids: &[String], values: &[f64], n_cols: usize) -> Result<()> {
    if ids.len().checked_mul(n_cols) != Some(values.len()) {
        return Err(Error::invalid_argument(format!(
            "{what}: {} values do not make {} rows of {n_cols}",
            values.len(),
            ids.len()
        )));
    }
    if ids.len() < 2 {
        return Err(Error::invalid_argument(format!("{what}: distances need at least 2 samples, got {}", ids.len())));
    }
    Ok(())
}

/// A symmetric matrix from a distance function over row pairs (upper triangle, mirrored).
pub(crate) fn pairwise(
    ids: Vec<String>,
    n: usize,
    metric: &str,
    mut d: impl FnMut(usize, usize) -> f64,
) -> Result<DistanceMatrix> {
    let mut values = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let v = d(i, j);
            values[i * n + j] = v;
            values[j * n + i] = v;
        }
    }
    DistanceMatrix::new(ids, values, metric)
}

/// Bray–Curtis, Jaccard (presence/absence), city block (= Manhattan) or Euclidean distances
/// between the rows of a row-major `ids.len() × n_cols` matrix. UniFrac and Aitchison are in
/// their own modules.
pub fn beta_diversity(metric: BetaMetric, ids: Vec<String>, values: &[f64], n_cols: usize) -> Result<DistanceMatrix> {
    let what = metric.as_str();
    check_shape(what, &ids, values, n_cols)?;
    check_values(what, values, !metric.needs_non_negative())?;
    let n = ids.len();
    let row = |i: usize| &values[i * n_cols..(i + 1) * n_cols];
    let f: fn(&[f64], &[f64]) -> f64 = match metric {
        BetaMetric::BrayCurtis => bray_curtis,
        BetaMetric::Jaccard => jaccard,
        BetaMetric::CityBlock | BetaMetric::Manhattan => city_block,
        BetaMetric::Euclidean => euclidean,
        BetaMetric::Aitchison | BetaMetric::WeightedUnifrac | BetaMetric::UnweightedUnifrac => {
            return Err(Error::invalid_argument(format!(
                "{what} needs a collection (composition or taxonomy tree), not a bare matrix"
            )))
        }
    };
    pairwise(ids, n, what, |i, j| f(row(i), row(j)))
}

/// Σ|u − v| / Σ|u + v|; two all-zero rows are 0 apart (the Python client's choice).
pub fn bray_curtis(u: &[f64], v: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (a, b) in u.iter().zip(v) {
        num += (a - b).abs();
        den += (a + b).abs();
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// On presence (> 0): taxa in exactly one / taxa in either; 0 when neither has any.
pub fn jaccard(u: &[f64], v: &[f64]) -> f64 {
    let (mut unequal, mut either) = (0usize, 0usize);
    for (a, b) in u.iter().zip(v) {
        let (x, y) = (*a > 0.0, *b > 0.0);
        unequal += (x != y) as usize;
        either += (x || y) as usize;
    }
    if either == 0 {
        0.0
    } else {
        unequal as f64 / either as f64
    }
}

pub fn city_block(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| (a - b).abs()).sum()
}

pub fn euclidean(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    #[test]
    fn hand_checked_distances() {
        let m = [1.0, 0.0, 3.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let d = beta_diversity(BetaMetric::BrayCurtis, ids(4), &m, 3).unwrap();
        assert_eq!(d.get(0, 1), 4.0 / 8.0); // |1|+|−2|+|1| / (1+2+5)
        assert_eq!(d.get(2, 3), 0.0); // 0 vs 0
        assert_eq!(d.get(0, 2), 1.0);
        let j = beta_diversity(BetaMetric::Jaccard, ids(4), &m, 3).unwrap();
        assert_eq!(j.get(0, 1), 2.0 / 3.0);
        assert_eq!(j.get(2, 3), 0.0);
        let c = beta_diversity(BetaMetric::Manhattan, ids(4), &m, 3).unwrap();
        assert_eq!(c.get(0, 1), 4.0);
        let e = beta_diversity(BetaMetric::Euclidean, ids(4), &m, 3).unwrap();
        assert_eq!(e.get(0, 1), 6f64.sqrt());
        assert_eq!(e.get(1, 0), e.get(0, 1));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let e = beta_diversity(BetaMetric::BrayCurtis, ids(1), &[1.0], 1).unwrap_err();
        assert!(e.message.contains("at least 2"));
        let e = beta_diversity(BetaMetric::BrayCurtis, ids(2), &[1.0, -1.0], 1).unwrap_err();
        assert!(e.message.contains("negative"));
        assert!(beta_diversity(BetaMetric::Euclidean, ids(2), &[1.0, -1.0], 1).is_ok());
        let e = beta_diversity(BetaMetric::Jaccard, ids(2), &[1.0, f64::NAN], 1).unwrap_err();
        assert!(e.message.contains("NaN"));
        assert!(beta_diversity(BetaMetric::Jaccard, ids(2), &[1.0], 1).is_err());
        assert!(beta_diversity(BetaMetric::Aitchison, ids(2), &[1.0, 1.0], 1).is_err());
    }
}
