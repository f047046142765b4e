//! Bearer-token policy: splitting a JWT, checking its claims (time, issuer, audience, scope,
//! sites). Pure and clock-free (the caller passes `now`), so the rules are tested natively;
//! the signature itself is verified by the edge with WebCrypto against the configured JWKS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::outcome::{IssueCode, OperationOutcome};

/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: i64 = 30;

/// The scopes the APIs know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Search and read practitioners, roles, locations, schedules, photos.
    PractitionerRead,
    /// Create, update and delete directory resources and photos.
    PractitionerWrite,
    /// Read contracts, prices, fees, tariffs, multi-procedure rules, audit.
    ContractRead,
    /// Change contracts and prices.
    ContractWrite,
}

impl Scope {
    /// The scope string as it appears in the `scope` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::PractitionerRead => "practitioner.read",
            Scope::PractitionerWrite => "practitioner.write",
            Scope::ContractRead => "contract.read",
            Scope::ContractWrite => "contract.write",
        }
    }
}

/// The JOSE header fields the edge needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Header {
    /// Signature algorithm (`RS256` or `ES256`).
    pub alg: String,
    /// Key id, matched against the JWKS.
    #[serde(default)]
    pub kid: Option<String>,
}

/// `aud` may be a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims of a practice-fhir token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// Who is calling (recorded in the audit log).
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Issuer.
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Site ids this token may read and change; `*` means all (administrator).
    #[serde(default)]
    pub sites: Vec<String>,
}

/// A token split into its parts, signature not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedToken {
    /// The decoded header.
    pub header: Header,
    /// The decoded claims.
    pub claims: Claims,
    /// `base64url(header) + "." + base64url(claims)`: the bytes the signature covers.
    pub signing_input: String,
    /// The raw signature bytes.
    pub signature: Vec<u8>,
}

fn unauthorized(why: &str) -> OperationOutcome {
    OperationOutcome::error(IssueCode::AuthRequired, format!("Authorization: {why}"))
}

fn forbidden(why: String) -> OperationOutcome {
    OperationOutcome::error(IssueCode::Forbidden, why)
}

/// Splits `Authorization: Bearer <jwt>` into its decoded parts (401 when absent or malformed).
pub fn parse_bearer(authorization: Option<&str>) -> Result<UnverifiedToken, OperationOutcome> {
    let value = authorization.ok_or_else(|| unauthorized("a Bearer token is required."))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| unauthorized("the scheme must be Bearer."))?
        .trim();
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unauthorized(
            "the token is not a JWT (header.claims.signature).",
        ));
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('='));
    let header_bytes = decode(h).map_err(|_| unauthorized("the token header is not base64url."))?;
    let claim_bytes = decode(c).map_err(|_| unauthorized("the token claims are not base64url."))?;
    let signature = decode(s).map_err(|_| unauthorized("the token signature is not base64url."))?;
    let header: Header = serde_json::from_slice(&header_bytes)
        .map_err(|_| unauthorized("the token header is not valid JSON."))?;
    let claims: Claims = serde_json::from_slice(&claim_bytes)
        .map_err(|_| unauthorized("the token claims are not valid (sub and exp are required)."))?;
    Ok(UnverifiedToken {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature,
    })
}

/// What a deployment expects of its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPolicy {
    /// Required `iss`, if any.
    pub issuer: Option<String>,
    /// Required member of `aud`, if any.
    pub audience: Option<String>,
}

impl TokenPolicy {
    /// Checks `exp`, `nbf`, `iss` and `aud` at time `now` (seconds since the epoch): 401 on failure.
    pub fn check(&self, claims: &Claims, now: i64) -> Result<(), OperationOutcome> {
        // Saturating: `exp`/`nbf` are the caller's numbers, i64::MAX and i64::MIN included.
        if claims.exp.saturating_add(LEEWAY_SECONDS) < now {
            return Err(unauthorized("the token has expired."));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.saturating_sub(LEEWAY_SECONDS) > now)
        {
            return Err(unauthorized("the token is not valid yet (nbf)."));
        }
        if let Some(want) = &self.issuer {
            if claims.iss.as_deref() != Some(want.as_str()) {
                return Err(unauthorized("the token issuer is not accepted."));
            }
        }
        if let Some(want) = &self.audience {
            let ok = match &claims.aud {
                Some(Audience::One(a)) => a == want,
                Some(Audience::Many(list)) => list.iter().any(|a| a == want),
                None => false,
            };
            if !ok {
                return Err(unauthorized("the token audience is not accepted."));
            }
        }
        Ok(())
    }
}

