//! Cash and settlement bodies: `GET /portfolio/balance` (§5.10) and
//! `GET /portfolio/settlements` (§5.11).

use serde::{Deserialize, Serialize};

use super::market_enums::MarketResult;
use super::serde_util::{dollars4, null_default};
use crate::domain::{Count, Money};

/// Cash on one exchange shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedBalance {
    /// Exchange shard.
    pub exchange_index: i32,
    /// Available cash on that shard (dollar string, `"98.0186"`).
    #[serde(with = "dollars4")]
    pub balance: Money,
}

/// `GET /portfolio/balance` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceResponse {
    /// Available cash in whole cents, truncated.
    pub balance: i64,
    /// Available cash, exact (`"98.0186"`).
    #[serde(with = "dollars4")]
    pub balance_dollars: Money,
    /// Value of open positions in cents (mark rule undocumented).
    #[serde(default)]
    pub portfolio_value: i64,
    /// Last update, Unix seconds.
    #[serde(default)]
    pub updated_ts: i64,
    /// Cash per shard (collateral is per shard).
    #[serde(default, deserialize_with = "null_default")]
    pub balance_breakdown: Vec<IndexedBalance>,
}

/// One settled position (`models/settlement.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// Market ticker.
    pub ticker: String,
    /// Event ticker.
    #[serde(default)]
    pub event_ticker: String,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: i32,
    /// `yes`, `no` or `scalar`.
    pub market_result: MarketResult,
    /// YES contracts held at settlement.
    #[serde(default)]
    pub yes_count_fp: Count,
    /// Cost of those YES contracts.
    #[serde(default)]
    pub yes_total_cost_dollars: Money,
    /// NO contracts held at settlement.
    #[serde(default)]
    pub no_count_fp: Count,
    /// Cost of those NO contracts.
    #[serde(default)]
    pub no_total_cost_dollars: Money,
    /// Payout in cents (winning contracts pay 100 cents each).
    pub revenue: i64,
    /// Payout of one YES contract in cents (`null` when not applicable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// Fees charged at settlement.
    #[serde(default)]
    pub fee_cost: Money,
    /// Settlement time (RFC 3339).
    #[serde(default)]
    pub settled_time: String,
}

/// `GET /portfolio/settlements` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementsResponse {
    /// One page of settlements.
    #[serde(default, deserialize_with = "null_default")]
    pub settlements: Vec<Settlement>,
    /// Next-page cursor; absent or `""` on the last page.
    #[serde(default)]
    pub cursor: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BALANCE: &str = include_str!("../../../tests/fixtures/kalshi/rest/balance.json");

    #[test]
    fn balance_spec_example() {
        let b: BalanceResponse = serde_json::from_str(BALANCE).unwrap();
        assert_eq!(b.balance, 9801);
        assert_eq!(b.balance_dollars.micros(), 98_018_600);
        assert_eq!(b.balance_dollars.cents_truncated(), b.balance);
        assert_eq!(b.portfolio_value, 198);
        assert_eq!(b.updated_ts, 1_795_705_751);
        assert_eq!(
            b.balance_breakdown,
            vec![IndexedBalance { exchange_index: 0, balance: Money::from_micros(98_018_600) }]
        );
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(
            json,
            r#"{"balance":9801,"balance_dollars":"98.0186","portfolio_value":198,"updated_ts":1795705751,"balance_breakdown":[{"exchange_index":0,"balance":"98.0186"}]}"#
        );
        assert_eq!(serde_json::from_str::<BalanceResponse>(&json).unwrap(), b);
    }

    #[test]
    fn malformed_balance() {
        let e = serde_json::from_str::<BalanceResponse>(r#"{"balance":1}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `balance_dollars`"), "{e}");
        let bad = BALANCE.replace(r#""balance_dollars": "98.0186""#, r#""balance_dollars": "98.0000001""#);
        assert!(serde_json::from_str::<BalanceResponse>(&bad).is_err());
        let bad = BALANCE.replace(r#""balance_dollars": "98.0186""#, r#""balance_dollars": true"#);
        assert!(serde_json::from_str::<BalanceResponse>(&bad).is_err());
    }

    #[test]
    fn settlements_parse_without_cursor() {
        let body = r#"{"settlements":[{"ticker":"T","event_ticker":"E","exchange_index":0,
            "market_result":"yes","yes_count_fp":"3.00","yes_total_cost_dollars":"1.500000",
            "no_count_fp":"0.00","no_total_cost_dollars":"0.000000","revenue":300,"value":100,
            "fee_cost":"0.000000","settled_time":"2026-12-01T00:00:00Z"}]}"#;
        let r: SettlementsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.cursor, "");
        let s = &r.settlements[0];
        assert_eq!(s.market_result, MarketResult::Yes);
        assert_eq!(s.yes_count_fp.hundredths(), 300);
        assert_eq!(s.yes_total_cost_dollars.micros(), 1_500_000);
        assert_eq!((s.revenue, s.value), (300, Some(100)));
        let back: SettlementsResponse = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let nulled = body.replace(r#""value":100"#, r#""value":null"#);
        let r: SettlementsResponse = serde_json::from_str(&nulled).unwrap();
        assert_eq!(r.settlements[0].value, None);
    }
}
