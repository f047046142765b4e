//! `Organization`: insurers/payors (`Organization/nuh`) and sites.

use super::{Address, CodeableConcept, ContactPoint, Identifier, Reference};

fhir_type! {
    /// An organisation such as an insurer.
    pub struct Organization: DomainResource ["Organization"] {
        identifier: Vec<Identifier> = "identifier",
        active: bool = "active",
        type_: Vec<CodeableConcept> = "type",
        name: String = "name",
        alias: Vec<String> = "alias",
        telecom: Vec<ContactPoint> = "telecom",
        address: Vec<Address> = "address",
        part_of: Reference = "partOf",
        endpoint: Vec<Reference> = "endpoint",
    }
}
