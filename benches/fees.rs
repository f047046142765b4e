//! Fee calculation and snapshot loading benchmarks.
//!
//! `fee/3-procedures/*`: a service with 3 procedures under BUPA's multi-procedure rules, in a
//! site of 5,000 prices (one calculation per iteration: calcs/s = 1 / time). `snapshot/load`:
//! reading that site's snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use practice_fhir::contracts::{
    Code, ContractBook, FeeRequest, MultiProcRule, MultiProcSet, PayorContract, PayorKind,
    PayorRef, Price, PriceKey, ValueOf,
};
use practice_fhir::QueryParams;
use rust_decimal::Decimal;

fn site_with_5000_prices() -> ContractBook {
    let mut b = ContractBook::new("HC00HM4");
    b.add_payor(PayorContract {
        id: "0000039001".into(),
        payor: PayorRef {
            kind: PayorKind::Insurer,
            id: "bup".into(),
        },
        display: Some("BUPA".into()),
        multi_proc_set: None,
        list_code: None,
    })
    .unwrap();
    for s in 0..100 {
        for p in 0..50 {
            let key = PriceKey {
                contract: "0000039001".into(),
                service: Code::new("ISC", format!("C{s:07}")),
                procedure: Some(Code::new("CCSD", format!("A{p:04}"))),
                location: (p % 5 == 0).then(|| "HP002694".to_string()),
                practitioner: None,
            };
            let net = Decimal::new(10_000 + (s * 50 + p) * 37 % 90_000, 2);
            b.set_price(
                key,
                Price {
                    net: Some(net),
                    ..Price::default()
                },
            )
            .unwrap();
        }
    }
    use ValueOf::*;
    let r = |g, k, p: i64, v| MultiProcRule {
        calc_group: g,
        proc_number: k,
        percentage: Decimal::from(p),
        value_of: v,
    };
    b.set_multi_proc_set(MultiProcSet {
        id: "0000011460".into(),
        description: "Default Multi-Procedure Calculation (BUPA)".into(),
        editable: false,
        payor: Some("bup".into()),
        is_default: true,
        rules: vec![
            r(1, 1, 100, Some(Highest)),
            r(2, 1, 125, Some(Highest)),
            r(2, 2, 0, Some(Highest2)),
            r(3, 1, 140, Some(Highest)),
            r(3, 2, 0, Some(Highest2)),
            r(3, 3, 0, Some(Other)),
        ],
    });
    b
}

fn fees(c: &mut Criterion) {
    let book = site_with_5000_prices();
    assert_eq!(book.price_count(), 5000);
    let query = "service-type=ISC/C0000042&payor-type=I&provider-type=S&payor=bup&procedure-code=CCSD/A0010,CCSD/A0003,CCSD/A0027&location=HP002694&site=HC00HM4";
    let params = QueryParams::from_query(query, false);
    let req = FeeRequest::from_params(&params).unwrap();
    let mut g = c.benchmark_group("fee/3-procedures");
    g.throughput(Throughput::Elements(1));
    g.bench_function("fee_total", |b| {
        b.iter(|| black_box(&book).fee_total(black_box(&req)).unwrap())
    });
    g.bench_function("fee_total (query in, string out)", |b| {
        b.iter(|| {
            let p = QueryParams::from_query(black_box(query), false);
            let r = FeeRequest::from_params(&p).unwrap();
            practice_fhir::money::money_string(black_box(&book).fee_total(&r).unwrap())
        })
    });
    g.bench_function("quote_fee (with breakdown)", |b| {
        b.iter(|| black_box(&book).quote_fee(black_box(&req)).unwrap())
    });
    g.bench_function("calculate_fee (query in, JSON out)", |b| {
        b.iter(|| {
            let p = QueryParams::from_query(black_box(query), false);
            black_box(&book).calculate_fee_json(&p).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("effective-prices");
    g.throughput(Throughput::Elements(1));
    let ep = "site=HC00HM4&payor=bup&count=10&page=1";
    g.bench_function(
        "effective_prices (query in, JSON out, first page of 10)",
        |b| {
            b.iter(|| {
                let p = QueryParams::from_query(black_box(ep), false);
                black_box(&book).effective_prices_json(&p).unwrap()
            })
        },
    );
    g.finish();

    let snapshot = book.to_snapshot_json();
    // bench/fees.mjs times the same site and query in wasm under Node, in the same run.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench");
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = std::fs::write(format!("{dir}/site-5000.json"), &snapshot);
        let _ = std::fs::write(format!("{dir}/fee-query.txt"), query);
    }
    let mut g = c.benchmark_group("snapshot");
    g.throughput(Throughput::Bytes(snapshot.len() as u64));
    g.sample_size(20);
    g.bench_function("load 5000 prices", |b| {
        b.iter(|| ContractBook::from_snapshot_json(black_box(&snapshot)).unwrap())
    });
    g.bench_function("parse as serde_json::Value (baseline)", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&snapshot)).unwrap())
    });
    g.bench_function("write 5000 prices", |b| {
        b.iter(|| black_box(&book).to_snapshot_json())
    });
    g.finish();
}

criterion_group!(benches, fees);
criterion_main!(benches);
