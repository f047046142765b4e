//! The compact JSON snapshot of a [`ContractBook`]: what the worker caches in KV and what
//! `data/seed-contracts.json` holds. Money is written as strings with 2 places so that any
//! JSON reader keeps it exact; numbers are accepted on the way in. Unknown fields are refused.
//!
//! ```json
//! {"format": "practice-fhir/contract-book", "version": 1, "site": "HC00HM4",
//!  "practitioners": ["SP046728"],
//!  "payors": [{"id": "0000039001", "payor": "bup", "type": "I", "display": "BUPA",
//!              "multiProcSet": "0000011460", "listCode": "I"}],
//!  "selfPay": [{"id": "0000036290", "practitioner": "SP046728"}],
//!  "prices": [{"contract": "0000039001", "service": "ISC/C0000010", "procedure": "CCSD/A3000",
//!              "location": "HP002694", "practitioner": null, "net": "232.00", "isESTV": true,
//!              "serviceDisplay": "…", "procedureDisplay": "…", "lastUpdated": "2026-11-23T20:00:00Z"}],
//!  "multiProcSets": [{"id": "0000011460", "description": "…", "editable": false, "payor": "bup",
//!                     "default": true, "records": [["02", "1", "125", "HIGHEST"], ["06", "1", "0"]]}],
//!  "tariffs": [{"payor": "slh", "codeType": "P", "code": "W3712", "practitioner": "SP046728",
//!               "display": "…", "narrativeMessage": "…", "warningMessage": "…", "rejectMessage": "…",
//!               "optionMessage": "…", "lowPrice": "650.00", "medianPrice": "700.00",
//!               "highPrice": "850.00", "maximumPrice": "1000.00"}]}
//! ```
//!
//! Only `site` is required; every list defaults to empty and optional fields may be omitted.
//! A price's level follows from its fields: a `selfPay` contract → SELF_PAY; a `practitioner`
//! under a payor contract → bespoke; a `location` → location fee schedule; else site-wide.
//! A price without `net` is a service set without a fee.

use std::fmt;

use serde_json::Value;

use super::book::{ContractBook, PayorContract, Price, PriceKey, SelfPayList};
use super::codes::{Code, PayorKind, PayorRef};
use super::multiproc::MultiProcSet;
use super::resources::value_of;
use super::rows::{record_from_row, record_to_row};
use super::tariff::{CodeType, Tariff, TariffKey};
use crate::json::{self, Json, Out, Reader};
use crate::money::{money_string, parse_money};
use crate::outcome::{IssueCode, OperationOutcome};

/// The `format` marker of a snapshot.
pub const SNAPSHOT_FORMAT: &str = "practice-fhir/contract-book";
/// The snapshot version this code writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

struct Snapshot {
    format: Option<String>,
    version: Option<u32>,
    site: String,
    practitioners: Vec<String>,
    payors: Vec<SnapPayor>,
    self_pay: Vec<SnapSelfPay>,
    prices: Vec<SnapPrice>,
    multi_proc_sets: Vec<SnapSet>,
    tariffs: Vec<SnapTariff>,
    /// What a slice since a time says went (merged by [`ContractBook::merge_snapshot_json`]).
    removed: Vec<SnapRemoved>,
}

struct SnapRemoved {
    kind: String,
    key: Value,
}

struct SnapPayor {
    id: String,
    payor: String,
    kind: String,
    display: Option<String>,
    multi_proc_set: Option<String>,
    list_code: Option<String>,
}

struct SnapSelfPay {
    id: String,
    practitioner: String,
}

struct SnapPrice {
    contract: String,
    service: String,
    procedure: Option<String>,
    location: Option<String>,
    practitioner: Option<String>,
    net: Option<String>,
    is_estv: bool,
    service_display: Option<String>,
    procedure_display: Option<String>,
    last_updated: Option<String>,
}

struct SnapSet {
    id: String,
    description: String,
    editable: bool,
    payor: Option<String>,
    default: bool,
    /// `[calcGroup, procNumber, percentage, valueOf?]`, e.g. `["02", "1", "125", "HIGHEST"]`.
    records: Vec<Vec<String>>,
}

struct SnapTariff {
    payor: String,
    code_type: String,
    code: String,
    practitioner: Option<String>,
    display: Option<String>,
    narrative_message: Option<String>,
    warning_message: Option<String>,
    reject_message: Option<String>,
    option_message: Option<String>,
    low_price: Option<String>,
    median_price: Option<String>,
    high_price: Option<String>,
    maximum_price: Option<String>,
}

