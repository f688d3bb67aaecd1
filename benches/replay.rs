//! P7: replay speed, updates per second, on a synthetic busy session (10 markets, one update
//! a millisecond, a snapshot each then deltas near the touch). Three runs: the default
//! 250 ms throttle with HOLD (no inference), every view point decided with HOLD, and every
//! view point decided by the default model (inference at each). Prints a table and one JSON
//! line. `cargo bench --bench replay`; without `--bench` a short smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use kalshi_actor::config::Config;
use kalshi_actor::policy::PolicyModel;
use kalshi_actor::replay::synthetic::random_walk;
use kalshi_actor::replay::{Replay, ReplaySettings, Targets};

fn settings(throttle_ms: u64) -> ReplaySettings {
    let mut config = Config::default();
    config.actor.tick_throttle_ms = throttle_ms;
    let mut s = kalshi_actor::cli::replay_settings(&config, Targets::All).unwrap();
    s.targets = Targets::All;
    s
}

/// Updates per second and decisions of one replay.
fn measure(
    records: &std::sync::Arc<[kalshi_actor::storage::BookRecord]>,
    s: ReplaySettings,
    model: Option<&PolicyModel>,
) -> (f64, u64) {
    let started = Instant::now();
    let mut r = Replay::new(records.clone(), s);
    let mut decisions = 0u64;
    while let Some(p) = r.next_decision() {
        let action = match model {
            Some(m) => m.act(&p.obs).unwrap().action,
            None => 0,
        };
        r.act(action);
        decisions += 1;
    }
    (r.updates() as f64 / started.elapsed().as_secs_f64(), decisions)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 2_000_000 } else { 20_000 };
    let records: std::sync::Arc<[_]> = random_walk(10, n, 1, 7).into();
    let model = PolicyModel::load_sb3(concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/ppo_default.zip")).unwrap();
    let runs = [
        ("250 ms throttle, HOLD (no inference)", settings(250), None),
        ("every view point, HOLD (no inference)", settings(0), None),
        ("every view point, model inference", settings(0), Some(&model)),
    ];
    println!("P7 replay, {n} updates of 10 markets");
    println!("| run | updates/s | decisions |");
    println!("|---|---|---|");
    let mut json = serde_json::Map::new();
    // `REPLAY_BENCH_RUN=k` runs only run k (for profiling).
    let only: Option<usize> = std::env::var("REPLAY_BENCH_RUN").ok().and_then(|v| v.parse().ok());
    for (i, (name, s, m)) in runs.into_iter().enumerate() {
        if only.is_some_and(|k| k != i) {
            continue;
        }
        let (rate, decisions) = measure(&records, s, m);
        println!("| {name} | {:.2} M | {decisions} |", rate / 1e6);
        json.insert(format!("run{i}_updates_per_s"), serde_json::json!(rate.round()));
        json.insert(format!("run{i}_decisions"), serde_json::json!(decisions));
    }
    json.insert("bench".into(), serde_json::json!("p7_replay"));
    println!("{}", serde_json::Value::Object(json));
}
