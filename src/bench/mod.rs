//! The `bench` scenario's pure core (performance.md P3, P5, P8): the simulator load for a
//! requested rate, what the service's actors counted at the start and at the end of the
//! measured window, and the report built from the two: a table for people and one JSON line
//! with stable names for scripts.
//!
//! The simulator runs in its own process, so the memory and CPU reported are the service's
//! alone. Latency percentiles come from the windows the service itself keeps (the last
//! 8 192 decisions, requests and inferences), read at the end of the window.

pub mod process;
pub mod soak;

use serde::Serialize;

use crate::actors::probe::Sample;

/// The requested load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Markets listed by the simulator and subscribed by the service.
    pub markets: u16,
    /// Order-book frames per second wanted on the feed.
    pub rate: f64,
    /// Measured window, seconds.
    pub seconds: u64,
}

/// Wall-clock period of one simulator flow step, ms.
pub const STEP_MS: u64 = 20;

/// Book updates per market per second the simulator's flow makes on its own (re-quotes after
/// fair-value moves and takers), measured here at 20 ms steps with no extra resizes (2 490/s
/// over 100 markets); the extra
/// resizes make up the rest of the requested rate.
pub const BASE_UPDATES_PER_MARKET_S: f64 = 25.0;

/// Feed frames one extra resize makes on average (a resize up is an amend, which may move
/// the order's queue place: measured here 1.38).
pub const FRAMES_PER_RESIZE: f64 = 1.38;

impl Load {
    /// Extra maker resizes per market per flow step that bring the feed to `rate`.
    pub fn resizes_per_step(&self) -> f64 {
        let markets = f64::from(self.markets.max(1));
        let steps_per_s = 1000.0 / STEP_MS as f64;
        ((self.rate / markets - BASE_UPDATES_PER_MARKET_S) / steps_per_s / FRAMES_PER_RESIZE).max(0.0)
    }
}

/// Counters read from the running service at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Seconds since the bench started (monotonic).
    pub at_s: f64,
    /// Frames received on the feed.
    pub frames: u64,
    /// Records accepted by the Persister (each acknowledged to the Observer).
    pub accepted: u64,
    /// Records refused because the write buffer was full.
    pub dropped: u64,
    /// Records written to the database.
    pub written: u64,
    /// Sequence gaps on the feed.
    pub gaps: u64,
    /// Decisions made by the policy.
    pub decisions: u64,
    /// Requests sent to the exchange.
    pub requests: u64,
    /// Our fills.
    pub fills: u64,
    /// Process CPU time (user + system), seconds.
    pub cpu_s: f64,
}

impl Counters {
    /// The counters of `s` at `at_s`, with the process CPU time `cpu_s`; `None` when an
    /// actor did not answer.
    pub fn of(s: &Sample, at_s: f64, cpu_s: f64) -> Option<Counters> {
        let (feed, _) = s.feed.as_ref()?;
        let (buf, _) = s.persister.as_ref()?;
        let policy = s.policy.as_ref()?;
        let trading = s.trading.as_ref()?;
        Some(Counters {
            at_s,
            frames: feed.frames,
            accepted: buf.accepted,
            dropped: buf.dropped,
            written: buf.written,
            gaps: feed.gaps,
            decisions: policy.decisions,
            requests: trading.requests,
            fills: trading.fills,
            cpu_s,
        })
    }
}

/// The bench's result; field names are the JSON line's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Markets subscribed.
    pub markets: usize,
    /// Requested frames per second.
    pub target_rate: f64,
    /// Measured window, seconds.
    pub seconds: f64,
    /// Frames ingested per second.
    pub frames_per_s: f64,
    /// Records acknowledged per second.
    pub acks_per_s: f64,
    /// Records refused in the window (write buffer full).
    pub drops: u64,
    /// Sequence gaps in the window.
    pub gaps: u64,
    /// Decisions per second.
    pub decisions_per_s: f64,
    /// Requests sent per second.
    pub requests_per_s: f64,
    /// Fills in the window.
    pub fills: u64,
    /// Frame in hand → order intent that passed risk, µs.
    pub decision_p50_us: Option<f64>,
    /// 99th percentile.
    pub decision_p99_us: Option<f64>,
    /// 99.9th percentile.
    pub decision_p999_us: Option<f64>,
    /// The decision's processing part: point complete → intent (without the wait for the
    /// receive millisecond to end, which the observation contract imposes), µs.
    pub processing_p50_us: Option<f64>,
    /// 99th percentile.
    pub processing_p99_us: Option<f64>,
    /// Decision → signed request handed to the HTTP client, µs.
    pub wire_p50_us: Option<f64>,
    /// 99th percentile.
    pub wire_p99_us: Option<f64>,
    /// Request out → answer in hand, µs.
    pub order_rtt_p50_us: Option<f64>,
    /// 99th percentile.
    pub order_rtt_p99_us: Option<f64>,
    /// Policy inference, µs.
    pub inference_p50_us: Option<f64>,
    /// 99th percentile.
    pub inference_p99_us: Option<f64>,
    /// Rows written to the database per second.
    pub db_rows_per_s: f64,
    /// Resident memory at the end, MB.
    pub rss_mb: f64,
    /// Peak resident memory, MB.
    pub rss_peak_mb: f64,
    /// CPU used by the service, percent of one core.
    pub cpu_pct: f64,
    /// CPU used by the simulator process, percent of one core (`None` if unreadable).
    pub sim_cpu_pct: Option<f64>,
}