fn write_payor(o: &mut Out, c: &PayorContract) {
    o.open()
        .member("id", &c.id)
        .member("payor", &c.payor.id)
        .member("type", c.payor.kind.code());
    opt(o, "display", c.display.as_deref());
    opt(o, "multiProcSet", c.multi_proc_set.as_deref());
    opt(o, "listCode", c.list_code.as_deref());
    o.close();
}

fn write_set(o: &mut Out, s: &MultiProcSet) {
    o.open()
        .member("id", &s.id)
        .member("description", &s.description);
    flag(o, "editable", s.editable);
    opt(o, "payor", s.payor.as_deref());
    flag(o, "default", s.is_default);
    o.open_list_member("records");
    for r in &s.rules {
        o.open_list();
        for field in record_to_row(r) {
            o.str(&field);
        }
        o.close_list();
    }
    o.close_list().close();
}

/// A member written only when it has a value.
fn opt(o: &mut Out, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        o.member(name, v);
    }
}

/// A flag written only when true.
fn flag(o: &mut Out, name: &str, value: bool) {
    if value {
        o.key(name).raw("true");
    }
}

/// A money member written (as a string with 2 places) only when it has a value.
fn money(o: &mut Out, name: &str, value: Option<rust_decimal::Decimal>) {
    if let Some(d) = value {
        o.member(name, &money_string(d));
    }
}

/// A payor contract as the snapshot writes it (audit fragments).
pub(crate) fn payor_fragment(c: &PayorContract) -> Value {
    let mut o = Out::new();
    write_payor(&mut o, c);
    value_of(&o.finish())
}

/// A multi-procedure set as the snapshot writes it (audit fragments).
pub(crate) fn set_fragment(s: &MultiProcSet) -> Value {
    let mut o = Out::new();
    write_set(&mut o, s);
    value_of(&o.finish())
}

fn json_error(e: json::JsonError) -> OperationOutcome {
    cant_parse(e)
}

/// Reads one snapshot text, streaming: each row is read and checked as it comes, so a
/// 100,000-price book never exists as a JSON tree.
fn read_snapshot_text(text: &str) -> Result<Snapshot, OperationOutcome> {
    let mut r = Reader::new(text);
    let snap = read_snapshot(&mut r)?;
    r.end().map_err(json_error)?;
    Ok(snap)
}

/// Where an object is: the snapshot itself or an item of a list (`prices[3]`), written out
/// only for a diagnostic (a 100,000-price book has 100,000 of them).
#[derive(Clone, Copy)]
enum At<'p> {
    Root,
    Item(&'p str, usize),
}

impl At<'_> {
    fn path(self, name: &str) -> String {
        match self {
            At::Root => name.to_string(),
            At::Item(list, i) => format!("{list}[{i}].{name}"),
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => f.write_str("the snapshot"),
            At::Item(list, i) => write!(f, "{list}[{i}]"),
        }
    }
}

/// Enters the object that comes next; anything else is refused, saying what it is.
fn enter_object(r: &mut Reader, at: At) -> Result<(), OperationOutcome> {
    if r.peek_value() == Some(b'{') {
        return r.begin_object().map_err(json_error);
    }
    let other = r.value().map_err(json_error)?;
    Err(cant_parse(format_args!(
        "{at} must be an object, not {}",
        other.kind()
    )))
}

/// The next member's place in `known`, or `None` at the end of the object; a member that is
/// not known, or given twice, is refused (`seen` has a bit per known member).
fn next_member(
    r: &mut Reader,
    known: &[&str],
    at: At,
    seen: &mut u32,
) -> Result<Option<usize>, OperationOutcome> {
    let Some(key) = r.next_key().map_err(json_error)? else {
        return Ok(None);
    };
    match place(known, &key, (u32::BITS - seen.leading_zeros()) as usize) {
        None => Err(cant_parse(format_args!(
            "unknown member {} (known: {})",
            at.path(&key),
            known.join(", ")
        ))),
        Some(i) if *seen & (1 << i) != 0 => {
            Err(cant_parse(format_args!("{} is given twice", at.path(&key))))
        }
        Some(i) => {
            *seen |= 1 << i;
            Ok(Some(i))
        }
    }
}

/// `name`'s place in `known`, looked for from `hint` on first (then before it): members
/// usually come in the order the snapshot writes them, which is the order of `known`.
fn place(known: &[&str], name: &str, hint: usize) -> Option<usize> {
    let (before, after) = known.split_at(hint.min(known.len()));
    match after.iter().position(|k| *k == name) {
        Some(i) => Some(hint + i),
        None => before.iter().position(|k| *k == name),
    }
}

