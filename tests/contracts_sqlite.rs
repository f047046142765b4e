#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Contracts as rows on real SQLite (rusqlite, bundled): the schema is every migration in
//! order, rows are written with the very statements the worker commits, and every read runs
//! the very SQL D1 runs. Each answer is compared with the whole in-memory book (brute force
//! over every price): the 1,200 pinned parity cases, random books with tied specificity,
//! location/practitioner overrides, self-pay and `na` fallbacks, multi-procedure records and
//! paging, writes, deletes, slices merged back into a book, and the legacy-data migration.

use practice_fhir::contracts::queries::{self, AuditMeta};
use practice_fhir::contracts::rows::{self, Query, RowSet, GUARD_FAILED};
use practice_fhir::contracts::{
    EffectivePricesRequest, FeeRequest, PriceFilter, ValidationRequest,
};
use practice_fhir::directory::Statement;
use practice_fhir::{ContractBook, QueryParams};
use practice_fhir_tools::sqlite;
use proptest::prelude::*;
use rusqlite::Connection;
use serde_json::{json, Value};

const NOW: &str = "2026-12-01T10:00:00.000Z";

/// D1's limits (practice_fhir_tools::sqlite::d1_limits), as a test failure.
fn check_d1_limits(st: &Statement) {
    if let Err(e) = practice_fhir_tools::sqlite::d1_limits(st) {
        panic!("{e}");
    }
}

fn db() -> Connection {
    sqlite::open(None).unwrap()
}

/// Runs one query, checked against D1's limits, returning its rows as JSON objects.
fn select(conn: &Connection, st: &Statement) -> Vec<Value> {
    check_d1_limits(st);
    sqlite::select(conn, st).unwrap_or_else(|e| panic!("{e}: {}", st.sql))
}

fn run(conn: &Connection, plan: &[Query]) -> RowSet {
    for q in plan {
        check_d1_limits(&q.stmt);
    }
    sqlite::run(conn, plan).unwrap()
}

/// One batch, all or nothing (as D1's batch).
fn commit(conn: &mut Connection, statements: &[Statement]) -> Result<(), String> {
    for st in statements {
        check_d1_limits(st);
    }
    sqlite::commit(conn, statements)
}

fn store(conn: &mut Connection, book: &ContractBook) {
    commit(conn, &rows::store_book(book, NOW).statements).unwrap();
}

fn whole(conn: &Connection, site: &str) -> ContractBook {
    ContractBook::from_rows(site, &run(conn, &queries::site_plan(site))).unwrap()
}

fn answer(r: Result<Value, practice_fhir::OperationOutcome>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(o) => o.to_json_string(),
    }
}

/// The edge's answer: the op's plan, the partial book of its rows, the book's code.
fn edge(conn: &Connection, site: &str, op: &str, query: &str) -> String {
    let params = QueryParams::from_query(query, false);
    let r = match op {
        "fee" => FeeRequest::from_params(&params).and_then(|req| {
            let rows = run(conn, &queries::fee_plan(site, &req));
            ContractBook::from_rows(site, &rows)?.calculate_fee(&params)
        }),
        "effective" => EffectivePricesRequest::from_params(&params).and_then(|req| {
            let ctx = run(conn, &queries::effective_context_plan(site, &req));
            let rows = run(conn, &queries::effective_page_plan(site, &req, &ctx, true)?);
            let page = queries::effective_from_rows(site, &req, &ctx, &rows, None)?;
            // Counts kept from an earlier read give the same page without counting again.
            let counts = queries::effective_counts(site, &req, &ctx, &rows)?;
            let uncounted = run(
                conn,
                &queries::effective_page_plan(site, &req, &ctx, false)?,
            );
            assert!(uncounted.counts.is_empty());
            let again = queries::effective_from_rows(site, &req, &ctx, &uncounted, Some(&counts))?;
            assert_eq!(again, page);
            Ok(page.to_json(site))
        }),
        _ => ValidationRequest::from_params(&params).and_then(|req| {
            let rows = run(conn, &queries::validation_plan(site, &req));
            ContractBook::from_rows(site, &rows)?.validate_price(&params)
        }),
    };
    answer(r)
}

fn book_answer(book: &ContractBook, op: &str, query: &str) -> String {
    let params = QueryParams::from_query(query, false);
    answer(match op {
        "fee" => book.calculate_fee(&params),
        "effective" => book.effective_prices(&params),
        _ => book.validate_price(&params),
    })
}

