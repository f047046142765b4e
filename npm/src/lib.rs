//! The npm skin of practice-fhir: the package `practice-fhir` (this crate with its default
//! `fhir` feature) and its `practice-fhir/fees` entry (`--no-default-features`: contracts and
//! fees only). Each export is a couple of lines over the core.
//!
//! What crosses the boundary, and why:
//! - Requests are small objects (`{ payor: 'bup', serviceType: 'ISC/C0000010', … }`) read
//!   key by key, or the edge's query string; both become the core's [`QueryParams`], so the
//!   page and the edge share every rule and every error.
//! - Resources, snapshots and answers are large: they cross as JSON text (V8's
//!   `JSON.stringify`/`JSON.parse` on the JS side, the core's own reader and writer inside),
//!   measured faster than walking objects field by field; an object given is stringified by
//!   V8 first. The `…Json` variants hand back the text itself, for callers that forward it
//!   (see docs/benchmarks.md).
//! - Errors cross once, through [`Thrown`]: a domain error is an `Error` carrying the
//!   OperationOutcome as `.outcome`; a wrong argument is a `TypeError` naming the parameter.

use js_sys::{Array, Object, JSON};
use practice_fhir::contracts::FeeRequest;
use practice_fhir::{ContractBook, OperationOutcome, QueryParams};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What an export throws.
#[derive(Debug)]
pub enum Thrown {
    /// A domain error: thrown as an `Error` whose `outcome` is the OperationOutcome.
    Outcome(OperationOutcome),
    /// An argument of the wrong type: thrown as a `TypeError` with this message.
    Type(String),
}

impl From<OperationOutcome> for Thrown {
    fn from(outcome: OperationOutcome) -> Thrown {
        Thrown::Outcome(outcome)
    }
}

impl From<Thrown> for JsValue {
    fn from(thrown: Thrown) -> JsValue {
        match thrown {
            Thrown::Outcome(outcome) => {
                let err = js_sys::Error::new(&outcome.to_string());
                // Setting a property on a fresh Error cannot fail; ignore the Result anyway.
                let _ = js_sys::Reflect::set(
                    &err,
                    &JsValue::from_str("outcome"),
                    &object(&outcome.to_json_string()),
                );
                err.into()
            }
            Thrown::Type(message) => js_sys::TypeError::new(&message).into(),
        }
    }
}

/// The result of an export: its value, or what it throws.
type Answer<T> = Result<T, Thrown>;

/// A JSON text the core wrote, as a JS object (V8's `JSON.parse`).
fn object(json: &str) -> JsValue {
    // The core writes valid JSON; null is unreachable, but never a panic.
    JSON::parse(json).unwrap_or(JsValue::NULL)
}

/// What a JS value is, for a TypeError (`typeof`, with null and arrays told apart).
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

/// The TypeError for `parameter` of `function`, which expected `expected`.
fn wrong_type(function: &str, parameter: &str, expected: &str, got: &JsValue) -> Thrown {
    Thrown::Type(format!(
        "{function}: {parameter} must be {expected} (got {})",
        type_name(got)
    ))
}

/// A JSON document given as its text or as an object (stringified by V8).
fn json_text(value: &JsValue, function: &str, parameter: &str, expected: &str) -> Answer<String> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_object() && !value.is_null() {
        if let Some(text) = JSON::stringify(value).ok().and_then(|t| t.as_string()) {
            return Ok(text);
        }
    }
    Err(wrong_type(function, parameter, expected, value))
}

/// The request object's names that differ from the edge's query parameter names.
const REQUEST_NAMES: [(&str, &str); 7] = [
    ("payorType", "payor-type"),
    ("providerType", "provider-type"),
    ("serviceType", "service-type"),
    ("serviceCode", "service-code"),
    ("procedureCodes", "procedure-code"),
    ("procedureCode", "procedure-code"),
    ("lastUpdated", "_lastUpdated"),
];

