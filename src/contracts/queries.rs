//! The queries each contracts request compiles to: only the rows that can apply, through the
//! keys of migrations/0006. Each plan is a list of [`Query`]s the skin runs as one D1 batch;
//! the rows go back through [`RowSet`] into a partial book (see [`super::rows`]).
//!
//! Statements use plain `?` placeholders, at most [`MAX_BOUND_PARAMS`] each, no `LIKE`, and
//! run unchanged on D1 and on native SQLite (the tests run them against brute force).

use serde_json::Value;

use super::book::{ContractBook, PriceFilter};
use super::codes::{not_found, ALL_OTHERS_PAYOR, SELF_PAY_PAYOR};
use super::effective::{EffectivePrice, EffectivePricesPage, EffectivePricesRequest, LastUpdated};
use super::fee::FeeRequest;
use super::rows::{
    PriceRow, Query, RowKind, RowSet, PAYOR_COLS, PRICE_COLS, SELF_PAY_COLS, SET_COLS, TARIFF_COLS,
};
use super::tariff::Tariff;
use super::validation::ValidationRequest;
use crate::directory::{SqlValue, Statement, MAX_BOUND_PARAMS};
use crate::outcome::OperationOutcome;

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `substr(col, 1, len) <op> ?` for each `_lastUpdated` filter (the book's cut-to-precision
/// comparison; a row without a time never matches).
fn last_updated_sql(col: &str, filters: &[LastUpdated], params: &mut Vec<SqlValue>) -> String {
    let mut sql = String::new();
    for f in filters {
        let op = match f.prefix.as_str() {
            "gt" => ">",
            "ge" => ">=",
            "lt" => "<",
            "le" => "<=",
            _ => "=",
        };
        sql.push_str(&format!(
            " AND {col} IS NOT NULL AND substr({col}, 1, ?) {op} ?"
        ));
        params.push(SqlValue::Integer(f.value.chars().count() as i64));
        params.push(text(&f.value));
    }
    sql
}

/// The payor contracts of `site` whose `column` (`payor` or the contract `id`) is in `values`.
fn payors_where(site: &str, column: &str, values: &[&str]) -> Query {
    let mut params = vec![text(site)];
    params.extend(values.iter().map(|p| text(p)));
    Query::new(
        RowKind::Payor,
        format!(
            "SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ? AND {column} IN ({}) ORDER BY seq",
            marks(values.len())
        ),
        params,
    )
}

/// The payor contracts of `payors` at `site`.
pub fn payors_query(site: &str, payors: &[&str]) -> Query {
    payors_where(site, "payor", payors)
}

/// The payor contracts of `site` whose contract id is one of `ids`.
pub fn payors_by_id_query(site: &str, ids: &[&str]) -> Query {
    payors_where(site, "id", ids)
}

fn practitioner_query(site: &str, practitioner: &str) -> Query {
    Query::new(
        RowKind::Practitioner,
        "SELECT practitioner FROM contract_practitioner WHERE site = ? AND practitioner = ?",
        vec![text(site), text(practitioner)],
    )
}

fn self_pay_query(site: &str, practitioner: &str) -> Query {
    Query::new(
        RowKind::SelfPay,
        format!(
            "SELECT {SELF_PAY_COLS} FROM contract_self_pay WHERE site = ? AND practitioner = ?"
        ),
        vec![text(site), text(practitioner)],
    )
}

/// `$calculate-fee`: the payor's and `na`'s contracts, the practitioner and their self-pay
/// list, the prices of the service with the request's procedures on those contracts at the
/// request's location and practitioner, and the sets that can apply to the payor.
pub fn fee_plan(site: &str, req: &FeeRequest) -> Vec<Query> {
    let prac = req.scope.practitioner.as_deref().unwrap_or("");
    let loc = req.scope.location.as_deref().unwrap_or("");
    let mut plan = vec![payors_query(site, &[&req.payor, ALL_OTHERS_PAYOR])];
    if !prac.is_empty() {
        plan.push(practitioner_query(site, prac));
        plan.push(self_pay_query(site, prac));
    }
    let mut schemes: Vec<&str> = req.procedures.iter().map(|p| p.scheme.as_str()).collect();
    let mut codes: Vec<&str> = req.procedures.iter().map(|p| p.code.as_str()).collect();
    schemes.sort_unstable();
    schemes.dedup();
    codes.sort_unstable();
    codes.dedup();
    let mut params = vec![
        text(site),
        text(site),
        text(&req.payor),
        text(site),
        text(prac),
        text(loc),
        text(prac),
        text(&req.service.scheme),
        text(&req.service.code),
    ];
    params.extend(schemes.iter().map(|s| text(s)));
    params.extend(codes.iter().map(|s| text(s)));
    let extra = |n: usize| {
        if n == 0 {
            String::new()
        } else {
            format!(", {}", marks(n))
        }
    };
    plan.push(Query::new(
        RowKind::Price,
        format!(
            "SELECT {PRICE_COLS} FROM contract_price WHERE site = ? AND contract IN \
             (SELECT id FROM contract_payor WHERE site = ? AND payor IN (?, 'na') \
              UNION ALL SELECT id FROM contract_self_pay WHERE site = ? AND practitioner = ?) \
             AND location IN ('', ?) AND practitioner IN ('', ?) AND service_scheme = ? AND service_code = ? \
             AND proc_scheme IN (''{}) AND proc_code IN (''{})",
            extra(schemes.len()),
            extra(codes.len())
        ),
        params,
    ));
    if !req.procedures.is_empty() {
        plan.push(sets_for_payor(site, &req.payor));
    }
    plan
}

fn sets_for_payor(site: &str, payor: &str) -> Query {
    Query::new(
        RowKind::Set,
        format!(
            "SELECT {SET_COLS} FROM contract_mp_set WHERE site = ? AND (id IN \
             (SELECT multi_proc_set FROM contract_payor WHERE site = ? AND payor = ?) OR (payor = ? AND is_default = 1))"
        ),
        vec![text(site), text(site), text(payor), text(payor)],
    )
}

/// `$validation`: the payor's contract, its tariffs for the code (the practitioner's own and
/// the payor-wide one), whether the payor has any tariff, and the practitioner.
pub fn validation_plan(site: &str, req: &ValidationRequest) -> Vec<Query> {
    let prac = req.practitioner.as_deref().unwrap_or("");
    let mut plan = vec![
        payors_query(site, &[&req.payor]),
        Query::new(
            RowKind::Tariff,
            format!(
                "SELECT {TARIFF_COLS} FROM tariff WHERE payor = ? AND code_type = ? AND code = ? AND practitioner IN ('', ?)"
            ),
            vec![
                text(&req.payor),
                text(req.code_type.code()),
                text(&req.code),
                text(prac),
            ],
        ),
        Query::new(
            RowKind::Tariff,
            format!("SELECT {TARIFF_COLS} FROM tariff WHERE payor = ? LIMIT 1"),
            vec![text(&req.payor)],
        ),
    ];
    if !prac.is_empty() {
        plan.push(practitioner_query(site, prac));
    }
    plan
}

/// `$multi-proc`: every set of the site.
pub fn sets_plan(site: &str) -> Vec<Query> {
    vec![Query::new(
        RowKind::Set,
        format!("SELECT {SET_COLS} FROM contract_mp_set WHERE site = ? ORDER BY seq"),
        vec![text(site)],
    )]
}

/// `$multi-proc-set` (GET and PUT): the set `id` and the payor contract whose id it is.
pub fn set_plan(site: &str, id: &str) -> Vec<Query> {
    vec![
        Query::new(
            RowKind::Set,
            format!("SELECT {SET_COLS} FROM contract_mp_set WHERE site = ? AND id = ?"),
            vec![text(site), text(id)],
        ),
        payors_by_id_query(site, &[id]),
    ]
}

/// Every row of a site (the whole-site snapshot, `PUT $snapshot`).
pub fn site_plan(site: &str) -> Vec<Query> {
    slice_plan(site, None, &[])
}

/// The payors a slice for `payors` covers: those, and the `slf` and `na` fallbacks.
pub fn slice_payors(payors: &[String]) -> Vec<&str> {
    let mut all: Vec<&str> = payors.iter().map(String::as_str).collect();
    all.extend([SELF_PAY_PAYOR, ALL_OTHERS_PAYOR]);
    all.sort_unstable();
    all.dedup();
    all
}

/// `payor IN (…)` over the slice's payors (empty for the whole site).
fn payor_filter(col: &str, payors: Option<&[String]>, params: &mut Vec<SqlValue>) -> String {
    match payors {
        None => String::new(),
        Some(p) => {
            let list = slice_payors(p);
            params.extend(list.iter().map(|p| text(p)));
            format!(" AND {col} IN ({})", marks(list.len()))
        }
    }
}

/// A per-payor slice of a site (or the whole site when `payors` is `None`): what pricing
/// for those payors can touch. With `since` filters, only prices, sets and tariffs changed
/// since, plus the tombstones of what went; payor contracts, self-pay lists and
/// practitioners always come whole (they are few), so a slice always loads on its own.
pub fn slice_plan(site: &str, payors: Option<&[String]>, since: &[LastUpdated]) -> Vec<Query> {
    let mut plan = Vec::new();
    let mut p = vec![text(site)];
    let f = payor_filter("payor", payors, &mut p);
    plan.push(Query::new(
        RowKind::Payor,
        format!("SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ?{f} ORDER BY seq"),
        p,
    ));
    plan.push(Query::new(
        RowKind::SelfPay,
        format!("SELECT {SELF_PAY_COLS} FROM contract_self_pay WHERE site = ?"),
        vec![text(site)],
    ));
    plan.push(Query::new(
        RowKind::Practitioner,
        "SELECT practitioner FROM contract_practitioner WHERE site = ?",
        vec![text(site)],
    ));
    let mut p = vec![text(site), text(site)];
    let f = payor_filter("payor", payors, &mut p);
    p.push(text(site));
    let lu = last_updated_sql("last_updated", since, &mut p);
    plan.push(Query::new(
        RowKind::Price,
        format!(
            "SELECT {PRICE_COLS} FROM contract_price WHERE site = ? AND contract IN \
             (SELECT id FROM contract_payor WHERE site = ?{f} UNION ALL SELECT id FROM contract_self_pay WHERE site = ?){lu}"
        ),
        p,
    ));
    let mut p = vec![text(site)];
    let set_filter = match payors {
        None => String::new(),
        Some(_) => {
            p.push(text(site));
            let f1 = payor_filter("payor", payors, &mut p);
            let mut f2 = String::new();
            if let Some(list) = payors {
                let l = slice_payors(list);
                p.extend(l.iter().map(|x| text(x)));
                f2 = format!("payor IN ({})", marks(l.len()));
            }
            format!(
                " AND (id IN (SELECT multi_proc_set FROM contract_payor WHERE site = ?{f1}) OR {f2})"
            )
        }
    };
    let lu = last_updated_sql("last_updated", since, &mut p);
    plan.push(Query::new(
        RowKind::Set,
        format!(
            "SELECT {SET_COLS} FROM contract_mp_set WHERE site = ?{set_filter}{lu} ORDER BY seq"
        ),
        p,
    ));
    let mut p = vec![text(site)];
    let f = payor_filter("payor", payors, &mut p);
    let lu = last_updated_sql("last_updated", since, &mut p);
    plan.push(Query::new(
        RowKind::Tariff,
        format!(
            "SELECT {TARIFF_COLS} FROM tariff WHERE payor IN (SELECT payor FROM contract_payor WHERE site = ?{f}){lu}"
        ),
        p,
    ));
    if !since.is_empty() {
        let mut p = vec![text(site)];
        let lu = last_updated_sql("at", since, &mut p);
        let f = match payors {
            None => String::new(),
            Some(list) => {
                let l = slice_payors(list);
                p.extend(l.iter().map(|x| text(x)));
                format!(
                    " AND (payor IN ({}) OR kind IN ('selfPay', 'multiProcSet'))",
                    marks(l.len())
                )
            }
        };
        plan.push(Query::new(
            RowKind::Removed,
            format!(
                "SELECT kind, key, at FROM contract_removed WHERE site IN (?, '*'){lu}{f} ORDER BY id"
            ),
            p,
        ));
    }
    plan
}

/// The version tag of a slice: every covered contract's, self-pay list's and set's version,
/// the covered payors' tariff versions and the number of practitioners. Any write a slice
/// can see moves one of them, so equal tags mean equal slices (`ETag`, `If-None-Match`).
pub fn slice_tag_query(site: &str, payors: Option<&[String]>) -> Query {
    let mut p = vec![text(site)];
    let f1 = payor_filter("payor", payors, &mut p);
    p.push(text(site));
    p.push(text(site));
    p.push(text(site));
    let f2 = payor_filter("payor", payors, &mut p);
    p.push(text(site));
    Query::new(
        RowKind::Tag,
        format!(
            "SELECT coalesce((SELECT group_concat(payor || ':' || id || ':' || version, ',') FROM (SELECT payor, id, version FROM contract_payor WHERE site = ?{f1} ORDER BY payor)), '') \
             || '|' || coalesce((SELECT group_concat(id || ':' || version, ',') FROM (SELECT id, version FROM contract_self_pay WHERE site = ? ORDER BY id)), '') \
             || '|' || coalesce((SELECT group_concat(id || ':' || version, ',') FROM (SELECT id, version FROM contract_mp_set WHERE site = ? ORDER BY id)), '') \
             || '|' || coalesce((SELECT group_concat(payor || ':' || version, ',') FROM (SELECT payor, version FROM tariff_version WHERE payor IN (SELECT payor FROM contract_payor WHERE site = ?{f2}) ORDER BY payor)), '') \
             || '|' || (SELECT count(*) FROM contract_practitioner WHERE site = ?) AS tag"
        ),
        p,
    )
}

/// The payor list: one page in listing order, the count, and the `slf`/`na` contracts (so
/// the skin knows whether it must create them first).
pub fn payor_list_plan(
    site: &str,
    page: usize,
    count: usize,
    last_updated: &[LastUpdated],
) -> Vec<Query> {
    let mut p = vec![text(site)];
    let lu = last_updated_sql("last_updated", last_updated, &mut p);
    let count_params = p.clone();
    p.push(SqlValue::Integer(count as i64));
    p.push(SqlValue::Integer(
        (page.max(1) - 1).saturating_mul(count) as i64
    ));
    vec![
        Query::new(
            RowKind::Payor,
            format!("SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ?{lu} ORDER BY seq LIMIT ? OFFSET ?"),
            p,
        ),
        Query::new(
            RowKind::Count,
            format!("SELECT count(*) AS n FROM contract_payor WHERE site = ?{lu}"),
            count_params,
        ),
    ]
}

/// `POST $contract-price`: the rows the write can read or change, for a body. Everything is
/// read by what the body names (payors, services, procedures, practitioners, codes), so a
/// malformed body still gets its error from the book's own parser.
pub fn contract_price_plan(site: &str, body: &Value) -> Vec<Query> {
    let mut payors: Vec<String> = Vec::new();
    let mut practitioners: Vec<String> = Vec::new();
    let mut locations: Vec<String> = Vec::new();
    let mut schemes: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let assets = body
        .get("term")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("asset").and_then(Value::as_array))
        .flatten();
    for asset in assets {
        for c in asset
            .get("context")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(r) = c.pointer("/reference/reference").and_then(Value::as_str) else {
                continue;
            };
            if let Some(p) = r.strip_prefix("Practitioner/") {
                practitioners.push(p.to_string());
            } else if let Some(l) = r.strip_prefix("Location/") {
                locations.push(l.to_string());
            } else {
                let id = r.rsplit_once('/').map_or(r, |(_, id)| id);
                let id = id.split_once('-').map_or(id, |(_, rest)| rest);
                payors.push(id.to_string());
            }
        }
        for item in asset
            .get("valuedItem")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(coding) = item.pointer("/entityCodeableConcept/coding/0") {
                for field in ["system", "display"] {
                    if let Some(s) = coding.get(field).and_then(Value::as_str) {
                        schemes.push(s.to_string());
                    }
                }
                if let Some(c) = coding.get("code").and_then(Value::as_str) {
                    codes.push(c.to_string());
                }
            }
        }
    }
    for v in [
        &mut payors,
        &mut practitioners,
        &mut locations,
        &mut schemes,
        &mut codes,
    ] {
        v.sort_unstable();
        v.dedup();
    }
    let mut plan = Vec::new();
    let payor_refs: Vec<&str> = payors.iter().map(String::as_str).collect();
    for chunk in payor_refs.chunks(MAX_BOUND_PARAMS - 2) {
        plan.push(payors_query(site, chunk));
    }
    // Existing prices at the written keys (superset: every combination of the named parts).
    // Keys are few per request; the IN lists are chunked under the parameter limit.
    let room = MAX_BOUND_PARAMS - 4;
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let scheme_refs: Vec<&str> = schemes.iter().map(String::as_str).collect();
    if !payor_refs.is_empty() && !code_refs.is_empty() {
        let per = (room / 6).max(1);
        let loc_refs: Vec<&str> = locations.iter().map(String::as_str).collect();
        let prac_refs: Vec<&str> = practitioners.iter().map(String::as_str).collect();
        let extra = |n: usize| {
            if n == 0 {
                String::new()
            } else {
                format!(", {}", marks(n))
            }
        };
        let chunks = |v: &[&'_ str]| -> Vec<Vec<String>> {
            if v.is_empty() {
                vec![Vec::new()]
            } else {
                v.chunks(per)
                    .map(|c| c.iter().map(|s| s.to_string()).collect())
                    .collect()
            }
        };
        for pc in payor_refs.chunks(per) {
            for lc in chunks(&loc_refs) {
                for dc in chunks(&prac_refs) {
                    for sc in scheme_refs.chunks(per) {
                        for cc in code_refs.chunks(per) {
                            let mut p = vec![text(site), text(site)];
                            p.extend(pc.iter().map(|x| text(x)));
                            p.extend(lc.iter().map(|x| text(x)));
                            p.extend(dc.iter().map(|x| text(x)));
                            p.extend(sc.iter().map(|x| text(x)));
                            p.extend(cc.iter().map(|x| text(x)));
                            p.extend(sc.iter().map(|x| text(x)));
                            p.extend(cc.iter().map(|x| text(x)));
                            plan.push(Query::new(
                        RowKind::Price,
                        format!(
                            "SELECT {PRICE_COLS} FROM contract_price WHERE site = ? AND contract IN \
                             (SELECT id FROM contract_payor WHERE site = ? AND payor IN ({})) \
                             AND location IN (''{}) AND practitioner IN (''{}) \
                             AND service_scheme IN ({}) AND service_code IN ({}) \
                             AND proc_scheme IN ('', {}) AND proc_code IN ('', {})",
                            marks(pc.len()),
                            extra(lc.len()),
                            extra(dc.len()),
                            marks(sc.len()),
                            marks(cc.len()),
                            marks(sc.len()),
                            marks(cc.len())
                        ),
                        p,
                    ));
                        }
                    }
                }
            }
        }
        for pc in payor_refs.chunks(per) {
            for cc in code_refs.chunks(per * 2) {
                let mut p: Vec<SqlValue> = pc.iter().map(|x| text(x)).collect();
                p.extend(cc.iter().map(|x| text(x)));
                plan.push(Query::new(
                    RowKind::Tariff,
                    format!(
                        "SELECT {TARIFF_COLS} FROM tariff WHERE payor IN ({}) AND code_type IN ('S', 'P') AND code IN ({})",
                        marks(pc.len()),
                        marks(cc.len())
                    ),
                    p,
                ));
            }
        }
    }
    for chunk in practitioners.chunks(MAX_BOUND_PARAMS - 2) {
        let mut p = vec![text(site)];
        p.extend(chunk.iter().map(|x| text(x)));
        plan.push(Query::new(
            RowKind::Practitioner,
            format!(
                "SELECT practitioner FROM contract_practitioner WHERE site = ? AND practitioner IN ({})",
                marks(chunk.len())
            ),
            p,
        ));
    }
    plan
}

