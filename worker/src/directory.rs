//! The practitioner directory at the edge (seeds 000 and 004): Practitioner and
//! PractitionerRole search compiled by the core into D1 SQL, reads, validated writes with
//! versions, deletes, and profile photos in KV.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use practice_fhir::auth::Scope;
use practice_fhir::directory::index::delete_rows;
use practice_fhir::directory::{index_rows, ResourceKind, SqlValue, Statement};
use practice_fhir::search::{CandidateRow, LocationCandidate, ResourceRow, SearchQuery, SqlPlan};
use practice_fhir::{IssueCode, OperationOutcome};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::Request;

use crate::auth::authorize;
use crate::http::{
    self, batch_rows, db, fhir, fhir_versioned, header, internal, prepare, rows, Answer, Cx, Db,
};
use crate::store::now_iso;

/// Largest accepted photo.
const MAX_PHOTO_BYTES: usize = 1024 * 1024;

fn database_error(err: impl std::fmt::Display) -> OperationOutcome {
    // The error goes to the request's log line (with its id), not to the client.
    practice_fhir::ops::internal_error(
        IssueCode::DatabaseError,
        "The directory could not be read or written.",
        &format!("d1: {err}"),
    )
}

/// `GET /Practitioner` and `GET /PractitionerRole`: the core compiles the search, D1 runs it,
/// in as few round trips as the plan allows (page and count together; a near page's role
/// statements together; the includes together).
pub async fn search(req: &Request, env: &Cx, kind: ResourceKind) -> Answer {
    authorize(req, env, Scope::PractitionerRead).await?;
    let params = http::params(req)?;
    let url = req.url().map_err(internal)?;
    let base_url = format!("{}{}", url.origin().ascii_serialization(), url.path());
    let query = match kind {
        ResourceKind::PractitionerRole => SearchQuery::practitioner_role(&params, &now_iso())?,
        _ => SearchQuery::practitioner(&params)?,
    };
    let db = db(env)?;
    let (matches, max_count) = match query.to_sql() {
        SqlPlan::Paged { page, count } => {
            let prepared = vec![prepare(db, &page)?, prepare(db, &count)?];
            let results = db.batch(prepared).await.map_err(database_error)?;
            let matches: Vec<ResourceRow> = results
                .first()
                .map(|r| r.results())
                .transpose()
                .map_err(database_error)?
                .unwrap_or_default();
            #[derive(Deserialize)]
            struct Total {
                total: f64,
            }
            let total: Vec<Total> = results
                .get(1)
                .map(|r| r.results())
                .transpose()
                .map_err(database_error)?
                .unwrap_or_default();
            (matches, total.first().map_or(0, |t| t.total as u64))
        }
        SqlPlan::Near { candidates } => {
            let candidates: Vec<CandidateRow> = rows(db, &candidates).await?;
            let page = query.select_near(candidates);
            let fetched = batch_rows::<ResourceRow>(db, &page.fetch()).await?;
            (
                page.arrange(fetched.into_iter().flatten().collect()),
                page.max_count,
            )
        }
        SqlPlan::NearLocations { locations } => {
            let locations: Vec<LocationCandidate> = rows(db, &locations).await?;
            let page = query.select_near_locations(locations)?;
            let fetched = batch_rows::<ResourceRow>(db, &page.fetch()).await?;
            (
                page.arrange(fetched.into_iter().flatten().collect()),
                page.max_count,
            )
        }
    };
    let included: Vec<ResourceRow> = batch_rows(db, &query.include_sql(&matches))
        .await?
        .into_iter()
        .flatten()
        .collect();
    fhir(&query.searchset(&matches, &included, max_count, &base_url)?)
}

#[derive(Deserialize)]
struct StoredRow {
    version_id: String,
    json: String,
}

async fn stored(
    db: &Db,
    kind: ResourceKind,
    id: &str,
) -> Result<Option<StoredRow>, OperationOutcome> {
    let st = Statement::new(
        format!("SELECT version_id, json FROM {} WHERE id = ?", kind.table()),
        vec![id.into()],
    );
    Ok(rows::<StoredRow>(db, &st).await?.into_iter().next())
}

fn not_found(kind: ResourceKind, id: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::NotFound,
        format!("{}/{id} is not found.", kind.resource_type()),
    )
}

/// `GET /{type}/{id}`.
pub async fn read(req: &Request, env: &Cx, kind: ResourceKind, id: &str) -> Answer {
    authorize(req, env, Scope::PractitionerRead).await?;
    let row = stored(db(env)?, kind, id)
        .await?
        .ok_or_else(|| not_found(kind, id))?;
    let mut resp = http::body(row.json, http::FHIR_JSON, 200)?;
    resp.headers_mut()
        .set("etag", &format!("W/\"{}\"", row.version_id))
        .map_err(internal)?;
    Ok(resp)
}

