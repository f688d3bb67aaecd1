//! Keeps fills in exchange order across a `fill` channel that was not listening.
//!
//! Fills the exchange made while the `fill` channel was not subscribed (before the first
//! subscription, or between a disconnect and the resubscription) reach us only through the
//! REST read-back, and they are older than every fill the channel delivers afterwards.
//! Average-cost netting depends on the order, so applying a newer channel fill before an
//! older read-back one leaves the cost basis wrong (and a false discrepancy a reconciliation
//! later). So when the channel opens, its fills are held until a reconciliation read that
//! started after the opening has been applied (it holds every fill up to then, applied
//! oldest first), and are then applied in arrival order, duplicates dropped by trade id.
//! Pure: the caller passes the clock.

use super::state::FillIn;

/// Most fills held; beyond it they are released at once (the read-back is failing).
pub const MAX_HELD: usize = 10_000;

/// What to do with a fill from the channel.
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    /// Apply it now.
    Apply(FillIn),
    /// Held until the read-back.
    Held,
    /// Too many held: apply these now, in order (the gate is open again).
    Overflow(Vec<FillIn>),
}

/// The gate. `T` is the caller's clock type (an `Instant` live, an integer in tests).
#[derive(Debug)]
pub struct FillGate<T> {
    held: Option<(T, Vec<FillIn>)>,
}

impl<T> Default for FillGate<T> {
    fn default() -> Self {
        FillGate { held: None }
    }
}

impl<T: PartialOrd + Copy> FillGate<T> {
    /// The channel opened at `at`: hold its fills until a read started at or after `at`.
    /// Already holding: the earlier fills stay held, behind the same condition from `at`.
    pub fn opened(&mut self, at: T) {
        match &mut self.held {
            Some((since, _)) => *since = at,
            None => self.held = Some((at, Vec::new())),
        }
    }

    /// Whether fills are being held.
    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// How many fills are held.
    pub fn held(&self) -> usize {
        self.held.as_ref().map_or(0, |(_, v)| v.len())
    }

    /// A fill from the channel.
    pub fn offer(&mut self, fill: FillIn) -> Offer {
        let Some((_, held)) = &mut self.held else { return Offer::Apply(fill) };
        held.push(fill);
        if held.len() < MAX_HELD {
            return Offer::Held;
        }
        let all = std::mem::take(held);
        self.held = None;
        Offer::Overflow(all)
    }

    /// A reconciliation read that started at `started` has been applied: the held fills,
    /// in arrival order, when it started after the channel opened.
    pub fn read_applied(&mut self, started: T) -> Option<Vec<FillIn>> {
        let since = self.held.as_ref()?.0;
        if started < since {
            return None;
        }
        self.held.take().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BookSide, Count, Money, Price};

    fn fill(id: &str) -> FillIn {
        FillIn {
            trade_id: id.into(),
            order_id: "o".into(),
            client_order_id: None,
            market: "M".into(),
            side: BookSide::Bid,
            price: Price::from_cents(40).unwrap(),
            count: Count::contracts(1),
            fee: Money::ZERO,
            is_taker: true,
            post_position: None,
            ts_ms: 0,
        }
    }

    #[test]
    fn fills_pass_until_the_channel_opens_then_wait_for_a_later_read() {
        let mut g = FillGate::default();
        assert_eq!(g.offer(fill("a")), Offer::Apply(fill("a")));
        g.opened(10);
        assert_eq!(g.offer(fill("b")), Offer::Held);
        assert_eq!(g.offer(fill("c")), Offer::Held);
        assert_eq!(g.read_applied(9), None, "a read started before the opening may miss older fills");
        assert!(g.holding());
        let out = g.read_applied(10).unwrap();
        assert_eq!(out.iter().map(|f| f.trade_id.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert!(!g.holding());
        assert_eq!(g.offer(fill("d")), Offer::Apply(fill("d")));
        assert_eq!(g.read_applied(20), None);
    }

    #[test]
    fn a_second_opening_moves_the_condition_and_keeps_what_is_held() {
        let mut g = FillGate::default();
        g.opened(10);
        assert_eq!(g.offer(fill("b")), Offer::Held);
        g.opened(20);
        assert_eq!(g.read_applied(15), None);
        assert_eq!(g.read_applied(20).map(|v| v.len()), Some(1));
    }

    #[test]
    fn too_many_held_are_released_in_order() {
        let mut g = FillGate::default();
        g.opened(1);
        for i in 0..MAX_HELD - 1 {
            assert_eq!(g.offer(fill(&i.to_string())), Offer::Held);
        }
        let Offer::Overflow(all) = g.offer(fill("last")) else { panic!("not released") };
        assert_eq!((all.len(), all[0].trade_id.as_str(), all[MAX_HELD - 1].trade_id.as_str()), (MAX_HELD, "0", "last"));
        assert!(!g.holding());
    }
}
