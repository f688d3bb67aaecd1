//! Crash safety: the service trades a standalone simulator and is killed with SIGKILL at
//! random moments, 20 times; each restart loads the exchange's state, cancels what the
//! previous run left resting and trades on. At the end: no client order id was used twice,
//! nothing is left resting from a dead run, and a last run's positions and cash equal the
//! exchange's with no discrepancy to resolve.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::{BalanceResponse, OrdersResponse, PositionsResponse};
use kalshi_actor::kalshi::sign::Signer;
use rand::{Rng, SeedableRng};

use crate::support::{default_model, kalshi_actor, KillOnDrop};

/// The standalone simulator's printed endpoints and key.
struct Exchange {
    _sim: KillOnDrop,
    printed: BTreeMap<String, String>,
    key: String,
    rest: RestClient,
}

fn start_exchange(dir: &std::path::Path) -> Exchange {
    let (sim, printed) = crate::support::standalone_sim(dir, 3);
    let key = std::fs::read_to_string(&printed["private key"]).unwrap();
    let signer = std::sync::Arc::new(Signer::from_pem(printed["key id"].clone(), &key).unwrap());
    let rest = RestClient::new(printed["REST"].clone(), Some(signer), Duration::from_secs(10));
    Exchange { _sim: sim, printed, key, rest }
}

/// Starts `run` against the exchange; returns the child and its web address once its
/// executor is ready. Its log is drained on a thread (a full pipe would stall the service).
fn start_service(ex: &Exchange, dir: &std::path::Path, round: usize) -> (Child, String) {
    let mut child = kalshi_actor()
        .arg("run")
        .current_dir(dir)
        .env("RL_ACTOR_MODEL_ID", default_model())
        .env("KALSHI_ACTOR_EXCHANGE__MODE", "demo")
        .env("KALSHI_PAPER_TRADING_API_URL", &ex.printed["REST"])
        .env("KALSHI_PAPER_TRADING_WS_URL", &ex.printed["WebSocket"])
        .env("KALSHI_PAPER_TRADING_API_KEY_ID", &ex.printed["key id"])
        .env("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", &ex.key)
        .env("DATABASE_URL", format!("sqlite://{}", dir.join(format!("run{round}.sqlite")).display()))
        .env("RL_ACTOR_TARGET_MARKET_MODE", "all")
        .env("RL_ACTOR_TICK_THROTTLE_MS", "50")
        .env("RL_ACTOR_CONTRACT_SIZE", "1")
        // Resting orders too, so that runs die with orders on the book.
        .env("KALSHI_ACTOR_ACTOR__PRICING", "passive")
        .env("KALSHI_ACTOR_RISK__MAX_POSITION", "100000")
        .env("KALSHI_ACTOR_RISK__MAX_EXPOSURE", "100000")
        .env("KALSHI_ACTOR_RISK__MAX_DAILY_LOSS", "100000")
        .env("KALSHI_ACTOR_EXECUTOR__RECONCILE_INTERVAL", "1s")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The executor may be ready before or after the web server listens: wait for both.
        let (mut addr, mut ready, mut sent) = (None, false, false);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(a) = line.split("web server listening addr=").nth(1) {
                addr = Some(a.trim().to_owned());
            }
            ready |= line.contains("executor ready");
            if ready && !sent {
                if let Some(a) = addr.clone() {
                    sent = tx.send(a).is_ok();
                }
            }
            if line.contains("discrepancy") {
                eprintln!("round {round}: {line}");
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("executor ready and web server listening");
    (child, addr)
}

/// The running service's trading summary.
async fn status(addr: &str) -> serde_json::Value {
    let mut resp = awc::Client::default().get(format!("http://{addr}/rl/status")).send().await.unwrap();
    resp.json::<serde_json::Value>().await.unwrap()["trading"].clone()
}

/// A test read; the test shares the account's read budget with the service, so a 429 is
/// waited out.
async fn get<T: serde::de::DeserializeOwned>(rest: &RestClient, path: &str) -> T {
    for _ in 0..200 {
        match rest.get(path).await {
            Ok(v) => return v,
            Err(e) if e.is_retryable() => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("GET {path}: {e}"),
        }
    }
    panic!("GET {path}: rate limited for 10 s")
}

/// Every order of the account (all pages).
async fn orders(rest: &RestClient) -> Vec<kalshi_actor::kalshi::rest::Order> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: OrdersResponse = get(rest, &format!("/portfolio/orders?limit=1000&cursor={cursor}")).await;
        out.extend(page.orders);
        if page.cursor.is_empty() {
            return out;
        }
        cursor = page.cursor;
    }
}

