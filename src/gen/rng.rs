//! Deterministic random streams. Every part of the generator (the hospital, each day's
//! traffic, each plant, redeliveries, malformed lines) draws from its own stream derived
//! from the seed and a name, so changing one part — adding a plant, say — leaves the
//! others' output byte for byte the same.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};
use rand_pcg::Pcg64;

/// The stream `name`/`index` of `seed`.
pub fn stream(seed: u64, name: &str, index: u64) -> Pcg64 {
    // FNV-1a of the name, then splitmix64 finalisation of the mix: well-spread seeds even
    // for neighbouring days.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    Pcg64::seed_from_u64(z ^ (z >> 31))
}

/// Poisson count with mean `lambda` (0 for a non-positive mean).
pub fn poisson(rng: &mut Pcg64, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    match Poisson::new(lambda) {
        Ok(p) => p.sample(rng) as u32,
        Err(_) => 0,
    }
}

/// A log-normal factor with mean 1: multiplicative noise around a calibrated mean.
pub fn noise(rng: &mut Pcg64, sigma: f64) -> f64 {
    // Box–Muller; exp(σZ − σ²/2) has mean 1.
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (sigma * z - sigma * sigma / 2.0).exp()
}

/// Index drawn with probability proportional to `weights` (all zero: the first).
pub fn weighted(rng: &mut Pcg64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// Cumulative-weight sampler over a fixed list of items.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    pub items: Vec<usize>,
    cum: Vec<f64>,
}

impl Pool {
    pub fn new(pairs: impl IntoIterator<Item = (usize, f64)>) -> Pool {
        let mut items = Vec::new();
        let mut cum = Vec::new();
        let mut acc = 0.0;
        for (item, w) in pairs {
            if w > 0.0 {
                acc += w;
                items.push(item);
                cum.push(acc);
            }
        }
        Pool { items, cum }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn contains(&self, item: usize) -> bool {
        self.items.contains(&item)
    }

    /// The items with their weights, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.items.iter().zip(&self.cum).scan(0.0, |prev, (&item, &c)| {
            let w = c - *prev;
            *prev = c;
            Some((item, w))
        })
    }

    pub fn sample(&self, rng: &mut Pcg64) -> Option<usize> {
        let total = *self.cum.last()?;
        let x = rng.gen::<f64>() * total;
        let i = self.cum.partition_point(|c| *c <= x).min(self.items.len() - 1);
        Some(self.items[i])
    }
}
