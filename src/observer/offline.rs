//! Offline observation (`kalshi-actor observe`, and later replay): the same
//! [`ObserverCore`] the live Observer runs, fed from stored records or a capture file.
//!
//! A capture file holds the raw frames; they go through the live feed and book-keeper
//! cores ([`FeedCore`], [`BookKeeperCore`]) to become the same records the live pipeline
//! produced. A `subscribed` answer for `orderbook_delta` after the first one marks a new
//! connection (the feed starts over: new sids, every book stale until its snapshot), as
//! live. Live-only events that leave no trace in a capture (a market's stall timeout, a
//! record the Persister refused) can make a capture differ from the stored session; the
//! stored session is the reference.

use std::io::BufRead;

use chrono_tz::Tz;

use super::{Observation, ObserverCore, Portfolio};
use crate::book::keeper::{BookKeeperCore, KeeperOutput};
use crate::book::NoPricing;
use crate::features::portfolio::OrderMode;
use crate::feed::capture;
use crate::feed::{FeedCore, FeedOutput};
use crate::storage::BookRecord;

/// Index of `current_activity_score` in the observation.
const ACTIVITY: usize = 24;

/// The observations of one market, one per point of its view.
#[derive(Debug)]
pub struct OfflineObserver {
    core: ObserverCore,
    market: String,
    portfolio: Portfolio,
    order_mode: OrderMode,
    /// Observations held back while the stream has a single point: if it ends there, its
    /// activity score is 0 by the contract's "fewer than 2 points" rule.
    held: Vec<Observation>,
    emitted: u64,
}

impl OfflineObserver {
    /// Observes `market` with local time in `tz` and the what-if `portfolio`.
    pub fn new(market: &str, tz: Tz, portfolio: Portfolio) -> OfflineObserver {
        OfflineObserver {
            core: ObserverCore::new(tz),
            market: market.to_owned(),
            portfolio,
            order_mode: OrderMode::Zeros,
            held: Vec::new(),
            emitted: 0,
        }
    }

    /// Feeds one record; calls `out` for each observation it completes.
    pub fn push(&mut self, record: &BookRecord, out: &mut dyn FnMut(Observation)) {
        if let Some(point) = self.core.on_record(record) {
            if point.markets.contains_key(self.market.as_str()) {
                self.emit(out);
            }
        }
    }

    fn emit(&mut self, out: &mut dyn FnMut(Observation)) {
        let Some(o) = self.core.observe(&self.market, &self.portfolio, self.order_mode, &[]) else { return };
        if self.core.points() < 2 {
            self.held.push(o);
            return;
        }
        for h in self.held.drain(..) {
            self.emitted += 1;
            out(h);
        }
        self.emitted += 1;
        out(o);
    }

    /// Ends the input: completes the last point; returns the number of observations.
    pub fn finish(mut self, out: &mut dyn FnMut(Observation)) -> u64 {
        if let Some(point) = self.core.finish() {
            if point.markets.contains_key(self.market.as_str()) {
                self.emit(out);
            }
        }
        if self.core.points() < 2 {
            for mut h in self.held.drain(..) {
                h.obs[ACTIVITY] = 0.0;
                self.emitted += 1;
                out(h);
            }
        }
        self.emitted
    }

    /// The core (for its counters).
    pub fn core(&self) -> &ObserverCore {
        &self.core
    }
}

/// Why a capture file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Reading failed.
    #[error("cannot read the capture: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not a capture line.
    #[error("capture line {line}: {error}")]
    Line {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        error: String,
    },
}

/// Turns a capture file's frames back into the records the live pipeline produced.
#[derive(Debug)]
pub struct CaptureReplay {
    feed: FeedCore,
    keeper: BookKeeperCore,
    subscribed_once: bool,
}

impl Default for CaptureReplay {
    fn default() -> Self {
        CaptureReplay::new()
    }
}

impl CaptureReplay {
    /// A replay accepting every market it sees.
    pub fn new() -> CaptureReplay {
        CaptureReplay {
            feed: FeedCore::new(Vec::<String>::new(), NoPricing::NoLeg, false),
            keeper: BookKeeperCore::default(),
            subscribed_once: false,
        }
    }

    /// Handles one frame received at `recv_ms`; calls `out` for each record.
    pub fn frame(&mut self, frame: &str, recv_ms: i64, out: &mut dyn FnMut(BookRecord)) {
        if is_book_subscribed(frame) {
            if self.subscribed_once {
                // A new connection: as live, sequence state restarts and books go stale.
                let markets = self.keeper.markets();
                self.feed.reset_connection();
                self.keeper.mark_stale(&markets);
            }
            self.subscribed_once = true;
        }
        for o in self.feed.on_text(frame, recv_ms) {
            match o {
                FeedOutput::Book(event) => {
                    if let crate::feed::BookEvent::Snapshot { market, .. } = &event {
                        self.feed.add_market(market);
                    }
                    if let Ok(outputs) = self.keeper.on_event(event) {
                        for k in outputs {
                            if let KeeperOutput::Record(r) = k {
                                out(r);
                            }
                        }
                    }
                }
                FeedOutput::Stale { markets } => self.keeper.mark_stale(&markets),
                _ => {}
            }
        }
    }

    /// Reads a whole capture, calling `out` for each record in order.
    pub fn read(&mut self, input: impl BufRead, out: &mut dyn FnMut(BookRecord)) -> Result<u64, CaptureError> {
        let mut frames = 0;
        for (i, line) in input.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let c = capture::parse_line(&line)
                .map_err(|e| CaptureError::Line { line: i as u64 + 1, error: e.to_string() })?;
            self.frame(&c.frame, c.recv_ts_ms, out);
            frames += 1;
        }
        Ok(frames)
    }
}

/// Whether `frame` is the `subscribed` answer of an `orderbook_delta` subscription.
fn is_book_subscribed(frame: &str) -> bool {
    if !frame.contains("\"subscribed\"") {
        return false;
    }
    serde_json::from_str::<serde_json::Value>(frame).is_ok_and(|v| {
        v.get("type").and_then(|t| t.as_str()) == Some("subscribed")
            && v.pointer("/msg/channel").and_then(|c| c.as_str()) == Some("orderbook_delta")
    })
}
