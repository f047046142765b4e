//! Contract storage: one versioned ContractBook snapshot per site in D1, cached in KV under
//! `book:{site}:{version}` (immutable keys, so a cache hit can never be stale), the payors'
//! tariffs merged in on load, and writes that land whole or not at all.
//!
//! A write reads the book, applies the change with the core, and commits with one D1 batch
//! (a transaction): the conditional `UPDATE ... WHERE version = ?` and the audit row, which
//! is inserted only when the update changed a row. A lost race (another write landed first)
//! retries from a fresh read, so concurrent writes are neither lost nor half-applied.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use practice_fhir::{ContractBook, IssueCode, OperationOutcome};
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use worker::{D1Database, Env};

use crate::http::{db, internal};

/// How many times a write retries after losing a race to a concurrent write.
const MAX_ATTEMPTS: u32 = 200;

/// A loaded book with its version.
pub struct Stored {
    /// The site's contracts (shared with the isolate's cache).
    pub book: Rc<ContractBook>,
    /// `meta.versionId` of the book (0 when the site has no row yet).
    pub version: i64,
    /// `meta.lastUpdated` of the book.
    pub last_updated: String,
}

#[derive(Deserialize)]
struct BookRow {
    version: f64,
    snapshot: String,
}

#[derive(Deserialize)]
struct VersionRow {
    version: f64,
    last_updated: String,
    /// Only the book head query asks for the tariff generation.
    #[serde(default)]
    tariffs: f64,
}

/// Books already parsed by this isolate, by site: (book version, tariff generation, book).
/// Parsing a 5,000-price snapshot costs ~20 ms in wasm, far more than the fee itself, so a
/// read checks the two version numbers (one small query) and reuses the parsed book when
/// neither moved. Bounded; an isolate is recycled by the runtime anyway.
type BookCache = HashMap<String, (i64, i64, Rc<ContractBook>)>;

thread_local! {
    static BOOKS: RefCell<BookCache> = RefCell::new(HashMap::new());
}

/// Sites whose parsed books an isolate keeps.
const BOOK_CACHE_SITES: usize = 64;

#[derive(Deserialize)]
struct BodyRow {
    body: String,
}

/// What a change to a book reports back for the response and the audit log.
pub struct Change<T> {
    /// The handler's result (e.g. the response body).
    pub value: T,
    /// Contract ids touched (audit).
    pub contract_ids: Vec<String>,
}

/// Who is writing and through which endpoint (audit).
pub struct Writer<'a> {
    /// The token's `sub`.
    pub sub: &'a str,
    /// HTTP method.
    pub method: &'a str,
    /// The endpoint path.
    pub endpoint: &'a str,
}

fn database_error(err: impl std::fmt::Display) -> OperationOutcome {
    worker::console_error!("d1: {err}");
    OperationOutcome::error(
        IssueCode::DatabaseError,
        "The contracts could not be read or written.",
    )
}

/// The first row of a query, if any.
async fn first_row<T: serde::de::DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> Result<Option<T>, OperationOutcome> {
    db.prepare(sql)
        .bind(args)
        .map_err(database_error)?
        .first(None)
        .await
        .map_err(database_error)
}

/// The current time as an ISO 8601 instant.
pub fn now_iso() -> String {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    iso
}

fn cache_key(site: &str, version: i64) -> String {
    format!("book:{site}:{version}")
}

/// Loads a site's book (an empty one at version 0 when the site has none yet).
pub async fn load(env: &Env, site: &str) -> Result<Stored, OperationOutcome> {
    let db = db(env)?;
    // The tariff generation (sum of the payors' tariff versions) moves on every tariff load.
    let head: Option<VersionRow> = first_row(&db, "SELECT version, last_updated, (SELECT coalesce(sum(version), 0) FROM payor_tariffs) AS tariffs \
             FROM contract_book WHERE site = ?1", &[JsValue::from_str(site)]).await?;
    let Some(head) = head else {
        return Ok(Stored {
            book: Rc::new(with_tariffs(env, ContractBook::new(site)).await?),
            version: 0,
            last_updated: now_iso(),
        });
    };
    let version = head.version as i64;
    let tariffs = head.tariffs as i64;
    let cached_book = BOOKS.with(|cache| {
        cache
            .borrow()
            .get(site)
            .filter(|(v, t, _)| *v == version && *t == tariffs)
            .map(|(_, _, book)| Rc::clone(book))
    });
    if let Some(book) = cached_book {
        return Ok(Stored {
            book,
            version,
            last_updated: head.last_updated,
        });
    }
    let kv = env.kv("KV").map_err(internal)?;
    let key = cache_key(site, version);
    // A KV failure only costs the cache; the book is read from D1 instead.
    let cached = kv.get(&key).text().await.ok().flatten();
    let snapshot = match cached {
        Some(s) => s,
        None => {
            let row: Option<BookRow> = first_row(
                &db,
                "SELECT version, snapshot FROM contract_book WHERE site = ?1",
                &[JsValue::from_str(site)],
            )
            .await?;
            let row = row.ok_or_else(|| database_error("book vanished between reads"))?;
            if row.version as i64 == version {
                if let Ok(put) = kv.put(&key, row.snapshot.as_str()) {
                    let _ = put.expiration_ttl(86_400).execute().await;
                }
            }
            row.snapshot
        }
    };
    let book = ContractBook::from_snapshot_json(&snapshot).map_err(|o| {
        worker::console_error!("stored book of {site} does not load: {o}");
        database_error("stored snapshot invalid")
    })?;
    let book = Rc::new(with_tariffs(env, book).await?);
    BOOKS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= BOOK_CACHE_SITES && !cache.contains_key(site) {
            if let Some(evict) = cache.keys().next().cloned() {
                cache.remove(&evict);
            }
        }
        cache.insert(site.to_string(), (version, tariffs, Rc::clone(&book)));
    });
    Ok(Stored {
        book,
        version,
        last_updated: head.last_updated,
    })
}

