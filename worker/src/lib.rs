//! The Cloudflare Workers skin of practice-fhir.
//!
//! Routing, auth and D1/KV access: each handler reads the request, calls the core, and maps
//! the result to a `Response`; every error becomes an OperationOutcome in one place
//! ([`http::outcome_response`]).

mod auth;
mod contracts;
mod http;
mod jwt;
mod store;

use practice_fhir::discovery::{self, Api};
use practice_fhir::{IssueCode, OperationOutcome};
use worker::{event, Context, Env, Method, Request, Response, Result};

use crate::http::{Answer, FHIR_JSON};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    match route(req, &env).await {
        Ok(resp) => Ok(resp),
        Err(outcome) => http::outcome_response(&outcome),
    }
}

fn method_not_allowed(method: &Method) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::MethodNotAllowed,
        format!("Method {} is not allowed here.", method.as_ref()),
    )
}

/// Dispatches on method and path. `$` may arrive percent-encoded (`%24`).
async fn route(req: Request, env: &Env) -> Answer {
    let url = req.url().map_err(http::internal)?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().replace("%24", "$");
    let method = req.method();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    use Method::{Delete, Get, Head, Post, Put};
    match (method.clone(), segments.as_slice()) {
        (Get | Head, [".well-known", "api-configuration"]) => http::body(
            discovery::api_configuration(Api::PracticeManagement, &origin).to_string(),
            "application/json",
            200,
        ),
        (Get | Head, ["contract", ".well-known", "api-configuration"]) => http::body(
            discovery::api_configuration(Api::Contracts, &origin).to_string(),
            "application/json",
            200,
        ),
        (Get | Head, ["metadata"]) => http::body(
            discovery::capability_statement(&origin, practice_fhir::VERSION).to_string(),
            FHIR_JSON,
            200,
        ),
        // Only when the deployment opts in (the e2e tests do): proves the panic safety net.
        (Get, ["__panic"])
            if env
                .var("PANIC_TEST_ROUTE")
                .is_ok_and(|v| v.to_string() == "1") =>
        {
            #[allow(clippy::panic)]
            {
                panic!("deliberate panic for the safety-net test")
            }
        }
        (Get, ["contract", "PRICING", "$effective-prices"]) => {
            contracts::effective_prices(&req, env).await
        }
        (Get, ["valueset", "contract-type"]) => contracts::contract_types(&req),
        (Get, ["valueset", "contract-subtype", contract_type]) => {
            contracts::contract_subtypes(&req, contract_type)
        }
        (Get, ["contract", "site", site]) => contracts::payors(&req, env, site).await,
        (Get, ["contract", "site", site, "$snapshot"]) => {
            contracts::snapshot(&req, env, site).await
        }
        (Post, ["contract"]) => contracts::add_payor(req, env).await,
        (Get, ["contract", "audit"]) => contracts::audit(&req, env).await,
        (Delete, ["contract", site]) if !site.starts_with('$') => {
            contracts::delete_payor(&req, env, site).await
        }
        (Post, ["contract", "PRICING", "$contract-price"]) => {
            contracts::contract_price(req, env).await
        }
        (Delete, ["contract", "PRICING", "$contract-price", site]) => {
            contracts::delete_price(&req, env, site).await
        }
        (Get, ["contract", "$calculate-fee"]) => contracts::calculate_fee(&req, env).await,
        (Get, ["contract", "PRICING", "$validation"]) => contracts::validation(&req, env).await,
        (Put, ["contract", "PRICING", "$validation"]) => contracts::put_tariffs(req, env).await,
        (Get, ["contract", "PRICING", "$multi-proc"]) => contracts::multi_proc(&req, env).await,
        (Get, ["contract", "PRICING", "$multi-proc-set"]) => {
            contracts::multi_proc_set(&req, env).await
        }
        (Put, ["contract", "PRICING", "$multi-proc-set"]) => {
            contracts::put_multi_proc_set(req, env).await
        }
        // Known paths with another method are 405; anything else is 404.
        (
            m,
            [".well-known", "api-configuration"]
            | ["contract", ".well-known", "api-configuration"]
            | ["metadata"]
            | ["contract", "PRICING", _]
            | ["contract", "PRICING", "$contract-price", _]
            | ["contract", "$calculate-fee"]
            | ["contract"]
            | ["contract", "site", _]
            | ["valueset", ..],
        ) => Err(method_not_allowed(&m)),
        _ => Err(OperationOutcome::error(
            IssueCode::NotFound,
            format!("No route for {} {path}.", method.as_ref()),
        )),
    }
}
