//! OrderSender: the OrderExecutor's hands. The one sending orders runs on the decision
//! thread (handing a request to the HTTP client is a few µs and never blocks; signing is
//! done ahead on a blocking thread); the one reading the exchange's state (large answers to
//! decode) runs on its own arbiter. It sends order requests (several may be in flight),
//! classifies each answer (success; rejected: the request did not take effect; unknown: a
//! timeout, 5xx or lost connection, to be reconciled) and reports back with `WriteDone`. It
//! also performs the executor's REST reads (start-up state, reconciliation).
//!
//! Signing off the hot path: the body of a request is not signed, only the timestamp, method
//! and path, so the signature of the create endpoint is prepared ahead on a blocking thread
//! every 500 ms (Kalshi accepts a few seconds of skew) and used by the next create.

use std::time::{Duration, Instant};

use actix::prelude::*;
use awc::http::Method;
use serde::de::DeserializeOwned;

use crate::domain::Price;
use crate::executor::reconcile::ExchangeView;
use crate::executor::{Request, WriteError};
use crate::kalshi::client::{ClientError, RestClient};
use crate::kalshi::rest::{
    AccountLimits, AmendOrderV2Response, ApiError, BalanceResponse, CancelOrderV2Response, CreateOrderV2Response,
    FillsResponse, Order, OrdersResponse, PositionsResponse,
};
use crate::kalshi::sign::{now_ms, AuthHeaders};
use crate::latency::LatencyWindow;

/// The create endpoint.
pub const CREATE_PATH: &str = "/portfolio/events/orders";
/// A prepared signature is used while younger than this.
const PRESIGN_MAX_AGE_MS: i64 = 2_000;

/// How a write ended.
#[derive(Debug, Clone)]
pub enum WriteResult {
    /// A create.
    Created(Result<CreateOrderV2Response, WriteError>),
    /// An amend to `price`.
    Amended(Price, Result<AmendOrderV2Response, WriteError>),
    /// A cancel.
    Canceled(Result<CancelOrderV2Response, WriteError>),
    /// A cancel-all.
    CanceledAll(Result<(), WriteError>),
}

/// Executor → sender: send this request (decided at `decided`).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct SendRequest {
    /// The request.
    pub request: Request,
    /// When the decision was taken.
    pub decided: Instant,
}

/// Sender → executor: a request ended.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct WriteDone {
    /// Its client order id (empty for cancel-all).
    pub coid: String,
    /// How it ended.
    pub result: WriteResult,
}

/// Read the exchange's state: resting orders (plus every order of `markets` since
/// `since_s`), fills since `since_s`, positions and balance.
#[derive(Debug, Clone, Message)]
#[rtype(result = "Result<ExchangeView, String>")]
pub struct FetchExchange {
    /// Markets with unknown writes.
    pub markets: Vec<String>,
    /// Unix seconds.
    pub since_s: i64,
}

/// Cancel every resting order now and wait for the answer (start-up).
#[derive(Debug, Clone, Message)]
#[rtype(result = "Result<(), String>")]
pub struct CancelAllNow;

/// The exchange's write budget: (refill tokens/s, bucket capacity).
#[derive(Debug, Clone, Message)]
#[rtype(result = "Result<(f64, f64), String>")]
pub struct FetchLimits;

/// Decision → request handed to the HTTP client, µs percentiles.
#[derive(Debug, Clone, Message)]
#[rtype(result = "WireLatency")]
pub struct GetWireLatency;

/// Decision → request handed to the HTTP client, and the order round trip (request handed
/// to the HTTP client → the exchange's answer in hand).
#[derive(Debug, Clone, Copy, PartialEq, Default, MessageResponse)]
pub struct WireLatency {
    /// Median, µs.
    pub p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub p99_us: Option<f64>,
    /// Requests sent.
    pub sent: u64,
    /// Round trip median, µs.
    pub rtt_p50_us: Option<f64>,
    /// Round trip 99th percentile, µs.
    pub rtt_p99_us: Option<f64>,
}

/// The sender actor.
pub struct OrderSender {
    rest: RestClient,
    presigned: Option<(i64, AuthHeaders)>,
    reply: Recipient<WriteDone>,
    wire: LatencyWindow,
    rtt: LatencyWindow,
}

impl OrderSender {
    /// A sender using `rest`, answering to `reply`.
    pub fn new(rest: RestClient, reply: Recipient<WriteDone>) -> OrderSender {
        OrderSender { rest, presigned: None, reply, wire: LatencyWindow::new(8192), rtt: LatencyWindow::new(8192) }
    }

