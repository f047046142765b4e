//! practice-fhir: the core of the UK private-practice FHIR APIs.
//!
//! Pure Rust with no I/O: FHIR parsing and UK Core validation, contracts and fee
//! calculation, search compilation. The npm package (`src/wasm.rs`, feature `wasm`) and the
//! Cloudflare worker (`worker/`) are thin skins over this crate.

pub mod auth;
pub mod contracts;
pub mod discovery;
pub mod money;
pub mod outcome;
pub mod params;

pub use contracts::ContractBook;
pub use outcome::{Issue, IssueCode, OperationOutcome, Severity};
pub use params::QueryParams;

/// The crate (and npm package) version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "wasm")]
pub mod wasm;
