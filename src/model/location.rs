//! `Location`: a hospital or clinic, with an exact latitude/longitude.

use super::{
    Address, Code, CodeableConcept, Coding, ContactPoint, FhirDecimal, Identifier, Reference,
};

fhir_type! {
    /// A place where services are provided.
    pub struct Location: DomainResource ["Location"] {
        identifier: Vec<Identifier> = "identifier",
        status: Code = "status" in LOCATION_STATUS,
        operational_status: Coding = "operationalStatus",
        name: String = "name",
        alias: Vec<String> = "alias",
        description: String = "description",
        mode: Code = "mode" in LOCATION_MODE,
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
    pub struct LocationPosition: BackboneElement {
        longitude: FhirDecimal = "longitude" [1..1],
        latitude: FhirDecimal = "latitude" [1..1],
        altitude: FhirDecimal = "altitude",
    }
}
