//! Search parameter values: paging, comma-OR lists, booleans, genders, `_lastUpdated`
//! prefixes. Each helper refuses bad input with the documents' codes, naming the parameter,
//! and bounds list sizes so that every compiled statement stays within D1's 100 parameters.

use super::Condition;
use crate::directory::normalise::{instant_range, query_words};
use crate::outcome::{IssueCode, OperationOutcome};
use crate::params::QueryParams;

/// Most comma-separated alternatives one parameter may carry.
pub const MAX_ALTERNATIVES: usize = 10;
/// Most words one string alternative may carry (each word must match).
pub const MAX_WORDS: usize = 4;
/// Longest value one alternative may have, in bytes.
pub const MAX_VALUE_LEN: usize = 128;
/// Default page size (SPEC-NOTES).
pub const DEFAULT_COUNT: u32 = 10;
/// Largest page size (SPEC-NOTES).
pub const MAX_COUNT: u32 = 100;
/// Largest page number: keeps OFFSET arithmetic far from overflow.
pub const MAX_PAGE: u32 = 1_000_000;

/// A `MSG_INVALID_FORMAT` naming the parameter.
pub fn invalid(param: &str, what: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::InvalidFormat,
        format!("Parameter '{param}' is not valid: {what}."),
    )
}

/// Every value of `name` (repeats AND together), refusing blank ones with `MSG_PARAM_EMPTY`.
pub fn all_values<'a>(
    params: &'a QueryParams,
    name: &str,
) -> Result<Vec<&'a str>, OperationOutcome> {
    params
        .pairs()
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(k, v)| {
            let v = v.trim();
            if v.is_empty() {
                Err(OperationOutcome::error(
                    IssueCode::ParamEmpty,
                    format!("Parameter '{k}' is empty."),
                ))
            } else {
                Ok(v)
            }
        })
        .collect()
}

/// The comma-separated alternatives of one value (OR), trimmed and bounded.
pub fn alternatives<'a>(param: &str, value: &'a str) -> Result<Vec<&'a str>, OperationOutcome> {
    let alts: Vec<&str> = value.split(',').map(str::trim).collect();
    if alts.iter().any(|a| a.is_empty()) {
        return Err(invalid(param, "empty value in a comma-separated list"));
    }
    if alts.len() > MAX_ALTERNATIVES {
        return Err(invalid(
            param,
            &format!("at most {MAX_ALTERNATIVES} comma-separated values"),
        ));
    }
    if alts.iter().any(|a| a.len() > MAX_VALUE_LEN) {
        return Err(invalid(
            param,
            &format!("values are at most {MAX_VALUE_LEN} characters"),
        ));
    }
    Ok(alts)
}

/// The search words of each alternative of a string parameter (each word must match).
pub fn string_alternatives(param: &str, value: &str) -> Result<Vec<Vec<String>>, OperationOutcome> {
    alternatives(param, value)?
        .into_iter()
        .map(|alt| {
            let words = query_words(alt);
            if words.is_empty() {
                Err(invalid(param, "no letters or digits to search for"))
            } else if words.len() > MAX_WORDS {
                Err(invalid(param, &format!("at most {MAX_WORDS} words")))
            } else {
                Ok(words)
            }
        })
        .collect()
}

/// `true`/`false`, else `MSG_INVALID_FORMAT`.
pub fn boolean(param: &str, value: &str) -> Result<bool, OperationOutcome> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(param, "expected true or false")),
    }
}

/// AdministrativeGender codes, else `MSG_INVALID_FORMAT`.
pub fn genders(value: &str) -> Result<Vec<&str>, OperationOutcome> {
    let alts = alternatives("gender", value)?;
    for g in &alts {
        if !matches!(*g, "male" | "female" | "other" | "unknown") {
            return Err(invalid("gender", "expected male, female, other or unknown"));
        }
    }
    Ok(alts)
}

/// Page number and size from `page`, `count` / `_count`.
pub fn paging(params: &QueryParams) -> Result<(u32, u32), OperationOutcome> {
    let page = match params.optional("page")? {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .ok_or_else(|| invalid("page", "expected a whole number from 1"))?,
    };
    let count = match params.optional_any(&["count", "_count"])? {
        None => DEFAULT_COUNT,
        Some(c) => c
            .parse::<u32>()
            .ok()
            .filter(|c| (1..=MAX_COUNT).contains(c))
            .ok_or_else(|| invalid("count", "expected a whole number from 1 to 100"))?,
    };
    Ok((page, count))
}

/// The SQL condition for every `_lastUpdated` value on `column` (FHIR prefixes, the value's
/// precision giving the range: `eq2024-01` is all of January).
pub fn last_updated(
    params: &QueryParams,
    column: &str,
) -> Result<Vec<Condition>, OperationOutcome> {
    let mut out = Vec::new();
    for value in all_values(params, "_lastUpdated")? {
        let (prefix, rest) = match value.get(..2) {
            Some(p @ ("gt" | "ge" | "lt" | "le" | "eq")) => (p, value.get(2..).unwrap_or("")),
            _ => ("eq", value),
        };
        let range = instant_range(rest).ok_or_else(|| {
            invalid(
                "_lastUpdated",
                "expected [gt|ge|lt|le|eq] and a FHIR date or instant",
            )
        })?;
        let (sql, values) = match prefix {
            "gt" => (format!("{column} >= ?"), vec![range.end.into()]),
            "ge" => (format!("{column} >= ?"), vec![range.start.into()]),
            "lt" => (format!("{column} < ?"), vec![range.start.into()]),
            "le" => (format!("{column} < ?"), vec![range.end.into()]),
            _ => (
                format!("{column} >= ? AND {column} < ?"),
                vec![range.start.into(), range.end.into()],
            ),
        };
        out.push(Condition {
            sql,
            params: values,
        });
    }
    Ok(out)
}
