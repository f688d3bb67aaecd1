//! The trading chain's wiring: the model, the Observer, the Policy and the OrderExecutor.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use actix::{Addr, AsyncContext, Supervisor};
use anyhow::{bail, Context};
use tracing::warn;

use super::{grid_of, Exchange, Pipeline, PrivateOutputs};
use crate::actors::broadcaster::Broadcaster;
use crate::actors::observer::{ConnectObserver, Observer, ObserverSettings, TargetSpec};
use crate::actors::order_executor::{
    ConnectExecutorOutputs, ExecutorLink, ExecutorOptions, ExecutorOutputs, OrderExecutor,
};
use crate::actors::persister::AckTargets;
use crate::actors::policy::{ConnectActions, Decider, Policy, PolicyInput};
use crate::config::{Config, OrderFeatures, TargetMarketMode};
use crate::executor::ExecutorSettings;
use crate::features::portfolio::OrderMode;
use crate::kalshi::rest::Market;
use crate::observer::log::ObservationLog;
use crate::policy::card::Expectations;
use crate::policy::load::LoadedModel;
use crate::web::Control;

/// Where `actor.model` names are looked up.
pub const MODEL_DIR: &str = "model_weights";

/// Loads `actor.model`, refusing a model whose card contradicts the configuration.
pub fn load_model(config: &Config) -> anyhow::Result<LoadedModel> {
    let expect = Expectations {
        order_features: match config.observer.order_features {
            OrderFeatures::Zeros => "zeros".into(),
            OrderFeatures::Live => "live".into(),
        },
        timezone: config.observer.timezone.clone(),
    };
    let m = crate::policy::load::load(&config.actor.model, std::path::Path::new(MODEL_DIR), Some(&expect))
        .with_context(|| format!("cannot load actor.model = {:?}", config.actor.model))?;
    if m.card.is_none() {
        warn!(model = %m.path.display(), "the model has no card: its observation contract cannot be checked");
    }
    Ok(m)
}

/// The trading chain.
#[derive(Clone)]
pub struct Trading {
    /// The observer.
    pub observer: Addr<Observer>,
    /// The policy.
    pub policy: Addr<Policy>,
    /// The executor.
    pub executor: Addr<OrderExecutor>,
}

impl Trading {
    /// Where the Persister acknowledges records.
    pub fn acks(&self) -> AckTargets {
        AckTargets { records: self.observer.clone().recipient(), markers: self.observer.clone().recipient() }
    }

    /// Where the feed sends our fills and order updates.
    pub fn private(&self) -> PrivateOutputs {
        PrivateOutputs {
            fills: self.executor.clone().recipient(),
            orders: self.executor.clone().recipient(),
            fill_channel: self.executor.clone().recipient(),
        }
    }

    /// Connects the chain to the running pipeline (and the dashboard's broadcaster).
    pub fn connect(&self, pipeline: &Pipeline, broadcaster: Option<&Addr<Broadcaster>>) {
        self.observer.do_send(ConnectObserver {
            targets: vec![self.executor.clone().recipient()],
            snapshots: Some(pipeline.feed.clone().recipient()),
        });
        self.executor.do_send(ConnectExecutorOutputs(ExecutorOutputs {
            portfolio: std::iter::once(self.observer.clone().recipient())
                .chain(broadcaster.map(|b| b.clone().recipient()))
                .collect(),
            fills: broadcaster.map(|b| b.clone().recipient()).into_iter().collect(),
            resting: Some(self.observer.clone().recipient()),
            persist: Some(pipeline.persister.clone().recipient()),
            orders: broadcaster.map(|b| b.clone().recipient()).into_iter().collect(),
            risk: broadcaster.map(|b| b.clone().recipient()).into_iter().collect(),
            positions: broadcaster.map(|b| b.clone().recipient()).into_iter().collect(),
        }));
        if let Some(b) = broadcaster {
            self.policy.do_send(ConnectActions(vec![b.clone().recipient()]));
            pipeline.keeper.do_send(crate::actors::book_keeper::ConnectDashboard(b.clone().recipient()));
        }
    }

    /// The control endpoints' targets.
    pub fn control(&self) -> Control {
        Control {
            halt: self.executor.clone().recipient(),
            resume: self.executor.clone().recipient(),
            status: self.executor.clone().recipient(),
            summary: self.executor.clone().recipient(),
        }
    }
}