/// A request given as an object (`{ payor: 'bup', procedureCodes: ['CCSD/A3000'] }`) or as
/// the edge's query string, as the core's query parameters. Names the core does not know
/// pass through unchanged, so the core refuses them as the edge does (`MSG_PARAM_UNKNOWN`).
fn request(value: &JsValue, function: &str, expected: &str) -> Answer<QueryParams> {
    if let Some(query) = value.as_string() {
        return Ok(QueryParams::from_query(&query, false));
    }
    if !value.is_object() || value.is_null() || Array::is_array(value) {
        return Err(wrong_type(function, "request", expected, value));
    }
    let entries = Object::entries(value.unchecked_ref::<Object>());
    let mut pairs = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let item = entry.get(1);
        let text = if item.is_undefined() || item.is_null() {
            continue;
        } else if let Some(text) = item.as_string() {
            text
        } else if let Some(flag) = item.as_bool() {
            flag.to_string()
        } else if item.as_f64().is_some() {
            // JavaScript's own String(n) (Rust's float formatting would add ~11 KB).
            item.unchecked_ref::<js_sys::Number>()
                .to_string_with_radix(10)
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default()
        } else if Array::is_array(&item) {
            let mut joined = Vec::new();
            for code in item.unchecked_ref::<Array>().iter() {
                match code.as_string() {
                    Some(code) => joined.push(code),
                    None => {
                        return Err(wrong_type(
                            function,
                            &format!("request.{key}"),
                            "an array of strings",
                            &code,
                        ))
                    }
                }
            }
            joined.join(",")
        } else {
            return Err(wrong_type(
                function,
                &format!("request.{key}"),
                "a string, number, boolean or array of strings",
                &item,
            ));
        };
        let name = REQUEST_NAMES
            .iter()
            .find(|(js, _)| *js == key)
            .map_or(key.as_str(), |(_, edge)| edge);
        pairs.push((name.to_string(), text));
    }
    Ok(QueryParams::new(pairs, false))
}

/// The package version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    practice_fhir::VERSION.to_string()
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
/** The Error thrown by parseResource and the ContractBook methods on a domain error (a
 *  wrong argument type is a plain `TypeError` instead). */
export interface FhirError extends Error { outcome: OperationOutcome }
/** A FHIR resource as JSON (`resourceType` plus its elements). */
export interface FhirResource { resourceType: string; [element: string]: unknown }
/** A money amount as the APIs write it: a JSON number with 2 decimal places. */
export interface Money { value: number; currency?: string }
/** A `$calculate-fee` request: the edge's query parameters under camelCase names
 *  (`serviceType` is `service-type`, `procedureCodes` is `procedure-code`). */
export interface CalculateFeeRequest {
  /** The site, checked against the book's when given (`HC00HM4`). */
  site?: string;
  /** The payor (`bup`); `payorId` is a synonym. */
  payor?: string;
  payorId?: string;
  /** `I` (insurer) or `C` (corporate), checked against the payor's contract. */
  payorType?: string;
  /** The provider type (`S` specialist). */
  providerType?: string;
  /** The practitioner, for bespoke and self-pay prices. */
  practitioner?: string;
  /** The location, for location-specific prices (`HP002694`). */
  location?: string;
  /** The service (`ISC/C0000010`). */
  serviceType: string;
  /** The procedures, in order (`['CCSD/A3000', '9BUPP/AA207']`). */
  procedureCodes?: string[];
  /** Whether the response carries the per-procedure breakdown. */
  breakdown?: boolean;
}
/** An `$effective-prices` request: the edge's query parameters under camelCase names. */
export interface EffectivePricesRequest {
  site?: string;
  location?: string;
  payor?: string;
  payorId?: string;
  practitioner?: string;
  /** The service code (`ISC/C0000010`). */
  serviceCode?: string;
  /** The page (1-based) and page size. */
  page?: number;
  count?: number;
  _count?: number;
  /** Only prices changed since (`gt2026-12-01T09:00:00Z`). */
  lastUpdated?: string;
}
/** A `$validation` request; with `fee` the verdict on that fee. */
export interface PriceValidationRequest {
  site?: string;
  payor?: string;
  payorId?: string;
  /** The service or procedure code (`ISC/C0000010`). */
  code: string;
  /** `service` or `procedure`. */
  codeType?: string;
  payorType?: string;
  practitioner?: string;
  /** The fee to judge, as a number or a decimal string (`'290.00'`). */
  fee?: number | string;
}
/** The `$calculate-fee` response. */
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
/** A ContractBook snapshot (`GET /contract/site/{site}/$snapshot`) or a slice of one. */
export interface ContractBookSnapshot {
  site: string;
  practitioners?: string[];
  payors?: Array<{ id: string; payor: string; type: string; display?: string } & Record<string, unknown>>;
  selfPay?: Array<Record<string, unknown>>;
  prices?: Array<{ contract: string; service: string; procedure?: string; net: string } & Record<string, unknown>>;
  multiProcSets?: Array<Record<string, unknown>>;
  tariffs?: Array<Record<string, unknown>>;
  removed?: Array<Record<string, unknown>>;
  slice?: SliceDescription;
}
/** The `$effective-prices` response. */
export interface EffectivePricesBundle {
  resourceType: "Bundle";
  type: "collection";
  total: number;
  meta: { tag: Array<{ code: "count" | "page" | "maxCount"; display: string }> };
  entry: Array<{ resource: { resourceType: "Contract"; id: string } & Record<string, unknown> }>;
}
"#;

