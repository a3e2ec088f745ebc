//! Mann–Whitney U, Kruskal–Wallis H and the Wilcoxon signed-rank test, two-sided, with scipy
//! 1.17's defaults: its choice between exact, permutation and asymptotic p-values, its tie
//! corrections and its continuity corrections.

use super::rank::{average_ranks, tie_term};
use super::special::{chi2_sf, normal_sf};
use crate::error::{Error, Result};

/// A test statistic and its p-value (NaN where scipy gives NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    pub statistic: f64,
    pub pvalue: f64,
}

fn check_finite(what: &str, xs: &[&[f64]]) -> Result<()> {
    if xs.iter().any(|x| x.iter().any(|v| !v.is_finite())) {
        return Err(Error::invalid_argument(format!("{what}: values must be finite numbers")));
    }
    Ok(())
}

/// `scipy.stats.mannwhitneyu(x, y)`: U of `x`; exact when one side has ≤ 8 values and there are
/// no ties, else normal with tie and continuity corrections.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<TestResult> {
    check_finite("mannwhitneyu", &[x, y])?;
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return Ok(TestResult { statistic: f64::NAN, pvalue: f64::NAN });
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = average_ranks(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let u = u1.max(u2);
    let has_ties = ties.iter().any(|&t| t > 1);
    let p = if (n1 > 8 && n2 > 8) || has_ties {
        let n = f1 + f2;
        let s = (f1 * f2 / 12.0 * ((n + 1.0) - tie_term(&ties) / (n * (n - 1.0)))).sqrt();
        let z = (u - f1 * f2 / 2.0 - 0.5) / s;
        // scipy: ndtr(−z); z = −∞ when every value is tied
        2.0 * normal_sf(z)
    } else {
        // P(U ≥ u) = P(U ≤ mn − u) by symmetry
        2.0 * mwu_cdf(n1, n2, (f1 * f2 - u) as u64)?
    };
    Ok(TestResult { statistic: u1, pvalue: p.clamp(0.0, 1.0) })
}

/// P(U ≤ k) under the null for sample sizes `n1`, `n2`: the coefficients of the Gaussian
/// binomial [n1 + n2 choose m]_q (m the smaller size), counted exactly in integers.
fn mwu_cdf(n1: usize, n2: usize, k: u64) -> Result<f64> {
    let (m, n) = (n1.min(n2), n1.max(n2));
    let len = m * n + 1;
    let mut c = vec![0u128; len];
    c[0] = 1;
    let overflow = || Error::invalid_argument("mannwhitneyu: the exact distribution is too large to count");
    for i in 1..=m {
        // ÷ (1 − q^i): prefix sums with stride i (truncated at degree mn, which is exact here)
        for j in i..len {
            c[j] = c[j].checked_add(c[j - i]).ok_or_else(overflow)?;
        }
        // × (1 − q^(n+i))
        for j in (n + i..len).rev() {
            c[j] = c[j].checked_sub(c[j - n - i]).ok_or_else(overflow)?;
        }
    }
    let total: f64 = c.iter().map(|&v| v as f64).sum();
    let below: f64 = c.iter().take((k as usize).saturating_add(1).min(len)).map(|&v| v as f64).sum();
    Ok(below / total)
}

