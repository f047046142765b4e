//! One identifier checked on its own, as a form checks it while the user types: the UK Core
//! Practitioner profile's verdict on that identifier alone (its format constraint, e.g.
//! `prac-gmc`, and its 1..1 elements), without the rest of a Practitioner.

use serde_json::json;

use crate::outcome::OperationOutcome;

/// The FHIRPath prefix of the identifier in the one-identifier Practitioner it is checked in.
const IDENTIFIER_PATH: &str = "Practitioner.identifier[0]";

/// The UK Core verdict on one identifier (`system`, `value`): the issues the Practitioner
/// rules find on it (a warning keyed by the constraint, such as `prac-gmc`, when the value
/// has the wrong format), none when it is well formed. Issues about the rest of a
/// Practitioner (its name, say) are not the identifier's and are left out.
pub fn check_identifier(system: &str, value: &str) -> OperationOutcome {
    // The very rules validate_resource applies, so a form and the edge never disagree.
    let practitioner = json!({
        "resourceType": "Practitioner",
        "identifier": [{"system": system, "value": value}],
    });
    let mut outcome = crate::fhir::validate_resource(&practitioner.to_string());
    outcome.issues.retain(|issue| {
        issue
            .expression
            .iter()
            .any(|e| e.starts_with(IDENTIFIER_PATH))
            // prac-sds-user names the identifier itself.
            || issue.diagnostics.contains(IDENTIFIER_PATH)
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMC: &str = "https://fhir.hl7.org.uk/Id/gmc-number";

    #[test]
    fn a_well_formed_gmc_number_has_no_issues() {
        assert_eq!(check_identifier(GMC, "C2134567").issues, vec![]);
    }

    #[test]
    fn a_gmc_number_of_the_wrong_shape_is_a_prac_gmc_warning_on_the_value() {
        assert_eq!(
            check_identifier(GMC, "1234567").to_json_string(),
            r#"{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"invalid","details":{"coding":[{"system":"URL","code":"MSG_INVALID_FORMAT","display":"Submitted parameter is not valid."}]},"diagnostics":"prac-gmc: GMC must be of the format CNNNNNNN (Practitioner.identifier[0].value is '1234567').","expression":["Practitioner.identifier[0].value"]}]}"#
        );
    }

    #[test]
    fn an_unknown_system_has_no_format_rule() {
        assert_eq!(
            check_identifier("https://example.org/id", "anything").issues,
            vec![]
        );
    }
}
