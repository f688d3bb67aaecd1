//! `GET /portfolio/fills` bodies (§5.9): our executions, one `Fill` per match.

use serde::{Deserialize, Serialize};

use super::portfolio_orders::{LegacyAction, LegacySide};
use super::serde_util::null_default;
use crate::domain::{BookSide, Count, Money, Outcome, Price};

/// One of our executions (`models/fill.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// Fill id (same value as `trade_id`).
    pub fill_id: String,
    /// Trade id (legacy name; equals the public trade's id).
    #[serde(default)]
    pub trade_id: String,
    /// Our order that filled.
    pub order_id: String,
    /// Market ticker.
    pub ticker: String,
    /// Market ticker again (legacy name).
    #[serde(default)]
    pub market_ticker: String,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: i32,
    /// Outcome acquired by this fill.
    pub outcome_side: Outcome,
    /// Side of the YES book our order was on.
    pub book_side: BookSide,
    /// Contracts filled.
    pub count_fp: Count,
    /// Execution price in YES terms.
    pub yes_price_dollars: Price,
    /// `1 − yes_price_dollars`.
    pub no_price_dollars: Price,
    /// True when our order took liquidity.
    pub is_taker: bool,
    /// Execution time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    /// Exchange fee for this fill (6 dp).
    #[serde(default)]
    pub fee_cost: Money,
    /// Subaccount number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount_number: Option<u32>,
    /// Execution time, Unix seconds (legacy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Deprecated `side`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<LegacySide>,
    /// Deprecated `action`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<LegacyAction>,
}

impl Fill {
    /// Signed change of the market position: `+count` for a bid, `−count` for an ask.
    pub fn position_delta(&self) -> Count {
        match self.book_side {
            BookSide::Bid => self.count_fp,
            BookSide::Ask => -self.count_fp,
        }
    }
}

/// `GET /portfolio/fills` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillsResponse {
    /// One page of fills.
    #[serde(default, deserialize_with = "null_default")]
    pub fills: Vec<Fill>,
    /// Next-page cursor; `""` on the last page.
    #[serde(default)]
    pub cursor: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../tests/fixtures/kalshi/rest/fills.json");

    #[test]
    fn parses_spec_example_exactly() {
        let r: FillsResponse = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(r.cursor, "");
        assert_eq!(r.fills.len(), 1);
        let f = &r.fills[0];
        assert_eq!(f.fill_id, "7b5e…");
        assert_eq!(f.trade_id, f.fill_id);
        assert_eq!(f.order_id, "4e0b…");
        assert_eq!(f.ticker, "KXDEMO-26NOV30-T50");
        assert_eq!(f.market_ticker, f.ticker);
        assert_eq!((f.outcome_side, f.book_side), (Outcome::No, BookSide::Ask));
        assert_eq!(f.count_fp.hundredths(), 200);
        assert_eq!(f.yes_price_dollars.centicents(), 4500);
        assert_eq!(f.no_price_dollars.centicents(), 5500);
        assert!(!f.is_taker);
        assert_eq!(f.fee_cost, Money::ZERO);
        assert_eq!(f.created_time.as_deref(), Some("2026-11-20T15:09:11.204518Z"));
        assert_eq!(f.ts, Some(1_795_705_751));
        assert_eq!(f.subaccount_number, Some(0));
        assert_eq!(f.side, None);
        assert_eq!(f.position_delta().hundredths(), -200);
    }

    #[test]
    fn round_trips_with_six_dp_fee() {
        let mut r: FillsResponse = serde_json::from_str(EXAMPLE).unwrap();
        r.fills[0].fee_cost = Money::from_micros(17_500);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""fee_cost":"0.017500""#), "{json}");
        assert!(json.contains(r#""count_fp":"2.00""#), "{json}");
        assert_eq!(serde_json::from_str::<FillsResponse>(&json).unwrap(), r);
    }

    #[test]
    fn malformed_fills() {
        let bad = EXAMPLE.replace(r#""yes_price_dollars": "0.4500""#, r#""yes_price_dollars": true"#);
        assert!(serde_json::from_str::<FillsResponse>(&bad).is_err());
        let bad = EXAMPLE.replace(r#""count_fp": "2.00""#, r#""count_fp": "2.001""#);
        let e = serde_json::from_str::<FillsResponse>(&bad).unwrap_err();
        assert!(e.to_string().contains("decimal places"), "{e}");
        let bad = EXAMPLE.replace(r#""is_taker": false,"#, "");
        let e = serde_json::from_str::<FillsResponse>(&bad).unwrap_err();
        assert!(e.to_string().contains("missing field `is_taker`"), "{e}");
    }
}
