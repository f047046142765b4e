//! `$effective-prices`: the merged price set for a site and payor(s), each price taken from
//! the most specific contract that has one (bespoke → location → self-pay for `slf` → site
//! schedule → `na`), saying which contract supplied it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::book::{ContractBook, Price, PriceKey, PriceSource, Sym};
use super::codes::{invalid_format, not_found, Code, SubType};
use super::resources::{pricing_contract, procedure_item, string_ext, value_of};
use crate::json::Out;
use crate::money::money_string;
use crate::outcome::OperationOutcome;
use crate::params::QueryParams;

/// Parameters `$effective-prices` accepts.
pub const EFFECTIVE_PARAMS: [&str; 10] = [
    "site",
    "location",
    "payor",
    "payorId",
    "practitioner",
    "service-code",
    "page",
    "count",
    "_count",
    "_lastUpdated",
];

/// Default and largest page sizes.
pub const DEFAULT_COUNT: usize = 10;
/// Largest page size.
pub const MAX_COUNT: usize = 100;

/// A `_lastUpdated` comparison (`gt2026-01-01`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUpdated {
    /// `gt`, `ge`, `lt`, `le` or `eq`.
    pub prefix: String,
    /// The instant or date compared with.
    pub value: String,
}

impl LastUpdated {
    /// Parses a FHIR date search value with an optional prefix (default `eq`).
    pub fn parse(text: &str) -> Result<LastUpdated, OperationOutcome> {
        let t = text.trim();
        let (prefix, value) = match t.get(..2) {
            Some(p @ ("gt" | "ge" | "lt" | "le" | "eq")) => (p, t.get(2..).unwrap_or("")),
            _ => ("eq", t),
        };
        let ok = value.len() >= 4
            && value.chars().take(4).all(|c| c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-:.+Z".contains(c));
        if !ok {
            return Err(invalid_format(
                "_lastUpdated",
                format_args!("'{text}' is not a FHIR date"),
            ));
        }
        Ok(LastUpdated {
            prefix: prefix.to_string(),
            value: value.to_string(),
        })
    }

    /// Whether an entry updated at `instant` passes: the instant is cut to the precision of
    /// the value, so `gt2026-01-01` means after that whole day.
    pub fn matches(&self, instant: Option<&str>) -> bool {
        let Some(instant) = instant else { return false };
        let cut = instant.get(..self.value.len()).unwrap_or(instant);
        let v = self.value.as_str();
        match self.prefix.as_str() {
            "gt" => cut > v,
            "ge" => cut >= v,
            "lt" => cut < v,
            "le" => cut <= v,
            _ => cut == v,
        }
    }
}

/// Where a price is asked for: the request's `site` (checked against the book's when
/// given), and the `practitioner` and `location` that select bespoke, self-pay and
/// location-specific prices. `$calculate-fee` and `$effective-prices` read it alike.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriceScope {
    /// The site, checked against the book's when given.
    pub site: Option<String>,
    /// The practitioner, for bespoke and self-pay prices.
    pub practitioner: Option<String>,
    /// The location, for location-specific prices.
    pub location: Option<String>,
}

impl PriceScope {
    /// Reads `site`, `practitioner` and `location` from the query parameters.
    pub fn from_params(params: &QueryParams) -> Result<PriceScope, OperationOutcome> {
        let text = |name: &str| -> Result<Option<String>, OperationOutcome> {
            Ok(params.optional(name)?.map(str::to_string))
        };
        Ok(PriceScope {
            site: text("site")?,
            practitioner: text("practitioner")?,
            location: text("location")?,
        })
    }
}

/// A typed `$effective-prices` request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EffectivePricesRequest {
    /// The site, practitioner and location the prices are asked for.
    pub scope: PriceScope,
    /// Payor ids; empty means every payor of the site.
    pub payors: Vec<String>,
    /// Only this service: `Scheme/Code`, or a bare code in any scheme.
    pub service: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// Page size.
    pub count: usize,
    /// `_lastUpdated` filters (all must hold).
    pub last_updated: Vec<LastUpdated>,
}

fn parse_positive(name: &str, text: &str) -> Result<usize, OperationOutcome> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid_format(
            name,
            format_args!("'{text}' is not a positive whole number"),
        )),
    }
}

