#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `practice-fhir prices import`: reading fee schedules, the rejection report, dry runs in
//! merge and replace mode, and the SQL files loaded into SQLite (rusqlite, every migration)
//! where the stored site must equal the planned book; the API requests replayed on the book
//! through the core's own DELETE and `$contract-price` code; and the binary end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

use practice_fhir::contracts::queries;
use practice_fhir::contracts::rows::{self, Query, RowSet};
use practice_fhir::contracts::PriceFilter;
use practice_fhir::directory::Statement;
use practice_fhir::{ContractBook, QueryParams};
use practice_fhir_tools::prices::api::{api_writes, ASSETS_PER_REQUEST};
use practice_fhir_tools::prices::d1;
use practice_fhir_tools::prices::generate::{generate_hospital, HospitalSpec};
use practice_fhir_tools::prices::plan::{report_json, summary_text};
use practice_fhir_tools::prices::schedule::{read_csv, read_ndjson, ScheduleError};
use practice_fhir_tools::prices::sqlfile::sql_files;
use practice_fhir_tools::prices::{plan_import, ImportPlan, Mode};
use practice_fhir_tools::sqlite;
use rusqlite::Connection;
use serde_json::{json, Value};

const NOW: &str = "2026-12-01T10:00:00Z";
const BIN: &str = env!("CARGO_BIN_EXE_practice-fhir");

/// A small site: four payors, a practitioner with a self-pay list, three prices, and a bup
/// tariff for CCSD A3000 (high 500.00, maximum 1000.00).
fn current() -> ContractBook {
    let snap = json!({
        "site": "HCT01",
        "practitioners": ["SP1"],
        "payors": [
            {"id": "0000000001", "payor": "slf", "type": "I", "display": "Self-Pay"},
            {"id": "0000000002", "payor": "na", "type": "I", "display": "All Others"},
            {"id": "0000000003", "payor": "bup", "type": "I", "display": "BUPA"},
            {"id": "0000000004", "payor": "axa", "type": "I", "display": "AXA"}
        ],
        "selfPay": [{"id": "0000000100", "practitioner": "SP1"}],
        "prices": [
            {"contract": "0000000003", "service": "ISC/C0000010", "procedure": "CCSD/A3000", "net": "232.00", "lastUpdated": "2026-01-01T00:00:00Z"},
            {"contract": "0000000003", "service": "ISC/C0000010", "procedure": "CCSD/A3001", "net": "100.00", "lastUpdated": "2026-01-01T00:00:00Z"},
            {"contract": "0000000004", "service": "ISC/C0000010", "net": "50.00", "lastUpdated": "2026-01-01T00:00:00Z"},
            {"contract": "0000000100", "service": "ISC/C0000010", "practitioner": "SP1", "net": "75.00", "lastUpdated": "2026-01-01T00:00:00Z"}
        ],
        "tariffs": [
            {"payor": "bup", "codeType": "P", "code": "A3000", "rejectMessage": "Above the maximum",
             "warningMessage": "Above the range", "highPrice": "500.00", "maximumPrice": "1000.00"}
        ]
    });
    ContractBook::from_snapshot_json(&snap.to_string()).unwrap()
}

fn plan_csv(csv: &str, mode: Mode) -> ImportPlan {
    plan_import(
        current(),
        read_csv(csv.as_bytes()).unwrap(),
        mode,
        NOW,
        |_| {},
    )
}

// ---------------------------------------------------------------------------------------
// SQLite, as in the core's tests/contracts_sqlite.rs.

fn db() -> Connection {
    sqlite::open(None).unwrap()
}

fn select(conn: &Connection, st: &Statement) -> Vec<Value> {
    sqlite::select(conn, st).unwrap()
}

fn run(conn: &Connection, plan: &[Query]) -> RowSet {
    sqlite::run(conn, plan).unwrap()
}

fn whole(conn: &Connection, site: &str) -> ContractBook {
    ContractBook::from_rows(site, &run(conn, &queries::site_plan(site))).unwrap()
}

/// Stores a book with the statements every write uses.
fn store(conn: &mut Connection, book: &ContractBook) {
    sqlite::commit(conn, &rows::store_book(book, NOW).statements).unwrap();
}

