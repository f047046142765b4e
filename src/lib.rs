//! practice-fhir: the core of the UK private-practice FHIR APIs.
//!
//! Pure Rust with no I/O: FHIR parsing and UK Core validation, contracts and fee
//! calculation, search compilation. The npm package (`npm/`) and the Cloudflare worker (`worker/`)
//! are thin skins over this crate, each a crate of its own.
//!
//! ```
//! use practice_fhir::{ContractBook, QueryParams};
//!
//! // One site's contracts, as the edge stores them and the npm package loads them.
//! let book = ContractBook::from_snapshot_json(r#"{
//!     "site": "HC00HM4",
//!     "payors": [{"id": "0000000001", "payor": "bup", "type": "I"}],
//!     "prices": [{"contract": "0000000001", "service": "ISC/C0000010", "net": "232.00"}]
//! }"#)?;
//! let query = QueryParams::from_query("site=HC00HM4&payor=bup&service-type=ISC/C0000010", false);
//! let fee = book.calculate_fee(&query)?;
//! assert_eq!(fee["term"][0]["asset"][0]["valuedItem"][0]["net"]["value"].to_string(), "232.00");
//! # Ok::<(), practice_fhir::OperationOutcome>(())
//! ```

pub mod auth;
pub mod contracts;
pub mod directory;
pub mod discovery;
pub mod fhir;
pub mod identifier;
pub mod json;
pub mod model;
pub mod money;
// Issue 14: OpenID Connect key sets, and CORS / request ids / log lines for the edge.
pub mod oidc;
pub mod ops;
pub mod outcome;
pub mod params;
pub mod search;
pub mod validation;
pub mod valuesets;

pub use contracts::ContractBook;
pub use fhir::{parse_resource, parse_typed, validate_resource, validate_typed};
pub use identifier::check_identifier;
pub use model::{Bundle, Practitioner, Resource};
pub use outcome::{Issue, IssueCode, OperationOutcome, Severity};
pub use params::QueryParams;

/// The crate (and npm package) version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