/// The most members any snapshot object knows (a tariff's 13).
const MAX_MEMBERS: usize = 13;

/// One object of the snapshot, read: its members' values by their place in `known`, taken
/// by name.
///
/// The snapshot is read by these few non-generic functions over [`crate::json::Reader`]
/// rather than by a derived serde visitor per row type: that keeps the npm package's fees
/// entry small (docs/benchmarks.md), and lets every diagnostic name the member's path
/// (`prices[3].net`).
struct Members<'a, 'p> {
    slots: [Option<Json<'a>>; MAX_MEMBERS],
    known: &'static [&'static str],
    at: At<'p>,
    /// Where the next `take` looks first (readers take members in `known` order).
    next: usize,
}

impl<'a, 'p> Members<'a, 'p> {
    /// Reads the object that comes next, whose members must all be among `known`.
    #[inline(never)]
    fn read(
        r: &mut Reader<'a>,
        at: At<'p>,
        known: &'static [&'static str],
    ) -> Result<Members<'a, 'p>, OperationOutcome> {
        enter_object(r, at)?;
        let mut m = Members {
            slots: Default::default(),
            known,
            at,
            next: 0,
        };
        let mut seen = 0;
        while let Some(i) = next_member(r, known, at, &mut seen)? {
            let value = r.value().map_err(json_error)?;
            if let Some(slot) = m.slots.get_mut(i) {
                *slot = Some(value);
            }
        }
        Ok(m)
    }

    fn path(&self, name: &str) -> String {
        self.at.path(name)
    }

    fn wrong(&self, name: &str, expected: &str, got: &Json) -> OperationOutcome {
        cant_parse(format_args!(
            "{} must be {expected}, not {}",
            self.path(name),
            got.kind()
        ))
    }

    /// An optional member: absent and `null` are `None`.
    fn take(&mut self, name: &str) -> Option<Json<'a>> {
        let i = place(self.known, name, self.next)?;
        self.next = i + 1;
        self.slots.get_mut(i)?.take().filter(|v| *v != Json::Null)
    }

    #[inline(never)]
    fn opt_str(&mut self, name: &str) -> Result<Option<String>, OperationOutcome> {
        match self.take(name) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.into_owned())),
            Some(other) => Err(self.wrong(name, "a string", &other)),
        }
    }

    #[inline(never)]
    fn str(&mut self, name: &str) -> Result<String, OperationOutcome> {
        self.opt_str(name)?
            .ok_or_else(|| cant_parse(format_args!("{} is missing", self.path(name))))
    }

    #[inline(never)]
    fn flag(&mut self, name: &str) -> Result<bool, OperationOutcome> {
        match self.take(name) {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(b),
            Some(other) => Err(self.wrong(name, "true or false", &other)),
        }
    }

    /// A money member's text (a string or a number; `parse_money` reads it).
    #[inline(never)]
    fn money(&mut self, name: &str) -> Result<Option<String>, OperationOutcome> {
        match self.take(name) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.into_owned())),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.wrong(name, "a string or a number", &other)),
        }
    }

    /// A list of strings; absent is empty.
    #[inline(never)]
    fn strings(&mut self, name: &str) -> Result<Vec<String>, OperationOutcome> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(v) => strings(&self.path(name), v),
        }
    }
}

/// An array of strings (`at` names it).
fn strings(at: &str, v: Json) -> Result<Vec<String>, OperationOutcome> {
    let Json::Array(items) = v else {
        return Err(cant_parse(format_args!(
            "{at} must be an array, not {}",
            v.kind()
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Json::String(s) => Ok(s.into_owned()),
            other => Err(cant_parse(format_args!(
                "{at}[{i}] must be a string, not {}",
                other.kind()
            ))),
        })
        .collect()
}

/// The rows of the list member `list` (its value comes next), each handed to `each` as it
/// is parsed; `null` is an empty list. (Not generic over the row type: one copy of this
/// loop serves every list.)
fn rows<'a>(
    r: &mut Reader<'a>,
    list: &str,
    known: &'static [&'static str],
    each: &mut dyn FnMut(&mut Members<'a, '_>) -> Result<(), OperationOutcome>,
) -> Result<(), OperationOutcome> {
    if r.peek_value() != Some(b'[') {
        return match r.value().map_err(json_error)? {
            Json::Null => Ok(()),
            other => Err(cant_parse(format_args!(
                "{list} must be an array, not {}",
                other.kind()
            ))),
        };
    }
    r.begin_array().map_err(json_error)?;
    let mut i = 0;
    while r.next_item().map_err(json_error)? {
        each(&mut Members::read(r, At::Item(list, i), known)?)?;
        i += 1;
    }
    Ok(())
}

