//! The dashboard's `stats` and `feed_status` frames, built once a second from what the actors
//! answered ([`Sample`]). Rates are the change of a counter since the previous sample divided
//! by the time between the two; the first sample has no rate yet (0). A part an actor did
//! not answer is `null`, never a made-up zero.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::actors::probe::Sample;

/// The risk state in `stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskState {
    /// Whether trading is halted.
    pub halted: bool,
    /// Why, when halted.
    pub reason: Option<String>,
    /// Orders refused by each risk limit.
    pub rejections: BTreeMap<String, u64>,
}

/// The `stats` frame's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// When sampled, Unix ms.
    pub timestamp_ms: i64,
    /// WebSocket frames received from the exchange per second.
    pub frames_per_s: Option<f64>,
    /// Book records the Persister accepted (acknowledged) per second.
    pub acks_per_s: Option<f64>,
    /// Book records the Persister refused (buffer full), in total.
    pub drops: Option<u64>,
    /// Dashboard sessions dropped for not keeping up.
    pub dropped_sessions: u64,
    /// Book records accepted, not yet written.
    pub queue_depth: Option<u64>,
    /// Sequence gaps detected on the feed.
    pub seq_gaps: Option<u64>,
    /// Markets whose book awaits a snapshot.
    pub stale_markets: Option<u64>,
    /// Observations sent to the policy.
    pub observations: Option<u64>,
    /// Policy decisions.
    pub decisions: Option<u64>,
    /// Order requests sent.
    pub requests: Option<u64>,
    /// Fills counted.
    pub fills: Option<u64>,
    /// Our live orders.
    pub live_orders: Option<u64>,
    /// Reconciliation discrepancies.
    pub discrepancies: Option<u64>,
    /// Observation started → order intent, µs.
    pub decision_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub decision_p99_us: Option<f64>,
    /// Decision → request handed to the HTTP client, µs.
    pub wire_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub wire_p99_us: Option<f64>,
    /// Request → the exchange's answer, µs.
    pub order_rtt_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub order_rtt_p99_us: Option<f64>,
    /// Policy inference, µs.
    pub inference_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub inference_p99_us: Option<f64>,
    /// Dashboard sessions now.
    pub sessions: u64,
    /// Risk state (`null` when the executor did not answer).
    pub risk: Option<RiskState>,
}

/// The database part of `feed_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseStatus {
    /// The Persister answered and no batch write failed since the previous sample.
    pub ok: bool,
    /// Book records waiting to be written.
    pub queue_depth: Option<u64>,
    /// Book records written.
    pub written: Option<u64>,
    /// Book records refused.
    pub dropped: Option<u64>,
    /// Failed batch writes (book and actor records; each is retried).
    pub write_failures: Option<u64>,
}

/// The `feed_status` frame's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedStatus {
    /// When sampled, Unix ms.
    pub timestamp_ms: i64,
    /// Whether the exchange WebSocket is open (`false` when the feed did not answer).
    pub connected: bool,
    /// Connections made.
    pub connects: Option<u64>,
    /// Connections lost.
    pub disconnects: Option<u64>,
    /// Liveness timeouts.
    pub stalls: Option<u64>,
    /// Milliseconds since the last frame from the exchange.
    pub last_frame_age_ms: Option<u64>,
    /// Markets whose book awaits a snapshot.
    pub stale_markets: Vec<String>,
    /// Persistence health.
    pub database: DatabaseStatus,
    /// Each actor: `ok` or `unresponsive`.
    pub actors: BTreeMap<&'static str, &'static str>,
}

/// What the previous sample counted.
#[derive(Debug, Clone, Copy)]
struct Prev {
    at_s: f64,
    frames: Option<u64>,
    accepted: Option<u64>,
    failures: Option<u64>,
}

/// Builds the frames from successive samples.
#[derive(Debug, Clone, Default)]
pub struct StatsTracker {
    prev: Option<Prev>,
}

fn rate(now: Option<u64>, prev: Option<u64>, dt: f64) -> Option<f64> {
    match (now, prev) {
        (Some(n), Some(p)) if dt > 0.0 => Some(n.saturating_sub(p) as f64 / dt),
        (Some(_), _) => Some(0.0),
        _ => None,
    }
}

