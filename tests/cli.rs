//! The command line, through the real binary.

use crate::support::{kalshi_actor, run};

#[test]
fn print_config_shows_effective_values_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[feed]\nmarket_limit = 12\n").unwrap();
    let (out, stdout, stderr) = run(kalshi_actor()
        .args(["run", "--print-config", "--config"])
        .arg(&cfg)
        .env("RL_ACTOR_TICK_THROTTLE_MS", "99")
        .env("KALSHI_PAPER_TRADING_API_KEY_ID", "ID-SHOULD-NOT-PRINT")
        .env("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", "KEY-SHOULD-NOT-PRINT")
        .env("DATABASE_URL", "postgres://me:PW-SHOULD-NOT-PRINT@localhost/k"));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("market_limit = 12"), "{stdout}");
    assert!(stdout.contains("tick_throttle_ms = 99"), "{stdout}");
    assert!(stdout.contains("<redacted>"), "{stdout}");
    for secret in ["ID-SHOULD-NOT-PRINT", "KEY-SHOULD-NOT-PRINT", "PW-SHOULD-NOT-PRINT"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked");
    }
    // The printed configuration loads back as the same configuration.
    let again = dir.path().join("again.toml");
    std::fs::write(&again, &stdout).unwrap();
    let (out2, stdout2, stderr2) = run(kalshi_actor()
        .args(["run", "--print-config", "--config"])
        .arg(&again)
        .env("RL_ACTOR_TICK_THROTTLE_MS", "99"));
    assert!(out2.status.success(), "{stderr2}");
    assert_eq!(stdout2, stdout.replace("= <redacted> (environment only)", "= unset (environment only)"));
}

#[test]
fn bad_configuration_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[feed]\nmarket_limit = \"lots\"\nbogus = 1\n").unwrap();
    let (out, _, stderr) = run(kalshi_actor().args(["run", "--config"]).arg(&cfg).env("RL_MARKET_MODE", "sideways"));
    assert_eq!(out.status.code(), Some(1));
    for needle in
        ["3 problems", "feed.market_limit", "feed.bogus", "unknown key", "feed.market_mode (from env RL_MARKET_MODE)"]
    {
        assert!(stderr.contains(needle), "{needle} missing:\n{stderr}");
    }
}

#[test]
fn keygen_writes_a_usable_key_pair() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let (out, stdout, stderr) = run(kalshi_actor().args(["keygen", "--out"]).arg(&keys));
    assert!(out.status.success(), "{stderr}");
    let key_id = std::fs::read_to_string(keys.join("key_id")).unwrap().trim().to_owned();
    assert!(stdout.contains(&format!("key id:      {key_id}")), "{stdout}");
    let private = std::fs::read_to_string(keys.join("private_key.pem")).unwrap();
    let public = std::fs::read_to_string(keys.join("public_key.pem")).unwrap();
    assert!(!stdout.contains(private.lines().nth(1).unwrap()), "private key printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.join("private_key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private key readable by others: {mode:o}");
    }
    // The written key signs, the public key verifies, and the id is the public key's.
    use kalshi_actor::kalshi::sign::{key_id_for_public_pem, Signer, Verifier};
    let signer = Signer::from_key_content(key_id.clone(), &private).unwrap();
    let h = signer.sign(1_703_123_456_789, "GET", "/trade-api/v2/portfolio/balance");
    let verifier = Verifier::from_public_pem(&public).unwrap();
    verifier.verify(&h.timestamp, "GET", "/trade-api/v2/portfolio/balance", &h.signature).unwrap();
    assert_eq!(key_id_for_public_pem(&public).unwrap(), key_id);
    // A second run refuses to overwrite.
    let (out, _, stderr) = run(kalshi_actor().args(["keygen", "--out"]).arg(&keys));
    assert!(!out.status.success() && stderr.contains("--force"), "{stderr}");
}

#[test]
fn help_explains_each_command() {
    let (out, stdout, _) = run(kalshi_actor().arg("--help"));
    assert!(out.status.success());
    assert!(stdout.contains("run") && stdout.contains("keygen"), "{stdout}");
    let (_, stdout, _) = run(kalshi_actor().args(["run", "--help"]));
    assert!(stdout.contains("--print-config"), "{stdout}");
}

