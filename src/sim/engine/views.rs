//! Read side: books, balances, positions, orders, fills, trades and settlements, as the REST
//! types of [`crate::kalshi::rest`] where they fit. Lists are newest first, as Kalshi
//! returns them.

use super::account::{cnt, PositionState};
use super::events::TradeEvent;
use super::order::{rfc3339_ms, SimOrder};
use super::{Engine, EngineError};
use crate::domain::{BookSide, Count, Money, Outcome, Price};
use crate::kalshi::rest::{
    BalanceResponse, Fill, IndexedBalance, MarketPosition, MarketResult, MarketStatus, Order, OrderStatus, OrderbookFp,
    OrderbookLevel, Settlement, Trade,
};

/// Which orders [`Engine::orders`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only this market.
    pub ticker: Option<String>,
    /// Only this status.
    pub status: Option<OrderStatus>,
}

impl Engine {
    /// Tickers of every market, sorted.
    pub fn tickers(&self) -> Vec<String> {
        self.markets.keys().cloned().collect()
    }

    /// A market's status.
    pub fn market_status(&self, ticker: &str) -> Option<MarketStatus> {
        self.markets.get(ticker).map(|m| m.status)
    }

    /// A settled market's winning outcome.
    pub fn market_result(&self, ticker: &str) -> Option<Outcome> {
        self.markets.get(ticker).and_then(|m| m.result)
    }

    /// Aggregated bids of one outcome in its own terms (NO bids at `1 − ask`), ascending by
    /// price (best last); empty for an unknown market.
    pub fn levels(&self, ticker: &str, outcome: Outcome) -> Vec<(Price, Count)> {
        self.markets.get(ticker).map(|m| m.book.outcome_levels(outcome)).unwrap_or_default()
    }

    /// The REST `orderbook_fp` (NO side in NO terms), keeping the best `depth` levels per
    /// side (`None` = all).
    pub fn orderbook(&self, ticker: &str, depth: Option<usize>) -> Result<OrderbookFp, EngineError> {
        if !self.markets.contains_key(ticker) {
            return Err(EngineError::MarketNotFound(ticker.to_owned()));
        }
        let side = |o: Outcome| -> Vec<OrderbookLevel> {
            let all = self.levels(ticker, o);
            let skip = depth.map_or(0, |d| all.len().saturating_sub(d));
            all.into_iter().skip(skip).map(OrderbookLevel::from).collect()
        };
        Ok(OrderbookFp { yes_dollars: side(Outcome::Yes), no_dollars: side(Outcome::No) })
    }

    /// Best YES bid and its size.
    pub fn best_yes_bid(&self, ticker: &str) -> Option<(Price, Count)> {
        self.levels(ticker, Outcome::Yes).last().copied()
    }

    /// Best YES ask (`1 − best NO bid`) and its size.
    pub fn best_yes_ask(&self, ticker: &str) -> Option<(Price, Count)> {
        let m = self.markets.get(ticker)?;
        let p = m.book.best(BookSide::Ask)?;
        Some((p, m.book.level(BookSide::Ask, p)?.total))
    }

    /// The last execution in a market.
    pub fn last_trade(&self, ticker: &str) -> Option<&TradeEvent> {
        self.markets.get(ticker)?.trades.last()
    }

    /// Contracts traded in a market.
    pub fn volume(&self, ticker: &str) -> Count {
        let h = self.markets.get(ticker).map_or(0, |m| m.volume_hundredths);
        cnt(h)
    }

    /// Open YES contracts (= open NO contracts) in a market.
    pub fn open_interest(&self, ticker: &str) -> Count {
        cnt(self.accounts.values().map(|a| a.position(ticker).position.hundredths().max(0)).sum())
    }

    /// Public trades (`GET /markets/trades`), of one market or all, newest first.
    pub fn trades(&self, ticker: Option<&str>) -> Vec<Trade> {
        let mut all: Vec<&TradeEvent> = self
            .markets
            .values()
            .filter(|m| ticker.is_none_or(|t| m.spec.ticker == t))
            .flat_map(|m| m.trades.iter())
            .collect();
        all.sort_by(|a, b| (b.ts_ms, &b.trade_id).cmp(&(a.ts_ms, &a.trade_id)));
        all.into_iter()
            .map(|t| Trade {
                trade_id: t.trade_id.clone(),
                ticker: t.ticker.clone(),
                count_fp: t.count,
                yes_price_dollars: t.yes_price,
                no_price_dollars: t.yes_price.complement(),
                taker_outcome_side: Some(t.taker_outcome()),
                taker_book_side: Some(t.taker_book_side),
                taker_side: None,
                created_time: rfc3339_ms(t.ts_ms),
                is_block_trade: false,
            })
            .collect()
    }

    /// Cash `user` may commit to new orders (total minus reservations).
    pub fn balance(&self, user: &str) -> Money {
        self.available_of(user)
    }

    /// `user`'s total cash, including what resting orders reserve.
    pub fn cash(&self, user: &str) -> Money {
        self.accounts.get(user).map_or(self.config.starting_cash, |a| a.cash)
    }

    /// Cash reserved by `user`'s resting orders.
    pub fn reserved(&self, user: &str) -> Money {
        self.accounts.get(user).map_or(Money::ZERO, |a| a.reserved)
    }

    /// Cash `user` started with.
    pub fn starting_cash(&self, user: &str) -> Money {
        self.accounts.get(user).map_or(self.config.starting_cash, |a| a.starting_cash)
    }

