//! The npm skin (feature `wasm`): a few exported functions, each a couple of lines over the
//! core. Large values cross the JS/wasm boundary as JSON strings (serde_json inside wasm is
//! ~2-3x faster than converting JS objects field by field); errors become JS `Error`s that
//! carry the OperationOutcome as their `outcome` property.

use wasm_bindgen::prelude::*;

use crate::contracts::FeeRequest;
use crate::{ContractBook, OperationOutcome, QueryParams};

/// The package version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A FHIR OperationOutcome with the documents' MSG_* codes. */
export interface OperationOutcome {
  resourceType: "OperationOutcome";
  issue: Array<{
    severity: "fatal" | "error" | "warning" | "information";
    code: string;
    details?: { coding: Array<{ system: string; code: string; display: string }> };
    diagnostics: string;
    expression: string[];
    location?: string[];
  }>;
}
/** The Error thrown by parseResource and the ContractBook methods. */
export interface FhirError extends Error { outcome: OperationOutcome }
/** A money amount as the APIs write it: a JSON number with 2 decimal places. */
export interface Money { value: number; currency?: string }
/** The `$calculate-fee` response (JSON.parse of calculateFee's result). */
export interface CalculateFeeResponse {
  resourceType: "Contract";
  subject: Array<{ reference: string }>;
  type: { coding: Array<{ system: string; code: string; display: string }> };
  subType: Array<{ coding: Array<{ system: string; code: string; display: string }> }>;
  term: Array<{ asset: Array<{ extension?: Array<{ url: string; valueString?: string }>; valuedItem: Array<{ net?: Money }> }> }>;
}
/** The `$validation` response, with the verdict extensions when a `fee` was given. */
export interface PriceValidationResponse {
  resourceType: "Contract";
  term: Array<{ asset: Array<{ extension: Array<{ url: string; valueString: string }> }> }>;
}
/** A per-payor slice's `slice` member (`GET …/$snapshot?payor=bup`): the payors it covers
 *  (the asked ones plus the `slf` and `na` fallbacks), the instant it was read, and the
 *  `_lastUpdated` it was asked since (null for a whole slice). */
export interface SliceDescription { payors: string[]; lastUpdated: string; since: string | null }
/** The `$effective-prices` response. */
export interface EffectivePricesBundle {
  resourceType: "Bundle";
  type: "collection";
  total: number;
  meta: { tag: Array<{ code: "count" | "page" | "maxCount"; display: string }> };
  entry: Array<{ resource: { resourceType: "Contract"; id: string } & Record<string, unknown> }>;
}
"#;

/// Parses any modelled FHIR resource and returns it as normalised JSON; throws a
/// [`FhirError`] whose `outcome` is an OperationOutcome (`MSG_CANT_PARSE_CONTENT`, with the
/// FHIRPath of the offending element) when it cannot be parsed.
#[wasm_bindgen(js_name = parseResource)]
pub fn parse_resource(json: &str) -> Result<String, JsValue> {
    crate::fhir::parse_resource(json).map_err(|o| js_error(&o))
}

/// Validates a resource (UK Core Practitioner rules and R4 structure; Bundles entry by
/// entry) and returns the OperationOutcome: every issue with severity, code, diagnostics
/// and FHIRPath `expression`; a single informational issue when all is well.
#[wasm_bindgen(js_name = validateResource, unchecked_return_type = "OperationOutcome")]
pub fn validate_resource(json: &str) -> JsValue {
    let outcome = crate::fhir::validate_resource(json);
    js_sys::JSON::parse(&outcome.to_json_string()).unwrap_or(JsValue::NULL)
}

/// Turns an OperationOutcome into a JS `Error` whose message is the diagnostics and whose
/// `outcome` property is the OperationOutcome JSON object.
fn js_error(outcome: &OperationOutcome) -> JsValue {
    let err = js_sys::Error::new(&outcome.to_string());
    let parsed = js_sys::JSON::parse(&outcome.to_json_string()).unwrap_or(JsValue::NULL);
    // Setting a property on a fresh Error object cannot fail; ignore the Result anyway.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("outcome"), &parsed);
    err.into()
}

