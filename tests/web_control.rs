//! The trading control endpoints over real HTTP on a bound port, with a probe actor where
//! the OrderExecutor will be: commands reach it in order, statuses reflect them, and the
//! token rule holds on the *bound* address (a server on `0.0.0.0` reached via 127.0.0.1
//! still demands the token).

use std::net::TcpListener;
use std::time::Duration;

use actix::{Actor, ActorContext, Addr, Context, Handler, Message};
use kalshi_actor::actors::messages::{GetTradingSummary, TradingSummary};
use kalshi_actor::actors::messages::{HaltTrading, ResumeTrading};
use kalshi_actor::web::{self, Control, ControlStatus, GetControlStatus, WebHandle, BODY_LIMIT};

const TOKEN: &str = "T0k3n-9c1d5e7f";

/// Stands in for the OrderExecutor: keeps the halt state and logs every command.
#[derive(Default)]
struct ExecutorProbe {
    halted: Option<String>,
    log: Vec<String>,
}

impl Actor for ExecutorProbe {
    type Context = Context<Self>;
}

impl Handler<HaltTrading> for ExecutorProbe {
    type Result = ();
    fn handle(&mut self, m: HaltTrading, _: &mut Self::Context) {
        self.log.push(format!("halt:{}", m.reason));
        self.halted = Some(m.reason);
    }
}

impl Handler<ResumeTrading> for ExecutorProbe {
    type Result = ();
    fn handle(&mut self, _: ResumeTrading, _: &mut Self::Context) {
        self.log.push("resume".into());
        self.halted = None;
    }
}

impl Handler<GetControlStatus> for ExecutorProbe {
    type Result = ControlStatus;
    fn handle(&mut self, _: GetControlStatus, _: &mut Self::Context) -> ControlStatus {
        ControlStatus { halted: self.halted.is_some(), reason: self.halted.clone(), dry_run: true }
    }
}

impl Handler<GetTradingSummary> for ExecutorProbe {
    type Result = TradingSummary;
    fn handle(&mut self, _: GetTradingSummary, _: &mut Self::Context) -> TradingSummary {
        TradingSummary { halted: self.halted.clone(), dry_run: true, requests: 7, ..TradingSummary::default() }
    }
}

#[derive(Message)]
#[rtype(result = "Vec<String>")]
struct Log;

