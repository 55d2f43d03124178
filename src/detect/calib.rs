//! Calibration of a footprint detector to the office's budget of false subjects, from the
//! hospital's own history.
//!
//! A detector judges many subjects (doctor × drug pairs, rep visits) every day; almost all
//! are innocent, so the distribution of its statistic over them is the null. Each *excursion*
//! (a CUSUM run, an open visit) that passes the detector's hard floors reaches a peak score
//! `L = −log10 p + log10 w` (`w` the drug's prior weight); an alarm at threshold `L*` is one
//! excursion whose peak reaches `L*`. [`Calibrator`] keeps the peaks of all excursions in a
//! fixed histogram (tenths of a decade) with the exposure they came from (doctor-days
//! judged), so the rate of alarms per 100 doctors per month at any threshold is read off the
//! history: `S(L) / (doctor-days / 30.4 / 100)`, with `S(L)` the excursions whose peak reached
//! `L`. The threshold is the lowest `L` whose rate is within the detector's part of the
//! budget. Where the history holds too few excursions that high (a budget of one false
//! subject a month is far in the tail), the tail is extrapolated from the last level with
//! [`MIN_TAIL`] excursions as `S(L) = S(L₀)·10^(−β(L−L₀))`, `β` fitted on the decade below
//! `L₀` and kept within [0.5, 1] (never a lighter tail than a p-value's, so never looser than
//! the data show). The result is kept within the rule's hard limits `[lo, hi]`; before the
//! history holds [`MIN_EXCURSIONS`] excursions the rule's own threshold (`prior`) serves.
//!
//! Alarmed excursions stay in the histogram up to the peak at which they alarmed: planted or
//! real schemes are few against thousands of innocent pairs, and the fit reads levels below
//! the threshold where they weigh nothing. Everything is integer counts and a fixed order of
//! sums: the same stream gives the same thresholds, byte for byte.

/// Histogram resolution: bins per decade of p.
const PER_DECADE: f64 = 10.0;
/// Bins: scores 0 to 25 decades.
const BINS: usize = 250;
/// Excursions the history must hold before its thresholds are used.
pub const MIN_EXCURSIONS: u64 = 200;
/// Excursions at a level for its rate to be read directly rather than extrapolated.
const MIN_TAIL: u64 = 20;
/// The flattest tail assumed: ten times fewer excursions every three decades of p.
const MIN_SLOPE: f64 = 1.0 / 3.0;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Calibrator {
    /// Excursions by the bin of their current peak.
    peaks: Vec<u64>,
    total: u64,
    /// Doctor-days judged.
    exposure: f64,
}

impl Default for Calibrator {
    fn default() -> Self {
        Calibrator { peaks: vec![0; BINS], total: 0, exposure: 0.0 }
    }
}

/// The calibrated threshold and where it came from (for the evidence).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Threshold {
    /// Score (−log10 of the weighted p) an excursion must reach.
    pub score: f64,
    /// Excursions and doctor-months of history it was read from (0 when the prior served).
    pub excursions: u64,
    pub doctor_months: f64,
    /// Tail slope used beyond the history (0 when read directly or from the prior).
    pub slope: f64,
    /// `calibrated`, `extrapolated`, `prior`, or `floor` / `ceiling` when a hard limit bound it.
    pub source: &'static str,
}

fn bin(score: f64) -> Option<usize> {
    if !(score.is_finite() && score > 0.0) {
        return None;
    }
    Some(((score * PER_DECADE) as usize).min(BINS - 1))
}

impl Calibrator {
    /// An excursion's peak moved from `old` to `new` (`old` ≤ 0: a new excursion).
    pub fn raise(&mut self, old: f64, new: f64) {
        let Some(b) = bin(new) else { return };
        match bin(old) {
            Some(a) if a == b => return,
            Some(a) => self.peaks[a] -= 1,
            None => self.total += 1,
        }
        self.peaks[b] += 1;
    }

    /// Doctors judged on a closed day.
    pub fn expose(&mut self, doctors: usize) {
        self.exposure += doctors as f64;
    }

    pub fn excursions(&self) -> u64 {
        self.total
    }

