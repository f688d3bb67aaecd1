//! V2 order entry under `/portfolio/events/orders` (create, cancel, amend, decrease,
//! batched create and cancel, cancel-all) and the legacy V1 mutations that answer 410.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{body, gone, SimData};
use crate::kalshi::rest::{
    AmendOrderV2Request, BatchCancelOrderV2Result, BatchCancelOrdersV2Request, BatchCancelOrdersV2Response,
    BatchCreateOrdersV2Request, BatchCreateOrdersV2Response, CreateOrderV2Request, DecreaseOrderV2Request, ErrorDetail,
};
use crate::sim::engine::{Engine, EngineError, EngineEvent};
use crate::sim::ratelimit::{cost, BucketKind};
use crate::sim::server::{engine_error, json, now_ms};

/// How long a "dropped" acknowledgement is held: far past any client timeout.
const DROPPED_ACK_HOLD: Duration = Duration::from_secs(300);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/portfolio/events/orders", web::post().to(create))
        .route("/portfolio/events/orders", web::delete().to(cancel_all))
        .route("/portfolio/events/orders/batched", web::post().to(batch_create))
        .route("/portfolio/events/orders/batched", web::delete().to(batch_cancel))
        .route("/portfolio/events/orders/{id}", web::delete().to(cancel))
        .route("/portfolio/events/orders/{id}/amend", web::post().to(amend))
        .route("/portfolio/events/orders/{id}/decrease", web::post().to(decrease))
        // Legacy V1 mutations: dead since June 2026.
        .route("/portfolio/orders", web::post().to(gone))
        .route("/portfolio/orders/batched", web::post().to(gone))
        .route("/portfolio/orders/batched", web::delete().to(gone))
        .route("/portfolio/orders/{id}", web::delete().to(gone))
        .route("/portfolio/orders/{id}/amend", web::post().to(gone))
        .route("/portfolio/orders/{id}/decrease", web::post().to(gone));
}

fn authorize(sim: &SimData, req: &HttpRequest, batch: usize) -> Result<String, HttpResponse> {
    sim.authorize(req, BucketKind::Write, cost(req.method().as_str(), req.path(), batch))
}

/// Applies the acknowledgement faults (delay, drop) to an order-entry response.
async fn ack(sim: &SimData, resp: HttpResponse) -> HttpResponse {
    let (delay, drop) = {
        let mut st = sim.lock();
        let drop = st.hub.faults().drop_ack();
        (st.hub.faults().config().ack_delay, drop)
    };
    if let Some(d) = delay {
        actix_web::rt::time::sleep(d).await;
    }
    if drop {
        actix_web::rt::time::sleep(DROPPED_ACK_HOLD).await;
    }
    resp
}

/// One order operation for the signed user: decode the body (`None`: no body), run `op`,
/// publish its events, answer `status` with its response, then apply the ack faults.
async fn single<B, R>(
    sim: SimData,
    req: HttpRequest,
    bytes: Option<&[u8]>,
    status: StatusCode,
    op: impl FnOnce(&mut Engine, &str, B, i64) -> Result<(R, Vec<EngineEvent>), EngineError>,
) -> HttpResponse
where
    B: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let user = match authorize(&sim, &req, 1) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let input: B = match body(bytes.unwrap_or(b"null")) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let resp = {
        let st = &mut *sim.lock();
        let now = now_ms();
        match op(&mut st.engine, &user, input, now) {
            Ok((response, events)) => {
                st.publish(&events, now);
                json(status, &response)
            }
            Err(e) => engine_error(&e),
        }
    };
    ack(&sim, resp).await
}

async fn create(sim: SimData, req: HttpRequest, bytes: web::Bytes) -> HttpResponse {
    single(sim, req, Some(&bytes), StatusCode::CREATED, |e, user, order: CreateOrderV2Request, now| {
        e.create_order(user, &order, now).map(|o| (o.response(), o.events))
    })
    .await
}

async fn cancel(sim: SimData, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    single(sim, req, None, StatusCode::OK, |e, user, (): (), now| {
        e.cancel_order(user, &id, now).map(|o| (o.response(), o.events))
    })
    .await
}

async fn amend(sim: SimData, req: HttpRequest, id: web::Path<String>, bytes: web::Bytes) -> HttpResponse {
    single(sim, req, Some(&bytes), StatusCode::OK, |e, user, amend: AmendOrderV2Request, now| {
        e.amend_order(user, &id, &amend, now).map(|o| (o.response(), o.events))
    })
    .await
}

