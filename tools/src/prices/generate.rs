//! A synthetic private hospital, deterministic by seed, for benchmarks and tests of the
//! import: `payors` payor contracts (`slf` and `na` among them) pricing `procedures` CCSD
//! procedure codes with the surgeon's fee, plus a few practitioners' bespoke prices and
//! location prices, as a fee-schedule CSV; and the ContractBook snapshot of the site before
//! the import (payor contracts with 10-digit ids, practitioners, and tariffs for some of the
//! codes, so that every line validates and a few carry a high-price warning).
//!
//! 30 payors × 3,300 procedures is the 100,000-price hospital (99,000 schedule
//! prices and 300 bespoke and location ones).

use std::fmt::Write as _;

use practice_fhir::money::money_string;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::synth::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HospitalSpec {
    /// The site id (`HCBIG01`).
    pub site: String,
    /// Payor contracts (at least 2: `slf` and `na` come first).
    pub payors: usize,
    /// CCSD procedure codes each payor prices.
    pub procedures: usize,
    /// The seed: the same seed gives the same hospital.
    pub seed: u64,
}

/// A generated hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct Hospital {
    /// The fee schedule, as CSV with a header row.
    pub csv: String,
    /// Data lines in the CSV.
    pub prices: usize,
    /// The site before the import, as a ContractBook snapshot.
    pub snapshot: Value,
}

/// The service every generated price is for (the documents' surgeon's fee).
pub const SERVICE: &str = "ISC/C0000010";

const INSURERS: &[(&str, &str)] = &[
    ("slf", "Self-Pay"),
    ("na", "All Others"),
    ("bup", "BUPA"),
    ("axa", "AXA PPP Healthcare"),
    ("avi", "Aviva"),
    ("vit", "Vitality Health"),
    ("cig", "Cigna"),
    ("wpa", "WPA"),
    ("sim", "Simplyhealth"),
    ("ahc", "Allianz Care"),
    ("bhs", "Benenden Health"),
    ("hsf", "Health Shield"),
];

/// The `i`-th payor: a real insurer's id for the first few, then `i013`, `i014`, ….
fn payor(i: usize) -> (String, String) {
    match INSURERS.get(i) {
        Some((id, name)) => (id.to_string(), name.to_string()),
        None => (format!("i{:03}", i + 1), format!("Insurer {}", i + 1)),
    }
}

/// The `i`-th procedure code: CCSD style, a letter and four digits, distinct for every
/// `i` below 230,000.
pub fn procedure_code(i: usize) -> String {
    let letter = char::from(b'A' + (i % 23) as u8);
    // 7 is coprime to 10,000, so i/23 ↦ 7·(i/23) mod 10,000 never repeats.
    format!("{letter}{:04}", (i / 23) * 7 % 10_000)
}

fn pounds(pence: i64) -> Decimal {
    Decimal::new(pence, 2)
}

