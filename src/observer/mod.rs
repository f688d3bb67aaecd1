//! The Observer's pure core, shared by the live Observer actor and the offline `observe`
//! command: one function from the stream of accepted order-book records to observations.
//!
//! [`ObserverCore`] keeps its own replica of every market's book, rebuilt from the records
//! the Persister accepted (exactly what is stored, so the database alone reproduces it),
//! feeds each updated state into the [`PointStream`], and builds the 52-float observation
//! of a market at its latest view point.
//!
//! **When a point is complete.** Points group updates by exact receive millisecond, so a
//! point is known only once its millisecond is over: when a record with a later `recv_ms`
//! arrives, or when the live pipeline says no more records of that millisecond can come
//! ([`ObserverCore::close_through`], fed by the BookKeeper's boundary markers), or at the end
//! of an offline input. Observations are built only on complete points, which is what makes
//! live and offline identical.

pub mod hot;
pub mod log;
pub mod offline;
pub mod throttle;

use std::cell::Cell;
use std::sync::Arc;

use chrono_tz::Tz;

use crate::book::{OrderBook, TickGrid};
use crate::domain::FastMap as HashMap;
use crate::features::market::MarketBook;
use crate::features::portfolio::{offline_pv, OrderMode, Position, RestingOrder};
use crate::features::temporal::{LocalTime, Point, PointStream};
use crate::features::{build, ObservationInput, OBS_LEN};
use crate::storage::{apply_record, BookRecord};

/// The portfolio an observation sees, in cents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Portfolio {
    /// Cash, cents.
    pub cash_cents: f64,
    /// Positions, sorted by market.
    pub positions: Vec<Position>,
    /// Portfolio value when known (the executor's valuation); `None` computes it from the
    /// latest YES mids ([`offline_pv`]).
    pub value_cents: Option<f64>,
}

/// One observation of one market at one of its view points.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Market.
    pub market: String,
    /// Receive ms of the point.
    pub ts_ms: i64,
    /// Sequence number of the market's last record in the point.
    pub seq: u64,
    /// The 52 floats.
    pub obs: [f32; OBS_LEN],
}

/// Why a market was not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The market has no complete view point yet.
    NoState,
    /// The stream has fewer than two points (its temporal fields are not defined yet).
    WarmingUp,
    /// The YES book lacks a bid or an ask.
    OneSided,
}

/// Resolves an IANA time zone name.
pub fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| format!("unknown time zone {name:?} (use an IANA name like America/New_York)"))
}

/// Local hour and weekday of `ts_ms` in `tz`, remembering the last UTC second asked: every
/// time-zone transition falls on a whole UTC second, so one second has one local time.
#[derive(Debug)]
struct ClockCache {
    tz: Tz,
    last: Cell<Option<(i64, LocalTime)>>,
}

impl ClockCache {
    fn local(&self, ts_ms: i64) -> LocalTime {
        let second = ts_ms.div_euclid(1000);
        match self.last.get() {
            Some((s, t)) if s == second => t,
            _ => {
                let t = local_time(ts_ms, self.tz);
                self.last.set(Some((second, t)));
                t
            }
        }
    }
}

/// Local hour and weekday of `ts_ms` in `tz`.
pub fn local_time(ts_ms: i64, tz: Tz) -> LocalTime {
    use chrono::{Datelike, Timelike};
    let utc = chrono::DateTime::from_timestamp_millis(ts_ms).unwrap_or_default();
    let local = utc.with_timezone(&tz);
    LocalTime { hour: local.hour(), weekday_from_monday: local.weekday().num_days_from_monday() }
}

/// Books, point stream and per-market last point.
#[derive(Debug)]
pub struct ObserverCore {
    clock: ClockCache,
    books: HashMap<String, OrderBook>,
    grids: HashMap<String, Arc<TickGrid>>,
    stream: PointStream,
    /// The last complete point containing each market.
    last_point: HashMap<Arc<str>, Arc<Point>>,
    /// Seq of each market's latest record, and of its latest record in a complete point.
    open_seq: HashMap<String, u64>,
    point_seq: HashMap<Arc<str>, u64>,
    refused: u64,
}

impl ObserverCore {
    /// An empty core computing local time in `tz`.
    pub fn new(tz: Tz) -> ObserverCore {
        ObserverCore {
            clock: ClockCache { tz, last: Cell::new(None) },
            books: HashMap::default(),
            grids: HashMap::default(),
            stream: PointStream::new(),
            last_point: HashMap::default(),
            open_seq: HashMap::default(),
            point_seq: HashMap::default(),
            refused: 0,
        }
    }

