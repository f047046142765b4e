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
    /// Space-separated scopes (from the configured scope claim, see [`ClaimNames`]).
    #[serde(skip)]
    pub scope: String,
    /// Site ids this token may read and change; `*` means all (administrator).
    #[serde(skip)]
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

/// The claims that carry scopes and sites, which identity providers name differently
/// (`SCOPE_CLAIM`, `SITES_CLAIM`; README "Identity providers"). A name may be a namespaced
/// URL (Auth0: `https://clinic.example/sites`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// The scopes: a space-separated string (`scope`, Entra `scp`) or an array of strings
    /// (Okta `scp`, Auth0 `permissions`).
    pub scope: String,
    /// The sites: an array of strings, or one string of space- or comma-separated ids.
    pub sites: String,
}

impl Default for ClaimNames {
    fn default() -> ClaimNames {
        ClaimNames {
            scope: "scope".into(),
            sites: "sites".into(),
        }
    }
}

impl ClaimNames {
    /// The names with a deployment's overrides (empty or absent: the default).
    pub fn with_overrides(scope: Option<&str>, sites: Option<&str>) -> ClaimNames {
        let pick = |v: Option<&str>, default: &str| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .unwrap_or(default)
                .to_string()
        };
        ClaimNames {
            scope: pick(scope, "scope"),
            sites: pick(sites, "sites"),
        }
    }
}

