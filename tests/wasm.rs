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
/// `tests/fixtures/parity_cases.json` (see `tests/parity.rs`): 1,200 seeded cases of fee
/// calculation, effective prices and price validation, errors included.
#[wasm_bindgen_test]
fn npm_answers_equal_native_answers_on_the_pinned_cases() {
    let file: Value = serde_json::from_str(include_str!("fixtures/parity_cases.json")).unwrap();
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
