//! Tariffs and price validation: a payor's (or a practitioner's own) price bands and messages
//! for a service or procedure, and the verdict on a proposed fee.

use rust_decimal::Decimal;
use serde_json::Value;

use super::codes::{array_field, invalid_format, str_field, PayorRef};
use super::multiproc::ext_value;
use super::resources::{pricing_contract, string_ext, value_of};
use crate::json::Out;
use crate::money::{money_string, parse_money};
use crate::outcome::OperationOutcome;

/// Whether a tariff is for a service (`S`) or a procedure (`P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeType {
    /// A service code (`P0003630`).
    Service,
    /// A procedure code (`W3712`).
    Procedure,
}

impl CodeType {
    /// `S` or `P`.
    pub fn code(self) -> &'static str {
        match self {
            CodeType::Service => "S",
            CodeType::Procedure => "P",
        }
    }

    /// Parses `S` or `P`.
    pub fn parse(field: &str, text: &str) -> Result<CodeType, OperationOutcome> {
        match text.trim() {
            "S" => Ok(CodeType::Service),
            "P" => Ok(CodeType::Procedure),
            other => Err(invalid_format(
                field,
                format_args!("'{other}' is not S or P"),
            )),
        }
    }

    /// The coding `id` of the documents' `$validation` shape.
    fn coding_id(self) -> &'static str {
        match self {
            CodeType::Service => "Service",
            CodeType::Procedure => "Procedure",
        }
    }
}

/// Identifies one tariff: payor, code type, code and (for a practitioner's own) practitioner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TariffKey {
    /// The payor id (`slh`).
    pub payor: String,
    /// Service or procedure.
    pub code_type: CodeType,
    /// The code without scheme (`P0003630`).
    pub code: String,
    /// The practitioner whose own tariff this is, if any.
    pub practitioner: Option<String>,
}

/// The price bands and messages for one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tariff {
    /// Which code, payor and practitioner.
    pub key: TariffKey,
    /// The code's description.
    pub display: Option<String>,
    /// Shown with every price.
    pub narrative_message: Option<String>,
    /// Shown when the fee is above `high_price`.
    pub warning_message: Option<String>,
    /// Shown when the fee is above `maximum_price` (and the fee is refused).
    pub reject_message: Option<String>,
    /// Shown with every price (terms and conditions).
    pub option_message: Option<String>,
    /// Low end of the expected range.
    pub low_price: Option<Decimal>,
    /// Median expected price.
    pub median_price: Option<Decimal>,
    /// Above this the fee is accepted with a warning.
    pub high_price: Option<Decimal>,
    /// Above this the fee is rejected.
    pub maximum_price: Option<Decimal>,
}

/// The judgement on a proposed fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Within the range.
    Accepted,
    /// Above the high price: accepted, with the warning message.
    AcceptedWithWarning(Option<String>),
    /// Above the maximum price: refused, with the reject message.
    Rejected(Option<String>),
}

impl Verdict {
    /// `accepted`, `accepted-with-warning` or `rejected`.
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::AcceptedWithWarning(_) => "accepted-with-warning",
            Verdict::Rejected(_) => "rejected",
        }
    }

    /// The message that goes with the verdict, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            Verdict::Accepted => None,
            Verdict::AcceptedWithWarning(m) | Verdict::Rejected(m) => m.as_deref(),
        }
    }

    /// Whether the fee may be used.
    pub fn is_accepted(&self) -> bool {
        !matches!(self, Verdict::Rejected(_))
    }
}

/// The money bands, in the documents' extension order.
const PRICE_FIELDS: [&str; 4] = ["lowPrice", "medianPrice", "highPrice", "maximumPrice"];
/// The messages, in the documents' extension order.
const MESSAGE_FIELDS: [&str; 4] = [
    "narrativeMessage",
    "warningMessage",
    "rejectMessage",
    "optionMessage",
];

impl Tariff {
    /// Judges a proposed fee: above maximum → rejected; above high → accepted with warning;
    /// else accepted. A missing band never triggers.
    pub fn judge(&self, fee: Decimal) -> Verdict {
        if self.maximum_price.is_some_and(|m| fee > m) {
            Verdict::Rejected(self.reject_message.clone())
        } else if self.high_price.is_some_and(|h| fee > h) {
            Verdict::AcceptedWithWarning(self.warning_message.clone())
        } else {
            Verdict::Accepted
        }
    }

    fn message(&self, i: usize) -> Option<&String> {
        [
            &self.narrative_message,
            &self.warning_message,
            &self.reject_message,
            &self.option_message,
        ][i]
            .as_ref()
    }

    fn price(&self, i: usize) -> Option<Decimal> {
        [
            self.low_price,
            self.median_price,
            self.high_price,
            self.maximum_price,
        ][i]
    }

    /// Renders the documents' `$validation` Contract for `site`, plus the verdict on `fee` when given.
    pub fn to_json(&self, site: &str, fee: Option<Decimal>) -> Value {
        value_of(&self.to_json_text(site, fee))
    }

