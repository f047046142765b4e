//! OperationOutcome: the one error shape of the product.
//!
//! Every failure (parse, validation, contract rules, HTTP) becomes an [`OperationOutcome`]
//! whose issues carry the documents' stable codes (`MSG_INVALID_FORMAT`, ...), a plain-words
//! diagnostic naming the field or parameter, and the FHIRPath of the offending element.

use serde_json::{json, Value};

/// `details.coding.system` of every issue: the documents' samples use the literal `URL`,
/// and clients already match on it, so it is kept as written.
pub const ISSUE_CODE_SYSTEM: &str = "URL";

/// How bad an issue is (FHIR `IssueSeverity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The request could not be processed at all.
    Fatal,
    /// The content is wrong; a write must fail.
    Error,
    /// Worth telling the caller, but not a reason to refuse.
    Warning,
    /// Purely informational (e.g. a successful delete).
    Information,
}

impl Severity {
    /// The FHIR code for this severity.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }

    /// Whether this severity makes a request fail.
    pub fn is_failure(self) -> bool {
        matches!(self, Severity::Fatal | Severity::Error)
    }
}

/// The documents' error codes (seed 000's table) plus the ones SPEC-NOTES adds in the same style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueCode {
    /// 400: the body is not parsable JSON/FHIR.
    CantParseContent,
    /// 400: a mandatory parameter or element is missing.
    MissingMandatoryParam,
    /// 400: a parameter or element has the wrong format.
    InvalidFormat,
    /// 400: a parameter is present but empty.
    ParamEmpty,
    /// 400: the operation is not allowed (e.g. editing a non-editable set).
    OpNotAllowed,
    /// 422: the entity already exists.
    EntityAlreadyExists,
    /// 422: parameter content is not valid.
    ParamInvalid,
    /// 400: an unknown query parameter. Written as `MSG_PARAM_INVALID` like [`ParamInvalid`]
    /// (the documents have no code of its own), but SPEC-NOTES gives it status 400.
    ///
    /// [`ParamInvalid`]: IssueCode::ParamInvalid
    UnknownParam,
    /// 422: a referenced id does not exist.
    ReferenceIdNotFound,
    /// 422: the database refused the operation.
    DatabaseError,
    /// 401: no valid bearer token.
    AuthRequired,
    /// 403: the token lacks the scope or the site.
    Forbidden,
    /// 404: unknown route or id.
    NotFound,
    /// 405: the route exists but not for this method.
    MethodNotAllowed,
    /// 412: `If-Match` names a stale version.
    VersionConflict,
    /// 413: request body too large.
    PayloadTooLarge,
    /// 500: an internal failure; never carries internals.
    InternalError,
    /// 200: a delete succeeded (informational).
    DeletedId,
}

impl IssueCode {
    /// Every code of the documents (each `MSG_...` string once; `UnknownParam` shares
    /// `ParamInvalid`'s), for tables and parsing.
    pub const ALL: [IssueCode; 17] = [
        IssueCode::CantParseContent,
        IssueCode::MissingMandatoryParam,
        IssueCode::InvalidFormat,
        IssueCode::ParamEmpty,
        IssueCode::OpNotAllowed,
        IssueCode::EntityAlreadyExists,
        IssueCode::ParamInvalid,
        IssueCode::ReferenceIdNotFound,
        IssueCode::DatabaseError,
        IssueCode::AuthRequired,
        IssueCode::Forbidden,
        IssueCode::NotFound,
        IssueCode::MethodNotAllowed,
        IssueCode::VersionConflict,
        IssueCode::PayloadTooLarge,
        IssueCode::InternalError,
        IssueCode::DeletedId,
    ];

