//! `$calculate-fee`: the fee for a service, or a service with n procedures under the
//! multi-procedure rules, with a breakdown of where each price came from.

use rust_decimal::Decimal;
use serde_json::Value;

use super::book::{ContractBook, PriceSource, Sym, NONE};
use super::codes::{not_found, Code, PayorKind, EXTENSION_BASE};
use super::effective::PriceScope;
use super::multiproc::{apply_rules, percent_of, MultiProcRule};
use super::resources::{pricing_contract, procedure_item, string_ext, value_of};
use crate::json::Out;
use crate::money::{money_string, round_money};
use crate::outcome::OperationOutcome;
use crate::params::QueryParams;

/// Parameters `$calculate-fee` accepts.
pub const FEE_PARAMS: [&str; 10] = [
    "payor",
    "payorId",
    "practitioner",
    "payor-type",
    "provider-type",
    "location",
    "site",
    "service-type",
    "procedure-code",
    "breakdown",
];

/// Procedures priced in stack buffers on the hot path.
const SMALL: usize = 8;

/// Most procedures one calculation takes; beyond this the request is refused.
pub const MAX_PROCEDURES: usize = 32;

/// A typed `$calculate-fee` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeRequest {
    /// The site, practitioner and location the fee is asked for.
    pub scope: PriceScope,
    /// The payor id (`bup`).
    pub payor: String,
    /// `I` or `C`, checked against the payor when given.
    pub payor_kind: Option<PayorKind>,
    /// The service (`ISC/C0000010`).
    pub service: Code,
    /// The procedures, in request order (may repeat).
    pub procedures: Vec<Code>,
    /// Whether the JSON response carries the breakdown.
    pub breakdown: bool,
}

impl FeeRequest {
    /// Reads the request from the query parameters (unknown ones refused unless lenient).
    pub fn from_params(params: &QueryParams) -> Result<FeeRequest, OperationOutcome> {
        params.check_known(&FEE_PARAMS)?;
        let payor = params.required_any(&["payor", "payorId"])?;
        let payor_kind = params
            .optional("payor-type")?
            .map(|k| PayorKind::parse("payor-type", k))
            .transpose()?;
        let service = Code::parse("service-type", params.required("service-type")?)?;
        let mut procedures = Vec::new();
        if let Some(list) = params.optional("procedure-code")? {
            for item in list.split(',') {
                procedures.push(Code::parse("procedure-code", item)?);
            }
        }
        if procedures.len() > MAX_PROCEDURES {
            return Err(super::codes::invalid_format(
                "procedure-code",
                format_args!("more than {MAX_PROCEDURES} procedures"),
            ));
        }
        let breakdown = match params.optional("breakdown")? {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(super::codes::invalid_format(
                    "breakdown",
                    format_args!("'{other}' is not true or false"),
                ))
            }
        };
        Ok(FeeRequest {
            scope: PriceScope::from_params(params)?,
            payor: payor.to_string(),
            payor_kind,
            service,
            procedures,
            breakdown,
        })
    }
}

/// One priced item of a quote: the service alone, or one procedure with the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    /// The procedure (`None` for the service alone).
    pub procedure: Option<Code>,
    /// Its price.
    pub price: Decimal,
    /// Which contract supplied the price.
    pub source: PriceSource,
    /// 1-based rank among the sorted prices (1 = highest).
    pub rank: usize,
    /// Total percentage the multi-procedure records gave this rank.
    pub percentage: Decimal,
    /// What this line adds, unrounded (`price × percentage / 100`).
    pub amount: Decimal,
}

/// A multi-procedure record that took part, with what it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRule {
    /// The record.
    pub rule: MultiProcRule,
    /// The sum of the prices it took its percentage of.
    pub base: Decimal,
    /// What it added, unrounded.
    pub amount: Decimal,
}

/// The result of a fee calculation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeQuote {
    /// The site.
    pub site: String,
    /// The payor.
    pub payor: String,
    /// The fee, rounded once to pennies.
    pub total: Decimal,
    /// The exact sum before rounding.
    pub unrounded: Decimal,
    /// Priced items in rank order (highest first, ties by code).
    pub lines: Vec<FeeLine>,
    /// The multi-procedure set consulted, if any applied to the payor.
    pub multi_proc_set: Option<String>,
    /// The records of group n that applied (empty: every procedure counted at 100%).
    pub applied: Vec<AppliedRule>,
}

