//! What an import would do to a site: each line judged by the core's own `$contract-price`
//! write, and the prices added, changed, removed and left as they were.
//!
//! The site's current state is a partial [`ContractBook`] (a slice: the file's payors, their
//! contracts, prices and tariffs). Every accepted line becomes a one-asset `$contract-price`
//! body, the very shape the API takes, and goes through [`ContractBook::apply_contract_price`]
//! on a copy of that book, so the rules (payor known at the site, codes, money, the payor's
//! tariff maximum) are the API's and can never drift. A few things the API body cannot say
//! are checked first, each naming its column: a price is required, a bespoke price cannot
//! also name a location, `isESTV` is `Y` or `N`, and a price given twice is an error on the
//! later line.

use std::collections::{BTreeSet, HashMap};

use practice_fhir::contracts::codes::{EXTENSION_BASE, PROCEDURE_SYSTEM};
use practice_fhir::contracts::{Code, CodeType, PayorKind, PayorRef, Price, PriceKey};
use practice_fhir::money::{money_json, money_string, parse_money};
use practice_fhir::validation::formats::is_id;
use practice_fhir::{ContractBook, OperationOutcome};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::schedule::{Column, Lines, Rejection, ScheduleLine};

/// How the file's prices meet the site's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Upsert the file's prices; every other price stays.
    Merge,
    /// The file is each named payor's whole schedule: that payor's prices absent from the
    /// file are removed (the practitioners' own self-pay lists are not a payor's, and stay).
    Replace,
}

impl Mode {
    /// `merge` or `replace`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Merge => "merge",
            Mode::Replace => "replace",
        }
    }
}

/// One price the import adds, changes or removes.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The line that sets it (none for a removal).
    pub line: Option<usize>,
    /// The payor whose contract holds it.
    pub payor: PayorRef,
    /// Where it sits.
    pub key: PriceKey,
    /// The price before (none when added).
    pub old: Option<Price>,
    /// The price after (none when removed).
    pub new: Option<Price>,
}

/// A line accepted with a warning (a fee above the tariff's high price).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number.
    pub line: usize,
    /// The column (`price`).
    pub field: String,
    /// The tariff's warning message.
    pub message: String,
}

/// What importing a file into a site would do.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    /// The site.
    pub site: String,
    /// Merge or replace.
    pub mode: Mode,
    /// The instant the written prices carry (`lastUpdated`).
    pub now: String,
    /// Data lines read (the header not counted).
    pub lines: usize,
    /// Prices the site does not have yet.
    pub added: Vec<Entry>,
    /// Prices whose fee or isESTV changes.
    pub changed: Vec<Entry>,
    /// Prices removed (replace mode only).
    pub removed: Vec<Entry>,
    /// Lines whose price the site already has, as it is.
    pub unchanged: usize,
    /// Lines refused, in line order.
    pub rejected: Vec<Rejection>,
    /// Lines accepted with a warning.
    pub warnings: Vec<Warning>,
    /// The site as it is (the partial book the plan was made on).
    pub before: ContractBook,
    /// The site as the import leaves it.
    pub after: ContractBook,
}

impl ImportPlan {
    /// True when the file may be written: no line was refused.
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty()
    }

    /// Every entry that changes the site: added, changed, then removed.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.added
            .iter()
            .chain(self.changed.iter())
            .chain(self.removed.iter())
    }

    /// The number of prices written (added, changed or removed).
    pub fn change_count(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }
}

/// A line whose cells are well formed: what the `$contract-price` asset says.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceLine {
    /// 1-based line number.
    pub line: usize,
    /// The payor (kind from the site's contract when the line gives a bare id).
    pub payor: PayorRef,
    /// The price's key in the site's book.
    pub key: PriceKey,
    /// The fee.
    pub net: Decimal,
    /// isESTV.
    pub is_estv: bool,
}

/// The diagnostic of an outcome's first error.
fn diagnostic(o: &OperationOutcome) -> String {
    o.first_error()
        .map(|i| i.diagnostics.clone())
        .unwrap_or_else(|| o.to_json_string())
}