    /// The stable code string (`MSG_...`).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::CantParseContent => "MSG_CANT_PARSE_CONTENT",
            IssueCode::MissingMandatoryParam => "MSG_MISSING_MANDATORY_PARAM",
            IssueCode::InvalidFormat => "MSG_INVALID_FORMAT",
            IssueCode::ParamEmpty => "MSG_PARAM_EMPTY",
            IssueCode::OpNotAllowed => "MSG_OP_NOT_ALLOWED",
            IssueCode::EntityAlreadyExists => "MSG_ENTITY_ALREADY_EXISTS",
            IssueCode::ParamInvalid | IssueCode::UnknownParam => "MSG_PARAM_INVALID",
            IssueCode::ReferenceIdNotFound => "MSG_REFERENCE_ID_NOT_FOUND",
            IssueCode::DatabaseError => "MSG_DATABASE_ERROR",
            IssueCode::AuthRequired => "MSG_AUTH_REQUIRED",
            IssueCode::Forbidden => "MSG_FORBIDDEN",
            IssueCode::NotFound => "MSG_NOT_FOUND",
            IssueCode::MethodNotAllowed => "MSG_METHOD_NOT_ALLOWED",
            IssueCode::VersionConflict => "MSG_VERSION_CONFLICT",
            IssueCode::PayloadTooLarge => "MSG_PAYLOAD_TOO_LARGE",
            IssueCode::InternalError => "MSG_INTERNAL_ERROR",
            IssueCode::DeletedId => "MSG_DELETED_ID",
        }
    }

    /// The documents' one-line description of the code.
    pub fn display(self) -> &'static str {
        match self {
            IssueCode::CantParseContent => "Failed to parse content.",
            IssueCode::MissingMandatoryParam => "Mandatory parameter is missing.",
            IssueCode::InvalidFormat => "Submitted parameter is not valid.",
            IssueCode::ParamEmpty => "Parameter is null/empty.",
            IssueCode::OpNotAllowed => "Operation is not allowed.",
            IssueCode::EntityAlreadyExists => "Entity already exists in database.",
            IssueCode::ParamInvalid | IssueCode::UnknownParam => "Parameter content is not valid.",
            IssueCode::ReferenceIdNotFound => "Reference ID is not found.",
            IssueCode::DatabaseError => "Entity failed to process from database.",
            IssueCode::AuthRequired => "Authentication is required.",
            IssueCode::Forbidden => "Access to this resource is not allowed.",
            IssueCode::NotFound => "Resource is not found.",
            IssueCode::MethodNotAllowed => "Method is not allowed.",
            IssueCode::VersionConflict => "Resource version does not match.",
            IssueCode::PayloadTooLarge => "Request body is too large.",
            IssueCode::InternalError => "Internal error.",
            IssueCode::DeletedId => "The resource has been deleted",
        }
    }

    /// The HTTP status the documents (and SPEC-NOTES) give this code.
    pub fn http_status(self) -> u16 {
        match self {
            IssueCode::CantParseContent
            | IssueCode::MissingMandatoryParam
            | IssueCode::InvalidFormat
            | IssueCode::ParamEmpty
            | IssueCode::OpNotAllowed
            | IssueCode::UnknownParam => 400,
            IssueCode::EntityAlreadyExists
            | IssueCode::ParamInvalid
            | IssueCode::ReferenceIdNotFound
            | IssueCode::DatabaseError => 422,
            IssueCode::AuthRequired => 401,
            IssueCode::Forbidden => 403,
            IssueCode::NotFound => 404,
            IssueCode::MethodNotAllowed => 405,
            IssueCode::VersionConflict => 412,
            IssueCode::PayloadTooLarge => 413,
            IssueCode::InternalError => 500,
            IssueCode::DeletedId => 200,
        }
    }

    /// The FHIR `IssueType` that best fits the code.
    pub fn issue_type(self) -> &'static str {
        match self {
            IssueCode::CantParseContent => "structure",
            IssueCode::MissingMandatoryParam => "required",
            IssueCode::InvalidFormat
            | IssueCode::ParamEmpty
            | IssueCode::ParamInvalid
            | IssueCode::UnknownParam => "invalid",
            IssueCode::OpNotAllowed | IssueCode::MethodNotAllowed => "not-supported",
            IssueCode::EntityAlreadyExists => "duplicate",
            IssueCode::ReferenceIdNotFound | IssueCode::NotFound => "not-found",
            IssueCode::DatabaseError | IssueCode::InternalError => "exception",
            IssueCode::AuthRequired => "login",
            IssueCode::Forbidden => "forbidden",
            IssueCode::VersionConflict => "conflict",
            IssueCode::PayloadTooLarge => "too-long",
            IssueCode::DeletedId => "informational",
        }
    }

    /// Parses a `MSG_...` string back to the code.
    pub fn parse(code: &str) -> Option<IssueCode> {
        IssueCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// One issue of an [`OperationOutcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// How bad it is.
    pub severity: Severity,
    /// The documents' code.
    pub code: IssueCode,
    /// Plain words, naming the field or parameter.
    pub diagnostics: String,
    /// FHIRPath expressions of the offending elements (e.g. `Practitioner.identifier[1].value`).
    pub expression: Vec<String>,
    /// Optional `location` entries (the documents use `CONTRACTS` on deletes).
    pub location: Vec<String>,
}

