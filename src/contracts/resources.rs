//! Building a [`ContractBook`] from the documents' FHIR shapes, and writing the listing shapes
//! back: payor Contracts (add payor / contact as payor, list payors), `$contract-price`
//! bodies, `$multi-proc` / `$multi-proc-set` Contracts, `$validation` tariff Contracts and
//! `$effective-prices` Bundles.

use serde_json::{json, Map, Value};

use super::book::{ContractBook, PayorContract, Price, PriceFilter, PriceKey};
use super::codes::{
    invalid_format, not_found, str_field, Code, PayorKind, PayorRef, CONTRACT_SUBTYPE_SYSTEM,
    CONTRACT_TYPE_SYSTEM, EXTENSION_BASE, PROCEDURE_SYSTEM,
};
use super::multiproc::{self, MultiProcSet};
use super::tariff::{CodeType, Tariff, Verdict};
use crate::json::Out;
use crate::money::money_from_json;
use crate::outcome::{Issue, IssueCode, OperationOutcome};
use crate::params::QueryParams;

fn array<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    v.get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn site_of(body: &Value) -> Result<String, OperationOutcome> {
    let r = array(body, "subject")
        .iter()
        .find_map(|s| str_field(s, "reference").and_then(|r| r.strip_prefix("Site/")))
        .ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                "Mandatory field 'Contract.subject' (Site/<id>) is missing.",
            )
        })?;
    Ok(r.to_string())
}

/// What each term's `offer` says (SPEC-NOTES "Valid R4 beyond the samples").
pub const TERM_OFFER_TEXT: &str = "The prices of this term's assets";

/// `Contract.term.offer`, which FHIR R4 requires (1..1) and the documents' samples leave out.
pub fn term_offer() -> Value {
    json!({ "text": TERM_OFFER_TEXT })
}

/// Adds [`term_offer`] to every term of `contract` that has none, so a response that echoes a
/// request body (which may leave it out, as the samples do) is valid R4 too. Nothing else
/// changes.
pub fn complete_terms(contract: &mut Value) {
    if let Some(terms) = contract.get_mut("term").and_then(Value::as_array_mut) {
        for term in terms {
            if let Value::Object(m) = term {
                m.entry("offer").or_insert_with(term_offer);
            }
        }
    }
}

fn pricing_type() -> Value {
    json!({"coding": [{"system": CONTRACT_TYPE_SYSTEM, "code": "PRICING", "display": "PRICING"}]})
}

/// Writes a contracts extension with a `valueString` (`…/contract/extension/{name}`).
pub(crate) fn string_ext(o: &mut Out, name: &str, value: &str) {
    o.open()
        .member("url", &[EXTENSION_BASE, name].concat())
        .member("valueString", value)
        .close();
}

/// Writes a valued item naming a procedure (`entityCodeableConcept`, as the samples give it).
pub(crate) fn procedure_item(o: &mut Out, p: &Code) {
    o.open().open_member("entityCodeableConcept");
    o.open_list_member("coding").open();
    o.member("id", "procedure")
        .member("system", PROCEDURE_SYSTEM)
        .member("code", &p.code)
        .member("display", &p.scheme);
    o.close().close_list().close().close();
}

/// Writes `{"reference": …}` objects, one per reference.
pub(crate) fn references(o: &mut Out, references: &[String]) {
    for r in references {
        o.open().member("reference", r).close();
    }
}

/// Writes the Contract every pricing answer is (`$calculate-fee`, `$validation`,
/// `$effective-prices`): type PRICING, the given sub type, one term holding the assets
/// `assets` writes and its offer; `id` first when it has one, as the samples write it.
pub(crate) fn pricing_contract(
    o: &mut Out,
    id: Option<&str>,
    subject: &[String],
    sub_type: &str,
    assets: &mut dyn FnMut(&mut Out),
) {
    o.open().member("resourceType", "Contract");
    if let Some(id) = id {
        o.member("id", id);
    }
    o.open_list_member("subject");
    references(o, subject);
    o.close_list();
    o.open_member("type").open_list_member("coding").open();
    o.member("system", CONTRACT_TYPE_SYSTEM)
        .member("code", "PRICING")
        .member("display", "PRICING");
    o.close().close_list().close();
    o.open_list_member("subType")
        .open()
        .open_list_member("coding")
        .open();
    o.member("system", CONTRACT_SUBTYPE_SYSTEM)
        .member("code", sub_type)
        .member("display", sub_type);
    o.close().close_list().close().close_list();
    o.open_list_member("term").open().open_list_member("asset");
    assets(o);
    o.close_list()
        .open_member("offer")
        .member("text", TERM_OFFER_TEXT)
        .close();
    o.close().close_list().close();
}

