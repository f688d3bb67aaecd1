//! Live vs offline: the service trades the simulator with observation logging on; then
//! `observe` over the stored session and over the capture file reproduces every logged
//! observation bit for bit. Also `policy` on `observe`'s output, and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};

use kalshi_actor::observer::log::parse_line;
use kalshi_actor::observer::Observation;

use crate::support::{default_model, kalshi_actor, run, KillOnDrop};

fn observations(text: &str) -> Vec<Observation> {
    text.lines().map(|l| parse_line(l).unwrap()).collect()
}

fn bits(o: &Observation) -> Vec<u32> {
    o.obs.iter().map(|v| v.to_bits()).collect()
}

/// Runs `observe` with `source` args for `market`; its observations by receive ms.
fn observe(source: &[&str], market: &str) -> BTreeMap<i64, Observation> {
    let (out, stdout, stderr) = run(kalshi_actor().arg("observe").args(source).args(["--market", market]));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("updates/s"), "{stderr}");
    observations(&stdout).into_iter().map(|o| (o.ts_ms, o)).collect()
}

#[test]
fn live_observations_equal_offline_ones_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let log = dir.path().join("observations.jsonl");
    let capture = dir.path().join("capture.jsonl");
    let mut child = KillOnDrop(
        kalshi_actor()
            .arg("run")
            .current_dir(dir.path())
            .env("RL_ACTOR_MODEL_ID", default_model())
            .env("RL_ACTOR_TARGET_MARKET_MODE", "all")
            // A dry run: the portfolio stays flat, as `observe` assumes without --portfolio.
            .env("RL_ACTOR_ENABLED", "false")
            .env("RL_ACTOR_TICK_THROTTLE_MS", "0")
            .env("ORDERBOOK_MARKET_LIMIT", "4")
            .env("DATABASE_URL", &db)
            .env("KALSHI_ACTOR_FEED__CAPTURE_PATH", &capture)
            .env("KALSHI_ACTOR_OBSERVER__LOG_PATH", &log)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let running = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("service running")).expect("started");
    assert!(running.contains("model=ppo_default"), "{running}");
    // Wait (polling the log, which the service appends to) for enough observations.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_to_string(&log).map_or(0, |t| t.lines().count()) < 80 {
        assert!(std::time::Instant::now() < deadline, "the service logged fewer than 80 observations");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert!(child.0.wait().unwrap().success());
    drop(lines);

    let live = observations(&std::fs::read_to_string(&log).unwrap());
    let markets: BTreeSet<String> = live.iter().map(|o| o.market.clone()).collect();
    assert!(markets.len() >= 2, "observations of several markets: {markets:?}");
    let session = ["--session", "1", "--database", &db];
    let cap = capture.to_str().unwrap();
    let mut compared = 0;
    for m in &markets {
        let from_db = observe(&session, m);
        let from_capture = observe(&["--input", cap], m);
        for o in live.iter().filter(|o| &o.market == m) {
            for (what, offline) in [("session", &from_db), ("capture", &from_capture)] {
                let off =
                    offline.get(&o.ts_ms).unwrap_or_else(|| panic!("{what}: no observation of {m} at {}", o.ts_ms));
                assert_eq!(bits(off), bits(o), "{what}: {m} at {} differs", o.ts_ms);
            }
            compared += 1;
        }
    }
    assert_eq!(compared, live.len());
    // Every live observation is a two-sided, warmed-up view point: offline has more.
    let total: usize = markets.iter().map(|m| observe(&session, m).len()).sum();
    assert!(total >= live.len());
}

