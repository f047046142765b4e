//! Every input surface of the APIs, driven with arbitrary input: the harness shared by the
//! cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, long runs) and the property smoke in
//! `make test` (`tests/fuzz_smoke.rs` includes this file with `#[path]`), so both check the
//! same things. Each function panics (a finding) when an input makes the core panic, when
//! an error is not an OperationOutcome with one of the documents' codes for that surface
//! and a diagnostic, or when a cheap invariant fails (a re-read changes the data, a compiled
//! statement breaks D1's limits or carries input in its SQL text).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // findings panic by design

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use practice_fhir::auth::{self, Scope, TokenPolicy};
use practice_fhir::contracts::queries::{self, AuditMeta};
use practice_fhir::contracts::rows::{Query, RowKind, RowSet};
use practice_fhir::contracts::{
    EffectivePricesRequest, FeeRequest, LastUpdated, PayorKind, PriceFilter, Tariff,
    ValidationRequest,
};
use practice_fhir::directory::Statement;
use practice_fhir::search::{params as search_params, NearFilter, SearchQuery, SqlPlan};
use practice_fhir::{valuesets, ContractBook, IssueCode, OperationOutcome, QueryParams};
use practice_fhir_tools::prices::schedule::{read_csv, read_ndjson, Lines};
use practice_fhir_tools::prices::{plan, plan_import, Mode, ScheduleError};
use serde_json::{json, Value};

/// The codes an input surface may answer with, narrowest class first: [`INPUT_CODES`],
/// then `MSG_REFERENCE_ID_NOT_FOUND` ([`REQUEST_CODES`]), then `MSG_DATABASE_ERROR`.
/// Never 401/403 (no token involved), 404/405 (routing), 412/413 or other 5xx.
pub const ROWS_CODES: [IssueCode; 10] = [
    IssueCode::CantParseContent,
    IssueCode::MissingMandatoryParam,
    IssueCode::InvalidFormat,
    IssueCode::ParamEmpty,
    IssueCode::OpNotAllowed,
    IssueCode::EntityAlreadyExists,
    IssueCode::ParamInvalid,
    IssueCode::UnknownParam,
    IssueCode::ReferenceIdNotFound,
    IssueCode::DatabaseError,
];

/// A bad request parameter or body (the 400 and 422 classes).
pub const INPUT_CODES: &[IssueCode] = ROWS_CODES.as_slice().split_at(8).0;

/// Like [`INPUT_CODES`] plus `MSG_REFERENCE_ID_NOT_FOUND` (a payor, contract or set the
/// request names is not in the book). [`ROWS_CODES`] adds `MSG_DATABASE_ERROR`, for rows read
/// back from D1.
pub const REQUEST_CODES: &[IssueCode] = ROWS_CODES.as_slice().split_at(9).0;

/// Panics unless `e` is a failing OperationOutcome whose first error has one of `codes` and a
/// non-empty diagnostic, and every issue has a diagnostic.
pub fn expect_outcome(what: &str, e: &OperationOutcome, codes: &[IssueCode]) {
    let Some(first) = e.first_error() else {
        panic!("{what}: an error outcome without an error issue: {e:?}");
    };
    assert!(
        codes.contains(&first.code),
        "{what}: code {} ({:?}) is not one of this surface's: {e:?}",
        first.code.as_str(),
        first.code
    );
    for issue in &e.issues {
        assert!(
            !issue.diagnostics.trim().is_empty(),
            "{what}: an issue without a diagnostic: {e:?}"
        );
    }
    let status = e.http_status();
    assert!(
        status == 400 || status == 422,
        "{what}: status {status}: {e:?}"
    );
    // The wire form is a FHIR OperationOutcome naming the code.
    let wire = e.to_json();
    assert_eq!(wire["resourceType"], "OperationOutcome", "{what}");
    assert_eq!(
        wire["issue"][0]["details"]["coding"][0]["code"],
        first.code.as_str(),
        "{what}"
    );
}

/// `Ok` passes; `Err` must be an outcome of `codes`.
fn check<T>(what: &str, r: &Result<T, OperationOutcome>, codes: &[IssueCode]) {
    if let Err(e) = r {
        expect_outcome(what, e, codes);
    }
}

/// D1's limits on a compiled statement (100 bound values, one `?` per value, under 100 KB, no
/// `LIKE`, at most two compound terms). One `?` per value also means no input reached the
/// SQL text: input is bound, never spliced (a `?` or quote in a value would show).
pub fn check_statement(what: &str, st: &Statement) {
    if let Err(why) = practice_fhir_tools::sqlite::d1_limits(st) {
        panic!("{what}: {why}");
    }
}