/// Memory and CPU of processes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Resources {
    /// Resident set at the end, MB.
    pub rss_mb: f64,
    /// Peak resident set, MB.
    pub rss_peak_mb: f64,
    /// The simulator's CPU seconds over the window.
    pub sim_cpu_s: Option<f64>,
}

/// The report of the window from `a` to `b`; `end` is the sample taken at `b`.
pub fn report(load: &Load, markets: usize, a: &Counters, b: &Counters, end: &Sample, res: Resources) -> Report {
    let dt = (b.at_s - a.at_s).max(1e-9);
    let per_s = |x: u64, y: u64| y.saturating_sub(x) as f64 / dt;
    let tr = end.trading.as_ref();
    let policy = end.policy.as_ref();
    Report {
        markets,
        target_rate: load.rate,
        seconds: dt,
        frames_per_s: per_s(a.frames, b.frames),
        acks_per_s: per_s(a.accepted, b.accepted),
        drops: b.dropped.saturating_sub(a.dropped),
        gaps: b.gaps.saturating_sub(a.gaps),
        decisions_per_s: per_s(a.decisions, b.decisions),
        requests_per_s: per_s(a.requests, b.requests),
        fills: b.fills.saturating_sub(a.fills),
        decision_p50_us: tr.and_then(|t| t.decision_p50_us),
        decision_p99_us: tr.and_then(|t| t.decision_p99_us),
        decision_p999_us: tr.and_then(|t| t.decision_p999_us),
        processing_p50_us: tr.and_then(|t| t.processing_p50_us),
        processing_p99_us: tr.and_then(|t| t.processing_p99_us),
        wire_p50_us: tr.and_then(|t| t.wire_p50_us),
        wire_p99_us: tr.and_then(|t| t.wire_p99_us),
        order_rtt_p50_us: tr.and_then(|t| t.round_trip_p50_us),
        order_rtt_p99_us: tr.and_then(|t| t.round_trip_p99_us),
        inference_p50_us: policy.and_then(|p| p.inference_p50_us),
        inference_p99_us: policy.and_then(|p| p.inference_p99_us),
        db_rows_per_s: per_s(a.written, b.written),
        rss_mb: res.rss_mb,
        rss_peak_mb: res.rss_peak_mb,
        cpu_pct: 100.0 * (b.cpu_s - a.cpu_s) / dt,
        sim_cpu_pct: res.sim_cpu_s.map(|s| 100.0 * s / dt),
    }
}

fn us(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1} µs"))
}

fn check(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

impl Report {
    /// The table printed for people, with the targets of performance.md.
    pub fn table(&self) -> String {
        let p3 = self.decision_p50_us.is_some_and(|v| v <= 15.0) && self.decision_p99_us.is_some_and(|v| v <= 50.0);
        let p5 = self.wire_p99_us.is_some_and(|v| v <= 100.0);
        let p8 = self.rss_mb <= 64.0;
        let rows = [
            ("markets", format!("{}", self.markets), String::new()),
            ("frames/s ingested", format!("{:.0} (asked {:.0})", self.frames_per_s, self.target_rate), String::new()),
            ("acks/s", format!("{:.0}", self.acks_per_s), String::new()),
            ("drops / seq gaps", format!("{} / {}", self.drops, self.gaps), String::new()),
            (
                "decisions/s / requests/s",
                format!("{:.1} / {:.1}", self.decisions_per_s, self.requests_per_s),
                String::new(),
            ),
            (
                "decision p50 / p99 / p99.9",
                format!("{} / {} / {}", us(self.decision_p50_us), us(self.decision_p99_us), us(self.decision_p999_us)),
                format!("P3 p50 ≤ 15 µs, p99 ≤ 50 µs {}", check(p3)),
            ),
            (
                "of which point complete → intent p50 / p99",
                format!("{} / {}", us(self.processing_p50_us), us(self.processing_p99_us)),
                String::new(),
            ),
            (
                "decision → wire p50 / p99",
                format!("{} / {}", us(self.wire_p50_us), us(self.wire_p99_us)),
                format!("P5 p99 ≤ 100 µs {}", check(p5)),
            ),
            (
                "order round trip p50 / p99",
                format!("{} / {}", us(self.order_rtt_p50_us), us(self.order_rtt_p99_us)),
                String::new(),
            ),
            (
                "inference p50 / p99",
                format!("{} / {}", us(self.inference_p50_us), us(self.inference_p99_us)),
                String::new(),
            ),
            ("database rows/s", format!("{:.0}", self.db_rows_per_s), String::new()),
            (
                "resident memory (peak)",
                format!("{:.1} MB ({:.1} MB)", self.rss_mb, self.rss_peak_mb),
                format!("P8 ≤ 64 MB {}", check(p8)),
            ),
            (
                "CPU service / simulator",
                format!("{:.0} % / {}", self.cpu_pct, self.sim_cpu_pct.map_or("—".into(), |c| format!("{c:.0} %"))),
                String::new(),
            ),
        ];
        let mut out = String::from("| measure | value | target |\n|---|---|---|\n");
        for (k, v, t) in rows {
            out.push_str(&format!("| {k} | {v} | {t} |\n"));
        }
        out
    }

    /// The one-line JSON summary (`"bench": "service"` plus every field).
    pub fn json_line(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("bench".into(), "service".into());
        }
        v.to_string()
    }
}

#[cfg(test)]
mod tests;
