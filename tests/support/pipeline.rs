//! Running the market-data pipeline against a test simulator, configured the way `demo`
//! mode is (URLs and credentials from the seed's environment names), and comparing its
//! books with the exchange's.

use std::time::Duration;

use actix::Actor;
use kalshi_actor::actors::messages::{GetBook, RecordEnqueued, StreamMarked, StreamMarker};
use kalshi_actor::actors::persister::AckTargets;
use kalshi_actor::app::{self, Pipeline};
use kalshi_actor::book::{BookSnapshot, SyncState};
use kalshi_actor::config::{Config, FileLayer};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::{Market, OrderbookResponse};
use kalshi_actor::sim::config::SimConfig;
use kalshi_actor::sim::flow::FlowConfig;

use super::sim::TestSim;
use super::wait_until;

/// Long enough for anything on loopback.
pub const WAIT: Duration = Duration::from_secs(10);

/// A configuration in `demo` mode pointing at `sim`, as the seed's variables would set it.
pub fn demo_config(sim: &TestSim, db: &str, tickers: &[String]) -> Config {
    let env = [
        ("RL_MARKET_MODE", "config".to_owned()),
        ("RL_MARKET_TICKERS", tickers.join(",")),
        ("KALSHI_ACTOR_EXCHANGE__MODE", "demo".to_owned()),
        ("KALSHI_PAPER_TRADING_API_URL", sim.handle.rest_url.clone()),
        ("KALSHI_PAPER_TRADING_WS_URL", sim.handle.ws_url.clone()),
        ("KALSHI_PAPER_TRADING_API_KEY_ID", sim.users[0].key_id.clone()),
        ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", sim.users[0].private_pem.clone()),
        ("DATABASE_URL", db.to_owned()),
    ];
    Config::load_from(FileLayer::None, env.into_iter().map(|(k, v)| (k.to_owned(), v))).unwrap()
}

/// YES bids and NO bids as `(price, size)` strings, best first.
pub type Sides = (Vec<(String, String)>, Vec<(String, String)>);

/// The exchange's book of `ticker` in our snapshot form (best first, NO in NO terms).
pub async fn exchange_book(rest: &RestClient, ticker: &str) -> Sides {
    let ob: OrderbookResponse = rest.get(&format!("/markets/{ticker}/orderbook")).await.unwrap();
    let side = |levels: &[kalshi_actor::kalshi::rest::OrderbookLevel]| {
        levels.iter().rev().map(|l| (l.price.format(), l.count.format())).collect::<Vec<_>>()
    };
    (side(&ob.orderbook_fp.yes_dollars), side(&ob.orderbook_fp.no_dollars))
}

/// Our book in the same form.
pub fn ours(b: &BookSnapshot) -> Sides {
    let side =
        |levels: &[kalshi_actor::book::Level]| levels.iter().map(|l| (l.price.format(), l.size.format())).collect();
    (side(&b.yes_bids), side(&b.no_bids))
}

/// A simulator with synthetic flow stepped by hand, and the pipeline recording from it.
pub struct Running {
    pub sim: TestSim,
    pub tickers: Vec<String>,
    pub rest: RestClient,
    pub markets: Vec<Market>,
    pub p: Pipeline,
    pub db: String,
    /// The Observer and Policy, when started with them.
    pub trading: Option<app::Trading>,
    /// The OrderExecutor alone, when started with it.
    pub executor: Option<actix::Addr<kalshi_actor::actors::order_executor::OrderExecutor>>,
    /// Its in-place decision entry (what the Policy's decider calls).
    pub link: Option<kalshi_actor::actors::order_executor::ExecutorLink>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Starts both on `markets` markets; `db` defaults to a fresh SQLite file.
    pub async fn start(
        markets: usize,
        db: Option<&str>,
        sim_config: impl FnOnce(&mut SimConfig),
        config: impl FnOnce(&mut Config),
        observer: Option<AckTargets>,
    ) -> Running {
        Running::start_inner(markets, db, sim_config, config, observer.map_or(Chain::None, Chain::Probe)).await
    }

    /// Starts both, plus the Observer and the Policy (`app::start_trading`) on the
    /// acknowledgements.
    pub async fn start_trading(markets: usize, config: impl FnOnce(&mut Config)) -> Running {
        Running::start_inner(markets, None, |_| {}, config, Chain::Trading).await
    }

    /// Starts both, plus an OrderExecutor (no observer or policy: tests send it actions).
    pub async fn start_executor(
        markets: usize,
        sim_config: impl FnOnce(&mut SimConfig),
        config: impl FnOnce(&mut Config),
    ) -> Running {
        Running::start_inner(markets, None, sim_config, config, Chain::Executor).await
    }