/// Runs one SQL file as D1 runs it: one batch, all or nothing.
fn exec_file(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN")?;
    match conn.execute_batch(sql) {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Reading.

#[test]
fn csv_quotes_column_order_and_empty_cells() {
    let csv = "price,\"payor\",service,procedure,location,practitioner,isESTV\n\
               \"1,250.00\",bup,\"ISC/C0000010\",,,,\n\
               12,axa, ISC/C0000010 ,CCSD/A3000,\"say \"\"hi\"\"\",,Y\n\
               13,axa,ISC/C0000010,\"CCSD/A\n3001\",,,N\n\
               14,axa,ISC/C0000010,,,,N\n";
    let lines = read_csv(csv.as_bytes()).unwrap();
    assert_eq!(lines.len(), 4);
    let first = lines[0].as_ref().unwrap();
    assert_eq!(first.line, 2);
    assert_eq!(first.price.as_deref(), Some("1,250.00"), "a quoted comma");
    assert_eq!(first.payor.as_deref(), Some("bup"));
    assert_eq!(first.procedure, None, "empty cells are absent");
    assert_eq!(first.is_estv, None);
    let second = lines[1].as_ref().unwrap();
    assert_eq!(
        second.location.as_deref(),
        Some("say \"hi\""),
        "doubled quotes"
    );
    assert_eq!(second.service.as_deref(), Some("ISC/C0000010"), "trimmed");
    assert_eq!(second.is_estv.as_deref(), Some("Y"));
    let third = lines[2].as_ref().unwrap();
    assert_eq!(third.line, 4);
    assert_eq!(third.procedure.as_deref(), Some("CCSD/A\n3001"));
    // A record spanning two lines: the next one starts on line 6.
    assert_eq!(lines[3].as_ref().unwrap().line, 6);
}

#[test]
fn a_header_without_a_required_column_is_refused_naming_it() {
    let err = read_csv("payor,service,procedure\nbup,ISC/C1,CCSD/A1\n".as_bytes()).unwrap_err();
    assert_eq!(err, ScheduleError::MissingColumn("price"));
    assert_eq!(
        err.to_string(),
        "line 1: the header has no 'price' column (required: payor, service, price)"
    );
    let err = read_csv("payor,service,price,fee\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("unknown column 'fee'"), "{err}");
    let err = read_csv("payor,service,price,Payor\n".as_bytes()).unwrap_err();
    assert_eq!(err, ScheduleError::DuplicateColumn("payor"));
    assert_eq!(
        read_csv("".as_bytes()).unwrap_err(),
        ScheduleError::NoHeader
    );
}

#[test]
fn ndjson_lines_are_judged_like_csv_lines() {
    let csv = "payor,service,procedure,price,isESTV\nbup,ISC/C0000010,CCSD/A3000,240.00,Y\naxa,ISC/C0000010,,50.00,N\n";
    let ndjson = "{\"payor\":\"bup\",\"service\":\"ISC/C0000010\",\"procedure\":\"CCSD/A3000\",\"price\":240.00,\"isESTV\":true}\n\
                  {\"payor\":\"Organization/axa\",\"service\":\"ISC/C0000010\",\"procedure\":null,\"price\":\"50.00\"}\n\
                  {\"payor\":\"bup\",\"service\":\"ISC/C0000010\",\"price\":1,\"fee\":2}\n";
    let from_csv = plan_csv(csv, Mode::Merge);
    let from_ndjson = plan_import(
        current(),
        read_ndjson(ndjson.as_bytes()).unwrap(),
        Mode::Merge,
        NOW,
        |_| {},
    );
    // The third NDJSON line is refused whole, so the books are the same.
    assert!(from_csv.after == from_ndjson.after);
    assert_eq!(from_csv.changed.len(), 1);
    assert_eq!(from_csv.unchanged, 1);
    assert_eq!(from_ndjson.rejected.len(), 1);
    assert_eq!(from_ndjson.rejected[0].line, 3);
    assert_eq!(from_ndjson.rejected[0].field, "fee");
}

// ---------------------------------------------------------------------------------------
// Rejections.

const BAD_CSV: &str = "payor,service,procedure,location,practitioner,price,isESTV
bup,ISC/C0000010,CCSD/A3000,,,240.00,N
bup,ISC/C0000010,CCSD/A3002,,,
zzz,ISC/C0000010,CCSD/A3000,,,10.00,N
bup,ISC/C0000010,CCSD/A3003,,,-5.00,N
bup,ISC/C0000010,CCSD/A3004,,,10.005,N
bup,ISC/C0000010,CCSD/A3000,HP1,,1500.00,N
bup,ISC-C0000010,CCSD/A3005,,,10.00,N
bup,ISC/C0000010,CCSD/A3006,HP1,SP1,10.00,N
bup,ISC/C0000010,CCSD/A3000,,,241.00,N
bup,ISC/C0000010,CCSD/A3007,,,10.00,X
\"axa\",\"ISC/C0000010\",,\"\",,\"1,250.00\",N
bup,ISC/C0000010,CCSD/A3000,HP2,,600.00,N
";

#[test]
fn every_bad_line_is_rejected_with_its_number_and_field() {
    let plan = plan_csv(BAD_CSV, Mode::Merge);
    let got: Vec<(usize, &str)> = plan
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "line"),
            (4, "payor"),
            (5, "price"),
            (6, "price"),
            (7, "price"),
            (8, "service"),
            (9, "location"),
            (10, "key"),
            (11, "isESTV"),
            (12, "price"),
        ]
    );
    let reason = |line: usize| {
        plan.rejected
            .iter()
            .find(|r| r.line == line)
            .map(|r| r.reason.clone())
            .unwrap()
    };
    assert!(
        reason(3).contains("6 fields but the header has 7"),
        "{}",
        reason(3)
    );
    assert!(reason(4).contains("payor 'zzz' has no contract at site HCT01"));
    assert_eq!(
        reason(5),
        "Field 'price' has invalid amount '-5.00': negative amounts are not allowed."
    );
    assert_eq!(
        reason(6),
        "Field 'price' has invalid amount '10.005': more than 2 decimal places."
    );
    assert_eq!(
        reason(7),
        "Field 'price' 1500.00 is above the maximum 1000.00 of payor bup's tariff for A3000: \
         Above the maximum",
        "both amounts and the tariff's reject message"
    );
    assert!(reason(8).starts_with("Field 'service' is not valid"));
    assert!(reason(10).contains("already on line 2"));
    // The good lines are still worked out: the change, and a warning above the high price.
    assert_eq!(plan.changed.len(), 1);
    assert_eq!(plan.added.len(), 1);
    assert_eq!(plan.warnings.len(), 1);
    assert_eq!(plan.warnings[0].line, 13);
    let text = summary_text(&plan, true, 10);
    assert!(
        text.contains("  line 7 (price): Field 'price' 1500.00 is above the maximum"),
        "{text}"
    );
    assert!(text.contains("  rejected        10\n"), "{text}");
}

