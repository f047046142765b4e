//! `Location`: a hospital or clinic, with an exact latitude/longitude.

use super::{
    Address, CodeableConcept, Coding, ContactPoint, Extension, FhirDecimal, Identifier, Meta,
    Reference,
};

fhir_type! {
    /// A place where services are provided.
    pub struct Location ["Location"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        identifier: Vec<Identifier> = "identifier",
        status: String = "status",
        operational_status: Coding = "operationalStatus",
        name: String = "name",
        alias: Vec<String> = "alias",
        description: String = "description",
        mode: String = "mode",
        type_: Vec<CodeableConcept> = "type",
        telecom: Vec<ContactPoint> = "telecom",
        address: Address = "address",
        physical_type: CodeableConcept = "physicalType",
        position: LocationPosition = "position",
        managing_organization: Reference = "managingOrganization",
        part_of: Reference = "partOf",
        endpoint: Vec<Reference> = "endpoint",
    }
}

fhir_type! {
    /// WGS84 coordinates as exact decimals (`Location.position`).
    pub struct LocationPosition {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        longitude: FhirDecimal = "longitude",
        latitude: FhirDecimal = "latitude",
        altitude: FhirDecimal = "altitude",
    }
}