    fn presign(&mut self, ctx: &mut Context<Self>) {
        let Some(signer) = self.rest.signer().cloned() else { return };
        let path = self.rest.signing_path(CREATE_PATH);
        async move { actix_web::rt::task::spawn_blocking(move || (now_ms(), signer.sign_now("POST", &path))).await.ok() }
            .into_actor(self)
            .map(|signed, act, _| {
                if let Some((ts, h)) = signed {
                    act.presigned = Some((ts, h));
                }
            })
            .spawn(ctx);
    }

    fn auth_for(&mut self, request: &Request) -> Option<AuthHeaders> {
        match (request, &self.presigned) {
            (Request::Create { .. }, Some((ts, h))) if now_ms() - ts < PRESIGN_MAX_AGE_MS => Some(h.clone()),
            _ => None,
        }
    }
}

impl Actor for OrderSender {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.presign(ctx);
        ctx.run_interval(Duration::from_millis(500), |act, ctx| act.presign(ctx));
    }
}

impl actix::Supervised for OrderSender {}

/// 4xx (429 included: Kalshi refuses before doing anything) did not take effect; 5xx,
/// timeouts and lost connections may have.
fn classify(e: ClientError) -> WriteError {
    match &e {
        ClientError::Api(api) if api.status() < 500 => {
            WriteError::Rejected { status: api.status(), message: e.to_string() }
        }
        _ => WriteError::Unknown(e.to_string()),
    }
}

async fn call<T: DeserializeOwned>(
    rest: &RestClient,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
    auth: Option<AuthHeaders>,
) -> Result<T, WriteError> {
    let (status, bytes) = rest.raw_presigned(method, path, body, auth).await.map_err(classify)?;
    if !(200..300).contains(&status) {
        return Err(classify(ApiError::from_response(status, &bytes).into()));
    }
    let bytes = if bytes.is_empty() { b"null".to_vec() } else { bytes };
    // A 2xx we cannot read: it happened, but we do not know how; reconcile.
    serde_json::from_slice(&bytes).map_err(|e| WriteError::Unknown(format!("undecodable answer: {e}")))
}

impl Handler<SendRequest> for OrderSender {
    type Result = ();

    fn handle(&mut self, msg: SendRequest, ctx: &mut Self::Context) {
        let auth = self.auth_for(&msg.request);
        let rest = self.rest.clone();
        let reply = self.reply.clone();
        let (coid, method, path, body) = match &msg.request {
            Request::Create { coid, body } => {
                (coid.clone(), Method::POST, CREATE_PATH.to_owned(), serde_json::to_vec(body).ok())
            }
            Request::Amend { coid, order_id, body } => {
                (coid.clone(), Method::POST, format!("{CREATE_PATH}/{order_id}/amend"), serde_json::to_vec(body).ok())
            }
            Request::Cancel { coid, order_id, market } => {
                (coid.clone(), Method::DELETE, format!("{CREATE_PATH}/{order_id}?market_ticker={market}"), None)
            }
            Request::CancelAll => (String::new(), Method::DELETE, CREATE_PATH.to_owned(), None),
        };
        self.wire.push(msg.decided.elapsed().as_secs_f64() * 1e6);
        let sent = Instant::now();
        let request = msg.request;
        // Anything not signed ahead (amend, cancel, cancel-all) is signed on a blocking
        // thread: an RSA signature would stall this thread for 0.3–0.5 ms.
        let (signer, sign_path) = (self.rest.signer().cloned(), self.rest.signing_path(&path));
        async move {
            let auth = match (auth, signer) {
                (Some(a), _) => Some(a),
                (None, Some(s)) => {
                    let m = method.as_str().to_owned();
                    actix_web::rt::task::spawn_blocking(move || s.sign_now(&m, &sign_path)).await.ok()
                }
                (None, None) => None,
            };
            let result = match &request {
                Request::Create { .. } => WriteResult::Created(call(&rest, method, &path, body, auth).await),
                Request::Amend { body: b, .. } => {
                    WriteResult::Amended(b.price, call(&rest, method, &path, body, auth).await)
                }
                Request::Cancel { .. } => WriteResult::Canceled(call(&rest, method, &path, body, auth).await),
                Request::CancelAll => WriteResult::CanceledAll(
                    match rest.raw_presigned(method, &path, None, auth).await.map_err(classify) {
                        Ok((s, _)) if (200..300).contains(&s) => Ok(()),
                        Ok((s, b)) => Err(classify(ApiError::from_response(s, &b).into())),
                        Err(e) => Err(e),
                    },
                ),
            };
            let rtt = sent.elapsed().as_secs_f64() * 1e6;
            reply.do_send(WriteDone { coid, result });
            rtt
        }
        .into_actor(self)
        .map(|rtt, act, _| act.rtt.push(rtt))
        .spawn(ctx);
    }
}

