//! Any OpenID Connect discovery document, key set, `Cache-Control`, configuration variable,
//! `Origin` or `x-request-id` text: never a panic, bad documents are 401s, and what is kept
//! or echoed stays bounded (see `identity_documents` in the harness).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        practice_fhir_fuzz::identity_documents(text);
    }
});