    /// The lowest score whose alarm rate is at most `budget` per 100 doctors per month,
    /// within `[lo, hi]`; `prior` until the history is long enough.
    pub fn threshold(&self, budget: f64, prior: f64, lo: f64, hi: f64) -> Threshold {
        let months = self.exposure / 30.4 / 100.0;
        let doctor_months = self.exposure / 30.4;
        let bound = |score: f64, t: Threshold| -> Threshold {
            if score < lo {
                Threshold { score: lo, source: "floor", ..t }
            } else if score > hi {
                Threshold { score: hi, source: "ceiling", ..t }
            } else {
                Threshold { score, ..t }
            }
        };
        let base = Threshold { score: prior, excursions: self.total, doctor_months, slope: 0.0, source: "prior" };
        if self.total < MIN_EXCURSIONS || months <= 0.0 || budget <= 0.0 {
            return bound(prior, Threshold { excursions: 0, doctor_months: 0.0, ..base });
        }
        // Survival by bin: excursions whose peak reached bin b.
        let mut surv = vec![0u64; BINS + 1];
        for b in (0..BINS).rev() {
            surv[b] = surv[b + 1] + self.peaks[b];
        }
        let allowed = budget * months;
        // Directly: the first bin whose count is within the budget, if still well measured.
        if let Some(b) = (0..BINS).find(|&b| (surv[b] as f64) <= allowed) {
            if surv[b] >= MIN_TAIL {
                return bound(b as f64 / PER_DECADE, Threshold { source: "calibrated", ..base });
            }
        }
        // Extrapolated: the tail's slope fitted over the bulk, from the level a tenth of the
        // subjects reach to the level a hundredth (at least `MIN_TAIL`) reach — few real
        // schemes weigh there — then carried on from the latter. Until the history holds
        // enough subjects for both levels, the prior serves.
        let level = |n: u64| (0..BINS).find(|&b| surv[b] <= n).unwrap_or(BINS - 1);
        let b1 = level(self.total / 10);
        let Some(b2) = (0..BINS).rev().find(|&b| surv[b] >= (self.total / 100).max(MIN_TAIL)) else {
            return bound(prior, base);
        };
        if b2 <= b1 {
            return bound(prior, base);
        }
        let slope = (((surv[b1] as f64).log10() - (surv[b2] as f64).log10()) / ((b2 - b1) as f64 / PER_DECADE))
            .clamp(MIN_SLOPE, 1.0);
        let l0 = b2 as f64 / PER_DECADE;
        let score = l0 + ((surv[b2] as f64) / allowed).log10() / slope;
        bound(score, Threshold { slope, source: "extrapolated", ..base })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform p-values: S(L) = N·10^−L. The budget's threshold is found directly where the
    /// tail is measured, extrapolated beyond.
    #[test]
    fn uniform_p_values_give_the_budget_quantile() {
        let mut c = Calibrator::default();
        let n = 100_000u64;
        for i in 1..=n {
            let p = i as f64 / n as f64;
            c.raise(0.0, -p.log10());
        }
        // 3040 doctor-days = 1 hundred-doctor-month.
        c.expose(3040);
        let t = c.threshold(100.0, 6.0, 1.0, 9.0);
        assert_eq!(t.source, "calibrated");
        assert!((t.score - 3.0).abs() < 0.11, "{t:?}");
        let t = c.threshold(1.0, 6.0, 1.0, 9.0);
        assert_eq!(t.source, "extrapolated");
        assert!((t.score - 5.0).abs() < 0.15, "{t:?}");
        assert_eq!(c.threshold(1.0, 6.0, 1.0, 4.5).source, "ceiling");
        assert_eq!(Calibrator::default().threshold(1.0, 6.0, 1.0, 9.0).source, "prior");
    }

    #[test]
    fn a_rising_peak_moves_its_excursion() {
        let mut c = Calibrator::default();
        c.raise(0.0, 1.0);
        c.raise(1.0, 3.0);
        c.raise(3.0, 3.01);
        assert_eq!(c.total, 1);
        assert_eq!(c.peaks.iter().sum::<u64>(), 1);
        assert_eq!(c.peaks[30], 1);
    }
}
