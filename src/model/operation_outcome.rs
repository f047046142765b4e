//! `OperationOutcome` as a resource read from JSON (the product writes its own outcomes with
//! [`crate::outcome::OperationOutcome`]).

use super::{CodeableConcept, Extension, Meta};

fhir_type! {
    /// An OperationOutcome resource as received.
    pub struct OperationOutcomeResource ["OperationOutcome"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        issue: Vec<OperationOutcomeIssue> = "issue",
    }
}

fhir_type! {
    /// One issue; `severity` and `code` are 1..1.
    pub struct OperationOutcomeIssue {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        severity: String = "severity",
        code: String = "code",
        details: CodeableConcept = "details",
        diagnostics: String = "diagnostics",
        location: Vec<String> = "location",
        expression: Vec<String> = "expression",
    }
}
