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
        let req = ValidationRequest::from_params(params)?;
        let tariff = self.find_tariff(&req)?;
        Ok(tariff.to_json(&self.site, req.fee))
    }
}
