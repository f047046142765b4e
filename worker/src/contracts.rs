//! The contracts endpoints (seed 001). Each handler authorises, lets the core compile the
//! queries for the rows that can apply, runs them through [`crate::store`], and lets the core
//! answer from the partial book of those rows: the fee and validation answers are the same
//! code as the npm package's. Writes go through [`store::write_book`] (or, for deletes, one
//! batch the core compiled), so each touches only the rows it changes.

use practice_fhir::auth::{Claims, Scope};
use practice_fhir::contracts::queries::{self, AuditMeta};
use practice_fhir::contracts::resources::payors_page_json;
use practice_fhir::contracts::rows::{self, etag_of};
use practice_fhir::contracts::{
    EffectivePricesRequest, FeeRequest, LastUpdated, PayorKind, PayorRef, PriceFilter,
    ValidationRequest,
};
use practice_fhir::{valuesets, ContractBook, IssueCode, OperationOutcome, QueryParams};
use serde_json::{json, Value};
use worker::{Request, Response};

use crate::auth::authorize;
use crate::http::{self, fhir, fhir_text, fhir_versioned, header, if_match, Answer, Cx};
use crate::store::{self, now_iso, Writer};

/// The site named by `Contract.subject` (`Site/<id>`).
fn body_site(body: &Value) -> Result<String, OperationOutcome> {
    body.get("subject")
        .and_then(Value::as_array)
        .and_then(|subjects| {
            subjects.iter().find_map(|s| {
                s.get("reference")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("Site/"))
            })
        })
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                "Mandatory field 'Contract.subject' (Site/<id>) is missing.",
            )
        })
}

/// The start of every site write: a `contract.write` token, the JSON body, and the body's
/// site, which the token must cover.
async fn site_write(
    req: &mut Request,
    cx: &Cx,
) -> Result<(Claims, Value, String), OperationOutcome> {
    let claims = authorize(req, cx, Scope::ContractWrite).await?;
    let body = http::read_json(req).await?;
    let site = body_site(&body)?;
    claims.require_site(&site)?;
    Ok((claims, body, site))
}

/// Adds `meta.versionId`/`meta.lastUpdated` to a resource written or read.
fn with_meta(mut resource: Value, version: i64, last_updated: &str) -> Value {
    if let Value::Object(map) = &mut resource {
        map.insert(
            "meta".into(),
            json!({"versionId": version.to_string(), "lastUpdated": last_updated}),
        );
    }
    resource
}

/// The `site` (or `siteId`) query parameter.
fn site_param(params: &QueryParams) -> Result<String, OperationOutcome> {
    Ok(params.required_any(&["site", "siteId"])?.to_string())
}

/// A `contract.read` token first, then the parameters, then the site the token must cover.
async fn read_site(req: &Request, cx: &Cx) -> Result<(QueryParams, String), OperationOutcome> {
    let claims = authorize(req, cx, Scope::ContractRead).await?;
    let params = http::params(req)?;
    let site = site_param(&params)?;
    claims.require_site(&site)?;
    Ok((params, site))
}

/// `GET $calculate-fee`: the rows of the payor's and `na`'s contracts for the service and
/// the request's procedures, priced by the npm package's code.
pub async fn calculate_fee(req: &Request, cx: &Cx) -> Answer {
    let (params, site) = read_site(req, cx).await?;
    let fee = FeeRequest::from_params(&params)?;
    let rows = store::run(cx, &queries::fee_plan(&site, &fee)).await?;
    fhir_text(ContractBook::from_rows(&site, &rows)?.calculate_fee_json(&params)?)
}

/// `GET $validation`: the tariffs of the payor and code.
pub async fn validation(req: &Request, cx: &Cx) -> Answer {
    let (params, site) = read_site(req, cx).await?;
    let v = ValidationRequest::from_params(&params)?;
    let rows = store::run(cx, &queries::validation_plan(&site, &v)).await?;
    fhir_text(ContractBook::from_rows(&site, &rows)?.validate_price_json(&params)?)
}

