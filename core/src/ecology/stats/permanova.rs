//! PERMANOVA (scikit-bio `permanova`): the pseudo-F statistic of a grouping of a distance
//! matrix, and a permutation p-value. Permutations come from a seeded generator of ours, so the
//! p-value is deterministic for a seed but does not reproduce numpy's draws.

use crate::ecology::DistanceMatrix;
use crate::error::{Error, Result};

/// The statistic, its p-value ((#{F* ≥ F} + 1) / (permutations + 1); NaN without
/// permutations), and the number of groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Permanova {
    pub statistic: f64,
    pub pvalue: f64,
    pub num_groups: usize,
    pub permutations: usize,
}

/// `grouping[i]` is the group index (0..k) of sample i of `dm`.
pub fn permanova(
    dm: &DistanceMatrix,
    grouping: &[usize],
    permutations: usize,
    rng: &mut SplitMix64,
) -> Result<Permanova> {
    let n = dm.len();
    if grouping.len() != n {
        return Err(Error::invalid_argument("permanova: one group per sample is needed"));
    }
    let k = grouping.iter().copied().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; k];
    for &g in grouping {
        sizes[g] += 1;
    }
    let num_groups = sizes.iter().filter(|&&s| s > 0).count();
    if num_groups < 2 || num_groups == n {
        return Err(Error::invalid_argument(
            "permanova: the grouping must have at least two groups, and at least one with more than one sample",
        ));
    }
    let mut s_t = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            s_t += dm.get(i, j).powi(2);
        }
    }
    s_t /= n as f64;
    let f_stat = |g: &[usize]| {
        let mut s_w = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                if g[i] == g[j] {
                    s_w += dm.get(i, j).powi(2) / sizes[g[i]] as f64;
                }
            }
        }
        ((s_t - s_w) / (num_groups as f64 - 1.0)) / (s_w / (n - num_groups) as f64)
    };
    let statistic = f_stat(grouping);
    let pvalue = if permutations == 0 {
        f64::NAN
    } else {
        let mut g = grouping.to_vec();
        let mut at_least = 0usize;
        for _ in 0..permutations {
            rng.shuffle(&mut g);
            at_least += (f_stat(&g) >= statistic) as usize;
        }
        (at_least + 1) as f64 / (permutations + 1) as f64
    };
    Ok(Permanova { statistic, pvalue, num_groups, permutations })
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and the same stream on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..bound (bound > 0), without modulo bias (Lemire's multiply-and-reject).
    pub fn below(&mut self, bound: u64) -> u64 {
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let m = (self.next_u64() as u128) * (bound as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            xs.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_pseudo_f_and_determinism() {
        // Two tight pairs far apart: points 0, 1 | 10, 11 on a line.
        let x = [0.0f64, 1.0, 10.0, 11.0];
        let mut v = vec![0.0; 16];
        for i in 0..4 {
            for j in 0..4 {
                v[i * 4 + j] = (x[i] - x[j]).abs();
            }
        }
        let dm = DistanceMatrix::new((0..4).map(|i| i.to_string()).collect(), v, "euclidean").unwrap();
        // s_T = (1 + 100 + 121 + 81 + 100 + 1) / 4 = 101; s_W = 1/2 + 1/2 = 1; F = 100 / (1/2) = 200
        let r = permanova(&dm, &[0, 0, 1, 1], 99, &mut SplitMix64::new(1)).unwrap();
        assert!((r.statistic - 200.0).abs() < 1e-12);
        let again = permanova(&dm, &[0, 0, 1, 1], 99, &mut SplitMix64::new(1)).unwrap();
        assert_eq!(r, again);
        assert!(permanova(&dm, &[0, 1, 2, 3], 9, &mut SplitMix64::new(1)).is_err());
        assert!(permanova(&dm, &[0, 0, 0, 0], 9, &mut SplitMix64::new(1)).is_err());
        assert!(permanova(&dm, &[0, 0, 1, 1], 0, &mut SplitMix64::new(1)).unwrap().pvalue.is_nan());
    }
}
