//! Contracts at hospital scale, natively on SQLite (rusqlite, bundled: the engine D1 runs):
//! sites of 5,000, 20,000 and 100,000 prices (30 payors × n procedures, plus location and
//! bespoke overrides), stored with the very statements the worker commits, then each
//! request timed end to end as the worker runs it (plan → SQL → rows → partial book → the
//! npm package's code → JSON), and the database's bytes per price row measured.
//!
//! `cargo bench --bench contracts_scale` (under `cargo test --all-targets`: a smoke run at
//! 1,500 prices). `CONTRACTS_BENCH_SIZES=5000,100000` picks sizes. Prints a table with each
//! figure as a ratio to the smallest site's, measured in the same run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use practice_fhir::contracts::queries;
use practice_fhir::contracts::rows::{self, Query, RowSet};
use practice_fhir::contracts::{EffectivePricesRequest, FeeRequest};
use practice_fhir::directory::Statement;
use practice_fhir::{ContractBook, QueryParams};
use practice_fhir_tools::sqlite;
use rusqlite::{params_from_iter, Connection};
use serde_json::json;

const SITE: &str = "HCBIG01";
const PAYORS: usize = 30;

fn run(conn: &Connection, plan: &[Query]) -> RowSet {
    sqlite::run(conn, plan).unwrap()
}

fn commit(conn: &mut Connection, statements: &[Statement]) {
    sqlite::commit(conn, statements).unwrap();
}

/// A hospital: 30 insurers over `procedures` CCSD codes under one service, 2% of them with a
/// location price and 1% with a bespoke price, and tariffs for every procedure of bup.
fn hospital(total: usize) -> ContractBook {
    // ~3% of prices are overrides on top of the site-wide ones.
    let per_payor = (total * 100 / 103 / PAYORS).max(1);
    let mut payors = Vec::new();
    let mut prices = Vec::new();
    let mut tariffs = Vec::new();
    for p in 0..PAYORS {
        let (payor, id) = match p {
            0 => ("bup".to_string(), "0000100000".to_string()),
            1 => ("na".to_string(), "0000100001".to_string()),
            2 => ("slf".to_string(), "0000100002".to_string()),
            n => (format!("ins{n:02}"), format!("{:010}", 100_000 + n)),
        };
        payors.push(json!({"id": id, "payor": payor, "type": "I"}));
        for i in 0..per_payor {
            let code = format!("CCSD/X{i:05}");
            let pence = 10_000 + (i * 7919 + p * 104_729) % 500_000;
            let net = format!("{}.{:02}", pence / 100, pence % 100);
            let price = json!({"contract": id, "service": "ISC/C0000010", "procedure": code, "net": net, "lastUpdated": "2026-11-01T00:00:00Z"});
            // Overrides come on top of the site-wide price (so the total counts them).
            if i % 50 == 7 {
                let mut o = price.clone();
                o["location"] = json!("HP000001");
                prices.push(o);
            } else if i % 100 == 3 {
                let mut o = price.clone();
                o["practitioner"] = json!("SP000001");
                prices.push(o);
            }
            prices.push(price);
            if p == 0 {
                tariffs.push(json!({"payor": "bup", "codeType": "P", "code": format!("X{i:05}"), "highPrice": "4000.00", "maximumPrice": "6000.00"}));
            }
        }
    }
    let snapshot = json!({
        "site": SITE, "practitioners": ["SP000001", "SP000002"], "payors": payors, "prices": prices, "tariffs": tariffs,
        "multiProcSets": [{"id": "0000011460", "payor": "bup", "default": true, "records": [["02", "1", "100", "HIGHEST"], ["02", "2", "50", "HIGHEST2"]]}]
    });
    ContractBook::from_snapshot_json(&snapshot.to_string()).unwrap()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

fn time(iters: usize, mut f: impl FnMut(usize)) -> Duration {
    for i in 0..iters.min(5) {
        f(i);
    }
    median(
        (0..iters)
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed()
            })
            .collect(),
    )
}

