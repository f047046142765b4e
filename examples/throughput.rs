//! Quick throughput probe (best of N, robust on a shared machine); the real benchmark is
//! `cargo bench --bench parse`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a developer tool: fail loudly

use std::time::Instant;

fn best_mb_s(label: &str, json: &str, runs: usize, mut f: impl FnMut(&str)) {
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        f(std::hint::black_box(json));
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{label:32} {:8.1} MB/s  ({:.2} ms)",
        json.len() as f64 / best / 1e6,
        best * 1e3
    );
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/practitioners-1000.json".into());
    let json = std::fs::read_to_string(&path).expect("bundle missing: run make_bundle.mjs");
    let runs = 30;
    best_mb_s("serde IgnoredAny", &json, runs, |j| {
        serde_json::from_str::<serde::de::IgnoredAny>(j).unwrap();
    });
    best_mb_s("serde_json::Value", &json, runs, |j| {
        serde_json::from_str::<serde_json::Value>(j).unwrap();
    });
    best_mb_s("parse_typed", &json, runs, |j| {
        practice_fhir::parse_typed(j).unwrap();
    });
    best_mb_s("parse_resource", &json, runs, |j| {
        practice_fhir::parse_resource(j).unwrap();
    });
    best_mb_s("validate_resource", &json, runs, |j| {
        practice_fhir::validate_resource(j);
    });
    let typed = practice_fhir::parse_typed(&json).unwrap();
    best_mb_s("validate_typed only", &json, runs, |_| {
        practice_fhir::validate_typed(&typed);
    });
}
