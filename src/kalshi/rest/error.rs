//! `ApiError`: one typed error for every non-2xx REST response, built from the HTTP status
//! and the raw body whatever its shape (§5.2), with the predicates callers branch on.

use thiserror::Error;

use super::error_body::{codes, ErrorBody, ErrorShape};

/// At most this many characters of an unparseable body are kept (for logs).
pub const MAX_BODY_EXCERPT: usize = 512;

/// A failed REST call, as the exchange described it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// A nested or flat body carrying a machine `code`.
    #[error("HTTP {status} {code}: {message}{}", details_suffix(.details))]
    Coded {
        /// HTTP status.
        status: u16,
        /// [`ErrorShape::Nested`] or [`ErrorShape::Flat`].
        shape: ErrorShape,
        /// Machine code; may embed ids (`user_not_found:_<uuid>`): prefix-match it.
        code: String,
        /// Human message.
        message: String,
        /// Extra detail, if sent.
        details: Option<String>,
    },
    /// A body with only a message: bare `{"msg": ...}` or the 429 `{"error": "..."}`.
    #[error("HTTP {status}: {message}")]
    Message {
        /// HTTP status.
        status: u16,
        /// [`ErrorShape::Bare`] or [`ErrorShape::StringError`].
        shape: ErrorShape,
        /// The message.
        message: String,
    },
    /// A body that is empty, not JSON or not a known error shape.
    #[error("HTTP {status}: unparseable error body {body:?}")]
    Unparseable {
        /// HTTP status.
        status: u16,
        /// The body (lossy UTF-8, at most [`MAX_BODY_EXCERPT`] characters).
        body: String,
    },
}

fn details_suffix(details: &Option<String>) -> String {
    details.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
}

