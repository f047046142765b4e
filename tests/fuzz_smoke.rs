#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! A short property-based smoke of every input surface the cargo-fuzz targets run for long
//! (docs/fuzzing.md): the query strings of every endpoint, snapshots, slices and D1 rows,
//! bearer tokens, CSV and NDJSON price files, and the contract write bodies. The checks are
//! the fuzz harness itself (`fuzz/src/surfaces.rs`, included here), so a finding of either
//! is a finding of both: no panic, every error an OperationOutcome with the surface's codes
//! and a diagnostic, re-reads stable, compiled statements within D1's limits. Cases are
//! bounded so that the whole file stays within a few seconds in debug; the regressions of
//! what the long runs found are at the end.

#[path = "../fuzz/src/surfaces.rs"]
mod surfaces;

use practice_fhir::{ContractBook, IssueCode, QueryParams};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------
// Strategies

/// Every parameter name some endpoint reads, a few it does not, and FHIR's result ones.
const NAMES: &[&str] = &[
    "site",
    "siteId",
    "payor",
    "payorId",
    "payerId",
    "payorType",
    "payerType",
    "payor-type",
    "provider-type",
    "practitioner",
    "location",
    "service-type",
    "service-code",
    "procedure-code",
    "breakdown",
    "code",
    "codeType",
    "fee",
    "providerGroup",
    "indStdCode",
    "indStdCodeScheme",
    "procedureCode",
    "procedureScheme",
    "page",
    "count",
    "_count",
    "_lastUpdated",
    "_format",
    "_summary",
    "type",
    "gender",
    "profession",
    "specialty",
    "subspecialty",
    "insurer",
    "insurer-recognition-status",
    "insurer-provider-number",
    "address-postcode",
    "address-postalcode",
    "family",
    "given",
    "name",
    "is-onlinebooking-available",
    "regulator-reference",
    "identifier",
    "ages-treated",
    "near",
    "near-distance",
    "_sort",
    "_include",
    "distinct-by",
    "x",
    "",
];

/// Values that are right for some parameter, and the edges around them.
const VALUES: &[&str] = &[
    "",
    " ",
    "HC00JXI",
    "HC00HM4",
    "HC010EO",
    "bup",
    "slf",
    "slh",
    "na",
    "axa",
    "bup,axa",
    "I",
    "C",
    "S",
    "P",
    "SP046728",
    "HP002694",
    "HP002193",
    "ISC/C0000010",
    "ISC/E0000860",
    "ISC/",
    "/C0000010",
    "CCSD/A3000,9BUPP/AA207",
    "CCSD/A3000,CCSD/A3000",
    ",",
    ",,",
    "/",
    "true",
    "false",
    "0",
    "1",
    "2",
    "-1",
    "100",
    "101",
    "1000001",
    "4294967296",
    "99999999999999999999999999999",
    "1.005",
    "1e308",
    "NaN",
    "W3712",
    "P0003630",
    "0000011460",
    "PRICING",
    "gt2026",
    "ge2024-01-01",
    "lt2024-01-01T10:00:00Z",
    "le2026-12",
    "eq2024-02-30",
    "gt",
    "2024-13-01",
    "ne2024",
    "male",
    "female,other",
    "unknown,x",
    "Smith",
    "John Smith Jones Brown Green",
    "O'Brien",
    "51.5074:-0.1278:10:km",
    "51.5|-0.12|5|mi",
    "91:0",
    "0:181",
    "1:2:3:4:5",
    "NaN:NaN",
    "inf:1",
    "-0:-0:0:km",
    "1e400:1",
    "10",
    "10000",
    "-5",
    "distance",
    "-name",
    "PractitionerRole:practitioner",
    "PractitionerRole:location",
    "https://fhir.hl7.org.uk/Id/gphc-number|97860456",
    "|x",
    "GMC/1234567",
    "Organization/bup",
    "Person/John",
    "a?b",
    "'; DROP TABLE x; --",
    "%",
    "\u{0}",
    "\u{feff}",
    "é",
    "日本",
    "🦀",
];