impl EffectivePricesRequest {
    /// Reads the request from the query parameters.
    pub fn from_params(params: &QueryParams) -> Result<EffectivePricesRequest, OperationOutcome> {
        params.check_known(&EFFECTIVE_PARAMS)?;
        let payors = match params.optional_any(&["payor", "payorId"])? {
            Some(list) => list
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            None => Vec::new(),
        };
        let page = params
            .optional("page")?
            .map(|p| parse_positive("page", p))
            .transpose()?
            .unwrap_or(1);
        let count = match params.optional_any(&["count", "_count"])? {
            Some(c) => parse_positive("count", c)?.min(MAX_COUNT),
            None => DEFAULT_COUNT,
        };
        let mut last_updated = Vec::new();
        for (k, v) in params.pairs() {
            if k == "_lastUpdated" {
                last_updated.push(LastUpdated::parse(v)?);
            }
        }
        Ok(EffectivePricesRequest {
            scope: PriceScope::from_params(params)?,
            payors,
            service: params.optional("service-code")?.map(str::to_string),
            page,
            count,
            last_updated,
        })
    }
}

/// One effective price: the entry and the contract that supplied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePrice {
    /// The price's key.
    pub key: PriceKey,
    /// The price.
    pub price: Price,
    /// Which contract supplied it.
    pub source: PriceSource,
}

/// One page of effective prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePricesPage {
    /// Entries on this page.
    pub entries: Vec<EffectivePrice>,
    /// Page number (1-based).
    pub page: usize,
    /// Page size asked.
    pub count: usize,
    /// Matches across all pages.
    pub max_count: usize,
}

impl ContractBook {
    /// Checks a scope's site and practitioner against the book (not-found errors) and
    /// interns its practitioner and location (no allocation); an unknown location simply
    /// has no prices of its own.
    pub(crate) fn scope_syms(
        &self,
        scope: &PriceScope,
    ) -> Result<(Option<Sym>, Option<Sym>), OperationOutcome> {
        self.check_site(scope.site.as_deref())?;
        self.check_practitioner(scope.practitioner.as_deref())?;
        let sym = |id: &Option<String>| id.as_deref().and_then(|s| self.syms.get(s));
        Ok((sym(&scope.practitioner), sym(&scope.location)))
    }

    /// The effective prices for a request (all pages' worth are computed, one page returned).
    pub fn effective_prices_page(
        &self,
        req: &EffectivePricesRequest,
    ) -> Result<EffectivePricesPage, OperationOutcome> {
        let (prac, loc) = self.scope_syms(&req.scope)?;
        let payors: Vec<String> = if req.payors.is_empty() {
            self.payors.iter().map(|c| c.payor.id.clone()).collect()
        } else {
            for p in &req.payors {
                self.find_payor(p, None)?;
            }
            req.payors.clone()
        };
        let service_filter = req.service.as_deref().map(|s| match s.split_once('/') {
            Some(_) => Code::parse("service-code", s).map(|c| (Some(c.scheme), c.code)),
            None => Ok((None, s.to_string())),
        });
        let service_filter = service_filter.transpose()?;
        let mut all = Vec::new();
        for payor in &payors {
            let Some(psym) = self.syms.get(payor) else {
                continue;
            };
            let chain = self.chain(psym, prac, loc);
            // (service, procedure) → (rank, key, price): the lowest rank wins.
            let mut best: BTreeMap<(&Code, Option<&Code>), (usize, &PriceKey, &Price)> =
                BTreeMap::new();
            for (key, price) in &self.prices {
                if price.net.is_none() {
                    continue;
                }
                if let Some((scheme, code)) = &service_filter {
                    if &key.service.code != code
                        || scheme.as_ref().is_some_and(|s| s != &key.service.scheme)
                    {
                        continue;
                    }
                }
                if !req
                    .last_updated
                    .iter()
                    .all(|f| f.matches(price.last_updated.as_deref()))
                {
                    continue;
                }
                let Some((p, level)) = self.placement(key) else {
                    continue;
                };
                let Some(rank) = chain.rank(p, level) else {
                    continue;
                };
                let slot = (&key.service, key.procedure.as_ref());
                match best.get(&slot) {
                    Some((r, ..)) if *r <= rank => {}
                    _ => {
                        best.insert(slot, (rank, key, price));
                    }
                }
            }
            for (_, (_, key, price)) in best {
                let source = self.source_for_key(key);
                all.push(EffectivePrice {
                    key: key.clone(),
                    price: price.clone(),
                    source,
                });
            }
        }
        let max_count = all.len();
        let start = req.page.saturating_sub(1).saturating_mul(req.count);
        let entries = all.into_iter().skip(start).take(req.count).collect();
        Ok(EffectivePricesPage {
            entries,
            page: req.page,
            count: req.count,
            max_count,
        })
    }

