//! Contracts and fees (seed 001): one site's payor contracts, prices, multi-procedure sets
//! and tariffs in a [`ContractBook`], and the pure operations on it: effective prices, fee
//! calculation and price validation. The same code answers in the browser (npm package) and
//! at the edge (worker), so both agree to the penny.

pub mod book;
pub mod codes;
pub mod effective;
pub mod fee;
pub mod multiproc;
pub mod resources;
pub mod snapshot;
pub mod tariff;
pub mod validation;

pub use book::{
    ContractBook, PayorContract, Price, PriceFilter, PriceKey, PriceSource, SelfPayList,
};
pub use codes::{Code, PayorKind, PayorRef, SubType};
pub use effective::{EffectivePrice, EffectivePricesPage, EffectivePricesRequest, LastUpdated};
pub use fee::{AppliedRule, FeeLine, FeeQuote, FeeRequest};
pub use multiproc::{MultiProcRule, MultiProcSet, ValueOf};
pub use resources::ContractPriceWrite;
pub use tariff::{CodeType, Tariff, TariffKey, Verdict};
pub use validation::ValidationRequest;
