//! Error response bodies (§2.7, §5.2, §5.6, §11.8): the nested, flat and bare shapes plus
//! the 429 string body, with constructors for the exact bodies the simulator must emit.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Error codes we branch on. Compare with prefix matching: some codes embed ids
/// (`user_not_found:_<uuid>`).
pub mod codes {
    /// 404: unknown / already canceled / already executed order, unknown ticker.
    pub const NOT_FOUND: &str = "not_found";
    /// 409: duplicate `client_order_id`.
    pub const ORDER_ALREADY_EXISTS: &str = "order_already_exists";
    /// 409: order on a closed market (third-party code).
    pub const MARKET_CLOSED: &str = "market_closed";
    /// Market not open (docs' name).
    pub const MARKET_INACTIVE: &str = "MARKET_INACTIVE";
    /// 400: post-only would cross (details `post only cross`), and other order rejects.
    pub const INVALID_ORDER: &str = "invalid_order";
    /// 400: price off the grid or outside (0, 1).
    pub const INVALID_PRICE: &str = "invalid_price";
    /// 400: not enough collateral on the shard.
    pub const INSUFFICIENT_BALANCE: &str = "insufficient_balance";
    /// 400: newer balance code.
    pub const AVAILABLE_BALANCE_TOO_LOW: &str = "available_balance_too_low";
    /// 400 (flat shape): malformed JSON or wrong types.
    pub const BAD_REQUEST: &str = "bad_request";
    /// 401: bad signature or unknown key (see `details`).
    pub const AUTHENTICATION_ERROR: &str = "authentication_error";
    /// 401: a signature header is missing.
    pub const SIGNATURE_MISSING: &str = "signature_is_missing_from_headers";
    /// 401: timestamp outside the accepted window.
    pub const TIMESTAMP_EXPIRED: &str = "header_timestamp_expired";
    /// 410: legacy V1 order mutation.
    pub const DEPRECATED_V1_ORDER_ENDPOINT: &str = "deprecated_v1_order_endpoint";
}

/// Exact 410 body of every legacy `/portfolio/orders` mutation (§5.6).
pub const DEPRECATED_V1_BODY: &str = r#"{"error":{"code":"deprecated_v1_order_endpoint","message":"Please switch to the V2 endpoints","details":"https://docs.kalshi.com/api-reference/orders/create-order-v2"}}"#;
/// 401 body: signature over the wrong message or with the wrong key.
pub const AUTH_BAD_SIGNATURE_BODY: &str = r#"{"error":{"code":"authentication_error","message":"authentication_error","details":"INCORRECT_API_KEY_SIGNATURE"}}"#;
/// 401 body: unknown key id.
pub const AUTH_UNKNOWN_KEY_BODY: &str =
    r#"{"error":{"code":"authentication_error","message":"authentication_error","details":"NOT_FOUND"}}"#;
/// 401 body: a signature header is missing.
pub const AUTH_SIGNATURE_MISSING_BODY: &str =
    r#"{"error":{"code":"signature_is_missing_from_headers","message":"signature is missing from headers"}}"#;
/// 401 body: timestamp outside the window.
pub const AUTH_TIMESTAMP_EXPIRED_BODY: &str =
    r#"{"error":{"code":"header_timestamp_expired","message":"header timestamp expired"}}"#;
/// 429 body (a string, not an object).
pub const TOO_MANY_REQUESTS_BODY: &str = r#"{"error":"too many requests"}"#;

/// Which of the error body shapes was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorShape {
    /// `{"error": {code, message, details?, service?}}`.
    Nested,
    /// `{code, message, details}` (OpenAPI `ErrorResponse`).
    Flat,
    /// `{"msg": "..."}` parameter-validation body.
    Bare,
    /// `{"error": "too many requests"}`.
    StringError,
}

