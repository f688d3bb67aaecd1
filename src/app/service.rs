//! The whole service as one value: [`start`] brings up everything `kalshi-actor run` runs
//! (exchange or embedded simulator, pipeline, trading chain, broadcaster, web server) and
//! returns a [`Service`]; [`Service::stop`] flushes the database and stops it. [`run`] is
//! start, wait for Ctrl-C or SIGTERM, stop; `bench` is start, measure, stop.

use std::net::TcpListener;
use std::time::Duration;

use actix::Addr;
use anyhow::Context;
use tracing::info;

use super::{exchange_with, select_markets, start_pipeline, start_trading, Exchange, Pipeline, Trading};
use crate::actors::broadcaster::Broadcaster;
use crate::actors::market_feed::GetFeedCounters;
use crate::actors::observer::GetObserverCounters;
use crate::actors::order_executor::GetExecutorStats;
use crate::actors::persister::FlushAndClose;
use crate::actors::policy::GetPolicyStats;
use crate::actors::probe::Probes;
use crate::config::Config;
use crate::kalshi::client::RestClient;
use crate::sim::config::SimConfig;
use crate::storage::SessionCounters;

/// The running service.
pub struct Service {
    /// The exchange it talks to (and the embedded simulator, if any).
    pub exchange: Exchange,
    /// MarketFeed → BookKeeper → Persister.
    pub pipeline: Pipeline,
    /// Observer → Policy → OrderExecutor.
    pub trading: Trading,
    /// Every actor, for probes.
    pub probes: Probes,
    /// The dashboard feed.
    pub broadcaster: Addr<Broadcaster>,
    /// Model id.
    pub model: String,
    /// The web server.
    pub web: crate::web::WebHandle,
    report: actix_web::rt::task::JoinHandle<()>,
}

/// Starts the service; `sim` replaces the embedded simulator's default configuration.
pub async fn start(config: &Config, sim: Option<SimConfig>) -> anyhow::Result<Service> {
    let model = super::load_model(config)?;
    let exchange = exchange_with(config, sim)?;
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = select_markets(config, &rest).await?;
    let listener = TcpListener::bind(&config.web.listen)
        .with_context(|| format!("cannot listen on web.listen = {}", config.web.listen))?;
    let trading = start_trading(config, &exchange, &markets, &model)?;
    let pipeline =
        start_pipeline(config, &exchange, rest, &markets, Some(trading.acks()), Some(trading.private())).await?;
    let connection = serde_json::json!({
        "markets": pipeline.markets,
        "mode": format!("{:?}", config.exchange.mode).to_lowercase(),
        "model": model.id,
        "version": env!("CARGO_PKG_VERSION"),
        "dry_run": !config.actor.enabled,
    });
    let broadcaster = crate::actors::broadcaster::start(connection);
    trading.connect(&pipeline, Some(&broadcaster));
    let token = config.web.control_token.expose().map(str::to_owned);
    let probes = Probes {
        feed: pipeline.feed.clone(),
        keeper: pipeline.keeper.clone(),
        persister: pipeline.persister.clone(),
        observer: trading.observer.clone(),
        policy: trading.policy.clone(),
    };
    broadcaster.do_send(crate::actors::broadcaster::SetProbes {
        probes: Some(probes.clone()),
        summary: trading.control().summary,
    });
    let dashboard = Some(std::path::PathBuf::from(&config.web.dashboard_dir));
    let web = crate::web::start(
        listener,
        token,
        trading.control(),
        Some(probes.clone()),
        Some(broadcaster.clone()),
        dashboard,
    )?;
    info!(
        rest = %exchange.rest_url,
        ws = %exchange.ws_url,
        database = %config.persister.database_url.redacted(),
        capture = %config.feed.capture_path,
        markets = pipeline.markets.len(),
        session = pipeline.session,
        model = %model.id,
        web = %config.web.listen,
        dry_run = !config.actor.enabled,
        "service running; Ctrl-C stops it"
    );
    let report = actix_web::rt::spawn(report_every(trading.clone(), Duration::from_secs(30)));
    Ok(Service { exchange, pipeline, trading, probes, broadcaster, model: model.id, web, report })
}

impl Service {
    /// Stops the web server, flushes every accepted record, closes the session row and
    /// stops the embedded simulator.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.report.abort();
        self.web.stop().await;
        let feed = self.pipeline.feed.send(GetFeedCounters).await.ok();
        let counters = SessionCounters {
            dropped: 0,
            gaps: feed.as_ref().map_or(0, |(f, _)| f.gaps),
            reconnects: feed.as_ref().map_or(0, |(_, c)| c.connects.saturating_sub(1)),
        };
        let flushed = self
            .pipeline
            .persister
            .send(FlushAndClose { deadline: Duration::from_secs(10), counters })
            .await
            .context("persister gone before the final flush")?;
        info!(written = flushed.written, dropped = flushed.dropped, "stopped");
        if let Some(sim) = self.exchange.sim {
            sim.stop().await;
        }
        Ok(())
    }
}

/// Runs the service until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let service = start(&config, None).await?;
    shutdown_signal().await?;
    service.stop().await
}

/// Logs what the observer and the policy did, every `every`.
async fn report_every(t: Trading, every: Duration) {
    let mut tick = actix_web::rt::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (Ok((o, targets)), Ok(p), Ok(e)) = (
            t.observer.send(GetObserverCounters).await,
            t.policy.send(GetPolicyStats).await,
            t.executor.send(GetExecutorStats).await,
        ) else {
            return;
        };
        info!(
            ?targets,
            observations = o.observations,
            skipped = ?o.skipped,
            decisions = p.decisions,
            by_action = ?p.by_action,
            inference_p50_us = p.inference_p50_us.unwrap_or(0.0),
            requests = e.requests,
            fills = e.fills,
            cash = %e.cash.format(),
            halted = e.halted.as_deref().unwrap_or("no"),
            "trading chain"
        );
    }
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = actix_web::rt::signal::unix::signal(actix_web::rt::signal::unix::SignalKind::terminate())
            .context("cannot listen for SIGTERM")?;
        futures_util::future::select(Box::pin(actix_web::rt::signal::ctrl_c()), Box::pin(term.recv())).await;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        actix_web::rt::signal::ctrl_c().await.context("cannot wait for Ctrl-C")
    }
}
