//! REST routes of the simulator: Kalshi's paths under `/trade-api/v2`, the legacy V1 order
//! mutations answering 410, and Kalshi-shaped errors for everything else. One path of its
//! own, outside Kalshi's: `GET /sim/stats`, the faults injected and the rate-limit refusals
//! (for soak tests; unsigned, the simulator listens on loopback).

mod markets;
mod orders;
mod portfolio;

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{error_response, Sim};
use crate::kalshi::rest::ErrorBody;

/// Query parameters in order, repeats kept (`tickers=A&tickers=B`).
pub type Params = web::Query<Vec<(String, String)>>;

/// The shared simulator as route data.
pub type SimData = web::Data<Arc<Sim>>;

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/trade-api/ws/v2").route(web::get().to(super::ws_upgrade)))
        .service(web::resource("/sim/stats").route(web::get().to(sim_stats)))
        .service(
            web::scope("/trade-api/v2")
                .configure(markets::configure)
                .configure(orders::configure)
                .configure(portfolio::configure)
                .default_service(web::to(not_found)),
        )
        .default_service(web::to(not_found));
}

/// The simulator's own counters (`GET /sim/stats`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimStats {
    /// Faults injected.
    pub faults: crate::sim::faults::FaultCounts,
    /// Requests refused 429 by the token buckets (the client's own excess, not injected).
    pub rate_limited: u64,
}

async fn sim_stats(sim: SimData) -> HttpResponse {
    let st = sim.lock();
    let body = SimStats { faults: st.hub.faults_ref().counts().clone(), rate_limited: st.rate_limited };
    HttpResponse::Ok().json(body)
}

async fn not_found() -> HttpResponse {
    error_response(StatusCode::NOT_FOUND, &ErrorBody::nested("not_found", "not found", None))
}

/// 400 with Kalshi's bare parameter-validation body.
pub fn bad_param(endpoint: &str, detail: &str) -> HttpResponse {
    error_response(
        StatusCode::BAD_REQUEST,
        &ErrorBody::bare(&format!("Parameter validation failed for {endpoint}: {detail}")),
    )
}

/// 400 with the flat body Kalshi sends for undecodable JSON.
pub fn bad_json(detail: &str) -> HttpResponse {
    error_response(StatusCode::BAD_REQUEST, &ErrorBody::flat("bad_request", "bad request", Some(detail)))
}

/// Decodes a JSON body, or the 400 to send.
pub fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpResponse> {
    serde_json::from_slice(bytes).map_err(|e| bad_json(&e.to_string()))
}

/// The last value of each query parameter, plus every value of `tickers`.
pub struct Query {
    last: BTreeMap<String, String>,
    /// All `tickers` values, comma lists split.
    pub tickers: Vec<String>,
}

impl Query {
    /// Reads `q`.
    pub fn new(q: &[(String, String)]) -> Query {
        let mut last = BTreeMap::new();
        let mut tickers = Vec::new();
        for (k, v) in q {
            if k == "tickers" {
                tickers.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
            }
            last.insert(k.clone(), v.clone());
        }
        Query { last, tickers }
    }

    /// A string parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.last.get(k).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// A numeric parameter; `Err` holds the 400 to send.
    pub fn num<T: std::str::FromStr>(&self, endpoint: &str, k: &str) -> Result<Option<T>, HttpResponse> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => {
                v.parse().map(Some).map_err(|_| bad_param(endpoint, &format!("{k} must be a number, got {v:?}")))
            }
        }
    }
}

/// Legacy V1 order mutation: 410 with Kalshi's exact body.
pub async fn gone(_req: HttpRequest) -> HttpResponse {
    error_response(StatusCode::GONE, &ErrorBody::deprecated_v1_order_endpoint())
}
