//! The running service's web endpoints: `/metrics` and `/rl/health` report every actor,
//! `/rl/status` the trading summary, the dashboard feed sends `stats` and `feed_status`
//! every second, and none of them shows the private key.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{default_model, kalshi_actor, KillOnDrop};

#[actix_web::test]
async fn metrics_and_health_report_every_actor_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = KillOnDrop(
        kalshi_actor()
            .arg("run")
            .current_dir(dir.path())
            .env("RL_ACTOR_MODEL_ID", default_model())
            .env("ORDERBOOK_MARKET_LIMIT", "3")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(a) = line.split("web server listening addr=").nth(1) {
                let _ = tx.send(a.trim().to_owned());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("web server listening");
    let client = awc::Client::default();
    let get = |path: &str| {
        let (client, url) = (client.clone(), format!("http://{addr}{path}"));
        async move {
            let mut resp = client.get(url).send().await.unwrap();
            let body = String::from_utf8(resp.body().await.unwrap().to_vec()).unwrap();
            (resp.status().as_u16(), body)
        }
    };
    // Healthy once every actor answers; frames flowing once the feed is subscribed.
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let (code, health) = get("/rl/health").await;
        let (_, metrics) = get("/metrics").await;
        let frames = metrics
            .lines()
            .find_map(|l| l.strip_prefix("kalshi_feed_frames_total "))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if code == 200 && frames > 0.0 && metrics.contains("kalshi_observer_observations_total") {
            assert!(health.contains("\"status\":\"ok\""), "{health}");
            for actor in ["market_feed", "book_keeper", "persister", "observer", "policy", "order_executor"] {
                assert!(health.contains(&format!("\"{actor}\":\"ok\"")), "{actor}: {health}");
            }
            break metrics;
        }
        assert!(Instant::now() < deadline, "never healthy: {code} {health}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    for name in [
        "# TYPE kalshi_feed_frames_total counter",
        "kalshi_persist_accepted_total",
        "kalshi_persist_queue_depth",
        "kalshi_book_deltas_total",
        "kalshi_policy_decisions_total",
        "kalshi_executor_requests_total",
        "kalshi_actor_up{actor=\"persister\"} 1",
        "kalshi_feed_connected 1",
        "kalshi_book_stale_markets",
    ] {
        assert!(metrics.contains(name), "{name} missing:\n{metrics}");
    }
    let (code, status) = get("/rl/status").await;
    assert_eq!(code, 200);
    let frames = stats_frames(&addr).await;
    // The simulator's generated key: no line of it appears anywhere the service shows.
    let key_dir = dir.path().join("data/sim-accounts");
    let key = std::fs::read_dir(&key_dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("PRIVATE KEY")))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("the simulator's private key");
    let secret_lines: Vec<&str> = key.lines().filter(|l| l.len() > 40).collect();
    assert!(!secret_lines.is_empty());
    for line in secret_lines {
        assert!(!metrics.contains(line) && !status.contains(line), "the private key leaked");
        assert!(!frames.contains(line), "the private key leaked to the dashboard");
    }
    std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    assert!(child.0.wait().unwrap().success());
}

/// Reads the dashboard feed until two `stats` frames a second apart and a `feed_status`
/// show the pipeline at work; checks them; answers every frame read, as text.
async fn stats_frames(addr: &str) -> String {
    use awc::ws::{Frame, Message};
    use futures_util::{SinkExt, StreamExt};
    let (_, mut ws) = awc::Client::new().ws(format!("ws://{addr}/rl/ws")).connect().await.unwrap();
    let (mut all, mut stats, mut feed) = (String::new(), Vec::<serde_json::Value>::new(), None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats.len() < 3 || feed.is_none() {
        assert!(Instant::now() < deadline, "no stats: {stats:?} {feed:?}");
        let next = actix_web::rt::time::timeout(Duration::from_secs(5), ws.next()).await;
        match next.expect("a frame within 5 s").expect("open").unwrap() {
            Frame::Text(t) => {
                let v: serde_json::Value = serde_json::from_slice(&t).unwrap();
                all.push_str(std::str::from_utf8(&t).unwrap());
                match v["type"].as_str() {
                    Some("stats") => stats.push(v["data"].clone()),
                    Some("feed_status") if v["data"]["connected"] == true => feed = Some(v["data"].clone()),
                    _ => {}
                }
            }
            Frame::Ping(p) => ws.send(Message::Pong(p)).await.unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }
    let last = stats.last().unwrap();
    let t: Vec<i64> = stats.iter().map(|s| s["timestamp_ms"].as_i64().unwrap()).collect();
    assert!(t.windows(2).all(|w| w[1] - w[0] >= 500), "about one a second: {t:?}");
    assert!(last["frames_per_s"].as_f64().unwrap() > 0.0, "{last}");
    assert!(last["acks_per_s"].as_f64().unwrap() > 0.0, "{last}");
    assert_eq!(last["drops"], 0);
    assert_eq!(last["sessions"], 1);
    assert!(last["inference_p50_us"].as_f64().unwrap() > 0.0, "{last}");
    assert_eq!(last["risk"]["halted"], false);
    let feed = feed.unwrap();
    assert_eq!(feed["database"]["ok"], true, "{feed}");
    assert!(feed["stale_markets"].is_array() && feed["connects"].as_u64().unwrap() >= 1, "{feed}");
    for actor in ["market_feed", "book_keeper", "persister", "observer", "policy", "order_executor"] {
        assert_eq!(feed["actors"][actor], "ok", "{feed}");
    }
    all
}
