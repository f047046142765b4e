//! Directory search benchmark on SQLite (rusqlite, bundled), the engine D1 runs.
//!
//! Loads generated data sets (10k and 100k practitioners; `DIRECTORY_BENCH_SIZES=10000,100000`)
//! with the very `index_rows` statements, then times the three benchmark searches end to end
//! (core compile → SQL → rows → Bundle) and prints `EXPLAIN QUERY PLAN` for each statement.
//!
//! `cargo bench --bench directory`
//!
//! `DIRECTORY_BENCH_DBS=10000=/path/a.sqlite,100000=/path/b.sqlite` times existing databases
//! instead (e.g. the local D1 files `bench/directory-edge.mjs` loaded through wrangler), read
//! only; each query also prints a `RESULT <size> <query> p50_ms p99_ms` line for scripts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use practice_fhir::directory::{index_rows, Statement};
use practice_fhir::search::{CandidateRow, LocationCandidate, ResourceRow, SearchQuery, SqlPlan};
use practice_fhir::QueryParams;
use practice_fhir_tools::synth::{generate, SynthSpec};
use rusqlite::{params_from_iter, Connection};

const MIGRATION: &str = concat!(
    include_str!("../migrations/0003_directory.sql"),
    include_str!("../migrations/0005_near_by_location.sql")
);
const NOW: &str = "2026-11-23T21:00:00Z";

const QUERIES: &[(&str, bool, &str)] = &[
    (
        "practitioner family + specialty",
        false,
        "family=smith&specialty=0003A",
    ),
    (
        "role near 10 km, sort distance, include",
        true,
        "near=51.516:-0.160:10:km&_sort=distance&_include=practitioner:location",
    ),
    (
        "practitioner postcode prefix",
        false,
        "address-postalcode=W1H",
    ),
    (
        "role specialty, sort name, distinct-by practitioner (extra)",
        true,
        "specialty=0003A&_sort=name&distinct-by=practitioner",
    ),
];

use practice_fhir_tools::sqlite::to_sql;

/// An existing database for size `n`, from `DIRECTORY_BENCH_DBS`.
fn existing(n: usize) -> Option<Connection> {
    let dbs = std::env::var("DIRECTORY_BENCH_DBS").ok()?;
    let path = dbs.split(',').find_map(|pair| {
        let (size, path) = pair.split_once('=')?;
        (size.trim().parse::<usize>().ok()? == n).then(|| path.trim().to_owned())
    })?;
    Some(Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap())
}

fn load(n: usize) -> (Connection, Duration, usize) {
    if let Some(conn) = existing(n) {
        let resources: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM practitioner) + (SELECT COUNT(*) FROM location) \
                 + (SELECT COUNT(*) FROM practitioner_role) + (SELECT COUNT(*) FROM schedule)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        return (conn, Duration::ZERO, resources as usize);
    }
    let path = std::env::temp_dir().join(format!("practice-fhir-directory-bench-{n}.sqlite"));
    // DIRECTORY_BENCH_REUSE=1 keeps a database loaded by an earlier run (same schema only).
    if std::env::var("DIRECTORY_BENCH_REUSE").is_ok_and(|v| v == "1") && path.exists() {
        let conn = Connection::open(&path).unwrap();
        let resources: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM practitioner) + (SELECT COUNT(*) FROM location) \
                 + (SELECT COUNT(*) FROM practitioner_role) + (SELECT COUNT(*) FROM schedule)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        return (conn, Duration::ZERO, resources as usize);
    }
    let _ = std::fs::remove_file(&path);
    let mut conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .unwrap();
    conn.execute_batch(MIGRATION).unwrap();
    let started = Instant::now();
    let mut resources = 0usize;
    let tx = conn.transaction().unwrap();
    generate(
        SynthSpec {
            practitioners: n,
            seed: 2026,
        },
        |r| {
            resources += 1;
            for st in index_rows(&r).unwrap() {
                let mut stmt = tx.prepare_cached(&st.sql).unwrap();
                stmt.execute(params_from_iter(st.params.iter().map(to_sql)))
                    .unwrap();
            }
        },
    );
    tx.commit().unwrap();
    (conn, started.elapsed(), resources)
}

