//! Fee schedules into a site (`practice-fhir prices import`): practice managers keep them
//! in spreadsheets, so a CSV (or NDJSON) of prices is read ([`schedule`]), every line is
//! judged by the core's own `$contract-price` write against the site's current partial book
//! ([`plan`]), and the difference is written either as SQL files of the core's write
//! statements for `wrangler d1 execute` ([`sqlfile`]) or, by the CLI, through the API.
//! [`d1`] reads the current state from a local D1; [`generate`] makes a synthetic hospital.

pub mod api;
pub mod d1;
pub mod generate;
pub mod plan;
pub mod schedule;
pub mod sqlfile;

pub use plan::{plan_import, Entry, ImportPlan, Mode, Warning};
pub use schedule::{Column, Format, Rejection, ScheduleError, ScheduleLine};
