//! practice-fhir: the core of the UK private-practice FHIR APIs.
//!
//! Pure Rust with no I/O: FHIR parsing and UK Core validation, contracts and fee
//! calculation, search compilation. The npm package (`src/wasm.rs`, feature `wasm`) and the
//! Cloudflare worker (`worker/`) are thin skins over this crate.

pub mod discovery;
pub mod fhir;
pub mod model;
pub mod outcome;
pub mod params;
pub mod validation;

pub use fhir::{parse_resource, parse_typed, validate_resource, validate_typed};
pub use model::{Bundle, Practitioner, Resource};
pub use outcome::{Issue, IssueCode, OperationOutcome, Severity};
pub use params::QueryParams;

/// The crate (and npm package) version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