/// `GET $effective-prices`: paged in SQL (the best price per payor, service and procedure
/// along the precedence chain), so a page reads one page of rows and one count.
pub async fn effective_prices(req: &Request, cx: &Cx) -> Answer {
    let (params, site) = read_site(req, cx).await?;
    let e = EffectivePricesRequest::from_params(&params)?;
    let ctx = store::run(cx, &queries::effective_context_plan(&site, &e)).await?;
    // The counts (maxCount) read every price of the payors; they only change when one of
    // the chains' contracts does, so the isolate keeps them under their versions.
    let key = queries::effective_count_key(&site, &e, &ctx);
    let kept = EFFECTIVE_COUNTS.with(|c| c.borrow().get(&key).cloned());
    let plan = queries::effective_page_plan(&site, &e, &ctx, kept.is_none())?;
    let rows = store::run(cx, &plan).await?;
    let page = queries::effective_from_rows(&site, &e, &ctx, &rows, kept.as_deref())?;
    if kept.is_none() {
        let counts = queries::effective_counts(&site, &e, &ctx, &rows)?;
        EFFECTIVE_COUNTS.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= COUNT_CACHE_ENTRIES {
                c.clear();
            }
            c.insert(key, counts);
        });
    }
    fhir_text(page.to_json_text(&site))
}

