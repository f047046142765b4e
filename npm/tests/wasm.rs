//! wasm-bindgen tests of the npm skin: run in Node (`wasm-pack test --node`) and in headless
//! Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome`).
#![cfg(target_arch = "wasm32")]
// clippy.toml's allow-unwrap-in-tests knows #[test], not #[wasm_bindgen_test].
#![allow(clippy::unwrap_used)]

use practice_fhir::ContractBook;
use practice_fhir_npm::{self as wasm, JsContractBook, Thrown};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// A string as the JsValue JavaScript passes.
fn js(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// A JSON text as the object JavaScript passes.
fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// A JS value as JSON text.
fn text(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().into()
}

/// The OperationOutcome a thrown JS Error carries, as a JSON string.
fn thrown_outcome(err: Thrown) -> String {
    let err: JsValue = err.into();
    assert!(err.is_instance_of::<js_sys::Error>());
    let outcome = js_sys::Reflect::get(&err, &JsValue::from_str("outcome")).unwrap();
    text(&outcome)
}

/// The message of a thrown TypeError (and that it is one).
fn thrown_type_error(err: Thrown) -> String {
    let err: JsValue = err.into();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    err.unchecked_into::<js_sys::Error>().message().into()
}

/// The browser (or Node) gives the very bytes the native build pinned in
/// `tests/golden/parity_cases.json` (see `tests/parity.rs`): 1,200 seeded cases of fee
/// calculation, effective prices and price validation, errors included.
#[wasm_bindgen_test]
fn npm_answers_equal_native_answers_on_the_pinned_cases() {
    let file: Value =
        serde_json::from_str(include_str!("../../tests/golden/parity_cases.json")).unwrap();
    let book = JsContractBook::from_snapshot(js(file["snapshot"].as_str().unwrap())).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 1_000);
    for case in cases {
        assert_case(&book, case);
    }
}

#[wasm_bindgen_test]
fn a_bad_snapshot_throws_an_error_carrying_the_outcome() {
    let err = JsContractBook::from_snapshot(js("{not json"))
        .err()
        .unwrap();
    assert!(thrown_outcome(err).contains("MSG_"));
}

/// Every seed sample parses in wasm to the same normalised JSON as natively.
#[wasm_bindgen_test]
fn parse_resource_in_wasm_equals_native_on_the_seed_samples() {
    let samples = [
        include_str!("../../tests/fixtures/000_01_search_practitioner_endpoint_response.json"),
        include_str!("../../tests/fixtures/000_03_search_practitionerrole_endpoint_response.json"),
        include_str!(
            "../../tests/fixtures/001_22_set_contract_price_withpractitionerbespoke_endpoint_response.json"
        ),
        include_str!("../../tests/fixtures/001_25_calculate_service_fee_withprocedure_endpoint_response.json"),
        include_str!("../../tests/fixtures/004_02_example_response.json"),
    ];
    for sample in samples {
        let native = practice_fhir::parse_resource(sample).unwrap();
        assert_eq!(wasm::parse_resource_json(js(sample)).unwrap(), native);
        assert_eq!(
            text(&wasm::parse_resource(js(sample)).unwrap()),
            text(&obj(&native))
        );
        assert_eq!(
            text(&wasm::parse_resource(obj(sample)).unwrap()),
            text(&obj(&native))
        );
        assert!(native.contains("290.00") || !sample.contains("290.00"));
    }
}

#[wasm_bindgen_test]
fn validate_resource_returns_the_outcome_object_with_fhirpaths() {
    let bad = r#"{"resourceType":"Practitioner","name":[{"use":"official","family":"X"}],
        "identifier":[{"system":"https://fhir.hl7.org.uk/Id/gmc-number","value":"1234567"}],"gender":"bogus"}"#;
    let outcome = wasm::validate_resource(js(bad)).unwrap();
    let text = text(&outcome);
    assert_eq!(
        text,
        self::text(&wasm::validate_resource(obj(bad)).unwrap())
    );
    let native = practice_fhir::validate_resource(bad).to_json_string();
    assert_eq!(text, native);
    assert!(text.contains("Practitioner.identifier[0].value"));
    assert!(text.contains("Practitioner.gender"));
}

