//! [`Resource`]: any resource, dispatched on `resourceType` by hand.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use super::read::{self, ReadError};
use super::{
    Bundle, Contract, Key, Location, OperationOutcomeResource, Organization, Parameters, Person,
    Practitioner, PractitionerRole, Schedule, ValueSet,
};

/// Any FHIR resource: the modelled ones typed, the rest kept as raw JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    /// `Practitioner`
    Practitioner(Box<Practitioner>),
    /// `PractitionerRole`
    PractitionerRole(Box<PractitionerRole>),
    /// `Location`
    Location(Box<Location>),
    /// `Schedule`
    Schedule(Box<Schedule>),
    /// `Organization`
    Organization(Box<Organization>),
    /// `Person`
    Person(Box<Person>),
    /// `Contract`
    Contract(Box<Contract>),
    /// `Parameters`
    Parameters(Box<Parameters>),
    /// `Bundle`
    Bundle(Box<Bundle>),
    /// `OperationOutcome`
    OperationOutcome(Box<OperationOutcomeResource>),
    /// `ValueSet`
    ValueSet(Box<ValueSet>),
    /// A resource type outside the model, kept whole (including `resourceType`).
    Other(serde_json::Map<String, serde_json::Value>),
}

impl Resource {
    /// The `resourceType`.
    pub fn resource_type(&self) -> &str {
        match self {
            Resource::Practitioner(_) => "Practitioner",
            Resource::PractitionerRole(_) => "PractitionerRole",
            Resource::Location(_) => "Location",
            Resource::Schedule(_) => "Schedule",
            Resource::Organization(_) => "Organization",
            Resource::Person(_) => "Person",
            Resource::Contract(_) => "Contract",
            Resource::Parameters(_) => "Parameters",
            Resource::Bundle(_) => "Bundle",
            Resource::OperationOutcome(_) => "OperationOutcome",
            Resource::ValueSet(_) => "ValueSet",
            Resource::Other(map) => map
                .get("resourceType")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("Resource"),
        }
    }

    /// The logical id, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Resource::Practitioner(r) => r.id.as_deref(),
            Resource::PractitionerRole(r) => r.id.as_deref(),
            Resource::Location(r) => r.id.as_deref(),
            Resource::Schedule(r) => r.id.as_deref(),
            Resource::Organization(r) => r.id.as_deref(),
            Resource::Person(r) => r.id.as_deref(),
            Resource::Contract(r) => r.id.as_deref(),
            Resource::Parameters(r) => r.id.as_deref(),
            Resource::Bundle(r) => r.id.as_deref(),
            Resource::OperationOutcome(r) => r.id.as_deref(),
            Resource::ValueSet(r) => r.id.as_deref(),
            Resource::Other(map) => map.get("id").and_then(serde_json::Value::as_str),
        }
    }
}

/// FHIR resource type names are `[A-Z][A-Za-z]*`; anything else is not a resource.
fn is_resource_type_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase()) && bytes.all(|b| b.is_ascii_alphabetic())
}

/// Reads the rest of an object whose `resourceType` has been read already.
fn read_typed<'de, A: MapAccess<'de>>(resource_type: &str, map: A) -> Result<Resource, A::Error> {
    Ok(match resource_type {
        "Practitioner" => Resource::Practitioner(Box::new(Practitioner::from_entries(map)?)),
        "PractitionerRole" => {
            Resource::PractitionerRole(Box::new(PractitionerRole::from_entries(map)?))
        }
        "Location" => Resource::Location(Box::new(Location::from_entries(map)?)),
        "Schedule" => Resource::Schedule(Box::new(Schedule::from_entries(map)?)),
        "Organization" => Resource::Organization(Box::new(Organization::from_entries(map)?)),
        "Person" => Resource::Person(Box::new(Person::from_entries(map)?)),
        "Contract" => Resource::Contract(Box::new(Contract::from_entries(map)?)),
        "Parameters" => Resource::Parameters(Box::new(Parameters::from_entries(map)?)),
        "Bundle" => Resource::Bundle(Box::new(Bundle::from_entries(map)?)),
        "OperationOutcome" => {
            Resource::OperationOutcome(Box::new(OperationOutcomeResource::from_entries(map)?))
        }
        "ValueSet" => Resource::ValueSet(Box::new(ValueSet::from_entries(map)?)),
        other => {
            if !is_resource_type_name(other) {
                return Err(de::Error::custom(format_args!(
                    "resourceType '{other}' is not a FHIR resource type name"
                )));
            }
            let mut rest = serde_json::Map::new();
            rest.insert(
                "resourceType".to_owned(),
                serde_json::Value::String(other.to_owned()),
            );
            let mut map = map;
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value::<serde_json::Value>()?;
                rest.insert(key, value);
            }
            Resource::Other(rest)
        }
    })
}

