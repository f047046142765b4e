//! The small vocabularies of the contracts API: service and procedure codes, payor
//! references and contract sub types, with the spellings the documents use for each.

use serde_json::Value;

use crate::outcome::{IssueCode, OperationOutcome};

/// `system` the documents give procedure codings; the scheme then sits in `display`.
pub const PROCEDURE_SYSTEM: &str = "https://ref.api.healthcode.co.uk/procedure";
/// Contract type value set.
pub const CONTRACT_TYPE_SYSTEM: &str =
    "https://contracts.api.healthcode.co.uk/valueset/contract-type";
/// Contract sub type value set (for type PRICING).
pub const CONTRACT_SUBTYPE_SYSTEM: &str =
    "https://contracts.api.healthcode.co.uk/valueset/contract-subtype/PRICING";
/// Prefix of every contracts extension URL.
pub const EXTENSION_BASE: &str = "https://contracts.api.healthcode.co.uk/contract/extension/";

/// Payor id of the Self-Pay contract every site has.
pub const SELF_PAY_PAYOR: &str = "slf";
/// Payor id of the All Others contract every site has (the last fallback of every price).
pub const ALL_OTHERS_PAYOR: &str = "na";

/// A `MSG_INVALID_FORMAT` outcome naming `field`.
pub(crate) fn invalid_format(field: &str, detail: impl std::fmt::Display) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::InvalidFormat,
        format!("Field '{field}' is not valid: {detail}."),
    )
}

/// A `MSG_REFERENCE_ID_NOT_FOUND` outcome.
pub(crate) fn not_found(what: &str, id: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::ReferenceIdNotFound,
        format!("{what} '{id}' is not found."),
    )
}

/// A service or procedure code with its scheme (`ISC/C0000010`, `CCSD/A3000`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    /// The coding scheme (`ISC`, `CCSD`, `9BUPP`).
    pub scheme: String,
    /// The code within the scheme.
    pub code: String,
}

impl Code {
    /// A code from its parts.
    pub fn new(scheme: impl Into<String>, code: impl Into<String>) -> Code {
        Code {
            scheme: scheme.into(),
            code: code.into(),
        }
    }

    /// Parses the query form `Scheme/Code`; anything else is `MSG_INVALID_FORMAT` naming `field`.
    pub fn parse(field: &str, text: &str) -> Result<Code, OperationOutcome> {
        let t = text.trim();
        match t.split_once('/') {
            Some((s, c)) if valid_part(s) && valid_part(c) => Ok(Code::new(s, c)),
            _ => Err(invalid_format(
                field,
                format_args!("'{text}' is not Scheme/Code"),
            )),
        }
    }

    /// The canonical `Scheme/Code` key.
    pub fn key(&self) -> String {
        format!("{}/{}", self.scheme, self.code)
    }

    /// Calls `f` with the `Scheme/Code` key built on the stack when it fits, so hot look-ups
    /// by code do not allocate.
    pub fn with_key<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let (s, c) = (self.scheme.as_bytes(), self.code.as_bytes());
        let len = s.len() + 1 + c.len();
        let mut buf = [0u8; 64];
        if let Some(out) = buf.get_mut(..len) {
            let (head, tail) = out.split_at_mut(s.len());
            head.copy_from_slice(s);
            if let Some((slash, rest)) = tail.split_first_mut() {
                *slash = b'/';
                rest.copy_from_slice(c);
            }
            if let Ok(key) = std::str::from_utf8(out) {
                return f(key);
            }
        }
        f(&self.key())
    }

    /// Reads a service coding `{system: "ISC", code}`.
    pub fn from_service_coding(field: &str, coding: &Value) -> Result<Code, OperationOutcome> {
        let code = str_field(coding, "code").ok_or_else(|| invalid_format(field, "no code"))?;
        let scheme =
            str_field(coding, "system").ok_or_else(|| invalid_format(field, "no system"))?;
        Code::parse(field, &format!("{scheme}/{code}"))
    }

    /// Reads a procedure coding: the documents' `{system: PROCEDURE_SYSTEM, code, display: scheme}`
    /// or a bare scheme in `system`.
    pub fn from_procedure_coding(field: &str, coding: &Value) -> Result<Code, OperationOutcome> {
        let code = str_field(coding, "code").ok_or_else(|| invalid_format(field, "no code"))?;
        let system = str_field(coding, "system").unwrap_or(PROCEDURE_SYSTEM);
        let scheme = if system == PROCEDURE_SYSTEM {
            str_field(coding, "display")
                .ok_or_else(|| invalid_format(field, "no scheme in display"))?
        } else {
            system
        };
        Code::parse(field, &format!("{scheme}/{code}"))
    }
}

fn valid_part(s: &str) -> bool {
    !s.is_empty() && !s.contains('/') && !s.contains(',') && !s.chars().any(char::is_whitespace)
}

/// A string member of a JSON object.
pub(crate) fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

