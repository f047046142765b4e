//! The FHIR entry points the worker and the npm package bind: parse (lossless, normalised)
//! and validate (R4 structure + UK Core Practitioner), both total over any input string.
//!
//! Paths in issues are FHIRPath-style: `Practitioner.identifier[1].value`, and inside a
//! Bundle `Bundle.entry[3].resource.identifier[0].value`.
//!
//! Resources are read by the model's own reader ([`crate::model::read`]), whose errors carry
//! the failing element's path, so a parse failure names the element without a second pass.

use crate::json::{Out, Reader};
use crate::model::read::{self, FromJson, ReadError, Segment};
use crate::model::write::{self, ToJson};
use crate::model::{Bundle, BundleEntry, Resource};
use crate::outcome::{Issue, IssueCode, OperationOutcome};
use crate::validation;

/// The deepest JSON nesting accepted. Real FHIR resources stay far below it; the reader
/// stops at it before going deeper, so hostile input cannot exhaust the (1 MiB wasm) stack.
pub const MAX_DEPTH: usize = 100;

/// Parses a FHIR JSON resource into the typed model.
///
/// Fails (one `MSG_CANT_PARSE_CONTENT` issue, with line/column and the element's FHIRPath when
/// known) on malformed JSON, nesting deeper than [`MAX_DEPTH`], a non-object, a missing or
/// malformed `resourceType`, or a wrong JSON type for a modelled element. Format, cardinality
/// and profile rules are not checked here: see [`validate_resource`].
pub fn parse_typed(json: &str) -> Result<Resource, OperationOutcome> {
    read::from_reader::<Resource>(reader(json)).map_err(|e| describe(json, &e))
}

/// Parses a FHIR JSON resource and writes it back as normalised compact JSON (modelled
/// elements first, unknown elements after them, every value and decimal digit kept).
pub fn parse_resource(json: &str) -> Result<String, OperationOutcome> {
    if starts_as_bundle(json) {
        // Large searchsets: parse, write and drop entry by entry so memory stays small and hot.
        // The output is byte-for-byte what the typed path writes.
        let mut entries = Out::new();
        entries.open_list();
        let streamed = stream_bundle(json, |_, entry| entry.write(&mut entries));
        return match streamed {
            Ok((bundle, count)) => {
                entries.close_list();
                Ok(write_bundle(&bundle, count.map(|_| entries.finish())))
            }
            Err(e) => Err(describe(json, &e)),
        };
    }
    let resource = parse_typed(json)?;
    to_json(&resource)
}

/// Writes a resource as compact JSON (what serde_json writes for it, byte for byte).
pub fn to_json(resource: &Resource) -> Result<String, OperationOutcome> {
    Ok(write::to_text(resource))
}

/// Parses and validates a FHIR JSON resource, returning every issue found (none when clean).
/// A parse failure comes back as its single `MSG_CANT_PARSE_CONTENT` issue.
pub fn validate_resource(json: &str) -> OperationOutcome {
    if starts_as_bundle(json) {
        // Large searchsets: validate entry by entry and drop each, so memory stays small and
        // hot instead of building the whole tree. Same issues, same order as the typed path.
        let root = validation::Path::root("Bundle");
        let entry_path = root.field("entry");
        let mut entry_issues = Vec::new();
        let streamed = stream_bundle(json, |index, entry| {
            validation::Validate::validate(&entry, &entry_path.index(index), &mut entry_issues);
        });
        return match streamed {
            Ok((bundle, entries)) => {
                // The typed path's order: the elements (entry is the last modelled one), then
                // the rules.
                let mut issues = Vec::new();
                bundle.validate_fields(&root, &mut issues);
                if entries == Some(0) {
                    let empty: Vec<BundleEntry> = Vec::new();
                    validation::Validate::validate(&empty, &entry_path, &mut issues);
                }
                issues.append(&mut entry_issues);
                validation::Invariants::invariants(&bundle, &root, &mut issues);
                OperationOutcome { issues }
            }
            Err(e) => describe(json, &e),
        };
    }
    match parse_typed(json) {
        Ok(resource) => validate_typed(&resource),
        Err(outcome) => outcome,
    }
}

/// Whether the input begins `{"resourceType":"Bundle"` (whitespace allowed): the shape the
/// streaming paths handle. Anything else takes the typed path.
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

/// Reads a Bundle, handing each `entry` to `each` (with its index) as soon as it is read and
/// dropping it, every other element into the [`Bundle`]. Gives the Bundle and the number of
/// entries (`None` without an `entry` element). Errors name the element as the typed path's
/// do, so they are described as they come.
fn stream_bundle(
    json: &str,
    mut each: impl FnMut(usize, BundleEntry),
) -> Result<(Bundle, Option<usize>), ReadError> {
    let mut r = reader(json);
    read::open_object(&mut r, "a Bundle")?;
    let mut bundle = Bundle::default();
    let mut entries = None;
    let mut hint = 0;
    while let Some(key) = read::next_key(&mut r)? {
        if key != "entry" {
            read::read_member(&mut bundle, &key, &mut r, &mut hint)?;
            continue;
        }
        if entries.is_some() {
            return Err(read::duplicate(&r, "entry"));
        }
        let mut count = 0;
        read::read_items(&mut r, &mut |r| {
            each(count, BundleEntry::read(r)?);
            count += 1;
            Ok(())
        })
        .map_err(|e| e.within(Segment::Key("entry".to_owned())))?;
        entries = Some(count);
    }
    r.end()?;
    Ok((bundle, entries))
}

