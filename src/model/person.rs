//! `Person`: a contact acting as payor (`Person/John`).

use super::{Address, Attachment, ContactPoint, Extension, HumanName, Identifier, Meta, Reference};

fhir_type! {
    /// A person outside a clinical role, e.g. a self-paying contact.
    pub struct Person ["Person"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        identifier: Vec<Identifier> = "identifier",
        name: Vec<HumanName> = "name",
        telecom: Vec<ContactPoint> = "telecom",
        gender: String = "gender",
        birth_date: String = "birthDate",
        address: Vec<Address> = "address",
        photo: Attachment = "photo",
        managing_organization: Reference = "managingOrganization",
        active: bool = "active",
        link: Vec<PersonLink> = "link",
    }
}

fhir_type! {
    /// A link from a person to another resource about the same person.
    pub struct PersonLink {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        target: Reference = "target",
        assurance: String = "assurance",
    }
}
