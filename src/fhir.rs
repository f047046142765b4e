//! The FHIR entry points the worker and the npm package bind: parse (lossless, normalised)
//! and validate (R4 structure + UK Core Practitioner), both total over any input string.
//!
//! Paths in issues are FHIRPath-style: `Practitioner.identifier[1].value`, and inside a
//! Bundle `Bundle.entry[3].resource.identifier[0].value`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use crate::model::{Bundle, BundleEntry, Key, Resource};
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
    if starts_as_bundle(json) {
        check_depth(json)?;
        // Large searchsets: parse, write and drop entry by entry so memory stays small and hot.
        // The output is byte-for-byte what the typed path writes.
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let streamed = deserializer
            .deserialize_map(BundleWriter)
            .and_then(|written| {
                deserializer.end()?;
                Ok(written)
            });
        return match streamed {
            Ok(Ok(written)) => Ok(written),
            Ok(Err(outcome)) => Err(outcome),
            Err(_) => Err(describe_parse_failure(json)),
        };
    }
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
    if starts_as_bundle(json) {
        if let Err(outcome) = check_depth(json) {
            return outcome;
        }
        // Large searchsets: validate entry by entry and drop each, so memory stays small and
        // hot instead of building the whole tree. Same issues, same order as the typed path.
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let streamed = StreamingBundle::validate(&mut deserializer).and_then(|issues| {
            deserializer.end()?;
            Ok(issues)
        });
        return match streamed {
            Ok(issues) => OperationOutcome { issues },
            // Any failure: let the typed path describe it (with the element's path).
            Err(_) => describe_parse_failure(json),
        };
    }
    match parse_typed(json) {
        Ok(resource) => validate_typed(&resource),
        Err(outcome) => outcome,
    }
}

/// Whether the input begins `{"resourceType":"Bundle"` (whitespace allowed): the shape the
/// streaming validator handles. Anything else takes the typed path.
fn starts_as_bundle(json: &str) -> bool {
    let rest = json.trim_start();
    let Some(rest) = rest.strip_prefix('{') else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix("\"resourceType\"") else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix(':') else {
        return false;
    };
    rest.trim_start().starts_with("\"Bundle\"")
}

/// Validates a Bundle while reading it: each `entry` is parsed, validated and dropped.
struct StreamingBundle;

impl StreamingBundle {
    fn validate(
        deserializer: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    ) -> Result<Vec<Issue>, serde_json::Error> {
        deserializer.deserialize_map(BundleVisitor)
    }
}

struct BundleVisitor;

impl<'de> Visitor<'de> for BundleVisitor {
    type Value = Vec<Issue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Bundle")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Issue>, A::Error> {
        let root = validation::Path::root("Bundle");
        let entry_path = root.field("entry");
        let mut entry_issues = Vec::new();
        let mut entries: Option<usize> = None;
        let mut rest = serde_json::Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "resourceType" => {
                    let found = map.next_value::<Key<'de>>()?;
                    if found.as_str() != "Bundle" {
                        return Err(de::Error::custom("resourceType changed"));
                    }
                }
                "entry" => {
                    if entries.is_some() {
                        return Err(de::Error::duplicate_field("entry"));
                    }
                    entries = Some(map.next_value_seed(EntrySeq {
                        path: &entry_path,
                        issues: &mut entry_issues,
                    })?);
                }
                other => {
                    if rest.contains_key(other) && Bundle::FIELDS.contains(&other) {
                        return Err(de::Error::custom("duplicate field"));
                    }
                    let value = map.next_value::<serde_json::Value>()?;
                    rest.insert(other.to_owned(), value);
                }
            }
        }
        let bundle =
            Bundle::deserialize(serde_json::Value::Object(rest)).map_err(de::Error::custom)?;
        // The typed path's order: the elements (entry is the last modelled one), then the rules.
        let mut issues = Vec::new();
        bundle.validate_fields(&root, &mut issues);
        if entries == Some(0) {
            let empty: Vec<crate::model::BundleEntry> = Vec::new();
            validation::Validate::validate(&empty, &entry_path, &mut issues);
        }
        issues.append(&mut entry_issues);
        validation::bundle_rules(&bundle, &root, &mut issues);
        Ok(issues)
    }
}