/// Generates the hospital of `spec`.
pub fn generate_hospital(spec: &HospitalSpec) -> Hospital {
    let mut rng = Rng::new(spec.seed);
    let payors: Vec<(String, String)> = (0..spec.payors.max(2)).map(payor).collect();
    let contract_id = |i: usize| {
        format!(
            "{:010}",
            4_100_000_000u64 + spec.seed % 1000 * 1000 + i as u64
        )
    };
    let practitioners: Vec<String> = (0..12)
        .map(|i| format!("SP{:06}", 100_000 + i * 7919 + rng.below(7000)))
        .collect();
    let locations = ["HP900001", "HP900002"];
    // A base fee per procedure (£50 to £3,000 in 50p steps) and a factor per payor.
    let base: Vec<i64> = (0..spec.procedures)
        .map(|_| 5_000 + 50 * rng.below(5_901) as i64)
        .collect();
    let factor: Vec<i64> = payors.iter().map(|_| 80 + rng.below(41) as i64).collect();
    let fee = |proc_: usize, p: usize| -> i64 {
        let b = base.get(proc_).copied().unwrap_or(10_000);
        let f = factor.get(p).copied().unwrap_or(100);
        // Whole 10p steps, as fee schedules are written.
        b * f / 1000 * 10
    };

    let mut csv = String::from("payor,service,procedure,location,practitioner,price,isESTV\n");
    let mut lines = 0usize;
    let mut row = |csv: &mut String,
                   payor: &str,
                   proc_: &str,
                   location: &str,
                   practitioner: &str,
                   pence: i64,
                   estv: bool| {
        let _ = writeln!(
            csv,
            "{payor},{SERVICE},CCSD/{proc_},{location},{practitioner},{},{}",
            money_string(pounds(pence)),
            if estv { "Y" } else { "N" }
        );
        lines += 1;
    };
    let codes: Vec<String> = (0..spec.procedures).map(procedure_code).collect();
    for (p, (id, _)) in payors.iter().enumerate() {
        for (c, code) in codes.iter().enumerate() {
            row(&mut csv, id, code, "", "", fee(c, p), rng.chance(5));
        }
    }
    // Bespoke prices: six practitioners with the two biggest insurers, 20 codes each.
    let bespoke_payors: Vec<usize> = (2..payors.len()).take(2).collect();
    for (k, prac) in practitioners.iter().take(6).enumerate() {
        for &p in &bespoke_payors {
            for j in 0..20.min(codes.len()) {
                let c = (k * 37 + j) % codes.len();
                if let (Some(code), Some((id, _))) = (codes.get(c), payors.get(p)) {
                    row(&mut csv, id, code, "", prac, fee(c, p) * 12 / 10, false);
                }
            }
        }
    }
    // Location prices: the first insurer at two locations, 50 codes each.
    if let Some(p) = bespoke_payors.first().copied() {
        for (k, loc) in locations.iter().enumerate() {
            for j in 0..50.min(codes.len()) {
                let c = (k * 101 + j) % codes.len();
                if let (Some(code), Some((id, _))) = (codes.get(c), payors.get(p)) {
                    row(&mut csv, id, code, loc, "", fee(c, p) * 11 / 10, false);
                }
            }
        }
    }

    // Tariffs for every tenth code of each insurer: the maximum well above any generated fee
    // for it; every hundredth code's high price just below the payor's fee (a warning).
    let mut tariffs = Vec::new();
    for (p, (id, _)) in payors.iter().enumerate().skip(2) {
        for (c, code) in codes.iter().enumerate().step_by(10) {
            let f = fee(c, p);
            let high = if c % 100 == 0 { f - 10 } else { f * 13 / 10 };
            tariffs.push(json!({
                "payor": id, "codeType": "P", "code": code,
                "display": format!("Procedure {code}"),
                "warningMessage": "Price is above the payor's high price.",
                "rejectMessage": "Price exceeded maximum limit.",
                "lowPrice": money_string(pounds(f * 7 / 10)),
                "medianPrice": money_string(pounds(f)),
                "highPrice": money_string(pounds(high.max(0))),
                "maximumPrice": money_string(pounds(f * 2)),
            }));
        }
    }
    let snapshot = json!({
        "format": "practice-fhir/contract-book",
        "version": 1,
        "site": spec.site,
        "practitioners": practitioners,
        "payors": payors.iter().enumerate().map(|(i, (id, name))| json!({
            "id": contract_id(i), "payor": id, "type": "I", "display": name
        })).collect::<Vec<_>>(),
        "tariffs": tariffs,
    });
    Hospital {
        csv,
        prices: lines,
        snapshot,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn procedure_codes_are_distinct() {
        let codes: HashSet<String> = (0..20_000).map(procedure_code).collect();
        assert_eq!(codes.len(), 20_000);
        assert_eq!(procedure_code(0), "A0000");
    }

    #[test]
    fn the_same_seed_gives_the_same_hospital() {
        let spec = HospitalSpec {
            site: "HCT".into(),
            payors: 4,
            procedures: 30,
            seed: 7,
        };
        let a = generate_hospital(&spec);
        assert_eq!(a, generate_hospital(&spec));
        assert_eq!(a.prices, 4 * 30 + 6 * 2 * 20 + 2 * 30);
        let b = generate_hospital(&HospitalSpec { seed: 8, ..spec });
        assert_ne!(a.csv, b.csv);
    }
}
