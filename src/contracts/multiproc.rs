//! Multi-procedure rules: how n procedures done together are charged.
//!
//! A [`MultiProcSet`] (provider group, e.g. `0000011460` "Default Multi-Procedure Calculation
//! (BUPA)") holds [`MultiProcRule`] records. For n procedures whose prices are sorted
//! descending (v1 ≥ v2 ≥ … ≥ vn), the records whose `calcGroup` is n each add p% of: v1
//! (`HIGHEST`), v2 (`HIGHEST2`), every vj with j ≥ k (`OTHER`), or vk (no `valueOf`). With no
//! records for n every procedure counts at 100%. Rounding is the caller's, once, at the end.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::codes::{
    array_field, invalid_format, str_field, CONTRACT_SUBTYPE_SYSTEM, CONTRACT_TYPE_SYSTEM,
    EXTENSION_BASE,
};
use crate::outcome::OperationOutcome;

/// Which sorted price a record takes its percentage of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueOf {
    /// v1, the highest price.
    Highest,
    /// v2, the second highest.
    Highest2,
    /// Every vj with j ≥ procNumber.
    Other,
}

impl ValueOf {
    /// The documents' spelling.
    pub fn code(self) -> &'static str {
        match self {
            ValueOf::Highest => "HIGHEST",
            ValueOf::Highest2 => "HIGHEST2",
            ValueOf::Other => "OTHER",
        }
    }

    /// Parses `HIGHEST`, `HIGHEST2` or `OTHER`.
    pub fn parse(field: &str, text: &str) -> Result<ValueOf, OperationOutcome> {
        match text {
            "HIGHEST" => Ok(ValueOf::Highest),
            "HIGHEST2" => Ok(ValueOf::Highest2),
            "OTHER" => Ok(ValueOf::Other),
            other => Err(invalid_format(
                field,
                format_args!("'{other}' is not HIGHEST, HIGHEST2 or OTHER"),
            )),
        }
    }
}

/// One multi-procedure record: in a group of `calc_group` procedures, procedure number
/// `proc_number` adds `percentage`% of the price `value_of` designates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MultiProcRule {
    /// Number of procedures this record applies to (`"02"` = 2).
    pub calc_group: u32,
    /// 1-based position k of the record within its group.
    pub proc_number: u32,
    /// Percentage added (125 = 125%); never negative.
    pub percentage: Decimal,
    /// Which price the percentage is of; `None` means vk.
    pub value_of: Option<ValueOf>,
}

impl MultiProcRule {
    /// The 1-based ranks whose price this record takes a share of, among `n` prices.
    pub fn ranks(&self, n: usize) -> std::ops::Range<usize> {
        let k = self.proc_number as usize;
        let (from, to) = match self.value_of {
            Some(ValueOf::Highest) => (1, 1),
            Some(ValueOf::Highest2) => (2, 2),
            Some(ValueOf::Other) => (k.max(1), n),
            None => (k, k),
        };
        // Ranks outside 1..=n (HIGHEST2 with one procedure, k > n) add nothing.
        let from = from.max(1);
        let to = to.min(n);
        if from > to {
            0..0
        } else {
            from..to + 1
        }
    }
}

/// A named set of multi-procedure records belonging to a site and a payor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiProcSet {
    /// Provider group id (`0000011460`).
    pub id: String,
    /// Description (`Default Multi-Procedure Calculation (BUPA)`).
    pub description: String,
    /// Whether the site may replace the records (`editable: Y`).
    pub editable: bool,
    /// The payor it belongs to, if known (`bup`).
    pub payor: Option<String>,
    /// Whether it is the payor's default set (used when the payor contract names none).
    pub is_default: bool,
    /// The records, in the documents' order.
    pub rules: Vec<MultiProcRule>,
}

/// 1% as a factor. Multiplying by 0.01 is exact and much cheaper than dividing by 100.
pub const PERCENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// `value × percentage %`, or `None` on overflow (amounts are bounded, but a typed caller
/// could pass anything, and Decimal's operators panic on overflow).
#[inline]
pub fn percent_of(value: Decimal, percentage: Decimal) -> Option<Decimal> {
    value.checked_mul(percentage)?.checked_mul(PERCENT)
}