fn pair() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(NAMES),
        prop_oneof![
            4 => prop::sample::select(VALUES).prop_map(str::to_string),
            // Comma lists of known values (up to past MAX_ALTERNATIVES).
            1 => prop::collection::vec(prop::sample::select(VALUES), 1..14)
                .prop_map(|v| v.join(",")),
            1 => ".{0,40}",
        ],
    )
        .prop_map(|(n, v)| (n.to_string(), v))
}

/// A raw query: encoded pairs, characters that matter to the form decoder, or anything.
fn raw_query() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(pair(), 0..8).prop_map(|pairs| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        }),
        r"[?&=%+a-zA-Z0-9,:|./_\- ]{0,80}",
        ".{0,80}",
    ]
}

/// A JSON value to plant inside a document.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        prop::sample::select(vec![
            "1e400",
            "-0",
            "0.000000000000000000000000000001",
            "79228162514264337593543950336",
            "1.005",
            "-12.00",
        ])
        .prop_map(|n| serde_json::from_str::<Value>(n).unwrap()),
        prop::sample::select(VALUES).prop_map(|s| json!(s)),
        ".{0,20}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{}])),
    ]
}

/// Every path to a value in `v` (object keys and array indices).
fn paths(v: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                here.push(k.clone());
                paths(c, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                here.push(i.to_string());
                paths(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Object(m) => m.get_mut(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

/// How to change one spot of a document.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value at the spot.
    Replace(Value),
    /// Remove it (an object member or array item).
    Remove,
    /// Repeat it (an array item twice, an object member's value wrapped in an array).
    Duplicate,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => leaf().prop_map(Edit::Replace),
        1 => Just(Edit::Remove),
        1 => Just(Edit::Duplicate),
    ]
}

/// `doc` with `edits` applied, each at the spot its index picks among the current paths.
fn mutate(doc: &Value, edits: &[(prop::sample::Index, Edit)]) -> Value {
    let mut doc = doc.clone();
    for (index, edit) in edits {
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let path = index.get(&all).clone();
        match edit {
            Edit::Replace(v) => {
                if let Some(spot) = at(&mut doc, &path) {
                    *spot = v.clone();
                }
            }
            Edit::Remove | Edit::Duplicate => {
                let Some((last, parent)) = path.split_last() else {
                    continue;
                };
                match (at(&mut doc, parent), edit) {
                    (Some(Value::Object(m)), Edit::Remove) => {
                        m.shift_remove(last);
                    }
                    (Some(Value::Object(m)), _) => {
                        if let Some(v) = m.get_mut(last) {
                            *v = json!([v.clone()]);
                        }
                    }
                    (Some(Value::Array(a)), e) => {
                        if let Ok(i) = last.parse::<usize>() {
                            if i < a.len() {
                                if matches!(e, Edit::Remove) {
                                    a.remove(i);
                                } else {
                                    let v = a[i].clone();
                                    a.insert(i, v);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    doc
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, Edit)>> {
    prop::collection::vec((any::<prop::sample::Index>(), edit()), 1..4)
}

/// Text damage: cut at a point, or a byte range replaced by noise.
fn damage(text: &str, cut: prop::sample::Index, noise: &str) -> String {
    let mut at = cut.index(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (head, tail) = text.split_at(at);
    let mut skip = noise.len().min(tail.len());
    while !tail.is_char_boundary(skip) {
        skip -= 1;
    }
    format!("{head}{noise}{}", &tail[skip..])
}

/// The seed books' snapshots, made once.
fn seed_snapshots() -> &'static [Value] {
    static SNAPSHOTS: OnceLock<Vec<Value>> = OnceLock::new();
    SNAPSHOTS.get_or_init(|| {
        surfaces::seed_books()
            .iter()
            .map(|b| serde_json::from_str(&b.to_snapshot_json()).unwrap())
            .collect()
    })
}

/// The seed books as D1 rows (stored in SQLite and read back), made once.
fn seed_rows() -> &'static [Value] {
    static ROWS: OnceLock<Vec<Value>> = OnceLock::new();
    ROWS.get_or_init(|| {
        surfaces::seed_books()
            .iter()
            .map(|b| serde_json::from_str(&surfaces::stored_rows(b).1).unwrap())
            .collect()
    })
}

/// The documents' write requests and the bodies the PUTs take, read once.
fn write_samples() -> &'static [Value] {
    static SAMPLES: OnceLock<Vec<Value>> = OnceLock::new();
    SAMPLES.get_or_init(read_write_samples)
}

fn read_write_samples() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut out: Vec<Value> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with("001_")
                && (name.ends_with("request.json")
                    || name.contains("multi_proc_set")
                    || name.contains("price_validation"))
        })
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    out.sort_by_key(Value::to_string);
    assert!(out.len() >= 8, "{} write samples", out.len());
    out
}

const CSV_HEADER: &str = "payor,service,procedure,location,practitioner,price,isESTV";

fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "bup", "slf", "na", "zzz", "ISC/C0000010", "ISC/E0000860", "ISC-C0000010",
            "CCSD/A3000", "9BUPP/AA207", "HP002694", "HP002193", "SP046728", "240.00", "10.005",
            "-5.00", "0", "1,250.00", "\"1,250.00\"", "N", "Y", "X", "true", "", " ",
            "\"a\"\"b\"", "\"line\nbreak\"", "\u{feff}bup", "1e3", "£12.00",
        ])
        .prop_map(str::to_string),
        1 => "[^,\n\"]{0,12}",
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    let line = prop::collection::vec(csv_field(), 0..9).prop_map(|f| f.join(","));
    (
        prop_oneof![
            4 => Just(CSV_HEADER.to_string()),
            1 => prop::collection::vec(
                prop::sample::select(vec![
                    "payor", "service", "procedure", "location", "practitioner", "price",
                    "isESTV", "PRICE", " payor ", "other", "",
                ]),
                0..9,
            )
            .prop_map(|h| h.join(",")),
        ],
        prop::collection::vec(line, 0..8),
        prop_oneof![Just("\n"), Just("\r\n")],
    )
        .prop_map(|(h, lines, eol)| {
            let mut text = h;
            for l in lines {
                text.push_str(eol);
                text.push_str(&l);
            }
            text
        })
}

fn ndjson_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "payor",
        "service",
        "procedure",
        "location",
        "practitioner",
        "price",
        "isESTV",
        "x",
    ]);
    let obj = prop::collection::vec((key, leaf()), 0..8).prop_map(|kv| {
        Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()).to_string()
    });
    prop::collection::vec(prop_oneof![4 => obj, 1 => ".{0,30}"], 0..6)
        .prop_map(|lines| lines.join("\n"))
}

