//! `/metrics` (Prometheus text format) and `/rl/health` (per-actor status; 200 or 503).
//!
//! Both ask every actor for its counters with a short timeout: an actor that does not
//! answer in time is reported unresponsive (health 503; its metrics are absent), never
//! waited on. Nothing here can reveal a secret: the values are counters and latencies.

use std::fmt::Write;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::WebData;
pub use crate::actors::probe::Probes;
use crate::actors::probe::{sample, Sample as ActorSample, PROBE_TIMEOUT};

/// One sample: name, labels, value.
pub type Sample = (&'static str, Vec<(&'static str, String)>, f64);

/// Renders samples in the Prometheus text format, `# TYPE` once per name (all counters
/// end in `_total`; everything else is a gauge).
pub fn render(samples: &[Sample]) -> String {
    let mut out = String::new();
    let mut typed: Vec<&str> = Vec::new();
    for (name, labels, value) in samples {
        if !typed.contains(name) {
            typed.push(name);
            let kind = if name.ends_with("_total") { "counter" } else { "gauge" };
            let _ = writeln!(out, "# TYPE {name} {kind}");
        }
        let _ = write!(out, "{name}");
        if !labels.is_empty() {
            let parts: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let _ = write!(out, "{{{}}}", parts.join(","));
        }
        let _ = writeln!(out, " {value}");
    }
    out
}

fn s(name: &'static str, value: f64) -> Sample {
    (name, Vec::new(), value)
}

fn l(name: &'static str, key: &'static str, label: impl Into<String>, value: f64) -> Sample {
    (name, vec![(key, label.into())], value)
}

