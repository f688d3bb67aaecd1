//! Markets: the tick grid, lifecycle transitions and settlement (§6.6).

use super::account::SettlementRecord;
use super::book::OrderBook;
use super::events::{EngineEvent, MarketEvent, PositionUpdate, TradeEvent};
use super::fees::PPM;
use super::{Engine, EngineError};
use crate::book::{PriceBand, TickGrid};
use crate::domain::{Outcome, Price};
use crate::kalshi::rest::{LastUpdateReason, MarketStatus, PriceRange};

/// How to create a market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketSpec {
    /// Market ticker.
    pub ticker: String,
    /// Event ticker (reported on settlements).
    pub event_ticker: String,
    /// The price grid (`price_ranges`).
    pub price_ranges: Vec<PriceRange>,
    /// Series fee multiplier in parts per million (1 → 1 000 000; 0.5 for S&P series).
    pub fee_multiplier_ppm: u32,
    /// Initial status (normally `active`).
    pub status: MarketStatus,
}

impl MarketSpec {
    /// An active `linear_cent` market ($0.01 steps) with fee multiplier 1.
    pub fn linear_cent(ticker: &str) -> MarketSpec {
        MarketSpec {
            ticker: ticker.to_owned(),
            event_ticker: ticker.rsplit_once('-').map_or(ticker, |(e, _)| e).to_owned(),
            price_ranges: vec![PriceRange { start: Price::ZERO, end: Price::ONE, step: cents(1) }],
            fee_multiplier_ppm: PPM,
            status: MarketStatus::Active,
        }
    }
}

fn cents(c: u16) -> Price {
    Price::from_cents(c).unwrap_or(Price::ZERO)
}

/// One market's live state.
#[derive(Debug, Clone)]
pub(crate) struct MarketState {
    pub spec: MarketSpec,
    pub grid: TickGrid,
    pub status: MarketStatus,
    pub book: OrderBook,
    pub result: Option<Outcome>,
    pub trades: Vec<TradeEvent>,
    /// Sum of `trades` counts, kept as trades print so reading it is O(1).
    pub volume_hundredths: i64,
}

impl Engine {
    /// Adds a market; 409 when the ticker exists, 400 when the grid has no levels.
    pub fn add_market(&mut self, spec: MarketSpec) -> Result<(), EngineError> {
        if self.markets.contains_key(&spec.ticker) {
            return Err(EngineError::MarketExists(spec.ticker));
        }
        let bands: Vec<PriceBand> =
            spec.price_ranges.iter().map(|r| PriceBand { start: r.start, end: r.end, step: r.step }).collect();
        let grid = TickGrid::from_bands(&bands).map_err(|e| EngineError::BadRequest(e.to_string()))?;
        let state = MarketState {
            status: spec.status,
            grid,
            book: OrderBook::default(),
            result: None,
            trades: Vec::new(),
            volume_hundredths: 0,
            spec,
        };
        self.markets.insert(state.spec.ticker.clone(), state);
        Ok(())
    }

    /// Moves a market to `status`. Leaving `active`/`inactive` for a later state cancels
    /// every resting order (`CloseCancel`); pausing cancels orders flagged
    /// `cancel_order_on_pause` (`HaltCancel`); reactivating a paused market cancels every
    /// resting order (§6.3). Use [`Engine::settle_market`] to finalize.
    pub fn set_market_status(
        &mut self,
        ticker: &str,
        status: MarketStatus,
        now_ms: i64,
    ) -> Result<Vec<EngineEvent>, EngineError> {
        let market = self.markets.get(ticker).ok_or_else(|| EngineError::MarketNotFound(ticker.to_owned()))?;
        let from = market.status;
        if matches!(status, MarketStatus::Finalized | MarketStatus::Unknown) || from == MarketStatus::Finalized {
            return Err(EngineError::BadRequest(format!("cannot move {ticker} from {from:?} to {status:?}")));
        }
        let mut events = Vec::new();
        let open = |s: MarketStatus| matches!(s, MarketStatus::Active | MarketStatus::Inactive);
        let resting = market.book.all_orders();
        let cancel: Vec<(u64, LastUpdateReason)> = if open(from) && !open(status) {
            resting.into_iter().map(|s| (s, LastUpdateReason::CloseCancel)).collect()
        } else if from == MarketStatus::Active && status == MarketStatus::Inactive {
            resting
                .into_iter()
                .filter(|s| self.orders.get(s).is_some_and(|o| o.cancel_order_on_pause))
                .map(|s| (s, LastUpdateReason::HaltCancel))
                .collect()
        } else if from == MarketStatus::Inactive && status == MarketStatus::Active {
            resting.into_iter().map(|s| (s, LastUpdateReason::HaltCancel)).collect()
        } else {
            Vec::new()
        };
        for (seq, reason) in cancel {
            self.cancel_resting(seq, Some(reason), now_ms, &mut events);
        }
        if let Some(m) = self.markets.get_mut(ticker) {
            m.status = status;
        }
        events.push(EngineEvent::Market(MarketEvent::Status { ticker: ticker.to_owned(), status }));
        Ok(events)
    }

    /// Determines and settles a market: cancels resting orders, pays $1 per winning
    /// contract, records a settlement per holder and finalizes the market. 400 when the
    /// market is already finalized.
    pub fn settle_market(
        &mut self,
        ticker: &str,
        result: Outcome,
        now_ms: i64,
    ) -> Result<Vec<EngineEvent>, EngineError> {
        let market = self.markets.get(ticker).ok_or_else(|| EngineError::MarketNotFound(ticker.to_owned()))?;
        if market.status == MarketStatus::Finalized {
            return Err(EngineError::BadRequest(format!("{ticker} is already settled")));
        }
        let mut events = Vec::new();
        for seq in market.book.all_orders() {
            self.cancel_resting(seq, Some(LastUpdateReason::CloseCancel), now_ms, &mut events);
        }
        let yes_won = result == Outcome::Yes;
        for (user, account) in self.accounts.iter_mut() {
            let Some(pos) = account.positions.get_mut(ticker) else {
                continue;
            };
            if pos.position.hundredths() == 0 && pos.exposure.micros() == 0 {
                continue;
            }
            let (position, cost) = (pos.position, pos.exposure);
            let payout = pos.settle(yes_won, now_ms);
            account.cash = account.cash + payout;
            account.settlements.push(SettlementRecord {
                ticker: ticker.to_owned(),
                yes_won,
                position,
                cost,
                payout,
                ts_ms: now_ms,
            });
            let state = *pos;
            events.push(EngineEvent::Position(PositionUpdate {
                user_id: user.clone(),
                ticker: ticker.to_owned(),
                state,
            }));
        }
        if let Some(m) = self.markets.get_mut(ticker) {
            m.status = MarketStatus::Finalized;
            m.result = Some(result);
        }
        events.push(EngineEvent::Market(MarketEvent::Settled { ticker: ticker.to_owned(), result, ts_ms: now_ms }));
        Ok(events)
    }
}
