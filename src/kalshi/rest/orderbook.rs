//! REST orderbook bodies (§5.4, §11.3): `GET /markets/{ticker}/orderbook` and the batch
//! `GET /markets/orderbooks`.
//!
//! Both sides list **bids** as `[price_dollars, count_fp]`, ascending, best last; the NO side
//! is priced in NO terms. An empty side may arrive as `[]`, `null` or a missing key, and an
//! empty book as `{}`; we always emit both sides as arrays, as the official schema requires.

use serde::{Deserialize, Serialize};

use super::serde_util::null_default;
use crate::domain::{Count, Outcome, Price};

/// One price level: `["0.4300", "40.50"]` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "(Price, Count)", into = "(Price, Count)")]
pub struct OrderbookLevel {
    /// Bid price in the side's own terms (YES price for `yes_dollars`, NO price for
    /// `no_dollars`).
    pub price: Price,
    /// Contracts resting at that price.
    pub count: Count,
}

impl From<(Price, Count)> for OrderbookLevel {
    fn from((price, count): (Price, Count)) -> OrderbookLevel {
        OrderbookLevel { price, count }
    }
}

impl From<OrderbookLevel> for (Price, Count) {
    fn from(l: OrderbookLevel) -> (Price, Count) {
        (l.price, l.count)
    }
}

/// The `orderbook_fp` object: bids of both outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderbookFp {
    /// YES bids, ascending by price, best last.
    #[serde(default, deserialize_with = "null_default")]
    pub yes_dollars: Vec<OrderbookLevel>,
    /// NO bids (NO-leg prices), ascending, best last.
    #[serde(default, deserialize_with = "null_default")]
    pub no_dollars: Vec<OrderbookLevel>,
}

impl OrderbookFp {
    /// Bids of one outcome.
    pub fn bids(&self, outcome: Outcome) -> &[OrderbookLevel] {
        match outcome {
            Outcome::Yes => &self.yes_dollars,
            Outcome::No => &self.no_dollars,
        }
    }

    /// Best (highest) bid of one outcome: the last level.
    pub fn best_bid(&self, outcome: Outcome) -> Option<OrderbookLevel> {
        self.bids(outcome).last().copied()
    }

    /// Best YES ask = `1 − best NO bid`, with the NO bid's size.
    pub fn best_yes_ask(&self) -> Option<OrderbookLevel> {
        self.best_bid(Outcome::No).map(|l| OrderbookLevel { price: l.price.complement(), count: l.count })
    }

    /// True when neither side has a level.
    pub fn is_empty(&self) -> bool {
        self.yes_dollars.is_empty() && self.no_dollars.is_empty()
    }
}

/// `GET /markets/{ticker}/orderbook` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderbookResponse {
    /// The book; an absent or `null` book is empty.
    #[serde(default, deserialize_with = "null_default")]
    pub orderbook_fp: OrderbookFp,
}

/// One entry of the batch orderbook response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketOrderbook {
    /// Market ticker.
    pub ticker: String,
    /// The book; an absent or `null` book is empty.
    #[serde(default, deserialize_with = "null_default")]
    pub orderbook_fp: OrderbookFp,
}

/// `GET /markets/orderbooks?tickers=…` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderbooksResponse {
    /// One book per requested ticker.
    #[serde(default, deserialize_with = "null_default")]
    pub orderbooks: Vec<MarketOrderbook>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../tests/fixtures/kalshi/rest/orderbook.json");

    fn lv(p: u16, c: i64) -> OrderbookLevel {
        OrderbookLevel {
            price: Price::from_centicents(i64::from(p)).unwrap(),
            count: Count::from_hundredths(c).unwrap(),
        }
    }

    #[test]
    fn parses_spec_example() {
        let r: OrderbookResponse = serde_json::from_str(EXAMPLE).unwrap();
        let b = &r.orderbook_fp;
        assert_eq!(b.yes_dollars, vec![lv(4100, 12_000), lv(4300, 4050)]);
        assert_eq!(b.no_dollars, vec![lv(5200, 7500), lv(5500, 1000)]);
        assert_eq!(b.best_bid(Outcome::Yes), Some(lv(4300, 4050)));
        assert_eq!(b.best_yes_ask(), Some(lv(4500, 1000)));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.starts_with(r#"{"orderbook_fp":{"yes_dollars":[["0.4100","120.00"]"#), "{json}");
        assert_eq!(serde_json::from_str::<OrderbookResponse>(&json).unwrap(), r);
    }

    #[test]
    fn empty_sides_in_every_form() {
        for body in [
            r#"{"orderbook_fp":{"yes_dollars":[],"no_dollars":[["0.5500","10.00"]]}}"#,
            r#"{"orderbook_fp":{"yes_dollars":null,"no_dollars":[["0.5500","10.00"]]}}"#,
            r#"{"orderbook_fp":{"no_dollars":[["0.5500","10.00"]]}}"#,
        ] {
            let r: OrderbookResponse = serde_json::from_str(body).unwrap();
            assert!(r.orderbook_fp.yes_dollars.is_empty(), "{body}");
            assert_eq!(r.orderbook_fp.no_dollars, vec![lv(5500, 1000)], "{body}");
        }
        for body in [r#"{"orderbook_fp":{}}"#, "{}", r#"{"orderbook_fp":null}"#] {
            let r: OrderbookResponse = serde_json::from_str(body).unwrap();
            assert!(r.orderbook_fp.is_empty(), "{body}");
            assert_eq!(r.orderbook_fp.best_yes_ask(), None);
        }
        let json = serde_json::to_string(&OrderbookResponse::default()).unwrap();
        assert_eq!(json, r#"{"orderbook_fp":{"yes_dollars":[],"no_dollars":[]}}"#);
    }

    #[test]
    fn batch_response() {
        let body = r#"{"orderbooks":[{"ticker":"A","orderbook_fp":{"yes_dollars":[["0.0100","1"]]}},
                      {"ticker":"B","orderbook_fp":{}}]}"#;
        let r: OrderbooksResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.orderbooks.len(), 2);
        assert_eq!(r.orderbooks[0].ticker, "A");
        assert_eq!(r.orderbooks[0].orderbook_fp.yes_dollars, vec![lv(100, 100)]);
        assert!(r.orderbooks[1].orderbook_fp.is_empty());
        let back: OrderbooksResponse = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn malformed_levels_are_rejected() {
        let bad = [
            (r#"{"orderbook_fp":{"yes_dollars":[[true,"1.00"]]}}"#, "dollar price"),
            (r#"{"orderbook_fp":{"yes_dollars":[["0.41005","1.00"]]}}"#, "decimal places"),
            (r#"{"orderbook_fp":{"yes_dollars":[["0.4100"]]}}"#, "invalid length 1"),
        ];
        for (body, want) in bad {
            let e = serde_json::from_str::<OrderbookResponse>(body).unwrap_err().to_string();
            assert!(e.contains(want), "{body}: {e}");
        }
        let e = serde_json::from_str::<OrderbooksResponse>(r#"{"orderbooks":[{"orderbook_fp":{}}]}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `ticker`"), "{e}");
    }
}