/// `scipy.stats.kruskal(*groups)`: H with the tie correction, p from χ²(k − 1); NaN when every
/// value is tied.
pub fn kruskal(groups: &[&[f64]]) -> Result<TestResult> {
    check_finite("kruskal", groups)?;
    if groups.len() < 2 || groups.iter().any(|g| g.is_empty()) {
        return Err(Error::invalid_argument("kruskal needs at least two non-empty groups"));
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let (ranks, ties) = average_ranks(&all);
    let mut h = 0.0;
    let mut start = 0;
    for g in groups {
        let s: f64 = ranks[start..start + g.len()].iter().sum();
        h += s * s / g.len() as f64;
        start += g.len();
    }
    h = 12.0 / (n * (n + 1.0)) * h - 3.0 * (n + 1.0);
    let correction = 1.0 - tie_term(&ties) / (n * n * n - n);
    if correction == 0.0 {
        return Ok(TestResult { statistic: f64::NAN, pvalue: f64::NAN });
    }
    h /= correction;
    Ok(TestResult { statistic: h, pvalue: chi2_sf(h, groups.len() as f64 - 1.0) })
}

/// `scipy.stats.wilcoxon(x, y)` on the differences x − y (zeros dropped, "wilcox"): statistic
/// min(R+, R−); exact without ties or zeros (n ≤ 50), the exhaustive sign-flip permutation
/// test with ties or zeros when n ≤ 13, else normal with the tie correction (no continuity
/// correction: scipy's default).
pub fn wilcoxon(x: &[f64], y: &[f64]) -> Result<TestResult> {
    check_finite("wilcoxon", &[x, y])?;
    if x.len() != y.len() {
        return Err(Error::invalid_argument("wilcoxon: the two samples must have the same length"));
    }
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    if d.is_empty() {
        return Ok(TestResult { statistic: f64::NAN, pvalue: f64::NAN });
    }
    let (r_plus, r_minus, ranks, ties) = signed_ranks(&d);
    let n_zero = d.iter().filter(|&&v| v == 0.0).count();
    let has_ties = ties.iter().any(|&t| t > 1);
    let statistic = r_plus.min(r_minus);
    let count = (d.len() - n_zero) as f64;
    let p = if d.len() <= 50 && !has_ties && n_zero == 0 {
        let dist = wilcoxon_pmf(d.len());
        let mean = count * (count + 1.0) / 4.0;
        let sf = |k: f64| {
            if k <= mean {
                dist.iter().skip(k as usize).sum::<f64>()
            } else {
                1.0 - dist.iter().take(k as usize).sum::<f64>()
            }
        };
        let cdf = |k: f64| {
            if k <= mean {
                dist.iter().take(k as usize + 1).sum::<f64>()
            } else {
                1.0 - dist.iter().skip(k as usize + 1).sum::<f64>()
            }
        };
        (2.0 * sf(r_plus.floor()).min(cdf(r_plus.ceil()))).clamp(0.0, 1.0)
    } else if d.len() <= 13 {
        sign_flip_pvalue(&d, &ranks, r_plus)
    } else {
        let mn = count * (count + 1.0) * 0.25;
        let se = count * (count + 1.0) * (2.0 * count + 1.0);
        let se = ((se - tie_term(&ties) / 2.0) / 24.0).sqrt();
        // scipy's default `correction=False`: no continuity correction here
        let z = (r_plus - mn) / se;
        (2.0 * normal_sf(z.abs())).min(1.0)
    };
    Ok(TestResult { statistic, pvalue: p })
}

/// R+, R−, the ranks of |d| (zeros excluded, rank 0) and the tie groups of the non-zero |d|.
fn signed_ranks(d: &[f64]) -> (f64, f64, Vec<f64>, Vec<usize>) {
    let nonzero: Vec<usize> = (0..d.len()).filter(|&i| d[i] != 0.0).collect();
    let abs: Vec<f64> = nonzero.iter().map(|&i| d[i].abs()).collect();
    let (r, ties) = average_ranks(&abs);
    let mut ranks = vec![0.0; d.len()];
    for (k, &i) in nonzero.iter().enumerate() {
        ranks[i] = r[k];
    }
    let r_plus = (0..d.len()).filter(|&i| d[i] > 0.0).map(|i| ranks[i]).sum();
    let r_minus = (0..d.len()).filter(|&i| d[i] < 0.0).map(|i| ranks[i]).sum();
    (r_plus, r_minus, ranks, ties)
}

/// The null distribution of R+ for n signed ranks 1..n: P(R+ = k), k = 0 ..= n(n+1)/2.
fn wilcoxon_pmf(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut c = vec![0u64; max + 1];
    c[0] = 1;
    for k in 1..=n {
        for s in (k..=max).rev() {
            c[s] += c[s - k];
        }
    }
    let total = (1u64 << n) as f64;
    c.into_iter().map(|v| v as f64 / total).collect()
}

/// scipy's `permutation_test(permutation_type="samples")` on R+, exhaustive (2ⁿ sign flips),
/// two-sided with its relative tolerance of 100 ε.
fn sign_flip_pvalue(d: &[f64], ranks: &[f64], observed: f64) -> f64 {
    let n = d.len();
    let gamma = (f64::EPSILON * 100.0 * observed).abs();
    let (mut less, mut greater) = (0u64, 0u64);
    for mask in 0u32..(1u32 << n) {
        // bit set: the sign of d[i] is flipped
        let r: f64 = (0..n)
            .filter(|&i| {
                let flipped = mask >> i & 1 == 1;
                (d[i] > 0.0) != flipped && d[i] != 0.0
            })
            .map(|i| ranks[i])
            .sum();
        less += (r <= observed + gamma) as u64;
        greater += (r >= observed - gamma) as u64;
    }
    let total = (1u64 << n) as f64;
    (2.0 * (less as f64 / total).min(greater as f64 / total)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked() {
        // 3 vs 3, fully separated: U1 = 0, P(U ≤ 0) = 1/20, two-sided 0.1
        let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert!((r.pvalue - 0.1).abs() < 1e-15);
        // n = 3, all positive: R+ = 6, P = 2 · 1/8
        let w = wilcoxon(&[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0]).unwrap();
        assert_eq!(w.statistic, 0.0);
        assert!((w.pvalue - 0.25).abs() < 1e-15);
        assert!(kruskal(&[&[1.0, 1.0], &[1.0]]).unwrap().statistic.is_nan());
        assert!(kruskal(&[&[1.0]]).is_err());
        assert!(wilcoxon(&[1.0], &[]).is_err());
        assert!(mann_whitney_u(&[f64::NAN], &[1.0]).is_err());
    }
}
