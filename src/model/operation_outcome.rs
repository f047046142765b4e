//! `OperationOutcome` as a resource read from JSON (the product writes its own outcomes with
//! [`crate::outcome::OperationOutcome`]).

use super::{AllowEmpty, Code, CodeableConcept};

fhir_type! {
    /// An OperationOutcome resource as received.
    pub struct OperationOutcomeResource: DomainResource ["OperationOutcome"] {
        issue: Vec<OperationOutcomeIssue> = "issue" [1..*],
    }
}

fhir_type! {
    /// One issue; `severity` and `code` are 1..1.
    pub struct OperationOutcomeIssue: BackboneElement {
        severity: Code = "severity" [1..1] in ISSUE_SEVERITY,
        code: Code = "code" [1..1],
        details: CodeableConcept = "details",
        diagnostics: String = "diagnostics",
        location: AllowEmpty<String> = "location",
        expression: AllowEmpty<String> = "expression",
    }
}