fn pinned() -> (ContractBook, Vec<Value>) {
    let file: Value = serde_json::from_str(include_str!("golden/parity_cases.json")).unwrap();
    let book = ContractBook::from_snapshot_json(file["snapshot"].as_str().unwrap()).unwrap();
    (book, file["cases"].as_array().unwrap().clone())
}

#[test]
fn stored_rows_load_back_into_the_same_book() {
    let (book, _) = pinned();
    let mut conn = db();
    store(&mut conn, &book);
    let mut expected = book.clone();
    let back = whole(&conn, book.site());
    // Stored prices carry a lastUpdated (the seed loader's fix): the store stamps missing ones.
    for (k, p) in expected
        .prices()
        .map(|(k, p)| (k.clone(), p.clone()))
        .collect::<Vec<_>>()
    {
        let mut p = p;
        p.last_updated.get_or_insert_with(|| NOW.to_string());
        expected.set_price(k, p).unwrap();
    }
    assert_eq!(back.to_snapshot_json(), expected.to_snapshot_json());
}

#[test]
fn literal_diffs_for_sql_files_store_the_same_rows_in_fewer_statements() {
    let (book, _) = pinned();
    let empty = ContractBook::new(book.site());
    let literal = rows::diff_literal(book.site(), &empty, &book, NOW);
    let stored = rows::diff(book.site(), &empty, &book, NOW);
    let mut bound = db();
    commit(&mut bound, &stored.statements).unwrap();
    assert!(literal.statements.len() < stored.statements.len());
    assert_eq!(literal.contract_ids, stored.contract_ids);
    let conn = db();
    let mut file = String::from("BEGIN;\n");
    for st in &literal.statements {
        let sql = st.to_literal_sql();
        assert!(
            sql.len() < rows::LITERAL_STATEMENT_BYTES + 100,
            "{}",
            sql.len()
        );
        file.push_str(&sql);
        file.push('\n');
    }
    file.push_str("COMMIT;");
    conn.execute_batch(&file).unwrap();
    assert!(whole(&conn, book.site()) == whole(&bound, book.site()));
    // Upserts split at the byte bound, and each one holds many rows.
    let prices: Vec<_> = book.prices().collect();
    let small = rows::price_upserts_literal(book.site(), prices.iter().copied(), 2_000);
    assert!(small.len() > 1);
    assert!(small
        .iter()
        .all(|s| s.sql.len() <= 2_000 && s.params.is_empty()));
    let one = rows::price_upserts_literal(book.site(), prices.iter().copied(), usize::MAX);
    assert_eq!(
        one.len(),
        1,
        "{} prices fit one 90 KB statement",
        prices.len()
    );
}

#[test]
fn every_pinned_parity_case_answers_the_same_from_rows() {
    let (book, cases) = pinned();
    let mut conn = db();
    store(&mut conn, &book);
    for c in &cases {
        let (op, query) = (c["op"].as_str().unwrap(), c["query"].as_str().unwrap());
        // The pinned answers come from the whole book; stored prices gained a lastUpdated,
        // which no pinned answer shows.
        let expected = c["expected"].as_str().unwrap();
        // The edge reads the rows of the book's site; a query naming another site gets the
        // book's 'Site not found', as the npm package does.
        let site = book.site();
        assert_eq!(edge(&conn, site, op, query), expected, "{op} {query}");
    }
}

const PAYORS: [(&str, &str, &str); 5] = [
    ("C1", "bup", "I"),
    ("C2", "slf", "I"),
    ("C3", "na", "I"),
    ("C4", "axa", "I"),
    ("C5", "Jones", "C"),
];
const SERVICES: [&str; 2] = ["ISC/S1", "ISC/S2"];
const PROCS: [&str; 4] = ["CCSD/P1", "CCSD/P2", "9BUPP/P1", "CCSD/P3"];
const LOCS: [&str; 2] = ["L1", "L2"];
const PRACS: [&str; 3] = ["D1", "D2", "D3"];

