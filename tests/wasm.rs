//! wasm-bindgen tests of the npm skin: run in Node (`wasm-pack test --node`) and in headless
//! Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome`).
#![cfg(target_arch = "wasm32")]

use practice_fhir::wasm::{self, JsContractBook};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// The OperationOutcome a thrown JS Error carries, as a JSON string.
fn thrown_outcome(err: JsValue) -> String {
    let outcome = js_sys::Reflect::get(&err, &JsValue::from_str("outcome")).unwrap();
    js_sys::JSON::stringify(&outcome).unwrap().into()
}

/// The browser (or Node) gives the very bytes the native build pinned in
/// `tests/golden/parity_cases.json` (see `tests/parity.rs`): 1,200 seeded cases of fee
/// calculation, effective prices and price validation, errors included.
#[wasm_bindgen_test]
fn npm_answers_equal_native_answers_on_the_pinned_cases() {
    let file: Value = serde_json::from_str(include_str!("golden/parity_cases.json")).unwrap();
    let book = JsContractBook::from_snapshot(file["snapshot"].as_str().unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 1_000);
    for case in cases {
        let query = case["query"].as_str().unwrap();
        let got = match case["op"].as_str().unwrap() {
            "fee" => book.calculate_fee(query),
            "effective" => book.effective_prices(query),
            _ => book.validate_price(query),
        }
        .unwrap_or_else(thrown_outcome);
        assert_eq!(got, case["expected"].as_str().unwrap(), "{query}");
    }
}

#[wasm_bindgen_test]
fn a_bad_snapshot_throws_an_error_carrying_the_outcome() {
    let err = JsContractBook::from_snapshot("{not json").err().unwrap();
    assert!(thrown_outcome(err).contains("MSG_"));
}

/// Every seed sample parses in wasm to the same normalised JSON as natively.
#[wasm_bindgen_test]
fn parse_resource_in_wasm_equals_native_on_the_seed_samples() {
    let samples = [
        include_str!("fixtures/000_01_search_practitioner_endpoint_response.json"),
        include_str!("fixtures/000_03_search_practitionerrole_endpoint_response.json"),
        include_str!(
            "fixtures/001_22_set_contract_price_withpractitionerbespoke_endpoint_response.json"
        ),
        include_str!("fixtures/001_25_calculate_service_fee_withprocedure_endpoint_response.json"),
        include_str!("fixtures/004_02_example_response.json"),
    ];
    for sample in samples {
        let native = practice_fhir::parse_resource(sample).unwrap();
        assert_eq!(wasm::parse_resource(sample).unwrap(), native);
        assert!(native.contains("290.00") || !sample.contains("290.00"));
    }
}

#[wasm_bindgen_test]
fn validate_resource_returns_the_outcome_object_with_fhirpaths() {
    let bad = r#"{"resourceType":"Practitioner","name":[{"use":"official","family":"X"}],
        "identifier":[{"system":"https://fhir.hl7.org.uk/Id/gmc-number","value":"1234567"}],"gender":"bogus"}"#;
    let outcome = wasm::validate_resource(bad);
    let text: String = js_sys::JSON::stringify(&outcome).unwrap().into();
    let native = practice_fhir::validate_resource(bad).to_json_string();
    assert_eq!(text, native);
    assert!(text.contains("Practitioner.identifier[0].value"));
    assert!(text.contains("Practitioner.gender"));
}

#[wasm_bindgen_test]
fn parse_resource_throws_an_error_carrying_the_outcome() {
    let err = wasm::parse_resource("{\"resourceType\": \"Practitioner\", \"active\": \"yes\"}")
        .err()
        .unwrap();
    let outcome = thrown_outcome(err);
    assert!(outcome.contains("MSG_CANT_PARSE_CONTENT"));
    assert!(outcome.contains("Practitioner.active"));
}
