//! Kalshi Trade API v2 REST bodies (2026 shapes) and endpoint paths.
//!
//! Every body derives `Serialize` and `Deserialize` so the client can decode what the
//! exchange sends and the simulator can emit the same bytes. Prices are
//! [`Price`](crate::domain::Price), counts [`Count`](crate::domain::Count) and other dollar
//! amounts [`Money`](crate::domain::Money); unknown fields are ignored, optional and
//! deprecated fields are `Option` or defaulted, and lists accept `null`. Non-2xx responses
//! become an [`ApiError`] via [`ApiError::from_response`].
//!
//! Paths below are relative to [`API_PREFIX`]; sign `API_PREFIX + path` (no query string).

pub mod batch;
pub mod error;
pub mod error_body;
pub mod exchange;
pub mod fills;
pub mod market_enums;
pub mod markets;
pub mod orderbook;
pub mod orders;
pub mod portfolio;
pub mod portfolio_orders;
pub mod positions;
pub(crate) mod serde_util;
pub mod trades;

pub use batch::{
    BatchCancelOrderV2Item, BatchCancelOrderV2Result, BatchCancelOrdersV2Request, BatchCancelOrdersV2Response,
    BatchCreateOrderV2Result, BatchCreateOrdersV2Request, BatchCreateOrdersV2Response,
};
pub use error::ApiError;
pub use error_body::{codes, ErrorBody, ErrorDetail, ErrorShape};
pub use exchange::{
    AccountLimits, ApiUsageLevelGrant, BucketLimit, EndpointCost, EndpointCostsResponse, ExchangeIndexStatus,
    ExchangeInstance, ExchangeStatus,
};
pub use fills::{Fill, FillsResponse};
pub use market_enums::{
    MarketFilterStatus, MarketResult, MarketStatus, MarketType, PriceLevelStructure, PriceRange, StrikeType,
};
pub use markets::{Market, MarketResponse, MarketsResponse, MveSelectedLeg};
pub use orderbook::{MarketOrderbook, OrderbookFp, OrderbookLevel, OrderbookResponse, OrderbooksResponse};
pub use orders::{
    AmendOrderV2Request, AmendOrderV2Response, CancelOrderV2Response, CreateOrderV2Request, CreateOrderV2Response,
    DecreaseOrderV2Request, DecreaseOrderV2Response, SelfTradePreventionType, TimeInForce,
};
pub use portfolio::{BalanceResponse, IndexedBalance, Settlement, SettlementsResponse};
pub use portfolio_orders::{
    LastUpdateReason, LegacyAction, LegacySide, Order, OrderResponse, OrderStatus, OrderType, OrdersResponse,
    QueuePositionResponse,
};
pub use positions::{EventPosition, MarketPosition, PositionsResponse};
pub use trades::{Trade, TradesResponse};

/// Path prefix of every REST endpoint (part of the signed path).
pub const API_PREFIX: &str = "/trade-api/v2";

/// `GET` markets list (public).
pub const MARKETS: &str = "/markets";
/// `GET` batch orderbooks, `?tickers=A&tickers=B` (≤ 100).
pub const MARKETS_ORDERBOOKS: &str = "/markets/orderbooks";
/// `GET` public trades (public).
pub const MARKETS_TRADES: &str = "/markets/trades";
/// `POST` create (201) / `DELETE` cancel-all (204) V2 orders.
pub const EVENT_ORDERS: &str = "/portfolio/events/orders";
/// `POST` batch create / `DELETE` batch cancel V2 orders.
pub const EVENT_ORDERS_BATCHED: &str = "/portfolio/events/orders/batched";
/// `GET` orders list (reads still valid; mutations here answer 410).
pub const PORTFOLIO_ORDERS: &str = "/portfolio/orders";
/// `GET` positions.
pub const PORTFOLIO_POSITIONS: &str = "/portfolio/positions";
/// `GET` fills.
pub const PORTFOLIO_FILLS: &str = "/portfolio/fills";
/// `GET` balance.
pub const PORTFOLIO_BALANCE: &str = "/portfolio/balance";
/// `GET` settlements.
pub const PORTFOLIO_SETTLEMENTS: &str = "/portfolio/settlements";
/// `GET` exchange status (public).
pub const EXCHANGE_STATUS: &str = "/exchange/status";
/// `GET` rate-limit tier and buckets.
pub const ACCOUNT_LIMITS: &str = "/account/limits";
/// `GET` per-endpoint token costs (public).
pub const ACCOUNT_ENDPOINT_COSTS: &str = "/account/endpoint_costs";