/// Interned, priced item during a calculation.
#[derive(Clone, Copy)]
struct Item {
    price: Decimal,
    proc_sym: Sym,
    order: usize,
}

impl ContractBook {
    /// Interns the request's identifiers (no allocation); unknown ones are not-found errors.
    fn fee_context(
        &self,
        req: &FeeRequest,
    ) -> Result<(Sym, Option<Sym>, Option<Sym>), OperationOutcome> {
        // The site first, then the payor, then the practitioner: the order errors are told in.
        self.check_site(req.scope.site.as_deref())?;
        self.find_payor(&req.payor, req.payor_kind)?;
        let (prac, loc) = self.scope_syms(&req.scope)?;
        let payor = self
            .syms
            .get(&req.payor)
            .ok_or_else(|| not_found("Payor", &req.payor))?;
        Ok((payor, prac, loc))
    }

    /// The interned code, or the request's "no price" error: a code the book has never seen
    /// has no price, and saying so does not depend on which other rows the book holds (a
    /// per-payor slice in the browser and the edge's partial book answer alike).
    fn sym_of(
        &self,
        code: &Code,
        miss: impl FnOnce() -> OperationOutcome,
    ) -> Result<Sym, OperationOutcome> {
        code.with_key(|key| self.syms.get(key)).ok_or_else(miss)
    }

    /// The request's precedence chain and its interned service, which every line of the fee
    /// is priced against.
    fn fee_scope(&self, req: &FeeRequest) -> Result<(super::book::Chain, Sym), OperationOutcome> {
        let (payor, prac, loc) = self.fee_context(req)?;
        let chain = self.chain(payor, prac, loc);
        let service = self.sym_of(&req.service, || {
            no_price(&req.service, req.procedures.first(), &req.payor)
        })?;
        Ok((chain, service))
    }

    /// The first price along `chain` for the service with procedure `code` (`None`: the
    /// service alone) and the procedure's interned code, or the request's "no price" error.
    #[inline]
    fn price_for(
        &self,
        req: &FeeRequest,
        chain: &super::book::Chain,
        service: Sym,
        code: Option<&Code>,
    ) -> Result<(Sym, super::book::IndexKey, super::book::Indexed), OperationOutcome> {
        let miss = || no_price(&req.service, code, &req.payor);
        let sym = match code {
            Some(code) => self.sym_of(code, miss)?,
            None => NONE,
        };
        let (_, key, hit) = self.resolve(chain, service, sym).ok_or_else(miss)?;
        Ok((sym, key, hit))
    }

    /// The fee alone: the same arithmetic as [`ContractBook::quote_fee`] without the
    /// breakdown, for hot paths (a fee preview on every keystroke).
    pub fn fee_total(&self, req: &FeeRequest) -> Result<Decimal, OperationOutcome> {
        let (chain, service) = self.fee_scope(req)?;
        if req.procedures.is_empty() {
            let (_, _, hit) = self.price_for(req, &chain, service, None)?;
            return Ok(round_money(hit.net));
        }
        let n = req.procedures.len();
        let blank = Item {
            price: Decimal::ZERO,
            proc_sym: NONE,
            order: 0,
        };
        // The common case (a handful of procedures) works in stack arrays; more go to the heap.
        let total = if n <= SMALL {
            let mut items = [blank; SMALL];
            let mut sorted = [Decimal::ZERO; SMALL];
            let mut pct = [Decimal::ZERO; SMALL];
            self.priced_total(req, &chain, service, &mut items, &mut sorted, &mut pct)?
        } else if n <= MAX_PROCEDURES {
            let mut items = vec![blank; n];
            let mut sorted = vec![Decimal::ZERO; n];
            let mut pct = vec![Decimal::ZERO; n];
            self.priced_total(req, &chain, service, &mut items, &mut sorted, &mut pct)?
        } else {
            return Err(too_many(n));
        };
        Ok(round_money(total))
    }

