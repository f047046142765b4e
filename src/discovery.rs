//! The two discovery documents and the CapabilityStatement.
//!
//! Clients find every URL through `/.well-known/api-configuration` (practice management) and
//! `/contract/.well-known/api-configuration` (contracts). The table below is the single
//! source of every endpoint key, its method and its path; the worker routes with the same
//! paths, and the documents are rendered with absolute URLs from the request's origin.

use serde_json::{json, Map, Value};

/// Which API family an endpoint belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Seeds 000 and 004: practitioners, roles, photos.
    PracticeManagement,
    /// Seed 001: contracts, prices, fees, validation, multi-procedure rules.
    Contracts,
}

/// One discovery key: the name clients look up, the HTTP method and the path under the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The key named in the documents (e.g. `get_effective_prices_endpoint`).
    pub key: &'static str,
    /// The HTTP method of the documents' sample.
    pub method: &'static str,
    /// The path, appended to the request origin.
    pub path: &'static str,
    /// The API family.
    pub api: Api,
}

const fn pm(key: &'static str, method: &'static str, path: &'static str) -> Endpoint {
    Endpoint {
        key,
        method,
        path,
        api: Api::PracticeManagement,
    }
}

const fn ct(key: &'static str, method: &'static str, path: &'static str) -> Endpoint {
    Endpoint {
        key,
        method,
        path,
        api: Api::Contracts,
    }
}

/// Path of the practitioner photo endpoint; clients append `/{practitioner.id}`.
pub const PRACTITIONER_PHOTO_PATH: &str = "/Practitioner/$photo";
/// Path of the `$contract-price` operation (set, and with `/{site}` delete).
pub const CONTRACT_PRICE_PATH: &str = "/contract/PRICING/$contract-price";

/// Every endpoint key the documents name: 3 practice-management keys and the 22 contract keys.
pub const ENDPOINTS: [Endpoint; 25] = [
    pm("search_practitioner_endpoint", "GET", "/Practitioner"),
    pm(
        "get_practitionerphoto_endpoint",
        "GET",
        PRACTITIONER_PHOTO_PATH,
    ),
    pm(
        "search_practitionerrole_endpoint",
        "GET",
        "/PractitionerRole",
    ),
    ct(
        "get_effective_prices_endpoint",
        "GET",
        "/contract/PRICING/$effective-prices",
    ),
    ct("get_contract_type_list", "GET", "/valueset/contract-type"),
    ct(
        "get_contract_subtype_list",
        "GET",
        "/valueset/contract-subtype/PRICING",
    ),
    ct("get_payors_list_endpoint", "GET", "/contract/site"),
    ct("add_payor_endpoint", "POST", "/contract"),
    ct("delete_payor_endpoint", "DELETE", "/contract"),
    ct("add_contact_as_payor_endpoint", "POST", "/contract"),
    ct("delete_contact_as_payor_endpoint", "DELETE", "/contract"),
    ct("set_contract_service_endpoint", "POST", CONTRACT_PRICE_PATH),
    ct(
        "delete_contract_service_endpoint",
        "DELETE",
        CONTRACT_PRICE_PATH,
    ),
    ct(
        "set_contract_service_withprocedure_endpoint",
        "POST",
        CONTRACT_PRICE_PATH,
    ),
    ct(
        "delete_contract_service_withprocedure_endpoint",
        "DELETE",
        CONTRACT_PRICE_PATH,
    ),
    ct("set_contract_price_endpoint", "POST", CONTRACT_PRICE_PATH),
    ct(
        "set_contract_price_withlocation_endpoint",
        "POST",
        CONTRACT_PRICE_PATH,
    ),
    ct(
        "set_contract_price_withpractitionerbespoke_endpoint",
        "POST",
        CONTRACT_PRICE_PATH,
    ),
    ct(
        "delete_contract_price_endpoint",
        "DELETE",
        CONTRACT_PRICE_PATH,
    ),
    ct(
        "calculate_service_fee_endpoint",
        "GET",
        "/contract/$calculate-fee",
    ),
    ct(
        "calculate_service_fee_withprocedure_endpoint",
        "GET",
        "/contract/$calculate-fee",
    ),
    ct(
        "get_price_validation_for_service_endpoint",
        "GET",
        "/contract/PRICING/$validation",
    ),
    ct(
        "get_price_validation_for_procedure_endpoint",
        "GET",
        "/contract/PRICING/$validation",
    ),
    ct(
        "get_multi_proc_endpoint",
        "GET",
        "/contract/PRICING/$multi-proc",
    ),
    ct(
        "get_multi_proc_set_endpoint",
        "GET",
        "/contract/PRICING/$multi-proc-set",
    ),
];

/// Normalises an origin (`http://127.0.0.1:8787/` → `http://127.0.0.1:8787`).
fn trim_origin(origin: &str) -> &str {
    origin.trim_end_matches('/')
}

/// A discovery document: every key mapped to an absolute URL under `origin`.
///
/// Both documents carry every key (a client that only knows one of them still finds every
/// endpoint); the practice-management keys come first in the practice-management document
/// and last in the contracts one.
pub fn api_configuration(api: Api, origin: &str) -> Value {
    let origin = trim_origin(origin);
    let mut doc = Map::new();
    let first = ENDPOINTS.iter().filter(|e| e.api == api);
    let rest = ENDPOINTS.iter().filter(|e| e.api != api);
    for e in first.chain(rest) {
        doc.insert(
            e.key.to_string(),
            Value::String(format!("{origin}{}", e.path)),
        );
    }
    Value::Object(doc)
}

