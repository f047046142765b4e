//! Contracts as rows (migrations/0006): the row types D1 returns, a partial [`ContractBook`]
//! built from the rows a request can touch, and the statements that turn one book into
//! another.
//!
//! Every contracts request follows one shape. The core compiles the queries that fetch the
//! rows that can apply ([`super::queries`]); the skin runs them (one D1 batch) and hands the
//! rows back; [`ContractBook::from_rows`] builds a *partial* book of exactly those rows; the
//! same book code the npm package runs answers. A partial book holds a subset of the site's
//! rows that contains every row the answer can read, so its answer is the whole book's.
//!
//! A write loads its partial book, applies the change with the book's own mutation
//! (`apply_contract_price`, `apply_payor_fhir`, …) to a copy, and [`diff`] turns the two into
//! the statements that change only those rows, with tombstones for what went and the audit
//! fragments before and after. The skin commits them in one batch behind guards
//! ([`guard_contract`]), so a write lands whole or not at all.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::book::{ContractBook, PayorContract, Price, PriceKey, SelfPayList};
use super::codes::{Code, PayorKind, PayorRef, SELF_PAY_PAYOR};
use super::multiproc::{MultiProcRule, MultiProcSet, ValueOf};
use super::snapshot::{payor_fragment, set_fragment};
use super::tariff::{CodeType, Tariff, TariffKey};
use crate::directory::{SqlValue, Statement, MAX_BOUND_PARAMS};
use crate::money::{money_string, parse_money};
use crate::outcome::{IssueCode, OperationOutcome};

/// The columns every payor query selects.
pub const PAYOR_COLS: &str =
    "payor, id, kind, display, multi_proc_set, list_code, seq, version, last_updated";
/// The columns every self-pay list query selects.
pub const SELF_PAY_COLS: &str = "id, practitioner, version, last_updated";
/// The columns every price query selects.
pub const PRICE_COLS: &str = "contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code, net, is_estv, service_display, procedure_display, last_updated";
/// The columns every multi-procedure set query selects.
pub const SET_COLS: &str =
    "id, description, editable, payor, is_default, records, seq, version, last_updated";
/// The columns every tariff query selects.
pub const TARIFF_COLS: &str = "payor, code_type, code, practitioner, display, narrative_message, warning_message, reject_message, option_message, low_price, median_price, high_price, maximum_price, last_updated";

/// What a query's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// [`PayorRow`]s.
    Payor,
    /// [`SelfPayRow`]s.
    SelfPay,
    /// `practitioner` rows.
    Practitioner,
    /// [`PriceRow`]s.
    Price,
    /// [`PriceRow`]s of one precedence step, kept apart per query (effective prices).
    Step,
    /// [`SetRow`]s.
    Set,
    /// [`TariffRow`]s.
    Tariff,
    /// [`RemovedRow`]s (tombstones).
    Removed,
    /// One row with a `tag` text (slice versions).
    Tag,
    /// One row with a count `n`.
    Count,
}

/// A statement and what its rows are.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// What the rows are.
    pub kind: RowKind,
    /// The statement.
    pub stmt: Statement,
}

impl Query {
    pub(crate) fn new(kind: RowKind, sql: impl Into<String>, params: Vec<SqlValue>) -> Query {
        Query {
            kind,
            stmt: Statement::new(sql, params),
        }
    }
}

/// D1 returns every number as a double; SQLite natively as an integer. Both deserialise.
fn int(v: f64) -> i64 {
    v as i64
}

/// A `contract_payor` row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PayorRow {
    /// Payor id (`bup`).
    pub payor: String,
    /// Contract id (provider group).
    pub id: String,
    /// `I` or `C`.
    pub kind: String,
    /// Payor name.
    pub display: Option<String>,
    /// The contract's own multi-procedure set.
    pub multi_proc_set: Option<String>,
    /// The listing's subType code.
    pub list_code: Option<String>,
    /// Listing order.
    pub seq: f64,
    /// Version (If-Match, ETag).
    pub version: f64,
    /// Last change.
    pub last_updated: String,
}

/// A `contract_self_pay` row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SelfPayRow {
    /// Contract id of the list.
    pub id: String,
    /// Its practitioner.
    pub practitioner: String,
    /// Version.
    pub version: f64,
    /// Last change.
    pub last_updated: String,
}

/// A `contract_price` row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PriceRow {
    /// Contract id.
    pub contract: String,
    /// Location or ''.
    pub location: String,
    /// Practitioner or ''.
    pub practitioner: String,
    /// Service scheme.
    pub service_scheme: String,
    /// Service code.
    pub service_code: String,
    /// Procedure scheme or ''.
    pub proc_scheme: String,
    /// Procedure code or ''.
    pub proc_code: String,
    /// Fee (`232.00`), absent for a service without a fee.
    pub net: Option<String>,
    /// isESTV (0/1).
    pub is_estv: f64,
    /// Service description.
    pub service_display: Option<String>,
    /// Procedure description.
    pub procedure_display: Option<String>,
    /// Last change.
    pub last_updated: Option<String>,
}