struct ResourceVisitor;

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = Resource;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR resource (a JSON object with resourceType)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource, A::Error> {
        // The fast path: FHIR JSON writes resourceType first, so stream straight into the type.
        let first = match map.next_key::<Key<'de>>()? {
            Some(key) => key,
            None => return Err(de::Error::custom("resourceType is missing")),
        };
        if first.as_str() == "resourceType" {
            let resource_type = map.next_value::<Key<'de>>()?;
            return read_typed(resource_type.as_str(), map);
        }
        // resourceType comes later: buffer the object, then read the type from the buffer.
        let mut buffered = serde_json::Map::new();
        let value = map.next_value::<serde_json::Value>()?;
        buffered.insert(first.as_str().to_owned(), value);
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<serde_json::Value>()?;
            buffered.insert(key, value);
        }
        let resource_type = match buffered.get("resourceType") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => return Err(de::Error::custom("resourceType is not a string")),
            None => return Err(de::Error::custom("resourceType is missing")),
        };
        if !is_modelled(&resource_type) {
            if is_resource_type_name(&resource_type) {
                return Ok(Resource::Other(buffered));
            }
            return Err(de::Error::custom(format_args!(
                "resourceType '{resource_type}' is not a FHIR resource type name"
            )));
        }
        // Write the object back with resourceType first and read it on the fast path: one
        // copy of each type's deserialisation (for `&str` input) serves both orders.
        let mut ordered = serde_json::Map::with_capacity(buffered.len());
        ordered.insert(
            "resourceType".to_owned(),
            serde_json::Value::String(resource_type),
        );
        for (key, value) in buffered {
            if key != "resourceType" {
                ordered.insert(key, value);
            }
        }
        let text = serde_json::to_string(&ordered).map_err(de::Error::custom)?;
        serde_json::from_str::<Resource>(&text).map_err(|e| {
            // The position is in the rewritten text: report only the message.
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            de::Error::custom(message.strip_suffix(&suffix).unwrap_or(&message))
        })
    }
}

/// Whether `resourceType` names one of the typed resources.
fn is_modelled(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "Practitioner"
            | "PractitionerRole"
            | "Location"
            | "Schedule"
            | "Organization"
            | "Person"
            | "Contract"
            | "Parameters"
            | "Bundle"
            | "OperationOutcome"
            | "ValueSet"
    )
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ResourceVisitor)
    }
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Resource::Practitioner(r) => r.serialize(serializer),
            Resource::PractitionerRole(r) => r.serialize(serializer),
            Resource::Location(r) => r.serialize(serializer),
            Resource::Schedule(r) => r.serialize(serializer),
            Resource::Organization(r) => r.serialize(serializer),
            Resource::Person(r) => r.serialize(serializer),
            Resource::Contract(r) => r.serialize(serializer),
            Resource::Parameters(r) => r.serialize(serializer),
            Resource::Bundle(r) => r.serialize(serializer),
            Resource::OperationOutcome(r) => r.serialize(serializer),
            Resource::ValueSet(r) => r.serialize(serializer),
            Resource::Other(map) => map.serialize(serializer),
        }
    }
}