impl StatsTracker {
    /// The frames for `s`, sampled at `at_s` (monotonic seconds) and `now_ms` (Unix ms);
    /// `sessions` and `dropped_sessions` are the broadcaster's own counts.
    pub fn frames(
        &mut self,
        s: &Sample,
        at_s: f64,
        now_ms: i64,
        sessions: u64,
        dropped_sessions: u64,
    ) -> (Stats, FeedStatus) {
        let frames = s.feed.as_ref().map(|(f, _)| f.frames);
        let accepted = s.persister.as_ref().map(|(b, _)| b.accepted);
        let failures = match (s.persister.as_ref(), s.actor_write_failures) {
            (Some((b, _)), Some(a)) => Some(b.failures + a),
            _ => None,
        };
        let prev = self.prev.replace(Prev { at_s, frames, accepted, failures });
        let dt = prev.map_or(0.0, |p| at_s - p.at_s);
        let tr = s.trading.as_ref();
        let policy = s.policy.as_ref();
        let stats = Stats {
            timestamp_ms: now_ms,
            frames_per_s: rate(frames, prev.and_then(|p| p.frames), dt),
            acks_per_s: rate(accepted, prev.and_then(|p| p.accepted), dt),
            drops: s.persister.as_ref().map(|(b, _)| b.dropped),
            dropped_sessions,
            queue_depth: s.persister.as_ref().map(|(_, q)| *q as u64),
            seq_gaps: s.feed.as_ref().map(|(f, _)| f.gaps),
            stale_markets: s.stale_markets.as_ref().map(|m| m.len() as u64),
            observations: s.observer.as_ref().map(|(o, _)| o.observations),
            decisions: policy.map(|p| p.decisions),
            requests: tr.map(|t| t.requests),
            fills: tr.map(|t| t.fills),
            live_orders: tr.map(|t| t.live_orders as u64),
            discrepancies: tr.map(|t| t.discrepancies),
            decision_p50_us: tr.and_then(|t| t.decision_p50_us),
            decision_p99_us: tr.and_then(|t| t.decision_p99_us),
            wire_p50_us: tr.and_then(|t| t.wire_p50_us),
            wire_p99_us: tr.and_then(|t| t.wire_p99_us),
            order_rtt_p50_us: tr.and_then(|t| t.round_trip_p50_us),
            order_rtt_p99_us: tr.and_then(|t| t.round_trip_p99_us),
            inference_p50_us: policy.and_then(|p| p.inference_p50_us),
            inference_p99_us: policy.and_then(|p| p.inference_p99_us),
            sessions,
            risk: tr.map(|t| RiskState {
                halted: t.halted.is_some(),
                reason: t.halted.clone(),
                rejections: t.risk_rejections.clone(),
            }),
        };
        let conn = s.feed.as_ref().map(|(_, c)| c);
        let new_failure = match (failures, prev.and_then(|p| p.failures)) {
            (Some(n), Some(p)) => n > p,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let feed = FeedStatus {
            timestamp_ms: now_ms,
            connected: conn.is_some_and(|c| c.connected),
            connects: conn.map(|c| c.connects),
            disconnects: conn.map(|c| c.disconnects),
            stalls: conn.map(|c| c.stalls),
            last_frame_age_ms: conn.map(|c| c.last_frame_age_ms),
            stale_markets: s.stale_markets.clone().unwrap_or_default(),
            database: DatabaseStatus {
                ok: s.persister.is_some() && !new_failure,
                queue_depth: s.persister.as_ref().map(|(_, q)| *q as u64),
                written: s.persister.as_ref().map(|(b, _)| b.written),
                dropped: s.persister.as_ref().map(|(b, _)| b.dropped),
                write_failures: failures,
            },
            actors: s
                .up(s.feed.is_some() || s.persister.is_some() || s.observer.is_some())
                .into_iter()
                .map(|(a, ok)| (a, if ok { "ok" } else { "unresponsive" }))
                .collect(),
        };
        (stats, feed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::market_feed::ConnectionCounters;
    use crate::actors::messages::TradingSummary;
    use crate::feed::FeedCounters;
    use crate::persist::BufferCounters;

    fn sample(frames: u64, accepted: u64, failures: u64) -> Sample {
        let feed = FeedCounters { frames, gaps: 2, ..FeedCounters::default() };
        let conn = ConnectionCounters {
            connects: 3,
            disconnects: 2,
            connected: true,
            last_frame_age_ms: 7,
            ..Default::default()
        };
        let buf = BufferCounters { accepted, dropped: 1, written: accepted - 4, failures };
        let trading = TradingSummary {
            halted: Some("operator".into()),
            decision_p50_us: Some(50.0),
            round_trip_p99_us: Some(900.0),
            risk_rejections: [("max_position".to_owned(), 4)].into(),
            ..TradingSummary::default()
        };
        Sample {
            feed: Some((feed, conn)),
            stale_markets: Some(vec!["B".into()]),
            persister: Some((buf, 4)),
            actor_write_failures: Some(0),
            trading: Some(trading),
            ..Sample::default()
        }
    }

    #[test]
    fn rates_come_from_successive_samples() {
        let mut t = StatsTracker::default();
        let (first, feed) = t.frames(&sample(100, 90, 0), 10.0, 1_000, 2, 1);
        assert_eq!((first.frames_per_s, first.acks_per_s), (Some(0.0), Some(0.0)));
        assert_eq!((first.sessions, first.dropped_sessions, first.queue_depth), (2, 1, Some(4)));
        assert_eq!((first.seq_gaps, first.stale_markets, first.drops), (Some(2), Some(1), Some(1)));
        assert!(feed.database.ok && feed.connected);
        let (second, _) = t.frames(&sample(600, 340, 0), 12.0, 3_000, 2, 1);
        assert_eq!((second.frames_per_s, second.acks_per_s), (Some(250.0), Some(125.0)));
        assert_eq!(second.timestamp_ms, 3_000);
    }

    #[test]
    fn latencies_and_risk_come_from_the_executor() {
        let (s, _) = StatsTracker::default().frames(&sample(1, 5, 0), 0.0, 0, 0, 0);
        assert_eq!((s.decision_p50_us, s.decision_p99_us, s.order_rtt_p99_us), (Some(50.0), None, Some(900.0)));
        let risk = s.risk.clone().unwrap();
        assert!(risk.halted);
        assert_eq!(risk.reason.as_deref(), Some("operator"));
        assert_eq!(risk.rejections["max_position"], 4);
        let json: serde_json::Value = serde_json::from_str(&crate::broadcast::frame("stats", &s)).unwrap();
        assert_eq!(json["type"], "stats");
        assert_eq!(json["data"]["order_rtt_p99_us"], 900.0);
        assert!(json["data"]["decision_p99_us"].is_null(), "no sample yet is null, not 0");
    }

    #[test]
    fn a_failing_write_or_a_silent_persister_marks_the_database_unhealthy() {
        let mut t = StatsTracker::default();
        assert!(t.frames(&sample(1, 5, 0), 0.0, 0, 0, 0).1.database.ok);
        let (_, failing) = t.frames(&sample(1, 5, 1), 1.0, 0, 0, 0);
        assert!(!failing.database.ok);
        assert_eq!(failing.database.write_failures, Some(1));
        assert!(t.frames(&sample(1, 5, 1), 2.0, 0, 0, 0).1.database.ok, "no new failure: healthy again");
        let silent = Sample { persister: None, ..sample(1, 5, 1) };
        let (stats, feed) = t.frames(&silent, 3.0, 0, 0, 0);
        assert!(!feed.database.ok);
        assert_eq!((stats.acks_per_s, stats.queue_depth), (None, None));
        assert_eq!(feed.actors["persister"], "unresponsive");
        assert_eq!(feed.actors["market_feed"], "ok");
    }

    #[test]
    fn a_silent_feed_is_reported_disconnected() {
        let s = Sample { feed: None, ..sample(1, 5, 0) };
        let (stats, feed) = StatsTracker::default().frames(&s, 0.0, 0, 0, 0);
        assert!(!feed.connected);
        assert_eq!((feed.connects, stats.frames_per_s), (None, None));
        assert_eq!(feed.stale_markets, ["B"]);
    }
}
