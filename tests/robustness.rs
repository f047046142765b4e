#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! No input makes parsing or validation panic or overflow the stack: every failure is an
//! OperationOutcome with MSG_CANT_PARSE_CONTENT.

use std::path::PathBuf;

use practice_fhir::fhir::to_json;
use practice_fhir::{parse_resource, parse_typed, validate_resource, validate_typed, IssueCode};
use proptest::prelude::*;

fn assert_cant_parse(input: &str) -> String {
    let err = parse_resource(input).unwrap_err();
    assert_eq!(err.issues.len(), 1, "{err}");
    assert_eq!(err.issues[0].code, IssueCode::CantParseContent);
    let validated = validate_resource(input);
    assert_eq!(validated, err);
    err.issues[0].diagnostics.clone()
}

#[test]
fn deep_nesting_is_refused_before_recursion() {
    assert_eq!(
        assert_cant_parse(&"[".repeat(100_000)),
        "Failed to parse the resource: JSON nested deeper than 100 levels at line 1 column 101."
    );
    let deep_object = format!("{}{}", "{\"a\":".repeat(100_000), "1");
    assert_cant_parse(&deep_object);
    // Deep nesting inside an extension tree, where the model itself recurses.
    let mut ext = String::from(r#"{"url":"u","valueString":"x"}"#);
    for _ in 0..200 {
        ext = format!(r#"{{"url":"u","extension":[{ext}]}}"#);
    }
    assert_cant_parse(&format!(
        r#"{{"resourceType":"Practitioner","extension":[{ext}]}}"#
    ));
}

#[test]
fn nesting_within_the_limit_is_fine() {
    let mut ext = String::from(r#"{"url":"u","valueString":"x"}"#);
    // 48 extensions = 97 levels of JSON nesting: just inside MAX_DEPTH, and the stack copes.
    for _ in 0..48 {
        ext = format!(r#"{{"url":"u","extension":[{ext}]}}"#);
    }
    let json = format!(r#"{{"resourceType":"Practitioner","extension":[{ext}]}}"#);
    assert_eq!(parse_resource(&json).unwrap(), json);
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let json = format!(
        r#"{{"resourceType":"Practitioner","id":"x","note":"{}\"{}"}}"#,
        "[".repeat(500),
        "{".repeat(500)
    );
    assert_eq!(parse_resource(&json).unwrap(), json);
}

#[test]
fn malformed_and_odd_inputs() {
    for input in [
        "",
        " ",
        "null",
        "true",
        "42",
        "\"Practitioner\"",
        "[]",
        "{}",
        "{",
        "}",
        "{\"resourceType\":null}",
        "{\"resourceType\":\"\"}",
        "{\"resourceType\":\"practitioner\"}",
        "{\"resourceType\":\"Practitioner\",\"resourceType\":\"Bundle\"}",
        "{\"resourceType\":\"Practitioner\",\"id\":\"a\",\"id\":\"b\"}",
        "{\"resourceType\":\"Practitioner\",\"name\":null}",
        "{\"resourceType\":\"Practitioner\",\"name\":{}}",
        "{\"resourceType\":\"Practitioner\",\"id\":\"\\ud800\"}",
        "{\"resourceType\":\"Practitioner\",\"id\":\"\u{0}\"}",
        "{\"resourceType\":\"Bundle\",\"total\":-1}",
        "{\"resourceType\":\"Bundle\",\"total\":1.5}",
        "{\"resourceType\":\"Bundle\",\"total\":1e999}",
        "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":[]}]}",
        "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{}}]}",
        "{\"resourceType\":\"Contract\",\"term\":[{\"asset\":[{\"valuedItem\":[{\"net\":{\"value\":\"290.00\"}}]}]}]}",
        "{\"resourceType\":\"Practitioner\"}{}",
        "\u{feff}{\"resourceType\":\"Practitioner\"}",
    ] {
        assert_cant_parse(input);
    }
}

#[test]
fn odd_but_valid_strings_round_trip() {
    let json = r#"{"resourceType":"Practitioner","id":"a","name":[{"use":"official","family":"Ó Súilleabháin \u0000 \ud83d\ude00 😀 \"q\" \\ \/","given":["\t\n"]}]}"#;
    let written = parse_resource(json).unwrap();
    let a: serde_json::Value = serde_json::from_str(json).unwrap();
    let b: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(a, b);
    assert!(validate_resource(json).issues.is_empty());
}

#[test]
fn huge_input_is_handled() {
    let big = format!(
        r#"{{"resourceType":"Practitioner","id":"x","photo":[{{"contentType":"image/png","data":"{}"}}]}}"#,
        "A".repeat(8 << 20)
    );
    assert_eq!(parse_resource(&big).unwrap().len(), big.len());
    let long_value = format!(
        r#"{{"resourceType":"Practitioner","name":[{{"use":"x{}"}}]}}"#,
        "y".repeat(1 << 20)
    );
    let outcome = validate_resource(&long_value);
    // The diagnostic quotes at most 64 characters of the offending value.
    assert!(
        outcome.issues[0].diagnostics.len() < 300,
        "{}",
        outcome.issues[0].diagnostics.len()
    );
}

fn fixture_texts() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Parse and validate must agree: either both fail with the same outcome, or parse
/// succeeds and its output parses again to the same text (normalisation is idempotent).
fn exercise(input: &str) {
    let validated = validate_resource(input);
    match parse_resource(input) {
        Ok(written) => {
            assert_eq!(parse_resource(&written).unwrap(), written);
            // The streaming Bundle writer and the typed writer agree byte for byte.
            assert_eq!(written, to_json(&parse_typed(input).unwrap()).unwrap());
            // The streaming Bundle validator and the typed path agree exactly.
            assert_eq!(validated, validate_typed(&parse_typed(input).unwrap()));
        }
        Err(err) => assert_eq!(validated, err),
    }
}

#[test]
fn streaming_bundle_validation_matches_the_typed_path() {
    let bundles = [
        r#"{"resourceType":"Bundle","entry":[]}"#,
        r#"{"resourceType":"Bundle","type":"x","entry":[{"resource":{"resourceType":"Practitioner","gender":""}}],"timestamp":"2020","total":1}"#,
        r#" { "resourceType" : "Bundle" , "link":[{}], "entry":[{},{"search":{"mode":"match"}}], "type":"searchset","extra":[1.50]}"#,
    ];
    for json in bundles {
        assert_eq!(
            validate_resource(json),
            validate_typed(&parse_typed(json).unwrap()),
            "{json}"
        );
    }
    for json in bundles.into_iter().chain([
        r#"{"resourceType":"Bundle"}"#,
        r#"{"resourceType":"Bundle","zz":1,"entry":[{}],"aa":{"b":2.50}}"#,
        r#"{"resourceType":"Bundle","zz":1}"#,
    ]) {
        let typed = to_json(&parse_typed(json).unwrap()).unwrap();
        assert_eq!(parse_resource(json).unwrap(), typed, "{json}");
    }
    for bad in [
        r#"{"resourceType":"Bundle","entry":[],"entry":[]}"#,
        r#"{"resourceType":"Bundle","type":"a","type":"b"}"#,
        r#"{"resourceType":"Bundle","resourceType":"Person"}"#,
        r#"{"resourceType":"Bundle","total":"1"}"#,
        r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Practitioner","active":1}}]}"#,
        r#"{"resourceType":"Bundle"} trailing"#,
    ] {
        assert_eq!(
            validate_resource(bad),
            parse_resource(bad).unwrap_err(),
            "{bad}"
        );
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/practitioners-1000.json");
    if let Ok(json) = std::fs::read_to_string(path) {
        assert_eq!(
            validate_resource(&json),
            validate_typed(&parse_typed(&json).unwrap())
        );
        let typed = to_json(&parse_typed(&json).unwrap()).unwrap();
        assert_eq!(parse_resource(&json).unwrap(), typed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(input in ".{0,200}") {
        exercise(&input);
    }

    /// Any narrative text (tags, quotes, comments, multi-byte characters) is judged by the
    /// txt-1 tag scan without a panic, on both validation paths.
    #[test]
    fn any_narrative_div_never_panics(
        body in r#"(<|>|/|=|"|'|!--|-->|\?|div|p|on|xmlns|script|é|€| |[a-z]{1,3}){0,40}"#,
    ) {
        let div = format!(r#"<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>"#);
        let resource = serde_json::json!({
            "resourceType": "Practitioner",
            "text": {"status": "generated", "div": div},
        });
        exercise(&resource.to_string());
        exercise(&body);
    }

    #[test]
    fn json_like_strings_never_panic(input in r#"[\[\]{}":,0-9a-zA-Z. \-\\]{0,200}"#) {
        exercise(&input);
    }

    /// The core's own JSON reader (the contract book snapshot's) accepts exactly what
    /// serde_json accepts, and a snapshot read from any such text never panics.
    #[test]
    fn the_json_reader_agrees_with_serde_json(
        input in r#"([\[\]{}":, ]|true|false|null|-?[0-9]{1,3}(\.[0-9]{1,2})?([eE][+-]?[0-9])?|\\[nu"\\/x]|u[0-9a-fA-F]{4}|é|\t|\n){0,40}"#,
    ) {
        let ours = practice_fhir::json::parse(&input);
        let theirs = serde_json::from_str::<serde_json::Value>(&input);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?} / {:?}", input, ours, theirs);
        let _ = practice_fhir::ContractBook::from_snapshot_json(&input);
        let _ = practice_fhir::ContractBook::many_from_snapshot_json(&input);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        index in 0usize..35,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6),
    ) {
        let texts = fixture_texts();
        let mut bytes: Vec<char> = texts[index % texts.len()].chars().collect();
        for (at, kind, c) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match kind {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, c),
                2 => bytes[i] = c,
                _ => { let j = at.index(bytes.len()); bytes.truncate(i.max(j)); }
            }
        }
        let mutated: String = bytes.into_iter().collect();
        exercise(&mutated);
    }

    #[test]
    fn structural_mutations_of_fixtures_never_panic(
        index in 0usize..35,
        token in prop::sample::select(vec!["null", "[]", "{}", "\"\"", "0", "-1.5e+3", "true", "[[[]]]", "{\"resourceType\":\"Practitioner\"}"]),
        at in any::<prop::sample::Index>(),
    ) {
        // Replace one JSON value (found after a ':') with a token of another type.
        let texts = fixture_texts();
        let text = &texts[index % texts.len()];
        let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).collect();
        let colon = colons[at.index(colons.len())];
        let rest = &text[colon + 1..];
        let end = rest.find([',', '}', ']']).unwrap_or(rest.len());
        let mutated = format!("{}:{}{}", &text[..colon], token, &rest[end..]);
        exercise(&mutated);
    }
}
