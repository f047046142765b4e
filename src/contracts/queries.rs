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
    Query, RowKind, RowSet, PAYOR_COLS, PRICE_COLS, SELF_PAY_COLS, SET_COLS, TARIFF_COLS,
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

/// The payor contracts of `payors` at `site`.
pub fn payors_query(site: &str, payors: &[&str]) -> Query {
    let mut params = vec![text(site)];
    params.extend(payors.iter().map(|p| text(p)));
    Query::new(
        RowKind::Payor,
        format!(
            "SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ? AND payor IN ({}) ORDER BY seq",
            marks(payors.len())
        ),
        params,
    )
}

/// The payor contracts of `site` whose contract id is one of `ids`.
pub fn payors_by_id_query(site: &str, ids: &[&str]) -> Query {
    let mut params = vec![text(site)];
    params.extend(ids.iter().map(|p| text(p)));
    Query::new(
        RowKind::Payor,
        format!(
            "SELECT {PAYOR_COLS} FROM contract_payor WHERE site = ? AND id IN ({}) ORDER BY seq",
            marks(ids.len())
        ),
        params,
    )
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
    let prac = req.practitioner.as_deref().unwrap_or("");
    let loc = req.location.as_deref().unwrap_or("");
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
fn slice_payors(payors: &[String]) -> Vec<&str> {
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
            } else if !r.starts_with("Location/") {
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
    for v in [&mut payors, &mut practitioners, &mut schemes, &mut codes] {
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
        let per = (room / 4).max(1);
        for pc in payor_refs.chunks(per) {
            for sc in scheme_refs.chunks(per) {
                for cc in code_refs.chunks(per) {
                    let mut p = vec![text(site), text(site)];
                    p.extend(pc.iter().map(|x| text(x)));
                    p.extend(sc.iter().map(|x| text(x)));
                    p.extend(cc.iter().map(|x| text(x)));
                    p.extend(sc.iter().map(|x| text(x)));
                    p.extend(cc.iter().map(|x| text(x)));
                    plan.push(Query::new(
                        RowKind::Price,
                        format!(
                            "SELECT {PRICE_COLS} FROM contract_price WHERE site = ? AND contract IN \
                             (SELECT id FROM contract_payor WHERE site = ? AND payor IN ({})) \
                             AND service_scheme IN ({}) AND service_code IN ({}) \
                             AND proc_scheme IN ('', {}) AND proc_code IN ('', {})",
                            marks(pc.len()),
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
        for pc in payor_refs.chunks(per) {
            for cc in code_refs.chunks(per * 2) {
                let mut p: Vec<SqlValue> = pc.iter().map(|x| text(x)).collect();
                p.extend(cc.iter().map(|x| text(x)));
                plan.push(Query::new(
                    RowKind::Tariff,
                    format!(
                        "SELECT {TARIFF_COLS} FROM tariff WHERE payor IN ({}) AND code IN ({})",
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
        vec![
            text(meta.at),
            text(meta.sub),
            text(meta.site),
            text(meta.method),
            text(meta.endpoint),
            SqlValue::Text(serde_json::to_string(contract_ids).unwrap_or_else(|_| "[]".into())),
            SqlValue::Integer(version),
            SqlValue::Text(before.to_string()),
            SqlValue::Text(after.to_string()),
        ],
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
            with(
                vec![
                    text(meta.at),
                    text(meta.sub),
                    text(meta.site),
                    text(meta.method),
                    text(meta.endpoint),
                ],
                4,
                vec![],
            ),
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

/// `$effective-prices`: the payors named (to check them), the practitioner, and in SQL the
/// precedence chain of every payor, the best price per (payor, service, procedure), the
/// page (in the book's order) and the number of matches. Reads the payors' own rows only.
pub fn effective_plan(site: &str, req: &EffectivePricesRequest) -> Vec<Query> {
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
    let prac = req.practitioner.as_deref().unwrap_or("");
    let loc = req.location.as_deref().unwrap_or("");
    if !prac.is_empty() {
        plan.push(practitioner_query(site, prac));
        plan.push(self_pay_query(site, prac));
    }
    // pc: the payors, in the order they are listed (the request's, else the site's).
    let mut p = Vec::new();
    let pc = if named.is_empty() {
        p.push(text(site));
        "SELECT id, payor, seq AS ord FROM contract_payor WHERE site = ?".to_string()
    } else {
        let tuples: Vec<String> = named.iter().map(|_| "(?, ?)".to_string()).collect();
        for (i, n) in named.iter().enumerate() {
            p.push(text(n));
            p.push(SqlValue::Integer(i as i64));
        }
        p.push(text(site));
        format!(
            "SELECT c.id, c.payor, v.column2 AS ord FROM (VALUES {}) v JOIN contract_payor c ON c.site = ? AND c.payor = v.column1",
            tuples.join(", ")
        )
    };
    p.extend([
        text(site),
        text(loc),
        text(prac),
        text(site),
        text(prac),
        text(prac),
        text(loc),
        text(loc),
        text(site),
    ]);
    let mut filter = String::new();
    if let Some(service) = req.service.as_deref() {
        match service.split_once('/') {
            Some((scheme, code)) => {
                filter.push_str(" AND p.service_scheme = ? AND p.service_code = ?");
                p.push(text(scheme));
                p.push(text(code));
            }
            None => {
                filter.push_str(" AND p.service_code = ?");
                p.push(text(service));
            }
        }
    }
    filter.push_str(&last_updated_sql(
        "p.last_updated",
        &req.last_updated,
        &mut p,
    ));
    let cols: String = PRICE_COLS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let with = format!(
        "WITH pc AS ({pc}), \
         na AS (SELECT id FROM contract_payor WHERE site = ? AND payor = 'na'), \
         steps (rnk) AS (VALUES (0), (1), (2), (3), (4), (5)), \
         chain AS (SELECT CASE WHEN st.rnk >= 4 THEN na.id WHEN st.rnk = 2 THEN sp.id ELSE pc.id END AS contract, \
           CASE WHEN st.rnk IN (1, 4) THEN ? ELSE '' END AS loc, CASE WHEN st.rnk IN (0, 2) THEN ? ELSE '' END AS prac, \
           st.rnk AS rnk, pc.ord AS ord \
           FROM pc CROSS JOIN steps st LEFT JOIN na ON 1 \
           LEFT JOIN contract_self_pay sp ON sp.site = ? AND sp.practitioner = ? \
           WHERE (st.rnk <> 0 OR ? <> '') AND (st.rnk <> 1 OR ? <> '') \
           AND (st.rnk <> 2 OR (pc.payor = 'slf' AND sp.id IS NOT NULL)) \
           AND (st.rnk < 4 OR (pc.payor <> 'na' AND na.id IS NOT NULL)) AND (st.rnk <> 4 OR ? <> '')), \
         hit AS (SELECT {cols}, c.rnk, c.ord, ROW_NUMBER() OVER (PARTITION BY c.ord, p.service_scheme, p.service_code, p.proc_scheme, p.proc_code ORDER BY c.rnk) AS rn \
           FROM chain c JOIN contract_price p ON p.site = ? AND p.contract = c.contract AND p.location = c.loc AND p.practitioner = c.prac \
           WHERE p.net IS NOT NULL{filter})"
    );
    let mut page_params = p.clone();
    page_params.push(SqlValue::Integer(req.count as i64));
    page_params.push(SqlValue::Integer(
        req.page.saturating_sub(1).saturating_mul(req.count) as i64,
    ));
    plan.push(Query::new(
        RowKind::Price,
        format!(
            "{with} SELECT {PRICE_COLS}, rnk FROM hit WHERE rn = 1 \
             ORDER BY ord, service_scheme, service_code, proc_scheme, proc_code LIMIT ? OFFSET ?"
        ),
        page_params,
    ));
    plan.push(Query::new(
        RowKind::Count,
        format!("{with} SELECT count(*) AS n FROM hit WHERE rn = 1"),
        p,
    ));
    plan
}

/// The `$effective-prices` page from the rows of [`effective_plan`], with the book's checks
/// and the book's own rendering of each price's source.
pub fn effective_from_rows(
    site: &str,
    req: &EffectivePricesRequest,
    rows: &RowSet,
) -> Result<EffectivePricesPage, OperationOutcome> {
    let mut context = rows.clone();
    context.prices.clear();
    let book = ContractBook::from_rows(site, &context)?;
    book.check_site(req.site.as_deref())?;
    book.check_practitioner(req.practitioner.as_deref())?;
    for p in &req.payors {
        if book.payor_contract(p).is_none() {
            return Err(not_found("Payor", p));
        }
    }
    let mut entries = Vec::with_capacity(rows.prices.len());
    for r in &rows.prices {
        let (key, price) = r.to_entry()?;
        let source = book.source_for_key(&key);
        entries.push(EffectivePrice { key, price, source });
    }
    Ok(EffectivePricesPage {
        entries,
        page: req.page,
        count: req.count,
        max_count: rows.counts.first().copied().unwrap_or(0) as usize,
    })
}