async fn decrease(sim: SimData, req: HttpRequest, id: web::Path<String>, bytes: web::Bytes) -> HttpResponse {
    single(sim, req, Some(&bytes), StatusCode::OK, |e, user, dec: DecreaseOrderV2Request, now| {
        e.decrease_order(user, &id, &dec, now).map(|o| (o.response(), o.events))
    })
    .await
}

/// A batch request: signature first, then the body; the whole batch must fit in the
/// bucket, and an undecodable one costs a single request.
fn authorize_batch<B: serde::de::DeserializeOwned>(
    sim: &SimData,
    req: &HttpRequest,
    bytes: &[u8],
    len: impl Fn(&B) -> usize,
) -> Result<(String, B), HttpResponse> {
    let user = sim.authenticate(req)?;
    let decoded: Result<B, HttpResponse> = body(bytes);
    let size = decoded.as_ref().map_or(1, &len);
    sim.charge(&user, BucketKind::Write, cost(req.method().as_str(), req.path(), size))?;
    Ok((user, decoded?))
}

async fn batch_create(sim: SimData, req: HttpRequest, bytes: web::Bytes) -> HttpResponse {
    let (user, batch) = match authorize_batch::<BatchCreateOrdersV2Request>(&sim, &req, &bytes, |b| b.orders.len()) {
        Ok(ub) => ub,
        Err(r) => return r,
    };
    let resp = {
        let st = &mut *sim.lock();
        let now = now_ms();
        let mut items = Vec::with_capacity(batch.orders.len());
        let mut events = Vec::new();
        for result in st.engine.create_orders(&user, &batch.orders, now) {
            match result {
                Ok(out) => {
                    items.push(out.batch_item());
                    events.extend(out.events);
                }
                Err(e) => items.push(crate::kalshi::rest::BatchCreateOrderV2Result {
                    error: Some(detail(&e)),
                    ..Default::default()
                }),
            }
        }
        st.publish(&events, now);
        json(StatusCode::CREATED, &BatchCreateOrdersV2Response { orders: items })
    };
    ack(&sim, resp).await
}

async fn batch_cancel(sim: SimData, req: HttpRequest, bytes: web::Bytes) -> HttpResponse {
    let (user, batch) = match authorize_batch::<BatchCancelOrdersV2Request>(&sim, &req, &bytes, |b| b.orders.len()) {
        Ok(ub) => ub,
        Err(r) => return r,
    };
    let resp = {
        let st = &mut *sim.lock();
        let now = now_ms();
        let ids: Vec<String> = batch.orders.iter().map(|o| o.order_id.clone()).collect();
        let mut items = Vec::with_capacity(ids.len());
        let mut events = Vec::new();
        for (id, result) in ids.iter().zip(st.engine.cancel_orders(&user, &ids, now)) {
            items.push(match result {
                Ok(out) => {
                    let r = out.response();
                    events.extend(out.events);
                    BatchCancelOrderV2Result {
                        order_id: r.order_id,
                        client_order_id: r.client_order_id,
                        reduced_by: r.reduced_by,
                        ts_ms: Some(r.ts_ms),
                        error: None,
                    }
                }
                Err(e) => BatchCancelOrderV2Result {
                    order_id: id.clone(),
                    client_order_id: None,
                    reduced_by: crate::domain::Count::ZERO,
                    ts_ms: None,
                    error: Some(detail(&e)),
                },
            });
        }
        st.publish(&events, now);
        json(StatusCode::OK, &BatchCancelOrdersV2Response { orders: items })
    };
    ack(&sim, resp).await
}

async fn cancel_all(sim: SimData, req: HttpRequest) -> HttpResponse {
    let user = match authorize(&sim, &req, 1) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let resp = {
        let st = &mut *sim.lock();
        let now = now_ms();
        let events: Vec<_> = st.engine.cancel_all(&user, None, now).into_iter().flat_map(|o| o.events).collect();
        st.publish(&events, now);
        HttpResponse::NoContent().finish()
    };
    ack(&sim, resp).await
}

fn detail(e: &crate::sim::engine::EngineError) -> ErrorDetail {
    let body = e.body();
    body.detail().cloned().unwrap_or(ErrorDetail {
        code: e.code().to_owned(),
        message: e.to_string(),
        details: None,
        service: None,
    })
}
