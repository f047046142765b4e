#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Directory search on real SQLite (rusqlite, bundled): the schema is migrations/0003, rows are
//! written with the very statements of `index_rows`, and searches run the very SQL D1 runs,
//! following the worker's flow (page + count, or near candidates → select → fetch; includes).

use std::collections::HashSet;

use practice_fhir::directory::{index_rows, Statement};
use practice_fhir::search::{
    CandidateRow, LocationCandidate, ResourceRow, SearchQuery, SqlPlan, EARTH_RADIUS_KM,
};
use practice_fhir::{IssueCode, OperationOutcome, QueryParams};
use practice_fhir_tools::synth::{
    generate, location_json, role_json, schedule_json, InsurerEntry, PractitionerSpec,
    ProfessionEntry, SynthSpec,
};
use proptest::prelude::*;
use rusqlite::{params_from_iter, Connection};
use serde_json::{json, Value};

const MIGRATION: &str = concat!(
    include_str!("../migrations/0003_directory.sql"),
    include_str!("../migrations/0005_near_by_location.sql")
);
const NOW: &str = "2026-11-23T21:00:00Z";
const BASE: &str = "https://example.test/fhir/R";

use practice_fhir_tools::sqlite::to_sql;

/// D1's limits (practice_fhir_tools::sqlite::d1_limits), as a test failure.
fn check_d1_limits(st: &Statement) {
    if let Err(e) = practice_fhir_tools::sqlite::d1_limits(st) {
        panic!("{e}");
    }
}

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(MIGRATION).unwrap();
    conn
}

fn store(conn: &Connection, resource: &Value) {
    for st in index_rows(resource).unwrap() {
        check_d1_limits(&st);
        conn.execute(&st.sql, params_from_iter(st.params.iter().map(to_sql)))
            .unwrap();
    }
}

fn store_all(conn: &mut Connection, resources: &[Value]) {
    let tx = conn.transaction().unwrap();
    for r in resources {
        store(&tx, r);
    }
    tx.commit().unwrap();
}