#[wasm_bindgen_test]
fn parse_resource_throws_an_error_carrying_the_outcome() {
    let err = wasm::parse_resource(js(
        "{\"resourceType\": \"Practitioner\", \"active\": \"yes\"}",
    ))
    .err()
    .unwrap();
    let outcome = thrown_outcome(err);
    assert!(outcome.contains("MSG_CANT_PARSE_CONTENT"));
    assert!(outcome.contains("Practitioner.active"));
}

/// The slice the edge serves for `payor` (`GET …/$snapshot?payor=…`), cut from a whole-site
/// snapshot by its definition: the payor's contract and the `slf`/`na` fallbacks, every
/// self-pay list and practitioner, the prices of those contracts, the multi-procedure sets
/// those contracts use or their payors own, and those payors' tariffs.
fn slice_of(whole: &Value, payor: &str) -> String {
    let covered = |p: &Value| [payor, "slf", "na"].contains(&p.as_str().unwrap_or(""));
    let list = |name: &str| whole[name].as_array().cloned().unwrap_or_default();
    let payors: Vec<Value> = list("payors")
        .into_iter()
        .filter(|c| covered(&c["payor"]))
        .collect();
    let contracts: Vec<Value> = payors
        .iter()
        .chain(list("selfPay").iter())
        .map(|c| c["id"].clone())
        .collect();
    let sets: Vec<Value> = payors.iter().map(|c| c["multiProcSet"].clone()).collect();
    let mut names: Vec<&str> = vec![payor, "slf", "na"];
    names.sort_unstable();
    serde_json::json!({
        "site": whole["site"],
        "practitioners": list("practitioners"),
        "payors": payors,
        "selfPay": list("selfPay"),
        "prices": list("prices").into_iter().filter(|p| contracts.contains(&p["contract"])).collect::<Vec<_>>(),
        "multiProcSets": list("multiProcSets").into_iter().filter(|s| sets.contains(&s["id"]) || covered(&s["payor"])).collect::<Vec<_>>(),
        "tariffs": list("tariffs").into_iter().filter(|t| covered(&t["payor"])).collect::<Vec<_>>(),
        "slice": {"payors": names, "lastUpdated": "2026-12-01T09:00:00.000Z", "since": null},
    })
    .to_string()
}

/// The payor a pinned case asks about (`payor=` or, for `$validation`, `payorId=`).
/// Answers one pinned parity case (`op`, `query`) and compares the text with `expected`.
fn assert_case(book: &JsContractBook, case: &Value) {
    let query = case["query"].as_str().unwrap();
    let got = match case["op"].as_str().unwrap() {
        "fee" => book.calculate_fee_json(js(query)),
        "effective" => book.effective_prices_json(js(query)),
        _ => book.validate_price_json(js(query)),
    }
    .unwrap_or_else(thrown_outcome);
    assert_eq!(got, case["expected"].as_str().unwrap(), "{query}");
}

fn payor_of(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("payor=").or(kv.strip_prefix("payorId=")))
}

/// A page that loads two payors' slices into one empty book gets, for those payors, the very
/// bytes the whole-site book gives on the pinned cases (fees, effective prices, validation).
#[wasm_bindgen_test]
fn two_payor_slices_merged_into_an_empty_book_price_as_the_whole_site() {
    let file: Value =
        serde_json::from_str(include_str!("../../tests/golden/parity_cases.json")).unwrap();
    let whole: Value = serde_json::from_str(file["snapshot"].as_str().unwrap()).unwrap();
    let mut book = JsContractBook::empty(js("HCSYN01")).unwrap();
    book.merge_slice(js(&slice_of(&whole, "bup"))).unwrap();
    book.merge_slice(obj(&slice_of(&whole, "axa"))).unwrap();
    let held: Value = serde_json::from_str(&book.to_snapshot_json()).unwrap();
    let held_payors: Vec<&str> = held["payors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payor"].as_str().unwrap())
        .collect();
    assert_eq!(held_payors, ["slf", "na", "bup", "axa"]);
    let mut compared = 0;
    for case in file["cases"].as_array().unwrap() {
        let query = case["query"].as_str().unwrap();
        if !matches!(payor_of(query), Some("bup" | "axa")) {
            continue;
        }
        assert_case(&book, case);
        compared += 1;
    }
    assert_eq!(compared, 154 + 163 + 25 + 16 + 100);
}

