//! `Market` and the `GET /markets` / `GET /markets/{ticker}` response bodies (§5.3, §11.2).
//!
//! Fields the official schema marks required but the spec's example omits (`created_time`,
//! `previous_*_dollars`, `rules_*`, …) default when absent and are always emitted, so the
//! simulator produces what official clients expect and we still parse trimmed captures.

use serde::{Deserialize, Serialize};

use super::market_enums::{MarketResult, MarketStatus, MarketType, PriceLevelStructure, PriceRange, StrikeType};
use super::serde_util::{dollars4, dollars4_opt, null_default};
use crate::domain::{Count, Money, Price};

/// One market (one binary contract), as of OpenAPI 3.30.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Market {
    /// Market ticker (may contain `.`).
    pub ticker: String,
    /// Parent event ticker.
    pub event_ticker: String,
    /// `binary` or `scalar`.
    pub market_type: MarketType,
    /// Deprecated title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Deprecated subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Short label of the YES outcome.
    #[serde(default)]
    pub yes_sub_title: String,
    /// Short label of the NO outcome.
    #[serde(default)]
    pub no_sub_title: String,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_time: String,
    /// Last metadata update (RFC 3339).
    #[serde(default)]
    pub updated_time: String,
    /// Trading opens (RFC 3339).
    pub open_time: String,
    /// Trading closes (RFC 3339).
    pub close_time: String,
    /// Expected expiration (RFC 3339), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_expiration_time: Option<String>,
    /// Deprecated expiration time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// Latest possible expiration (RFC 3339).
    #[serde(default)]
    pub latest_expiration_time: String,
    /// Seconds between determination and settlement.
    #[serde(default)]
    pub settlement_timer_seconds: i64,
    /// Lifecycle status.
    pub status: MarketStatus,
    /// Best YES bid.
    pub yes_bid_dollars: Price,
    /// Size at the best YES bid.
    #[serde(default)]
    pub yes_bid_size_fp: Count,
    /// Best YES ask.
    pub yes_ask_dollars: Price,
    /// Size at the best YES ask.
    #[serde(default)]
    pub yes_ask_size_fp: Count,
    /// Best NO bid (= 1 − YES ask).
    pub no_bid_dollars: Price,
    /// Best NO ask (= 1 − YES bid).
    pub no_ask_dollars: Price,
    /// Last traded YES price.
    pub last_price_dollars: Price,
    /// Lifetime volume in contracts.
    #[serde(default)]
    pub volume_fp: Count,
    /// Volume over the last 24 hours.
    #[serde(default)]
    pub volume_24h_fp: Count,
    /// `yes`, `no`, `scalar` or `""`.
    #[serde(default)]
    pub result: MarketResult,
    /// Whether the market may close before `close_time`.
    #[serde(default)]
    pub can_close_early: bool,
    /// Open interest in contracts.
    #[serde(default)]
    pub open_interest_fp: Count,
    /// Payout of a winning contract (`"1.0000"`).
    #[serde(with = "dollars4")]
    pub notional_value_dollars: Money,
    /// YES bid about 24 h ago.
    #[serde(default)]
    pub previous_yes_bid_dollars: Price,
    /// YES ask about 24 h ago.
    #[serde(default)]
    pub previous_yes_ask_dollars: Price,
    /// Last price about 24 h ago.
    #[serde(default)]
    pub previous_price_dollars: Price,
    /// Deprecated, always `"0.0000"`.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub liquidity_dollars: Option<Money>,
    /// Settlement value per YES contract once determined (up to 6 dp in the schema).
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub settlement_value_dollars: Option<Money>,
    /// When the market was settled (RFC 3339), settled markets only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_ts: Option<String>,
    /// The value considered for settlement (free text, `""` before).
    #[serde(default)]
    pub expiration_value: String,
    /// When the underlying occurrence happens (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence_datetime: Option<String>,
    /// End of a fee waiver (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_waiver_expiration_time: Option<String>,
    /// Condition for an early close (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_close_condition: Option<String>,
    /// How the strike is expressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike_type: Option<StrikeType>,
    /// Lower strike (a plain number, not a price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_strike: Option<f64>,
    /// Upper strike (a plain number, not a price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_strike: Option<f64>,
    /// Functional strike description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_strike: Option<String>,
    /// Custom strike object, kept as raw JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_strike: Option<serde_json::Value>,
    /// Primary rules text.
    #[serde(default)]
    pub rules_primary: String,
    /// Secondary rules text.
    #[serde(default)]
    pub rules_secondary: String,
    /// Multivariate (combo) collection ticker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mve_collection_ticker: Option<String>,
    /// Legs of a combo market.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mve_selected_legs: Option<Vec<MveSelectedLeg>>,
    /// Primary participant key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_participant_key: Option<String>,
    /// Name of the tick grid (`linear_cent`, …).
    #[serde(default)]
    pub price_level_structure: PriceLevelStructure,
    /// The authoritative tick grid.
    #[serde(default, deserialize_with = "null_default")]
    pub price_ranges: Vec<PriceRange>,
    /// Provisional market flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_provisional: Option<bool>,
    /// Exchange shard (0 default; 1 combos, …).
    #[serde(default)]
    pub exchange_index: i32,
}

