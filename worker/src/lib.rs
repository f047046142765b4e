//! The Cloudflare Workers skin of practice-fhir.
//!
//! Routing, (later) auth and D1/KV access: each handler reads the request, calls the core,
//! and maps the result to a `Response`; every error becomes an OperationOutcome in one place
//! ([`outcome_response`]).

use practice_fhir::discovery::{self, Api};
use practice_fhir::{IssueCode, OperationOutcome};
use worker::{event, Context, Env, Headers, Method, Request, Response, Result};

/// The content type of every FHIR body.
const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// Handler result: a response, or the OperationOutcome to answer with.
type Answer = std::result::Result<Response, OperationOutcome>;

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match route(&req) {
        Ok(resp) => Ok(resp),
        Err(outcome) => outcome_response(&outcome),
    }
}

/// Dispatches on method and path.
fn route(req: &Request) -> Answer {
    let url = req.url().map_err(internal)?;
    let origin = url.origin().ascii_serialization();
    let path = url.path();
    let method = req.method();
    match path {
        "/.well-known/api-configuration" => only_get(&method, || {
            json_response(
                &discovery::api_configuration(Api::PracticeManagement, &origin),
                "application/json",
            )
        }),
        "/contract/.well-known/api-configuration" => only_get(&method, || {
            json_response(
                &discovery::api_configuration(Api::Contracts, &origin),
                "application/json",
            )
        }),
        "/metadata" => only_get(&method, || {
            json_response(
                &discovery::capability_statement(&origin, practice_fhir::VERSION),
                FHIR_JSON,
            )
        }),
        _ => Err(OperationOutcome::error(
            IssueCode::NotFound,
            format!("No route for {} {path}.", method.as_ref()),
        )),
    }
}

/// Runs `f` for GET (and HEAD); any other method is 405.
fn only_get(method: &Method, f: impl FnOnce() -> Answer) -> Answer {
    match method {
        Method::Get | Method::Head => f(),
        other => Err(OperationOutcome::error(
            IssueCode::MethodNotAllowed,
            format!("Method {} is not allowed here.", other.as_ref()),
        )),
    }
}

/// Serialises `body` with the given content type.
fn json_response(body: &serde_json::Value, content_type: &str) -> Answer {
    let headers = Headers::new();
    headers
        .set("content-type", content_type)
        .map_err(internal)?;
    Ok(Response::ok(body.to_string())
        .map_err(internal)?
        .with_headers(headers))
}

/// The single place where an OperationOutcome becomes an HTTP response.
fn outcome_response(outcome: &OperationOutcome) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", FHIR_JSON)?;
    Ok(Response::ok(outcome.to_json_string())?
        .with_status(outcome.http_status())
        .with_headers(headers))
}

/// Logs a runtime error and hides it behind a generic 500 outcome.
fn internal(err: worker::Error) -> OperationOutcome {
    worker::console_error!("internal error: {err}");
    OperationOutcome::error(
        IssueCode::InternalError,
        "The request could not be processed.",
    )
}
