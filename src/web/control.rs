//! The trading control endpoints: `POST /rl/actor/halt`, `POST /rl/actor/resume` and
//! `GET /rl/actor/status`, thin HTTP shells over three messages to the OrderExecutor.
//!
//! Each POST is checked by [`ControlAuth`] before its body is read, so an unauthorized
//! client cannot make the server buffer anything. Bodies are capped at [`BODY_LIMIT`]
//! bytes. The answer to a halt or resume is the status fetched *after* the executor has
//! handled the command, so it shows the command's effect. Every error is JSON
//! `{"error": "..."}`.

use std::time::Duration;

use actix::{MailboxError, Recipient};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::auth::{Access, ControlAuth};
use super::WebData;
use crate::actors::messages::{HaltTrading, ResumeTrading};

/// The largest request body accepted, in bytes (16 KiB); larger answers 413.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The halt reason when the request gives none.
pub const DEFAULT_REASON: &str = "operator";

/// How long a command may wait for the executor before the request answers 503.
const EXECUTOR_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the control endpoints send their commands (the OrderExecutor, or a probe in tests).
#[derive(Clone)]
pub struct Control {
    /// Stops trading: no new orders, resting ones canceled.
    pub halt: Recipient<HaltTrading>,
    /// Lets trading resume after a halt.
    pub resume: Recipient<ResumeTrading>,
    /// Reads the current trading state.
    pub status: Recipient<GetControlStatus>,
    /// Reads the trading summary (`/rl/status`).
    pub summary: Recipient<GetTradingSummary>,
}

pub use crate::actors::messages::{ControlStatus, GetControlStatus, GetTradingSummary, TradingSummary};

/// Why a control request failed; the message is the `error` field of the JSON answer.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Missing, malformed or wrong bearer token; recoverable with the right token.
    #[error("unauthorized")]
    Unauthorized,
    /// Off loopback with no token configured; only a configuration change enables control.
    #[error("control endpoints are disabled: the server listens off loopback and no control token is configured")]
    Disabled,
    /// The body exceeds [`BODY_LIMIT`]; recoverable with a smaller body.
    #[error("request body exceeds {BODY_LIMIT} bytes")]
    TooLarge,
    /// The body is not the expected JSON (message already redacted); recoverable.
    #[error("invalid JSON body (expected {{\"reason\": \"...\"}} or nothing): {0}")]
    BadJson(String),
    /// The connection failed while the body was read; the client may retry.
    #[error("cannot read request body")]
    Body,
    /// The executor is gone or did not answer in time; retry later.
    #[error("order executor unavailable: {0}")]
    Unavailable(#[from] MailboxError),
}