fn check_queries(what: &str, plan: &[Query]) {
    for q in plan {
        check_statement(what, &q.stmt);
    }
}

/// The seed sites' books (`data/seed-contracts.json`), loaded once.
pub fn seed_books() -> &'static [ContractBook] {
    static BOOKS: OnceLock<Vec<ContractBook>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        ContractBook::many_from_snapshot_json(include_str!("../../data/seed-contracts.json"))
            .expect("the seed contracts load")
    })
}

/// A fixed `now` so that every run is reproducible.
pub const NOW: &str = "2026-12-01T12:00:00.000Z";

// ---------------------------------------------------------------------------------------
// Query strings

/// One raw query string through every core parser the worker calls for a route, and through
/// the seed books' read operations. `lenient` is `Prefer: handling=lenient`.
pub fn query_string(query: &str, lenient: bool) {
    let params = QueryParams::from_query(query, lenient);
    // The decoded pairs re-encode and re-parse to themselves.
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    assert_eq!(
        QueryParams::from_query(&encoded, lenient),
        params,
        "re-encoded query {encoded:?}"
    );
    query_params(&params);
}

/// [`query_string`] from already-decoded pairs.
pub fn query_params(params: &QueryParams) {
    directory_queries(params);
    contracts_queries(params);
    for book in seed_books() {
        book_reads(book, params);
    }
}

/// `GET /Practitioner`, `GET /PractitionerRole`: compile, plan, bundle.
fn directory_queries(params: &QueryParams) {
    check("paging", &search_params::paging(params), INPUT_CODES);
    check(
        "_lastUpdated",
        &search_params::last_updated(params, "last_updated"),
        INPUT_CODES,
    );
    if let Some(near) = params.get("near") {
        check(
            "near",
            &NearFilter::parse(near, params.get("near-distance")),
            INPUT_CODES,
        );
    }
    for (what, query) in [
        ("Practitioner search", SearchQuery::practitioner(params)),
        (
            "PractitionerRole search",
            SearchQuery::practitioner_role(params, NOW),
        ),
    ] {
        match query {
            Err(e) => expect_outcome(what, &e, INPUT_CODES),
            Ok(q) => {
                match q.to_sql() {
                    SqlPlan::Paged { page, count } => {
                        check_statement(what, &page);
                        check_statement(what, &count);
                    }
                    SqlPlan::Near { candidates } => {
                        check_statement(what, &candidates);
                        let page = q.select_near(Vec::new());
                        for st in page.fetch() {
                            check_statement(what, &st);
                        }
                    }
                    SqlPlan::NearLocations { locations } => {
                        check_statement(what, &locations);
                        if let Ok(page) = q.select_near_locations(Vec::new()) {
                            for st in page.fetch() {
                                check_statement(what, &st);
                            }
                        }
                    }
                }
                for st in q.include_sql(&[]) {
                    check_statement(what, &st);
                }
                let bundle = q.searchset(&[], &[], 0, "https://example.org/Practitioner");
                check(what, &bundle, INPUT_CODES);
                if let Ok(b) = bundle {
                    assert_eq!(b["resourceType"], "Bundle", "{what}");
                }
            }
        }
    }
}

