//! Any text as a contract-book snapshot (`PUT $snapshot`, the npm package's load), as a slice
//! merged into each seed book, and as D1 rows (`from_rows`, `slice_json`): never a panic,
//! errors are outcomes, a loaded book writes and re-reads to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    practice_fhir_fuzz::snapshot_text(text);
    practice_fhir_fuzz::rows_text(text);
});