/// `GET /markets/{ticker}`.
pub fn market(ticker: &str) -> String {
    format!("{MARKETS}/{ticker}")
}

/// `GET /markets/{ticker}/orderbook`.
pub fn market_orderbook(ticker: &str) -> String {
    format!("{MARKETS}/{ticker}/orderbook")
}

/// `DELETE /portfolio/events/orders/{order_id}` (V2 cancel).
pub fn event_order(order_id: &str) -> String {
    format!("{EVENT_ORDERS}/{order_id}")
}

/// `POST /portfolio/events/orders/{order_id}/amend`.
pub fn event_order_amend(order_id: &str) -> String {
    format!("{EVENT_ORDERS}/{order_id}/amend")
}

/// `POST /portfolio/events/orders/{order_id}/decrease`.
pub fn event_order_decrease(order_id: &str) -> String {
    format!("{EVENT_ORDERS}/{order_id}/decrease")
}

/// `GET /portfolio/orders/{order_id}`.
pub fn portfolio_order(order_id: &str) -> String {
    format!("{PORTFOLIO_ORDERS}/{order_id}")
}

/// `GET /portfolio/orders/{order_id}/queue_position`.
pub fn order_queue_position(order_id: &str) -> String {
    format!("{PORTFOLIO_ORDERS}/{order_id}/queue_position")
}

/// `API_PREFIX + path`: the URL path to request and sign.
pub fn full_path(path: &str) -> String {
    format!("{API_PREFIX}{path}")
}

/// True for the legacy V1 order mutations that answer 410 (§5.6): `POST /portfolio/orders`,
/// `DELETE /portfolio/orders/{id}`, `POST …/{id}/amend`, `POST …/{id}/decrease`,
/// `POST|DELETE /portfolio/orders/batched`. Accepts the path with or without
/// [`API_PREFIX`] and a query string.
pub fn is_legacy_v1_mutation(method: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let path = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let Some(rest) = path.strip_prefix(PORTFOLIO_ORDERS) else {
        return false;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return false;
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = method.to_ascii_uppercase();
    matches!(
        (method.as_str(), segs.as_slice()),
        ("POST", []) | ("DELETE", [_]) | ("POST", ["batched"]) | ("POST", [_, "amend"]) | ("POST", [_, "decrease"])
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(EVENT_ORDERS, "/portfolio/events/orders");
        assert_eq!(full_path(PORTFOLIO_BALANCE), "/trade-api/v2/portfolio/balance");
        assert_eq!(market_orderbook("FED-23DEC-T3.00"), "/markets/FED-23DEC-T3.00/orderbook");
        assert_eq!(event_order_amend("o-1"), "/portfolio/events/orders/o-1/amend");
        assert_eq!(event_order_decrease("o-1"), "/portfolio/events/orders/o-1/decrease");
        assert_eq!(event_order("o-1"), "/portfolio/events/orders/o-1");
        assert_eq!(order_queue_position("o-1"), "/portfolio/orders/o-1/queue_position");
        assert_eq!(market("T"), "/markets/T");
        assert_eq!(portfolio_order("o"), "/portfolio/orders/o");
    }

    #[test]
    fn legacy_v1_mutations() {
        let legacy = [
            ("POST", "/trade-api/v2/portfolio/orders"),
            ("post", "/portfolio/orders?x=1"),
            ("DELETE", "/portfolio/orders/o-1"),
            ("POST", "/portfolio/orders/o-1/amend"),
            ("POST", "/portfolio/orders/o-1/decrease"),
            ("POST", "/portfolio/orders/batched"),
            ("DELETE", "/trade-api/v2/portfolio/orders/batched"),
        ];
        for (m, p) in legacy {
            assert!(is_legacy_v1_mutation(m, p), "{m} {p}");
        }
        let fine = [
            ("GET", "/portfolio/orders"),
            ("GET", "/portfolio/orders/o-1"),
            ("GET", "/portfolio/orders/o-1/queue_position"),
            ("POST", "/portfolio/events/orders"),
            ("DELETE", "/portfolio/events/orders/o-1"),
            ("POST", "/portfolio/ordersx"),
        ];
        for (m, p) in fine {
            assert!(!is_legacy_v1_mutation(m, p), "{m} {p}");
        }
    }
}