/// The `{code, message, details}` object: the flat body itself, the inside of the nested
/// body, and the per-item `error` of batch responses. All fields optional in the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine code (`not_found`, `user_not_found:_<uuid>`, …).
    #[serde(default)]
    pub code: String,
    /// Human message.
    #[serde(default)]
    pub message: String,
    /// Extra detail (`INCORRECT_API_KEY_SIGNATURE`, `post only cross`, a docs URL, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Originating service (removed from bodies Aug 6 2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Any error body the exchange sends. Serializes to exactly the wire shape of its variant;
/// deserializes by looking at which keys are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ErrorBody {
    /// `{"error": {...}}` (most 4xx).
    Nested {
        /// The error object.
        error: ErrorDetail,
    },
    /// `{"error": "too many requests"}`.
    StringError {
        /// The message string.
        error: String,
    },
    /// `{"msg": "..."}`.
    Bare {
        /// The validation message.
        msg: String,
    },
    /// `{code, message, details}`.
    Flat(ErrorDetail),
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorBody, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        ErrorBody::from_map(map).map_err(D::Error::custom)
    }
}

impl ErrorBody {
    fn from_map(mut map: Map<String, Value>) -> Result<ErrorBody, String> {
        match map.remove("error") {
            Some(Value::Object(o)) => {
                let error = serde_json::from_value(Value::Object(o)).map_err(|e| e.to_string())?;
                return Ok(ErrorBody::Nested { error });
            }
            Some(Value::String(error)) => return Ok(ErrorBody::StringError { error }),
            Some(other) => return Err(format!("`error` is neither an object nor a string: {other}")),
            None => {}
        }
        if let Some(Value::String(msg)) = map.get("msg") {
            return Ok(ErrorBody::Bare { msg: msg.clone() });
        }
        if map.contains_key("code") || map.contains_key("message") {
            let detail = serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())?;
            return Ok(ErrorBody::Flat(detail));
        }
        Err("not a Kalshi error body (no `error`, `msg`, `code` or `message`)".to_owned())
    }

    /// A nested body `{"error":{code,message[,details]}}`, the shape the exchange uses for
    /// most 4xx.
    pub fn nested(code: &str, message: &str, details: Option<&str>) -> ErrorBody {
        ErrorBody::Nested { error: ErrorDetail::new(code, message, details) }
    }

    /// A flat body `{code,message[,details]}` (JSON-decode 400s).
    pub fn flat(code: &str, message: &str, details: Option<&str>) -> ErrorBody {
        ErrorBody::Flat(ErrorDetail::new(code, message, details))
    }

    /// A bare parameter-validation body `{"msg": ...}`.
    pub fn bare(msg: &str) -> ErrorBody {
        ErrorBody::Bare { msg: msg.to_owned() }
    }

    /// The 429 body.
    pub fn too_many_requests() -> ErrorBody {
        ErrorBody::StringError { error: "too many requests".to_owned() }
    }

    /// The 410 body of legacy V1 order mutations ([`DEPRECATED_V1_BODY`]).
    pub fn deprecated_v1_order_endpoint() -> ErrorBody {
        ErrorBody::nested(
            codes::DEPRECATED_V1_ORDER_ENDPOINT,
            "Please switch to the V2 endpoints",
            Some("https://docs.kalshi.com/api-reference/orders/create-order-v2"),
        )
    }

    /// 401: bad signature ([`AUTH_BAD_SIGNATURE_BODY`]).
    pub fn auth_bad_signature() -> ErrorBody {
        ErrorBody::nested(codes::AUTHENTICATION_ERROR, codes::AUTHENTICATION_ERROR, Some("INCORRECT_API_KEY_SIGNATURE"))
    }

    /// 401: unknown key id ([`AUTH_UNKNOWN_KEY_BODY`]).
    pub fn auth_unknown_key() -> ErrorBody {
        ErrorBody::nested(codes::AUTHENTICATION_ERROR, codes::AUTHENTICATION_ERROR, Some("NOT_FOUND"))
    }

    /// 401: missing signature header ([`AUTH_SIGNATURE_MISSING_BODY`]).
    pub fn auth_signature_missing() -> ErrorBody {
        ErrorBody::nested(codes::SIGNATURE_MISSING, "signature is missing from headers", None)
    }

    /// 401: timestamp outside the window ([`AUTH_TIMESTAMP_EXPIRED_BODY`]).
    pub fn auth_timestamp_expired() -> ErrorBody {
        ErrorBody::nested(codes::TIMESTAMP_EXPIRED, "header timestamp expired", None)
    }

    /// Compact JSON, byte-for-byte what the exchange sends.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Which shape this is.
    pub fn shape(&self) -> ErrorShape {
        match self {
            ErrorBody::Nested { .. } => ErrorShape::Nested,
            ErrorBody::StringError { .. } => ErrorShape::StringError,
            ErrorBody::Bare { .. } => ErrorShape::Bare,
            ErrorBody::Flat(_) => ErrorShape::Flat,
        }
    }

    /// The `{code,message,details}` object of the nested and flat shapes.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        match self {
            ErrorBody::Nested { error } | ErrorBody::Flat(error) => Some(error),
            ErrorBody::StringError { .. } | ErrorBody::Bare { .. } => None,
        }
    }
}

