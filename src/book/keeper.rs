//! The pure core of the BookKeeper actor: the authoritative book of every market, fed by
//! the feed's in-order events, producing the normalized records the Persister stores.

use std::collections::HashMap;
use std::sync::Arc;

use super::{BookError, DeltaOutcome, NoPricing, OrderBook, SyncState, TickGrid};
use crate::domain::{Count, Outcome, Price};
use crate::feed::BookEvent;
use crate::storage::BookRecord;

/// What applying an event produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeeperOutput {
    /// The accepted update, NO levels in NO terms, for the Persister.
    Record(BookRecord),
    /// The book saw an anomaly: ask for a fresh snapshot (the book is not marked stale).
    RequestSnapshot(String),
}

/// Counts an operator asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeeperCounters {
    /// Snapshots applied.
    pub snapshots: u64,
    /// Deltas applied.
    pub deltas: u64,
    /// Deltas refused because the book awaits a snapshot.
    pub stale_drops: u64,
    /// Updates refused as invalid (off-grid price, bad snapshot).
    pub rejected: u64,
    /// Anomalies (level driven negative, removal of an absent level).
    pub anomalies: u64,
}

/// Every market's book.
#[derive(Debug, Default)]
pub struct BookKeeperCore {
    books: HashMap<String, OrderBook>,
    grids: HashMap<String, Arc<TickGrid>>,
    counters: KeeperCounters,
}

/// NO levels in NO terms, ascending.
fn no_leg(levels: Vec<(Price, Count)>, pricing: NoPricing) -> Vec<(Price, Count)> {
    match pricing {
        NoPricing::NoLeg => levels,
        NoPricing::YesLeg => {
            let mut v: Vec<_> = levels.into_iter().map(|(p, c)| (p.complement(), c)).collect();
            v.sort_by_key(|(p, _)| *p);
            v
        }
    }
}

impl BookKeeperCore {
    /// Uses `grid` (YES terms) for `market`'s book; a book already built keeps its levels
    /// only if they fit, so call this before the first snapshot.
    pub fn set_grid(&mut self, market: &str, grid: Arc<TickGrid>) {
        self.grids.insert(market.to_owned(), grid);
        self.books.remove(market);
    }

    /// The book of `market`, created (stale, awaiting its snapshot) on first use. Looks up
    /// before inserting so the hot path allocates nothing.
    fn book_mut(&mut self, market: &str) -> Result<&mut OrderBook, BookError> {
        if !self.books.contains_key(market) {
            let grid = self.grids.get(market).cloned().unwrap_or_else(TickGrid::centi_cent);
            self.books.insert(market.to_owned(), OrderBook::new(market, grid));
        }
        self.books.get_mut(market).ok_or_else(|| BookError::Stale { ticker: market.to_owned() })
    }

    /// Applies one event; `Err` when the book refused it (nothing to persist, no ack).
    pub fn on_event(&mut self, event: BookEvent) -> Result<Vec<KeeperOutput>, BookError> {
        match event {
            BookEvent::Snapshot { market, sid, seq, recv_ms, yes, no, pricing } => {
                let result = self.book_mut(&market).and_then(|b| b.apply_snapshot(&yes, &no, pricing));
                if let Err(e) = result {
                    self.counters.rejected += 1;
                    return Err(e);
                }
                self.counters.snapshots += 1;
                let no = no_leg(no, pricing);
                Ok(vec![KeeperOutput::Record(BookRecord::Snapshot {
                    market,
                    sid,
                    seq,
                    recv_ms,
                    exchange_ts_ms: None,
                    yes,
                    no,
                })])
            }
            BookEvent::Delta { market, sid, seq, recv_ms, exchange_ts_ms, side, price, delta, pricing, .. } => {
                let outcome = match self.book_mut(&market).and_then(|b| b.apply_delta(side, price, delta, pricing)) {
                    Ok(o) => o,
                    Err(e) => {
                        match e {
                            BookError::Stale { .. } => self.counters.stale_drops += 1,
                            _ => self.counters.rejected += 1,
                        }
                        return Err(e);
                    }
                };
                self.counters.deltas += 1;
                let price = match (side, pricing) {
                    (Outcome::No, NoPricing::YesLeg) => price.complement(),
                    _ => price,
                };
                let mut out = vec![KeeperOutput::Record(BookRecord::Delta {
                    market: market.clone(),
                    sid,
                    seq,
                    recv_ms,
                    exchange_ts_ms,
                    side,
                    price,
                    delta,
                })];
                if outcome != DeltaOutcome::Applied {
                    self.counters.anomalies += 1;
                    out.push(KeeperOutput::RequestSnapshot(market));
                }
                Ok(out)
            }
        }
    }

    /// Marks books stale: their deltas are refused until a snapshot.
    pub fn mark_stale(&mut self, markets: &[String]) {
        for m in markets {
            if let Ok(book) = self.book_mut(m) {
                book.mark_stale();
            }
        }
    }

    /// Every market with a book, sorted.
    pub fn markets(&self) -> Vec<String> {
        let mut m: Vec<String> = self.books.keys().cloned().collect();
        m.sort();
        m
    }

    /// The markets whose book awaits a snapshot, sorted.
    pub fn stale_markets(&self) -> Vec<String> {
        let mut m: Vec<String> =
            self.books.iter().filter(|(_, b)| b.state() == SyncState::Stale).map(|(t, _)| t.clone()).collect();
        m.sort();
        m
    }

    /// A market's book.
    pub fn book(&self, market: &str) -> Option<&OrderBook> {
        self.books.get(market)
    }

    /// Counters so far.
    pub fn counters(&self) -> &KeeperCounters {
        &self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(market: &str) -> BookEvent {
        let p = |s: &str| s.parse::<Price>().unwrap();
        let c = |s: &str| s.parse::<Count>().unwrap();
        BookEvent::Snapshot {
            market: market.into(),
            sid: 1,
            seq: 1,
            recv_ms: 1,
            yes: vec![(p("0.4000"), c("5.00"))],
            no: vec![(p("0.5000"), c("5.00"))],
            pricing: NoPricing::NoLeg,
        }
    }

    #[test]
    fn stale_markets_are_those_awaiting_a_snapshot() {
        let mut k = BookKeeperCore::default();
        k.on_event(snapshot("A")).unwrap();
        k.on_event(snapshot("B")).unwrap();
        assert!(k.stale_markets().is_empty());
        k.mark_stale(&["B".into(), "A".into()]);
        assert_eq!(k.stale_markets(), ["A", "B"]);
        k.on_event(snapshot("A")).unwrap();
        assert_eq!(k.stale_markets(), ["B"]);
    }
}
