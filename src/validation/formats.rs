//! Lexical rules of FHIR primitive types and the R4 required code bindings we enforce.
//! Hand-written matchers (no regex engine) keep the wasm small and the hot path fast.

/// A required code binding: the value set's name and its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The value set's name, for diagnostics (`AdministrativeGender`).
    pub name: &'static str,
    /// Every code of the value set.
    pub codes: &'static [&'static str],
}

impl Binding {
    /// Whether `code` is in the value set.
    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(&code)
    }
}

/// Declares the required bindings the model enforces, each with its value set's codes.
macro_rules! bindings {
    ($( $(#[$meta:meta])* $name:ident = $vs:literal [$($code:literal),* $(,)?]; )*) => {$(
        $(#[$meta])*
        pub const $name: Binding = Binding { name: $vs, codes: &[$($code),*] };
    )*};
}

bindings! {
    /// AdministrativeGender (Practitioner.gender, Person.gender).
    ADMINISTRATIVE_GENDER = "AdministrativeGender" ["male", "female", "other", "unknown"];
    /// NameUse (HumanName.use).
    NAME_USE = "NameUse" ["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"];
    /// IdentifierUse (Identifier.use).
    IDENTIFIER_USE = "IdentifierUse" ["usual", "official", "temp", "secondary", "old"];
    /// ContactPointSystem (ContactPoint.system).
    CONTACT_POINT_SYSTEM = "ContactPointSystem" ["phone", "fax", "email", "pager", "url", "sms", "other"];
    /// ContactPointUse (ContactPoint.use).
    CONTACT_POINT_USE = "ContactPointUse" ["home", "work", "temp", "old", "mobile"];
    /// AddressUse (Address.use).
    ADDRESS_USE = "AddressUse" ["home", "work", "temp", "old", "billing"];
    /// AddressType (Address.type).
    ADDRESS_TYPE = "AddressType" ["postal", "physical", "both"];
    /// BundleType (Bundle.type).
    BUNDLE_TYPE = "BundleType" ["document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"];
    /// SearchEntryMode (Bundle.entry.search.mode).
    SEARCH_ENTRY_MODE = "SearchEntryMode" ["match", "include", "outcome"];
    /// HTTPVerb (Bundle.entry.request.method).
    HTTP_VERB = "HTTPVerb" ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
    /// LocationStatus (Location.status).
    LOCATION_STATUS = "LocationStatus" ["active", "suspended", "inactive"];
    /// LocationMode (Location.mode).
    LOCATION_MODE = "LocationMode" ["instance", "kind"];
    /// IssueSeverity (OperationOutcome.issue.severity).
    ISSUE_SEVERITY = "IssueSeverity" ["fatal", "error", "warning", "information"];
    /// PublicationStatus (ValueSet.status).
    PUBLICATION_STATUS = "PublicationStatus" ["draft", "active", "retired", "unknown"];
    /// IdentityAssuranceLevel (Person.link.assurance).
    IDENTITY_ASSURANCE = "IdentityAssuranceLevel" ["level1", "level2", "level3", "level4"];
    /// NarrativeStatus (Narrative.status).
    NARRATIVE_STATUS = "NarrativeStatus" ["generated", "extensions", "additional", "empty"];
    /// QuantityComparator (Quantity.comparator).
    QUANTITY_COMPARATOR = "QuantityComparator" ["<", "<=", ">=", ">"];
    /// IssueType (OperationOutcome.issue.code).
    ISSUE_TYPE = "IssueType" ["invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired", "forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches", "not-found", "deleted", "too-long", "code-invalid", "extension", "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled", "informational"];
}

/// ISO 4217 currency codes as FHIR's Money.currency binding writes them: three upper-case
/// letters (the code list itself is not embedded).
pub fn is_currency(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

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
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = s.as_bytes();
    // Eight bytes at a time while none is a space, a control byte or non-ASCII (the usual
    // URI); the rest, and any word holding one of those, byte by byte.
    let mut i = 0;
    while let Some(word) = bytes
        .get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        let x = u64::from_le_bytes(word);
        if ((x.wrapping_sub(ONES * 0x21) & !x) | x) & HIGH != 0 {
            break;
        }
        i += 8;
    }
    for &b in bytes.get(i..).unwrap_or_default() {
        if b >= 0x80 {
            // Only a non-ASCII byte needs Unicode's whitespace.
            return !s.contains(char::is_whitespace);
        }
        // Unicode's ASCII whitespace, vertical tab included (`is_ascii_whitespace` leaves
        // it out).
        if matches!(b, b'\t'..=b'\r' | b' ') {
            return false;
        }
    }
    !s.is_empty()
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

/// Reads `hh:mm:ss(.f+)?` (real hours, minutes and seconds, a leap second allowed) and
/// returns what follows it.
fn clock(s: &[u8]) -> Option<&[u8]> {
    let (h, m, sec) = (
        s.get(0..2).and_then(digits)?,
        s.get(3..5).and_then(digits)?,
        s.get(6..8).and_then(digits)?,
    );
    if s.get(2) != Some(&b':') || s.get(5) != Some(&b':') || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let rest = s.get(8..).unwrap_or_default();
    let Some(frac) = rest.strip_prefix(b".") else {
        return Some(rest);
    };
    let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
    (n > 0).then(|| frac.get(n..).unwrap_or_default())
}

/// `hh:mm:ss(.f+)?` followed by `Z` or `(+|-)hh:mm`, as dateTime and instant write times.
fn time_and_zone(s: &[u8]) -> bool {
    match clock(s) {
        Some([b'Z']) => true,
        Some([sign, h1, h2, b':', m1, m2]) if *sign == b'+' || *sign == b'-' => {
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

/// FHIR `time`: `hh:mm:ss(.f+)?`, no zone.
pub fn is_time(s: &str) -> bool {
    clock(s.as_bytes()).is_some_and(<[u8]>::is_empty)
}

/// FHIR `oid`: `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`.
pub fn is_oid(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("urn:oid:") else {
        return false;
    };
    let mut arcs = rest.split('.');
    let first_ok = arcs.next().is_some_and(|a| matches!(a, "0" | "1" | "2"));
    let mut count = 0;
    let rest_ok = arcs.all(|a| {
        count += 1;
        !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) && (a == "0" || !a.starts_with('0'))
    });
    first_ok && rest_ok && count > 0
}

/// FHIR `uuid`: `urn:uuid:` and 8-4-4-4-12 lower-case hex digits.
pub fn is_uuid(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// FHIR `base64Binary`: `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, padding only at the end.
pub fn is_base64(s: &str) -> bool {
    let mut count = 0usize;
    let mut padding = 0usize;
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if padding == 0 => count += 1,
            b'=' if padding < 2 => {
                padding += 1;
                count += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {}
            _ => return false,
        }
    }
    count > 0 && count % 4 == 0
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// The earliest and latest instants (nanoseconds since 1970-01-01T00:00:00Z) a valid FHIR
/// `date` or `dateTime` can mean: `2011` spans the whole year, `2011-05-09` the whole day
/// (read in UTC, as a zone-less date has no zone), a full dateTime is one instant. `None`
/// when the text is not a date or dateTime.
pub fn date_time_range(s: &str) -> Option<(i128, i128)> {
    if !is_date_time(s) {
        return None;
    }
    let bytes = s.as_bytes();
    let num = |range: std::ops::Range<usize>| bytes.get(range).and_then(digits);
    let year = i64::from(num(0..4)?);
    let month = if bytes.len() >= 7 { num(5..7)? } else { 1 };
    let day = if bytes.len() >= 10 { num(8..10)? } else { 1 };
    let start = i128::from(days_from_civil(year, month, day)) * NANOS_PER_DAY;
    let end = match bytes.len() {
        4 => i128::from(days_from_civil(year + 1, 1, 1)) * NANOS_PER_DAY,
        7 if month == 12 => i128::from(days_from_civil(year + 1, 1, 1)) * NANOS_PER_DAY,
        7 => i128::from(days_from_civil(year, month + 1, 1)) * NANOS_PER_DAY,
        10 => start + NANOS_PER_DAY,
        _ => {
            // Thh:mm:ss[.f+](Z|+hh:mm|-hh:mm), already checked by is_date_time.
            let seconds = i128::from(num(11..13)?) * 3600
                + i128::from(num(14..16)?) * 60
                + i128::from(num(17..19)?);
            let rest = bytes.get(19..)?;
            let frac_len = match rest.first() {
                Some(b'.') => rest
                    .iter()
                    .skip(1)
                    .take_while(|b| b.is_ascii_digit())
                    .count(),
                _ => 0,
            };
            let mut nanos: i128 = 0;
            for i in 0..9 {
                let digit = if i < frac_len {
                    rest.get(1 + i).map_or(0, |b| b - b'0')
                } else {
                    0
                };
                nanos = nanos * 10 + i128::from(digit);
            }
            let zone = rest.get(if frac_len > 0 { 1 + frac_len } else { 0 }..)?;
            let offset = match zone {
                [sign, h1, h2, b':', m1, m2] => {
                    let minutes =
                        i128::from(digits(&[*h1, *h2])?) * 60 + i128::from(digits(&[*m1, *m2])?);
                    if *sign == b'-' {
                        -minutes * 60
                    } else {
                        minutes * 60
                    }
                }
                _ => 0,
            };
            let at = start + (seconds - offset) * 1_000_000_000 + nanos;
            return Some((at, at));
        }
    };
    Some((start, end - 1))
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
    fn date_time_ranges() {
        const DAY: i128 = 86_400 * 1_000_000_000;
        assert_eq!(date_time_range("1970"), Some((0, 365 * DAY - 1)));
        assert_eq!(date_time_range("1970-02"), Some((31 * DAY, 59 * DAY - 1)));
        assert_eq!(date_time_range("1972-02"), Some((761 * DAY, 790 * DAY - 1)));
        assert_eq!(date_time_range("1970-01-02"), Some((DAY, 2 * DAY - 1)));
        assert_eq!(date_time_range("1969-12"), Some((-31 * DAY, -1)));
        let at = 3_600 * 1_000_000_000 + 500_000_000;
        assert_eq!(
            date_time_range("1970-01-01T02:00:00.5+01:00"),
            Some((at, at))
        );
        assert_eq!(
            date_time_range("1970-01-01T00:00:00.5-01:00"),
            Some((at, at))
        );
        assert_eq!(date_time_range("1970-13"), None);
        assert_eq!(date_time_range("x"), None);
    }

    #[test]
    fn times_oids_uuids_base64() {
        assert!(is_time("23:59:60.123"));
        assert!(!is_time("23:59"));
        assert!(is_oid("urn:oid:2.16.840.1.113883"));
        assert!(!is_oid("urn:oid:2"));
        assert!(is_uuid("urn:uuid:c757873d-ec9a-4326-a141-556f43239520"));
        assert!(!is_uuid("urn:uuid:c757873d-ec9a-4326-a141-556f4323952"));
        assert!(is_base64("aGVsbG8gd29ybGQ="));
        assert!(!is_base64("aGVsbG8gd29ybGQ"));
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

    #[test]
    fn the_word_at_a_time_uri_check_is_unicodes_whitespace_rule() {
        let reference = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        for special in [
            ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1}', '\u{7f}', '!', 'é', '\u{a0}',
            '\u{85}', '\u{2003}', '\u{3000}',
        ] {
            for before in 0..20 {
                for after in 0..12 {
                    let s = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                    assert_eq!(is_uri(&s), reference(&s), "{s:?}");
                }
            }
        }
        assert!(!is_uri(""));
    }
}
