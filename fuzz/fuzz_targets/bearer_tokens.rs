//! Any `Authorization` header (first byte even), or a token assembled from arbitrary header,
//! claims and signature bytes split at 0xFF (first byte odd, so the JSON behind the base64
//! is reached): never a panic, only 401 from parsing and 401/403 from the claim checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    if flags & 1 == 0 {
        if let Ok(header) = std::str::from_utf8(rest) {
            practice_fhir_fuzz::authorization(header);
        }
    } else {
        let mut parts = rest.splitn(3, |b| *b == 0xFF);
        let header = parts.next().unwrap_or_default();
        let claims = parts.next().unwrap_or_default();
        let signature = parts.next().unwrap_or_default();
        practice_fhir_fuzz::token_parts(header, claims, signature);
    }
});
