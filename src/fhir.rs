//! The FHIR entry points the worker and the npm package bind: parse (lossless, normalised)
//! and validate (R4 structure + UK Core Practitioner), both total over any input string.
//!
//! Paths in issues are FHIRPath-style: `Practitioner.identifier[1].value`, and inside a
//! Bundle `Bundle.entry[3].resource.identifier[0].value`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::model::{Key, Resource};
use crate::outcome::{Issue, IssueCode, OperationOutcome};
use crate::validation;

/// The deepest JSON nesting accepted. Real FHIR resources stay far below it; the limit is
/// checked before any recursive parsing so hostile input cannot exhaust the (1 MiB wasm) stack.
pub const MAX_DEPTH: usize = 100;

/// Parses a FHIR JSON resource into the typed model.
///
/// Fails (one `MSG_CANT_PARSE_CONTENT` issue, with line/column and the element's FHIRPath when
/// known) on malformed JSON, nesting deeper than [`MAX_DEPTH`], a non-object, a missing or
/// malformed `resourceType`, or a wrong JSON type for a modelled element. Format, cardinality
/// and profile rules are not checked here: see [`validate_resource`].
pub fn parse_typed(json: &str) -> Result<Resource, OperationOutcome> {
    check_depth(json)?;
    serde_json::from_str::<Resource>(json).map_err(|_| describe_parse_failure(json))
}

/// Parses a FHIR JSON resource and writes it back as normalised compact JSON (modelled
/// elements first, unknown elements after them, every value and decimal digit kept).
pub fn parse_resource(json: &str) -> Result<String, OperationOutcome> {
    let resource = parse_typed(json)?;
    to_json(&resource)
}

/// Writes a resource as compact JSON.
pub fn to_json(resource: &Resource) -> Result<String, OperationOutcome> {
    serde_json::to_string(resource).map_err(|_| {
        OperationOutcome::from(Issue::error(
            IssueCode::InternalError,
            "The resource could not be written as JSON.",
        ))
    })
}

/// Parses and validates a FHIR JSON resource, returning every issue found (none when clean).
/// A parse failure comes back as its single `MSG_CANT_PARSE_CONTENT` issue.
pub fn validate_resource(json: &str) -> OperationOutcome {
    match parse_typed(json) {
        Ok(resource) => validate_typed(&resource),
        Err(outcome) => outcome,
    }
}

/// Validates an already parsed resource.
pub fn validate_typed(resource: &Resource) -> OperationOutcome {
    OperationOutcome {
        issues: validation::validate(resource),
    }
}

fn cant_parse(diagnostics: String, expression: Option<String>) -> OperationOutcome {
    let issue = Issue::error(IssueCode::CantParseContent, diagnostics);
    OperationOutcome::from(match expression {
        Some(path) if !path.is_empty() => issue.at(path),
        _ => issue,
    })
}

/// 1-based line and column of a byte offset, as serde_json reports them.
fn line_column(json: &str, offset: usize) -> (usize, usize) {
    let before = json.as_bytes().get(..offset).unwrap_or_default();
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
    (line, column)
}

/// Rejects nesting deeper than [`MAX_DEPTH`] in one linear pass, before serde recurses.
fn check_depth(json: &str) -> Result<(), OperationOutcome> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, &b) in json.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let (line, column) = line_column(json, offset);
                    return Err(cant_parse(
                        format!(
                            "Failed to parse the resource: JSON nested deeper than {MAX_DEPTH} levels at line {line} column {column}."
                        ),
                        None,
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Re-parses a failed input with path tracking (the error path only, so success pays
/// nothing for it) and turns the failure into an outcome naming the element.
fn describe_parse_failure(json: &str) -> OperationOutcome {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let failure = match serde_path_to_error::deserialize::<_, Resource>(&mut deserializer) {
        Ok(_) => {
            // The resource itself read fine, so the failure is what follows it.
            let diagnostics = match deserializer.end() {
                Ok(()) => "Failed to parse the resource.".to_owned(),
                Err(e) => format!("Failed to parse the resource: {e}."),
            };
            return cant_parse(diagnostics, None);
        }
        Err(failure) => failure,
    };
    let mut expression = String::new();
    let segments: Vec<_> = failure.path().iter().collect();
    if !segments.is_empty() {
        if let Some(resource_type) = top_level_resource_type(json) {
            expression.push_str(&resource_type);
        }
    }
    for segment in segments {
        match segment {
            serde_path_to_error::Segment::Map { key } => {
                if !expression.is_empty() {
                    expression.push('.');
                }
                expression.push_str(key);
            }
            serde_path_to_error::Segment::Seq { index } => {
                expression.push_str(&format!("[{index}]"));
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    let inner = failure.inner();
    let diagnostics = if expression.is_empty() {
        format!("Failed to parse the resource: {inner}.")
    } else {
        format!("Failed to parse {expression}: {inner}.")
    };
    cant_parse(diagnostics, Some(expression))
}

/// The top-level `resourceType`, read without needing the rest of the input to be valid.
fn top_level_resource_type(json: &str) -> Option<String> {
    struct Finder<'a>(&'a mut Option<String>);
    impl<'de> Visitor<'de> for Finder<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<Key<'de>>()? {
                if key.as_str() == "resourceType" {
                    let value = map.next_value::<Key<'de>>()?;
                    *self.0 = Some(value.as_str().to_owned());
                    // Found: stop reading; the error this causes is discarded.
                    return Err(de::Error::custom("found"));
                }
                map.next_value::<de::IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let _ = (&mut deserializer).deserialize_map(Finder(&mut found));
    found
}