/// Applies the records of group n to `sorted` prices (descending, n = `sorted.len()`), writing
/// each rank's summed percentage into `percent_by_rank` (same length) and returning the
/// unrounded total, or `None` on arithmetic overflow. Allocation-free: the caller owns both
/// slices.
pub fn apply_rules(
    sorted: &[Decimal],
    rules: &[MultiProcRule],
    percent_by_rank: &mut [Decimal],
) -> Option<Decimal> {
    let n = sorted.len();
    let mut any = false;
    for p in percent_by_rank.iter_mut() {
        *p = Decimal::ZERO;
    }
    for rule in rules.iter().filter(|r| r.calc_group as usize == n) {
        any = true;
        for rank in rule.ranks(n) {
            if let Some(p) = percent_by_rank.get_mut(rank - 1) {
                *p = p.checked_add(rule.percentage)?;
            }
        }
    }
    if !any {
        for p in percent_by_rank.iter_mut() {
            *p = Decimal::ONE_HUNDRED;
        }
    }
    let mut weighted = Decimal::ZERO;
    for (v, p) in sorted.iter().zip(percent_by_rank.iter()) {
        weighted = weighted.checked_add(v.checked_mul(*p)?)?;
    }
    weighted.checked_mul(PERCENT)
}

fn ext_url(name: &str) -> String {
    format!("{EXTENSION_BASE}{name}")
}

fn ext_string(name: &str, value: impl Into<String>) -> Value {
    json!({"url": ext_url(name), "valueString": value.into()})
}

/// The `type` and `subType` every multi-procedure Contract carries.
fn pricing_header(site: &str) -> (Value, Value, Value) {
    (
        json!([{"reference": format!("Site/{site}")}]),
        json!({"coding": [{"system": CONTRACT_TYPE_SYSTEM, "code": "PRICING", "display": "PRICING"}]}),
        json!([{"coding": [{"system": CONTRACT_SUBTYPE_SYSTEM, "code": "FEE_SCHEDULE", "display": "FEE_SCHEDULE"}]}]),
    )
}

/// Renders the `$multi-proc` list Contract of a site (the documents' shape).
pub fn list_json<'a>(site: &str, sets: impl Iterator<Item = &'a MultiProcSet>) -> Value {
    let extension: Vec<Value> = sets
        .map(|s| {
            json!({
                "url": ext_url("multiProcedure"),
                "extension": [
                    ext_string("providerGroup", s.id.clone()),
                    ext_string("description", s.description.clone()),
                    ext_string("editable", if s.editable { "Y" } else { "N" }),
                ]
            })
        })
        .collect();
    let (subject, ty, sub) = pricing_header(site);
    json!({"resourceType": "Contract", "extension": extension, "subject": subject, "type": ty, "subType": sub})
}

/// Renders one set as the `$multi-proc-set` Contract (the documents' shape).
pub fn set_json(site: &str, set: &MultiProcSet) -> Value {
    let extension: Vec<Value> = set
        .rules
        .iter()
        .map(|r| {
            let mut inner = vec![
                ext_string("calcGroup", format!("{:02}", r.calc_group)),
                ext_string("procNumber", r.proc_number.to_string()),
                ext_string("percentage", r.percentage.normalize().to_string()),
            ];
            if let Some(v) = r.value_of {
                inner.push(ext_string("valueOf", v.code()));
            }
            json!({"url": ext_url("multiProcedureRecord"), "extension": inner})
        })
        .collect();
    let (subject, ty, sub) = pricing_header(site);
    json!({"resourceType": "Contract", "id": set.id, "extension": extension, "subject": subject, "type": ty, "subType": sub})
}

/// The `valueString` of the extension named `name` among `exts`.
pub(crate) fn ext_value<'a>(exts: &'a Value, name: &str) -> Option<&'a str> {
    let url = ext_url(name);
    exts.as_array()?
        .iter()
        .find(|e| str_field(e, "url") == Some(url.as_str()))
        .and_then(|e| str_field(e, "valueString"))
}

fn parse_count(field: &str, text: &str) -> Result<u32, OperationOutcome> {
    match text.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid_format(
            field,
            format_args!("'{text}' is not a positive whole number"),
        )),
    }
}

/// The nested extensions of each of `contract`'s `name` extensions, with that extension's
/// index in `Contract.extension` (for the error paths).
fn records<'a>(contract: &'a Value, name: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    let url = ext_url(name);
    array_field(contract, "extension")
        .iter()
        .enumerate()
        .filter(move |(_, e)| str_field(e, "url") == Some(url.as_str()))
        .map(|(i, e)| (i, e.get("extension").unwrap_or(&Value::Null)))
}

