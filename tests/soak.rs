//! `kalshi-actor bench` through the binary: the load report's stable JSON names, and the
//! two-minute soak (every fault the simulator can inject, then the end state judged against
//! the exchange) that `make soak` runs for an hour.

use crate::support::{default_model, kalshi_actor, run};

/// The JSON line of `stdout` whose `bench` is `name`.
fn json_line(stdout: &str, name: &str) -> serde_json::Value {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["bench"] == name)
        .unwrap_or_else(|| panic!("no {name} JSON line in:\n{stdout}"))
}

#[test]
fn bench_reports_the_load_under_stable_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = kalshi_actor();
    cmd.current_dir(dir.path()).args(["bench", "--markets", "5", "--rate", "300", "--seconds", "4", "--warmup", "1"]);
    let (out, stdout, stderr) = run(cmd.args(["--model", &default_model()]));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let j = json_line(&stdout, "service");
    for name in ["frames_per_s", "acks_per_s", "decision_p50_us", "decision_p99_us", "decision_p999_us", "wire_p99_us"]
    {
        assert!(j.get(name).is_some(), "{name} missing: {j}");
    }
    for name in ["db_rows_per_s", "rss_mb", "cpu_pct", "inference_p50_us", "order_rtt_p99_us", "drops"] {
        assert!(j.get(name).is_some(), "{name} missing: {j}");
    }
    assert_eq!(j["markets"], 5);
    assert!(j["frames_per_s"].as_f64().unwrap() > 50.0, "the feed ran: {j}");
    assert!(j["db_rows_per_s"].as_f64().unwrap() > 0.0, "rows were written: {j}");
    assert!(j["rss_mb"].as_f64().unwrap() > 1.0, "memory read from /proc: {j}");
    assert!(stdout.contains("| decision p50 / p99 / p99.9 |"), "{stdout}");
    let (bad, _, err) = run(kalshi_actor().args(["bench", "--rate=-5"]));
    assert!(!bad.status.success() && err.contains("--rate"), "{err}");
}

// Run alone, after the other tests, by `make test`: two minutes of a loaded service beside
// the latency tests would be measured in their percentiles.
#[test]
#[ignore = "run on its own by make test"]
fn two_minute_soak_with_every_fault_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = kalshi_actor();
    cmd.current_dir(dir.path()).args(["bench", "--faults", "--markets", "10", "--rate", "500"]);
    let (out, stdout, stderr) = run(cmd.args(["--seconds", "105", "--warmup", "10", "--model", &default_model()]));
    let tail: String =
        stderr.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(out.status.success(), "{stdout}\n{tail}");
    let soak = json_line(&stdout, "soak");
    assert_eq!(soak["passed"], true, "{soak}");
    let names: Vec<&str> = soak["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    for name in ["no crashes", "no duplicate orders", "positions match the exchange", "no 429 caused by us"] {
        assert!(names.contains(&name), "{name} not checked: {names:?}");
    }
    for name in ["gaps detected", "disconnects recovered", "every book fresh at the end", "memory flat"] {
        assert!(names.contains(&name), "{name} not checked: {names:?}");
    }
    let service = json_line(&stdout, "service");
    assert!(service["fills"].as_u64().unwrap() > 0, "it traded through the faults: {service}");
    // The faults really happened: a 105 s window at these rates injects each kind.
    assert!(stdout.contains("disconnects injected"), "{stdout}");
    assert!(!stdout.contains("| 0 skipped sequence numbers injected"), "{stdout}");
}