/// `POST /contract` (add payor): the payor's contract, any contract already holding the
/// body's id, and the self-pay list with that id.
pub fn add_payor_plan(site: &str, payor: &str, id: Option<&str>) -> Vec<Query> {
    let mut plan = vec![payors_query(site, &[payor])];
    if let Some(id) = id {
        plan.push(payors_by_id_query(site, &[id]));
        plan.push(Query::new(
            RowKind::SelfPay,
            format!("SELECT {SELF_PAY_COLS} FROM contract_self_pay WHERE site = ? AND id = ?"),
            vec![text(site), text(id)],
        ));
    }
    plan
}

/// `PUT $validation`: the stored tariffs at the keys being written.
pub fn tariffs_plan(tariffs: &[Tariff]) -> Vec<Query> {
    tariffs
        .chunks(MAX_BOUND_PARAMS / 4)
        .map(|chunk| {
            let mut p = Vec::new();
            let mut tuples = Vec::new();
            for t in chunk {
                p.push(text(&t.key.payor));
                p.push(text(t.key.code_type.code()));
                p.push(text(&t.key.code));
                p.push(text(t.key.practitioner.as_deref().unwrap_or("")));
                tuples.push("(payor = ? AND code_type = ? AND code = ? AND practitioner = ?)");
            }
            Query::new(
                RowKind::Tariff,
                format!(
                    "SELECT {TARIFF_COLS} FROM tariff WHERE {}",
                    tuples.join(" OR ")
                ),
                p,
            )
        })
        .collect()
}

