//! Aitchison distance, as the Python client computes it: multiplicative replacement of zeros
//! (scikit-bio `multi_replace`, δ = 1/N² for N taxa), the centred log-ratio (`clr`), then
//! Euclidean distances between the transformed rows.

use super::beta::{check_shape, check_values, euclidean, pairwise};
use super::distance_matrix::DistanceMatrix;
use crate::error::{Error, Result};

/// The clr transform of each row after zero replacement; an all-zero row is an error (as in
/// scikit-bio: a composition cannot be all zeros).
pub fn clr_replaced(ids: &[String], values: &[f64], n_cols: usize) -> Result<Vec<f64>> {
    check_values("aitchison", values, false)?;
    let delta = (1.0 / n_cols as f64).powi(2);
    let mut out = Vec::with_capacity(values.len());
    for (r, row) in values.chunks_exact(n_cols.max(1)).enumerate() {
        let total: f64 = row.iter().sum();
        if total == 0.0 {
            return Err(Error::invalid_argument(format!(
                "aitchison: sample {} has no non-zero values (a composition cannot be all zeros)",
                ids.get(r).map_or("?", String::as_str)
            )));
        }
        let zeros = row.iter().filter(|&&v| v == 0.0).count() as f64;
        let keep = 1.0 - zeros * delta;
        if keep < 0.0 {
            return Err(Error::invalid_argument("aitchison: zero replacement would make negative proportions"));
        }
        let start = out.len();
        out.extend(row.iter().map(|&v| if v == 0.0 { delta } else { keep * (v / total) }.ln()));
        let logs = &mut out[start..];
        let mean = logs.iter().sum::<f64>() / n_cols as f64;
        logs.iter_mut().for_each(|l| *l -= mean);
    }
    Ok(out)
}

/// Aitchison distances between the rows of a row-major `ids.len() × n_cols` matrix.
pub fn aitchison(ids: Vec<String>, values: &[f64], n_cols: usize) -> Result<DistanceMatrix> {
    check_shape("aitchison", &ids, values, n_cols)?;
    if n_cols == 0 {
        return Err(Error::invalid_argument("aitchison: the matrix has no columns"));
    }
    let clr = clr_replaced(&ids, values, n_cols)?;
    let row = |i: usize| &clr[i * n_cols..(i + 1) * n_cols];
    let n = ids.len();
    pairwise(ids, n, "aitchison", |i, j| euclidean(row(i), row(j)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_and_errors() {
        let ids: Vec<String> = vec!["a".into(), "b".into()];
        // No zeros: clr of (1, 1) and (1, e²/…): distance = |ln(b1/b2) − ln(a1/a2)| / √2
        let d = aitchison(ids.clone(), &[1.0, 1.0, 1.0, 4.0], 2).unwrap();
        assert!((d.get(0, 1) - 4f64.ln() / 2f64.sqrt()).abs() < 1e-15);
        // A zero becomes δ = 1/4, the other part 3/4
        let c = clr_replaced(&ids[..1], &[0.0, 5.0], 2).unwrap();
        assert!((c[1] - c[0] - 3f64.ln()).abs() < 1e-15);
        let e = aitchison(ids, &[0.0, 0.0, 1.0, 1.0], 2).unwrap_err();
        assert!(e.message.contains("all zeros"));
    }
}
