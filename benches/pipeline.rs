//! Criterion benches of the scoring loop: decode alone, and decode + dedup + state +
//! detect + alerts, over a generated hospital held in memory (no I/O in the loop).
//! `cargo bench --bench pipeline`; whole-process figures are in docs/performance.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use rxgen::gen::{self, GenArgs};
use rxsentinel::event::decode;
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
    let mut g = c.benchmark_group("scoring_loop");
    g.sample_size(10);
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for l in &lines {
                n += usize::from(decode(l, None).is_ok());
            }
            n
        })
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

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