    /// Users with an account, sorted.
    pub fn users(&self) -> Vec<String> {
        self.accounts.keys().cloned().collect()
    }

    /// Every fee charged so far.
    pub fn fees_collected(&self) -> Money {
        self.fees_collected
    }

    /// `GET /portfolio/balance`: available cash; `portfolio_value` is the cost basis of
    /// open positions in cents (Kalshi's mark rule is undocumented).
    pub fn balance_response(&self, user: &str, now_ms: i64) -> BalanceResponse {
        let available = self.balance(user);
        let value: Money = self
            .accounts
            .get(user)
            .map(|a| a.positions.values().fold(Money::ZERO, |s, p| s + p.exposure))
            .unwrap_or_default();
        BalanceResponse {
            balance: available.cents_truncated(),
            balance_dollars: available,
            portfolio_value: value.cents_truncated(),
            updated_ts: now_ms.div_euclid(1000),
            balance_breakdown: vec![IndexedBalance { exchange_index: 0, balance: available }],
        }
    }

    /// `user`'s state in one market (flat when never traded).
    pub fn position(&self, user: &str, ticker: &str) -> PositionState {
        self.position_of(user, ticker)
    }

    /// `GET /portfolio/positions`: every market not yet settled where `user` traded.
    pub fn positions(&self, user: &str) -> Vec<MarketPosition> {
        let Some(a) = self.accounts.get(user) else {
            return Vec::new();
        };
        a.positions
            .iter()
            .filter(|(t, _)| self.markets.get(*t).is_some_and(|m| m.status != MarketStatus::Finalized))
            .map(|(t, p)| MarketPosition {
                ticker: t.clone(),
                exchange_index: 0,
                position_fp: p.position,
                market_exposure_dollars: p.exposure,
                realized_pnl_dollars: p.realized_pnl,
                fees_paid_dollars: p.fees_paid,
                total_traded_dollars: p.total_traded,
                last_updated_ts: rfc3339_ms(p.last_updated_ms),
            })
            .collect()
    }

    /// One of `user`'s orders by id.
    pub fn order(&self, user: &str, order_id: &str) -> Option<&SimOrder> {
        let o = self.orders.get(self.order_index.get(order_id)?)?;
        (o.user_id == user).then_some(o)
    }

    /// `GET /portfolio/orders`: `user`'s orders matching `filter`, newest first.
    pub fn orders(&self, user: &str, filter: &OrderFilter) -> Vec<Order> {
        self.orders
            .values()
            .rev()
            .filter(|o| o.user_id == user)
            .filter(|o| filter.ticker.as_ref().is_none_or(|t| *t == o.ticker))
            .filter(|o| filter.status.is_none_or(|s| s == o.status))
            .map(SimOrder::to_rest)
            .collect()
    }

    /// `GET /portfolio/fills`: `user`'s fills, optionally of one market or order, newest
    /// first.
    pub fn fills(&self, user: &str, ticker: Option<&str>, order_id: Option<&str>) -> Vec<Fill> {
        let Some(a) = self.accounts.get(user) else {
            return Vec::new();
        };
        a.fills
            .iter()
            .rev()
            .filter(|f| ticker.is_none_or(|t| f.ticker == t) && order_id.is_none_or(|o| f.order_id == o))
            .map(|f| f.to_rest())
            .collect()
    }

    /// `GET /portfolio/settlements`: `user`'s settled positions, newest first.
    pub fn settlements(&self, user: &str) -> Vec<Settlement> {
        let Some(a) = self.accounts.get(user) else {
            return Vec::new();
        };
        a.settlements
            .iter()
            .rev()
            .map(|s| {
                let p = s.position.hundredths();
                let event_ticker = self.markets.get(&s.ticker).map(|m| m.spec.event_ticker.clone());
                Settlement {
                    ticker: s.ticker.clone(),
                    event_ticker: event_ticker.unwrap_or_default(),
                    exchange_index: 0,
                    market_result: if s.yes_won { MarketResult::Yes } else { MarketResult::No },
                    yes_count_fp: cnt(p.max(0)),
                    yes_total_cost_dollars: if p > 0 { s.cost } else { Money::ZERO },
                    no_count_fp: cnt((-p).max(0)),
                    no_total_cost_dollars: if p < 0 { s.cost } else { Money::ZERO },
                    revenue: s.payout.cents_truncated(),
                    value: Some(if s.yes_won { 100 } else { 0 }),
                    fee_cost: Money::ZERO,
                    settled_time: rfc3339_ms(s.ts_ms),
                }
            })
            .collect()
    }

    /// Contracts ahead of `user`'s resting order at its price (0 at the front).
    pub fn queue_position(&self, user: &str, order_id: &str) -> Result<Count, EngineError> {
        let not_found = || EngineError::OrderNotFound(order_id.to_owned());
        let o = self.order(user, order_id).filter(|o| o.is_resting()).ok_or_else(not_found)?;
        let level = self.markets.get(&o.ticker).and_then(|m| m.book.level(o.side, o.price)).ok_or_else(not_found)?;
        let ahead: i64 = level
            .queue
            .iter()
            .take_while(|s| **s != o.seq)
            .filter_map(|s| self.orders.get(s))
            .map(|q| q.remaining_count.hundredths())
            .sum();
        Ok(cnt(ahead))
    }
}
