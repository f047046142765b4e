//! Money: GBP as exact decimals, end to end.
//!
//! Amounts come in with at most 2 decimal places and never negative; they go out as JSON
//! numbers with exactly 2 places (`290.00`). Rounding (half away from zero) happens once, at
//! the end of a calculation, never on intermediate figures.

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Number, Value};

use crate::outcome::{IssueCode, OperationOutcome};

/// Decimal places of GBP.
pub const MONEY_DP: u32 = 2;

/// The largest amount accepted: far above any fee, and small enough that no calculation on
/// amounts can overflow a Decimal.
pub const MAX_MONEY: Decimal = Decimal::from_parts(0x107A_3FFF, 0x0000_5AF3, 0, false, 2);

/// The `MSG_INVALID_FORMAT` outcome for a bad amount in `field`.
fn invalid(field: &str, text: &str, why: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::InvalidFormat,
        format!("Field '{field}' has invalid amount '{text}': {why}."),
    )
}

/// Parses an amount written as text (`"12"`, `"290.00"`): a non-negative decimal with at most
/// 2 places. Anything else is `MSG_INVALID_FORMAT` naming `field`.
pub fn parse_money(field: &str, text: &str) -> Result<Decimal, OperationOutcome> {
    let t = text.trim();
    // Only plain decimals: no exponents, signs other than a leading '-', or spaces inside,
    // because Decimal::from_str is more liberal than a money field should be.
    let digits = t.strip_prefix('-').unwrap_or(t);
    let plain = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if !plain {
        return Err(invalid(field, text, "not a number"));
    }
    let value: Decimal = t
        .parse()
        .map_err(|_| invalid(field, text, "not a number"))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(field, text, "negative amounts are not allowed"));
    }
    if value.abs() > MAX_MONEY {
        return Err(invalid(field, text, "more than 999,999,999,999.99"));
    }
    if value.scale() > MONEY_DP {
        return Err(invalid(field, text, "more than 2 decimal places"));
    }
    Ok(value.abs())
}

/// Reads an amount from JSON: a number (kept exact thanks to `arbitrary_precision`) or a
/// numeric string, with the rules of [`parse_money`].
pub fn money_from_json(field: &str, value: &Value) -> Result<Decimal, OperationOutcome> {
    match value {
        Value::Number(n) => parse_money(field, &n.to_string()),
        Value::String(s) => parse_money(field, s),
        other => Err(invalid(field, &other.to_string(), "not a number")),
    }
}

/// Rounds to pennies, half away from zero: the one rounding step of any calculation.
pub fn round_money(value: Decimal) -> Decimal {
    let mut rounded =
        value.round_dp_with_strategy(MONEY_DP, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(MONEY_DP);
    rounded
}

/// The amount as text with exactly 2 places (`"290.00"`), rounded if it has more.
pub fn money_string(value: Decimal) -> String {
    round_money(value).to_string()
}

/// The amount as a JSON number with exactly 2 places (`290.00`).
pub fn money_json(value: Decimal) -> Value {
    let text = money_string(value);
    match text.parse::<Number>() {
        Ok(n) => Value::Number(n),
        // Unreachable for a rendered Decimal; a string still carries the exact amount.
        Err(_) => Value::String(text),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn parses_valid_amounts() {
        assert_eq!(parse_money("net", "12").unwrap(), d("12"));
        assert_eq!(parse_money("net", "290.00").unwrap(), d("290.00"));
        assert_eq!(parse_money("net", " 0.5 ").unwrap(), d("0.5"));
        assert_eq!(parse_money("net", "-0").unwrap(), d("0"));
    }

    #[test]
    fn refuses_bad_amounts_naming_the_field() {
        assert_eq!(parse_money("net", "999999999999.99").unwrap(), MAX_MONEY);
        assert_eq!(MAX_MONEY.to_string(), "999999999999.99");
        for bad in [
            "1000000000000",
            "-1",
            "1.234",
            "abc",
            "",
            "1e3",
            "1.",
            ".5",
            "1..2",
            "+1",
            "NaN",
        ] {
            let err = parse_money("net.value", bad).unwrap_err();
            assert_eq!(err.issues[0].code, IssueCode::InvalidFormat, "{bad}");
            assert!(err.issues[0].diagnostics.contains("'net.value'"));
        }
        let err = money_from_json("fee", &Value::Bool(true)).unwrap_err();
        assert_eq!(err.issues[0].code, IssueCode::InvalidFormat);
    }

    #[test]
    fn json_numbers_stay_exact() {
        let v: Value = serde_json::from_str("290.10").unwrap();
        assert_eq!(money_from_json("net", &v).unwrap(), d("290.10"));
        let s = Value::String("12.5".into());
        assert_eq!(money_from_json("net", &s).unwrap(), d("12.5"));
    }

    #[test]
    fn rounds_half_away_from_zero_and_writes_two_places() {
        assert_eq!(money_string(d("290")), "290.00");
        assert_eq!(money_string(d("0.005")), "0.01");
        assert_eq!(money_string(d("0.004999")), "0.00");
        assert_eq!(money_string(d("2.675")), "2.68");
        assert_eq!(money_json(d("290")).to_string(), "290.00");
        assert_eq!(money_json(d("12.5")).to_string(), "12.50");
    }
}
