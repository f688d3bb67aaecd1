//! The soak's verdict (`bench --faults`, `make soak`): what the simulator injected, what the
//! service detected, and the end state against the exchange, turned into named checks that
//! pass or fail. Pure: the command gathers the inputs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::feed::FeedCounters;
use crate::sim::faults::FaultCounts;

/// Fault options given to the simulator for a soak (`kalshi-actor sim` flags): every kind
/// on, at rates a real connection would call very bad.
pub const SIM_FAULT_ARGS: &[&str] = &[
    "--fault-disconnect-every",
    "45",
    "--fault-disconnect-prob",
    "0.0001",
    "--fault-skip-seq",
    "0.0005",
    "--fault-duplicate",
    "0.0005",
    "--fault-reorder",
    "0.0005",
    "--fault-malformed",
    "0.0005",
    "--fault-unknown-type",
    "0.0005",
    "--fault-bad-price",
    "0.0005",
    "--fault-ack-delay-ms",
    "40",
    "--fault-ack-drop",
    "0.02",
    "--fault-429",
    "0.01",
    "--fault-5xx",
    "0.01",
];

/// Everything the verdict looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SoakInputs {
    /// Faults the simulator injected.
    pub injected: FaultCounts,
    /// Requests the simulator's token buckets refused (our own excess).
    pub rate_limited: u64,
    /// Actor restarts (a panic restarts an actor under its supervisor).
    pub restarts: u64,
    /// The feed's counters at the end.
    pub feed: FeedCounters,
    /// Connections made, and whether connected at the end.
    pub connects: u64,
    /// Connected at the end.
    pub connected: bool,
    /// Markets whose book awaited a snapshot at the end.
    pub stale_markets: usize,
    /// Our orders at the exchange: client order id → how many orders carry it.
    pub exchange_orders: BTreeMap<String, u64>,
    /// Order creations the executor sent.
    pub creates: u64,
    /// Markets whose position here differs from the exchange's after the final
    /// reconciliation, with both values.
    pub position_mismatches: Vec<String>,
    /// Anonymous resident memory (heap and stacks; not the program's file pages) after the
    /// warm-up and at the end, MB.
    pub rss_start_mb: f64,
    /// At the end.
    pub rss_end_mb: f64,
}

/// One named check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// Passed.
    pub ok: bool,
    /// The numbers behind it.
    pub detail: String,
}

fn check(name: &'static str, ok: bool, detail: String) -> Check {
    Check { name, ok, detail }
}

/// Detected when injected: at least one detection when anything was injected.
fn seen(injected: u64, detected: u64) -> bool {
    injected == 0 || detected > 0
}

/// The checks, in the order the issue lists them.
pub fn verdict(s: &SoakInputs) -> Vec<Check> {
    let duplicated: u64 = s.exchange_orders.values().map(|n| n.saturating_sub(1)).sum();
    let placed: u64 = s.exchange_orders.values().sum();
    let malformed: u64 = s.feed.malformed.values().sum();
    let i = &s.injected;
    let growth = s.rss_end_mb - s.rss_start_mb;
    vec![
        check("no crashes", s.restarts == 0, format!("{} actor restarts", s.restarts)),
        check(
            "no duplicate orders",
            duplicated == 0 && placed <= s.creates,
            format!(
                "{placed} orders at the exchange for {} creations, {duplicated} sharing a client order id",
                s.creates
            ),
        ),
        check(
            "positions match the exchange",
            s.position_mismatches.is_empty(),
            if s.position_mismatches.is_empty() { "every market".into() } else { s.position_mismatches.join("; ") },
        ),
        check(
            "no 429 caused by us",
            s.rate_limited == 0,
            format!("{} requests over the exchange's limit", s.rate_limited),
        ),
        check(
            "gaps detected",
            seen(i.skipped_seq, s.feed.gaps),
            format!("{} skipped sequence numbers injected, {} gaps detected", i.skipped_seq, s.feed.gaps),
        ),
        check(
            "bad frames counted and dropped",
            seen(i.malformed + i.bad_price + i.unknown_type, malformed + s.feed.ignored.values().sum::<u64>()),
            format!(
                "{} malformed, {} bad-price, {} unknown-type injected; {malformed} refused as malformed, {} ignored",
                i.malformed,
                i.bad_price,
                i.unknown_type,
                s.feed.ignored.values().sum::<u64>()
            ),
        ),
        check(
            "duplicates and reorders absorbed",
            seen(i.duplicated + i.reordered, s.feed.duplicates + s.feed.gaps),
            format!(
                "{} duplicated and {} reordered frames injected, {} duplicates dropped",
                i.duplicated, i.reordered, s.feed.duplicates
            ),
        ),
        check(
            "disconnects recovered",
            s.connected && s.connects > u64::from(i.disconnects > 0),
            format!(
                "{} random disconnects injected (and one every 45 s), {} connections made",
                i.disconnects, s.connects
            ),
        ),
        check(
            "every book fresh at the end",
            s.connected && s.stale_markets == 0,
            format!("{} markets awaiting a snapshot", s.stale_markets),
        ),
        check(
            "HTTP failures survived",
            true,
            format!("{} 429 and {} 503 injected, {} acknowledgements withheld", i.http_429, i.http_5xx, i.acks_dropped),
        ),
        check(
            "memory flat",
            growth <= (0.25 * s.rss_start_mb).max(8.0),
            format!("anonymous resident {:.1} MB after the warm-up, {:.1} MB at the end", s.rss_start_mb, s.rss_end_mb),
        ),
    ]
}