/// The contracts routes' own parsers and the plans they compile.
fn contracts_queries(params: &QueryParams) {
    let site = params
        .get_any(&["site", "siteId"])
        .map_or("HC00JXI", |(_, v)| v);
    match FeeRequest::from_params(params) {
        Err(e) => expect_outcome("$calculate-fee", &e, INPUT_CODES),
        Ok(fee) => check_queries("$calculate-fee plan", &queries::fee_plan(site, &fee)),
    }
    match ValidationRequest::from_params(params) {
        Err(e) => expect_outcome("$validation", &e, INPUT_CODES),
        Ok(v) => check_queries("$validation plan", &queries::validation_plan(site, &v)),
    }
    match EffectivePricesRequest::from_params(params) {
        Err(e) => expect_outcome("$effective-prices", &e, INPUT_CODES),
        Ok(e) => {
            check_queries(
                "$effective-prices context",
                &queries::effective_context_plan(site, &e),
            );
            let ctx = RowSet::default();
            match queries::effective_page_plan(site, &e, &ctx, true) {
                Err(err) => expect_outcome("$effective-prices page", &err, REQUEST_CODES),
                Ok(plan) => check_queries("$effective-prices page", &plan),
            }
        }
    }
    match PriceFilter::from_params(params) {
        Err(e) => expect_outcome("DELETE $contract-price", &e, INPUT_CODES),
        Ok(filter) => {
            let meta = AuditMeta {
                at: NOW,
                sub: "fuzz",
                site,
                method: "DELETE",
                endpoint: "/contract/PRICING/$contract-price",
            };
            for st in queries::delete_prices_statements(&meta, &filter) {
                check_statement("DELETE $contract-price", &st);
            }
        }
    }
    // `$snapshot` and the payor list: `_lastUpdated` values, `payor` lists.
    let mut since = Vec::new();
    for (k, v) in params.pairs() {
        if k == "_lastUpdated" {
            match LastUpdated::parse(v) {
                Ok(l) => since.push(l),
                Err(e) => expect_outcome("_lastUpdated", &e, INPUT_CODES),
            }
        }
        if k == "payorType" || k == "payor-type" {
            check("payorType", &PayorKind::parse(k, v), INPUT_CODES);
        }
    }
    let payors: Option<Vec<String>> = params
        .get_any(&["payor", "payorId"])
        .map(|(_, list)| list.split(',').map(|p| p.trim().to_string()).collect());
    check_queries(
        "$snapshot slice",
        &queries::slice_plan(site, payors.as_deref(), &since),
    );
    check_statement(
        "$snapshot tag",
        &queries::slice_tag_query(site, payors.as_deref()).stmt,
    );
    check_queries("payor list", &queries::payor_list_plan(site, 3, 10, &since));
    if let Some(id) = params.get("providerGroup") {
        check_queries("$multi-proc-set", &queries::set_plan(site, id));
    }
    check(
        "contract-type",
        &valuesets::contract_types(params),
        INPUT_CODES,
    );
    let ty = params.get("type").unwrap_or("PRICING");
    check(
        "contract-subtype",
        &valuesets::contract_subtypes(ty, params),
        REQUEST_CODES,
    );
}