/// Merges the payors' tariffs (loaded by an administrator, shared by every site) into a book.
async fn with_tariffs(env: &Env, mut book: ContractBook) -> Result<ContractBook, OperationOutcome> {
    let payors: Vec<String> = book
        .payor_contracts()
        .iter()
        .map(|c| c.payor.id.clone())
        .collect();
    let db = db(env)?;
    let mut rows: Vec<BodyRow> = Vec::new();
    // D1 allows 100 bound parameters per statement: ask in chunks.
    for chunk in payors.chunks(90) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT body FROM payor_tariffs WHERE payor IN ({})",
            placeholders.join(",")
        );
        let args: Vec<JsValue> = chunk.iter().map(|p| JsValue::from_str(p)).collect();
        rows.extend(
            db.prepare(sql)
                .bind(&args)
                .map_err(database_error)?
                .all()
                .await
                .map_err(database_error)?
                .results::<BodyRow>()
                .map_err(database_error)?,
        );
    }
    for row in rows {
        let body: Value = serde_json::from_str(&row.body).map_err(database_error)?;
        book.load_tariffs_fhir(&body)?;
    }
    Ok(book)
}

/// The parts of a snapshot that belong to the given contract ids (audit before/after).
fn fragment(snapshot: &str, ids: &[String]) -> Value {
    let Ok(v) = serde_json::from_str::<Value>(snapshot) else {
        return Value::Null;
    };
    let pick = |name: &str, field: &str| -> Vec<Value> {
        v.get(name)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter(|i| {
                        i.get(field)
                            .and_then(Value::as_str)
                            .is_some_and(|id| ids.iter().any(|x| x == id))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    json!({
        "payors": pick("payors", "id"),
        "prices": pick("prices", "contract"),
        "multiProcSets": pick("multiProcSets", "id"),
    })
}

/// Applies `change` to the site's book and commits it atomically with its audit row.
/// `if_match` (a version) refuses the write with 412 when the book has moved on.
/// Returns the change's value and the new version.
pub async fn write<T>(
    env: &Env,
    site: &str,
    writer: &Writer<'_>,
    if_match: Option<i64>,
    mut change: impl FnMut(&mut ContractBook, &str) -> Result<Change<T>, OperationOutcome>,
) -> Result<(T, i64, String), OperationOutcome> {
    let db = db(env)?;
    for attempt in 0..MAX_ATTEMPTS {
        let row: Option<BookRow> = first_row(
            &db,
            "SELECT version, snapshot FROM contract_book WHERE site = ?1",
            &[JsValue::from_str(site)],
        )
        .await?;
        let (mut book, version, before_snapshot) = match row {
            Some(r) => (
                ContractBook::from_snapshot_json(&r.snapshot)
                    .map_err(|_| database_error("bad snapshot"))?,
                r.version as i64,
                r.snapshot,
            ),
            None => (ContractBook::new(site), 0, String::from("{}")),
        };
        if let Some(expected) = if_match {
            if expected != version {
                return Err(OperationOutcome::error(
                    IssueCode::VersionConflict,
                    format!("If-Match names version {expected} but the contracts of site {site} are at version {version}."),
                ));
            }
        }
        let now = now_iso();
        let outcome = change(&mut book, &now)?;
        let after_snapshot = book.to_snapshot_json();
        let ids_json = serde_json::to_string(&outcome.contract_ids).map_err(internal)?;
        let before = fragment(&before_snapshot, &outcome.contract_ids).to_string();
        let after = fragment(&after_snapshot, &outcome.contract_ids).to_string();
        let new_version = version + 1;
        let commit = if version == 0 {
            db.prepare(
                "INSERT INTO contract_book (site, version, last_updated, snapshot) VALUES (?1, 1, ?2, ?3) ON CONFLICT(site) DO NOTHING",
            )
            .bind(&[site.into(), now.as_str().into(), after_snapshot.as_str().into()])
        } else {
            db.prepare(
                "UPDATE contract_book SET snapshot = ?3, version = version + 1, last_updated = ?2 WHERE site = ?1 AND version = ?4",
            )
            .bind(&[
                site.into(),
                now.as_str().into(),
                after_snapshot.as_str().into(),
                JsValue::from_f64(version as f64),
            ])
        }
        .map_err(database_error)?;
        // changes() is the row count of the statement before it in the same transaction.
        let audit = db
            .prepare(
                "INSERT INTO audit (at, sub, site, method, endpoint, contract_ids, version, before, after) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE changes() = 1",
            )
            .bind(&[
                now.as_str().into(),
                writer.sub.into(),
                site.into(),
                writer.method.into(),
                writer.endpoint.into(),
                ids_json.as_str().into(),
                JsValue::from_f64(new_version as f64),
                before.as_str().into(),
                after.as_str().into(),
            ])
            .map_err(database_error)?;
        let results = db
            .batch(vec![commit, audit])
            .await
            .map_err(database_error)?;
        let changed = results
            .first()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0);
        if changed == 1 {
            if version > 0 {
                if let Ok(kv) = env.kv("KV") {
                    let _ = kv.delete(&cache_key(site, version)).await;
                }
            }
            return Ok((outcome.value, new_version, now));
        }
        // Lost the race: back off a little (jittered) and try again from a fresh read.
        let wait = 1 + (js_sys::Math::random() * f64::from(attempt.min(20) + 1) * 2.0) as u64;
        worker::Delay::from(std::time::Duration::from_millis(wait)).await;
    }
    Err(OperationOutcome::error(
        IssueCode::DatabaseError,
        format!("The contracts of site {site} are being changed by many writers; try again."),
    ))
}

/// Stores a payor's tariffs (administrator `PUT $validation`), replacing what was there.
pub async fn put_tariffs(
    env: &Env,
    payor: &str,
    body: &Value,
    writer: &Writer<'_>,
) -> Result<i64, OperationOutcome> {
    let db = db(env)?;
    let now = now_iso();
    let text = body.to_string();
    let before: Option<BodyRow> = first_row(
        &db,
        "SELECT body FROM payor_tariffs WHERE payor = ?1",
        &[payor.into()],
    )
    .await?;
    let upsert = db
        .prepare(
            "INSERT INTO payor_tariffs (payor, version, last_updated, body) VALUES (?1, 1, ?2, ?3) \
             ON CONFLICT(payor) DO UPDATE SET version = version + 1, last_updated = ?2, body = ?3",
        )
        .bind(&[payor.into(), now.as_str().into(), text.as_str().into()])
        .map_err(database_error)?;
    let audit = db
        .prepare(
            "INSERT INTO audit (at, sub, site, method, endpoint, contract_ids, version, before, after) \
             VALUES (?1, ?2, '*', ?3, ?4, ?5, (SELECT version FROM payor_tariffs WHERE payor = ?6), ?7, ?8)",
        )
        .bind(&[
            now.as_str().into(),
            writer.sub.into(),
            writer.method.into(),
            writer.endpoint.into(),
            format!("[\"tariffs:{payor}\"]").as_str().into(),
            payor.into(),
            before.map(|b| b.body).unwrap_or_default().as_str().into(),
            text.as_str().into(),
        ])
        .map_err(database_error)?;
    db.batch(vec![upsert, audit])
        .await
        .map_err(database_error)?;
    let row: Option<VersionRow> = first_row(
        &db,
        "SELECT version, last_updated FROM payor_tariffs WHERE payor = ?1",
        &[payor.into()],
    )
    .await?;
    Ok(row.map_or(1, |r| r.version as i64))
}

/// A new provider group (contract) id: 10 digits from a D1 sequence.
pub async fn next_provider_group(env: &Env) -> Result<String, OperationOutcome> {
    #[derive(Deserialize)]
    struct Next {
        next: f64,
    }
    let row: Option<Next> = db(env)?
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
    /// Book version after the write.
    pub version: f64,
    /// JSON before.
    pub before: Option<String>,
    /// JSON after.
    pub after: Option<String>,
}

/// A page of a site's audit entries, newest first, and the total count.
pub async fn audit_page(
    env: &Env,
    site: &str,
    page: usize,
    count: usize,
) -> Result<(Vec<AuditRow>, usize), OperationOutcome> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let db = db(env)?;
    let total: Option<Count> = first_row(
        &db,
        "SELECT count(*) AS n FROM audit WHERE site = ?1",
        &[site.into()],
    )
    .await?;
    let offset = (page.max(1) - 1) * count;
    let rows: Vec<AuditRow> = db
        .prepare("SELECT id, at, sub, site, method, endpoint, contract_ids, version, before, after FROM audit WHERE site = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3")
        .bind(&[site.into(), JsValue::from_f64(count as f64), JsValue::from_f64(offset as f64)])
        .map_err(database_error)?
        .all()
        .await
        .map_err(database_error)?
        .results()
        .map_err(database_error)?;
    Ok((rows, total.map_or(0, |c| c.n as usize)))
}