thread_local! {
    /// `$effective-prices` counts by [`queries::effective_count_key`] (versioned, so never stale).
    static EFFECTIVE_COUNTS: std::cell::RefCell<std::collections::HashMap<String, Vec<u64>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Count entries an isolate keeps before starting afresh.
const COUNT_CACHE_ENTRIES: usize = 512;

/// `GET $multi-proc`: the site's sets.
pub async fn multi_proc(req: &Request, cx: &Cx) -> Answer {
    let (params, site) = read_site(req, cx).await?;
    let rows = store::run(cx, &queries::sets_plan(&site)).await?;
    fhir(&ContractBook::from_rows(&site, &rows)?.multi_proc_list(&params)?)
}

/// `GET $multi-proc-set`: one set, versioned.
pub async fn multi_proc_set(req: &Request, cx: &Cx) -> Answer {
    let (params, site) = read_site(req, cx).await?;
    params.check_known(&["site", "siteId", "providerGroup"])?;
    let id = params.required("providerGroup")?;
    let rows = store::run(cx, &queries::set_plan(&site, id)).await?;
    let set = ContractBook::from_rows(&site, &rows)?.multi_proc_set_json(&params)?;
    let (version, at) = rows.sets.first().map_or((1, now_iso()), |s| {
        (s.version as i64, s.last_updated.clone())
    });
    fhir_versioned(&with_meta(set, version, &at), 200, version)
}

/// The `payor` list of a slice request (`payor=bup,axa`), if any.
fn slice_payors(params: &QueryParams) -> Result<Option<Vec<String>>, OperationOutcome> {
    Ok(params.optional_any(&["payor", "payorId"])?.map(|list| {
        list.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    }))
}

/// `GET /contract/site/{site}/$snapshot[?payor=bup,axa][&_lastUpdated=gt…]`: the site's
/// contracts for the npm package, whole or as a per-payor slice (those payors, the `slf`
/// and `na` fallbacks, self-pay lists, practitioners, sets and tariffs that can apply), or
/// only what changed since a time. `ETag` is the slice's version tag; `If-None-Match`
/// answers 304 after one small query.
pub async fn snapshot(req: &Request, cx: &Cx, site: &str) -> Answer {
    let claims = authorize(req, cx, Scope::ContractRead).await?;
    let params = http::params(req)?;
    params.check_known(&["payor", "payorId", "_lastUpdated"])?;
    claims.require_site(site)?;
    let payors = slice_payors(&params)?;
    let mut since = Vec::new();
    for (k, v) in params.pairs() {
        if k == "_lastUpdated" {
            since.push(LastUpdated::parse(v)?);
        }
    }
    let tag_query = queries::slice_tag_query(site, payors.as_deref());
    let since_text: Vec<String> = params
        .pairs()
        .iter()
        .filter(|(k, _)| k == "_lastUpdated")
        .map(|(_, v)| v.clone())
        .collect();
    // The tag versions the slice, not the request: a refresh since a time that sends the
    // slice's ETag gets 304 when nothing it covers changed.
    let etag_for = |tag: &str| {
        etag_of(&format!(
            "{tag}|{}",
            payors.as_deref().unwrap_or_default().join(",")
        ))
    };
    if let Some(wanted) = header(req, "if-none-match") {
        let rows = store::run(cx, std::slice::from_ref(&tag_query)).await?;
        let etag = etag_for(rows.tags.first().map_or("", String::as_str));
        if wanted.split(',').any(|w| w.trim() == etag) {
            let mut resp = Response::empty().map_err(http::internal)?.with_status(304);
            resp.headers_mut()
                .set("etag", &etag)
                .map_err(http::internal)?;
            return Ok(resp);
        }
    }
    let mut plan = vec![tag_query];
    plan.extend(queries::slice_plan(site, payors.as_deref(), &since));
    let read_at = now_iso();
    let rows = store::run(cx, &plan).await?;
    if let Some(unknown) = payors
        .iter()
        .flatten()
        .find(|p| !rows.payors.iter().any(|r| &r.payor == *p))
    {
        return Err(OperationOutcome::error(
            IssueCode::ReferenceIdNotFound,
            format!("Payor '{unknown}' is not found at site {site} (parameter 'payor')."),
        ));
    }
    let etag = etag_for(rows.tags.first().map_or("", String::as_str));
    // The newest change the slice holds: the next refresh asks for what came after it.
    let newest = rows
        .prices
        .iter()
        .filter_map(|p| p.last_updated.clone())
        .chain(rows.payors.iter().map(|p| p.last_updated.clone()))
        .chain(rows.sets.iter().map(|s| s.last_updated.clone()))
        .chain(rows.tariffs.iter().map(|t| t.last_updated.clone()))
        .chain(rows.removed.iter().map(|r| r.at.clone()))
        .max();
    let covered = payors.as_deref().map(queries::slice_payors);
    let slice = json!({
        "payors": covered,
        "since": since_text.first(),
        "lastUpdated": newest,
        "readAt": read_at,
    });
    let text = ContractBook::slice_json(site, &rows, slice)?;
    let mut resp = http::body(text, "application/json", 200)?;
    resp.headers_mut()
        .set("etag", &etag)
        .map_err(http::internal)?;
    Ok(resp)
}

/// `PUT /contract/site/{site}/$snapshot` (administrators): replace a site's contracts, e.g.
/// to migrate a site in from another system. Checked by the core like every write; the
/// payors' tariffs it carries are added or replaced, never removed (they are shared).
pub async fn put_snapshot(mut req: Request, cx: &Cx, site: &str) -> Answer {
    let claims = authorize(&req, cx, Scope::ContractWrite).await?;
    claims.require_admin(
        "Replacing a whole site's contracts needs an administrator token (sites: *).",
    )?;
    let bytes = http::read_body(&mut req).await?;
    let text = String::from_utf8(bytes).map_err(|_| {
        OperationOutcome::error(
            IssueCode::CantParseContent,
            "The snapshot is not UTF-8 text.",
        )
    })?;
    let incoming = ContractBook::from_snapshot_json(&text)?;
    if incoming.site() != site {
        return Err(OperationOutcome::error(
            IssueCode::ParamInvalid,
            format!(
                "The snapshot is of site '{}', not '{site}'.",
                incoming.site()
            ),
        ));
    }
    let writer = Writer {
        sub: &claims.sub,
        method: "PUT",
        endpoint: "/contract/site/$snapshot",
    };
    let written = store::write_book(
        cx,
        site,
        &queries::site_plan(site),
        &writer,
        if_match(&req)?,
        |book, now| {
            let mut next = incoming.clone();
            for t in book.tariffs() {
                if !next.tariffs().any(|n| n.key == t.key) {
                    next.set_tariff(t.clone());
                }
            }
            for (k, p) in next
                .prices()
                .map(|(k, p)| (k.clone(), p.clone()))
                .collect::<Vec<_>>()
            {
                if p.last_updated.is_none() {
                    let stamped = practice_fhir::contracts::Price {
                        last_updated: Some(now.to_string()),
                        ..p
                    };
                    next.set_price(k, stamped)?;
                }
            }
            *book = next;
            Ok(())
        },
    )
    .await?;
    let mut resp = http::body(
        json!({"site": site, "prices": incoming.price_count(), "version": written.version})
            .to_string(),
        "application/json",
        200,
    )?;
    resp.headers_mut()
        .set("etag", &format!("W/\"{}\"", written.version))
        .map_err(http::internal)?;
    Ok(resp)
}

/// `GET /valueset/contract-type`.
pub fn contract_types(req: &Request) -> Answer {
    let params = http::params(req)?;
    fhir(&valuesets::contract_types(&params)?)
}

/// `GET /valueset/contract-subtype/{type}`.
pub fn contract_subtypes(req: &Request, contract_type: &str) -> Answer {
    let params = http::params(req)?;
    fhir(&valuesets::contract_subtypes(contract_type, &params)?)
}

/// A positive integer paging parameter.
fn paging(params: &QueryParams, names: &[&str], default: usize) -> Result<usize, OperationOutcome> {
    match params.optional_any(names)? {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::InvalidFormat,
                format!(
                    "Parameter '{}' must be a positive integer, not '{v}'.",
                    names.first().copied().unwrap_or("page")
                ),
            )
        }),
    }
}

