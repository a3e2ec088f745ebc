//! Alpha diversity of one sample, as scikit-bio 0.7 computes it on the client's matrix rows
//! (`skbio.diversity.alpha_diversity(..., validate=False)`): zeros are dropped first, and an
//! empty sample is NaN for Shannon and Simpson, 0 for observed taxa and Chao1.

use super::metrics::AlphaMetric;

/// The diversity of one row of values (finite and ≥ 0: the caller checks).
pub fn alpha_diversity(metric: AlphaMetric, row: &[f64]) -> f64 {
    let present = row.iter().copied().filter(|&v| v != 0.0);
    match metric {
        AlphaMetric::Shannon => {
            let total: f64 = present.clone().sum();
            if present.clone().next().is_none() {
                return f64::NAN;
            }
            // natural log (scikit-bio ≥ 0.6.1)
            present.map(|c| c / total).map(|p| -p * p.ln()).sum()
        }
        AlphaMetric::Simpson => {
            let total: f64 = present.clone().sum();
            if present.clone().next().is_none() {
                return f64::NAN;
            }
            1.0 - present.map(|c| c / total).map(|p| p * p).sum::<f64>()
        }
        AlphaMetric::ObservedTaxa => present.count() as f64,
        AlphaMetric::Chao1 => {
            // Bias-corrected: S_obs + F1 (F1 − 1) / (2 (F2 + 1)); F1, F2 count values equal to
            // 1 and 2 (on whatever scale the matrix has, as Python does).
            let (mut o, mut s, mut d) = (0.0f64, 0.0f64, 0.0f64);
            for c in present {
                o += 1.0;
                s += (c == 1.0) as u8 as f64;
                d += (c == 2.0) as u8 as f64;
            }
            o + s * (s - 1.0) / (2.0 * (d + 1.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_values() {
        // two equal taxa: ln 2, 1 − ½
        let r = [3.0, 0.0, 3.0];
        assert!((alpha_diversity(AlphaMetric::Shannon, &r) - 2f64.ln()).abs() < 1e-15);
        assert!((alpha_diversity(AlphaMetric::Simpson, &r) - 0.5).abs() < 1e-15);
        assert_eq!(alpha_diversity(AlphaMetric::ObservedTaxa, &r), 2.0);
        // singletons 3, doubletons 1: 5 + 3·2 / (2·2) = 6.5
        assert_eq!(alpha_diversity(AlphaMetric::Chao1, &[1.0, 1.0, 1.0, 2.0, 5.0]), 6.5);
        assert!(alpha_diversity(AlphaMetric::Shannon, &[0.0, 0.0]).is_nan());
        assert!(alpha_diversity(AlphaMetric::Simpson, &[]).is_nan());
        assert_eq!(alpha_diversity(AlphaMetric::Chao1, &[0.0]), 0.0);
    }
}
