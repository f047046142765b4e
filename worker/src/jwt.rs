//! JWT signature verification with WebCrypto (`crypto.subtle`): native speed and nothing
//! added to the wasm. The claims rules and the key choice live in the core
//! (`practice_fhir::auth`, `practice_fhir::oidc`); this module only answers "does this key's
//! signature verify?". Imported `CryptoKey`s are kept per isolate, keyed by the key itself.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::futures::JsFuture;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use practice_fhir::auth::UnverifiedToken;
use practice_fhir::oidc::{Key, KeySet};
use practice_fhir::{IssueCode, OperationOutcome};
use wasm_bindgen::{JsCast, JsValue};

/// Most imported keys kept; beyond it the cache starts over (keys rotate rarely).
const MAX_IMPORTED_KEYS: usize = 64;

thread_local! {
    /// `alg` + the key's public JWK → its imported `CryptoKey`.
    static IMPORTED: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

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

async fn call_subtle(method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let f: Function = get(&subtle, method)?.dyn_into()?;
    let list = Array::new();
    for a in args {
        list.push(a);
    }
    let promise: Promise = Reflect::apply(&f, &subtle, &list)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// The WebCrypto import and verify parameters of an algorithm.
fn algorithms(alg: &str) -> Result<(Object, Object), JsValue> {
    Ok(match alg {
        "RS256" => (
            object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
            object(&[("name", "RSASSA-PKCS1-v1_5")])?,
        ),
        _ => (
            object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
        ),
    })
}

/// The key's `CryptoKey`, imported once per isolate.
async fn crypto_key(key: &Key, alg: &str, import_alg: &Object) -> Result<JsValue, JsValue> {
    let cache_key = format!("{alg} {}", key.jwk);
    if let Some(k) = IMPORTED.with(|c| c.borrow().get(&cache_key).cloned()) {
        return Ok(k);
    }
    let jwk = js_sys::JSON::parse(&key.jwk)?;
    let usages: JsValue = Array::of1(&JsValue::from_str("verify")).into();
    let imported = call_subtle(
        "importKey",
        &[
            JsValue::from_str("jwk"),
            jwk,
            import_alg.into(),
            JsValue::FALSE,
            usages,
        ],
    )
    .await?;
    IMPORTED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_IMPORTED_KEYS {
            c.clear();
        }
        c.insert(cache_key, imported.clone());
    });
    Ok(imported)
}

/// Verifies the token's signature with `key` (chosen by the core for the token's `alg`).
pub async fn verify_with(token: &UnverifiedToken, key: &Key) -> Result<(), OperationOutcome> {
    let alg = token.header.alg.as_str();
    let verified = async {
        let (import_alg, verify_alg) = algorithms(alg)?;
        let crypto_key = crypto_key(key, alg, &import_alg).await?;
        let result = call_subtle(
            "verify",
            &[
                verify_alg.into(),
                crypto_key,
                Uint8Array::from(token.signature.as_slice()).into(),
                Uint8Array::from(token.signing_input.as_bytes()).into(),
            ],
        )
        .await?;
        Ok::<bool, JsValue>(result.as_bool() == Some(true))
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

/// Verifies the token's signature against a static JWKS (a JSON `{"keys": [...]}` string):
/// RS256 and ES256; the key is chosen by `kid` (or the only key of that type).
pub async fn verify_signature(token: &UnverifiedToken, jwks: &str) -> Result<(), OperationOutcome> {
    if practice_fhir::oidc::KeyType::for_alg(&token.header.alg).is_none() {
        return Err(unauthorized("the token algorithm must be RS256 or ES256."));
    }
    let set = KeySet::parse(jwks, "JWKS").map_err(|e| {
        crate::http::internal(format!(
            "the static key set is unusable: {}",
            e.issues
                .first()
                .map(|i| i.diagnostics.as_str())
                .unwrap_or("")
        ))
    })?;
    let key = set
        .select(token.header.kid.as_deref(), &token.header.alg)
        .map_err(|s| s.outcome())?;
    verify_with(token, key).await
}
