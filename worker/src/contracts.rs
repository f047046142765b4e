//! The contracts endpoints (seed 001). Each handler authorises, loads or writes the site's
//! book through [`crate::store`], and lets the core answer: the fee and validation answers
//! are the same code as the npm package's.

use practice_fhir::auth::{Claims, Scope};
use practice_fhir::contracts::{PayorKind, PriceFilter, PriceKey};
use practice_fhir::{valuesets, ContractBook, IssueCode, OperationOutcome, QueryParams};
use serde_json::{json, Value};
use worker::{Env, Request};

use crate::auth::authorize;
use crate::http::{self, fhir, fhir_versioned, header, Answer};
use crate::store::{self, Change, Writer};

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
    env: &Env,
) -> Result<(Claims, Value, String), OperationOutcome> {
    let claims = authorize(req, env, Scope::ContractWrite).await?;
    let body = http::read_json(req).await?;
    let site = body_site(&body)?;
    claims.require_site(&site)?;
    Ok((claims, body, site))
}

/// `If-Match: W/"3"` (or `3`) as a version number; 400 when it is not one.
fn if_match(req: &Request) -> Result<Option<i64>, OperationOutcome> {
    let Some(raw) = header(req, "if-match") else {
        return Ok(None);
    };
    let trimmed = raw.trim().trim_start_matches("W/").trim_matches('"');
    trimmed.parse::<i64>().map(Some).map_err(|_| {
        OperationOutcome::error(
            IssueCode::InvalidFormat,
            format!("Header 'If-Match' must be a version such as W/\"3\", not '{raw}'."),
        )
    })
}

/// Adds `meta.versionId`/`meta.lastUpdated` to a resource written or read from a book.
fn with_meta(mut resource: Value, version: i64, last_updated: &str) -> Value {
    if let Value::Object(map) = &mut resource {
        map.insert(
            "meta".into(),
            json!({"versionId": version.to_string(), "lastUpdated": last_updated}),
        );
    }
    resource
}

/// Authorises `scope` and `site`, then loads the site's book.
async fn read_book(
    req: &Request,
    env: &Env,
    site: &str,
) -> Result<(store::Stored, Claims), OperationOutcome> {
    let claims = authorize(req, env, Scope::ContractRead).await?;
    claims.require_site(site)?;
    Ok((store::load(env, site).await?, claims))
}

/// The `site` (or `siteId`) query parameter.
fn site_param(params: &QueryParams) -> Result<String, OperationOutcome> {
    Ok(params.required_any(&["site", "siteId"])?.to_string())
}

/// The read operations the core answers from a site's book with the request's parameters.
pub type BookQuery = fn(&ContractBook, &QueryParams) -> Result<Value, OperationOutcome>;

/// `GET $effective-prices`, `$calculate-fee`, `$validation`, `$multi-proc`: authorise the
/// site, load its book, let the core answer (the npm package runs the same functions).
pub async fn book_query(req: &Request, env: &Env, answer: BookQuery) -> Answer {
    let params = http::params(req)?;
    let site = site_param(&params)?;
    let (stored, _) = read_book(req, env, &site).await?;
    fhir(&answer(&stored.book, &params)?)
}

/// `GET $multi-proc-set`.
pub async fn multi_proc_set(req: &Request, env: &Env) -> Answer {
    let params = http::params(req)?;
    let site = site_param(&params)?;
    let (stored, _) = read_book(req, env, &site).await?;
    let set = stored.book.multi_proc_set_json(&params)?;
    fhir_versioned(
        &with_meta(set, stored.version, &stored.last_updated),
        200,
        stored.version,
    )
}

/// `GET /contract/site/{site}/$snapshot`: the site's ContractBook snapshot, for the npm
/// package to load once (the fee-preview page prices every keystroke from it).
pub async fn snapshot(req: &Request, env: &Env, site: &str) -> Answer {
    let (stored, _) = read_book(req, env, site).await?;
    let mut resp = http::body(stored.book.to_snapshot_json(), "application/json", 200)?;
    resp.headers_mut()
        .set("etag", &format!("W/\"{}\"", stored.version))
        .map_err(http::internal)?;
    Ok(resp)
}

/// `PUT /contract/site/{site}/$snapshot` (administrators): replace a site's whole book, e.g.
/// to migrate a site in from another system. Checked by the core like every write.
pub async fn put_snapshot(mut req: Request, env: &Env, site: &str) -> Answer {
    let claims = authorize(&req, env, Scope::ContractWrite).await?;
    if !claims.is_admin() {
        return Err(OperationOutcome::error(
            IssueCode::Forbidden,
            "Replacing a whole site's contracts needs an administrator token (sites: *).",
        ));
    }
    let bytes = read_snapshot_body(&mut req).await?;
    let incoming = ContractBook::from_snapshot_json(&bytes)?;
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
    let ids: Vec<String> = incoming
        .payor_contracts()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let (_, version, _) = store::write(env, site, &writer, if_match(&req)?, |book, _| {
        *book = incoming.clone();
        Ok(Change {
            value: (),
            contract_ids: ids.clone(),
        })
    })
    .await?;
    let mut resp = http::body(
        json!({"site": site, "prices": incoming.price_count(), "version": version}).to_string(),
        "application/json",
        200,
    )?;
    resp.headers_mut()
        .set("etag", &format!("W/\"{version}\""))
        .map_err(http::internal)?;
    Ok(resp)
}