impl Market {
    /// True when `p` is a valid order price on this market's grid: strictly inside
    /// `(0, 1)` and on a tick of some `price_ranges` band (1¢ grid if none are listed).
    pub fn is_on_grid(&self, p: Price) -> bool {
        if p.check_tradable().is_err() {
            return false;
        }
        if self.price_ranges.is_empty() {
            return p.centicents() % 100 == 0;
        }
        self.price_ranges.iter().any(|r| r.contains_tick(p))
    }
}

/// One leg of a multivariate (combo) market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MveSelectedLeg {
    /// Event of the leg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_ticker: Option<String>,
    /// Market of the leg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
    /// Side of the leg (`yes`/`no`, free text in the schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// YES settlement value of the leg (dollar string, kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes_settlement_value_dollars: Option<String>,
}

/// `GET /markets` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketsResponse {
    /// One page of markets.
    #[serde(default, deserialize_with = "null_default")]
    pub markets: Vec<Market>,
    /// Next-page cursor; `""` (or absent) on the last page.
    #[serde(default)]
    pub cursor: String,
}

/// `GET /markets/{ticker}` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketResponse {
    /// The market.
    pub market: Market,
}

/// The market of `tests/fixtures/kalshi/rest/market.json` under another ticker: a complete,
/// real-shaped listing for tests to adjust.
#[cfg(test)]
pub fn fixture_market(ticker: &str) -> Market {
    let r: MarketResponse = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/kalshi/rest/market.json"
    )))
    .expect("the market fixture parses");
    Market { ticker: ticker.into(), ..r.market }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../tests/fixtures/kalshi/rest/market.json");

    fn cc(p: Price) -> u16 {
        p.centicents()
    }

    #[test]
    fn parses_spec_example_exactly() {
        let m = serde_json::from_str::<MarketResponse>(EXAMPLE).unwrap().market;
        assert_eq!(m.ticker, "KXDEMO-26NOV30-T50");
        assert_eq!(m.event_ticker, "KXDEMO-26NOV30");
        assert_eq!(m.market_type, MarketType::Binary);
        assert_eq!(m.status, MarketStatus::Active);
        assert_eq!(m.yes_sub_title, "Above 50");
        assert_eq!(m.close_time, "2026-11-30T21:00:00Z");
        assert_eq!(m.settlement_timer_seconds, 60);
        assert_eq!(cc(m.yes_bid_dollars), 4300);
        assert_eq!(m.yes_bid_size_fp.hundredths(), 4050);
        assert_eq!(cc(m.yes_ask_dollars), 4500);
        assert_eq!(m.yes_ask_size_fp.hundredths(), 7500);
        assert_eq!((cc(m.no_bid_dollars), cc(m.no_ask_dollars)), (5500, 5700));
        assert_eq!(cc(m.last_price_dollars), 4400);
        assert_eq!(m.volume_fp.hundredths(), 1_523_000);
        assert_eq!(m.volume_24h_fp.hundredths(), 81_200);
        assert_eq!(m.open_interest_fp.hundredths(), 810_200);
        assert_eq!(m.notional_value_dollars.micros(), 1_000_000);
        assert_eq!(m.liquidity_dollars, Some(Money::ZERO));
        assert_eq!(m.result, MarketResult::Undetermined);
        assert!(m.can_close_early);
        assert!(m.price_level_structure.is_linear_cent());
        assert_eq!(m.price_ranges.len(), 1);
        assert_eq!(cc(m.price_ranges[0].end), 10_000);
        assert_eq!(cc(m.price_ranges[0].step), 100);
        assert_eq!(m.exchange_index, 0);
        // Required-by-schema fields absent from the example take their defaults.
        assert_eq!(m.created_time, "");
        assert_eq!(m.previous_price_dollars, Price::ZERO);
        assert_eq!(m.settlement_ts, None);
    }

    #[test]
    fn round_trips_and_emits_schema_fields() {
        let m = serde_json::from_str::<MarketResponse>(EXAMPLE).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains(r#""notional_value_dollars":"1.0000""#), "{json}");
        assert!(json.contains(r#""liquidity_dollars":"0.0000""#), "{json}");
        assert!(json.contains(r#""previous_yes_bid_dollars":"0.0000""#), "{json}");
        assert!(json.contains(r#""rules_primary":"""#), "{json}");
        assert!(json.contains(r#""result":"""#), "{json}");
        assert!(!json.contains("floor_strike"), "{json}");
        assert_eq!(serde_json::from_str::<MarketResponse>(&json).unwrap(), m);
    }

    #[test]
    fn grid_check() {
        let m = serde_json::from_str::<MarketResponse>(EXAMPLE).unwrap().market;
        assert!(m.is_on_grid("0.43".parse().unwrap()));
        assert!(!m.is_on_grid("0.5150".parse().unwrap()));
        assert!(!m.is_on_grid(Price::ZERO));
        assert!(!m.is_on_grid(Price::ONE));
    }

    #[test]
    fn list_tolerates_null_and_missing_cursor() {
        let r: MarketsResponse = serde_json::from_str(r#"{"markets":null}"#).unwrap();
        assert!(r.markets.is_empty());
        assert_eq!(r.cursor, "");
        let one = serde_json::from_str::<MarketResponse>(EXAMPLE).unwrap().market;
        let page = MarketsResponse { markets: vec![one.clone(), one], cursor: "abc".into() };
        let back: MarketsResponse = serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(back, page);
    }

    #[test]
    fn malformed_markets_are_rejected() {
        let bool_price = EXAMPLE.replace(r#""yes_bid_dollars": "0.4300""#, r#""yes_bid_dollars": true"#);
        let e = serde_json::from_str::<MarketResponse>(&bool_price).unwrap_err();
        assert!(e.to_string().contains("dollar price"), "{e}");
        let five_dp = EXAMPLE.replace(r#""0.4300""#, r#""0.43001""#);
        let e = serde_json::from_str::<MarketResponse>(&five_dp).unwrap_err();
        assert!(e.to_string().contains("decimal places"), "{e}");
        let no_ticker = EXAMPLE.replace(r#""ticker": "KXDEMO-26NOV30-T50", "#, "");
        let e = serde_json::from_str::<MarketResponse>(&no_ticker).unwrap_err();
        assert!(e.to_string().contains("missing field `ticker`"), "{e}");
    }
}