/// The `entry` array: each element validated at `Bundle.entry[i]` and dropped.
struct EntrySeq<'p, 'i> {
    path: &'p validation::Path<'p>,
    issues: &'i mut Vec<Issue>,
}

impl<'de> de::DeserializeSeed<'de> for EntrySeq<'_, '_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntrySeq<'_, '_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Bundle entries")
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<usize, S::Error> {
        let mut count = 0;
        while let Some(entry) = seq.next_element::<BundleEntry>()? {
            validation::Validate::validate(&entry, &self.path.index(count), self.issues);
            count += 1;
        }
        Ok(count)
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
    let bytes = json.as_bytes();
    let mut depth = 0usize;
    let mut offset = 0usize;
    while let Some(&b) = bytes.get(offset) {
        match b {
            b'"' => {
                // Jump over the string body: to the next quote not escaped by a backslash.
                let mut at = offset + 1;
                loop {
                    let rest = bytes.get(at..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(i) if rest.get(i) == Some(&b'\\') => at += i + 2,
                        Some(i) => {
                            at += i;
                            break;
                        }
                        // Unterminated: serde reports it properly.
                        None => return Ok(()),
                    }
                }
                offset = at;
            }
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
        offset += 1;
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

/// Reads a Bundle, writing each entry as soon as it is parsed.
struct BundleWriter;

impl<'de> Visitor<'de> for BundleWriter {
    type Value = Result<String, OperationOutcome>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Bundle")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Option<String> = None;
        let mut rest = serde_json::Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "resourceType" => {
                    let found = map.next_value::<Key<'de>>()?;
                    if found.as_str() != "Bundle" {
                        return Err(de::Error::custom("resourceType changed"));
                    }
                }
                "entry" => {
                    if entries.is_some() {
                        return Err(de::Error::duplicate_field("entry"));
                    }
                    entries = Some(map.next_value_seed(EntryWriter)?);
                }
                other => {
                    if rest.contains_key(other) && Bundle::FIELDS.contains(&other) {
                        return Err(de::Error::custom("duplicate field"));
                    }
                    let value = map.next_value::<serde_json::Value>()?;
                    rest.insert(other.to_owned(), value);
                }
            }
        }
        let mut bundle =
            Bundle::deserialize(serde_json::Value::Object(rest)).map_err(de::Error::custom)?;
        // `entry` is the last modelled element: write the modelled ones, then the entries,
        // then the unknown elements, as the typed writer does.
        let extra = std::mem::take(&mut bundle.extra);
        let Ok(head) = serde_json::to_string(&Resource::Bundle(Box::new(bundle))) else {
            return Ok(Err(write_failure()));
        };
        let Ok(tail) = serde_json::to_string(&extra) else {
            return Ok(Err(write_failure()));
        };
        let head = head.strip_suffix('}').unwrap_or(&head);
        let tail = tail.strip_prefix('{').unwrap_or(&tail);
        let mut out = String::with_capacity(
            head.len() + tail.len() + entries.as_ref().map_or(0, String::len) + 16,
        );
        out.push_str(head);
        if let Some(entries) = entries {
            out.push_str(",\"entry\":");
            out.push_str(&entries);
        }
        if tail != "}" {
            out.push(',');
        }
        out.push_str(tail);
        Ok(Ok(out))
    }
}

fn write_failure() -> OperationOutcome {
    OperationOutcome::from(Issue::error(
        IssueCode::InternalError,
        "The resource could not be written as JSON.",
    ))
}

/// The `entry` array, written as a JSON array one entry at a time.
struct EntryWriter;

impl<'de> de::DeserializeSeed<'de> for EntryWriter {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntryWriter {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Bundle entries")
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<String, S::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0) * 1024 + 2);
        out.push(b'[');
        let mut first = true;
        while let Some(entry) = seq.next_element::<BundleEntry>()? {
            if !first {
                out.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut out, &entry).map_err(de::Error::custom)?;
        }
        out.push(b']');
        String::from_utf8(out).map_err(de::Error::custom)
    }
}