/// Who writes, through which endpoint (audit rows).
#[derive(Debug, Clone, Copy)]
pub struct AuditMeta<'a> {
    /// When (FHIR instant).
    pub at: &'a str,
    /// The token's `sub`.
    pub sub: &'a str,
    /// Site (`*` for tariffs).
    pub site: &'a str,
    /// HTTP method.
    pub method: &'a str,
    /// Endpoint path.
    pub endpoint: &'a str,
}

impl AuditMeta<'_> {
    /// The first five audit columns' values: at, sub, site, method, endpoint.
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.at),
            text(self.sub),
            text(self.site),
            text(self.method),
            text(self.endpoint),
        ]
    }
}

/// The audit row of a write.
pub fn audit_insert(
    meta: &AuditMeta<'_>,
    contract_ids: &[String],
    version: i64,
    before: &Value,
    after: &Value,
) -> Statement {
    Statement::new(
        "INSERT INTO audit (at, sub, site, method, endpoint, contract_ids, version, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            meta.values(),
            vec![
                SqlValue::Text(serde_json::to_string(contract_ids).unwrap_or_else(|_| "[]".into())),
                SqlValue::Integer(version),
                SqlValue::Text(before.to_string()),
                SqlValue::Text(after.to_string()),
            ],
        ]
        .concat(),
    )
}

