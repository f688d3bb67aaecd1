//! The order book of one market: YES bids and NO bids on fixed tick ladders.
//!
//! Kalshi publishes only bids: resting YES bids, and resting NO bids (≡ YES asks). We store
//! both in their own terms (NO prices in NO terms) and derive the asks: YES ask = $1 − best
//! NO bid, NO ask = $1 − best YES bid. Snapshots replace the book; deltas are additive; a
//! level at zero is removed. Anomalies (a level driven negative, a negative delta on an
//! absent level) are counted and reported, never a panic.

mod grid;
pub mod keeper;
mod ladder;

use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::domain::{Count, Outcome, Price};
pub use grid::{PriceBand, TickGrid};
use ladder::{Ladder, LevelChange};

/// Why the book refused an update. The book is unchanged whenever one is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BookError {
    /// The price is not a level of this market's grid (recoverable: count and go on).
    #[error("price {price} is not on the {outcome:?} grid of {ticker}")]
    OffGrid {
        /// Market.
        ticker: String,
        /// Side in the book's terms.
        outcome: Outcome,
        /// The rejected price, in the side's own terms.
        price: Price,
    },
    /// A snapshot listed a negative size (recoverable: the snapshot is refused).
    #[error("snapshot of {ticker} has negative size {size} at {price}")]
    NegativeSize {
        /// Market.
        ticker: String,
        /// Level.
        price: Price,
        /// The rejected size.
        size: Count,
    },
    /// A snapshot listed one price twice on a side (recoverable: the snapshot is refused).
    #[error("snapshot of {ticker} lists {price} twice on {outcome:?}")]
    DuplicateLevel {
        /// Market.
        ticker: String,
        /// Side.
        outcome: Outcome,
        /// Repeated level.
        price: Price,
    },
    /// A delta arrived while the book awaits a snapshot (recoverable: dropped).
    #[error("{ticker} is stale; delta ignored until the next snapshot")]
    Stale {
        /// Market.
        ticker: String,
    },
    /// A price level structure that defines no levels (recoverable: keep the old grid).
    #[error("bad price grid: {0}")]
    BadGrid(String),
}

impl BookError {
    /// Every book error is recoverable: the update is refused and the book stays as it was.
    pub fn is_recoverable(&self) -> bool {
        true
    }
}

/// How NO-side prices arrive (`use_yes_price` on the subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPricing {
    /// NO levels in NO-leg prices (Kalshi's long-standing default, and REST).
    #[default]
    NoLeg,
    /// NO levels in YES-leg prices (`use_yes_price: true`).
    YesLeg,
}

/// Whether the book can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Built from a snapshot and every delta since.
    Synced,
    /// No snapshot yet, or a gap was seen: deltas are refused until the next snapshot.
    Stale,
}

/// What an accepted delta did; anomalies are already counted by the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaOutcome {
    /// Applied normally.
    Applied,
    /// The level would have gone below zero; it was removed.
    WentNegative,
    /// A negative delta on a price with no level; the book is unchanged.
    RemovedAbsent,
}

impl DeltaOutcome {
    /// True for the two anomalies.
    pub fn is_anomaly(self) -> bool {
        self != DeltaOutcome::Applied
    }
}

/// One price level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Level {
    /// Price in the side's own terms.
    pub price: Price,
    /// Aggregate resting size.
    pub size: Count,
}

/// A serializable copy of a book, best levels first on each side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookSnapshot {
    /// Market.
    pub ticker: String,
    /// Synced or stale.
    pub state: SyncState,
    /// Resting YES bids, best (highest) first.
    pub yes_bids: Vec<Level>,
    /// Resting NO bids in NO terms, best first.
    pub no_bids: Vec<Level>,
}

/// The book of one market.
#[derive(Debug, Clone)]
pub struct OrderBook {
    ticker: String,
    yes_grid: Arc<TickGrid>,
    no_grid: Arc<TickGrid>,
    yes: Ladder,
    no: Ladder,
    state: SyncState,
    anomalies: u64,
}

impl OrderBook {
    /// An empty, stale book on `grid` (YES terms; the NO grid is its mirror).
    pub fn new(ticker: impl Into<String>, grid: Arc<TickGrid>) -> OrderBook {
        let mirrored = grid.mirrored();
        let no_grid = if mirrored == *grid { grid.clone() } else { Arc::new(mirrored) };
        OrderBook {
            ticker: ticker.into(),
            yes: Ladder::new(grid.len()),
            no: Ladder::new(no_grid.len()),
            yes_grid: grid,
            no_grid,
            state: SyncState::Stale,
            anomalies: 0,
        }
    }

    /// Market ticker.
    pub fn ticker(&self) -> &str {
        &self.ticker
    }

    /// Sync state.
    pub fn state(&self) -> SyncState {
        self.state
    }

    /// Marks the book stale (after a sequence gap): deltas are refused until a snapshot.
    pub fn mark_stale(&mut self) {
        self.state = SyncState::Stale;
    }

    /// Anomalies seen since the book was created.
    pub fn anomalies(&self) -> u64 {
        self.anomalies
    }

    fn side(&self, o: Outcome) -> (&TickGrid, &Ladder) {
        match o {
            Outcome::Yes => (&self.yes_grid, &self.yes),
            Outcome::No => (&self.no_grid, &self.no),
        }
    }

    fn own_terms(side: Outcome, price: Price, pricing: NoPricing) -> Price {
        match (side, pricing) {
            (Outcome::No, NoPricing::YesLeg) => price.complement(),
            _ => price,
        }
    }