#[test]
fn observe_writes_csv_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("c.jsonl");
    let frames = [
        r#"{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}"#,
        r#"{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M","yes_dollars_fp":[["0.40","10"]],"no_dollars_fp":[["0.55","5"]]}}"#,
        r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","price_dollars":"0.41","delta_fp":"2","side":"yes"}}"#,
    ];
    let text: String =
        frames.iter().enumerate().map(|(i, f)| kalshi_actor::feed::capture::line(1_000 + i as i64 * 10, f)).collect();
    std::fs::write(&capture, text).unwrap();
    let cap = capture.to_str().unwrap();
    let (out, stdout, stderr) =
        run(kalshi_actor().args(["observe", "--input", cap, "--market", "M", "--format", "csv"]));
    assert!(out.status.success(), "{stderr}");
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 3, "header + one row per point:\n{stdout}");
    assert!(rows[0].starts_with("ts_ms,market,best_yes_bid_norm,best_yes_ask_norm,"), "{}", rows[0]);
    assert_eq!(rows[0].split(',').count(), 54);
    assert!(rows[2].starts_with("1020,M,0.41,0.45,"), "{}", rows[2]);

    // A what-if portfolio: 12 YES contracts of M at a 51¢ mid… of the last point: 41/45.
    let pf = dir.path().join("p.json");
    std::fs::write(
        &pf,
        r#"{"cash_cents": 8000, "positions": [{"market": "M", "position": 12, "cost_basis_cents": 510}]}"#,
    )
    .unwrap();
    let (out, stdout, stderr) =
        run(kalshi_actor().args(["observe", "--input", cap, "--market", "M", "--portfolio", pf.to_str().unwrap()]));
    assert!(out.status.success(), "{stderr}");
    let last = observations(&stdout).pop().unwrap();
    let pv = 8000.0 + 12.0 * 43.0;
    assert_eq!(last.obs[35], (8000.0 / pv) as f32, "cash ratio");
    assert_eq!(last.obs[37], 0.1, "one position");

    for (args, expect) in [
        (vec!["--input", cap, "--market", "NOPE"], "market NOPE has no order-book update"),
        (vec!["--input", "/nonexistent/c.jsonl", "--market", "M"], "cannot open"),
        (vec!["--input", cap, "--market", "M", "--timezone", "Mars/Base"], "unknown time zone"),
        (vec!["--input", cap, "--market", "M", "--portfolio", cap], "bad portfolio file"),
        (vec!["--market", "M"], "required"),
    ] {
        let (out, _, stderr) = run(kalshi_actor().arg("observe").args(&args));
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn policy_scores_observe_output_and_bare_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("obs.jsonl");
    let zeros = format!("[{}]", vec!["0"; 52].join(","));
    let obj = format!(r#"{{"ts_ms": 1, "market": "M", "obs": {zeros}}}"#);
    std::fs::write(&input, format!("{zeros}\n\n{obj}\n")).unwrap();
    let (out, stdout, stderr) =
        run(kalshi_actor().args(["policy", "--model", &default_model(), "--obs", input.to_str().unwrap()]));
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1]);
    let model = kalshi_actor::policy::PolicyModel::load_sb3(default_model()).unwrap();
    let d = model.act(&[0.0; 52]).unwrap();
    assert_eq!(lines[0]["action"], d.action);
    assert_eq!(lines[0]["name"], d.action_name());
    let probs: Vec<f32> = lines[0]["probs"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
    assert_eq!(probs, d.probs);

    for (text, expect) in [
        ("[1, 2, 3]\n", "line 1: 3 numbers; the policy needs 52"),
        ("{\"nope\": 1}\n", "line 1: an object line needs an \"obs\" array"),
        ("not json\n", "line 1: not JSON"),
    ] {
        std::fs::write(&input, text).unwrap();
        let (out, _, stderr) =
            run(kalshi_actor().args(["policy", "--model", &default_model(), "--obs", input.to_str().unwrap()]));
        assert!(!out.status.success());
        assert!(stderr.contains(expect), "{stderr}");
    }
    let (out, _, stderr) = run(kalshi_actor().args(["policy", "--model", "no_such_model"]));
    assert!(!out.status.success());
    assert!(stderr.contains("no model named \"no_such_model\""), "{stderr}");
}
