//! `scheme:ring`: 3–4 doctors of one department (of at least 8) adopt a drug new to the
//! hospital — a new catalog entry from one manufacturer, prescribed by nobody before — and
//! from the start each writes it on about 5–8% of their lines; nobody else uses it. One
//! ring per 200 doctors, at least one.

use rand::seq::SliceRandom;
use rand::Rng;

use super::super::super::names::{Class, DeptKind};
use super::super::habit::{HabitMod, Target};
use super::{newdrug, Case, Ctx, MIN_RUN, NEW, NEW_CODE};

pub fn plant(cx: &mut Ctx) {
    let h = cx.h;
    let n = (h.doctors.len() / 200).max(1);
    for _ in 0..n {
        let Some(start) = cx.start(MIN_RUN) else { return };
        let dept = cx.depts(8).into_iter().find(|&d| {
            !matches!(h.depts[d].spec.kind, DeptKind::Emergency | DeptKind::Tcm) && cx.free_doctors(d).len() >= 3
        });
        let Some(dept) = dept else { return };
        let mut ring = cx.free_doctors(dept);
        ring.shuffle(&mut cx.rng);
        ring.truncate(cx.rng.gen_range(3..=4));
        // The department's main class, among those a rep would push.
        let class = h.depts[dept]
            .spec
            .classes
            .iter()
            .filter(|(c, _)| !matches!(c, Class::Abx | Class::Narcotic | Class::Psych | Class::Herbal))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(Class::General, |c| c.0);
        let Some(drug) = newdrug::new_drug(cx, class) else { return };
        let mods: Vec<HabitMod> = ring
            .iter()
            .map(|&doc| HabitMod {
                doctor: doc,
                from: start,
                until: u32::MAX,
                drugs: vec![NEW],
                target: Target::Share(cx.rng.gen_range(0.05..0.08)),
            })
            .collect();
        let names: Vec<&str> = ring.iter().map(|&d| h.doctors[d].name.as_str()).collect();
        let note = format!(
            "{}{}名医生（{}）自{}起集中开具新进药品{}（{}），他人不用",
            h.depts[dept].spec.name,
            ring.len(),
            names.join("、"),
            h.period.date(start),
            drug.name,
            drug.manufacturer
        );
        let mut truth = cx.truth("scheme:ring", None, Some(dept), start, note);
        truth.doctors = Some(ring.iter().map(|&d| h.doctors[d].id.clone()).collect());
        truth.drug = Some(NEW_CODE.to_string());
        truth.manufacturer = Some(drug.manufacturer.to_string());
        cx.take(&ring, &[], Some(dept));
        cx.add(Case { truth, mods, new_drug: Some(drug), ..Case::default() });
    }
}
