//! Sequence tracking per subscription id (kalshi-api.md §4.5): one counter per `sid`,
//! shared by every market of the subscription and consumed by `ok`/`unsubscribed`/scoped
//! `error` frames too.

use std::collections::HashMap;

/// What to do with a sequenced frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqVerdict {
    /// The expected number (or the first of a sid): apply.
    InOrder,
    /// Numbers were skipped: every book of the sid is untrustworthy. The frame itself is
    /// the new baseline (a snapshot still applies; a delta does not).
    Gap {
        /// The number that was expected.
        expected: u64,
        /// The number that arrived.
        got: u64,
    },
    /// Already seen or older: drop.
    Stale,
}

/// Expected next `seq` per `sid`.
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    expected: HashMap<u64, u64>,
}

impl SeqTracker {
    /// Judges `seq` on `sid` and advances the counter.
    #[inline]
    pub fn check(&mut self, sid: u64, seq: u64) -> SeqVerdict {
        match self.expected.get_mut(&sid) {
            None => {
                self.expected.insert(sid, seq + 1);
                SeqVerdict::InOrder
            }
            Some(exp) if seq == *exp => {
                *exp += 1;
                SeqVerdict::InOrder
            }
            Some(exp) if seq > *exp => {
                let expected = *exp;
                *exp = seq + 1;
                SeqVerdict::Gap { expected, got: seq }
            }
            Some(_) => SeqVerdict::Stale,
        }
    }

    /// Forgets a subscription (unsubscribed, or a new connection).
    pub fn forget(&mut self, sid: u64) {
        self.expected.remove(&sid);
    }

    /// Forgets everything (reconnect: new sids start from scratch).
    pub fn reset(&mut self) {
        self.expected.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_gap_and_duplicates() {
        let mut t = SeqTracker::default();
        assert_eq!(t.check(1, 1), SeqVerdict::InOrder);
        assert_eq!(t.check(1, 2), SeqVerdict::InOrder);
        assert_eq!(t.check(2, 1), SeqVerdict::InOrder, "sids are independent");
        assert_eq!(t.check(1, 5), SeqVerdict::Gap { expected: 3, got: 5 });
        assert_eq!(t.check(1, 6), SeqVerdict::InOrder, "the gap frame is the new baseline");
        assert_eq!(t.check(1, 6), SeqVerdict::Stale);
        assert_eq!(t.check(1, 3), SeqVerdict::Stale);
        t.reset();
        assert_eq!(t.check(1, 1), SeqVerdict::InOrder);
    }
}
