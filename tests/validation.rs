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