    /// Prices the request's procedures into the first n slots of the buffers and applies the
    /// payor's multi-procedure records; the unrounded total.
    fn priced_total(
        &self,
        req: &FeeRequest,
        chain: &super::book::Chain,
        service: Sym,
        items: &mut [Item],
        sorted: &mut [Decimal],
        pct: &mut [Decimal],
    ) -> Result<Decimal, OperationOutcome> {
        let n = req.procedures.len();
        let items = items.get_mut(..n).ok_or_else(|| too_many(n))?;
        for ((slot, code), order) in items.iter_mut().zip(&req.procedures).zip(0..) {
            let (sym, _, hit) = self.price_for(req, chain, service, Some(code))?;
            *slot = Item {
                price: hit.net,
                proc_sym: sym,
                order,
            };
        }
        self.sort_items(items);
        let sorted = sorted.get_mut(..n).ok_or_else(|| too_many(n))?;
        for (s, it) in sorted.iter_mut().zip(items.iter()) {
            *s = it.price;
        }
        let pct = pct.get_mut(..n).ok_or_else(|| too_many(n))?;
        let rules = self
            .multi_proc_set_for(&req.payor)
            .map_or(&[][..], |s| s.rules.as_slice());
        apply_rules(sorted, rules, pct).ok_or_else(overflow)
    }

    /// Sorts descending by price, ties by procedure code (then request order) so that the
    /// result never depends on the order procedures were given in.
    fn sort_items(&self, items: &mut [Item]) {
        // The order key is total (request position breaks the last tie), so an unstable
        // sort is deterministic.
        items.sort_unstable_by(|a, b| {
            b.price
                .cmp(&a.price)
                .then_with(|| self.syms.name(a.proc_sym).cmp(self.syms.name(b.proc_sym)))
                .then_with(|| a.order.cmp(&b.order))
        });
    }

    /// Calculates the fee with its breakdown.
    pub fn quote_fee(&self, req: &FeeRequest) -> Result<FeeQuote, OperationOutcome> {
        let (chain, service) = self.fee_scope(req)?;
        if req.procedures.is_empty() {
            let (_, key, hit) = self.price_for(req, &chain, service, None)?;
            let line = FeeLine {
                procedure: None,
                price: hit.net,
                source: self.source_of(&key, &hit),
                rank: 1,
                percentage: Decimal::ONE_HUNDRED,
                amount: hit.net,
            };
            return Ok(FeeQuote {
                site: self.site.clone(),
                payor: req.payor.clone(),
                total: round_money(hit.net),
                unrounded: hit.net,
                lines: vec![line],
                multi_proc_set: None,
                applied: Vec::new(),
            });
        }
        let n = req.procedures.len();
        if n > MAX_PROCEDURES {
            return Err(too_many(n));
        }
        let mut items = Vec::with_capacity(n);
        let mut sources = Vec::with_capacity(n);
        for (order, code) in req.procedures.iter().enumerate() {
            let (sym, key, hit) = self.price_for(req, &chain, service, Some(code))?;
            items.push(Item {
                price: hit.net,
                proc_sym: sym,
                order,
            });
            sources.push(self.source_of(&key, &hit));
        }
        self.sort_items(&mut items);
        let sorted: Vec<Decimal> = items.iter().map(|i| i.price).collect();
        let mut pct = vec![Decimal::ZERO; n];
        let set = self.multi_proc_set_for(&req.payor);
        let rules = set.map_or(&[][..], |s| s.rules.as_slice());
        let unrounded = apply_rules(&sorted, rules, &mut pct).ok_or_else(overflow)?;
        let mut applied = Vec::new();
        for r in rules.iter().filter(|r| r.calc_group as usize == n) {
            let mut base = Decimal::ZERO;
            for v in r.ranks(n).filter_map(|k| sorted.get(k - 1)) {
                base = base.checked_add(*v).ok_or_else(overflow)?;
            }
            applied.push(AppliedRule {
                rule: r.clone(),
                base,
                amount: percent_of(base, r.percentage).ok_or_else(overflow)?,
            });
        }
        let mut lines = Vec::with_capacity(n);
        for (i, (it, p)) in items.iter().zip(pct.iter()).enumerate() {
            lines.push(FeeLine {
                procedure: req.procedures.get(it.order).cloned(),
                price: it.price,
                source: sources
                    .get(it.order)
                    .cloned()
                    .unwrap_or_else(|| PriceSource {
                        contract: String::new(),
                        sub_type: super::codes::SubType::FeeSchedule,
                        payor: super::codes::PayorRef::insurer(req.payor.clone()),
                        location: None,
                        practitioner: None,
                    }),
                rank: i + 1,
                percentage: *p,
                amount: percent_of(it.price, *p).ok_or_else(overflow)?,
            });
        }
        Ok(FeeQuote {
            site: self.site.clone(),
            payor: req.payor.clone(),
            total: round_money(unrounded),
            unrounded,
            lines,
            multi_proc_set: set.map(|s| s.id.clone()),
            applied,
        })
    }

