//! Parse and validate throughput on the 1,000-Practitioner searchset Bundle (3.14 MB) that
//! `/work/shared/bench/make_bundle.mjs` writes, the input the JS comparison uses.
//!
//!     node ../shared/bench/make_bundle.mjs --count 1000 --out target/practitioners-1000.json
//!     cargo bench --bench parse

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bundle() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/practitioners-1000.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!(
                "skipping the parse benchmark: {} is missing; generate it with\n  node ../shared/bench/make_bundle.mjs --count 1000 --out target/practitioners-1000.json",
                path.display()
            );
            None
        }
    }
}

fn practitioner_bundle(c: &mut Criterion) {
    let Some(json) = bundle() else { return };
    let mut group = c.benchmark_group("practitioners-1000");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("serde_json::Value (baseline)", |b| {
        b.iter(|| {
            serde_json::from_str::<serde_json::Value>(std::hint::black_box(&json)).map(|_| ())
        })
    });
    group.bench_function("parse_typed", |b| {
        b.iter(|| practice_fhir::parse_typed(std::hint::black_box(&json)).map(|_| ()))
    });
    group.bench_function("parse_resource", |b| {
        b.iter(|| practice_fhir::parse_resource(std::hint::black_box(&json)))
    });
    group.bench_function("validate_resource", |b| {
        b.iter(|| practice_fhir::validate_resource(std::hint::black_box(&json)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = practitioner_bundle
}
criterion_main!(benches);