/// What a resource is, for a type error.
const RESOURCE_EXPECTED: &str = "a FHIR resource (a JSON object with resourceType)";

impl super::read::FromJson for Resource {
    fn read(r: &mut crate::json::Reader<'_>) -> Result<Resource, ReadError> {
        read::open_object(r, RESOURCE_EXPECTED)?;
        let start = r.clone();
        let Some(first) = read::next_key(r)? else {
            return Err(ReadError::after(r, "resourceType is missing".to_owned()));
        };
        if first == "resourceType" {
            // The fast path: FHIR JSON writes resourceType first.
            let resource_type = resource_type_value(r)?;
            return read_members_of(&resource_type, r, true);
        }
        // resourceType comes later: find it, then read the object again from its start.
        let _ = read::member::<serde_json::Value>(r, &first)?;
        let resource_type = loop {
            match read::next_key(r)? {
                None => return Err(ReadError::after(r, "resourceType is missing".to_owned())),
                Some(key) if key == "resourceType" => break resource_type_value(r)?,
                Some(key) => {
                    let _ = read::member::<serde_json::Value>(r, &key)?;
                }
            }
        };
        *r = start;
        read_members_of(&resource_type, r, false)
    }
}

/// The value of `resourceType` (its key read).
fn resource_type_value(r: &mut crate::json::Reader<'_>) -> Result<String, ReadError> {
    read::member::<String>(r, "resourceType")
}

/// Reads the members of a resource of type `resource_type`: the rest of them when
/// `resourceType` was the first (and is read), or all of them.
fn read_members_of(
    resource_type: &str,
    r: &mut crate::json::Reader<'_>,
    type_read: bool,
) -> Result<Resource, ReadError> {
    Ok(match resource_type {
        "Practitioner" => Resource::Practitioner(read::boxed_members::<Practitioner>(r)?),
        "PractitionerRole" => {
            Resource::PractitionerRole(read::boxed_members::<PractitionerRole>(r)?)
        }
        "Location" => Resource::Location(read::boxed_members::<Location>(r)?),
        "Schedule" => Resource::Schedule(read::boxed_members::<Schedule>(r)?),
        "Organization" => Resource::Organization(read::boxed_members::<Organization>(r)?),
        "Person" => Resource::Person(read::boxed_members::<Person>(r)?),
        "Contract" => Resource::Contract(read::boxed_members::<Contract>(r)?),
        "Parameters" => Resource::Parameters(read::boxed_members::<Parameters>(r)?),
        "Bundle" => Resource::Bundle(read::boxed_members::<Bundle>(r)?),
        "OperationOutcome" => {
            Resource::OperationOutcome(read::boxed_members::<OperationOutcomeResource>(r)?)
        }
        "ValueSet" => Resource::ValueSet(read::boxed_members::<ValueSet>(r)?),
        other => {
            if !is_resource_type_name(other) {
                return Err(ReadError::after(
                    r,
                    format!("resourceType '{other}' is not a FHIR resource type name"),
                ));
            }
            let mut rest = serde_json::Map::new();
            if type_read {
                rest.insert(
                    "resourceType".to_owned(),
                    serde_json::Value::String(other.to_owned()),
                );
            }
            read::read_map(r, &mut rest)?;
            Resource::Other(rest)
        }
    })
}

impl super::write::ToJson for Resource {
    fn write(&self, out: &mut crate::json::Out) {
        match self {
            Resource::Practitioner(r) => r.write(out),
            Resource::PractitionerRole(r) => r.write(out),
            Resource::Location(r) => r.write(out),
            Resource::Schedule(r) => r.write(out),
            Resource::Organization(r) => r.write(out),
            Resource::Person(r) => r.write(out),
            Resource::Contract(r) => r.write(out),
            Resource::Parameters(r) => r.write(out),
            Resource::Bundle(r) => r.write(out),
            Resource::OperationOutcome(r) => r.write(out),
            Resource::ValueSet(r) => r.write(out),
            Resource::Other(map) => map.write(out),
        }
    }
}