/// The payor a cell names: a bare id (`bup`), or a reference in any of the API's spellings
/// (`Payor/I-bup`, `Organization/bup`, `Person/John`, `I/bup`).
fn payor_of(book: &ContractBook, line: usize, cell: &str) -> Result<PayorRef, Rejection> {
    let named = if cell.contains('/') {
        Some(
            PayorRef::parse_reference("payor", cell)
                .map_err(|o| Rejection::new(line, "payor", diagnostic(&o)))?,
        )
    } else {
        None
    };
    let id = named.as_ref().map_or(cell, |p| p.id.as_str());
    let contract = book.payor_contract(id).ok_or_else(|| {
        Rejection::new(
            line,
            "payor",
            format!(
                "payor '{id}' has no contract at site {} (add the payor first)",
                book.site()
            ),
        )
    })?;
    if let Some(p) = &named {
        if p.kind != contract.payor.kind {
            let kind = |k: PayorKind| match k {
                PayorKind::Insurer => "an insurer",
                PayorKind::Contact => "a contact",
            };
            return Err(Rejection::new(
                line,
                "payor",
                format!(
                    "'{cell}' names {} but payor '{id}' of site {} is {}",
                    kind(p.kind),
                    book.site(),
                    kind(contract.payor.kind)
                ),
            ));
        }
    }
    Ok(contract.payor.clone())
}

fn id_cell(line: usize, column: Column, cell: Option<&str>) -> Result<Option<String>, Rejection> {
    match cell {
        None => Ok(None),
        Some(v) if is_id(v) => Ok(Some(v.to_string())),
        Some(v) => Err(Rejection::new(
            line,
            column.name(),
            format!(
                "Field '{}' is not valid: '{v}' is not an id (letters, digits, '-' and '.', at most 64).",
                column.name()
            ),
        )),
    }
}

fn required(l: &ScheduleLine, column: Column) -> Result<&str, Rejection> {
    l.get(column).ok_or_else(|| {
        Rejection::new(
            l.line,
            column.name(),
            format!("Mandatory field '{}' is missing.", column.name()),
        )
    })
}

/// Where a line's price sits: its payor and key, from the payor, service, procedure,
/// location and practitioner cells, each checked for its form, and the payor's contract.
pub fn line_key(book: &ContractBook, l: &ScheduleLine) -> Result<(PayorRef, PriceKey), Rejection> {
    let line = l.line;
    let payor = payor_of(book, line, required(l, Column::Payor)?)?;
    let service = Code::parse("service", required(l, Column::Service)?)
        .map_err(|o| Rejection::new(line, "service", diagnostic(&o)))?;
    let procedure = l
        .get(Column::Procedure)
        .map(|p| Code::parse("procedure", p))
        .transpose()
        .map_err(|o| Rejection::new(line, "procedure", diagnostic(&o)))?;
    let location = id_cell(line, Column::Location, l.get(Column::Location))?;
    let practitioner = id_cell(line, Column::Practitioner, l.get(Column::Practitioner))?;
    if practitioner.is_some() && location.is_some() {
        return Err(Rejection::new(
            line,
            "location",
            "A practitioner bespoke price cannot also name a location (leave 'location' empty or 'practitioner' empty).",
        ));
    }
    let contract = book
        .payor_contract(&payor.id)
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let key = PriceKey {
        contract,
        service,
        procedure,
        location,
        practitioner,
    };
    Ok((payor, key))
}

/// A line's fee and isESTV flag, each checked for its form.
fn line_values(l: &ScheduleLine) -> Result<(Decimal, bool), Rejection> {
    let net = parse_money("price", required(l, Column::Price)?)
        .map_err(|o| Rejection::new(l.line, "price", diagnostic(&o)))?;
    let is_estv = match l.get(Column::IsEstv) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("Y") => true,
        Some(v) if v.eq_ignore_ascii_case("N") => false,
        Some(v) => {
            return Err(Rejection::new(
                l.line,
                "isESTV",
                format!("Field 'isESTV' is not valid: '{v}' is not Y or N."),
            ))
        }
    };
    Ok((net, is_estv))
}

/// Checks the cells of one line against the site's book: the form of every cell and the
/// payor's contract. The rest (tariffs) is the API write's own check.
pub fn check_line(book: &ContractBook, l: &ScheduleLine) -> Result<PriceLine, Rejection> {
    let (payor, key) = line_key(book, l)?;
    let (net, is_estv) = line_values(l)?;
    Ok(PriceLine {
        line: l.line,
        payor,
        key,
        net,
        is_estv,
    })
}

/// A JSON object from its members, moved in (`json!` would copy every nested value).
fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<String, Value>>(),
    )
}

fn reference(reference: String, display: &str) -> Value {
    object(vec![(
        "reference",
        object(vec![
            ("reference", Value::String(reference)),
            ("display", Value::String(display.to_string())),
        ]),
    )])
}

fn coding(members: Vec<(&str, Value)>) -> Value {
    object(vec![(
        "entityCodeableConcept",
        object(vec![("coding", Value::Array(vec![object(members)]))]),
    )])
}