/// Claims with every field present or not, of the right type or not.
fn claims() -> impl Strategy<Value = Value> {
    let int = prop_oneof![
        any::<i64>().prop_map(|i| json!(i)),
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1.5)),
        Just(json!("100")),
        Just(json!(18446744073709551615_u64)),
    ];
    let sites = prop_oneof![
        Just(json!(["*"])),
        Just(json!(["HC00JXI"])),
        Just(json!([])),
        Just(json!("HC00JXI")),
        Just(json!([1])),
    ];
    let aud = prop_oneof![
        Just(json!("practice-fhir")),
        Just(json!(["x", "practice-fhir"])),
        Just(json!([])),
        Just(json!(7)),
    ];
    (
        prop::option::of(prop_oneof![Just(json!("u1")), Just(json!(1))]),
        prop::option::of(int.clone()),
        prop::option::of(int),
        prop::option::of(prop_oneof![
            Just(json!("https://auth.example.org")),
            Just(json!("other"))
        ]),
        prop::option::of(aud),
        prop::option::of(prop_oneof![
            Just(json!("contract.read contract.write")),
            Just(json!("practitioner.read  practitioner.write")),
            Just(json!("")),
            Just(json!(["contract.read"])),
        ]),
        prop::option::of(sites),
    )
        .prop_map(|(sub, exp, nbf, iss, aud, scope, sites)| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("sub", sub),
                ("exp", exp),
                ("nbf", nbf),
                ("iss", iss),
                ("aud", aud),
                ("scope", scope),
                ("sites", sites),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            Value::Object(m)
        })
}

