//! The service's wiring: everything `kalshi-actor run` starts, in one place.
//!
//! Today that is the exchange: in `sim` mode with no URL configured, the embedded Kalshi
//! simulator on a loopback port with synthetic flow. The actors (feed, book keeper,
//! persister, observer, policy, executor, broadcaster) are wired here as they land.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::{bail, Context};
use tracing::{info, warn};

use crate::config::{Config, ExchangeMode};
use crate::sim::config::SimConfig;

/// Where the embedded simulator keeps its generated API key.
pub const SIM_ACCOUNTS_DIR: &str = "data/sim-accounts";

/// The exchange endpoints the service uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// REST root.
    pub rest_url: String,
    /// WebSocket URL.
    pub ws_url: String,
    /// Private key file of the simulator account, in sim mode.
    pub sim_private_key: Option<PathBuf>,
}

/// Runs the service until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.exchange.mode != ExchangeMode::Sim || !config.exchange.api_url.is_empty() {
        bail!(
            "exchange.mode = {:?} with external endpoints needs the market-data and trading actors, \
             which this build does not have yet; use the default sim mode",
            config.exchange.mode
        );
    }
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port for the simulator")?;
    let sim = SimConfig { accounts_dir: PathBuf::from(SIM_ACCOUNTS_DIR), ..SimConfig::default() };
    let handle = crate::sim::run::start(listener, sim)?;
    let endpoints = Endpoints {
        rest_url: handle.rest_url.clone(),
        ws_url: handle.ws_url.clone(),
        sim_private_key: handle.private_key_path.clone(),
    };
    info!(rest = %endpoints.rest_url, ws = %endpoints.ws_url, "embedded exchange simulator started");
    warn!("the trading actors are not built yet: only the exchange simulator runs");
    actix_web::rt::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    handle.stop().await;
    Ok(())
}
