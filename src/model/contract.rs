//! `Contract` as the Healthcode contracts API uses it (seed 001): payor contracts, prices,
//! services, multi-procedure sets.

use super::{Contract, ContractAsset, Extension, Money};

impl Contract {
    /// Top-level extensions whose `url` is `url` (e.g. `multiProcedure`).
    pub fn extensions<'a>(&'a self, url: &'a str) -> impl Iterator<Item = &'a Extension> + 'a {
        self.extension
            .iter()
            .flatten()
            .filter(move |e| e.url.as_deref() == Some(url))
    }

    /// Every asset of every term, in document order.
    pub fn assets(&self) -> impl Iterator<Item = &ContractAsset> {
        self.term
            .iter()
            .flatten()
            .flat_map(|t| t.asset.iter().flatten())
    }
}

impl ContractAsset {
    /// The `net` amount of the first valued item that has one.
    pub fn net(&self) -> Option<rust_decimal::Decimal> {
        self.valued_item
            .iter()
            .flatten()
            .find_map(|v| v.net.as_ref().and_then(Money::amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;

    #[test]
    fn seed_001_prices_are_exact_decimals() {
        let json = include_str!("../../tests/fixtures/001_21_set_contract_price_withpractitionerbespoke_endpoint_request.json");
        let Ok(Resource::Contract(contract)) = crate::fhir::parse_typed(json) else {
            unreachable!("seed 001 price request is a Contract")
        };
        let nets: Vec<String> = contract
            .assets()
            .filter_map(ContractAsset::net)
            .map(|d| d.to_string())
            .collect();
        assert_eq!(nets, ["99", "100"]);
        let types: Vec<&str> = contract
            .assets()
            .filter_map(|a| a.type_.as_ref()?.first()?.first_coding()?.code.as_deref())
            .collect();
        assert_eq!(types, ["PriceGroupAssignment", "Practitioner_BeSpoke"]);
        let first_context = contract.assets().next().and_then(|a| {
            a.context
                .as_ref()?
                .first()?
                .reference
                .as_ref()?
                .reference
                .as_deref()
        });
        assert_eq!(first_context, Some("Payor/I-slf"));
    }

    #[test]
    fn money_written_with_two_places_survives() {
        let json = r#"{"resourceType":"Contract","term":[{"asset":[{"valuedItem":[{"net":{"value":290.00}}]}]}]}"#;
        let Ok(Resource::Contract(contract)) = crate::fhir::parse_typed(json) else {
            unreachable!("a Contract")
        };
        let net = contract.assets().next().and_then(ContractAsset::net);
        assert_eq!(net, Some(rust_decimal::Decimal::new(29000, 2)));
        assert_eq!(net.map(|d| d.to_string()).as_deref(), Some("290.00"));
        assert_eq!(crate::fhir::parse_resource(json).as_deref(), Ok(json));
        let written = crate::model::FhirDecimal::from_decimal(rust_decimal::Decimal::new(29000, 2));
        assert_eq!(
            written.as_ref().map(crate::model::FhirDecimal::as_str),
            Some("290.00")
        );
    }
}