/// Writes a streamed Bundle: its modelled elements, then the entries (`entry` is the last
/// modelled element) as written already, then the elements outside the model, as the typed
/// writer orders them.
fn write_bundle(bundle: &Bundle, entries: Option<String>) -> String {
    let mut out = Out::new();
    out.open().member("resourceType", "Bundle");
    write::members(bundle, &mut out);
    if let Some(entries) = entries {
        out.key("entry").raw(&entries);
    }
    write::extra(&bundle.extra, &mut out);
    out.close();
    out.finish()
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

/// Finds nesting deeper than [`MAX_DEPTH`] in one linear pass. Only a failed read runs it
/// (the reader itself stops at that depth): a too-deep input is reported as such, whatever
/// else is wrong with it.
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
                        // Unterminated: the reader reports it.
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

/// A reader over a resource's text that refuses nesting deeper than [`MAX_DEPTH`] where it
/// meets it, so no recursive read goes deeper (the wasm stack is 1 MiB).
fn reader(json: &str) -> Reader<'_> {
    Reader::with_max_depth(json, MAX_DEPTH)
}

/// The outcome for a read failure: its message and position, and the failing element's
/// FHIRPath (the resource type, then the path) when it is inside the resource.
fn describe(json: &str, failure: &ReadError) -> OperationOutcome {
    if let Err(too_deep) = check_depth(json) {
        return too_deep;
    }
    let mut expression = String::new();
    let mut segments = failure.path().peekable();
    if segments.peek().is_some() {
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
                expression.push_str(key);
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

/// The top-level `resourceType`, read without needing the rest of the input to be valid.
fn top_level_resource_type(json: &str) -> Option<String> {
    let mut r = Reader::new(json);
    r.begin_object().ok()?;
    while let Some(key) = read::next_key(&mut r).ok()? {
        if key == "resourceType" {
            return String::read(&mut r).ok();
        }
        serde_json::Value::read(&mut r).ok()?;
    }
    None
}

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The outcome the typed path gives a failing input.
    fn describe_parse_failure(json: &str) -> OperationOutcome {
        match read::from_reader::<Resource>(reader(json)) {
            Ok(_) => cant_parse("Failed to parse the resource.".to_owned(), None),
            Err(e) => describe(json, &e),
        }
    }

    /// The expression a path-tracking deserializer gives for a failing input (the previous
    /// implementation), to pin the reader's error paths against.
    fn reference_expression(json: &str) -> Option<String> {
        reference(json).map(|(expression, _)| expression)
    }

    /// The reference's expression and its error's text.
    fn reference(json: &str) -> Option<(String, String)> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let failure = serde_path_to_error::deserialize::<_, Resource>(&mut deserializer).err()?;
        let text = failure.inner().to_string();
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
        Some((expression, text))
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
                    if let Some((expected, serde_text)) = reference(&json) {
                        let got = expression(&json);
                        let outcome = describe_parse_failure(&json);
                        // The streaming Bundle paths describe their own failures: the same.
                        assert_eq!(parse_resource(&json).err().as_ref(), Some(&outcome));
                        assert_eq!(validate_resource(&json), outcome);
                        let message = outcome.issues[0].diagnostics.clone();
                        if message.contains("expected a JSON number") {
                            // An array or object given for a decimal: serde_json's
                            // arbitrary-precision number reads into it (naming, for an object,
                            // its first key, as a number's magic key) before it fails; this
                            // reader names the decimal where it starts.
                            assert!(expected.starts_with(&got), "{got} / {expected}");
                            continue;
                        }
                        assert_eq!(got, expected, "{}: {message}", file.display());
                        // The wording and position are serde_json's too.
                        let at = if got.is_empty() {
                            "the resource".to_owned()
                        } else {
                            got
                        };
                        assert_eq!(message, format!("Failed to parse {at}: {serde_text}."));
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
    fn the_writer_writes_what_serde_json_writes() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut checked = 0;
        for file in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let Ok(root) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let mut inputs = vec![root.clone()];
            mutations(&root, &mut inputs, &root, &mut Vec::new());
            for input in inputs.iter().take(2000) {
                let json = input.to_string();
                let Ok(resource) = parse_typed(&json) else {
                    continue;
                };
                let serde = serde_json::to_string(&resource).unwrap();
                assert_eq!(to_json(&resource).unwrap(), serde);
                // The streaming Bundle writer too.
                assert_eq!(parse_resource(&json).unwrap(), serde);
                checked += 1;
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
        // A wrong type behind a late resourceType names the element, as an early one does
        // (the serde impls, which read such a resource again from a buffer, name only the
        // resource object).
        let wrong = r#"{"resourceType":"Bundle","entry":[{"resource":{"active":"yes","resourceType":"Practitioner"}}]}"#;
        let outcome = validate_resource(wrong);
        assert_eq!(
            outcome.issues[0].expression,
            vec!["Bundle.entry[0].resource.active".to_owned()]
        );
        assert_eq!(
            outcome.issues[0].diagnostics,
            "Failed to parse Bundle.entry[0].resource.active: invalid type: string \"yes\", expected a boolean at line 1 column 61."
        );
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