/// One `$contract-price` asset setting `net` (or, without, the service alone) at `key` of
/// `payor`'s contract: the shape of the documents' request samples.
pub fn asset_json(payor: &PayorRef, key: &PriceKey, net: Option<Decimal>, is_estv: bool) -> Value {
    let mut context = vec![reference(
        format!("Payor/{}-{}", payor.kind.code(), payor.id),
        "Payor",
    )];
    if let Some(l) = &key.location {
        context.push(reference(format!("Location/{l}"), "Location"));
    }
    if let Some(p) = &key.practitioner {
        context.push(reference(format!("Practitioner/{p}"), "Practitioner"));
    }
    let text = |s: &str| Value::String(s.to_string());
    let mut items = vec![coding(vec![
        ("system", text(&key.service.scheme)),
        ("code", text(&key.service.code)),
    ])];
    if let Some(p) = &key.procedure {
        items.push(coding(vec![
            ("system", text(PROCEDURE_SYSTEM)),
            ("code", text(&p.code)),
            ("display", text(&p.scheme)),
        ]));
    }
    if let Some(n) = net {
        items.push(object(vec![(
            "net",
            object(vec![("value", money_json(n))]),
        )]));
    }
    let kind = if key.practitioner.is_some() {
        "Practitioner_BeSpoke"
    } else {
        "PriceGroupAssignment"
    };
    object(vec![
        (
            "type",
            Value::Array(vec![object(vec![(
                "coding",
                Value::Array(vec![object(vec![("code", text(kind))])]),
            )])]),
        ),
        ("context", Value::Array(context)),
        ("valuedItem", Value::Array(items)),
        (
            "extension",
            Value::Array(vec![object(vec![
                ("url", Value::String(format!("{EXTENSION_BASE}isESTV"))),
                ("valueString", text(if is_estv { "Y" } else { "N" })),
            ])]),
        ),
    ])
}

/// A `$contract-price` body for `site` with `assets` (the API takes at most 100 a request).
pub fn contract_price_body(site: &str, assets: Vec<Value>) -> Value {
    object(vec![
        ("resourceType", Value::String("Contract".into())),
        (
            "subject",
            Value::Array(vec![object(vec![(
                "reference",
                Value::String(format!("Site/{site}")),
            )])]),
        ),
        (
            "term",
            Value::Array(vec![object(vec![("asset", Value::Array(assets))])]),
        ),
    ])
}

/// The column an API write's error is about, from where it points.
fn field_of(o: &OperationOutcome) -> &'static str {
    let Some(issue) = o.first_error() else {
        return "line";
    };
    let at = format!("{} {}", issue.expression.join(" "), issue.diagnostics);
    if at.contains(".net") {
        "price"
    } else if at.contains("Payor") || at.contains("context") {
        "payor"
    } else if at.contains("valuedItem[1]") {
        "procedure"
    } else if at.contains("valuedItem") {
        "service"
    } else {
        "line"
    }
}

/// The rejection of a line the API's write refused. A fee above the tariff's maximum says
/// so with both amounts before the tariff's own reject message.
fn refusal(book: &ContractBook, p: &PriceLine, o: &OperationOutcome) -> Rejection {
    let field = field_of(o);
    let reason = diagnostic(o);
    let (code_type, code) = match &p.key.procedure {
        Some(c) => (CodeType::Procedure, c.code.as_str()),
        None => (CodeType::Service, p.key.service.code.as_str()),
    };
    let maximum = book
        .tariff_for(&p.payor.id, code_type, code, p.key.practitioner.as_deref())
        .and_then(|t| t.maximum_price)
        .filter(|max| field == "price" && p.net > *max);
    match maximum {
        Some(max) => Rejection::new(
            p.line,
            field,
            format!(
                "Field 'price' {} is above the maximum {} of payor {}'s tariff for {code}: {reason}",
                money_string(p.net),
                money_string(max),
                p.payor.id
            ),
        ),
        None => Rejection::new(p.line, field, reason),
    }
}

