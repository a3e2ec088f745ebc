//! Multiple comparisons: Dunn's post-hoc test and the Benjamini–Hochberg adjustment.

use super::rank::{average_ranks, tie_term};
use super::special::normal_sf;
use crate::results::collection::sort_desc_by_key;

/// Benjamini–Hochberg adjusted p-values (`scipy.stats.false_discovery_control(method="bh")`,
/// statsmodels `fdr_bh`), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    // Ascending p (NaN last) with the crate's one shared sort; the order among ties does not
    // change the adjusted values.
    let negated: Vec<f64> = p.iter().map(|v| if v.is_nan() { f64::NEG_INFINITY } else { -v }).collect();
    sort_desc_by_key(&mut order, &negated);
    let mut out = vec![0.0; m];
    let mut running = f64::INFINITY;
    for (k, &i) in order.iter().enumerate().rev() {
        if p[i].is_nan() {
            // NaN sorts last and stays NaN (as in statsmodels), without touching the others
            out[i] = f64::NAN;
            continue;
        }
        running = running.min(p[i] * m as f64 / (k + 1) as f64);
        out[i] = running.min(1.0);
    }
    out
}

/// Dunn's test between every pair of `groups` (scikit-posthocs `posthoc_dunn`, two-sided, with
/// its tie correction), p-values adjusted by Benjamini–Hochberg over the upper triangle:
/// a k×k row-major matrix with 1 on the diagonal.
pub fn dunn_bh(groups: &[&[f64]]) -> Vec<f64> {
    let k = groups.len();
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let (ranks, ties) = average_ranks(&all);
    let ties = tie_term(&ties) / (12.0 * (n - 1.0));
    let mut means = Vec::with_capacity(k);
    let mut start = 0;
    for g in groups {
        means.push(ranks[start..start + g.len()].iter().sum::<f64>() / g.len() as f64);
        start += g.len();
    }
    let mut upper = Vec::with_capacity(k * (k.saturating_sub(1)) / 2);
    for i in 0..k {
        for j in i + 1..k {
            let b = 1.0 / groups[i].len() as f64 + 1.0 / groups[j].len() as f64;
            let z = (means[i] - means[j]).abs() / ((n * (n + 1.0) / 12.0 - ties) * b).sqrt();
            upper.push(2.0 * normal_sf(z.abs()));
        }
    }
    let adjusted = benjamini_hochberg(&upper);
    let mut out = vec![1.0; k * k];
    let mut it = adjusted.into_iter();
    for i in 0..k {
        for j in i + 1..k {
            let v = it.next().unwrap_or(f64::NAN);
            out[i * k + j] = v;
            out[j * k + i] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_hand_checked() {
        // sorted 0.01, 0.02, 0.04 with m = 3: 0.03, 0.03, 0.04
        let a = benjamini_hochberg(&[0.04, 0.01, 0.02]);
        assert!((a[0] - 0.04).abs() < 1e-15 && (a[1] - 0.03).abs() < 1e-15 && (a[2] - 0.03).abs() < 1e-15);
        assert_eq!(benjamini_hochberg(&[]), Vec::<f64>::new());
    }
}
