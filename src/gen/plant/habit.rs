//! Bent habits: a plant asks that, between two days, a doctor's share of some drugs be
//! multiplied by a factor or set to a value (a drug not yet in the habits — a ring's new
//! drug — is added). The changes are compiled once, at plan time, into a timeline of habit
//! pools per doctor that the day generator swaps in.
//!
//! Shares are of the doctor's prescription lines, as [`lines::shares`] estimates them; the
//! weight factor that reaches a target share is solved for, since scaling one drug
//! renormalises the others and heavy drugs saturate.

use super::super::hospital::Hospital;
use super::super::rng::Pool;
use super::lines;

#[derive(Copy, Clone, Debug)]
pub enum Target {
    /// The drugs' combined share of lines multiplied by this.
    Times(f64),
    /// The drugs' combined share of lines set to this.
    Share(f64),
}

/// On days `[from, until)`, `doctor`'s share of `drugs` moves to `target`.
#[derive(Clone, Debug)]
pub struct HabitMod {
    pub doctor: usize,
    pub from: u32,
    pub until: u32,
    pub drugs: Vec<usize>,
    pub target: Target,
}

/// The doctor's expected share of lines of each drug in their roster habits.
pub fn line_shares(h: &Hospital, doctor: usize) -> Vec<(usize, f64)> {
    let pairs: Vec<(usize, f64)> = h.doctors[doctor].pool.pairs().collect();
    let s = lines::shares(h, h.doctors[doctor].dept, &pairs);
    pairs.iter().map(|p| p.0).zip(s).collect()
}

/// Moves the combined share of lines of `drugs` in `pairs` (habits of a doctor of `dept`)
/// to `target`; drugs not in the habits are added.
pub fn apply(h: &Hospital, dept: usize, pairs: &mut Vec<(usize, f64)>, drugs: &[usize], target: Target) {
    if pairs.is_empty() || drugs.is_empty() {
        return;
    }
    let mine = |pairs: &[(usize, f64)], f: f64| -> f64 {
        let scaled: Vec<(usize, f64)> =
            pairs.iter().map(|&(d, x)| (d, if drugs.contains(&d) { x * f } else { x })).collect();
        let s = lines::shares(h, dept, &scaled);
        s.iter().zip(pairs).filter(|(_, p)| drugs.contains(&p.0)).map(|(s, _)| s).sum()
    };
    let want = match target {
        Target::Times(k) => k * mine(pairs, 1.0),
        Target::Share(s) => s,
    }
    .clamp(0.0, 0.4);
    // New drugs start at the mean weight; the factor below sizes them.
    let mean = pairs.iter().map(|p| p.1).sum::<f64>() / pairs.len() as f64;
    for &d in drugs {
        if !pairs.iter().any(|p| p.0 == d) {
            pairs.push((d, mean));
        }
    }
    // Bisection on log f: the share grows with f.
    let (mut lo, mut hi) = (-12.0_f64, 12.0_f64);
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if mine(pairs, mid.exp()) < want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let f = ((lo + hi) / 2.0).exp();
    for p in pairs.iter_mut().filter(|p| drugs.contains(&p.0)) {
        p.1 *= f;
    }
}

/// Per doctor, the pools in force from each day on (empty: the roster's pool throughout).
pub fn compile(h: &Hospital, mods: &[HabitMod]) -> Vec<Vec<(u32, Pool)>> {
    let mut out: Vec<Vec<(u32, Pool)>> = vec![Vec::new(); h.doctors.len()];
    let mut doctors: Vec<usize> = mods.iter().map(|m| m.doctor).collect();
    doctors.sort_unstable();
    doctors.dedup();
    for doc in doctors {
        let mine: Vec<&HabitMod> = mods.iter().filter(|m| m.doctor == doc).collect();
        let mut cuts: Vec<u32> = mine.iter().flat_map(|m| [m.from, m.until]).filter(|&c| c < h.period.days).collect();
        cuts.push(0);
        cuts.sort_unstable();
        cuts.dedup();
        for c in cuts {
            let active: Vec<&&HabitMod> = mine.iter().filter(|m| m.from <= c && c < m.until).collect();
            if active.is_empty() && c == 0 {
                continue;
            }
            let mut pairs: Vec<(usize, f64)> = h.doctors[doc].pool.pairs().collect();
            for m in active {
                apply(h, h.doctors[doc].dept, &mut pairs, &m.drugs, m.target);
            }
            out[doc].push((c, Pool::new(pairs)));
        }
    }
    out
}