/// The `WHERE` of a price delete and its values.
fn delete_condition(site: &str, f: &PriceFilter) -> (String, Vec<SqlValue>) {
    let mut sql = String::from("site = ? AND service_scheme = ? AND service_code = ?");
    let mut p = vec![text(site), text(&f.service.scheme), text(&f.service.code)];
    if let Some(proc_) = &f.procedure {
        sql.push_str(" AND proc_scheme = ? AND proc_code = ?");
        p.push(text(&proc_.scheme));
        p.push(text(&proc_.code));
    }
    if let Some(l) = &f.location {
        sql.push_str(" AND location = ?");
        p.push(text(l));
    }
    if let Some(pr) = &f.practitioner {
        sql.push_str(" AND practitioner = ?");
        p.push(text(pr));
    }
    if let Some(payor) = &f.payor {
        sql.push_str(" AND contract IN (SELECT id FROM contract_payor WHERE site = ? AND payor = ? UNION ALL SELECT id FROM contract_self_pay WHERE site = ? AND ? = 'slf')");
        p.extend([text(site), text(payor), text(site), text(payor)]);
    }
    (sql, p)
}

/// Most deleted prices an audit row lists (the count is always there; every one leaves a
/// tombstone). Keeps the audit row far under D1's 2 MB row limit.
pub const AUDIT_LISTED_PRICES: usize = 1000;