/// An array member of a JSON object; absent or not an array reads as empty.
pub(crate) fn array_field<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    v.get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a payor is an insurer (`I`) or a contact acting as payor (`C`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PayorKind {
    /// An insurer: `Organization/<payor>`.
    Insurer,
    /// A contact as payor: `Person/<contact>`.
    Contact,
}

impl PayorKind {
    /// The documents' one-letter code.
    pub fn code(self) -> &'static str {
        match self {
            PayorKind::Insurer => "I",
            PayorKind::Contact => "C",
        }
    }

    /// Parses `I` or `C`.
    pub fn parse(field: &str, text: &str) -> Result<PayorKind, OperationOutcome> {
        match text.trim() {
            "I" => Ok(PayorKind::Insurer),
            "C" => Ok(PayorKind::Contact),
            other => Err(invalid_format(
                field,
                format_args!("'{other}' is not I or C"),
            )),
        }
    }

    /// The FHIR resource type of the payor's `authority` reference.
    pub fn resource_type(self) -> &'static str {
        match self {
            PayorKind::Insurer => "Organization",
            PayorKind::Contact => "Person",
        }
    }
}

/// A payor: its kind and id (`bup`, `slf`, `John`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PayorRef {
    /// Insurer or contact.
    pub kind: PayorKind,
    /// The payor id.
    pub id: String,
}

impl PayorRef {
    /// An insurer payor.
    pub fn insurer(id: impl Into<String>) -> PayorRef {
        PayorRef {
            kind: PayorKind::Insurer,
            id: id.into(),
        }
    }

    /// Parses any of the documents' spellings: `Payor/I-slf`, `Payor/C-John`,
    /// `Organization/slf`, `Person/John`, `I/slh`, `C/John`.
    pub fn parse_reference(field: &str, text: &str) -> Result<PayorRef, OperationOutcome> {
        let bad = || invalid_format(field, format_args!("'{text}' is not a payor reference"));
        let (head, tail) = text.trim().split_once('/').ok_or_else(bad)?;
        let (kind, id) = match head {
            "Payor" => {
                let (k, id) = tail.split_once('-').ok_or_else(bad)?;
                (PayorKind::parse(field, k)?, id)
            }
            "Organization" | "I" => (PayorKind::Insurer, tail),
            "Person" | "C" => (PayorKind::Contact, tail),
            _ => return Err(bad()),
        };
        if !valid_part(id) {
            return Err(bad());
        }
        Ok(PayorRef {
            kind,
            id: id.to_string(),
        })
    }

    /// `Organization/bup` or `Person/John`.
    pub fn authority_reference(&self) -> String {
        format!("{}/{}", self.kind.resource_type(), self.id)
    }

    /// `I/slh`: the form effective prices use in `term.asset.context`.
    pub fn short_reference(&self) -> String {
        format!("{}/{}", self.kind.code(), self.id)
    }
}

/// The sub type of the contract that supplies a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubType {
    /// The payor's fee schedule (site-wide or at a location).
    FeeSchedule,
    /// A practitioner's bespoke prices under a payor.
    PractitionerBespoke,
    /// A practitioner's own self-pay list.
    SelfPay,
}

impl SubType {
    /// The documents' code.
    pub fn code(self) -> &'static str {
        match self {
            SubType::FeeSchedule => "FEE_SCHEDULE",
            SubType::PractitionerBespoke => "PRACTITIONER_BESPOKE_CONTRACT",
            SubType::SelfPay => "SELF_PAY",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_parse_in_query_and_coding_forms() {
        assert_eq!(
            Code::parse("s", "ISC/C0000010").unwrap(),
            Code::new("ISC", "C0000010")
        );
        assert!(Code::parse("s", "C0000010").is_err());
        assert!(Code::parse("s", "ISC/").is_err());
        let c = json!({"system": PROCEDURE_SYSTEM, "code": "A3000", "display": "CCSD"});
        assert_eq!(
            Code::from_procedure_coding("p", &c).unwrap().key(),
            "CCSD/A3000"
        );
        let bare = json!({"system": "9BUPP", "code": "AA207"});
        assert_eq!(
            Code::from_procedure_coding("p", &bare).unwrap().key(),
            "9BUPP/AA207"
        );
        let s = json!({"system": "ISC", "code": "C0000010", "display": "Surgeons Fee"});
        assert_eq!(
            Code::from_service_coding("s", &s).unwrap().key(),
            "ISC/C0000010"
        );
    }

    #[test]
    fn payor_references_in_every_spelling() {
        let want = PayorRef::insurer("slf");
        for r in ["Payor/I-slf", "Organization/slf", "I/slf"] {
            assert_eq!(PayorRef::parse_reference("context", r).unwrap(), want);
        }
        let john = PayorRef::parse_reference("context", "Payor/C-John").unwrap();
        assert_eq!(john.kind, PayorKind::Contact);
        assert_eq!(john.authority_reference(), "Person/John");
        assert_eq!(want.short_reference(), "I/slf");
        assert!(PayorRef::parse_reference("context", "Payor/X-slf").is_err());
        assert!(PayorRef::parse_reference("context", "slf").is_err());
    }
}
