//! OpenID Connect issuers, the pure part: which issuer URLs are acceptable, the discovery
//! document and the JWKS it points to, how long a fetched key set stays fresh
//! (`Cache-Control` within bounds), and when an unknown `kid` may trigger a refetch.
//!
//! The edge does the fetching, caching and WebCrypto verification
//! (`worker/src/oidc.rs`); every decision it takes about what it fetched is made here, so the
//! rules are tested natively. Time is passed in (seconds since the epoch).

use serde_json::Value;

use crate::outcome::{IssueCode, OperationOutcome};

/// Largest discovery document or JWKS accepted (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// Bounds and defaults of key-set caching, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// A key set is kept at least this long, whatever `Cache-Control` says (`no-store`,
    /// `max-age=0` included): the issuer is not fetched on every request.
    pub min_seconds: i64,
    /// And at most this long, so a rotation is seen within it even with a long `max-age`.
    pub max_seconds: i64,
    /// When the response has no usable `max-age`.
    pub default_seconds: i64,
    /// An unknown `kid` refetches the key set at most once per issuer in this interval.
    pub refetch_interval_seconds: i64,
}

impl Default for CachePolicy {
    fn default() -> CachePolicy {
        CachePolicy {
            min_seconds: 60,
            max_seconds: 86_400,
            default_seconds: 600,
            refetch_interval_seconds: 60,
        }
    }
}

impl CachePolicy {
    /// The policy with a deployment's overrides (`OIDC_CACHE_MIN_SECONDS`,
    /// `OIDC_CACHE_MAX_SECONDS`, `OIDC_REFETCH_SECONDS`); each is clamped to 1 s .. 7 days
    /// and the maximum is never below the minimum. Values that are not numbers are ignored.
    pub fn with_overrides(
        min: Option<&str>,
        max: Option<&str>,
        refetch: Option<&str>,
    ) -> CachePolicy {
        let base = CachePolicy::default();
        let num = |v: Option<&str>| {
            v.and_then(|s| s.trim().parse::<i64>().ok())
                .map(|n| n.clamp(1, 7 * 86_400))
        };
        let min_seconds = num(min).unwrap_or(base.min_seconds);
        let max_seconds = num(max).unwrap_or(base.max_seconds).max(min_seconds);
        CachePolicy {
            min_seconds,
            max_seconds,
            default_seconds: base.default_seconds.clamp(min_seconds, max_seconds),
            refetch_interval_seconds: num(refetch).unwrap_or(base.refetch_interval_seconds),
        }
    }

    /// Seconds a response with this `Cache-Control` stays fresh: `s-maxage` or `max-age`
    /// clamped to the bounds; `no-store`/`no-cache` give the minimum; none, the default.
    pub fn fresh_seconds(&self, cache_control: Option<&str>) -> i64 {
        let Some(cc) = cache_control else {
            return self.default_seconds;
        };
        let mut max_age = None;
        let mut s_maxage = None;
        for directive in cc.split(',') {
            let directive = directive.trim();
            let (name, value) = match directive.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
                None => (directive, None),
            };
            match name.to_ascii_lowercase().as_str() {
                "no-store" | "no-cache" => return self.min_seconds,
                "max-age" => max_age = value.and_then(|v| v.parse::<i64>().ok()),
                "s-maxage" => s_maxage = value.and_then(|v| v.parse::<i64>().ok()),
                _ => {}
            }
        }
        match s_maxage.or(max_age) {
            Some(secs) => secs.clamp(self.min_seconds, self.max_seconds),
            None => self.default_seconds,
        }
    }
}

/// A configuration error about an issuer (answered as 401 with this text, logged as such).
fn config_error(why: String) -> OperationOutcome {
    OperationOutcome::error(IssueCode::AuthRequired, format!("Authorization: {why}"))
}

/// True for `localhost`, `127.0.0.0/8` and `[::1]`.
fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').count() == 3)
}