/// Judges every line against `before` (the site's current partial book) and works out what
/// importing them in `mode` would change, prices stamped with `now`. `progress` is called
/// with the number of lines done.
pub fn plan_import(
    before: ContractBook,
    lines: Lines,
    mode: Mode,
    now: &str,
    mut progress: impl FnMut(usize),
) -> ImportPlan {
    let site = before.site().to_string();
    let mut after = before.clone();
    let mut plan = ImportPlan {
        site: site.clone(),
        mode,
        now: now.to_string(),
        lines: lines.len(),
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
        unchanged: 0,
        rejected: Vec::new(),
        warnings: Vec::new(),
        before: ContractBook::new(site.clone()),
        after: ContractBook::new(site.clone()),
    };
    // Every key a line names (rejected or not) and the line that named it first.
    let mut seen: HashMap<PriceKey, usize> = HashMap::with_capacity(lines.len());
    let mut named_contracts: BTreeSet<String> = BTreeSet::new();
    for (done, read) in lines.into_iter().enumerate() {
        if done % 1024 == 0 {
            progress(done);
        }
        let l = match read {
            Ok(l) => l,
            Err(r) => {
                plan.rejected.push(r);
                continue;
            }
        };
        // The key first: a price named twice is an error on the later line, and in replace
        // mode a key named by a rejected line is not taken for one the file leaves out.
        let (payor, key) = match line_key(&before, &l) {
            Ok(k) => k,
            Err(r) => {
                plan.rejected.push(r);
                continue;
            }
        };
        named_contracts.insert(key.contract.clone());
        if let Some(first) = seen.get(&key) {
            plan.rejected.push(Rejection::new(
                l.line,
                "key",
                format!(
                    "the same price ({}) is already on line {first}",
                    describe(&payor, &key)
                ),
            ));
            continue;
        }
        seen.insert(key.clone(), l.line);
        let p = match line_values(&l) {
            Ok((net, is_estv)) => PriceLine {
                line: l.line,
                payor,
                key,
                net,
                is_estv,
            },
            Err(r) => {
                plan.rejected.push(r);
                continue;
            }
        };
        let body = contract_price_body(
            &site,
            vec![asset_json(&p.payor, &p.key, Some(p.net), p.is_estv)],
        );
        match after.apply_contract_price(&body, Some(now)) {
            Err(o) => plan.rejected.push(refusal(&before, &p, &o)),
            Ok(write) => {
                for w in &write.warnings.issues {
                    plan.warnings.push(Warning {
                        line: p.line,
                        field: "price".into(),
                        message: w.diagnostics.clone(),
                    });
                }
                let old = before.price(&p.key).cloned();
                let new = after.price(&p.key).cloned();
                match old {
                    Some(o) if o.net == Some(p.net) && o.is_estv == p.is_estv => {
                        // Same fee: the stored row stays as it is (no rewrite, no new time).
                        let _ = after.set_price(p.key.clone(), o);
                        plan.unchanged += 1;
                    }
                    old => {
                        let entry = Entry {
                            line: Some(p.line),
                            payor: p.payor.clone(),
                            key: p.key.clone(),
                            old: old.clone(),
                            new,
                        };
                        if old.is_some() {
                            plan.changed.push(entry);
                        } else {
                            plan.added.push(entry);
                        }
                    }
                }
            }
        }
    }
    if mode == Mode::Replace {
        for (k, old) in before.prices() {
            if !named_contracts.contains(&k.contract) || seen.contains_key(k) {
                continue;
            }
            let Some(c) = before.payor_contract_by_id(&k.contract) else {
                continue;
            };
            after.delete_price(k);
            plan.removed.push(Entry {
                line: None,
                payor: c.payor.clone(),
                key: k.clone(),
                old: Some(old.clone()),
                new: None,
            });
        }
    }
    plan.rejected.sort_by_key(|r| r.line);
    plan.before = before;
    plan.after = after;
    plan
}

/// `bup ISC/C0000010 CCSD/A3000 at HP002694` / `… for SP046728`: a price in words.
pub fn describe(payor: &PayorRef, key: &PriceKey) -> String {
    let mut s = format!("{} {}", payor.id, key.service.key());
    if let Some(p) = &key.procedure {
        s.push(' ');
        s.push_str(&p.key());
    }
    if let Some(l) = &key.location {
        s.push_str(" at ");
        s.push_str(l);
    }
    if let Some(p) = &key.practitioner {
        s.push_str(" for ");
        s.push_str(p);
    }
    s
}

fn fee(p: Option<&Price>) -> String {
    match p.and_then(|p| p.net) {
        Some(n) => money_string(n),
        None => "(no fee)".into(),
    }
}

fn estv(p: &Price) -> &'static str {
    if p.is_estv {
        "Y"
    } else {
        "N"
    }
}

