#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! Validation: every seed 004 (UK Core Practitioner) rule with a passing and a failing case,
//! plus the R4 structure rules, asserting exact codes, severities and expressions.

use std::path::PathBuf;

use practice_fhir::{validate_resource, IssueCode, OperationOutcome, Severity};
use serde_json::{json, Value};

/// (severity, code, expressions) of every issue: what callers act on.
fn summary(outcome: &OperationOutcome) -> Vec<(Severity, &'static str, Vec<String>)> {
    outcome
        .issues
        .iter()
        .map(|i| (i.severity, i.code.as_str(), i.expression.clone()))
        .collect()
}

fn check(resource: &Value) -> Vec<(Severity, &'static str, Vec<String>)> {
    summary(&validate_resource(&resource.to_string()))
}

/// A clean UK Core Practitioner; each test changes one thing.
fn practitioner() -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": "SP09000",
        "identifier": [{"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "C2134567"}],
        "active": true,
        "name": [{"use": "official", "family": "Clinton", "given": ["Warren"], "prefix": ["Mr"]}],
        "telecom": [{"system": "phone", "value": "020 7789 0123", "use": "work"}],
        "gender": "male",
        "birthDate": "1977-05-09",
        "qualification": [{"code": {"coding": [{"system": "https://ref.api.healthcode.co.uk/qualification", "code": "FRCS"}]}, "period": {"start": "2011-01-01T00:00:00+00:00"}}]
    })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn with_identifier(system: &str, value: &str) -> Value {
    with(
        practitioner(),
        "identifier",
        json!([{"system": system, "value": value}]),
    )
}

fn warning(expr: &str) -> Vec<(Severity, &'static str, Vec<String>)> {
    vec![(
        Severity::Warning,
        "MSG_INVALID_FORMAT",
        vec![expr.to_owned()],
    )]
}

fn error(code: IssueCode, expr: &str) -> Vec<(Severity, &'static str, Vec<String>)> {
    vec![(Severity::Error, code.as_str(), vec![expr.to_owned()])]
}

const VALUE0: &str = "Practitioner.identifier[0].value";

#[test]
fn clean_practitioner_has_no_issues() {
    let outcome = validate_resource(&practitioner().to_string());
    assert_eq!(outcome.issues, vec![]);
    assert_eq!(
        outcome.to_json(),
        json!({"resourceType": "OperationOutcome", "issue": [{"severity": "information", "code": "informational", "diagnostics": "All OK", "expression": []}]})
    );
}

#[test]
fn prac_nmc() {
    let system = "https://fhir.hl7.org.uk/Id/nmc-number";
    assert_eq!(check(&with_identifier(system, "71A2998E")), vec![]);
    assert_eq!(check(&with_identifier(system, "71A29981")), warning(VALUE0));
    let outcome = validate_resource(&with_identifier(system, "7A12998E").to_string());
    assert_eq!(
        outcome.issues[0].diagnostics,
        "prac-nmc: NMC must be of the format NNANNNNA (Practitioner.identifier[0].value is '7A12998E')."
    );
}

#[test]
fn prac_gmp_excludes_g6_and_g7() {
    let system = "https://fhir.hl7.org.uk/Id/gmp-number";
    for ok in ["G1234567", "G0234567", "G9234567", "G8234567"] {
        assert_eq!(check(&with_identifier(system, ok)), vec![], "{ok}");
    }
    for bad in ["G6234567", "G7234567", "G123456", "C1234567", "g1234567"] {
        assert_eq!(
            check(&with_identifier(system, bad)),
            warning(VALUE0),
            "{bad}"
        );
    }
    let outcome = validate_resource(&with_identifier(system, "G6234567").to_string());
    assert!(outcome.issues[0].diagnostics.starts_with("prac-gmp: "));
}

#[test]
fn prac_gmc() {
    let system = "https://fhir.hl7.org.uk/Id/gmc-number";
    assert_eq!(check(&with_identifier(system, "C2134567")), vec![]);
    for bad in ["2134567", "C213456", "C21345678", "c2134567"] {
        assert_eq!(
            check(&with_identifier(system, bad)),
            warning(VALUE0),
            "{bad}"
        );
    }
    let outcome = validate_resource(&with_identifier(system, "2134567").to_string());
    assert_eq!(
        outcome.issues[0].diagnostics,
        "prac-gmc: GMC must be of the format CNNNNNNN (Practitioner.identifier[0].value is '2134567')."
    );
}

#[test]
fn prac_gphc() {
    let system = "https://fhir.hl7.org.uk/Id/gphc-number";
    assert_eq!(check(&with_identifier(system, "2033467")), vec![]);
    assert_eq!(check(&with_identifier(system, "97860456")), warning(VALUE0));
}

#[test]
fn prac_hcpc() {
    let system = "https://fhir.hl7.org.uk/Id/hcpc-number";
    for ok in ["CH029821", "PH095159", "RA088262", "DT012345", "PA054321"] {
        assert_eq!(check(&with_identifier(system, ok)), vec![], "{ok}");
    }
    assert_eq!(check(&with_identifier(system, "CH29821")), warning(VALUE0));
}

#[test]
fn prac_din() {
    let system = "https://fhir.hl7.org.uk/Id/din-number";
    assert_eq!(check(&with_identifier(system, "954000")), vec![]);
    assert_eq!(check(&with_identifier(system, "95400A")), warning(VALUE0));
}