/// A `contract_mp_set` row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SetRow {
    /// Provider group id.
    pub id: String,
    /// Description.
    pub description: String,
    /// 0/1.
    pub editable: f64,
    /// Owning payor.
    pub payor: Option<String>,
    /// 0/1.
    pub is_default: f64,
    /// `[[calcGroup, procNumber, percentage, valueOf?], …]` as JSON text.
    pub records: String,
    /// Listing order.
    pub seq: f64,
    /// Version.
    pub version: f64,
    /// Last change.
    pub last_updated: String,
}

/// A `tariff` row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TariffRow {
    /// Payor id.
    pub payor: String,
    /// `S` or `P`.
    pub code_type: String,
    /// Code.
    pub code: String,
    /// Practitioner or ''.
    pub practitioner: String,
    /// Description.
    pub display: Option<String>,
    /// Messages.
    pub narrative_message: Option<String>,
    /// Warning.
    pub warning_message: Option<String>,
    /// Reject.
    pub reject_message: Option<String>,
    /// Option.
    pub option_message: Option<String>,
    /// Bands.
    pub low_price: Option<String>,
    /// Median.
    pub median_price: Option<String>,
    /// High.
    pub high_price: Option<String>,
    /// Maximum.
    pub maximum_price: Option<String>,
    /// Last change.
    pub last_updated: String,
}

/// A `contract_removed` row (tombstone).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RemovedRow {
    /// `payor`, `price`, `selfPay`, `multiProcSet` or `tariff`.
    pub kind: String,
    /// The removed entity's key, as JSON text.
    pub key: String,
    /// When.
    pub at: String,
}

/// The rows a batch of [`Query`]s returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowSet {
    /// Payor contracts.
    pub payors: Vec<PayorRow>,
    /// Self-pay lists.
    pub self_pay: Vec<SelfPayRow>,
    /// Known practitioners.
    pub practitioners: Vec<String>,
    /// Prices.
    pub prices: Vec<PriceRow>,
    /// Prices per [`RowKind::Step`] query, in query order.
    pub steps: Vec<Vec<PriceRow>>,
    /// Multi-procedure sets.
    pub sets: Vec<SetRow>,
    /// Tariffs.
    pub tariffs: Vec<TariffRow>,
    /// Tombstones.
    pub removed: Vec<RemovedRow>,
    /// Tag rows, in query order.
    pub tags: Vec<String>,
    /// Count rows, in query order.
    pub counts: Vec<u64>,
}

fn db_error(e: impl std::fmt::Display) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::DatabaseError,
        format!("The contracts could not be read: {e}."),
    )
}

