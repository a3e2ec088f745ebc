//! The two survival functions the rank tests need, to ~1e-15 relative: the standard normal
//! (through erfc) and χ², both from the regularised upper incomplete gamma function Q(a, x)
//! (series below a + 1, Lentz's continued fraction above; Numerical Recipes), with a
//! Lanczos ln Γ. Small and exact enough that no crate is needed (checked against scipy in
//! `core/tests/ecology_stats.rs`).

/// ln Γ(x) for x ≥ ½ (Lanczos, g = 7, 9 terms; |relative error| < 1e-15); NaN for x ≤ 0.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    // Only a ≥ ½ reaches here (χ² with df ≥ 1, and erfc): no reflection formula, whose `sin`
    // would link ~6 KB of argument reduction into the wasm.
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || a <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^{−x} x^a / Γ(a + 1) · Σ x^n / ((a+1)…(a+n))
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * log_prefix.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_prefix.exp() * h
    }
}

/// P(Z > z) for a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    // erfc(t) = Q(½, t²) for t ≥ 0; P(Z > z) = erfc(z/√2) / 2
    let q = 0.5 * gamma_q(0.5, z * z / 2.0);
    if z >= 0.0 {
        q
    } else {
        1.0 - q
    }
}

/// P(X > x) for X ~ χ² with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-15);
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-13);
        assert_eq!(normal_sf(0.0), 0.5);
        // χ²(2) survival is e^{−x/2}
        assert!((chi2_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-15);
        assert!(normal_sf(f64::NAN).is_nan());
        assert_eq!(normal_sf(f64::INFINITY), 0.0);
        assert_eq!(normal_sf(f64::NEG_INFINITY), 1.0);
    }
}
