//! practice-fhir's tools, beside the product and not in it (as `ruff_dev` sits beside ruff):
//! the `practice-fhir` CLI's logic and the synthetic data the tests and benchmarks use.
//!
//! - [`synth`]: a synthetic practitioner directory, deterministic by seed.
//! - `sqlite` (feature `sqlite`): the D1 engine natively, for tests and benchmarks.
//! - [`prices`]: fee schedules (CSV or NDJSON) validated by the core and imported into a
//!   site as the rows the API writes, and a synthetic hospital to benchmark them.
//!
//! Everything here builds on the core crate alone; the binary (`src/main.rs`, feature `cli`)
//! adds argument parsing, progress bars and HTTP.

pub mod prices;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod synth;

use std::time::{SystemTime, UNIX_EPOCH};

/// UTC now as a FHIR instant, `2026-12-01T10:00:00Z` (the tools may read the clock; the core
/// may not).
pub fn now_instant() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    instant_of_unix(secs)
}

/// A Unix time in seconds as a FHIR instant (UTC).
pub fn instant_of_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::instant_of_unix;

    #[test]
    fn unix_times_become_fhir_instants() {
        assert_eq!(instant_of_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(instant_of_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(instant_of_unix(1_796_119_199), "2026-12-01T09:59:59Z");
    }
}