/// Checks an issuer (or `jwks_uri`) URL: `https://host[/path]`, or `http://` on a loopback
/// host when `allow_loopback` (development only). No userinfo, query or fragment.
pub fn check_url(url: &str, allow_loopback: bool) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("'{}' is not an absolute URL", shorten(url)))?;
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = if authority.starts_with('[') {
        match authority.split_once(']') {
            Some((h, rest)) => (&authority[..=h.len()], rest.strip_prefix(':')),
            None => ("", None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("'{}' has an invalid port", shorten(url)));
    }
    let bad_char = |c: char| c.is_control() || c.is_whitespace() || "@?#\\".contains(c);
    if host.is_empty() || url.chars().any(bad_char) {
        return Err(format!("'{}' is not a plain issuer URL", shorten(url)));
    }
    match scheme {
        "https" => Ok(()),
        "http" if allow_loopback && is_loopback_host(host) => Ok(()),
        "http" if is_loopback_host(host) => Err(format!(
            "'{}' is not https (loopback http is allowed only in development)",
            shorten(url)
        )),
        _ => Err(format!("'{}' is not https", shorten(url))),
    }
}

/// At most 120 characters of a value, for a diagnostic.
fn shorten(s: &str) -> String {
    s.chars().take(120).collect()
}

/// The issuers of `OIDC_ISSUER` (space or comma separated), each checked with
/// [`check_url`]. Returns the acceptable ones and one message per rejected one.
pub fn parse_issuers(var: &str, allow_loopback: bool) -> (Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for issuer in var.split([' ', ',', '\n', '\t']).filter(|s| !s.is_empty()) {
        match check_url(issuer, allow_loopback) {
            Ok(()) => ok.push(issuer.to_string()),
            Err(why) => bad.push(format!("OIDC_ISSUER: {why}")),
        }
    }
    (ok, bad)
}

/// The discovery document's URL: `{issuer}/.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// An error about one of an issuer's documents (`the key set of issuer '…' is not JSON.`).
fn document_error(document: &str, issuer: &str, why: &str) -> OperationOutcome {
    config_error(format!(
        "the {document} of issuer '{}' {why}.",
        shorten(issuer)
    ))
}

/// Reads one of an issuer's documents: at most [`MAX_DOCUMENT_BYTES`], and JSON.
fn read_document(text: &str, document: &str, issuer: &str) -> Result<Value, OperationOutcome> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(document_error(document, issuer, "is too large"));
    }
    serde_json::from_str(text).map_err(|_| document_error(document, issuer, "is not JSON"))
}

/// The `jwks_uri` of a discovery document, which must be a JSON object whose `issuer` is
/// `issuer` (OpenID Connect Discovery §4.3) and whose `jwks_uri` passes [`check_url`].
pub fn parse_discovery(
    text: &str,
    issuer: &str,
    allow_loopback: bool,
) -> Result<String, OperationOutcome> {
    const DOCUMENT: &str = "discovery document";
    let bad = |why: &str| document_error(DOCUMENT, issuer, why);
    let doc = read_document(text, DOCUMENT, issuer)?;
    let doc = doc.as_object().ok_or_else(|| bad("is not a JSON object"))?;
    match doc.get("issuer").and_then(Value::as_str) {
        Some(i) if i.trim_end_matches('/') == issuer.trim_end_matches('/') => {}
        Some(_) => return Err(bad("names another issuer")),
        None => return Err(bad("has no issuer")),
    }
    let uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("has no jwks_uri"))?;
    check_url(uri, allow_loopback)
        .map_err(|why| bad(&format!("has an unusable jwks_uri: {why}")))?;
    Ok(uri.to_string())
}

/// One verification key of a JWKS, as WebCrypto imports it (`jwk` is the JSON to import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// `kid`, when the key has one.
    pub kid: Option<String>,
    /// `RSA` or `EC` (P-256).
    pub kty: KeyType,
    /// The key's public members only, as a JSON object text.
    pub jwk: String,
}

/// The key types the edge verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// RSA, for RS256.
    Rsa,
    /// EC P-256, for ES256.
    Ec,
}

impl KeyType {
    /// The key type a JOSE `alg` needs, if the edge supports the algorithm.
    pub fn for_alg(alg: &str) -> Option<KeyType> {
        match alg {
            "RS256" => Some(KeyType::Rsa),
            "ES256" => Some(KeyType::Ec),
            _ => None,
        }
    }
}

/// A parsed key set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeySet {
    /// The usable signature keys, in the document's order.
    pub keys: Vec<Key>,
}

