//! The site's current state read from a local D1 through wrangler
//! (`wrangler d1 execute DB --local --json --command "<sql>"`): the core's slice queries,
//! rendered as literal SQL, and wrangler's JSON rows fed back through [`RowSet::push`], so
//! the partial book is the one the API would load.

use practice_fhir::contracts::queries::slice_plan;
use practice_fhir::contracts::rows::{RowKind, RowSet};
use practice_fhir::ContractBook;
use serde_json::Value;

/// The statements of the slice of `site` for `payors` (and the `slf`/`na` fallbacks), one a
/// line, and what each one's rows are.
pub fn slice_command(site: &str, payors: &[String]) -> (String, Vec<RowKind>) {
    let plan = slice_plan(site, Some(payors), &[]);
    let sql = plan
        .iter()
        .map(|q| q.stmt.to_literal_sql())
        .collect::<Vec<_>>()
        .join("\n");
    (sql, plan.iter().map(|q| q.kind).collect())
}

/// The partial book from what `wrangler d1 execute --json` printed for [`slice_command`]'s
/// statements: a JSON array with one `{"results": [...], "success": true, …}` per statement.
pub fn book_from_wrangler_json(
    site: &str,
    printed: &str,
    kinds: &[RowKind],
) -> Result<ContractBook, String> {
    let value: Value = serde_json::from_str(printed.trim())
        .map_err(|e| format!("wrangler did not print JSON ({e}): {}", head(printed)))?;
    let results = value
        .as_array()
        .ok_or_else(|| format!("wrangler printed no result list: {}", head(printed)))?;
    if results.len() != kinds.len() {
        return Err(format!(
            "wrangler returned {} results for {} statements",
            results.len(),
            kinds.len()
        ));
    }
    let mut rows = RowSet::default();
    for (kind, r) in kinds.iter().zip(results) {
        if r.get("success").and_then(Value::as_bool) == Some(false) {
            return Err(format!("a slice query failed: {r}"));
        }
        let list = r
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        rows.push(*kind, list).map_err(|o| o.to_json_string())?;
    }
    ContractBook::from_rows(site, &rows).map_err(|o| o.to_json_string())
}

fn head(text: &str) -> String {
    text.chars().take(300).collect()
}
