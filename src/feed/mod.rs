//! The pure core of the MarketFeed actor: turns received WebSocket text into book events,
//! private events and the commands to send back, enforcing per-`sid` sequence continuity.
//!
//! A gap on the order-book subscription marks every book of it stale and asks for fresh
//! snapshots; a snapshot (in order or after a gap) replaces its market's book; deltas are
//! only passed on in order. Malformed and unexpected frames are counted by kind and never
//! reach a book. The actor owns the socket, time and reconnection; this core owns the rules.

pub mod capture;
pub mod discovery;
pub mod seq;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::book::NoPricing;
use crate::domain::{Count, Outcome, Price};
use crate::kalshi::ws::{self, ServerFrame};
use seq::{SeqTracker, SeqVerdict};

/// An order-book event for the BookKeeper, normalized to owned data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookEvent {
    /// Replace a market's book.
    Snapshot {
        /// Market.
        market: String,
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Receive time, Unix ms.
        recv_ms: i64,
        /// YES bids.
        yes: Vec<(Price, Count)>,
        /// NO bids, priced per `pricing`.
        no: Vec<(Price, Count)>,
        /// How the NO levels are priced.
        pricing: NoPricing,
    },
    /// Change one level.
    Delta {
        /// Market.
        market: String,
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Receive time, Unix ms.
        recv_ms: i64,
        /// Exchange time, when given.
        exchange_ts_ms: Option<i64>,
        /// Which bids.
        side: Outcome,
        /// Level price, priced per `pricing` for NO.
        price: Price,
        /// Signed size change.
        delta: Count,
        /// How a NO price is expressed.
        pricing: NoPricing,
        /// Our `client_order_id` when our own order caused it.
        client_order_id: Option<String>,
    },
}

/// What the feed core asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedOutput {
    /// Apply to the books.
    Book(BookEvent),
    /// These books can no longer be trusted (until their next snapshot).
    Stale {
        /// Markets.
        markets: Vec<String>,
    },
    /// Send this command frame.
    Send(String),
    /// One of our fills.
    Fill(Box<ws::Fill>),
    /// One of our orders changed.
    UserOrder(Box<ws::UserOrder>),
    /// One of our positions changed.
    Position(Box<ws::MarketPosition>),
    /// The `fill` channel is subscribed (on this connection).
    FillChannelOpened,
    /// The exchange ended a subscription (error 10 or 25): resubscribe from scratch.
    Resubscribe {
        /// The error code.
        code: u16,
    },
}

/// Counters an operator asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedCounters {
    /// Text frames received.
    pub frames: u64,
    /// Frames that did not parse, by kind (`envelope` or the frame's `type`).
    pub malformed: BTreeMap<String, u64>,
    /// Frames of types we do not use, by type.
    pub ignored: BTreeMap<String, u64>,
    /// Sequence gaps.
    pub gaps: u64,
    /// Old or duplicate sequence numbers dropped.
    pub duplicates: u64,
    /// Error frames from the exchange, by code.
    pub errors: BTreeMap<u16, u64>,
    /// Times a market went silent for the stall timeout while its subscription was live.
    pub stalled_markets: u64,
}

/// Distinct frame types counted by name before the rest go under [`OTHER_KINDS`]: the
/// names come from the network, and a peer inventing a new `type` per frame must not grow
/// the counters without bound.
pub const MAX_KINDS: usize = 32;

/// The key the frame types beyond [`MAX_KINDS`] are counted under.
pub const OTHER_KINDS: &str = "(other types)";

fn count_by_kind(counts: &mut BTreeMap<String, u64>, kind: String) {
    let key = if counts.len() < MAX_KINDS || counts.contains_key(&kind) { kind } else { OTHER_KINDS.to_owned() };
    *counts.entry(key).or_default() += 1;
}