/// A slice since a time refreshes a book in place: a changed price is repriced, a removed
/// one is gone (the fee falls back to `na`), exactly as the native book with those edits.
#[wasm_bindgen_test]
fn a_delta_slice_changes_and_removes_prices_in_place() {
    let whole_json = r#"{"site":"S1","practitioners":["SP1"],
      "payors":[{"id":"1","payor":"bup","type":"I","display":"BUPA"},{"id":"2","payor":"na","type":"I"},{"id":"3","payor":"slf","type":"I"}],
      "prices":[{"contract":"1","service":"ISC/C0000010","procedure":"CCSD/A3000","net":"232.00","lastUpdated":"2026-11-01T00:00:00Z"},
                {"contract":"1","service":"ISC/C0000010","procedure":"CCSD/W3712","net":"1800.00","lastUpdated":"2026-11-01T00:00:00Z"},
                {"contract":"2","service":"ISC/C0000010","procedure":"CCSD/W3712","net":"1500.00"}]}"#;
    let whole: Value = serde_json::from_str(whole_json).unwrap();
    let mut book = JsContractBook::empty(js("S1")).unwrap();
    book.merge_slice(js(&slice_of(&whole, "bup"))).unwrap();
    let fee = |book: &JsContractBook, procedure: &str| {
        book.fee_total(js(&format!(
            "site=S1&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/{procedure}"
        )))
        .unwrap_or_else(thrown_outcome)
    };
    assert_eq!(fee(&book, "A3000"), "232.00");
    assert_eq!(fee(&book, "W3712"), "1800.00");
    let delta = r#"{"site":"S1","practitioners":["SP1"],
      "payors":[{"id":"1","payor":"bup","type":"I","display":"BUPA"},{"id":"2","payor":"na","type":"I"},{"id":"3","payor":"slf","type":"I"}],
      "prices":[{"contract":"1","service":"ISC/C0000010","procedure":"CCSD/A3000","net":"240.00","lastUpdated":"2026-12-01T10:00:00Z"}],
      "removed":[{"kind":"price","key":{"contract":"1","service":"ISC/C0000010","procedure":"CCSD/W3712"},"at":"2026-12-01T10:00:01Z"}],
      "slice":{"payors":["bup","na","slf"],"lastUpdated":"2026-12-01T10:00:02Z","since":"gt2026-12-01T09:00:00.000Z"}}"#;
    book.merge_slice(js(delta)).unwrap();
    assert_eq!(fee(&book, "A3000"), "240.00");
    assert_eq!(
        fee(&book, "W3712"),
        "1500.00",
        "the removed bup price falls back to na"
    );

    let mut native = ContractBook::from_snapshot_json(whole_json).unwrap();
    native.merge_snapshot_json(delta).unwrap();
    assert_eq!(book.to_snapshot_json(), native.to_snapshot_json());
    let query = "site=S1&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/A3000,CCSD/W3712&breakdown=true";
    assert_eq!(
        book.calculate_fee_json(js(query)).unwrap(),
        native
            .calculate_fee(&practice_fhir::QueryParams::from_query(query, false))
            .unwrap()
            .to_string()
    );
}

/// A slice of another site, or one that is not a slice, is refused with the outcome, and the
/// book keeps what it had.
#[wasm_bindgen_test]
fn a_bad_slice_throws_the_outcome_and_leaves_the_book_as_it_was() {
    let mut book = JsContractBook::empty(js("S1")).unwrap();
    book.merge_slice(js(
        r#"{"site":"S1","payors":[{"id":"1","payor":"bup","type":"I"}],
          "prices":[{"contract":"1","service":"ISC/C0000010","net":"90.00"}]}"#,
    ))
    .unwrap();
    let before = book.to_snapshot_json();
    let other = book
        .merge_slice(js(
            r#"{"site":"S2","payors":[{"id":"9","payor":"axa","type":"I"}]}"#,
        ))
        .err()
        .unwrap();
    assert!(thrown_outcome(other).contains("The slice is of site 'S2', not 'S1'."));
    // Contract 1 is bup's: the core refuses axa's only after it has removed the price.
    let taken = book
        .merge_slice(js(
            r#"{"site":"S1","payors":[{"id":"1","payor":"axa","type":"I"}],
              "removed":[{"kind":"price","key":{"contract":"1","service":"ISC/C0000010"}}]}"#,
        ))
        .err()
        .unwrap();
    assert!(thrown_outcome(taken).contains("MSG_ENTITY_ALREADY_EXISTS"));
    let junk = book.merge_slice(js("{not json")).err().unwrap();
    assert!(thrown_outcome(junk).contains("MSG_CANT_PARSE_CONTENT"));
    assert_eq!(book.to_snapshot_json(), before);
}

