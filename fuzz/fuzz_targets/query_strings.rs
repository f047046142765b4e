//! Any query string through every endpoint's core parser (directory search, contracts
//! operations, `$snapshot`, payor list, value sets) and the seed books' read operations:
//! never a panic, every error an OperationOutcome with a 400/422 code and a diagnostic,
//! every compiled statement within D1's limits. The first byte's low bit is
//! `Prefer: handling=lenient`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(query) = std::str::from_utf8(rest) else {
        return;
    };
    practice_fhir_fuzz::query_string(query, flags & 1 == 1);
});