    /// `$calculate-fee` from query parameters, in the documents' Contract shape (with the
    /// breakdown as extra assets when `breakdown=true`).
    pub fn calculate_fee(&self, params: &QueryParams) -> Result<Value, OperationOutcome> {
        Ok(value_of(&self.calculate_fee_json(params)?))
    }

    /// [`ContractBook::calculate_fee`] answering the Contract's JSON text (what the npm
    /// package hands to JavaScript), with no `serde_json::Value` built.
    pub fn calculate_fee_json(&self, params: &QueryParams) -> Result<String, OperationOutcome> {
        let req = FeeRequest::from_params(params)?;
        Ok(self.quote_fee(&req)?.to_json_text(req.breakdown))
    }
}

fn overflow() -> OperationOutcome {
    super::codes::invalid_format("net", "the amounts are too large to add up")
}

fn too_many(n: usize) -> OperationOutcome {
    super::codes::invalid_format(
        "procedure-code",
        format_args!("{n} procedures; at most {MAX_PROCEDURES}"),
    )
}

fn no_price(service: &Code, procedure: Option<&Code>, payor: &str) -> OperationOutcome {
    let what = match procedure {
        Some(p) => format!("{} with procedure {}", service.key(), p.key()),
        None => service.key(),
    };
    OperationOutcome::error(
        crate::outcome::IssueCode::ReferenceIdNotFound,
        format!("No price for service {what} under payor '{payor}'."),
    )
}

impl FeeQuote {
    /// The documents' `$calculate-fee` Contract; with `breakdown`, one more asset per line
    /// (source contract in `context`, `unitPrice`, `factor`, `net`) and the records applied.
    /// Line nets are shown to the penny for reading, but the total is the exact sum rounded
    /// once, so the shown lines may differ from the total by a penny.
    pub fn to_json(&self, breakdown: bool) -> Value {
        value_of(&self.to_json_text(breakdown))
    }

    /// [`FeeQuote::to_json`] as JSON text, written directly.
    pub fn to_json_text(&self, breakdown: bool) -> String {
        let mut o = Out::new();
        let subject = [format!("Site/{}", self.site)];
        pricing_contract(&mut o, None, &subject, "FEE_SCHEDULE", &mut |o| {
            o.open().open_list_member("valuedItem").open();
            o.open_member("net").key("value");
            o.number(&money_string(self.total)).close();
            o.close().close_list();
            if breakdown && (self.multi_proc_set.is_some() || !self.applied.is_empty()) {
                o.open_list_member("extension");
                if let Some(set) = &self.multi_proc_set {
                    string_ext(o, "providerGroup", set);
                }
                for a in &self.applied {
                    o.open()
                        .member("url", &format!("{EXTENSION_BASE}multiProcedureRecord"));
                    o.open_list_member("extension");
                    string_ext(o, "calcGroup", &format!("{:02}", a.rule.calc_group));
                    string_ext(o, "procNumber", &a.rule.proc_number.to_string());
                    string_ext(o, "percentage", &a.rule.percentage.normalize().to_string());
                    if let Some(v) = a.rule.value_of {
                        string_ext(o, "valueOf", v.code());
                    }
                    string_ext(o, "amount", &a.amount.normalize().to_string());
                    o.close_list().close();
                }
                o.close_list();
            }
            o.close();
            if breakdown {
                for line in &self.lines {
                    line.write(o);
                }
            }
        });
        o.finish()
    }
}

