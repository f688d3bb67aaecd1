//! The simulator's HTTP and WebSocket server: Kalshi's REST API under `/trade-api/v2` and
//! its WebSocket at `/trade-api/ws/v2`, over plain HTTP on a pre-bound loopback listener.
//!
//! One [`Sim`] holds all exchange state behind a mutex (engine, hub, keys, rate limits,
//! synthetic flow); handlers hold the lock briefly, never across an `await`.

// Helpers return the finished error response as `Err`: built once, only on failure.
#![allow(clippy::result_large_err)]

mod routes;
pub mod session;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use actix::Recipient;
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

use super::auth::{AuthFailure, AuthHeaders, KeyRegistry};
use super::catalog::CatalogMarket;
use super::config::SimConfig;
use super::engine::{Engine, EngineError, EngineEvent};
use super::flow::Flow;
use super::hub::{ConnId, Hub};
use super::ratelimit::{BucketKind, RateLimiter};
use crate::kalshi::rest::ErrorBody;
use crate::kalshi::sign;
pub use routes::{configure, SimStats};
use session::WsOut;

/// Everything the exchange knows, behind [`Sim`]'s lock.
pub struct SimState {
    /// Matching, accounts, positions.
    pub engine: Engine,
    /// WebSocket subscriptions.
    pub hub: Hub,
    /// Registered API keys.
    pub registry: KeyRegistry,
    /// Token buckets.
    pub limiter: RateLimiter,
    /// Listed markets.
    pub catalog: Vec<CatalogMarket>,
    /// Synthetic order flow (absent when disabled).
    pub flow: Option<Flow>,
    /// Requests refused 429 by the token buckets (not injected): the client's own excess.
    pub rate_limited: u64,
    senders: HashMap<ConnId, Recipient<WsOut>>,
}

impl SimState {
    /// Builds the state; sessions attach later.
    pub fn new(
        engine: Engine,
        hub: Hub,
        registry: KeyRegistry,
        limiter: RateLimiter,
        catalog: Vec<CatalogMarket>,
        flow: Option<Flow>,
    ) -> SimState {
        SimState { engine, hub, registry, limiter, catalog, flow, rate_limited: 0, senders: HashMap::new() }
    }

    /// Sends the frames `events` produce to every subscribed connection.
    pub fn publish(&mut self, events: &[EngineEvent], now_ms: i64) {
        if events.is_empty() {
            return;
        }
        for out in self.hub.publish(events, &self.engine, now_ms) {
            if let Some(r) = self.senders.get(&out.conn) {
                r.do_send(WsOut { text: out.text, close_after: out.close_after });
            }
        }
    }

    /// One driver tick: expire orders, advance the lifecycle schedule, run one step of
    /// synthetic flow; publishes everything that happened.
    pub fn step(&mut self, now_ms: i64) {
        let mut events = self.engine.expire_orders(now_ms);
        events.extend(super::catalog::advance_lifecycle(&mut self.catalog, &mut self.engine, now_ms));
        if let Some(flow) = self.flow.as_mut() {
            events.extend(flow.step(&mut self.engine, now_ms));
        }
        self.publish(&events, now_ms);
    }
}

/// The shared simulator.
pub struct Sim {
    state: Mutex<SimState>,
    config: SimConfig,
}

/// The simulator's clock: Unix milliseconds.
pub fn now_ms() -> i64 {
    sign::now_ms()
}

