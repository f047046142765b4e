//! Contracts and fees (seed 001): one site's payor contracts, prices, multi-procedure sets
//! and tariffs in a [`ContractBook`], and the pure operations on it: effective prices, fee
//! calculation and price validation. The same code answers in the browser (npm package) and
//! at the edge (worker), so both agree to the penny.
//!
//! - [`book`]: [`ContractBook`], its entries ([`PayorContract`], [`SelfPayList`],
//!   [`PriceKey`] → [`Price`]) and mutations (`add_payor`, `delete_payor`, `set_price`,
//!   `delete_price`, `delete_prices`, `set_multi_proc_set`, `replace_multi_proc_rules`,
//!   `set_tariff`, `ensure_default_payors`).
//! - [`effective`]: `$effective-prices`; [`fee`]: `$calculate-fee`; [`validation`]: `$validation`.
//! - [`multiproc`]: the multi-procedure rule; [`tariff`]: tariffs and verdicts.
//! - [`snapshot`]: the compact JSON form; [`resources`]: building from and writing the
//!   documents' FHIR shapes.
//!
//! Precedence of prices, most specific first: practitioner bespoke → the payor's schedule at
//! the location → (payor `slf` only) the practitioner's SELF_PAY list → the payor's site-wide
//! schedule → the `na` schedule at the location → the `na` site-wide schedule.

pub mod book;
pub mod codes;
pub mod effective;
pub mod fee;
pub mod multiproc;
pub mod queries;
pub mod resources;
pub mod rows;
pub mod snapshot;
pub mod sorted;
pub mod tariff;
pub mod validation;

pub use book::{
    ContractBook, PayorContract, Price, PriceFilter, PriceKey, PriceSource, SelfPayList,
};
pub use codes::{Code, PayorKind, PayorRef, SubType};
pub use effective::{
    EffectivePrice, EffectivePricesPage, EffectivePricesRequest, LastUpdated, PriceScope,
};
pub use fee::{AppliedRule, FeeLine, FeeQuote, FeeRequest};
pub use multiproc::{MultiProcRule, MultiProcSet, ValueOf};
pub use resources::ContractPriceWrite;
pub use tariff::{CodeType, Tariff, TariffKey, Verdict};
pub use validation::ValidationRequest;
