//! HTTP plumbing shared by every handler: FHIR responses, the one place an OperationOutcome
//! becomes a response, request bodies with their size limit, query parameters.

use std::cell::{OnceCell, RefCell};

use practice_fhir::directory::{SqlValue, Statement};
use practice_fhir::{IssueCode, OperationOutcome, QueryParams};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1DatabaseSession, D1PreparedStatement, Env, Headers, Request, Response};

/// The content type of every FHIR body.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// Largest accepted request body (photos included): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Handler result: a response, or the OperationOutcome to answer with.
pub type Answer = Result<Response, OperationOutcome>;

/// Hides a runtime error behind a generic 500 outcome (no internals leak): the error goes
/// to the request's log line with its request id, which the client's diagnostics carry.
pub fn internal(err: impl std::fmt::Display) -> OperationOutcome {
    practice_fhir::ops::internal_error(
        IssueCode::InternalError,
        "The request could not be processed.",
        &err.to_string(),
    )
}

/// The request's D1 access: one Sessions API session per request, so every read of the
/// request sees one consistent point of the database, from a replica when it can.
pub type Db = D1DatabaseSession;

/// The header a client sends back to read its own writes from any replica.
pub const BOOKMARK_HEADER: &str = "x-d1-bookmark";

/// A request's context: the bindings and the request's D1 session (opened on first use).
pub struct Cx {
    env: Env,
    /// `first-primary` for writes, else the client's bookmark or `first-unconstrained`.
    constraint: String,
    session: OnceCell<Db>,
    /// What the log line says about the request (route template, site, sub).
    facts: RefCell<Facts>,
}

/// What a request's log line records beyond method, status and time.
#[derive(Default, Clone)]
pub struct Facts {
    /// The route template, `-` when no route matched.
    pub route: &'static str,
    /// The site the request names (path or `site` parameter).
    pub site: Option<String>,
    /// The verified token's `sub` (hashed before logging).
    pub sub: Option<String>,
}

impl std::ops::Deref for Cx {
    type Target = Env;
    fn deref(&self) -> &Env {
        &self.env
    }
}

/// A bookmark as D1 writes them: short, printable, no spaces. Anything else is ignored.
fn plausible_bookmark(b: &str) -> bool {
    !b.is_empty() && b.len() <= 256 && b.bytes().all(|c| c.is_ascii_graphic())
}

impl Cx {
    /// The context of a request: reads (`GET`/`HEAD`) start at the client's bookmark when it
    /// sends one, else anywhere (`first-unconstrained`); writes start at the primary.
    pub fn new(env: Env, req: &Request) -> Cx {
        let reads = matches!(req.method(), worker::Method::Get | worker::Method::Head);
        let bookmark = header(req, BOOKMARK_HEADER).filter(|b| plausible_bookmark(b));
        let constraint = match (reads, bookmark) {
            (_, Some(b)) => b,
            (true, None) => "first-unconstrained".to_string(),
            (false, None) => "first-primary".to_string(),
        };
        Cx {
            env,
            constraint,
            session: OnceCell::new(),
            facts: RefCell::new(Facts {
                route: "-",
                ..Facts::default()
            }),
        }
    }

    /// Notes the matched route's template and the site it names, for the log line.
    pub fn note_route(&self, route: &'static str, site: Option<String>) {
        let mut f = self.facts.borrow_mut();
        f.route = route;
        if site.is_some() {
            f.site = site;
        }
    }

    /// Notes the verified token's `sub`, for the log line (hashed there).
    pub fn note_sub(&self, sub: &str) {
        self.facts.borrow_mut().sub = Some(sub.to_string());
    }

    /// The facts noted so far.
    pub fn facts(&self) -> Facts {
        self.facts.borrow().clone()
    }

    /// The session's latest bookmark, when the request used D1.
    pub fn bookmark(&self) -> Option<String> {
        self.session.get()?.get_bookmark().ok().flatten()
    }
}

/// The request's D1 session (`DB`); a missing binding is a deployment error, answered as a
/// 500. A bookmark D1 does not accept falls back to an unconstrained session.
pub fn db(cx: &Cx) -> Result<&Db, OperationOutcome> {
    if let Some(s) = cx.session.get() {
        return Ok(s);
    }
    let d1 = cx.env.d1("DB").map_err(internal)?;
    let session = d1
        .with_session(Some(&cx.constraint))
        .or_else(|_| d1.with_session(Some("first-unconstrained")))
        .map_err(internal)?;
    Ok(cx.session.get_or_init(|| session))
}

fn database_error(err: impl std::fmt::Display) -> OperationOutcome {
    practice_fhir::ops::internal_error(
        IssueCode::DatabaseError,
        "The database could not be read or written.",
        &format!("d1: {err}"),
    )
}

/// A core statement bound for D1.
pub fn prepare(db: &Db, st: &Statement) -> Result<D1PreparedStatement, OperationOutcome> {
    let args: Vec<JsValue> = st
        .params
        .iter()
        .map(|p| match p {
            SqlValue::Null => JsValue::NULL,
            SqlValue::Integer(i) => JsValue::from_f64(*i as f64),
            SqlValue::Real(r) => JsValue::from_f64(*r),
            SqlValue::Text(s) => JsValue::from_str(s),
        })
        .collect();
    db.prepare(&st.sql).bind(&args).map_err(database_error)
}