struct Figures {
    size: usize,
    store_s: f64,
    bytes_per_price: f64,
    fee: Duration,
    effective_counted: Duration,
    effective_first: Duration,
    effective_last: Duration,
    write: Duration,
    slice: Duration,
    slice_bytes: usize,
}

fn measure(size: usize, iters: usize) -> Figures {
    let dir =
        std::env::temp_dir().join(format!("pf-contracts-bench-{size}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("d1.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut conn = sqlite::open(Some(&path)).unwrap();
    let book = hospital(size);
    let t = Instant::now();
    commit(
        &mut conn,
        &rows::store_book(&book, "2026-11-01T00:00:00Z").statements,
    );
    let store_s = t.elapsed().as_secs_f64();
    conn.execute_batch("VACUUM").unwrap();
    let bytes: f64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as f64;
    let empty = sqlite::open(None).unwrap();
    let empty_bytes: f64 = empty
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as f64;
    let n = book.price_count();
    if std::env::var_os("CONTRACTS_BENCH_EXPLAIN").is_some() {
        let params = QueryParams::from_query(&format!("site={SITE}&payor=bup&count=10"), false);
        let req = EffectivePricesRequest::from_params(&params).unwrap();
        let ctx = run(&conn, &queries::effective_context_plan(SITE, &req));
        let fee = FeeRequest::from_params(&QueryParams::from_query(&format!("site={SITE}&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/X00001,CCSD/X00002&location=HP000001"), false)).unwrap();
        let body = json!({"resourceType": "Contract", "subject": [{"reference": format!("Site/{SITE}")}], "term": [{"asset": [{
            "context": [{"reference": {"reference": "Payor/I-bup"}}],
            "valuedItem": [{"entityCodeableConcept": {"coding": [{"system": "ISC", "code": "C0000010"}]}},
                {"entityCodeableConcept": {"coding": [{"system": "https://ref.api.healthcode.co.uk/procedure", "code": "X00001", "display": "CCSD"}]}},
                {"net": {"value": 100}}]}]}]});
        let plans = [
            queries::effective_page_plan(SITE, &req, &ctx, true).unwrap(),
            queries::fee_plan(SITE, &fee),
            queries::contract_price_plan(SITE, &body),
            queries::slice_plan(SITE, Some(&["bup".to_string()]), &[]),
        ];
        for q in plans.iter().flatten() {
            println!("{}", q.stmt.sql);
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", q.stmt.sql))
                .unwrap();
            let lines: Vec<String> = stmt
                .query_map(
                    params_from_iter(q.stmt.params.iter().map(sqlite::to_sql)),
                    |r| r.get::<_, String>(3),
                )
                .unwrap()
                .map(Result::unwrap)
                .collect();
            for l in lines {
                println!("    {l}");
            }
        }
    }
    let per_payor = (size * 100 / 103 / PAYORS).max(1);
    let fee = time(iters, |i| {
        let a = i % per_payor;
        let b = (i * 31 + 5) % per_payor;
        let q = format!("site={SITE}&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/X{a:05},CCSD/X{b:05}&location=HP000001&breakdown=true");
        let params = QueryParams::from_query(&q, false);
        let req = FeeRequest::from_params(&params).unwrap();
        let rows = run(&conn, &queries::fee_plan(SITE, &req));
        let v = ContractBook::from_rows(SITE, &rows)
            .unwrap()
            .calculate_fee(&params)
            .unwrap();
        assert!(v.to_string().contains("net"));
    });
    // As the worker runs it: counts kept under their versions after the first read of a
    // request (`counted = false`), or counted every time.
    let effective = |page: usize, counted: bool| {
        let q = format!("site={SITE}&payor=bup&count=10&page={page}");
        let params = QueryParams::from_query(&q, false);
        let req = EffectivePricesRequest::from_params(&params).unwrap();
        let ctx = run(&conn, &queries::effective_context_plan(SITE, &req));
        let first = run(
            &conn,
            &queries::effective_page_plan(SITE, &req, &ctx, true).unwrap(),
        );
        let kept = queries::effective_counts(SITE, &req, &ctx, &first).unwrap();
        time(iters, |_| {
            let ctx = run(&conn, &queries::effective_context_plan(SITE, &req));
            let rows = run(
                &conn,
                &queries::effective_page_plan(SITE, &req, &ctx, counted).unwrap(),
            );
            let counts = (!counted).then_some(kept.as_slice());
            let v = queries::effective_from_rows(SITE, &req, &ctx, &rows, counts)
                .unwrap()
                .to_json(SITE);
            assert!(v["entry"].as_array().is_some());
        })
    };
    let effective_counted = effective(1, true);
    let effective_first = effective(1, false);
    let effective_last = effective(per_payor.div_ceil(10), false);
    let write = time(iters, |i| {
        let now = format!("2026-12-01T10:00:{:02}.{:03}Z", (i / 1000) % 60, i % 1000);
        let body = json!({"resourceType": "Contract", "subject": [{"reference": format!("Site/{SITE}")}], "term": [{"asset": [{
            "context": [{"reference": {"reference": "Payor/I-bup"}}],
            "valuedItem": [{"entityCodeableConcept": {"coding": [{"system": "ISC", "code": "C0000010"}]}},
                {"entityCodeableConcept": {"coding": [{"system": "https://ref.api.healthcode.co.uk/procedure", "code": format!("X{:05}", i % per_payor), "display": "CCSD"}]}},
                {"net": {"value": 100 + i % 50}}]}]}]});
        let plan = queries::contract_price_plan(SITE, &body);
        let rows = run(&conn, &plan);
        let before = ContractBook::from_rows(SITE, &rows).unwrap();
        let mut after = before.clone();
        after.apply_contract_price(&body, Some(&now)).unwrap();
        let change = rows::diff(SITE, &before, &after, &now);
        commit(&mut conn, &change.statements);
    });
    let mut slice_bytes = 0;
    let payors = vec!["bup".to_string()];
    let slice = time(iters.min(20), |_| {
        let rows = run(&conn, &queries::slice_plan(SITE, Some(&payors), &[]));
        slice_bytes = ContractBook::slice_json(SITE, &rows, json!({}))
            .unwrap()
            .len();
    });
    let _ = std::fs::remove_dir_all(&dir);
    Figures {
        size: n,
        store_s,
        bytes_per_price: (bytes - empty_bytes) / n as f64,
        fee,
        effective_counted,
        effective_first,
        effective_last,
        write,
        slice,
        slice_bytes,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = std::env::var("CONTRACTS_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| {
            if smoke {
                vec![1_500]
            } else {
                vec![5_000, 20_000, 100_000]
            }
        });
    let iters = if smoke { 5 } else { 200 };
    let figures: Vec<Figures> = sizes.iter().map(|s| measure(*s, iters)).collect();
    let Some(base) = figures.first() else { return };
    println!("| prices | store (s) | bytes/price | $calculate-fee p50 | $effective-prices page 1, counted | page 1, counts kept | last page, counts kept | $contract-price (1 asset) | bup slice (read + JSON) | slice bytes |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for f in &figures {
        let r = |a: Duration, b: Duration| ms(a) / ms(b).max(1e-9);
        println!(
            "| {} | {:.2} | {:.0} | {:.3} ms ({:.2}x) | {:.3} ms ({:.2}x) | {:.3} ms ({:.2}x) | {:.3} ms ({:.2}x) | {:.3} ms ({:.2}x) | {:.2} ms ({:.2}x) | {} |",
            f.size,
            f.store_s,
            f.bytes_per_price,
            ms(f.fee),
            r(f.fee, base.fee),
            ms(f.effective_counted),
            r(f.effective_counted, base.effective_counted),
            ms(f.effective_first),
            r(f.effective_first, base.effective_first),
            ms(f.effective_last),
            r(f.effective_last, base.effective_last),
            ms(f.write),
            r(f.write, base.write),
            ms(f.slice),
            r(f.slice, base.slice),
            f.slice_bytes
        );
    }
}
