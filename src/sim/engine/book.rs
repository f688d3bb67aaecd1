//! `OrderBook`: the per-order book of one market — Kalshi's single YES book with a
//! price-time queue of order sequence numbers at every level.
//!
//! Resting bids and asks are both keyed by their YES limit price. Each level keeps its
//! orders in arrival order and the aggregate resting size; the sizes of individual orders
//! live in the engine's order records, so every change goes through the engine, which
//! updates both.

use std::collections::{BTreeMap, VecDeque};

use crate::domain::{BookSide, Count, Outcome, Price};

/// One price level: the queue (front = first to fill) and its total resting size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Level {
    /// Order sequence numbers in time priority.
    pub queue: VecDeque<u64>,
    /// Sum of the remaining sizes of the queued orders.
    pub total: Count,
}

/// Resting orders of one market on both sides of the YES book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderBook {
    bids: BTreeMap<Price, Level>,
    asks: BTreeMap<Price, Level>,
}

fn add(a: Count, b: Count) -> Count {
    a.checked_add(b).unwrap_or(a)
}

impl OrderBook {
    fn side(&self, side: BookSide) -> &BTreeMap<Price, Level> {
        match side {
            BookSide::Bid => &self.bids,
            BookSide::Ask => &self.asks,
        }
    }

    fn side_mut(&mut self, side: BookSide) -> &mut BTreeMap<Price, Level> {
        match side {
            BookSide::Bid => &mut self.bids,
            BookSide::Ask => &mut self.asks,
        }
    }

    /// Appends an order at the back of its level's queue.
    pub fn push_back(&mut self, side: BookSide, price: Price, seq: u64, size: Count) {
        let level = self.side_mut(side).entry(price).or_default();
        level.queue.push_back(seq);
        level.total = add(level.total, size);
    }

    /// Removes an order (and `size`, its remaining count) from its level; false when it was
    /// not queued there.
    pub fn remove(&mut self, side: BookSide, price: Price, seq: u64, size: Count) -> bool {
        let book = self.side_mut(side);
        let Some(level) = book.get_mut(&price) else {
            return false;
        };
        let Some(pos) = level.queue.iter().position(|&s| s == seq) else {
            return false;
        };
        level.queue.remove(pos);
        level.total = add(level.total, -size);
        if level.queue.is_empty() {
            book.remove(&price);
        }
        true
    }

    /// Shrinks the aggregate of a level by `by` while the order keeps its queue place.
    pub fn shrink(&mut self, side: BookSide, price: Price, by: Count) {
        if let Some(level) = self.side_mut(side).get_mut(&price) {
            level.total = add(level.total, -by);
        }
    }

    /// Best resting price on `side`: the highest bid or the lowest ask.
    pub fn best(&self, side: BookSide) -> Option<Price> {
        match side {
            BookSide::Bid => self.bids.keys().next_back().copied(),
            BookSide::Ask => self.asks.keys().next().copied(),
        }
    }

    /// Best level an incoming order on `taker` side limited at `limit` can trade with, and
    /// the order at the front of its queue.
    pub fn best_crossing(&self, taker: BookSide, limit: Price) -> Option<(Price, u64)> {
        let (price, level) = match taker {
            BookSide::Bid => self.asks.iter().next().filter(|(p, _)| **p <= limit)?,
            BookSide::Ask => self.bids.iter().next_back().filter(|(p, _)| **p >= limit)?,
        };
        level.queue.front().map(|&seq| (*price, seq))
    }

    /// Every resting order an incoming `taker` order limited at `limit` could reach, in
    /// the order matching would meet them.
    pub fn crossing_orders(&self, taker: BookSide, limit: Price) -> Vec<u64> {
        let levels: Vec<&Level> = match taker {
            BookSide::Bid => self.asks.range(..=limit).map(|(_, l)| l).collect(),
            BookSide::Ask => self.bids.range(limit..).rev().map(|(_, l)| l).collect(),
        };
        levels.into_iter().flat_map(|l| l.queue.iter().copied()).collect()
    }

    /// All resting order sequence numbers, bids then asks, in priority order per level.
    pub fn all_orders(&self) -> Vec<u64> {
        self.bids.values().chain(self.asks.values()).flat_map(|l| l.queue.iter().copied()).collect()
    }

    /// The level at `price` on `side`.
    pub fn level(&self, side: BookSide, price: Price) -> Option<&Level> {
        self.side(side).get(&price)
    }

    /// Aggregated bids of one outcome in that outcome's own terms, ascending by price:
    /// YES bids are the bid side; NO bids are the asks at `1 − ask`.
    pub fn outcome_levels(&self, outcome: Outcome) -> Vec<(Price, Count)> {
        match outcome {
            Outcome::Yes => self.bids.iter().map(|(p, l)| (*p, l.total)).collect(),
            Outcome::No => self.asks.iter().rev().map(|(p, l)| (p.complement(), l.total)).collect(),
        }
    }

    /// Levels of one side keyed by YES price, ascending (invariant checks).
    #[cfg(test)]
    pub fn side_levels(&self, side: BookSide) -> Vec<(Price, &Level)> {
        self.side(side).iter().map(|(p, l)| (*p, l)).collect()
    }
}

/// Where a resting order shows in the published book: YES bids at `p`, asks at `a` as NO
/// bids at `1 − a`.
pub fn published_level(side: BookSide, yes_price: Price) -> (Outcome, Price) {
    match side {
        BookSide::Bid => (Outcome::Yes, yes_price),
        BookSide::Ask => (Outcome::No, yes_price.complement()),
    }
}
