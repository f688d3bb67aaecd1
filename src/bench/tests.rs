//! The bench core: load shaping, the report from two counter readings, `/proc` parsing.

use super::process::{parse_stat, parse_status};
use super::*;
use crate::actors::messages::TradingSummary;
use crate::actors::policy::PolicyStats;

#[test]
fn resizes_make_up_the_rate_beyond_the_flow_of_its_own() {
    let load = Load { markets: 100, rate: 5000.0, seconds: 60 };
    // 50 updates per market per second, 25 of them the flow's own, at 50 steps a second.
    assert!((load.resizes_per_step() - 25.0 / 50.0 / FRAMES_PER_RESIZE).abs() < 1e-12);
    assert_eq!(Load { markets: 100, rate: 100.0, seconds: 1 }.resizes_per_step(), 0.0, "never negative");
    assert!(Load { markets: 0, rate: 100.0, seconds: 1 }.resizes_per_step().is_finite());
}

#[test]
fn report_takes_rates_over_the_window_and_percentiles_at_its_end() {
    let load = Load { markets: 3, rate: 900.0, seconds: 10 };
    let a = Counters {
        at_s: 5.0,
        frames: 1000,
        accepted: 900,
        written: 800,
        decisions: 10,
        cpu_s: 1.0,
        ..Default::default()
    };
    let b = Counters {
        at_s: 15.0,
        frames: 10_000,
        accepted: 9_900,
        dropped: 2,
        written: 9_800,
        gaps: 1,
        decisions: 110,
        requests: 50,
        fills: 7,
        cpu_s: 6.0,
    };
    let end = Sample {
        trading: Some(TradingSummary {
            decision_p50_us: Some(12.0),
            decision_p999_us: Some(80.0),
            ..Default::default()
        }),
        policy: Some(PolicyStats { inference_p50_us: Some(2.0), ..Default::default() }),
        ..Default::default()
    };
    let res = Resources { rss_mb: 30.0, rss_peak_mb: 31.0, sim_cpu_s: Some(2.0) };
    let r = report(&load, 3, &a, &b, &end, res);
    assert_eq!((r.frames_per_s, r.acks_per_s, r.db_rows_per_s), (900.0, 900.0, 900.0));
    assert_eq!((r.drops, r.gaps, r.fills, r.decisions_per_s, r.requests_per_s), (2, 1, 7, 10.0, 5.0));
    assert_eq!((r.cpu_pct, r.sim_cpu_pct), (50.0, Some(20.0)));
    assert_eq!((r.decision_p50_us, r.decision_p99_us, r.decision_p999_us), (Some(12.0), None, Some(80.0)));
    let json: serde_json::Value = serde_json::from_str(&r.json_line()).unwrap();
    assert_eq!(json["bench"], "service");
    assert_eq!(json["frames_per_s"], 900.0);
    assert!(json["decision_p99_us"].is_null(), "no sample is null, not 0");
    assert_eq!(json["rss_mb"], 30.0);
    let table = r.table();
    assert!(table.contains("| frames/s ingested | 900 (asked 900) |"), "{table}");
    assert!(table.contains("P8 ≤ 64 MB ✓"), "{table}");
    assert!(table.contains("P3 p50 ≤ 15 µs, p99 ≤ 50 µs ✗"), "a missing p99 is not a pass: {table}");
}

#[test]
fn counters_need_every_actor() {
    assert_eq!(Counters::of(&Sample::default(), 0.0, 0.0), None);
}

#[test]
fn proc_files_parse() {
    let status = "Name:\tkalshi-actor\nVmPeak:\t  200000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   20480 kB\n";
    assert_eq!(parse_status(status), Some((20.0, 40.0)));
    assert_eq!(parse_status("Name: x\n"), None);
    assert_eq!(super::process::status_mb("RssAnon:\t    5120 kB\n", "RssAnon:"), Some(5.0));
    assert!(super::process::anon_mb(None).is_some_and(|a| a > 0.0));
    let stat = "1234 (kalshi actor) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0";
    assert_eq!(parse_stat(stat), Some(3.0));
    assert_eq!(parse_stat("garbage"), None);
    assert!(super::process::memory_mb(None).is_some_and(|(rss, peak)| rss > 0.0 && peak >= rss));
    assert!(super::process::cpu_seconds(None).is_some());
}
