//! Who is calling: the bearer token checked against the configured JWKS (signature, with
//! WebCrypto), the token policy (exp/nbf/iss/aud) and the scope the route needs.

use practice_fhir::auth::{parse_bearer, Claims, Scope, TokenPolicy};
use practice_fhir::{IssueCode, OperationOutcome};
use worker::{Env, Request};

use crate::http::header;
use crate::jwt::verify_signature;

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

fn policy(env: &Env) -> TokenPolicy {
    let var = |name: &str| {
        env.var(name)
            .ok()
            .map(|v| v.to_string())
            .filter(|v| !v.is_empty())
    };
    TokenPolicy {
        issuer: var("JWT_ISSUER"),
        audience: var("JWT_AUDIENCE"),
    }
}

/// Authenticates the request and checks that the token carries `scope`.
/// 401 for a missing, malformed, expired or badly signed token; 403 for a missing scope.
pub async fn authorize(req: &Request, env: &Env, scope: Scope) -> Result<Claims, OperationOutcome> {
    let token = parse_bearer(header(req, "authorization").as_deref())?;
    let now = (js_sys::Date::now() / 1000.0) as i64;
    policy(env).check(&token.claims, now)?;
    verify_signature(&token, &jwks(env).await?).await?;
    token.claims.require_scope(scope)?;
    Ok(token.claims)
}
