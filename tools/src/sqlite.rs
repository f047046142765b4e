//! The D1 engine natively, for the tests and benchmarks (feature `sqlite`): SQLite (rusqlite,
//! bundled) with every migration, running the core's statements and plans exactly as the
//! worker runs them on D1, rows returned as the JSON objects D1 returns.

use std::path::Path;

use practice_fhir::contracts::rows::{Query, RowSet};
use practice_fhir::directory::{SqlValue, Statement};
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection};
use serde_json::{json, Map, Value};

/// Every migration, in order (`migrations/`).
pub const MIGRATIONS: [&str; 6] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_contracts.sql"),
    include_str!("../../migrations/0003_directory.sql"),
    include_str!("../../migrations/0004_write_guard.sql"),
    include_str!("../../migrations/0005_near_by_location.sql"),
    include_str!("../../migrations/0006_contract_rows.sql"),
];

/// A bound value as SQLite's.
pub fn to_sql(v: &SqlValue) -> Sql {
    match v {
        SqlValue::Null => Sql::Null,
        SqlValue::Integer(i) => Sql::Integer(*i),
        SqlValue::Real(r) => Sql::Real(*r),
        SqlValue::Text(s) => Sql::Text(s.clone()),
    }
}

/// A database with every migration applied: in memory, or the file at `path`.
pub fn open(path: Option<&Path>) -> rusqlite::Result<Connection> {
    let conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    for m in MIGRATIONS {
        conn.execute_batch(m)?;
    }
    Ok(conn)
}

/// One statement's rows as JSON objects, column name to value (as D1 returns them).
pub fn select(conn: &Connection, st: &Statement) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(&st.sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let rows = stmt.query_map(params_from_iter(st.params.iter().map(to_sql)), |r| {
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.get::<_, Sql>(i)? {
                Sql::Null | Sql::Blob(_) => Value::Null,
                Sql::Integer(i) => json!(i),
                Sql::Real(f) => json!(f),
                Sql::Text(t) => json!(t),
            };
            m.insert(n.clone(), v);
        }
        Ok(Value::Object(m))
    })?;
    rows.collect()
}

/// Runs a plan (as the worker's one batch) and collects its rows.
pub fn run(conn: &Connection, plan: &[Query]) -> Result<RowSet, String> {
    let mut rows = RowSet::default();
    for q in plan {
        let got = select(conn, &q.stmt).map_err(|e| format!("{e}: {}", q.stmt.sql))?;
        rows.push(q.kind, got).map_err(|o| o.to_json_string())?;
    }
    Ok(rows)
}

/// Commits statements in one transaction, all or nothing (as D1's batch); the error names
/// the statement that failed.
pub fn commit(conn: &mut Connection, statements: &[Statement]) -> Result<(), String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    for st in statements {
        tx.prepare_cached(&st.sql)
            .and_then(|mut s| s.execute(params_from_iter(st.params.iter().map(to_sql))))
            .map_err(|e| format!("{e}: {}", st.sql))?;
    }
    tx.commit().map_err(|e| e.to_string())
}

/// What D1 refuses that SQLite accepts, checked on a statement the worker would send: more
/// than 100 bound parameters (or placeholders that do not match the values), statements over
/// 100 KB, `LIKE` patterns (none are compiled: prefix search uses ranges), and compound
/// SELECTs of more than two terms (D1 refused six `UNION ALL` terms that SQLite ran).
pub fn d1_limits(st: &Statement) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{why}: {}", st.sql));
    if st.params.len() > 100 {
        return fail(&format!("{} bound parameters", st.params.len()));
    }
    if st.sql.matches('?').count() != st.params.len() {
        return fail("placeholders and values differ");
    }
    if st.sql.len() >= 100_000 {
        return fail("over 100 KB");
    }
    if st.sql.contains("LIKE") {
        return fail("a LIKE pattern");
    }
    let terms: Vec<&str> = st.sql.split(" UNION ").skip(1).collect();
    if terms
        .windows(2)
        .any(|w| w.first().is_some_and(|t| !t.contains(')')))
    {
        return fail("a compound SELECT of more than two terms");
    }
    Ok(())
}