#[test]
fn the_binary_writes_nothing_when_a_line_is_rejected_and_exits_1() {
    let dir = temp_dir("rejected");
    std::fs::write(dir.join("bad.csv"), BAD_CSV).unwrap();
    std::fs::write(dir.join("site.json"), current().to_snapshot_json()).unwrap();
    let out = Command::new(BIN)
        .args(["prices", "import", "bad.csv", "--site", "HCT01"])
        .args(["--current", "site.json", "--sql", "out.sql"])
        .args([
            "--report",
            "report.json",
            "--progress",
            "none",
            "--now",
            NOW,
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dir.join("out.sql").exists(), "no SQL file");
    assert!(stderr(&out).contains("10 line(s) rejected; nothing written"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  line 4 (payor): payor 'zzz' has no contract at site HCT01"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["written"], false);
    assert_eq!(report["summary"]["rejected"], 10);
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["field"], "line");
    assert_eq!(
        report["changed"][0]["old"],
        json!({"price": "232.00", "isESTV": "N"})
    );
    assert_eq!(
        report["changed"][0]["new"],
        json!({"price": "240.00", "isESTV": "N"})
    );
}

// ---------------------------------------------------------------------------------------
// Dry runs.

const SCHEDULE: &str = "payor,service,procedure,price
bup,ISC/C0000010,CCSD/A3000,240.00
bup,ISC/C0000010,CCSD/A3009,99.50
axa,ISC/C0000010,,50
";

#[test]
fn a_merge_reports_added_changed_and_unchanged_and_removes_nothing() {
    let plan = plan_csv(SCHEDULE, Mode::Merge);
    let report = report_json(&plan, true);
    assert_eq!(
        report["summary"],
        json!({"added": 1, "changed": 1, "removed": 0, "unchanged": 1, "rejected": 0, "warnings": 0})
    );
    assert_eq!(
        report["added"][0],
        json!({"payor": "bup", "contract": "0000000003", "service": "ISC/C0000010", "line": 3,
               "procedure": "CCSD/A3009", "new": {"price": "99.50", "isESTV": "N"}})
    );
    assert_eq!(
        report["changed"][0],
        json!({"payor": "bup", "contract": "0000000003", "service": "ISC/C0000010", "line": 2,
               "procedure": "CCSD/A3000", "old": {"price": "232.00", "isESTV": "N"},
               "new": {"price": "240.00", "isESTV": "N"}})
    );
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["written"], false);
    let text = summary_text(&plan, true, 10);
    assert!(
        text.contains("  line 2: bup ISC/C0000010 CCSD/A3000: 232.00 → 240.00\n"),
        "{text}"
    );
}

#[test]
fn a_replace_removes_the_named_payors_prices_absent_from_the_file() {
    let plan = plan_csv(SCHEDULE, Mode::Replace);
    let report = report_json(&plan, true);
    assert_eq!(report["summary"]["removed"], 1);
    assert_eq!(
        report["removed"][0],
        json!({"payor": "bup", "contract": "0000000003", "service": "ISC/C0000010",
               "procedure": "CCSD/A3001", "old": {"price": "100.00", "isESTV": "N"}})
    );
    // axa's own price is in the file; the self-pay list is no payor's schedule.
    assert_eq!(plan.after.price_count(), current().price_count() + 1 - 1);
    // A line naming A3001 with a bad fee is rejected, and A3001 is not taken as left out.
    let bad = format!("{SCHEDULE}bup,ISC/C0000010,CCSD/A3001,abc\n");
    let refused = plan_csv(&bad, Mode::Replace);
    assert_eq!((refused.rejected.len(), refused.removed.len()), (1, 0));
    let text = summary_text(&plan, true, 10);
    assert!(
        text.contains("removed:\n  bup ISC/C0000010 CCSD/A3001: 100.00\n"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// SQL files into SQLite.

fn import_into(conn: &mut Connection, plan: &ImportPlan, rows_per_file: usize) -> usize {
    let files = sql_files(plan, rows_per_file, |_| {}).unwrap();
    for f in &files {
        exec_file(conn, f).unwrap();
    }
    files.len()
}

#[test]
fn the_sql_files_store_exactly_the_planned_site() {
    for mode in [Mode::Merge, Mode::Replace] {
        let mut conn = db();
        store(&mut conn, &current());
        let plan = plan_csv(SCHEDULE, mode);
        assert_eq!(import_into(&mut conn, &plan, 1), plan.change_count());
        let stored = whole(&conn, "HCT01");
        assert_eq!(
            stored.to_snapshot_json(),
            plan.after.to_snapshot_json(),
            "{mode:?}"
        );
        // Each file is a write of its own: its audit row, tombstones for what went, and the
        // touched contract's version moved once per file.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM audit WHERE sub = 'import'"),
            plan.change_count() as i64
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM contract_removed WHERE kind = 'price'"
            ),
            plan.removed.len() as i64
        );
        assert_eq!(
            count(
                &conn,
                "SELECT version FROM contract_payor WHERE payor = 'bup'"
            ),
            1 + plan.change_count() as i64
        );
        assert_eq!(
            count(
                &conn,
                "SELECT version FROM contract_payor WHERE payor = 'axa'"
            ),
            1
        );
        // Imported again: nothing left to write.
        let again = plan_import(
            whole(&conn, "HCT01"),
            read_csv(SCHEDULE.as_bytes()).unwrap(),
            mode,
            "2026-12-02T10:00:00Z",
            |_| {},
        );
        assert_eq!(again.change_count(), 0);
        assert_eq!(again.unchanged, 3);
        assert!(sql_files(&again, 1, |_| {}).unwrap().is_empty());
    }
}

#[test]
fn a_file_fails_whole_when_a_payor_contract_went_since_the_snapshot() {
    let mut conn = db();
    store(&mut conn, &current());
    let plan = plan_csv(SCHEDULE, Mode::Merge);
    conn.execute_batch("DELETE FROM contract_payor WHERE payor = 'bup'")
        .unwrap();
    let files = sql_files(&plan, 10_000, |_| {}).unwrap();
    assert_eq!(files.len(), 1);
    let err = exec_file(&conn, &files[0]).unwrap_err();
    assert!(err.to_string().contains(rows::GUARD_FAILED), "{err}");
    assert_eq!(count(&conn, "SELECT count(*) FROM audit"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM contract_price WHERE proc_code = 'A3009'"
        ),
        0
    );
}

/// A generated hospital through the SQL path. 8,340 prices keep this under a few seconds
/// in a debug build (20,000 take about 6 s there, most of it unoptimised serde_json);
/// `scripts/prices-import.sh --bench` loads 100,000 into a local D1.
#[test]
fn thousands_of_generated_prices_load_through_sql_files() {
    let hospital = generate_hospital(&HospitalSpec {
        site: "HCBIG01".into(),
        payors: 5,
        procedures: 1600,
        seed: 3,
    });
    assert_eq!(hospital.prices, 8_000 + 240 + 100);
    let before = ContractBook::from_snapshot_json(&hospital.snapshot.to_string()).unwrap();
    let mut conn = db();
    store(&mut conn, &before);
    let plan = plan_import(
        before,
        read_csv(hospital.csv.as_bytes()).unwrap(),
        Mode::Merge,
        NOW,
        |_| {},
    );
    assert!(plan.is_clean(), "{:?}", plan.rejected.first());
    assert_eq!(plan.added.len(), hospital.prices);
    assert!(!plan.warnings.is_empty(), "a few fees above the high price");
    let files = sql_files(&plan, 5_000, |_| {}).unwrap();
    assert_eq!(files.len(), 2);
    for f in &files {
        // Big literal upserts: a few hundred rows a statement, each under D1's 100 KB.
        assert!(f.lines().all(|l| l.len() < 100_000));
        exec_file(&conn, f).unwrap();
    }
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM contract_price WHERE site = 'HCBIG01'"
        ),
        hospital.prices as i64
    );
    assert!(whole(&conn, "HCBIG01") == plan.after);
}

