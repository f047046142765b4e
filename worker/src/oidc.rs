//! OpenID Connect issuers at the edge: fetching `{issuer}/.well-known/openid-configuration`
//! and its `jwks_uri`, and caching the key set in isolate memory and in KV (so a fresh
//! isolate does not refetch, and keeps verifying while the issuer is down). Every decision
//! (URL rules, document parsing, freshness, when to refetch) is the core's
//! ([`practice_fhir::oidc`]).

use std::cell::RefCell;
use std::collections::HashMap;

use practice_fhir::auth::UnverifiedToken;
use practice_fhir::oidc::{self, CachePolicy, IssuerKeys, Key, KeySet, Plan};
use practice_fhir::{IssueCode, OperationOutcome};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// Seconds a fetched key set stays in KV: long past its freshness, so that cached keys keep
/// verifying while the issuer is down (freshness itself is `fresh_until`).
const KV_TTL_SECONDS: u64 = 7 * 86_400;

/// Milliseconds a fetch from the issuer may take.
const FETCH_TIMEOUT_MS: u32 = 5_000;

thread_local! {
    /// Issuer → its keys and fetch times, for this isolate.
    static ISSUERS: RefCell<HashMap<String, IssuerKeys>> = RefCell::new(HashMap::new());
}

/// The KV copy of an issuer's key set.
#[derive(Serialize, Deserialize)]
struct Stored {
    jwks: String,
    fresh_until: i64,
}

fn kv_key(issuer: &str) -> String {
    format!("oidc:jwks:{issuer}")
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
}

/// The deployment's cache bounds (`OIDC_CACHE_MIN_SECONDS`, `OIDC_CACHE_MAX_SECONDS`,
/// `OIDC_REFETCH_SECONDS`).
pub fn cache_policy(env: &Env) -> CachePolicy {
    CachePolicy::with_overrides(
        var(env, "OIDC_CACHE_MIN_SECONDS").as_deref(),
        var(env, "OIDC_CACHE_MAX_SECONDS").as_deref(),
        var(env, "OIDC_REFETCH_SECONDS").as_deref(),
    )
}

/// True when the deployment is local development (`ENVIRONMENT=development`): only then
/// may an issuer be plain `http://` on loopback.
pub fn allow_loopback(env: &Env) -> bool {
    var(env, "ENVIRONMENT").as_deref() == Some("development")
}

fn unreachable(what: &str, issuer: &str, why: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::AuthRequired,
        format!("Authorization: the {what} of issuer '{issuer}' could not be fetched ({why})."),
    )
}

/// A GET with a timeout: the body and `Cache-Control`, or why not.
async fn get(url: &str) -> Result<(String, Option<String>), String> {
    let headers = Headers::new();
    headers
        .set("accept", "application/json")
        .map_err(|e| e.to_string())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let req = Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
    let signal = timeout_signal();
    let sent = match &signal {
        Some(s) => Fetch::Request(req).send_with_signal(s).await,
        None => Fetch::Request(req).send().await,
    };
    let mut resp = sent.map_err(|_| "unreachable".to_string())?;
    if resp.status_code() != 200 {
        return Err(format!("HTTP {}", resp.status_code()));
    }
    let cache_control = resp.headers().get("cache-control").ok().flatten();
    let text = resp
        .text()
        .await
        .map_err(|_| "unreadable body".to_string())?;
    Ok((text, cache_control))
}

/// `AbortSignal.timeout(FETCH_TIMEOUT_MS)`, when the runtime has it.
fn timeout_signal() -> Option<worker::AbortSignal> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout: js_sys::Function = js_sys::Reflect::get(&class, &"timeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let signal = timeout.call1(&class, &FETCH_TIMEOUT_MS.into()).ok()?;
    Some(worker::AbortSignal::from(
        signal.unchecked_into::<worker::web_sys::AbortSignal>(),
    ))
}

/// Fetches the issuer's discovery document, then its key set: the set, its JSON text and
/// how long it stays fresh.
async fn fetch_keys(
    issuer: &str,
    loopback: bool,
    policy: &CachePolicy,
) -> Result<(KeySet, String, i64), OperationOutcome> {
    let (doc, _) = get(&oidc::discovery_url(issuer))
        .await
        .map_err(|why| unreachable("discovery document", issuer, &why))?;
    let jwks_uri = oidc::parse_discovery(&doc, issuer, loopback)?;
    let (jwks, cache_control) = get(&jwks_uri)
        .await
        .map_err(|why| unreachable("key set", issuer, &why))?;
    let set = KeySet::parse(&jwks, issuer)?;
    Ok((set, jwks, policy.fresh_seconds(cache_control.as_deref())))
}

/// What this isolate knows of the issuer, else the KV copy.
async fn held(env: &Env, issuer: &str) -> IssuerKeys {
    if let Some(state) = ISSUERS.with(|m| m.borrow().get(issuer).cloned()) {
        return state;
    }
    let Ok(kv) = env.kv("KV") else {
        return IssuerKeys::default();
    };
    let stored = kv.get(&kv_key(issuer)).text().await.ok().flatten();
    let Some(stored) = stored.and_then(|t| serde_json::from_str::<Stored>(&t).ok()) else {
        return IssuerKeys::default();
    };
    IssuerKeys {
        keys: KeySet::parse(&stored.jwks, issuer).ok(),
        fresh_until: stored.fresh_until,
        last_refetch: None,
    }
}

/// The key of `issuer` that must have signed `token`: from the keys held when they are
/// fresh and know the token's `kid`, else fetched (an unknown `kid` at most once per
/// refetch interval). When the issuer cannot be reached the keys held keep verifying.
pub async fn key_for(
    env: &Env,
    issuer: &str,
    token: &UnverifiedToken,
) -> Result<Key, OperationOutcome> {
    let policy = cache_policy(env);
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let kid = token.header.kid.as_deref();
    let alg = token.header.alg.as_str();
    let mut state = held(env, issuer).await;
    let plan = state.plan(kid, alg, now, &policy);
    let mut failure = None;
    if plan != Plan::UseCached {
        match fetch_keys(issuer, allow_loopback(env), &policy).await {
            Ok((set, text, fresh)) => {
                state.record(plan, Some(set), fresh, now, &policy);
                if let Ok(kv) = env.kv("KV") {
                    let stored = Stored {
                        jwks: text,
                        fresh_until: state.fresh_until,
                    };
                    if let Ok(json) = serde_json::to_string(&stored) {
                        if let Ok(put) = kv.put(&kv_key(issuer), json) {
                            let _ = put.expiration_ttl(KV_TTL_SECONDS).execute().await;
                        }
                    }
                }
            }
            Err(e) => {
                let why = e.issues.first().map(|i| i.diagnostics.clone());
                worker::console_warn!(
                    "{}",
                    serde_json::json!({"oidc": issuer, "fetch_failed": why, "keys_held": state.keys.is_some()})
                );
                state.record(plan, None, 0, now, &policy);
                failure = Some(e);
            }
        }
    }
    ISSUERS.with(|m| m.borrow_mut().insert(issuer.to_string(), state.clone()));
    match (&state.keys, failure) {
        (Some(keys), _) => keys.select(kid, alg).cloned().map_err(|s| s.outcome()),
        (None, Some(e)) => Err(e),
        (None, None) => Err(unreachable("key set", issuer, "none held")),
    }
}
