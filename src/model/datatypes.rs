//! FHIR R4 general-purpose datatypes used by the modelled resources.

use super::{Extension, FhirDecimal};

fhir_type! {
    /// A code from a code system (`Coding`).
    pub struct Coding {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        system: String = "system",
        version: String = "version",
        code: String = "code",
        display: String = "display",
        user_selected: bool = "userSelected",
    }
}

fhir_type! {
    /// A concept given by codings and/or text (`CodeableConcept`).
    pub struct CodeableConcept {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        coding: Vec<Coding> = "coding",
        text: String = "text",
    }
}

fhir_type! {
    /// A business identifier such as a GMC number (`Identifier`).
    pub struct Identifier {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        use_: String = "use",
        type_: CodeableConcept = "type",
        system: String = "system",
        value: String = "value",
        period: Period = "period",
        assigner: Box<Reference> = "assigner",
    }
}

fhir_type! {
    /// A person's name (`HumanName`).
    pub struct HumanName {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        use_: String = "use",
        text: String = "text",
        family: String = "family",
        given: Vec<String> = "given",
        prefix: Vec<String> = "prefix",
        suffix: Vec<String> = "suffix",
        period: Period = "period",
    }
}

fhir_type! {
    /// A postal or physical address (`Address`).
    pub struct Address {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        use_: String = "use",
        type_: String = "type",
        text: String = "text",
        line: Vec<String> = "line",
        city: String = "city",
        district: String = "district",
        state: String = "state",
        postal_code: String = "postalCode",
        country: String = "country",
        period: Period = "period",
    }
}

fhir_type! {
    /// A phone number, email address etc. (`ContactPoint`).
    pub struct ContactPoint {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        system: String = "system",
        value: String = "value",
        use_: String = "use",
        rank: u64 = "rank",
        period: Period = "period",
    }
}

fhir_type! {
    /// A time range given by start and/or end `dateTime`s (`Period`).
    pub struct Period {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        start: String = "start",
        end: String = "end",
    }
}

fhir_type! {
    /// A reference to another resource (`Reference`).
    pub struct Reference {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        reference: String = "reference",
        type_: String = "type",
        identifier: Box<Identifier> = "identifier",
        display: String = "display",
    }
}

fhir_type! {
    /// Inline or referenced content such as a photo (`Attachment`).
    pub struct Attachment {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        content_type: String = "contentType",
        language: String = "language",
        data: String = "data",
        url: String = "url",
        size: u64 = "size",
        hash: String = "hash",
        title: String = "title",
        creation: String = "creation",
    }
}

fhir_type! {
    /// Resource metadata (`Meta`); the documents page with `meta.tag` codes.
    pub struct Meta {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        version_id: String = "versionId",
        last_updated: String = "lastUpdated",
        source: String = "source",
        profile: Vec<String> = "profile",
        security: Vec<Coding> = "security",
        tag: Vec<Coding> = "tag",
    }
}

fhir_type! {
    /// An amount of money with an exact decimal value (`Money`).
    pub struct Money {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        value: FhirDecimal = "value",
        currency: String = "currency",
    }
}

impl CodeableConcept {
    /// The first coding whose system is `system`.
    pub fn coding_with_system(&self, system: &str) -> Option<&Coding> {
        self.coding
            .iter()
            .flatten()
            .find(|c| c.system.as_deref() == Some(system))
    }

    /// The first coding, the one the documents always read.
    pub fn first_coding(&self) -> Option<&Coding> {
        self.coding.as_ref().and_then(|c| c.first())
    }
}

impl Money {
    /// The exact amount, when present and representable.
    pub fn amount(&self) -> Option<rust_decimal::Decimal> {
        self.value.as_ref().and_then(FhirDecimal::to_decimal)
    }
}