/// A JSON text this crate wrote, as a `serde_json::Value` (for the worker and the tests,
/// which take answers as values; the npm package takes the text).
pub(crate) fn value_of(text: &str) -> Value {
    // The writers write valid JSON; Null is unreachable.
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The outcome of a `$contract-price` write.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractPriceWrite {
    /// The response body: the request with `id` set to the contract written to.
    pub response: Value,
    /// Every contract id written to (one per asset), for the audit log.
    pub contract_ids: Vec<String>,
    /// Warnings (a fee above the tariff's high price), as an OperationOutcome.
    pub warnings: OperationOutcome,
}

impl PayorContract {
    /// The documents' payor Contract (with `subject` when `site` is given, as the write
    /// responses have; without, as the payor list has).
    pub fn to_json(&self, site: Option<&str>) -> Value {
        let mut m = Map::new();
        m.insert("resourceType".into(), json!("Contract"));
        m.insert("id".into(), json!(self.id));
        if let Some(site) = site {
            m.insert(
                "subject".into(),
                json!([{"reference": format!("Site/{site}")}]),
            );
        }
        let mut authority = json!({"id": "payor", "reference": self.payor.authority_reference()});
        if let (Some(d), Value::Object(a)) = (&self.display, &mut authority) {
            a.insert("display".into(), json!(d));
        }
        m.insert("authority".into(), json!([authority]));
        m.insert("type".into(), pricing_type());
        let code = self
            .list_code
            .clone()
            .unwrap_or_else(|| self.payor.kind.code().to_string());
        m.insert(
            "subType".into(),
            json!([{"coding": [{"system": CONTRACT_SUBTYPE_SYSTEM, "code": code, "display": "FEE_SCHEDULE"}]}]),
        );
        Value::Object(m)
    }
}

/// One page of a payor list as the documents' Bundle: the page's payor contracts, the page
/// number and size asked, and the number of payors across all pages.
pub fn payors_page_json(
    payors: &[PayorContract],
    page: usize,
    count: usize,
    max_count: usize,
) -> Value {
    let entries: Vec<Value> = payors
        .iter()
        .map(|c| json!({"resource": c.to_json(None)}))
        .collect();
    json!({
        "resourceType": "Bundle",
        "meta": {"tag": [
            {"code": "count", "display": count.to_string()},
            {"code": "page", "display": page.to_string()},
            {"code": "maxCount", "display": max_count.to_string()}
        ]},
        "type": "collection",
        "total": entries.len(),
        "entry": entries
    })
}

impl ContractBook {
    /// The payor list Bundle of the site (`count`/`page`/`maxCount` tags; `total` on this page).
    pub fn payors_bundle(&self, page: usize, count: usize) -> Value {
        let page = page.max(1);
        let count = count.clamp(1, super::effective::MAX_COUNT);
        let on_page: Vec<PayorContract> = self
            .payors
            .iter()
            .skip((page - 1).saturating_mul(count))
            .take(count)
            .cloned()
            .collect();
        payors_page_json(&on_page, page, count, self.payors.len())
    }

    /// `GET …/contract/site/{siteId}`: the payor list with `page`/`count`/`_count` paging.
    /// Call [`ContractBook::ensure_default_payors`] first, as the documents ask.
    pub fn payors_list(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        params.check_known(&["page", "count", "_count", "_lastUpdated"])?;
        let number = |name: &str, v: &str| match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(invalid_format(
                name,
                format_args!("'{v}' is not a positive whole number"),
            )),
        };
        let page = params
            .optional("page")?
            .map(|v| number("page", v))
            .transpose()?
            .unwrap_or(1);
        let count = params
            .optional_any(&["count", "_count"])?
            .map(|v| number("count", v))
            .transpose()?
            .unwrap_or(super::effective::DEFAULT_COUNT);
        Ok(self.payors_bundle(page, count))
    }

    /// Adds or updates a payor from the add-payor / add-contact-as-payor body. The contract id
    /// is the body's `id`, else the payor's existing contract's, else `new_id`.
    pub fn apply_payor_fhir(
        &mut self,
        body: &Value,
        new_id: &str,
    ) -> Result<Value, OperationOutcome> {
        let site = site_of(body)?;
        self.check_site(Some(&site))?;
        let authority = array(body, "authority").first().ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                "Mandatory field 'Contract.authority' is missing.",
            )
        })?;
        let reference = str_field(authority, "reference")
            .ok_or_else(|| invalid_format("Contract.authority[0].reference", "missing"))?;
        let payor = PayorRef::parse_reference("Contract.authority[0].reference", reference)?;
        let list_code = body
            .pointer("/subType/0/coding/0/code")
            .and_then(Value::as_str)
            .map(str::to_string);
        let existing = self.payor_contract(&payor.id).cloned();
        let id = str_field(body, "id")
            .map(str::to_string)
            .or_else(|| existing.as_ref().map(|c| c.id.clone()))
            .unwrap_or_else(|| new_id.to_string());
        let contract = PayorContract {
            id,
            payor,
            display: str_field(authority, "display").map(str::to_string),
            multi_proc_set: existing.as_ref().and_then(|c| c.multi_proc_set.clone()),
            list_code,
        };
        let site = self.site.clone();
        Ok(self.add_payor(contract)?.to_json(Some(&site)))
    }

    /// Applies a `$contract-price` body: every asset is written, or none. The payor contract
    /// is found from the site and the payor in `context` (the body's `id` is a hint). A fee
    /// above the tariff's maximum is refused with `MSG_PARAM_INVALID` and the reject message;
    /// above the high price it is written with a warning. `now` stamps `lastUpdated`.
    pub fn apply_contract_price(
        &mut self,
        body: &Value,
        now: Option<&str>,
    ) -> Result<ContractPriceWrite, OperationOutcome> {
        let site = site_of(body)?;
        self.check_site(Some(&site))?;
        let mut writes: Vec<(PriceKey, Price)> = Vec::new();
        let mut warnings = OperationOutcome::new();
        let terms = array(body, "term");
        if terms.iter().all(|t| array(t, "asset").is_empty()) {
            return Err(OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                "Mandatory field 'Contract.term.asset' is missing.",
            ));
        }
        for (t, term) in terms.iter().enumerate() {
            for (a, asset) in array(term, "asset").iter().enumerate() {
                let path = format!("Contract.term[{t}].asset[{a}]");
                let (key, price) = self.asset_to_price(&path, asset, now)?;
                if let Some(net) = price.net {
                    let payor = self
                        .payor_contract_by_id(&key.contract)
                        .map(|c| c.payor.id.clone())
                        .unwrap_or_default();
                    let (code_type, code) = match &key.procedure {
                        Some(p) => (CodeType::Procedure, p.code.as_str()),
                        None => (CodeType::Service, key.service.code.as_str()),
                    };
                    match self.judge_fee(&payor, code_type, code, key.practitioner.as_deref(), net)
                    {
                        Some(Verdict::Rejected(msg)) => {
                            let msg =
                                msg.unwrap_or_else(|| "Price exceeded maximum limit.".to_string());
                            return Err(Issue::error(IssueCode::ParamInvalid, msg)
                                .at(format!("{path}.valuedItem.net.value"))
                                .into());
                        }
                        Some(Verdict::AcceptedWithWarning(msg)) => warnings.push(
                            Issue::warning(
                                IssueCode::ParamInvalid,
                                msg.unwrap_or_else(|| {
                                    "Price is above the payor's high price.".to_string()
                                }),
                            )
                            .at(format!("{path}.valuedItem.net.value")),
                        ),
                        _ => {}
                    }
                }
                writes.push((key, price));
            }
        }
        // All assets are checked; writing cannot fail now, but keep the old entries so a
        // surprise still leaves the book as it was.
        let before: Vec<(PriceKey, Option<Price>)> = writes
            .iter()
            .map(|(k, _)| (k.clone(), self.prices.get(k).cloned()))
            .collect();
        let mut contract_ids = Vec::new();
        for (key, price) in writes {
            let id = key.contract.clone();
            if let Err(e) = self.set_price(key, price) {
                for (k, old) in before {
                    match old {
                        Some(p) => {
                            let _ = self.set_price(k, p);
                        }
                        None => {
                            self.delete_price(&k);
                        }
                    }
                }
                return Err(e);
            }
            contract_ids.push(id);
        }
        let mut response = body.clone();
        if let (Value::Object(m), Some(first)) = (&mut response, contract_ids.first()) {
            let mut out = Map::new();
            out.insert("resourceType".into(), json!("Contract"));
            out.insert("id".into(), json!(first));
            for (k, v) in std::mem::take(m) {
                if k != "resourceType" && k != "id" {
                    out.insert(k, v);
                }
            }
            *m = out;
        }
        complete_terms(&mut response);
        Ok(ContractPriceWrite {
            response,
            contract_ids,
            warnings,
        })
    }

    fn asset_to_price(
        &self,
        path: &str,
        asset: &Value,
        now: Option<&str>,
    ) -> Result<(PriceKey, Price), OperationOutcome> {
        let kind = asset
            .pointer("/type/0/coding/0/code")
            .and_then(Value::as_str)
            .unwrap_or("PriceGroupAssignment");
        let bespoke = match kind {
            "PriceGroupAssignment" => false,
            "Practitioner_BeSpoke" => true,
            other => {
                return Err(invalid_format(
                    &format!("{path}.type"),
                    format_args!("'{other}' is not PriceGroupAssignment or Practitioner_BeSpoke"),
                ))
            }
        };
        let mut payor = None;
        let mut location = None;
        let mut practitioner = None;
        for (i, c) in array(asset, "context").iter().enumerate() {
            let Some(r) = c.get("reference").and_then(|r| str_field(r, "reference")) else {
                continue;
            };
            if let Some(l) = r.strip_prefix("Location/") {
                location = Some(l.to_string());
            } else if let Some(p) = r.strip_prefix("Practitioner/") {
                practitioner = Some(p.to_string());
            } else {
                payor = Some(PayorRef::parse_reference(
                    &format!("{path}.context[{i}]"),
                    r,
                )?);
            }
        }
        let payor = payor.ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                format!("Mandatory field '{path}.context' (payor) is missing."),
            )
        })?;
        if bespoke != practitioner.is_some() {
            return Err(OperationOutcome::error(
                IssueCode::ParamInvalid,
                format!("{path}: a Practitioner_BeSpoke asset names a practitioner; a PriceGroupAssignment does not."),
            ));
        }
        let contract = self.find_payor(&payor.id, Some(payor.kind))?.id.clone();
        let mut service = None;
        let mut procedure = None;
        let mut net = None;
        let mut service_display: Option<String> = None;
        for (i, item) in array(asset, "valuedItem").iter().enumerate() {
            let field = format!("{path}.valuedItem[{i}]");
            if let Some(coding) = item.pointer("/entityCodeableConcept/coding/0") {
                let is_procedure =
                    service.is_some() || str_field(coding, "system") == Some(PROCEDURE_SYSTEM);
                if is_procedure {
                    if procedure.is_some() {
                        return Err(invalid_format(
                            &field,
                            "more than one procedure in one asset",
                        ));
                    }
                    procedure = Some(Code::from_procedure_coding(&field, coding)?);
                } else {
                    service = Some(Code::from_service_coding(&field, coding)?);
                    service_display = str_field(coding, "display").map(str::to_string);
                }
            }
            if let Some(n) = item.get("net") {
                let v = n
                    .get("value")
                    .ok_or_else(|| invalid_format(&format!("{field}.net.value"), "missing"))?;
                net = Some(money_from_json(&format!("{field}.net.value"), v)?);
            }
        }
        let service = service.ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                format!("Mandatory field '{path}.valuedItem' (service) is missing."),
            )
        })?;
        let is_estv = array(asset, "extension")
            .iter()
            .find(|e| str_field(e, "url") == Some(&format!("{EXTENSION_BASE}isESTV")))
            .and_then(|e| str_field(e, "valueString"))
            == Some("Y");
        // Keep what a previous write said about the entry unless this one says otherwise.
        let key = PriceKey {
            contract,
            service,
            procedure,
            location: if bespoke { None } else { location },
            practitioner,
        };
        let old = self.prices.get(&key);
        let price = Price {
            net,
            is_estv,
            service_display: service_display
                .or_else(|| old.and_then(|p| p.service_display.clone())),
            procedure_display: old.and_then(|p| p.procedure_display.clone()),
            last_updated: now
                .map(str::to_string)
                .or_else(|| old.and_then(|p| p.last_updated.clone())),
        };
        Ok((key, price))
    }

    /// Loads the entries of an `$effective-prices` Bundle (or one of its Contracts) as prices:
    /// each entry's contract id, payor, location or practitioner, code, fee and isESTV.
    /// Missing payor contracts are created with the entry's contract id.
    pub fn load_effective_prices_fhir(
        &mut self,
        resource: &Value,
    ) -> Result<usize, OperationOutcome> {
        let contracts: Vec<&Value> = match str_field(resource, "resourceType") {
            Some("Bundle") => array(resource, "entry")
                .iter()
                .filter_map(|e| e.get("resource"))
                .collect(),
            _ => vec![resource],
        };
        let mut n = 0;
        for (e, c) in contracts.into_iter().enumerate() {
            let id = str_field(c, "id")
                .ok_or_else(|| invalid_format(&format!("entry[{e}].resource.id"), "missing"))?;
            for (t, term) in array(c, "term").iter().enumerate() {
                for (a, asset) in array(term, "asset").iter().enumerate() {
                    let path = format!("entry[{e}].resource.term[{t}].asset[{a}]");
                    if let Some(payor) = array(asset, "context")
                        .iter()
                        .filter_map(|x| x.get("reference").and_then(|r| str_field(r, "reference")))
                        .find(|r| !r.starts_with("Location/") && !r.starts_with("Practitioner/"))
                    {
                        let payor = PayorRef::parse_reference(&format!("{path}.context"), payor)?;
                        if self.payor_contract(&payor.id).is_none() {
                            self.add_payor(PayorContract {
                                id: id.to_string(),
                                payor,
                                display: None,
                                multi_proc_set: None,
                                list_code: None,
                            })?;
                        }
                    }
                    let mut asset = asset.clone();
                    let bespoke = array(&asset, "context").iter().any(|x| {
                        x.pointer("/reference/reference")
                            .and_then(Value::as_str)
                            .is_some_and(|r| r.starts_with("Practitioner/"))
                    });
                    if bespoke {
                        if let Value::Object(m) = &mut asset {
                            m.insert(
                                "type".into(),
                                json!([{"coding": [{"code": "Practitioner_BeSpoke"}]}]),
                            );
                        }
                    }
                    let (key, price) = self.asset_to_price(&path, &asset, None)?;
                    self.set_price(key, price)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Registers the sets of a `$multi-proc` list Contract (id, description, editable), keeping
    /// the records of sets already known.
    pub fn load_multi_proc_list_fhir(
        &mut self,
        contract: &Value,
    ) -> Result<usize, OperationOutcome> {
        let list = multiproc::list_from_json(contract)?;
        let n = list.len();
        for (id, description, editable) in list {
            let existing = self.multi_proc_set(&id).cloned();
            self.set_multi_proc_set(MultiProcSet {
                id,
                description,
                editable,
                payor: existing.as_ref().and_then(|s| s.payor.clone()),
                is_default: existing.as_ref().is_some_and(|s| s.is_default),
                rules: existing.map(|s| s.rules).unwrap_or_default(),
            });
        }
        Ok(n)
    }

    /// Loads a `$multi-proc-set` Contract's records (loader semantics, no editable check). The
    /// FHIR shape does not say whose set it is, so the payor and default flag are given.
    pub fn load_multi_proc_set_fhir(
        &mut self,
        contract: &Value,
        payor: Option<&str>,
        is_default: bool,
    ) -> Result<(), OperationOutcome> {
        let id =
            str_field(contract, "id").ok_or_else(|| invalid_format("Contract.id", "missing"))?;
        let rules = multiproc::rules_from_json(contract)?;
        let existing = self.multi_proc_set(id).cloned();
        self.set_multi_proc_set(MultiProcSet {
            id: id.to_string(),
            description: existing
                .as_ref()
                .map(|s| s.description.clone())
                .unwrap_or_default(),
            editable: existing.as_ref().is_some_and(|s| s.editable),
            payor: payor
                .map(str::to_string)
                .or_else(|| existing.as_ref().and_then(|s| s.payor.clone())),
            is_default: is_default || existing.as_ref().is_some_and(|s| s.is_default),
            rules,
        });
        Ok(())
    }

    /// The site's `PUT` of a multi-procedure set: replaces the records of an editable set
    /// (`MSG_OP_NOT_ALLOWED` otherwise) and returns the set as the GET shows it.
    pub fn replace_multi_proc_set_fhir(
        &mut self,
        contract: &Value,
    ) -> Result<Value, OperationOutcome> {
        let site = site_of(contract)?;
        self.check_site(Some(&site))?;
        let id =
            str_field(contract, "id").ok_or_else(|| invalid_format("Contract.id", "missing"))?;
        let rules = multiproc::rules_from_json(contract)?;
        if self.multi_proc_set(id).is_none() {
            if let Some(owner) = self.payor_contract_by_id(id).cloned() {
                // The site's own set for one of its payor contracts: created editable, and
                // the contract now names it, so it wins over the payor's default set.
                let name = owner
                    .display
                    .clone()
                    .unwrap_or_else(|| owner.payor.id.clone());
                self.set_multi_proc_set(MultiProcSet {
                    id: id.to_string(),
                    description: format!("Multi-Procedure Calculation ({name}, site {site})"),
                    editable: true,
                    payor: Some(owner.payor.id.clone()),
                    is_default: false,
                    rules,
                });
                self.add_payor(PayorContract {
                    multi_proc_set: Some(id.to_string()),
                    ..owner
                })?;
                let set = self
                    .multi_proc_set(id)
                    .ok_or_else(|| not_found("Multi-procedure set", id))?;
                return Ok(multiproc::set_json(&site, set));
            }
        }
        let set = self.replace_multi_proc_rules(id, rules)?;
        Ok(multiproc::set_json(&site, set))
    }

    /// `$multi-proc`: the list of the site's sets (`site`/`siteId` parameter).
    pub fn multi_proc_list(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        params.check_known(&["site", "siteId"])?;
        let site = params.required_any(&["site", "siteId"])?;
        self.check_site(Some(site))?;
        Ok(multiproc::list_json(
            &self.site,
            self.multi_proc_sets.iter(),
        ))
    }

    /// `$multi-proc-set`: one set's records (`siteId`/`site` and `providerGroup`).
    pub fn multi_proc_set_json(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        params.check_known(&["site", "siteId", "providerGroup"])?;
        let site = params.required_any(&["siteId", "site"])?;
        self.check_site(Some(site))?;
        let id = params.required("providerGroup")?;
        let set = self
            .multi_proc_set(id)
            .ok_or_else(|| not_found("Provider group", id))?;
        Ok(multiproc::set_json(&self.site, set))
    }

    /// Loads (or replaces) the tariffs of a `$validation` Contract.
    pub fn load_tariffs_fhir(&mut self, contract: &Value) -> Result<usize, OperationOutcome> {
        let tariffs: Vec<Tariff> = Tariff::from_json(contract)?;
        let n = tariffs.len();
        for t in tariffs {
            self.set_tariff(t);
        }
        Ok(n)
    }
}

impl PriceFilter {
    /// Reads the DELETE `$contract-price/{site}` parameters: `indStdCode`, `indStdCodeScheme`,
    /// optional `procedureCode`+`procedureScheme`, `payorId`/`payerId` (bare or
    /// `Organization/x`), `location`, `practitioner`.
    pub fn from_params(params: &QueryParams) -> Result<PriceFilter, OperationOutcome> {
        params.check_known(&[
            "indStdCode",
            "indStdCodeScheme",
            "procedureCode",
            "procedureScheme",
            "payorId",
            "payerId",
            "payorType",
            "payerType",
            "location",
            "practitioner",
        ])?;
        let service = Code::new(
            params.required("indStdCodeScheme")?,
            params.required("indStdCode")?,
        );
        let procedure = match (
            params.optional("procedureCode")?,
            params.optional("procedureScheme")?,
        ) {
            (Some(c), Some(s)) => Some(Code::new(s, c)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(OperationOutcome::error(
                    IssueCode::MissingMandatoryParam,
                    "Mandatory parameter 'procedureScheme' is missing.",
                ))
            }
            (None, Some(_)) => {
                return Err(OperationOutcome::error(
                    IssueCode::MissingMandatoryParam,
                    "Mandatory parameter 'procedureCode' is missing.",
                ))
            }
        };
        let kind = params
            .optional_any(&["payorType", "payerType"])?
            .map(|k| PayorKind::parse("payorType", k))
            .transpose()?;
        let payor = params
            .optional_any(&["payorId", "payerId"])?
            .map(|p| match p.contains('/') {
                true => PayorRef::parse_reference("payorId", p).map(|r| r.id),
                false => Ok(p.to_string()),
            })
            .transpose()?;
        let _ = kind;
        Ok(PriceFilter {
            service,
            procedure,
            payor,
            location: params.optional("location")?.map(str::to_string),
            practitioner: params.optional("practitioner")?.map(str::to_string),
        })
    }
}