/// `DELETE $contract-price/{site}`: one batch that writes the audit row (the prices as they
/// were), moves the touched contracts to a new version, leaves tombstones and deletes, all
/// only when something matches. Touches only the matching rows, through an index.
pub fn delete_prices_statements(meta: &AuditMeta<'_>, f: &PriceFilter) -> Vec<Statement> {
    let (cond, cp) = delete_condition(meta.site, f);
    let with = |head: Vec<SqlValue>, times: usize, tail: Vec<SqlValue>| {
        let mut v = head;
        for _ in 0..times {
            v.extend(cp.iter().cloned());
        }
        v.extend(tail);
        v
    };
    let price_json = "json_object('contract', contract, 'service', service_scheme || '/' || service_code, \
        'procedure', nullif(proc_scheme || '/' || proc_code, '/'), 'location', nullif(location, ''), \
        'practitioner', nullif(practitioner, ''), 'net', net)";
    vec![
        Statement::new(
            format!(
                "INSERT INTO audit (at, sub, site, method, endpoint, contract_ids, version, before, after) \
                 SELECT ?, ?, ?, ?, ?, (SELECT json_group_array(DISTINCT contract) FROM contract_price WHERE {cond}), 0, \
                 json_object('prices', json((SELECT json_group_array({price_json}) FROM (SELECT * FROM contract_price WHERE {cond} LIMIT {AUDIT_LISTED_PRICES}))), \
                 'priceCount', (SELECT count(*) FROM contract_price WHERE {cond})), '{{\"prices\":[]}}' \
                 WHERE EXISTS (SELECT 1 FROM contract_price WHERE {cond})"
            ),
            with(meta.values(), 4, vec![]),
        ),
        Statement::new(
            format!("UPDATE contract_payor SET version = version + 1, last_updated = ? WHERE site = ? AND id IN (SELECT contract FROM contract_price WHERE {cond})"),
            with(vec![text(meta.at), text(meta.site)], 1, vec![]),
        ),
        Statement::new(
            format!("UPDATE contract_self_pay SET version = version + 1, last_updated = ? WHERE site = ? AND id IN (SELECT contract FROM contract_price WHERE {cond})"),
            with(vec![text(meta.at), text(meta.site)], 1, vec![]),
        ),
        Statement::new(
            format!(
                "INSERT INTO contract_removed (site, kind, payor, key, at) SELECT site, 'price', \
                 coalesce((SELECT c.payor FROM contract_payor c WHERE c.site = contract_price.site AND c.id = contract_price.contract), 'slf'), \
                 json_object('contract', contract, 'service', service_scheme || '/' || service_code, 'procedure', nullif(proc_scheme || '/' || proc_code, '/'), \
                 'location', nullif(location, ''), 'practitioner', nullif(practitioner, '')), ? FROM contract_price WHERE {cond}"
            ),
            with(vec![text(meta.at)], 1, vec![]),
        ),
        Statement::new(format!("DELETE FROM contract_price WHERE {cond}"), with(vec![], 1, vec![])),
    ]
}

