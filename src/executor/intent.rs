//! From an action to the order it asks for (kalshi-api.md §5.5 on Kalshi's single YES book).
//!
//! BUY_YES → `bid` at the YES price; SELL_YES → `ask`; BUY_NO at NO price q → `ask` at
//! 1 − q; SELL_NO → `bid` at 1 − q. On the netted book BUY_YES and SELL_NO are the same
//! order, and so are SELL_YES and BUY_NO: the NO prices are the YES prices mirrored, so with
//! the same pricing rule they land on the same YES price. Pricing: `aggressive` buys at the
//! ask and sells at the bid, `passive` the reverse, `mid` rests at the mid snapped to the
//! grid (down for bids, up for asks). With `reduce_only` sells, SELL_YES only closes YES
//! contracts and SELL_NO only closes NO contracts.

use crate::book::TickGrid;
use crate::config::{Pricing, SellSemantics};
use crate::domain::{BookSide, Count, Price};

/// The policy's actions, by number.
pub const HOLD: usize = 0;
/// Buy YES.
pub const BUY_YES: usize = 1;
/// Sell YES.
pub const SELL_YES: usize = 2;
/// Buy NO.
pub const BUY_NO: usize = 3;
/// Sell NO.
pub const SELL_NO: usize = 4;

/// The target market's touch (YES terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Touch {
    /// Best YES bid.
    pub bid: Option<Price>,
    /// Best YES ask.
    pub ask: Option<Price>,
}

impl Touch {
    /// The YES mid in cents, when both sides exist.
    pub fn mid_cents(&self) -> Option<f64> {
        Some((self.bid?.cents_f64() + self.ask?.cents_f64()) / 2.0)
    }
}

/// The order an action asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    /// Book side.
    pub side: BookSide,
    /// YES limit price, on the grid.
    pub price: Price,
    /// Contracts.
    pub count: Count,
    /// Only reduce the position.
    pub reduce_only: bool,
}

/// Why an action asks for no order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIntent {
    /// HOLD.
    Hold,
    /// The book lacks the side the pricing needs.
    NoPrice,
    /// A reduce-only sell with nothing to reduce.
    NothingToReduce,
}

/// The book side an action trades on.
pub fn side_of(action: usize) -> Option<BookSide> {
    match action {
        BUY_YES | SELL_NO => Some(BookSide::Bid),
        SELL_YES | BUY_NO => Some(BookSide::Ask),
        _ => None,
    }
}

/// The price for an order on `side` under `pricing`.
pub fn price_for(side: BookSide, pricing: Pricing, touch: Touch, grid: &TickGrid) -> Option<Price> {
    match (pricing, side) {
        (Pricing::Aggressive, BookSide::Bid) | (Pricing::Passive, BookSide::Ask) => touch.ask,
        (Pricing::Aggressive, BookSide::Ask) | (Pricing::Passive, BookSide::Bid) => touch.bid,
        (Pricing::Mid, _) => {
            let (b, a) = (touch.bid?, touch.ask?);
            let sum = u32::from(b.centicents()) + u32::from(a.centicents());
            let mid = match side {
                BookSide::Bid => sum / 2,
                BookSide::Ask => sum.div_ceil(2),
            };
            snap(grid, mid, side == BookSide::Bid)
        }
    }
}