async fn get<T: DeserializeOwned>(rest: &RestClient, path: &str) -> Result<T, String> {
    rest.get(path).await.map_err(|e| format!("GET {}: {e}", path.split('?').next().unwrap_or(path)))
}

/// Every page of a cursor-paged order list.
async fn all_orders(rest: &RestClient, query: &str) -> Result<Vec<Order>, String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: OrdersResponse = get(rest, &format!("/portfolio/orders?limit=1000{query}&cursor={cursor}")).await?;
        out.extend(page.orders);
        if page.cursor.is_empty() {
            return Ok(out);
        }
        cursor = page.cursor;
    }
}

impl Handler<FetchExchange> for OrderSender {
    type Result = ResponseFuture<Result<ExchangeView, String>>;

    fn handle(&mut self, msg: FetchExchange, _: &mut Self::Context) -> Self::Result {
        let rest = self.rest.clone();
        Box::pin(async move {
            let positions: PositionsResponse = get(&rest, "/portfolio/positions?limit=1000").await?;
            let balance: BalanceResponse = get(&rest, "/portfolio/balance").await?;
            let mut orders = all_orders(&rest, "&status=resting").await?;
            for m in &msg.markets {
                orders.extend(all_orders(&rest, &format!("&ticker={m}&min_ts={}", msg.since_s)).await?);
            }
            let fills: FillsResponse =
                get(&rest, &format!("/portfolio/fills?limit=1000&min_ts={}", msg.since_s)).await?;
            Ok(ExchangeView {
                orders,
                fills: fills.fills,
                positions: positions.market_positions,
                balance: balance.balance_dollars,
                busy_during_read: false,
            })
        })
    }
}

impl Handler<CancelAllNow> for OrderSender {
    type Result = ResponseFuture<Result<(), String>>;

    fn handle(&mut self, _: CancelAllNow, _: &mut Self::Context) -> Self::Result {
        let rest = self.rest.clone();
        Box::pin(async move {
            match rest.raw_presigned(Method::DELETE, CREATE_PATH, None, None).await {
                Ok((s, _)) if (200..300).contains(&s) => Ok(()),
                Ok((s, b)) => Err(ApiError::from_response(s, &b).to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

impl Handler<FetchLimits> for OrderSender {
    type Result = ResponseFuture<Result<(f64, f64), String>>;

    fn handle(&mut self, _: FetchLimits, _: &mut Self::Context) -> Self::Result {
        let rest = self.rest.clone();
        Box::pin(async move {
            let l: AccountLimits = get(&rest, "/account/limits").await?;
            Ok((f64::from(l.write.refill_rate), f64::from(l.write.bucket_capacity)))
        })
    }
}

impl Handler<GetWireLatency> for OrderSender {
    type Result = WireLatency;

    fn handle(&mut self, _: GetWireLatency, _: &mut Self::Context) -> WireLatency {
        WireLatency {
            p50_us: self.wire.percentile(0.5),
            p99_us: self.wire.percentile(0.99),
            sent: self.wire.total(),
            rtt_p50_us: self.rtt.percentile(0.5),
            rtt_p99_us: self.rtt.percentile(0.99),
        }
    }
}

/// Starts a sender on the current arbiter (the decision thread): with the create signature
/// prepared ahead on a blocking thread, handing a request to the HTTP client costs a few
/// µs and never blocks; a cross-thread hop would cost more than the whole decision.
pub fn start_here(
    root: String,
    signer: Option<std::sync::Arc<crate::kalshi::sign::Signer>>,
    timeout: Duration,
    reply: Recipient<WriteDone>,
) -> Addr<OrderSender> {
    OrderSender::new(RestClient::new(root, signer, timeout), reply).start()
}

/// Starts a sender on its own arbiter, its client for `root` (requests time out after
/// `timeout`) created there (HTTP clients belong to the thread that made them).
pub fn start(
    root: String,
    signer: Option<std::sync::Arc<crate::kalshi::sign::Signer>>,
    timeout: Duration,
    reply: Recipient<WriteDone>,
) -> Addr<OrderSender> {
    let arbiter = actix::Arbiter::new();
    OrderSender::start_in_arbiter(&arbiter.handle(), move |_| {
        OrderSender::new(RestClient::new(root, signer, timeout), reply)
    })
}
