//! An import as API requests: `POST $contract-price` bodies of at most 100 assets (each
//! request atomic) and `DELETE $contract-price/{site}` for what replace mode removes.
//!
//! The API's DELETE matches broadly: without `procedureCode` it takes the service's prices
//! with every procedure too, and without `location`/`practitioner` those at every location
//! and of every practitioner. So the deletes go first, and the posts then set every price of
//! the final state that the deletes took or that differs, worked out by running the same
//! deletes on a copy of the site's book (the core's `delete_prices`).

use practice_fhir::contracts::{PriceFilter, PriceKey};
use serde_json::Value;

use super::plan::{asset_json, contract_price_body, describe, ImportPlan};

/// Most assets in one `$contract-price` request (the API's limit).
pub const ASSETS_PER_REQUEST: usize = 100;

/// The requests of an import, in the order they are sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiWrites {
    /// Query parameters of each `DELETE $contract-price/{site}`, sent first.
    pub deletes: Vec<Vec<(String, String)>>,
    /// Each `POST $contract-price` body.
    pub posts: Vec<Value>,
    /// Prices posted again because a delete took them as well.
    pub restored: usize,
}

fn delete_params(payor: &str, key: &PriceKey) -> Vec<(String, String)> {
    let mut p = vec![
        ("indStdCode".to_string(), key.service.code.clone()),
        ("indStdCodeScheme".to_string(), key.service.scheme.clone()),
    ];
    if let Some(proc_) = &key.procedure {
        p.push(("procedureCode".into(), proc_.code.clone()));
        p.push(("procedureScheme".into(), proc_.scheme.clone()));
    }
    p.push(("payorId".into(), payor.to_string()));
    if let Some(l) = &key.location {
        p.push(("location".into(), l.clone()));
    }
    if let Some(pr) = &key.practitioner {
        p.push(("practitioner".into(), pr.clone()));
    }
    p
}

/// The requests that turn the site into `plan.after`, posts of at most `per_request`
/// assets. Refuses a replace whose deletes would take a practitioner's own self-pay price,
/// which no `$contract-price` body can put back (the SQL path has no such limit).
pub fn api_writes(plan: &ImportPlan, per_request: usize) -> Result<ApiWrites, String> {
    let mut scratch = plan.before.clone();
    let mut deletes = Vec::with_capacity(plan.removed.len());
    for e in &plan.removed {
        deletes.push(delete_params(&e.payor.id, &e.key));
        scratch.delete_prices(&PriceFilter {
            service: e.key.service.clone(),
            procedure: e.key.procedure.clone(),
            payor: Some(e.payor.id.clone()),
            location: e.key.location.clone(),
            practitioner: e.key.practitioner.clone(),
        });
    }
    let mut assets = Vec::new();
    let mut restored = 0;
    for (k, p) in plan.after.prices() {
        let now = scratch.price(k).map(|s| (s.net, s.is_estv));
        if now == Some((p.net, p.is_estv)) {
            continue;
        }
        let Some(c) = plan.after.payor_contract_by_id(&k.contract) else {
            return Err(format!(
                "replacing through the API would delete the self-pay price {} of practitioner {} with it, \
                 and the API cannot put it back: import with --sql instead",
                k.service.key(),
                k.practitioner.as_deref().unwrap_or("?")
            ));
        };
        if now.is_none() && plan.before.price(k).is_some_and(|b| b == p) {
            restored += 1;
        }
        assets.push(asset_json(&c.payor, k, p.net, p.is_estv));
    }
    // A removal the deletes did not take would stay: the filters are exact keys, so this
    // cannot happen; say so rather than write something else.
    if let Some(e) = plan
        .removed
        .iter()
        .find(|e| scratch.price(&e.key).is_some())
    {
        return Err(format!(
            "the API cannot remove {} alone",
            describe(&e.payor, &e.key)
        ));
    }
    let posts = assets
        .chunks(per_request.clamp(1, ASSETS_PER_REQUEST))
        .map(|c| contract_price_body(&plan.site, c.to_vec()))
        .collect();
    Ok(ApiWrites {
        deletes,
        posts,
        restored,
    })
}
