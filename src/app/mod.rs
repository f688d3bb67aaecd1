//! The service's wiring: everything `kalshi-actor run` starts, in one place.
//!
//! In `sim` mode with no URL configured it first starts the embedded Kalshi simulator on a
//! loopback port. Then: connect and migrate the database, choose the markets (configured
//! list or discovery), and start the market-data pipeline MarketFeed → BookKeeper →
//! Persister, each under a supervisor, the Persister on its own arbiter. Ctrl-C flushes the
//! buffer, closes the session row and stops.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix::{Addr, Arbiter, Supervisor};
use anyhow::{bail, Context};

use crate::actors::book_keeper::{BookKeeper, ConnectFeed};
use crate::actors::market_feed::{FeedOutputs, MarketFeed};
use crate::actors::messages::{FillReceived, OrderUpdated};
use crate::actors::persister::{AckTargets, ConnectSnapshots, OpenSession, Persister};
use crate::book::{NoPricing, PriceBand, TickGrid};
use crate::config::{Config, ExchangeMode, MarketMode};
use crate::feed::{discovery, FeedCore};
use crate::kalshi::client::RestClient;
use crate::kalshi::rest::{Market, MarketsResponse};
use crate::kalshi::sign::Signer;
use crate::persist::WriteBuffer;
use crate::sim::config::SimConfig;
use crate::sim::run::SimHandle;

mod service;
mod trading;

pub use service::{run, start, Service};
pub use trading::{load_model, start_executor, start_executor_linked, start_trading, Trading, MODEL_DIR};

/// Where the embedded simulator keeps its generated API key.
pub const SIM_ACCOUNTS_DIR: &str = "data/sim-accounts";

/// Kalshi's demo endpoints, used when `demo` mode names no URL.
const DEMO_REST: &str = "https://external-api.demo.kalshi.co/trade-api/v2";
const DEMO_WS: &str = "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2";
const PROD_REST: &str = "https://external-api.kalshi.com/trade-api/v2";
const PROD_WS: &str = "wss://external-api-ws.kalshi.com/trade-api/ws/v2";

/// The exchange the service talks to.
pub struct Exchange {
    /// REST root.
    pub rest_url: String,
    /// WebSocket URL.
    pub ws_url: String,
    /// Request signer.
    pub signer: Arc<Signer>,
    /// The embedded simulator, when the service started one.
    pub sim: Option<SimHandle>,
}

/// Resolves endpoints and credentials, starting the embedded simulator in plain sim mode.
pub fn exchange(config: &Config) -> anyhow::Result<Exchange> {
    exchange_with(config, None)
}

/// [`exchange`], with the embedded simulator's configuration given (`bench` sets its load);
/// `None`: the defaults with `exchange.sim_seed`.
pub fn exchange_with(config: &Config, sim: Option<SimConfig>) -> anyhow::Result<Exchange> {
    let ex = &config.exchange;
    if ex.mode == ExchangeMode::Sim && ex.api_url.is_empty() {
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port for the simulator")?;
        let sim = sim.unwrap_or_else(|| SimConfig {
            accounts_dir: PathBuf::from(SIM_ACCOUNTS_DIR),
            seed: ex.sim_seed,
            ..SimConfig::default()
        });
        let handle = crate::sim::run::start(listener, sim)?;
        let key_path = handle.private_key_path.clone().context("the simulator has no private key to trade with")?;
        let pem = std::fs::read_to_string(&key_path).with_context(|| format!("cannot read {}", key_path.display()))?;
        let key_id = handle.key_ids.first().cloned().context("the simulator registered no key")?;
        let signer = Arc::new(Signer::from_pem(key_id, &pem)?);
        return Ok(Exchange {
            rest_url: handle.rest_url.clone(),
            ws_url: handle.ws_url.clone(),
            signer,
            sim: Some(handle),
        });
    }
    let (rest_default, ws_default) = match ex.mode {
        ExchangeMode::Prod => (PROD_REST, PROD_WS),
        _ => (DEMO_REST, DEMO_WS),
    };
    let pick = |url: &str, default: &str| if url.is_empty() { default.to_owned() } else { url.to_owned() };
    let (Some(key_id), Some(key)) = (ex.key_id.expose(), ex.private_key.expose()) else {
        bail!("exchange.key_id and exchange.private_key are required outside the embedded simulator");
    };
    let signer = Arc::new(Signer::from_key_content(key_id, key).context("cannot load the private key")?);
    Ok(Exchange { rest_url: pick(&ex.api_url, rest_default), ws_url: pick(&ex.ws_url, ws_default), signer, sim: None })
}

/// The markets to subscribe, with their listings (for price grids).
pub async fn select_markets(config: &Config, rest: &RestClient) -> anyhow::Result<Vec<Market>> {
    let feed = &config.feed;
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let mut path = String::from("/markets?limit=1000");
        match feed.market_mode {
            MarketMode::Config => path.push_str(&format!("&tickers={}", feed.market_tickers.join(","))),
            MarketMode::Discovery => path.push_str("&status=open"),
        }
        if !cursor.is_empty() {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page: MarketsResponse = rest.get(&path).await.context("cannot list markets")?;
        all.extend(page.markets);
        if page.cursor.is_empty() {
            break;
        }
        cursor = page.cursor;
    }
    let chosen: Vec<String> = match feed.market_mode {
        MarketMode::Config => {
            let missing: Vec<&String> =
                feed.market_tickers.iter().filter(|t| !all.iter().any(|m| &m.ticker == *t)).collect();
            if !missing.is_empty() {
                bail!("configured markets not listed by the exchange: {missing:?}");
            }
            feed.market_tickers.clone()
        }
        MarketMode::Discovery => discovery::rank(&all, feed.market_limit as usize),
    };
    if chosen.is_empty() {
        bail!("no open market to subscribe");
    }
    let mut by_ticker: BTreeMap<String, Market> = all.into_iter().map(|m| (m.ticker.clone(), m)).collect();
    Ok(chosen.iter().filter_map(|t| by_ticker.remove(t)).collect())
}