fn resource_rows(conn: &Connection, st: &Statement) -> Vec<ResourceRow> {
    check_d1_limits(st);
    let mut stmt = conn.prepare(&st.sql).unwrap();
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

/// The worker's flow, natively.
fn location_rows(conn: &Connection, st: &Statement) -> Vec<LocationCandidate> {
    check_d1_limits(st);
    let mut stmt = conn.prepare(&st.sql).unwrap();
    stmt.query_map(params_from_iter(st.params.iter().map(to_sql)), |r| {
        Ok(LocationCandidate {
            location_id: r.get(0)?,
            lat: r.get(1)?,
            lon: r.get(2)?,
            roles: r.get::<_, i64>(3)? as f64,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn run(conn: &Connection, query: &SearchQuery) -> Value {
    let (matches, max_count) = match query.to_sql() {
        SqlPlan::Paged { page, count } => {
            let rows = resource_rows(conn, &page);
            check_d1_limits(&count);
            let total: i64 = conn
                .query_row(
                    &count.sql,
                    params_from_iter(count.params.iter().map(to_sql)),
                    |r| r.get(0),
                )
                .unwrap();
            (rows, total as u64)
        }
        SqlPlan::Near { candidates } => {
            check_d1_limits(&candidates);
            let mut stmt = conn.prepare(&candidates.sql).unwrap();
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
            let page = query.select_near(cands);
            let fetched: Vec<ResourceRow> = page
                .fetch()
                .iter()
                .flat_map(|st| resource_rows(conn, st))
                .collect();
            (page.arrange(fetched), page.max_count)
        }
        SqlPlan::NearLocations { locations } => {
            let page = query
                .select_near_locations(location_rows(conn, &locations))
                .unwrap();
            let fetched: Vec<ResourceRow> = page
                .fetch()
                .iter()
                .flat_map(|st| resource_rows(conn, st))
                .collect();
            (page.arrange(fetched), page.max_count)
        }
    };
    let included: Vec<ResourceRow> = query
        .include_sql(&matches)
        .iter()
        .flat_map(|st| resource_rows(conn, st))
        .collect();
    query
        .searchset(&matches, &included, max_count, BASE)
        .unwrap()
}

fn practitioners(conn: &Connection, query: &str) -> Result<Value, OperationOutcome> {
    let q = SearchQuery::practitioner(&QueryParams::from_query(query, false))?;
    Ok(run(conn, &q))
}

fn roles(conn: &Connection, query: &str) -> Result<Value, OperationOutcome> {
    let q = SearchQuery::practitioner_role(&QueryParams::from_query(query, false), NOW)?;
    Ok(run(conn, &q))
}

fn ids_of(bundle: &Value, mode: &str) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["search"]["mode"] == mode)
                .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn ids(bundle: &Value) -> Vec<String> {
    ids_of(bundle, "match")
}

fn tag(bundle: &Value, code: &str) -> String {
    bundle["meta"]["tag"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap()["display"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn err_code(r: Result<Value, OperationOutcome>) -> Option<IssueCode> {
    r.err().map(|o| o.issues[0].code)
}

fn spec(id: &str, family: &str, given: &str, gender: &str) -> PractitionerSpec {
    PractitionerSpec {
        id: id.into(),
        prefix: "Dr".into(),
        family: family.into(),
        given: vec![given.into()],
        gender: gender.into(),
        professions: Vec::new(),
        insurers: Vec::new(),
        regulator: (("GMC", "General Medical Council"), "0000000".into()),
        identifiers: Vec::new(),
        postcode: "ZZ9 9ZZ".into(),
        town: "London".into(),
        online_booking: false,
        last_updated: "2025-01-01T00:00:00Z".into(),
    }
}

fn prof(p: &'static str, s: &'static str, sub: Option<&'static str>) -> ProfessionEntry {
    ProfessionEntry {
        profession: (p, "P"),
        specialty: Some((s, "S")),
        subspecialty: sub.map(|c| (c, "Sub")),
    }
}

fn ins(i: &'static str, n: &str, s: &'static str) -> InsurerEntry {
    InsurerEntry {
        insurer: (i, "I"),
        provider_number: n.into(),
        status: (s, "S"),
    }
}

/// A small hand-made directory whose answers are known exactly.
fn crafted() -> Connection {
    let mut a = spec("SP1", "Clinton", "Warren", "male");
    a.professions = vec![prof("00U", "0003A", Some("0000L"))];
    a.insurers = vec![ins("nuh", "111", "Y"), ins("bup", "222", "N")];
    a.postcode = "W1H 3DA".into();
    a.regulator.1 = "1234567".into();
    a.online_booking = true;
    a.identifiers = vec![(
        "https://fhir.hl7.org.uk/Id/gmc-number".into(),
        "C1234567".into(),
    )];
    a.last_updated = "2025-03-01T10:00:00Z".into();
    let mut b = spec("SP2", "Brontë", "Zoë", "female");
    b.professions = vec![prof("00P", "0006A", None)];
    b.insurers = vec![ins("nuh", "222", "N")];
    b.postcode = "w1g 8ab".into();
    b.last_updated = "2025-06-15T12:00:00+01:00".into();
    let mut c = spec("SP3", "O'Brien-Smith", "Seán", "other");
    c.professions = vec![
        prof("00U", "0003A", Some("0000K")),
        prof("00P", "0007A", None),
    ];
    c.insurers = vec![ins("axa", "333", "Y")];
    c.postcode = "NG10 1QQ".into();
    let mut d = spec("SP4", "Müller", "Anna", "female");
    d.postcode = "W1H 7ZZ".into();
    d.last_updated = "2025-12-31T23:00:00Z".into();
    let mut e = spec("SP5", "Smith", "John", "male");
    e.identifiers = vec![(
        "https://fhir.hl7.org.uk/Id/gphc-number".into(),
        "97860456".into(),
    )];
    e.last_updated = "2024-12-31T23:59:59Z".into();
    let mut conn = db();
    let mut resources: Vec<Value> = [a, b, c, d, e]
        .iter()
        .map(PractitionerSpec::to_json)
        .collect();

    // Roles around (51.5, -0.1): L-IN is 9.9 km due north, L-OUT 10.1 km.
    let north = |km: f64| 51.5 + (km / EARTH_RADIUS_KM).to_degrees();
    let t = "2025-01-01T00:00:00Z";
    resources.push(location_json(
        "L-IN",
        "Inside",
        "W1H 3DA",
        "London",
        north(9.9),
        -0.1,
        t,
    ));
    resources.push(location_json(
        "L-OUT",
        "Outside",
        "W1G 8AB",
        "London",
        north(10.1),
        -0.1,
        t,
    ));
    resources.push(location_json(
        "L-NEAR",
        "Near",
        "SE1 7EH",
        "London",
        north(1.0),
        -0.1,
        t,
    ));
    resources.push(location_json(
        "L-POLE",
        "Pole",
        "ZZ1 1ZZ",
        "North Pole",
        89.9,
        120.0,
        t,
    ));
    resources.push(location_json(
        "L-EAST",
        "Date line east",
        "ZZ2 2ZZ",
        "Fiji",
        0.0,
        -179.95,
        t,
    ));
    resources.push(location_json(
        "L-WEST",
        "Date line west",
        "ZZ3 3ZZ",
        "Fiji",
        0.0,
        179.9,
        t,
    ));
    let role = |id: &str, p: &str, l: &str, spec: Option<&'static str>, ages: &[&'static str]| {
        let ages: Vec<(&str, &str)> = ages.iter().map(|a| (*a, "Age")).collect();
        role_json(
            id,
            (p, "Dr X"),
            (l, "Loc"),
            spec.map(|s| (s, "S")),
            None,
            &ages,
            t,
        )
    };
    resources.push(role("R1", "SP1", "L-IN", Some("0003A"), &["C0", "C1"]));
    resources.push(role("R2", "SP1", "L-NEAR", Some("0003A"), &["C1"]));
    resources.push(role("R3", "SP2", "L-OUT", Some("0006A"), &["A0"]));
    resources.push(role("R4", "SP3", "L-NEAR", Some("0007A"), &[]));
    resources.push(role("R5", "SP4", "L-POLE", None, &[]));
    resources.push(role("R6", "SP5", "L-EAST", None, &[]));
    resources.push(role("R7", "SP5", "L-WEST", None, &[]));
    resources.push(schedule_json("S1", "SP1", "2025-01-01", "2027-01-01", t));
    resources.push(schedule_json("S2", "SP2", "2025-01-01", "2025-06-01", t));
    store_all(&mut conn, &resources);
    conn
}

#[test]
fn seed_000_practitioner_found_by_its_own_request() {
    let mut conn = db();
    let fixture: Value = serde_json::from_str(include_str!(
        "fixtures/000_01_search_practitioner_endpoint_response.json"
    ))
    .unwrap();
    let mut sample = fixture["entry"][0]["resource"].clone();
    sample["meta"] = json!({"versionId": "1", "lastUpdated": "2025-01-01T00:00:00Z"});
    let mut resources = vec![sample.clone()];
    generate(
        SynthSpec {
            practitioners: 300,
            seed: 1,
        },
        |r| resources.push(r),
    );
    store_all(&mut conn, &resources);

    // The seed's request, except gender: it asks for male but its own sample is female.
    let request = "page=1&count=1&gender=female&profession=00U&specialty=0003A&subspecialty=0000L\
        &insurer-recognition-status=Y&insurer-provider-number=984572186&insurer=nuh\
        &address-postalcode=W1H 3DA&family=Clinton&given=Warren\
        &is-onlinebooking-available=false&regulator-reference=1234567";
    let bundle = practitioners(&conn, request).unwrap();
    assert_eq!(ids(&bundle), vec!["SP09000"]);
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["total"], 1);
    assert_eq!(
        bundle["meta"],
        json!({"tag": [{"code": "count", "display": "1"}, {"code": "page", "display": "1"}, {"code": "maxCount", "display": "1"}]})
    );
    assert_eq!(bundle["entry"][0]["resource"], sample);
    assert_eq!(bundle["link"][0]["relation"], "self");
    assert!(
        bundle["link"].as_array().unwrap().len() == 1,
        "no next/previous"
    );

    let male = request.replace("gender=female", "gender=male");
    assert_eq!(
        ids(&practitioners(&conn, &male).unwrap()),
        Vec::<String>::new()
    );
    // Each fact of the same insurer entry must hold: another provider number misses.
    let other = request.replace("984572186", "984572187");
    assert!(ids(&practitioners(&conn, &other).unwrap()).is_empty());
}

#[test]
fn seed_000_role_sample_found_by_practitioner() {
    let mut conn = db();
    let fixture: Value = serde_json::from_str(include_str!(
        "fixtures/000_03_search_practitionerrole_endpoint_response.json"
    ))
    .unwrap();
    let meta = json!({"versionId": "1", "lastUpdated": "2025-01-01T00:00:00Z"});
    let mut resources: Vec<Value> = fixture["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut r = e["resource"].clone();
            r["meta"] = meta.clone();
            r
        })
        .collect();
    let sample_practitioner: Value = serde_json::from_str(include_str!(
        "fixtures/000_01_search_practitioner_endpoint_response.json"
    ))
    .unwrap();
    let mut practitioner = sample_practitioner["entry"][0]["resource"].clone();
    practitioner["meta"] = meta.clone();
    resources.push(practitioner);
    resources.push(location_json(
        "HP005000",
        "St Elsewhere Hospital",
        "W1H 3DA",
        "London",
        51.516,
        -0.160,
        "2025-01-01T00:00:00Z",
    ));
    store_all(&mut conn, &resources);

    let bundle = roles(&conn, "practitioner=SP09000&count=2").unwrap();
    // The sample's meta, type and total; entries in id order (ties broken by id).
    assert_eq!(bundle["meta"], fixture["meta"]);
    assert_eq!(bundle["type"], fixture["type"]);
    assert_eq!(bundle["total"], fixture["total"]);
    assert_eq!(
        ids(&bundle),
        vec!["201808281119493731SBH0094", "201808281356174321LBf0241"]
    );
    let by_id = |id: &str| resources.iter().find(|r| r["id"] == id).unwrap().clone();
    for entry in bundle["entry"].as_array().unwrap() {
        assert_eq!(
            entry["resource"],
            by_id(entry["resource"]["id"].as_str().unwrap())
        );
        assert_eq!(entry["search"], json!({"mode": "match"}));
    }
    let q = |s: &str| ids(&roles(&conn, s).unwrap());
    assert_eq!(q("ages-treated=C0"), vec!["201808281119493731SBH0094"]);
    assert_eq!(
        q("location=HP005000&specialty=0003A&ages-treated=C1"),
        vec!["201808281119493731SBH0094", "201808281356174321LBf0241"]
    );
    assert_eq!(
        q("near=51.5:-0.15:2&gender=female&family=clinton&distinct-by=practitioner"),
        vec!["201808281119493731SBH0094"]
    );
    let with_includes =
        roles(&conn, "practitioner=SP09000&_include=practitioner:location").unwrap();
    assert_eq!(
        ids_of(&with_includes, "include"),
        vec!["SP09000", "HP005000"]
    );
}

#[test]
fn seed_004_identifiers_found_in_all_three_forms() {
    let mut conn = db();
    let mut resources = Vec::new();
    for (i, text) in [
        include_str!("fixtures/004_01_example_response.json"),
        include_str!("fixtures/004_02_example_response.json"),
        include_str!("fixtures/004_03_example_response.json"),
    ]
    .iter()
    .enumerate()
    {
        let mut p: Value = serde_json::from_str(text).unwrap();
        p["id"] = json!(format!("UKC{}", i + 1));
        p["meta"] = json!({"lastUpdated": "2025-01-01T00:00:00Z"});
        resources.push(p);
    }
    store_all(&mut conn, &resources);
    let q = |s: &str| ids(&practitioners(&conn, s).unwrap());
    assert_eq!(
        q("identifier=https://fhir.hl7.org.uk/Id/gmp-number|G1234567"),
        vec!["UKC1"]
    );
    assert_eq!(q("identifier=G1234567"), vec!["UKC1"]);
    assert_eq!(
        q("identifier=https://fhir.nhs.uk/Id/sds-user-id|G1234567"),
        Vec::<String>::new()
    );
    assert_eq!(q("identifier=1415870201"), vec!["UKC2", "UKC3"]);
    assert_eq!(q("identifier=|1415870201"), Vec::<String>::new());
    assert_eq!(
        q("identifier=https://fhir.hl7.org.uk/Id/professional-code|2134567,G1234567"),
        vec!["UKC1", "UKC3"]
    );
}

#[test]
fn practitioner_parameters_match_exactly() {
    let conn = crafted();
    let q = |s: &str| ids(&practitioners(&conn, s).unwrap());
    let none: Vec<String> = Vec::new();
    assert_eq!(q(""), vec!["SP1", "SP2", "SP3", "SP4", "SP5"]);
    assert_eq!(q("family=clinton"), vec!["SP1"]);
    assert_eq!(q("family=CLIN"), vec!["SP1"]);
    assert_eq!(q("family=linton"), none);
    assert_eq!(q("family=bronte"), vec!["SP2"]);
    assert_eq!(q("family=Brontë"), vec!["SP2"]);
    assert_eq!(q("given=zoe"), vec!["SP2"]);
    assert_eq!(q("given=SEAN"), vec!["SP3"]);
    assert_eq!(q("family=brien"), vec!["SP3"]);
    assert_eq!(q("family=obrien"), vec!["SP3"]);
    assert_eq!(q("family=O'Brien"), vec!["SP3"]);
    assert_eq!(q("family=smith"), vec!["SP3", "SP5"]);
    assert_eq!(q("family=muller,clint"), vec!["SP1", "SP4"]);
    assert_eq!(q("family=smith&given=john"), vec!["SP5"]);
    assert_eq!(q("name=warren"), vec!["SP1"]);
    assert_eq!(q("name=smith john"), vec!["SP5"]);
    assert_eq!(q("name=dr&family=mu"), vec!["SP4"]);
    assert_eq!(q("gender=female"), vec!["SP2", "SP4"]);
    assert_eq!(q("gender=female,other"), vec!["SP2", "SP3", "SP4"]);
    assert_eq!(q("address-postalcode=w1h"), vec!["SP1", "SP4"]);
    assert_eq!(q("address-postalcode=W1H 3DA"), vec!["SP1"]);
    assert_eq!(q("address-postalcode=W1"), vec!["SP1", "SP2", "SP4"]);
    assert_eq!(q("address-postcode=NG101QQ"), vec!["SP3"]);
    assert_eq!(q("address-postalcode=NG10 2"), none);
    assert_eq!(q("profession=00U"), vec!["SP1", "SP3"]);
    assert_eq!(q("specialty=0003A&subspecialty=0000L"), vec!["SP1"]);
    assert_eq!(
        q("profession=00U&specialty=0007A"),
        none,
        "same profession entry"
    );
    assert_eq!(q("profession=00P&specialty=0007A"), vec!["SP3"]);
    assert_eq!(q("insurer=nuh"), vec!["SP1", "SP2"]);
    assert_eq!(
        q("insurer=nuh&insurer-provider-number=222"),
        vec!["SP2"],
        "same insurer entry"
    );
    assert_eq!(q("insurer=nuh&insurer-recognition-status=Y"), vec!["SP1"]);
    assert_eq!(
        q("insurer=nuh,axa&insurer-recognition-status=Y"),
        vec!["SP1", "SP3"]
    );
    assert_eq!(q("insurer-provider-number=222"), vec!["SP1", "SP2"]);
    assert_eq!(q("regulator-reference=1234567"), vec!["SP1"]);
    assert_eq!(q("is-onlinebooking-available=true"), vec!["SP1"]);
    assert_eq!(
        q("is-onlinebooking-available=false"),
        vec!["SP2", "SP3", "SP4", "SP5"]
    );
    assert_eq!(q("identifier=C1234567"), vec!["SP1"]);
    assert_eq!(q("_lastUpdated=ge2025-06-15T11:00:00Z"), vec!["SP2", "SP4"]);
    assert_eq!(q("_lastUpdated=gt2025-06-15T11:00:00Z"), vec!["SP4"]);
    assert_eq!(q("_lastUpdated=lt2025"), vec!["SP5"]);
    assert_eq!(q("_lastUpdated=le2025-03-01"), vec!["SP1", "SP3", "SP5"]);
    assert_eq!(q("_lastUpdated=eq2025-12"), vec!["SP4"]);
    assert_eq!(
        q("_lastUpdated=ge2025-01-01&_lastUpdated=lt2025-06"),
        vec!["SP1", "SP3"]
    );
    assert_eq!(q("_count=2&_format=json&_pretty=true"), vec!["SP1", "SP2"]);
}

#[test]
fn bad_input_gets_the_documents_codes() {
    let conn = crafted();
    let p = |s: &str| err_code(practitioners(&conn, s));
    let r = |s: &str| err_code(roles(&conn, s));
    assert_eq!(p("gender=bloke"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("gender=Male"), Some(IssueCode::InvalidFormat));
    assert_eq!(
        p("is-onlinebooking-available=yes"),
        Some(IssueCode::InvalidFormat)
    );
    assert_eq!(p("gender="), Some(IssueCode::ParamEmpty));
    assert_eq!(p("foo=1"), Some(IssueCode::UnknownParam));
    assert_eq!(p("near=1:1:1"), Some(IssueCode::UnknownParam));
    assert!(SearchQuery::practitioner(&QueryParams::from_query("foo=1", true)).is_ok());
    assert_eq!(p("count=0"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("count=101"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("page=0"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("page=x"), Some(IssueCode::InvalidFormat));
    assert_eq!(
        p("insurer=a,b,c,d,e,f,g,h,i,j,k"),
        Some(IssueCode::InvalidFormat)
    );
    assert_eq!(p("insurer=a,,b"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("family=a b c d e"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("family=!!!"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("_lastUpdated=xx2025"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("_lastUpdated=ge2025-13"), Some(IssueCode::InvalidFormat));
    assert_eq!(p("identifier=sys|"), Some(IssueCode::InvalidFormat));
    // Many values in total: refused by name before D1 could refuse 100+ parameters.
    let many: Vec<String> = (0..40).map(|i| format!("family=a{i}")).collect();
    assert_eq!(p(&many.join("&")), Some(IssueCode::InvalidFormat));
    assert_eq!(r("_sort=distance"), Some(IssueCode::MissingMandatoryParam));
    assert_eq!(
        r("_sort=distance:up&near=1:1:1"),
        Some(IssueCode::InvalidFormat)
    );
    assert_eq!(r("_sort=age"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=91:0:1"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=0:-181:1"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=0:0:0"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=0:0:5:yd"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=abc"), Some(IssueCode::InvalidFormat));
    assert_eq!(r("near=0:0"), Some(IssueCode::MissingMandatoryParam));
    assert_eq!(r("near-distance=5"), Some(IssueCode::MissingMandatoryParam));
    assert_eq!(
        r("_include=Practitioner:foo"),
        Some(IssueCode::InvalidFormat)
    );
    assert_eq!(r("distinct-by=insurer"), Some(IssueCode::InvalidFormat));
    assert_eq!(
        r("is-onlinebooking-available=1"),
        Some(IssueCode::InvalidFormat)
    );
    assert_eq!(r("regulator-reference=1"), Some(IssueCode::UnknownParam));
}

#[test]
fn role_parameters_match_exactly() {
    let conn = crafted();
    let q = |s: &str| ids(&roles(&conn, s).unwrap());
    let none: Vec<String> = Vec::new();
    assert_eq!(q(""), vec!["R1", "R2", "R3", "R4", "R5", "R6", "R7"]);
    assert_eq!(q("practitioner=SP1"), vec!["R1", "R2"]);
    assert_eq!(q("practitioner=Practitioner/SP2,SP3"), vec!["R3", "R4"]);
    assert_eq!(q("location=L-NEAR"), vec!["R2", "R4"]);
    assert_eq!(q("ages-treated=C1"), vec!["R1", "R2"]);
    assert_eq!(q("ages-treated=C0,A0"), vec!["R1", "R3"]);
    assert_eq!(q("specialty=0003A"), vec!["R1", "R2"]);
    assert_eq!(q("address-postalcode=W1"), vec!["R1", "R3"]);
    assert_eq!(q("insurer=axa"), vec!["R4"]);
    assert_eq!(q("profession=00P"), vec!["R3", "R4"]);
    assert_eq!(q("gender=male"), vec!["R1", "R2", "R6", "R7"]);
    assert_eq!(q("family=smith&given=john"), vec!["R6", "R7"]);
    assert_eq!(q("is-onlinebooking-available=true"), vec!["R1", "R2"]);
    assert_eq!(
        q("is-onlinebooking-available=false"),
        vec!["R3", "R4", "R5", "R6", "R7"]
    );
    assert_eq!(q("practitioner=SP1&location=L-OUT"), none);
    // The seed's own request parses and runs (its practitioner and location are not stored here).
    let seed =
        "practitioner=SP09000&location=HP005000&ages-treated=C0&near=53.385225:-2.231105:200:mi\
        &near-distance=4&address-postalcode=W1H 3DA&specialty=0003A&subspecialty=0000L\
        &is-onlinebooking-available=false&insurer=nuh&profession=00U&gender=male&family=Clinton\
        &given=Warren&_sort=distance:desc&_include=practitioner:location";
    assert_eq!(q(seed), none);
}

#[test]
fn near_is_a_true_great_circle_radius() {
    let conn = crafted();
    let q = |s: &str| ids(&roles(&conn, s).unwrap());
    assert_eq!(q("near=51.5:-0.1:10:km"), vec!["R2", "R4", "R1"]);
    assert_eq!(q("near=51.5:-0.1:10"), vec!["R2", "R4", "R1"]);
    assert_eq!(q("near=51.5|-0.1|10|km"), vec!["R2", "R4", "R1"]);
    assert_eq!(q("near=51.5:-0.1:10.2:km"), vec!["R2", "R4", "R1", "R3"]);
    assert_eq!(q("near=51.5:-0.1:9.8"), vec!["R2", "R4"]);
    assert_eq!(q("near=51.5:-0.1&near-distance=10"), vec!["R2", "R4", "R1"]);
    assert_eq!(
        q("near=51.5:-0.1:10&_lastUpdated=ge2025"),
        vec!["R2", "R4", "R1"]
    );
    assert_eq!(q("near=51.5:-0.1:10&_lastUpdated=lt2025"), none());
    assert_eq!(
        q("near=51.5:-0.1:10&ages-treated=C1&specialty=0003A"),
        vec!["R2", "R1"]
    );
    assert_eq!(q("near=51.5:-0.1:10000:m"), vec!["R2", "R4", "R1"]);
    assert_eq!(q("near=51.5:-0.1:9800:m"), vec!["R2", "R4"]);
    // 6.2 mi = 9.978 km; 6.1 mi = 9.817 km.
    assert_eq!(q("near=51.5:-0.1:6.2:mi"), vec!["R2", "R4", "R1"]);
    assert_eq!(q("near=51.5:-0.1:6.1:mi"), vec!["R2", "R4"]);
    assert_eq!(
        q("near=51.5:-0.1::mi&near-distance=6.2"),
        vec!["R2", "R4", "R1"]
    );
    // Across the pole: (89.95, -60) to (89.9, 120) is 0.15° of arc, 16.68 km.
    assert_eq!(q("near=89.95:-60:17"), vec!["R5"]);
    assert_eq!(q("near=89.95:-60:16.5"), none());
    // Across the antimeridian: (0, 179.95) to (0, -179.95) is 0.1°, 11.12 km.
    assert_eq!(q("near=0:179.95:12"), vec!["R7", "R6"]);
    assert_eq!(q("near=0:179.95:11"), vec!["R7"]);
    assert_eq!(q("near=0:-179.99:20"), vec!["R6", "R7"]);

    let bundle = roles(&conn, "near=51.5:-0.1:10&_sort=distance:desc").unwrap();
    assert_eq!(ids(&bundle), vec!["R1", "R2", "R4"]);
    let ext = &bundle["entry"][0]["search"]["extension"][0];
    assert_eq!(
        ext["url"],
        "http://hl7.org/fhir/StructureDefinition/location-distance"
    );
    assert_eq!(ext["valueDistance"]["value"].as_f64(), Some(9.9));
    assert_eq!(ext["valueDistance"]["unit"], "km");
    assert_eq!(ext["valueDistance"]["system"], "http://unitsofmeasure.org");
    assert_eq!(ext["valueDistance"]["code"], "km");
    assert_eq!(tag(&bundle, "maxCount"), "3");
}

fn none() -> Vec<String> {
    Vec::new()
}

#[test]
fn sort_include_and_distinct_by() {
    let conn = crafted();
    let q = |s: &str| ids(&roles(&conn, s).unwrap());
    // Names folded: brontë < clinton < muller < o'brien-smith (obriensmith) < smith.
    assert_eq!(
        q("_sort=name"),
        vec!["R3", "R1", "R2", "R5", "R4", "R6", "R7"]
    );
    assert_eq!(
        q("_sort=name:desc"),
        vec!["R6", "R7", "R4", "R5", "R1", "R2", "R3"]
    );
    assert_eq!(q("_sort=-name"), q("_sort=name:desc"));
    assert_eq!(
        q("near=51.5:-0.1:11&_sort=name"),
        vec!["R3", "R1", "R2", "R4"]
    );
    assert_eq!(
        q("near=51.5:-0.1:11&_sort=-distance"),
        vec!["R3", "R1", "R2", "R4"]
    );
    assert_eq!(
        q("distinct-by=practitioner"),
        vec!["R1", "R3", "R4", "R5", "R6"]
    );
    assert_eq!(
        q("distinct-by=location"),
        vec!["R1", "R2", "R3", "R5", "R6", "R7"]
    );
    assert_eq!(
        q("distinct-by=practitioner&_sort=name:desc"),
        vec!["R6", "R4", "R5", "R1", "R3"]
    );
    // With near the first (nearest) role of SP1 is kept.
    assert_eq!(
        q("near=51.5:-0.1:11&distinct-by=practitioner"),
        vec!["R2", "R4", "R3"]
    );
    let b = roles(&conn, "distinct-by=practitioner&count=2").unwrap();
    assert_eq!(tag(&b, "maxCount"), "5");

    let b = roles(&conn, "practitioner=SP1&_include=practitioner:location").unwrap();
    assert_eq!(ids(&b), vec!["R1", "R2"]);
    assert_eq!(ids_of(&b, "include"), vec!["SP1", "L-IN", "L-NEAR"]);
    assert_eq!(b["total"], 2);
    assert_eq!(tag(&b, "maxCount"), "2");
    let b = roles(&conn, "practitioner=SP1&_include=PractitionerRole:location").unwrap();
    assert_eq!(ids_of(&b, "include"), vec!["L-IN", "L-NEAR"]);
    let b = roles(
        &conn,
        "location=L-NEAR&_include=PractitionerRole:practitioner",
    )
    .unwrap();
    assert_eq!(ids_of(&b, "include"), vec!["SP1", "SP3"]);
    let b = roles(
        &conn,
        "near=51.5:-0.1:10&_sort=distance&_include=practitioner:location",
    )
    .unwrap();
    assert_eq!(ids(&b), vec!["R2", "R4", "R1"]);
    assert_eq!(ids_of(&b, "include"), vec!["SP1", "SP3", "L-NEAR", "L-IN"]);
}

/// Pages through a search by following `next` links; returns all match ids and maxCount.
fn walk(conn: &Connection, first: &str, role: bool) -> (Vec<String>, u64) {
    let mut query = first.to_owned();
    let mut all = Vec::new();
    let mut max = 0;
    for _ in 0..10_000 {
        let b = if role {
            roles(conn, &query)
        } else {
            practitioners(conn, &query)
        }
        .unwrap();
        max = tag(&b, "maxCount").parse().unwrap();
        all.extend(ids(&b));
        match b["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
        {
            Some(next) => {
                let url = next["url"].as_str().unwrap();
                query = url.split_once('?').unwrap().1.to_owned();
            }
            None => break,
        }
    }
    (all, max)
}

#[test]
fn pages_never_overlap_or_skip() {
    let mut conn = db();
    let mut resources = Vec::new();
    generate(
        SynthSpec {
            practitioners: 1500,
            seed: 42,
        },
        |r| resources.push(r),
    );
    store_all(&mut conn, &resources);
    let all_ids = |sql: &str| -> Vec<String> {
        let mut s = conn.prepare(sql).unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };

    let (got, max) = walk(&conn, "count=37", false);
    assert_eq!(got, all_ids("SELECT id FROM practitioner ORDER BY id"));
    assert_eq!(max, 1500);

    let (got, max) = walk(&conn, "count=50&gender=female&insurer=bup", false);
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
    assert_eq!(got.len() as u64, max);
    assert!(max > 50, "several pages: {max}");

    for query in [
        "count=100&_sort=name",
        "count=33&_sort=name:desc&distinct-by=practitioner",
        "count=40&near=51.5:-0.12:25&_sort=distance",
        "count=40&near=51.5:-0.12:25&_sort=name:desc&distinct-by=location",
        "count=25&near=53.48:-2.24:30",
    ] {
        let (got, max) = walk(&conn, query, true);
        let unique: HashSet<_> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "{query}");
        assert_eq!(got.len() as u64, max, "{query}");
        assert!(max > 0, "{query}");
    }
    let (roles_all, _) = walk(&conn, "count=100", true);
    assert_eq!(
        roles_all,
        all_ids("SELECT id FROM practitioner_role ORDER BY id")
    );

    // Near in SQL+Rust equals brute force over every role.
    let centre = (51.5, -0.12);
    let mut brute: Vec<(f64, String)> = Vec::new();
    let mut s = conn
        .prepare("SELECT ri.role_id, li.lat, li.lon FROM role_ix ri JOIN location_ix li ON li.location_id = ri.location_id")
        .unwrap();
    let rows: Vec<(String, f64, f64)> = s
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, lat, lon) in rows {
        let d = practice_fhir::search::haversine_km(centre.0, centre.1, lat, lon);
        if d <= 25.0 {
            brute.push((d, id));
        }
    }
    brute.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (got, _) = walk(&conn, "count=40&near=51.5:-0.12:25&_sort=distance", true);
    assert_eq!(got, brute.into_iter().map(|(_, id)| id).collect::<Vec<_>>());
}

/// Role ids within `radius` km of `centre`, among `only` (all when `None`), in the order a
/// distance sort gives: distance (ascending or not), then id.
fn brute_near(
    conn: &Connection,
    centre: (f64, f64),
    radius: f64,
    ascending: bool,
    only: Option<&HashSet<String>>,
) -> Vec<String> {
    let mut s = conn
        .prepare("SELECT ri.role_id, li.lat, li.lon FROM role_ix ri JOIN location_ix li ON li.location_id = ri.location_id WHERE li.lat IS NOT NULL AND li.lon IS NOT NULL")
        .unwrap();
    let rows: Vec<(String, f64, f64)> = s
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut hits: Vec<(f64, String)> = rows
        .into_iter()
        .filter(|(id, _, _)| only.is_none_or(|o| o.contains(id)))
        .map(|(id, lat, lon)| {
            (
                practice_fhir::search::haversine_km(centre.0, centre.1, lat, lon),
                id,
            )
        })
        .filter(|(d, _)| *d <= radius)
        .collect();
    hits.sort_by(|a, b| {
        let o = a.0.total_cmp(&b.0);
        if ascending { o } else { o.reverse() }.then(a.1.cmp(&b.1))
    });
    hits.into_iter().map(|(_, id)| id).collect()
}

/// Every location's stored role count equals its roles in role_ix.
fn assert_role_counts(conn: &Connection) {
    let wrong: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM location_ix li WHERE li.roles != (SELECT COUNT(*) FROM role_ix ri WHERE ri.location_id = li.location_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wrong, 0, "locations with a stale role count");
}

#[test]
fn near_ranked_by_location_equals_brute_force_with_ties_filters_and_writes() {
    let mut conn = db();
    let mut resources = Vec::new();
    generate(
        SynthSpec {
            practitioners: 1200,
            seed: 7,
        },
        |r| resources.push(r),
    );
    // Ties: three locations at one point, two mirrored about the centre's meridian (the same
    // distance from a different point), with several roles each, so groups are cut by pages.
    let centre = (51.5, -0.12);
    let mut extra = Vec::new();
    for (i, (lat, lon)) in [
        (51.52, -0.13),
        (51.52, -0.13),
        (51.52, -0.13),
        (51.51, -0.17),
        (51.51, -0.07),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("TIE{i}");
        extra.push(location_json(
            &id,
            "Tie",
            "W1H 1AA",
            "London",
            lat,
            lon,
            "2025-01-01T00:00:00Z",
        ));
        for j in 0..7 {
            extra.push(role_json(
                &format!("TR{i}{j}"),
                (&format!("SP{:07}", j + 1), "Dr Tie"),
                (&id, "Tie"),
                None,
                None,
                &[],
                "2025-06-01T00:00:00Z",
            ));
        }
    }
    // Roles stored before their location still count (the location counts them).
    extra.rotate_left(1);
    resources.extend(extra);
    store_all(&mut conn, &resources);
    assert_role_counts(&conn);

    fn walk_ids(conn: &Connection, q: &str) -> Vec<String> {
        let (got, max) = walk(conn, q, true);
        assert_eq!(got.len() as u64, max, "{q}");
        got
    }
    for (q, ascending) in [
        ("near=51.5:-0.12:25&count=7", true),
        ("near=51.5:-0.12:25&_sort=distance:desc&count=11", false),
        ("near=51.5:-0.12:6&_sort=-distance&count=3", false),
        ("near=51.5:-0.12:6&count=100", true),
    ] {
        assert_eq!(
            walk_ids(&conn, q),
            brute_near(
                &conn,
                centre,
                if q.contains(":25") { 25.0 } else { 6.0 },
                ascending,
                None
            ),
            "{q}"
        );
    }
    // With filters: the filtered set (without near) measured by brute force.
    for filter in [
        "specialty=0003A",
        "ages-treated=C1,C2",
        "_lastUpdated=ge2025-06-01",
        "gender=female&insurer=bup",
    ] {
        let (set, _) = walk(&conn, &format!("{filter}&count=100"), true);
        let set: HashSet<String> = set.into_iter().collect();
        let q = format!("near=51.5:-0.12:25&{filter}&count=9");
        let want = brute_near(&conn, centre, 25.0, true, Some(&set));
        assert!(!want.is_empty(), "{q}");
        assert_eq!(walk_ids(&conn, &q), want, "{q}");
    }

    // Writes keep the counts in step: a role moved, a role deleted, a location replaced.
    let moved = role_json(
        "TR00",
        ("SP0000001", "Dr Tie"),
        ("TIE3", "Tie"),
        None,
        None,
        &[],
        "2025-07-01T00:00:00Z",
    );
    store_all(&mut conn, &[moved]);
    for st in practice_fhir::directory::index::delete_rows(
        practice_fhir::directory::ResourceKind::PractitionerRole,
        "TR41",
    ) {
        conn.execute(&st.sql, params_from_iter(st.params.iter().map(to_sql)))
            .unwrap();
    }
    let replaced = location_json(
        "TIE1",
        "Tie",
        "W1H 1AA",
        "London",
        51.52,
        -0.13,
        "2025-08-01T00:00:00Z",
    );
    store_all(&mut conn, &[replaced]);
    assert_role_counts(&conn);
    assert_eq!(
        walk_ids(&conn, "near=51.5:-0.12:25&count=7"),
        brute_near(&conn, centre, 25.0, true, None)
    );
}

/// Every row of every directory table, in a stable order.
fn dump(conn: &Connection) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                let mut cells = vec![t.clone()];
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    cells.push(format!("{v:?}"));
                }
                Ok(cells.join("|"))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.extend(rows);
    }
    out
}

#[test]
fn bulk_import_sql_stores_exactly_what_resource_by_resource_writes_store() {
    let mut resources = Vec::new();
    generate(
        SynthSpec {
            practitioners: 400,
            seed: 11,
        },
        |r| resources.push(r),
    );
    // A second load replaces some of them: roles moved to other locations, a location moved,
    // a practitioner renamed (old index rows must go).
    let mut second: Vec<Value> = Vec::new();
    for r in resources
        .iter()
        .filter(|r| r["resourceType"] == "PractitionerRole")
        .take(40)
    {
        let mut r = r.clone();
        r["location"][0]["reference"] = json!("Location/HP000003");
        second.push(r);
    }
    let mut moved = resources
        .iter()
        .find(|r| r["resourceType"] == "Location")
        .unwrap()
        .clone();
    moved["position"]["latitude"] = json!(52.2);
    second.push(moved);
    let mut renamed = resources
        .iter()
        .find(|r| r["resourceType"] == "Practitioner")
        .unwrap()
        .clone();
    renamed["name"][0]["family"] = json!("Quellingsworth");
    second.push(renamed);

    let mut one_by_one = db();
    store_all(&mut one_by_one, &resources);
    store_all(&mut one_by_one, &second);

    let bulk = db();
    // Files of 700 resources: roles arrive before and after their locations' files.
    for chunk in resources
        .chunks(700)
        .rev()
        .chain(std::iter::once(&second[..]))
    {
        let lines = practice_fhir::directory::bulk::bulk_sql(chunk).unwrap();
        assert!(
            lines.iter().all(|l| l.len() <= 100_000),
            "D1 statement limit"
        );
        bulk.execute_batch(&lines.join("\n")).unwrap();
    }
    assert_role_counts(&bulk);
    assert_eq!(dump(&bulk), dump(&one_by_one));
}

#[test]
fn bundle_links_page_like_a_fhir_client_expects() {
    let conn = crafted();
    let b = practitioners(&conn, "count=2&page=2&gender=female,male,other").unwrap();
    let links = b["link"].as_array().unwrap();
    assert_eq!(
        links[0]["url"],
        format!("{BASE}?count=2&gender=female%2Cmale%2Cother&page=2")
    );
    assert_eq!(links[1]["relation"], "next");
    assert_eq!(links[2]["relation"], "previous");
    assert_eq!(
        links[2]["url"],
        format!("{BASE}?count=2&gender=female%2Cmale%2Cother&page=1")
    );
    let b = practitioners(&conn, "count=2&page=9").unwrap();
    assert!(b.get("entry").is_none());
    assert_eq!(b["total"], 0);
    assert_eq!(tag(&b, "maxCount"), "5");
}

#[test]
fn replacing_a_resource_replaces_its_index_rows() {
    let mut conn = crafted();
    let mut a = spec("SP1", "Hamilton", "Warren", "male");
    a.last_updated = "2026-01-01T00:00:00Z".into();
    store_all(&mut conn, &[a.to_json()]);
    let q = |s: &str| ids(&practitioners(&conn, s).unwrap());
    assert_eq!(q("family=clinton"), none());
    assert_eq!(q("family=hamilton"), vec!["SP1"]);
    assert_eq!(q("insurer=nuh"), vec!["SP2"]);
}

fn arb_query() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "page",
        "count",
        "_count",
        "gender",
        "profession",
        "specialty",
        "subspecialty",
        "insurer",
        "insurer-provider-number",
        "insurer-recognition-status",
        "address-postalcode",
        "family",
        "given",
        "name",
        "identifier",
        "is-onlinebooking-available",
        "regulator-reference",
        "_lastUpdated",
        "near",
        "near-distance",
        "_sort",
        "_include",
        "distinct-by",
        "practitioner",
        "location",
        "ages-treated",
        "bogus",
    ]);
    let values = prop_oneof![
        "[a-zA-Z0-9 ,:|%'éë._-]{0,24}",
        prop::sample::select(vec![
            "male",
            "true",
            "false",
            "51.5:-0.1:5",
            "0:180:20000",
            "-90:-180:1:mi",
            "89.999:0:1e3",
            "name:desc",
            "distance",
            "practitioner:location",
            "ge2025-01",
            "W1H",
            "0003A,0000L",
            "1",
            "100",
            "0",
            "nan:1:1",
            "1e308:0:1",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec((names, values), 0..8).prop_map(|pairs| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, &v);
        }
        s.finish()
    })
}

thread_local! {
    static CRAFTED: Connection = crafted();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn odd_queries_never_panic_and_fail_with_documented_codes(query in arb_query()) {
        CRAFTED.with(|conn| -> Result<(), TestCaseError> {
            for role in [false, true] {
                let r = if role { roles(conn, &query) } else { practitioners(conn, &query) };
                if let Err(o) = r {
                    let status = o.http_status();
                    prop_assert!(status == 400 || status == 422, "{query}: {o}");
                }
            }
            Ok(())
        })?;
    }
}
