//! Security through the real binary and real sockets: the secrets given to `kalshi-actor`
//! (the RSA private key, the API key id, the control token, a database password) never
//! appear in anything it emits; off loopback, control needs the token; the dashboard
//! WebSocket refuses foreign Origins and oversize frames; oversize requests are refused;
//! and the service keeps serving through all of it.
//!
//! The API key id counts as a secret (README, `config::SECRET_KEYS`): only the exchange
//! sees it, in the `KALSHI-ACCESS-KEY` header of each signed request.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use awc::ws::Message;
use futures_util::SinkExt;
use kalshi_actor::kalshi::sign::{generate_key_pair, KeyPair};

use crate::support::service::{connect, frame_header, json, next_text, raw_request, raw_ws_hangs_up, Service, WAIT};
use crate::support::{default_model, kalshi_actor, run, standalone_sim, wait_until};

const TOKEN: &str = "ctl-7b2e9f4a61d3c85e0f";
const DB_PASSWORD: &str = "dbpw-3c9e1a7f5b2d88";
const DIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboard/dist");

/// `kalshi-actor run` in `dir`, on the standalone simulator `sim` with `pair` and every other
/// secret the configuration accepts set in the environment, logging everything.
fn with_secrets(dir: &Path, sim: &BTreeMap<String, String>, pair: &KeyPair) -> Command {
    let mut cmd = kalshi_actor();
    cmd.arg("run")
        .current_dir(dir)
        .env("KALSHI_PAPER_TRADING_API_URL", &sim["REST"])
        .env("KALSHI_PAPER_TRADING_WS_URL", &sim["WebSocket"])
        .env("KALSHI_PAPER_TRADING_API_KEY_ID", &pair.key_id)
        .env("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", &pair.private_pem)
        .env("KALSHI_ACTOR_WEB__CONTROL_TOKEN", TOKEN)
        .env("KALSHI_ACTOR_PERSISTER__DATABASE_PASSWORD", DB_PASSWORD)
        .env("KALSHI_ACTOR_WEB__DASHBOARD_DIR", DIST)
        .env("RL_ACTOR_MODEL_ID", default_model())
        .env("ORDERBOOK_MARKET_LIMIT", "3")
        .env("RUST_LOG", "trace");
    cmd
}

/// `kalshi-actor run` in `dir` in the default mode (the embedded simulator), on loopback.
fn embedded(dir: &Path) -> Command {
    let mut cmd = kalshi_actor();
    cmd.arg("run").current_dir(dir).env("RL_ACTOR_MODEL_ID", default_model()).env("ORDERBOOK_MARKET_LIMIT", "2");
    cmd.env("RUST_LOG", "info");
    cmd
}

/// (what, text) for every secret: the whole PEM, each of its base64 lines of 16 characters
/// or more, the key id, the control token, the database password.
fn secrets(pair: &KeyPair) -> Vec<(String, String)> {
    let mut s = vec![
        ("the private key PEM".to_owned(), pair.private_pem.trim().to_owned()),
        ("the API key id".to_owned(), pair.key_id.clone()),
        ("the control token".to_owned(), TOKEN.to_owned()),
        ("the database password".to_owned(), DB_PASSWORD.to_owned()),
    ];
    let body = pair.private_pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 16);
    s.extend(body.enumerate().map(|(i, l)| (format!("line {} of the private key", i + 1), l.to_owned())));
    s
}