fn if_match(req: &Request) -> Result<Option<String>, OperationOutcome> {
    Ok(http::if_match(req)?.map(|v| v.to_string()))
}

/// `POST /{type}` (new id) and `PUT /{type}/{id}`: validated by the core (422 with the
/// OperationOutcome on errors), versioned, stored with its index rows in one batch.
pub async fn write(mut req: Request, env: &Cx, kind: ResourceKind, id: Option<&str>) -> Answer {
    authorize(&req, env, Scope::PractitionerWrite).await?;
    let bytes = http::read_body(&mut req).await?;
    let text = String::from_utf8(bytes).map_err(|_| {
        OperationOutcome::error(
            IssueCode::CantParseContent,
            "The request body is not UTF-8 text.",
        )
    })?;
    let mut outcome = practice_fhir::validate_resource(&text);
    if outcome
        .issues
        .iter()
        .any(|i| i.code == IssueCode::CantParseContent)
    {
        return Err(outcome);
    }
    let mut resource: Value = serde_json::from_str(&text).map_err(|_| {
        OperationOutcome::error(
            IssueCode::CantParseContent,
            "The request body is not valid JSON.",
        )
    })?;
    if resource.get("resourceType").and_then(Value::as_str) != Some(kind.resource_type()) {
        return Err(OperationOutcome::error(
            IssueCode::InvalidFormat,
            format!(
                "resourceType must be {} on this endpoint.",
                kind.resource_type()
            ),
        ));
    }
    if outcome.has_errors() {
        return http::body(outcome.to_json_string(), http::FHIR_JSON, 422);
    }
    let id = match id {
        Some(id) => {
            if let Some(body_id) = resource.get("id").and_then(Value::as_str) {
                if body_id != id {
                    return Err(OperationOutcome::error(
                        IssueCode::ParamInvalid,
                        format!("The body's id '{body_id}' is not the URL's '{id}'."),
                    ));
                }
            }
            id.to_string()
        }
        None => {
            let uuid: String = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
                .and_then(|c| js_sys::Reflect::get(&c, &"randomUUID".into()).map(|f| (c, f)))
                .ok()
                .and_then(|(c, f)| js_sys::Function::from(f).call0(&c).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            uuid.replace('-', "")
        }
    };
    let db = db(env)?;
    let previous = stored(db, kind, &id).await?;
    let expected = if_match(&req)?;
    let current = previous.as_ref().map(|p| p.version_id.clone());
    if let Some(want) = &expected {
        if current.as_deref() != Some(want.as_str()) {
            return Err(OperationOutcome::error(
                IssueCode::VersionConflict,
                format!(
                    "If-Match names version {want} but {}/{id} is at {}.",
                    kind.resource_type(),
                    current.as_deref().unwrap_or("none")
                ),
            ));
        }
    }
    let version = current
        .as_deref()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(1, |v| v + 1)
        .to_string();
    let now = now_iso();
    if let Value::Object(map) = &mut resource {
        map.insert("id".into(), json!(id));
        map.insert(
            "meta".into(),
            json!({"versionId": version, "lastUpdated": now}),
        );
    }
    // The guard row fails the whole batch (CHECK constraint) if another write changed the
    // version between our read and this transaction: writes are atomic and never lost.
    let guard = Statement::new(
        format!(
            "INSERT INTO write_guard (ok) SELECT 0 WHERE (SELECT version_id FROM {} WHERE id = ?) IS NOT ?",
            kind.table()
        ),
        vec![id.as_str().into(), current.map_or(SqlValue::Null, SqlValue::Text)],
    );
    let mut batch = vec![prepare(db, &guard)?];
    for st in index_rows(&resource)? {
        batch.push(prepare(db, &st)?);
    }
    if let Err(e) = db.batch(batch).await {
        let text = e.to_string();
        if text.contains("CHECK") {
            return Err(OperationOutcome::error(
                IssueCode::VersionConflict,
                format!(
                    "{}/{id} was changed by another request; read it again.",
                    kind.resource_type()
                ),
            ));
        }
        return Err(database_error(text));
    }
    let status = if previous.is_some() { 200 } else { 201 };
    if header(&req, "prefer").is_some_and(|p| p.contains("return=OperationOutcome")) {
        outcome.issues.retain(|i| !i.severity.is_failure());
        return fhir_versioned(&outcome.to_json(), status, version.parse().unwrap_or(1));
    }
    let mut resp = fhir_versioned(&resource, status, version.parse().unwrap_or(1))?;
    let url = req.url().map_err(internal)?;
    resp.headers_mut()
        .set(
            "location",
            &format!(
                "{}/{}/{id}/_history/{version}",
                url.origin().ascii_serialization(),
                kind.resource_type()
            ),
        )
        .map_err(internal)?;
    Ok(resp)
}

/// `DELETE /{type}/{id}`: the resource and its index rows, in one batch.
pub async fn delete(req: &Request, env: &Cx, kind: ResourceKind, id: &str) -> Answer {
    authorize(req, env, Scope::PractitionerWrite).await?;
    let db = db(env)?;
    if stored(db, kind, id).await?.is_none() {
        return Err(not_found(kind, id));
    }
    let mut batch = Vec::new();
    for st in delete_rows(kind, id) {
        batch.push(prepare(db, &st)?);
    }
    db.batch(batch).await.map_err(database_error)?;
    if kind == ResourceKind::Practitioner {
        if let Ok(kv) = env.kv("KV") {
            let _ = kv.delete(&photo_key(id)).await;
        }
    }
    let mut outcome = OperationOutcome::deleted(format!("{}/{id} deleted.", kind.resource_type()));
    if let Some(issue) = outcome.issues.first_mut() {
        issue.location.clear();
    }
    fhir(&outcome.to_json())
}

fn photo_key(id: &str) -> String {
    format!("photo:{id}")
}

#[derive(Serialize, Deserialize)]
struct PhotoMeta {
    content_type: String,
    title: String,
}

/// `GET {get_practitionerphoto_endpoint}/{id}`: the documents' Parameters with a base64
/// `valueAttachment`; no photo (or no practitioner) is 422 `MSG_REFERENCE_ID_NOT_FOUND`.
pub async fn get_photo(req: &Request, env: &Cx, id: &str) -> Answer {
    authorize(req, env, Scope::PractitionerRead).await?;
    let kv = env.kv("KV").map_err(internal)?;
    let (bytes, meta) = kv
        .get(&photo_key(id))
        .bytes_with_metadata::<PhotoMeta>()
        .await
        .map_err(internal)?;
    let (Some(bytes), Some(meta)) = (bytes, meta) else {
        return Err(OperationOutcome::error(
            IssueCode::ReferenceIdNotFound,
            format!("Practitioner '{id}' has no photo."),
        ));
    };
    fhir(&json!({
        "resourceType": "Parameters",
        "parameter": [{
            "name": "photo",
            "valueAttachment": {
                "contentType": meta.content_type,
                "data": STANDARD.encode(&bytes),
                "size": bytes.len(),
                "title": meta.title
            }
        }]
    }))
}

/// `PUT {get_practitionerphoto_endpoint}/{id}`: a JPEG or PNG (checked by magic bytes), at
/// most 1 MiB, for an existing practitioner.
pub async fn put_photo(mut req: Request, env: &Cx, id: &str) -> Answer {
    authorize(&req, env, Scope::PractitionerWrite).await?;
    let bytes = http::read_body(&mut req).await?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(OperationOutcome::error(
            IssueCode::PayloadTooLarge,
            "A photo may be at most 1 MiB.",
        ));
    }
    let (content_type, ext) = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", "jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        ("image/png", "png")
    } else {
        return Err(OperationOutcome::error(
            IssueCode::InvalidFormat,
            "The photo must be a JPEG or PNG image (checked by its first bytes).",
        ));
    };
    let row = stored(db(env)?, ResourceKind::Practitioner, id).await?;
    let Some(row) = row else {
        return Err(OperationOutcome::error(
            IssueCode::ReferenceIdNotFound,
            format!("Practitioner '{id}' is not found."),
        ));
    };
    let practitioner: Value = serde_json::from_str(&row.json).unwrap_or(Value::Null);
    let name = practitioner
        .pointer("/name/0")
        .map(|n| {
            let given = n.pointer("/given/0").and_then(Value::as_str).unwrap_or("");
            let family = n.get("family").and_then(Value::as_str).unwrap_or("");
            format!("{given}_{family}").trim_matches('_').to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| id.to_string());
    let meta = PhotoMeta {
        content_type: content_type.into(),
        title: format!("{name}.{ext}"),
    };
    let kv = env.kv("KV").map_err(internal)?;
    kv.put_bytes(&photo_key(id), &bytes)
        .map_err(internal)?
        .metadata(&meta)
        .map_err(internal)?
        .execute()
        .await
        .map_err(internal)?;
    fhir(&json!({
        "resourceType": "Parameters",
        "parameter": [{"name": "photo", "valueAttachment": {"contentType": content_type, "size": bytes.len(), "title": meta.title}}]
    }))
}
