//! Starting a simulator on a free loopback port with known accounts, and signed REST and
//! WebSocket clients for it.

use std::net::TcpListener;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::sign::{generate_key_pair, KeyPair, Signer};
use kalshi_actor::sim::config::SimConfig;
use kalshi_actor::sim::run::{start, SimHandle};
use serde_json::Value;

/// Key pairs shared by every test (RSA generation is slow).
fn pairs() -> &'static [KeyPair] {
    static PAIRS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    PAIRS.get_or_init(|| (0..3).map(|_| generate_key_pair(2048).unwrap()).collect())
}

/// A running simulator and one signed client per account.
pub struct TestSim {
    pub handle: SimHandle,
    /// Clients in the order of `pairs()`; `users[i].key_id` names the account.
    pub users: Vec<User>,
    _dir: tempfile::TempDir,
}

/// One account.
pub struct User {
    pub key_id: String,
    pub private_pem: String,
    pub rest: RestClient,
    pub signer: Arc<Signer>,
}

impl TestSim {
    /// A quiet simulator (no synthetic flow unless `configure` turns it on) with `users`
    /// accounts.
    pub fn start(users: usize, configure: impl FnOnce(&mut SimConfig)) -> TestSim {
        let dir = tempfile::tempdir().unwrap();
        for (i, pair) in pairs().iter().take(users).enumerate() {
            std::fs::write(dir.path().join(format!("user{i}.pem")), &pair.public_pem).unwrap();
        }
        let mut config = SimConfig { accounts_dir: dir.path().to_owned(), flow: None, ..SimConfig::default() };
        configure(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let handle = start(listener, config).unwrap();
        let users = pairs()
            .iter()
            .take(users)
            .map(|p| {
                let signer = Arc::new(Signer::from_pem(p.key_id.clone(), &p.private_pem).unwrap());
                User {
                    key_id: p.key_id.clone(),
                    private_pem: p.private_pem.clone(),
                    rest: RestClient::new(handle.rest_url.clone(), Some(signer.clone()), Duration::from_secs(10)),
                    signer,
                }
            })
            .collect();
        TestSim { handle, users, _dir: dir }
    }

    /// An unsigned client.
    pub fn anonymous(&self) -> RestClient {
        RestClient::new(self.handle.rest_url.clone(), None, Duration::from_secs(10))
    }

    /// A signed WebSocket for user `i`.
    pub async fn ws(&self, i: usize) -> Ws {
        let framed = self.users[i].rest.connect_ws(&self.handle.ws_url).await.unwrap();
        Ws { framed, next_id: 1 }
    }

    /// The first market of the catalog (a linear-cent one).
    pub fn ticker(&self) -> String {
        self.handle.sim.lock().catalog[0].ticker().to_owned()
    }
}

/// A WebSocket connection with JSON helpers.
pub struct Ws {
    framed: actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>,
    next_id: u64,
}

impl Ws {
    /// Sends a command with the next id; returns the id.
    pub async fn cmd(&mut self, cmd: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut frame = serde_json::json!({"id": id, "cmd": cmd});
        if !params.is_null() {
            frame["params"] = params;
        }
        self.framed.send(awc::ws::Message::Text(frame.to_string().into())).await.unwrap();
        id
    }

    /// The next text frame as JSON, failing the test after `within`.
    pub async fn next(&mut self, within: Duration) -> Value {
        let text = self.next_text(within).await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("frame is not JSON ({e}): {text}"))
    }

    /// The next text frame, failing the test after `within`.
    pub async fn next_text(&mut self, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = actix_web::rt::time::timeout(left, self.framed.next())
                .await
                .unwrap_or_else(|_| panic!("no frame within {within:?}"));
            match frame {
                Some(Ok(awc::ws::Frame::Text(b))) => return String::from_utf8(b.to_vec()).unwrap(),
                Some(Ok(awc::ws::Frame::Ping(p))) => self.framed.send(awc::ws::Message::Pong(p)).await.unwrap(),
                Some(Ok(awc::ws::Frame::Close(_))) | None => panic!("connection closed"),
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("ws error: {e}"),
            }
        }
    }

    /// Frames until one satisfies `pred`, failing after `within`; returns it and the skipped.
    pub async fn until(&mut self, within: Duration, pred: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let deadline = Instant::now() + within;
        let mut skipped = Vec::new();
        loop {
            let v = self.next(deadline.saturating_duration_since(Instant::now())).await;
            if pred(&v) {
                return (v, skipped);
            }
            skipped.push(v);
        }
    }

    /// The payload of the next ping, failing after `within` (text frames are skipped).
    pub async fn next_ping(&mut self, within: Duration) -> Vec<u8> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_web::rt::time::timeout(left, self.framed.next()).await {
                Err(_) => panic!("no ping within {within:?}"),
                Ok(Some(Ok(awc::ws::Frame::Ping(p)))) => return p.to_vec(),
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(awc::ws::Frame::Close(_)))) => panic!("connection closed"),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// True when the server closes the connection within `within`.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_web::rt::time::timeout(left, self.framed.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Ok(awc::ws::Frame::Close(_)))) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}