/// A market's grid from its listing (the full $0.0001 grid when it lists none).
///
/// Markets listing the same price bands share one grid, across every actor that asks: a
/// grid indexes every centi-cent (20 KB), and 100 markets in three actors held 6 MB of
/// identical copies.
pub fn grid_of(m: &Market) -> Arc<TickGrid> {
    type Grids = std::collections::HashMap<Vec<PriceBand>, Arc<TickGrid>>;
    static GRIDS: std::sync::OnceLock<std::sync::Mutex<Grids>> = std::sync::OnceLock::new();
    let bands: Vec<PriceBand> =
        m.price_ranges.iter().map(|r| PriceBand { start: r.start, end: r.end, step: r.step }).collect();
    let mut grids = GRIDS.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let grid = grids.get(&bands).cloned();
    grid.unwrap_or_else(|| {
        let grid = TickGrid::from_bands(&bands).map(Arc::new).unwrap_or_else(|_| TickGrid::centi_cent());
        grids.insert(bands, grid.clone());
        grid
    })
}

/// The running pipeline.
pub struct Pipeline {
    /// The feed.
    pub feed: Addr<MarketFeed>,
    /// The books.
    pub keeper: Addr<BookKeeper>,
    /// The database writer.
    pub persister: Addr<Persister>,
    /// Session row id.
    pub session: i64,
    /// Markets subscribed.
    pub markets: Vec<String>,
}

/// Where the feed sends our fills and order updates (the OrderExecutor).
#[derive(Clone)]
pub struct PrivateOutputs {
    /// Fills.
    pub fills: actix::Recipient<FillReceived>,
    /// Order updates.
    pub orders: actix::Recipient<OrderUpdated>,
    /// The `fill` channel subscribed.
    pub fill_channel: actix::Recipient<crate::actors::messages::FillChannelOpened>,
}

/// Starts MarketFeed → BookKeeper → Persister for `markets`; acknowledgements and stream
/// markers go to `observer` (the trading chain's trigger), our fills and order updates to
/// `private`.
pub async fn start_pipeline(
    config: &Config,
    exchange: &Exchange,
    rest: RestClient,
    markets: &[Market],
    observer: Option<AckTargets>,
    private: Option<PrivateOutputs>,
) -> anyhow::Result<Pipeline> {
    let tickers: Vec<String> = markets.iter().map(|m| m.ticker.clone()).collect();
    let capture = match config.feed.capture_path.as_str() {
        "" => None,
        path => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open capture file {path}"))?,
        ),
    };

    let pc = &config.persister;
    let buffer = WriteBuffer::new(pc.buffer_capacity as usize, pc.batch_size as usize);
    let flush_every = pc.flush_interval;
    let persister =
        Supervisor::start_in_arbiter(&Arbiter::new().handle(), move |_| Persister::new(buffer, flush_every, observer));
    let open = OpenSession {
        url: pc.database_url.expose().to_owned(),
        ws_url: exchange.ws_url.clone(),
        markets: tickers.clone(),
    };
    let session = persister
        .send(open)
        .await
        .context("persister gone")?
        .map_err(|e| anyhow::anyhow!("{e} ({})", pc.database_url.redacted()))?;
    let grids: Vec<_> = markets.iter().map(|m| (m.ticker.clone(), grid_of(m))).collect();
    let (persist, markers) = (persister.clone().recipient(), Some(persister.clone().recipient()));
    let keeper = Supervisor::start(move |_| BookKeeper::new(grids, persist, markers));
    let pricing = if config.exchange.use_yes_price { NoPricing::YesLeg } else { NoPricing::NoLeg };
    let outputs = FeedOutputs {
        books: keeper.clone().recipient(),
        stale: keeper.clone().recipient(),
        fills: private.as_ref().map(|p| p.fills.clone()),
        fill_channel: private.as_ref().map(|p| p.fill_channel.clone()),
        orders: private.map(|p| p.orders),
    };
    // Our fills and order updates ride the same socket when trading is enabled.
    let feed_core = FeedCore::new(tickers.clone(), pricing, config.actor.enabled);
    let ws_url = exchange.ws_url.clone();
    let stall = config.feed.stall_timeout;
    let feed = Supervisor::start(move |_| MarketFeed::new(feed_core, rest, ws_url, outputs, stall, capture));
    keeper.do_send(ConnectFeed(feed.clone().recipient()));
    persister.do_send(ConnectSnapshots(feed.clone().recipient()));
    Ok(Pipeline { feed, keeper, persister, session, markets: tickers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Price;

    fn market(ticker: &str, step_cents: u16) -> Market {
        let mut m = crate::kalshi::rest::markets::fixture_market(ticker);
        let cents = |c: u16| Price::from_cents(c).unwrap();
        m.price_ranges =
            vec![crate::kalshi::rest::PriceRange { start: cents(0), end: cents(100), step: cents(step_cents) }];
        m
    }

    #[test]
    fn markets_with_the_same_bands_share_one_grid() {
        let (a, b, c) = (grid_of(&market("A", 1)), grid_of(&market("B", 1)), grid_of(&market("C", 5)));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        let cents = |c: u16| Price::from_cents(c).unwrap();
        let band = crate::book::PriceBand { start: cents(0), end: cents(100), step: cents(1) };
        assert_eq!(*a, TickGrid::from_bands(&[band]).unwrap());
    }
}