#[test]
fn prac_sds_user() {
    let sds = "https://fhir.nhs.uk/Id/sds-user-id";
    let lone = with_identifier(sds, "3415870201");
    assert_eq!(check(&lone), warning("Practitioner.identifier[0]"));
    let outcome = validate_resource(&lone.to_string());
    assert!(outcome.issues[0]
        .diagnostics
        .starts_with("prac-sds-user: Professional code (GMC, GMP, NMC, etc) is preferred"));
    let with_gmc = with(
        practitioner(),
        "identifier",
        json!([{"system": sds, "value": "1415870201"}, {"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "C2134567"}]),
    );
    assert_eq!(check(&with_gmc), vec![]);
}

fn seed_004(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn seed_004_examples_pass_every_identifier_rule() {
    // The examples are fragments ("..."): they carry identifiers only, so the one issue is
    // the profile's missing name; with a name they are clean.
    for file in [
        "004_01_example_response.json",
        "004_02_example_response.json",
        "004_03_example_response.json",
    ] {
        let example = seed_004(file);
        assert_eq!(
            check(&example),
            error(IssueCode::MissingMandatoryParam, "Practitioner.name"),
            "{file}"
        );
        let named = with(
            example,
            "name",
            json!([{"use": "official", "family": "Doe"}]),
        );
        assert_eq!(check(&named), vec![], "{file}");
    }
}

#[test]
fn seed_004_example_with_a_spurious_gmp_warns_at_its_index() {
    let mut example = with(
        seed_004("004_01_example_response.json"),
        "name",
        json!([{"use": "usual", "family": "Doe"}]),
    );
    example["identifier"][1]["value"] = json!("G7234567");
    assert_eq!(check(&example), warning("Practitioner.identifier[1].value"));
}

#[test]
fn name_is_required() {
    let mut p = practitioner();
    p.as_object_mut().unwrap().remove("name");
    assert_eq!(
        check(&p),
        error(IssueCode::MissingMandatoryParam, "Practitioner.name")
    );
    assert_eq!(
        check(&with(practitioner(), "name", json!([]))),
        error(IssueCode::ParamEmpty, "Practitioner.name")
    );
}

#[test]
fn name_use_is_optional_and_bound() {
    // SPEC-NOTES (corrected): name.use is optional; when present it is a NameUse code.
    let without_use = with(
        practitioner(),
        "name",
        json!([{"use": "official", "family": "A"}, {"family": "B"}]),
    );
    assert_eq!(check(&without_use), vec![]);
    let bogus = with(
        practitioner(),
        "name",
        json!([{"use": "nick", "family": "A"}]),
    );
    assert_eq!(
        check(&bogus),
        error(IssueCode::InvalidFormat, "Practitioner.name[0].use")
    );
    let outcome = validate_resource(&bogus.to_string());
    assert_eq!(
        outcome.issues[0].diagnostics,
        "Practitioner.name[0].use 'nick' is not a NameUse code (one of: usual, official, temp, nickname, anonymous, old, maiden)."
    );
    for ok in [
        "usual",
        "official",
        "temp",
        "nickname",
        "anonymous",
        "old",
        "maiden",
    ] {
        assert_eq!(
            check(&with(
                practitioner(),
                "name",
                json!([{"use": ok, "family": "A"}])
            )),
            vec![],
            "{ok}"
        );
    }
}

#[test]
fn telecom_value_and_use_are_required() {
    // SPEC-NOTES: the profile table's value 1..1 and use 1..1 rows are ContactPoint's.
    let p = with(
        practitioner(),
        "telecom",
        json!([{"system": "phone", "value": "020 7789 0123"}, {"system": "email", "use": "work"}, {"system": "phone", "value": "1", "use": "work"}]),
    );
    assert_eq!(
        check(&p),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Practitioner.telecom[0].use".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Practitioner.telecom[1].value".to_owned()]
            ),
        ]
    );
    let outcome = validate_resource(&p.to_string());
    assert_eq!(
        outcome.issues[0].diagnostics,
        "Practitioner.telecom[0].use is missing; it is required (UK Core Practitioner: telecom.use 1..1)."
    );
    assert!(outcome.has_errors());
    let bogus_use = with(
        practitioner(),
        "telecom",
        json!([{"system": "phone", "value": "1", "use": "office"}]),
    );
    assert_eq!(
        check(&bogus_use),
        error(IssueCode::InvalidFormat, "Practitioner.telecom[0].use")
    );
}

#[test]
fn identifier_system_and_value_are_required() {
    let p = with(
        practitioner(),
        "identifier",
        json!([{"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "C2134567"}, {"value": "X"}, {"system": "https://example.org/id"}]),
    );
    assert_eq!(
        check(&p),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Practitioner.identifier[1].system".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Practitioner.identifier[2].value".to_owned()]
            ),
        ]
    );
}

#[test]
fn qualification_code_is_required() {
    let p = with(
        practitioner(),
        "qualification",
        json!([{"period": {"start": "2011"}}]),
    );
    assert_eq!(
        check(&p),
        error(
            IssueCode::MissingMandatoryParam,
            "Practitioner.qualification[0].code"
        )
    );
}

#[test]
fn gender_is_administrative_gender() {
    for ok in ["male", "female", "other", "unknown"] {
        assert_eq!(
            check(&with(practitioner(), "gender", json!(ok))),
            vec![],
            "{ok}"
        );
    }
    assert_eq!(
        check(&with(practitioner(), "gender", json!("bogus"))),
        error(IssueCode::InvalidFormat, "Practitioner.gender")
    );
    assert_eq!(
        check(&with(practitioner(), "gender", json!("Male"))),
        error(IssueCode::InvalidFormat, "Practitioner.gender")
    );
}

#[test]
fn birth_date_is_a_fhir_date() {
    for ok in ["1977", "1977-05", "1977-05-09", "2000-02-29"] {
        assert_eq!(
            check(&with(practitioner(), "birthDate", json!(ok))),
            vec![],
            "{ok}"
        );
    }
    for bad in [
        "09.05.1977",
        "1977-02-29",
        "1977-13-01",
        "1977-05-09T00:00:00Z",
        "1977-5-9",
    ] {
        assert_eq!(
            check(&with(practitioner(), "birthDate", json!(bad))),
            error(IssueCode::InvalidFormat, "Practitioner.birthDate"),
            "{bad}"
        );
    }
}

#[test]
fn period_start_is_a_date_time() {
    let p = with(
        practitioner(),
        "qualification",
        json!([{"code": {"text": "FRCS"}, "period": {"start": "2011-01-01T00:00:00", "end": "2012-01-01T00:00:00Z"}}]),
    );
    assert_eq!(
        check(&p),
        error(
            IssueCode::InvalidFormat,
            "Practitioner.qualification[0].period.start"
        )
    );
}

#[test]
fn active_must_be_boolean() {
    let outcome = validate_resource(&with(practitioner(), "active", json!("yes")).to_string());
    assert_eq!(
        summary(&outcome),
        error(IssueCode::CantParseContent, "Practitioner.active")
    );
    assert!(
        outcome.issues[0]
            .diagnostics
            .contains("expected a boolean at line 1 column"),
        "{}",
        outcome.issues[0].diagnostics
    );
    assert_eq!(check(&with(practitioner(), "active", json!(false))), vec![]);
}

#[test]
fn empty_strings_are_reported() {
    let p = with(
        practitioner(),
        "name",
        json!([{"use": "official", "family": "", "given": ["Warren", ""]}]),
    );
    assert_eq!(
        check(&p),
        vec![
            (
                Severity::Error,
                "MSG_PARAM_EMPTY",
                vec!["Practitioner.name[0].family".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_PARAM_EMPTY",
                vec!["Practitioner.name[0].given[1]".to_owned()]
            ),
        ]
    );
    assert_eq!(
        check(&with(practitioner(), "gender", json!(""))),
        error(IssueCode::ParamEmpty, "Practitioner.gender")
    );
}

#[test]
fn contact_point_system_required_with_value() {
    let p = with(
        practitioner(),
        "telecom",
        json!([{"id": "phone", "value": "020 7789 0123", "use": "work"}]),
    );
    assert_eq!(
        check(&p),
        error(
            IssueCode::MissingMandatoryParam,
            "Practitioner.telecom[0].system"
        )
    );
    assert_eq!(
        validate_resource(&p.to_string()).issues[0].diagnostics,
        "cpt-2: Practitioner.telecom[0] has a value but no system; a contact point with a value needs a system."
    );
    let bogus = with(
        practitioner(),
        "telecom",
        json!([{"system": "pigeon", "value": "x", "use": "work"}]),
    );
    assert_eq!(
        check(&bogus),
        error(IssueCode::InvalidFormat, "Practitioner.telecom[0].system")
    );
}

#[test]
fn seed_000_sample_parses_and_reports_its_deviations() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/000_01_search_practitioner_endpoint_response.json");
    let outcome = validate_resource(&std::fs::read_to_string(path).unwrap());
    let e = "Bundle.entry[0].resource";
    assert_eq!(
        summary(&outcome),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec![format!("{e}.telecom[0].system")]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec![format!("{e}.telecom[1].system")]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec![format!("{e}.birthDate")]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec![format!("{e}.telecom[0].use")]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec![format!("{e}.telecom[1].use")]
            ),
        ]
    );
    assert_eq!(
        outcome.issues[2].diagnostics,
        "Bundle.entry[0].resource.birthDate '09.05.1977' is not a valid FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)."
    );
}

