//! Any bytes as a price schedule file (`practice-fhir prices import`): CSV when the first
//! byte is even, NDJSON when odd, then planned against each seed book in both modes. Never a
//! panic; every rejected line names its field and a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    if flags & 1 == 0 {
        practice_fhir_fuzz::prices_csv(rest);
    } else {
        practice_fhir_fuzz::prices_ndjson(rest);
    }
});
