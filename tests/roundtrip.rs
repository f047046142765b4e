#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! Golden round trip: every seed sample parses into the typed model and writes back to
//! exactly the same JSON value (every element, every decimal digit).

use std::path::PathBuf;

use practice_fhir::model::Resource;
use practice_fhir::{parse_resource, parse_typed};
use serde_json::Value;

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_round_trips_exactly() {
    let files = fixtures();
    assert_eq!(files.len(), 35, "fixture count changed: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        match parse_resource(&text) {
            Ok(written) => {
                let back: Value = serde_json::from_str(&written).unwrap();
                if back != original {
                    failures.push(format!(
                        "{}: differs\n  in:  {original}\n  out: {back}",
                        file.display()
                    ));
                }
            }
            Err(outcome) => failures.push(format!("{}: {outcome}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_parses_into_a_modelled_type() {
    for file in fixtures() {
        let text = std::fs::read_to_string(&file).unwrap();
        let resource = parse_typed(&text).unwrap();
        assert!(
            !matches!(resource, Resource::Other(_)),
            "{} fell back to Other",
            file.display()
        );
        if let Resource::Bundle(bundle) = &resource {
            for inner in bundle.resources() {
                assert!(
                    !matches!(inner, Resource::Other(_)),
                    "{}: entry fell back to Other",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn decimals_keep_their_digits() {
    let json = r#"{"resourceType":"Contract","term":[{"asset":[{"valuedItem":[{"net":{"value":290.00}},{"net":{"value":12}},{"net":{"value":1.5e3}}]}]}],"extension":[{"url":"x","valueDecimal":0.10}]}"#;
    let out = parse_resource(json).unwrap();
    assert_eq!(
        out,
        r#"{"resourceType":"Contract","extension":[{"url":"x","valueDecimal":0.10}],"term":[{"asset":[{"valuedItem":[{"net":{"value":290.00}},{"net":{"value":12}},{"net":{"value":1.5e+3}}]}]}]}"#
    );
    let Resource::Contract(contract) = parse_typed(json).unwrap() else {
        panic!("not a Contract")
    };
    let nets: Vec<String> = contract
        .assets()
        .flat_map(|a| a.valued_item.iter().flatten())
        .filter_map(|v| v.net.as_ref().and_then(|m| m.amount()))
        .map(|d| d.to_string())
        .collect();
    // serde_json writes exponents with an explicit sign (1.5e3 -> 1.5e+3): same value, same digits.
    assert_eq!(nets, ["290.00", "12", "1500"]);
}

#[test]
fn unknown_elements_and_resource_types_survive() {
    let json = r#"{"resourceType":"Practitioner","id":"a","_birthDate":{"extension":[{"url":"u","valueString":"v"}]},"text":{"status":"generated","div":"<div/>"},"name":[{"family":"X","use":"official","fhir_comments":[1,2.50,null,true]}]}"#;
    let out: Value = serde_json::from_str(&parse_resource(json).unwrap()).unwrap();
    assert_eq!(out, serde_json::from_str::<Value>(json).unwrap());

    let other = r#"{"resourceType":"Patient","id":"p","birthDate":"1970","weird":[{"a":1.000}]}"#;
    assert_eq!(parse_resource(other).unwrap(), other);
    assert!(matches!(parse_typed(other).unwrap(), Resource::Other(_)));
}

#[test]
fn resource_type_may_come_last() {
    let json = r#"{"id":"SP1","gender":"male","resourceType":"Practitioner"}"#;
    assert_eq!(
        parse_resource(json).unwrap(),
        r#"{"resourceType":"Practitioner","id":"SP1","gender":"male"}"#
    );
}

/// Any string round-trips through every string primitive exactly, on its own and in a
/// resource (written in the model's element order, which parse_resource keeps): a bad format is kept for validation to report,
/// never changed or dropped.
mod primitives_are_lossless {
    use practice_fhir::model::{
        Base64Binary, Canonical, Code, Date, DateTime, Id, Instant, Integer, Markdown, Oid,
        PositiveInt, Time, UnsignedInt, Uri, Url, Uuid,
    };
    use practice_fhir::parse_resource;
    use proptest::prelude::*;

    /// serde: the primitive writes the same JSON string a `String` does, and reads it back.
    fn same_as_string<T>(text: &str)
    where
        T: serde::Serialize
            + serde::de::DeserializeOwned
            + From<String>
            + PartialEq
            + std::fmt::Debug,
    {
        let value = T::from(text.to_owned());
        let written = serde_json::to_string(&value).unwrap();
        assert_eq!(written, serde_json::to_string(text).unwrap());
        assert_eq!(serde_json::from_str::<T>(&written).unwrap(), value);
    }

    const KEYS: [&str; 14] = [
        "valueCode",
        "valueId",
        "valueUri",
        "valueUrl",
        "valueCanonical",
        "valueOid",
        "valueUuid",
        "valueMarkdown",
        "valueBase64Binary",
        "valueDate",
        "valueDateTime",
        "valueInstant",
        "valueTime",
        "valueString",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_string(text in any::<String>(), key in 0..KEYS.len()) {
            same_as_string::<Code>(&text);
            same_as_string::<Id>(&text);
            same_as_string::<Uri>(&text);
            same_as_string::<Url>(&text);
            same_as_string::<Canonical>(&text);
            same_as_string::<Oid>(&text);
            same_as_string::<Uuid>(&text);
            same_as_string::<Markdown>(&text);
            same_as_string::<Base64Binary>(&text);
            same_as_string::<Date>(&text);
            same_as_string::<DateTime>(&text);
            same_as_string::<Instant>(&text);
            same_as_string::<Time>(&text);
            let json = serde_json::json!({
                "resourceType": "Practitioner",
                "id": text,
                "meta": {"lastUpdated": text, "source": text, "profile": [text]},
                "extension": [{"url": text, KEYS[key]: text}],
                "birthDate": text,
            })
            .to_string();
            prop_assert_eq!(parse_resource(&json).unwrap(), json);
        }

        #[test]
        fn date_like_strings(text in "[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?") {
            same_as_string::<Date>(&text);
            same_as_string::<DateTime>(&text);
            same_as_string::<Instant>(&text);
            let json = serde_json::json!({
                "resourceType": "Practitioner",
                "birthDate": text,
                "qualification": [{"code": {"text": "X"}, "period": {"start": text, "end": text}}],
            })
            .to_string();
            prop_assert_eq!(parse_resource(&json).unwrap(), json);
        }

        #[test]
        fn any_integer(unsigned in any::<u64>(), signed in any::<i64>()) {
            let json = serde_json::json!({"resourceType": "Practitioner", "extension": [
                {"url": "u", "valuePositiveInt": unsigned},
                {"url": "u", "valueUnsignedInt": unsigned},
                {"url": "u", "valueInteger": signed},
            ], "telecom": [{"rank": unsigned}]})
            .to_string();
            prop_assert_eq!(parse_resource(&json).unwrap(), json);
            prop_assert_eq!(serde_json::to_string(&PositiveInt(unsigned)).unwrap(), unsigned.to_string());
            prop_assert_eq!(serde_json::to_string(&UnsignedInt(unsigned)).unwrap(), unsigned.to_string());
            prop_assert_eq!(serde_json::to_string(&Integer(signed)).unwrap(), signed.to_string());
        }
    }
}
