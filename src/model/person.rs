//! `Person`: a contact acting as payor (`Person/John`).

use super::{Address, Attachment, Code, ContactPoint, Date, HumanName, Identifier, Reference};

fhir_type! {
    /// A person outside a clinical role, e.g. a self-paying contact.
    pub struct Person: DomainResource ["Person"] {
        identifier: Vec<Identifier> = "identifier",
        name: Vec<HumanName> = "name",
        telecom: Vec<ContactPoint> = "telecom",
        gender: Code = "gender" in ADMINISTRATIVE_GENDER,
        birth_date: Date = "birthDate",
        address: Vec<Address> = "address",
        photo: Attachment = "photo",
        managing_organization: Reference = "managingOrganization",
        active: bool = "active",
        link: Vec<PersonLink> = "link",
    }
}

fhir_type! {
    /// A link from a person to another resource about the same person.
    pub struct PersonLink: BackboneElement {
        target: Reference = "target" [1..1],
        assurance: Code = "assurance" in IDENTITY_ASSURANCE,
    }
}