// ---------------------------------------------------------------------------------------
// The state read through wrangler, and the API requests.

#[test]
fn the_d1_slice_command_reads_the_same_book_as_the_slice_plan() {
    let mut conn = db();
    store(&mut conn, &current());
    let payors = vec!["bup".to_string()];
    let (sql, kinds) = d1::slice_command("HCT01", &payors);
    // What wrangler --json prints: one result object per statement.
    let printed: Vec<Value> = sql
        .lines()
        .map(|st| json!({"results": select(&conn, &Statement::new(st.trim_end_matches(';'), vec![])), "success": true}))
        .collect();
    let book =
        d1::book_from_wrangler_json("HCT01", &Value::Array(printed).to_string(), &kinds).unwrap();
    let expected = ContractBook::from_rows(
        "HCT01",
        &run(&conn, &queries::slice_plan("HCT01", Some(&payors), &[])),
    )
    .unwrap();
    assert!(book == expected);
    assert!(
        book.payor_contract("axa").is_none(),
        "only the slice's payors"
    );
    assert!(book.payor_contract("na").is_some());
}

/// Plays the API requests on a copy of the site as the worker would: each DELETE through
/// `PriceFilter::from_params` and `delete_prices`, each POST through `apply_contract_price`.
fn replay(plan: &ImportPlan) -> ContractBook {
    let writes = api_writes(plan, ASSETS_PER_REQUEST).unwrap();
    let mut book = plan.before.clone();
    for params in &writes.deletes {
        let query: String = form_query(params);
        let f = PriceFilter::from_params(&QueryParams::from_query(&query, false)).unwrap();
        book.delete_prices(&f);
    }
    for body in &writes.posts {
        let assets = body["term"][0]["asset"].as_array().unwrap().len();
        assert!((1..=ASSETS_PER_REQUEST).contains(&assets));
        book.apply_contract_price(body, Some(NOW)).unwrap();
    }
    book
}

