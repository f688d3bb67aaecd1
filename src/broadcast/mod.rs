//! The Broadcaster's pure core: dashboard frames and each session's backlog policy.
//!
//! A frame is `{"type": ..., "data": ...}`, serialized once and shared by every session.
//! Each session has a bounded backlog: state frames (a market's order book, `stats`,
//! `feed_status`) are coalesced per key (only the latest state waits to be sent, a slow
//! browser skips intermediate ones), every other frame (actions, orders, fills, risk
//! events) is kept in order; when those exceed the bound the
//! session is too slow to keep up and is dropped, so a stalled browser never grows memory or
//! slows the engine.

pub mod stats;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

/// A serialized frame.
pub type Frame = Arc<str>;

/// Builds the frame `{"type": kind, "data": data}`.
pub fn frame(kind: &str, data: &impl Serialize) -> Frame {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        #[serde(rename = "type")]
        kind: &'a str,
        data: &'a T,
    }
    serde_json::to_string(&Envelope { kind, data }).unwrap_or_default().into()
}

/// What happened to an offered frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Waiting to be sent.
    Queued,
    /// Replaced a book frame of the same market that had not been sent yet.
    Coalesced,
    /// The backlog is full: the session cannot keep up and must be dropped.
    Overflow,
}

/// One session's frames waiting to be sent.
#[derive(Debug, Clone)]
pub struct Backlog {
    cap: usize,
    events: VecDeque<Frame>,
    books: BTreeMap<String, Frame>,
    /// Book frames replaced before they were sent.
    pub coalesced: u64,
}

impl Backlog {
    /// A backlog of at most `cap` non-book frames.
    pub fn new(cap: usize) -> Backlog {
        Backlog { cap: cap.max(1), events: VecDeque::new(), books: BTreeMap::new(), coalesced: 0 }
    }

    /// Offers an event frame (kept in order).
    pub fn offer_event(&mut self, f: Frame) -> Offer {
        if self.events.len() >= self.cap {
            return Offer::Overflow;
        }
        self.events.push_back(f);
        Offer::Queued
    }

    /// Offers `market`'s latest book frame (replaces one still waiting).
    pub fn offer_book(&mut self, market: &str, f: Frame) -> Offer {
        match self.books.get_mut(market) {
            Some(old) => {
                *old = f;
                self.coalesced += 1;
                Offer::Coalesced
            }
            None => {
                self.books.insert(market.to_owned(), f);
                Offer::Queued
            }
        }
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.events.len() + self.books.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes up to `max` frames to send: waiting books first (the newest state of each
    /// market), then events in order.
    pub fn take(&mut self, max: usize) -> Vec<Frame> {
        let mut out = Vec::with_capacity(max.min(self.len()));
        while out.len() < max {
            let Some((_, f)) = self.books.pop_first() else { break };
            out.push(f);
        }
        while out.len() < max {
            let Some(f) = self.events.pop_front() else { break };
            out.push(f);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_a_type_and_data() {
        let f = frame("actor_action", &serde_json::json!({"market": "M", "action": 1}));
        assert_eq!(&*f, r#"{"type":"actor_action","data":{"action":1,"market":"M"}}"#);
    }

    #[test]
    fn books_coalesce_per_market_and_events_keep_their_order() {
        let mut b = Backlog::new(3);
        assert_eq!(b.offer_book("A", "a1".into()), Offer::Queued);
        assert_eq!(b.offer_event("e1".into()), Offer::Queued);
        assert_eq!(b.offer_book("A", "a2".into()), Offer::Coalesced);
        assert_eq!(b.offer_book("B", "b1".into()), Offer::Queued);
        assert_eq!(b.offer_event("e2".into()), Offer::Queued);
        assert_eq!((b.len(), b.coalesced), (4, 1));
        let sent: Vec<String> = b.take(10).iter().map(|f| f.to_string()).collect();
        assert_eq!(sent, ["a2", "b1", "e1", "e2"]);
        assert!(b.is_empty());
    }

    #[test]
    fn a_session_that_cannot_keep_up_overflows() {
        let mut b = Backlog::new(2);
        assert_eq!(b.offer_event("1".into()), Offer::Queued);
        assert_eq!(b.offer_event("2".into()), Offer::Queued);
        assert_eq!(b.offer_event("3".into()), Offer::Overflow);
        // Books never overflow: they only replace each other.
        for i in 0..100 {
            assert_ne!(b.offer_book("A", format!("{i}").into()), Offer::Overflow);
        }
        assert_eq!(b.take(1).len(), 1);
        assert_eq!(b.take(10).iter().map(|f| f.to_string()).collect::<Vec<_>>(), ["1", "2"]);
    }
}
