//! The Broadcaster's once-a-second sample: it asks every actor for its counters
//! ([`crate::actors::probe`]) without waiting on any of them (the answers arrive as a future
//! on the broadcaster's own thread), then offers the `stats` and `feed_status` frames built
//! by [`StatsTracker`]. A sample still out when the next second comes is not doubled.

use std::time::{Duration, Instant};

use actix::prelude::*;

use super::Broadcaster;
use crate::actors::messages::GetTradingSummary;
use crate::actors::probe::{sample, Probes, PROBE_TIMEOUT};
use crate::broadcast::frame;
use crate::broadcast::stats::StatsTracker;

/// How often `stats` and `feed_status` go out.
pub const EVERY: Duration = Duration::from_secs(1);

/// Backlog keys of the two state frames (sorted before every market ticker).
const STATS_KEY: &str = "\u{1}stats";
const FEED_KEY: &str = "\u{1}feed_status";

/// App → Broadcaster: whom to ask for the stats (the pipeline's actors, when there is a
/// pipeline, and the executor's summary).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetProbes {
    /// The pipeline's actors.
    pub probes: Option<Probes>,
    /// The executor's summary.
    pub summary: Recipient<GetTradingSummary>,
}

/// Whom to ask, and the state of the sampling.
#[derive(Default)]
pub struct Sampler {
    probes: Option<Probes>,
    summary: Option<Recipient<GetTradingSummary>>,
    busy: bool,
    tracker: StatsTracker,
    epoch: Option<Instant>,
}

impl Handler<SetProbes> for Broadcaster {
    type Result = ();

    fn handle(&mut self, msg: SetProbes, ctx: &mut Self::Context) {
        self.sampler.probes = msg.probes;
        self.sampler.summary = Some(msg.summary);
        self.sample(ctx);
    }
}

impl Broadcaster {
    /// Starts a sample unless one is out or nobody to ask is known yet.
    pub(super) fn sample(&mut self, ctx: &mut Context<Self>) {
        let Some(summary) = self.sampler.summary.clone() else { return };
        if self.sampler.busy {
            return;
        }
        self.sampler.busy = true;
        let probes = self.sampler.probes.clone();
        async move { sample(probes.as_ref(), &summary, PROBE_TIMEOUT).await }
            .into_actor(self)
            .map(|got, act, _| {
                act.sampler.busy = false;
                let epoch = *act.sampler.epoch.get_or_insert_with(Instant::now);
                let at_s = epoch.elapsed().as_secs_f64();
                let (sessions, dropped) = (act.sessions.len() as u64, act.counters.dropped);
                let (stats, feed) =
                    act.sampler.tracker.frames(&got, at_s, crate::kalshi::sign::now_ms(), sessions, dropped);
                act.state(STATS_KEY, frame("stats", &stats));
                act.state(FEED_KEY, frame("feed_status", &feed));
            })
            .spawn(ctx);
    }
}
