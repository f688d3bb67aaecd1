//! Which markets to subscribe in `discovery` mode.
//!
//! The seed ranked by `volume`/`liquidity` fields Kalshi has removed. We rank open markets by
//! 24-hour volume (`volume_24h_fp`), then open interest (`open_interest_fp`), then ticker, so
//! the choice is deterministic for the same listing.

use crate::kalshi::rest::{Market, MarketStatus};

/// The `limit` most active open markets, most active first.
pub fn rank(markets: &[Market], limit: usize) -> Vec<String> {
    let mut open: Vec<&Market> = markets.iter().filter(|m| m.status == MarketStatus::Active).collect();
    open.sort_by(|a, b| {
        b.volume_24h_fp
            .cmp(&a.volume_24h_fp)
            .then(b.open_interest_fp.cmp(&a.open_interest_fp))
            .then(a.ticker.cmp(&b.ticker))
    });
    open.into_iter().take(limit).map(|m| m.ticker.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Count;

    fn market(ticker: &str, status: MarketStatus, vol: i64, oi: i64) -> Market {
        let mut m = crate::kalshi::rest::markets::fixture_market(ticker);
        m.status = status;
        m.volume_24h_fp = Count::contracts(vol);
        m.open_interest_fp = Count::contracts(oi);
        m
    }

    #[test]
    fn ranks_open_markets_by_volume_then_open_interest() {
        let list = vec![
            market("A", MarketStatus::Active, 10, 1),
            market("B", MarketStatus::Active, 50, 1),
            market("C", MarketStatus::Closed, 999, 9),
            market("D", MarketStatus::Active, 10, 5),
            market("E", MarketStatus::Active, 10, 5),
        ];
        assert_eq!(rank(&list, 10), vec!["B", "D", "E", "A"]);
        assert_eq!(rank(&list, 2), vec!["B", "D"]);
    }
}