    fn tick_of(&self, side: Outcome, price: Price) -> Result<u16, BookError> {
        self.side(side).0.tick(price).ok_or_else(|| BookError::OffGrid {
            ticker: self.ticker.clone(),
            outcome: side,
            price,
        })
    }

    /// Replaces the book with `yes` and `no` levels (zero sizes are skipped) and marks it
    /// synced. Every level is checked first, so a bad snapshot leaves the book untouched.
    pub fn apply_snapshot(
        &mut self,
        yes: &[(Price, Count)],
        no: &[(Price, Count)],
        pricing: NoPricing,
    ) -> Result<(), BookError> {
        let mut staged: [Vec<(u16, i64)>; 2] = [Vec::with_capacity(yes.len()), Vec::with_capacity(no.len())];
        for (k, (side, levels)) in [(Outcome::Yes, yes), (Outcome::No, no)].into_iter().enumerate() {
            for &(raw, size) in levels {
                let price = Self::own_terms(side, raw, pricing);
                if size.hundredths() < 0 {
                    return Err(BookError::NegativeSize { ticker: self.ticker.clone(), price, size });
                }
                let tick = self.tick_of(side, price)?;
                if staged[k].iter().any(|&(t, _)| t == tick) {
                    return Err(BookError::DuplicateLevel { ticker: self.ticker.clone(), outcome: side, price });
                }
                staged[k].push((tick, size.hundredths()));
            }
        }
        self.yes.clear();
        self.no.clear();
        for (tick, size) in &staged[0] {
            self.yes.set(*tick, *size);
        }
        for (tick, size) in &staged[1] {
            self.no.set(*tick, *size);
        }
        self.state = SyncState::Synced;
        Ok(())
    }

    /// Adds `delta` to the level at `price` on `side`.
    #[inline]
    pub fn apply_delta(
        &mut self,
        side: Outcome,
        price: Price,
        delta: Count,
        pricing: NoPricing,
    ) -> Result<DeltaOutcome, BookError> {
        if self.state == SyncState::Stale {
            return Err(BookError::Stale { ticker: self.ticker.clone() });
        }
        let price = Self::own_terms(side, price, pricing);
        let tick = self.tick_of(side, price)?;
        let ladder = match side {
            Outcome::Yes => &mut self.yes,
            Outcome::No => &mut self.no,
        };
        let outcome = match ladder.add(tick, delta.hundredths()) {
            LevelChange::Sized(_) | LevelChange::Removed => DeltaOutcome::Applied,
            LevelChange::WentNegative => DeltaOutcome::WentNegative,
            LevelChange::RemovedAbsent if delta.hundredths() == 0 => DeltaOutcome::Applied,
            LevelChange::RemovedAbsent => DeltaOutcome::RemovedAbsent,
        };
        if outcome.is_anomaly() {
            self.anomalies += 1;
        }
        Ok(outcome)
    }

    /// Best bid of an outcome (in its own terms) with its size.
    #[inline]
    pub fn best_bid(&self, o: Outcome) -> Option<Level> {
        let (grid, ladder) = self.side(o);
        ladder.best().map(|(t, s)| Level { price: grid.price(t), size: Count::from_raw(s) })
    }

    /// Best ask of an outcome: $1 − the other outcome's best bid, same size.
    #[inline]
    pub fn best_ask(&self, o: Outcome) -> Option<Level> {
        let other = match o {
            Outcome::Yes => Outcome::No,
            Outcome::No => Outcome::Yes,
        };
        self.best_bid(other).map(|l| Level { price: l.price.complement(), size: l.size })
    }

    /// Twice the mid price in centi-cents (bid + ask), exact; `None` unless both exist.
    pub fn mid_x2(&self, o: Outcome) -> Option<u32> {
        let (b, a) = (self.best_bid(o)?, self.best_ask(o)?);
        Some(u32::from(b.price.centicents()) + u32::from(a.price.centicents()))
    }

    /// Ask − bid in centi-cents (negative when crossed); `None` unless both exist.
    pub fn spread(&self, o: Outcome) -> Option<i32> {
        let (b, a) = (self.best_bid(o)?, self.best_ask(o)?);
        Some(i32::from(a.price.centicents()) - i32::from(b.price.centicents()))
    }

    /// Number of bid levels of an outcome.
    pub fn depth(&self, o: Outcome) -> u32 {
        self.side(o).1.levels()
    }

    /// Total resting bid size of an outcome.
    pub fn total(&self, o: Outcome) -> Count {
        Count::from_raw(self.side(o).1.total())
    }

    /// The bids of an outcome, best first, at most `n`.
    pub fn top_bids(&self, o: Outcome, n: usize) -> Vec<Level> {
        self.bids(o).take(n).collect()
    }

    /// Iterates the bids of an outcome, best first.
    pub fn bids(&self, o: Outcome) -> impl Iterator<Item = Level> + '_ {
        let (grid, ladder) = self.side(o);
        ladder.iter_desc().map(move |(t, s)| Level { price: grid.price(t), size: Count::from_raw(s) })
    }

    /// A serializable copy.
    pub fn snapshot(&self) -> BookSnapshot {
        BookSnapshot {
            ticker: self.ticker.clone(),
            state: self.state,
            yes_bids: self.bids(Outcome::Yes).collect(),
            no_bids: self.bids(Outcome::No).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