/// A random site: every level of precedence, prices that tie across levels (same fee), sets.
fn arb_book() -> impl Strategy<Value = ContractBook> {
    let price = (
        0..7usize,
        0..2usize,
        prop::option::of(0..4usize),
        0..4usize,
        0..4usize,
        prop_oneof![Just(100u32), Just(5000), 1..90_000u32],
        0..30u32,
    );
    prop::collection::vec(price, 0..60).prop_map(|prices| {
        let mut entries = Vec::new();
        for (c, s, p, l, d, pence, day) in prices {
            let (contract, practitioner) = match c {
                5 => ("SP1", Some("D1")),
                6 => ("SP2", Some("D2")),
                i => (PAYORS[i].0, (d < 3 && l >= 2).then(|| PRACS[d])),
            };
            let location = (c < 5 && practitioner.is_none() && l < 2).then(|| LOCS[l]);
            let mut e = json!({"contract": contract, "service": SERVICES[s],
                "net": format!("{}.{:02}", pence / 100, pence % 100),
                "lastUpdated": format!("2026-11-{:02}T10:00:00Z", 1 + day % 28)});
            if let Some(p) = p {
                e["procedure"] = json!(PROCS[p]);
            }
            if let Some(l) = location {
                e["location"] = json!(l);
            }
            if let Some(d) = practitioner {
                e["practitioner"] = json!(d);
            }
            entries.push(e);
        }
        let snapshot = json!({
            "site": "S1",
            "practitioners": PRACS,
            "payors": PAYORS.iter().map(|(id, p, k)| {
                let mut v = json!({"id": id, "payor": p, "type": k});
                if *p == "axa" { v["multiProcSet"] = json!("OWN"); }
                v
            }).collect::<Vec<_>>(),
            "selfPay": [{"id": "SP1", "practitioner": "D1"}, {"id": "SP2", "practitioner": "D2"}],
            "prices": entries,
            "multiProcSets": [
                {"id": "DEF", "payor": "bup", "default": true, "records": [["02", "1", "100", "HIGHEST"], ["02", "2", "50", "HIGHEST2"], ["03", "1", "100", "HIGHEST"], ["03", "2", "50", "OTHER"]]},
                {"id": "OWN", "payor": "axa", "editable": true, "records": [["02", "1", "100"], ["02", "2", "25"]]},
                {"id": "AXD", "payor": "axa", "default": true, "records": [["02", "1", "10"]]}
            ],
            "tariffs": [
                {"payor": "bup", "codeType": "S", "code": "S1", "highPrice": "50.00", "maximumPrice": "100.00"},
                {"payor": "bup", "codeType": "P", "code": "P1", "practitioner": "D1", "maximumPrice": "30.00"}
            ]
        });
        ContractBook::from_snapshot_json(&snapshot.to_string()).unwrap()
    })
}

