//! `kalshi-actor run` as a child process reached over real sockets: start it and wait
//! for its web server, call its HTTP API, read its dashboard WebSocket, and speak raw HTTP
//! and WebSocket bytes to it where a well-behaved client cannot (oversize frames and heads).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use kalshi_actor::web::ws::PONG_TIMEOUT;

use super::{wait_until, KillOnDrop};

/// How long any single step may take.
pub const WAIT: Duration = Duration::from_secs(30);

/// `kalshi-actor run` in the background, its stdout and stderr going to one file.
pub struct Service {
    pub child: KillOnDrop,
    pub log: PathBuf,
    /// `http://127.0.0.1:PORT`, whatever address the server bound.
    pub base: String,
    pub client: awc::Client,
}

impl Service {
    /// Starts `cmd` writing into `dir/service.log`; waits until its web server listens.
    pub fn start(cmd: &mut Command, dir: &Path) -> Service {
        let log = dir.join("service.log");
        let file = std::fs::File::create(&log).unwrap();
        let mut child = KillOnDrop(cmd.stdout(file.try_clone().unwrap()).stderr(file).spawn().unwrap());
        let deadline = Instant::now() + WAIT;
        let port = loop {
            let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
            if let Some(addr) = text.split("web server listening addr=").nth(1) {
                break addr.split_whitespace().next().unwrap().parse::<std::net::SocketAddr>().unwrap().port();
            }
            let exited = child.0.try_wait().unwrap();
            assert!(exited.is_none() && Instant::now() < deadline, "no web server ({exited:?}):\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        };
        let client = awc::Client::builder().timeout(Duration::from_secs(10)).finish();
        Service { child, log, base: format!("http://127.0.0.1:{port}"), client }
    }

    pub async fn call(&self, method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, String) {
        let mut req = self.client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.insert_header(("Authorization", a));
        }
        let mut res = req.send_body(body.to_owned()).await.unwrap();
        let bytes = res.body().limit(64 << 20).await.unwrap();
        (res.status().as_u16(), String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        self.call("GET", path, None, "").await
    }

    pub fn host(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/rl/ws", self.host())
    }

    pub async fn wait_healthy(&self) {
        wait_until(WAIT, "/rl/health 200", || async move { (self.get("/rl/health").await.0 == 200).then_some(()) })
            .await
    }

    /// Stops it with SIGINT; returns everything it wrote.
    pub fn stop(mut self) -> String {
        Command::new("kill").args(["-INT", &self.child.0.id().to_string()]).status().unwrap();
        let status = self.child.0.wait().unwrap();
        let out = String::from_utf8_lossy(&std::fs::read(&self.log).unwrap()).into_owned();
        assert!(status.success(), "{status:?}\n{out}");
        out
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub type Feed = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

pub async fn connect(url: &str, origin: Option<&str>) -> Result<Feed, awc::error::WsClientError> {
    let mut req = awc::Client::new().ws(url);
    if let Some(o) = origin {
        req = req.origin(o);
    }
    req.connect().await.map(|(_, ws)| ws)
}

/// The next text frame (pings answered); `None` once the server has closed the connection.
pub async fn next_text(ws: &mut Feed) -> Option<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match actix_web::rt::time::timeout(left, ws.next()).await.expect("a frame or the close within 30 s") {
            Some(Ok(Frame::Text(t))) => return Some(String::from_utf8_lossy(&t).into_owned()),
            Some(Ok(Frame::Ping(p))) => {
                let _ = ws.send(Message::Pong(p)).await;
            }
            Some(Ok(Frame::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// A masked text frame header announcing `len` bytes (64-bit length form).
pub fn frame_header(len: u64) -> Vec<u8> {
    let mut h = vec![0x81, 0x80 | 127];
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(&[1, 2, 3, 4]);
    h
}

/// Upgrades a raw connection to `/rl/ws` and sends `bytes`; true when the server hangs up
/// well before a silent client's disconnection (a third of [`PONG_TIMEOUT`]).
pub fn raw_ws_hangs_up(host: &str, bytes: &[u8]) -> bool {
    let mut c = TcpStream::connect(host).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let upgrade = format!(
        "GET /rl/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    c.write_all(upgrade.as_bytes()).unwrap();
    assert!(read_head(&mut c).starts_with("HTTP/1.1 101"));
    let _ = c.write_all(bytes); // the server may hang up first
    let (deadline, mut sink) = (Instant::now() + PONG_TIMEOUT / 3, [0u8; 4096]);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        c.set_read_timeout(Some(left.max(Duration::from_millis(1)))).unwrap();
        match c.read(&mut sink) {
            Ok(0) => return true,
            Ok(_) if left.is_zero() => return false,
            Ok(_) => {}
            Err(e) => return !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        }
    }
}

/// An HTTP response head read from `c`, up to the blank line (or what came before a hang-up).
pub fn read_head(c: &mut TcpStream) -> String {
    let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Sends `request` on a fresh connection; the answer's status line.
pub fn raw_request(host: &str, request: &[u8]) -> String {
    let mut c = TcpStream::connect(host).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let _ = c.write_all(request); // the server may stop reading and answer first
    read_head(&mut c).lines().next().unwrap_or("<hung up without an answer>").to_owned()
}