impl KeySet {
    /// Parses a JWKS (`{"keys": [...]}`). Keys that are not RSA or EC P-256 signature keys,
    /// or lack their public members, are skipped; a set with no usable key is an error.
    pub fn parse(text: &str, source: &str) -> Result<KeySet, OperationOutcome> {
        const DOCUMENT: &str = "key set";
        let bad = |why: &str| document_error(DOCUMENT, source, why);
        let doc = read_document(text, DOCUMENT, source)?;
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("has no keys array"))?;
        let set = KeySet {
            keys: keys.iter().filter_map(Key::from_jwk).collect(),
        };
        if set.keys.is_empty() {
            return Err(bad("has no RSA or EC P-256 signature key"));
        }
        Ok(set)
    }

    /// The key a token names: by `kid`, or the only key of the type when it names none.
    /// `Err` says why none fits (401 diagnostics).
    pub fn select(&self, kid: Option<&str>, alg: &str) -> Result<&Key, Selection> {
        let kty = KeyType::for_alg(alg).ok_or(Selection::UnsupportedAlg)?;
        match kid {
            Some(kid) => {
                let key = self
                    .keys
                    .iter()
                    .find(|k| k.kid.as_deref() == Some(kid))
                    .ok_or(Selection::UnknownKid)?;
                if key.kty == kty {
                    Ok(key)
                } else {
                    Err(Selection::WrongKeyType)
                }
            }
            None => {
                let mut of_type = self.keys.iter().filter(|k| k.kty == kty);
                match (of_type.next(), of_type.next()) {
                    (Some(k), None) => Ok(k),
                    _ => Err(Selection::UnknownKid),
                }
            }
        }
    }
}

/// Why no key of a set verifies a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The token's `alg` is not RS256 or ES256.
    UnsupportedAlg,
    /// No key has the token's `kid` (or it names none and the set has several).
    UnknownKid,
    /// The key with that `kid` is of another type than the `alg` needs.
    WrongKeyType,
}

impl Selection {
    /// The 401 this gives.
    pub fn outcome(self) -> OperationOutcome {
        config_error(
            match self {
                Selection::UnsupportedAlg => "the token algorithm must be RS256 or ES256.",
                Selection::UnknownKid => "the token was not signed by a known key.",
                Selection::WrongKeyType => {
                    "the key the token names is not of the type its algorithm needs."
                }
            }
            .to_string(),
        )
    }
}

impl Key {
    fn from_jwk(jwk: &Value) -> Option<Key> {
        let s = |name: &str| jwk.get(name).and_then(Value::as_str);
        if s("use").is_some_and(|u| u != "sig") {
            return None;
        }
        let (kty, members): (KeyType, &[&str]) = match (s("kty"), s("crv")) {
            (Some("RSA"), _) => (KeyType::Rsa, &["kty", "n", "e"]),
            (Some("EC"), Some("P-256")) => (KeyType::Ec, &["kty", "crv", "x", "y"]),
            _ => return None,
        };
        let mut public = serde_json::Map::new();
        for m in members {
            public.insert((*m).to_string(), Value::String(s(m)?.to_string()));
        }
        Some(Key {
            kid: s("kid").map(str::to_string),
            kty,
            jwk: Value::Object(public).to_string(),
        })
    }
}

/// What the edge knows of one issuer's keys, and when it may fetch them again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerKeys {
    /// The last key set fetched, if any.
    pub keys: Option<KeySet>,
    /// Until when (seconds since the epoch) the key set is used without fetching.
    pub fresh_until: i64,
    /// When an unknown `kid` last triggered a refetch.
    pub last_refetch: Option<i64>,
}

/// Whether to fetch an issuer's key set before verifying a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Verify with the keys held.
    UseCached,
    /// Fetch first (none held, or they are stale).
    Fetch,
    /// The token names a key not held and the interval allows one refetch.
    Refetch,
}

impl IssuerKeys {
    /// What to do for a token naming `kid` with algorithm `alg` at `now`.
    pub fn plan(&self, kid: Option<&str>, alg: &str, now: i64, policy: &CachePolicy) -> Plan {
        let Some(keys) = &self.keys else {
            return Plan::Fetch;
        };
        if now >= self.fresh_until {
            return Plan::Fetch;
        }
        match keys.select(kid, alg) {
            Err(Selection::UnknownKid)
                if self
                    .last_refetch
                    .is_none_or(|t| now - t >= policy.refetch_interval_seconds) =>
            {
                Plan::Refetch
            }
            _ => Plan::UseCached,
        }
    }

