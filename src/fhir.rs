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

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<Issue>, A::Error> {
        let root = validation::Path::root("Bundle");
        let entry_path = root.field("entry");
        let mut entry_issues = Vec::new();
        let seed = EntrySeq {
            path: &entry_path,
            issues: &mut entry_issues,
        };
        let (bundle, entries) = read_bundle(map, seed)?;
        // The typed path's order: the elements (entry is the last modelled one), then the rules.
        let mut issues = Vec::new();
        bundle.validate_fields(&root, &mut issues);
        if entries == Some(0) {
            let empty: Vec<crate::model::BundleEntry> = Vec::new();
            validation::Validate::validate(&empty, &entry_path, &mut issues);
        }
        issues.append(&mut entry_issues);
        validation::Invariants::invariants(&bundle, &root, &mut issues);
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

/// Reads a Bundle object: its `entry` array through `seed` (entry by entry), every other
/// element into a [`Bundle`].
fn read_bundle<'de, A: MapAccess<'de>, S: de::DeserializeSeed<'de>>(
    mut map: A,
    seed: S,
) -> Result<(Bundle, Option<S::Value>), A::Error> {
    let mut seed = Some(seed);
    let mut entries = None;
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
                let Some(seed) = seed.take() else {
                    return Err(de::Error::duplicate_field("entry"));
                };
                entries = Some(map.next_value_seed(seed)?);
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
    let bundle = bundle_from_rest(&rest).map_err(de::Error::custom)?;
    Ok((bundle, entries))
}

/// The Bundle's elements other than `entry`, read through the `&str` deserializer (written
/// back to text first, so the Bundle types need no second copy for `serde_json::Value`).
fn bundle_from_rest(
    rest: &serde_json::Map<String, serde_json::Value>,
) -> Result<Bundle, serde_json::Error> {
    let text = serde_json::to_string(rest)?;
    serde_json::from_str::<Bundle>(&text)
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

/// Re-parses a failed input (the error path only, so success pays nothing for it) and turns
/// the failure into an outcome naming the element.
///
/// The element is found from the error's position by [`error_path`], a small JSON scanner,
/// rather than by a path-tracking deserializer wrapper: that wrapper would be one more copy
/// of every model type's deserialisation in the wasm binary.
fn describe_parse_failure(json: &str) -> OperationOutcome {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let failure = match Resource::deserialize(&mut deserializer) {
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
    let segments = error_path(json, &failure);
    let mut expression = String::new();
    if !segments.is_empty() {
        if let Some(resource_type) = top_level_resource_type(json) {
            expression.push_str(&resource_type);
        }
    }
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !expression.is_empty() {
                    expression.push('.');
                }
                expression.push_str(&key);
            }
            Segment::Index(index) => {
                expression.push('[');
                expression.push_str(&index.to_string());
                expression.push(']');
            }
            Segment::Unknown => {}
        }
    }
    let diagnostics = if expression.is_empty() {
        format!("Failed to parse the resource: {failure}.")
    } else {
        format!("Failed to parse {expression}: {failure}.")
    };
    cant_parse(diagnostics, Some(expression))
}

/// One step of an element's path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    /// Inside an object key that failed to read: names nothing more than its object.
    Unknown,
}

/// Where the scanner is inside an open object or array: the current key or index, whether
/// its value has begun (an object's `:` seen), and whether that value is complete.
struct Frame {
    key: Option<String>,
    index: usize,
    is_object: bool,
    in_value: bool,
    done: bool,
}

impl Frame {
    fn new(is_object: bool) -> Frame {
        Frame {
            key: None,
            index: 0,
            is_object,
            in_value: false,
            done: false,
        }
    }

    fn segment(&self) -> Option<Segment> {
        if self.is_object {
            self.key.clone().map(Segment::Key)
        } else {
            Some(Segment::Index(self.index))
        }
    }
}

