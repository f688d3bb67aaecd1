//! A signed Kalshi REST client over `awc`, and the signed WebSocket handshake. The same code
//! talks to Kalshi and to our simulator: only the base URL differs.

use std::sync::Arc;
use std::time::Duration;

use awc::http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

use super::rest::ApiError;
use super::sign::{now_ms, path_for_signing, Signer};

/// Why a request failed.
#[derive(Debug, Error)]
pub enum ClientError {
    /// No response: connect, timeout or I/O (recoverable: retry with backoff).
    #[error("transport error: {0}")]
    Transport(String),
    /// The exchange answered with an error status.
    #[error("api error: {0}")]
    Api(#[from] ApiError),
    /// The WebSocket upgrade was refused with this HTTP status (401: bad credentials).
    #[error("websocket handshake refused with status {status}")]
    Handshake {
        /// HTTP status of the refusal.
        status: u16,
    },
    /// A 2xx body that does not decode (unrecoverable for this request).
    #[error("cannot decode {what}: {detail}")]
    Decode {
        /// What was expected.
        what: &'static str,
        /// serde's message.
        detail: String,
    },
}

impl ClientError {
    /// True for failures worth retrying: transport errors, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) => true,
            ClientError::Api(e) => e.is_retryable(),
            ClientError::Handshake { status } => *status == 429 || *status >= 500,
            ClientError::Decode { .. } => false,
        }
    }
}

/// A REST client bound to one API root (`…/trade-api/v2`).
#[derive(Clone)]
pub struct RestClient {
    root: String,
    signer: Option<Arc<Signer>>,
    http: awc::Client,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient").field("root", &self.root).field("signed", &self.signer.is_some()).finish()
    }
}

impl RestClient {
    /// A client for `root`; requests are signed when `signer` is given.
    pub fn new(root: impl Into<String>, signer: Option<Arc<Signer>>, timeout: Duration) -> RestClient {
        RestClient {
            root: root.into().trim_end_matches('/').to_owned(),
            signer,
            http: awc::Client::builder().timeout(timeout).finish(),
        }
    }

    /// The API root.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Sends a request and returns the status and body, whatever the status.
    /// `path` is relative to the root and may carry a query (`/portfolio/orders?limit=5`).
    pub async fn raw(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<(u16, Vec<u8>), ClientError> {
        self.raw_presigned(method, path, body, None).await
    }

    /// The path a request to `path` signs (`/trade-api/v2/...`, no query).
    pub fn signing_path(&self, path: &str) -> String {
        let url = format!("{}{}", self.root, path);
        let p = path_for_signing(&url);
        p.split('?').next().unwrap_or(p).to_owned()
    }

    /// The signer, when requests are signed.
    pub fn signer(&self) -> Option<&Arc<Signer>> {
        self.signer.as_ref()
    }

    /// Like [`RestClient::raw`], with authentication headers signed beforehand (signing
    /// costs 0.3–0.5 ms; the body is not signed, so a signature for a method and path can
    /// be prepared ahead). Without `auth` the request is signed now.
    pub async fn raw_presigned(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        auth: Option<super::sign::AuthHeaders>,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let url = format!("{}{}", self.root, path);
        let mut req = self.http.request(method.clone(), &url);
        let auth = match (auth, &self.signer) {
            (Some(a), _) => Some(a),
            (None, Some(signer)) => Some(signer.sign(now_ms(), method.as_str(), path_for_signing(&url))),
            (None, None) => None,
        };
        if let Some(h) = auth {
            for (name, value) in h.pairs() {
                req = req.insert_header((name, value.to_owned()));
            }
        }
        let result = match body {
            Some(b) => req.insert_header(("Content-Type", "application/json")).send_body(b).await,
            None => req.send().await,
        };
        let mut resp = result.map_err(|e| ClientError::Transport(e.to_string()))?;
        let bytes = resp.body().limit(64 * 1024 * 1024).await.map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok((resp.status().as_u16(), bytes.to_vec()))
    }

    /// Sends a request with an optional JSON body and decodes a 2xx JSON answer.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let bytes = match body {
            Some(b) => Some(
                serde_json::to_vec(b).map_err(|e| ClientError::Decode { what: "request", detail: e.to_string() })?,
            ),
            None => None,
        };
        let (status, body) = self.raw(method, path, bytes).await?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_response(status, &body).into());
        }
        let body = if body.is_empty() { b"null".to_vec() } else { body };
        serde_json::from_slice(&body)
            .map_err(|e| ClientError::Decode { what: std::any::type_name::<T>(), detail: e.to_string() })
    }

    /// `GET path` decoded as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    /// Opens the signed WebSocket at `ws_url`.
    pub async fn connect_ws(
        &self,
        ws_url: &str,
    ) -> Result<actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>, ClientError> {
        let mut req = awc::Client::builder().max_http_version(awc::http::Version::HTTP_11).finish().ws(ws_url);
        if let Some(signer) = &self.signer {
            let h = signer.sign(now_ms(), "GET", path_for_signing(ws_url));
            for (name, value) in h.pairs() {
                req = req.set_header(name, value.to_owned());
            }
        }
        let (_, framed) = req.max_frame_size(16 * 1024 * 1024).connect().await.map_err(|e| match e {
            awc::error::WsClientError::InvalidResponseStatus(s) => ClientError::Handshake { status: s.as_u16() },
            other => ClientError::Transport(other.to_string()),
        })?;
        Ok(framed)
    }
}
