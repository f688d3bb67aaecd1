//! The service's web server (actix-web) on a pre-bound listener: the dashboard, its feed,
//! the trading control endpoints, metrics and health, mounted in [`configure`].
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the dashboard (`web.dashboard_dir`, built by `make dashboard`); see [`dashboard`] |
//! | `POST /rl/actor/halt` | halt trading; optional body `{"reason": "..."}` (default `operator`) |
//! | `POST /rl/actor/resume` | resume trading |
//! | `GET /rl/actor/status` | `{"halted": bool, "reason": string or null, "dry_run": bool}` |
//! | `GET /rl/status` | `{"trading": {ready, dry_run, halted, cash, positions, counters…}}` |
//! | `GET /metrics` | Prometheus text: feed, books, persistence, observer, policy, executor, risk |
//! | `GET /rl/ws` | the dashboard's WebSocket (Broadcaster frames); same-origin only |
//! | `GET /rl/health` | `{"status": "ok" or "degraded", "actors": {name: "ok" or "unresponsive"}}`; 200 or 503 |
//!
//! The POSTs answer the status after the command took effect. Access rules are in
//! [`auth`]: off loopback they need `Authorization: Bearer <token>` (401 otherwise) and
//! are refused outright (403) when no token is configured; on loopback no token is needed.
//! Every error is JSON `{"error": "..."}`; unknown paths answer 404, wrong methods 405.

pub mod auth;
pub mod control;
pub mod dashboard;
pub mod metrics;
pub mod ws;

use std::net::{SocketAddr, TcpListener};

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;

pub use auth::ControlAuth;
pub use control::{Control, ControlError, ControlStatus, GetControlStatus, BODY_LIMIT};

/// What the routes share: where commands go and who may send them.
pub struct WebState {
    /// The executor's recipients.
    pub control: Control,
    /// The access rule for the control endpoints.
    pub auth: ControlAuth,
    /// The actors `/metrics` and `/rl/health` ask (the executor is asked through `control`).
    pub probes: Option<metrics::Probes>,
    /// The dashboard feed (`/rl/ws`).
    pub broadcaster: Option<actix::Addr<crate::actors::broadcaster::Broadcaster>>,
    /// The dashboard's built files, served at `/`.
    pub dashboard: Option<std::path::PathBuf>,
}

/// The shared state as route data.
pub type WebData = web::Data<WebState>;

/// Mounts every route and the state they share on an app (one call per worker).
pub fn configure(cfg: &mut web::ServiceConfig, state: WebData) {
    let dashboard = state.dashboard.clone();
    cfg.app_data(state)
        .configure(control::configure)
        .configure(metrics::configure)
        .configure(ws::configure)
        .configure(|cfg| dashboard::configure(cfg, dashboard.as_deref()))
        .default_service(web::to(not_found));
}

/// A running web server.
pub struct WebHandle {
    /// The address the server listens on (the listener's, e.g. with the port 0 resolved).
    pub addr: SocketAddr,
    server: actix_web::dev::ServerHandle,
}

impl WebHandle {
    /// Stops the server gracefully: no new connections, requests in flight finish.
    pub async fn stop(self) {
        self.server.stop(true).await;
    }
}

/// Starts the server on `listen`; must run inside an actix system. `token` protects the
/// control endpoints when `listen` is not on loopback (see [`auth`]); `dashboard` is the
/// directory of the built dashboard.
pub fn start(
    listen: TcpListener,
    token: Option<String>,
    control: Control,
    probes: Option<metrics::Probes>,
    broadcaster: Option<actix::Addr<crate::actors::broadcaster::Broadcaster>>,
    dashboard: Option<std::path::PathBuf>,
) -> anyhow::Result<WebHandle> {
    let addr = listen.local_addr().context("web listener has no local address")?;
    let auth = ControlAuth::new(addr, token);
    if !auth.is_loopback() && !auth.has_token() {
        tracing::warn!(%addr, "web server off loopback without a control token: halt and resume are refused");
    }
    let state = web::Data::new(WebState { control, auth, probes, broadcaster, dashboard });
    let http =
        HttpServer::new(move || App::new().wrap(dashboard::headers()).configure(|cfg| configure(cfg, state.clone())))
            .workers(2)
            .disable_signals()
            // Long-lived connections (the dashboard's WebSockets) would otherwise hold a stop for 30 s.
            .shutdown_timeout(2)
            .listen(listen)
            .with_context(|| format!("cannot serve on {addr}"))?
            .run();
    let server = http.handle();
    actix_web::rt::spawn(http);
    tracing::info!(%addr, "web server listening");
    Ok(WebHandle { addr, server })
}

/// A JSON error answer: `{"error": message}`.
pub fn error_response(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": message }))
}

pub(crate) async fn not_found() -> HttpResponse {
    error_response(StatusCode::NOT_FOUND, "not found")
}