/// The byte offset serde_json reports an error at (its line and column count bytes, the
/// column being the number of bytes of the line already consumed).
fn error_offset(json: &str, error: &serde_json::Error) -> usize {
    let bytes = json.as_bytes();
    let mut line_start = 0usize;
    let mut line = 1usize;
    while line < error.line() {
        match memchr::memchr(b'\n', bytes.get(line_start..).unwrap_or_default()) {
            Some(i) => line_start += i + 1,
            None => break,
        }
        line += 1;
    }
    (line_start + error.column()).min(bytes.len())
}

/// The path of the element a parse error belongs to, found by scanning the input up to the
/// error's position: the open objects' keys and arrays' indices. Gives what a path-tracking
/// deserializer reports: a wrong JSON type names the element itself; an error raised by an
/// object's visitor after one of its values (a `resourceType` rule) names the object; a
/// syntax error between values names their container.
fn error_path(json: &str, error: &serde_json::Error) -> Vec<Segment> {
    let offset = error_offset(json, error);
    let bytes = json.as_bytes().get(..offset).unwrap_or_default();
    let mut stack: Vec<Frame> = Vec::new();
    // Whether the last token ended exactly at the offset, and whether it closed an object.
    let mut ended = false;
    let mut closed_object = false;
    // Whether the error is inside an object key.
    let mut in_key = false;
    let mut at = 0usize;
    while let Some(&b) = bytes.get(at) {
        ended = false;
        closed_object = false;
        if !matches!(b, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
            if let Some(frame) = stack.last() {
                let after_value = frame.in_value && frame.done;
                let after_key = frame.is_object && frame.key.is_some() && !frame.in_value;
                if after_value || after_key {
                    // The token the error is about: a separator was expected before it.
                    // Reading an object's next key fails; its colon fails in its container.
                    in_key = after_value && frame.is_object;
                    if let Some(frame) = stack.last_mut() {
                        frame.in_value = false;
                    }
                    break;
                }
            }
        }
        match b {
            b'{' | b'[' => {
                value_begun(&mut stack);
                stack.push(Frame::new(b == b'{'));
                at += 1;
            }
            b'}' | b']' => {
                stack.pop();
                value_done(&mut stack);
                at += 1;
                ended = at == bytes.len();
                closed_object = b == b'}';
            }
            b',' => {
                if let Some(frame) = stack.last_mut() {
                    if frame.is_object {
                        frame.key = None;
                    } else if frame.in_value {
                        frame.index += 1;
                    }
                    frame.in_value = false;
                    frame.done = false;
                }
                at += 1;
            }
            b':' => {
                if let Some(frame) = stack.last_mut() {
                    frame.in_value = frame.is_object;
                }
                at += 1;
            }
            b'"' => {
                let is_key = stack.last().is_some_and(|f| f.is_object && !f.in_value);
                let mut end = at + 1;
                let closed = loop {
                    let rest = bytes.get(end..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(i) if rest.get(i) == Some(&b'\\') => end += i + 2,
                        Some(i) => break Some(end + i),
                        None => break None,
                    }
                };
                let Some(close) = closed else {
                    // The error is inside this string.
                    if is_key {
                        in_key = true;
                    } else {
                        value_begun(&mut stack);
                    }
                    break;
                };
                if is_key {
                    let raw = json.get(at..=close).unwrap_or_default();
                    let text = serde_json::from_str::<String>(raw)
                        .unwrap_or_else(|_| raw.trim_matches('"').to_owned());
                    if let Some(frame) = stack.last_mut() {
                        frame.key = Some(text);
                    }
                } else {
                    value_begun(&mut stack);
                    value_done(&mut stack);
                }
                at = close + 1;
                ended = at == bytes.len();
            }
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            _ => {
                // A number or literal: runs to the next delimiter. JSON's whitespace only, as
                // above: `is_ascii_whitespace` also stops at a form feed, which no arm
                // consumes, and the scan never advanced (a hang on `\x0c`).
                value_begun(&mut stack);
                while let Some(&c) = bytes.get(at) {
                    if matches!(c, b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"')
                        || matches!(c, b' ' | b'\t' | b'\n' | b'\r')
                    {
                        break;
                    }
                    at += 1;
                }
                value_done(&mut stack);
                ended = at == bytes.len();
            }
        }
    }
    let data = error.is_data();
    let bracket_unread = matches!(json.as_bytes().get(offset), Some(b'[' | b'{'))
        && !error.to_string().contains("expected a JSON number");
    let wrong_type = data && is_wrong_type(error);
    // A value that just ended is still the failing one when its type was wrong, or when it
    // was an object whose visitor failed at its end.
    let completed_counts = ended && (wrong_type || (data && closed_object));
    let mut path = Vec::with_capacity(stack.len() + 1);
    let depth = stack.len();
    for (i, frame) in stack.iter().enumerate() {
        let innermost = i + 1 == depth;
        let current = if frame.in_value {
            !frame.done || completed_counts
        } else {
            // A wrong-type object or array in an array is reported at its opening bracket,
            // before the scanner sees the element begin.
            // (A number read with `deserialize_any` consumes the bracket first: that error
            // belongs to the array itself.)
            innermost && !frame.is_object && wrong_type && bracket_unread
        };
        if !current {
            break;
        }
        if let Some(segment) = frame.segment() {
            path.push(segment);
        }
    }
    // Reading an object's next key failed (in the key, or where one should start): the
    // object, with an unnamed element.
    let awaiting_key = stack
        .last()
        .is_some_and(|f| f.is_object && ((f.key.is_none() && !f.in_value) || f.done));
    if in_key || (awaiting_key && !data && path.len() + 1 == depth) {
        path.push(Segment::Unknown);
    }
    path
}

/// Whether the error is about one value's JSON type or content (rather than raised by the
/// visitor of the object holding it).
fn is_wrong_type(error: &serde_json::Error) -> bool {
    let text = error.to_string();
    text.starts_with("invalid type")
        || text.starts_with("invalid value")
        || text.starts_with("invalid length")
}

/// Records that the innermost container's current value has begun.
fn value_begun(stack: &mut [Frame]) {
    if let Some(frame) = stack.last_mut() {
        frame.in_value = true;
    }
}

/// Records that the innermost container's current value is complete.
fn value_done(stack: &mut [Frame]) {
    if let Some(frame) = stack.last_mut() {
        frame.done = true;
    }
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

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let (mut bundle, entries) = read_bundle(map, EntryWriter)?;
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

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The expression a path-tracking deserializer gives for a failing input (the previous
    /// implementation), to pin [`error_path`] against.
    fn reference_expression(json: &str) -> Option<String> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let failure = serde_path_to_error::deserialize::<_, Resource>(&mut deserializer).err()?;
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
                _ => {}
            }
        }
        Some(expression)
    }

    fn expression(json: &str) -> String {
        let outcome = describe_parse_failure(json);
        outcome.issues[0]
            .expression
            .first()
            .cloned()
            .unwrap_or_default()
    }

    /// Every way to break one value of `value` with a wrong JSON type, applied in turn.
    fn mutations(value: &Value, out: &mut Vec<Value>, root: &Value, path: &mut Vec<Value>) {
        let wrong = [
            Value::from("x"),
            Value::from(1),
            Value::from(true),
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!([1]),
            serde_json::json!({"resourceType": 7}),
        ];
        for replacement in wrong {
            if replacement != *value && !path.is_empty() {
                let mut copy = root.clone();
                if let Some(slot) = pointer(&mut copy, path) {
                    *slot = replacement;
                    out.push(copy);
                }
            }
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Value::from(k.as_str()));
                    mutations(v, out, root, path);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Value::from(i));
                    mutations(v, out, root, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn pointer<'a>(value: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
        let mut at = value;
        for step in path {
            at = match step {
                Value::String(k) => at.get_mut(k.as_str())?,
                Value::Number(i) => at.get_mut(usize::try_from(i.as_u64()?).ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    #[test]
    fn error_paths_match_a_path_tracking_deserializer() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut checked = 0;
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let Ok(root) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if root.get("resourceType").is_none() {
                continue;
            }
            let mut inputs = Vec::new();
            mutations(&root, &mut inputs, &root, &mut Vec::new());
            for input in inputs.iter().take(3000) {
                for json in [
                    input.to_string(),
                    serde_json::to_string_pretty(input).unwrap(),
                ] {
                    if let Some(expected) = reference_expression(&json) {
                        let got = expression(&json);
                        let outcome = describe_parse_failure(&json);
                        let message = outcome.issues[0].diagnostics.clone();
                        if message.contains("expected field with custom name")
                            && expected.starts_with(&format!("{got}."))
                        {
                            // An object given for a decimal: the reference named the object's
                            // first key (read as a number's magic key); this names the decimal.
                            continue;
                        }
                        assert_eq!(got, expected, "{}: {message}", file.display());
                        checked += 1;
                    }
                }
            }
            // Truncations: syntax errors at every depth.
            let compact = root.to_string();
            for cut in (1..compact.len()).step_by(7) {
                let json = compact.get(..cut).unwrap_or_default();
                if let Some(expected) = reference_expression(json) {
                    assert_eq!(
                        expression(json),
                        expected,
                        "{}: ...{}",
                        file.display(),
                        json.get(json.len().saturating_sub(60)..).unwrap_or(json)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn a_late_resource_type_reads_as_an_early_one() {
        let early = r#"{"resourceType":"Practitioner","id":"p1","active":true,"x":[1.50],"name":[{"family":"Ng"}]}"#;
        let late = r#"{"id":"p1","active":true,"x":[1.50],"resourceType":"Practitioner","name":[{"family":"Ng"}]}"#;
        let (Ok(a), Ok(b)) = (parse_typed(early), parse_typed(late)) else {
            panic!("both parse");
        };
        assert_eq!(a, b);
        let bundle = format!(
            r#"{{"type":"searchset","entry":[{{"resource":{late}}}],"resourceType":"Bundle"}}"#
        );
        let Ok(Resource::Bundle(bundle)) = parse_typed(&bundle) else {
            panic!("a Bundle");
        };
        let entries = bundle.entry.unwrap_or_default();
        assert_eq!(entries[0].resource.as_ref(), Some(&a));
        // A wrong type behind a late resourceType names the resource object.
        let wrong = r#"{"resourceType":"Bundle","entry":[{"resource":{"active":"yes","resourceType":"Practitioner"}}]}"#;
        let outcome = validate_resource(wrong);
        assert_eq!(
            outcome.issues[0].expression,
            vec!["Bundle.entry[0].resource".to_owned()]
        );
        assert!(
            outcome.issues[0]
                .diagnostics
                .contains("invalid type: string \"yes\", expected a boolean at line 1 column 92"),
            "{}",
            outcome.issues[0].diagnostics
        );
        assert_eq!(Some(expression(wrong)), reference_expression(wrong));
        let other = r#"{"id":"o","resourceType":"Observation"}"#;
        assert!(matches!(parse_typed(other), Ok(Resource::Other(_))));
        assert!(parse_typed(r#"{"id":"o","resourceType":"observation"}"#).is_err());
    }

    #[test]
    fn wrong_types_name_the_element() {
        assert_eq!(
            expression(r#"{"resourceType":"Practitioner","active":"yes"}"#),
            "Practitioner.active"
        );
        assert_eq!(
            expression(
                r#"{"resourceType":"Bundle","entry":[{},{},{},{"resource":{"resourceType":"Practitioner","active":1}}]}"#
            ),
            "Bundle.entry[3].resource.active"
        );
        assert_eq!(
            expression("{\"resourceType\":\"Practitioner\",\n \"name\": [{\"family\": [1]}]}"),
            "Practitioner.name[0].family"
        );
    }
}