    pub(crate) fn source_for_key(&self, key: &PriceKey) -> PriceSource {
        let (payor, sub_type) = match self.payor_contract_by_id(&key.contract) {
            Some(c) if key.practitioner.is_some() => {
                (c.payor.clone(), SubType::PractitionerBespoke)
            }
            Some(c) => (c.payor.clone(), SubType::FeeSchedule),
            None => (
                super::codes::PayorRef::insurer(super::codes::SELF_PAY_PAYOR),
                SubType::SelfPay,
            ),
        };
        PriceSource {
            contract: key.contract.clone(),
            sub_type,
            payor,
            location: key.location.clone(),
            practitioner: key.practitioner.clone(),
        }
    }

    /// `$effective-prices` from query parameters, as the documents' Bundle.
    pub fn effective_prices(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        Ok(value_of(&self.effective_prices_json(params)?))
    }

    /// [`ContractBook::effective_prices`] answering the Bundle's JSON text, with no
    /// `serde_json::Value` built.
    pub fn effective_prices_json(&self, params: &QueryParams) -> Result<String, OperationOutcome> {
        let req = EffectivePricesRequest::from_params(params)?;
        Ok(self.effective_prices_page(&req)?.to_json_text(&self.site))
    }

    /// Fails unless payor ids are known (helper for callers validating lists).
    pub fn check_payors(&self, payors: &[String]) -> Result<(), OperationOutcome> {
        payors
            .iter()
            .find(|p| self.payor_contract(p).is_none())
            .map_or(Ok(()), |p| Err(not_found("Payor", p)))
    }
}

impl PriceSource {
    /// Writes the asset contexts the documents give a price: its payor, then its location
    /// and practitioner when it has them.
    pub(crate) fn asset_contexts(&self, o: &mut Out) {
        let mut reference = |reference: &str, display: &str| {
            o.open().open_member("reference");
            o.member("reference", reference).member("display", display);
            o.close().close();
        };
        reference(&self.payor.short_reference(), "Payor");
        if let Some(l) = &self.location {
            reference(&format!("Location/{l}"), "Location");
        }
        if let Some(p) = &self.practitioner {
            reference(&format!("Practitioner/{p}"), "Practitioner");
        }
    }
}

impl EffectivePrice {
    /// The documents' Contract for one effective price.
    pub fn to_json(&self, site: &str) -> Value {
        let mut o = Out::new();
        self.write(&mut o, site);
        value_of(&o.finish())
    }

    fn write(&self, o: &mut Out, site: &str) {
        let s = &self.source;
        let mut subject = vec![format!("Site/{site}")];
        if matches!(s.sub_type, SubType::PractitionerBespoke | SubType::SelfPay) {
            if let Some(p) = &s.practitioner {
                subject.push(format!("Practitioner/{p}"));
            }
        }
        pricing_contract(
            o,
            Some(&s.contract),
            &subject,
            s.sub_type.code(),
            &mut |o| {
                o.open().open_list_member("extension");
                string_ext(o, "isESTV", if self.price.is_estv { "Y" } else { "N" });
                o.close_list().open_list_member("context");
                s.asset_contexts(o);
                o.close_list().open_list_member("valuedItem");
                o.open().open_member("entityCodeableConcept");
                o.open_list_member("coding").open();
                o.member("id", "service")
                    .member("system", &self.key.service.scheme)
                    .member("code", &self.key.service.code);
                if let Some(d) = &self.price.service_display {
                    o.member("display", d);
                }
                o.close().close_list().close().close();
                if let Some(p) = &self.key.procedure {
                    procedure_item(o, p);
                }
                if let Some(net) = self.price.net {
                    o.open().open_member("net").key("value");
                    o.number(&money_string(net)).close().close();
                }
                o.close_list().close();
            },
        );
    }
}

impl EffectivePricesPage {
    /// The documents' collection Bundle with the `count`/`page`/`maxCount` tag triple;
    /// `total` is the number of entries on this page, as in the samples.
    pub fn to_json(&self, site: &str) -> Value {
        value_of(&self.to_json_text(site))
    }