/// A claim that lists strings: an array of strings, or one string split on spaces and
/// commas. `None` when the claim is absent or of another shape.
fn string_list(value: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match value? {
        serde_json::Value::String(s) => Some(
            s.split([' ', ','])
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// Splits `Authorization: Bearer <jwt>` into its decoded parts (401 when absent or malformed).
pub fn parse_bearer(authorization: Option<&str>) -> Result<UnverifiedToken, OperationOutcome> {
    parse_bearer_with(authorization, &ClaimNames::default())
}

/// [`parse_bearer`] reading scopes and sites from the configured claim names.
pub fn parse_bearer_with(
    authorization: Option<&str>,
    names: &ClaimNames,
) -> Result<UnverifiedToken, OperationOutcome> {
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
    let invalid = || unauthorized("the token claims are not valid (sub and exp are required).");
    let raw: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&claim_bytes).map_err(|_| invalid())?;
    let mut claims: Claims =
        serde_json::from_value(serde_json::Value::Object(raw.clone())).map_err(|_| invalid())?;
    claims.scope = match string_list(raw.get(&names.scope)) {
        Some(list) => list.join(" "),
        None if raw.get(&names.scope).is_some() => {
            return Err(unauthorized(&format!(
                "the token claim '{}' must be a string or an array of strings.",
                names.scope
            )))
        }
        None => String::new(),
    };
    claims.sites = match string_list(raw.get(&names.sites)) {
        Some(list) => list,
        None if raw.get(&names.sites).is_some() => {
            return Err(unauthorized(&format!(
                "the token claim '{}' must be a string or an array of strings.",
                names.sites
            )))
        }
        None => Vec::new(),
    };
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
    /// OpenID Connect issuers whose tokens are also accepted (`OIDC_ISSUER`); their keys
    /// come from the issuer's `jwks_uri`, not the static key set.
    pub oidc_issuers: Vec<String>,
}

/// Where the key that must have signed a token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The static key set (`JWKS` variable or KV `config:jwks`), for `JWT_ISSUER`.
    Static,
    /// This OpenID Connect issuer's published keys.
    Oidc(String),
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
        let oidc = self.key_source(claims) != KeySource::Static;
        let static_ok = match &self.issuer {
            Some(want) => claims.iss.as_deref() == Some(want.as_str()),
            None => self.oidc_issuers.is_empty(),
        };
        if !oidc && !static_ok {
            return Err(unauthorized("the token issuer is not accepted."));
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

impl TokenPolicy {
    /// The key source of a token that passed [`TokenPolicy::check`]: its issuer's keys when
    /// `iss` is one of the OpenID Connect issuers (compared without a trailing `/`), else the
    /// static key set.
    pub fn key_source(&self, claims: &Claims) -> KeySource {
        let Some(iss) = claims.iss.as_deref() else {
            return KeySource::Static;
        };
        let norm = |s: &str| s.trim_end_matches('/').to_string();
        self.oidc_issuers
            .iter()
            .find(|i| norm(i) == norm(iss))
            .map_or(KeySource::Static, |i| KeySource::Oidc(i.clone()))
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

    /// 403 with `why` (which says what needs an administrator) unless this is an
    /// administrator token.
    pub fn require_admin(&self, why: &str) -> Result<(), OperationOutcome> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(forbidden(why.to_owned()))
        }
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
            oidc_issuers: Vec::new(),
        };
        assert!(policy.check(&t.claims, 100).is_ok());
        let expired = policy
            .check(&t.claims, 100 + LEEWAY_SECONDS + 1)
            .unwrap_err();
        assert_eq!(expired.issues[0].code, IssueCode::AuthRequired);
        let scope = t.claims.require_scope(Scope::ContractWrite).unwrap_err();
        assert_eq!(scope.http_status(), 403);
        let admin = t
            .claims
            .require_admin("Tariffs need an administrator.")
            .unwrap_err();
        assert_eq!(admin.http_status(), 403);
        assert_eq!(
            admin.issues[0].diagnostics,
            "Tariffs need an administrator."
        );
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
        assert_eq!(t.claims.require_admin("unused"), Ok(()));
        let policy = TokenPolicy {
            issuer: Some("me".into()),
            audience: None,
            oidc_issuers: Vec::new(),
        };
        assert!(policy.check(&t.claims, 600).is_ok());
        assert_eq!(policy.check(&t.claims, 400).unwrap_err().http_status(), 401);
        let other = TokenPolicy {
            issuer: Some("other".into()),
            audience: None,
            oidc_issuers: Vec::new(),
        };
        assert_eq!(other.check(&t.claims, 600).unwrap_err().http_status(), 401);
    }

    #[test]
    fn oidc_issuers_are_accepted_beside_the_static_issuer() {
        let policy = TokenPolicy {
            issuer: Some("https://practice-fhir.local/dev".into()),
            audience: None,
            oidc_issuers: vec!["https://login.example/t/v2.0".into()],
        };
        let claims = |iss: &str| {
            parse_bearer(Some(&token(&format!(
                r#"{{"sub":"a","exp":1000,"iss":"{iss}"}}"#
            ))))
            .unwrap()
            .claims
        };
        let oidc = claims("https://login.example/t/v2.0/");
        assert!(policy.check(&oidc, 600).is_ok());
        assert_eq!(
            policy.key_source(&oidc),
            KeySource::Oidc("https://login.example/t/v2.0".into())
        );
        let dev = claims("https://practice-fhir.local/dev");
        assert!(policy.check(&dev, 600).is_ok());
        assert_eq!(policy.key_source(&dev), KeySource::Static);
        let other = policy
            .check(&claims("https://evil.example"), 600)
            .unwrap_err();
        assert_eq!(
            other.issues[0].diagnostics,
            "Authorization: the token issuer is not accepted."
        );
        // With OIDC issuers and no static issuer, only the OIDC issuers are accepted.
        let only = TokenPolicy {
            issuer: None,
            ..policy
        };
        assert!(only.check(&oidc, 600).is_ok());
        assert_eq!(only.check(&dev, 600).unwrap_err().http_status(), 401);
    }

    #[test]
    fn scope_and_sites_come_from_the_configured_claims() {
        // Entra ID: `scp` a space-separated string, sites in an extension attribute string.
        let entra = ClaimNames::with_overrides(Some("scp"), Some("extension_sites"));
        let t = parse_bearer_with(
            Some(&token(
                r#"{"sub":"u","exp":1,"scp":"contract.read practitioner.read","extension_sites":"HC00JXI, HC00HM4","scope":"contract.write"}"#,
            )),
            &entra,
        )
        .unwrap();
        assert_eq!(t.claims.scope, "contract.read practitioner.read");
        assert_eq!(t.claims.sites, vec!["HC00JXI", "HC00HM4"]);
        assert!(!t.claims.has_scope(Scope::ContractWrite));
        // Okta / Auth0: arrays, namespaced claim names.
        let auth0 =
            ClaimNames::with_overrides(Some("permissions"), Some("https://clinic.example/sites"));
        let t = parse_bearer_with(
            Some(&token(
                r#"{"sub":"u","exp":1,"permissions":["contract.read"],"https://clinic.example/sites":["*"]}"#,
            )),
            &auth0,
        )
        .unwrap();
        assert!(t.claims.has_scope(Scope::ContractRead));
        assert!(t.claims.is_admin());
        // The defaults, absent claims, and a claim of the wrong shape.
        assert_eq!(
            ClaimNames::with_overrides(Some(" "), None),
            ClaimNames::default()
        );
        let none = parse_bearer(Some(&token(r#"{"sub":"u","exp":1}"#))).unwrap();
        assert_eq!(
            (none.claims.scope.as_str(), none.claims.sites.len()),
            ("", 0)
        );
        let bad = parse_bearer(Some(&token(r#"{"sub":"u","exp":1,"sites":{"a":1}}"#))).unwrap_err();
        assert_eq!(
            bad.issues[0].diagnostics,
            "Authorization: the token claim 'sites' must be a string or an array of strings."
        );
    }
}
