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

/// The live session's decisions, from the database.
fn live_actions(db: &str) -> Vec<LiveDecision> {
    actix_web::rt::System::new().block_on(async {
        let store = kalshi_actor::storage::Store::connect(db).await.unwrap();
        let records = store.actor_records(1).await.unwrap();
        let mut actions = Vec::new();
        for r in records {
            if let kalshi_actor::storage::ActorRecord::Action(a) = r {
                let obs = a.obs.iter().map(|v| v.to_bits()).collect();
                actions.push((a.market, obs, usize::from(a.action), a.recv_ms));
            }
        }
        store.close().await;
        actions
    })
}

/// Trains a small model with `train` (a few rollouts: its greedy actions still vary) and
/// returns its weights file.
fn train_small(dir: &Path) -> String {
    let out = dir.join("small");
    let (status, stdout, stderr) = run(kalshi_actor().current_dir(dir).args([
        "train",
        "--input",
        &heldout(),
        "--out",
        out.to_str().unwrap(),
        "--steps",
        "2048",
        "--n-steps",
        "1024",
        "--seed",
        "5",
        "--target-mode",
        "all",
    ]));
    assert!(status.status.success(), "{stderr}");
    assert!(stdout.contains("trained 2048 steps"), "{stdout}");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("small.card.json")).unwrap()).unwrap();
    assert_eq!(card["observation"]["size"], 52);
    assert_eq!(card["architecture"]["hidden"], serde_json::json!([64, 64]));
    assert_eq!(card["training"]["steps"], 2048);
    assert_eq!(card["training"]["hyperparameters"]["clip_range"].as_f64().map(|v| (v * 100.0).round()), Some(20.0));
    dir.join("small.safetensors").to_str().unwrap().to_owned()
}

#[test]
fn live_and_replay_choose_the_same_action_on_the_same_observation() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
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
            .env("RL_ACTOR_MODEL_ID", &model)
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
    while live_actions(&db).len() < 150 {
        assert!(std::time::Instant::now() < deadline, "fewer than 150 decisions");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(child.0.wait().unwrap().success());
    drop(lines);
    let live = live_actions(&db);

    // Replay the capture with the same model and settings.
    let steps = dir.path().join("steps.csv");
    let mut cmd = kalshi_actor();
    cmd.current_dir(dir.path()).envs(common).args(["replay", "--input", capture.to_str().unwrap(), "--model", &model]);
    let (out, _, stderr) = run(cmd.args(["--steps-csv", steps.to_str().unwrap()]));
    assert!(out.status.success(), "{stderr}");
    let text = std::fs::read_to_string(&steps).unwrap();
    let m = kalshi_actor::policy::load::load(&model, Path::new("."), None).unwrap().model;
    let decide = |bits: &[u32]| {
        let obs: [f32; 52] = std::array::from_fn(|i| f32::from_bits(bits[i]));
        m.act(&obs).unwrap().action
    };
    // The replay's steps in order; `flat` until its first trade (cash moves).
    let mut replayed: Vec<(String, Vec<u32>, usize, bool)> = Vec::new();
    let mut flat = true;
    for row in text.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        let obs: Vec<u32> = cols[14..].iter().map(|v| v.parse::<f32>().unwrap().to_bits()).collect();
        assert_eq!(obs.len(), 52);
        let action: usize = cols[3].parse().unwrap();
        assert_eq!(action, decide(&obs), "replay: the model's action on its observation: {row}");
        replayed.push((cols[1].to_owned(), obs, action, flat));
        flat &= cols[12].parse::<f64>().unwrap() == 1_000_000.0;
    }
    let mut by_state: HashMap<(String, Vec<u32>), usize> = HashMap::new();
    for (market, obs, action, recv_ms) in &live {
        assert_eq!(*action, decide(obs), "live: the model's action on its observation ({market} at {recv_ms})");
        by_state.insert((market.clone(), obs.clone()), *action);
    }
    let mut twins = 0;
    for (market, obs, action, flat) in &replayed {
        match by_state.get(&(market.clone(), obs.clone())) {
            Some(a) => {
                assert_eq!(a, action, "{market}: live {a}, replay {action} on the same observation");
                twins += 1;
            }
            // Until the replay's first trade both portfolios are the same flat one: each of
            // those decisions was made live on the same observation.
            None => assert!(!flat, "{market}: a flat-portfolio replay decision the live service never made"),
        }
    }
    let flat_steps = replayed.iter().filter(|r| r.3).count();
    assert!(flat_steps >= 1 && twins >= flat_steps, "{twins} twins, {flat_steps} flat steps");
}