/// The feed's rules and state for one connection.
#[derive(Debug, Clone)]
pub struct FeedCore {
    pricing: NoPricing,
    markets: BTreeSet<String>,
    private: bool,
    seq: SeqTracker,
    book_sid: Option<u64>,
    next_id: u64,
    counters: FeedCounters,
    /// Receive time of each market's latest book frame.
    last_seen: BTreeMap<String, i64>,
}

impl FeedCore {
    /// A core for `markets`, subscribing with `use_yes_price` per `pricing`, and to the
    /// private `fill`/`user_orders` channels when `private`.
    pub fn new(markets: impl IntoIterator<Item = String>, pricing: NoPricing, private: bool) -> FeedCore {
        FeedCore {
            pricing,
            markets: markets.into_iter().collect(),
            private,
            seq: SeqTracker::default(),
            book_sid: None,
            next_id: 1,
            counters: FeedCounters::default(),
            last_seen: BTreeMap::new(),
        }
    }

    /// Counters so far.
    pub fn counters(&self) -> &FeedCounters {
        &self.counters
    }

    /// The markets subscribed.
    pub fn markets(&self) -> impl Iterator<Item = &String> {
        self.markets.iter()
    }

    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A new connection: forget sids and sequence state; every book is stale until its
    /// snapshot; returns the subscribe commands to send.
    pub fn on_connected(&mut self) -> Vec<FeedOutput> {
        self.reset_connection();
        let mut out = vec![FeedOutput::Stale { markets: self.markets.iter().cloned().collect() }];
        let id = self.id();
        let book = json!({"id": id, "cmd": "subscribe", "params": {
            "channels": ["orderbook_delta"],
            "market_tickers": self.markets,
            "use_yes_price": self.pricing == NoPricing::YesLeg,
        }});
        out.push(FeedOutput::Send(book.to_string()));
        if self.private {
            let id = self.id();
            out.push(FeedOutput::Send(
                json!({"id": id, "cmd": "subscribe", "params": {"channels": ["fill", "user_orders"]}}).to_string(),
            ));
        }
        out
    }

    /// Forgets the connection's sids, sequence state and activity times.
    pub fn reset_connection(&mut self) {
        self.seq.reset();
        self.book_sid = None;
        self.last_seen.clear();
    }

    /// Adds a market to the subscription's set (offline readers learn markets as their
    /// snapshots appear).
    pub fn add_market(&mut self, market: &str) {
        if !self.markets.contains(market) {
            self.markets.insert(market.to_owned());
        }
    }

    /// The command asking for fresh snapshots of `markets`, once the book sid is known.
    pub fn request_snapshots(&mut self, markets: &[String]) -> Option<FeedOutput> {
        let sid = self.book_sid?;
        let id = self.id();
        let cmd = json!({"id": id, "cmd": "update_subscription",
            "params": {"sid": sid, "action": "get_snapshot", "market_tickers": markets}});
        Some(FeedOutput::Send(cmd.to_string()))
    }

    /// Markets of a live subscription with no book frame for `timeout_ms`: marked stale and
    /// asked for a snapshot (their timer restarts, so a silent market is asked once per
    /// timeout, not on every check).
    pub fn check_stalls(&mut self, now_ms: i64, timeout_ms: i64) -> Vec<FeedOutput> {
        if self.book_sid.is_none() {
            return Vec::new();
        }
        let stalled: Vec<String> = self
            .markets
            .iter()
            .filter(|m| now_ms - self.last_seen.get(*m).copied().unwrap_or(now_ms) > timeout_ms)
            .cloned()
            .collect();
        for m in &stalled {
            self.last_seen.insert(m.clone(), now_ms);
        }
        self.counters.stalled_markets += stalled.len() as u64;
        if stalled.is_empty() {
            return Vec::new();
        }
        let mut out = vec![FeedOutput::Stale { markets: stalled.clone() }];
        out.extend(self.request_snapshots(&stalled));
        out
    }