fn jose_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(br#"{"alg":"RS256","kid":"k1"}"#.to_vec()),
        Just(br#"{"alg":"ES256"}"#.to_vec()),
        Just(br#"{"kid":"k1"}"#.to_vec()),
        Just(b"[]".to_vec()),
        prop::collection::vec(any::<u8>(), 0..24),
    ]
}

// ---------------------------------------------------------------------------------------
// Properties

/// A discovery document and a key set as an issuer publishes them, for the identity smoke.
const IDENTITY_DISCOVERY: &str = r#"{"issuer":"https://login.example.org/tenant/v2.0","jwks_uri":"https://login.example.org/tenant/discovery/v2.0/keys"}"#;
const IDENTITY_JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZpt","e":"AQAB"},{"kty":"EC","kid":"k2","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every endpoint's query parsers, on raw query strings.
    #[test]
    fn query_strings_of_every_endpoint(query in raw_query(), lenient in any::<bool>()) {
        surfaces::query_string(&query, lenient);
    }

    /// The seed documents' own queries with a few pairs changed, added or dropped.
    #[test]
    fn mutated_sample_queries(
        sample in prop::sample::select(include_str!("../fuzz/seeds/queries.txt").lines().collect::<Vec<_>>()),
        extra in prop::collection::vec(pair(), 0..4),
        drop in any::<prop::sample::Index>(),
        lenient in any::<bool>(),
    ) {
        let mut pairs: Vec<(String, String)> = QueryParams::from_query(sample, false).pairs().to_vec();
        if !pairs.is_empty() {
            pairs.remove(drop.index(pairs.len()));
        }
        pairs.extend(extra);
        surfaces::query_params(&QueryParams::new(pairs, lenient));
    }

    /// Snapshots and slices: the seed books' snapshots edited in place, or their text damaged.
    #[test]
    fn snapshots_and_slices(
        which in any::<prop::sample::Index>(),
        edits in edits(),
        cut in any::<prop::sample::Index>(),
        noise in r#"[\[\]{}":,0-9a-z]{0,6}"#,
    ) {
        let seed = which.get(seed_snapshots());
        surfaces::snapshot_text(&mutate(seed, &edits).to_string());
        surfaces::snapshot_text(&damage(&seed.to_string(), cut, &noise));
    }

    /// D1 rows as the worker reads them (`from_rows`), edited.
    #[test]
    fn d1_rows(which in any::<prop::sample::Index>(), edits in edits()) {
        surfaces::rows_text(&mutate(which.get(seed_rows()), &edits).to_string());
    }

    /// `Authorization` headers: arbitrary text, and tokens of arbitrary header and claims.
    #[test]
    fn bearer_tokens(
        raw in prop_oneof![".{0,60}", "(Bearer |bearer |Basic )?[A-Za-z0-9_=.\\-]{0,60}"],
        header in jose_header(),
        claims in claims(),
        signature in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        surfaces::authorization(&raw);
        surfaces::token_parts(&header, claims.to_string().as_bytes(), &signature);
    }

    /// OpenID Connect discovery documents and key sets (arbitrary text and damaged real
    /// ones), `Cache-Control`, `OIDC_ISSUER`/`ALLOWED_ORIGINS` values, `Origin` and
    /// `x-request-id` headers.
    #[test]
    fn identity_documents(
        raw in ".{0,80}",
        cut in any::<prop::sample::Index>(),
        noise in r#"[\[\]{}":,0-9a-z]{0,6}"#,
    ) {
        surfaces::identity_documents(&raw);
        for doc in [IDENTITY_DISCOVERY, IDENTITY_JWKS] {
            surfaces::identity_documents(&damage(doc, cut, &noise));
        }
    }

    /// CSV and NDJSON price files, planned against the seed books.
    #[test]
    fn price_files(csv in csv_text(), ndjson in ndjson_text(), bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        surfaces::prices_csv(csv.as_bytes());
        surfaces::prices_ndjson(ndjson.as_bytes());
        surfaces::prices_csv(&bytes);
        surfaces::prices_ndjson(&bytes);
    }

    /// `$contract-price`, `PUT $multi-proc-set`, `PUT $validation` and `POST /contract`
    /// bodies: the documents' samples edited.
    #[test]
    fn write_bodies(
        which in any::<prop::sample::Index>(),
        edits in edits(),
        cut in any::<prop::sample::Index>(),
        noise in r#"[\[\]{}":,0-9a-z]{0,6}"#,
    ) {
        let sample = which.get(write_samples());
        surfaces::write_value(&mutate(sample, &edits));
        surfaces::write_body(&damage(&sample.to_string(), cut, &noise));
    }
}

