//! The simulator's REST API through real signed HTTP (kalshi-api.md §5, §6): the V2 order
//! lifecycle, IOC/FOK/post-only, client order ids, fees and cash to the micro-dollar,
//! netting, pagination and market data. Auth, legacy V1, rate limits, request validation
//! and batches are in `sim_rest_more`.

use awc::http::Method;
use kalshi_actor::domain::{BookSide, Count, Price};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::{BalanceResponse, CreateOrderV2Request, SelfTradePreventionType, TimeInForce};
use serde_json::{json, Value};

use crate::support::sim::TestSim;

pub(crate) const GTC: &str = "good_till_canceled";
pub(crate) const IOC: &str = "immediate_or_cancel";
pub(crate) const FOK: &str = "fill_or_kill";
/// V2 create (POST) and cancel-all (DELETE).
pub(crate) const ORDERS: &str = "/portfolio/events/orders";

/// Sends a request with `client`; returns the status and the body as text.
pub(crate) async fn send_text(client: &RestClient, method: Method, path: &str, body: Option<Value>) -> (u16, String) {
    let (status, raw) = client.raw(method, path, body.map(|b| b.to_string().into_bytes())).await.unwrap();
    (status, String::from_utf8(raw).unwrap())
}

/// The body as JSON (`null` when empty).
pub(crate) fn json_of(text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// A request signed by user `u`: status and JSON body.
pub(crate) async fn send(sim: &TestSim, u: usize, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, text) = send_text(&sim.users[u].rest, method, path, body).await;
    (status, json_of(&text))
}

