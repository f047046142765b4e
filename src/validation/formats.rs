//! Lexical rules of FHIR primitive types and the R4 required code bindings we enforce.
//! Hand-written matchers (no regex engine) keep the wasm small and the hot path fast.

/// AdministrativeGender (required binding on Practitioner.gender and Person.gender).
pub const ADMINISTRATIVE_GENDER: &[&str] = &["male", "female", "other", "unknown"];
/// NameUse (HumanName.use).
pub const NAME_USE: &[&str] = &[
    "usual",
    "official",
    "temp",
    "nickname",
    "anonymous",
    "old",
    "maiden",
];
/// IdentifierUse (Identifier.use).
pub const IDENTIFIER_USE: &[&str] = &["usual", "official", "temp", "secondary", "old"];
/// ContactPointSystem (ContactPoint.system).
pub const CONTACT_POINT_SYSTEM: &[&str] =
    &["phone", "fax", "email", "pager", "url", "sms", "other"];
/// ContactPointUse (ContactPoint.use).
pub const CONTACT_POINT_USE: &[&str] = &["home", "work", "temp", "old", "mobile"];
/// AddressUse (Address.use).
pub const ADDRESS_USE: &[&str] = &["home", "work", "temp", "old", "billing"];
/// AddressType (Address.type).
pub const ADDRESS_TYPE: &[&str] = &["postal", "physical", "both"];
/// BundleType (Bundle.type).
pub const BUNDLE_TYPE: &[&str] = &[
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
];
/// SearchEntryMode (Bundle.entry.search.mode).
pub const SEARCH_ENTRY_MODE: &[&str] = &["match", "include", "outcome"];
/// HTTPVerb (Bundle.entry.request.method).
pub const HTTP_VERB: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
/// LocationStatus (Location.status).
pub const LOCATION_STATUS: &[&str] = &["active", "suspended", "inactive"];
/// LocationMode (Location.mode).
pub const LOCATION_MODE: &[&str] = &["instance", "kind"];
/// IssueSeverity (OperationOutcome.issue.severity).
pub const ISSUE_SEVERITY: &[&str] = &["fatal", "error", "warning", "information"];
/// PublicationStatus (ValueSet.status).
pub const PUBLICATION_STATUS: &[&str] = &["draft", "active", "retired", "unknown"];
/// IdentityAssuranceLevel (Person.link.assurance).
pub const IDENTITY_ASSURANCE: &[&str] = &["level1", "level2", "level3", "level4"];

/// FHIR `code`: no leading or trailing whitespace, no runs of internal whitespace.
pub fn is_code(s: &str) -> bool {
    if s.is_ascii() {
        // The common case, in one pass over bytes.
        let bytes = s.as_bytes();
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return false;
        };
        return !first.is_ascii_whitespace()
            && !last.is_ascii_whitespace()
            && !bytes
                .iter()
                .any(|&b| matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
            && !bytes.windows(2).any(|w| w == b"  ");
    }
    !s.is_empty()
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
        && !s.contains("  ")
        && !s.contains(['\t', '\n', '\r'])
}

/// FHIR `uri`: no whitespace at all.
pub fn is_uri(s: &str) -> bool {
    if s.is_ascii() {
        return !s.is_empty() && !s.bytes().any(|b| b.is_ascii_whitespace());
    }
    !s.is_empty() && !s.contains(char::is_whitespace)
}

/// FHIR `id`: `[A-Za-z0-9\-\.]{1,64}`.
pub fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses the date part (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and returns how many components
/// it had (1, 2 or 3), checking real month and day ranges.
fn date_part(s: &[u8]) -> Option<usize> {
    let year = digits(s.get(0..4)?)?;
    if year == 0 {
        return None;
    }
    match s.len() {
        4 => Some(1),
        7 => {
            let month = month_at(s)?;
            let _ = month;
            Some(2)
        }
        10 => {
            let month = month_at(s)?;
            if s.get(7) != Some(&b'-') {
                return None;
            }
            let day = digits(s.get(8..10)?)?;
            (1..=days_in_month(year, month)).contains(&day).then_some(3)
        }
        _ => None,
    }
}

fn month_at(s: &[u8]) -> Option<u32> {
    if s.get(4) != Some(&b'-') {
        return None;
    }
    let month = digits(s.get(5..7)?)?;
    (1..=12).contains(&month).then_some(month)
}

/// FHIR `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with real months and days.
pub fn is_date(s: &str) -> bool {
    date_part(s.as_bytes()).is_some()
}

/// `hh:mm:ss(.f+)?` followed by `Z` or `(+|-)hh:mm`; `tz_required` for dateTime and instant.
fn time_and_zone(s: &[u8]) -> bool {
    let (Some(h), Some(m), Some(sec)) = (
        s.get(0..2).and_then(digits),
        s.get(3..5).and_then(digits),
        s.get(6..8).and_then(digits),
    ) else {
        return false;
    };
    if s.get(2) != Some(&b':') || s.get(5) != Some(&b':') || h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = s.get(8..).unwrap_or_default();
    if rest.first() == Some(&b'.') {
        let frac = rest.get(1..).unwrap_or_default();
        let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or_default();
    }
    match rest {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if *sign == b'+' || *sign == b'-' => {
            let (Some(th), Some(tm)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else {
                return false;
            };
            (th < 14 && tm < 60) || (th == 14 && tm == 0)
        }
        _ => false,
    }
}

/// FHIR `dateTime`: a `date`, or a full date with `Thh:mm:ss[.fff]` and a time zone.
pub fn is_date_time(s: &str) -> bool {
    let bytes = s.as_bytes();
    match bytes.iter().position(|&b| b == b'T') {
        None => is_date(s),
        Some(t) => {
            let (date, time) = bytes.split_at(t);
            date_part(date) == Some(3) && time_and_zone(time.get(1..).unwrap_or_default())
        }
    }
}

/// FHIR `instant`: a full date, time and zone.
pub fn is_instant(s: &str) -> bool {
    s.contains('T') && is_date_time(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["1977", "1977-05", "1977-05-09", "2000-02-29", "0001-01-01"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "09.05.1977",
            "1977-13",
            "1977-02-29",
            "1900-02-29",
            "1977-04-31",
            "77",
            "0000",
            "1977-5-9",
            "1977-05-09T00:00:00Z",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn date_times_and_instants() {
        for ok in [
            "2011",
            "2011-01-01",
            "2011-01-01T00:00:00+00:00",
            "2011-01-01T23:59:60Z",
            "2011-01-01T10:00:00.123-05:30",
            "2011-01-01T00:00:00+14:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2011-01-01T00:00:00",
            "2011-01-01T24:00:00Z",
            "2011-01-01T00:00Z",
            "2011-01-01T00:00:00+15:00",
            "2011-01T00:00:00Z",
            "2011-01-01T00:00:00.Z",
            "2011-01-01 00:00:00Z",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert!(is_instant("2011-01-01T00:00:00Z"));
        assert!(!is_instant("2011-01-01"));
    }

    #[test]
    fn codes_uris_ids() {
        assert!(is_code("00U"));
        assert!(is_code("All Others"));
        assert!(!is_code(" x"));
        assert!(!is_code("a  b"));
        assert!(is_uri("https://fhir.hl7.org.uk/Id/gmc-number"));
        assert!(!is_uri("https://x y"));
        assert!(is_id("SP09000"));
        assert!(!is_id("SP 9000"));
    }
}