fn form_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn fees(book: &ContractBook) -> Vec<String> {
    book.prices()
        .map(|(k, p)| format!("{k:?} {:?} {}", p.net, p.is_estv))
        .collect()
}

#[test]
fn the_api_requests_turn_the_site_into_the_planned_one() {
    // A replace that removes bup's service-only price: the API's DELETE without
    // procedureCode takes that service's procedure prices too, so the one that stays as it
    // was (A3001) is posted again.
    let mut snap: Value = serde_json::from_str(&current().to_snapshot_json()).unwrap();
    snap["prices"]
        .as_array_mut()
        .unwrap()
        .push(json!({"contract": "0000000003", "service": "ISC/C0000010", "net": "300.00"}));
    let book = ContractBook::from_snapshot_json(&snap.to_string()).unwrap();
    let csv = "payor,service,procedure,price\n\
               bup,ISC/C0000010,CCSD/A3000,240.00\n\
               bup,ISC/C0000010,CCSD/A3001,100.00\n\
               axa,ISC/C0000010,CCSD/A3000,70.00\n";
    let plan = plan_import(
        book,
        read_csv(csv.as_bytes()).unwrap(),
        Mode::Replace,
        NOW,
        |_| {},
    );
    assert_eq!(plan.removed.len(), 2, "bup's and axa's service-only prices");
    let writes = api_writes(&plan, ASSETS_PER_REQUEST).unwrap();
    let deletes: Vec<String> = writes.deletes.iter().map(|d| form_query(d)).collect();
    assert_eq!(
        deletes,
        [
            "indStdCode=C0000010&indStdCodeScheme=ISC&payorId=bup",
            "indStdCode=C0000010&indStdCodeScheme=ISC&payorId=axa"
        ]
    );
    assert_eq!(writes.restored, 1);
    assert_eq!(fees(&replay(&plan)), fees(&plan.after));
    // Many prices: requests of at most 100 assets.
    let hospital = generate_hospital(&HospitalSpec {
        site: "HCT02".into(),
        payors: 3,
        procedures: 120,
        seed: 1,
    });
    let before = ContractBook::from_snapshot_json(&hospital.snapshot.to_string()).unwrap();
    let plan = plan_import(
        before,
        read_csv(hospital.csv.as_bytes()).unwrap(),
        Mode::Merge,
        NOW,
        |_| {},
    );
    let writes = api_writes(&plan, ASSETS_PER_REQUEST).unwrap();
    assert_eq!(writes.posts.len(), hospital.prices.div_ceil(100));
    assert_eq!(fees(&replay(&plan)), fees(&plan.after));
}

