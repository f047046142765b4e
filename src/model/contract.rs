//! `Contract` as the Healthcode contracts API uses it (seed 001): payor contracts, prices,
//! services, multi-procedure sets.

use super::{
    Code, CodeableConcept, Coding, DateTime, Extension, FhirDecimal, Identifier, Money, Period,
    Reference, UnsignedInt,
};

fhir_type! {
    /// A payor contract, price list, fee answer or multi-procedure set.
    pub struct Contract: DomainResource ["Contract"] {
        identifier: Vec<Identifier> = "identifier",
        status: Code = "status",
        issued: DateTime = "issued",
        applies: Period = "applies",
        subject: Vec<Reference> = "subject",
        authority: Vec<Reference> = "authority",
        site: Vec<Reference> = "site",
        name: String = "name",
        title: String = "title",
        type_: CodeableConcept = "type",
        sub_type: Vec<CodeableConcept> = "subType",
        term: Vec<ContractTerm> = "term",
    }
}

fhir_type! {
    /// A contract term; the documents put prices and services in its assets.
    pub struct ContractTerm: BackboneElement {
        identifier: Identifier = "identifier",
        issued: DateTime = "issued",
        applies: Period = "applies",
        type_: CodeableConcept = "type",
        sub_type: CodeableConcept = "subType",
        text: String = "text",
        offer: ContractTermOffer = "offer" [1..1],
        asset: Vec<ContractAsset> = "asset",
        group: Vec<ContractTerm> = "group",
    }
}

fhir_type! {
    /// The offer of a term (`Contract.term.offer`, 1..1 in R4); `party` and `answer` are
    /// kept as written.
    pub struct ContractTermOffer: BackboneElement {
        identifier: Vec<Identifier> = "identifier",
        topic: Reference = "topic",
        type_: CodeableConcept = "type",
        decision: CodeableConcept = "decision",
        decision_mode: Vec<CodeableConcept> = "decisionMode",
        text: String = "text",
        link_id: Vec<String> = "linkId",
        security_label_number: Vec<UnsignedInt> = "securityLabelNumber",
    }
}

fhir_type! {
    /// A priced item: `type` (PriceGroupAssignment / Practitioner_BeSpoke), `context` (payor,
    /// location, practitioner) and `valuedItem` (service, procedure, net price).
    pub struct ContractAsset: BackboneElement {
        scope: CodeableConcept = "scope",
        type_: Vec<CodeableConcept> = "type",
        type_reference: Vec<Reference> = "typeReference",
        subtype: Vec<CodeableConcept> = "subtype",
        relationship: Coding = "relationship",
        context: Vec<ContractAssetContext> = "context",
        condition: String = "condition",
        period: Vec<Period> = "period",
        use_period: Vec<Period> = "usePeriod",
        text: String = "text",
        link_id: Vec<String> = "linkId",
        valued_item: Vec<ContractValuedItem> = "valuedItem",
    }
}

fhir_type! {
    /// One context of an asset (`Payor/I-nuh`, `Location/HP002193`, `Practitioner/SP...`).
    pub struct ContractAssetContext: BackboneElement {
        reference: Reference = "reference",
        code: Vec<CodeableConcept> = "code",
        text: String = "text",
    }
}

fhir_type! {
    /// A valued item: the service or procedure (`entityCodeableConcept`) or a `net` price.
    pub struct ContractValuedItem: BackboneElement {
        entity_codeable_concept: CodeableConcept = "entityCodeableConcept",
        entity_reference: Reference = "entityReference",
        identifier: Identifier = "identifier",
        effective_time: DateTime = "effectiveTime",
        unit_price: Money = "unitPrice",
        factor: FhirDecimal = "factor",
        points: FhirDecimal = "points",
        net: Money = "net",
        payment: String = "payment",
        payment_date: DateTime = "paymentDate",
        responsible: Reference = "responsible",
        recipient: Reference = "recipient",
        link_id: Vec<String> = "linkId",
    }
}

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
