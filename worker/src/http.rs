//! HTTP plumbing shared by every handler: FHIR responses, the one place an OperationOutcome
//! becomes a response, request bodies with their size limit, query parameters.

use practice_fhir::{IssueCode, OperationOutcome, QueryParams};
use worker::{D1Database, Env, Headers, Request, Response};

/// The content type of every FHIR body.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// Largest accepted request body (photos included): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Handler result: a response, or the OperationOutcome to answer with.
pub type Answer = Result<Response, OperationOutcome>;

/// Logs a runtime error and hides it behind a generic 500 outcome (no internals leak).
pub fn internal(err: impl std::fmt::Display) -> OperationOutcome {
    worker::console_error!("internal error: {err}");
    OperationOutcome::error(
        IssueCode::InternalError,
        "The request could not be processed.",
    )
}

/// The D1 binding (`DB`); a missing binding is a deployment error, answered as a 500.
pub fn db(env: &Env) -> Result<D1Database, OperationOutcome> {
    env.d1("DB").map_err(internal)
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