#[test]
fn a_replace_through_the_api_refuses_to_take_a_self_pay_price_with_it() {
    // slf's service-only price goes; the API's DELETE (payorId=slf) would take SP1's own
    // self-pay price of that service too, which no $contract-price body can put back.
    let mut book = current();
    let mut snap: Value = serde_json::from_str(&book.to_snapshot_json()).unwrap();
    snap["prices"]
        .as_array_mut()
        .unwrap()
        .push(json!({"contract": "0000000001", "service": "ISC/C0000010", "net": "80.00"}));
    book = ContractBook::from_snapshot_json(&snap.to_string()).unwrap();
    let csv = "payor,service,procedure,price\nslf,ISC/C0000011,,10.00\n";
    let plan = plan_import(
        book,
        read_csv(csv.as_bytes()).unwrap(),
        Mode::Replace,
        NOW,
        |_| {},
    );
    assert_eq!(plan.removed.len(), 1);
    let err = api_writes(&plan, ASSETS_PER_REQUEST).unwrap_err();
    assert!(err.contains("import with --sql instead"), "{err}");
}

// ---------------------------------------------------------------------------------------
// The binary.

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-prices-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn sql_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_binary_generates_a_hospital_and_writes_numbered_files() {
    let dir = temp_dir("generate");
    let gen = Command::new(BIN)
        .args(["prices", "generate", "--site", "HCB", "--payors", "4"])
        .args(["--procedures", "60", "--seed", "2", "--out", "p.csv"])
        .args(["--snapshot", "site.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", stderr(&gen));
    let import = |extra: &[&str]| {
        Command::new(BIN)
            .args([
                "prices",
                "import",
                "p.csv",
                "--site",
                "HCB",
                "--current",
                "site.json",
            ])
            .args(["--progress", "lines", "--now", NOW])
            .args(extra)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    std::fs::write(dir.join("out.0009.sql"), "stale").unwrap();
    let dry = import(&["--dry-run", "--sql", "out.sql"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(String::from_utf8_lossy(&dry.stdout).contains("added          580"));
    assert_eq!(
        sql_names(&dir),
        ["out.0009.sql"],
        "a dry run writes nothing"
    );
    let out = import(&["--sql", "out.sql", "--rows-per-file", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("check: 100.0%"),
        "progress lines: {}",
        stderr(&out)
    );
    assert_eq!(
        sql_names(&dir),
        ["out.0001.sql", "out.0002.sql", "out.0003.sql"]
    );
    let mut conn = db();
    store(
        &mut conn,
        &ContractBook::from_snapshot_json(&std::fs::read_to_string(dir.join("site.json")).unwrap())
            .unwrap(),
    );
    for f in sql_names(&dir) {
        exec_file(&conn, &std::fs::read_to_string(dir.join(f)).unwrap()).unwrap();
    }
    assert_eq!(count(&conn, "SELECT count(*) FROM contract_price"), 580);
    let missing = Command::new(BIN)
        .args([
            "prices", "import", "p.csv", "--site", "HCB", "--sql", "x.sql",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--current site.json"),
        "{}",
        stderr(&missing)
    );
}
