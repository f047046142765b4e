//! Who is calling: the bearer token checked against its issuer's keys (an OpenID Connect
//! issuer of `OIDC_ISSUER`, or the static JWKS for `JWT_ISSUER`), the token policy
//! (exp/nbf/iss/aud) and the scope the route needs. Signatures are verified with WebCrypto.

use practice_fhir::auth::{parse_bearer_with, ClaimNames, Claims, KeySource, Scope, TokenPolicy};
use practice_fhir::{IssueCode, OperationOutcome};
use worker::{Env, Request};

use crate::http::{header, Cx};
use crate::jwt::{verify_signature, verify_with};

/// The configured key set: the `JWKS` variable (a JSON `{"keys": [...]}`), else the copy
/// kept in KV under `config:jwks` (where a deployment's key rotation job writes it).
async fn jwks(env: &Env) -> Result<String, OperationOutcome> {
    if let Ok(var) = env.var("JWKS") {
        let text = var.to_string();
        if !text.trim().is_empty() {
            return Ok(text);
        }
    }
    let kv = env.kv("KV").map_err(crate::http::internal)?;
    kv.get("config:jwks")
        .text()
        .await
        .map_err(crate::http::internal)?
        .ok_or_else(|| {
            worker::console_error!("no JWKS configured (JWKS var or KV config:jwks)");
            OperationOutcome::error(
                IssueCode::AuthRequired,
                "Authorization: no key set is configured.",
            )
        })
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
}

/// The token policy, and the `OIDC_ISSUER` entries that are not usable (logged, and named
/// in the 401 of a token that claims one of them).
fn policy(env: &Env) -> (TokenPolicy, Vec<String>) {
    let (oidc_issuers, rejected) = practice_fhir::oidc::parse_issuers(
        &var(env, "OIDC_ISSUER").unwrap_or_default(),
        crate::oidc::allow_loopback(env),
    );
    let policy = TokenPolicy {
        issuer: var(env, "JWT_ISSUER"),
        audience: var(env, "JWT_AUDIENCE"),
        oidc_issuers,
    };
    (policy, rejected)
}

/// Authenticates the request and checks that the token carries `scope`.
/// 401 for a missing, malformed, expired or badly signed token; 403 for a missing scope.
/// The token's `sub` is noted on the request context (hashed in the log line).
pub async fn authorize(req: &Request, cx: &Cx, scope: Scope) -> Result<Claims, OperationOutcome> {
    let names = ClaimNames::with_overrides(
        var(cx, "SCOPE_CLAIM").as_deref(),
        var(cx, "SITES_CLAIM").as_deref(),
    );
    let token = parse_bearer_with(header(req, "authorization").as_deref(), &names)?;
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let (policy, rejected) = policy(cx);
    if let Err(e) = policy.check(&token.claims, now) {
        if let Some(bad) = token.claims.iss.as_deref().and_then(|iss| {
            rejected
                .iter()
                .find(|r| r.contains(&format!("'{}'", iss.trim_end_matches('/'))))
        }) {
            worker::console_error!("{bad}");
            return Err(OperationOutcome::error(
                IssueCode::AuthRequired,
                format!("Authorization: the token issuer is not accepted: {bad}."),
            ));
        }
        return Err(e);
    }
    if practice_fhir::oidc::KeyType::for_alg(&token.header.alg).is_none() {
        return Err(OperationOutcome::error(
            IssueCode::AuthRequired,
            "Authorization: the token algorithm must be RS256 or ES256.",
        ));
    }
    match policy.key_source(&token.claims) {
        KeySource::Static => verify_signature(&token, &jwks(cx).await?).await?,
        KeySource::Oidc(issuer) => {
            let key = crate::oidc::key_for(cx, &issuer, &token).await?;
            verify_with(&token, &key).await?
        }
    }
    cx.note_sub(&token.claims.sub);
    token.claims.require_scope(scope)?;
    Ok(token.claims)
}