    fn gap(&mut self, sid: u64, except: Option<&str>, out: &mut Vec<FeedOutput>) {
        self.counters.gaps += 1;
        if Some(sid) != self.book_sid {
            return;
        }
        let markets: Vec<String> = self.markets.iter().filter(|m| Some(m.as_str()) != except).cloned().collect();
        if markets.is_empty() {
            return;
        }
        out.push(FeedOutput::Stale { markets: markets.clone() });
        out.extend(self.request_snapshots(&markets));
    }

    /// Handles one received text frame.
    pub fn on_text(&mut self, text: &str, recv_ms: i64) -> Vec<FeedOutput> {
        self.counters.frames += 1;
        let frame = match ServerFrame::parse(text) {
            Ok(f) => f,
            Err(e) => {
                let kind = match &e {
                    ws::FrameError::Envelope(_) => "envelope".to_owned(),
                    ws::FrameError::Payload { kind, .. } => kind.clone(),
                };
                count_by_kind(&mut self.counters.malformed, kind);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let verdict = frame.sequence().map(|(sid, seq)| (sid, self.seq.check(sid, seq)));
        if let Some((_, SeqVerdict::Stale)) = verdict {
            self.counters.duplicates += 1;
            return out;
        }
        let gap = matches!(verdict, Some((_, SeqVerdict::Gap { .. })));
        match frame {
            ServerFrame::Subscribed { channel, sid, .. } => {
                if channel == "orderbook_delta" {
                    self.book_sid = Some(sid);
                } else if channel == "fill" {
                    out.push(FeedOutput::FillChannelOpened);
                }
            }
            ServerFrame::OrderbookSnapshot { sid, seq, msg, .. } => {
                if gap {
                    self.gap(sid, Some(&msg.market_ticker), &mut out);
                }
                self.last_seen.insert(msg.market_ticker.to_string(), recv_ms);
                out.push(FeedOutput::Book(BookEvent::Snapshot {
                    market: msg.market_ticker.into_owned(),
                    sid,
                    seq,
                    recv_ms,
                    yes: msg.yes_dollars_fp,
                    no: msg.no_dollars_fp,
                    pricing: self.pricing,
                }));
            }
            ServerFrame::OrderbookDelta { sid, seq, msg } => {
                if gap {
                    self.gap(sid, None, &mut out);
                } else {
                    if let Some(seen) = self.last_seen.get_mut(msg.market_ticker.as_ref()) {
                        *seen = recv_ms;
                    }
                    out.push(FeedOutput::Book(BookEvent::Delta {
                        market: msg.market_ticker.into_owned(),
                        sid,
                        seq,
                        recv_ms,
                        exchange_ts_ms: msg.ts_ms,
                        side: msg.side,
                        price: msg.price_dollars,
                        delta: msg.delta_fp,
                        pricing: self.pricing,
                        client_order_id: msg.client_order_id.map(|c| c.into_owned()),
                    }));
                }
            }
            ServerFrame::Error { sid, msg, .. } => {
                *self.counters.errors.entry(msg.code).or_default() += 1;
                if gap {
                    self.gap(sid.unwrap_or_default(), None, &mut out);
                }
                if matches!(msg.code, 10 | 25) {
                    out.push(FeedOutput::Resubscribe { code: msg.code });
                }
            }
            ServerFrame::Fill { msg, .. } => out.push(FeedOutput::Fill(msg)),
            ServerFrame::UserOrder { msg, .. } => out.push(FeedOutput::UserOrder(msg)),
            ServerFrame::MarketPosition { msg, .. } => out.push(FeedOutput::Position(msg)),
            other => {
                if let Some((sid, SeqVerdict::Gap { .. })) = verdict {
                    self.gap(sid, None, &mut out);
                }
                if !matches!(other, ServerFrame::Ok { .. } | ServerFrame::Unsubscribed { .. }) {
                    count_by_kind(&mut self.counters.ignored, other.kind().to_owned());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