/// Starts the Policy, the Observer and the OrderExecutor (with its sender) for `markets`.
pub fn start_trading(
    config: &Config,
    exchange: &Exchange,
    markets: &[Market],
    model: &LoadedModel,
) -> anyhow::Result<Trading> {
    let subscribed: Vec<String> = markets.iter().map(|m| m.ticker.clone()).collect();
    let a = &config.actor;
    let targets = match a.target_market_mode {
        TargetMarketMode::All => TargetSpec::All,
        TargetMarketMode::Config => {
            let listed = if a.target_markets.is_empty() { &config.feed.market_tickers } else { &a.target_markets };
            let missing: Vec<&String> = listed.iter().filter(|t| !subscribed.contains(t)).collect();
            if !missing.is_empty() {
                bail!("actor.target_markets not subscribed by the feed: {missing:?}");
            }
            TargetSpec::Listed(listed.clone())
        }
        TargetMarketMode::Hot => TargetSpec::Hot {
            count: a.hot_count as usize,
            max_spread_cents: a.hot_max_spread_cents,
            rerank_ms: i64::try_from(a.hot_rerank_s.saturating_mul(1000)).unwrap_or(i64::MAX),
        },
    };
    let settings = ObserverSettings {
        tz: crate::observer::parse_timezone(&config.observer.timezone).map_err(anyhow::Error::msg)?,
        order_mode: match config.observer.order_features {
            OrderFeatures::Zeros => OrderMode::Zeros,
            OrderFeatures::Live => OrderMode::Live,
        },
        throttle_ms: a.tick_throttle_ms,
        targets,
        starting_cash_cents: config.observer.starting_cash * 100.0,
        grids: markets.iter().map(|m| (m.ticker.clone(), grid_of(m))).collect(),
    };
    let log = match config.observer.log_path.as_str() {
        "" => None,
        path => Some(
            ObservationLog::open(std::path::Path::new(path))
                .with_context(|| format!("cannot open the observation log {path}"))?,
        ),
    };
    let (net, id) = (Arc::new(model.model.clone()), model.id.clone());
    // Observer → Policy → OrderExecutor → sender is one call chain on this thread: the
    // Observer calls the Policy's decider, which calls the executor's link in place.
    let (executor, link) = start_executor_linked(config, exchange, markets);
    let decider = Rc::new(RefCell::new(Decider::new(net, &id, Vec::new(), Some(link))));
    let shared = decider.clone();
    let policy = Supervisor::start(move |_| Policy::with_decider(shared));
    let observer = Supervisor::start(move |_| Observer::new(settings, Some(PolicyInput::Direct(decider)), log));
    Ok(Trading { observer, policy, executor })
}

/// Starts the OrderExecutor and its sender.
pub fn start_executor(config: &Config, exchange: &Exchange, markets: &[Market]) -> Addr<OrderExecutor> {
    start_executor_linked(config, exchange, markets).0
}

/// Starts the OrderExecutor and its sender on this thread, with the link its decisions are
/// made through in place.
pub fn start_executor_linked(
    config: &Config,
    exchange: &Exchange,
    markets: &[Market],
) -> (Addr<OrderExecutor>, ExecutorLink) {
    let opts = ExecutorOptions {
        dry_run: !config.actor.enabled,
        cancel_on_start: config.executor.cancel_on_start,
        reconcile_every: config.executor.reconcile_interval,
        settings: ExecutorSettings {
            size: config.actor.contract_size,
            pricing: config.actor.pricing,
            sell: config.actor.sell_semantics,
            coid_prefix: format!("ka-{}", uuid::Uuid::new_v4().simple()),
            inflight_timeout_ms: i64::try_from(config.executor.request_timeout.as_millis())
                .unwrap_or(i64::MAX)
                .saturating_mul(3),
        },
        risk: config.risk.clone(),
        grids: markets.iter().map(|m| (m.ticker.clone(), grid_of(m))).collect(),
    };
    let (root, signer, timeout) =
        (exchange.rest_url.clone(), Some(exchange.signer.clone()), config.executor.request_timeout);
    let ctx = actix::Context::<OrderExecutor>::new();
    let me = ctx.address();
    let reply = me.clone().recipient();
    let sender = crate::actors::order_sender::start_here(root.clone(), signer.clone(), timeout, reply.clone());
    let reader = crate::actors::order_sender::start(root, signer, timeout, reply);
    let executor = OrderExecutor::new(opts, sender, reader, ExecutorOutputs::default());
    let link = executor.link(me);
    (ctx.run(executor), link)
}
