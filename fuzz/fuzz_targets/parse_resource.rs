//! Any string through both entry points: never a panic, always an outcome or JSON, and the
//! two agree (a parse failure is exactly validate's single issue; parse output re-parses to
//! itself).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let validated = practice_fhir::validate_resource(input);
    match practice_fhir::parse_resource(input) {
        Ok(written) => {
            assert_eq!(
                practice_fhir::parse_resource(&written).as_deref(),
                Ok(written.as_str())
            );
            if let Ok(typed) = practice_fhir::parse_typed(input) {
                assert_eq!(validated, practice_fhir::validate_typed(&typed));
            }
        }
        Err(outcome) => assert_eq!(validated, outcome),
    }
});
