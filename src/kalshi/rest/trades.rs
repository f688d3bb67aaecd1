//! `GET /markets/trades` bodies (§5.11): public executions of any market.

use serde::{Deserialize, Serialize};

use super::portfolio_orders::LegacySide;
use super::serde_util::null_default;
use crate::domain::{BookSide, Count, Outcome, Price};

/// One public trade (`models/trade.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    /// Trade id (UUID; equals `trade_id` of the matching private fill).
    pub trade_id: String,
    /// Market ticker.
    pub ticker: String,
    /// Contracts traded.
    pub count_fp: Count,
    /// Execution price in YES terms.
    pub yes_price_dollars: Price,
    /// `1 − yes_price_dollars`.
    pub no_price_dollars: Price,
    /// Outcome the taker bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_outcome_side: Option<Outcome>,
    /// YES-book side of the taker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_book_side: Option<BookSide>,
    /// Deprecated taker side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_side: Option<LegacySide>,
    /// Execution time (RFC 3339).
    #[serde(default)]
    pub created_time: String,
    /// Block trade flag.
    #[serde(default)]
    pub is_block_trade: bool,
}

/// `GET /markets/trades` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradesResponse {
    /// One page of trades.
    #[serde(default, deserialize_with = "null_default")]
    pub trades: Vec<Trade>,
    /// Next-page cursor; `""` on the last page.
    #[serde(default)]
    pub cursor: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"trades":[{"trade_id":"5a1c0f9e-0000-4000-8000-000000000001",
        "ticker":"KXDEMO-26NOV30-T50","count_fp":"3.00","yes_price_dollars":"0.4800",
        "no_price_dollars":"0.5200","taker_outcome_side":"yes","taker_book_side":"bid",
        "taker_side":"yes","created_time":"2026-11-20T15:04:05.123Z","is_block_trade":false}],
        "cursor":"next"}"#;

    #[test]
    fn parses_and_round_trips() {
        let r: TradesResponse = serde_json::from_str(BODY).unwrap();
        assert_eq!(r.cursor, "next");
        let t = &r.trades[0];
        assert_eq!(t.count_fp.hundredths(), 300);
        assert_eq!(t.yes_price_dollars.centicents(), 4800);
        assert_eq!(t.no_price_dollars.centicents(), 5200);
        assert_eq!(t.taker_outcome_side, Some(Outcome::Yes));
        assert_eq!(t.taker_book_side, Some(BookSide::Bid));
        assert_eq!(t.taker_side, Some(LegacySide::Yes));
        assert!(!t.is_block_trade);
        let back: TradesResponse = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn malformed_trades() {
        let bad = BODY.replace(r#""count_fp":"3.00""#, r#""count_fp":true"#);
        let e = serde_json::from_str::<TradesResponse>(&bad).unwrap_err();
        assert!(e.to_string().contains("contract count"), "{e}");
        let bad = BODY.replace(r#""ticker":"KXDEMO-26NOV30-T50","#, "");
        let e = serde_json::from_str::<TradesResponse>(&bad).unwrap_err();
        assert!(e.to_string().contains("missing field `ticker`"), "{e}");
    }
}
