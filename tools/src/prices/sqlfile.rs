//! An import as SQL files for `wrangler d1 execute DB --file`: the core's own write
//! statements ([`rows::diff_literal`], the `diff` every API write commits, with prices in big
//! literal multi-row upserts), guards, and an audit row.
//!
//! D1 runs one file as one batch, all or nothing. So a file is a whole write of its own:
//! at most `rows_per_file` prices (about 20,000 keeps a file near 5 MB), guards that fail it
//! when a payor contract it writes to has gone since the snapshot, version bumps of the
//! contracts it touches (slice ETags, `If-Match`) and its audit row. A failed file leaves
//! nothing of itself; the files before it stand and re-running the import from a fresh
//! snapshot writes only what is still missing.

use std::path::{Path, PathBuf};

use practice_fhir::contracts::queries::{audit_insert, AuditMeta};
use practice_fhir::contracts::rows;
use practice_fhir::{ContractBook, OperationOutcome};
use serde_json::{json, Value};

use super::plan::ImportPlan;

/// The default number of prices a file holds.
pub const ROWS_PER_FILE: usize = 20_000;

/// The most prices an audit row lists on each side (the counts are always there).
pub const AUDIT_LISTED_PRICES: usize = 100;

/// Who the audit rows name as the writer.
pub const AUDIT_SUB: &str = "import";

/// What every file's before and after share: the site's payor contracts, self-pay lists and
/// practitioners, without prices (each file adds its own), multi-procedure sets or tariffs
/// (an import changes neither, so the diff would only compare them).
fn skeleton(book: &ContractBook) -> Result<ContractBook, OperationOutcome> {
    let mut snap: Value = serde_json::from_str(&book.to_snapshot_json()).map_err(|e| {
        OperationOutcome::error(practice_fhir::IssueCode::InternalError, e.to_string())
    })?;
    if let Some(m) = snap.as_object_mut() {
        for list in ["prices", "multiProcSets", "tariffs"] {
            m.insert(list.into(), json!([]));
        }
    }
    ContractBook::from_snapshot_json(&snap.to_string())
}

/// An audit fragment with at most `listed` prices, and their number.
fn trim_fragment(fragment: &Value, listed: usize) -> Value {
    let Some(m) = fragment.as_object() else {
        return fragment.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in m {
        match (k.as_str(), v.as_array()) {
            ("prices", Some(prices)) => {
                out.insert(k.clone(), prices.iter().take(listed).cloned().collect());
                out.insert("priceCount".into(), json!(prices.len()));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// The SQL text of each file of `plan` (none when nothing changes), at most `rows_per_file`
/// prices each; `progress` hears the number of prices done after each file.
pub fn sql_files(
    plan: &ImportPlan,
    rows_per_file: usize,
    mut progress: impl FnMut(usize),
) -> Result<Vec<String>, OperationOutcome> {
    let entries: Vec<_> = plan.entries().collect();
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let base = skeleton(&plan.before)?;
    let chunks: Vec<_> = entries.chunks(rows_per_file.max(1)).collect();
    let total = chunks.len();
    let mut files = Vec::with_capacity(total);
    let endpoint = format!("prices import ({})", plan.mode.name());
    let meta = AuditMeta {
        at: &plan.now,
        sub: AUDIT_SUB,
        site: &plan.site,
        method: "POST",
        endpoint: &endpoint,
    };
    let mut done = 0;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut before = base.clone();
        let mut after = base.clone();
        for e in chunk {
            if let Some(o) = &e.old {
                before.set_price(e.key.clone(), o.clone())?;
            }
            if let Some(n) = &e.new {
                after.set_price(e.key.clone(), n.clone())?;
            }
        }
        let change = rows::diff_literal(&plan.site, &before, &after, &plan.now);
        let mut sql = format!(
            "-- practice-fhir prices import: site {}, {} mode, file {} of {total}, {} prices; one batch, all or nothing\n",
            plan.site,
            plan.mode.name(),
            i + 1,
            chunk.len()
        );
        for id in &change.contract_ids {
            if before.payor_contract_by_id(id).is_some() {
                sql.push_str(&rows::guard_contract(&plan.site, id, None).to_literal_sql());
                sql.push('\n');
            }
        }
        for st in &change.statements {
            sql.push_str(&st.to_literal_sql());
            sql.push('\n');
        }
        // The audit row is one statement of literal text: keep it well under D1's 100 KB.
        let mut listed = AUDIT_LISTED_PRICES;
        let audit = loop {
            let st = audit_insert(
                &meta,
                &change.contract_ids,
                0,
                &trim_fragment(&change.before, listed),
                &trim_fragment(&change.after, listed),
            )
            .to_literal_sql();
            if st.len() < rows::LITERAL_STATEMENT_BYTES || listed == 0 {
                break st;
            }
            listed /= 2;
        };
        sql.push_str(&audit);
        sql.push('\n');
        files.push(sql);
        done += chunk.len();
        progress(done);
    }
    Ok(files)
}

/// The paths `count` files get: `out.sql` for one, `out.0001.sql`, `out.0002.sql`, … for
/// more.
pub fn file_paths(base: &Path, count: usize) -> Vec<PathBuf> {
    if count <= 1 {
        return vec![base.to_path_buf()];
    }
    let stem = base.with_extension("");
    (1..=count)
        .map(|i| PathBuf::from(format!("{}.{i:04}.sql", stem.display())))
        .collect()
}

/// Writes `files` at [`file_paths`] of `base`, first removing the numbered files an earlier
/// run left there (so a script's glob loads only this run's), and returns the paths.
pub fn write_files(base: &Path, files: &[String]) -> std::io::Result<Vec<PathBuf>> {
    let stem = base.with_extension("");
    if let (Some(dir), Some(name)) = (stem.parent(), stem.file_name().and_then(|n| n.to_str())) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(listing) = std::fs::read_dir(dir) {
            for f in listing.flatten() {
                let file = f.file_name();
                let Some(file) = file.to_str() else { continue };
                let numbered = file
                    .strip_prefix(name)
                    .and_then(|r| r.strip_prefix('.'))
                    .and_then(|r| r.strip_suffix(".sql"))
                    .is_some_and(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()));
                if numbered || file == format!("{name}.sql") {
                    std::fs::remove_file(f.path())?;
                }
            }
        }
    }
    let paths = file_paths(base, files.len());
    for (path, sql) in paths.iter().zip(files) {
        std::fs::write(path, sql)?;
    }
    Ok(paths.into_iter().take(files.len()).collect())
}
