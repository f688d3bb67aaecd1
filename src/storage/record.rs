//! `BookRecord`: the normalized market-data record the BookKeeper forwards to the Persister
//! after applying it, and how one is turned into (and back from) database columns.
//!
//! Prices and sizes travel as Kalshi's exact decimal strings (`"0.4300"`, `"40.50"`): the
//! level lists of a snapshot are JSON text `[["0.4300","40.50"],…]`, a delta's price and
//! size are two text columns. Nothing passes through a float.

use serde::{Deserialize, Serialize};

use crate::domain::{Count, Outcome, Price};

use super::StoreError;

/// One order-book event of one market, as applied to the live book.
///
/// NO prices are in NO terms (the book's own terms), whatever `use_yes_price` the feed
/// subscribed with, so a record replays with [`crate::book::NoPricing::NoLeg`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BookRecord {
    /// `orderbook_snapshot`: replaces the whole book.
    Snapshot {
        /// Market ticker.
        market: String,
        /// Subscription id the snapshot arrived on.
        sid: u64,
        /// Sequence number within the subscription.
        seq: u64,
        /// Local receive time, ms since the Unix epoch.
        recv_ms: i64,
        /// Exchange time, ms, when the frame carried one.
        exchange_ts_ms: Option<i64>,
        /// Resting YES bids.
        yes: Vec<(Price, Count)>,
        /// Resting NO bids, in NO terms.
        no: Vec<(Price, Count)>,
    },
    /// `orderbook_delta`: a signed change of one level.
    Delta {
        /// Market ticker.
        market: String,
        /// Subscription id the delta arrived on.
        sid: u64,
        /// Sequence number within the subscription.
        seq: u64,
        /// Local receive time, ms since the Unix epoch.
        recv_ms: i64,
        /// Exchange time, ms, when the frame carried one.
        exchange_ts_ms: Option<i64>,
        /// Which bids changed.
        side: Outcome,
        /// Level price in the side's own terms.
        price: Price,
        /// Signed size change, stored as received (even when it drives a level negative).
        delta: Count,
    },
}

impl BookRecord {
    /// Market ticker.
    pub fn market(&self) -> &str {
        match self {
            BookRecord::Snapshot { market, .. } | BookRecord::Delta { market, .. } => market,
        }
    }

    /// Subscription id.
    pub fn sid(&self) -> u64 {
        match self {
            BookRecord::Snapshot { sid, .. } | BookRecord::Delta { sid, .. } => *sid,
        }
    }

    /// Sequence number within the subscription.
    pub fn seq(&self) -> u64 {
        match self {
            BookRecord::Snapshot { seq, .. } | BookRecord::Delta { seq, .. } => *seq,
        }
    }

    /// Local receive time, ms.
    pub fn recv_ms(&self) -> i64 {
        match self {
            BookRecord::Snapshot { recv_ms, .. } | BookRecord::Delta { recv_ms, .. } => *recv_ms,
        }
    }

    /// Exchange time, ms, when known.
    pub fn exchange_ts_ms(&self) -> Option<i64> {
        match self {
            BookRecord::Snapshot { exchange_ts_ms, .. } | BookRecord::Delta { exchange_ts_ms, .. } => *exchange_ts_ms,
        }
    }

    /// True for a snapshot.
    pub fn is_snapshot(&self) -> bool {
        matches!(self, BookRecord::Snapshot { .. })
    }
}

/// The columns shared by both record tables, in the integer types the databases store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub sid: i64,
    pub seq: i64,
    pub recv_ms: i64,
    pub exchange_ts_ms: Option<i64>,
}

impl Header {
    /// The header of `record`; `sid`/`seq` above `i64::MAX` cannot be stored.
    pub(crate) fn of(record: &BookRecord) -> Result<Header, StoreError> {
        let int = |name: &'static str, v: u64| {
            i64::try_from(v).map_err(|_| StoreError::OutOfRange(format!("{name} {v} of {}", record.market())))
        };
        Ok(Header {
            sid: int("sid", record.sid())?,
            seq: int("seq", record.seq())?,
            recv_ms: record.recv_ms(),
            exchange_ts_ms: record.exchange_ts_ms(),
        })
    }
}

/// A snapshot side as JSON text: `[["0.4300","40.50"],…]`.
pub(crate) fn levels_json(levels: &[(Price, Count)]) -> Result<String, StoreError> {
    serde_json::to_string(levels).map_err(|e| StoreError::OutOfRange(format!("cannot encode levels: {e}")))
}

/// `yes` / `no`, as stored in `rl_orderbook_deltas.side`.
pub(crate) fn side_text(side: Outcome) -> &'static str {
    match side {
        Outcome::Yes => "yes",
        Outcome::No => "no",
    }
}

/// One row of the union of both record tables, as read back (see `queries`). For a
/// snapshot `a`/`b` are the YES/NO level lists and `side` is NULL; for a delta they are
/// the price and the size change.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RawRecord {
    pub id: i64,
    pub market_ticker: String,
    pub sid: i64,
    pub seq: i64,
    pub recv_ts_ms: i64,
    pub exchange_ts_ms: Option<i64>,
    pub side: Option<String>,
    pub a: String,
    pub b: String,
}

