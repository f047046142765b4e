//! Validation of parsed resources: FHIR R4 structure (types, required elements, required code
//! bindings, primitive formats, no empty strings or arrays) plus the UK Core Practitioner
//! profile (seed 004). Every issue names the element in words and as a FHIRPath expression.
//!
//! Severities follow SPEC-NOTES: the UK Core identifier format constraints are warnings,
//! cardinalities, bindings and formats are errors.

pub mod formats;
mod invariants;
mod path;
pub mod uk_core;

pub use invariants::Invariants;
pub use path::Path;

use crate::model::{FhirDecimal, Primitive, Resource};
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

/// An empty value: FHIR has no empty strings or arrays (`ele-1`, and JSON's own rule).
fn report_empty(what: &str, path: &Path<'_>, issues: &mut Vec<Issue>) {
    let message = format!("{path} is an empty {what}; FHIR does not allow empty values (ele-1).");
    push_error(issues, IssueCode::ParamEmpty, path, message);
}

/// Appends an error about the element at `path`.
pub(crate) fn push_error(
    issues: &mut Vec<Issue>,
    code: IssueCode,
    path: &Path<'_>,
    message: String,
) {
    issues.push(Issue::error(code, message).at(path.to_string()));
}

/// FHIR `string`: any text but the empty one.
impl Validate for String {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.is_empty() {
            report_empty("string", path, issues);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.is_empty() {
            report_empty("array", path, issues);
        }
        for (i, item) in self.iter().enumerate() {
            item.validate(&path.index(i), issues);
        }
    }
}

/// A list the documents may write as `[]`: only its items are checked.
impl<T: Validate> Validate for crate::model::AllowEmpty<T> {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
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

/// JSON booleans and decimals carry no further rules once their JSON type is right.
impl Validate for bool {
    fn validate(&self, _path: &Path<'_>, _issues: &mut Vec<Issue>) {}
}

impl Validate for FhirDecimal {
    fn validate(&self, _path: &Path<'_>, _issues: &mut Vec<Issue>) {}
}

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
        report_missing(path, why, issues);
    }
}

pub(crate) fn report_missing(path: &Path<'_>, why: &str, issues: &mut Vec<Issue>) {
    let message = format!("{path} is missing; it is required ({why}).");
    push_error(issues, IssueCode::MissingMandatoryParam, path, message);
}

/// An absent element declared with a lower cardinality of `min` (the model's `[1..1]`).
#[doc(hidden)]
pub fn check_cardinality(min: u32, path: &Path<'_>, cardinality: &str, issues: &mut Vec<Issue>) {
    if min > 0 {
        report_missing(
            path,
            &format!("cardinality {cardinality} in FHIR R4"),
            issues,
        );
    }
}

/// One element of a type's table: its type's rules when present, its lower cardinality
/// when absent.
#[inline(never)]
pub(crate) fn slot<T: Validate>(
    field: &Option<T>,
    json: &str,
    min: u32,
    cardinality: &str,
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
) {
    match field {
        Some(value) => value.validate(&path.field(json), issues),
        None if min > 0 => check_cardinality(min, &path.field(json), cardinality, issues),
        None => {}
    }
}

/// A code element with a required binding: as [`slot`], then the binding.
#[inline(never)]
pub(crate) fn code_slot(
    field: &Option<crate::model::Code>,
    json: &str,
    min: u32,
    cardinality: &str,
    binding: &formats::Binding,
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
) {
    match field {
        Some(code) => {
            let at = path.field(json);
            code.validate(&at, issues);
            check_binding(code, &at, binding, issues);
        }
        None => slot::<crate::model::Code>(&None, json, min, cardinality, path, issues),
    }
}

/// Reports a code outside its required binding (empty strings are reported by its type).
#[doc(hidden)]
pub fn check_binding(
    code: &str,
    path: &Path<'_>,
    binding: &formats::Binding,
    issues: &mut Vec<Issue>,
) {
    if !code.is_empty() && !binding.contains(code) {
        let message = format!(
            "{path} {} is not a {} code (one of: {}).",
            quote(code),
            binding.name,
            binding.codes.join(", ")
        );
        push_error(issues, IssueCode::InvalidFormat, path, message);
    }
}

/// A string primitive's rules: not empty, and its type's lexical form.
#[doc(hidden)]
pub fn check_primitive<P: Primitive>(text: &str, path: &Path<'_>, issues: &mut Vec<Issue>) {
    if text.is_empty() {
        report_empty("string", path, issues);
    } else if !P::is_valid_text(text) {
        report_format::<P>(text, path, issues);
    }
}

/// Reports a primitive whose value does not match its FHIR type.
#[doc(hidden)]
pub fn report_format<P: Primitive>(text: &str, path: &Path<'_>, issues: &mut Vec<Issue>) {
    let message = format!(
        "{path} {} is not a valid FHIR {} ({}).",
        quote(text),
        P::TYPE_NAME,
        P::SHAPE
    );
    push_error(issues, IssueCode::InvalidFormat, path, message);
}

/// An element with neither a value nor children (`{}`).
#[doc(hidden)]
pub fn report_empty_element(path: &Path<'_>, issues: &mut Vec<Issue>) {
    let message =
        format!("{path} is an empty object; ele-1: every element has a value or children.");
    push_error(issues, IssueCode::ParamEmpty, path, message);
}

/// Reports a broken invariant of an element, naming its key.
pub(crate) fn report_invariant(
    code: IssueCode,
    path: &Path<'_>,
    key: &str,
    message: std::fmt::Arguments<'_>,
    issues: &mut Vec<Issue>,
) {
    push_error(issues, code, path, format!("{key}: {message}"));
}