/// A dashboard client that sends `hello` (unless empty) and then reads all along; the cell
/// holds the stamp of the latest `stats` frame it got.
fn watcher(url: &str, hello: &str) -> Rc<Cell<i64>> {
    let (latest, url, hello) = (Rc::new(Cell::new(0)), url.to_owned(), hello.to_owned());
    let seen = latest.clone();
    actix_web::rt::spawn(async move {
        let mut ws = connect(&url, None).await.unwrap();
        if !hello.is_empty() {
            ws.send(Message::Text(hello.into())).await.unwrap();
        }
        while let Some(v) = next_text(&mut ws).await.map(|t| json(&t)) {
            if v["type"] == "stats" {
                seen.set(v["data"]["timestamp_ms"].as_i64().unwrap());
            }
        }
    });
    latest
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

#[actix_web::test]
async fn secrets_never_leave_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let pair = generate_key_pair(2048).unwrap();
    std::fs::create_dir_all(dir.path().join("accounts")).unwrap();
    std::fs::write(dir.path().join("accounts/public_key.pem"), &pair.public_pem).unwrap();
    let (_sim, sim) = standalone_sim(dir.path(), 3);
    assert_eq!(sim["key id"], pair.key_id, "the exchange knows only our public key");
    let mut channels: Vec<(String, String)> = Vec::new();

    // Trading, signed with the key from the environment (the simulator verifies every request).
    let svc = Service::start(&mut with_secrets(dir.path(), &sim, &pair), dir.path());
    let feed = actix_web::rt::spawn(feed_until_fill(svc.ws_url()));
    let s = &svc;
    wait_until(WAIT, "a fill in /rl/status", || async move {
        (json(&s.get("/rl/status").await.1)["trading"]["fills"].as_u64() > Some(0)).then_some(())
    })
    .await;
    // Control with the token: a halt whose reason quotes it, a wrong token, a resume.
    let bearer = format!("Bearer {TOKEN}");
    let (code, body) = svc.call("POST", "/rl/actor/halt", Some(&bearer), &format!(r#"{{"reason": "{TOKEN}"}}"#)).await;
    assert_eq!((code, json(&body)["reason"].as_str()), (200, Some("<redacted>")), "{body}");
    assert_eq!(svc.call("POST", "/rl/actor/halt", Some("Bearer wrong"), "").await.0, 401);
    assert_eq!(svc.call("POST", "/rl/actor/resume", Some(&bearer), "").await.0, 200);
    channels.push(("the dashboard feed /rl/ws".into(), feed.await.unwrap()));
    let built = Path::new(DIST).join("index.html").exists();
    for path in ["/rl/status", "/rl/actor/status", "/metrics", "/rl/health", "/"] {
        let (code, body) = svc.get(path).await;
        assert_eq!(code, if path == "/" && !built { 503 } else { 200 }, "{path}: {body}");
        channels.push((format!("GET {path}"), body));
    }
    let html = channels.last().unwrap().1.clone();
    for asset in html.split('"').filter(|s| s.starts_with("/assets/")) {
        channels.push((format!("GET {asset}"), svc.get(asset).await.1));
    }
    let out = svc.stop();
    assert!(out.contains("service running") && out.contains("TRACE"), "{out}");
    channels.push(("the service's stdout and stderr at trace level".into(), out));

    let (status, stdout, stderr) = run(with_secrets(dir.path(), &sim, &pair).arg("--print-config"));
    assert!(status.status.success() && stdout.contains("<redacted>"), "{stderr}");
    channels.push(("--print-config".into(), stdout + &stderr));

    // Errors, each with every secret still set: a key that does not parse, a bad port, a
    // database that refuses us with the password in each place a URL can carry it (printed
    // by --print-config too), and secrets put in a config file.
    let body: Vec<&str> = pair.private_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut truncated: Vec<&str> = pair.private_pem.lines().collect();
    truncated.remove(truncated.len() - 2);
    let db = sim["REST"].trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let file = dir.path().join("secrets.toml");
    std::fs::write(
        &file,
        format!(
            "[exchange]\nkey_id = \"{}\"\nprivate_key = \"\"\"\n{}\"\"\"\n[web]\ncontrol_token = \"{TOKEN}\"\n",
            pair.key_id, pair.private_pem
        ),
    )
    .unwrap();
    let with = |var: &str, value: &str| {
        let mut cmd = with_secrets(dir.path(), &sim, &pair);
        cmd.env(var, value);
        cmd
    };
    let mut in_file = with_secrets(dir.path(), &sim, &pair);
    in_file.arg("--config").arg(&file);
    let key_var = "KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT";
    let mut broken = vec![
        ("a truncated PEM".to_owned(), with(key_var, &truncated.join("\n")), "private key"),
        ("a key body that is not base64".to_owned(), with(key_var, &body.join("!")), "not base64"),
        ("an invalid port".to_owned(), with("KALSHI_ACTOR_WEB__LISTEN", "127.0.0.1:99999"), "web.listen"),
        ("secrets in a config file".to_owned(), in_file, "is a secret"),
    ];
    for url in [
        format!("postgres://trader:{DB_PASSWORD}@{db}/k"),
        format!("postgres://trader@{db}/k?sslmode=disable&password={DB_PASSWORD}"),
        format!("postgres://trader:{DB_PASSWORD}/x@{db}/k"),
    ] {
        let (status, stdout, stderr) = run(with("DATABASE_URL", &url).arg("--print-config"));
        assert!(status.status.success() && stdout.contains("trader"), "{url}: {stderr}");
        channels.push((format!("--print-config with DATABASE_URL {url}"), stdout + &stderr));
        broken.push((format!("DATABASE_URL {url}"), with("DATABASE_URL", &url), "cannot open the database"));
    }
    for (what, mut cmd, expected) in broken {
        let (status, stdout, stderr) = run(&mut cmd);
        assert_eq!(status.status.code(), Some(1), "{what}: {stdout}{stderr}");
        assert!(stderr.contains("error:") && stderr.contains(expected), "{what}: {expected} missing:\n{stderr}");
        channels.push((format!("the error output for {what}"), stdout + &stderr));
    }

    let secrets = secrets(&pair);
    let leaks: Vec<String> = channels
        .iter()
        .flat_map(|(channel, text)| {
            secrets
                .iter()
                .filter(|(_, s)| text.contains(s.as_str()))
                .map(move |(what, _)| format!("{what} in {channel}"))
        })
        .collect();
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

/// Every frame of the dashboard feed until it has shown a fill and three `stats` frames.
async fn feed_until_fill(url: String) -> String {
    let mut ws = connect(&url, None).await.unwrap();
    let (mut all, mut stats, mut fill) = (String::new(), 0, false);
    while stats < 3 || !fill {
        let text = next_text(&mut ws).await.expect("the feed stays open");
        let v = json(&text);
        stats += usize::from(v["type"] == "stats");
        fill |= v["type"] == "actor_fill";
        all.push_str(&text);
        all.push('\n');
    }
    all
}

#[actix_web::test]
async fn control_refuses_without_token_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    // Off loopback without a token the service does not start at all.
    for (listen, token) in [("0.0.0.0:0", None), ("0.0.0.0:0", Some("")), ("[::]:0", None)] {
        let mut cmd = embedded(dir.path());
        cmd.env("KALSHI_ACTOR_WEB__LISTEN", listen);
        if let Some(t) = token {
            cmd.env("KALSHI_ACTOR_WEB__CONTROL_TOKEN", t);
        }
        let (status, _, stderr) = run(&mut cmd);
        assert_eq!(status.status.code(), Some(1), "{listen} {token:?}: {stderr}");
        assert!(stderr.contains("web.control_token") && stderr.contains("not a loopback address"), "{stderr}");
    }
    // With one, every halt or resume without exactly `Bearer <token>` is refused and
    // changes nothing; the right token halts and resumes the real executor.
    let svc = Service::start(
        embedded(dir.path()).env("KALSHI_ACTOR_WEB__LISTEN", "0.0.0.0:0").env("KALSHI_ACTOR_WEB__CONTROL_TOKEN", TOKEN),
        dir.path(),
    );
    svc.wait_healthy().await;
    let (wrong, longer, basic) =
        (format!("Bearer {}", &TOKEN[1..]), format!("Bearer {TOKEN}x"), format!("Basic {TOKEN}"));
    for path in ["/rl/actor/halt", "/rl/actor/resume"] {
        for auth in [None, Some(wrong.as_str()), Some(&longer), Some(&basic), Some(TOKEN), Some("Bearer ")] {
            let (code, body) = svc.call("POST", path, auth, r#"{"reason": "intruder"}"#).await;
            assert_eq!((code, body.as_str()), (401, r#"{"error":"unauthorized"}"#), "{path} {auth:?}");
        }
    }
    let halted = || async { json(&svc.get("/rl/status").await.1)["trading"]["halted"].clone() };
    assert!(halted().await.is_null(), "a refused halt halted trading");
    let bearer = format!("Bearer {TOKEN}");
    let (code, body) = svc.call("POST", "/rl/actor/halt", Some(&bearer), r#"{"reason": "drill"}"#).await;
    assert_eq!((code, halted().await), (200, serde_json::json!("drill")), "{body}");
    let (code, body) = svc.call("POST", "/rl/actor/resume", Some(&bearer), "").await;
    assert_eq!((code, json(&body)["halted"].as_bool()), (200, Some(false)), "{body}");
    assert!(halted().await.is_null());
    let out = svc.stop();
    assert_eq!(out.matches("control request refused: missing or wrong token").count(), 12, "{out}");
    assert!(!out.contains(TOKEN), "the token is in the log");
}

#[actix_web::test]
async fn websocket_refuses_foreign_origin_and_oversize_frames() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::start(&mut embedded(dir.path()), dir.path());
    let (url, host) = (svc.ws_url(), svc.host().to_owned());
    let port: u16 = host.rsplit(':').next().unwrap().parse().unwrap();
    // A browser always sends an Origin, which must be this very host; other clients send none.
    for origin in [None, Some(format!("http://{host}")), Some(format!("http://{host}/"))] {
        let mut ws = connect(&url, origin.as_deref()).await.unwrap_or_else(|e| panic!("{origin:?} refused: {e}"));
        assert_eq!(json(&next_text(&mut ws).await.unwrap())["type"], "connection");
    }
    let foreign = [
        "http://evil.example".to_owned(),
        format!("http://{host}.evil.example"),
        format!("http://{host}@evil.example"),
        format!("http://evil.example/{host}"),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        host.clone(),
        "null".to_owned(),
    ];
    for origin in &foreign {
        match connect(&url, Some(origin)).await {
            Err(awc::error::WsClientError::InvalidResponseStatus(s)) => assert_eq!(s.as_u16(), 403, "{origin}"),
            other => panic!("{origin}: {:?}", other.map(|_| "accepted")),
        }
    }

    // Two clients reading all along, one of which sent a small text frame.
    let watchers = [watcher(&url, ""), watcher(&url, &"x".repeat(1024))];
    // Oversize frames end the session at once: 1 MiB sent whole, 1 MiB announced with only
    // part of it sent, 1 TiB announced with nothing sent.
    let whole = [frame_header(1 << 20), vec![b'x'; 1 << 20]].concat();
    assert!(raw_ws_hangs_up(&host, &whole), "a 1 MiB frame was accepted");
    assert!(raw_ws_hangs_up(&host, &whole[..80 * 1024]), "a frame announcing 1 MiB was buffered");
    assert!(raw_ws_hangs_up(&host, &frame_header(1 << 40)), "a frame announcing 1 TiB was waited for");

    // The service goes on: both clients get fresh stats, a new one is served, health is ok.
    let after = now_ms();
    let w = &watchers;
    wait_until(WAIT, "fresh stats to both clients", || async move { w.iter().all(|l| l.get() > after).then_some(()) })
        .await;
    let mut late = connect(&url, None).await.unwrap();
    assert_eq!(json(&next_text(&mut late).await.unwrap())["type"], "connection");
    assert_eq!(svc.get("/rl/health").await.0, 200);
    let out = svc.stop();
    assert_eq!(out.matches("dashboard websocket from a foreign origin refused").count(), foreign.len(), "{out}");
}

#[actix_web::test]
async fn oversize_requests_are_refused_and_the_service_lives_on() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::start(&mut embedded(dir.path()), dir.path());
    svc.wait_healthy().await;
    let host = svc.host().to_owned();
    let big = "a".repeat(200 * 1024);
    let many: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let tib = |p: &str| format!("POST /rl/actor/{p} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1099511627776\r\n\r\n");
    let requests = [
        ("a 200 KiB URL", format!("GET /{big} HTTP/1.1\r\nHost: {host}\r\n\r\n"), "431"),
        ("a 200 KiB header", format!("GET /rl/health HTTP/1.1\r\nHost: {host}\r\nX-Big: {big}\r\n\r\n"), "431"),
        ("100 headers", format!("GET /rl/health HTTP/1.1\r\nHost: {host}\r\n{many}\r\n"), "431"),
        ("a 1 TiB halt, body unsent", tib("halt"), "413"),
        ("a 1 TiB resume, body unsent", tib("resume"), "413"),
    ];
    for (what, request, code) in &requests {
        let status = raw_request(&host, request.as_bytes());
        assert!(status.starts_with(&format!("HTTP/1.1 {code}")), "{what}: {status}");
    }
    // Nothing reached the executor, and everything still answers.
    assert!(json(&svc.get("/rl/status").await.1)["trading"]["halted"].is_null());
    assert_eq!(svc.get("/rl/health").await.0, 200);
    let out = svc.stop();
    assert!(!out.contains("panicked"), "{out}");
}