#[test]
fn bundle_entries_are_validated_with_entry_paths() {
    let bad = with(
        with_identifier("https://fhir.hl7.org.uk/Id/gmc-number", "123"),
        "gender",
        json!("bogus"),
    );
    let bundle = json!({"resourceType": "Bundle", "type": "searchset", "entry": [
        {"resource": practitioner()}, {"resource": practitioner()}, {"resource": practitioner()}, {"resource": bad}
    ]});
    assert_eq!(
        check(&bundle),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Bundle.entry[3].resource.gender".to_owned()]
            ),
            (
                Severity::Warning,
                "MSG_INVALID_FORMAT",
                vec!["Bundle.entry[3].resource.identifier[0].value".to_owned()]
            ),
        ]
    );
}

#[test]
fn bundle_structure() {
    assert_eq!(
        check(&json!({"resourceType": "Bundle"})),
        error(IssueCode::MissingMandatoryParam, "Bundle.type")
    );
    assert_eq!(
        check(&json!({"resourceType": "Bundle", "type": "pile"})),
        error(IssueCode::InvalidFormat, "Bundle.type")
    );
    assert_eq!(
        check(
            &json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"search": {"mode": "matched"}}]})
        ),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Bundle.entry[0].search.mode".to_owned()]
            ),
            // bdl-5: an entry has a resource, a request or a response.
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Bundle.entry[0].resource".to_owned()]
            ),
        ]
    );
    assert_eq!(
        check(
            &json!({"resourceType": "Bundle", "type": "searchset", "link": [{"relation": "self"}]})
        ),
        error(IssueCode::MissingMandatoryParam, "Bundle.link[0].url")
    );
}