/// `GET /contract/site/{site}`: the payor list (paged and `_lastUpdated`-filtered in SQL);
/// creates `slf` and `na` when missing, as the documents say.
pub async fn payors(req: &Request, cx: &Cx, site: &str) -> Answer {
    let claims = authorize(req, cx, Scope::ContractRead).await?;
    let params = http::params(req)?;
    params.check_known(&["page", "count", "_count", "_lastUpdated"])?;
    let page = paging(&params, &["page"], 1)?;
    let count = paging(&params, &["count", "_count"], 10)?.min(100);
    let mut filters = Vec::new();
    for (k, v) in params.pairs() {
        if k == "_lastUpdated" {
            filters.push(LastUpdated::parse(v)?);
        }
    }
    claims.require_site(site)?;
    let defaults = queries::payors_query(site, &["slf", "na"]);
    let rows = store::run(cx, std::slice::from_ref(&defaults)).await?;
    if rows.payors.len() < 2 {
        let ids = [
            store::next_provider_group(cx).await?,
            store::next_provider_group(cx).await?,
        ];
        let writer = Writer {
            sub: &claims.sub,
            method: "GET",
            endpoint: "/contract/site",
        };
        store::write_book(cx, site, &[defaults], &writer, None, |book, _| {
            let mut fresh = ids.clone().into_iter();
            book.ensure_default_payors(|| fresh.next().unwrap_or_default());
            Ok(())
        })
        .await?;
    }
    let rows = store::run(cx, &queries::payor_list_plan(site, page, count, &filters)).await?;
    let book = ContractBook::from_rows(site, &rows)?;
    let total = rows.counts.first().copied().unwrap_or(0) as usize;
    fhir(&payors_page_json(
        book.payor_contracts(),
        page,
        count,
        total,
    ))
}

/// The payor a body's `authority` names, and its `id`, for reading the rows the write needs
/// (the core's own parser reports a malformed body).
fn body_payor(body: &Value) -> (String, Option<String>) {
    let payor = body
        .pointer("/authority/0/reference")
        .and_then(Value::as_str)
        .and_then(|r| PayorRef::parse_reference("Contract.authority[0].reference", r).ok())
        .map(|p| p.id)
        .unwrap_or_default();
    let id = body.get("id").and_then(Value::as_str).map(str::to_string);
    (payor, id)
}

/// `POST /contract`: add or update a payor (insurer) or a contact as payor.
pub async fn add_payor(mut req: Request, cx: &Cx) -> Answer {
    let (claims, body, site) = site_write(&mut req, cx).await?;
    let (payor, id) = body_payor(&body);
    let new_id = store::next_provider_group(cx).await?;
    let writer = Writer {
        sub: &claims.sub,
        method: "POST",
        endpoint: "/contract",
    };
    let plan = queries::add_payor_plan(&site, &payor, id.as_deref());
    let written = store::write_book(cx, &site, &plan, &writer, if_match(&req)?, |book, _| {
        book.apply_payor_fhir(&body, &new_id)
    })
    .await?;
    fhir_versioned(
        &with_meta(written.value, written.version, &written.now),
        200,
        written.version,
    )
}

