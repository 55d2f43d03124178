//! Typed contract events (CONTRACT §1). Strings borrow from the record's bytes where the
//! JSON has no escapes, so decoding allocates little; the state stage interns what it keeps.

pub mod decimal;
pub mod decode;
mod flat;
pub mod mapping;
pub mod time;

use std::borrow::Cow;

pub use decode::{decode, Reject, RejectReason};
pub use time::{Day, Month, Ts, Week, Zone};

/// The five event types of the contract.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    Rx,
    Return,
    Charge,
    Access,
    RepVisit,
}

impl EventType {
    pub const ALL: [EventType; 5] = [Self::Rx, Self::Return, Self::Charge, Self::Access, Self::RepVisit];

    pub fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "rx" => Self::Rx,
            "return" => Self::Return,
            "charge" => Self::Charge,
            "access" => Self::Access,
            "rep_visit" => Self::RepVisit,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rx => "rx",
            Self::Return => "return",
            Self::Charge => "charge",
            Self::Access => "access",
            Self::RepVisit => "rep_visit",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum VisitType {
    #[default]
    Outpatient,
    Emergency,
    Inpatient,
}

impl VisitType {
    pub fn parse(s: &str) -> Option<VisitType> {
        Some(match s {
            "outpatient" | "门诊" => Self::Outpatient,
            "emergency" | "急诊" => Self::Emergency,
            "inpatient" | "住院" => Self::Inpatient,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outpatient => "outpatient",
            Self::Emergency => "emergency",
            Self::Inpatient => "inpatient",
        }
    }
}

/// Professional title, ordered from junior to senior.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Title {
    Resident,
    Attending,
    AssociateChief,
    Chief,
}

impl Title {
    /// The roster code (CONTRACT §2).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Attending => "attending",
            Self::AssociateChief => "associate_chief",
            Self::Chief => "chief",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Resident => "住院医师",
            Self::Attending => "主治医师",
            Self::AssociateChief => "副主任医师",
            Self::Chief => "主任医师",
        }
    }

    pub fn parse(s: &str) -> Option<Title> {
        Some(match s {
            "resident" | "住院医师" => Self::Resident,
            "attending" | "主治医师" => Self::Attending,
            "associate_chief" | "副主任医师" => Self::AssociateChief,
            "chief" | "主任医师" => Self::Chief,
            _ => return None,
        })
    }
}

/// Revenue category of a `charge` (CONTRACT §1).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Category {
    DrugWestern,
    DrugPatent,
    DrugHerbal,
    Material,
    Exam,
    Lab,
    Treatment,
    Surgery,
    Bed,
    Nursing,
    Other,
}

impl Category {
    pub fn parse(s: &str) -> Option<Category> {
        Some(match s {
            "drug_western" => Self::DrugWestern,
            "drug_patent" => Self::DrugPatent,
            "drug_herbal" => Self::DrugHerbal,
            "material" => Self::Material,
            "exam" => Self::Exam,
            "lab" => Self::Lab,
            "treatment" => Self::Treatment,
            "surgery" => Self::Surgery,
            "bed" => Self::Bed,
            "nursing" => Self::Nursing,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// Audit action of an `access`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Query,
    Export,
    Report,
    Print,
    Other,
}

impl Action {
    pub fn parse(s: &str) -> Action {
        match s {
            "query" => Self::Query,
            "export" => Self::Export,
            "report" => Self::Report,
            "print" => Self::Print,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Export => "export",
            Self::Report => "report",
            Self::Print => "print",
            Self::Other => "other",
        }
    }
}

/// Money in fen (0.01 yuan). Yuan arrive as JSON numbers; rounding happens once, here.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    pub fn from_yuan(y: f64) -> Fen {
        Fen((y * 100.0).round() as i64)
    }

    pub fn yuan(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Written as yuan, the contract's unit.
impl serde::Serialize for Fen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.yuan())
    }
}

/// Read back as yuan (checkpoints): exact for any amount below 2^53 fen.
impl<'de> serde::Deserialize<'de> for Fen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Fen::from_yuan)
    }
}

