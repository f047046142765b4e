//! `$validation`: the tariff for a service or procedure (the practitioner's own first, then
//! the payor's) and, when a fee is proposed, the verdict on it.

use rust_decimal::Decimal;
use serde_json::Value;

use super::book::ContractBook;
use super::codes::not_found;
use super::tariff::{CodeType, Tariff, TariffKey, Verdict};
use crate::money::parse_money;
use crate::outcome::{IssueCode, OperationOutcome};
use crate::params::QueryParams;

/// Parameters `$validation` accepts (`payor`/`payorId` and `codeType`/`payor-type` are synonyms).
pub const VALIDATION_PARAMS: [&str; 8] = [
    "site",
    "payor",
    "payorId",
    "code",
    "codeType",
    "payor-type",
    "practitioner",
    "fee",
];

/// A typed `$validation` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRequest {
    /// The site, checked against the book's when given.
    pub site: Option<String>,
    /// The payor id.
    pub payor: String,
    /// Service or procedure.
    pub code_type: CodeType,
    /// The code (a `Scheme/` prefix is ignored).
    pub code: String,
    /// The practitioner whose own tariff is preferred.
    pub practitioner: Option<String>,
    /// A proposed fee to judge.
    pub fee: Option<Decimal>,
}

impl ValidationRequest {
    /// Reads the request from the query parameters.
    pub fn from_params(params: &QueryParams) -> Result<ValidationRequest, OperationOutcome> {
        params.check_known(&VALIDATION_PARAMS)?;
        let payor = params.required_any(&["payor", "payorId"])?;
        let code_type = CodeType::parse(
            "codeType",
            params.required_any(&["codeType", "payor-type"])?,
        )?;
        let code = params.required("code")?;
        let code = code.rsplit_once('/').map_or(code, |(_, c)| c);
        Ok(ValidationRequest {
            site: params.optional("site")?.map(str::to_string),
            payor: payor.to_string(),
            code_type,
            code: code.to_string(),
            practitioner: params.optional("practitioner")?.map(str::to_string),
            fee: params
                .optional("fee")?
                .map(|f| parse_money("fee", f))
                .transpose()?,
        })
    }
}

impl ContractBook {
    /// The tariff that applies: the practitioner's own, else the payor's.
    pub fn tariff_for(
        &self,
        payor: &str,
        code_type: CodeType,
        code: &str,
        practitioner: Option<&str>,
    ) -> Option<&Tariff> {
        let mut key = TariffKey {
            payor: payor.to_string(),
            code_type,
            code: code.to_string(),
            practitioner: practitioner.map(str::to_string),
        };
        if key.practitioner.is_some() {
            if let Some(t) = self.tariffs.get(&key) {
                return Some(t);
            }
            key.practitioner = None;
        }
        self.tariffs.get(&key)
    }

    /// Finds the tariff of a request, or the right not-found error.
    pub fn find_tariff(&self, req: &ValidationRequest) -> Result<&Tariff, OperationOutcome> {
        self.check_site(req.site.as_deref())?;
        let payor_known = self.payor_contract(&req.payor).is_some()
            || self.tariffs.keys().any(|k| k.payor == req.payor);
        if !payor_known {
            return Err(not_found("Payor", &req.payor));
        }
        if let Some(p) = req.practitioner.as_deref() {
            self.check_practitioner(Some(p))?;
        }
        self.tariff_for(
            &req.payor,
            req.code_type,
            &req.code,
            req.practitioner.as_deref(),
        )
        .ok_or_else(|| {
            let what = match req.code_type {
                CodeType::Service => "Service",
                CodeType::Procedure => "Procedure",
            };
            OperationOutcome::error(
                IssueCode::ReferenceIdNotFound,
                format!(
                    "{what} '{}' has no tariff for payor '{}'.",
                    req.code, req.payor
                ),
            )
        })
    }

    /// Judges a fee for a service or procedure under a payor (practitioner's own tariff first).
    /// `None` when no tariff applies (nothing to judge against).
    pub fn judge_fee(
        &self,
        payor: &str,
        code_type: CodeType,
        code: &str,
        practitioner: Option<&str>,
        fee: Decimal,
    ) -> Option<Verdict> {
        self.tariff_for(payor, code_type, code, practitioner)
            .map(|t| t.judge(fee))
    }

    /// `$validation` from query parameters: the documents' Contract, plus the verdict
    /// extensions when a `fee` is proposed.
    pub fn validate_price(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        Ok(super::resources::value_of(
            &self.validate_price_json(params)?,
        ))
    }