impl RowSet {
    /// Adds the JSON rows of one query (as D1 or SQLite returned them).
    pub fn push(&mut self, kind: RowKind, rows: Vec<Value>) -> Result<(), OperationOutcome> {
        fn each<T: serde::de::DeserializeOwned>(
            rows: Vec<Value>,
            out: &mut Vec<T>,
        ) -> Result<(), OperationOutcome> {
            for r in rows {
                out.push(serde_json::from_value(r).map_err(db_error)?);
            }
            Ok(())
        }
        match kind {
            RowKind::Payor => each(rows, &mut self.payors),
            RowKind::SelfPay => each(rows, &mut self.self_pay),
            RowKind::Price => each(rows, &mut self.prices),
            RowKind::Step => {
                let mut step = Vec::new();
                each(rows, &mut step)?;
                self.steps.push(step);
                Ok(())
            }
            RowKind::Set => each(rows, &mut self.sets),
            RowKind::Tariff => each(rows, &mut self.tariffs),
            RowKind::Removed => each(rows, &mut self.removed),
            RowKind::Practitioner => {
                for r in rows {
                    if let Some(p) = r.get("practitioner").and_then(Value::as_str) {
                        self.practitioners.push(p.to_string());
                    }
                }
                Ok(())
            }
            RowKind::Tag => {
                for r in rows {
                    self.tags.push(
                        r.get("tag")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                Ok(())
            }
            RowKind::Count => {
                for r in rows {
                    let n = r.get("n").and_then(Value::as_f64).unwrap_or(0.0);
                    self.counts.push(n.max(0.0) as u64);
                }
                Ok(())
            }
        }
    }

    /// The version of the payor contract `id`, if loaded.
    pub fn contract_version(&self, id: &str) -> Option<i64> {
        self.payors
            .iter()
            .find(|p| p.id == id)
            .map(|p| int(p.version))
            .or_else(|| {
                self.self_pay
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| int(s.version))
            })
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn money(field: &str, v: &Option<String>) -> Result<Option<Decimal>, OperationOutcome> {
    v.as_deref().map(|t| parse_money(field, t)).transpose()
}

impl PriceRow {
    /// The book's key and price of the row.
    pub fn to_entry(&self) -> Result<(PriceKey, Price), OperationOutcome> {
        let key = PriceKey {
            contract: self.contract.clone(),
            service: Code::new(&self.service_scheme, &self.service_code),
            procedure: (!self.proc_code.is_empty())
                .then(|| Code::new(&self.proc_scheme, &self.proc_code)),
            location: opt(&self.location),
            practitioner: opt(&self.practitioner),
        };
        let price = Price {
            net: money("contract_price.net", &self.net)?,
            is_estv: self.is_estv != 0.0,
            service_display: self.service_display.clone(),
            procedure_display: self.procedure_display.clone(),
            last_updated: self.last_updated.clone(),
        };
        Ok((key, price))
    }
}

impl TariffRow {
    /// The book's tariff of the row.
    pub fn to_tariff(&self) -> Result<Tariff, OperationOutcome> {
        Ok(Tariff {
            key: TariffKey {
                payor: self.payor.clone(),
                code_type: CodeType::parse("tariff.code_type", &self.code_type)?,
                code: self.code.clone(),
                practitioner: opt(&self.practitioner),
            },
            display: self.display.clone(),
            narrative_message: self.narrative_message.clone(),
            warning_message: self.warning_message.clone(),
            reject_message: self.reject_message.clone(),
            option_message: self.option_message.clone(),
            low_price: money("tariff.low_price", &self.low_price)?,
            median_price: money("tariff.median_price", &self.median_price)?,
            high_price: money("tariff.high_price", &self.high_price)?,
            maximum_price: money("tariff.maximum_price", &self.maximum_price)?,
        })
    }
}

impl SetRow {
    /// The book's multi-procedure set of the row.
    pub fn to_set(&self) -> Result<MultiProcSet, OperationOutcome> {
        let records: Vec<Vec<String>> = serde_json::from_str(&self.records).map_err(db_error)?;
        let rules = records
            .iter()
            .map(|r| record_from_row(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MultiProcSet {
            id: self.id.clone(),
            description: self.description.clone(),
            editable: self.editable != 0.0,
            payor: self.payor.clone(),
            is_default: self.is_default != 0.0,
            rules,
        })
    }
}

pub(crate) fn record_to_row(r: &MultiProcRule) -> Vec<String> {
    let mut row = vec![
        format!("{:02}", r.calc_group),
        r.proc_number.to_string(),
        r.percentage.normalize().to_string(),
    ];
    if let Some(v) = r.value_of {
        row.push(v.code().to_string());
    }
    row
}

pub(crate) fn record_from_row(row: &[String]) -> Result<MultiProcRule, OperationOutcome> {
    let field = "multiProcSets.records";
    let bad = || {
        super::codes::invalid_format(
            field,
            // As JSON, the way the record was given (not `{:?}`, whose escaping tables
            // the npm package would otherwise carry).
            format_args!("{} is not [calcGroup, procNumber, percentage, valueOf?]", {
                let mut o = crate::json::Out::new();
                o.open_list();
                for field in row {
                    o.str(field);
                }
                o.close_list();
                o.finish()
            }),
        )
    };
    let (g, k, p, v) = match row {
        [g, k, p] => (g, k, p, None),
        [g, k, p, v] => (g, k, p, Some(v)),
        _ => return Err(bad()),
    };
    let count = |t: &str| t.trim().parse::<u32>().ok().filter(|n| *n > 0);
    let percentage: Decimal = p.trim().parse().map_err(|_| bad())?;
    if percentage.is_sign_negative() {
        return Err(bad());
    }
    Ok(MultiProcRule {
        calc_group: count(g).ok_or_else(bad)?,
        proc_number: count(k).ok_or_else(bad)?,
        percentage,
        value_of: v.map(|v| ValueOf::parse(field, v)).transpose()?,
    })
}

impl ContractBook {
    /// A partial book of `site` from the rows a query batch returned: practitioners, payor
    /// contracts (in listing order), self-pay lists, prices, sets (in listing order), tariffs.
    /// A price whose contract is not among the rows is left out (it cannot apply).
    pub fn from_rows(site: &str, rows: &RowSet) -> Result<ContractBook, OperationOutcome> {
        let mut book = ContractBook::new(site);
        book.merge_rows(rows)?;
        Ok(book)
    }

    /// Adds rows to a book (upserts; see [`ContractBook::from_rows`]).
    pub fn merge_rows(&mut self, rows: &RowSet) -> Result<(), OperationOutcome> {
        for p in &rows.practitioners {
            self.add_practitioner(p.clone());
        }
        let mut payors: Vec<&PayorRow> = rows.payors.iter().collect();
        payors.sort_by(|a, b| a.seq.total_cmp(&b.seq).then_with(|| a.payor.cmp(&b.payor)));
        let mut seen = BTreeSet::new();
        for p in payors {
            if !seen.insert(p.payor.as_str()) {
                continue;
            }
            self.add_payor(PayorContract {
                id: p.id.clone(),
                payor: PayorRef {
                    kind: PayorKind::parse("contract_payor.kind", &p.kind)?,
                    id: p.payor.clone(),
                },
                display: p.display.clone(),
                multi_proc_set: p.multi_proc_set.clone(),
                list_code: p.list_code.clone(),
            })?;
        }
        for s in &rows.self_pay {
            self.add_self_pay_list(SelfPayList {
                id: s.id.clone(),
                practitioner: s.practitioner.clone(),
            })?;
        }
        for r in &rows.prices {
            let (key, price) = r.to_entry()?;
            let known = self.payor_contract_by_id(&key.contract).is_some()
                || self.self_pay.iter().any(|s| s.id == key.contract);
            if known {
                self.set_price(key, price)?;
            }
        }
        let mut sets: Vec<&SetRow> = rows.sets.iter().collect();
        sets.sort_by(|a, b| a.seq.total_cmp(&b.seq).then_with(|| a.id.cmp(&b.id)));
        for s in sets {
            self.set_multi_proc_set(s.to_set()?);
        }
        for t in &rows.tariffs {
            self.set_tariff(t.to_tariff()?);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Statements that write rows.

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}

fn text_or_null(s: Option<&str>) -> SqlValue {
    s.map_or(SqlValue::Null, text)
}

fn text_or_empty(s: Option<&str>) -> SqlValue {
    text(s.unwrap_or(""))
}

const PRICE_INSERT_HEAD: &str = "INSERT INTO contract_price (site, contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code, net, is_estv, service_display, procedure_display, last_updated) VALUES ";
const PRICE_UPSERT_TAIL: &str = " ON CONFLICT (site, contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code) DO UPDATE SET net = excluded.net, is_estv = excluded.is_estv, service_display = excluded.service_display, procedure_display = excluded.procedure_display, last_updated = excluded.last_updated";
const PRICE_ROW_PARAMS: usize = 13;

fn price_params(site: &str, key: &PriceKey, price: &Price) -> Vec<SqlValue> {
    vec![
        text(site),
        text(&key.contract),
        text_or_empty(key.location.as_deref()),
        text_or_empty(key.practitioner.as_deref()),
        text(&key.service.scheme),
        text(&key.service.code),
        text_or_empty(key.procedure.as_ref().map(|p| p.scheme.as_str())),
        text_or_empty(key.procedure.as_ref().map(|p| p.code.as_str())),
        price
            .net
            .map_or(SqlValue::Null, |n| SqlValue::Text(money_string(n))),
        SqlValue::Integer(i64::from(price.is_estv)),
        text_or_null(price.service_display.as_deref()),
        text_or_null(price.procedure_display.as_deref()),
        text_or_null(price.last_updated.as_deref()),
    ]
}

/// Multi-row statements: `head (…), (…) tail`, `per_row` values a row, at most
/// `rows_per_statement` rows and [`MAX_BOUND_PARAMS`] values each.
fn multi_row(
    head: &str,
    tail: &str,
    per_row: usize,
    rows: Vec<Vec<SqlValue>>,
    rows_per_statement: usize,
) -> Vec<Statement> {
    let tuple = format!("({})", vec!["?"; per_row].join(", "));
    let chunk = rows_per_statement.clamp(1, (MAX_BOUND_PARAMS / per_row).max(1));
    rows.chunks(chunk)
        .map(|c| {
            let sql = format!("{head}{}{tail}", vec![tuple.as_str(); c.len()].join(", "));
            Statement::new(sql, c.iter().flatten().cloned().collect())
        })
        .collect()
}

/// Upserts of prices (multi-row, under D1's bound-parameter limit).
pub fn price_upserts<'a>(
    site: &str,
    prices: impl Iterator<Item = (&'a PriceKey, &'a Price)>,
) -> Vec<Statement> {
    let rows: Vec<Vec<SqlValue>> = prices.map(|(k, p)| price_params(site, k, p)).collect();
    multi_row(
        PRICE_INSERT_HEAD,
        PRICE_UPSERT_TAIL,
        PRICE_ROW_PARAMS,
        rows,
        usize::MAX,
    )
}

/// The most bytes [`price_upserts_literal`] puts in one statement: under D1's 100 KB limit
/// on a statement's text, with room for the head and tail.
pub const LITERAL_STATEMENT_BYTES: usize = 90_000;

/// Upserts of prices for SQL files: the statements of [`price_upserts`] with the values
/// written as literals, as many rows a statement as fit in `max_bytes` (at most
/// [`LITERAL_STATEMENT_BYTES`]). A file has no bound parameters, so D1's limit of 100 is not
/// the bound; its 100 KB statement limit is, and bigger statements load far faster.
pub fn price_upserts_literal<'a>(
    site: &str,
    prices: impl Iterator<Item = (&'a PriceKey, &'a Price)>,
    max_bytes: usize,
) -> Vec<Statement> {
    let max_bytes = max_bytes.min(LITERAL_STATEMENT_BYTES);
    let fixed = PRICE_INSERT_HEAD.len() + PRICE_UPSERT_TAIL.len();
    let mut out = Vec::new();
    let mut sql = String::new();
    let flush = |sql: &mut String, out: &mut Vec<Statement>| {
        if !sql.is_empty() {
            sql.push_str(PRICE_UPSERT_TAIL);
            out.push(Statement::new(std::mem::take(sql), Vec::new()));
        }
    };
    for (k, p) in prices {
        let values: Vec<String> = price_params(site, k, p)
            .iter()
            .map(SqlValue::to_literal)
            .collect();
        let tuple = format!("({})", values.join(", "));
        if !sql.is_empty() && sql.len() + 2 + tuple.len() + fixed > max_bytes {
            flush(&mut sql, &mut out);
        }
        if sql.is_empty() {
            sql.push_str(PRICE_INSERT_HEAD);
        } else {
            sql.push_str(", ");
        }
        sql.push_str(&tuple);
    }
    flush(&mut sql, &mut out);
    out
}

fn payor_upsert(site: &str, c: &PayorContract, now: &str) -> Statement {
    Statement::new(
        "INSERT INTO contract_payor (site, payor, id, kind, display, multi_proc_set, list_code, seq, version, last_updated) \
         VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM contract_payor WHERE site = ?), 1, ?) \
         ON CONFLICT (site, payor) DO UPDATE SET id = excluded.id, kind = excluded.kind, display = excluded.display, \
         multi_proc_set = excluded.multi_proc_set, list_code = excluded.list_code, version = contract_payor.version + 1, \
         last_updated = excluded.last_updated",
        vec![
            text(site),
            text(&c.payor.id),
            text(&c.id),
            text(c.payor.kind.code()),
            text_or_null(c.display.as_deref()),
            text_or_null(c.multi_proc_set.as_deref()),
            text_or_null(c.list_code.as_deref()),
            text(site),
            text(now),
        ],
    )
}

fn set_upsert(site: &str, s: &MultiProcSet, now: &str) -> Statement {
    let records: Vec<Vec<String>> = s.rules.iter().map(record_to_row).collect();
    Statement::new(
        "INSERT INTO contract_mp_set (site, id, description, editable, payor, is_default, records, seq, version, last_updated) \
         VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM contract_mp_set WHERE site = ?), 1, ?) \
         ON CONFLICT (site, id) DO UPDATE SET description = excluded.description, editable = excluded.editable, \
         payor = excluded.payor, is_default = excluded.is_default, records = excluded.records, \
         version = contract_mp_set.version + 1, last_updated = excluded.last_updated",
        vec![
            text(site),
            text(&s.id),
            text(&s.description),
            SqlValue::Integer(i64::from(s.editable)),
            text_or_null(s.payor.as_deref()),
            SqlValue::Integer(i64::from(s.is_default)),
            SqlValue::Text(serde_json::to_string(&records).unwrap_or_else(|_| "[]".into())),
            text(site),
            text(now),
        ],
    )
}

fn tariff_upsert(t: &Tariff, now: &str) -> Statement {
    let m = |d: Option<Decimal>| d.map_or(SqlValue::Null, |d| SqlValue::Text(money_string(d)));
    Statement::new(
        format!("INSERT OR REPLACE INTO tariff ({TARIFF_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        vec![
            text(&t.key.payor),
            text(t.key.code_type.code()),
            text(&t.key.code),
            text_or_empty(t.key.practitioner.as_deref()),
            text_or_null(t.display.as_deref()),
            text_or_null(t.narrative_message.as_deref()),
            text_or_null(t.warning_message.as_deref()),
            text_or_null(t.reject_message.as_deref()),
            text_or_null(t.option_message.as_deref()),
            m(t.low_price),
            m(t.median_price),
            m(t.high_price),
            m(t.maximum_price),
            text(now),
        ],
    )
}

fn tombstone(site: &str, kind: &str, payor: &str, key: &Value, now: &str) -> Statement {
    Statement::new(
        "INSERT INTO contract_removed (site, kind, payor, key, at) VALUES (?, ?, ?, ?, ?)",
        vec![
            text(site),
            text(kind),
            text(payor),
            SqlValue::Text(key.to_string()),
            text(now),
        ],
    )
}

/// The snapshot form of a price key (tombstones, audit).
pub fn price_key_json(key: &PriceKey) -> Value {
    let mut v = json!({"contract": key.contract, "service": key.service.key()});
    if let Value::Object(m) = &mut v {
        if let Some(p) = &key.procedure {
            m.insert("procedure".into(), json!(p.key()));
        }
        if let Some(l) = &key.location {
            m.insert("location".into(), json!(l));
        }
        if let Some(p) = &key.practitioner {
            m.insert("practitioner".into(), json!(p));
        }
    }
    v
}

fn tariff_key_json(k: &TariffKey) -> Value {
    let mut v = json!({"payor": k.payor, "codeType": k.code_type.code(), "code": k.code});
    if let (Some(p), Value::Object(m)) = (&k.practitioner, &mut v) {
        m.insert("practitioner".into(), json!(p));
    }
    v
}

/// A refusal the skin's batch raises on purpose: `write_guard` only accepts 1, so inserting
/// 0 fails the batch and D1 rolls every statement of it back.
pub const GUARD_FAILED: &str = "CHECK constraint failed";

/// A guard that fails the batch unless contract `id` of `site` (a payor contract or a
/// self-pay list) still exists, at `version` when given (If-Match).
pub fn guard_contract(site: &str, id: &str, version: Option<i64>) -> Statement {
    let v = if version.is_some() {
        " AND version = ?"
    } else {
        ""
    };
    let mut params = vec![text(site), text(id)];
    params.extend(version.map(SqlValue::Integer));
    params.extend([text(site), text(id)]);
    params.extend(version.map(SqlValue::Integer));
    Statement::new(
        format!(
            "INSERT INTO write_guard (ok) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM contract_payor WHERE site = ? AND id = ?{v}) \
             AND NOT EXISTS (SELECT 1 FROM contract_self_pay WHERE site = ? AND id = ?{v})"
        ),
        params,
    )
}

/// What a write changes: the statements, the contracts touched, and the audit fragments.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Statements in commit order.
    pub statements: Vec<Statement>,
    /// Contract ids whose entries changed (payor contracts, self-pay lists, set ids, and
    /// `tariffs:{payor}`), sorted.
    pub contract_ids: Vec<String>,
    /// The changed entities before (snapshot fragments).
    pub before: Value,
    /// The changed entities after.
    pub after: Value,
}

impl Change {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

/// The statements that turn partial book `before` into `after` (both of `site`), stamping
/// rows with `now`. Only entities that differ are written; prices, sets and tariffs removed
/// leave tombstones; a payor contract whose id changed takes its stored prices with it.
pub fn diff(site: &str, before: &ContractBook, after: &ContractBook, now: &str) -> Change {
    diff_with(site, before, after, now, PriceRows::Bound)
}

/// [`diff`] for an SQL file (bulk imports): the same statements, except that prices are
/// upserted by [`price_upserts_literal`] (values inlined, statements up to
/// [`LITERAL_STATEMENT_BYTES`]). Render them with `Statement::to_literal_sql`.
pub fn diff_literal(site: &str, before: &ContractBook, after: &ContractBook, now: &str) -> Change {
    diff_with(
        site,
        before,
        after,
        now,
        PriceRows::Literal(LITERAL_STATEMENT_BYTES),
    )
}

/// How a diff writes its price upserts.
#[derive(Clone, Copy)]
enum PriceRows {
    /// Bound parameters, at most [`MAX_BOUND_PARAMS`] a statement (D1 batches).
    Bound,
    /// Literal values, statements of at most this many bytes (SQL files).
    Literal(usize),
}

fn diff_with(
    site: &str,
    before: &ContractBook,
    after: &ContractBook,
    now: &str,
    price_rows: PriceRows,
) -> Change {
    let mut st = Vec::new();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut upserted_payors: BTreeSet<String> = BTreeSet::new();
    let mut frag_before =
        json!({"payors": [], "selfPay": [], "prices": [], "multiProcSets": [], "tariffs": []});
    let mut frag_after = frag_before.clone();
    let push = |frag: &mut Value, list: &str, v: Value| {
        if let Some(Value::Array(a)) = frag.get_mut(list) {
            a.push(v);
        }
    };

    // Payor contracts.
    for c in &after.payors {
        let old = before.payors.iter().find(|o| o.payor.id == c.payor.id);
        if old == Some(c) {
            continue;
        }
        st.push(payor_upsert(site, c, now));
        upserted_payors.insert(c.id.clone());
        touched.insert(c.id.clone());
        push(&mut frag_after, "payors", payor_fragment(c));
        if let Some(prev) = old {
            push(&mut frag_before, "payors", payor_fragment(prev));
            if prev.id != c.id {
                st.push(Statement::new(
                    "UPDATE contract_price SET contract = ?, last_updated = ? WHERE site = ? AND contract = ?",
                    vec![text(&c.id), text(now), text(site), text(&prev.id)],
                ));
                touched.insert(prev.id.clone());
            }
        }
    }
    for c in &before.payors {
        if after.payor_contract(&c.payor.id).is_none() {
            st.extend(delete_payor_statements(site, c, now));
            touched.insert(c.id.clone());
            push(&mut frag_before, "payors", payor_fragment(c));
        }
    }
    // Self-pay lists.
    for s in &after.self_pay {
        if before.self_pay.contains(s) {
            continue;
        }
        st.push(Statement::new(
            "INSERT INTO contract_self_pay (site, practitioner, id, version, last_updated) VALUES (?, ?, ?, 1, ?) \
             ON CONFLICT (site, practitioner) DO UPDATE SET id = excluded.id, version = contract_self_pay.version + 1, last_updated = excluded.last_updated",
            vec![text(site), text(&s.practitioner), text(&s.id), text(now)],
        ));
        upserted_payors.insert(s.id.clone());
        touched.insert(s.id.clone());
        push(
            &mut frag_after,
            "selfPay",
            json!({"id": s.id, "practitioner": s.practitioner}),
        );
    }
    for s in &before.self_pay {
        if !after
            .self_pay
            .iter()
            .any(|a| a.practitioner == s.practitioner)
        {
            st.push(Statement::new(
                "DELETE FROM contract_price WHERE site = ? AND contract = ?",
                vec![text(site), text(&s.id)],
            ));
            st.push(Statement::new(
                "DELETE FROM contract_self_pay WHERE site = ? AND practitioner = ?",
                vec![text(site), text(&s.practitioner)],
            ));
            st.push(tombstone(
                site,
                "selfPay",
                SELF_PAY_PAYOR,
                &json!({"id": s.id, "practitioner": s.practitioner}),
                now,
            ));
            touched.insert(s.id.clone());
            push(
                &mut frag_before,
                "selfPay",
                json!({"id": s.id, "practitioner": s.practitioner}),
            );
        }
    }
    // Practitioners (never removed).
    let new_pracs: Vec<Vec<SqlValue>> = after
        .practitioners
        .keys()
        .filter(|p| !before.practitioners.contains_key(*p))
        .map(|p| vec![text(site), text(p)])
        .collect();
    st.extend(multi_row(
        "INSERT OR IGNORE INTO contract_practitioner (site, practitioner) VALUES ",
        "",
        2,
        new_pracs,
        usize::MAX,
    ));
    // Prices.
    let payor_of = |book: &ContractBook, contract: &str| -> String {
        book.payor_contract_by_id(contract)
            .map(|c| c.payor.id.clone())
            .unwrap_or_else(|| SELF_PAY_PAYOR.to_string())
    };
    let mut changed_prices: Vec<(&PriceKey, &Price)> = Vec::new();
    for (k, p) in &after.prices {
        if before.prices.get(k) == Some(p) {
            continue;
        }
        // A price moved with its contract's new id is rewritten by the UPDATE above.
        changed_prices.push((k, p));
        touched.insert(k.contract.clone());
        let mut v = price_key_json(k);
        if let (Value::Object(m), Some(n)) = (&mut v, p.net) {
            m.insert("net".into(), json!(money_string(n)));
        }
        push(&mut frag_after, "prices", v);
        if let Some(old) = before.prices.get(k) {
            let mut v = price_key_json(k);
            if let (Value::Object(m), Some(n)) = (&mut v, old.net) {
                m.insert("net".into(), json!(money_string(n)));
            }
            push(&mut frag_before, "prices", v);
        }
    }
    for (k, old) in &before.prices {
        if after.prices.contains_key(k) {
            continue;
        }
        let moved = after
            .payor_contract(&payor_of(before, &k.contract))
            .is_some_and(|c| c.id != k.contract);
        // A price whose whole contract went is deleted (and tombstoned) with the contract.
        let contract_gone = after.payor_contract_by_id(&k.contract).is_none()
            && !after.self_pay.iter().any(|s| s.id == k.contract);
        if moved || contract_gone {
            continue;
        }
        st.push(Statement::new(
            "DELETE FROM contract_price WHERE site = ? AND contract = ? AND location = ? AND practitioner = ? \
             AND service_scheme = ? AND service_code = ? AND proc_scheme = ? AND proc_code = ?",
            price_params(site, k, old).into_iter().take(8).collect(),
        ));
        st.push(tombstone(
            site,
            "price",
            &payor_of(before, &k.contract),
            &price_key_json(k),
            now,
        ));
        touched.insert(k.contract.clone());
        push(&mut frag_before, "prices", price_key_json(k));
    }
    st.extend(match price_rows {
        PriceRows::Bound => price_upserts(site, changed_prices.into_iter()),
        PriceRows::Literal(max) => price_upserts_literal(site, changed_prices.into_iter(), max),
    });
    // Multi-procedure sets.
    for s in &after.multi_proc_sets {
        let old = before.multi_proc_sets.iter().find(|o| o.id == s.id);
        if old == Some(s) {
            continue;
        }
        st.push(set_upsert(site, s, now));
        touched.insert(s.id.clone());
        push(&mut frag_after, "multiProcSets", set_fragment(s));
        if let Some(prev) = old {
            push(&mut frag_before, "multiProcSets", set_fragment(prev));
        }
    }
    for s in &before.multi_proc_sets {
        if after.multi_proc_set(&s.id).is_none() {
            st.push(Statement::new(
                "DELETE FROM contract_mp_set WHERE site = ? AND id = ?",
                vec![text(site), text(&s.id)],
            ));
            st.push(tombstone(
                site,
                "multiProcSet",
                s.payor.as_deref().unwrap_or(""),
                &json!({"id": s.id}),
                now,
            ));
            touched.insert(s.id.clone());
            push(&mut frag_before, "multiProcSets", set_fragment(s));
        }
    }
    // Tariffs (global rows; a version per payor).
    let mut tariff_payors: BTreeSet<String> = BTreeSet::new();
    for (k, t) in after.tariffs.iter() {
        if before.tariffs.get(k) == Some(t) {
            continue;
        }
        st.push(tariff_upsert(t, now));
        tariff_payors.insert(k.payor.clone());
        push(&mut frag_after, "tariffs", tariff_key_json(k));
    }
    for k in before.tariffs.keys() {
        if after.tariffs.contains_key(k) {
            continue;
        }
        st.push(Statement::new(
            "DELETE FROM tariff WHERE payor = ? AND code_type = ? AND code = ? AND practitioner = ?",
            vec![
                text(&k.payor),
                text(k.code_type.code()),
                text(&k.code),
                text_or_empty(k.practitioner.as_deref()),
            ],
        ));
        st.push(tombstone("*", "tariff", &k.payor, &tariff_key_json(k), now));
        tariff_payors.insert(k.payor.clone());
        push(&mut frag_before, "tariffs", tariff_key_json(k));
    }
    for p in &tariff_payors {
        st.push(Statement::new(
            "INSERT INTO tariff_version (payor, version, last_updated) VALUES (?, 1, ?) \
             ON CONFLICT (payor) DO UPDATE SET version = tariff_version.version + 1, last_updated = excluded.last_updated",
            vec![text(p), text(now)],
        ));
        touched.insert(format!("tariffs:{p}"));
    }
    // Every contract whose prices changed moves to a new version (If-Match, slice ETags).
    for id in &touched {
        if upserted_payors.contains(id) {
            continue;
        }
        if after.payor_contract_by_id(id).is_some() {
            st.push(bump(site, "contract_payor", id, now));
        } else if after.self_pay.iter().any(|s| &s.id == id) {
            st.push(bump(site, "contract_self_pay", id, now));
        }
    }
    Change {
        statements: st,
        contract_ids: touched.into_iter().collect(),
        before: frag_before,
        after: frag_after,
    }
}

fn bump(site: &str, table: &str, id: &str, now: &str) -> Statement {
    Statement::new(
        format!(
            "UPDATE {table} SET version = version + 1, last_updated = ? WHERE site = ? AND id = ?"
        ),
        vec![text(now), text(site), text(id)],
    )
}

/// Deleting a payor contract: its prices, the contract, and one tombstone for both.
pub fn delete_payor_statements(site: &str, c: &PayorContract, now: &str) -> Vec<Statement> {
    vec![
        Statement::new(
            "DELETE FROM contract_price WHERE site = ? AND contract = ?",
            vec![text(site), text(&c.id)],
        ),
        Statement::new(
            "DELETE FROM contract_payor WHERE site = ? AND payor = ?",
            vec![text(site), text(&c.payor.id)],
        ),
        tombstone(
            site,
            "payor",
            &c.payor.id,
            &json!({"payor": c.payor.id, "id": c.id}),
            now,
        ),
    ]
}

/// Every row of `site` removed (before a whole-site replace).
pub fn clear_site(site: &str) -> Vec<Statement> {
    [
        "contract_price",
        "contract_payor",
        "contract_self_pay",
        "contract_practitioner",
        "contract_mp_set",
    ]
    .iter()
    .map(|t| Statement::new(format!("DELETE FROM {t} WHERE site = ?"), vec![text(site)]))
    .collect()
}

/// The statements that store a whole book as rows (seed loading, imports into an empty
/// site, `PUT $snapshot`): a diff from an empty book, so the same statements as any write.
pub fn store_book(book: &ContractBook, now: &str) -> Change {
    let mut stamped = book.clone();
    for p in stamped.prices.values_mut() {
        if p.last_updated.is_none() {
            p.last_updated = Some(now.to_string());
        }
    }
    diff(&book.site, &ContractBook::new(&book.site), &stamped, now)
}

/// Tag text → a short, stable ETag (FNV-1a 64, hex), weak as a version is.
pub fn etag_of(tag: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("W/\"{h:016x}\"")
}