    /// [`EffectivePricesPage::to_json`] as JSON text, written directly.
    pub fn to_json_text(&self, site: &str) -> String {
        let mut o = Out::new();
        o.open().member("resourceType", "Bundle");
        o.open_member("meta").open_list_member("tag");
        for (code, n) in [
            ("count", self.count),
            ("page", self.page),
            ("maxCount", self.max_count),
        ] {
            o.open()
                .member("code", code)
                .member("display", &n.to_string())
                .close();
        }
        o.close_list().close();
        o.member("type", "collection");
        o.key("total").number(&self.entries.len().to_string());
        o.open_list_member("entry");
        for e in &self.entries {
            o.open().key("resource");
            e.write(&mut o, site);
            o.close();
        }
        o.close_list().close();
        o.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contracts::book::testbook::book;
    use crate::outcome::IssueCode;

    fn page(query: &str) -> Result<EffectivePricesPage, OperationOutcome> {
        book().effective_prices_page(&EffectivePricesRequest::from_params(
            &QueryParams::from_query(query, false),
        )?)
    }

    fn rows(p: &EffectivePricesPage) -> Vec<String> {
        p.entries
            .iter()
            .map(|e| {
                format!(
                    "{}{} {} {} {}",
                    e.key.service.key(),
                    e.key
                        .procedure
                        .as_ref()
                        .map(|p| format!("+{}", p.key()))
                        .unwrap_or_default(),
                    e.price.net.map(|n| n.to_string()).unwrap_or_default(),
                    e.source.contract,
                    e.source.sub_type.code()
                )
            })
            .collect()
    }

    #[test]
    fn merges_levels_most_specific_first() {
        let p = page("payor=bup&practitioner=P1&location=L1").unwrap();
        assert_eq!(
            rows(&p)[..],
            [
                "ISC/X 40 100 PRACTITIONER_BESPOKE_CONTRACT",
                "ISC/X+CCSD/A 110 100 FEE_SCHEDULE",
                "ISC/X+CCSD/B 80 100 FEE_SCHEDULE",
                "ISC/X+CCSD/C 60 100 FEE_SCHEDULE",
                "ISC/X+CCSD/D 60 100 FEE_SCHEDULE",
                "ISC/Y 9 300 FEE_SCHEDULE",
            ]
        );
        assert_eq!(p.max_count, 6);
        let slf = page("payor=slf&practitioner=P1").unwrap();
        assert_eq!(
            rows(&slf)[..],
            ["ISC/X 25 500 SELF_PAY", "ISC/Y 10 300 FEE_SCHEDULE"]
        );
    }

    #[test]
    fn pages_and_tags() {
        let p = page("payor=bup&practitioner=P1&location=L1&count=4&page=2").unwrap();
        assert_eq!(rows(&p).len(), 2);
        let v = p.to_json("S1");
        assert_eq!(v["total"], 2);
        assert_eq!(v["meta"]["tag"][0]["display"], "4");
        assert_eq!(v["meta"]["tag"][1]["display"], "2");
        assert_eq!(v["meta"]["tag"][2]["display"], "6");
        let beyond = page("payor=bup&page=9").unwrap();
        assert!(beyond.entries.is_empty());
        assert_eq!(page("payor=bup&_count=500").unwrap().count, MAX_COUNT);
    }

    #[test]
    fn filters_by_service_payors_and_last_updated() {
        assert_eq!(
            rows(&page("payor=bup&service-code=ISC/Y").unwrap())[..],
            ["ISC/Y 10 300 FEE_SCHEDULE"]
        );
        assert_eq!(page("payor=bup&service-code=Y").unwrap().entries.len(), 1);
        assert_eq!(
            page("payor=bup,slf&service-code=Y").unwrap().entries.len(),
            2
        );
        // Every payor when none is named.
        assert_eq!(page("service-code=Y").unwrap().entries.len(), 4);
        let all = page("payor=bup&count=100").unwrap().max_count;
        let recent = page("payor=bup&count=100&_lastUpdated=ge2026-11-05")
            .unwrap()
            .max_count;
        assert!(recent < all, "{recent} < {all}");
        assert_eq!(page("payor=bup&_lastUpdated=gt2030").unwrap().max_count, 0);
    }

    #[test]
    fn errors() {
        let code = |q: &str| page(q).unwrap_err().issues[0].code;
        assert_eq!(code("payor=zzz"), IssueCode::ReferenceIdNotFound);
        assert_eq!(code("site=S2"), IssueCode::ReferenceIdNotFound);
        assert_eq!(code("practitioner=P9"), IssueCode::ReferenceIdNotFound);
        assert_eq!(code("page=0"), IssueCode::InvalidFormat);
        assert_eq!(code("_lastUpdated=yesterday"), IssueCode::InvalidFormat);
        assert_eq!(code("service-code=ISC/"), IssueCode::InvalidFormat);
        assert_eq!(code("colour=red"), IssueCode::UnknownParam);
    }
}
