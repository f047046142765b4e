//! FHIR R4 primitive types, each a type of its own that knows its lexical rule.
//!
//! A primitive keeps the text (or number) exactly as written, so a value with a bad format
//! still parses and round-trips; [`crate::validation`] reports it with the element's
//! FHIRPath. The string primitives dereference to `str`, so `field.as_deref()` reads as
//! it did when they were `String`s.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::read::{FromJson, ReadError};
use super::write::ToJson;
use crate::json::Reader;
use crate::validation::formats;

/// A FHIR primitive's lexical rule, used by validation.
pub trait Primitive {
    /// The FHIR type name (`dateTime`).
    const TYPE_NAME: &'static str;
    /// What a valid value looks like, for diagnostics.
    const SHAPE: &'static str;
    /// Whether the text is a valid lexical form of the type.
    fn is_valid_text(text: &str) -> bool;
}

/// Declares string-valued primitives: the newtype, its serde (exactly a JSON string), its
/// conversions and its rule.
macro_rules! string_primitives {
    ($( $(#[$meta:meta])* $name:ident = $fhir:literal, $shape:literal, $check:expr; )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Wraps a text as this type (not checked: see [`Primitive::is_valid_text`]).
            pub fn new(text: impl Into<String>) -> $name {
                $name(text.into())
            }

            /// The text as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }

            #[doc = concat!("Whether the text is a valid FHIR `", $fhir, "`.")]
            pub fn is_valid(&self) -> bool {
                <$name as Primitive>::is_valid_text(&self.0)
            }
        }

        impl Primitive for $name {
            const TYPE_NAME: &'static str = $fhir;
            const SHAPE: &'static str = $shape;
            fn is_valid_text(text: &str) -> bool {
                let check: fn(&str) -> bool = $check;
                check(text)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> $name {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> $name {
                $name(text.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name)
            }
        }

        impl FromJson for $name {
            fn read(r: &mut Reader<'_>) -> Result<Self, ReadError> {
                String::read(r).map($name)
            }
        }

        impl ToJson for $name {
            fn write(&self, out: &mut crate::json::Out) {
                out.str(&self.0);
            }
        }

        impl $crate::validation::Validate for $name {
            fn validate(&self, path: &$crate::validation::Path<'_>, issues: &mut Vec<$crate::outcome::Issue>) {
                $crate::validation::check_primitive::<$name>(&self.0, path, issues);
            }
        }
    )*};
}

string_primitives! {
    /// FHIR `code`: no leading, trailing or repeated whitespace.
    Code = "code", "no leading, trailing or repeated whitespace", formats::is_code;
    /// FHIR `id`: 1-64 of `A-Z a-z 0-9 - .`.
    Id = "id", "1-64 of A-Z a-z 0-9 - .", formats::is_id;
    /// FHIR `uri`: no whitespace.
    Uri = "uri", "no whitespace", formats::is_uri;
    /// FHIR `url`: a uri that is a locator.
    Url = "url", "no whitespace", formats::is_uri;
    /// FHIR `canonical`: a uri with an optional `|version`.
    Canonical = "canonical", "no whitespace", formats::is_uri;
    /// FHIR `oid`: `urn:oid:` then a dotted OID.
    Oid = "oid", "urn:oid: followed by a dotted OID such as 2.16.840.1", formats::is_oid;
    /// FHIR `uuid`: `urn:uuid:` then a lower-case UUID.
    Uuid = "uuid", "urn:uuid: followed by a lower-case UUID", formats::is_uuid;
    /// FHIR `markdown`: any non-empty text.
    Markdown = "markdown", "any text", |_| true;
    /// FHIR `base64Binary`: base64 in groups of four characters, whitespace allowed.
    Base64Binary = "base64Binary", "base64 in groups of four of A-Z a-z 0-9 + / =", formats::is_base64;
    /// FHIR `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with real months and days.
    Date = "date", "YYYY, YYYY-MM or YYYY-MM-DD", formats::is_date;
    /// FHIR `dateTime`: a date, or a full date and time with a zone.
    DateTime = "dateTime", "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm", formats::is_date_time;
    /// FHIR `instant`: a full date, time and zone.
    Instant = "instant", "YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm", formats::is_instant;
    /// FHIR `time`: `hh:mm:ss[.fff]`, no zone.
    Time = "time", "hh:mm:ss[.fff]", formats::is_time;
}

/// Declares integer-valued primitives: a transparent newtype over the JSON number, checked
/// against the type's range by validation (a number out of range still parses).
macro_rules! integer_primitives {
    ($( $(#[$meta:meta])* $name:ident($inner:ty) = $fhir:literal, $shape:literal, $min:expr; )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $inner);

        impl $name {
            /// The number.
            pub fn get(self) -> $inner {
                self.0
            }

            /// Whether the number is in the type's range.
            pub fn is_valid(self) -> bool {
                let value = i128::from(self.0);
                ($min..=i128::from(i32::MAX)).contains(&value)
            }
        }

        impl Primitive for $name {
            const TYPE_NAME: &'static str = $fhir;
            const SHAPE: &'static str = $shape;
            fn is_valid_text(text: &str) -> bool {
                text.parse::<$inner>().is_ok_and(|v| $name(v).is_valid())
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> $name {
                $name(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$inner>::deserialize(deserializer).map($name)
            }
        }

        impl FromJson for $name {
            fn read(r: &mut Reader<'_>) -> Result<Self, ReadError> {
                <$inner>::read(r).map($name)
            }
        }

        impl ToJson for $name {
            fn write(&self, out: &mut crate::json::Out) {
                self.0.write(out);
            }
        }

        impl $crate::validation::Validate for $name {
            fn validate(&self, path: &$crate::validation::Path<'_>, issues: &mut Vec<$crate::outcome::Issue>) {
                if !self.is_valid() {
                    $crate::validation::report_format::<$name>(&self.0.to_string(), path, issues);
                }
            }
        }
    )*};
}

integer_primitives! {
    /// FHIR `integer`: -2147483648 to 2147483647.
    Integer(i64) = "integer", "a whole number from -2147483648 to 2147483647", i128::from(i32::MIN);
    /// FHIR `positiveInt`: 1 to 2147483647.
    PositiveInt(u64) = "positiveInt", "a whole number from 1 to 2147483647", 1;
    /// FHIR `unsignedInt`: 0 to 2147483647.
    UnsignedInt(u64) = "unsignedInt", "a whole number from 0 to 2147483647", 0;
}