/// One site's contracts, loaded from a snapshot (the edge serves it at
/// `GET /contract/site/{site}/$snapshot`) or built up from per-payor slices merged into an
/// empty book, then asked as often as a page needs: every answer is the JSON the edge
/// returns for the same query string.
#[wasm_bindgen(js_name = ContractBook)]
pub struct JsContractBook {
    inner: ContractBook,
}

#[wasm_bindgen(js_class = ContractBook)]
impl JsContractBook {
    /// Loads a ContractBook snapshot (JSON string); throws with the OperationOutcome.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(snapshot: &str) -> Result<JsContractBook, JsValue> {
        ContractBook::from_snapshot_json(snapshot)
            .map(|inner| JsContractBook { inner })
            .map_err(|o| js_error(&o))
    }

    /// An empty book of `site`, to merge per-payor slices into (see `mergeSlice`).
    pub fn empty(site: &str) -> JsContractBook {
        JsContractBook {
            inner: ContractBook::new(site),
        }
    }

    /// Merges a slice (`GET /contract/site/{site}/$snapshot?payor=...`, or what changed since
    /// with `&_lastUpdated=gt...`) into the book: its `removed` entries go, the rest is added
    /// or replaced. Throws with the OperationOutcome on a bad slice or one of another site,
    /// leaving the book as it was.
    #[wasm_bindgen(js_name = mergeSlice)]
    pub fn merge_slice(&mut self, json: &str) -> Result<(), JsValue> {
        // The core merges in place and can fail part way (a contract id taken by another
        // payor); merging into a copy keeps a page's book whole when a slice is refused.
        let mut merged = self.inner.clone();
        merged.merge_snapshot_json(json).map_err(|o| js_error(&o))?;
        self.inner = merged;
        Ok(())
    }

    /// The book's snapshot (JSON string).
    #[wasm_bindgen(js_name = toSnapshot)]
    pub fn to_snapshot(&self) -> String {
        self.inner.to_snapshot_json()
    }

    /// `$calculate-fee` for a query string (`site=...&payor=...&service-type=...`).
    #[wasm_bindgen(js_name = calculateFee)]
    pub fn calculate_fee(&self, query: &str) -> Result<String, JsValue> {
        answer(
            self.inner
                .calculate_fee(&QueryParams::from_query(query, false)),
        )
    }

    /// The fee alone as a string with 2 decimals (`"290.00"`): the same arithmetic as
    /// `calculateFee`, without building the response, for pricing on every keystroke.
    #[wasm_bindgen(js_name = feeTotal)]
    pub fn fee_total(&self, query: &str) -> Result<String, JsValue> {
        let params = QueryParams::from_query(query, false);
        FeeRequest::from_params(&params)
            .and_then(|req| self.inner.fee_total(&req))
            .map(crate::money::money_string)
            .map_err(|o| js_error(&o))
    }

    /// `$effective-prices` for a query string.
    #[wasm_bindgen(js_name = effectivePrices)]
    pub fn effective_prices(&self, query: &str) -> Result<String, JsValue> {
        answer(
            self.inner
                .effective_prices(&QueryParams::from_query(query, false)),
        )
    }

    /// `$validation` for a query string; with `fee=...` the verdict on that fee.
    #[wasm_bindgen(js_name = validatePrice)]
    pub fn validate_price(&self, query: &str) -> Result<String, JsValue> {
        answer(
            self.inner
                .validate_price(&QueryParams::from_query(query, false)),
        )
    }
}

fn answer(result: Result<serde_json::Value, OperationOutcome>) -> Result<String, JsValue> {
    result.map(|v| v.to_string()).map_err(|o| js_error(&o))
}