    /// Uses `grid` for `market`'s replica (default: the full $0.0001 grid).
    pub fn set_grid(&mut self, market: &str, grid: Arc<TickGrid>) {
        self.grids.insert(market.to_owned(), grid);
    }

    /// Applies an accepted record. Returns the point this record completed (one with an
    /// earlier receive ms), if any.
    pub fn on_record(&mut self, record: &BookRecord) -> Option<Arc<Point>> {
        let market = record.market();
        let book = match self.books.get_mut(market) {
            Some(b) => b,
            None => {
                let grid = self.grids.get(market).cloned().unwrap_or_else(TickGrid::centi_cent);
                self.books.entry(market.to_owned()).or_insert_with(|| OrderBook::new(market, grid))
            }
        };
        if apply_record(book, record).is_err() {
            // Only a grid different from the live one can refuse a stored record.
            self.refused += 1;
        }
        let state = MarketBook::from_book(book);
        let closed = self.stream.push(record.recv_ms(), market, state);
        let closed = closed.map(|p| self.completed(p));
        if let Some(seq) = self.open_seq.get_mut(market) {
            *seq = record.seq();
        } else {
            self.open_seq.insert(market.to_owned(), record.seq());
        }
        closed
    }

    /// Completes the open point if its receive ms is ≤ `through_ms` (no record of it can
    /// still come).
    pub fn close_through(&mut self, through_ms: i64) -> Option<Arc<Point>> {
        if self.stream.open_ts().is_some_and(|ts| ts <= through_ms) {
            self.finish()
        } else {
            None
        }
    }

    /// Completes the open point (end of an offline input).
    pub fn finish(&mut self) -> Option<Arc<Point>> {
        let p = self.stream.close()?;
        Some(self.completed(p))
    }

    fn completed(&mut self, point: Point) -> Arc<Point> {
        let point = Arc::new(point);
        for m in point.markets.keys() {
            let seq = self.open_seq.get(&**m).copied().unwrap_or(0);
            match self.point_seq.get_mut(&**m) {
                Some(s) => *s = seq,
                None => {
                    self.point_seq.insert(m.clone(), seq);
                }
            }
            match self.last_point.get_mut(&**m) {
                Some(p) => *p = point.clone(),
                None => {
                    self.last_point.insert(m.clone(), point.clone());
                }
            }
        }
        point
    }

    /// Complete points so far.
    pub fn points(&self) -> u64 {
        self.stream.points()
    }

    /// Records the replica refused (a grid unlike the live one).
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// The replica book of `market`, with every record applied so far.
    pub fn book(&self, market: &str) -> Option<&OrderBook> {
        self.books.get(market)
    }

    /// The market's state at its last complete point.
    pub fn state(&self, market: &str) -> Option<&MarketBook> {
        self.last_point.get(market).and_then(|p| p.markets.get(market)).map(|b| &**b)
    }

    /// The latest YES mid of `market` in cents as of the last complete point.
    pub fn latest_yes_mid_cents(&self, market: &str) -> Option<f64> {
        self.stream.latest_yes_mid_cents(market)
    }

    /// Whether `market` may be evaluated now, and why not.
    pub fn check(&self, market: &str) -> Result<(), Skip> {
        let state = self.state(market).ok_or(Skip::NoState)?;
        if self.stream.points() < 2 {
            return Err(Skip::WarmingUp);
        }
        match state.yes_bid_ask() {
            (Some(_), Some(_)) => Ok(()),
            _ => Err(Skip::OneSided),
        }
    }

    /// The observation of `market` at its last complete view point, whatever its book
    /// looks like (the offline tools emit one per view point); `None` before its first.
    pub fn observe(
        &self,
        market: &str,
        portfolio: &Portfolio,
        order_mode: OrderMode,
        orders: &[RestingOrder],
    ) -> Option<Observation> {
        let point = self.last_point.get(market)?;
        let (history, current) = self.stream.view(market)?;
        let pv = portfolio.value_cents.unwrap_or_else(|| {
            offline_pv(portfolio.cash_cents, &portfolio.positions, |m| self.latest_yes_mid_cents(m))
        });
        let input = ObservationInput {
            book: point.markets.get(market).map(|b| &**b),
            history,
            current,
            time: self.clock.local(current.ts_ms),
            pv,
            cash: portfolio.cash_cents,
            positions: &portfolio.positions,
            order_mode,
            orders,
        };
        let obs = build(&input, |m| point.price(m));
        let seq = self.point_seq.get(market).copied().unwrap_or(0);
        Some(Observation { market: market.to_owned(), ts_ms: current.ts_ms, seq, obs })
    }
}

#[cfg(test)]
mod tests;
