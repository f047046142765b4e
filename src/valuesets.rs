//! The contract type and sub type ValueSets (`get_contract_type_list`,
//! `get_contract_subtype_list`), in the documents' shape: `meta.tag` page/count/maxCount (in
//! that order, as the samples write it) and an `expansion`. Beyond the samples, what FHIR R4
//! requires (SPEC-NOTES "Valid R4 beyond the samples"): `status` (1..1) and
//! `expansion.timestamp` (1..1).

use serde_json::{json, Value};

use crate::contracts::LastUpdated;
use crate::outcome::{IssueCode, OperationOutcome};
use crate::params::QueryParams;

/// The contract type code system.
pub const CONTRACT_TYPE_SYSTEM: &str =
    "https://contracts.api.healthcode.co.uk/valueset/contract-type";
/// The contract sub type code system (the documents' ValueSet sample; Contracts carry
/// `.../contract-subtype/PRICING`).
pub const CONTRACT_SUBTYPE_SYSTEM: &str =
    "https://contracts.api.healthcode.co.uk/valueset/contract-subtype";

/// `ValueSet.expansion.timestamp`: the code lists are compiled in, so every expansion is the
/// one made when they last changed (this instant), and the answer stays the same between
/// requests.
pub const EXPANSION_TIMESTAMP: &str = "2026-11-23T00:00:00Z";

const TYPES: [(&str, &str); 1] = [("PRICING", "Pricing")];
const PRICING_SUBTYPES: [(&str, &str); 3] = [
    ("FEE_SCHEDULE", "Fee Schedule"),
    (
        "PRACTITIONER_BESPOKE_CONTRACT",
        "Practitioner Bespoke Contract",
    ),
    ("SELF_PAY", "Self Pay"),
];

fn paging(params: &QueryParams) -> Result<(usize, usize), OperationOutcome> {
    params.check_known(&["page", "count", "_lastUpdated"])?;
    let number = |name: &str, default: usize| -> Result<usize, OperationOutcome> {
        match params.optional(name)? {
            None => Ok(default),
            Some(v) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                OperationOutcome::error(
                    IssueCode::InvalidFormat,
                    format!("Parameter '{name}' must be a positive integer, not '{v}'."),
                )
            }),
        }
    };
    let count = params
        .get("_count")
        .map_or(Ok(10), |_| number("_count", 10))?;
    Ok((number("page", 1)?, number("count", count)?.min(100)))
}

fn value_set(
    id: &str,
    system: &str,
    codes: &[(&str, &str)],
    params: &QueryParams,
) -> Result<Value, OperationOutcome> {
    let (page, count) = paging(params)?;
    // `_lastUpdated` filters as everywhere: every code was last changed at the expansion
    // timestamp, so the list is whole or empty.
    let mut current = true;
    for (k, v) in params.pairs() {
        if k == "_lastUpdated" {
            current &= LastUpdated::parse(v)?.matches(Some(EXPANSION_TIMESTAMP));
        }
    }
    let codes = if current { codes } else { &[] };
    let offset = (page - 1).saturating_mul(count);
    let contains: Vec<Value> = codes
        .iter()
        .skip(offset)
        .take(count)
        .map(|(code, display)| json!({"system": system, "code": code, "display": display}))
        .collect();
    Ok(json!({
        "resourceType": "ValueSet",
        "id": id,
        "meta": {"tag": [
            {"code": "page", "display": page.to_string()},
            {"code": "count", "display": count.to_string()},
            {"code": "maxCount", "display": codes.len().to_string()}
        ]},
        "name": id,
        "status": "active",
        "expansion": {
            "timestamp": EXPANSION_TIMESTAMP,
            "total": codes.len(),
            "offset": offset,
            "contains": contains
        }
    }))
}

/// The contract types (`PRICING`).
pub fn contract_types(params: &QueryParams) -> Result<Value, OperationOutcome> {
    value_set("contract-type", CONTRACT_TYPE_SYSTEM, &TYPES, params)
}

/// The sub types of a contract type; an unknown type is `MSG_REFERENCE_ID_NOT_FOUND`.
pub fn contract_subtypes(
    contract_type: &str,
    params: &QueryParams,
) -> Result<Value, OperationOutcome> {
    match contract_type {
        "PRICING" => value_set(
            "contract-subtype",
            CONTRACT_SUBTYPE_SYSTEM,
            &PRICING_SUBTYPES,
            params,
        ),
        other => Err(OperationOutcome::error(
            IssueCode::ReferenceIdNotFound,
            format!("Contract type '{other}' is not known (known: PRICING)."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_types_match_the_documents_sample() {
        let got = contract_types(&QueryParams::default()).unwrap();
        assert_eq!(
            got["expansion"]["contains"][0],
            json!({"system": CONTRACT_TYPE_SYSTEM, "code": "PRICING", "display": "Pricing"})
        );
        assert_eq!(
            got["meta"]["tag"][0],
            json!({"code": "page", "display": "1"})
        );
        assert_eq!(got["expansion"]["total"], json!(1));
        // What R4 requires beyond the sample.
        assert_eq!(got["status"], "active");
        assert_eq!(got["expansion"]["timestamp"], EXPANSION_TIMESTAMP);
    }

    #[test]
    fn subtypes_page_and_refuse_unknown_types() {
        let p = QueryParams::from_query("count=1&page=2", false);
        let got = contract_subtypes("PRICING", &p).unwrap();
        assert_eq!(
            got["expansion"]["contains"][0]["code"],
            "PRACTITIONER_BESPOKE_CONTRACT"
        );
        assert_eq!(got["expansion"]["offset"], json!(1));
        let err = contract_subtypes("NOPE", &QueryParams::default()).unwrap_err();
        assert_eq!(err.issues[0].code, IssueCode::ReferenceIdNotFound);
        let bad = contract_types(&QueryParams::from_query("page=0", false)).unwrap_err();
        assert_eq!(bad.issues[0].code, IssueCode::InvalidFormat);
    }

    #[test]
    fn last_updated_is_checked_and_filters_by_the_expansion_timestamp() {
        let total = |q: &str| {
            contract_types(&QueryParams::from_query(q, false))
                .map(|v| v["expansion"]["contains"].as_array().map_or(0, Vec::len))
        };
        assert_eq!(total("_lastUpdated=ge2026-11-23").unwrap(), 1);
        assert_eq!(total("_lastUpdated=gt2026-11-23").unwrap(), 0);
        assert_eq!(total("_lastUpdated=lt2027").unwrap(), 1);
        let bad = total("_lastUpdated=yesterday").unwrap_err();
        assert_eq!(bad.issues[0].code, IssueCode::InvalidFormat);
    }
}
