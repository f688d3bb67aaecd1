//! `replay` through the binary: deterministic reports and step files on the committed
//! simulator capture, clear errors for bad input, and live vs replay: a session traded live
//! and then replayed with the same model chooses the same action at every decision that saw
//! the same observation.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::support::{kalshi_actor, run, KillOnDrop};

/// The held-out simulator capture committed with the default model.
fn heldout() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/data/sim-heldout.jsonl").to_owned()
}

/// The default trained model.
fn trained() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/ppo_sim.safetensors").to_owned()
}

fn replay(dir: &Path, tag: &str, extra: &[&str]) -> (serde_json::Value, String, String) {
    let out = dir.join(format!("{tag}.json"));
    let steps = dir.join(format!("{tag}.csv"));
    let (status, stdout, stderr) = run(kalshi_actor()
        .current_dir(dir)
        .args(["replay", "--input", &heldout()])
        .args(["--out", out.to_str().unwrap(), "--steps-csv", steps.to_str().unwrap()])
        .args(extra));
    assert!(status.status.success(), "{stderr}");
    assert!(stderr.contains("updates/s"), "{stderr}");
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (report, std::fs::read_to_string(&steps).unwrap(), stdout)
}

#[test]
fn replay_is_deterministic_and_reports_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let model = ["--model", &trained(), "--target-mode", "all"];
    let (a, steps_a, stdout) = replay(dir.path(), "a", &model);
    let (b, steps_b, _) = replay(dir.path(), "b", &model);
    assert_eq!(a, b, "same input, same report");
    assert_eq!(steps_a, steps_b, "same input, same steps");
    assert!(stdout.contains("P&L $") && stdout.contains("actions:"), "{stdout}");
    let decisions = a["decisions"].as_u64().unwrap();
    assert!(decisions > 100, "{a}");
    let by_action: u64 = a["actions"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(by_action, decisions);
    // Header + one row per decision, each with the 52 features.
    let rows: Vec<&str> = steps_a.lines().collect();
    assert_eq!(rows.len() as u64, decisions + 1);
    assert!(rows[0].starts_with("ts_ms,market,seq,action,name,p_HOLD,"), "{}", rows[0]);
    assert_eq!(rows[1].split(',').count(), rows[0].split(',').count());
    assert_eq!(rows[0].split(',').count(), 5 + 5 + 4 + 52);
    // HOLD only trades nothing; random trades and pays fees.
    let (hold, _, _) = replay(dir.path(), "hold", &["--baseline", "hold", "--target-mode", "all"]);
    assert_eq!((hold["trades"].as_u64(), hold["pnl_cents"].as_f64()), (Some(0), Some(0.0)));
    assert_eq!(hold["decisions"].as_u64(), Some(decisions), "the same decisions, whatever is chosen");
    let (random, _, _) = replay(dir.path(), "random", &["--baseline", "random", "--seed", "4", "--target-mode", "all"]);
    assert!(random["trades"].as_u64().unwrap() > 0 && random["fees"] != "0.000000", "{random}");
}

#[test]
fn replay_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--input", "/nonexistent.jsonl", "--baseline", "hold"], "cannot open /nonexistent.jsonl"),
        (&["--input", &heldout(), "--baseline", "hold", "--market", "NOPE"], "market NOPE has no order-book update"),
        (&["--input", &heldout(), "--model", "no_such_model"], "no model named"),
        (&["--input", &heldout()], "--model"),
        (&["--baseline", "hold"], "--input"),
    ];
    for (args, expect) in cases {
        let (out, _, stderr) = run(kalshi_actor().current_dir(dir.path()).arg("replay").args(args));
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"not\": \"a capture line\"}\n").unwrap();
    let (out, _, stderr) = run(kalshi_actor().current_dir(dir.path()).args([
        "replay",
        "--input",
        bad.to_str().unwrap(),
        "--baseline",
        "hold",
    ]));
    assert!(!out.status.success());
    assert!(stderr.contains("line 1"), "{stderr}");
}

/// One live decision: market, observation bits, action, receive ms.
type LiveDecision = (String, Vec<u32>, usize, i64);