impl ApiError {
    /// Parses any error body shape; never fails (unknown bodies become
    /// [`ApiError::Unparseable`]).
    pub fn from_response(status: u16, body: &[u8]) -> ApiError {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) => ApiError::from_body(status, parsed),
            Err(_) => ApiError::Unparseable {
                status,
                body: String::from_utf8_lossy(body).chars().take(MAX_BODY_EXCERPT).collect(),
            },
        }
    }

    /// Builds the error from an already parsed body.
    pub fn from_body(status: u16, body: ErrorBody) -> ApiError {
        let shape = body.shape();
        match body {
            ErrorBody::Nested { error } | ErrorBody::Flat(error) => {
                ApiError::Coded { status, shape, code: error.code, message: error.message, details: error.details }
            }
            ErrorBody::StringError { error: message } | ErrorBody::Bare { msg: message } => {
                ApiError::Message { status, shape, message }
            }
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Coded { status, .. }
            | ApiError::Message { status, .. }
            | ApiError::Unparseable { status, .. } => *status,
        }
    }

    /// The body shape, `None` when unparseable.
    pub fn shape(&self) -> Option<ErrorShape> {
        match self {
            ApiError::Coded { shape, .. } | ApiError::Message { shape, .. } => Some(*shape),
            ApiError::Unparseable { .. } => None,
        }
    }

    /// The machine code, for the nested and flat shapes.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Coded { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The human message, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Coded { message, .. } | ApiError::Message { message, .. } => Some(message),
            ApiError::Unparseable { .. } => None,
        }
    }

    /// The `details` string, if sent.
    pub fn details(&self) -> Option<&str> {
        match self {
            ApiError::Coded { details, .. } => details.as_deref(),
            _ => None,
        }
    }

    /// True when the code starts with `prefix` (codes may embed ids).
    pub fn code_starts_with(&self, prefix: &str) -> bool {
        self.code().is_some_and(|c| c.starts_with(prefix))
    }

    /// Worth retrying after a back-off: 429 and every 5xx.
    pub fn is_retryable(&self) -> bool {
        let s = self.status();
        s == 429 || (500..=599).contains(&s)
    }

    /// 429: the token bucket is empty.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == 429
    }

    /// 404 or code `not_found` (cancel of an unknown / finished order: "already gone").
    pub fn is_not_found(&self) -> bool {
        self.status() == 404 || self.code_starts_with(codes::NOT_FOUND)
    }

    /// 401: signature, key or timestamp rejected.
    pub fn is_auth_error(&self) -> bool {
        self.status() == 401
    }

    /// 410 / `deprecated_v1_order_endpoint`: a legacy V1 order mutation was called.
    pub fn is_deprecated_endpoint(&self) -> bool {
        self.status() == 410 || self.code_starts_with(codes::DEPRECATED_V1_ORDER_ENDPOINT)
    }

    /// Duplicate `client_order_id` (409 `order_already_exists`).
    pub fn is_order_already_exists(&self) -> bool {
        self.code_starts_with(codes::ORDER_ALREADY_EXISTS)
    }

    /// Post-only order would have crossed (`invalid_order`, details `post only cross`).
    pub fn is_post_only_cross(&self) -> bool {
        self.code_starts_with(codes::INVALID_ORDER) && self.details().is_some_and(|d| d.contains("post only cross"))
    }

    /// Not enough collateral (`insufficient_balance` or `available_balance_too_low`).
    pub fn is_insufficient_balance(&self) -> bool {
        self.code_starts_with(codes::INSUFFICIENT_BALANCE) || self.code_starts_with(codes::AVAILABLE_BALANCE_TOO_LOW)
    }

    /// Market not open for orders (`market_closed` / `MARKET_INACTIVE`, any case).
    pub fn is_market_closed(&self) -> bool {
        self.code().is_some_and(|c| {
            c.eq_ignore_ascii_case(codes::MARKET_CLOSED) || c.eq_ignore_ascii_case(codes::MARKET_INACTIVE)
        })
    }

    /// 400: the request itself was refused (retrying it unchanged will fail again).
    pub fn is_bad_request(&self) -> bool {
        self.status() == 400
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::error_body::*;
    use super::*;

    #[test]
    fn deprecated_v1_410() {
        let e = ApiError::from_response(410, DEPRECATED_V1_BODY.as_bytes());
        assert_eq!(e.status(), 410);
        assert_eq!(e.shape(), Some(ErrorShape::Nested));
        assert_eq!(e.code(), Some("deprecated_v1_order_endpoint"));
        assert_eq!(e.message(), Some("Please switch to the V2 endpoints"));
        assert_eq!(e.details(), Some("https://docs.kalshi.com/api-reference/orders/create-order-v2"));
        assert!(e.is_deprecated_endpoint());
        assert!(!e.is_retryable());
        assert!(!e.is_not_found());
    }

    #[test]
    fn each_401_body() {
        let cases = [
            (AUTH_BAD_SIGNATURE_BODY, "authentication_error", Some("INCORRECT_API_KEY_SIGNATURE")),
            (AUTH_UNKNOWN_KEY_BODY, "authentication_error", Some("NOT_FOUND")),
            (AUTH_SIGNATURE_MISSING_BODY, "signature_is_missing_from_headers", None),
            (AUTH_TIMESTAMP_EXPIRED_BODY, "header_timestamp_expired", None),
        ];
        for (body, code, details) in cases {
            let e = ApiError::from_response(401, body.as_bytes());
            assert_eq!(e.code(), Some(code), "{body}");
            assert_eq!(e.details(), details, "{body}");
            assert!(e.is_auth_error() && !e.is_retryable(), "{body}");
        }
        let e = ApiError::from_response(401, AUTH_TIMESTAMP_EXPIRED_BODY.as_bytes());
        assert_eq!(e.message(), Some("header timestamp expired"));
        assert_eq!(e.to_string(), "HTTP 401 header_timestamp_expired: header timestamp expired");
    }

    #[test]
    fn flat_400_bare_and_429() {
        let flat = br#"{"code":"bad_request","message":"bad request","details":"json: cannot unmarshal number into Go struct field CreateOrderV2Request.count of type string"}"#;
        let e = ApiError::from_response(400, flat);
        assert_eq!(e.shape(), Some(ErrorShape::Flat));
        assert_eq!(e.code(), Some("bad_request"));
        assert!(e.details().is_some_and(|d| d.contains("CreateOrderV2Request.count")));
        assert!(e.is_bad_request() && !e.is_retryable());
        assert!(e.to_string().starts_with("HTTP 400 bad_request: bad request (json: cannot"));

        let bare = br#"{"msg": "Parameter validation failed for GetMarkets: status"}"#;
        let e = ApiError::from_response(400, bare);
        assert_eq!(e.shape(), Some(ErrorShape::Bare));
        assert_eq!(e.code(), None);
        assert_eq!(e.message(), Some("Parameter validation failed for GetMarkets: status"));

        let e = ApiError::from_response(429, TOO_MANY_REQUESTS_BODY.as_bytes());
        assert_eq!(e.shape(), Some(ErrorShape::StringError));
        assert_eq!(e.message(), Some("too many requests"));
        assert!(e.is_rate_limited() && e.is_retryable());
    }

    #[test]
    fn codes_and_predicates() {
        let e = ApiError::from_response(404, br#"{"error":{"code":"user_not_found:_0b6c1f7e","message":"x"}}"#);
        assert!(e.code_starts_with("user_not_found:_"));
        assert!(e.is_not_found());
        let e = ApiError::from_body(400, ErrorBody::nested("invalid_order", "invalid order", Some("post only cross")));
        assert!(e.is_post_only_cross());
        assert!(!e.is_insufficient_balance());
        let e = ApiError::from_body(409, ErrorBody::nested("order_already_exists", "dup", None));
        assert!(e.is_order_already_exists() && !e.is_not_found());
        let e = ApiError::from_body(409, ErrorBody::nested("MARKET_INACTIVE", "closed", None));
        assert!(e.is_market_closed());
        let e = ApiError::from_body(400, ErrorBody::nested("available_balance_too_low", "m", None));
        assert!(e.is_insufficient_balance());
        let e = ApiError::from_response(404, br#"{"error":{"code":"not_found","message":"not found"}}"#);
        assert!(e.is_not_found());
    }

    #[test]
    fn unparseable_bodies_keep_status_and_text() {
        let e = ApiError::from_response(503, b"<html>Service Unavailable</html>");
        assert_eq!(e, ApiError::Unparseable { status: 503, body: "<html>Service Unavailable</html>".into() });
        assert!(e.is_retryable());
        assert_eq!((e.code(), e.message(), e.shape()), (None, None, None));
        let e = ApiError::from_response(500, b"");
        assert!(matches!(e, ApiError::Unparseable { status: 500, ref body } if body.is_empty()));
        let long = vec![b'x'; 2 * MAX_BODY_EXCERPT];
        let e = ApiError::from_response(502, &long);
        assert!(matches!(e, ApiError::Unparseable { ref body, .. } if body.len() == MAX_BODY_EXCERPT));
        let e = ApiError::from_response(400, br#"{"error":17}"#);
        assert!(matches!(e, ApiError::Unparseable { status: 400, .. }));
        assert!(!e.is_retryable());
    }
}