    /// [`Tariff::to_json`] as JSON text, written directly.
    pub fn to_json_text(&self, site: &str, fee: Option<Decimal>) -> String {
        let mut o = Out::new();
        let subject = [format!("Site/{site}")];
        pricing_contract(&mut o, None, &subject, "FEE_SCHEDULE", &mut |o| {
            o.open().open_list_member("extension");
            for (i, name) in MESSAGE_FIELDS.iter().enumerate() {
                if let Some(m) = self.message(i) {
                    string_ext(o, name, m);
                }
            }
            for (i, name) in PRICE_FIELDS.iter().enumerate() {
                if let Some(p) = self.price(i) {
                    string_ext(o, name, &money_string(p));
                }
            }
            if let Some(fee) = fee {
                let verdict = self.judge(fee);
                string_ext(o, "proposedFee", &money_string(fee));
                string_ext(o, "verdict", verdict.code());
                if let Some(m) = verdict.message() {
                    string_ext(o, "verdictMessage", m);
                }
            }
            o.close_list().open_list_member("context");
            o.open().open_member("reference");
            o.member("id", "Payor")
                .member("reference", &format!("Organization/{}", self.key.payor));
            o.close().close();
            if let Some(p) = &self.key.practitioner {
                o.open().open_member("reference");
                o.member("id", "Practitioner")
                    .member("reference", &format!("Practitioner/{p}"));
                o.close().close();
            }
            o.close_list().open_list_member("valuedItem");
            o.open().open_member("entityCodeableConcept");
            o.open_list_member("coding").open();
            o.member("id", self.key.code_type.coding_id())
                .member("code", &self.key.code);
            if let Some(d) = &self.display {
                o.member("display", d);
            }
            o.close().close_list().close().close();
            o.close_list().close();
        });
        o.finish()
    }

    /// Reads tariffs from the `$validation` Contract shape (every asset of every term).
    pub fn from_json(contract: &Value) -> Result<Vec<Tariff>, OperationOutcome> {
        let mut out = Vec::new();
        let terms = array_field(contract, "term");
        for (t, term) in terms.iter().enumerate() {
            let assets = array_field(term, "asset");
            for (a, asset) in assets.iter().enumerate() {
                out.push(Tariff::from_asset(
                    &format!("Contract.term[{t}].asset[{a}]"),
                    asset,
                )?);
            }
        }
        Ok(out)
    }

    fn from_asset(path: &str, asset: &Value) -> Result<Tariff, OperationOutcome> {
        let mut payor = None;
        let mut practitioner = None;
        for c in array_field(asset, "context") {
            let Some(r) = c.get("reference").and_then(|r| str_field(r, "reference")) else {
                continue;
            };
            if let Some(p) = r.strip_prefix("Practitioner/") {
                practitioner = Some(p.to_string());
            } else {
                payor = Some(PayorRef::parse_reference(&format!("{path}.context"), r)?.id);
            }
        }
        let payor = payor.ok_or_else(|| invalid_format(&format!("{path}.context"), "no payor"))?;
        let coding = asset
            .pointer("/valuedItem/0/entityCodeableConcept/coding/0")
            .ok_or_else(|| invalid_format(&format!("{path}.valuedItem"), "no code"))?;
        let code = str_field(coding, "code")
            .ok_or_else(|| invalid_format(&format!("{path}.valuedItem"), "no code"))?;
        let code_type = match str_field(coding, "id") {
            Some("Procedure") => CodeType::Procedure,
            Some("Service") | None => CodeType::Service,
            Some(other) => {
                return Err(invalid_format(
                    &format!("{path}.valuedItem"),
                    format_args!("'{other}' is not Service or Procedure"),
                ))
            }
        };
        let ext = asset.get("extension").unwrap_or(&Value::Null);
        let msg = |name: &str| ext_value(ext, name).map(str::to_string);
        let price = |name: &str| -> Result<Option<Decimal>, OperationOutcome> {
            ext_value(ext, name)
                .map(|v| parse_money(&format!("{path}.extension.{name}"), v))
                .transpose()
        };
        Ok(Tariff {
            key: TariffKey {
                payor,
                code_type,
                code: code.to_string(),
                practitioner,
            },
            display: str_field(coding, "display").map(str::to_string),
            narrative_message: msg("narrativeMessage"),
            warning_message: msg("warningMessage"),
            reject_message: msg("rejectMessage"),
            option_message: msg("optionMessage"),
            low_price: price("lowPrice")?,
            median_price: price("medianPrice")?,
            high_price: price("highPrice")?,
            maximum_price: price("maximumPrice")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contracts::book::testbook::{self, d};

    fn tariff() -> Tariff {
        let key = TariffKey {
            payor: "slh".into(),
            code_type: CodeType::Service,
            code: "P0003630".into(),
            practitioner: None,
        };
        testbook::tariff(key, ["100", "300", "500", "1000"])
    }

    #[test]
    fn verdict_bands() {
        let t = tariff();
        assert_eq!(t.judge(d("50")), Verdict::Accepted);
        assert_eq!(t.judge(d("500.00")), Verdict::Accepted);
        assert_eq!(
            t.judge(d("500.01")),
            Verdict::AcceptedWithWarning(Some("warning".into()))
        );
        assert_eq!(
            t.judge(d("1000")),
            Verdict::AcceptedWithWarning(Some("warning".into()))
        );
        assert_eq!(
            t.judge(d("1000.01")),
            Verdict::Rejected(Some("reject".into()))
        );
        assert!(!t.judge(d("2000")).is_accepted());
    }

    #[test]
    fn json_round_trip() {
        let t = tariff();
        let v = t.to_json("HC00JXI", None);
        assert_eq!(Tariff::from_json(&v).unwrap(), vec![t.clone()]);
        let with = t.to_json("HC00JXI", Some(d("600")));
        let ext = with.pointer("/term/0/asset/0/extension").unwrap();
        assert_eq!(ext_value(ext, "verdict"), Some("accepted-with-warning"));
        assert_eq!(ext_value(ext, "verdictMessage"), Some("warning"));
    }
}