/// `$effective-prices`, first round trip: the payor contracts (those named and `na`, or every
/// payor of the site), the practitioner and their self-pay list. [`effective_page_plan`]
/// then knows each payor's precedence chain.
pub fn effective_context_plan(site: &str, req: &EffectivePricesRequest) -> Vec<Query> {
    let mut plan = Vec::new();
    let named: Vec<&str> = req.payors.iter().map(String::as_str).collect();
    if named.is_empty() {
        plan.push(Query::new(
            RowKind::Payor,
            format!("SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ? ORDER BY seq"),
            vec![text(site)],
        ));
    } else {
        let mut all = named.clone();
        all.push(ALL_OTHERS_PAYOR);
        all.sort_unstable();
        all.dedup();
        for chunk in all.chunks(MAX_BOUND_PARAMS - 2) {
            plan.push(payors_query(site, chunk));
        }
    }
    if let Some(prac) = req.scope.practitioner.as_deref() {
        plan.push(practitioner_query(site, prac));
        plan.push(self_pay_query(site, prac));
    }
    plan
}

/// One level of a payor's precedence chain: a contract's prices at a location and
/// practitioner ('' for none), in the primary key's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    contract: String,
    location: String,
    practitioner: String,
}

/// The context book (payors, practitioner, self-pay list) with the book's checks, and each
/// listed payor's chain, most specific first (the book's `chain`, with contract ids).
fn effective_chains(
    site: &str,
    req: &EffectivePricesRequest,
    ctx: &RowSet,
) -> Result<(ContractBook, Vec<Vec<Step>>), OperationOutcome> {
    let book = ContractBook::from_rows(site, ctx)?;
    book.check_site(req.scope.site.as_deref())?;
    book.check_practitioner(req.scope.practitioner.as_deref())?;
    for p in &req.payors {
        if book.payor_contract(p).is_none() {
            return Err(not_found("Payor", p));
        }
    }
    let listed: Vec<String> = if req.payors.is_empty() {
        book.payor_contracts()
            .iter()
            .map(|c| c.payor.id.clone())
            .collect()
    } else {
        req.payors.clone()
    };
    let prac = req.scope.practitioner.clone().unwrap_or_default();
    let loc = req.scope.location.clone().unwrap_or_default();
    let na = book.payor_contract(ALL_OTHERS_PAYOR).map(|c| c.id.clone());
    let step = |contract: &str, location: &str, practitioner: &str| Step {
        contract: contract.to_string(),
        location: location.to_string(),
        practitioner: practitioner.to_string(),
    };
    let mut chains = Vec::new();
    for payor in &listed {
        let Some(c) = book.payor_contract(payor) else {
            continue;
        };
        let mut chain = Vec::new();
        if !prac.is_empty() {
            chain.push(step(&c.id, "", &prac));
        }
        if !loc.is_empty() {
            chain.push(step(&c.id, &loc, ""));
        }
        if payor == SELF_PAY_PAYOR && !prac.is_empty() {
            if let Some(list) = book
                .self_pay_lists()
                .iter()
                .find(|s| s.practitioner == prac)
            {
                chain.push(step(&list.id, "", &prac));
            }
        }
        chain.push(step(&c.id, "", ""));
        if let (Some(na), false) = (&na, payor == ALL_OTHERS_PAYOR) {
            if !loc.is_empty() {
                chain.push(step(na, &loc, ""));
            }
            chain.push(step(na, "", ""));
        }
        chains.push(chain);
    }
    Ok((book, chains))
}