#[test]
fn person_gender_and_coding_shapes() {
    assert_eq!(
        check(&json!({"resourceType": "Person", "gender": "female"})),
        vec![]
    );
    assert_eq!(
        check(&json!({"resourceType": "Person", "gender": "f"})),
        error(IssueCode::InvalidFormat, "Person.gender")
    );
    let coding = json!({"resourceType": "Contract", "type": {"coding": [{"system": "https://x y", "code": " PRICING"}]}});
    assert_eq!(
        check(&coding),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Contract.type.coding[0].system".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Contract.type.coding[0].code".to_owned()]
            ),
        ]
    );
}

#[test]
fn location_position_and_schedule_actor() {
    let ok = json!({"resourceType": "Location", "position": {"latitude": 53.385225, "longitude": -2.231105}});
    assert_eq!(check(&ok), vec![]);
    let bad = json!({"resourceType": "Location", "position": {"latitude": 91.0}});
    assert_eq!(
        check(&bad),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Location.position.longitude".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Location.position.latitude".to_owned()]
            ),
        ]
    );
    assert_eq!(
        check(&json!({"resourceType": "Schedule"})),
        error(IssueCode::MissingMandatoryParam, "Schedule.actor")
    );
}

#[test]
fn extensions_need_a_url_and_one_value() {
    let p = with(
        practitioner(),
        "extension",
        json!([{"valueString": "N"}, {"url": "https://x", "valueString": "a", "valueBoolean": true}]),
    );
    assert_eq!(
        check(&p),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Practitioner.extension[0].url".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Practitioner.extension[1].valueBoolean".to_owned()]
            ),
        ]
    );
}

/// Where the documents' samples are not valid R4 (or UK Core), by file: each issue's
/// expression. Everything else validates clean.
fn known_deviations(name: &str) -> Vec<&'static str> {
    let offer = "Contract.term[0].offer"; // Contract.term.offer is 1..1 in R4
    match name {
        // cpt-2 twice, birthDate dd.mm.yyyy, UK Core telecom.use twice.
        "000_01_search_practitioner_endpoint_response.json" => vec![
            "Bundle.entry[0].resource.telecom[0].system",
            "Bundle.entry[0].resource.telecom[1].system",
            "Bundle.entry[0].resource.birthDate",
            "Bundle.entry[0].resource.telecom[0].use",
            "Bundle.entry[0].resource.telecom[1].use",
        ],
        // The photo is cut short with "...": not base64.
        "000_02_get_practitionerphoto_endpoint_response.json" => {
            vec!["Parameters.parameter[0].valueAttachment.data"]
        }
        // The offer, and bdl-1: a collection Bundle with a total.
        "001_01_get_effective_prices_endpoint_response.json" => {
            vec!["Bundle.entry[0].resource.term[0].offer", "Bundle.total"]
        }
        "001_04_get_payors_list_endpoint_response.json" => vec!["Bundle.total"],
        // ValueSet.status and ValueSet.expansion.timestamp are 1..1 in R4.
        "001_02_get_contract_type_list_response.json"
        | "001_03_get_contract_subtype_list_response.json" => {
            vec!["ValueSet.status", "ValueSet.expansion.timestamp"]
        }
        "001_11_set_contract_service_endpoint_request.json"
        | "001_12_set_contract_service_endpoint_response.json"
        | "001_14_set_contract_service_withprocedure_endpoint_request.json"
        | "001_15_set_contract_service_withprocedure_endpoint_response.json"
        | "001_17_set_contract_price_endpoint_request.json"
        | "001_18_set_contract_price_endpoint_response.json"
        | "001_19_set_contract_price_withlocation_endpoint_request.json"
        | "001_20_set_contract_price_withlocation_endpoint_response.json"
        | "001_21_set_contract_price_withpractitionerbespoke_endpoint_request.json"
        | "001_22_set_contract_price_withpractitionerbespoke_endpoint_response.json"
        | "001_24_calculate_service_fee_endpoint_response.json"
        | "001_25_calculate_service_fee_withprocedure_endpoint_response.json"
        | "001_26_get_price_validation_for_service_endpoint_response.json"
        | "001_27_get_price_validation_for_procedure_endpoint_response.json" => vec![offer],
        // Fragments: identifiers only, so the profile's name is missing.
        n if n.starts_with("004_") => vec!["Practitioner.name"],
        _ => vec![],
    }
}

#[test]
fn every_seed_sample_parses_and_only_known_deviations_are_reported() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = validate_resource(&std::fs::read_to_string(&path).unwrap());
        assert!(
            outcome
                .issues
                .iter()
                .all(|i| i.code != IssueCode::CantParseContent),
            "{name}: {outcome}"
        );
        let found: Vec<&str> = outcome
            .issues
            .iter()
            .flat_map(|i| i.expression.iter().map(String::as_str))
            .collect();
        assert_eq!(found, known_deviations(&name), "{name}: {outcome}");
        files += 1;
    }
    assert_eq!(files, 35);
}

/// The clean practitioner with one extension holding `value` under `key` (`valueDate`...).
fn with_value(key: &str, value: Value) -> Value {
    with(
        practitioner(),
        "extension",
        json!([{"url": "https://example.org/x", key: value}]),
    )
}