impl Issue {
    /// An error issue with a diagnostic and no expression.
    pub fn error(code: IssueCode, diagnostics: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            code,
            diagnostics: diagnostics.into(),
            expression: Vec::new(),
            location: Vec::new(),
        }
    }

    /// A warning issue with a diagnostic and no expression.
    pub fn warning(code: IssueCode, diagnostics: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Warning,
            ..Issue::error(code, diagnostics)
        }
    }

    /// Adds a FHIRPath expression naming the offending element.
    pub fn at(mut self, expression: impl Into<String>) -> Issue {
        self.expression.push(expression.into());
        self
    }

    /// Renders the issue in the documents' JSON shape.
    pub fn to_json(&self) -> Value {
        let mut issue = json!({
            "severity": self.severity.as_str(),
            "code": self.code.issue_type(),
            "details": {
                "coding": [{
                    "system": ISSUE_CODE_SYSTEM,
                    "code": self.code.as_str(),
                    "display": self.code.display(),
                }]
            },
            "diagnostics": self.diagnostics,
        });
        if let Value::Object(map) = &mut issue {
            if !self.location.is_empty() {
                map.insert("location".into(), json!(self.location));
            }
            map.insert("expression".into(), json!(self.expression));
        }
        issue
    }
}

/// A FHIR OperationOutcome: the list of issues found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationOutcome {
    /// The issues, in the order they were found.
    pub issues: Vec<Issue>,
}

impl OperationOutcome {
    /// An outcome with no issues.
    pub fn new() -> OperationOutcome {
        OperationOutcome::default()
    }

    /// An outcome with a single error issue.
    pub fn error(code: IssueCode, diagnostics: impl Into<String>) -> OperationOutcome {
        OperationOutcome {
            issues: vec![Issue::error(code, diagnostics)],
        }
    }

    /// The documents' successful-delete outcome (`MSG_DELETED_ID`, location `CONTRACTS`).
    pub fn deleted(diagnostics: impl Into<String>) -> OperationOutcome {
        OperationOutcome {
            issues: vec![Issue {
                severity: Severity::Information,
                code: IssueCode::DeletedId,
                diagnostics: diagnostics.into(),
                expression: Vec::new(),
                location: vec!["CONTRACTS".into()],
            }],
        }
    }