const SNAPSHOT_MEMBERS: &[&str] = &[
    "format",
    "version",
    "site",
    "practitioners",
    "payors",
    "selfPay",
    "prices",
    "multiProcSets",
    "tariffs",
    "slice",
    "removed",
];

fn read_snapshot(r: &mut Reader) -> Result<Snapshot, OperationOutcome> {
    enter_object(r, At::Root)?;
    let mut head = Members {
        slots: Default::default(),
        known: SNAPSHOT_MEMBERS,
        at: At::Root,
        next: 0,
    };
    let (mut payors, mut self_pay, mut prices) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sets, mut tariffs, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = 0;
    while let Some(i) = next_member(r, SNAPSHOT_MEMBERS, At::Root, &mut seen)? {
        match SNAPSHOT_MEMBERS.get(i).copied().unwrap_or_default() {
            "payors" => rows(r, "payors", PAYOR_MEMBERS, &mut |m| {
                payors.push(read_payor(m)?);
                Ok(())
            })?,
            "selfPay" => rows(r, "selfPay", SELF_PAY_MEMBERS, &mut |m| {
                self_pay.push(read_self_pay(m)?);
                Ok(())
            })?,
            "prices" => rows(r, "prices", PRICE_MEMBERS, &mut |m| {
                prices.push(read_price(m)?);
                Ok(())
            })?,
            "multiProcSets" => rows(r, "multiProcSets", SET_MEMBERS, &mut |m| {
                sets.push(read_set(m)?);
                Ok(())
            })?,
            "tariffs" => rows(r, "tariffs", TARIFF_MEMBERS, &mut |m| {
                tariffs.push(read_tariff(m)?);
                Ok(())
            })?,
            "removed" => rows(r, "removed", REMOVED_MEMBERS, &mut |m| {
                removed.push(read_removed(m)?);
                Ok(())
            })?,
            // The small members, whole; a slice's description is for the reader of the text
            // and the book ignores it.
            _ => {
                let value = r.value().map_err(json_error)?;
                if let Some(slot) = head.slots.get_mut(i) {
                    *slot = Some(value);
                }
            }
        }
    }
    let version = match head.take("version") {
        None => None,
        Some(Json::Number(n)) => Some(
            n.parse::<u32>()
                .map_err(|_| cant_parse(format_args!("version must be a whole number, not {n}")))?,
        ),
        Some(other) => return Err(head.wrong("version", "a whole number", &other)),
    };
    Ok(Snapshot {
        format: head.opt_str("format")?,
        version,
        site: head.str("site")?,
        practitioners: head.strings("practitioners")?,
        payors,
        self_pay,
        prices,
        multi_proc_sets: sets,
        tariffs,
        removed,
    })
}

const PAYOR_MEMBERS: &[&str] = &["id", "payor", "type", "display", "multiProcSet", "listCode"];

fn read_payor(m: &mut Members) -> Result<SnapPayor, OperationOutcome> {
    Ok(SnapPayor {
        id: m.str("id")?,
        payor: m.str("payor")?,
        kind: m.str("type")?,
        display: m.opt_str("display")?,
        multi_proc_set: m.opt_str("multiProcSet")?,
        list_code: m.opt_str("listCode")?,
    })
}

const SELF_PAY_MEMBERS: &[&str] = &["id", "practitioner"];

fn read_self_pay(m: &mut Members) -> Result<SnapSelfPay, OperationOutcome> {
    Ok(SnapSelfPay {
        id: m.str("id")?,
        practitioner: m.str("practitioner")?,
    })
}

const PRICE_MEMBERS: &[&str] = &[
    "contract",
    "service",
    "procedure",
    "location",
    "practitioner",
    "net",
    "isESTV",
    "serviceDisplay",
    "procedureDisplay",
    "lastUpdated",
];

fn read_price(m: &mut Members) -> Result<SnapPrice, OperationOutcome> {
    Ok(SnapPrice {
        contract: m.str("contract")?,
        service: m.str("service")?,
        procedure: m.opt_str("procedure")?,
        location: m.opt_str("location")?,
        practitioner: m.opt_str("practitioner")?,
        net: m.money("net")?,
        is_estv: m.flag("isESTV")?,
        service_display: m.opt_str("serviceDisplay")?,
        procedure_display: m.opt_str("procedureDisplay")?,
        last_updated: m.opt_str("lastUpdated")?,
    })
}

const SET_MEMBERS: &[&str] = &[
    "id",
    "description",
    "editable",
    "payor",
    "default",
    "records",
];

