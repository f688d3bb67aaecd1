//! The simulator's REST API through real HTTP, continued: authentication failures (§2.7),
//! the dead V1 mutations (§5.6), rate limits and injected failures (§5.12), request
//! validation (§3, §5.2) and batched / cancel-all order entry (§5.5).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use awc::http::Method;
use base64::Engine as _;
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::ApiError;
use kalshi_actor::kalshi::sign::{
    generate_key_pair, now_ms, KeyPair, Signer, HEADER_ACCESS_KEY, HEADER_ACCESS_SIGNATURE, HEADER_ACCESS_TIMESTAMP,
};
use kalshi_actor::sim::engine::OrderFilter;
use kalshi_actor::sim::ratelimit::BucketLimit;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use serde_json::{json, Value};

use crate::sim_rest::{
    book, empty_book, fills, get, id_of, json_of, order, order_of, place, send, send_text, strs, GTC, IOC, ORDERS,
};
use crate::support::sim::TestSim;

const BALANCE: &str = "/portfolio/balance";
const BALANCE_FULL: &str = "/trade-api/v2/portfolio/balance";
const MISSING: &str =
    r#"{"error":{"code":"signature_is_missing_from_headers","message":"signature is missing from headers"}}"#;
const UNKNOWN_KEY: &str =
    r#"{"error":{"code":"authentication_error","message":"authentication_error","details":"NOT_FOUND"}}"#;
const BAD_SIGNATURE: &str = r#"{"error":{"code":"authentication_error","message":"authentication_error","details":"INCORRECT_API_KEY_SIGNATURE"}}"#;
const EXPIRED: &str = r#"{"error":{"code":"header_timestamp_expired","message":"header timestamp expired"}}"#;
const TOO_MANY: &str = r#"{"error":"too many requests"}"#;
const GONE: &str = r#"{"error":{"code":"deprecated_v1_order_endpoint","message":"Please switch to the V2 endpoints","details":"https://docs.kalshi.com/api-reference/orders/create-order-v2"}}"#;

/// A key pair no simulator registers unless a test writes its public key.
fn fresh_key() -> &'static KeyPair {
    static PAIR: OnceLock<KeyPair> = OnceLock::new();
    PAIR.get_or_init(|| generate_key_pair(2048).unwrap())
}

/// `GET path` with exactly the given headers; status and body text.
async fn get_with(sim: &TestSim, path: &str, headers: &[(&str, String)]) -> (u16, String) {
    let mut req = awc::Client::default().get(format!("{}{path}", sim.handle.rest_url));
    for (name, value) in headers {
        req = req.insert_header((*name, value.clone()));
    }
    let mut resp = req.send().await.unwrap();
    let body = resp.body().await.unwrap();
    (resp.status().as_u16(), String::from_utf8(body.to_vec()).unwrap())
}

/// The three auth headers: key id, timestamp, signature.
fn auth(key_id: &str, ts: i64, signature: String) -> Vec<(&'static str, String)> {
    vec![
        (HEADER_ACCESS_KEY, key_id.to_owned()),
        (HEADER_ACCESS_TIMESTAMP, ts.to_string()),
        (HEADER_ACCESS_SIGNATURE, signature),
    ]
}

