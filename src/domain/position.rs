//! A netted position in one market with an average-cost basis (kalshi-api.md §6.5): the
//! accounting both the exchange simulator and the OrderExecutor keep.
//!
//! Cash per contract of a fill at YES price `x`: a bid first closes NO (+`1 − x`) then opens
//! YES (−`x`); an ask first closes YES (+`x`) then opens NO (−`1 − x`); fees subtract.
//! Closing releases the basis pro rata (rounded toward zero); `realized_pnl` of a close is the
//! proceeds minus the basis it releases.

use super::{BookSide, Count, Money, Price, MICROS_PER_DOLLAR};

/// Builds a count from hundredths; the engine's size cap keeps every sum in range.
pub fn cnt(h: i64) -> Count {
    Count::from_hundredths(h).unwrap_or_default()
}

/// `part / whole` of `amount`, rounded toward zero (`whole > 0`).
fn pro_rata(amount: Money, part: i64, whole: i64) -> Money {
    if whole <= 0 || part >= whole {
        return amount;
    }
    let v = i128::from(amount.micros()) * i128::from(part) / i128::from(whole);
    Money::from_micros(i64::try_from(v).unwrap_or(0))
}

/// One account's state in one market.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionState {
    /// Signed position: `+` YES contracts, `−` NO contracts.
    pub position: Count,
    /// Average-cost basis of the open position, excluding fees.
    pub exposure: Money,
    /// P&L locked in by closing trades and settlement, excluding fees.
    pub realized_pnl: Money,
    /// Cumulative fees paid in this market.
    pub fees_paid: Money,
    /// Fees attributed to the open position (pro rata on closes).
    pub position_fee_cost: Money,
    /// Cumulative notional bought and sold (cash moved by fills, fees excluded).
    pub total_traded: Money,
    /// Cumulative contracts traded.
    pub volume: Count,
    /// Last change, Unix milliseconds.
    pub last_updated_ms: i64,
}

/// How one fill split into legs and moved cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillCash {
    /// Contracts that closed the opposite outcome.
    pub closed: Count,
    /// Contracts that opened or added to the order's outcome.
    pub opened: Count,
    /// Cash change including the fee.
    pub cash_delta: Money,
}

impl PositionState {
    /// Contracts an order on `side` can close right now.
    pub fn closable(&self, side: BookSide) -> Count {
        let p = self.position.hundredths();
        cnt(match side {
            BookSide::Bid => (-p).max(0),
            BookSide::Ask => p.max(0),
        })
    }

    /// Applies a fill of `count` at YES price `yes_price` on `side` paying `fee`.
    pub fn apply_fill(&mut self, side: BookSide, yes_price: Price, count: Count, fee: Money, now_ms: i64) -> FillCash {
        let n = count.hundredths();
        let held = self.position.hundredths().abs();
        let closed = self.closable(side).hundredths().min(n);
        let opened = n - closed;
        // Price of the outcome being closed / opened, per contract.
        let (close_px, open_px) = match side {
            BookSide::Bid => (yes_price.complement(), yes_price),
            BookSide::Ask => (yes_price, yes_price.complement()),
        };
        let proceeds = Money::notional(close_px, cnt(closed));
        let cost = Money::notional(open_px, cnt(opened));
        if closed > 0 {
            let basis = pro_rata(self.exposure, closed, held);
            let fee_basis = pro_rata(self.position_fee_cost, closed, held);
            self.exposure = self.exposure - basis;
            self.position_fee_cost = self.position_fee_cost - fee_basis;
            self.realized_pnl = self.realized_pnl + proceeds - basis;
        }
        self.exposure = self.exposure + cost;
        self.position_fee_cost = self.position_fee_cost + pro_rata(fee, opened, n);
        self.fees_paid = self.fees_paid + fee;
        self.total_traded = self.total_traded + proceeds + cost;
        self.volume = cnt(self.volume.hundredths() + n);
        let signed = match side {
            BookSide::Bid => n,
            BookSide::Ask => -n,
        };
        self.position = cnt(self.position.hundredths() + signed);
        self.last_updated_ms = now_ms;
        FillCash { closed: cnt(closed), opened: cnt(opened), cash_delta: proceeds - cost - fee }
    }

    /// Cash change a fill would cause, without applying it.
    pub fn preview_cash(&self, side: BookSide, yes_price: Price, count: Count, fee: Money) -> Money {
        let mut copy = *self;
        copy.apply_fill(side, yes_price, count, fee, self.last_updated_ms).cash_delta
    }

    /// Settles the position: `$1` per winning contract. Returns the payout; the position,
    /// exposure and fee basis are cleared and the payout minus basis is realized.
    pub fn settle(&mut self, yes_won: bool, now_ms: i64) -> Money {
        let p = self.position.hundredths();
        let winners = if yes_won { p.max(0) } else { (-p).max(0) };
        let payout = Money::from_micros(winners * (MICROS_PER_DOLLAR / 100));
        self.realized_pnl = self.realized_pnl + payout - self.exposure;
        self.exposure = Money::ZERO;
        self.position_fee_cost = Money::ZERO;
        self.position = Count::ZERO;
        self.last_updated_ms = now_ms;
        payout
    }
}