impl Claims {
    /// True when the `scope` claim lists `scope`.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scope.split_whitespace().any(|s| s == scope.as_str())
    }

    /// 403 unless the token carries `scope`.
    pub fn require_scope(&self, scope: Scope) -> Result<(), OperationOutcome> {
        if self.has_scope(scope) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "The token lacks the scope '{}'.",
                scope.as_str()
            )))
        }
    }

    /// True for an administrator token (`sites` contains `*`).
    pub fn is_admin(&self) -> bool {
        self.sites.iter().any(|s| s == "*")
    }

    /// True when the token may see and change `site`.
    pub fn allows_site(&self, site: &str) -> bool {
        self.is_admin() || self.sites.iter().any(|s| s == site)
    }

    /// 403 unless the token may see `site`.
    pub fn require_site(&self, site: &str) -> Result<(), OperationOutcome> {
        if self.allows_site(site) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "The token does not grant access to site '{site}'."
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
        let c = URL_SAFE_NO_PAD.encode(claims.as_bytes());
        format!("Bearer {h}.{c}.c2ln")
    }

    #[test]
    fn parses_a_bearer_token() {
        let t = parse_bearer(Some(&token(
            r#"{"sub":"u1","exp":100,"scope":"contract.read","sites":["HC00JXI"],"aud":["x","practice-fhir"]}"#,
        )))
        .unwrap();
        assert_eq!(t.header.kid.as_deref(), Some("k1"));
        assert_eq!(t.signature, b"sig");
        assert!(t.claims.has_scope(Scope::ContractRead));
        assert!(!t.claims.has_scope(Scope::ContractWrite));
        assert!(t.claims.allows_site("HC00JXI"));
        assert!(!t.claims.allows_site("HC00HM4"));
        let policy = TokenPolicy {
            issuer: None,
            audience: Some("practice-fhir".into()),
        };
        assert!(policy.check(&t.claims, 100).is_ok());
        let expired = policy
            .check(&t.claims, 100 + LEEWAY_SECONDS + 1)
            .unwrap_err();
        assert_eq!(expired.issues[0].code, IssueCode::AuthRequired);
        let scope = t.claims.require_scope(Scope::ContractWrite).unwrap_err();
        assert_eq!(scope.http_status(), 403);
    }

    #[test]
    fn malformed_tokens_are_401() {
        for bad in [
            None,
            Some("Basic abc"),
            Some("Bearer abc"),
            Some("Bearer a.b.c.d"),
            Some("Bearer !!.??.x"),
        ] {
            let err = parse_bearer(bad).unwrap_err();
            assert_eq!(err.http_status(), 401, "{bad:?}");
        }
        let no_exp = parse_bearer(Some(&token(r#"{"sub":"u"}"#))).unwrap_err();
        assert_eq!(no_exp.http_status(), 401);
    }

    #[test]
    fn admin_sees_every_site_and_nbf_is_checked() {
        let t = parse_bearer(Some(&token(
            r#"{"sub":"a","exp":1000,"nbf":500,"sites":["*"],"iss":"me"}"#,
        )))
        .unwrap();
        assert!(t.claims.allows_site("ANY"));
        let policy = TokenPolicy {
            issuer: Some("me".into()),
            audience: None,
        };
        assert!(policy.check(&t.claims, 600).is_ok());
        assert_eq!(policy.check(&t.claims, 400).unwrap_err().http_status(), 401);
        let other = TokenPolicy {
            issuer: Some("other".into()),
            audience: None,
        };
        assert_eq!(other.check(&t.claims, 600).unwrap_err().http_status(), 401);
    }
}