    /// Appends an issue.
    pub fn push(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// True when any issue is an error or fatal.
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity.is_failure())
    }

    /// The code of the first failing issue, if any.
    pub fn first_error(&self) -> Option<&Issue> {
        self.issues.iter().find(|i| i.severity.is_failure())
    }

    /// The HTTP status for this outcome: the first error's status, else 200.
    pub fn http_status(&self) -> u16 {
        self.first_error().map_or(200, |i| i.code.http_status())
    }

    /// Renders the outcome as FHIR JSON. FHIR requires at least one issue, so an outcome
    /// with none is written as a single informational "All OK" issue.
    pub fn to_json(&self) -> Value {
        let issues: Vec<Value> = if self.issues.is_empty() {
            vec![
                json!({"severity": "information", "code": "informational", "diagnostics": "All OK", "expression": []}),
            ]
        } else {
            self.issues.iter().map(Issue::to_json).collect()
        };
        json!({"resourceType": "OperationOutcome", "issue": issues})
    }

    /// Renders the outcome as a compact JSON string: the very bytes of [`Self::to_json`]
    /// written out, written straight from the issues ([`crate::json::Out`]) instead of through
    /// a `serde_json::Value` tree (a large Bundle's outcome can have thousands of issues).
    pub fn to_json_string(&self) -> String {
        let mut o = crate::json::Out::new();
        o.open()
            .member("resourceType", "OperationOutcome")
            .open_list_member("issue");
        if self.issues.is_empty() {
            o.open()
                .member("severity", "information")
                .member("code", "informational")
                .member("diagnostics", "All OK")
                .open_list_member("expression")
                .close_list()
                .close();
        }
        for issue in &self.issues {
            o.open()
                .member("severity", issue.severity.as_str())
                .member("code", issue.code.issue_type())
                .open_member("details")
                .open_list_member("coding")
                .open()
                .member("system", ISSUE_CODE_SYSTEM)
                .member("code", issue.code.as_str())
                .member("display", issue.code.display())
                .close()
                .close_list()
                .close()
                .member("diagnostics", &issue.diagnostics);
            if !issue.location.is_empty() {
                o.open_list_member("location");
                for l in &issue.location {
                    o.str(l);
                }
                o.close_list();
            }
            o.open_list_member("expression");
            for e in &issue.expression {
                o.str(e);
            }
            o.close_list().close();
        }
        o.close_list().close();
        o.finish()
    }
}

impl std::fmt::Display for OperationOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for issue in &self.issues {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{}: {}", issue.code.as_str(), issue.diagnostics)?;
        }
        Ok(())
    }
}

impl std::error::Error for OperationOutcome {}

impl From<Issue> for OperationOutcome {
    fn from(issue: Issue) -> OperationOutcome {
        OperationOutcome {
            issues: vec![issue],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_matches_documents_shape() {
        let got = OperationOutcome::deleted("Delete Contract Price Successful. ").to_json();
        let want = json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "information",
                "code": "informational",
                "details": {"coding": [{"system": "URL", "code": "MSG_DELETED_ID", "display": "The resource has been deleted"}]},
                "diagnostics": "Delete Contract Price Successful. ",
                "location": ["CONTRACTS"],
                "expression": []
            }]
        });
        assert_eq!(got, want);
    }

    #[test]
    fn codes_round_trip_and_statuses() {
        for code in IssueCode::ALL {
            assert_eq!(IssueCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(IssueCode::InvalidFormat.http_status(), 400);
        assert_eq!(IssueCode::ReferenceIdNotFound.http_status(), 422);
        // SPEC-NOTES: an unknown query parameter is a 400 written as MSG_PARAM_INVALID.
        assert_eq!(IssueCode::UnknownParam.as_str(), "MSG_PARAM_INVALID");
        assert_eq!(IssueCode::UnknownParam.http_status(), 400);
        assert_eq!(IssueCode::ParamInvalid.http_status(), 422);
        let o = OperationOutcome::error(IssueCode::ParamEmpty, "Parameter 'gender' is empty.");
        assert_eq!(o.http_status(), 400);
        assert!(o.has_errors());
    }

    /// The written text is byte for byte the value's, escapes and all.
    #[test]
    fn the_json_text_is_the_values() {
        let mut outcome = OperationOutcome::new();
        assert_eq!(outcome.to_json_string(), outcome.to_json().to_string());
        outcome.push(Issue::error(IssueCode::InvalidFormat, "plain").at("Practitioner.gender"));
        outcome.push(Issue::warning(
            IssueCode::CantParseContent,
            "quote \" back \\ tab \t é \u{1}",
        ));
        outcome.push(OperationOutcome::deleted("gone").issues.remove(0));
        assert_eq!(outcome.to_json_string(), outcome.to_json().to_string());
    }
}
