//! Contract storage as rows (migrations/0006). The core compiles every read and write
//! ([`practice_fhir::contracts::queries`], [`practice_fhir::contracts::rows`]); this module
//! only runs them on the request's D1 session.
//!
//! A read is one batch: the plan's queries, whose rows become a partial book.
//!
//! A write reads its partial book (one batch), applies the change with the core to a copy,
//! and commits the diff in one batch (a transaction): guards that the contracts it read still
//! exist (at the `If-Match` version when one is given), the changed rows, tombstones and the
//! audit row. Writers to different prices never conflict; a guard that fails because another
//! writer deleted or changed a contract in between retries from a fresh read.

use practice_fhir::contracts::queries::{audit_insert, AuditMeta};
use practice_fhir::contracts::rows::{self, Query, RowSet, GUARD_FAILED};
use practice_fhir::directory::Statement;
use practice_fhir::{ContractBook, IssueCode, OperationOutcome};
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

use crate::http::{batch_rows, db, prepare, Cx};

/// How many times a write retries after a guard failed under a concurrent writer.
const MAX_ATTEMPTS: u32 = 8;

/// Who is writing and through which endpoint (audit).
pub struct Writer<'a> {
    /// The token's `sub`.
    pub sub: &'a str,
    /// HTTP method.
    pub method: &'a str,
    /// The endpoint path.
    pub endpoint: &'a str,
}

/// A committed write: the change's value, the version of the contract it wrote (If-Match,
/// ETag), and its time.
pub struct Written<T> {
    /// The handler's result.
    pub value: T,
    /// The written contract's new version.
    pub version: i64,
    /// `meta.lastUpdated` of the write.
    pub now: String,
}

fn database_error(err: impl std::fmt::Display) -> OperationOutcome {
    // The error goes to the request's log line (with its id), not to the client.
    practice_fhir::ops::internal_error(
        IssueCode::DatabaseError,
        "The contracts could not be read or written.",
        &format!("d1: {err}"),
    )
}

/// The current time as an ISO 8601 instant.
pub fn now_iso() -> String {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    iso
}

/// Runs a plan in one batch and collects its rows.
pub async fn run(cx: &Cx, plan: &[Query]) -> Result<RowSet, OperationOutcome> {
    let statements: Vec<Statement> = plan.iter().map(|q| q.stmt.clone()).collect();
    let results: Vec<Vec<Value>> = batch_rows(db(cx)?, &statements).await?;
    let mut rows = RowSet::default();
    for (q, r) in plan.iter().zip(results) {
        rows.push(q.kind, r)?;
    }
    Ok(rows)
}

/// Why a commit failed.
pub enum CommitError {
    /// A guard refused: a contract read by the write changed or went in between.
    Guard,
    /// Anything else.
    Failed(OperationOutcome),
}

/// Commits statements as one batch (all or nothing).
pub async fn commit(cx: &Cx, statements: &[Statement]) -> Result<(), CommitError> {
    if statements.is_empty() {
        return Ok(());
    }
    let d = db(cx).map_err(CommitError::Failed)?;
    let prepared = statements
        .iter()
        .map(|st| prepare(d, st))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CommitError::Failed)?;
    match d.batch(prepared).await {
        Ok(_) => Ok(()),
        Err(e) if e.to_string().contains(GUARD_FAILED) => Err(CommitError::Guard),
        Err(e) => Err(CommitError::Failed(database_error(e))),
    }
}

fn version_conflict(id: &str, expected: i64, found: i64) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::VersionConflict,
        format!("If-Match names version {expected} but contract {id} is at version {found}."),
    )
}

