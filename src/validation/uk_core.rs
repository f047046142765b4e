//! UK Core Practitioner profile rules (seed 004): identifier formats (warnings, keyed by their
//! constraint), `prac-sds-user`, and the profile's cardinalities (errors): name 1..*,
//! identifier.system and .value, telecom.value and .use, qualification.code (also R4's).

use super::{quote, report_missing, require, Path};
use crate::model::Practitioner;
use crate::outcome::{Issue, IssueCode};

/// The SDS user id system (`prac-sds-user`).
pub const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";

/// One identifier format constraint of the profile.
struct FormatRule {
    key: &'static str,
    system: &'static str,
    human: &'static str,
    matches: fn(&str) -> bool,
}

/// Matches `value` against a shape where `N` is a digit, `A` an upper-case letter and any
/// other character itself: the profile's own notation for these formats.
fn has_shape(value: &str, shape: &str) -> bool {
    value.len() == shape.len()
        && value.bytes().zip(shape.bytes()).all(|(v, s)| match s {
            b'N' => v.is_ascii_digit(),
            b'A' => v.is_ascii_uppercase(),
            other => v == other,
        })
}

/// `^[G]{1}[01234589]{1}[0-9]{6}$`: G6/G7 codes are spurious.
fn is_gmp(value: &str) -> bool {
    has_shape(value, "GNNNNNNN") && !matches!(value.as_bytes().get(1), Some(b'6' | b'7'))
}

const FORMAT_RULES: [FormatRule; 6] = [
    FormatRule {
        key: "prac-nmc",
        system: "https://fhir.hl7.org.uk/Id/nmc-number",
        human: "NMC must be of the format NNANNNNA",
        matches: |v| has_shape(v, "NNANNNNA"),
    },
    FormatRule {
        key: "prac-gmp",
        system: "https://fhir.hl7.org.uk/Id/gmp-number",
        human:
            "GMP must be of the format GNNNNNNN and not be a spurious code (starts with G6 or G7)",
        matches: is_gmp,
    },
    FormatRule {
        key: "prac-gmc",
        system: "https://fhir.hl7.org.uk/Id/gmc-number",
        human: "GMC must be of the format CNNNNNNN",
        matches: |v| has_shape(v, "CNNNNNNN"),
    },
    FormatRule {
        key: "prac-gphc",
        system: "https://fhir.hl7.org.uk/Id/gphc-number",
        human: "GPHC must be of the format NNNNNNN",
        matches: |v| has_shape(v, "NNNNNNN"),
    },
    FormatRule {
        key: "prac-hcpc",
        system: "https://fhir.hl7.org.uk/Id/hcpc-number",
        human: "HCPC must be of the format AANNNNNN",
        matches: |v| has_shape(v, "AANNNNNN"),
    },
    FormatRule {
        key: "prac-din",
        system: "https://fhir.hl7.org.uk/Id/din-number",
        human: "DIN format must be NNNNNN",
        matches: |v| has_shape(v, "NNNNNN"),
    },
];

/// Reports each absent element of `present` (whether present, name) of the `element` at
/// `item`, all 1..1 in the profile.
fn profile_requires(
    item: &Path<'_>,
    element: &str,
    present: [(bool, &str); 2],
    issues: &mut Vec<Issue>,
) {
    for (is_present, name) in present {
        if !is_present {
            let why = format!("UK Core Practitioner: {element}.{name} 1..1");
            report_missing(&item.field(name), &why, issues);
        }
    }
}

/// Applies the UK Core Practitioner profile rules.
pub fn validate_practitioner(
    practitioner: &Practitioner,
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
) {
    let identifiers = practitioner.identifier.as_deref().unwrap_or_default();
    let identifier_path = path.field("identifier");
    for (i, identifier) in identifiers.iter().enumerate() {
        let item = identifier_path.index(i);
        let present = [
            (identifier.system.is_some(), "system"),
            (identifier.value.is_some(), "value"),
        ];
        profile_requires(&item, "identifier", present, issues);
        let (Some(system), Some(value)) =
            (identifier.system.as_deref(), identifier.value.as_deref())
        else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        if let Some(rule) = FORMAT_RULES.iter().find(|r| r.system == system) {
            if !(rule.matches)(value) {
                let value_path = item.field("value");
                issues.push(
                    Issue::warning(
                        IssueCode::InvalidFormat,
                        format!(
                            "{}: {} ({value_path} is {}).",
                            rule.key,
                            rule.human,
                            quote(value)
                        ),
                    )
                    .at(value_path.to_string()),
                );
            }
        }
    }
    if let [only] = identifiers {
        if only.system.as_deref() == Some(SDS_USER_ID) {
            let p = identifier_path.index(0);
            issues.push(
                Issue::warning(
                    IssueCode::InvalidFormat,
                    format!(
                        "prac-sds-user: Professional code (GMC, GMP, NMC, etc) is preferred ({p} is the only identifier and is an SDS user id)."
                    ),
                )
                .at(p.to_string()),
            );
        }
    }

    let name_path = path.field("name");
    require(
        practitioner.name.as_ref(),
        &name_path,
        "UK Core Practitioner: name 1..*",
        issues,
    );

    // ContactPoint's rows of the profile table (SPEC-NOTES: not HumanName's): value and use
    // 1..1. `name.use` is optional; its binding is checked by its type.
    let telecom_path = path.field("telecom");
    for (i, telecom) in practitioner.telecom.iter().flatten().enumerate() {
        let present = [
            (telecom.value.is_some(), "value"),
            (telecom.use_.is_some(), "use"),
        ];
        profile_requires(&telecom_path.index(i), "telecom", present, issues);
    }
    // qualification.code 1..1 is R4's own cardinality, declared in the model.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(has_shape("C2134567", "CNNNNNNN"));
        assert!(!has_shape("C213456", "CNNNNNNN"));
        assert!(!has_shape("c2134567", "CNNNNNNN"));
        assert!(has_shape("71A2998E", "NNANNNNA"));
        assert!(has_shape("CH029821", "AANNNNNN"));
        assert!(is_gmp("G1234567"));
        assert!(is_gmp("G9234567"));
        assert!(!is_gmp("G6234567"));
        assert!(!is_gmp("G7234567"));
        assert!(!is_gmp("G123456"));
    }
}