/// One decoded event: the common fields and the type-specific body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Event<'a> {
    pub id: Cow<'a, str>,
    pub ts: Ts,
    pub hospital: Cow<'a, str>,
    pub body: Body<'a>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Body<'a> {
    Rx(Rx<'a>),
    Return(Return<'a>),
    Charge(Charge<'a>),
    Access(Access<'a>),
    RepVisit(RepVisit<'a>),
}

impl Body<'_> {
    pub fn event_type(&self) -> EventType {
        match self {
            Body::Rx(_) => EventType::Rx,
            Body::Return(_) => EventType::Return,
            Body::Charge(_) => EventType::Charge,
            Body::Access(_) => EventType::Access,
            Body::RepVisit(_) => EventType::RepVisit,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rx<'a> {
    pub rx_id: Cow<'a, str>,
    pub line: Option<i64>,
    pub visit_type: VisitType,
    pub dept: Cow<'a, str>,
    pub doctor: Cow<'a, str>,
    pub doctor_title: Option<Title>,
    pub drug: Cow<'a, str>,
    pub drug_name: Option<Cow<'a, str>>,
    pub manufacturer: Option<Cow<'a, str>>,
    pub qty: f64,
    pub amount: Fen,
    pub days: Option<i64>,
    pub long_term: bool,
    pub reason: Option<Cow<'a, str>>,
}

impl Rx<'_> {
    pub fn visit_type_zh(&self) -> &'static str {
        match self.visit_type {
            VisitType::Outpatient => "门诊",
            VisitType::Emergency => "急诊",
            VisitType::Inpatient => "住院",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Return<'a> {
    pub rx_id: Cow<'a, str>,
    pub drug: Cow<'a, str>,
    pub doctor: Cow<'a, str>,
    pub dept: Cow<'a, str>,
    pub qty: f64,
    pub amount: Fen,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Charge<'a> {
    pub dept: Cow<'a, str>,
    pub doctor: Option<Cow<'a, str>>,
    pub category: Category,
    pub amount: Fen,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Access<'a> {
    pub user: Cow<'a, str>,
    pub role: Option<Cow<'a, str>>,
    pub client_ip: Option<Cow<'a, str>>,
    pub app: Option<Cow<'a, str>>,
    pub action: Action,
    pub object: Option<Cow<'a, str>>,
    pub group_by: Vec<Cow<'a, str>>,
    pub rows: Option<i64>,
    pub sql: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RepVisit<'a> {
    pub rep: Cow<'a, str>,
    pub company: Cow<'a, str>,
    pub manufacturer: Cow<'a, str>,
    pub doctor: Cow<'a, str>,
    pub dept: Cow<'a, str>,
    pub products: Vec<Cow<'a, str>>,
}

fn own<'b>(s: &str) -> Cow<'b, str> {
    Cow::Owned(s.to_owned())
}

fn own_opt<'b>(s: &Option<Cow<'_, str>>) -> Option<Cow<'b, str>> {
    s.as_deref().map(own)
}

impl Event<'_> {
    /// A copy that owns its strings, to be kept past the record's bytes (a held event).
    pub fn to_owned_event(&self) -> Event<'static> {
        let body = match &self.body {
            Body::Rx(r) => Body::Rx(Rx {
                rx_id: own(&r.rx_id),
                dept: own(&r.dept),
                doctor: own(&r.doctor),
                drug: own(&r.drug),
                drug_name: own_opt(&r.drug_name),
                manufacturer: own_opt(&r.manufacturer),
                reason: own_opt(&r.reason),
                line: r.line,
                visit_type: r.visit_type,
                doctor_title: r.doctor_title,
                qty: r.qty,
                amount: r.amount,
                days: r.days,
                long_term: r.long_term,
            }),
            Body::Return(r) => Body::Return(Return {
                rx_id: own(&r.rx_id),
                drug: own(&r.drug),
                doctor: own(&r.doctor),
                dept: own(&r.dept),
                qty: r.qty,
                amount: r.amount,
            }),
            Body::Charge(c) => Body::Charge(Charge {
                dept: own(&c.dept),
                doctor: own_opt(&c.doctor),
                category: c.category,
                amount: c.amount,
            }),
            Body::Access(a) => Body::Access(Access {
                user: own(&a.user),
                role: own_opt(&a.role),
                client_ip: own_opt(&a.client_ip),
                app: own_opt(&a.app),
                object: own_opt(&a.object),
                group_by: a.group_by.iter().map(|g| own(g)).collect(),
                sql: own_opt(&a.sql),
                action: a.action,
                rows: a.rows,
            }),
            Body::RepVisit(v) => Body::RepVisit(RepVisit {
                rep: own(&v.rep),
                company: own(&v.company),
                manufacturer: own(&v.manufacturer),
                doctor: own(&v.doctor),
                dept: own(&v.dept),
                products: v.products.iter().map(|g| own(g)).collect(),
            }),
        };
        Event { id: own(&self.id), ts: self.ts, hospital: own(&self.hospital), body }
    }
}
