//! `CatalogMarket::to_rest`: the full 2026 `Market` object (§5.3, §11.2) from the catalog's
//! metadata and the engine's live state.

use super::{CatalogMarket, DAY_MS, HOUR_MS};
use crate::domain::{Count, Money, Outcome, Price};
use crate::kalshi::rest::{Market, MarketResult, MarketStatus, MarketType};
use crate::sim::engine::{rfc3339_ms, Engine};

impl CatalogMarket {
    /// The full 2026 `Market` object: metadata from the catalog, status, top of book,
    /// activity and result from the engine. Empty book sides report zero prices and sizes.
    pub fn to_rest(&self, engine: &Engine, now_ms: i64) -> Market {
        let ticker = self.ticker();
        let status = engine.market_status(ticker).unwrap_or(self.spec.status);
        let (bid, bid_size) = engine.best_yes_bid(ticker).unwrap_or((Price::ZERO, Count::ZERO));
        let (ask, ask_size) = engine.best_yes_ask(ticker).unwrap_or((Price::ZERO, Count::ZERO));
        let complement = |p: Price| if p == Price::ZERO { Price::ZERO } else { p.complement() };
        let cutoff = rfc3339_ms(now_ms.saturating_sub(DAY_MS));
        let trades = engine.trades(Some(ticker));
        let recent = trades.iter().take_while(|t| t.created_time >= cutoff);
        let volume_24h = recent.fold(0, |s, t| s + t.count_fp.hundredths());
        let previous = trades.iter().find(|t| t.created_time < cutoff).map_or(Price::ZERO, |t| t.yes_price_dollars);
        let result = engine.market_result(ticker);
        let settled = status == MarketStatus::Finalized;
        let time = |ms: i64| rfc3339_ms(ms);
        Market {
            ticker: ticker.to_owned(),
            event_ticker: self.spec.event_ticker.clone(),
            market_type: MarketType::Binary,
            title: Some(self.title.clone()),
            subtitle: Some(self.yes_sub_title.clone()),
            yes_sub_title: self.yes_sub_title.clone(),
            no_sub_title: self.no_sub_title.clone(),
            created_time: time(self.open_ms),
            updated_time: time(self.open_ms),
            open_time: time(self.open_ms),
            close_time: time(self.close_ms),
            expected_expiration_time: Some(time(self.close_ms.saturating_add(HOUR_MS))),
            expiration_time: Some(time(self.close_ms.saturating_add(HOUR_MS))),
            latest_expiration_time: time(self.close_ms.saturating_add(7 * DAY_MS)),
            settlement_timer_seconds: 60,
            status,
            yes_bid_dollars: bid,
            yes_bid_size_fp: bid_size,
            yes_ask_dollars: ask,
            yes_ask_size_fp: ask_size,
            no_bid_dollars: complement(ask),
            no_ask_dollars: complement(bid),
            last_price_dollars: engine.last_trade(ticker).map_or(Price::ZERO, |t| t.yes_price),
            volume_fp: engine.volume(ticker),
            volume_24h_fp: Count::from_hundredths(volume_24h).unwrap_or(Count::ZERO),
            result: match result {
                Some(Outcome::Yes) => MarketResult::Yes,
                Some(Outcome::No) => MarketResult::No,
                None => MarketResult::Undetermined,
            },
            can_close_early: true,
            open_interest_fp: engine.open_interest(ticker),
            notional_value_dollars: Money::from_cents(100),
            previous_yes_bid_dollars: Price::ZERO,
            previous_yes_ask_dollars: Price::ZERO,
            previous_price_dollars: previous,
            liquidity_dollars: Some(Money::ZERO),
            settlement_value_dollars: result.map(|o| Money::from_cents(if o == Outcome::Yes { 100 } else { 0 })),
            settlement_ts: if settled { self.settled_ms.or(self.settle_at_ms).map(time) } else { None },
            expiration_value: String::new(),
            occurrence_datetime: None,
            fee_waiver_expiration_time: None,
            early_close_condition: None,
            strike_type: self.strike.0,
            floor_strike: self.strike.1,
            cap_strike: self.strike.2,
            functional_strike: None,
            custom_strike: None,
            rules_primary: self.rules_primary.clone(),
            rules_secondary: "Simulated market: settles on the simulator's schedule, not on real data.".into(),
            mve_collection_ticker: None,
            mve_selected_legs: None,
            primary_participant_key: None,
            price_level_structure: self.price_level_structure.clone(),
            price_ranges: self.spec.price_ranges.clone(),
            is_provisional: None,
            exchange_index: 0,
        }
    }
}