/// Parses any modelled FHIR resource (its JSON text or the object) and returns the
/// normalised resource; throws a [`FhirError`] whose `outcome` is an OperationOutcome
/// (`MSG_CANT_PARSE_CONTENT`, with the FHIRPath of the offending element) when it cannot be
/// parsed.
#[cfg(feature = "fhir")]
#[wasm_bindgen(js_name = parseResource, unchecked_return_type = "FhirResource")]
pub fn parse_resource(
    #[wasm_bindgen(unchecked_param_type = "string | FhirResource")] resource: JsValue,
) -> Answer<JsValue> {
    let text = json_text(
        &resource,
        "parseResource",
        "resource",
        "a JSON string or an object",
    )?;
    Ok(object(&practice_fhir::parse_resource(&text)?))
}

/// `parseResource` for JSON text in and normalised JSON text out (no object is built).
#[cfg(feature = "fhir")]
#[wasm_bindgen(js_name = parseResourceJson)]
pub fn parse_resource_json(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Answer<String> {
    let text = json
        .as_string()
        .ok_or_else(|| wrong_type("parseResourceJson", "json", "a JSON string", &json))?;
    Ok(practice_fhir::parse_resource(&text)?)
}

/// Validates a resource, its JSON text or the object (UK Core Practitioner rules and R4
/// structure; Bundles entry by entry) and returns the OperationOutcome: every issue with
/// severity, code, diagnostics and FHIRPath `expression`; a single informational issue when
/// all is well. Throws a `TypeError` for anything but a string or an object.
#[cfg(feature = "fhir")]
#[wasm_bindgen(js_name = validateResource, unchecked_return_type = "OperationOutcome")]
pub fn validate_resource(
    #[wasm_bindgen(unchecked_param_type = "string | FhirResource")] resource: JsValue,
) -> Answer<JsValue> {
    let text = json_text(
        &resource,
        "validateResource",
        "resource",
        "a JSON string or an object",
    )?;
    Ok(object(
        &practice_fhir::validate_resource(&text).to_json_string(),
    ))
}

/// The UK Core verdict on one identifier as a form has it (`system`, `value`): an
/// OperationOutcome whose warning names the constraint (`prac-gmc: GMC must be of the
/// format CNNNNNNN …`) when the value is malformed, a single informational issue when it is
/// well formed. Cheap enough for every keystroke.
#[cfg(feature = "fhir")]
#[wasm_bindgen(js_name = checkIdentifier, unchecked_return_type = "OperationOutcome")]
pub fn check_identifier(
    #[wasm_bindgen(unchecked_param_type = "string")] system: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
) -> Answer<JsValue> {
    let text = |v: &JsValue, name: &str| {
        v.as_string()
            .ok_or_else(|| wrong_type("checkIdentifier", name, "a string", v))
    };
    let (system, value) = (text(&system, "system")?, text(&value, "value")?);
    Ok(object(
        &practice_fhir::check_identifier(&system, &value).to_json_string(),
    ))
}

/// One site's contracts, loaded from a snapshot (the edge serves it at
/// `GET /contract/site/{site}/$snapshot`) or built up from per-payor slices merged into an
/// empty book, then asked as often as a page needs: every answer is what the edge returns
/// for the same request.
#[wasm_bindgen(js_name = ContractBook)]
pub struct JsContractBook {
    inner: ContractBook,
}

/// The answers as JSON text, for the typed methods and their `…Json` variants alike
/// (`function` names the method a TypeError is about).
impl JsContractBook {
    fn fee_text(&self, request: &JsValue, function: &str) -> Answer<String> {
        let params = self::request(request, function, REQUEST)?;
        Ok(self.inner.calculate_fee_json(&params)?)
    }

    fn effective_text(&self, request: &JsValue, function: &str) -> Answer<String> {
        let params = self::request(request, function, REQUEST)?;
        Ok(self.inner.effective_prices_json(&params)?)
    }

    fn validation_text(&self, request: &JsValue, function: &str) -> Answer<String> {
        let params = self::request(request, function, REQUEST)?;
        Ok(self.inner.validate_price_json(&params)?)
    }
}

/// What a request parameter accepts, for the TypeError.
const REQUEST: &str = "a request object or a query string";

#[wasm_bindgen(js_class = ContractBook)]
impl JsContractBook {
    /// Loads a ContractBook snapshot (its JSON text or the object); throws with the
    /// OperationOutcome.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(
        #[wasm_bindgen(unchecked_param_type = "string | ContractBookSnapshot")] snapshot: JsValue,
    ) -> Answer<JsContractBook> {
        let text = json_text(
            &snapshot,
            "fromSnapshot",
            "snapshot",
            "a JSON string or an object",
        )?;
        Ok(JsContractBook {
            inner: ContractBook::from_snapshot_json(&text)?,
        })
    }

    /// An empty book of `site`, to merge per-payor slices into (see `mergeSlice`).
    pub fn empty(
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
    ) -> Answer<JsContractBook> {
        let site = site
            .as_string()
            .ok_or_else(|| wrong_type("empty", "site", "a string", &site))?;
        Ok(JsContractBook {
            inner: ContractBook::new(site),
        })
    }

    /// Merges a slice (`GET /contract/site/{site}/$snapshot?payor=...`, or what changed since
    /// with `&_lastUpdated=gt...`; its JSON text or the object) into the book: its `removed`
    /// entries go, the rest is added or replaced. Throws with the OperationOutcome on a bad
    /// slice or one of another site, leaving the book as it was.
    #[wasm_bindgen(js_name = mergeSlice)]
    pub fn merge_slice(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | ContractBookSnapshot")] slice: JsValue,
    ) -> Answer<()> {
        let text = json_text(&slice, "mergeSlice", "slice", "a JSON string or an object")?;
        // The core merges in place and can fail part way (a contract id taken by another
        // payor); merging into a copy keeps a page's book whole when a slice is refused.
        let mut merged = self.inner.clone();
        merged.merge_snapshot_json(&text)?;
        self.inner = merged;
        Ok(())
    }

    /// The book's snapshot, as an object.
    #[wasm_bindgen(js_name = toSnapshot, unchecked_return_type = "ContractBookSnapshot")]
    pub fn to_snapshot(&self) -> JsValue {
        object(&self.inner.to_snapshot_json())
    }

    /// The book's snapshot as JSON text (to store or send on).
    #[wasm_bindgen(js_name = toSnapshotJson)]
    pub fn to_snapshot_json(&self) -> String {
        self.inner.to_snapshot_json()
    }

    /// `$calculate-fee`: e.g. `{ payor: 'bup', serviceType: 'ISC/C0000010',
    /// procedureCodes: ['CCSD/A3000'] }` (or the edge's query string) to the Contract.
    #[wasm_bindgen(js_name = calculateFee, unchecked_return_type = "CalculateFeeResponse")]
    pub fn calculate_fee(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CalculateFeeRequest | string")] request: JsValue,
    ) -> Answer<JsValue> {
        Ok(object(&self.fee_text(&request, "calculateFee")?))
    }

    /// `calculateFee` answering the Contract's JSON text.
    #[wasm_bindgen(js_name = calculateFeeJson)]
    pub fn calculate_fee_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CalculateFeeRequest | string")] request: JsValue,
    ) -> Answer<String> {
        self.fee_text(&request, "calculateFeeJson")
    }

    /// The fee alone as a string with 2 decimals (`"290.00"`): the same arithmetic as
    /// `calculateFee`, without building the response, for pricing on every keystroke.
    #[wasm_bindgen(js_name = feeTotal)]
    pub fn fee_total(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CalculateFeeRequest | string")] request: JsValue,
    ) -> Answer<String> {
        let params = self::request(&request, "feeTotal", REQUEST)?;
        let fee = self.inner.fee_total(&FeeRequest::from_params(&params)?)?;
        Ok(practice_fhir::money::money_string(fee))
    }

    /// `$effective-prices`: the Bundle of the prices that apply.
    #[wasm_bindgen(js_name = effectivePrices, unchecked_return_type = "EffectivePricesBundle")]
    pub fn effective_prices(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EffectivePricesRequest | string")] request: JsValue,
    ) -> Answer<JsValue> {
        Ok(object(&self.effective_text(&request, "effectivePrices")?))
    }

    /// `effectivePrices` answering the Bundle's JSON text.
    #[wasm_bindgen(js_name = effectivePricesJson)]
    pub fn effective_prices_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EffectivePricesRequest | string")] request: JsValue,
    ) -> Answer<String> {
        self.effective_text(&request, "effectivePricesJson")
    }

    /// `$validation`; with `fee` the verdict on that fee.
    #[wasm_bindgen(js_name = validatePrice, unchecked_return_type = "PriceValidationResponse")]
    pub fn validate_price(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PriceValidationRequest | string")] request: JsValue,
    ) -> Answer<JsValue> {
        Ok(object(&self.validation_text(&request, "validatePrice")?))
    }

    /// `validatePrice` answering the Contract's JSON text.
    #[wasm_bindgen(js_name = validatePriceJson)]
    pub fn validate_price_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PriceValidationRequest | string")] request: JsValue,
    ) -> Answer<String> {
        self.validation_text(&request, "validatePriceJson")
    }
}
