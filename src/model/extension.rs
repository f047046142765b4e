//! FHIR `Extension` (recursive) and the `value[x]` choice shared with `Parameters`.

use serde::de::MapAccess;
use serde::{Serialize, Serializer};

use super::read::{FromJson, ReadError};
use super::write::ToJson;
use super::{
    Address, Attachment, Base64Binary, Canonical, Code, CodeableConcept, Coding, ContactPoint,
    Date, DateTime, FhirDecimal, HumanName, Id, Identifier, Instant, Integer, Markdown, Money, Oid,
    Period, PositiveInt, Quantity, Reference, Time, UnsignedInt, Uri, Url, Uuid,
};
use crate::outcome::Issue;
use crate::validation::{Path, Validate};

fhir_type! {
    /// An extension: a `url` plus either nested extensions or one `value[x]`.
    pub struct Extension {
        id: String = "id",
        url: Uri = "url" [1..1],
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

/// Declares [`ChoiceValue`] from one table: each variant, its type and its JSON key, so
/// reading, writing, the key and validation cannot drift apart.
macro_rules! choice_value {
    ($( $(#[$meta:meta])* $variant:ident($ty:ty) = $key:literal, )*) => {
        /// A FHIR `value[x]`: the JSON key names the type (`valueString`,
        /// `valueCodeableConcept`...). Types outside the model stay as raw JSON under their
        /// original key.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ChoiceValue {
            $( $(#[$meta])* #[doc = concat!("`", $key, "`")] $variant($ty), )*
            /// Any other `value[x]`, kept as written under its key.
            Other(String, serde_json::Value),
        }

        impl ChoiceValue {
            /// Reads the value of `key` from the map, typed by the key's suffix.
            pub(crate) fn read<'de, A: MapAccess<'de>>(
                key: &str,
                map: &mut A,
            ) -> Result<ChoiceValue, A::Error> {
                Ok(match key {
                    $( $key => ChoiceValue::$variant(map.next_value()?), )*
                    other => ChoiceValue::Other(other.to_owned(), map.next_value()?),
                })
            }

            /// Reads the value of the member `key`, typed by the key's suffix.
            pub(crate) fn read_keyed(
                key: &str,
                r: &mut crate::json::Reader<'_>,
            ) -> Result<ChoiceValue, ReadError> {
                Ok(match key {
                    $( $key => ChoiceValue::$variant(FromJson::read(r)?), )*
                    other => ChoiceValue::Other(other.to_owned(), FromJson::read(r)?),
                })
            }

            /// The JSON key this value is written under.
            pub fn key(&self) -> &str {
                match self {
                    $( ChoiceValue::$variant(_) => $key, )*
                    ChoiceValue::Other(key, _) => key,
                }
            }
        }

        impl Serialize for ChoiceValue {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( ChoiceValue::$variant(v) => v.serialize(serializer), )*
                    ChoiceValue::Other(_, v) => v.serialize(serializer),
                }
            }
        }

        impl ToJson for ChoiceValue {
            fn write(&self, out: &mut crate::json::Out) {
                match self {
                    $( ChoiceValue::$variant(v) => v.write(out), )*
                    ChoiceValue::Other(_, v) => v.write(out),
                }
            }
        }

        impl Validate for ChoiceValue {
            fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
                match self {
                    $( ChoiceValue::$variant(v) => v.validate(path, issues), )*
                    // Outside the model: its JSON type is all that is known.
                    ChoiceValue::Other(..) => {}
                }
            }
        }
    };
}

choice_value! {
    String(String) = "valueString",
    Boolean(bool) = "valueBoolean",
    Integer(Integer) = "valueInteger",
    PositiveInt(PositiveInt) = "valuePositiveInt",
    UnsignedInt(UnsignedInt) = "valueUnsignedInt",
    /// Exact.
    Decimal(FhirDecimal) = "valueDecimal",
    Code(Code) = "valueCode",
    Id(Id) = "valueId",
    Uri(Uri) = "valueUri",
    Url(Url) = "valueUrl",
    Canonical(Canonical) = "valueCanonical",
    Oid(Oid) = "valueOid",
    Uuid(Uuid) = "valueUuid",
    Markdown(Markdown) = "valueMarkdown",
    Base64Binary(Base64Binary) = "valueBase64Binary",
    Date(Date) = "valueDate",
    DateTime(DateTime) = "valueDateTime",
    Instant(Instant) = "valueInstant",
    Time(Time) = "valueTime",
    Coding(Box<Coding>) = "valueCoding",
    CodeableConcept(Box<CodeableConcept>) = "valueCodeableConcept",
    Identifier(Box<Identifier>) = "valueIdentifier",
    Reference(Box<Reference>) = "valueReference",
    Period(Box<Period>) = "valuePeriod",
    Attachment(Box<Attachment>) = "valueAttachment",
    Money(Box<Money>) = "valueMoney",
    Quantity(Box<Quantity>) = "valueQuantity",
    HumanName(Box<HumanName>) = "valueHumanName",
    Address(Box<Address>) = "valueAddress",
    ContactPoint(Box<ContactPoint>) = "valueContactPoint",
}

impl ChoiceValue {
    /// Whether a JSON key is a `value[x]` key (`value` followed by a type name).
    pub(crate) fn is_choice_key(key: &str) -> bool {
        key.strip_prefix("value")
            .is_some_and(|rest| rest.bytes().next().is_some_and(|b| b.is_ascii_uppercase()))
    }

    /// The text of any string-typed value (string, code, id, uri, date...).
    pub fn as_str(&self) -> Option<&str> {
        Some(match self {
            ChoiceValue::String(s) => s,
            ChoiceValue::Code(s) => s,
            ChoiceValue::Id(s) => s,
            ChoiceValue::Uri(s) => s,
            ChoiceValue::Url(s) => s,
            ChoiceValue::Canonical(s) => s,
            ChoiceValue::Oid(s) => s,
            ChoiceValue::Uuid(s) => s,
            ChoiceValue::Markdown(s) => s,
            ChoiceValue::Base64Binary(s) => s,
            ChoiceValue::Date(s) => s,
            ChoiceValue::DateTime(s) => s,
            ChoiceValue::Instant(s) => s,
            ChoiceValue::Time(s) => s,
            _ => return None,
        })
    }
}