/// `DELETE /contract/{site}?payorId=...&payorType=...&providerGroup=...`: the payor
/// contract, its prices and a tombstone, in one batch behind a guard.
pub async fn delete_payor(req: &Request, cx: &Cx, site: &str) -> Answer {
    let claims = authorize(req, cx, Scope::ContractWrite).await?;
    let params = http::params(req)?;
    params.check_known(&[
        "payorId",
        "payerId",
        "payorType",
        "payerType",
        "providerGroup",
        "site",
    ])?;
    let reference = params.required_any(&["payorId", "payerId"])?;
    let payor = reference
        .rsplit_once('/')
        .map_or(reference, |(_, id)| id)
        .to_string();
    let kind = params
        .optional_any(&["payorType", "payerType"])?
        .map(|k| PayorKind::parse("payorType", k))
        .transpose()?;
    let provider_group = params.optional("providerGroup")?.map(str::to_string);
    claims.require_site(site)?;
    let expected = if_match(req)?;
    let rows = store::run(cx, &[queries::payors_query(site, &[&payor])]).await?;
    let book = ContractBook::from_rows(site, &rows)?;
    let contract = book.find_payor(&payor, kind)?.clone();
    if let Some(group) = &provider_group {
        if group != &contract.id {
            return Err(OperationOutcome::error(
                IssueCode::ReferenceIdNotFound,
                format!("Provider group '{group}' is not the contract of payor '{payor}' at site {site}."),
            ));
        }
    }
    let version = rows.contract_version(&contract.id).unwrap_or(1);
    if let Some(e) = expected.filter(|e| *e != version) {
        return Err(OperationOutcome::error(
            IssueCode::VersionConflict,
            format!(
                "If-Match names version {e} but contract {} is at version {version}.",
                contract.id
            ),
        ));
    }
    let now = now_iso();
    let meta = AuditMeta {
        at: &now,
        sub: &claims.sub,
        site,
        method: "DELETE",
        endpoint: "/contract",
    };
    let before = json!({"payors": [contract.to_json(None)]});
    let mut statements = vec![rows::guard_contract(site, &contract.id, expected)];
    statements.push(queries::audit_insert(
        &meta,
        std::slice::from_ref(&contract.id),
        version + 1,
        &before,
        &json!({"payors": []}),
    ));
    statements.extend(rows::delete_payor_statements(site, &contract, &now));
    match store::commit(cx, &statements).await {
        Ok(()) => {}
        // Deleted or changed by another writer since it was read.
        Err(store::CommitError::Guard) if expected.is_none() => {
            return Err(OperationOutcome::error(
                IssueCode::ReferenceIdNotFound,
                format!("Payor '{payor}' is not found at site {site} (deleted meanwhile)."),
            ))
        }
        Err(store::CommitError::Guard) => {
            return Err(OperationOutcome::error(
                IssueCode::VersionConflict,
                format!(
                    "Contract {} changed since it was read (If-Match).",
                    contract.id
                ),
            ))
        }
        Err(store::CommitError::Failed(o)) => return Err(o),
    }
    fhir(&OperationOutcome::deleted("Delete Contract Payor Successful. ").to_json())
}

/// `POST $contract-price`: set services, services with procedures and prices, atomically,
/// touching only the rows of the assets.
pub async fn contract_price(mut req: Request, cx: &Cx) -> Answer {
    let (claims, body, site) = site_write(&mut req, cx).await?;
    let writer = Writer {
        sub: &claims.sub,
        method: "POST",
        endpoint: practice_fhir::discovery::CONTRACT_PRICE_PATH,
    };
    let plan = queries::contract_price_plan(&site, &body);
    let written = store::write_book(cx, &site, &plan, &writer, if_match(&req)?, |book, now| {
        book.apply_contract_price(&body, Some(now))
    })
    .await?;
    let wants_outcome =
        header(&req, "prefer").is_some_and(|p| p.contains("return=OperationOutcome"));
    if wants_outcome {
        return fhir_versioned(&written.value.warnings.to_json(), 200, written.version);
    }
    fhir_versioned(
        &with_meta(written.value.response, written.version, &written.now),
        200,
        written.version,
    )
}

/// `DELETE $contract-price/{site}`: delete a service, service with procedure, or price, in
/// one batch over the matching rows (nothing matching is the same success, as DELETE is
/// idempotent and the documents' "no match" answer is that outcome).
pub async fn delete_price(req: &Request, cx: &Cx, site: &str) -> Answer {
    let claims = authorize(req, cx, Scope::ContractWrite).await?;
    let params = http::params(req)?;
    let filter = PriceFilter::from_params(&params)?;
    claims.require_site(site)?;
    let now = now_iso();
    let meta = AuditMeta {
        at: &now,
        sub: &claims.sub,
        site,
        method: "DELETE",
        endpoint: practice_fhir::discovery::CONTRACT_PRICE_PATH,
    };
    store::commit_all(cx, &queries::delete_prices_statements(&meta, &filter)).await?;
    fhir(&OperationOutcome::deleted("Delete Contract Price Successful. ").to_json())
}