/// The issue's example: a request object in, the Contract object out, net 290 (and the same
/// answer as the edge's query string for it).
#[wasm_bindgen_test]
fn calculate_fee_takes_a_request_object_and_answers_the_contract_object() {
    let seeds: Value =
        serde_json::from_str(include_str!("../../data/seed-contracts.json")).unwrap();
    let site = seeds
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["site"] == "HC00HM4")
        .unwrap();
    let book = JsContractBook::from_snapshot(obj(&site.to_string())).unwrap();
    let request = obj(
        r#"{"site":"HC00HM4","payor":"bup","payorType":"I","providerType":"S",
        "serviceType":"ISC/C0000010","procedureCodes":["CCSD/A3000","9BUPP/AA207"],
        "location":"HP002694","breakdown":true}"#,
    );
    let fee = book.calculate_fee(request.clone()).unwrap();
    let net = js_sys::Reflect::get(&fee, &js("term")).unwrap();
    let net: Value = serde_json::from_str(&text(&net)).unwrap();
    assert_eq!(net[0]["asset"][0]["valuedItem"][0]["net"]["value"], 290);
    let query = "site=HC00HM4&payor=bup&payor-type=I&provider-type=S&service-type=ISC/C0000010\
        &procedure-code=CCSD/A3000,9BUPP/AA207&location=HP002694&breakdown=true";
    assert_eq!(
        text(&fee),
        text(&obj(&book.calculate_fee_json(js(query)).unwrap()))
    );
    assert_eq!(book.fee_total(request).unwrap(), "290.00");
}

/// A wrong argument type is a TypeError naming the parameter, never a trap in the wasm.
#[wasm_bindgen_test]
fn wrong_argument_types_are_type_errors_naming_the_parameter() {
    let book = JsContractBook::empty(js("S1")).unwrap();
    assert_eq!(
        thrown_type_error(book.calculate_fee(JsValue::from_f64(3.0)).err().unwrap()),
        "calculateFee: request must be a request object or a query string (got number)"
    );
    assert_eq!(
        thrown_type_error(
            book.fee_total(obj(r#"{"payor":"bup","serviceType":{"code":"x"}}"#))
                .err()
                .unwrap()
        ),
        "feeTotal: request.serviceType must be a string, number, boolean or array of strings (got object)"
    );
    assert_eq!(
        thrown_type_error(
            book.calculate_fee(obj(r#"{"procedureCodes":["CCSD/A3000",7]}"#))
                .err()
                .unwrap()
        ),
        "calculateFee: request.procedureCodes must be an array of strings (got number)"
    );
    assert_eq!(
        thrown_type_error(book.calculate_fee_json(JsValue::TRUE).err().unwrap()),
        "calculateFeeJson: request must be a request object or a query string (got boolean)"
    );
    assert_eq!(
        thrown_type_error(wasm::validate_resource(JsValue::NULL).err().unwrap()),
        "validateResource: resource must be a JSON string or an object (got null)"
    );
    assert_eq!(
        thrown_type_error(wasm::parse_resource_json(obj("{}")).err().unwrap()),
        "parseResourceJson: json must be a JSON string (got object)"
    );
    assert_eq!(
        thrown_type_error(
            wasm::check_identifier(js("x"), JsValue::from_f64(1.0))
                .err()
                .unwrap()
        ),
        "checkIdentifier: value must be a string (got number)"
    );
    // An unknown request member is the edge's unknown parameter, with its outcome.
    let unknown = book.calculate_fee(obj(
        r#"{"payor":"bup","serviceType":"ISC/C0000010","colour":"red"}"#,
    ));
    assert!(thrown_outcome(unknown.err().unwrap()).contains("colour"));
}

#[wasm_bindgen_test]
fn check_identifier_names_the_constraint() {
    let gmc = "https://fhir.hl7.org.uk/Id/gmc-number";
    let bad = text(&wasm::check_identifier(js(gmc), js("1234567")).unwrap());
    assert_eq!(
        bad,
        practice_fhir::check_identifier(gmc, "1234567").to_json_string()
    );
    assert!(bad.contains("prac-gmc: GMC must be of the format CNNNNNNN"));
    let good = text(&wasm::check_identifier(js(gmc), js("C2134567")).unwrap());
    assert_eq!(
        good,
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational","diagnostics":"All OK","expression":[]}]}"#
    );
}