/// The live session's decisions and its first fill's time, from the database.
fn live_actions(db: &str) -> (Vec<LiveDecision>, Option<i64>) {
    actix_web::rt::System::new().block_on(async {
        let store = kalshi_actor::storage::Store::connect(db).await.unwrap();
        let records = store.actor_records(1).await.unwrap();
        let mut actions = Vec::new();
        let mut first_fill = None;
        for r in records {
            match r {
                kalshi_actor::storage::ActorRecord::Action(a) => actions.push((
                    a.market,
                    a.obs.iter().map(|v| v.to_bits()).collect(),
                    usize::from(a.action),
                    a.recv_ms,
                )),
                kalshi_actor::storage::ActorRecord::Fill(f) => {
                    first_fill = Some(first_fill.map_or(f.ts_ms, |t: i64| t.min(f.ts_ms)));
                }
                _ => {}
            }
        }
        store.close().await;
        (actions, first_fill)
    })
}

#[test]
fn live_and_replay_choose_the_same_action_on_the_same_observation() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let capture = dir.path().join("capture.jsonl");
    let common = [
        ("RL_ACTOR_TARGET_MARKET_MODE", "all"),
        ("RL_ACTOR_TICK_THROTTLE_MS", "0"),
        ("ORDERBOOK_MARKET_LIMIT", "3"),
        // The simulator's account holds $10 000: the flat portfolio replay starts from.
        ("KALSHI_ACTOR_OBSERVER__STARTING_CASH", "10000"),
    ];
    let mut child = KillOnDrop(
        kalshi_actor()
            .arg("run")
            .current_dir(dir.path())
            .env("RL_ACTOR_MODEL_ID", trained())
            .envs(common)
            .env("DATABASE_URL", &db)
            .env("KALSHI_ACTOR_FEED__CAPTURE_PATH", &capture)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("service running")).expect("started");
    // Trade until the database holds enough decisions.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while live_actions(&db).0.len() < 150 {
        assert!(std::time::Instant::now() < deadline, "fewer than 150 decisions");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(child.0.wait().unwrap().success());
    drop(lines);
    let (live, first_fill) = live_actions(&db);

    // Replay the capture with the same model and settings.
    let steps = dir.path().join("steps.csv");
    let mut cmd = kalshi_actor();
    cmd.current_dir(dir.path()).envs(common).args([
        "replay",
        "--input",
        capture.to_str().unwrap(),
        "--model",
        &trained(),
    ]);
    let (out, _, stderr) = run(cmd.args(["--steps-csv", steps.to_str().unwrap()]));
    assert!(out.status.success(), "{stderr}");
    let text = std::fs::read_to_string(&steps).unwrap();
    let mut replayed: HashMap<(String, Vec<u32>), usize> = HashMap::new();
    for row in text.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        let obs: Vec<u32> = cols[14..].iter().map(|v| v.parse::<f32>().unwrap().to_bits()).collect();
        assert_eq!(obs.len(), 52);
        replayed.insert((cols[1].to_owned(), obs), cols[3].parse().unwrap());
    }
    let (mut same_state, mut before_fill, mut before_fill_matched) = (0, 0, 0);
    for (market, obs, action, recv_ms) in &live {
        let flat = first_fill.is_none_or(|t| *recv_ms < t);
        before_fill += usize::from(flat);
        if let Some(a) = replayed.get(&(market.clone(), obs.clone())) {
            assert_eq!(a, action, "{market} at {recv_ms}: live {action}, replay {a}");
            same_state += 1;
            before_fill_matched += usize::from(flat);
        }
    }
    // Until the first fill both portfolios are the same flat one: every live decision
    // then had its twin in the replay.
    assert!(before_fill >= 5, "{before_fill} decisions before the first fill");
    assert_eq!(before_fill_matched, before_fill, "{same_state} of {} matched", live.len());
    let actions: std::collections::BTreeSet<usize> = live.iter().map(|l| l.2).collect();
    assert!(actions.len() >= 2, "the model chose different actions: {actions:?}");
}