/// Valid and invalid examples of every primitive type (the FHIR R4 regexes), each checked
/// by its type wherever it stands: here as an extension's value[x].
#[test]
fn every_primitive_checks_its_own_format() {
    let cases: &[(&str, &[Value], &[Value])] = &[
        (
            "valueDate",
            &[
                json!("2018"),
                json!("1973-06"),
                json!("1905-08-23"),
                json!("2000-02-29"),
            ],
            &[
                json!("2018-13"),
                json!("1905-08-32"),
                json!("18"),
                json!("2018-06-01T10:00:00Z"),
                json!("23.08.1905"),
                json!("1900-02-29"),
            ],
        ),
        (
            "valueDateTime",
            &[
                json!("2018"),
                json!("1973-06"),
                json!("1905-08-23"),
                json!("2015-02-07T13:28:17-05:00"),
                json!("2017-01-01T00:00:00.000Z"),
                json!("2017-01-01T23:59:60+14:00"),
            ],
            &[
                json!("2015-02-07T13:28:17"),
                json!("2015-02-07T13:28Z"),
                json!("2015-02-07 13:28:17Z"),
                json!("2015-02-07T24:00:00Z"),
                json!("2015-02T13:28:17Z"),
                json!("2015-02-07T13:28:17+15:00"),
            ],
        ),
        (
            "valueInstant",
            &[
                json!("2015-02-07T13:28:17.239+02:00"),
                json!("2017-01-01T00:00:00Z"),
            ],
            &[
                json!("2015-02-07"),
                json!("2015"),
                json!("2015-02-07T13:28:17"),
            ],
        ),
        (
            "valueTime",
            &[json!("13:28:17"), json!("00:00:00.5"), json!("23:59:60")],
            &[
                json!("24:00:00"),
                json!("13:28"),
                json!("13:28:17Z"),
                json!("1:28:17"),
                json!("13:28:17."),
            ],
        ),
        (
            "valueCode",
            &[json!("male"), json!("All Others"), json!("ISC/C0000010")],
            &[json!(" male"), json!("male "), json!("a  b"), json!("a\tb")],
        ),
        (
            "valueId",
            &[json!("SP09000"), json!("a-b.c"), json!("x".repeat(64))],
            &[json!("a b"), json!("a_b"), json!("x".repeat(65))],
        ),
        (
            "valueUri",
            &[
                json!("urn:oid:1.2.3"),
                json!("https://x.org/a?b=c"),
                json!("#local"),
            ],
            &[json!("https://x y"), json!(" x")],
        ),
        (
            "valueUrl",
            &[json!("https://x.org/a")],
            &[json!("http://a b")],
        ),
        (
            "valueCanonical",
            &[json!("http://hl7.org/fhir/ValueSet/x|4.0.1")],
            &[json!("a b")],
        ),
        (
            "valueOid",
            &[
                json!("urn:oid:1.2.3.4.5"),
                json!("urn:oid:2.16.840.1.113883"),
            ],
            &[
                json!("1.2.3"),
                json!("urn:oid:3.1"),
                json!("urn:oid:1.02"),
                json!("urn:oid:1"),
            ],
        ),
        (
            "valueUuid",
            &[json!("urn:uuid:c757873d-ec9a-4326-a141-556f43239520")],
            &[
                json!("c757873d-ec9a-4326-a141-556f43239520"),
                json!("urn:uuid:C757873D-EC9A-4326-A141-556F43239520"),
                json!("urn:uuid:c757873d-ec9a-4326-a141"),
            ],
        ),
        (
            "valueBase64Binary",
            &[json!("aGVsbG8="), json!("aGVs bG8="), json!("AAAA")],
            &[
                json!("aGVsbG8"),
                json!("a==="),
                json!("abc!"),
                json!("aGVsbG8=x"),
            ],
        ),
        ("valueMarkdown", &[json!("**bold** _text_")], &[]),
        (
            "valuePositiveInt",
            &[json!(1), json!(2147483647)],
            &[json!(0), json!(2147483648_u64)],
        ),
        (
            "valueUnsignedInt",
            &[json!(0), json!(2147483647)],
            &[json!(2147483648_u64)],
        ),
        (
            "valueInteger",
            &[json!(-2147483648_i64), json!(0), json!(2147483647)],
            &[json!(2147483648_i64), json!(-2147483649_i64)],
        ),
    ];
    let mut checked = 0;
    for (key, valid, invalid) in cases {
        let at = format!("Practitioner.extension[0].{key}");
        for ok in *valid {
            assert_eq!(check(&with_value(key, ok.clone())), vec![], "{key} {ok}");
            checked += 1;
        }
        for bad in *invalid {
            assert_eq!(
                check(&with_value(key, bad.clone())),
                error(IssueCode::InvalidFormat, &at),
                "{key} {bad}"
            );
            checked += 1;
        }
        if valid.first().is_some_and(Value::is_string) {
            // ele-1: no primitive is an empty string.
            assert_eq!(
                check(&with_value(key, json!(""))),
                error(IssueCode::ParamEmpty, &at),
                "{key}"
            );
        }
    }
    assert_eq!(checked, 87);

    let diagnostics = |key: &str, value: Value| {
        validate_resource(&with_value(key, value).to_string()).issues[0]
            .diagnostics
            .clone()
    };
    assert_eq!(
        diagnostics("valueDate", json!("23.08.1905")),
        "Practitioner.extension[0].valueDate '23.08.1905' is not a valid FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)."
    );
    assert_eq!(
        diagnostics("valueDateTime", json!("2015-02-07T13:28:17")),
        "Practitioner.extension[0].valueDateTime '2015-02-07T13:28:17' is not a valid FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm)."
    );
    assert_eq!(
        diagnostics("valueInstant", json!("2015-02-07")),
        "Practitioner.extension[0].valueInstant '2015-02-07' is not a valid FHIR instant (YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm)."
    );
    assert_eq!(
        diagnostics("valueTime", json!("24:00:00")),
        "Practitioner.extension[0].valueTime '24:00:00' is not a valid FHIR time (hh:mm:ss[.fff])."
    );
    assert_eq!(
        diagnostics("valueOid", json!("1.2.3")),
        "Practitioner.extension[0].valueOid '1.2.3' is not a valid FHIR oid (urn:oid: followed by a dotted OID such as 2.16.840.1)."
    );
    assert_eq!(
        diagnostics("valuePositiveInt", json!(0)),
        "Practitioner.extension[0].valuePositiveInt '0' is not a valid FHIR positiveInt (a whole number from 1 to 2147483647)."
    );
    assert_eq!(
        diagnostics("valueCode", json!("")),
        "Practitioner.extension[0].valueCode is an empty string; FHIR does not allow empty values (ele-1)."
    );
    // A wrong JSON type is a parse error naming the element, as before.
    assert_eq!(
        check(&with_value("valueDate", json!(1977))),
        error(
            IssueCode::CantParseContent,
            "Practitioner.extension[0].valueDate"
        )
    );
}