    /// [`ContractBook::validate_price`] answering the Contract's JSON text, with no
    /// `serde_json::Value` built.
    pub fn validate_price_json(&self, params: &QueryParams) -> Result<String, OperationOutcome> {
        let req = ValidationRequest::from_params(params)?;
        let tariff = self.find_tariff(&req)?;
        Ok(tariff.to_json_text(&self.site, req.fee))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contracts::book::testbook::{self, book, d};
    use crate::contracts::multiproc::ext_value;

    fn tariff(practitioner: Option<&str>, high: &str, max: &str) -> Tariff {
        let key = TariffKey {
            payor: "bup".into(),
            code_type: CodeType::Procedure,
            code: "A".into(),
            practitioner: practitioner.map(str::to_string),
        };
        testbook::tariff(key, ["10", "20", high, max])
    }

    fn tariffed() -> ContractBook {
        let mut b = book();
        b.set_tariff(tariff(None, "100", "200"));
        b.set_tariff(tariff(Some("P1"), "300", "400"));
        b
    }

    fn verdict(query: &str) -> (String, Option<String>) {
        let v = tariffed()
            .validate_price(&QueryParams::from_query(query, false))
            .unwrap();
        let ext = v.pointer("/term/0/asset/0/extension").unwrap();
        (
            ext_value(ext, "verdict").unwrap_or("").to_string(),
            ext_value(ext, "verdictMessage").map(str::to_string),
        )
    }

    #[test]
    fn practitioner_tariff_first_then_payor() {
        let b = tariffed();
        assert_eq!(
            b.tariff_for("bup", CodeType::Procedure, "A", Some("P1"))
                .unwrap()
                .high_price,
            Some(d("300"))
        );
        assert_eq!(
            b.tariff_for("bup", CodeType::Procedure, "A", Some("P2"))
                .unwrap()
                .high_price,
            Some(d("100"))
        );
        assert_eq!(
            b.tariff_for("bup", CodeType::Procedure, "A", None)
                .unwrap()
                .high_price,
            Some(d("100"))
        );
        assert!(b.tariff_for("bup", CodeType::Service, "A", None).is_none());
    }

    #[test]
    fn verdicts_through_the_query() {
        assert_eq!(
            verdict("payor=bup&codeType=P&code=A&fee=100"),
            ("accepted".into(), None)
        );
        assert_eq!(
            verdict("payor=bup&codeType=P&code=A&fee=150.50"),
            ("accepted-with-warning".into(), Some("warning".into()))
        );
        assert_eq!(
            verdict("payor=bup&payor-type=P&code=CCSD/A&fee=200.01"),
            ("rejected".into(), Some("reject".into()))
        );
        assert_eq!(
            verdict("payorId=bup&codeType=P&code=A&practitioner=P1&fee=350"),
            ("accepted-with-warning".into(), Some("warning".into()))
        );
        assert_eq!(
            verdict("payor=bup&codeType=P&code=A"),
            (String::new(), None)
        );
    }

    #[test]
    fn errors_are_named() {
        let b = tariffed();
        let code = |q: &str| {
            b.validate_price(&QueryParams::from_query(q, false))
                .unwrap_err()
                .issues[0]
                .code
        };
        assert_eq!(
            code("payor=bup&codeType=P&code=A&fee=-1"),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code("payor=bup&codeType=P&code=A&fee=1.001"),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code("payor=bup&codeType=P&code=A&fee=abc"),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code("payor=bup&codeType=X&code=A"),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code("payor=bup&codeType=S&code=A"),
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(
            code("payor=zzz&codeType=P&code=A"),
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(
            code("payor=bup&codeType=P&code=A&practitioner=P9"),
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(code("payor=bup&code=A"), IssueCode::MissingMandatoryParam);
        assert_eq!(
            code("payor=bup&codeType=P&code=A&x=1"),
            IssueCode::UnknownParam
        );
        let e = b
            .validate_price(&QueryParams::from_query(
                "payor=bup&codeType=P&code=A&fee=-1",
                false,
            ))
            .unwrap_err();
        assert!(e.issues[0].diagnostics.contains("'fee'"));
    }

    #[test]
    fn contract_price_writes_are_judged() {
        let mut b = tariffed();
        let body = |net: &str| -> Value {
            serde_json::from_str(&format!(
                r#"{{"resourceType":"Contract","subject":[{{"reference":"Site/S1"}}],"term":[{{"asset":[{{
                "context":[{{"reference":{{"reference":"Payor/I-bup"}}}}],
                "valuedItem":[{{"entityCodeableConcept":{{"coding":[{{"system":"ISC","code":"X"}}]}}}},
                  {{"entityCodeableConcept":{{"coding":[{{"system":"https://ref.api.healthcode.co.uk/procedure","code":"A","display":"CCSD"}}]}}}},
                  {{"net":{{"value":{net}}}}}]}}]}}]}}"#
            ))
            .unwrap()
        };
        let e = b.apply_contract_price(&body("250"), None).unwrap_err();
        assert_eq!(e.issues[0].code, IssueCode::ParamInvalid);
        assert_eq!(e.issues[0].diagnostics, "reject");
        let w = b.apply_contract_price(&body("150"), None).unwrap();
        assert_eq!(w.warnings.issues.len(), 1);
        assert_eq!(w.response["id"], "100");
        let e = b.apply_contract_price(&body("-5"), None).unwrap_err();
        assert_eq!(e.issues[0].code, IssueCode::InvalidFormat);
        let e = b.apply_contract_price(&body("5.555"), None).unwrap_err();
        assert_eq!(e.issues[0].code, IssueCode::InvalidFormat);
        let e = b.apply_contract_price(&body("\"x\""), None).unwrap_err();
        assert_eq!(e.issues[0].code, IssueCode::InvalidFormat);
    }
}
