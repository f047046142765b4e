//! FHIR R4 general-purpose datatypes used by the modelled resources.

use super::{CodeableConcept, Coding, FhirDecimal, Money};

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

impl<T: super::read::FromJson> super::read::FromJson for AllowEmpty<T> {
    fn read(r: &mut crate::json::Reader<'_>) -> Result<Self, super::read::ReadError> {
        Vec::<T>::read(r).map(AllowEmpty)
    }
}

impl<T: super::write::ToJson> super::write::ToJson for AllowEmpty<T> {
    fn write(&self, out: &mut crate::json::Out) {
        self.0.write(out);
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
