#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `practice-fhir import` end to end (the binary): Healthcode's `dd.mm.yyyy` dates become
//! FHIR dates before validation, and the report says so per element with a count and an
//! example; a `dd.mm.yyyy` that is no calendar day is not converted and is rejected.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_practice-fhir");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh directory of this test's own under cargo's per-test scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn import(input: &std::path::Path, sql: &std::path::Path, validate: &str) -> String {
    let out = Command::new(BIN)
        .args(["import"])
        .arg(input)
        .arg("--sql")
        .arg(sql)
        .args([
            "--now",
            "2026-01-01T00:00:00Z",
            "--progress",
            "none",
            "--validate",
            validate,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_seed_sample_birth_date_is_imported_as_a_fhir_date_and_reported() {
    let dir = scratch("import-seed-dates");
    let sql = dir.join("samples.sql");
    let report = import(&root().join("data/directory-seed.json"), &sql, "minimal");
    let lines: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("converted") || l.contains("Date"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "converted       1 dates from dd.mm.yyyy to FHIR dates",
            &format!(
                "       1 × Practitioner.birthDate (e.g. 09.05.1977 → 1977-05-09 at {} entry[0])",
                root().join("data/directory-seed.json").display()
            ),
        ]
    );
    let text = std::fs::read_to_string(&sql).unwrap();
    assert!(text.contains(r#""birthDate":"1977-05-09""#), "{text}");
    assert!(!text.contains("09.05.1977"));
    // The registrationdate extension is a valueString: kept as the sample writes it.
    assert!(text.contains("08.05.1997"));
}

#[test]
fn core_validation_accepts_converted_dates_and_rejects_impossible_ones() {
    let dir = scratch("import-core-dates");
    let input = dir.join("d.ndjson");
    let p = |id: &str, birth: &str| {
        serde_json::json!({"resourceType": "Practitioner", "id": id, "birthDate": birth,
            "name": [{"use": "official", "family": "Datum", "given": ["Ida"]}], "gender": "female"})
        .to_string()
    };
    std::fs::write(
        &input,
        [
            p("D1", "09.05.1977"),
            p("D2", "29.02.2024"),
            p("D3", "1980-01-02"),
            p("D4", "31.02.1977"),
        ]
        .join("\n"),
    )
    .unwrap();
    let report = import(&input, &dir.join("d.sql"), "core");
    assert!(
        report.contains("accepted        3 Practitioner"),
        "{report}"
    );
    assert!(
        report.contains("converted       2 dates from dd.mm.yyyy to FHIR dates"),
        "{report}"
    );
    assert!(
        report
            .contains("       2 × Practitioner.birthDate (e.g. 09.05.1977 → 1977-05-09 at line 1)"),
        "{report}"
    );
    assert!(report.contains("rejected        1"), "{report}");
    assert!(report.contains("Practitioner.birthDate"), "{report}");
}
