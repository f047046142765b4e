//! Any JSON body as `POST $contract-price`, `PUT $multi-proc-set`, `PUT $validation` and
//! `POST /contract` receive it, applied to each seed book: never a panic, errors are
//! outcomes with the documents' codes, a changed book writes and re-reads to itself, and the
//! compiled plans stay within D1's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    practice_fhir_fuzz::write_body(text);
});
