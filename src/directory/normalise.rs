//! Normal forms shared by indexing and searching: what is stored and what is looked up must
//! be folded the same way, or a search silently misses.

/// Folds one character to lowercase ASCII where a Latin accent is the only difference.
fn fold_char(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Lowercases and folds accents (`Zoë` → `zoe`), keeping every other character.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        fold_char(c, &mut out);
    }
    out
}

/// The searchable word parts of a name: each whitespace word folded, as a whole with
/// punctuation dropped (`o'brien` → `obrien`) and as its alphanumeric parts (`o`, `brien`),
/// so that FHIR's "starts with" matches from the start of any part.
pub fn word_parts(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut parts: Vec<String> = Vec::new();
    for word in folded.split_whitespace() {
        let compact: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        if !compact.is_empty() && !parts.contains(&compact) {
            parts.push(compact);
        }
        for part in word.split(|c: char| !c.is_alphanumeric()) {
            if !part.is_empty() && !parts.iter().any(|p| p == part) {
                parts.push(part.to_owned());
            }
        }
    }
    parts
}

/// The search words of a query value: each whitespace word folded and compacted.
pub fn query_words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A postcode with case and spaces ignored (`w1h 3da` → `W1H3DA`).
pub fn postcode(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The exclusive upper bound of a prefix range: every string starting with `prefix` sorts
/// (bytewise, SQLite's BINARY collation) at or above `prefix` and below this.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut upper = String::with_capacity(prefix.len() + 4);
    upper.push_str(prefix);
    upper.push(char::MAX);
    upper
}

/// A FHIR instant or partial date, as the half-open UTC range `[start, end)` it denotes, both
/// in the fixed-width form `YYYY-MM-DDTHH:MM:SS.mmmZ` so that text order is time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstantRange {
    /// Inclusive start.
    pub start: String,
    /// Exclusive end.
    pub end: String,
}

fn digits(s: &str, len: usize) -> Option<i64> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    days_from_civil(
        if m == 12 { y + 1 } else { y },
        if m == 12 { 1 } else { m + 1 },
        1,
    ) - days_from_civil(y, m, 1)
}

fn format_millis(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Parses a FHIR `date`, `dateTime` or `instant` (a time without a zone is taken as UTC).
pub fn instant_range(text: &str) -> Option<InstantRange> {
    let text = text.trim();
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut date_parts = date.split('-');
    let year = digits(date_parts.next()?, 4)?;
    let month = match date_parts.next() {
        Some(m) => Some(digits(m, 2)?),
        None => None,
    };
    let day = match date_parts.next() {
        Some(d) => Some(digits(d, 2)?),
        None => None,
    };
    if date_parts.next().is_some() {
        return None;
    }
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return None;
        }
        if let Some(d) = day {
            if d < 1 || d > days_in_month(year, m) {
                return None;
            }
        }
    }
    let day_ms = |y: i64, m: i64, d: i64| days_from_civil(y, m, d) * 86_400_000;
    let (start, end) = match (month, day, time) {
        (None, None, None) => (day_ms(year, 1, 1), day_ms(year + 1, 1, 1)),
        (Some(m), None, None) => {
            let s = day_ms(year, m, 1);
            (s, s + days_in_month(year, m) * 86_400_000)
        }
        (Some(m), Some(d), None) => {
            let s = day_ms(year, m, d);
            (s, s + 86_400_000)
        }
        (Some(m), Some(d), Some(t)) => {
            let (clock, offset_ms) = split_zone(t)?;
            let mut hms = clock.split(':');
            let h = digits(hms.next()?, 2)?;
            let mi = digits(hms.next()?, 2)?;
            let (sec, frac, precision) = match hms.next() {
                None => (0, 0, 60_000),
                Some(s) => match s.split_once('.') {
                    None => (digits(s, 2)?, 0, 1000),
                    Some((s, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                        let ms: String = f.chars().chain("000".chars()).take(3).collect();
                        (digits(s, 2)?, ms.parse().ok()?, 1)
                    }
                    Some(_) => return None,
                },
            };
            if hms.next().is_some() || h > 23 || mi > 59 || sec > 60 {
                return None;
            }
            let s =
                day_ms(year, m, d) + h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - offset_ms;
            (s, s + precision)
        }
        _ => return None,
    };
    Some(InstantRange {
        start: format_millis(start),
        end: format_millis(end),
    })
}

/// Splits `hh:mm:ss(.f)(Z|±hh:mm)` into the clock and the zone offset in milliseconds.
fn split_zone(t: &str) -> Option<(&str, i64)> {
    if let Some(clock) = t.strip_suffix('Z') {
        return Some((clock, 0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (clock, zone) = t.split_at(i);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            let (h, m) = (digits(h, 2)?, digits(m, 2)?);
            if h > 14 || m > 59 {
                return None;
            }
            Some((clock, sign * (h * 3_600_000 + m * 60_000)))
        }
        None => Some((t, 0)),
    }
}

/// The normal (start) form of an instant, as stored in `last_updated` and horizon columns.
pub fn instant(text: &str) -> Option<String> {
    instant_range(text).map(|r| r.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_splits_names() {
        assert_eq!(fold("Zoë ÉLODIE"), "zoe elodie");
        assert_eq!(
            word_parts("O'Brien-Smith"),
            vec!["obriensmith", "o", "brien", "smith"]
        );
        assert_eq!(query_words(" St  Elsewhere "), vec!["st", "elsewhere"]);
        assert_eq!(postcode("w1h 3da"), "W1H3DA");
    }

    #[test]
    fn instants_are_utc_ranges() {
        let r = instant_range("2024-02").unwrap();
        assert_eq!(r.start, "2024-02-01T00:00:00.000Z");
        assert_eq!(r.end, "2024-03-01T00:00:00.000Z");
        assert_eq!(
            instant("2024-01-01T01:30:00+01:30").unwrap(),
            "2024-01-01T00:00:00.000Z"
        );
        assert_eq!(
            instant_range("2024-12-31T23:59:59.5Z").unwrap().end,
            "2024-12-31T23:59:59.501Z"
        );
        assert!(instant_range("2024-02-30").is_none());
        assert!(instant_range("2024-1-01").is_none());
        assert!(instant_range("2024-01-01T25:00Z").is_none());
    }
}