impl Handler<Log> for ExecutorProbe {
    type Result = actix::MessageResult<Log>;
    fn handle(&mut self, _: Log, _: &mut Self::Context) -> Self::Result {
        actix::MessageResult(self.log.clone())
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

impl Handler<Stop> for ExecutorProbe {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

/// A server on `bind` wired to a fresh probe; remembers every response body it saw.
struct Served {
    handle: WebHandle,
    base: String,
    probe: Addr<ExecutorProbe>,
    client: awc::Client,
    bodies: Vec<String>,
}

impl Served {
    fn start(bind: &str, token: Option<&str>) -> Served {
        Served::with_dashboard(bind, token, None)
    }

    fn with_dashboard(bind: &str, token: Option<&str>, dashboard: Option<std::path::PathBuf>) -> Served {
        let listener = TcpListener::bind(bind).unwrap();
        let probe = ExecutorProbe::default().start();
        let control = Control {
            halt: probe.clone().recipient(),
            resume: probe.clone().recipient(),
            status: probe.clone().recipient(),
            summary: probe.clone().recipient(),
        };
        let handle = web::start(listener, token.map(str::to_owned), control, None, None, dashboard).unwrap();
        // Whatever the bound address, connect over loopback.
        let base = format!("http://127.0.0.1:{}", handle.addr.port());
        let client = awc::Client::builder().timeout(Duration::from_secs(10)).finish();
        Served { handle, base, probe, client, bodies: Vec::new() }
    }

    /// Sends a request; returns the status code and the body as text.
    async fn call(&mut self, method: &str, path: &str, auth: Option<&str>, body: Option<Vec<u8>>) -> (u16, String) {
        let mut req = self.client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.insert_header(("Authorization", a));
        }
        let mut res = match body {
            Some(b) => req.insert_header(("Content-Type", "application/json")).send_body(b).await,
            None => req.send().await,
        }
        .unwrap();
        let text = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
        self.bodies.push(text.clone());
        (res.status().as_u16(), text)
    }

    async fn post(&mut self, path: &str, auth: Option<&str>, body: Option<&str>) -> (u16, String) {
        self.call("POST", path, auth, body.map(|b| b.as_bytes().to_vec())).await
    }

    async fn log(&self) -> Vec<String> {
        self.probe.send(Log).await.unwrap()
    }

    /// Stops the server; asserts the token never appeared in a response.
    async fn finish(self) {
        for body in &self.bodies {
            assert!(!body.contains(TOKEN), "token leaked in {body}");
        }
        self.handle.stop().await;
    }
}

fn status(body: &str) -> ControlStatus {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn error_of(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["error"].as_str().unwrap_or_else(|| panic!("no error field in {body}")).to_owned()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[actix_web::test]
async fn halt_then_resume_reach_the_executor_in_order_and_the_status_follows() {
    let mut s = Served::start("127.0.0.1:0", None);
    let (code, body) = s.call("GET", "/rl/actor/status", None, None).await;
    assert_eq!((code, status(&body)), (200, ControlStatus { halted: false, reason: None, dry_run: true }));

    let (code, body) = s.post("/rl/actor/halt", None, Some(r#"{"reason": "maintenance"}"#)).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(status(&body), ControlStatus { halted: true, reason: Some("maintenance".into()), dry_run: true });
    let (_, body) = s.call("GET", "/rl/actor/status", None, None).await;
    assert_eq!(status(&body).reason.as_deref(), Some("maintenance"));
    // The trading summary reports the same halt, and the counters.
    let (code, body) = s.call("GET", "/rl/status", None, None).await;
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["trading"]["halted"].as_str(), v["trading"]["requests"].as_u64()), (Some("maintenance"), Some(7)));

    let (code, body) = s.post("/rl/actor/resume", None, None).await;
    assert_eq!((code, status(&body)), (200, ControlStatus { halted: false, reason: None, dry_run: true }));

    // No body (or an empty object) halts for the default reason.
    let (code, body) = s.post("/rl/actor/halt", None, None).await;
    assert_eq!((code, status(&body).reason.as_deref()), (200, Some("operator")));
    let (code, body) = s.post("/rl/actor/halt", None, Some("{}")).await;
    assert_eq!((code, status(&body).reason.as_deref()), (200, Some("operator")));
    let (code, body) = s.post("/rl/actor/resume", None, None).await;
    assert_eq!((code, status(&body).halted), (200, false));

    assert_eq!(s.log().await, ["halt:maintenance", "resume", "halt:operator", "halt:operator", "resume"]);
    s.finish().await;
}

#[actix_web::test]
async fn off_loopback_the_posts_need_the_bearer_token() {
    let mut s = Served::start("0.0.0.0:0", Some(TOKEN));
    assert!(s.handle.addr.ip().is_unspecified());
    let wrong = bearer("T0k3n-9c1d5e7");
    let longer = bearer(&format!("{TOKEN}x"));
    let basic = format!("Basic {TOKEN}");
    for path in ["/rl/actor/halt", "/rl/actor/resume"] {
        for auth in [None, Some(wrong.as_str()), Some(longer.as_str()), Some(basic.as_str()), Some(TOKEN)] {
            let (code, body) = s.post(path, auth, Some(r#"{"reason": "x"}"#)).await;
            assert_eq!((code, body.as_str()), (401, r#"{"error":"unauthorized"}"#), "{path} {auth:?}");
        }
    }
    assert!(s.log().await.is_empty(), "refused commands reached the executor");

    let (code, body) = s.post("/rl/actor/halt", Some(&bearer(TOKEN)), Some(r#"{"reason": "drill"}"#)).await;
    assert_eq!((code, status(&body).reason.as_deref()), (200, Some("drill")), "{body}");
    // Reading the status needs no token.
    let (code, body) = s.call("GET", "/rl/actor/status", None, None).await;
    assert_eq!((code, status(&body).halted), (200, true));
    let (code, body) = s.post("/rl/actor/resume", Some(&bearer(TOKEN)), None).await;
    assert_eq!((code, status(&body).halted), (200, false));
    assert_eq!(s.log().await, ["halt:drill", "resume"]);
    s.finish().await;
}

#[actix_web::test]
async fn off_loopback_without_a_token_every_post_is_refused() {
    for token in [None, Some("")] {
        let mut s = Served::start("0.0.0.0:0", token);
        for path in ["/rl/actor/halt", "/rl/actor/resume"] {
            for auth in [None, Some("Bearer "), Some("Bearer anything")] {
                let (code, body) = s.post(path, auth, None).await;
                assert_eq!(code, 403, "{path} {auth:?} {body}");
                assert!(error_of(&body).contains("no control token"), "{body}");
            }
        }
        let (code, _) = s.call("GET", "/rl/actor/status", None, None).await;
        assert_eq!(code, 200);
        assert!(s.log().await.is_empty());
        s.finish().await;
    }
}

#[actix_web::test]
async fn on_loopback_no_token_is_needed_but_a_wrong_one_is_refused() {
    let mut s = Served::start("127.0.0.1:0", Some(TOKEN));
    assert_eq!(s.post("/rl/actor/halt", None, Some(r#"{"reason": "a"}"#)).await.0, 200);
    assert_eq!(s.post("/rl/actor/halt", Some(&bearer(TOKEN)), Some(r#"{"reason": "b"}"#)).await.0, 200);
    let (code, body) = s.post("/rl/actor/halt", Some(&bearer("nope")), Some(r#"{"reason": "c"}"#)).await;
    assert_eq!((code, error_of(&body).as_str()), (401, "unauthorized"));
    // A reason that contains the token is stored and shown redacted.
    let leaky = format!(r#"{{"reason": "pasted {TOKEN} by mistake"}}"#);
    let (code, body) = s.post("/rl/actor/halt", None, Some(&leaky)).await;
    assert_eq!((code, status(&body).reason.as_deref()), (200, Some("pasted <redacted> by mistake")));
    assert_eq!(s.log().await, ["halt:a", "halt:b", "halt:pasted <redacted> by mistake"]);
    s.finish().await;
}

#[actix_web::test]
async fn bodies_over_16_kib_are_413_and_never_reach_the_executor() {
    let mut s = Served::start("127.0.0.1:0", None);
    // Exactly at the limit is fine.
    let frame = r#"{"reason": ""}"#.len();
    let at_limit = format!(r#"{{"reason": "{}"}}"#, "r".repeat(BODY_LIMIT - frame));
    assert_eq!(at_limit.len(), BODY_LIMIT);
    let (code, body) = s.post("/rl/actor/halt", None, Some(&at_limit)).await;
    assert_eq!((code, status(&body).reason.map(|r| r.len())), (200, Some(BODY_LIMIT - frame)));

    let over = format!(r#"{{"reason": "{}"}}"#, "r".repeat(BODY_LIMIT - frame + 1));
    for path in ["/rl/actor/halt", "/rl/actor/resume"] {
        let (code, body) = s.post(path, None, Some(&over)).await;
        assert_eq!(code, 413, "{path} {body}");
        assert!(error_of(&body).contains("16384"), "{body}");
    }
    // Chunked, with no declared length: refused once the limit is crossed.
    let chunks = over.into_bytes().chunks(1000).map(|c| Ok::<_, std::io::Error>(web_bytes(c))).collect::<Vec<_>>();
    let mut res = s
        .client
        .post(format!("{}/rl/actor/halt", s.base))
        .send_stream(futures_util::stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    assert!(error_of(std::str::from_utf8(&res.body().await.unwrap()).unwrap()).contains("16384"));
    assert_eq!(s.log().await.len(), 1);
    s.finish().await;
}

fn web_bytes(b: &[u8]) -> actix_web::web::Bytes {
    actix_web::web::Bytes::copy_from_slice(b)
}

#[actix_web::test]
async fn bad_json_is_400_with_a_clear_message() {
    let mut s = Served::start("0.0.0.0:0", Some(TOKEN));
    let auth = bearer(TOKEN);
    let unknown_field = format!(r#"{{"{TOKEN}": 1}}"#);
    for bad in [r#"{"reason": "#, "[1]", r#"{"reason": 5}"#, r#"{"reasn": "typo"}"#, "reason=x", &unknown_field] {
        let (code, body) = s.post("/rl/actor/halt", Some(&auth), Some(bad)).await;
        assert_eq!(code, 400, "{bad} {body}");
        assert!(error_of(&body).starts_with("invalid JSON body"), "{body}");
    }
    let (_, body) = s.post("/rl/actor/halt", Some(&auth), Some(r#"{"reasn": "typo"}"#)).await;
    assert!(error_of(&body).contains("unknown field `reasn`"), "{body}");
    assert!(s.log().await.is_empty());
    s.finish().await;
}

#[actix_web::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let mut s = Served::start("127.0.0.1:0", None);
    for path in ["/", "/rl/actor", "/rl/actor/halt/now", "/rl/actor/stop"] {
        let (code, body) = s.call("GET", path, None, None).await;
        assert_eq!((code, error_of(&body).as_str()), (404, "not found"), "{path}");
    }
    assert_eq!(s.call("GET", "/rl/actor/halt", None, None).await.0, 405);
    assert_eq!(s.call("PUT", "/rl/actor/resume", None, None).await.0, 405);
    assert_eq!(s.post("/rl/actor/status", None, None).await.0, 405);
    assert!(s.log().await.is_empty());
    s.finish().await;
}

#[actix_web::test]
async fn a_gone_executor_is_503_and_stop_closes_the_port() {
    let mut s = Served::start("127.0.0.1:0", None);
    s.probe.send(Stop).await.unwrap();
    let probe = s.probe.clone();
    crate::support::wait_until(Duration::from_secs(5), "probe stopped", || {
        let connected = probe.connected();
        async move { (!connected).then_some(()) }
    })
    .await;
    for (method, path) in [("POST", "/rl/actor/halt"), ("POST", "/rl/actor/resume"), ("GET", "/rl/actor/status")] {
        let (code, body) = s.call(method, path, None, None).await;
        assert_eq!(code, 503, "{path} {body}");
        assert!(error_of(&body).starts_with("order executor unavailable"), "{body}");
    }
    let addr = s.handle.addr;
    s.finish().await;
    assert!(std::net::TcpStream::connect(addr).is_err(), "still listening after stop");
}

#[actix_web::test]
async fn the_dashboard_is_served_at_the_root_with_headers_that_keep_it_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><div id=root>dash</div>").unwrap();
    std::fs::write(dir.path().join("assets/app-1.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join(".env"), "SECRET=1").unwrap();
    let mut s = Served::with_dashboard("127.0.0.1:0", None, Some(dir.path().to_path_buf()));
    let mut res = s.client.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let h = res.headers();
    assert!(h.get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(String::from_utf8(res.body().await.unwrap().to_vec()).unwrap().contains("dash"));
    let res = s.client.get(format!("{}/assets/app-1.js", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().contains("javascript"));
    // The API still answers; unknown files are 404, hidden files and escapes refused.
    assert_eq!(s.call("GET", "/rl/actor/status", None, None).await.0, 200);
    for path in ["/nope.js", "/.env", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"] {
        let (code, body) = s.call("GET", path, None, None).await;
        assert!(code == 404 || code == 400, "{path}: {code} {body}");
        assert!(!body.contains("SECRET") && !body.contains("root:"), "{path}: {body}");
    }
    s.finish().await;
}

#[actix_web::test]
async fn a_dashboard_not_built_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Served::with_dashboard("127.0.0.1:0", None, Some(dir.path().join("dist")));
    let (code, body) = s.call("GET", "/", None, None).await;
    assert_eq!(code, 503);
    assert!(body.contains("make dashboard"), "{body}");
    assert_eq!(s.call("GET", "/rl/actor/status", None, None).await.0, 200);
    s.finish().await;
}