/// Elements no hand-written check covered: their types check them now.
#[test]
fn elements_checked_by_their_type() {
    let bad_uri = "https://x y";
    for (key, value, at) in [
        (
            "implicitRules",
            json!(bad_uri),
            "Practitioner.implicitRules",
        ),
        ("language", json!("en  GB"), "Practitioner.language"),
        ("id", json!("SP 1"), "Practitioner.id"),
        (
            "meta",
            json!({"source": bad_uri}),
            "Practitioner.meta.source",
        ),
        (
            "meta",
            json!({"profile": ["https://ok", bad_uri]}),
            "Practitioner.meta.profile[1]",
        ),
        (
            "meta",
            json!({"versionId": "v 1"}),
            "Practitioner.meta.versionId",
        ),
        (
            "meta",
            json!({"lastUpdated": "2024-01-01"}),
            "Practitioner.meta.lastUpdated",
        ),
        (
            "photo",
            json!([{"contentType": "image/png", "language": " en"}]),
            "Practitioner.photo[0].language",
        ),
        (
            "photo",
            json!([{"contentType": "image/png", "url": "a b"}]),
            "Practitioner.photo[0].url",
        ),
        (
            "photo",
            json!([{"contentType": "image/png", "data": "abc"}]),
            "Practitioner.photo[0].data",
        ),
        (
            "photo",
            json!([{"contentType": "image/png", "url": "https://x", "size": 0, "creation": "2020-02-30"}]),
            "Practitioner.photo[0].creation",
        ),
        (
            "telecom",
            json!([{"system": "phone", "value": "1", "use": "work", "rank": 0}]),
            "Practitioner.telecom[0].rank",
        ),
        (
            "address",
            json!([{"use": "office", "city": "Leeds"}]),
            "Practitioner.address[0].use",
        ),
        (
            "identifier",
            json!([{"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "C2134567", "use": "main"}]),
            "Practitioner.identifier[0].use",
        ),
    ] {
        assert_eq!(
            check(&with(practitioner(), key, value.clone())),
            vec![(
                Severity::Error,
                IssueCode::InvalidFormat.as_str(),
                vec![at.to_owned()]
            )],
            "{key} {value}"
        );
    }
    // The same types on the other resources.
    assert_eq!(
        check(&json!({"resourceType": "Location", "implicitRules": "a b", "status": "open"})),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Location.implicitRules".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Location.status".to_owned()]
            ),
        ]
    );
    assert_eq!(
        check(
            &json!({"resourceType": "Bundle", "type": "searchset", "implicitRules": "a b", "timestamp": "2024-01-01"})
        ),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Bundle.implicitRules".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Bundle.timestamp".to_owned()]
            ),
        ]
    );
}

fn with_period(start: &str, end: &str) -> Value {
    with(
        practitioner(),
        "qualification",
        json!([{"code": {"text": "FRCS"}, "period": {"start": start, "end": end}}]),
    )
}

#[test]
fn per_1_a_period_does_not_end_before_it_starts() {
    let at = "Practitioner.qualification[0].period";
    for (start, end) in [
        ("2011-01-01T00:00:00Z", "2012-01-01T00:00:00Z"),
        ("2011-01-01T00:00:00Z", "2011-01-01T00:00:00Z"),
        // Partial dates are ranges: these overlap, so neither is after the other.
        ("2011", "2011-06"),
        ("2011-06", "2011"),
        ("2011-06-15", "2011-06"),
        ("2011-06-15T10:00:00Z", "2011-06-15"),
        // Zones: 10:00+02:00 is 08:00Z.
        ("2011-01-01T10:00:00+02:00", "2011-01-01T09:00:00Z"),
        ("2011-01-01T00:00:00.5Z", "2011-01-01T00:00:00.50Z"),
    ] {
        assert_eq!(check(&with_period(start, end)), vec![], "{start} {end}");
    }
    for (start, end) in [
        ("2012-01-01T00:00:00Z", "2011-01-01T00:00:00Z"),
        ("2012", "2011-12-31T23:59:59Z"),
        ("2011-07", "2011-06-30"),
        ("2011-06-16", "2011-06-15T23:59:59.999Z"),
        // 10:00-02:00 is 12:00Z, after 11:00Z.
        ("2011-01-01T10:00:00-02:00", "2011-01-01T11:00:00Z"),
        ("2011-01-01T00:00:00.6Z", "2011-01-01T00:00:00.5Z"),
    ] {
        assert_eq!(
            check(&with_period(start, end)),
            error(IssueCode::InvalidFormat, at),
            "{start} {end}"
        );
    }
    assert_eq!(
        validate_resource(&with_period("2012", "2011").to_string()).issues[0].diagnostics,
        "per-1: Practitioner.qualification[0].period starts '2012' after it ends '2011'; a period's start is not after its end."
    );
    // A bad format is its type's issue, not per-1's.
    assert_eq!(
        check(&with_period("2012-13", "2011")),
        error(
            IssueCode::InvalidFormat,
            "Practitioner.qualification[0].period.start"
        )
    );
}