/// The checks as a table.
pub fn table(checks: &[Check]) -> String {
    let mut out = String::from("| check | result | detail |\n|---|---|---|\n");
    for c in checks {
        out.push_str(&format!("| {} | {} | {} |\n", c.name, if c.ok { "✓" } else { "✗ FAILED" }, c.detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> SoakInputs {
        SoakInputs {
            injected: FaultCounts { skipped_seq: 3, malformed: 2, duplicated: 1, disconnects: 1, ..Default::default() },
            feed: FeedCounters {
                gaps: 3,
                duplicates: 1,
                malformed: [("json".to_owned(), 2)].into(),
                ..Default::default()
            },
            connects: 3,
            connected: true,
            exchange_orders: [("a".to_owned(), 1), ("b".to_owned(), 1)].into(),
            creates: 2,
            rss_start_mb: 40.0,
            rss_end_mb: 42.0,
            ..Default::default()
        }
    }

    #[test]
    fn a_clean_run_passes_every_check() {
        let v = verdict(&healthy());
        assert!(v.iter().all(|c| c.ok), "{}", table(&v));
    }

    #[test]
    fn each_failure_is_named() {
        let failed = |s: SoakInputs| -> Vec<&'static str> {
            verdict(&s).into_iter().filter(|c| !c.ok).map(|c| c.name).collect()
        };
        assert_eq!(failed(SoakInputs { restarts: 1, ..healthy() }), ["no crashes"]);
        let mut dup = healthy();
        dup.exchange_orders.insert("a".into(), 2);
        assert_eq!(failed(dup), ["no duplicate orders"]);
        assert_eq!(
            failed(SoakInputs { creates: 1, ..healthy() }),
            ["no duplicate orders"],
            "an order we never created"
        );
        let mismatch = SoakInputs { position_mismatches: vec!["M: 10 here, 0 there".into()], ..healthy() };
        assert_eq!(failed(mismatch), ["positions match the exchange"]);
        assert_eq!(failed(SoakInputs { rate_limited: 1, ..healthy() }), ["no 429 caused by us"]);
        let mut blind = healthy();
        blind.feed.gaps = 0;
        assert_eq!(failed(blind), ["gaps detected", "duplicates and reorders absorbed"][..1].to_vec());
        assert_eq!(failed(SoakInputs { stale_markets: 2, ..healthy() }), ["every book fresh at the end"]);
        let down = failed(SoakInputs { connected: false, ..healthy() });
        assert_eq!(down, ["disconnects recovered", "every book fresh at the end"]);
        assert_eq!(failed(SoakInputs { rss_end_mb: 60.0, ..healthy() }), ["memory flat"]);
    }
}
