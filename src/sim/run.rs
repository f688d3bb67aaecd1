//! Starting the simulator: markets, accounts and keys, the HTTP/WS server on a pre-bound
//! listener, and the flow driver. Used by `kalshi-actor sim`, by the service in
//! `exchange.mode = "sim"`, and by tests (port 0).

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use anyhow::Context;

use super::auth::KeyRegistry;
use super::catalog::default_markets;
use super::config::SimConfig;
use super::engine::Engine;
use super::faults::FaultInjector;
use super::flow::Flow;
use super::hub::Hub;
use super::ratelimit::RateLimiter;
use super::server::{self, now_ms, Sim, SimState};
use crate::domain::Money;
use crate::kalshi::sign;

/// A running simulator.
pub struct SimHandle {
    /// REST root, e.g. `http://127.0.0.1:PORT/trade-api/v2`.
    pub rest_url: String,
    /// WebSocket URL, e.g. `ws://127.0.0.1:PORT/trade-api/ws/v2`.
    pub ws_url: String,
    /// Key ids registered, first is the one generated or found first.
    pub key_ids: Vec<String>,
    /// Private key of the first account, when the simulator generated it or found it.
    pub private_key_path: Option<PathBuf>,
    /// The shared state (tests drive flow and inspect accounts through it).
    pub sim: Arc<Sim>,
    server: actix_web::dev::ServerHandle,
    halt: Arc<std::sync::atomic::AtomicBool>,
}

impl SimHandle {
    /// Stops the driver and the server gracefully.
    pub async fn stop(self) {
        self.halt.store(true, std::sync::atomic::Ordering::Relaxed);
        self.server.stop(true).await;
    }
}

/// Cash for the flow's market makers and takers: enough never to run dry.
const FLOW_CASH: Money = Money::from_cents(10_000_000_000);

/// Registers the keys in `dir`, generating a pair there when it has none.
fn load_or_create_keys(
    dir: &std::path::Path,
    registry: &mut KeyRegistry,
) -> anyhow::Result<(Vec<String>, Option<PathBuf>)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut ids = registry.register_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let private = dir.join("private_key.pem");
    if ids.is_empty() {
        let pair = sign::generate_key_pair(2048).context("key generation failed")?;
        crate::cli::write_private(&private, &pair.private_pem)?;
        std::fs::write(dir.join("public_key.pem"), &pair.public_pem)?;
        std::fs::write(dir.join("key_id"), format!("{}\n", pair.key_id))?;
        ids.push(registry.register_pem(&pair.public_pem)?);
    }
    Ok((ids, private.exists().then_some(private)))
}

/// Starts the simulator on `listener`; must run inside an actix system.
pub fn start(listener: TcpListener, config: SimConfig) -> anyhow::Result<SimHandle> {
    let addr = listener.local_addr()?;
    let mut registry = KeyRegistry::new(config.skew);
    let (key_ids, private_key_path) = load_or_create_keys(&config.accounts_dir, &mut registry)?;

    let mut engine = Engine::new(config.engine.clone());
    let catalog = default_markets(&config.catalog);
    for m in &catalog {
        engine.add_market(m.spec.clone()).map_err(|e| anyhow::anyhow!("market {}: {e}", m.spec.ticker))?;
    }
    for id in &key_ids {
        engine.open_account(id, config.starting_cash);
    }
    let flow = config.flow.clone().map(|mut f| {
        f.seed = config.seed;
        Flow::new(f, &catalog)
    });
    if let Some(flow) = &flow {
        for account in flow.accounts() {
            engine.open_account(&account, FLOW_CASH);
        }
    }
    let hub = Hub::new(FaultInjector::new(config.faults.clone(), config.seed));
    let limiter = RateLimiter::new(config.read_limit, config.write_limit);
    let tick = config.flow_tick;
    let sim = Sim::new(SimState::new(engine, hub, registry, limiter, catalog, flow), config);

    let data = web::Data::new(sim.clone());
    let http = HttpServer::new(move || App::new().app_data(data.clone()).configure(server::configure))
        .workers(1)
        .disable_signals()
        // Open WebSockets would otherwise hold a graceful stop for 30 s.
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
    let handle = http.handle();
    actix_web::rt::spawn(http);
    // The driver: synthetic flow, order expiry and the market lifecycle schedule.
    let halt = Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Some(tick) = tick {
        let driver = sim.clone();
        let halted = halt.clone();
        actix_web::rt::spawn(async move {
            let mut every = actix_web::rt::time::interval(tick);
            while !halted.load(std::sync::atomic::Ordering::Relaxed) {
                every.tick().await;
                driver.lock().step(now_ms());
            }
        });
    }
    Ok(SimHandle {
        rest_url: format!("http://{addr}/trade-api/v2"),
        ws_url: format!("ws://{addr}/trade-api/ws/v2"),
        key_ids,
        private_key_path,
        sim,
        server: handle,
        halt,
    })
}