/// The FHIR CapabilityStatement served at `/metadata`, for a deployment without CORS.
pub fn capability_statement(origin: &str, software_version: &str) -> Value {
    capability_statement_with_cors(origin, software_version, false)
}

/// The CapabilityStatement; `cors`: the worker answers CORS for some origins
/// (`ALLOWED_ORIGINS` is set), which R4's `rest.security.cors` then says.
pub fn capability_statement_with_cors(origin: &str, software_version: &str, cors: bool) -> Value {
    let origin = trim_origin(origin);
    let search = |names: &[(&str, &str)]| -> Vec<Value> {
        names
            .iter()
            .map(|(n, t)| json!({"name": n, "type": t}))
            .collect()
    };
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "publisher": "practice-fhir",
        "kind": "instance",
        "software": {"name": "practice-fhir", "version": software_version},
        "implementation": {"description": "UK private-practice FHIR APIs", "url": origin},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": cors,
                "description": "Bearer JWT (RS256) with scopes practitioner.read, practitioner.write, contract.read, contract.write and a sites claim. Discovery and /metadata are public."
            },
            "resource": [
                {
                    "type": "Practitioner",
                    "profile": "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Practitioner",
                    "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "create"}, {"code": "update"}, {"code": "delete"}],
                    "versioning": "versioned-update",
                    "searchParam": search(&[
                        ("page", "number"), ("count", "number"), ("gender", "token"), ("profession", "token"),
                        ("specialty", "token"), ("subspecialty", "token"), ("insurer-recognition-status", "token"),
                        ("insurer-provider-number", "token"), ("insurer", "token"), ("address-postalcode", "string"),
                        ("address-postcode", "string"), ("family", "string"), ("given", "string"), ("name", "string"),
                        ("identifier", "token"), ("is-onlinebooking-available", "token"),
                        ("regulator-reference", "token"), ("_lastUpdated", "date"),
                    ]),
                },
                {
                    "type": "PractitionerRole",
                    "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "create"}, {"code": "update"}, {"code": "delete"}],
                    "searchInclude": ["practitioner:location", "PractitionerRole:practitioner", "PractitionerRole:location"],
                    "searchParam": search(&[
                        ("practitioner", "reference"), ("location", "reference"), ("ages-treated", "token"),
                        ("near", "special"), ("near-distance", "quantity"), ("address-postalcode", "string"),
                        ("specialty", "token"), ("subspecialty", "token"), ("is-onlinebooking-available", "token"),
                        ("insurer", "token"), ("profession", "token"), ("gender", "token"), ("family", "string"),
                        ("given", "string"), ("distinct-by", "token"), ("_lastUpdated", "date"),
                    ]),
                },
                {"type": "Location", "interaction": [{"code": "read"}, {"code": "create"}, {"code": "update"}, {"code": "delete"}]},
                {"type": "Schedule", "interaction": [{"code": "read"}, {"code": "create"}, {"code": "update"}, {"code": "delete"}]},
                {"type": "Contract", "interaction": [{"code": "search-type"}, {"code": "create"}, {"code": "delete"}]},
                {"type": "ValueSet", "interaction": [{"code": "read"}]}
            ],
            "operation": [
                {"name": "effective-prices", "definition": format!("{origin}/contract/PRICING/$effective-prices")},
                {"name": "contract-price", "definition": format!("{origin}{CONTRACT_PRICE_PATH}")},
                {"name": "calculate-fee", "definition": format!("{origin}/contract/$calculate-fee")},
                {"name": "validation", "definition": format!("{origin}/contract/PRICING/$validation")},
                {"name": "multi-proc", "definition": format!("{origin}/contract/PRICING/$multi-proc")},
                {"name": "multi-proc-set", "definition": format!("{origin}/contract/PRICING/$multi-proc-set")}
            ]
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_both_documents_with_absolute_urls() {
        for api in [Api::PracticeManagement, Api::Contracts] {
            let doc = api_configuration(api, "http://127.0.0.1:8787/");
            let map = doc.as_object().cloned().unwrap_or_default();
            assert_eq!(map.len(), 25);
            for e in ENDPOINTS {
                assert_eq!(
                    map.get(e.key).and_then(Value::as_str),
                    Some(format!("http://127.0.0.1:8787{}", e.path).as_str())
                );
            }
        }
        let contract_keys = ENDPOINTS.iter().filter(|e| e.api == Api::Contracts).count();
        assert_eq!(contract_keys, 22);
    }

    #[test]
    fn capability_statement_is_r4() {
        let cs = capability_statement("https://x.test", "0.1.0");
        assert_eq!(cs["resourceType"], "CapabilityStatement");
        assert_eq!(cs["fhirVersion"], "4.0.1");
        // R4 `rest.security.cors` is a boolean: true only when ALLOWED_ORIGINS is set.
        assert_eq!(cs["rest"][0]["security"]["cors"], false);
        let with = capability_statement_with_cors("https://x.test", "0.1.0", true);
        assert_eq!(with["rest"][0]["security"]["cors"], true);
    }
}
