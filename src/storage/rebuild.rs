//! Rebuilding order books from stored records: a snapshot replaces a book, a delta adds to
//! it, exactly as the BookKeeper applied them live.
//!
//! Every stored record was accepted by the live book, so with the same grids every record
//! applies again; the anomalies the live book counted (a level driven negative, a negative
//! delta on an absent level) are counted again by the rebuilt book itself. A record the
//! rebuilt book refuses (a grid that differs from the live one) is skipped and counted.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::{Stream, TryStreamExt};

use crate::book::{BookError, NoPricing, OrderBook, TickGrid};

use super::record::{BookRecord, RawRecord};
use super::StoreError;

/// Books by market, plus the records the rebuilt books refused.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pub books: BTreeMap<String, OrderBook>,
    pub refused: u64,
}

impl Replay {
    /// Applies one record to its market's book, creating the book (on `grid_for(market)`) at
    /// the market's first record.
    pub fn apply(&mut self, record: &BookRecord, grid_for: &dyn Fn(&str) -> Arc<TickGrid>) {
        let book = match self.books.get_mut(record.market()) {
            Some(book) => book,
            None => {
                let market = record.market().to_owned();
                let grid = grid_for(&market);
                self.books.entry(market.clone()).or_insert_with(|| OrderBook::new(market, grid))
            }
        };
        if let Err(e) = apply_record(book, record) {
            self.refused += 1;
            tracing::debug!(market = record.market(), seq = record.seq(), error = %e, "stored record refused on rebuild");
        }
    }

    /// Applies every record of `rows` (in the order given, which must be record-id order).
    pub async fn run<S>(&mut self, rows: S, grid_for: &dyn Fn(&str) -> Arc<TickGrid>) -> Result<(), StoreError>
    where
        S: Stream<Item = Result<RawRecord, sqlx::Error>>,
    {
        let mut rows = std::pin::pin!(rows);
        while let Some(raw) = rows.try_next().await? {
            let (_, record) = raw.decode()?;
            self.apply(&record, grid_for);
        }
        if self.refused > 0 {
            tracing::warn!(
                refused = self.refused,
                "stored records refused on rebuild (grid differs from the live one?)"
            );
        }
        Ok(())
    }
}

/// Applies `record` to `book` with NO prices in NO terms, as they are stored.
pub fn apply_record(book: &mut OrderBook, record: &BookRecord) -> Result<(), BookError> {
    match record {
        BookRecord::Snapshot { yes, no, .. } => book.apply_snapshot(yes, no, NoPricing::NoLeg),
        BookRecord::Delta { side, price, delta, .. } => {
            book.apply_delta(*side, *price, *delta, NoPricing::NoLeg).map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::SyncState;
    use crate::domain::{Count, Outcome, Price};

    fn snap(market: &str, yes: &[(&str, &str)], no: &[(&str, &str)]) -> BookRecord {
        let levels = |l: &[(&str, &str)]| l.iter().map(|(p, c)| (p.parse().unwrap(), c.parse().unwrap())).collect();
        BookRecord::Snapshot {
            market: market.into(),
            sid: 1,
            seq: 1,
            recv_ms: 0,
            exchange_ts_ms: None,
            yes: levels(yes),
            no: levels(no),
        }
    }

    fn delta(market: &str, side: Outcome, price: &str, d: &str) -> BookRecord {
        BookRecord::Delta {
            market: market.into(),
            sid: 1,
            seq: 2,
            recv_ms: 0,
            exchange_ts_ms: None,
            side,
            price: price.parse().unwrap(),
            delta: d.parse().unwrap(),
        }
    }

    #[test]
    fn snapshot_replaces_deltas_add_anomalies_counted_refusals_skipped() {
        let grid = |_: &str| TickGrid::linear_cent();
        let mut replay = Replay::default();
        // A delta before any snapshot: the book is stale and refuses it.
        replay.apply(&delta("A", Outcome::Yes, "0.40", "5"), &grid);
        assert_eq!(replay.refused, 1);
        replay.apply(&snap("A", &[("0.40", "10")], &[("0.55", "3.5")]), &grid);
        replay.apply(&delta("A", Outcome::Yes, "0.40", "-2.25"), &grid);
        replay.apply(&delta("A", Outcome::No, "0.55", "-4"), &grid);
        replay.apply(&delta("B", Outcome::No, "0.10", "1"), &grid);
        let a = &replay.books["A"];
        assert_eq!(a.state(), SyncState::Synced);
        let best = a.best_bid(Outcome::Yes).unwrap();
        assert_eq!((best.price, best.size), (Price::from_cents(40).unwrap(), "7.75".parse::<Count>().unwrap()));
        assert_eq!(a.depth(Outcome::No), 0);
        assert_eq!(a.anomalies(), 1);
        assert_eq!(replay.books["B"].state(), SyncState::Stale);
        assert_eq!(replay.refused, 2);
        // Off the grid: refused, book unchanged.
        replay.apply(&delta("A", Outcome::Yes, "0.4050", "1"), &grid);
        assert_eq!(replay.refused, 3);
        // A new snapshot replaces everything.
        replay.apply(&snap("A", &[], &[("0.20", "1")]), &grid);
        assert_eq!(replay.books["A"].depth(Outcome::Yes), 0);
        assert_eq!(replay.books["A"].total(Outcome::No), Count::contracts(1));
    }
}