/// The tradable grid price nearest `centicents`, rounding down (or up).
pub fn snap(grid: &TickGrid, centicents: u32, down: bool) -> Option<Price> {
    let n = grid.len();
    if n == 0 {
        return None;
    }
    // Ticks are ascending in price: find the first tick priced ≥ the target.
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if u32::from(grid.price(u16::try_from(mid).ok()?).centicents()) < centicents {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let at = |i: usize| u16::try_from(i).ok().map(|t| grid.price(t));
    let exact = lo < n && at(lo).is_some_and(|p| u32::from(p.centicents()) == centicents);
    let snapped = match (exact, down) {
        (true, _) => at(lo),
        (false, true) => lo.checked_sub(1).and_then(at),
        (false, false) => (lo < n).then(|| at(lo)).flatten(),
    };
    // $0 and $1 are grid edges, not prices an order may carry.
    snapped.filter(|p| p.check_tradable().is_ok())
}

/// Whether two prices are more than one tick apart on `grid`.
pub fn more_than_one_tick(grid: &TickGrid, a: Price, b: Price) -> bool {
    match (grid.tick(a), grid.tick(b)) {
        (Some(x), Some(y)) => x.abs_diff(y) > 1,
        // Off the grid (should not happen): compare in cents.
        _ => a.centicents().abs_diff(b.centicents()) > 100,
    }
}

/// The order `action` asks for, given the touch and our position (signed contracts).
pub fn intent(
    action: usize,
    size: Count,
    pricing: Pricing,
    sell: SellSemantics,
    touch: Touch,
    grid: &TickGrid,
    position: Count,
) -> Result<Intent, NoIntent> {
    let side = side_of(action).ok_or(NoIntent::Hold)?;
    let sell_action = matches!(action, SELL_YES | SELL_NO);
    let (count, reduce_only) = if sell_action && sell == SellSemantics::ReduceOnly {
        let held = match action {
            SELL_YES => position.hundredths().max(0),
            _ => (-position.hundredths()).max(0),
        };
        let n = held.min(size.hundredths());
        if n <= 0 {
            return Err(NoIntent::NothingToReduce);
        }
        (Count::from_hundredths(n).map_err(|_| NoIntent::NothingToReduce)?, true)
    } else {
        (size, false)
    };
    let price = price_for(side, pricing, touch, grid).ok_or(NoIntent::NoPrice)?;
    Ok(Intent { side, price, count, reduce_only })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(c: u16) -> Price {
        Price::from_cents(c).unwrap()
    }

    fn touch() -> Touch {
        Touch { bid: Some(p(40)), ask: Some(p(45)) }
    }

    #[test]
    fn each_action_maps_to_its_side_and_price() {
        let g = TickGrid::linear_cent();
        let ten = Count::contracts(10);
        let go = |a, pricing| intent(a, ten, pricing, SellSemantics::Open, touch(), &g, Count::ZERO);
        // Aggressive: buys at the ask, sells at the bid; the NO actions mirror them.
        for (a, side, px) in [
            (BUY_YES, BookSide::Bid, 45),
            (SELL_NO, BookSide::Bid, 45),
            (SELL_YES, BookSide::Ask, 40),
            (BUY_NO, BookSide::Ask, 40),
        ] {
            assert_eq!(
                go(a, Pricing::Aggressive).unwrap(),
                Intent { side, price: p(px), count: ten, reduce_only: false }
            );
        }
        assert_eq!(go(BUY_YES, Pricing::Passive).unwrap().price, p(40));
        assert_eq!(go(BUY_NO, Pricing::Passive).unwrap().price, p(45), "NO bid 55 → YES ask side at 45");
        // Mid 42.5: bids snap down, asks up.
        assert_eq!(go(BUY_YES, Pricing::Mid).unwrap().price, p(42));
        assert_eq!(go(SELL_YES, Pricing::Mid).unwrap().price, p(43));
        assert_eq!(go(HOLD, Pricing::Aggressive), Err(NoIntent::Hold));
        let one_sided = Touch { bid: Some(p(40)), ask: None };
        assert_eq!(
            intent(BUY_YES, ten, Pricing::Aggressive, SellSemantics::Open, one_sided, &g, Count::ZERO),
            Err(NoIntent::NoPrice)
        );
    }

    #[test]
    fn reduce_only_sells_close_at_most_the_position() {
        let g = TickGrid::linear_cent();
        let ten = Count::contracts(10);
        let go = |a, pos: i64| {
            intent(a, ten, Pricing::Aggressive, SellSemantics::ReduceOnly, touch(), &g, Count::contracts(pos))
        };
        assert_eq!(
            go(SELL_YES, 4).unwrap(),
            Intent { side: BookSide::Ask, price: p(40), count: Count::contracts(4), reduce_only: true }
        );
        assert_eq!(go(SELL_YES, 0), Err(NoIntent::NothingToReduce));
        assert_eq!(go(SELL_YES, -3), Err(NoIntent::NothingToReduce));
        assert_eq!(go(SELL_NO, -30).unwrap().count, ten);
        assert!(go(SELL_NO, -30).unwrap().reduce_only);
        assert_eq!(go(SELL_NO, 5), Err(NoIntent::NothingToReduce));
        assert!(!go(BUY_NO, 5).unwrap().reduce_only, "buys never reduce-only");
    }

    #[test]
    fn snapping_and_tick_distance_follow_the_grid() {
        let g = TickGrid::linear_cent();
        assert_eq!(snap(&g, 4250, true), Some(p(42)));
        assert_eq!(snap(&g, 4250, false), Some(p(43)));
        assert_eq!(snap(&g, 4200, false), Some(p(42)));
        assert_eq!(snap(&g, 50, true), None, "below the first tick");
        assert!(!more_than_one_tick(&g, p(42), p(43)));
        assert!(more_than_one_tick(&g, p(42), p(44)));
        let fine = TickGrid::centi_cent();
        assert!(more_than_one_tick(&fine, p(42), p(43)), "100 ticks apart on a $0.0001 grid");
    }
}
