//! Operating the edge, the pure part: CORS decisions (`ALLOWED_ORIGINS`), request ids, the
//! one JSON log line per request, and keeping a 500's internals in the log and out of the
//! response. The worker's request wrapper applies these; the rules are tested natively.

use serde_json::{json, Map, Value};

use crate::outcome::{IssueCode, OperationOutcome};

/// Request headers a browser may send cross-origin (preflight `Access-Control-Allow-Headers`).
pub const ALLOW_HEADERS: &str =
    "authorization, content-type, if-match, if-none-match, prefer, x-d1-bookmark, x-request-id";

/// Response headers a browser script may read (`Access-Control-Expose-Headers`).
pub const EXPOSE_HEADERS: &str = "etag, location, x-d1-bookmark, x-request-id";

/// How long a browser may cache a preflight answer (`Access-Control-Max-Age`, seconds;
/// Chromium caps it at 7200).
pub const MAX_AGE_SECONDS: u32 = 600;

/// Longest `Origin` considered; a longer one is ignored (no CORS headers).
pub const MAX_ORIGIN_LEN: usize = 256;

/// Longest client `x-request-id` kept; a longer one is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The header that carries the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// An origin as a browser sends it: `scheme://host[:port]`, lowercase, no path, printable,
/// bounded. `null` and anything else are not origins.
fn is_origin(s: &str) -> bool {
    let Some((scheme, host)) = s.split_once("://") else {
        return false;
    };
    s.len() <= MAX_ORIGIN_LEN
        && matches!(scheme, "https" | "http")
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:[]".contains(&b))
}

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// Parses `ALLOWED_ORIGINS` (space or comma separated origins; empty: CORS off).
    /// Returns the policy and one message per entry that is not an origin (skipped).
    pub fn parse(var: &str) -> (Cors, Vec<String>) {
        let mut origins = Vec::new();
        let mut bad = Vec::new();
        for o in var.split([' ', ',', '\n', '\t']).filter(|s| !s.is_empty()) {
            let o = o.trim_end_matches('/');
            if is_origin(o) {
                origins.push(o.to_string());
            } else {
                let shown: String = o.chars().take(80).collect();
                bad.push(format!(
                    "ALLOWED_ORIGINS: '{shown}' is not an origin (scheme://host[:port], lowercase)"
                ));
            }
        }
        (Cors { origins }, bad)
    }

    /// True when any origin is allowed (the CapabilityStatement's `rest.security.cors`).
    pub fn is_enabled(&self) -> bool {
        !self.origins.is_empty()
    }

    /// The request's `Origin` when it is one of the allowed origins.
    pub fn allowed<'a>(&self, origin: Option<&'a str>) -> Option<&'a str> {
        origin.filter(|o| is_origin(o) && self.origins.iter().any(|a| a == o))
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`) from an
    /// allowed origin for a route answering `methods`: the 204's headers. `None` when the
    /// origin is not allowed or it is not a preflight (the caller answers as it would
    /// without CORS: 405 with `Allow`).
    pub fn preflight(
        &self,
        origin: Option<&str>,
        request_method: Option<&str>,
        methods: &[&str],
    ) -> Option<Vec<(&'static str, String)>> {
        let origin = self.allowed(origin)?;
        request_method?;
        Some(vec![
            ("access-control-allow-origin", origin.to_string()),
            ("access-control-allow-methods", methods.join(", ")),
            ("access-control-allow-headers", ALLOW_HEADERS.to_string()),
            ("access-control-max-age", MAX_AGE_SECONDS.to_string()),
            ("vary", "Origin".to_string()),
        ])
    }

    /// The headers an actual response to an allowed origin carries; none otherwise.
    pub fn response_headers(&self, origin: Option<&str>) -> Vec<(&'static str, String)> {
        match self.allowed(origin) {
            Some(origin) => vec![
                ("access-control-allow-origin", origin.to_string()),
                ("access-control-expose-headers", EXPOSE_HEADERS.to_string()),
                ("vary", "Origin".to_string()),
            ],
            None => Vec::new(),
        }
    }
}

/// The client's `x-request-id` when it is well formed: 1 to [`MAX_REQUEST_ID_LEN`]
/// characters of `A-Z a-z 0-9 - _ . :`. Anything else is ignored (the caller makes a new id).
pub fn client_request_id(header: Option<&str>) -> Option<&str> {
    header.filter(|id| {
        !id.is_empty()
            && id.len() <= MAX_REQUEST_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    })
}

/// Separates a 500's public diagnostics from the internal detail kept for the log.
const DETAIL: char = '\u{1f}';

/// A server-side failure: the client sees `public`; `detail` goes to the log line only
/// (see [`take_detail`]).
pub fn internal_error(code: IssueCode, public: &str, detail: &str) -> OperationOutcome {
    OperationOutcome::error(code, format!("{public}{DETAIL}{detail}"))
}

/// Strips the internal details of an outcome (each issue keeps its public diagnostics),
/// returning them joined for the log; `None` when there were none.
pub fn take_detail(outcome: &mut OperationOutcome) -> Option<String> {
    let mut details = Vec::new();
    for issue in &mut outcome.issues {
        if let Some((public, detail)) = issue.diagnostics.split_once(DETAIL) {
            details.push(detail.to_string());
            issue.diagnostics = public.to_string();
        }
    }
    (!details.is_empty()).then(|| details.join("; "))
}

/// Appends the request id to the diagnostics of a server error's issues, so a client's
/// report can be matched with the log line.
pub fn tag_with_request_id(outcome: &mut OperationOutcome, id: &str) {
    for issue in &mut outcome.issues {
        if issue.severity.is_failure() {
            issue.diagnostics = format!("{} (request id {id})", issue.diagnostics);
        }
    }
}

/// The one log line of a request. Never a token, a body or a patient's data: the route
/// template stands for the path and `sub` only appears hashed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogLine {
    /// The request id (also sent back in `x-request-id`).
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// The route template (`/contract/site/{site}`), or `-` when no route matched.
    pub route: String,
    /// Response status.
    pub status: u16,
    /// Milliseconds from the request's arrival to its response.
    pub ms: u64,
    /// The site the request was about, when it named one.
    pub site: Option<String>,
    /// A hash of the token's `sub`, when a token was verified.
    pub sub_hash: Option<String>,
    /// The internal error of a 5xx.
    pub error: Option<String>,
}

impl LogLine {
    /// The line: one JSON object, keys always present in this order (`null` when absent).
    pub fn to_json_string(&self) -> String {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("method".into(), json!(self.method));
        m.insert("route".into(), json!(self.route));
        m.insert("status".into(), json!(self.status));
        m.insert("ms".into(), json!(self.ms));
        m.insert("site".into(), json!(self.site));
        m.insert("sub".into(), json!(self.sub_hash));
        if let Some(e) = &self.error {
            m.insert("error".into(), json!(e));
        }
        Value::Object(m).to_string()
    }
}

/// A site id as it may appear in a log line: the route's or query's `site` when it looks like
/// one (short, alphanumeric), else nothing.
pub fn loggable_site(site: &str) -> Option<String> {
    (!site.is_empty() && site.len() <= 64 && site.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| site.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors() -> Cors {
        let (c, bad) = Cors::parse(
            "https://clinic.example, http://127.0.0.1:5173/  null https://UPPER.example",
        );
        assert_eq!(
            bad,
            vec![
                "ALLOWED_ORIGINS: 'null' is not an origin (scheme://host[:port], lowercase)",
                "ALLOWED_ORIGINS: 'https://UPPER.example' is not an origin (scheme://host[:port], lowercase)"
            ]
        );
        c
    }

    #[test]
    fn preflight_from_an_allowed_origin() {
        let c = cors();
        assert!(c.is_enabled());
        assert!(!Cors::parse("").0.is_enabled());
        assert_eq!(
            c.preflight(Some("https://clinic.example"), Some("PUT"), &["GET", "HEAD", "PUT"]),
            Some(vec![
                ("access-control-allow-origin", "https://clinic.example".to_string()),
                ("access-control-allow-methods", "GET, HEAD, PUT".to_string()),
                (
                    "access-control-allow-headers",
                    "authorization, content-type, if-match, if-none-match, prefer, x-d1-bookmark, x-request-id".to_string()
                ),
                ("access-control-max-age", "600".to_string()),
                ("vary", "Origin".to_string()),
            ])
        );
        assert_eq!(
            c.preflight(Some("http://127.0.0.1:5173"), Some("GET"), &["GET"])
                .map(|h| h.len()),
            Some(5)
        );
        // Not a preflight, another origin, a hostile one: no CORS answer.
        assert_eq!(
            c.preflight(Some("https://clinic.example"), None, &["GET"]),
            None
        );
        assert_eq!(
            c.preflight(Some("https://evil.example"), Some("GET"), &["GET"]),
            None
        );
        assert_eq!(c.preflight(None, Some("GET"), &["GET"]), None);
        let long = format!("https://{}.example", "a".repeat(300));
        assert_eq!(
            Cors::parse(&long)
                .0
                .preflight(Some(&long), Some("GET"), &["GET"]),
            None
        );
        assert_eq!(
            c.preflight(
                Some("https://clinic.example\r\nx: y"),
                Some("GET"),
                &["GET"]
            ),
            None
        );
    }

    #[test]
    fn actual_responses_carry_cors_headers_for_allowed_origins_only() {
        let c = cors();
        assert_eq!(
            c.response_headers(Some("https://clinic.example")),
            vec![
                (
                    "access-control-allow-origin",
                    "https://clinic.example".to_string()
                ),
                (
                    "access-control-expose-headers",
                    "etag, location, x-d1-bookmark, x-request-id".to_string()
                ),
                ("vary", "Origin".to_string()),
            ]
        );
        assert_eq!(
            c.response_headers(Some("https://clinic.example.evil")),
            vec![]
        );
        assert_eq!(c.response_headers(Some("null")), vec![]);
        assert_eq!(
            Cors::default().response_headers(Some("https://clinic.example")),
            vec![]
        );
    }

    #[test]
    fn request_ids_are_kept_when_well_formed() {
        assert_eq!(
            client_request_id(Some("abc-123_x.y:z")),
            Some("abc-123_x.y:z")
        );
        let max = "a".repeat(MAX_REQUEST_ID_LEN);
        assert_eq!(client_request_id(Some(&max)), Some(max.as_str()));
        for bad in [
            "",
            "has space",
            "new\nline",
            "tab\t",
            "<script>",
            "é",
            &"a".repeat(MAX_REQUEST_ID_LEN + 1),
        ] {
            assert_eq!(client_request_id(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(client_request_id(None), None);
    }

    #[test]
    fn internal_details_go_to_the_log_and_the_client_sees_the_id() {
        let mut o = internal_error(
            IssueCode::InternalError,
            "The request could not be processed.",
            "d1: SQLITE_BUSY",
        );
        assert_eq!(take_detail(&mut o), Some("d1: SQLITE_BUSY".to_string()));
        tag_with_request_id(&mut o, "r-1");
        assert_eq!(
            o.issues[0].diagnostics,
            "The request could not be processed. (request id r-1)"
        );
        let mut plain = OperationOutcome::error(IssueCode::InternalError, "x");
        assert_eq!(take_detail(&mut plain), None);
    }

    #[test]
    fn log_lines_are_one_json_object() {
        let line = LogLine {
            id: "r-1".into(),
            method: "GET".into(),
            route: "/contract/site/{site}".into(),
            status: 200,
            ms: 12,
            site: Some("HC00JXI".into()),
            sub_hash: Some("0a1b".into()),
            error: None,
        };
        assert_eq!(
            line.to_json_string(),
            r#"{"id":"r-1","method":"GET","route":"/contract/site/{site}","status":200,"ms":12,"site":"HC00JXI","sub":"0a1b"}"#
        );
        let err = LogLine {
            status: 500,
            error: Some("boom".into()),
            ..LogLine::default()
        };
        assert_eq!(
            err.to_json_string(),
            r#"{"id":"","method":"","route":"","status":500,"ms":0,"site":null,"sub":null,"error":"boom"}"#
        );
        assert_eq!(loggable_site("HC00JXI"), Some("HC00JXI".into()));
        assert_eq!(loggable_site("a b"), None);
    }
}