#[test]
fn ele_1_every_element_has_a_value_or_children() {
    assert_eq!(
        check(&with(
            practitioner(),
            "name",
            json!([{"use": "official", "family": "A"}, {}])
        )),
        error(IssueCode::ParamEmpty, "Practitioner.name[1]")
    );
    assert_eq!(
        check(&with(practitioner(), "meta", json!({}))),
        error(IssueCode::ParamEmpty, "Practitioner.meta")
    );
    assert_eq!(
        validate_resource(&with(practitioner(), "meta", json!({})).to_string()).issues[0]
            .diagnostics,
        "Practitioner.meta is an empty object; ele-1: every element has a value or children."
    );
    // An element outside the model counts as a child.
    assert_eq!(
        check(&with(
            practitioner(),
            "meta",
            json!({"_source": {"id": "s"}})
        )),
        vec![]
    );
}

#[test]
fn datatype_invariants() {
    // att-1
    assert_eq!(
        check(&with(
            practitioner(),
            "photo",
            json!([{"data": "aGVsbG8="}])
        )),
        error(
            IssueCode::MissingMandatoryParam,
            "Practitioner.photo[0].contentType"
        )
    );
    assert_eq!(
        check(&with(
            practitioner(),
            "photo",
            json!([{"data": "aGVsbG8=", "contentType": "image/png"}])
        )),
        vec![]
    );
    // qty-3
    assert_eq!(
        check(&with_value(
            "valueQuantity",
            json!({"value": 1.50, "code": "mg"})
        )),
        error(
            IssueCode::MissingMandatoryParam,
            "Practitioner.extension[0].valueQuantity.system"
        )
    );
    assert_eq!(
        check(&with_value(
            "valueQuantity",
            json!({"value": 1.50, "system": "http://unitsofmeasure.org", "code": "mg", "comparator": "<"})
        )),
        vec![]
    );
    assert_eq!(
        check(&with_value(
            "valueQuantity",
            json!({"value": 1, "comparator": "~"})
        )),
        error(
            IssueCode::InvalidFormat,
            "Practitioner.extension[0].valueQuantity.comparator"
        )
    );
    // ref-1: a local reference names a contained resource.
    let issuer = |contained: Option<Value>| {
        let mut p = with(
            practitioner(),
            "qualification",
            json!([{"code": {"text": "FRCS"}, "issuer": {"reference": "#org1"}}]),
        );
        if let Some(contained) = contained {
            p["contained"] = contained;
        }
        p
    };
    assert_eq!(
        check(&issuer(None)),
        error(
            IssueCode::ReferenceIdNotFound,
            "Practitioner.qualification[0].issuer.reference"
        )
    );
    assert_eq!(
        check(&issuer(Some(
            json!([{"resourceType": "Organization", "id": "org2"}])
        ))),
        error(
            IssueCode::ReferenceIdNotFound,
            "Practitioner.qualification[0].issuer.reference"
        )
    );
    assert_eq!(
        check(&issuer(Some(
            json!([{"resourceType": "Organization", "id": "org1", "name": "RCS"}])
        ))),
        vec![]
    );
    // Narrative: status 1..1 and bound, div 1..1, one XHTML div (txt-1) with content (txt-2).
    for (text, expected) in [
        (
            json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Dr A</div>"}),
            vec![],
        ),
        (
            json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"> <p> </p></div>"}),
            error(IssueCode::InvalidFormat, "Practitioner.text.div"),
        ),
        (
            json!({"status": "generated", "div": "Dr A"}),
            error(IssueCode::InvalidFormat, "Practitioner.text.div"),
        ),
        (
            json!({"status": "made-up", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Dr A</div>"}),
            error(IssueCode::InvalidFormat, "Practitioner.text.status"),
        ),
        (
            json!({"div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Dr A</div>"}),
            error(IssueCode::MissingMandatoryParam, "Practitioner.text.status"),
        ),
        (
            json!({"status": "empty"}),
            error(IssueCode::MissingMandatoryParam, "Practitioner.text.div"),
        ),
    ] {
        assert_eq!(
            check(&with(practitioner(), "text", text.clone())),
            expected,
            "{text}"
        );
    }
}