/// A snapshot body (up to the 1 MiB request limit) as text.
async fn read_snapshot_body(req: &mut Request) -> Result<String, OperationOutcome> {
    let bytes = http::read_body(req).await?;
    String::from_utf8(bytes).map_err(|_| {
        OperationOutcome::error(
            IssueCode::CantParseContent,
            "The snapshot is not UTF-8 text.",
        )
    })
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

/// `GET /contract/site/{site}`: the payor list; creates `slf` and `na` when missing.
pub async fn payors(req: &Request, env: &Env, site: &str) -> Answer {
    let params = http::params(req)?;
    params.check_known(&["page", "count", "_lastUpdated"])?;
    let page = paging(&params, "page", 1)?;
    let count = paging(&params, "count", 10)?.min(100);
    let claims = authorize(req, env, Scope::ContractRead).await?;
    claims.require_site(site)?;
    let stored = store::load(env, site).await?;
    let missing_defaults = ["slf", "na"]
        .iter()
        .any(|p| stored.book.payor_contract(p).is_none());
    if !missing_defaults {
        return fhir(&stored.book.payors_bundle(page, count));
    }
    // The documents: listing creates the Self-Pay and All Others contracts when missing.
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(store::next_provider_group(env).await?);
    }
    let writer = Writer {
        sub: &claims.sub,
        method: "GET",
        endpoint: "/contract/site",
    };
    let (bundle, _, _) = store::write(env, site, &writer, None, |book, _now| {
        let mut fresh = ids.clone().into_iter();
        let created = book.ensure_default_payors(|| fresh.next().unwrap_or_default());
        Ok(Change {
            value: book.payors_bundle(page, count),
            contract_ids: created,
        })
    })
    .await?;
    fhir(&bundle)
}

/// A positive integer paging parameter.
fn paging(params: &QueryParams, name: &str, default: usize) -> Result<usize, OperationOutcome> {
    match params.optional(name)? {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::InvalidFormat,
                format!("Parameter '{name}' must be a positive integer, not '{v}'."),
            )
        }),
    }
}

/// `POST /contract`: add or update a payor (insurer) or a contact as payor.
pub async fn add_payor(mut req: Request, env: &Env) -> Answer {
    let (claims, body, site) = site_write(&mut req, env).await?;
    let new_id = store::next_provider_group(env).await?;
    let writer = Writer {
        sub: &claims.sub,
        method: "POST",
        endpoint: "/contract",
    };
    let (resource, version, now) = store::write(env, &site, &writer, if_match(&req)?, |book, _| {
        let resource = book.apply_payor_fhir(&body, &new_id)?;
        let id = resource
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Change {
            value: resource,
            contract_ids: vec![id],
        })
    })
    .await?;
    fhir_versioned(&with_meta(resource, version, &now), 200, version)
}

/// `DELETE /contract/{site}?payorId=...&payorType=...&providerGroup=...`.
pub async fn delete_payor(req: &Request, env: &Env, site: &str) -> Answer {
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
    let claims = authorize(req, env, Scope::ContractWrite).await?;
    claims.require_site(site)?;
    let writer = Writer {
        sub: &claims.sub,
        method: "DELETE",
        endpoint: "/contract",
    };
    store::write(env, site, &writer, if_match(req)?, |book, _| {
        let contract = book.find_payor(&payor, kind)?;
        if let Some(group) = &provider_group {
            if group != &contract.id {
                return Err(OperationOutcome::error(
                    IssueCode::ReferenceIdNotFound,
                    format!("Provider group '{group}' is not the contract of payor '{payor}' at site {site}."),
                ));
            }
        }
        let removed = book.delete_payor(&payor)?;
        Ok(Change {
            value: (),
            contract_ids: vec![removed.id],
        })
    })
    .await?;
    fhir(&OperationOutcome::deleted("Delete Contract Payor Successful. ").to_json())
}

