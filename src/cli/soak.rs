//! The end of a soak (`bench --faults`): halt trading, let the executor reconcile with the
//! exchange until it agrees, then gather what [`crate::bench::soak::verdict`] judges: the
//! faults the simulator injected, what the service detected, our orders and positions at the
//! exchange against the executor's.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::actors::messages::{HaltTrading, TradingSummary};
use crate::actors::order_executor::ReconcileNow;
use crate::app::Service;
use crate::bench::soak::SoakInputs;
use crate::domain::Count;
use crate::kalshi::client::RestClient;
use crate::kalshi::rest::{OrdersResponse, PositionsResponse};
use crate::sim::server::SimStats;

/// Retries `f` (the simulator keeps injecting 429s and 503s) for up to 30 s.
async fn retried<T, F, Fut>(what: &str, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let started = Instant::now();
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                return Err(e.context(format!("{what} kept failing")))
            }
            Err(_) => actix_web::rt::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn summary(service: &Service) -> anyhow::Result<TradingSummary> {
    service.trading.control().summary.send(crate::actors::messages::GetTradingSummary).await.context("executor gone")
}

/// Halts trading and waits until nothing of ours rests and two reconciliations ran after.
async fn quiesce(service: &Service) -> anyhow::Result<()> {
    service.trading.executor.do_send(HaltTrading { reason: "soak end".into() });
    let deadline = Instant::now() + Duration::from_secs(60);
    while summary(service).await?.live_orders > 0 {
        if Instant::now() > deadline {
            bail!("orders still resting 60 s after the halt");
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // A mismatch counts only when seen twice in a row, and a reconciliation that hit an
    // injected failure is retried: ask until three more completed.
    let start = summary(service).await?.reconciliations;
    while summary(service).await?.reconciliations < start + 3 {
        if Instant::now() > deadline {
            bail!("the executor could not reconcile with the exchange within 60 s of the halt");
        }
        service.trading.executor.do_send(ReconcileNow);
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}

/// Every order of ours at the exchange, by client order id.
async fn exchange_orders(rest: &RestClient) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut by_coid = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/portfolio/orders?limit=1000&cursor={cursor}");
        let page: OrdersResponse = retried("listing orders", || async { Ok(rest.get(&path).await?) }).await?;
        for o in &page.orders {
            *by_coid.entry(o.client_order_id.clone()).or_insert(0) += 1;
        }
        if page.cursor.is_empty() || page.orders.is_empty() {
            return Ok(by_coid);
        }
        cursor = page.cursor;
    }
}

/// Markets whose position differs between the executor and the exchange.
async fn mismatches(rest: &RestClient, ours: &TradingSummary) -> anyhow::Result<Vec<String>> {
    let theirs: PositionsResponse =
        retried("reading positions", || async { Ok(rest.get("/portfolio/positions?limit=1000").await?) }).await?;
    let mut at_exchange: BTreeMap<&str, Count> = BTreeMap::new();
    for p in &theirs.market_positions {
        at_exchange.insert(&p.ticker, p.position_fp);
    }
    let mut markets: Vec<&str> = at_exchange.keys().copied().collect();
    markets.extend(ours.positions.keys().map(String::as_str));
    markets.sort_unstable();
    markets.dedup();
    Ok(markets
        .into_iter()
        .filter_map(|m| {
            let here = ours.positions.get(m).map_or(Count::ZERO, |p| p.position);
            let there = at_exchange.get(m).copied().unwrap_or(Count::ZERO);
            (here != there).then(|| format!("{m}: {} here, {} at the exchange", here.format(), there.format()))
        })
        .collect())
}

/// The simulator's own counters (`GET /sim/stats`, beside the REST root).
async fn sim_stats(rest_url: &str) -> anyhow::Result<SimStats> {
    let root = rest_url.trim_end_matches("/trade-api/v2");
    let url = format!("{root}/sim/stats");
    let mut res = awc::Client::new().get(&url).send().await.map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    res.json::<SimStats>().await.map_err(|e| anyhow::anyhow!("{url}: {e}"))
}

/// Quiesces the service and gathers the verdict's inputs; `rss_start_mb` was read after the
/// warm-up.
pub async fn gather(service: &Service, rss_start_mb: f64, rss_end_mb: f64) -> anyhow::Result<SoakInputs> {
    quiesce(service).await?;
    let rest = RestClient::new(
        service.exchange.rest_url.clone(),
        Some(service.exchange.signer.clone()),
        Duration::from_secs(10),
    );
    let ours = summary(service).await?;
    let position_mismatches = mismatches(&rest, &ours).await?;
    let exchange_orders = exchange_orders(&rest).await?;
    let stats = retried("reading /sim/stats", || sim_stats(&service.exchange.rest_url)).await?;
    // The simulator keeps disconnecting during the checks (every 45 s and at random), and
    // every book waits for its snapshot for a moment after each reconnection: the feed is
    // judged on the first sample that is connected with every book fresh, within a minute.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let s = loop {
        let s = crate::actors::probe::sample(
            Some(&service.probes),
            &service.trading.control().summary,
            Duration::from_secs(5),
        )
        .await;
        let fresh =
            s.feed.as_ref().is_some_and(|(_, c)| c.connected) && s.stale_markets.as_ref().is_some_and(|m| m.is_empty());
        if fresh || std::time::Instant::now() > deadline {
            break s;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    };
    let (feed, conn) = s.feed.clone().context("the feed did not answer")?;
    let keeper_restarts = s.keeper.as_ref().map_or(0, |(_, r)| *r);
    Ok(SoakInputs {
        injected: stats.faults,
        rate_limited: stats.rate_limited,
        restarts: conn.restarts + keeper_restarts,
        feed,
        connects: conn.connects,
        connected: conn.connected,
        stale_markets: s.stale_markets.map_or(usize::MAX, |m| m.len()),
        exchange_orders,
        creates: ours.creates,
        position_mismatches,
        rss_start_mb,
        rss_end_mb,
    })
}