fn arb_query() -> impl Strategy<Value = (String, String)> {
    let payor = prop_oneof![
        Just("bup"),
        Just("slf"),
        Just("na"),
        Just("axa"),
        Just("Jones"),
        Just("zzz")
    ];
    let opt_loc = prop::option::of(prop_oneof![Just("L1"), Just("L2"), Just("L9")]);
    let opt_prac = prop::option::of(prop_oneof![Just("D1"), Just("D2"), Just("D3"), Just("D9")]);
    let procs = prop::collection::vec(0..4usize, 0..4);
    (
        0..3usize,
        payor,
        opt_loc,
        opt_prac,
        0..2usize,
        procs,
        1..4usize,
        1..6usize,
        0..3usize,
    )
        .prop_map(|(op, payor, loc, prac, s, procs, page, count, lu)| {
            let mut q = vec![format!("site=S1")];
            let op = ["fee", "effective", "validation"][op];
            match op {
                "fee" => {
                    q.push(format!("payor={payor}&service-type={}", SERVICES[s]));
                    if !procs.is_empty() {
                        let list: Vec<&str> = procs.iter().map(|p| PROCS[*p]).collect();
                        q.push(format!("procedure-code={}", list.join(",")));
                    }
                    q.push("breakdown=true".into());
                }
                "effective" => {
                    if payor != "zzz" {
                        q.push(format!("payor={payor}"));
                    }
                    q.push(format!("page={page}&count={count}"));
                    if s == 1 {
                        q.push(format!("service-code={}", SERVICES[s]));
                    }
                    match lu {
                        1 => q.push("_lastUpdated=ge2026-11-10".into()),
                        2 => q.push("_lastUpdated=lt2026-11-20T".into()),
                        _ => {}
                    }
                }
                _ => {
                    q.push(format!(
                        "payorId={payor}&codeType={}&code={}",
                        if s == 0 { "S" } else { "P" },
                        if s == 0 { "S1" } else { "P1" }
                    ));
                    q.push("fee=45".into());
                }
            }
            if let Some(l) = loc {
                if op != "validation" {
                    q.push(format!("location={l}"));
                }
            }
            if let Some(d) = prac {
                q.push(format!("practitioner={d}"));
            }
            (op.to_string(), q.join("&"))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn compiled_queries_answer_as_the_whole_book(book in arb_book(), queries in prop::collection::vec(arb_query(), 24)) {
        let mut conn = db();
        store(&mut conn, &book);
        let stored = whole(&conn, "S1");
        for (op, q) in &queries {
            prop_assert_eq!(edge(&conn, "S1", op, q), book_answer(&stored, op, q), "{} {}", op, q);
        }
    }

    #[test]
    fn slices_merged_price_their_payors_as_the_whole_book(book in arb_book(), queries in prop::collection::vec(arb_query(), 12)) {
        let mut conn = db();
        store(&mut conn, &book);
        let stored = whole(&conn, "S1");
        let mut merged = ContractBook::new("S1");
        for payor in ["bup", "axa"] {
            let slice = ContractBook::slice_json("S1", &run(&conn, &queries::slice_plan("S1", Some(&[payor.to_string()]), &[])), json!({})).unwrap();
            merged.merge_snapshot_json(&slice).unwrap();
        }
        for (op, q) in queries.iter().filter(|(op, q)| op == "fee" && (q.contains("payor=bup") || q.contains("payor=axa") || q.contains("payor=na&") || q.contains("payor=slf"))) {
            prop_assert_eq!(book_answer(&merged, op, q), book_answer(&stored, op, q), "{}", q);
        }
    }
}

fn price_body(site: &str, assets: &[(&str, &str, Option<&str>, &str)]) -> Value {
    let assets: Vec<Value> = assets
        .iter()
        .map(|(payor, service, procedure, net)| {
            let (scheme, code) = service.split_once('/').unwrap();
            let mut items = vec![json!({"entityCodeableConcept": {"coding": [{"system": scheme, "code": code}]}})];
            if let Some(p) = procedure {
                let (ps, pc) = p.split_once('/').unwrap();
                items.push(json!({"entityCodeableConcept": {"coding": [{"system": "https://ref.api.healthcode.co.uk/procedure", "code": pc, "display": ps}]}}));
            }
            items.push(json!({"net": {"value": net.parse::<f64>().unwrap()}}));
            json!({"context": [{"reference": {"reference": format!("Payor/I-{payor}")}}], "valuedItem": items})
        })
        .collect();
    json!({"resourceType": "Contract", "subject": [{"reference": format!("Site/{site}")}], "term": [{"asset": assets}]})
}

/// The worker's `$contract-price` flow: plan, partial book, the book's write, diff, commit.
fn write_prices(conn: &mut Connection, site: &str, body: &Value) -> Result<rows::Change, String> {
    let rows = run(conn, &queries::contract_price_plan(site, body));
    let before = ContractBook::from_rows(site, &rows).unwrap();
    let mut after = before.clone();
    after
        .apply_contract_price(body, Some(NOW))
        .map_err(|o| o.to_json_string())?;
    let change = rows::diff(site, &before, &after, NOW);
    let mut statements: Vec<Statement> = change
        .contract_ids
        .iter()
        .filter(|id| before.payor_contract_by_id(id).is_some())
        .map(|id| rows::guard_contract(site, id, None))
        .collect();
    statements.extend(change.statements.clone());
    let meta = AuditMeta {
        at: NOW,
        sub: "t",
        site,
        method: "POST",
        endpoint: "/x",
    };
    statements.push(queries::audit_insert(
        &meta,
        &change.contract_ids,
        1,
        &change.before,
        &change.after,
    ));
    commit(conn, &statements)?;
    Ok(change)
}

#[test]
fn a_contract_price_write_touches_only_its_rows_and_equals_the_books_write() {
    let (book, _) = pinned();
    let mut conn = db();
    store(&mut conn, &book);
    let site = book.site();
    let body = price_body(
        site,
        &[
            ("bup", "ISC/C0000010", None, "111.11"),
            ("bup", "ISC/C0000010", Some("CCSD/ZZ999"), "22"),
            ("axa", "ISC/C0000011", None, "33.3"),
        ],
    );
    let change = write_prices(&mut conn, site, &body).unwrap();
    // Two payor contracts; three price rows, plus the contracts' version bumps.
    assert_eq!(change.contract_ids, ["0000090003", "0000090004"]);
    let upserts: usize = change
        .statements
        .iter()
        .filter(|s| s.sql.starts_with("INSERT INTO contract_price"))
        .map(|s| s.params.len() / 13)
        .sum();
    assert_eq!(upserts, 3);
    let mut expected = whole(&conn, site);
    let mut reference = book.clone();
    reference.apply_contract_price(&body, Some(NOW)).unwrap();
    for q in [
        "payor=bup&service-type=ISC/C0000010",
        "payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/ZZ999",
        "payor=axa&service-type=ISC/C0000011",
    ] {
        let q = format!("site={site}&{q}");
        assert_eq!(
            edge(&conn, site, "fee", &q),
            book_answer(&reference, "fee", &q)
        );
    }
    // A refused asset (unknown payor) writes nothing at all.
    let bad = price_body(
        site,
        &[
            ("bup", "ISC/C0000010", None, "1"),
            ("zzz", "ISC/C0000010", None, "2"),
        ],
    );
    assert!(write_prices(&mut conn, site, &bad)
        .unwrap_err()
        .contains("MSG_REFERENCE_ID_NOT_FOUND"));
    assert_eq!(
        whole(&conn, site).to_snapshot_json(),
        expected.to_snapshot_json()
    );
    // A stale If-Match guard rolls the batch back.
    let guard = rows::guard_contract(site, "0000090003", Some(1));
    let err = commit(
        &mut conn,
        &[
            rows::price_upserts(site, std::iter::empty())
                .into_iter()
                .next()
                .unwrap_or(guard.clone()),
            guard,
        ],
    )
    .unwrap_err();
    assert!(err.contains(GUARD_FAILED), "{err}");
    expected = whole(&conn, site);
    let audit = select(
        &conn,
        &Statement::new("SELECT count(*) AS n FROM audit", vec![]),
    );
    assert_eq!(audit[0]["n"], 1);
    assert_eq!(expected.price_count(), reference.price_count());
}

#[test]
fn price_deletes_in_sql_match_the_books_delete() {
    let (book, _) = pinned();
    let site = book.site().to_string();
    for filter in [
        "indStdCode=C0000010&indStdCodeScheme=ISC",
        "indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=A1001&procedureScheme=CCSD",
        "indStdCode=C0000011&indStdCodeScheme=ISC&payorId=axa",
        "indStdCode=C0000011&indStdCodeScheme=ISC&payorId=slf",
        "indStdCode=C0000011&indStdCodeScheme=ISC&location=HP000101",
        "indStdCode=E0002620&indStdCodeScheme=ISC&practitioner=SP000101",
        "indStdCode=NOPE&indStdCodeScheme=ISC",
    ] {
        let mut conn = db();
        store(&mut conn, &book);
        let f = PriceFilter::from_params(&QueryParams::from_query(filter, false)).unwrap();
        let meta = AuditMeta {
            at: NOW,
            sub: "t",
            site: &site,
            method: "DELETE",
            endpoint: "/x",
        };
        commit(&mut conn, &queries::delete_prices_statements(&meta, &f)).unwrap();
        let mut reference = whole(&db_with(&book), &site);
        let removed = reference.delete_prices(&f);
        let after = whole(&conn, &site);
        assert_eq!(after.price_count(), reference.price_count(), "{filter}");
        let audits = select(&conn, &Statement::new("SELECT before FROM audit", vec![]));
        assert_eq!(audits.len(), usize::from(removed > 0), "{filter}");
        let tombs = select(
            &conn,
            &Statement::new("SELECT count(*) AS n FROM contract_removed", vec![]),
        );
        assert_eq!(tombs[0]["n"], json!(removed), "{filter}");
        // Prices' versions moved only for the contracts that lost prices.
        if removed > 0 {
            let before: Value =
                serde_json::from_str(audits[0]["before"].as_str().unwrap()).unwrap();
            assert_eq!(before["priceCount"], json!(removed));
        }
    }
}

fn db_with(book: &ContractBook) -> Connection {
    let mut conn = db();
    store(&mut conn, book);
    conn
}

#[test]
fn a_slice_since_a_time_refreshes_a_book_in_place() {
    let (book, _) = pinned();
    let site = book.site().to_string();
    let mut conn = db_with(&book);
    let payors = vec!["bup".to_string()];
    let slice = ContractBook::slice_json(
        &site,
        &run(&conn, &queries::slice_plan(&site, Some(&payors), &[])),
        json!({}),
    )
    .unwrap();
    let mut browser = ContractBook::new(site.clone());
    browser.merge_snapshot_json(&slice).unwrap();
    let tag = |conn: &Connection| {
        run(conn, &[queries::slice_tag_query(&site, Some(&payors))]).tags[0].clone()
    };
    let tag0 = tag(&conn);
    // A write to another payor does not move bup's slice tag; one to bup does.
    write_prices(
        &mut conn,
        &site,
        &price_body(&site, &[("axa", "ISC/C0000010", None, "5")]),
    )
    .unwrap();
    assert_eq!(tag(&conn), tag0);
    let later = "2026-12-01T11:00:00.000Z";
    let body = price_body(&site, &[("bup", "ISC/C0000010", Some("CCSD/NEW1"), "77")]);
    let rows = run(&conn, &queries::contract_price_plan(&site, &body));
    let before = ContractBook::from_rows(&site, &rows).unwrap();
    let mut after = before.clone();
    after.apply_contract_price(&body, Some(later)).unwrap();
    commit(
        &mut conn,
        &rows::diff(&site, &before, &after, later).statements,
    )
    .unwrap();
    let f = PriceFilter::from_params(&QueryParams::from_query("indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=A1001&procedureScheme=CCSD&payorId=bup", false)).unwrap();
    let meta = AuditMeta {
        at: later,
        sub: "t",
        site: &site,
        method: "DELETE",
        endpoint: "/x",
    };
    commit(&mut conn, &queries::delete_prices_statements(&meta, &f)).unwrap();
    assert_ne!(tag(&conn), tag0);
    let since = vec![practice_fhir::contracts::LastUpdated::parse("gt2026-12-01T10:30").unwrap()];
    let delta_rows = run(&conn, &queries::slice_plan(&site, Some(&payors), &since));
    assert_eq!(delta_rows.prices.len(), 1);
    assert!(!delta_rows.removed.is_empty());
    let delta = ContractBook::slice_json(&site, &delta_rows, json!({})).unwrap();
    browser.merge_snapshot_json(&delta).unwrap();
    let fresh = ContractBook::slice_json(
        &site,
        &run(&conn, &queries::slice_plan(&site, Some(&payors), &[])),
        json!({}),
    )
    .unwrap();
    let mut reloaded = ContractBook::new(site.clone());
    reloaded.merge_snapshot_json(&fresh).unwrap();
    assert_eq!(browser.to_snapshot_json(), reloaded.to_snapshot_json());
}

#[test]
fn legacy_books_migrate_into_rows() {
    let (book, _) = pinned();
    let conn = Connection::open_in_memory().unwrap();
    for m in &sqlite::MIGRATIONS[..5] {
        conn.execute_batch(m).unwrap();
    }
    conn.execute(
        "INSERT INTO contract_book (site, version, last_updated, snapshot) VALUES (?1, 3, '2026-01-01T00:00:00Z', ?2)",
        rusqlite::params![book.site(), book.to_snapshot_json()],
    )
    .unwrap();
    let tariff_body = json!({"resourceType": "Contract", "term": [{"asset": [{
        "extension": [{"url": "https://contracts.api.healthcode.co.uk/contract/extension/maximumPrice", "valueString": "900.00"}],
        "context": [{"reference": {"reference": "Organization/axa"}}, {"reference": {"reference": "Practitioner/SP000101"}}],
        "valuedItem": [{"entityCodeableConcept": {"coding": [{"id": "Procedure", "code": "A1001"}]}}]}]}]});
    conn.execute(
        "INSERT INTO payor_tariffs (payor, version, last_updated, body) VALUES ('axa', 1, '2026-02-01T00:00:00Z', ?1)",
        rusqlite::params![tariff_body.to_string()],
    )
    .unwrap();
    conn.execute_batch(sqlite::MIGRATIONS[5]).unwrap();
    let migrated = whole(&conn, book.site());
    let mut expected = book.clone();
    expected.load_tariffs_fhir(&tariff_body).unwrap();
    let strip = |b: &ContractBook| {
        let mut v: Value = serde_json::from_str(&b.to_snapshot_json()).unwrap();
        for p in v["prices"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("lastUpdated");
        }
        v
    };
    assert_eq!(strip(&migrated), strip(&expected));
}