    async fn start_inner(
        markets: usize,
        db: Option<&str>,
        sim_config: impl FnOnce(&mut SimConfig),
        config: impl FnOnce(&mut Config),
        chain: Chain,
    ) -> Running {
        let sim = TestSim::start(1, |c| {
            c.flow = Some(FlowConfig::default());
            c.flow_tick = None;
            sim_config(c);
        });
        let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(markets).collect();
        let dir = tempfile::tempdir().unwrap();
        let db = db.map_or_else(|| format!("sqlite://{}", dir.path().join("k.sqlite").display()), str::to_owned);
        let mut cfg = demo_config(&sim, &db, &tickers);
        config(&mut cfg);
        let exchange = app::exchange(&cfg).unwrap();
        assert!(exchange.sim.is_none(), "demo mode starts no simulator");
        let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
        let markets = app::select_markets(&cfg, &rest).await.unwrap();
        assert_eq!(markets.iter().map(|m| m.ticker.clone()).collect::<Vec<_>>(), tickers);
        let (mut executor, mut link) = (None, None);
        let (observer, trading) = match chain {
            Chain::None => (None, None),
            Chain::Probe(t) => (Some(t), None),
            Chain::Executor => {
                let (e, l) = app::start_executor_linked(&cfg, &exchange, &markets);
                (executor, link) = (Some(e), Some(l));
                (None, None)
            }
            Chain::Trading => {
                if cfg.actor.model == kalshi_actor::policy::load::DEFAULT_MODEL {
                    cfg.actor.model = super::default_model();
                }
                let model = app::load_model(&cfg).unwrap();
                let t = app::start_trading(&cfg, &exchange, &markets, &model).unwrap();
                (Some(t.acks()), Some(t))
            }
        };
        let private = trading.as_ref().map(|t| t.private()).or_else(|| {
            executor.as_ref().map(|e| app::PrivateOutputs {
                fills: e.clone().recipient(),
                orders: e.clone().recipient(),
                fill_channel: e.clone().recipient(),
            })
        });
        let p = app::start_pipeline(&cfg, &exchange, rest.clone(), &markets, observer, private).await.unwrap();
        if let Some(t) = &trading {
            t.connect(&p, None);
        }
        if let Some(e) = &executor {
            e.do_send(kalshi_actor::actors::order_executor::ConnectExecutorOutputs(
                kalshi_actor::actors::order_executor::ExecutorOutputs {
                    persist: Some(p.persister.clone().recipient()),
                    ..Default::default()
                },
            ));
        }
        Running { sim, tickers, rest, markets, p, db, trading, executor, link, _dir: dir }
    }

    /// Runs `n` flow steps, numbered from `from`.
    pub fn step(&self, from: i64, n: i64) {
        for i in from..from + n {
            self.sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
        }
    }

    /// Waits until every book is synced and equal to the exchange's; returns them.
    pub async fn books_equal(&self, what: &str) -> Vec<BookSnapshot> {
        let (keeper, tickers, rest) = (self.p.keeper.clone(), self.tickers.clone(), self.rest.clone());
        wait_until(WAIT, what, || {
            let (keeper, tickers, rest) = (keeper.clone(), tickers.clone(), rest.clone());
            async move {
                let mut books = Vec::new();
                for t in &tickers {
                    let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                    if b.state != SyncState::Synced || ours(&b) != exchange_book(&rest, t).await {
                        return None;
                    }
                    books.push(b);
                }
                Some(books)
            }
        })
        .await
    }
}

enum Chain {
    None,
    Probe(AckTargets),
    Trading,
    Executor,
}

/// Counts the Persister's acknowledgements and stream markers, as the Observer receives
/// them, and checks their order: a record never follows a boundary that covers its ms.
#[derive(Default)]
pub struct AckProbe {
    acks: u64,
    through: i64,
    boundaries: u64,
    stale_markers: u64,
    out_of_order: u64,
}

impl AckProbe {
    /// A started probe.
    pub fn started() -> actix::Addr<AckProbe> {
        AckProbe::default().start()
    }

    /// The probe as the Persister's acknowledgement targets.
    pub fn targets(probe: &actix::Addr<AckProbe>) -> AckTargets {
        AckTargets { records: probe.clone().recipient(), markers: probe.clone().recipient() }
    }
}

impl Actor for AckProbe {
    type Context = actix::Context<Self>;
}

impl actix::Handler<RecordEnqueued> for AckProbe {
    type Result = ();
    fn handle(&mut self, msg: RecordEnqueued, _: &mut Self::Context) {
        self.acks += 1;
        if self.boundaries > 0 && msg.record.recv_ms() <= self.through {
            self.out_of_order += 1;
        }
    }
}

impl actix::Handler<StreamMarked> for AckProbe {
    type Result = ();
    fn handle(&mut self, msg: StreamMarked, _: &mut Self::Context) {
        match msg.marker {
            StreamMarker::Through { ms } => {
                self.boundaries += 1;
                self.through = self.through.max(ms);
            }
            StreamMarker::Stale { .. } => self.stale_markers += 1,
        }
    }
}

/// How many acknowledgements the probe saw.
#[derive(actix::Message)]
#[rtype(result = "u64")]
pub struct Acks;

impl actix::Handler<Acks> for AckProbe {
    type Result = u64;
    fn handle(&mut self, _: Acks, _: &mut Self::Context) -> u64 {
        self.acks
    }
}

/// (boundaries, stale markers, records that came after a boundary covering them).
#[derive(actix::Message)]
#[rtype(result = "(u64, u64, u64)")]
pub struct Markers;

impl actix::Handler<Markers> for AckProbe {
    type Result = actix::MessageResult<Markers>;
    fn handle(&mut self, _: Markers, _: &mut Self::Context) -> Self::Result {
        actix::MessageResult((self.boundaries, self.stale_markers, self.out_of_order))
    }
}
