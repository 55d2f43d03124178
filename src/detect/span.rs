//! Stretches of local time the day-close detectors count lines over, and the departments'
//! doctors' lines over one of them, summed once per closed day: every pair judged that day
//! compares itself with the same peers over the same span, so their sums are shared rather
//! than recomputed for each pair.

use rustc_hash::FxHashMap;

use crate::event::{Day, Week};
use crate::state::usage::{Doctor, Series, UsageStore, DAYS};
use crate::state::{DeptId, DoctorId, DrugId};

/// The trailing days of a window, or the weeks of a baseline.
#[derive(Copy, Clone, Debug)]
pub enum Span {
    Days(Day, Day),
    Weeks(Week, Week),
}

impl Span {
    pub fn pair_lines(self, s: &Series<i16, DAYS>) -> i64 {
        match self {
            Span::Days(a, b) => s.lines_days(a, b),
            Span::Weeks(a, b) => s.lines_weeks(a, b),
        }
    }

    fn series_lines(self, s: &Series<i32, DAYS>) -> i64 {
        match self {
            Span::Days(a, b) => s.lines_days(a, b),
            Span::Weeks(a, b) => s.lines_weeks(a, b),
        }
    }

    /// A doctor's lines of `herbal` (or other) drugs.
    pub fn doctor_lines(self, doc: &Doctor, herbal: bool) -> i64 {
        match self {
            Span::Days(a, b) => doc.lines_days(herbal, a, b),
            Span::Weeks(a, b) => doc.lines_weeks(herbal, a, b),
        }
    }
}

/// One doctor's lines over a span: all of them, and the 中药饮片 among them.
#[derive(Copy, Clone, Debug)]
pub struct DoctorLines {
    pub doctor: DoctorId,
    pub all: i64,
    pub herbal: i64,
}

impl DoctorLines {
    /// Lines of `herbal` (or other) drugs: see `usage::Doctor`.
    pub fn of(&self, herbal: bool) -> i64 {
        if herbal {
            self.herbal
        } else {
            self.all - self.herbal
        }
    }
}

/// The lines of each department's doctors over one span, in the order of
/// `UsageStore::dept_doctors`, and of their pairs with a drug, each department's and each
/// department × drug's summed on first use. Built for one closed day: the store must not
/// change while it lives.
pub struct DeptLines {
    span: Span,
    depts: FxHashMap<DeptId, Vec<DoctorLines>>,
    /// Per department × drug, the lines of each of the department's doctors (in the order
    /// of `depts`) with the drug; `None` for a doctor without the pair.
    drugs: FxHashMap<(DeptId, DrugId), Vec<Option<i64>>>,
}

impl DeptLines {
    pub fn new(span: Span) -> DeptLines {
        DeptLines { span, depts: FxHashMap::default(), drugs: FxHashMap::default() }
    }

    /// The department's doctors with their lines over the span, and each one's lines of
    /// `drug` (`None`: no such pair), in the same order.
    pub fn with_drug(&mut self, u: &UsageStore, dept: DeptId, drug: DrugId) -> (&[DoctorLines], &[Option<i64>]) {
        let span = self.span;
        self.get(u, dept);
        let doctors = &self.depts[&dept];
        let lines = self.drugs.entry((dept, drug)).or_insert_with(|| {
            doctors.iter().map(|dl| u.pair(dl.doctor, drug).map(|pr| span.pair_lines(&pr.series))).collect()
        });
        (doctors, lines)
    }

    pub fn span(&self) -> Span {
        self.span
    }

    /// The department's doctors with their lines over the span (doctors whose state was
    /// evicted are left out).
    pub fn get(&mut self, u: &UsageStore, dept: DeptId) -> &[DoctorLines] {
        let span = self.span;
        self.depts.entry(dept).or_insert_with(|| {
            let doctors = u.dept_doctors.get(&dept).map_or(&[][..], Vec::as_slice);
            doctors
                .iter()
                .filter_map(|&d| {
                    let doc = u.doctors.get(&d)?;
                    Some(DoctorLines {
                        doctor: d,
                        all: span.series_lines(&doc.series),
                        herbal: span.series_lines(&doc.herbal),
                    })
                })
                .collect()
        })
    }
}