#[actix_web::test]
async fn sigkill_at_random_moments_leaves_no_duplicates_and_positions_equal_the_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let ex = start_exchange(dir.path());
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    let mut prefixes = HashSet::new();
    // `make soak-restart` runs more rounds.
    let rounds: usize = std::env::var("KALSHI_ACTOR_RESTART_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    for round in 0..rounds {
        let (child, addr) = start_service(&ex, dir.path(), round);
        let mut child = KillOnDrop(child);
        // Every order a previous run left resting was canceled before this one traded.
        let left: Vec<_> = orders(&ex.rest)
            .await
            .into_iter()
            .filter(|o| o.status == kalshi_actor::kalshi::rest::OrderStatus::Resting)
            .filter(|o| prefixes.iter().any(|p: &String| o.client_order_id.starts_with(p.as_str())))
            .collect();
        assert!(left.is_empty(), "round {round}: orders of dead runs still resting: {left:?}");
        // Trade until this run has placed orders, then die at a random moment.
        let deadline = Instant::now() + Duration::from_secs(30);
        while status(&addr).await["requests"].as_u64().unwrap_or(0) < 2 {
            assert!(Instant::now() < deadline, "round {round}: no order placed");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        // The random moment (a stimulus, not a synchronization).
        actix_web::rt::time::sleep(Duration::from_millis(rng.gen_range(0..300))).await;
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        let before = prefixes.len();
        for o in orders(&ex.rest).await {
            if let Some((p, _)) = o.client_order_id.rsplit_once('-') {
                prefixes.insert(format!("{p}-"));
            }
        }
        // This run's orders all carry one prefix no earlier run used.
        assert!(prefixes.len() <= before + 1, "round {round}: one run used several client order id prefixes");
    }
    let all = orders(&ex.rest).await;
    let ids: HashSet<&str> = all.iter().map(|o| o.client_order_id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "a client order id was used twice");
    // Most runs got orders to the exchange (one killed before its first create reached the
    // wire leaves none), each under its own prefix (checked per round above).
    assert!(prefixes.len() >= rounds / 2, "runs with orders at the exchange: {}", prefixes.len());

    // A last run: once it has reconciled a few times, its state is the exchange's, with
    // nothing adopted (what it loaded at start was exact).
    let (child, addr) = start_service(&ex, dir.path(), 99);
    let mut child = KillOnDrop(child);
    let client = awc::Client::default();
    // Let it trade and reconcile a few times, then halt (cancel everything) and let it
    // reconcile twice more: nothing moves any more, so both sides must agree exactly.
    let deadline = Instant::now() + Duration::from_secs(30);
    while status(&addr).await["reconciliations"].as_u64().unwrap_or(0) < 3 {
        assert!(Instant::now() < deadline, "the last run never reconciled");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let resp = client.post(format!("http://{addr}/rl/actor/halt")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let at_halt = status(&addr).await["reconciliations"].as_u64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let summary = loop {
        assert!(Instant::now() < deadline, "no quiet state after the halt");
        let s = status(&addr).await;
        if s["live_orders"] == 0 && s["reconciliations"].as_u64().unwrap() >= at_halt + 2 {
            break s;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    // What the last run loaded at start was exact, and nothing it saw while trading differed
    // from the exchange (a read racing a fill or a cancel is not a discrepancy).
    assert_eq!(summary["discrepancies"], 0, "{summary}");
    assert!(summary["requests"].as_u64().unwrap() > 0, "the last run traded: {summary}");
    let positions: PositionsResponse = get(&ex.rest, "/portfolio/positions?limit=1000").await;
    let balance: BalanceResponse = get(&ex.rest, "/portfolio/balance").await;
    assert_eq!(summary["cash"], serde_json::json!(balance.balance_dollars), "{summary}");
    for p in &positions.market_positions {
        let ours = &summary["positions"][&p.ticker];
        assert_eq!(ours["position"], serde_json::json!(p.position_fp), "{}: {summary}", p.ticker);
        assert_eq!(ours["cost"], serde_json::json!(p.market_exposure_dollars), "{}: {summary}", p.ticker);
        assert_eq!(ours["fees"], serde_json::json!(p.fees_paid_dollars), "{}: {summary}", p.ticker);
    }
    let resting: Vec<_> = orders(&ex.rest)
        .await
        .into_iter()
        .filter(|o| o.status == kalshi_actor::kalshi::rest::OrderStatus::Resting)
        .collect();
    assert!(resting.is_empty(), "halt canceled everything: {resting:?}");
    std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(child.0.wait().unwrap().success());
}