impl RawRecord {
    /// Decodes the row; a malformed column is a [`StoreError::Decode`].
    pub(crate) fn decode(self) -> Result<(i64, BookRecord), StoreError> {
        let id = self.id;
        let table = if self.side.is_some() { "rl_orderbook_deltas" } else { "rl_orderbook_snapshots" };
        let bad = |reason: String| StoreError::Decode { table, id, reason };
        let unsigned = |name: &str, v: i64| u64::try_from(v).map_err(|_| bad(format!("negative {name} {v}")));
        let (sid, seq) = (unsigned("sid", self.sid)?, unsigned("seq", self.seq)?);
        let (market, recv_ms, exchange_ts_ms) = (self.market_ticker, self.recv_ts_ms, self.exchange_ts_ms);
        let record = match self.side.as_deref() {
            None => {
                let levels = |text: &str, name: &str| {
                    serde_json::from_str::<Vec<(Price, Count)>>(text).map_err(|e| bad(format!("{name}: {e}")))
                };
                let yes = levels(&self.a, "yes_levels")?;
                let no = levels(&self.b, "no_levels")?;
                BookRecord::Snapshot { market, sid, seq, recv_ms, exchange_ts_ms, yes, no }
            }
            Some(text) => {
                let side = match text {
                    "yes" => Outcome::Yes,
                    "no" => Outcome::No,
                    other => return Err(bad(format!("side {other:?}"))),
                };
                let price = self.a.parse::<Price>().map_err(|e| bad(format!("price_dollars {:?}: {e}", self.a)))?;
                let delta = self.b.parse::<Count>().map_err(|e| bad(format!("delta_fp {:?}: {e}", self.b)))?;
                BookRecord::Delta { market, sid, seq, recv_ms, exchange_ts_ms, side, price, delta }
            }
        };
        Ok((id, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }

    fn c(s: &str) -> Count {
        s.parse().unwrap()
    }

    #[test]
    fn accessors_and_json() {
        let snap = BookRecord::Snapshot {
            market: "M".into(),
            sid: 3,
            seq: 9,
            recv_ms: 1_000,
            exchange_ts_ms: Some(990),
            yes: vec![(p("0.4300"), c("40.50"))],
            no: vec![],
        };
        assert_eq!((snap.market(), snap.sid(), snap.seq(), snap.recv_ms()), ("M", 3, 9, 1_000));
        assert_eq!(snap.exchange_ts_ms(), Some(990));
        assert!(snap.is_snapshot());
        let json = serde_json::to_string(&snap).unwrap();
        assert!(json.contains(r#""yes":[["0.4300","40.50"]]"#), "{json}");
        assert_eq!(serde_json::from_str::<BookRecord>(&json).unwrap(), snap);
        assert_eq!(
            levels_json(&[(p("0.0001"), c("0.01")), (p("1"), c("-3"))]).unwrap(),
            r#"[["0.0001","0.01"],["1.0000","-3.00"]]"#
        );
    }

    #[test]
    fn header_refuses_huge_sequence_numbers() {
        let d = BookRecord::Delta {
            market: "M".into(),
            sid: 1,
            seq: u64::MAX,
            recv_ms: 0,
            exchange_ts_ms: None,
            side: Outcome::No,
            price: p("0.5"),
            delta: c("1"),
        };
        assert!(matches!(Header::of(&d), Err(StoreError::OutOfRange(_))));
    }

    #[test]
    fn raw_rows_decode_or_explain() {
        let raw = |side: Option<&str>, a: &str, b: &str| RawRecord {
            id: 7,
            market_ticker: "M".into(),
            sid: 1,
            seq: 2,
            recv_ts_ms: 3,
            exchange_ts_ms: None,
            side: side.map(str::to_owned),
            a: a.into(),
            b: b.into(),
        };
        let (id, rec) = raw(Some("no"), "0.4350", "-2.25").decode().unwrap();
        assert_eq!(id, 7);
        assert_eq!(
            rec,
            BookRecord::Delta {
                market: "M".into(),
                sid: 1,
                seq: 2,
                recv_ms: 3,
                exchange_ts_ms: None,
                side: Outcome::No,
                price: p("0.4350"),
                delta: c("-2.25"),
            }
        );
        let (_, snap) = raw(None, r#"[["0.43","1.5"]]"#, "[]").decode().unwrap();
        assert!(matches!(snap, BookRecord::Snapshot { ref yes, .. } if yes == &vec![(p("0.43"), c("1.50"))]));
        for (side, a, b) in
            [(Some("maybe"), "0.4", "1"), (Some("yes"), "1.2", "1"), (Some("yes"), "0.4", "x"), (None, "[", "[]")]
        {
            assert!(matches!(raw(side, a, b).decode(), Err(StoreError::Decode { id: 7, .. })), "{side:?} {a} {b}");
        }
    }
}
