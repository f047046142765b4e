//! JWT signature verification with WebCrypto (`crypto.subtle`): native speed and nothing
//! added to the wasm. The claims rules live in the core (`practice_fhir::auth`); this module
//! only answers "was this signed by a key of the configured JWKS?".

use js_sys::futures::JsFuture;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use practice_fhir::auth::UnverifiedToken;
use practice_fhir::{IssueCode, OperationOutcome};
use wasm_bindgen::{JsCast, JsValue};

fn unauthorized(why: &str) -> OperationOutcome {
    OperationOutcome::error(IssueCode::AuthRequired, format!("Authorization: {why}"))
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

fn object(pairs: &[(&str, &str)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v))?;
    }
    Ok(o)
}

async fn call_subtle(method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let f: Function = get(&subtle, method)?.dyn_into()?;
    let promise: Promise = Reflect::apply(&f, &subtle, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// Verifies the token's signature against the JWKS (a JSON `{"keys": [...]}` string).
/// RS256 and ES256 are accepted; the key is chosen by `kid` (or the only key of that type).
pub async fn verify_signature(token: &UnverifiedToken, jwks: &str) -> Result<(), OperationOutcome> {
    let (import_alg, verify_alg, kty) = match token.header.alg.as_str() {
        "RS256" => (
            object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")]),
            object(&[("name", "RSASSA-PKCS1-v1_5")]),
            "RSA",
        ),
        "ES256" => (
            object(&[("name", "ECDSA"), ("namedCurve", "P-256")]),
            object(&[("name", "ECDSA"), ("hash", "SHA-256")]),
            "EC",
        ),
        _ => return Err(unauthorized("the token algorithm must be RS256 or ES256.")),
    };
    let set: serde_json::Value = serde_json::from_str(jwks)
        .map_err(|_| OperationOutcome::error(IssueCode::InternalError, "The key set is not configured."))?;
    let keys = set.get("keys").and_then(|k| k.as_array()).cloned().unwrap_or_default();
    let candidates: Vec<&serde_json::Value> = keys
        .iter()
        .filter(|k| k.get("kty").and_then(|v| v.as_str()) == Some(kty))
        .collect();
    let key = match &token.header.kid {
        Some(kid) => candidates
            .iter()
            .find(|k| k.get("kid").and_then(|v| v.as_str()) == Some(kid.as_str())),
        None if candidates.len() == 1 => candidates.first(),
        None => None,
    }
    .ok_or_else(|| unauthorized("the token was not signed by a known key."))?;

    let verified = async {
        let (import_alg, verify_alg) = (import_alg?, verify_alg?);
        let jwk = js_sys::JSON::parse(&key.to_string())?;
        let usages = Array::of1(&JsValue::from_str("verify"));
        let args = Array::new();
        for a in [JsValue::from_str("jwk"), jwk, import_alg.into(), JsValue::FALSE, usages.into()] {
            args.push(&a);
        }
        let crypto_key = call_subtle("importKey", &args).await?;
        let args = Array::new();
        for a in [
            verify_alg.into(),
            crypto_key,
            Uint8Array::from(token.signature.as_slice()).into(),
            Uint8Array::from(token.signing_input.as_bytes()).into(),
        ] {
            args.push(&a);
        }
        Ok::<bool, JsValue>(call_subtle("verify", &args).await?.as_bool() == Some(true))
    }
    .await;
    match verified {
        Ok(true) => Ok(()),
        Ok(false) => Err(unauthorized("the token signature is not valid.")),
        Err(e) => {
            worker::console_error!("jwt verification failed: {e:?}");
            Err(unauthorized("the token signature could not be verified."))
        }
    }
}