    /// Records a fetch made for `plan`: a new key set fresh for `fresh_seconds`, or a
    /// failure, after which the keys held keep verifying and the issuer is not asked again
    /// for the refetch interval.
    pub fn record(
        &mut self,
        plan: Plan,
        fetched: Option<KeySet>,
        fresh_seconds: i64,
        now: i64,
        policy: &CachePolicy,
    ) {
        if plan == Plan::Refetch {
            self.last_refetch = Some(now);
        }
        match fetched {
            Some(keys) => {
                self.keys = Some(keys);
                self.fresh_until = now + fresh_seconds;
            }
            None => self.fresh_until = now + policy.refetch_interval_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: &str =
        r#"{"kty":"RSA","kid":"a1","n":"AQAB","e":"AQAB","alg":"RS256","use":"sig","d":"secret"}"#;
    const EC: &str = r#"{"kty":"EC","kid":"e1","crv":"P-256","x":"eA","y":"eQ"}"#;

    fn set(keys: &[&str]) -> String {
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    }

    #[test]
    fn issuer_urls_must_be_https_with_loopback_http_only_in_development() {
        let accepted = [
            ("https://login.example.com/tenant/v2.0", false),
            ("https://idp.example:8443", false),
            ("http://127.0.0.1:9000", true),
            ("http://localhost:9000/realms/x", true),
            ("http://[::1]:9000", true),
        ];
        for (url, development) in accepted {
            assert_eq!(check_url(url, development), Ok(()), "{url}");
        }
        let plain_http = "is not https (loopback http is allowed only in development)";
        let not_https = [
            ("http://127.0.0.1:9000", false, plain_http),
            ("http://idp.example", true, "is not https"),
            ("http://127.0.0.1.evil.example", true, "is not https"),
            ("ftp://idp.example", false, "is not https"),
        ];
        let malformed = [
            ("https://user@idp.example", "is not a plain issuer URL"),
            ("idp.example", "is not an absolute URL"),
            ("https://idp.example:x/", "has an invalid port"),
        ];
        let refused = not_https
            .into_iter()
            .chain(malformed.map(|(url, why)| (url, false, why)));
        for (url, development, why) in refused {
            assert_eq!(check_url(url, development), Err(format!("'{url}' {why}")));
        }
    }

    #[test]
    fn issuers_are_split_and_checked() {
        let (ok, bad) = parse_issuers(
            "https://a.example  https://b.example/realms/x,http://c.example",
            false,
        );
        assert_eq!(ok, vec!["https://a.example", "https://b.example/realms/x"]);
        assert_eq!(bad, vec!["OIDC_ISSUER: 'http://c.example' is not https"]);
        assert_eq!(
            discovery_url("https://a.example/"),
            "https://a.example/.well-known/openid-configuration"
        );
    }

    #[test]
    fn discovery_documents_are_checked() {
        let iss = "https://idp.example";
        let ok = r#"{"issuer":"https://idp.example/","jwks_uri":"https://idp.example/keys"}"#;
        assert_eq!(
            parse_discovery(ok, iss, false).unwrap(),
            "https://idp.example/keys"
        );
        let cases = [
            ("<html>", "is not JSON"),
            ("[1]", "is not a JSON object"),
            (r#"{"jwks_uri":"https://idp.example/k"}"#, "has no issuer"),
            (
                r#"{"issuer":"https://evil.example","jwks_uri":"https://idp.example/k"}"#,
                "names another issuer",
            ),
            (r#"{"issuer":"https://idp.example"}"#, "has no jwks_uri"),
            (
                r#"{"issuer":"https://idp.example","jwks_uri":"http://idp.example/k"}"#,
                "has an unusable jwks_uri: 'http://idp.example/k' is not https",
            ),
        ];
        for (doc, why) in cases {
            let err = parse_discovery(doc, iss, false).unwrap_err();
            assert_eq!(err.http_status(), 401);
            assert_eq!(
                err.issues[0].diagnostics,
                format!(
                    "Authorization: the discovery document of issuer 'https://idp.example' {why}."
                )
            );
        }
    }

    #[test]
    fn key_sets_keep_public_signature_keys_only() {
        let ks = KeySet::parse(
            &set(&[
                RSA,
                EC,
                r#"{"kty":"oct","kid":"s","k":"c2VjcmV0"}"#,
                r#"{"kty":"RSA","kid":"enc","use":"enc","n":"x","e":"y"}"#,
            ]),
            "https://idp.example",
        )
        .unwrap();
        assert_eq!(
            ks.keys,
            vec![
                Key {
                    kid: Some("a1".into()),
                    kty: KeyType::Rsa,
                    jwk: r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#.into()
                },
                Key {
                    kid: Some("e1".into()),
                    kty: KeyType::Ec,
                    jwk: r#"{"kty":"EC","crv":"P-256","x":"eA","y":"eQ"}"#.into()
                },
            ]
        );
        assert_eq!(
            ks.select(Some("a1"), "RS256").unwrap().kid.as_deref(),
            Some("a1")
        );
        assert_eq!(ks.select(None, "ES256").unwrap().kid.as_deref(), Some("e1"));
        assert_eq!(ks.select(Some("e1"), "RS256"), Err(Selection::WrongKeyType));
        assert_eq!(ks.select(Some("zz"), "RS256"), Err(Selection::UnknownKid));
        assert_eq!(
            ks.select(Some("a1"), "HS256"),
            Err(Selection::UnsupportedAlg)
        );
        for (text, why) in [
            ("not json", "is not JSON"),
            (r#"{"kid":1}"#, "has no keys array"),
            (
                r#"{"keys":[{"kty":"oct","k":"x"}]}"#,
                "has no RSA or EC P-256 signature key",
            ),
        ] {
            let err = KeySet::parse(text, "https://idp.example").unwrap_err();
            assert_eq!(
                err.issues[0].diagnostics,
                format!("Authorization: the key set of issuer 'https://idp.example' {why}.")
            );
        }
        assert_eq!(
            Selection::WrongKeyType.outcome().issues[0].diagnostics,
            "Authorization: the key the token names is not of the type its algorithm needs."
        );
    }

    #[test]
    fn cache_control_is_honoured_within_bounds() {
        let p = CachePolicy::default();
        assert_eq!(p.fresh_seconds(None), 600);
        assert_eq!(p.fresh_seconds(Some("public, max-age=3600")), 3600);
        assert_eq!(p.fresh_seconds(Some("max-age=5")), 60);
        assert_eq!(p.fresh_seconds(Some("max-age=99999999")), 86_400);
        assert_eq!(p.fresh_seconds(Some("max-age=100, s-maxage=7200")), 7200);
        assert_eq!(p.fresh_seconds(Some("no-store")), 60);
        assert_eq!(p.fresh_seconds(Some("max-age=abc")), 600);
        let o = CachePolicy::with_overrides(Some("1"), Some("3"), Some("2"));
        assert_eq!(
            o,
            CachePolicy {
                min_seconds: 1,
                max_seconds: 3,
                default_seconds: 3,
                refetch_interval_seconds: 2
            }
        );
        assert_eq!(o.fresh_seconds(Some("max-age=300")), 3);
        let silly = CachePolicy::with_overrides(Some("100"), Some("5"), Some("-4"));
        assert_eq!(
            (
                silly.min_seconds,
                silly.max_seconds,
                silly.refetch_interval_seconds
            ),
            (100, 100, 1)
        );
        assert_eq!(CachePolicy::with_overrides(Some("x"), None, None), p);
    }

    #[test]
    fn unknown_kids_refetch_at_most_once_per_interval_and_failures_keep_the_keys() {
        let p = CachePolicy::default();
        let mut state = IssuerKeys::default();
        assert_eq!(state.plan(Some("a1"), "RS256", 1000, &p), Plan::Fetch);
        let first = KeySet::parse(&set(&[RSA]), "i").unwrap();
        state.record(Plan::Fetch, Some(first.clone()), 300, 1000, &p);
        assert_eq!(state.plan(Some("a1"), "RS256", 1100, &p), Plan::UseCached);
        // A rotation: the new kid refetches once, then not again within the interval.
        assert_eq!(state.plan(Some("b1"), "RS256", 1100, &p), Plan::Refetch);
        state.record(Plan::Refetch, Some(first.clone()), 300, 1100, &p);
        assert_eq!(state.plan(Some("b1"), "RS256", 1130, &p), Plan::UseCached);
        assert_eq!(state.plan(Some("b1"), "RS256", 1160, &p), Plan::Refetch);
        // Stale keys are fetched; the issuer down keeps the old keys for another interval.
        assert_eq!(state.plan(Some("a1"), "RS256", 1400, &p), Plan::Fetch);
        state.record(Plan::Fetch, None, 300, 1400, &p);
        assert_eq!(state.keys, Some(first));
        assert_eq!(state.fresh_until, 1460);
        assert_eq!(state.plan(Some("a1"), "RS256", 1459, &p), Plan::UseCached);
        assert_eq!(state.plan(Some("a1"), "RS256", 1460, &p), Plan::Fetch);
    }
}