/// Reads the records of a `$multi-proc-set` Contract.
pub fn rules_from_json(contract: &Value) -> Result<Vec<MultiProcRule>, OperationOutcome> {
    let mut rules = Vec::new();
    for (i, inner) in records(contract, "multiProcedureRecord") {
        let field = |name: &str| format!("Contract.extension[{i}].{name}");
        let get = |name: &str| {
            ext_value(inner, name).ok_or_else(|| invalid_format(&field(name), "missing"))
        };
        let percentage_text = get("percentage")?;
        let percentage: Decimal = percentage_text
            .trim()
            .parse()
            .ok()
            .filter(|p: &Decimal| !p.is_sign_negative())
            .ok_or_else(|| {
                invalid_format(
                    &field("percentage"),
                    format_args!("'{percentage_text}' is not a percentage"),
                )
            })?;
        rules.push(MultiProcRule {
            calc_group: parse_count(&field("calcGroup"), get("calcGroup")?)?,
            proc_number: parse_count(&field("procNumber"), get("procNumber")?)?,
            percentage,
            value_of: ext_value(inner, "valueOf")
                .map(|v| ValueOf::parse(&field("valueOf"), v))
                .transpose()?,
        });
    }
    Ok(rules)
}

/// Reads the `(providerGroup, description, editable)` triples of a `$multi-proc` list Contract.
pub fn list_from_json(contract: &Value) -> Result<Vec<(String, String, bool)>, OperationOutcome> {
    let mut out = Vec::new();
    for (i, inner) in records(contract, "multiProcedure") {
        let id = ext_value(inner, "providerGroup").ok_or_else(|| {
            invalid_format(&format!("Contract.extension[{i}].providerGroup"), "missing")
        })?;
        let description = ext_value(inner, "description").unwrap_or("");
        let editable = ext_value(inner, "editable") == Some("Y");
        out.push((id.to_string(), description.to_string(), editable));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contracts::book::testbook::{bupa, d, rule};

    fn total(prices: &[&str], rules: &[MultiProcRule]) -> Decimal {
        let v: Vec<Decimal> = prices.iter().map(|p| d(p)).collect();
        let mut pct = vec![Decimal::ZERO; v.len()];
        apply_rules(&v, rules, &mut pct).unwrap()
    }

    #[test]
    fn group_01_one_procedure_at_100() {
        assert_eq!(total(&["232.00"], &bupa()), d("232"));
    }

    #[test]
    fn group_02_is_125_percent_of_highest() {
        assert_eq!(total(&["232.00", "150.00"], &bupa()), d("290"));
    }

    #[test]
    fn group_03_is_140_percent_of_highest() {
        assert_eq!(total(&["100", "90", "80"], &bupa()), d("140"));
    }

    #[test]
    fn group_06_records_without_value_of_take_vk() {
        let prices = ["6", "5", "4", "3", "2", "1"];
        assert_eq!(total(&prices, &bupa()), d("0"));
        let mut r = bupa();
        r.retain(|x| x.calc_group != 6);
        r.push(rule(6, 2, "50", None));
        assert_eq!(total(&prices, &r), d("2.5"));
    }

    #[test]
    fn no_records_for_n_counts_every_procedure_in_full() {
        assert_eq!(total(&["10", "20", "30", "40"], &bupa()), d("100"));
        assert_eq!(total(&["10", "20"], &[]), d("30"));
    }

    #[test]
    fn other_adds_every_price_from_k() {
        let r = vec![
            rule(3, 1, "100", Some(ValueOf::Highest)),
            rule(3, 2, "50", Some(ValueOf::Other)),
        ];
        assert_eq!(total(&["100", "60", "40"], &r), d("150"));
    }

    #[test]
    fn highest2_with_one_price_adds_nothing() {
        let r = vec![
            rule(1, 1, "100", Some(ValueOf::Highest)),
            rule(1, 2, "50", Some(ValueOf::Highest2)),
        ];
        assert_eq!(total(&["80"], &r), d("80"));
    }

    #[test]
    fn overflow_is_none_not_a_panic() {
        let v = [Decimal::MAX, Decimal::MAX];
        let mut pct = [Decimal::ZERO; 2];
        assert_eq!(apply_rules(&v, &[], &mut pct), None);
        assert_eq!(percent_of(Decimal::MAX, d("200")), None);
    }

    #[test]
    fn json_round_trip_of_the_seed_set() {
        let set = MultiProcSet {
            id: "0000011460".into(),
            description: "Default Multi-Procedure Calculation (BUPA)".into(),
            editable: false,
            payor: Some("bup".into()),
            is_default: true,
            rules: bupa(),
        };
        let v = set_json("HC00JXI", &set);
        assert_eq!(rules_from_json(&v).unwrap(), bupa());
        let list = list_json("HC00JXI", std::iter::once(&set));
        assert_eq!(
            list_from_json(&list).unwrap(),
            vec![(
                "0000011460".into(),
                "Default Multi-Procedure Calculation (BUPA)".into(),
                false
            )]
        );
    }
}