fn read_set(m: &mut Members) -> Result<SnapSet, OperationOutcome> {
    let id = m.str("id")?;
    let description = m.opt_str("description")?.unwrap_or_default();
    let editable = m.flag("editable")?;
    let payor = m.opt_str("payor")?;
    let default = m.flag("default")?;
    let mut records = Vec::new();
    if let Some(rows) = m.take("records") {
        let at = m.path("records");
        let Json::Array(rows) = rows else {
            return Err(m.wrong("records", "an array", &rows));
        };
        for (i, row) in rows.into_iter().enumerate() {
            records.push(strings(&format!("{at}[{i}]"), row)?);
        }
    }
    Ok(SnapSet {
        id,
        description,
        editable,
        payor,
        default,
        records,
    })
}

const TARIFF_MEMBERS: &[&str] = &[
    "payor",
    "codeType",
    "code",
    "practitioner",
    "display",
    "narrativeMessage",
    "warningMessage",
    "rejectMessage",
    "optionMessage",
    "lowPrice",
    "medianPrice",
    "highPrice",
    "maximumPrice",
];

fn read_tariff(m: &mut Members) -> Result<SnapTariff, OperationOutcome> {
    Ok(SnapTariff {
        payor: m.str("payor")?,
        code_type: m.str("codeType")?,
        code: m.str("code")?,
        practitioner: m.opt_str("practitioner")?,
        display: m.opt_str("display")?,
        narrative_message: m.opt_str("narrativeMessage")?,
        warning_message: m.opt_str("warningMessage")?,
        reject_message: m.opt_str("rejectMessage")?,
        option_message: m.opt_str("optionMessage")?,
        low_price: m.money("lowPrice")?,
        median_price: m.money("medianPrice")?,
        high_price: m.money("highPrice")?,
        maximum_price: m.money("maximumPrice")?,
    })
}

const REMOVED_MEMBERS: &[&str] = &["kind", "key", "at"];

fn read_removed(m: &mut Members) -> Result<SnapRemoved, OperationOutcome> {
    let kind = m.str("kind")?;
    let key = match m.take("key") {
        None => return Err(cant_parse(format_args!("{} is missing", m.path("key")))),
        // A removed entity's key is its string members (`contract`, `service`, …).
        Some(Json::Object(fields)) => Value::Object(
            fields
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Json::String(s) => Some((k.into_owned(), Value::String(s.into_owned()))),
                    _ => None,
                })
                .collect(),
        ),
        Some(other) => return Err(m.wrong("key", "an object", &other)),
    };
    // When it went: checked, not needed to merge.
    m.opt_str("at")?;
    Ok(SnapRemoved { kind, key })
}

fn cant_parse(e: impl std::fmt::Display) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::CantParseContent,
        format!("Contract book snapshot: {e}."),
    )
}

impl ContractBook {
    /// Reads one site's book from its snapshot (every entry validated as a write would be).
    pub fn from_snapshot_json(json: &str) -> Result<ContractBook, OperationOutcome> {
        ContractBook::from_snapshot(read_snapshot_text(json)?)
    }

    /// Reads a set of books: a JSON array of snapshots, or a single snapshot.
    pub fn many_from_snapshot_json(json: &str) -> Result<Vec<ContractBook>, OperationOutcome> {
        let mut r = Reader::new(json);
        if r.peek_value() != Some(b'[') {
            return Ok(vec![ContractBook::from_snapshot_json(json)?]);
        }
        r.begin_array().map_err(json_error)?;
        let mut books = Vec::new();
        while r.next_item().map_err(json_error)? {
            books.push(ContractBook::from_snapshot(read_snapshot(&mut r)?)?);
        }
        r.end().map_err(json_error)?;
        Ok(books)
    }

