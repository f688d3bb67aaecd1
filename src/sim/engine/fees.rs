//! Exchange fees (§6.4) in exact integer arithmetic.
//!
//! Per fill: `fee = ceil_to_$0.0001(k × m × C × P × (1 − P))` with `k` the taker or maker
//! coefficient, `m` the market's fee multiplier, `C` contracts and `P` the execution price.
//! `k` and `m` are parts per million, `C` hundredths and `P` centi-cents, so the exact fee in
//! micro-dollars is `k·m·c·p·(10⁴−p) / 10¹⁶`; rounding up to $0.0001 (100 micro-dollars)
//! divides by 10¹⁸ with a ceiling. Products stay far below `u128::MAX`.

use crate::domain::{BookSide, Count, Money, Price, ONE_DOLLAR};

/// One, in parts per million (a multiplier of 1).
pub const PPM: u32 = 1_000_000;
/// Kalshi's taker coefficient 0.07, in parts per million.
pub const TAKER_FEE_PPM: u32 = 70_000;
/// The maker coefficient of series with maker fees, 0.0175, in parts per million.
pub const MAKER_FEE_PPM: u32 = 17_500;

/// Fee rounding step: $0.0001 in micro-dollars.
const STEP_MICROS: u128 = 100;
/// `10¹⁶ × 100`: turns `k·m·c·p·q` into units of $0.0001.
const DIVISOR: u128 = 1_000_000_000_000_000_000;

/// `p × (1 − p)` in centi-cents squared.
fn spread_product(price: Price) -> u128 {
    let p = u128::from(price.centicents());
    p * (u128::from(ONE_DOLLAR) - p.min(u128::from(ONE_DOLLAR)))
}

fn fee_from_pq(coef_ppm: u32, multiplier_ppm: u32, count: Count, pq: u128) -> Money {
    let c = u128::from(count.hundredths().max(0).unsigned_abs());
    let num = u128::from(coef_ppm) * u128::from(multiplier_ppm) * c * pq;
    let steps = num.div_ceil(DIVISOR);
    Money::from_micros(i64::try_from(steps * STEP_MICROS).unwrap_or(i64::MAX))
}

/// Fee of one fill of `count` contracts at `price` (YES or NO terms: the formula is
/// symmetric), rounded up to $0.0001.
pub fn trade_fee(coef_ppm: u32, multiplier_ppm: u32, count: Count, price: Price) -> Money {
    fee_from_pq(coef_ppm, multiplier_ppm, count, spread_product(price))
}

/// The largest fee `count` contracts of an order on `side` limited at `limit` can pay if they
/// fill in one execution: a bid executes at or below its limit, an ask at or above, and
/// `P(1 − P)` peaks at $0.50.
pub fn fee_bound(coef_ppm: u32, multiplier_ppm: u32, count: Count, side: BookSide, limit: Price) -> Money {
    let half = ONE_DOLLAR / 2;
    let reaches_half = match side {
        BookSide::Bid => limit.centicents() >= half,
        BookSide::Ask => limit.centicents() <= half,
    };
    let pq = if reaches_half { u128::from(half) * u128::from(half) } else { spread_product(limit) };
    fee_from_pq(coef_ppm, multiplier_ppm, count, pq)
}