fn entry_json(e: &Entry) -> Value {
    let mut v = json!({
        "payor": e.payor.id,
        "contract": e.key.contract,
        "service": e.key.service.key(),
    });
    if let Value::Object(m) = &mut v {
        if let Some(l) = e.line {
            m.insert("line".into(), json!(l));
        }
        if let Some(p) = &e.key.procedure {
            m.insert("procedure".into(), json!(p.key()));
        }
        if let Some(l) = &e.key.location {
            m.insert("location".into(), json!(l));
        }
        if let Some(p) = &e.key.practitioner {
            m.insert("practitioner".into(), json!(p));
        }
        let side = |p: &Price| json!({"price": p.net.map(money_string), "isESTV": estv(p)});
        if let Some(o) = &e.old {
            m.insert("old".into(), side(o));
        }
        if let Some(n) = &e.new {
            m.insert("new".into(), side(n));
        }
    }
    v
}

/// The report of a plan (`--report`): the summary counts and every entry, rejection and
/// warning.
pub fn report_json(plan: &ImportPlan, dry_run: bool) -> Value {
    json!({
        "site": plan.site,
        "mode": plan.mode.name(),
        "dryRun": dry_run,
        "now": plan.now,
        "lines": plan.lines,
        "written": !dry_run && plan.is_clean(),
        "summary": {
            "added": plan.added.len(),
            "changed": plan.changed.len(),
            "removed": plan.removed.len(),
            "unchanged": plan.unchanged,
            "rejected": plan.rejected.len(),
            "warnings": plan.warnings.len(),
        },
        "added": plan.added.iter().map(entry_json).collect::<Vec<_>>(),
        "changed": plan.changed.iter().map(entry_json).collect::<Vec<_>>(),
        "removed": plan.removed.iter().map(entry_json).collect::<Vec<_>>(),
        "rejected": plan.rejected,
        "warnings": plan.warnings.iter().map(|w| json!({"line": w.line, "field": w.field, "message": w.message})).collect::<Vec<_>>(),
    })
}

/// The most entries of each list the text summary shows (the report has them all).
pub const SUMMARY_LISTED: usize = 200;

/// The most rejected lines the text summary shows: every one, up to a sane screenful.
pub const REJECTED_LISTED: usize = 1000;

/// The text summary of a plan: the counts, then the changes (old → new fee), removals,
/// rejected lines (number, field, reason) and warnings, each list cut at `listed`.
pub fn summary_text(plan: &ImportPlan, dry_run: bool, listed: usize) -> String {
    let mut out = format!(
        "prices import into {} ({}{}): {} lines\n  added     {:>8}\n  changed   {:>8}\n  removed   {:>8}\n  unchanged {:>8}\n  rejected  {:>8}\n",
        plan.site,
        plan.mode.name(),
        if dry_run { ", dry run" } else { "" },
        plan.lines,
        plan.added.len(),
        plan.changed.len(),
        plan.removed.len(),
        plan.unchanged,
        plan.rejected.len(),
    );
    let more = |out: &mut String, total: usize, shown: usize| {
        if total > shown {
            out.push_str(&format!(
                "  … and {} more (--report lists every one)\n",
                total - shown
            ));
        }
    };
    if !plan.changed.is_empty() {
        out.push_str("changed:\n");
        for e in plan.changed.iter().take(listed) {
            let (o, n) = (e.old.as_ref(), e.new.as_ref());
            let mut flag = String::new();
            if let (Some(o), Some(n)) = (o, n) {
                if o.is_estv != n.is_estv {
                    flag = format!(" (isESTV {} → {})", estv(o), estv(n));
                }
            }
            out.push_str(&format!(
                "  line {}: {}: {} → {}{flag}\n",
                e.line.unwrap_or(0),
                describe(&e.payor, &e.key),
                fee(o),
                fee(n)
            ));
        }
        more(&mut out, plan.changed.len(), listed);
    }
    if !plan.removed.is_empty() {
        out.push_str("removed:\n");
        for e in plan.removed.iter().take(listed) {
            out.push_str(&format!(
                "  {}: {}\n",
                describe(&e.payor, &e.key),
                fee(e.old.as_ref())
            ));
        }
        more(&mut out, plan.removed.len(), listed);
    }
    if !plan.rejected.is_empty() {
        out.push_str("rejected:\n");
        let shown = listed.max(REJECTED_LISTED);
        for r in plan.rejected.iter().take(shown) {
            out.push_str(&format!("  line {} ({}): {}\n", r.line, r.field, r.reason));
        }
        more(&mut out, plan.rejected.len(), shown);
    }
    if !plan.warnings.is_empty() {
        out.push_str("warnings (accepted):\n");
        for w in plan.warnings.iter().take(listed) {
            out.push_str(&format!("  line {} ({}): {}\n", w.line, w.field, w.message));
        }
        more(&mut out, plan.warnings.len(), listed);
    }
    out
}