impl Sim {
    /// Wraps a state.
    pub fn new(state: SimState, config: SimConfig) -> Arc<Sim> {
        Arc::new(Sim { state: Mutex::new(state), config })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Locks the state (a panic elsewhere does not make the exchange unusable).
    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks a signed request: injected 429/5xx, signature, then the account's token bucket.
    /// Returns the account, or the response to send instead.
    pub fn authorize(&self, req: &HttpRequest, kind: BucketKind, cost: u32) -> Result<String, HttpResponse> {
        let user = self.authenticate(req)?;
        self.charge(&user, kind, cost)?;
        Ok(user)
    }

    /// Injected 429/5xx, then the signature; no tokens are charged yet.
    pub fn authenticate(&self, req: &HttpRequest) -> Result<String, HttpResponse> {
        let mut st = self.lock();
        if let Some(status) = st.hub.faults().http_failure() {
            return Err(injected(status));
        }
        authenticate(&st.registry, req)
    }

    /// Takes `cost` tokens from `user`'s bucket, or the 429 to send.
    pub fn charge(&self, user: &str, kind: BucketKind, cost: u32) -> Result<(), HttpResponse> {
        let mut st = self.lock();
        if st.limiter.try_take(user, kind, cost, now_ms()) {
            Ok(())
        } else {
            st.rate_limited += 1;
            tracing::warn!(user, ?kind, cost, refused = st.rate_limited, "rate limit: request refused 429");
            Err(error_response(StatusCode::TOO_MANY_REQUESTS, &ErrorBody::too_many_requests()))
        }
    }

    /// Injected failures for public endpoints (no account, so no rate limit).
    pub fn public_gate(&self) -> Result<(), HttpResponse> {
        match self.lock().hub.faults().http_failure() {
            Some(status) => Err(injected(status)),
            None => Ok(()),
        }
    }

    fn attach(&self, conn: ConnId, r: Recipient<WsOut>) {
        self.lock().senders.insert(conn, r);
    }

    fn detach(&self, conn: ConnId) {
        let mut st = self.lock();
        st.senders.remove(&conn);
        st.hub.disconnect(conn);
    }

    fn command(&self, conn: ConnId, text: &str) -> Vec<String> {
        let st = &mut *self.lock();
        st.hub.command(conn, text, &st.engine, now_ms())
    }
}

fn injected(status: u16) -> HttpResponse {
    if status == 429 {
        error_response(StatusCode::TOO_MANY_REQUESTS, &ErrorBody::too_many_requests())
    } else {
        let body = ErrorBody::nested("service_unavailable", "service unavailable", None);
        error_response(StatusCode::SERVICE_UNAVAILABLE, &body)
    }
}

/// Verifies the `KALSHI-ACCESS-*` headers of `req` over its method and path.
pub fn authenticate(registry: &KeyRegistry, req: &HttpRequest) -> Result<String, HttpResponse> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let headers = AuthHeaders {
        key_id: header(sign::HEADER_ACCESS_KEY),
        timestamp: header(sign::HEADER_ACCESS_TIMESTAMP),
        signature: header(sign::HEADER_ACCESS_SIGNATURE),
    };
    registry
        .authenticate(headers, req.method().as_str(), req.path(), now_ms())
        .map(str::to_owned)
        .map_err(|f: AuthFailure| error_response(StatusCode::UNAUTHORIZED, &f.body()))
}

/// A JSON error response with Kalshi's body.
pub fn error_response(status: StatusCode, body: &ErrorBody) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").body(body.to_json())
}

/// The response for an engine refusal.
pub fn engine_error(e: &EngineError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    error_response(status, &e.body())
}

/// A JSON success response.
pub fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").body(serde_json::to_string(body).unwrap_or_default())
}

/// `GET /trade-api/ws/v2`: the signed upgrade.
pub async fn ws_upgrade(req: HttpRequest, stream: web::Payload, sim: web::Data<Arc<Sim>>) -> HttpResponse {
    let sim: Arc<Sim> = sim.get_ref().clone();
    let user = match authenticate(&sim.lock().registry, &req) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let conn = sim.lock().hub.connect(&user);
    match actix_web_actors::ws::start(session::SimSession::new(sim.clone(), conn), &req, stream) {
        Ok(resp) => resp,
        Err(e) => {
            sim.detach(conn);
            HttpResponse::from_error(e)
        }
    }
}
