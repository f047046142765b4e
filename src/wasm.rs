//! The npm skin (feature `wasm`): a few exported functions, each a couple of lines over the
//! core. Large values cross the JS/wasm boundary as JSON strings (serde_json inside wasm is
//! ~2-3x faster than converting JS objects field by field); errors become JS `Error`s that
//! carry the OperationOutcome as their `outcome` property.

use wasm_bindgen::prelude::*;

use crate::OperationOutcome;

/// The package version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// Turns an OperationOutcome into a JS `Error` whose message is the first diagnostic and
/// whose `outcome` property is the OperationOutcome JSON object.
#[allow(dead_code)]
fn js_error(outcome: &OperationOutcome) -> JsValue {
    let err = js_sys::Error::new(&outcome.to_string());
    let parsed = js_sys::JSON::parse(&outcome.to_json_string()).unwrap_or(JsValue::NULL);
    // Setting a property on a fresh Error object cannot fail; ignore the Result anyway.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("outcome"), &parsed);
    err.into()
}