/// The request's service and `_lastUpdated` filters on the columns of `table` (`a.`, or
/// `` for none).
fn effective_filters(req: &EffectivePricesRequest, table: &str, p: &mut Vec<SqlValue>) -> String {
    let mut filter = String::new();
    if let Some(service) = req.service.as_deref() {
        match service.split_once('/') {
            Some((scheme, code)) => {
                filter.push_str(&format!(
                    " AND {table}service_scheme = ? AND {table}service_code = ?"
                ));
                p.push(text(scheme));
                p.push(text(code));
            }
            None => {
                filter.push_str(&format!(" AND {table}service_code = ?"));
                p.push(text(service));
            }
        }
    }
    filter.push_str(&last_updated_sql(
        &format!("{table}last_updated"),
        &req.last_updated,
        p,
    ));
    filter
}

/// The distinct steps of every chain, in a stable order (shared `na` steps read once).
fn distinct_steps(chains: &[Vec<Step>]) -> Vec<&Step> {
    let mut all: Vec<&Step> = chains.iter().flatten().collect();
    all.sort();
    all.dedup();
    all
}

/// `$effective-prices`, second round trip: for every step of every chain, its first
/// `offset + count` priced rows in (service, procedure) order, straight off the primary
/// key (an index range read that stops at the limit); and per payor the number of distinct
/// (service, procedure) it lists, over the priced-keys index. A page reads what it shows.
pub fn effective_page_plan(
    site: &str,
    req: &EffectivePricesRequest,
    ctx: &RowSet,
    with_counts: bool,
) -> Result<Vec<Query>, OperationOutcome> {
    let (_, chains) = effective_chains(site, req, ctx)?;
    let limit = req.page.saturating_mul(req.count) as i64;
    let mut plan = Vec::new();
    for st in distinct_steps(&chains) {
        let mut p = vec![
            text(site),
            text(&st.contract),
            text(&st.location),
            text(&st.practitioner),
        ];
        let filter = effective_filters(req, "", &mut p);
        p.push(SqlValue::Integer(limit));
        plan.push(Query::new(
            RowKind::Step,
            format!(
                "SELECT {PRICE_COLS} FROM contract_price WHERE site = ? AND contract = ? AND location = ? AND practitioner = ? \
                 AND net IS NOT NULL{filter} ORDER BY service_scheme, service_code, proc_scheme, proc_code LIMIT ?"
            ),
            p,
        ));
    }
    // The number of distinct (service, procedure) a payor lists: each step's priced keys
    // that no earlier step of its chain has (filters apply to both sides, as in the book).
    // Every term is a primary-key range with point probes into the earlier steps.
    let cond = |alias: &str, st: &Step, p: &mut Vec<SqlValue>| -> String {
        p.extend([
            text(site),
            text(&st.contract),
            text(&st.location),
            text(&st.practitioner),
        ]);
        let filter = effective_filters(req, &format!("{alias}."), p);
        format!(
            "{alias}.site = ? AND {alias}.contract = ? AND {alias}.location = ? AND {alias}.practitioner = ? AND {alias}.net IS NOT NULL{filter}"
        )
    };
    if with_counts {
        for chain in &chains {
            for (i, st) in chain.iter().enumerate() {
                let mut p = Vec::new();
                let mut term = format!(
                    "SELECT count(*) AS n FROM contract_price a WHERE {}",
                    cond("a", st, &mut p)
                );
                for earlier in chain.iter().take(i) {
                    term.push_str(&format!(
                        " AND NOT EXISTS (SELECT 1 FROM contract_price b WHERE {} AND b.service_scheme = a.service_scheme \
                         AND b.service_code = a.service_code AND b.proc_scheme = a.proc_scheme AND b.proc_code = a.proc_code)",
                        cond("b", earlier, &mut p)
                    ));
                }
                plan.push(Query::new(RowKind::Count, term, p));
            }
        }
    }
    Ok(plan)
}

