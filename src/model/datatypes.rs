//! FHIR R4 general-purpose datatypes used by the modelled resources.

use super::{
    Base64Binary, Canonical, Code, DateTime, FhirDecimal, Id, Instant, PositiveInt, UnsignedInt,
    Uri, Url,
};

fhir_type! {
    /// A code from a code system (`Coding`).
    pub struct Coding: Element {
        system: Uri = "system",
        version: String = "version",
        code: Code = "code",
        display: String = "display",
        user_selected: bool = "userSelected",
    }
}

fhir_type! {
    /// A concept given by codings and/or text (`CodeableConcept`).
    pub struct CodeableConcept: Element {
        coding: Vec<Coding> = "coding",
        text: String = "text",
    }
}

fhir_type! {
    /// A business identifier such as a GMC number (`Identifier`).
    pub struct Identifier: Element {
        use_: Code = "use" in IDENTIFIER_USE,
        type_: CodeableConcept = "type",
        system: Uri = "system",
        value: String = "value",
        period: Period = "period",
        assigner: Box<Reference> = "assigner",
    }
}

fhir_type! {
    /// A person's name (`HumanName`).
    pub struct HumanName: Element {
        use_: Code = "use" in NAME_USE,
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
    pub struct Address: Element {
        use_: Code = "use" in ADDRESS_USE,
        type_: Code = "type" in ADDRESS_TYPE,
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
    pub struct ContactPoint: Element {
        system: Code = "system" in CONTACT_POINT_SYSTEM,
        value: String = "value",
        use_: Code = "use" in CONTACT_POINT_USE,
        rank: PositiveInt = "rank",
        period: Period = "period",
    }
}

fhir_type! {
    /// A time range given by start and/or end `dateTime`s (`Period`).
    pub struct Period: Element {
        start: DateTime = "start",
        end: DateTime = "end",
    }
}

fhir_type! {
    /// A reference to another resource (`Reference`).
    pub struct Reference: Element {
        reference: String = "reference",
        type_: Uri = "type",
        identifier: Box<Identifier> = "identifier",
        display: String = "display",
    }
}

fhir_type! {
    /// Inline or referenced content such as a photo (`Attachment`).
    pub struct Attachment: Element {
        content_type: Code = "contentType",
        language: Code = "language",
        data: Base64Binary = "data",
        url: Url = "url",
        size: UnsignedInt = "size",
        hash: Base64Binary = "hash",
        title: String = "title",
        creation: DateTime = "creation",
    }
}

fhir_type! {
    /// Resource metadata (`Meta`); the documents page with `meta.tag` codes.
    pub struct Meta: Element {
        version_id: Id = "versionId",
        last_updated: Instant = "lastUpdated",
        source: Uri = "source",
        profile: Vec<Canonical> = "profile",
        security: Vec<Coding> = "security",
        tag: Vec<Coding> = "tag",
    }
}

fhir_type! {
    /// An amount of money with an exact decimal value (`Money`).
    pub struct Money: Element {
        value: FhirDecimal = "value",
        currency: Code = "currency",
    }
}

fhir_type! {
    /// A measured amount (`Quantity`), its value exact.
    pub struct Quantity: Element {
        value: FhirDecimal = "value",
        comparator: Code = "comparator" in QUANTITY_COMPARATOR,
        unit: String = "unit",
        system: Uri = "system",
        code: Code = "code",
    }
}

fhir_type! {
    /// A resource's human-readable summary (`Narrative`): `status` and an XHTML `div`.
    pub struct Narrative: Element {
        status: Code = "status" [1..1] in NARRATIVE_STATUS,
        div: String = "div" [1..1],
    }
}

/// A repeating element whose array may be empty where the documents write `[]`
/// (`OperationOutcome.issue.expression`): its items are validated, its emptiness is not an
/// issue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowEmpty<T>(pub Vec<T>);

impl<T> std::ops::Deref for AllowEmpty<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a AllowEmpty<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: serde::Serialize> serde::Serialize for AllowEmpty<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for AllowEmpty<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(deserializer).map(AllowEmpty)
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
