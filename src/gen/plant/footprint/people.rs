//! Confounders about a doctor's presence and workload: a new doctor joining with no
//! history, three weeks' leave and back, a doubled clinic. One of each per 75 doctors, at
//! least one; in departments of three doctors or more, on doctors no other case uses (and,
//! for absences, none of the per-prescription plants' doctors, who must be at work).

use super::super::effects::{Absence, Workload};
use super::{Case, Ctx, MIN_RUN};

const LEAVE_DAYS: u32 = 21;

fn count(cx: &Ctx) -> usize {
    ((cx.h.doctors.len() as f64 / 75.0).round() as usize).max(1)
}

/// `confounder:new_doctor`: on the roster all along, no events before `start`.
pub fn new_doctor(cx: &mut Ctx) {
    for _ in 0..count(cx) {
        let Some(start) = cx.start(MIN_RUN) else { return };
        let Some(doc) = cx.doctor(3, true) else { return };
        let dept = cx.h.doctors[doc].dept;
        let note = format!("新入职医生{}自{}起开始执业，此前无处方", cx.h.doctors[doc].name, cx.h.period.date(start));
        let truth = cx.truth("confounder:new_doctor", Some(doc), Some(dept), start, note);
        cx.take(&[doc], &[], Some(dept));
        let absences = vec![Absence { doctor: doc, from: 0, until: start }];
        cx.add(Case { truth, absences, ..Case::default() });
    }
}

/// `confounder:leave`: away `[start, end)`, 21 days, then back to normal for a week or more.
pub fn leave(cx: &mut Ctx) {
    for _ in 0..count(cx) {
        let Some(start) = cx.start(LEAVE_DAYS + 7) else { return };
        let Some(doc) = cx.doctor(3, true) else { return };
        let dept = cx.h.doctors[doc].dept;
        let end = start + LEAVE_DAYS;
        let note = format!(
            "{}休假三周（{}至{}），之后照常",
            cx.h.doctors[doc].name,
            cx.h.period.date(start),
            cx.h.period.date(end - 1)
        );
        let mut truth = cx.truth("confounder:leave", Some(doc), Some(dept), start, note);
        truth.end = Some(cx.midnight(end));
        cx.take(&[doc], &[], Some(dept));
        let absences = vec![Absence { doctor: doc, from: start, until: end }];
        cx.add(Case { truth, absences, ..Case::default() });
    }
}

/// `confounder:workload`: twice the visits from `start`, same habits.
pub fn workload(cx: &mut Ctx) {
    for _ in 0..count(cx) {
        let Some(start) = cx.start(MIN_RUN) else { return };
        let Some(doc) = cx.doctor(3, false) else { return };
        let dept = cx.h.doctors[doc].dept;
        let note = format!("{}自{}起门诊量翻倍，用药习惯不变", cx.h.doctors[doc].name, cx.h.period.date(start));
        let truth = cx.truth("confounder:workload", Some(doc), Some(dept), start, note);
        cx.take(&[doc], &[], Some(dept));
        let workloads = vec![Workload { doctor: doc, from: start, factor: 2.0 }];
        cx.add(Case { truth, workloads, ..Case::default() });
    }
}