#[actix_web::test]
async fn each_auth_failure_has_kalshis_401_body() {
    let sim = TestSim::start(1, |_| {});
    let (signer, key) = (&sim.users[0].signer, sim.users[0].key_id.as_str());
    assert_eq!(send_text(&sim.anonymous(), Method::GET, BALANCE, None).await, (401, MISSING.to_owned()));
    let h = signer.sign(now_ms(), "GET", BALANCE_FULL);
    let no_sig = [(HEADER_ACCESS_KEY, h.key_id.clone()), (HEADER_ACCESS_TIMESTAMP, h.timestamp.clone())];
    assert_eq!(get_with(&sim, BALANCE, &no_sig).await, (401, MISSING.to_owned()));
    // Control: correct headers built by hand pass.
    let ts = now_ms();
    assert_eq!(get_with(&sim, BALANCE, &auth(key, ts, signer.sign(ts, "GET", BALANCE_FULL).signature)).await.0, 200);

    let pair = fresh_key();
    let stranger = Arc::new(Signer::from_pem(pair.key_id.clone(), &pair.private_pem).unwrap());
    let stranger = RestClient::new(sim.handle.rest_url.clone(), Some(stranger), Duration::from_secs(10));
    assert_eq!(send_text(&stranger, Method::GET, BALANCE, None).await, (401, UNKNOWN_KEY.to_owned()));

    let ts = now_ms();
    let other_path = signer.sign(ts, "GET", "/trade-api/v2/portfolio/fills").signature;
    assert_eq!(get_with(&sim, BALANCE, &auth(key, ts, other_path)).await, (401, BAD_SIGNATURE.to_owned()));
    let other_method = signer.sign(ts, "POST", BALANCE_FULL).signature;
    assert_eq!(get_with(&sim, BALANCE, &auth(key, ts, other_method)).await, (401, BAD_SIGNATURE.to_owned()));
    let old = now_ms() - 60_000;
    let stale = signer.sign(old, "GET", BALANCE_FULL).signature;
    assert_eq!(get_with(&sim, BALANCE, &auth(key, old, stale)).await, (401, EXPIRED.to_owned()));

    // Public endpoints need no signature.
    let anon = sim.anonymous();
    let t = sim.ticker();
    for path in
        ["/markets".to_owned(), format!("/markets/{t}"), format!("/markets/{t}/orderbook"), "/markets/trades".into()]
    {
        assert_eq!(send_text(&anon, Method::GET, &path, None).await.0, 200, "{path}");
    }
    let (status, text) = send_text(&anon, Method::GET, "/exchange/status", None).await;
    let s = json_of(&text);
    assert_eq!((status, &s["exchange_active"], &s["trading_active"]), (200, &json!(true), &json!(true)), "{s}");
}