/// Every actor's counters as samples, and which actors answered.
async fn collect(data: &WebData) -> (Vec<Sample>, Vec<(&'static str, bool)>) {
    let got = sample(data.probes.as_ref(), &data.control.summary, PROBE_TIMEOUT).await;
    let up = got.up(data.probes.is_some());
    let mut out = samples(&got);
    for (actor, ok) in &up {
        out.push(l("kalshi_actor_up", "actor", *actor, if *ok { 1.0 } else { 0.0 }));
    }
    (out, up)
}

/// The Prometheus samples of what the actors answered.
fn samples(got: &ActorSample) -> Vec<Sample> {
    let mut out = Vec::new();
    if let Some((f, c)) = &got.feed {
        out.push(s("kalshi_feed_frames_total", f.frames as f64));
        out.push(s("kalshi_feed_seq_gaps_total", f.gaps as f64));
        out.push(s("kalshi_feed_duplicates_total", f.duplicates as f64));
        out.push(s("kalshi_feed_stalled_markets_total", f.stalled_markets as f64));
        for (kind, n) in &f.malformed {
            out.push(l("kalshi_feed_malformed_frames_total", "kind", kind.clone(), *n as f64));
        }
        out.push(s("kalshi_feed_connects_total", c.connects as f64));
        out.push(s("kalshi_feed_disconnects_total", c.disconnects as f64));
        out.push(s("kalshi_feed_connected", if c.connected { 1.0 } else { 0.0 }));
        out.push(s("kalshi_actor_restarts_total", c.restarts as f64));
    }
    if let Some((k, _)) = &got.keeper {
        out.push(s("kalshi_book_snapshots_total", k.snapshots as f64));
        out.push(s("kalshi_book_deltas_total", k.deltas as f64));
        out.push(s("kalshi_book_anomalies_total", k.anomalies as f64));
        out.push(s("kalshi_book_stale_drops_total", k.stale_drops as f64));
    }
    if let Some(stale) = &got.stale_markets {
        out.push(s("kalshi_book_stale_markets", stale.len() as f64));
    }
    if let Some((b, pending)) = &got.persister {
        out.push(s("kalshi_persist_accepted_total", b.accepted as f64));
        out.push(s("kalshi_persist_written_total", b.written as f64));
        out.push(s("kalshi_persist_dropped_total", b.dropped as f64));
        out.push(s("kalshi_persist_write_failures_total", b.failures as f64));
        out.push(s("kalshi_persist_queue_depth", *pending as f64));
    }
    if let Some(n) = got.actor_write_failures {
        out.push(s("kalshi_persist_actor_write_failures_total", n as f64));
    }
    if let Some((o, targets)) = &got.observer {
        out.push(s("kalshi_observer_records_total", o.records as f64));
        out.push(s("kalshi_observer_observations_total", o.observations as f64));
        for (why, n) in &o.skipped {
            out.push(l("kalshi_observer_skipped_total", "reason", *why, *n as f64));
        }
        out.push(s("kalshi_observer_targets", targets.len() as f64));
    }
    if let Some(ps) = &got.policy {
        out.push(s("kalshi_policy_decisions_total", ps.decisions as f64));
        for (i, n) in ps.by_action.iter().enumerate() {
            out.push(l("kalshi_policy_actions_total", "action", crate::policy::ACTION_NAMES[i], *n as f64));
        }
        out.extend(ps.inference_p50_us.map(|v| l("kalshi_policy_inference_us", "quantile", "0.5", v)));
        out.extend(ps.inference_p99_us.map(|v| l("kalshi_policy_inference_us", "quantile", "0.99", v)));
    }
    if let Some(tr) = &got.trading {
        out.push(s("kalshi_executor_actions_total", tr.actions as f64));
        out.push(s("kalshi_executor_requests_total", tr.requests as f64));
        out.push(s("kalshi_executor_fills_total", tr.fills as f64));
        out.push(s("kalshi_executor_discrepancies_total", tr.discrepancies as f64));
        out.push(s("kalshi_executor_live_orders", tr.live_orders as f64));
        out.push(s("kalshi_executor_halted", if tr.halted.is_some() { 1.0 } else { 0.0 }));
        for (why, n) in &tr.risk_rejections {
            out.push(l("kalshi_risk_rejections_total", "reason", why.clone(), *n as f64));
        }
        let latencies = [
            ("kalshi_decision_latency_us", tr.decision_p50_us, tr.decision_p99_us),
            ("kalshi_order_wire_latency_us", tr.wire_p50_us, tr.wire_p99_us),
            ("kalshi_order_round_trip_us", tr.round_trip_p50_us, tr.round_trip_p99_us),
        ];
        for (name, p50, p99) in latencies {
            out.extend(p50.map(|v| l(name, "quantile", "0.5", v)));
            out.extend(p99.map(|v| l(name, "quantile", "0.99", v)));
        }
    }
    out
}

async fn metrics(data: WebData) -> HttpResponse {
    let (samples, _) = collect(&data).await;
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(render(&samples))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    actors: std::collections::BTreeMap<&'static str, &'static str>,
}

async fn health(data: WebData) -> HttpResponse {
    let (_, up) = collect(&data).await;
    let healthy = up.iter().all(|(_, ok)| *ok);
    let actors = up.into_iter().map(|(a, ok)| (a, if ok { "ok" } else { "unresponsive" })).collect();
    let body = Health { status: if healthy { "ok" } else { "degraded" }, actors };
    if healthy {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Mounts `/metrics` and `/rl/health`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics)).route("/rl/health", web::get().to(health));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_format() {
        let text = render(&[
            s("kalshi_feed_frames_total", 12.0),
            l("kalshi_observer_skipped_total", "reason", "one_sided", 3.0),
            l("kalshi_observer_skipped_total", "reason", "st\"ale", 1.0),
            l("kalshi_decision_latency_us", "quantile", "0.99", 51.5),
        ]);
        assert_eq!(
            text,
            "# TYPE kalshi_feed_frames_total counter\nkalshi_feed_frames_total 12\n\
             # TYPE kalshi_observer_skipped_total counter\nkalshi_observer_skipped_total{reason=\"one_sided\"} 3\n\
             kalshi_observer_skipped_total{reason=\"st\\\"ale\"} 1\n\
             # TYPE kalshi_decision_latency_us gauge\nkalshi_decision_latency_us{quantile=\"0.99\"} 51.5\n"
        );
    }
}