/// The read operations of one book (the npm package's and the worker's answers).
fn book_reads(book: &ContractBook, params: &QueryParams) {
    for (what, result) in [
        ("$effective-prices", book.effective_prices(params)),
        ("$calculate-fee", book.calculate_fee(params)),
        ("$validation", book.validate_price(params)),
        ("$multi-proc", book.multi_proc_list(params)),
        ("$multi-proc-set", book.multi_proc_set_json(params)),
        ("payor list", book.payors_list(params)),
    ] {
        match result {
            Err(e) => expect_outcome(what, &e, REQUEST_CODES),
            Ok(v) => assert!(v.is_object(), "{what}: {v}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots, slices and rows

/// A snapshot as `PUT $snapshot` and the npm package load it, and the same text as a slice
/// merged into each seed book (and into an empty book of its own site).
pub fn snapshot_text(text: &str) {
    match ContractBook::from_snapshot_json(text) {
        Err(e) => expect_outcome("snapshot", &e, REQUEST_CODES),
        Ok(book) => {
            // Written and re-read, a book is the same book.
            let written = book.to_snapshot_json();
            let again = ContractBook::from_snapshot_json(&written)
                .unwrap_or_else(|e| panic!("re-reading {written}: {e:?}"));
            assert_eq!(again.to_snapshot_json(), written, "snapshot round trip");
            let mut fresh = ContractBook::new(book.site());
            check(
                "slice into an empty book",
                &fresh.merge_snapshot_json(text),
                REQUEST_CODES,
            );
            // Stored as the worker stores it (SQLite standing in for D1) and read back with
            // the whole-site plan, it is the same book: missing lastUpdated stamped, and only
            // the tariffs of payors with a contract at the site (tariffs are the payors', shared
            // by every site; the site reads those of its payors).
            let (back, _) = stored_rows(&book);
            let mut expected = book.clone();
            let foreign: Vec<_> = book
                .tariffs()
                .filter(|t| book.payor_contract(&t.key.payor).is_none())
                .map(|t| t.key.clone())
                .collect();
            for key in &foreign {
                expected.delete_tariff(key);
            }
            for (k, p) in book.prices() {
                let mut p = p.clone();
                p.last_updated.get_or_insert_with(|| NOW.to_string());
                expected
                    .set_price(k.clone(), p)
                    .unwrap_or_else(|e| panic!("re-setting a price: {e:?}"));
            }
            assert_eq!(
                back.to_snapshot_json(),
                expected.to_snapshot_json(),
                "snapshot -> rows -> book"
            );
        }
    }
    check(
        "snapshots",
        &ContractBook::many_from_snapshot_json(text),
        REQUEST_CODES,
    );
    for seed in seed_books() {
        let mut book = seed.clone();
        if let Err(e) = book.merge_snapshot_json(text) {
            expect_outcome("slice", &e, REQUEST_CODES);
        } else {
            let written = book.to_snapshot_json();
            let again = ContractBook::from_snapshot_json(&written)
                .unwrap_or_else(|e| panic!("re-reading a merged book {written}: {e:?}"));
            assert_eq!(
                again.to_snapshot_json(),
                written,
                "merged snapshot round trip"
            );
        }
    }
}

/// `book` written with the statements the worker commits (`store_book`) into SQLite with
/// every migration, and read back with the whole-site plan: the book `from_rows`, and the
/// rows as JSON in the shape [`rows_text`] reads (`{"site": …, "payors": [row, …], …}`).
pub fn stored_rows(book: &ContractBook) -> (ContractBook, String) {
    use practice_fhir_tools::sqlite;
    let mut conn = sqlite::open(None).expect("an in-memory database");
    let change = practice_fhir::contracts::rows::store_book(book, NOW);
    for st in &change.statements {
        check_statement("store_book", st);
    }
    sqlite::commit(&mut conn, &change.statements)
        .unwrap_or_else(|e| panic!("storing a book the core accepted: {e}"));
    let mut out = serde_json::Map::new();
    out.insert("site".into(), json!(book.site()));
    let plan = queries::site_plan(book.site());
    for q in &plan {
        check_statement("site_plan", &q.stmt);
        let got = sqlite::select(&conn, &q.stmt).unwrap_or_else(|e| panic!("{e}: {}", q.stmt.sql));
        if let Some((name, _)) = ROW_KINDS.iter().find(|(_, k)| *k == q.kind) {
            if let Value::Array(list) = out
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                list.extend(got);
            }
        }
    }
    let rows = sqlite::run(&conn, &plan).unwrap_or_else(|e| panic!("reading back: {e}"));
    let back = ContractBook::from_rows(book.site(), &rows)
        .unwrap_or_else(|e| panic!("from_rows of stored rows: {e:?}"));
    (back, Value::Object(out).to_string())
}

const ROW_KINDS: [(&str, RowKind); 10] = [
    ("payors", RowKind::Payor),
    ("selfPay", RowKind::SelfPay),
    ("practitioners", RowKind::Practitioner),
    ("prices", RowKind::Price),
    ("steps", RowKind::Step),
    ("sets", RowKind::Set),
    ("tariffs", RowKind::Tariff),
    ("removed", RowKind::Removed),
    ("tags", RowKind::Tag),
    ("counts", RowKind::Count),
];

/// D1 rows as JSON (`{"payors": [row, …], "prices": […], …}`) into a [`RowSet`], a book
/// (`from_rows`, which every contracts read uses) and a slice (`$snapshot`'s body).
pub fn rows_text(text: &str) {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let mut rows = RowSet::default();
    for (name, kind) in ROW_KINDS {
        let Some(Value::Array(list)) = map.get(name) else {
            continue;
        };
        if let Err(e) = rows.push(kind, list.clone()) {
            assert_eq!(
                e.first_error().map(|i| i.code),
                Some(IssueCode::DatabaseError)
            );
            return;
        }
    }
    let site = map.get("site").and_then(Value::as_str).unwrap_or("HC00JXI");
    match ContractBook::from_rows(site, &rows) {
        // Damaged rows (a set's records that are not JSON) are the database's fault.
        Err(e) => expect_outcome("from_rows", &e, &ROWS_CODES),
        Ok(book) => {
            // Rows are the core's own writing, so `from_rows` checks less than a snapshot
            // load does (a row's codes are not re-parsed or trimmed): a book of damaged rows
            // may write a snapshot that does not load, or loads trimmed. Either way no panic,
            // and a refusal is an outcome. (Undamaged rows give the same book back: see
            // `stored_rows`, checked on every snapshot that loads.)
            let written = book.to_snapshot_json();
            if let Err(e) = ContractBook::from_snapshot_json(&written) {
                expect_outcome("rows' book as a snapshot", &e, REQUEST_CODES);
            }
        }
    }
    let slice = json!({"payors": null, "since": null, "lastUpdated": null, "readAt": NOW});
    if let Ok(text) = ContractBook::slice_json(site, &rows, slice) {
        let mut book = ContractBook::new(site);
        check(
            "slice of rows",
            &book.merge_snapshot_json(&text),
            REQUEST_CODES,
        );
    }
}

// ---------------------------------------------------------------------------------------
// Bearer tokens

/// The policy the checks run under.
fn policy() -> TokenPolicy {
    TokenPolicy {
        issuer: Some("https://auth.example.org".into()),
        audience: Some("practice-fhir".into()),
        oidc_issuers: vec!["https://login.example.org/tenant/v2.0".into()],
    }
}

/// An `Authorization` header value as the worker receives it.
pub fn authorization(header: &str) {
    match auth::parse_bearer(Some(header)) {
        Err(e) => {
            assert_eq!(e.http_status(), 401, "{e:?}");
            assert_eq!(e.issues.len(), 1);
            assert!(
                e.issues[0].diagnostics.starts_with("Authorization: "),
                "{e:?}"
            );
        }
        Ok(token) => {
            let raw = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .unwrap_or_default()
                .trim();
            assert!(
                raw.starts_with(&token.signing_input),
                "signing input {:?} of {raw:?}",
                token.signing_input
            );
            for now in [i64::MIN, -1, 0, token.claims.exp, i64::MAX] {
                if let Err(e) = policy().check(&token.claims, now) {
                    assert_eq!(
                        e.first_error().map(|i| i.code),
                        Some(IssueCode::AuthRequired)
                    );
                }
            }
            for scope in [
                Scope::PractitionerRead,
                Scope::PractitionerWrite,
                Scope::ContractRead,
                Scope::ContractWrite,
            ] {
                match token.claims.require_scope(scope) {
                    Ok(()) => assert!(token.claims.has_scope(scope)),
                    Err(e) => assert_eq!(e.http_status(), 403),
                }
            }
            for site in ["HC00JXI", "*", ""] {
                match token.claims.require_site(site) {
                    Ok(()) => assert!(token.claims.allows_site(site)),
                    Err(e) => assert_eq!(e.http_status(), 403),
                }
            }
        }
    }
}

/// A token built from arbitrary header, claims and signature bytes (base64url-encoded as a
/// real one), so the JSON decoding behind the base64 is reached.
pub fn token_parts(header: &[u8], claims: &[u8], signature: &[u8]) {
    let token = format!(
        "Bearer {}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode(signature)
    );
    authorization(&token);
    if let Ok(t) = auth::parse_bearer(Some(&token)) {
        assert_eq!(t.signature, signature);
    }
}

// ---------------------------------------------------------------------------------------
// Price import (tools: `practice-fhir prices import`)

fn check_lines(what: &str, lines: &Lines) {
    for line in lines {
        if let Err(r) = line {
            assert!(
                !r.field.trim().is_empty(),
                "{what}: rejection without a field: {r:?}"
            );
            assert!(
                !r.reason.trim().is_empty(),
                "{what}: rejection without a reason: {r:?}"
            );
        }
    }
}

fn check_schedule_error(what: &str, e: &ScheduleError) {
    assert!(!e.to_string().is_empty(), "{what}: {e:?}");
}

/// Plans the import of `lines` against each seed book in both modes, and reports.
fn plan_lines(lines: &Lines) {
    for book in seed_books() {
        for mode in [Mode::Merge, Mode::Replace] {
            let plan = plan_import(book.clone(), lines.clone(), mode, NOW, |_| {});
            let report = plan::report_json(&plan, true);
            assert!(report.is_object());
            let _ = plan::summary_text(&plan, true, 5);
        }
    }
}

/// A CSV price schedule file's bytes.
pub fn prices_csv(bytes: &[u8]) {
    match read_csv(bytes) {
        Err(e) => check_schedule_error("csv", &e),
        Ok(lines) => {
            check_lines("csv", &lines);
            plan_lines(&lines);
        }
    }
}

/// An NDJSON price schedule file's bytes.
pub fn prices_ndjson(bytes: &[u8]) {
    match read_ndjson(bytes) {
        Err(e) => check_schedule_error("ndjson", &e),
        Ok(lines) => {
            check_lines("ndjson", &lines);
            plan_lines(&lines);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Write bodies

/// A JSON body as `POST $contract-price`, `PUT $multi-proc-set`, `PUT $validation` and
/// `POST /contract` receive it, against each seed book.
pub fn write_body(text: &str) {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return;
    };
    write_value(&body);
}

/// [`write_body`] from the parsed JSON.
pub fn write_value(body: &Value) {
    match Tariff::from_json(body) {
        Err(e) => expect_outcome("PUT $validation", &e, INPUT_CODES),
        Ok(tariffs) => check_queries("PUT $validation plan", &queries::tariffs_plan(&tariffs)),
    }
    for seed in seed_books() {
        let site = seed.site();
        check_queries(
            "$contract-price plan",
            &queries::contract_price_plan(site, body),
        );
        let mut book = seed.clone();
        match book.apply_contract_price(body, Some(NOW)) {
            Err(e) => expect_outcome("$contract-price", &e, REQUEST_CODES),
            Ok(_) => round_trips("$contract-price", &book),
        }
        let mut book = seed.clone();
        match book.replace_multi_proc_set_fhir(body) {
            Err(e) => expect_outcome("PUT $multi-proc-set", &e, REQUEST_CODES),
            Ok(_) => round_trips("PUT $multi-proc-set", &book),
        }
        let mut book = seed.clone();
        match book.apply_payor_fhir(body, "0000099999") {
            Err(e) => expect_outcome("POST /contract", &e, REQUEST_CODES),
            Ok(_) => round_trips("POST /contract", &book),
        }
        let mut book = seed.clone();
        check(
            "PUT $validation into a book",
            &book.load_tariffs_fhir(body),
            INPUT_CODES,
        );
    }
}

fn round_trips(what: &str, book: &ContractBook) {
    let written = book.to_snapshot_json();
    let again = ContractBook::from_snapshot_json(&written)
        .unwrap_or_else(|e| panic!("{what}: re-reading {written}: {e:?}"));
    assert_eq!(again.to_snapshot_json(), written, "{what}: round trip");
}

/// What an OpenID Connect issuer and a client send the identity and CORS layers: a discovery
/// document, a JWKS, a `Cache-Control` value, configuration variables (`OIDC_ISSUER`,
/// `ALLOWED_ORIGINS`), and an `Origin` or `x-request-id` header. Never a panic; a bad document
/// is a 401 naming the issuer; whatever the input, a kept key set has a key, cache lifetimes
/// stay within the policy's bounds, and an echoed header is the bounded, safe text it was.
pub fn identity_documents(text: &str) {
    use practice_fhir::oidc::{self, CachePolicy, KeySet};
    use practice_fhir::ops::{self, Cors};
    let issuer = "https://login.example.org/tenant/v2.0";
    for loopback in [false, true] {
        match oidc::parse_discovery(text, issuer, loopback) {
            Ok(uri) => assert!(oidc::check_url(&uri, loopback).is_ok(), "jwks_uri {uri:?}"),
            Err(e) => assert!(e.http_status() == 401 || e.http_status() >= 500, "{e:?}"),
        }
        let _ = oidc::check_url(text, loopback);
        let (issuers, _refused) = oidc::parse_issuers(text, loopback);
        for i in &issuers {
            assert!(oidc::check_url(i, loopback).is_ok(), "issuer {i:?}");
        }
    }
    match KeySet::parse(text, issuer) {
        Ok(set) => {
            assert!(!set.keys.is_empty());
            for alg in ["RS256", "ES256", "HS256", ""] {
                for kid in [None, Some(""), Some("k1")] {
                    if let Err(why) = set.select(kid, alg) {
                        assert_eq!(why.outcome().http_status(), 401);
                    }
                }
            }
        }
        Err(e) => assert!(e.http_status() == 401 || e.http_status() >= 500, "{e:?}"),
    }
    let policy = CachePolicy::default();
    let fresh = policy.fresh_seconds(Some(text));
    assert!(
        (policy.min_seconds..=policy.max_seconds).contains(&fresh),
        "Cache-Control {text:?} gave {fresh} s"
    );
    let (cors, _refused) = Cors::parse(text);
    for (_, value) in cors.response_headers(Some(text)) {
        assert!(
            !value.chars().any(char::is_control),
            "header value {value:?}"
        );
    }
    let _ = cors.preflight(Some(text), Some(text), &["GET", "HEAD"]);
    if let Some(id) = ops::client_request_id(Some(text)) {
        assert!(
            id.len() <= 128 && !id.chars().any(char::is_control),
            "request id {id:?}"
        );
    }
}