// ---------------------------------------------------------------------------------------
// The samples themselves, and what the long runs found

#[test]
fn the_samples_pass_every_surface_unchanged() {
    for line in include_str!("../fuzz/seeds/queries.txt").lines() {
        surfaces::query_string(line, false);
    }
    for s in seed_snapshots() {
        surfaces::snapshot_text(&s.to_string());
    }
    let rows = seed_rows();
    assert_eq!(rows.len(), surfaces::seed_books().len());
    for r in rows {
        surfaces::rows_text(&r.to_string());
    }
    for body in write_samples() {
        surfaces::write_value(body);
        surfaces::write_body(&body.to_string());
    }
    surfaces::prices_csv(include_bytes!("../fuzz/seeds/bad-prices.csv"));
    surfaces::prices_ndjson(include_bytes!("../fuzz/seeds/prices.ndjson"));
    for t in include_str!("../fuzz/seeds/tokens.txt").lines() {
        surfaces::authorization(t);
    }
}

#[test]
fn a_bad_query_names_its_parameter_with_the_documents_code() {
    let params = QueryParams::from_query("site=HC00JXI&payor=&service-type=ISC/C0000010", false);
    let book = ContractBook::new("HC00JXI");
    let err = book.calculate_fee(&params).unwrap_err();
    surfaces::expect_outcome("$calculate-fee", &err, surfaces::INPUT_CODES);
    assert_eq!(err.issues[0].code, IssueCode::ParamEmpty);
    assert_eq!(err.issues[0].diagnostics, "Parameter 'payor' is empty.");
}

