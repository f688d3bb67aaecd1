//! `GET /portfolio/positions` bodies (§5.8): unsettled market positions and event
//! aggregates. Dollar fields print with six decimals (`"2.500000"`).

use serde::{Deserialize, Serialize};

use super::serde_util::{null_default, string_or_int};
use crate::domain::{Count, Money};

/// Our position in one market (`models/market-position.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketPosition {
    /// Market ticker.
    pub ticker: String,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: i32,
    /// Signed position: `+` YES contracts, `−` NO contracts.
    pub position_fp: Count,
    /// Cost basis of the open position (excluding fees).
    #[serde(default)]
    pub market_exposure_dollars: Money,
    /// P&L locked in by closing trades.
    #[serde(default)]
    pub realized_pnl_dollars: Money,
    /// Cumulative fees paid.
    #[serde(default)]
    pub fees_paid_dollars: Money,
    /// Cumulative notional traded.
    #[serde(default)]
    pub total_traded_dollars: Money,
    /// Last update, an RFC 3339 **string** (an integer is tolerated and kept as text).
    #[serde(default, deserialize_with = "string_or_int")]
    pub last_updated_ts: String,
}

/// Aggregate over one event's markets (`models/event-position.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPosition {
    /// Event ticker.
    pub event_ticker: String,
    /// Total cost of the event's positions.
    #[serde(default)]
    pub total_cost_dollars: Money,
    /// Total contracts bought across the event.
    #[serde(default)]
    pub total_cost_shares_fp: Count,
    /// Cost basis of the open positions.
    #[serde(default)]
    pub event_exposure_dollars: Money,
    /// Realized P&L.
    #[serde(default)]
    pub realized_pnl_dollars: Money,
    /// Fees paid.
    #[serde(default)]
    pub fees_paid_dollars: Money,
}

/// `GET /portfolio/positions` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionsResponse {
    /// Per-market positions.
    #[serde(default, deserialize_with = "null_default")]
    pub market_positions: Vec<MarketPosition>,
    /// Per-event aggregates.
    #[serde(default, deserialize_with = "null_default")]
    pub event_positions: Vec<EventPosition>,
    /// Next-page cursor; absent or `""` on the last page.
    #[serde(default)]
    pub cursor: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The observed check of §5.8: three YES buys (1 @ 0.52, 2 @ 0.99).
    const BODY: &str = r#"{"market_positions":[{"ticker":"KXDEMO-26NOV30-T50","exchange_index":0,
        "position_fp":"3.00","market_exposure_dollars":"2.500000","realized_pnl_dollars":"0.000000",
        "fees_paid_dollars":"0.018900","total_traded_dollars":"2.500000",
        "last_updated_ts":"2026-06-11T06:31:02.100000Z"}],
        "event_positions":[{"event_ticker":"KXDEMO-26NOV30","total_cost_dollars":"2.500000",
        "total_cost_shares_fp":"3.00","event_exposure_dollars":"2.500000",
        "realized_pnl_dollars":"0.000000","fees_paid_dollars":"0.018900"}],"cursor":""}"#;

    #[test]
    fn parses_observed_positions() {
        let r: PositionsResponse = serde_json::from_str(BODY).unwrap();
        let m = &r.market_positions[0];
        assert_eq!(m.position_fp.hundredths(), 300);
        assert_eq!(m.market_exposure_dollars.micros(), 2_500_000);
        assert_eq!(m.fees_paid_dollars.micros(), 18_900);
        assert_eq!(m.total_traded_dollars.micros(), 2_500_000);
        assert_eq!(m.last_updated_ts, "2026-06-11T06:31:02.100000Z");
        let e = &r.event_positions[0];
        assert_eq!(e.total_cost_shares_fp.hundredths(), 300);
        assert_eq!(e.fees_paid_dollars.micros(), 18_900);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""market_exposure_dollars":"2.500000""#), "{json}");
        assert_eq!(serde_json::from_str::<PositionsResponse>(&json).unwrap(), r);
    }

    #[test]
    fn short_positions_null_lists_and_int_ts() {
        let body = r#"{"market_positions":[{"ticker":"T","position_fp":"-5.00","last_updated_ts":1795705751}],
            "event_positions":null}"#;
        let r: PositionsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.market_positions[0].position_fp.hundredths(), -500);
        assert_eq!(r.market_positions[0].last_updated_ts, "1795705751");
        assert!(r.event_positions.is_empty());
        assert_eq!(r.cursor, "");
    }

    #[test]
    fn malformed_positions() {
        let bad = BODY.replace(r#""position_fp":"3.00""#, r#""position_fp":"3.001""#);
        assert!(serde_json::from_str::<PositionsResponse>(&bad).is_err());
        let bad = BODY.replace(r#""position_fp":"3.00","#, "");
        let e = serde_json::from_str::<PositionsResponse>(&bad).unwrap_err();
        assert!(e.to_string().contains("missing field `position_fp`"), "{e}");
    }
}