/// Reads `plan`'s partial book of `site`, applies `change` to a copy and commits what
/// changed with its audit row. `if_match` must equal the version of every contract the
/// write touches (a payor contract, a self-pay list; a new one is at version 0).
pub async fn write_book<T>(
    cx: &Cx,
    site: &str,
    plan: &[Query],
    writer: &Writer<'_>,
    if_match: Option<i64>,
    mut change: impl FnMut(&mut ContractBook, &str) -> Result<T, OperationOutcome>,
) -> Result<Written<T>, OperationOutcome> {
    for attempt in 0..MAX_ATTEMPTS {
        let rows = run(cx, plan).await?;
        let before = ContractBook::from_rows(site, &rows)?;
        let mut after = before.clone();
        let now = now_iso();
        let value = change(&mut after, &now)?;
        let diff = rows::diff(site, &before, &after, &now);
        // The contracts the write read and touches, with their versions as read.
        let existing: Vec<(&String, i64)> = diff
            .contract_ids
            .iter()
            .filter_map(|id| rows.contract_version(id).map(|v| (id, v)))
            .collect();
        let version = existing.iter().map(|(_, v)| v + 1).max().unwrap_or(1);
        if let Some(expected) = if_match {
            if let Some((id, v)) = existing.iter().find(|(_, v)| *v != expected) {
                return Err(version_conflict(id, expected, *v));
            }
            if existing.is_empty() && expected != 0 {
                return Err(version_conflict("(new)", expected, 0));
            }
        }
        if diff.is_empty() {
            return Ok(Written {
                value,
                version: version.saturating_sub(1).max(1),
                now,
            });
        }
        let mut statements: Vec<Statement> = existing
            .iter()
            .map(|(id, v)| rows::guard_contract(site, id, if_match.map(|_| *v)))
            .collect();
        statements.extend(diff.statements.iter().cloned());
        let meta = AuditMeta {
            at: &now,
            sub: writer.sub,
            site,
            method: writer.method,
            endpoint: writer.endpoint,
        };
        statements.push(audit_insert(
            &meta,
            &diff.contract_ids,
            version,
            &diff.before,
            &diff.after,
        ));
        match commit(cx, &statements).await {
            Ok(()) => {
                return Ok(Written {
                    value,
                    version,
                    now,
                })
            }
            Err(CommitError::Failed(o)) => return Err(o),
            Err(CommitError::Guard) => {
                // Another writer changed a contract this write read: re-read and re-apply
                // (a stale If-Match is then reported as a conflict above).
                let wait = 1 + (js_sys::Math::random() * f64::from(attempt + 1) * 4.0) as u64;
                worker::Delay::from(std::time::Duration::from_millis(wait)).await;
            }
        }
    }
    Err(OperationOutcome::error(
        IssueCode::DatabaseError,
        format!("The contracts of site {site} are being changed by many writers; try again."),
    ))
}

/// Commits statements the core compiled whole (deletes), retrying never: they read nothing
/// outside their own transaction.
pub async fn commit_all(cx: &Cx, statements: &[Statement]) -> Result<(), OperationOutcome> {
    match commit(cx, statements).await {
        Ok(()) => Ok(()),
        Err(CommitError::Guard) => Err(OperationOutcome::error(
            IssueCode::VersionConflict,
            "The contract changed since it was read (If-Match).",
        )),
        Err(CommitError::Failed(o)) => Err(o),
    }
}

/// A new provider group (contract) id: 10 digits from a D1 sequence.
pub async fn next_provider_group(cx: &Cx) -> Result<String, OperationOutcome> {
    #[derive(Deserialize)]
    struct Next {
        next: f64,
    }
    let row: Option<Next> = db(cx)?
        .prepare("UPDATE provider_group_seq SET next = next + 1 WHERE id = 1 RETURNING next")
        .first(None)
        .await
        .map_err(database_error)?;
    let n = row.map_or(0, |r| r.next as i64);
    Ok(format!("{n:010}"))
}

/// One audit entry as the audit endpoint returns it.
#[derive(Deserialize)]
pub struct AuditRow {
    /// Sequence number.
    pub id: f64,
    /// When.
    pub at: String,
    /// Who (`sub`).
    pub sub: String,
    /// Which site.
    pub site: String,
    /// HTTP method.
    pub method: String,
    /// Endpoint path.
    pub endpoint: String,
    /// Contract ids touched (JSON array).
    pub contract_ids: String,
    /// Version of the written contract after the write.
    pub version: f64,
    /// JSON before.
    pub before: Option<String>,
    /// JSON after.
    pub after: Option<String>,
}

/// A page of a site's audit entries, newest first, and the total count.
pub async fn audit_page(
    cx: &Cx,
    site: &str,
    page: usize,
    count: usize,
) -> Result<(Vec<AuditRow>, usize), OperationOutcome> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let d = db(cx)?;
    let offset = (page.max(1) - 1) * count;
    let count_stmt = d
        .prepare("SELECT count(*) AS n FROM audit WHERE site = ?1")
        .bind(&[site.into()])
        .map_err(database_error)?;
    let page_stmt = d
        .prepare("SELECT id, at, sub, site, method, endpoint, contract_ids, version, before, after FROM audit WHERE site = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3")
        .bind(&[site.into(), JsValue::from_f64(count as f64), JsValue::from_f64(offset as f64)])
        .map_err(database_error)?;
    let results = d
        .batch(vec![count_stmt, page_stmt])
        .await
        .map_err(database_error)?;
    let total: Vec<Count> = results
        .first()
        .map(|r| r.results())
        .transpose()
        .map_err(database_error)?
        .unwrap_or_default();
    let rows: Vec<AuditRow> = results
        .get(1)
        .map(|r| r.results())
        .transpose()
        .map_err(database_error)?
        .unwrap_or_default();
    Ok((rows, total.first().map_or(0, |c| c.n as usize)))
}