/// A signed `GET` that must answer 200.
pub(crate) async fn get(sim: &TestSim, u: usize, path: &str) -> Value {
    let (status, v) = send(sim, u, Method::GET, path, None).await;
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

/// A V2 create body with `taker_at_cross` STP.
pub(crate) fn order(ticker: &str, side: &str, count: &str, price: &str, tif: &str) -> Value {
    json!({"ticker": ticker, "side": side, "count": count, "price": price, "time_in_force": tif,
        "self_trade_prevention_type": "taker_at_cross"})
}

/// Creates an order that must be accepted (201); returns the response.
pub(crate) async fn place(sim: &TestSim, u: usize, body: Value) -> Value {
    let (status, v) = send(sim, u, Method::POST, ORDERS, Some(body.clone())).await;
    assert_eq!(status, 201, "create {body}: {v}");
    v
}

/// `order_id` of a create response.
pub(crate) fn id_of(created: &Value) -> String {
    created["order_id"].as_str().unwrap_or_else(|| panic!("no order_id: {created}")).to_owned()
}

/// The `orderbook_fp` of `ticker`.
pub(crate) async fn book(sim: &TestSim, ticker: &str) -> Value {
    get(sim, 0, &format!("/markets/{ticker}/orderbook")).await["orderbook_fp"].clone()
}

/// An empty `orderbook_fp`.
pub(crate) fn empty_book() -> Value {
    json!({"yes_dollars": [], "no_dollars": []})
}

/// User `u`'s order `id` from `GET /portfolio/orders/{id}`.
pub(crate) async fn order_of(sim: &TestSim, u: usize, id: &str) -> Value {
    get(sim, u, &format!("/portfolio/orders/{id}")).await["order"].clone()
}

/// The values of `keys` in `v` as text (strings unquoted, absent as `<null>`).
pub(crate) fn strs(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| match &v[*k] {
            Value::String(s) => s.clone(),
            Value::Null => "<null>".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// `balance` (cents) and `balance_dollars` of user `u`.
async fn balance(sim: &TestSim, u: usize) -> (i64, String) {
    let b = get(sim, u, "/portfolio/balance").await;
    (b["balance"].as_i64().unwrap(), b["balance_dollars"].as_str().unwrap().to_owned())
}

/// User `u`'s only market position.
async fn position(sim: &TestSim, u: usize) -> Value {
    let p = get(sim, u, "/portfolio/positions").await;
    let list = p["market_positions"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{p}");
    list[0].clone()
}

const POS_KEYS: [&str; 5] =
    ["position_fp", "market_exposure_dollars", "realized_pnl_dollars", "fees_paid_dollars", "total_traded_dollars"];

/// User `u`'s fills, newest first.
pub async fn fills(sim: &TestSim, u: usize) -> Vec<Value> {
    get(sim, u, "/portfolio/fills").await["fills"].as_array().unwrap().clone()
}

const FILL_KEYS: [&str; 9] = [
    "order_id",
    "ticker",
    "book_side",
    "outcome_side",
    "count_fp",
    "yes_price_dollars",
    "no_price_dollars",
    "fee_cost",
    "is_taker",
];

#[actix_web::test]
async fn gtc_partial_fill_amend_cancel_lifecycle() {
    let sim = TestSim::start(2, |_| {});
    let t = sim.ticker();
    let req = CreateOrderV2Request::new(
        &t,
        BookSide::Bid,
        Count::contracts(10),
        Price::from_cents(40).unwrap(),
        TimeInForce::GoodTillCanceled,
        SelfTradePreventionType::TakerAtCross,
    )
    .with_client_order_id("life-1");
    let rested = place(&sim, 0, serde_json::to_value(&req).unwrap()).await;
    assert_eq!(strs(&rested, &["fill_count", "remaining_count", "client_order_id"]), ["0.00", "10.00", "life-1"]);
    assert!(rested.get("average_fill_price").is_none() && rested.get("average_fee_paid").is_none(), "{rested}");
    let id = id_of(&rested);

    // user1 hits 4 of the 10: fee ceil(0.07 × 4 × 0.40 × 0.60 = 0.0672), 0.0168 a contract.
    let taker = place(&sim, 1, order(&t, "ask", "4", "0.40", IOC)).await;
    let keys = ["fill_count", "remaining_count", "average_fill_price", "average_fee_paid"];
    assert_eq!(strs(&taker, &keys), ["4.00", "0.00", "0.4000", "0.0168"]);
    let tid = id_of(&taker);
    let (f0, f1) = (fills(&sim, 0).await, fills(&sim, 1).await);
    assert_eq!((f0.len(), f1.len()), (1, 1), "{f0:?} {f1:?}");
    assert_eq!(strs(&f0[0], &FILL_KEYS), [&id, &t, "bid", "yes", "4.00", "0.4000", "0.6000", "0.000000", "false"]);
    assert_eq!(strs(&f1[0], &FILL_KEYS), [&tid, &t, "ask", "no", "4.00", "0.4000", "0.6000", "0.067200", "true"]);
    assert_eq!(f0[0]["trade_id"], f1[0]["trade_id"]);
    let okeys = ["status", "fill_count_fp", "remaining_count_fp", "initial_count_fp", "yes_price_dollars"];
    let o = order_of(&sim, 0, &id).await;
    assert_eq!(strs(&o, &okeys), ["resting", "4.00", "6.00", "10.00", "0.4000"]);
    assert_eq!(strs(&o, &["maker_fill_cost_dollars", "client_order_id"]), ["1.600000", "life-1"]);
    let o = order_of(&sim, 1, &tid).await;
    assert_eq!(strs(&o, &okeys), ["executed", "4.00", "0.00", "4.00", "0.4000"]);
    assert_eq!(strs(&o, &["taker_fees_dollars", "book_side", "outcome_side"]), ["0.067200", "ask", "no"]);

    // Amend: count = filled 4 + desired remaining 6.
    let amend = json!({"ticker": t, "side": "bid", "price": "0.41", "count": "10"});
    let (status, a) = send(&sim, 0, Method::POST, &format!("{ORDERS}/{id}/amend"), Some(amend)).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(strs(&a, &["order_id", "remaining_count"]), [id.as_str(), "6.00"]);
    let o = order_of(&sim, 0, &id).await;
    assert_eq!(strs(&o, &okeys), ["resting", "4.00", "6.00", "10.00", "0.4100"]);
    assert_eq!(book(&sim, &t).await, json!({"yes_dollars": [["0.4100", "6.00"]], "no_dollars": []}));

    let (status, c) = send(&sim, 0, Method::DELETE, &format!("{ORDERS}/{id}"), None).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(strs(&c, &["order_id", "reduced_by", "client_order_id"]), [id.as_str(), "6.00", "life-1"]);
    let (status, again) = send(&sim, 0, Method::DELETE, &format!("{ORDERS}/{id}"), None).await;
    assert_eq!((status, &again["error"]["code"]), (404, &json!("not_found")), "{again}");
    let canceled = get(&sim, 0, "/portfolio/orders?status=canceled").await["orders"].clone();
    let found: Vec<&Value> = canceled.as_array().unwrap().iter().filter(|o| o["order_id"] == id.as_str()).collect();
    assert_eq!(found.len(), 1, "{canceled}");
    assert_eq!(strs(found[0], &okeys), ["canceled", "4.00", "0.00", "10.00", "0.4100"]);
    assert_eq!(get(&sim, 0, "/portfolio/orders?status=resting").await["orders"], json!([]));
    assert_eq!(book(&sim, &t).await, empty_book());
    // The cancel released the reservation: only the 4 bought at 0.40 are spent.
    assert_eq!(balance(&sim, 0).await, (999_840, "9998.4000".to_owned()));
}

#[actix_web::test]
async fn ioc_without_liquidity_cancels_and_fok_is_all_or_nothing() {
    let sim = TestSim::start(2, |_| {});
    let t = sim.ticker();
    let ioc = place(&sim, 0, order(&t, "bid", "3", "0.50", IOC)).await;
    assert_eq!(strs(&ioc, &["fill_count", "remaining_count"]), ["0.00", "0.00"]);
    assert!(ioc.get("average_fill_price").is_none(), "{ioc}");
    let okeys = ["status", "fill_count_fp", "remaining_count_fp"];
    assert_eq!(strs(&order_of(&sim, 0, &id_of(&ioc)).await, &okeys), ["canceled", "0.00", "0.00"]);
    assert_eq!(book(&sim, &t).await, empty_book());

    place(&sim, 1, order(&t, "ask", "5", "0.55", GTC)).await;
    let resting = json!({"yes_dollars": [], "no_dollars": [["0.4500", "5.00"]]});
    assert_eq!(book(&sim, &t).await, resting);
    let kill = place(&sim, 0, order(&t, "bid", "6", "0.60", FOK)).await;
    assert_eq!(strs(&kill, &["fill_count", "remaining_count"]), ["0.00", "0.00"]);
    assert_eq!(strs(&order_of(&sim, 0, &id_of(&kill)).await, &okeys), ["canceled", "0.00", "0.00"]);
    assert_eq!(book(&sim, &t).await, resting, "a killed FOK leaves the book alone");
    assert!(fills(&sim, 0).await.is_empty());

    let fok = place(&sim, 0, order(&t, "bid", "5", "0.60", FOK)).await;
    let keys = ["fill_count", "remaining_count", "average_fill_price"];
    assert_eq!(strs(&fok, &keys), ["5.00", "0.00", "0.5500"], "executes at the resting price");
    assert_eq!(strs(&order_of(&sim, 0, &id_of(&fok)).await, &okeys), ["executed", "5.00", "0.00"]);
    assert_eq!(book(&sim, &t).await, empty_book());
}

#[actix_web::test]
async fn post_only_that_would_cross_is_rejected() {
    let sim = TestSim::start(2, |_| {});
    let t = sim.ticker();
    place(&sim, 1, order(&t, "ask", "1", "0.50", GTC)).await;
    let before = book(&sim, &t).await;
    let cross = json!({"error": {"code": "invalid_order", "message": "invalid order", "details": "post only cross"}});
    let mut bid = order(&t, "bid", "1", "0.50", GTC);
    bid["post_only"] = json!(true);
    let (status, e) = send(&sim, 0, Method::POST, ORDERS, Some(bid.clone())).await;
    assert_eq!((status, e), (400, cross.clone()));
    assert_eq!(book(&sim, &t).await, before);
    assert_eq!(get(&sim, 0, "/portfolio/orders").await["orders"], json!([]), "nothing was created");

    bid["price"] = json!("0.49");
    let ok = place(&sim, 0, bid).await;
    assert_eq!(strs(&ok, &["fill_count", "remaining_count"]), ["0.00", "1.00"]);
    let mut ask = order(&t, "ask", "1", "0.49", GTC);
    ask["post_only"] = json!(true);
    let (status, e) = send(&sim, 1, Method::POST, ORDERS, Some(ask)).await;
    assert_eq!((status, e), (400, cross));
}

#[actix_web::test]
async fn duplicate_client_order_id_is_409_even_after_cancel() {
    let sim = TestSim::start(1, |_| {});
    let t = sim.ticker();
    let mut body = order(&t, "bid", "1", "0.30", GTC);
    body["client_order_id"] = json!("dup-1");
    let first = place(&sim, 0, body.clone()).await;
    let (status, e) = send(&sim, 0, Method::POST, ORDERS, Some(body.clone())).await;
    assert_eq!((status, &e["error"]["code"]), (409, &json!("order_already_exists")), "{e}");
    let (status, _) = send(&sim, 0, Method::DELETE, &format!("{ORDERS}/{}", id_of(&first)), None).await;
    assert_eq!(status, 200);
    let (status, e) = send(&sim, 0, Method::POST, ORDERS, Some(body)).await;
    assert_eq!((status, &e["error"]["code"]), (409, &json!("order_already_exists")), "{e}");
    let all = get(&sim, 0, "/portfolio/orders").await["orders"].clone();
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
}

#[actix_web::test]
async fn taker_fee_and_cash_to_the_micro_dollar() {
    let sim = TestSim::start(2, |_| {});
    let t = sim.ticker();
    place(&sim, 1, order(&t, "ask", "1", "0.52", GTC)).await;
    let buy = place(&sim, 0, order(&t, "bid", "1", "0.99", IOC)).await;
    let keys = ["fill_count", "remaining_count", "average_fill_price", "average_fee_paid"];
    assert_eq!(strs(&buy, &keys), ["1.00", "0.00", "0.5200", "0.0175"]);
    let (f0, f1) = (fills(&sim, 0).await, fills(&sim, 1).await);
    assert_eq!(strs(&f0[0], &["yes_price_dollars", "fee_cost", "is_taker"]), ["0.5200", "0.017500", "true"]);
    assert_eq!(strs(&f1[0], &["yes_price_dollars", "fee_cost", "is_taker"]), ["0.5200", "0.000000", "false"]);
    // §5.7: the order keeps its limit; the cost is the execution price.
    let o = order_of(&sim, 0, &id_of(&buy)).await;
    let okeys = ["status", "yes_price_dollars", "taker_fill_cost_dollars", "taker_fees_dollars"];
    assert_eq!(strs(&o, &okeys), ["executed", "0.9900", "0.520000", "0.017500"]);

    // §6.5: buyer pays 0.52 + fee 0.0175; the seller opens NO at 1 − 0.52, maker fee 0.
    assert_eq!(balance(&sim, 0).await, (999_946, "9999.4625".to_owned()));
    assert_eq!(balance(&sim, 1).await, (999_952, "9999.5200".to_owned()));
    let typed: BalanceResponse = sim.users[0].rest.get("/portfolio/balance").await.unwrap();
    assert_eq!(typed.balance_dollars.micros(), 9_999_462_500);
    let p0 = position(&sim, 0).await;
    assert_eq!(p0["ticker"], t.as_str());
    assert_eq!(strs(&p0, &POS_KEYS), ["1.00", "0.520000", "0.000000", "0.017500", "0.520000"]);
    assert_eq!(strs(&position(&sim, 1).await, &POS_KEYS), ["-1.00", "0.480000", "0.000000", "0.000000", "0.480000"]);
}

#[actix_web::test]
async fn maker_fees_and_the_fee_multiplier_when_configured() {
    let sim = TestSim::start(2, |cfg| cfg.engine.maker_fee_ppm = 17_500);
    // The S&P range market has fee multiplier 0.5.
    let t = "INXD-26NOV26-B6100";
    place(&sim, 1, order(t, "ask", "1", "0.52", GTC)).await;
    let buy = place(&sim, 0, order(t, "bid", "1", "0.52", IOC)).await;
    // taker ceil(0.5 × 0.07 × 0.2496 = 0.008736) = 0.0088; maker ceil(0.5 × 0.0175 × 0.2496) = 0.0022.
    assert_eq!(strs(&buy, &["fill_count", "average_fee_paid"]), ["1.00", "0.0088"]);
    assert_eq!(strs(&fills(&sim, 0).await[0], &["fee_cost"]), ["0.008800"]);
    assert_eq!(strs(&fills(&sim, 1).await[0], &["fee_cost"]), ["0.002200"]);
    assert_eq!(balance(&sim, 0).await, (999_947, "9999.4712".to_owned()));
    assert_eq!(balance(&sim, 1).await, (999_951, "9999.5178".to_owned()));
}

#[actix_web::test]
async fn selling_yes_while_long_nets_the_position_and_frees_cash() {
    let sim = TestSim::start(2, |_| {});
    let t = sim.ticker();
    place(&sim, 1, order(&t, "ask", "10", "0.40", GTC)).await;
    let buy = place(&sim, 0, order(&t, "bid", "10", "0.40", IOC)).await;
    assert_eq!(strs(&buy, &["fill_count", "average_fee_paid"]), ["10.00", "0.0168"]);
    // user1 (short 10) bids to close NO; user0 sells YES into it.
    place(&sim, 1, order(&t, "bid", "4", "0.55", GTC)).await;
    let sell = place(&sim, 0, order(&t, "ask", "4", "0.55", IOC)).await;
    assert_eq!(strs(&sell, &["fill_count", "remaining_count", "average_fill_price"]), ["4.00", "0.00", "0.5500"]);
    // user0: −10 × 0.40 − 0.1680 + 4 × 0.55 − ceil(0.07 × 4 × 0.55 × 0.45 = 0.0693).
    assert_eq!(balance(&sim, 0).await, (999_796, "9997.9627".to_owned()));
    let p0 = position(&sim, 0).await;
    assert_eq!(strs(&p0, &POS_KEYS), ["6.00", "2.400000", "0.600000", "0.237300", "6.200000"]);
    // user1: −10 × 0.60 + 4 × (1 − 0.55), no maker fees.
    assert_eq!(balance(&sim, 1).await, (999_580, "9995.8000".to_owned()));
    let p1 = position(&sim, 1).await;
    assert_eq!(strs(&p1, &POS_KEYS), ["-6.00", "3.600000", "-0.600000", "0.000000", "7.800000"]);
}

/// Follows `cursor` from `base` (which already has a `?`) until `""`; page sizes and items.
async fn all_pages(client: &RestClient, base: &str, key: &str) -> (Vec<usize>, Vec<Value>) {
    let (mut sizes, mut items, mut cursor) = (Vec::new(), Vec::new(), String::new());
    loop {
        let path = if cursor.is_empty() { base.to_owned() } else { format!("{base}&cursor={cursor}") };
        let (status, text) = send_text(client, Method::GET, &path, None).await;
        let page = json_of(&text);
        assert_eq!(status, 200, "{path}: {page}");
        let list = page[key].as_array().unwrap_or_else(|| panic!("{page}"));
        sizes.push(list.len());
        items.extend(list.iter().cloned());
        cursor = page["cursor"].as_str().unwrap_or_else(|| panic!("no cursor: {page}")).to_owned();
        if cursor.is_empty() || sizes.len() > 20 {
            return (sizes, items);
        }
    }
}

#[actix_web::test]
async fn orders_and_markets_paginate_with_cursors() {
    let sim = TestSim::start(1, |_| {});
    let t = sim.ticker();
    let mut ids = Vec::new();
    for cents in 10..17 {
        ids.push(id_of(&place(&sim, 0, order(&t, "bid", "1", &format!("0.{cents}"), GTC)).await));
    }
    let (sizes, orders) = all_pages(&sim.users[0].rest, "/portfolio/orders?limit=3", "orders").await;
    assert_eq!(sizes, [3, 3, 1]);
    let seen: Vec<&str> = orders.iter().map(|o| o["order_id"].as_str().unwrap()).collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(seen, newest_first, "every order once, newest first");

    let (status, e) = send(&sim, 0, Method::GET, "/portfolio/orders?limit=1001", None).await;
    assert_eq!(status, 400, "{e}");
    assert!(e["msg"].as_str().is_some_and(|m| m.starts_with("Parameter validation failed for GetOrders")), "{e}");
    assert_eq!(get(&sim, 0, "/portfolio/orders?limit=1000").await["orders"].as_array().map(Vec::len), Some(7));
    let garbage = get(&sim, 0, "/portfolio/orders?cursor=not-a-cursor").await;
    assert_eq!((garbage["orders"].as_array().map(Vec::len), &garbage["cursor"]), (Some(7), &json!("")));

    let (sizes, markets) = all_pages(&sim.anonymous(), "/markets?limit=2", "markets").await;
    assert_eq!(sizes, [2, 2, 2, 2, 1]);
    let mut got: Vec<String> = markets.iter().map(|m| m["ticker"].as_str().unwrap().to_owned()).collect();
    let mut want: Vec<String> = sim.handle.sim.lock().catalog.iter().map(|m| m.ticker().to_owned()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "all 9 markets, each once");
}