impl FeeLine {
    fn write(&self, o: &mut Out) {
        let s = &self.source;
        o.open().open_list_member("extension");
        string_ext(o, "rank", &self.rank.to_string());
        o.close_list().open_list_member("context").open();
        o.open_member("reference")
            .member("reference", &format!("Contract/{}", s.contract))
            .member("display", s.sub_type.code())
            .close();
        o.close();
        s.asset_contexts(o);
        o.close_list().open_list_member("valuedItem");
        if let Some(p) = &self.procedure {
            procedure_item(o, p);
        }
        o.open().open_member("unitPrice").key("value");
        o.number(&money_string(self.price)).close();
        o.key("factor");
        factor(o, self.percentage);
        o.open_member("net").key("value");
        o.number(&money_string(self.amount)).close();
        o.close().close_list().close();
    }
}

/// Writes the percentage as a FHIR `factor` (125% → 1.25), exact.
fn factor(o: &mut Out, percentage: Decimal) {
    let f = (percentage / Decimal::ONE_HUNDRED).normalize().to_string();
    // A decimal's text is a JSON number; were it ever not, it is written as a string.
    if matches!(crate::json::parse(&f), Ok(crate::json::Json::Number(_))) {
        o.number(&f);
    } else {
        o.str(&f);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::contracts::book::testbook::{book, d};
    use crate::outcome::IssueCode;

    fn q(query: &str) -> Result<FeeQuote, OperationOutcome> {
        let book = book();
        let req = FeeRequest::from_params(&QueryParams::from_query(query, false))?;
        let quote = book.quote_fee(&req)?;
        // The hot path agrees with the full quote, always.
        assert_eq!(book.fee_total(&req).unwrap(), quote.total);
        Ok(quote)
    }

    fn total(query: &str) -> Decimal {
        q(query).unwrap().total
    }

    fn code(query: &str) -> IssueCode {
        q(query).unwrap_err().issues[0].code
    }

    #[test]
    fn each_precedence_level_wins_in_turn() {
        assert_eq!(
            total("payor=bup&practitioner=P1&location=L1&service-type=ISC/X"),
            d("40")
        );
        assert_eq!(total("payor=bup&location=L1&service-type=ISC/X"), d("45"));
        assert_eq!(total("payor=bup&service-type=ISC/X"), d("50"));
        assert_eq!(
            total("payor=bup&location=L9&practitioner=P2&service-type=ISC/X"),
            d("50")
        );
        // slf: bespoke → location → the practitioner's SELF_PAY list → the slf schedule.
        assert_eq!(
            total("payor=slf&practitioner=P2&location=L1&service-type=ISC/X"),
            d("20")
        );
        assert_eq!(
            total("payor=slf&practitioner=P1&location=L1&service-type=ISC/X"),
            d("28")
        );
        assert_eq!(
            total("payor=slf&practitioner=P1&service-type=ISC/X"),
            d("25")
        );
        assert_eq!(total("payor=slf&service-type=ISC/X"), d("30"));
        // Finally the na schedule (at the location first).
        assert_eq!(total("payor=bup&location=L1&service-type=ISC/Y"), d("9"));
        assert_eq!(total("payor=slf&service-type=ISC/Y"), d("10"));
    }

    #[test]
    fn sources_say_which_contract_and_sub_type() {
        let src = |query: &str| {
            let l = q(query).unwrap().lines.remove(0);
            (l.source.contract, l.source.sub_type)
        };
        use crate::contracts::SubType::*;
        assert_eq!(
            src("payor=bup&practitioner=P1&service-type=ISC/X"),
            ("100".into(), PractitionerBespoke)
        );
        assert_eq!(
            src("payor=slf&practitioner=P1&service-type=ISC/X"),
            ("500".into(), SelfPay)
        );
        assert_eq!(
            src("payor=bup&service-type=ISC/Y"),
            ("300".into(), FeeSchedule)
        );
    }

    #[test]
    fn group_02_is_125_percent_of_the_highest() {
        assert_eq!(
            total("payor=bup&service-type=ISC/X&procedure-code=CCSD/A,CCSD/B"),
            d("125.00")
        );
        // At L1 procedure A is 110: 137.50.
        assert_eq!(
            total("payor=bup&location=L1&service-type=ISC/X&procedure-code=CCSD/B,CCSD/A"),
            d("137.50")
        );
    }

    #[test]
    fn group_03_is_140_percent_of_the_highest() {
        assert_eq!(
            total("payor=bup&service-type=ISC/X&procedure-code=CCSD/C,CCSD/A,CCSD/B"),
            d("140.00")
        );
    }

    #[test]
    fn one_procedure_uses_group_01() {
        assert_eq!(
            total("payor=bup&service-type=ISC/X&procedure-code=CCSD/B"),
            d("80")
        );
    }

    #[test]
    fn no_records_for_n_counts_every_procedure() {
        assert_eq!(
            total("payor=bup&service-type=ISC/X&procedure-code=CCSD/A,CCSD/B,CCSD/C,CCSD/D"),
            d("300")
        );
    }

    #[test]
    fn many_procedures_take_the_heap_path_and_agree() {
        let ten = vec!["CCSD/A"; 5]
            .into_iter()
            .chain(vec!["CCSD/B"; 5])
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            total(&format!(
                "payor=bup&service-type=ISC/X&procedure-code={ten}"
            )),
            d("900")
        );
        let too_many = vec!["CCSD/A"; MAX_PROCEDURES + 1].join(",");
        assert_eq!(
            code(&format!(
                "payor=bup&service-type=ISC/X&procedure-code={too_many}"
            )),
            IssueCode::InvalidFormat
        );
    }

    #[test]
    fn ties_rank_by_code_whatever_the_order() {
        for query in [
            "payor=bup&service-type=ISC/X&procedure-code=CCSD/C,CCSD/D",
            "payor=bup&service-type=ISC/X&procedure-code=CCSD/D,CCSD/C",
        ] {
            let quote = q(query).unwrap();
            assert_eq!(quote.total, d("75"));
            let ranked: Vec<String> = quote
                .lines
                .iter()
                .map(|l| l.procedure.as_ref().unwrap().code.clone())
                .collect();
            assert_eq!(ranked, ["C", "D"]);
            assert_eq!(quote.lines[0].percentage, d("125"));
            assert_eq!(quote.lines[1].amount, d("0"));
        }
    }

    #[test]
    fn the_contract_set_wins_over_the_payor_default() {
        let quote =
            q("payor=John&payor-type=C&service-type=ISC/X&procedure-code=CCSD/A,CCSD/B").unwrap();
        assert_eq!(quote.multi_proc_set.as_deref(), Some("OWN"));
        assert_eq!(quote.total, d("140"));
        assert_eq!(quote.applied.len(), 2);
        assert_eq!(quote.applied[1].amount, d("40"));
    }

    #[test]
    fn rounding_happens_once_at_the_end() {
        use crate::contracts::multiproc::{MultiProcSet, ValueOf};
        let mut b = book();
        b.set_multi_proc_set(MultiProcSet {
            id: "HALF".into(),
            description: String::new(),
            editable: true,
            payor: Some("slf".into()),
            is_default: true,
            rules: vec![
                crate::contracts::book::testbook::rule(2, 1, "0.5", Some(ValueOf::Highest)),
                crate::contracts::book::testbook::rule(2, 2, "0.5", Some(ValueOf::Highest2)),
            ],
        });
        crate::contracts::book::testbook::price(
            &mut b,
            "200",
            "ISC/X",
            Some("CCSD/E"),
            None,
            None,
            "1.00",
        );
        crate::contracts::book::testbook::price(
            &mut b,
            "200",
            "ISC/X",
            Some("CCSD/F"),
            None,
            None,
            "1.00",
        );
        let req = FeeRequest::from_params(&QueryParams::from_query(
            "payor=slf&service-type=ISC/X&procedure-code=CCSD/E,CCSD/F",
            false,
        ))
        .unwrap();
        let quote = b.quote_fee(&req).unwrap();
        // 0.005 + 0.005 = 0.01 (rounding each line first would give 0.02).
        assert_eq!(quote.unrounded, d("0.010"));
        assert_eq!(quote.total.to_string(), "0.01");
    }

    #[test]
    fn unknown_or_unpriced_references_are_not_found() {
        use IssueCode::*;
        assert_eq!(code("payor=zzz&service-type=ISC/X"), ReferenceIdNotFound);
        assert_eq!(
            code("payor=bup&payor-type=C&service-type=ISC/X"),
            ReferenceIdNotFound
        );
        assert_eq!(
            code("payor=bup&practitioner=P9&service-type=ISC/X"),
            ReferenceIdNotFound
        );
        assert_eq!(code("payor=bup&service-type=ISC/NOPE"), ReferenceIdNotFound);
        assert_eq!(
            code("payor=bup&service-type=ISC/X&procedure-code=CCSD/NOPE"),
            ReferenceIdNotFound
        );
        // Known procedure, but no price for it under slf nor na.
        assert_eq!(
            code("payor=slf&service-type=ISC/X&procedure-code=CCSD/A"),
            ReferenceIdNotFound
        );
        assert_eq!(
            code("site=OTHER&payor=bup&service-type=ISC/X"),
            ReferenceIdNotFound
        );
        let e = q("payor=bup&service-type=ISC/X&procedure-code=CCSD/NOPE").unwrap_err();
        assert!(e.issues[0].diagnostics.contains("CCSD/NOPE"), "{e}");
    }

    #[test]
    fn bad_parameters_are_named() {
        use IssueCode::*;
        assert_eq!(code("service-type=ISC/X"), MissingMandatoryParam);
        assert_eq!(code("payor=bup"), MissingMandatoryParam);
        assert_eq!(code("payor=&service-type=ISC/X"), ParamEmpty);
        assert_eq!(code("payor=bup&service-type=X"), InvalidFormat);
        assert_eq!(
            code("payor=bup&service-type=ISC/X&procedure-code=CCSD/A,"),
            InvalidFormat
        );
        assert_eq!(
            code("payor=bup&payor-type=Z&service-type=ISC/X"),
            InvalidFormat
        );
        assert_eq!(
            code("payor=bup&service-type=ISC/X&colour=red"),
            UnknownParam
        );
        let lenient = FeeRequest::from_params(&QueryParams::from_query(
            "payor=bup&service-type=ISC/X&colour=red",
            true,
        ));
        assert!(lenient.is_ok());
        assert_eq!(total("payorId=bup&service-type=ISC/X"), d("50"));
    }

    #[test]
    fn breakdown_json_names_sources_and_records() {
        let b = book();
        let v = b
            .calculate_fee(&QueryParams::from_query("payor=bup&location=L1&service-type=ISC/X&procedure-code=CCSD/B,CCSD/A&breakdown=true", false))
            .unwrap();
        let assets = v.pointer("/term/0/asset").unwrap().as_array().unwrap();
        assert_eq!(assets.len(), 3);
        assert_eq!(
            assets[0]["valuedItem"][0]["net"]["value"].to_string(),
            "137.50"
        );
        let ext = assets[0]["extension"].as_array().unwrap();
        assert_eq!(ext[0]["valueString"], "0000011460");
        assert_eq!(
            assets[1]["context"][0]["reference"]["reference"],
            "Contract/100"
        );
        assert_eq!(
            assets[1]["context"][2]["reference"]["reference"],
            "Location/L1"
        );
        assert_eq!(
            assets[1]["valuedItem"][1]["unitPrice"]["value"].to_string(),
            "110.00"
        );
        assert_eq!(assets[1]["valuedItem"][1]["factor"].to_string(), "1.25");
        assert_eq!(
            assets[1]["valuedItem"][1]["net"]["value"].to_string(),
            "137.50"
        );
        assert_eq!(
            assets[2]["valuedItem"][1]["net"]["value"].to_string(),
            "0.00"
        );
        let plain = b
            .calculate_fee(&QueryParams::from_query(
                "payor=bup&service-type=ISC/X&procedure-code=CCSD/B,CCSD/A",
                false,
            ))
            .unwrap();
        assert_eq!(
            plain
                .pointer("/term/0/asset")
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
