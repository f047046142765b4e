//! FHIR `Extension` (recursive) and the `value[x]` choice shared with `Parameters`.

use serde::de::MapAccess;
use serde::{Serialize, Serializer};

use super::{
    Address, Attachment, CodeableConcept, Coding, ContactPoint, FhirDecimal, HumanName, Identifier,
    Money, Period, Reference,
};

fhir_type! {
    /// An extension: a `url` plus either nested extensions or one `value[x]`.
    pub struct Extension {
        id: String = "id",
        url: String = "url",
        extension: Vec<Extension> = "extension",
    }
    choice value;
}

impl Extension {
    /// The nested extensions whose `url` is `url`.
    pub fn children<'a>(&'a self, url: &'a str) -> impl Iterator<Item = &'a Extension> + 'a {
        self.extension
            .iter()
            .flatten()
            .filter(move |e| e.url.as_deref() == Some(url))
    }

    /// The first nested extension whose `url` is `url`.
    pub fn child(&self, url: &str) -> Option<&Extension> {
        self.extension
            .iter()
            .flatten()
            .find(|e| e.url.as_deref() == Some(url))
    }

    /// `valueString` (or any other string-typed value), if that is what it holds.
    pub fn value_str(&self) -> Option<&str> {
        self.value.as_ref().and_then(ChoiceValue::as_str)
    }

    /// `valueBoolean`, if that is what it holds.
    pub fn value_bool(&self) -> Option<bool> {
        match self.value {
            Some(ChoiceValue::Boolean(b)) => Some(b),
            _ => None,
        }
    }

    /// `valueCodeableConcept`, if that is what it holds.
    pub fn value_codeable_concept(&self) -> Option<&CodeableConcept> {
        match &self.value {
            Some(ChoiceValue::CodeableConcept(c)) => Some(c),
            _ => None,
        }
    }
}

/// A FHIR `value[x]`: the JSON key names the type (`valueString`, `valueCodeableConcept`...).
/// Types outside the model stay as raw JSON under their original key.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceValue {
    /// `valueString`
    String(String),
    /// `valueBoolean`
    Boolean(bool),
    /// `valueInteger`
    Integer(i64),
    /// `valuePositiveInt`
    PositiveInt(u64),
    /// `valueUnsignedInt`
    UnsignedInt(u64),
    /// `valueDecimal`, exact
    Decimal(FhirDecimal),
    /// `valueCode`
    Code(String),
    /// `valueId`
    Id(String),
    /// `valueUri`
    Uri(String),
    /// `valueUrl`
    Url(String),
    /// `valueCanonical`
    Canonical(String),
    /// `valueMarkdown`
    Markdown(String),
    /// `valueBase64Binary`
    Base64Binary(String),
    /// `valueDate`
    Date(String),
    /// `valueDateTime`
    DateTime(String),
    /// `valueInstant`
    Instant(String),
    /// `valueCoding`
    Coding(Box<Coding>),
    /// `valueCodeableConcept`
    CodeableConcept(Box<CodeableConcept>),
    /// `valueIdentifier`
    Identifier(Box<Identifier>),
    /// `valueReference`
    Reference(Box<Reference>),
    /// `valuePeriod`
    Period(Box<Period>),
    /// `valueAttachment`
    Attachment(Box<Attachment>),
    /// `valueMoney`
    Money(Box<Money>),
    /// `valueHumanName`
    HumanName(Box<HumanName>),
    /// `valueAddress`
    Address(Box<Address>),
    /// `valueContactPoint`
    ContactPoint(Box<ContactPoint>),
    /// Any other `value[x]`, kept as written under its key.
    Other(String, serde_json::Value),
}

impl ChoiceValue {
    /// Whether a JSON key is a `value[x]` key (`value` followed by a type name).
    pub(crate) fn is_choice_key(key: &str) -> bool {
        key.strip_prefix("value")
            .is_some_and(|rest| rest.bytes().next().is_some_and(|b| b.is_ascii_uppercase()))
    }

    /// Reads the value of `key` from the map, typed by the key's suffix.
    pub(crate) fn read<'de, A: MapAccess<'de>>(
        key: &str,
        map: &mut A,
    ) -> Result<ChoiceValue, A::Error> {
        Ok(match key {
            "valueString" => ChoiceValue::String(map.next_value()?),
            "valueBoolean" => ChoiceValue::Boolean(map.next_value()?),
            "valueInteger" => ChoiceValue::Integer(map.next_value()?),
            "valuePositiveInt" => ChoiceValue::PositiveInt(map.next_value()?),
            "valueUnsignedInt" => ChoiceValue::UnsignedInt(map.next_value()?),
            "valueDecimal" => ChoiceValue::Decimal(map.next_value()?),
            "valueCode" => ChoiceValue::Code(map.next_value()?),
            "valueId" => ChoiceValue::Id(map.next_value()?),
            "valueUri" => ChoiceValue::Uri(map.next_value()?),
            "valueUrl" => ChoiceValue::Url(map.next_value()?),
            "valueCanonical" => ChoiceValue::Canonical(map.next_value()?),
            "valueMarkdown" => ChoiceValue::Markdown(map.next_value()?),
            "valueBase64Binary" => ChoiceValue::Base64Binary(map.next_value()?),
            "valueDate" => ChoiceValue::Date(map.next_value()?),
            "valueDateTime" => ChoiceValue::DateTime(map.next_value()?),
            "valueInstant" => ChoiceValue::Instant(map.next_value()?),
            "valueCoding" => ChoiceValue::Coding(map.next_value()?),
            "valueCodeableConcept" => ChoiceValue::CodeableConcept(map.next_value()?),
            "valueIdentifier" => ChoiceValue::Identifier(map.next_value()?),
            "valueReference" => ChoiceValue::Reference(map.next_value()?),
            "valuePeriod" => ChoiceValue::Period(map.next_value()?),
            "valueAttachment" => ChoiceValue::Attachment(map.next_value()?),
            "valueMoney" => ChoiceValue::Money(map.next_value()?),
            "valueHumanName" => ChoiceValue::HumanName(map.next_value()?),
            "valueAddress" => ChoiceValue::Address(map.next_value()?),
            "valueContactPoint" => ChoiceValue::ContactPoint(map.next_value()?),
            other => ChoiceValue::Other(other.to_owned(), map.next_value()?),
        })
    }

