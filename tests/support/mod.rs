//! Shared helpers for the integration tests.

pub mod pipeline;
pub mod service;
pub mod sim;

use std::process::{Command, Output};

/// The `kalshi-actor` binary built for this test run, with a clean environment: no seed
/// or `KALSHI_ACTOR_` variables leak in from the machine running the tests.
pub fn kalshi_actor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kalshi-actor"));
    for (k, _) in std::env::vars() {
        if k.starts_with("KALSHI_") || k.starts_with("RL_") || k == "DATABASE_URL" || k == "ORDERBOOK_MARKET_LIMIT" {
            cmd.env_remove(k);
        }
    }
    // Never the default 127.0.0.1:8080: tests run in parallel, and next to a user's service.
    cmd.env("KALSHI_ACTOR_WEB__LISTEN", "127.0.0.1:0");
    cmd
}

/// The bundled default model, by absolute path (tests run the binary in temporary
/// directories, where `model_weights/` does not exist).
pub fn default_model() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/ppo_default.zip").to_owned()
}

/// Runs a command and returns its output with stdout and stderr as text.
pub fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// A child process killed when the test ends, pass or fail.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `check` every 10 ms until it yields `Some`, failing the test after `within`.
pub async fn wait_until<T, F, Fut>(within: std::time::Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out after {within:?} waiting for {what}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The sessions recorded in `db`, read with a fresh connection.
pub fn sessions(db: &str) -> Vec<kalshi_actor::storage::SessionRow> {
    actix_web::rt::System::new().block_on(async {
        let store = kalshi_actor::storage::Store::connect(db).await.unwrap();
        let rows = store.sessions().await.unwrap();
        store.close().await;
        rows
    })
}

/// Polls `db` (a running service's database) until its first session has `deltas` deltas.
pub fn wait_for_deltas(db: &str, deltas: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sessions(db).first().is_none_or(|s| s.deltas < deltas) {
        assert!(std::time::Instant::now() < deadline, "fewer than {deltas} deltas recorded in {db}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A standalone `kalshi-actor sim` on a free loopback port with `markets` markets, its
/// accounts in `dir/accounts`; returns the process and what it printed (`REST`,
/// `WebSocket`, `key id`, `private key`, …).
pub fn standalone_sim(dir: &std::path::Path, markets: u32) -> (KillOnDrop, std::collections::BTreeMap<String, String>) {
    use std::io::{BufRead, BufReader};
    let mut sim = KillOnDrop(
        kalshi_actor()
            .args(["sim", "--listen", "127.0.0.1:0", "--markets", &markets.to_string(), "--flow-tick-ms", "20"])
            .arg("--accounts-dir")
            .arg(dir.join("accounts"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut printed = std::collections::BTreeMap::new();
    for line in BufReader::new(sim.0.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let (k, v) = line.split_once(':').unwrap();
        printed.insert(k.trim().to_owned(), v.trim().to_owned());
        if k == "markets" {
            break;
        }
    }
    (sim, printed)
}