    fn from_snapshot(mut snap: Snapshot) -> Result<ContractBook, OperationOutcome> {
        if let Some(f) = snap.format.as_deref().filter(|f| *f != SNAPSHOT_FORMAT) {
            return Err(cant_parse(format_args!("unknown format '{f}'")));
        }
        if let Some(v) = snap.version.filter(|v| *v != SNAPSHOT_VERSION) {
            return Err(cant_parse(format_args!("unsupported version {v}")));
        }
        // A slice's tombstones only mean something when merged into a book.
        snap.removed.clear();
        let mut book = ContractBook::new(snap.site);
        for p in snap.practitioners {
            book.add_practitioner(p);
        }
        for p in snap.payors {
            book.add_payor(PayorContract {
                id: p.id,
                payor: PayorRef {
                    kind: PayorKind::parse("payors.type", &p.kind)?,
                    id: p.payor,
                },
                display: p.display,
                multi_proc_set: p.multi_proc_set,
                list_code: p.list_code,
            })?;
        }
        for s in snap.self_pay {
            book.add_self_pay_list(SelfPayList {
                id: s.id,
                practitioner: s.practitioner,
            })?;
        }
        for p in snap.prices {
            let key = PriceKey {
                contract: p.contract,
                service: Code::parse("prices.service", &p.service)?,
                procedure: p
                    .procedure
                    .map(|c| Code::parse("prices.procedure", &c))
                    .transpose()?,
                location: p.location,
                practitioner: p.practitioner,
            };
            let price = Price {
                net: p.net.map(|n| parse_money("prices.net", &n)).transpose()?,
                is_estv: p.is_estv,
                service_display: p.service_display,
                procedure_display: p.procedure_display,
                last_updated: p.last_updated,
            };
            book.set_price(key, price)?;
        }
        for s in snap.multi_proc_sets {
            let mut rules = Vec::with_capacity(s.records.len());
            for r in &s.records {
                rules.push(record_from_row(r)?);
            }
            book.set_multi_proc_set(MultiProcSet {
                id: s.id,
                description: s.description,
                editable: s.editable,
                payor: s.payor,
                is_default: s.default,
                rules,
            });
        }
        for t in snap.tariffs {
            let price =
                |name: &str, v: Option<String>| v.map(|v| parse_money(name, &v)).transpose();
            book.set_tariff(Tariff {
                key: TariffKey {
                    payor: t.payor,
                    code_type: CodeType::parse("tariffs.codeType", &t.code_type)?,
                    code: t.code,
                    practitioner: t.practitioner,
                },
                display: t.display,
                narrative_message: t.narrative_message,
                warning_message: t.warning_message,
                reject_message: t.reject_message,
                option_message: t.option_message,
                low_price: price("tariffs.lowPrice", t.low_price)?,
                median_price: price("tariffs.medianPrice", t.median_price)?,
                high_price: price("tariffs.highPrice", t.high_price)?,
                maximum_price: price("tariffs.maximumPrice", t.maximum_price)?,
            });
        }
        Ok(book)
    }

    /// Merges a slice (a snapshot of some of the site's payors, or what changed since a time)
    /// into this book: what the slice says went is removed, then everything it holds is
    /// added or replaced. Slices of several payors merge into one book that prices them all.
    pub fn merge_snapshot_json(&mut self, json: &str) -> Result<(), OperationOutcome> {
        let mut snap = read_snapshot_text(json)?;
        if snap.site != self.site {
            return Err(OperationOutcome::error(
                IssueCode::ParamInvalid,
                format!("The slice is of site '{}', not '{}'.", snap.site, self.site),
            ));
        }
        let removed = std::mem::take(&mut snap.removed);
        let incoming = ContractBook::from_snapshot(snap)?;
        for r in &removed {
            self.apply_removal(r)?;
        }
        for p in incoming.practitioners.keys() {
            self.add_practitioner(p.clone());
        }
        for c in &incoming.payors {
            self.add_payor(c.clone())?;
        }
        for s in &incoming.self_pay {
            self.add_self_pay_list(s.clone())?;
        }
        for (k, p) in &incoming.prices {
            self.set_price(k.clone(), p.clone())?;
        }
        for s in &incoming.multi_proc_sets {
            self.set_multi_proc_set(s.clone());
        }
        for t in incoming.tariffs.values() {
            self.set_tariff(t.clone());
        }
        Ok(())
    }

    fn apply_removal(&mut self, r: &SnapRemoved) -> Result<(), OperationOutcome> {
        let s = |name: &str| r.key.get(name).and_then(Value::as_str).map(str::to_string);
        match r.kind.as_str() {
            "payor" => {
                if let Some(p) = s("payor") {
                    let _ = self.delete_payor(&p);
                }
            }
            "price" => {
                let (Some(contract), Some(service)) = (s("contract"), s("service")) else {
                    return Err(cant_parse("removed price without contract and service"));
                };
                let key = PriceKey {
                    contract,
                    service: Code::parse("removed.service", &service)?,
                    procedure: s("procedure")
                        .map(|p| Code::parse("removed.procedure", &p))
                        .transpose()?,
                    location: s("location"),
                    practitioner: s("practitioner"),
                };
                self.delete_price(&key);
            }
            "selfPay" => {
                if let Some(id) = s("id") {
                    self.remove_self_pay_list(&id);
                }
            }
            "multiProcSet" => {
                if let Some(id) = s("id") {
                    self.remove_multi_proc_set(&id);
                }
            }
            "tariff" => {
                if let (Some(payor), Some(code_type), Some(code)) =
                    (s("payor"), s("codeType"), s("code"))
                {
                    self.delete_tariff(&TariffKey {
                        payor,
                        code_type: CodeType::parse("removed.codeType", &code_type)?,
                        code,
                        practitioner: s("practitioner"),
                    });
                }
            }
            other => return Err(cant_parse(format_args!("unknown removed kind '{other}'"))),
        }
        Ok(())
    }

