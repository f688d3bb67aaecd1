//! `EngineError`: every way the engine refuses a request, with the HTTP status, Kalshi error
//! code and details the server must answer with (§5.2).

use thiserror::Error;

use crate::domain::{Money, Price};
use crate::kalshi::rest::{codes, ErrorBody, ErrorDetail};

/// Why a request was refused. Whenever one is returned, the engine state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// Unknown market ticker (404 `not_found`).
    #[error("market {0} not found")]
    MarketNotFound(String),
    /// Unknown order, another user's order, or one that no longer rests (404 `not_found`).
    #[error("order {0} not found")]
    OrderNotFound(String),
    /// The market does not accept this operation in its current state (409 `market_closed`).
    #[error("market {0} is not open for trading")]
    MarketClosed(String),
    /// The `client_order_id` was used before by this user, even if that order is gone
    /// (409 `order_already_exists`).
    #[error("client_order_id {0} already exists")]
    DuplicateClientOrderId(String),
    /// The price is off the market grid or not strictly inside (0, 1) (400 `invalid_price`).
    #[error("price {0} is not a valid price for this market")]
    InvalidPrice(Price),
    /// A post-only order would take liquidity (400 `invalid_order`, details `post only cross`).
    #[error("post only order would cross")]
    PostOnlyCross,
    /// Any other order-level reject (400 `invalid_order`); the text goes to `details`.
    #[error("invalid order: {0}")]
    InvalidOrder(String),
    /// Not enough available cash for the order's worst case (400 `insufficient_balance`).
    #[error("insufficient balance: need {needed}, have {available}")]
    InsufficientBalance {
        /// Cash the order could consume (cost of the opening part plus worst-case fee).
        needed: Money,
        /// Available cash (total minus what resting orders reserve).
        available: Money,
    },
    /// Count below 0.01, above the engine limit, or an impossible resize (400
    /// `invalid_order_size`).
    #[error("invalid order size: {0}")]
    InvalidOrderSize(String),
    /// Malformed or contradictory fields (400 `bad_request`).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An amend or decrease names a different ticker than the order's (400).
    #[error("order ticker mismatch")]
    OrderTickerMismatch,
    /// An amend names a different side than the order's (400).
    #[error("order side mismatch")]
    OrderSideMismatch,
    /// An amend's `client_order_id` is not the order's (400).
    #[error("order id and client order id mismatch")]
    ClientOrderIdMismatch,
    /// A market with this ticker was already added (409 `market_exists`; engine setup only).
    #[error("market {0} already exists")]
    MarketExists(String),
}

impl EngineError {
    /// HTTP status of the response.
    pub fn status(&self) -> u16 {
        match self {
            EngineError::MarketNotFound(_) | EngineError::OrderNotFound(_) => 404,
            EngineError::MarketClosed(_) | EngineError::DuplicateClientOrderId(_) | EngineError::MarketExists(_) => 409,
            _ => 400,
        }
    }

    /// Kalshi error `code`.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::MarketNotFound(_) | EngineError::OrderNotFound(_) => codes::NOT_FOUND,
            EngineError::MarketClosed(_) => codes::MARKET_CLOSED,
            EngineError::DuplicateClientOrderId(_) => codes::ORDER_ALREADY_EXISTS,
            EngineError::InvalidPrice(_) => codes::INVALID_PRICE,
            EngineError::PostOnlyCross | EngineError::InvalidOrder(_) => codes::INVALID_ORDER,
            EngineError::InsufficientBalance { .. } => codes::INSUFFICIENT_BALANCE,
            EngineError::InvalidOrderSize(_) => "invalid_order_size",
            EngineError::BadRequest(_) => codes::BAD_REQUEST,
            EngineError::OrderTickerMismatch => "order_ticker_mismatch",
            EngineError::OrderSideMismatch => "order_side_mismatch",
            EngineError::ClientOrderIdMismatch => "order_id_and_client_order_id_mismatch",
            EngineError::MarketExists(_) => "market_exists",
        }
    }

    /// Human `message` of the body.
    pub fn message(&self) -> String {
        match self {
            EngineError::PostOnlyCross | EngineError::InvalidOrder(_) => "invalid order".to_owned(),
            EngineError::BadRequest(_) => "bad request".to_owned(),
            other => other.to_string(),
        }
    }

    /// `details` of the body, when there is one.
    pub fn details(&self) -> Option<String> {
        match self {
            EngineError::PostOnlyCross => Some("post only cross".to_owned()),
            EngineError::InvalidOrder(d) | EngineError::BadRequest(d) => Some(d.clone()),
            _ => None,
        }
    }

    /// The `{code, message, details}` object (also the per-item error of batch responses).
    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail::new(self.code(), &self.message(), self.details().as_deref())
    }

    /// The body to send: flat for `bad_request` (as the exchange does for decode errors),
    /// nested for everything else.
    pub fn body(&self) -> ErrorBody {
        let (code, message, details) = (self.code(), self.message(), self.details());
        match self {
            EngineError::BadRequest(_) => ErrorBody::flat(code, &message, details.as_deref()),
            _ => ErrorBody::nested(code, &message, details.as_deref()),
        }
    }
}
