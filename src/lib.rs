//! # rxsentinel
//!
//! A stream processor that watches a hospital's HIS events — prescriptions, returns,
//! charges, data-access audit records and rep visits — for commercial 统方 (selling
//! per-doctor, per-drug prescription figures to drug representatives) and its footprint,
//! and alerts the discipline office (纪检监察室).
//!
//! ```text
//! source ──▶ decode ──▶ dedup ──▶ state.update ──▶ detect ──▶ alerts ──▶ sinks
//! (files,    (event)    (dedup)   (state)          (detect)   (alert)    (sink)
//!  Kafka)
//! ```
//!
//! | module | stage |
//! |---|---|
//! | [`source`] | raw records with positions (NDJSON files, gzip; Kafka partitions) |
//! | [`event`] | contract events (CONTRACT §1), decoding with reasons for rejects, event time |
//! | [`dedup`] | redelivered `event_id`s skipped, bounded by an event-time horizon |
//! | [`state`] | interned ids, rolling revenue (daily) and volume (weekly) rings, reference data |
//! | [`detect`] | per-event rules and windowed detectors proposing candidates |
//! | [`alert`] | cooldown, deterministic ids, the alert record (CONTRACT §3) |
//! | [`sink`] | NDJSON file / stdout, Kafka topic (idempotent, acks=all) |
//! | [`rules`] | the rules directory: TOML rules, engine settings, catalog CSVs |
//! | [`pipeline`] | the synchronous core: compiled rules ([`pipeline::Plan`]) and one state per hospital ([`pipeline::HospitalState`]) |
//! | [`checkpoint`] | a pipeline's state with its source positions, versioned and checksummed, in a directory |
//! | [`app`] | wiring for the CLI commands: `replay`, `run` (Kafka), `report` |
//! | [`settings`] | the `run` config file (TOML, validated) with flag and env overrides |
//! | [`http`] | `/metrics`, `/healthz`, `/readyz` |
//! | [`telemetry`] | logging setup and every metric, with bounded labels |
//!
//! Invariants:
//! - decode, dedup, state, detect and alert are synchronous and deterministic and take
//!   event time as an argument: no clock reads, no I/O. Replay equals live.
//! - a record that does not decode is counted by reason and skipped; it never touches state.
//! - `alert_id` depends only on rule, subject (hospital included) and window.
//! - state and event time are per hospital; no single event moves a hospital's watermark
//!   ([`state::clock`]), and eviction, dedup, cooldown expiry and day closing follow it.
//! - no doctor, patient, drug or user id in metric labels or info-level logs.

pub mod alert;
pub mod app;
pub mod checkpoint;
pub mod dedup;
pub mod detect;
pub mod event;
pub mod http;
pub mod notify;
pub mod pipeline;
pub mod rules;
pub mod settings;
pub mod sink;
pub mod source;
pub mod state;
pub mod stats;
pub mod telemetry;
