//! Healthcode's `dd.mm.yyyy` dates (the seed 000 sample's `birthDate: "09.05.1977"`) in
//! directory files, converted to FHIR dates (`1977-05-09`) when a file is imported. The API's
//! writes do not convert: they refuse a date that is not a FHIR date.
//!
//! The elements converted are the date and dateTime ones the directory's resources carry:
//! `birthDate`, a Period's `start` and `end` (any `period`, and Schedule's
//! `planningHorizon`), and `valueDate` / `valueDateTime` of extensions. A `valueString`
//! (e.g. Healthcode's `registrationdate` extension) is a string, valid as it is, and is kept.

use serde_json::Value;

/// One converted date: the element (FHIR path without indexes, e.g.
/// `Practitioner.birthDate`), the text found and the FHIR date written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateConversion {
    /// The element, e.g. `Practitioner.birthDate`.
    pub field: String,
    /// What the file had, e.g. `09.05.1977`.
    pub from: String,
    /// The FHIR date written instead, e.g. `1977-05-09`.
    pub to: String,
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `dd.mm.yyyy` as the FHIR date `yyyy-mm-dd`, when it names a real calendar day (year 0001
/// or later); anything else is `None` (and left for validation to judge).
pub fn healthcode_date(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(2) != Some(&b'.') || b.get(5) != Some(&b'.') {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (day, month, year) = (digits(0..2)?, digits(3..5)?, digits(6..10)?);
    let real =
        year >= 1 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    real.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// Whether `key` (inside an element named `parent`) holds a date or dateTime.
fn is_date_element(parent: Option<&str>, key: &str) -> bool {
    match key {
        "birthDate" | "valueDate" | "valueDateTime" => true,
        "start" | "end" => matches!(parent, Some("period" | "planningHorizon")),
        _ => false,
    }
}

fn walk(value: &mut Value, path: &str, parent: Option<&str>, out: &mut Vec<DateConversion>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let here = format!("{path}.{key}");
                if let Value::String(text) = child {
                    if is_date_element(parent, key) {
                        if let Some(date) = healthcode_date(text) {
                            out.push(DateConversion {
                                field: here,
                                from: std::mem::replace(text, date.clone()),
                                to: date,
                            });
                        }
                    }
                    continue;
                }
                walk(child, &here, Some(key), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, path, parent, out);
            }
        }
        _ => {}
    }
}

/// Converts, in place, every date element of `resource` written as `dd.mm.yyyy` (see the
/// module documentation) and lists what it converted, in document order.
pub fn convert_dates(resource: &mut Value) -> Vec<DateConversion> {
    let ty = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource")
        .to_owned();
    let mut out = Vec::new();
    walk(resource, &ty, None, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn healthcode_dates_become_fhir_dates_only_when_real() {
        assert_eq!(healthcode_date("09.05.1977").as_deref(), Some("1977-05-09"));
        assert_eq!(healthcode_date("29.02.2024").as_deref(), Some("2024-02-29"));
        assert_eq!(healthcode_date("29.02.2023"), None);
        assert_eq!(healthcode_date("31.04.2020"), None);
        assert_eq!(healthcode_date("00.01.2020"), None);
        assert_eq!(healthcode_date("01.13.2020"), None);
        assert_eq!(healthcode_date("01.01.0000"), None);
        assert_eq!(healthcode_date("1977-05-09"), None);
        assert_eq!(healthcode_date("9.5.1977"), None);
        assert_eq!(healthcode_date("+9.05.1977"), None);
        assert_eq!(healthcode_date("09.05.1977 "), None);
        assert_eq!(healthcode_date("０9.05.197"), None);
    }

    #[test]
    fn the_seed_practitioner_birth_date_and_periods_are_converted_and_strings_kept() {
        let mut p = json!({
            "resourceType": "Practitioner",
            "birthDate": "09.05.1977",
            "extension": [
                {"url": "https://ref.api.healthcode.co.uk/extension/registrationdate", "valueString": "08.05.1997"},
                {"url": "x", "valueDate": "01.02.2003"}
            ],
            "qualification": [{"period": {"start": "01.09.1999", "end": "2003-07-01"}}],
            "name": [{"family": "01.01.2000"}]
        });
        let got = convert_dates(&mut p);
        let fields: Vec<(&str, &str, &str)> = got
            .iter()
            .map(|c| (c.field.as_str(), c.from.as_str(), c.to.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("Practitioner.birthDate", "09.05.1977", "1977-05-09"),
                (
                    "Practitioner.extension.valueDate",
                    "01.02.2003",
                    "2003-02-01"
                ),
                (
                    "Practitioner.qualification.period.start",
                    "01.09.1999",
                    "1999-09-01"
                ),
            ]
        );
        assert_eq!(p["birthDate"], "1977-05-09");
        assert_eq!(p["extension"][0]["valueString"], "08.05.1997");
        assert_eq!(p["qualification"][0]["period"]["end"], "2003-07-01");
        assert_eq!(p["name"][0]["family"], "01.01.2000");
        // Nothing left to convert the second time.
        assert!(convert_dates(&mut p).is_empty());
    }
}