impl ResponseError for ControlError {
    fn status_code(&self) -> StatusCode {
        match self {
            ControlError::Unauthorized => StatusCode::UNAUTHORIZED,
            ControlError::Disabled => StatusCode::FORBIDDEN,
            ControlError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ControlError::BadJson(_) | ControlError::Body => StatusCode::BAD_REQUEST,
            ControlError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = super::error_response(self.status_code(), &self.to_string());
        if matches!(self, ControlError::Unauthorized) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Mounts the control routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/rl/actor/halt").route(web::post().to(halt)).default_service(web::to(not_allowed)))
        .service(web::resource("/rl/actor/resume").route(web::post().to(resume)).default_service(web::to(not_allowed)))
        .service(web::resource("/rl/actor/status").route(web::get().to(status)).default_service(web::to(not_allowed)))
        .service(web::resource("/rl/status").route(web::get().to(summary)).default_service(web::to(not_allowed)));
}

/// The body of `POST /rl/actor/halt`; unknown fields are refused so a typo is not silently
/// turned into the default reason.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HaltBody {
    #[serde(default)]
    reason: Option<String>,
}

async fn halt(req: HttpRequest, body: web::Payload, data: WebData) -> Result<HttpResponse, ControlError> {
    authorize(&req, &data.auth)?;
    let bytes = read_body(&req, body).await?;
    let reason = halt_reason(&bytes, &data.auth)?;
    tracing::info!(reason = %reason, peer = ?req.peer_addr(), "halt requested over http");
    data.control.halt.send(HaltTrading { reason }).timeout(EXECUTOR_TIMEOUT).await?;
    respond_status(&data).await
}

async fn resume(req: HttpRequest, body: web::Payload, data: WebData) -> Result<HttpResponse, ControlError> {
    authorize(&req, &data.auth)?;
    // Resume takes no arguments; a body is read (within the limit) and ignored.
    read_body(&req, body).await?;
    tracing::info!(peer = ?req.peer_addr(), "resume requested over http");
    data.control.resume.send(ResumeTrading).timeout(EXECUTOR_TIMEOUT).await?;
    respond_status(&data).await
}

async fn status(data: WebData) -> Result<HttpResponse, ControlError> {
    respond_status(&data).await
}

/// `GET /rl/status`: `{"trading": TradingSummary}` (feed, database and model health join it
/// with the Broadcaster).
async fn summary(data: WebData) -> Result<HttpResponse, ControlError> {
    let trading = data.control.summary.send(GetTradingSummary).timeout(EXECUTOR_TIMEOUT).await?;
    let mut body = serde_json::json!({ "trading": trading });
    if let Some(h) = body.pointer_mut("/trading/halted") {
        if let Some(reason) = h.as_str() {
            *h = serde_json::Value::String(data.auth.redact(reason).into_owned());
        }
    }
    Ok(HttpResponse::Ok().json(body))
}

async fn not_allowed() -> HttpResponse {
    super::error_response(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// The current status as a 200 response, any echoed token redacted.
async fn respond_status(data: &WebData) -> Result<HttpResponse, ControlError> {
    let mut status = data.control.status.send(GetControlStatus).timeout(EXECUTOR_TIMEOUT).await?;
    status.reason = status.reason.map(|r| data.auth.redact(&r).into_owned());
    Ok(HttpResponse::Ok().json(status))
}

fn authorize(req: &HttpRequest, auth: &ControlAuth) -> Result<(), ControlError> {
    let header = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes());
    match auth.check(header) {
        Access::Allowed => Ok(()),
        Access::Unauthorized => {
            tracing::warn!(peer = ?req.peer_addr(), path = req.path(), "control request refused: missing or wrong token");
            Err(ControlError::Unauthorized)
        }
        Access::Disabled => {
            tracing::warn!(peer = ?req.peer_addr(), path = req.path(), "control request refused: no control token configured off loopback");
            Err(ControlError::Disabled)
        }
    }
}

/// The whole body, at most [`BODY_LIMIT`] bytes; a declared length over the limit is
/// refused before anything is read.
async fn read_body(req: &HttpRequest, body: web::Payload) -> Result<web::Bytes, ControlError> {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(ControlError::TooLarge);
    }
    match body.to_bytes_limited(BODY_LIMIT).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(ControlError::Body),
        Err(_) => Err(ControlError::TooLarge),
    }
}

/// The halt reason in `body`: [`DEFAULT_REASON`] for an empty body, a missing or null
/// `reason`, or a blank one; trimmed otherwise, the token redacted.
fn halt_reason(body: &[u8], auth: &ControlAuth) -> Result<String, ControlError> {
    if body.trim_ascii().is_empty() {
        return Ok(DEFAULT_REASON.to_owned());
    }
    let parsed: HaltBody =
        serde_json::from_slice(body).map_err(|e| ControlError::BadJson(auth.redact(&e.to_string()).into_owned()))?;
    let reason = parsed.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_REASON);
    Ok(auth.redact(reason).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> ControlAuth {
        ControlAuth::new("0.0.0.0:1".parse().unwrap(), Some("sekrit".into()))
    }

    #[test]
    fn halt_reasons_default_to_operator() {
        for body in ["", "  \n", "{}", r#"{"reason": null}"#, r#"{"reason": "  "}"#] {
            assert_eq!(halt_reason(body.as_bytes(), &auth()).unwrap(), DEFAULT_REASON, "{body:?}");
        }
        assert_eq!(halt_reason(br#"{"reason": " maintenance "}"#, &auth()).unwrap(), "maintenance");
        assert_eq!(halt_reason(br#"{"reason": "my sekrit"}"#, &auth()).unwrap(), "my <redacted>");
    }

    #[test]
    fn bad_halt_bodies_are_refused_without_echoing_the_token() {
        for body in [r#"{"reason":"#, "[1]", r#"{"reason": 5}"#, r#"{"reasn": "x"}"#, r#"{"sekrit": 1}"#, "reason=x"] {
            let err = halt_reason(body.as_bytes(), &auth()).unwrap_err();
            assert!(matches!(err, ControlError::BadJson(_)), "{body}");
            let text = err.to_string();
            assert!(text.starts_with("invalid JSON body") && !text.contains("sekrit"), "{text}");
        }
    }

    #[test]
    fn errors_map_to_their_statuses() {
        assert_eq!(ControlError::Unauthorized.status_code(), StatusCode::UNAUTHORIZED);
        assert_eq!(ControlError::Disabled.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(ControlError::TooLarge.status_code(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(ControlError::BadJson(String::new()).status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(ControlError::from(MailboxError::Closed).status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let res = ControlError::Unauthorized.error_response();
        assert_eq!(res.headers().get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    }
}
