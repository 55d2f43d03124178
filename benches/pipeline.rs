//! Criterion benches of the scoring loop over a generated hospital held in memory (no I/O
//! in the loop): decode per event type (serde_json, the yardstick, against the decoder
//! `replay` uses), scoring on pre-decoded events (dedup, clock, state, every detector,
//! alerts), and the two together from bytes. `cargo bench --bench pipeline`; whole-process
//! figures are in docs/performance.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use rxgen::gen::{self, GenArgs};
use rxsentinel::event::decode::decode_serde;
use rxsentinel::event::{decode, Event, EventType};
use rxsentinel::pipeline::Pipeline;
use rxsentinel::rules::RuleSet;

fn hospital() -> (Vec<Vec<u8>>, RuleSet) {
    let dir = std::env::temp_dir().join(format!("rxsentinel-bench-{}", std::process::id()));
    let mut g = GenArgs::with_out(&dir);
    g.doctors = 40;
    g.days = 90;
    g.visits_per_doctor_day = 15.0;
    let s = gen::run(&g).expect("generate");
    let text = std::fs::read(&s.events_path).expect("read events");
    let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::load(&root.join("rules"), Some(&s.catalog_dir)).expect("rules");
    let _ = std::fs::remove_dir_all(&dir);
    (lines, rules)
}

fn benches(c: &mut Criterion) {
    let (lines, rules) = hospital();
    let mut g = c.benchmark_group("decode");
    g.sample_size(20);
    for ty in EventType::ALL {
        let of: Vec<&[u8]> = lines
            .iter()
            .map(Vec::as_slice)
            .filter(|l| decode(l, None).is_ok_and(|e| e.body.event_type() == ty))
            .collect();
        if of.is_empty() {
            continue;
        }
        g.throughput(Throughput::Elements(of.len() as u64));
        for (name, f) in [("serde_json", decode_serde as Decoder), ("replay", decode as Decoder)] {
            g.bench_function(format!("{}/{name}", ty.as_str()), |b| {
                b.iter(|| of.iter().filter(|l| f(l, None).is_ok()).count())
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("scoring_loop");
    g.sample_size(10);
    g.throughput(Throughput::Elements(lines.len() as u64));
    let events: Vec<Event<'static>> =
        lines.iter().filter_map(|l| decode(l, None).ok().map(|e| e.to_owned_event())).collect();
    g.bench_function("score_decoded", |b| {
        b.iter_batched(
            || Pipeline::new(rules.clone()),
            |mut p| {
                let mut out = Vec::new();
                for ev in &events {
                    p.process(ev, &mut out);
                    out.clear();
                }
                p
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("decode_and_score", |b| {
        b.iter_batched(
            || Pipeline::new(rules.clone()),
            |mut p| {
                let mut out = Vec::new();
                for l in &lines {
                    if let Ok(ev) = decode(l, None) {
                        p.process(&ev, &mut out);
                    }
                    out.clear();
                }
                p
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

type Decoder = for<'a> fn(&'a [u8], Option<EventType>) -> Result<Event<'a>, rxsentinel::event::Reject>;

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