    /// A slice as the API serves it: the partial book of `rows`, described by `slice`, with
    /// the tombstones among the rows as `removed`.
    pub fn slice_json(
        site: &str,
        rows: &super::rows::RowSet,
        slice: Value,
    ) -> Result<String, OperationOutcome> {
        let book = ContractBook::from_rows(site, rows)?;
        let mut o = Out::new();
        book.write_snapshot(&mut o, &mut |o| {
            o.key("slice").raw(&slice.to_string());
            if !rows.removed.is_empty() {
                o.open_list_member("removed");
                for r in &rows.removed {
                    o.open().member("kind", &r.kind).key("key");
                    // The key is JSON text the database holds; anything else is written as null.
                    match serde_json::from_str::<Value>(&r.key) {
                        Ok(key) => o.raw(&key.to_string()),
                        Err(_) => o.raw("null"),
                    };
                    o.member("at", &r.at).close();
                }
                o.close_list();
            }
        });
        Ok(o.finish())
    }

    /// Writes the book's snapshot (compact JSON, deterministic order).
    pub fn to_snapshot_json(&self) -> String {
        let mut o = Out::new();
        self.write_snapshot(&mut o, &mut |_| {});
        o.finish()
    }

    /// Writes the snapshot object; `tail` adds members at its end (a slice's own).
    fn write_snapshot(&self, o: &mut Out, tail: &mut dyn FnMut(&mut Out)) {
        o.open()
            .member("format", SNAPSHOT_FORMAT)
            .key("version")
            .number(&SNAPSHOT_VERSION.to_string())
            .member("site", &self.site);
        o.open_list_member("practitioners");
        for p in self.practitioners.keys() {
            o.str(p);
        }
        o.close_list().open_list_member("payors");
        for c in &self.payors {
            write_payor(o, c);
        }
        o.close_list().open_list_member("selfPay");
        for s in &self.self_pay {
            o.open()
                .member("id", &s.id)
                .member("practitioner", &s.practitioner)
                .close();
        }
        o.close_list().open_list_member("prices");
        for (k, p) in &self.prices {
            o.open()
                .member("contract", &k.contract)
                .member("service", &k.service.key());
            opt(
                o,
                "procedure",
                k.procedure.as_ref().map(Code::key).as_deref(),
            );
            opt(o, "location", k.location.as_deref());
            opt(o, "practitioner", k.practitioner.as_deref());
            money(o, "net", p.net);
            flag(o, "isESTV", p.is_estv);
            opt(o, "serviceDisplay", p.service_display.as_deref());
            opt(o, "procedureDisplay", p.procedure_display.as_deref());
            opt(o, "lastUpdated", p.last_updated.as_deref());
            o.close();
        }
        o.close_list().open_list_member("multiProcSets");
        for s in &self.multi_proc_sets {
            write_set(o, s);
        }
        o.close_list().open_list_member("tariffs");
        for t in self.tariffs.values() {
            o.open()
                .member("payor", &t.key.payor)
                .member("codeType", t.key.code_type.code())
                .member("code", &t.key.code);
            opt(o, "practitioner", t.key.practitioner.as_deref());
            opt(o, "display", t.display.as_deref());
            opt(o, "narrativeMessage", t.narrative_message.as_deref());
            opt(o, "warningMessage", t.warning_message.as_deref());
            opt(o, "rejectMessage", t.reject_message.as_deref());
            opt(o, "optionMessage", t.option_message.as_deref());
            money(o, "lowPrice", t.low_price);
            money(o, "medianPrice", t.median_price);
            money(o, "highPrice", t.high_price);
            money(o, "maximumPrice", t.maximum_price);
            o.close();
        }
        o.close_list();
        tail(o);
        o.close();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn code(json: &str) -> IssueCode {
        ContractBook::from_snapshot_json(json).unwrap_err().issues[0].code
    }

    #[test]
    fn bad_snapshots_are_refused_with_the_right_code() {
        assert_eq!(code("{"), IssueCode::CantParseContent);
        assert_eq!(
            code(r#"{"site":"S","colour":1}"#),
            IssueCode::CantParseContent
        );
        assert_eq!(
            code(r#"{"site":"S","version":2}"#),
            IssueCode::CantParseContent
        );
        let payor = r#""payors":[{"id":"1","payor":"bup","type":"I"}]"#;
        assert_eq!(
            code(&format!(
                r#"{{"site":"S",{payor},"prices":[{{"contract":"1","service":"ISC/X","net":"1.234"}}]}}"#
            )),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code(&format!(
                r#"{{"site":"S",{payor},"prices":[{{"contract":"1","service":"X","net":"1"}}]}}"#
            )),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code(&format!(
                r#"{{"site":"S",{payor},"prices":[{{"contract":"2","service":"ISC/X"}}]}}"#
            )),
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(
            code(r#"{"site":"S","payors":[{"id":"1","payor":"bup","type":"Z"}]}"#),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code(r#"{"site":"S","multiProcSets":[{"id":"M","records":[["02","1"]]}]}"#),
            IssueCode::InvalidFormat
        );
        assert_eq!(
            code(r#"{"site":"S","multiProcSets":[{"id":"M","records":[["02","1","-5"]]}]}"#),
            IssueCode::InvalidFormat
        );
    }

    fn diagnostics(json: &str) -> String {
        let outcome = ContractBook::from_snapshot_json(json).unwrap_err();
        outcome.issues[0].diagnostics.clone()
    }

    #[test]
    fn a_bad_member_is_named_by_its_path() {
        let cases = [
            (r#"[]"#, "the snapshot must be an object, not an array"),
            (r#"{"payors":[]}"#, "site is missing"),
            (r#"{"site":7}"#, "site must be a string, not a number"),
            (
                r#"{"site":"S","colour":1}"#,
                "unknown member colour (known: format, version, site, practitioners, payors, selfPay, prices, multiProcSets, tariffs, slice, removed)",
            ),
            (r#"{"site":"S","version":1.5}"#, "version must be a whole number, not 1.5"),
            (r#"{"site":"S","version":"1"}"#, "version must be a whole number, not a string"),
            (r#"{"site":"S","prices":{}}"#, "prices must be an array, not an object"),
            (r#"{"site":"S","practitioners":["A",2]}"#, "practitioners[1] must be a string, not a number"),
            (
                r#"{"site":"S","payors":[{"id":"1","payor":"bup","type":"I","x":1}]}"#,
                "unknown member payors[0].x (known: id, payor, type, display, multiProcSet, listCode)",
            ),
            (
                r#"{"site":"S","prices":[{"contract":"1","service":"ISC/X","net":true}]}"#,
                "prices[0].net must be a string or a number, not a boolean",
            ),
            (
                r#"{"site":"S","prices":[{"contract":"1","service":"ISC/X","isESTV":"yes"}]}"#,
                "prices[0].isESTV must be true or false, not a string",
            ),
            (
                r#"{"site":"S","multiProcSets":[{"id":"M","records":[["02",1,"100"]]}]}"#,
                "multiProcSets[0].records[0][1] must be a string, not a number",
            ),
            (r#"{"site":"S","removed":[{"kind":"payor"}]}"#, "removed[0].key is missing"),
            (r#"{"site":"S","removed":[{"kind":"payor","key":"bup"}]}"#, "removed[0].key must be an object, not a string"),
            (r#"{"site":"S","site":"T"}"#, "site is given twice"),
            (r#"{"site":"S""#, "EOF while parsing an object at line 1 column 11"),
        ];
        for (json, want) in cases {
            assert_eq!(
                diagnostics(json),
                format!("Contract book snapshot: {want}."),
                "{json}"
            );
        }
        // null is an absent optional member, as before.
        let json = r#"{"site":"S","format":null,"payors":[{"id":"1","payor":"bup","type":"I","display":null}],"prices":[{"contract":"1","service":"ISC/X","location":null,"net":null}]}"#;
        assert!(ContractBook::from_snapshot_json(json).is_ok());
    }

    #[test]
    fn numbers_are_accepted_for_money_and_written_as_strings() {
        let json = r#"{"site":"S","payors":[{"id":"1","payor":"bup","type":"I"}],"prices":[{"contract":"1","service":"ISC/X","net":12}]}"#;
        let book = ContractBook::from_snapshot_json(json).unwrap();
        assert!(book.to_snapshot_json().contains(r#""net":"12.00""#));
        let many = ContractBook::many_from_snapshot_json(&format!("[{json},{json}]")).unwrap();
        assert_eq!(many.len(), 2);
    }
}