/// `POST $contract-price`: set services, services with procedures and prices, atomically.
pub async fn contract_price(mut req: Request, env: &Env) -> Answer {
    let (claims, body, site) = site_write(&mut req, env).await?;
    let writer = Writer {
        sub: &claims.sub,
        method: "POST",
        endpoint: practice_fhir::discovery::CONTRACT_PRICE_PATH,
    };
    let (written, version, now) =
        store::write(env, &site, &writer, if_match(&req)?, |book, now| {
            let write = book.apply_contract_price(&body, Some(now))?;
            let ids = write.contract_ids.clone();
            Ok(Change {
                value: write,
                contract_ids: ids,
            })
        })
        .await?;
    let wants_outcome =
        header(&req, "prefer").is_some_and(|p| p.contains("return=OperationOutcome"));
    if wants_outcome {
        return fhir_versioned(&written.warnings.to_json(), 200, version);
    }
    fhir_versioned(&with_meta(written.response, version, &now), 200, version)
}

/// `DELETE $contract-price/{site}`: delete a service, service with procedure, or price.
pub async fn delete_price(req: &Request, env: &Env, site: &str) -> Answer {
    let params = http::params(req)?;
    let filter = PriceFilter::from_params(&params)?;
    let claims = authorize(req, env, Scope::ContractWrite).await?;
    claims.require_site(site)?;
    // Deleting what is not there succeeds without a write (DELETE is idempotent, and the
    // documents' "no match" answer is the same success outcome).
    let mut probe = ContractBook::clone(&store::load(env, site).await?.book);
    if probe.delete_prices(&filter) == 0 {
        return fhir(&OperationOutcome::deleted("Delete Contract Price Successful. ").to_json());
    }
    let writer = Writer {
        sub: &claims.sub,
        method: "DELETE",
        endpoint: practice_fhir::discovery::CONTRACT_PRICE_PATH,
    };
    store::write(env, site, &writer, if_match(req)?, |book, _| {
        let before: Vec<PriceKey> = book.prices().map(|(k, _)| k.clone()).collect();
        book.delete_prices(&filter);
        // The contracts whose prices went: keys present before and gone now.
        let after: std::collections::BTreeSet<&PriceKey> = book.prices().map(|(k, _)| k).collect();
        let touched: std::collections::BTreeSet<String> = before
            .iter()
            .filter(|k| !after.contains(k))
            .map(|k| k.contract.clone())
            .collect();
        let touched: Vec<String> = touched.into_iter().collect();
        Ok(Change {
            value: (),
            contract_ids: touched,
        })
    })
    .await?;
    fhir(&OperationOutcome::deleted("Delete Contract Price Successful. ").to_json())
}

/// `PUT $multi-proc-set`: replace an editable set's records.
pub async fn put_multi_proc_set(mut req: Request, env: &Env) -> Answer {
    let (claims, body, site) = site_write(&mut req, env).await?;
    let writer = Writer {
        sub: &claims.sub,
        method: "PUT",
        endpoint: "/contract/PRICING/$multi-proc-set",
    };
    let (set, version, now) = store::write(env, &site, &writer, if_match(&req)?, |book, _| {
        let set = book.replace_multi_proc_set_fhir(&body)?;
        let id = set
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Change {
            value: set,
            contract_ids: vec![id],
        })
    })
    .await?;
    fhir_versioned(&with_meta(set, version, &now), 200, version)
}

/// `PUT $validation` (administrators): load or replace a payor's tariffs.
pub async fn put_tariffs(mut req: Request, env: &Env) -> Answer {
    let claims = authorize(&req, env, Scope::ContractWrite).await?;
    if !claims.is_admin() {
        return Err(OperationOutcome::error(
            IssueCode::Forbidden,
            "Tariffs belong to payors: only an administrator token (sites: *) may load them.",
        ));
    }
    let body = http::read_json(&mut req).await?;
    // Parse with the core first: a malformed tariff never reaches storage.
    let mut scratch = ContractBook::new("*");
    scratch.load_tariffs_fhir(&body)?;
    let payor = scratch
        .tariffs()
        .next()
        .map(|t| t.key.payor.clone())
        .ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                "The Contract holds no tariff (term.asset with a Payor context).",
            )
        })?;
    let writer = Writer {
        sub: &claims.sub,
        method: "PUT",
        endpoint: "/contract/PRICING/$validation",
    };
    let version = store::put_tariffs(env, &payor, &body, &writer).await?;
    fhir_versioned(&with_meta(body, version, &store::now_iso()), 200, version)
}

/// `GET /contract/audit?site=...`: the site's audit log, newest first, as a Bundle of
/// AuditEvent resources.
pub async fn audit(req: &Request, env: &Env) -> Answer {
    let params = http::params(req)?;
    params.check_known(&["site", "siteId", "page", "count"])?;
    let site = site_param(&params)?;
    let page = paging(&params, "page", 1)?;
    let count = paging(&params, "count", 10)?.min(100);
    let claims = authorize(req, env, Scope::ContractRead).await?;
    claims.require_site(&site)?;
    let (rows, total) = store::audit_page(env, &site, page, count).await?;
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