impl ErrorDetail {
    /// Builds a detail without `service`.
    pub fn new(code: &str, message: &str, details: Option<&str>) -> ErrorDetail {
        ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
            details: details.map(str::to_owned),
            service: None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const V1_FIXTURE: &str = include_str!("../../../tests/fixtures/kalshi/rest/error_410_deprecated_v1.json");

    #[test]
    fn canned_bodies_serialize_exactly() {
        let cases = [
            (ErrorBody::deprecated_v1_order_endpoint(), DEPRECATED_V1_BODY),
            (ErrorBody::auth_bad_signature(), AUTH_BAD_SIGNATURE_BODY),
            (ErrorBody::auth_unknown_key(), AUTH_UNKNOWN_KEY_BODY),
            (ErrorBody::auth_signature_missing(), AUTH_SIGNATURE_MISSING_BODY),
            (ErrorBody::auth_timestamp_expired(), AUTH_TIMESTAMP_EXPIRED_BODY),
            (ErrorBody::too_many_requests(), TOO_MANY_REQUESTS_BODY),
        ];
        for (body, want) in cases {
            assert_eq!(body.to_json(), want);
            assert_eq!(serde_json::from_str::<ErrorBody>(want).unwrap(), body);
        }
        assert_eq!(DEPRECATED_V1_BODY, V1_FIXTURE.trim_end());
    }

    #[test]
    fn parses_each_shape() {
        let nested: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"not_found","message":"not found","service":"exchange"}}"#)
                .unwrap();
        assert_eq!(nested.shape(), ErrorShape::Nested);
        assert_eq!(nested.detail().map(|d| d.service.as_deref()), Some(Some("exchange")));
        let flat: ErrorBody = serde_json::from_str(
            r#"{"code":"bad_request","message":"bad request","details":"json: cannot unmarshal number into Go struct field CreateOrderV2Request.count of type string"}"#,
        )
        .unwrap();
        assert_eq!(flat.shape(), ErrorShape::Flat);
        assert_eq!(flat.detail().map(|d| d.code.as_str()), Some("bad_request"));
        let bare: ErrorBody =
            serde_json::from_str(r#"{"msg":"Parameter validation failed for GetMarkets: limit"}"#).unwrap();
        assert_eq!(bare, ErrorBody::bare("Parameter validation failed for GetMarkets: limit"));
        assert_eq!(bare.detail(), None);
        let flat_built = ErrorBody::flat("bad_request", "bad request", None);
        assert_eq!(flat_built.to_json(), r#"{"code":"bad_request","message":"bad request"}"#);
    }

    #[test]
    fn rejects_non_error_bodies() {
        for body in ["{}", r#"{"error":5}"#, r#"{"foo":"bar"}"#, "[]", r#""text""#] {
            assert!(serde_json::from_str::<ErrorBody>(body).is_err(), "{body}");
        }
    }
}