/// `PUT $multi-proc-set`: replace an editable set's records, or create a site's own set for
/// one of its payor contracts.
pub async fn put_multi_proc_set(mut req: Request, cx: &Cx) -> Answer {
    let (claims, body, site) = site_write(&mut req, cx).await?;
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let writer = Writer {
        sub: &claims.sub,
        method: "PUT",
        endpoint: "/contract/PRICING/$multi-proc-set",
    };
    let written = store::write_book(
        cx,
        &site,
        &queries::set_plan(&site, &id),
        &writer,
        if_match(&req)?,
        |book, _| book.replace_multi_proc_set_fhir(&body),
    )
    .await?;
    fhir_versioned(
        &with_meta(written.value, written.version, &written.now),
        200,
        written.version,
    )
}

/// `PUT $validation` (administrators): load or replace tariffs of a payor (the codes the
/// body names; other codes keep theirs).
pub async fn put_tariffs(mut req: Request, cx: &Cx) -> Answer {
    let claims = authorize(&req, cx, Scope::ContractWrite).await?;
    claims.require_admin(
        "Tariffs belong to payors: only an administrator token (sites: *) may load them.",
    )?;
    let body = http::read_json(&mut req).await?;
    // Parse with the core first: a malformed tariff never reaches storage.
    let tariffs = practice_fhir::contracts::Tariff::from_json(&body)?;
    if tariffs.is_empty() {
        return Err(OperationOutcome::error(
            IssueCode::MissingMandatoryParam,
            "The Contract holds no tariff (term.asset with a Payor context).",
        ));
    }
    let writer = Writer {
        sub: &claims.sub,
        method: "PUT",
        endpoint: "/contract/PRICING/$validation",
    };
    let written = store::write_book(
        cx,
        "*",
        &queries::tariffs_plan(&tariffs),
        &writer,
        None,
        |book, _| {
            for t in &tariffs {
                book.set_tariff(t.clone());
            }
            Ok(())
        },
    )
    .await?;
    // The stored tariffs as sent, with what R4 requires and the body may leave out.
    let mut body = body;
    practice_fhir::contracts::resources::complete_terms(&mut body);
    fhir_versioned(
        &with_meta(body, written.version, &written.now),
        200,
        written.version,
    )
}

/// `GET /contract/audit?site=...`: the site's audit log, newest first, as a Bundle of
/// AuditEvent resources.
pub async fn audit(req: &Request, cx: &Cx) -> Answer {
    let claims = authorize(req, cx, Scope::ContractRead).await?;
    let params = http::params(req)?;
    params.check_known(&["site", "siteId", "page", "count"])?;
    let site = site_param(&params)?;
    let page = paging(&params, &["page"], 1)?;
    let count = paging(&params, &["count"], 10)?.min(100);
    claims.require_site(&site)?;
    let (rows, total) = store::audit_page(cx, &site, page, count).await?;
    let entries: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            let ids: Value = serde_json::from_str(&r.contract_ids).unwrap_or(Value::Null);
            let parse = |s: Option<String>| {
                s.and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .unwrap_or(Value::Null)
            };
            json!({"resource": {
                "resourceType": "AuditEvent",
                "id": format!("{}", r.id as i64),
                "recorded": r.at,
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
                "action": match r.method.as_str() { "DELETE" => "D", "POST" => "C", _ => "U" },
                "agent": [{"who": {"identifier": {"value": r.sub}}, "requestor": true}],
                "source": {"observer": {"display": "practice-fhir"}},
                "entity": [{
                    "what": {"reference": format!("Site/{}", r.site)},
                    "description": format!("{} {}", r.method, r.endpoint),
                    "detail": [
                        {"type": "contractIds", "valueString": ids.to_string()},
                        {"type": "version", "valueString": format!("{}", r.version as i64)},
                        {"type": "before", "valueString": parse(r.before).to_string()},
                        {"type": "after", "valueString": parse(r.after).to_string()}
                    ]
                }]
            }})
        })
        .collect();
    fhir(&json!({
        "resourceType": "Bundle",
        "meta": {"tag": [
            {"code": "count", "display": count.to_string()},
            {"code": "page", "display": page.to_string()},
            {"code": "maxCount", "display": total.to_string()}
        ]},
        "type": "collection",
        "total": entries.len(),
        "entry": entries
    }))
}
