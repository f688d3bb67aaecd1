//! Signed account reads: balance, positions, orders, fills, settlements, limits.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{bad_param, Params, Query, SimData};
use crate::kalshi::rest::{
    AccountLimits, BucketLimit, FillsResponse, OrderResponse, OrderStatus, OrdersResponse, PositionsResponse,
    QueuePositionResponse, SettlementsResponse,
};
use crate::sim::catalog::page;
use crate::sim::engine::{EngineError, OrderFilter};
use crate::sim::ratelimit::{cost, BucketKind};
use crate::sim::server::{engine_error, json, now_ms};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/portfolio/balance", web::get().to(balance))
        .route("/portfolio/positions", web::get().to(positions))
        .route("/portfolio/orders", web::get().to(orders))
        .route("/portfolio/orders/{id}", web::get().to(order))
        .route("/portfolio/orders/{id}/queue_position", web::get().to(queue_position))
        .route("/portfolio/fills", web::get().to(fills))
        .route("/portfolio/settlements", web::get().to(settlements))
        .route("/account/limits", web::get().to(limits));
}

fn authorize(sim: &SimData, req: &HttpRequest) -> Result<String, HttpResponse> {
    sim.authorize(req, BucketKind::Read, cost(req.method().as_str(), req.path(), 1))
}

/// Pages `items` by the request's `limit`/`cursor`; `Err` is the 400 to send.
fn paged<T: Clone>(endpoint: &str, q: &Query, items: &[T]) -> Result<(Vec<T>, String), HttpResponse> {
    let limit = q.num::<u32>(endpoint, "limit")?;
    page(items, limit, q.get("cursor")).map_err(|e| bad_param(endpoint, &e.to_string()))
}

async fn balance(sim: SimData, req: HttpRequest) -> HttpResponse {
    match authorize(&sim, &req) {
        Ok(user) => json(StatusCode::OK, &sim.lock().engine.balance_response(&user, now_ms())),
        Err(r) => r,
    }
}

async fn positions(sim: SimData, req: HttpRequest, q: Params) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = Query::new(&q);
    let mut all = sim.lock().engine.positions(&user);
    if let Some(t) = q.get("ticker") {
        all.retain(|p| p.ticker == t);
    }
    match paged("GetPositions", &q, &all) {
        Ok((market_positions, cursor)) => {
            json(StatusCode::OK, &PositionsResponse { market_positions, event_positions: Vec::new(), cursor })
        }
        Err(r) => r,
    }
}

async fn orders(sim: SimData, req: HttpRequest, q: Params) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = Query::new(&q);
    let status = match q.get("status") {
        None => None,
        Some("resting") => Some(OrderStatus::Resting),
        Some("canceled") => Some(OrderStatus::Canceled),
        Some("executed") => Some(OrderStatus::Executed),
        Some(other) => {
            return bad_param("GetOrders", &format!("status {other:?} is not resting, canceled or executed"))
        }
    };
    let filter = OrderFilter { ticker: q.get("ticker").map(str::to_owned), status };
    let all = sim.lock().engine.orders(&user, &filter);
    match paged("GetOrders", &q, &all) {
        Ok((orders, cursor)) => json(StatusCode::OK, &OrdersResponse { orders, cursor }),
        Err(r) => r,
    }
}

async fn order(sim: SimData, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let found = sim.lock().engine.order(&user, &id).map(|o| o.to_rest());
    match found {
        Some(order) => json(StatusCode::OK, &OrderResponse { order }),
        None => engine_error(&EngineError::OrderNotFound(id.into_inner())),
    }
}

async fn queue_position(sim: SimData, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let pos = sim.lock().engine.queue_position(&user, &id);
    match pos {
        Ok(queue_position_fp) => json(StatusCode::OK, &QueuePositionResponse { queue_position_fp }),
        Err(e) => engine_error(&e),
    }
}

async fn fills(sim: SimData, req: HttpRequest, q: Params) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = Query::new(&q);
    let all = sim.lock().engine.fills(&user, q.get("ticker"), q.get("order_id"));
    match paged("GetFills", &q, &all) {
        Ok((fills, cursor)) => json(StatusCode::OK, &FillsResponse { fills, cursor }),
        Err(r) => r,
    }
}

async fn settlements(sim: SimData, req: HttpRequest, q: Params) -> HttpResponse {
    let user = match authorize(&sim, &req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = Query::new(&q);
    let all = sim.lock().engine.settlements(&user);
    match paged("GetSettlements", &q, &all) {
        Ok((settlements, cursor)) => json(StatusCode::OK, &SettlementsResponse { settlements, cursor }),
        Err(r) => r,
    }
}

async fn limits(sim: SimData, req: HttpRequest) -> HttpResponse {
    if let Err(r) = authorize(&sim, &req) {
        return r;
    }
    let (read, write) = sim.lock().limiter.limits();
    json(
        StatusCode::OK,
        &AccountLimits {
            usage_tier: "basic".into(),
            read: BucketLimit { refill_rate: read.refill_per_s, bucket_capacity: read.capacity },
            write: BucketLimit { refill_rate: write.refill_per_s, bucket_capacity: write.capacity },
            grants: Vec::new(),
        },
    )
}
