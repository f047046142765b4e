//! Bulk SQL for loading many resources from a file (`practice-fhir import`): the same rows as
//! running each resource's [`super::index_rows`] in turn, in far fewer statements.
//!
//! Local D1 (`wrangler d1 execute --local --file`) spends about 0.7 ms per statement, so a
//! file of 10,000 resources written resource by resource (~116,000 statements) took minutes.
//! For a set of resources with distinct ids, "delete every old row, then insert every new row"
//! ends in the same state as replacing them one by one, so the statements regroup into one
//! `DELETE … WHERE key IN (…)` per table and chunk of ids, and multi-row `INSERT … VALUES
//! (…), (…)` per table, each under D1's 100 KB statement limit. The per-role location counts
//! (`location_ix.roles`) depend on statement order, so the bulk form leaves out the per-role
//! increments and decrements and recounts the locations once at the end.

use super::index::delete_rows;
use super::{index_rows, ResourceKind, Statement};
use crate::outcome::OperationOutcome;
use serde_json::Value;

/// Longest statement written, in bytes (D1 refuses statements over 100 KB).
pub const MAX_STATEMENT_BYTES: usize = 90_000;
/// Most rows in one `VALUES` list or `IN` list.
pub const MAX_ROWS: usize = 400;

/// The recount that ends a bulk load touching roles or locations.
pub const RECOUNT_LOCATION_ROLES: &str = "UPDATE location_ix SET roles = (SELECT COUNT(*) FROM role_ix WHERE role_ix.location_id = location_ix.location_id);";

/// Statements that keep `location_ix.roles` in step one role at a time (left out in bulk).
fn is_role_count_step(sql: &str) -> bool {
    sql.starts_with("UPDATE location_ix SET roles = roles ")
}

/// Statements grouped by their SQL text, in order of first appearance.
#[derive(Default)]
struct Groups {
    order: Vec<String>,
    rows: std::collections::HashMap<String, Vec<Statement>>,
}

impl Groups {
    fn push(&mut self, st: Statement) {
        if !self.rows.contains_key(&st.sql) {
            self.order.push(st.sql.clone());
        }
        self.rows.entry(st.sql.clone()).or_default().push(st);
    }
}

/// Splits `head … (?, ?)` at its last parenthesised tuple: `DELETE … WHERE key = ?` becomes
/// `DELETE … WHERE key IN` + `(?)`, `INSERT … VALUES (…)` becomes `INSERT … VALUES` + `(…)`.
fn head_and_tuple(sql: &str) -> Option<(String, String)> {
    if let Some(head) = sql.strip_suffix(" = ?") {
        return Some((format!("{head} IN"), "?".to_owned()));
    }
    let at = sql.find(" VALUES (")?;
    let (head, tuple) = sql.split_at(at + " VALUES ".len());
    Some((head.trim_end().to_owned(), tuple.to_owned()))
}

/// One statement per chunk of rows: `head (row), (row), …;` (or `head (v, v, …);` for IN).
fn grouped(sql: &str, rows: &[Statement], out: &mut Vec<String>) {
    let Some((head, tuple)) = head_and_tuple(sql) else {
        out.extend(rows.iter().map(Statement::to_literal_sql));
        return;
    };
    let is_in = head.ends_with(" IN");
    let mut current: Vec<String> = Vec::new();
    let mut bytes = head.len();
    let flush = |current: &mut Vec<String>, out: &mut Vec<String>| {
        if current.is_empty() {
            return;
        }
        out.push(if is_in {
            format!("{head} ({});", current.join(", "))
        } else {
            format!("{head} {};", current.join(", "))
        });
        current.clear();
    };
    for row in rows {
        let mut literal = Statement::new(tuple.clone(), row.params.clone()).to_literal_sql();
        literal.pop(); // the `;`
        if !current.is_empty()
            && (current.len() >= MAX_ROWS || bytes + literal.len() + 2 > MAX_STATEMENT_BYTES)
        {
            flush(&mut current, out);
            bytes = head.len();
        }
        bytes += literal.len() + 2;
        current.push(literal);
    }
    flush(&mut current, out);
}

/// The literal SQL lines (each ending in `;`) that store or replace every resource of
/// `resources`, whose (type, id) pairs must be distinct. Errors as [`index_rows`] gives them.
pub fn bulk_sql(resources: &[Value]) -> Result<Vec<String>, OperationOutcome> {
    let mut deletes = Groups::default();
    let mut inserts = Groups::default();
    let mut touches_locations = false;
    for resource in resources {
        let statements = index_rows(resource)?;
        let kind = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .and_then(ResourceKind::parse);
        let id = resource.get("id").and_then(Value::as_str).unwrap_or("");
        let k = kind.map_or(0, |kind| delete_rows(kind, id).len());
        touches_locations |= matches!(
            kind,
            Some(ResourceKind::Location | ResourceKind::PractitionerRole)
        );
        for (i, st) in statements.into_iter().enumerate() {
            if is_role_count_step(&st.sql) {
                continue;
            }
            if i < k {
                deletes.push(st);
            } else {
                inserts.push(st);
            }
        }
    }
    let mut out = Vec::new();
    for groups in [deletes, inserts] {
        for sql in &groups.order {
            if let Some(rows) = groups.rows.get(sql) {
                grouped(sql, rows, &mut out);
            }
        }
    }
    if touches_locations {
        out.push(RECOUNT_LOCATION_ROLES.to_owned());
    }
    Ok(out)
}
