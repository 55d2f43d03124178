//! Small statistics for the footprint detectors.

use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma_lr;

/// P(X ≥ k) for X ~ Poisson(mu), continued to non-integer k (quasi-Poisson counts).
pub fn poisson_sf(k: f64, mu: f64) -> f64 {
    if k <= 0.0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    gamma_lr(k, mu).clamp(0.0, 1.0)
}

/// P(X ≥ k) for X negative binomial with mean `mu` and shape `r` (a Poisson count whose mean
/// is itself known only as a Gamma with shape `r`: an expectation estimated from `r` lines),
/// continued to non-integer k. It tends to [`poisson_sf`] as `r` grows.
pub fn negbin_sf(k: f64, mu: f64, r: f64) -> f64 {
    if k <= 0.0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    if !(r.is_finite() && r > 0.0) {
        return poisson_sf(k, mu);
    }
    beta_reg(k, r, mu / (mu + r)).clamp(0.0, 1.0)
}

/// P(Z ≥ z) for a standard normal.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Median of `v` (reordered in place: selected, not sorted); 0 for an empty slice.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len();
    let (below, &mut mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        mid
    } else {
        // The other middle value is the largest of the lower half.
        let lower = below.iter().copied().max_by(f64::total_cmp).expect("n ≥ 2");
        (lower + mid) / 2.0
    }
}

/// Median absolute deviation around `m`.
pub fn mad(v: &[f64], m: f64) -> f64 {
    let mut d: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    median(&mut d)
}

/// Binomial z of `x` successes in `n` trials against proportion `p` (clamped away from 0, 1).
pub fn binomial_z(x: f64, n: f64, p: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let p = p.clamp(0.5 / n.max(1.0), 1.0 - 0.5 / n.max(1.0));
    (x - n * p) / (n * p * (1.0 - p)).sqrt()
}

pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails() {
        assert!((poisson_sf(1.0, 1.0) - (1.0 - (-1f64).exp())).abs() < 1e-9);
        assert!((poisson_sf(3.0, 2.0) - 0.323_323_6).abs() < 1e-6);
        assert!((normal_sf(1.959_964) - 0.025).abs() < 1e-6);
        // Geometric (r = 1) with mean 1: P(X ≥ 3) = (1/2)^3.
        assert!((negbin_sf(3.0, 1.0, 1.0) - 0.125).abs() < 1e-9);
        // A rate known from many lines is a Poisson's; from few, the tail is heavier.
        assert!((negbin_sf(20.0, 6.0, 1e7) / poisson_sf(20.0, 6.0) - 1.0).abs() < 1e-3);
        assert!(negbin_sf(20.0, 6.0, 25.0) > 10.0 * poisson_sf(20.0, 6.0));
        assert_eq!(negbin_sf(0.0, 6.0, 25.0), 1.0);
        let mut v = vec![3.0, 1.0, 2.0, 10.0];
        assert_eq!(median(&mut v), 2.5);
        // Selection gives the sorted median, ties and odd and even lengths alike.
        let mut seed = 0x9e37_79b9u64;
        for n in 1..200 {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((seed >> 33) % 17) as f64 / 7.0
                })
                .collect();
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            let want = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 };
            assert_eq!(median(&mut v), want, "{s:?}");
        }
        assert_eq!(mad(&[1.0, 2.0, 3.0], 2.0), 1.0);
        assert!(binomial_z(30.0, 100.0, 0.1) > 6.0);
    }
}