#[test]
fn sim_prints_its_urls_and_key_and_serves_kalshis_api() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = crate::support::KillOnDrop(
        kalshi_actor()
            .args(["sim", "--listen", "127.0.0.1:0", "--no-flow", "--markets", "3", "--accounts-dir"])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = std::collections::BTreeMap::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let (k, v) = line.split_once(':').unwrap();
        printed.insert(k.trim().to_owned(), v.trim().to_owned());
        if k == "markets" {
            break;
        }
    }
    let key_id = std::fs::read_to_string(dir.path().join("key_id")).unwrap();
    assert_eq!(printed["key id"], key_id.trim());
    assert_eq!(printed["private key"], dir.path().join("private_key.pem").display().to_string());
    assert_eq!(printed["markets"].split(", ").count(), 4, "3 linear-cent markets and the sub-cent one");
    let rest = &printed["REST"];
    assert!(printed["WebSocket"].starts_with("ws://127.0.0.1:") && printed["WebSocket"].ends_with("/trade-api/ws/v2"));
    let addr = rest.trim_start_matches("http://").split('/').next().unwrap();
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    write!(conn, "GET /trade-api/v2/exchange/status HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    drop(child);
    assert!(response.starts_with("HTTP/1.0 200"), "{response}");
    assert!(
        response.ends_with(r#"{"exchange_active":true,"trading_active":true,"intra_exchange_transfers_active":true}"#),
        "{response}"
    );
}

#[test]
fn run_records_a_session_and_stops_cleanly_on_sigint() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = crate::support::KillOnDrop(
        kalshi_actor()
            .arg("run")
            .current_dir(dir.path())
            .env("RL_ACTOR_MODEL_ID", crate::support::default_model())
            .env("RL_MARKET_MODE", "discovery")
            .env("ORDERBOOK_MARKET_LIMIT", "3")
            .env("KALSHI_ACTOR_FEED__CAPTURE_PATH", "capture.jsonl")
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let running = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("service running")).expect("service started");
    assert!(
        running.contains("database=sqlite://data/kalshi-actor.sqlite") && running.contains("markets=3"),
        "{running}"
    );
    let db = format!("sqlite://{}", dir.path().join("data/kalshi-actor.sqlite").display());
    crate::support::wait_for_deltas(&db, 1);
    let status = std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.0.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    assert!(rest.iter().any(|l| l.contains("persister flushed and closed")), "{rest:?}");
    let sessions = crate::support::sessions(&db);
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].status.as_str(), "closed");
    assert!(sessions[0].snapshots >= 3 && sessions[0].deltas > 0, "{:?}", sessions[0]);
    let captured = std::fs::read_to_string(dir.path().join("capture.jsonl")).unwrap();
    let first = kalshi_actor::feed::capture::parse_line(captured.lines().next().unwrap()).unwrap();
    assert!(first.frame.contains("\"type\":\"subscribed\""), "{}", first.frame);
    assert!(captured.lines().count() as u64 >= sessions[0].records());
    let (out, stdout, stderr) = run(kalshi_actor().args(["sessions", "--database", &db]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.lines().nth(1).unwrap().trim_start().starts_with("1  closed"), "{stdout}");
}

#[test]
fn demo_mode_records_from_a_standalone_simulator() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let (_sim, printed) = crate::support::standalone_sim(dir.path(), 2);
    let key = std::fs::read_to_string(&printed["private key"]).unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.sqlite").display());
    let mut run_child = crate::support::KillOnDrop(
        kalshi_actor()
            .arg("run")
            .current_dir(dir.path())
            .env("RL_ACTOR_MODEL_ID", crate::support::default_model())
            .env("KALSHI_ACTOR_EXCHANGE__MODE", "demo")
            .env("RL_ACTOR_MODEL_ID", crate::support::default_model())
            .env("KALSHI_PAPER_TRADING_API_URL", &printed["REST"])
            .env("KALSHI_PAPER_TRADING_WS_URL", &printed["WebSocket"])
            .env("KALSHI_PAPER_TRADING_API_KEY_ID", &printed["key id"])
            .env("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", key)
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(run_child.0.stderr.take().unwrap()).lines();
    let running = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("service running")).expect("service started");
    assert!(running.contains(&printed["WebSocket"]), "{running}");
    crate::support::wait_for_deltas(&db, 10);
    std::process::Command::new("kill").args(["-TERM", &run_child.0.id().to_string()]).status().unwrap();
    assert!(run_child.0.wait().unwrap().success());
    let s = &crate::support::sessions(&db)[0];
    assert_eq!((s.status.as_str(), s.ws_url.as_str(), s.markets.len()), ("closed", printed["WebSocket"].as_str(), 3));
}