#[actix_web::test]
async fn pkcs1v15_signature_of_a_registered_key_is_rejected() {
    let pair = fresh_key();
    let sim = TestSim::start(1, |cfg| std::fs::write(cfg.accounts_dir.join("fresh.pem"), &pair.public_pem).unwrap());
    let ts = now_ms();
    // Control: RSA-PSS with this key is accepted, so only the padding differs below.
    let pss = Signer::from_pem(pair.key_id.clone(), &pair.private_pem).unwrap().sign(ts, "GET", BALANCE_FULL);
    assert_eq!(get_with(&sim, BALANCE, &auth(&pair.key_id, ts, pss.signature)).await.0, 200);
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pair.private_pem).unwrap();
    let v15 = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key).sign(format!("{ts}GET{BALANCE_FULL}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(v15.to_bytes());
    assert_eq!(get_with(&sim, BALANCE, &auth(&pair.key_id, ts, b64)).await, (401, BAD_SIGNATURE.to_owned()));
}

#[actix_web::test]
async fn legacy_v1_mutations_answer_410_and_reads_still_work() {
    let sim = TestSim::start(1, |_| {});
    let t = sim.ticker();
    let v1 = json!({"ticker": t, "side": "yes", "action": "buy", "count": 1, "yes_price": 40, "type": "limit"});
    let calls = [
        (Method::POST, "/portfolio/orders", Some(v1.clone())),
        (Method::DELETE, "/portfolio/orders/x", None),
        (Method::POST, "/portfolio/orders/x/amend", Some(json!({"ticker": t, "count": 2}))),
        (Method::POST, "/portfolio/orders/x/decrease", Some(json!({"reduce_by": 1}))),
        (Method::POST, "/portfolio/orders/batched", Some(json!({"orders": [v1]}))),
        (Method::DELETE, "/portfolio/orders/batched", Some(json!({"ids": ["x"]}))),
    ];
    for (method, path, body) in calls {
        let label = format!("{method} {path}");
        assert_eq!(send_text(&sim.users[0].rest, method, path, body).await, (410, GONE.to_owned()), "{label}");
    }
    assert_eq!(get(&sim, 0, "/portfolio/orders").await, json!({"orders": [], "cursor": ""}));
    assert_eq!(book(&sim, &t).await, empty_book());
}

#[actix_web::test]
async fn write_bucket_runs_out_but_reads_and_other_accounts_go_on() {
    let sim = TestSim::start(2, |cfg| cfg.write_limit = BucketLimit { refill_per_s: 1, capacity: 20 });
    let t = sim.ticker();
    place(&sim, 0, order(&t, "bid", "1", "0.20", GTC)).await;
    place(&sim, 0, order(&t, "bid", "1", "0.21", GTC)).await;
    let third = Some(order(&t, "bid", "1", "0.22", GTC));
    assert_eq!(send_text(&sim.users[0].rest, Method::POST, ORDERS, third).await, (429, TOO_MANY.to_owned()));
    assert_eq!(
        get(&sim, 0, "/portfolio/orders").await["orders"].as_array().map(Vec::len),
        Some(2),
        "429 placed nothing"
    );
    get(&sim, 0, BALANCE).await;
    let limits = get(&sim, 0, "/account/limits").await;
    assert_eq!(limits["write"], json!({"refill_rate": 1, "bucket_capacity": 20}));
    place(&sim, 1, order(&t, "ask", "1", "0.60", GTC)).await;
}

#[actix_web::test]
async fn injected_429_and_503_hit_every_request() {
    let sim = TestSim::start(1, |cfg| cfg.faults.http_429_prob = 1.0);
    let t = sim.ticker();
    let calls = [
        (Method::GET, BALANCE.to_owned(), None),
        (Method::GET, "/portfolio/orders".to_owned(), None),
        (Method::POST, ORDERS.to_owned(), Some(order(&t, "bid", "1", "0.40", GTC))),
        (Method::DELETE, format!("{ORDERS}/x"), None),
    ];
    for (method, path, body) in calls {
        let label = format!("{method} {path}");
        assert_eq!(send_text(&sim.users[0].rest, method, &path, body).await, (429, TOO_MANY.to_owned()), "{label}");
    }
    let key = sim.users[0].key_id.clone();
    assert!(
        sim.handle.sim.lock().engine.orders(&key, &OrderFilter::default()).is_empty(),
        "the 429 create did nothing"
    );

    let sim = TestSim::start(1, |cfg| cfg.faults.http_5xx_prob = 1.0);
    let (status, text) = send_text(&sim.users[0].rest, Method::GET, BALANCE, None).await;
    assert_eq!(status, 503, "{text}");
    assert!(ApiError::from_response(status, text.as_bytes()).is_retryable());
}

#[actix_web::test]
async fn malformed_bodies_and_bad_prices_are_400() {
    let sim = TestSim::start(1, |_| {});
    let t = sim.ticker();
    let flat =
        |v: &Value| (v["code"].clone(), v["message"].clone(), v.get("error").is_none(), v["details"].is_string());
    let bad_request = (json!("bad_request"), json!("bad request"), true, true);
    let (status, raw) = sim.users[0].rest.raw(Method::POST, ORDERS, Some(br#"{"ticker": "#.to_vec())).await.unwrap();
    let v = json_of(&String::from_utf8(raw).unwrap());
    assert_eq!((status, flat(&v)), (400, bad_request.clone()), "{v}");
    for field in ["count", "price"] {
        let mut body = order(&t, "bid", "1", "0.40", GTC);
        body[field] = json!(1);
        let (status, v) = send(&sim, 0, Method::POST, ORDERS, Some(body)).await;
        assert_eq!((status, flat(&v)), (400, bad_request.clone()), "{field} as a number: {v}");
    }
    let sub_cent = "KXBTC-26NOV2617-B101250";
    let cases = [
        (t.as_str(), "1", "0.4150", "invalid_price"),
        (t.as_str(), "1", "1.00", "invalid_price"),
        (t.as_str(), "1", "0.00", "invalid_price"),
        (t.as_str(), "0", "0.40", "invalid_order_size"),
        (sub_cent, "1", "0.4150", "invalid_price"),
        (sub_cent, "1", "0.0155", "invalid_price"),
    ];
    for (ticker, count, price, code) in cases {
        let (status, v) = send(&sim, 0, Method::POST, ORDERS, Some(order(ticker, "bid", count, price, GTC))).await;
        assert_eq!((status, &v["error"]["code"]), (400, &json!(code)), "{ticker} {count} @ {price}: {v}");
    }
    assert_eq!(get(&sim, 0, "/portfolio/orders").await["orders"], json!([]), "nothing was created");
    // Sub-cent steps are fine below $0.10 on the tapered grid.
    let ok = place(&sim, 0, order(sub_cent, "bid", "1", "0.0150", GTC)).await;
    assert_eq!(strs(&ok, &["remaining_count"]), ["1.00"]);
    assert_eq!(book(&sim, sub_cent).await["yes_dollars"], json!([["0.0150", "1.00"]]));
}

#[actix_web::test]
async fn batched_create_and_cancel_and_cancel_all() {
    let sim = TestSim::start(1, |_| {});
    let (t, t2) = {
        let st = sim.handle.sim.lock();
        (st.catalog[0].ticker().to_owned(), st.catalog[1].ticker().to_owned())
    };
    let mut good = order(&t, "bid", "2", "0.30", GTC);
    good["client_order_id"] = json!("b-good");
    let bad = order(&t, "bid", "1", "0.305", GTC);
    let (status, r) =
        send(&sim, 0, Method::POST, "/portfolio/events/orders/batched", Some(json!({"orders": [good, bad]}))).await;
    assert_eq!(status, 201, "{r}");
    let items = r["orders"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{r}");
    assert_eq!(
        strs(&items[0], &["client_order_id", "fill_count", "remaining_count", "error"]),
        ["b-good", "0.00", "2.00", "<null>"]
    );
    assert_eq!((&items[1]["error"]["code"], &items[1]["order_id"]), (&json!("invalid_price"), &Value::Null), "{r}");
    let id = id_of(&items[0]);
    assert_eq!(book(&sim, &t).await, json!({"yes_dollars": [["0.3000", "2.00"]], "no_dollars": []}));

    let cancel = json!({"orders": [{"order_id": id}, {"order_id": "nope"}]});
    let (status, r) = send(&sim, 0, Method::DELETE, "/portfolio/events/orders/batched", Some(cancel)).await;
    assert_eq!(status, 200, "{r}");
    let items = r["orders"].as_array().unwrap();
    assert_eq!(
        strs(&items[0], &["order_id", "client_order_id", "reduced_by", "error"]),
        [id.as_str(), "b-good", "2.00", "<null>"]
    );
    assert_eq!(strs(&items[1], &["order_id"]), ["nope"]);
    assert_eq!(items[1]["error"]["code"], "not_found", "{r}");
    assert_eq!(book(&sim, &t).await, empty_book());

    let ids = [
        id_of(&place(&sim, 0, order(&t, "bid", "1", "0.31", GTC)).await),
        id_of(&place(&sim, 0, order(&t, "ask", "3", "0.70", GTC)).await),
        id_of(&place(&sim, 0, order(&t2, "bid", "4", "0.10", GTC)).await),
    ];
    assert_eq!(send_text(&sim.users[0].rest, Method::DELETE, ORDERS, None).await, (204, String::new()));
    assert_eq!(get(&sim, 0, "/portfolio/orders?status=resting").await["orders"], json!([]));
    for id in &ids {
        assert_eq!(strs(&order_of(&sim, 0, id).await, &["status", "remaining_count_fp"]), ["canceled", "0.00"]);
    }
    assert_eq!((book(&sim, &t).await, book(&sim, &t2).await), (empty_book(), empty_book()));
}

#[actix_web::test]
async fn batch_endpoints_authenticate_before_decoding_the_body() {
    let sim = TestSim::start(1, |_| {});
    let anon = sim.anonymous();
    // The single-order create authenticates first.
    assert_eq!(send_text(&anon, Method::POST, ORDERS, Some(json!("x"))).await, (401, MISSING.to_owned()));
    for method in [Method::POST, Method::DELETE] {
        let label = method.to_string();
        let got = send_text(&anon, method, "/portfolio/events/orders/batched", Some(json!("x"))).await;
        assert_eq!(got, (401, MISSING.to_owned()), "{label}");
    }
}

#[actix_web::test]
async fn close_cancels_resting_orders_and_settlement_pays_out() {
    let start = now_ms() - 1_000;
    let sim = TestSim::start(2, |cfg| {
        cfg.flow_tick = None; // the lifecycle moves only when the test steps it
        cfg.catalog.start_ms = start;
        cfg.catalog.close_after_ms = Some(600_000);
        cfg.catalog.settle_after_ms = Some(60_000);
    });
    let t = sim.ticker();
    place(&sim, 1, order(&t, "ask", "3", "0.60", GTC)).await;
    place(&sim, 0, order(&t, "bid", "2", "0.60", crate::sim_rest::IOC)).await;
    let resting = id_of(&place(&sim, 0, order(&t, "bid", "1", "0.30", GTC)).await);
    sim.handle.sim.lock().step(start + 600_000);
    assert_eq!(get(&sim, 0, &format!("/markets/{t}")).await["market"]["status"], "closed");
    let (status, e) = send(&sim, 0, Method::POST, ORDERS, Some(order(&t, "bid", "1", "0.30", GTC))).await;
    assert_eq!((status, &e["error"]["code"]), (409, &json!("market_closed")), "{e}");
    assert_eq!(strs(&order_of(&sim, 0, &resting).await, &["status", "remaining_count_fp"]), ["canceled", "0.00"]);
    assert_eq!(get(&sim, 1, "/portfolio/orders?status=resting").await["orders"], json!([]));
    // Reservations released: 10 000 − 2 × 0.60 − ceil(0.07 × 2 × 0.24); 10 000 − 2 × 0.40.
    assert_eq!(strs(&get(&sim, 0, BALANCE).await, &["balance_dollars"]), ["9998.7664"]);
    assert_eq!(strs(&get(&sim, 1, BALANCE).await, &["balance_dollars"]), ["9999.2000"]);

    sim.handle.sim.lock().step(start + 660_000); // last trade 0.60 ≥ 0.50: YES wins
    let m = get(&sim, 0, &format!("/markets/{t}")).await["market"].clone();
    assert_eq!(strs(&m, &["status", "result", "settlement_value_dollars"]), ["finalized", "yes", "1.0000"]);
    assert_eq!(strs(&get(&sim, 0, BALANCE).await, &["balance_dollars"]), ["10000.7664"]);
    assert_eq!(strs(&get(&sim, 1, BALANCE).await, &["balance_dollars"]), ["9999.2000"]);
    assert_eq!(get(&sim, 0, "/portfolio/positions").await["market_positions"], json!([]));
    let keys = ["ticker", "market_result", "yes_count_fp", "yes_total_cost_dollars", "no_count_fp", "revenue"];
    let s0 = get(&sim, 0, "/portfolio/settlements").await["settlements"][0].clone();
    assert_eq!(strs(&s0, &keys), [t.as_str(), "yes", "2.00", "1.200000", "0.00", "200"]);
    let s1 = get(&sim, 1, "/portfolio/settlements").await["settlements"][0].clone();
    assert_eq!(strs(&s1, &keys), [t.as_str(), "yes", "0.00", "0.000000", "2.00", "0"]);
}

#[actix_web::test]
async fn market_top_of_book_orderbooks_and_trades_follow_the_orders() {
    let sim = TestSim::start(2, |_| {});
    let (a, b) = {
        let st = sim.handle.sim.lock();
        (st.catalog[0].ticker().to_owned(), st.catalog[1].ticker().to_owned())
    };
    place(&sim, 0, order(&a, "bid", "5", "0.40", GTC)).await;
    place(&sim, 0, order(&a, "bid", "3", "0.42", GTC)).await;
    place(&sim, 1, order(&a, "ask", "7", "0.47", GTC)).await;
    let keys = [
        "ticker",
        "yes_bid_dollars",
        "yes_bid_size_fp",
        "yes_ask_dollars",
        "yes_ask_size_fp",
        "no_bid_dollars",
        "no_ask_dollars",
        "last_price_dollars",
        "volume_fp",
        "open_interest_fp",
    ];
    let anon = sim.anonymous();
    let market =
        || async { json_of(&send_text(&anon, Method::GET, &format!("/markets/{a}"), None).await.1)["market"].clone() };
    let m = market().await;
    assert_eq!(strs(&m, &keys), [&a, "0.4200", "3.00", "0.4700", "7.00", "0.5300", "0.5800", "0.0000", "0.00", "0.00"]);

    place(&sim, 0, order(&a, "bid", "2", "0.47", IOC)).await;
    place(&sim, 1, order(&a, "ask", "1", "0.42", IOC)).await;
    let m = market().await;
    assert_eq!(strs(&m, &keys), [&a, "0.4200", "2.00", "0.4700", "5.00", "0.5300", "0.5800", "0.4200", "3.00", "3.00"]);

    let books = get(&sim, 0, &format!("/markets/orderbooks?tickers={a}&tickers={b}")).await;
    let want = json!({"orderbooks": [
        {"ticker": a, "orderbook_fp": {"yes_dollars": [["0.4000", "5.00"], ["0.4200", "2.00"]], "no_dollars": [["0.5300", "5.00"]]}},
        {"ticker": b, "orderbook_fp": empty_book()}]});
    assert_eq!(books, want);

    let trades = get(&sim, 0, &format!("/markets/trades?ticker={a}")).await;
    let list = trades["trades"].as_array().unwrap();
    let tkeys =
        ["ticker", "count_fp", "yes_price_dollars", "no_price_dollars", "taker_book_side", "taker_outcome_side"];
    assert_eq!(list.len(), 2, "{trades}");
    assert_eq!(strs(&list[0], &tkeys), [&a, "1.00", "0.4200", "0.5800", "ask", "no"], "newest first");
    assert_eq!(strs(&list[1], &tkeys), [&a, "2.00", "0.4700", "0.5300", "bid", "yes"]);
    assert_eq!(list[0]["trade_id"], fills(&sim, 1).await[0]["trade_id"]);
    assert_eq!(get(&sim, 0, "/markets/trades").await["trades"].as_array().map(Vec::len), Some(2));
    let (status, e) = send(&sim, 0, Method::GET, "/markets/NO-SUCH-MARKET", None).await;
    assert_eq!((status, &e["error"]["code"]), (404, &json!("not_found")), "{e}");
}