/// Found by this smoke's token strategy and the `bearer_tokens` seeds: `exp + leeway` and
/// `nbf - leeway` overflowed (a panic in debug; wrapped in release, so a token with
/// `exp: i64::MAX` was "expired" and one with `nbf: i64::MIN` "not valid yet").
#[test]
fn extreme_token_times_are_checked_without_overflow() {
    use practice_fhir::auth::{parse_bearer, TokenPolicy};
    let policy = TokenPolicy {
        issuer: None,
        audience: None,
        oidc_issuers: Vec::new(),
    };
    let answer = |exp: i64, nbf: i64, now: i64| {
        let claims = json!({"sub": "u1", "exp": exp, "nbf": nbf});
        surfaces::token_parts(br#"{"alg":"RS256"}"#, claims.to_string().as_bytes(), b"s");
        let token = format!(
            "Bearer eyJhbGciOiJSUzI1NiJ9.{}.cw",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                claims.to_string()
            )
        );
        let t = parse_bearer(Some(&token)).unwrap();
        policy
            .check(&t.claims, now)
            .map_err(|e| e.issues[0].diagnostics.clone())
    };
    assert_eq!(answer(i64::MAX, i64::MIN, 0), Ok(()));
    assert_eq!(answer(i64::MAX, i64::MIN, i64::MAX), Ok(()));
    assert_eq!(
        answer(i64::MIN, i64::MIN, 0),
        Err("Authorization: the token has expired.".to_string())
    );
    assert_eq!(
        answer(i64::MAX, i64::MAX, i64::MIN),
        Err("Authorization: the token is not valid yet (nbf).".to_string())
    );
}

/// Found by `price_import` (NDJSON): a line with a blank key (`{"": "12.00"}`) was rejected
/// naming the field `''`; the line is what is at fault.
#[test]
fn a_blank_ndjson_key_rejects_the_line() {
    use practice_fhir_tools::prices::schedule::read_ndjson;
    let found = include_bytes!("../fuzz/seeds/regressions/price-ndjson-blank-key.bin");
    surfaces::prices_ndjson(&found[1..]); // the target's first byte chose NDJSON
    let lines = read_ndjson(&b"{\"payor\":\"slf\",\"\":\"12.00\"}\n{\" \":1}"[..]).unwrap();
    let rejected: Vec<(usize, String, String)> = lines
        .into_iter()
        .map(|l| {
            let r = l.unwrap_err();
            (r.line, r.field, r.reason)
        })
        .collect();
    let known = "payor, service, procedure, location, practitioner, price, isESTV";
    assert_eq!(
        rejected,
        [
            (
                1,
                "line".to_string(),
                format!("unknown field '' (known: {known})")
            ),
            (
                2,
                "line".to_string(),
                format!("unknown field ' ' (known: {known})")
            ),
        ]
    );
}

/// Found by `snapshots` (a harness finding, not a core one): a snapshot whose tariffs belong
/// to a payor without a contract at the site loads, but the site plan reads back only its
/// payors' tariffs (tariffs are the payors', shared by every site).
#[test]
fn foreign_tariffs_are_not_read_back_with_the_site() {
    let found = include_str!("../fuzz/seeds/regressions/snapshot-foreign-tariffs.json");
    surfaces::snapshot_text(found);
    let book = ContractBook::from_snapshot_json(found).unwrap();
    assert_eq!(book.tariffs().count(), 2);
    assert!(book.payor_contract("slh").is_none());
    let (back, _) = surfaces::stored_rows(&book);
    assert_eq!(back.tariffs().count(), 0);
    assert_eq!(back.price_count(), book.price_count());
}

/// Found by `parse_resource` (a libFuzzer timeout): a form feed where a value should start
/// sent the parse-error locator into an endless loop, so `validate_resource` never answered.
#[test]
fn a_form_feed_in_a_body_is_refused_not_a_hang() {
    let found = include_str!("../fuzz/seeds/regressions/parse-form-feed-hang.json");
    assert_eq!(found, "     \u{c} 0name");
    for input in [
        found,
        "\u{c}",
        "{\"resourceType\":\u{c}\"Practitioner\"}",
        "[1,\u{c}2]",
    ] {
        let err = practice_fhir::parse_resource(input).unwrap_err();
        assert_eq!(err.issues.len(), 1);
        assert_eq!(err.issues[0].code, IssueCode::CantParseContent);
        assert_eq!(practice_fhir::validate_resource(input), err);
    }
    let err = practice_fhir::validate_resource(found);
    assert_eq!(
        err.issues[0].diagnostics,
        "Failed to parse the resource: expected value at line 1 column 6."
    );
}
