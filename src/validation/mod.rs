//! Validation of parsed resources: FHIR R4 structure (types, required elements, required code
//! bindings, primitive formats, no empty strings or arrays) plus the UK Core Practitioner
//! profile (seed 004). Every issue names the element in words and as a FHIRPath expression.
//!
//! Severities follow SPEC-NOTES: the UK Core identifier format constraints are warnings,
//! cardinalities, bindings and formats are errors.

mod datatypes;
pub mod formats;
mod path;
mod resources;
pub(crate) use resources::bundle_rules;
pub mod uk_core;

pub use path::Path;

use crate::model::{FhirDecimal, Resource};
use crate::outcome::{Issue, IssueCode};

/// A part of the model that can check itself, reporting issues against its path.
pub trait Validate {
    /// Appends every issue found in `self` (at `path`) to `issues`.
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>);
}

/// Validates a parsed resource with its resource type as the root of every path.
pub fn validate(resource: &Resource) -> Vec<Issue> {
    let mut issues = Vec::new();
    let root = Path::root(resource.resource_type());
    resource.validate(&root, &mut issues);
    issues
}

impl Validate for String {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.is_empty() {
            issues.push(
                Issue::error(
                    IssueCode::ParamEmpty,
                    format!("{path} is an empty string; FHIR does not allow empty values."),
                )
                .at(path.to_string()),
            );
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.is_empty() {
            issues.push(
                Issue::error(
                    IssueCode::ParamEmpty,
                    format!("{path} is an empty array; FHIR does not allow empty arrays."),
                )
                .at(path.to_string()),
            );
        }
        for (i, item) in self.iter().enumerate() {
            item.validate(&path.index(i), issues);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        (**self).validate(path, issues);
    }
}

/// JSON booleans and numbers carry no further rules once their JSON type is right.
macro_rules! no_rules {
    ($($t:ty),*) => {
        $(impl Validate for $t {
            fn validate(&self, _path: &Path<'_>, _issues: &mut Vec<Issue>) {}
        })*
    };
}
no_rules!(bool, u64, i64, FhirDecimal);

/// Shortens a value quoted in a diagnostic so a huge input cannot make a huge outcome.
pub(crate) fn quote(value: &str) -> String {
    const MAX_CHARS: usize = 64;
    match value.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("'{}...'", value.get(..cut).unwrap_or_default()),
        None => format!("'{value}'"),
    }
}

/// Reports a required element that is absent.
pub(crate) fn require<T>(value: Option<&T>, path: &Path<'_>, why: &str, issues: &mut Vec<Issue>) {
    if value.is_none() {
        issues.push(
            Issue::error(
                IssueCode::MissingMandatoryParam,
                format!("{path} is missing; it is required ({why})."),
            )
            .at(path.to_string()),
        );
    }
}

/// Reports a code outside its required binding (empty strings are reported elsewhere).
pub(crate) fn check_code(
    value: Option<&String>,
    path: &Path<'_>,
    value_set: &str,
    allowed: &[&str],
    issues: &mut Vec<Issue>,
) {
    if let Some(code) = value {
        if !code.is_empty() && !allowed.contains(&code.as_str()) {
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!(
                        "{path} {} is not a {value_set} code (one of: {}).",
                        quote(code),
                        allowed.join(", ")
                    ),
                )
                .at(path.to_string()),
            );
        }
    }
}

/// Reports a primitive whose text does not match its FHIR type.
pub(crate) fn check_format(
    value: Option<&String>,
    path: &Path<'_>,
    type_name: &str,
    expected: &str,
    is_valid: fn(&str) -> bool,
    issues: &mut Vec<Issue>,
) {
    if let Some(text) = value {
        if !text.is_empty() && !is_valid(text) {
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!(
                        "{path} {} is not a valid FHIR {type_name} ({expected}).",
                        quote(text)
                    ),
                )
                .at(path.to_string()),
            );
        }
    }
}

/// What a FHIR `date` looks like, for diagnostics.
pub(crate) const DATE_SHAPE: &str = "YYYY, YYYY-MM or YYYY-MM-DD";
/// What a FHIR `dateTime` looks like, for diagnostics.
pub(crate) const DATE_TIME_SHAPE: &str =
    "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm";
/// What a FHIR `instant` looks like, for diagnostics.
pub(crate) const INSTANT_SHAPE: &str = "YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm";