fn rows(conn: &Connection, st: &Statement) -> Vec<ResourceRow> {
    let mut stmt = conn.prepare_cached(&st.sql).unwrap();
    stmt.query_map(params_from_iter(st.params.iter().map(to_sql)), |r| {
        let mut row = ResourceRow::new(r.get(0)?, r.get(1)?);
        // The near page statements also return the role's location.
        if r.as_ref().column_count() > 2 {
            row.location_id = r.get(2)?;
        }
        Ok(row)
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The worker's flow; returns (matches on page, maxCount, statements run).
fn search(conn: &Connection, role: bool, query: &str) -> (usize, u64, Vec<Statement>) {
    let params = QueryParams::from_query(query, false);
    let q = if role {
        SearchQuery::practitioner_role(&params, NOW)
    } else {
        SearchQuery::practitioner(&params)
    }
    .unwrap();
    let mut ran = Vec::new();
    let (matches, max) = match q.to_sql() {
        SqlPlan::Paged { page, count } => {
            let m = rows(conn, &page);
            let total: i64 = conn
                .prepare_cached(&count.sql)
                .unwrap()
                .query_row(params_from_iter(count.params.iter().map(to_sql)), |r| {
                    r.get(0)
                })
                .unwrap();
            ran.push(page);
            ran.push(count);
            (m, total as u64)
        }
        SqlPlan::Near { candidates } => {
            let mut stmt = conn.prepare_cached(&candidates.sql).unwrap();
            let cands: Vec<CandidateRow> = stmt
                .query_map(
                    params_from_iter(candidates.params.iter().map(to_sql)),
                    |r| {
                        Ok(CandidateRow {
                            id: r.get(0)?,
                            practitioner_id: r.get(1)?,
                            location_id: r.get(2)?,
                            lat: r.get(3)?,
                            lon: r.get(4)?,
                            family_sort: r.get(5)?,
                            given_sort: r.get(6)?,
                        })
                    },
                )
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let page = q.select_near(cands);
            let fetch = page.fetch();
            let fetched: Vec<ResourceRow> = fetch.iter().flat_map(|s| rows(conn, s)).collect();
            ran.push(candidates);
            ran.extend(fetch);
            (page.arrange(fetched), page.max_count)
        }
        SqlPlan::NearLocations { locations } => {
            let mut stmt = conn.prepare_cached(&locations.sql).unwrap();
            let cands: Vec<LocationCandidate> = stmt
                .query_map(params_from_iter(locations.params.iter().map(to_sql)), |r| {
                    Ok(LocationCandidate {
                        location_id: r.get(0)?,
                        lat: r.get(1)?,
                        lon: r.get(2)?,
                        roles: r.get::<_, i64>(3)? as f64,
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let page = q.select_near_locations(cands).unwrap();
            let fetch = page.fetch();
            let fetched: Vec<ResourceRow> = fetch.iter().flat_map(|s| rows(conn, s)).collect();
            ran.push(locations);
            ran.extend(fetch);
            (page.arrange(fetched), page.max_count)
        }
    };
    let include = q.include_sql(&matches);
    let included: Vec<ResourceRow> = include.iter().flat_map(|s| rows(conn, s)).collect();
    ran.extend(include);
    let bundle = q
        .searchset(&matches, &included, max, "https://bench.invalid/R")
        .unwrap();
    let n = bundle["total"].as_u64().unwrap_or(0) as usize;
    (n, max, ran)
}

fn plan(conn: &Connection, st: &Statement) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", st.sql))
        .unwrap();
    stmt.query_map(params_from_iter(st.params.iter().map(to_sql)), |r| {
        let parent: i64 = r.get(1)?;
        let detail: String = r.get(3)?;
        Ok(format!("{parent:>3} {detail}"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench` (as criterion's benches
    // are): then a quick smoke run at 1,000 practitioners, not the 100k load in debug.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let default_sizes = if smoke { "1000" } else { "10000,100000" };
    let sizes: Vec<usize> = std::env::var("DIRECTORY_BENCH_SIZES")
        .unwrap_or_else(|_| default_sizes.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let iterations: usize = std::env::var("DIRECTORY_BENCH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 2 } else { 30 });
    for n in sizes {
        let (conn, load_time, resources) = load(n);
        println!(
            "\n## {n} practitioners ({resources} resources) loaded in {:.1} s",
            load_time.as_secs_f64()
        );
        for (name, role, query) in QUERIES {
            let (entries, max, statements) = search(&conn, *role, query);
            let mut times: Vec<Duration> = (0..iterations)
                .map(|_| {
                    let t = Instant::now();
                    let _ = search(&conn, *role, query);
                    t.elapsed()
                })
                .collect();
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len().max(1) as f64;
            let p50 = times.get(times.len() / 2).copied().unwrap_or_default();
            let p95 = times
                .get(times.len() * 95 / 100)
                .copied()
                .unwrap_or_default();
            let p99 = times
                .get(times.len() * 99 / 100)
                .copied()
                .unwrap_or_default();
            println!("RESULT {n} {query} {:.3} {:.3}", ms(p50), ms(p99));
            println!(
                "\n### {name}\n`{query}` → {entries} on page, maxCount {max}\nmean {mean:.2} ms, p50 {:.2} ms, p95 {:.2} ms ({iterations} runs)",
                ms(p50),
                ms(p95)
            );
            for st in &statements {
                println!("\n    {}", st.sql);
                for line in plan(&conn, st) {
                    println!("    {line}");
                }
            }
        }
    }
}
