//! Probes: asks every actor for its counters at once, each with a short timeout, for the
//! read-outs an operator sees (`/metrics`, `/rl/health`, the dashboard's `stats` and
//! `feed_status` frames). An actor that does not answer in time is reported unresponsive,
//! never waited on; its part of the sample is absent.

use std::time::Duration;

use actix::{Addr, Recipient};

use super::book_keeper::{BookKeeper, GetKeeperCounters, GetStaleMarkets};
use super::market_feed::{ConnectionCounters, GetFeedCounters, MarketFeed};
use super::messages::{GetTradingSummary, TradingSummary};
use super::observer::{GetObserverCounters, Observer, ObserverCounters};
use super::persister::{GetActorWriteFailures, GetPersisterCounters, Persister};
use super::policy::{GetPolicyStats, Policy, PolicyStats};
use crate::book::keeper::KeeperCounters;
use crate::feed::FeedCounters;

use crate::persist::BufferCounters;

/// How long an actor may take to answer a probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// The pipeline's actors (the executor is asked through its summary recipient).
#[derive(Clone)]
pub struct Probes {
    /// MarketFeed.
    pub feed: Addr<MarketFeed>,
    /// BookKeeper.
    pub keeper: Addr<BookKeeper>,
    /// Persister.
    pub persister: Addr<Persister>,
    /// Observer.
    pub observer: Addr<Observer>,
    /// Policy.
    pub policy: Addr<Policy>,
}

/// What every actor answered (`None`: no answer in time, or no such actor).
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// The feed's frame counters and connection state.
    pub feed: Option<(FeedCounters, ConnectionCounters)>,
    /// The book keeper's counters and restarts.
    pub keeper: Option<(KeeperCounters, u64)>,
    /// Markets whose book awaits a snapshot.
    pub stale_markets: Option<Vec<String>>,
    /// Book-record persistence counters and records waiting to be written.
    pub persister: Option<(BufferCounters, usize)>,
    /// Failed actor-record batch writes.
    pub actor_write_failures: Option<u64>,
    /// The observer's counters and targets.
    pub observer: Option<(ObserverCounters, Vec<String>)>,
    /// The policy's counters.
    pub policy: Option<PolicyStats>,
    /// The executor's summary.
    pub trading: Option<TradingSummary>,
}

impl Sample {
    /// Each actor and whether it answered.
    pub fn up(&self, with_pipeline: bool) -> Vec<(&'static str, bool)> {
        let mut up = Vec::new();
        if with_pipeline {
            up.push(("market_feed", self.feed.is_some()));
            up.push(("book_keeper", self.keeper.is_some() && self.stale_markets.is_some()));
            up.push(("persister", self.persister.is_some() && self.actor_write_failures.is_some()));
            up.push(("observer", self.observer.is_some()));
            up.push(("policy", self.policy.is_some()));
        }
        up.push(("order_executor", self.trading.is_some()));
        up
    }
}

/// Asks every actor at once; each answer waits at most `timeout`.
pub async fn sample(probes: Option<&Probes>, summary: &Recipient<GetTradingSummary>, timeout: Duration) -> Sample {
    let trading = async { summary.send(GetTradingSummary).timeout(timeout).await.ok() };
    let Some(p) = probes else {
        return Sample { trading: trading.await, ..Sample::default() };
    };
    let (feed, keeper, stale, persister, failures, observer, policy, trading) = futures_util::join!(
        async { p.feed.send(GetFeedCounters).timeout(timeout).await.ok() },
        async { p.keeper.send(GetKeeperCounters).timeout(timeout).await.ok() },
        async { p.keeper.send(GetStaleMarkets).timeout(timeout).await.ok() },
        async { p.persister.send(GetPersisterCounters).timeout(timeout).await.ok() },
        async { p.persister.send(GetActorWriteFailures).timeout(timeout).await.ok() },
        async { p.observer.send(GetObserverCounters).timeout(timeout).await.ok() },
        async { p.policy.send(GetPolicyStats).timeout(timeout).await.ok() },
        trading,
    );
    Sample { feed, keeper, stale_markets: stale, persister, actor_write_failures: failures, observer, policy, trading }
}