/// The rows of one statement.
pub async fn rows<T: DeserializeOwned>(
    db: &Db,
    st: &Statement,
) -> Result<Vec<T>, OperationOutcome> {
    prepare(db, st)?
        .all()
        .await
        .map_err(database_error)?
        .results()
        .map_err(database_error)
}

/// Runs several read statements in one D1 round trip (`batch`), returning each one's rows.
/// Against local D1 each round trip costs milliseconds, more than most of these queries.
pub async fn batch_rows<T: DeserializeOwned>(
    db: &Db,
    statements: &[Statement],
) -> Result<Vec<Vec<T>>, OperationOutcome> {
    match statements {
        [] => Ok(Vec::new()),
        [one] => Ok(vec![rows(db, one).await?]),
        _ => {
            let prepared = statements
                .iter()
                .map(|st| prepare(db, st))
                .collect::<Result<Vec<_>, _>>()?;
            db.batch(prepared)
                .await
                .map_err(database_error)?
                .iter()
                .map(|r| r.results().map_err(database_error))
                .collect()
        }
    }
}

/// A body with the given content type and status.
pub fn body(text: String, content_type: &str, status: u16) -> Answer {
    let headers = Headers::new();
    headers
        .set("content-type", content_type)
        .map_err(internal)?;
    Ok(Response::ok(text)
        .map_err(internal)?
        .with_status(status)
        .with_headers(headers))
}

/// A FHIR JSON body with status 200.
pub fn fhir(value: &serde_json::Value) -> Answer {
    body(value.to_string(), FHIR_JSON, 200)
}

/// A FHIR JSON body the core wrote as text (the pricing answers), sent as is.
pub fn fhir_text(text: String) -> Answer {
    body(text, FHIR_JSON, 200)
}

/// A FHIR JSON body with `ETag`/`Last-Modified`-style version headers.
pub fn fhir_versioned(value: &serde_json::Value, status: u16, version: i64) -> Answer {
    let mut resp = body(value.to_string(), FHIR_JSON, status)?;
    resp.headers_mut()
        .set("etag", &format!("W/\"{version}\""))
        .map_err(internal)?;
    Ok(resp)
}

/// The single place where an OperationOutcome becomes an HTTP response.
pub fn outcome_response(outcome: &OperationOutcome) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", FHIR_JSON)?;
    if outcome.http_status() == 401 {
        headers.set("www-authenticate", "Bearer")?;
    }
    Ok(Response::ok(outcome.to_json_string())?
        .with_status(outcome.http_status())
        .with_headers(headers))
}

/// True when the request asks unknown parameters to be ignored (`Prefer: handling=lenient`).
pub fn is_lenient(req: &Request) -> bool {
    header(req, "prefer").is_some_and(|p| {
        p.split([',', ';'])
            .any(|part| part.trim().eq_ignore_ascii_case("handling=lenient"))
    })
}

/// A request header, if present.
pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// `If-Match: W/"3"` (or `"3"`, `3`) as a version number; anything else (an empty value
/// too) is 400 MSG_INVALID_FORMAT, so a malformed precondition is never ignored.
pub fn if_match(req: &Request) -> Result<Option<i64>, OperationOutcome> {
    let Some(raw) = header(req, "if-match") else {
        return Ok(None);
    };
    let t = raw.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    let t = t
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(t);
    let version = (!t.is_empty() && t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse::<i64>().ok())
        .flatten();
    version.map(Some).ok_or_else(|| {
        OperationOutcome::error(
            IssueCode::InvalidFormat,
            format!("Header 'If-Match' must be a version such as W/\"3\", not '{raw}'."),
        )
    })
}

/// The request's query parameters with its leniency.
pub fn params(req: &Request) -> Result<QueryParams, OperationOutcome> {
    let url = req.url().map_err(internal)?;
    Ok(QueryParams::from_query(
        url.query().unwrap_or(""),
        is_lenient(req),
    ))
}

/// Reads the body, refusing more than [`MAX_BODY_BYTES`] with 413 (checked on the declared
/// length first, then on what actually arrived).
pub async fn read_body(req: &mut Request) -> Result<Vec<u8>, OperationOutcome> {
    let too_large = || {
        OperationOutcome::error(
            IssueCode::PayloadTooLarge,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        )
    };
    if let Some(len) = header(req, "content-length").and_then(|l| l.parse::<usize>().ok()) {
        if len > MAX_BODY_BYTES {
            return Err(too_large());
        }
    }
    let bytes = req.bytes().await.map_err(internal)?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a JSON body: 400 `MSG_CANT_PARSE_CONTENT` when it is not JSON.
pub async fn read_json(req: &mut Request) -> Result<serde_json::Value, OperationOutcome> {
    let bytes = read_body(req).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(OperationOutcome::error(
            IssueCode::CantParseContent,
            "The request body is empty; a FHIR resource is required.",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        OperationOutcome::error(
            IssueCode::CantParseContent,
            format!(
                "The request body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}