    /// The JSON key this value is written under.
    pub fn key(&self) -> &str {
        match self {
            ChoiceValue::String(_) => "valueString",
            ChoiceValue::Boolean(_) => "valueBoolean",
            ChoiceValue::Integer(_) => "valueInteger",
            ChoiceValue::PositiveInt(_) => "valuePositiveInt",
            ChoiceValue::UnsignedInt(_) => "valueUnsignedInt",
            ChoiceValue::Decimal(_) => "valueDecimal",
            ChoiceValue::Code(_) => "valueCode",
            ChoiceValue::Id(_) => "valueId",
            ChoiceValue::Uri(_) => "valueUri",
            ChoiceValue::Url(_) => "valueUrl",
            ChoiceValue::Canonical(_) => "valueCanonical",
            ChoiceValue::Markdown(_) => "valueMarkdown",
            ChoiceValue::Base64Binary(_) => "valueBase64Binary",
            ChoiceValue::Date(_) => "valueDate",
            ChoiceValue::DateTime(_) => "valueDateTime",
            ChoiceValue::Instant(_) => "valueInstant",
            ChoiceValue::Coding(_) => "valueCoding",
            ChoiceValue::CodeableConcept(_) => "valueCodeableConcept",
            ChoiceValue::Identifier(_) => "valueIdentifier",
            ChoiceValue::Reference(_) => "valueReference",
            ChoiceValue::Period(_) => "valuePeriod",
            ChoiceValue::Attachment(_) => "valueAttachment",
            ChoiceValue::Money(_) => "valueMoney",
            ChoiceValue::HumanName(_) => "valueHumanName",
            ChoiceValue::Address(_) => "valueAddress",
            ChoiceValue::ContactPoint(_) => "valueContactPoint",
            ChoiceValue::Other(key, _) => key,
        }
    }

    /// The text of any string-typed value (string, code, id, uri, date...).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ChoiceValue::String(s)
            | ChoiceValue::Code(s)
            | ChoiceValue::Id(s)
            | ChoiceValue::Uri(s)
            | ChoiceValue::Url(s)
            | ChoiceValue::Canonical(s)
            | ChoiceValue::Markdown(s)
            | ChoiceValue::Base64Binary(s)
            | ChoiceValue::Date(s)
            | ChoiceValue::DateTime(s)
            | ChoiceValue::Instant(s) => Some(s),
            _ => None,
        }
    }
}

impl Serialize for ChoiceValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ChoiceValue::String(s)
            | ChoiceValue::Code(s)
            | ChoiceValue::Id(s)
            | ChoiceValue::Uri(s)
            | ChoiceValue::Url(s)
            | ChoiceValue::Canonical(s)
            | ChoiceValue::Markdown(s)
            | ChoiceValue::Base64Binary(s)
            | ChoiceValue::Date(s)
            | ChoiceValue::DateTime(s)
            | ChoiceValue::Instant(s) => serializer.serialize_str(s),
            ChoiceValue::Boolean(b) => serializer.serialize_bool(*b),
            ChoiceValue::Integer(i) => serializer.serialize_i64(*i),
            ChoiceValue::PositiveInt(u) | ChoiceValue::UnsignedInt(u) => {
                serializer.serialize_u64(*u)
            }
            ChoiceValue::Decimal(d) => d.serialize(serializer),
            ChoiceValue::Coding(v) => v.serialize(serializer),
            ChoiceValue::CodeableConcept(v) => v.serialize(serializer),
            ChoiceValue::Identifier(v) => v.serialize(serializer),
            ChoiceValue::Reference(v) => v.serialize(serializer),
            ChoiceValue::Period(v) => v.serialize(serializer),
            ChoiceValue::Attachment(v) => v.serialize(serializer),
            ChoiceValue::Money(v) => v.serialize(serializer),
            ChoiceValue::HumanName(v) => v.serialize(serializer),
            ChoiceValue::Address(v) => v.serialize(serializer),
            ChoiceValue::ContactPoint(v) => v.serialize(serializer),
            ChoiceValue::Other(_, v) => v.serialize(serializer),
        }
    }
}