#[test]
fn narratives_hold_only_what_txt_1_allows() {
    let diagnostics = |div: &str| -> Vec<String> {
        let resource = with(
            practitioner(),
            "text",
            json!({"status": "generated", "div": div}),
        );
        validate_resource(&resource.to_string())
            .issues
            .into_iter()
            .filter(|i| i.expression.iter().any(|e| e == "Practitioner.text.div"))
            .map(|i| i.diagnostics)
            .collect()
    };
    let ns = r#"xmlns="http://www.w3.org/1999/xhtml""#;
    // Allowed: formatting elements, tables, links, images, style and class attributes,
    // comments.
    for ok in [
        format!(r#"<div {ns}><p class="x" style="color:red">Dr <b>A</b><br/></p></div>"#),
        format!(
            r#"<div {ns}><table><tr><td colspan='2'>1</td></tr></table><a href="https://x.example">x</a></div>"#
        ),
        format!(r#"<div {ns}><!-- <script> in a comment --><img src="a.png" alt="A"/></div>"#),
    ] {
        assert_eq!(diagnostics(&ok), Vec::<String>::new(), "{ok}");
    }
    let refused = [
        (format!(r#"<div {ns}><script>alert(1)</script>x</div>"#), "the element <script> is not allowed (txt-1)"),
        (format!(r#"<div {ns}><form><input/></form>x</div>"#), "the element <form> is not allowed (txt-1)"),
        (format!(r#"<div {ns}><iframe src="https://x.example"></iframe>x</div>"#), "the element <iframe> is not allowed (txt-1)"),
        (format!(r#"<div {ns}><p onclick="steal()">x</p></div>"#), "the attribute onclick on <p> is an event handler (txt-1)"),
        (format!(r#"<div {ns}><IMG SRC=x ONERROR=steal()></div>"#), "the attribute ONERROR on <IMG> is an event handler (txt-1)"),
        ("<div>Dr A</div>".to_owned(), "the <div> does not declare the XHTML namespace (xmlns=\"http://www.w3.org/1999/xhtml\")"),
        ("<p>Dr A</p>".to_owned(), "it is not one <div> element"),
    ];
    for (div, why) in refused {
        assert_eq!(
            diagnostics(&div),
            vec![format!(
                "txt-1: Practitioner.text.div is not narrative XHTML: {why}."
            )],
            "{div}"
        );
    }
}

#[test]
fn resource_invariants_and_cardinalities() {
    // org-1
    assert_eq!(
        check(&json!({"resourceType": "Organization", "active": true})),
        error(IssueCode::MissingMandatoryParam, "Organization.name")
    );
    assert_eq!(
        check(&json!({"resourceType": "Organization", "name": "Aviva"})),
        vec![]
    );
    // bdl-1: total only in a searchset or history.
    assert_eq!(
        check(&json!({"resourceType": "Bundle", "type": "collection", "total": 1})),
        error(IssueCode::InvalidFormat, "Bundle.total")
    );
    assert_eq!(
        check(&json!({"resourceType": "Bundle", "type": "searchset", "total": 0})),
        vec![]
    );
    // inv-1 (Parameters) and name 1..1.
    assert_eq!(
        check(
            &json!({"resourceType": "Parameters", "parameter": [{"name": "a", "valueString": "x", "part": [{"name": "b", "valueBoolean": true}]}, {"valueString": "y"}]})
        ),
        vec![
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Parameters.parameter[0]".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Parameters.parameter[1].name".to_owned()]
            ),
        ]
    );
    // Declared cardinalities, with their diagnostic.
    assert_eq!(
        check(&json!({"resourceType": "OperationOutcome"})),
        error(IssueCode::MissingMandatoryParam, "OperationOutcome.issue")
    );
    let outcome = validate_resource(
        r#"{"resourceType":"OperationOutcome","issue":[{"code":"invalid","expression":[]}]}"#,
    );
    assert_eq!(
        summary(&outcome),
        error(
            IssueCode::MissingMandatoryParam,
            "OperationOutcome.issue[0].severity"
        )
    );
    assert_eq!(
        outcome.issues[0].diagnostics,
        "OperationOutcome.issue[0].severity is missing; it is required (cardinality 1..1 in FHIR R4)."
    );
    assert_eq!(
        check(&json!({"resourceType": "Person", "link": [{"assurance": "level5"}]})),
        vec![
            (
                Severity::Error,
                "MSG_MISSING_MANDATORY_PARAM",
                vec!["Person.link[0].target".to_owned()]
            ),
            (
                Severity::Error,
                "MSG_INVALID_FORMAT",
                vec!["Person.link[0].assurance".to_owned()]
            ),
        ]
    );
    assert_eq!(
        check(
            &json!({"resourceType": "ValueSet", "status": "active", "expansion": {"contains": [{"code": "A"}]}})
        ),
        error(
            IssueCode::MissingMandatoryParam,
            "ValueSet.expansion.timestamp"
        )
    );
    assert_eq!(
        check(
            &json!({"resourceType": "Contract", "term": [{"offer": {"text": "Prices"}}, {"text": "no offer"}]})
        ),
        error(IssueCode::MissingMandatoryParam, "Contract.term[1].offer")
    );
}

/// The parse benchmark's bundle (`bench/make_bundle.mjs`, telecoms with `use`): every
/// practitioner validates with no error, so the benchmark measures the success path.
#[test]
fn the_benchmark_bundle_validates_clean() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/practitioners-test-200.json");
    let status = std::process::Command::new("node")
        .args(["bench/make_bundle.mjs", "--count", "200", "--out"])
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status();
    let Ok(status) = status else {
        panic!("node is needed to generate the benchmark bundle");
    };
    assert!(status.success());
    let text = std::fs::read_to_string(&path).unwrap();
    let outcome = validate_resource(&text);
    assert_eq!(outcome.issues, vec![], "{outcome}");
    let entries = serde_json::from_str::<Value>(&text).unwrap()["entry"]
        .as_array()
        .map(Vec::len);
    assert_eq!(entries, Some(200));
}