/// The `$effective-prices` page from both round trips' rows: each payor's steps merged
/// (the most specific level wins per service and procedure), payors in listing order, and
/// the book's own rendering of each price's source.
pub fn effective_from_rows(
    site: &str,
    req: &EffectivePricesRequest,
    ctx: &RowSet,
    rows: &RowSet,
    counts: Option<&[u64]>,
) -> Result<EffectivePricesPage, OperationOutcome> {
    let (book, chains) = effective_chains(site, req, ctx)?;
    let steps = distinct_steps(&chains);
    let offset = req.page.saturating_sub(1).saturating_mul(req.count);
    let mut entries = Vec::new();
    let mut before = 0usize;
    let mut total = 0usize;
    let mut next_count = 0usize;
    for (i, chain) in chains.iter().enumerate() {
        let count = match counts {
            Some(c) => c.get(i).copied().unwrap_or(0) as usize,
            None => {
                let n: u64 = rows.counts.iter().skip(next_count).take(chain.len()).sum();
                next_count += chain.len();
                n as usize
            }
        };
        total += count;
        let (from, to) = (
            offset.saturating_sub(before),
            (offset + req.count).saturating_sub(before).min(count),
        );
        before += count;
        if from >= to {
            continue;
        }
        // (service, procedure) → (rank, row): rows come sorted per step, so the first
        // `offset + count` distinct keys of the merge are exact.
        let mut best: std::collections::BTreeMap<
            (String, String, String, String),
            (usize, &PriceRow),
        > = std::collections::BTreeMap::new();
        for (rank, st) in chain.iter().enumerate() {
            let Some(at) = steps.iter().position(|s| *s == st) else {
                continue;
            };
            for r in rows.steps.get(at).into_iter().flatten() {
                let key = (
                    r.service_scheme.clone(),
                    r.service_code.clone(),
                    r.proc_scheme.clone(),
                    r.proc_code.clone(),
                );
                best.entry(key).or_insert((rank, r));
            }
        }
        for (_, (_, r)) in best.into_iter().skip(from).take(to - from) {
            let (key, price) = r.to_entry()?;
            let source = book.source_for_key(&key);
            entries.push(EffectivePrice { key, price, source });
        }
    }
    Ok(EffectivePricesPage {
        entries,
        page: req.page,
        count: req.count,
        max_count: total,
    })
}

/// Each listed payor's number of effective prices, from [`effective_page_plan`]'s rows (to
/// keep under [`effective_count_key`]).
pub fn effective_counts(
    site: &str,
    req: &EffectivePricesRequest,
    ctx: &RowSet,
    rows: &RowSet,
) -> Result<Vec<u64>, OperationOutcome> {
    let (_, chains) = effective_chains(site, req, ctx)?;
    let mut out = Vec::with_capacity(chains.len());
    let mut at = 0usize;
    for chain in &chains {
        out.push(rows.counts.iter().skip(at).take(chain.len()).sum());
        at += chain.len();
    }
    Ok(out)
}

/// What the counts of an `$effective-prices` request depend on: the site, the request's
/// payors, practitioner, location and filters, and the version of every contract its
/// chains read (any price change moves one). Equal keys mean equal counts, so a skin can
/// keep them and skip the counting queries.
pub fn effective_count_key(site: &str, req: &EffectivePricesRequest, ctx: &RowSet) -> String {
    let mut versions: Vec<String> = ctx
        .payors
        .iter()
        .map(|p| format!("{}:{}:{}", p.payor, p.id, p.version))
        .chain(
            ctx.self_pay
                .iter()
                .map(|s| format!("{}:{}", s.id, s.version)),
        )
        .collect();
    versions.sort();
    let filters: Vec<String> = req
        .last_updated
        .iter()
        .map(|f| format!("{}{}", f.prefix, f.value))
        .collect();
    format!(
        "{site}|{}|{}|{}|{}|{}|{}",
        req.payors.join(","),
        req.scope.practitioner.as_deref().unwrap_or(""),
        req.scope.location.as_deref().unwrap_or(""),
        req.service.as_deref().unwrap_or(""),
        filters.join("&"),
        versions.join(",")
    )
}
