//! `Money`: dollar amounts in micro-dollars ($1 = 1 000 000) for fees, costs, cash and P&L.
//!
//! A price (centi-cents, 10^-4) times a count (hundredths, 10^-2) is exactly micro-dollars
//! (10^-6), so notional values need no rounding; fees round up to $0.0001 per Kalshi's rule.

use super::fixed::{format_scaled, parse_scaled, NumError};
use super::serde_num::{fixed_point_serde, FixedPoint};
use super::{Count, Price};

/// Signed micro-dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// One dollar in micro-dollars.
pub const MICROS_PER_DOLLAR: i64 = 1_000_000;

impl Money {
    /// $0.
    pub const ZERO: Money = Money(0);

    /// From micro-dollars.
    pub const fn from_micros(m: i64) -> Money {
        Money(m)
    }

    /// Whole cents (tests, cent-denominated fields such as `balance`).
    pub const fn from_cents(c: i64) -> Money {
        Money(c * 10_000)
    }

    /// Micro-dollars.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// Exact value of `count` contracts at `price`.
    pub fn notional(price: Price, count: Count) -> Money {
        Money(i64::from(price.centicents()) * count.hundredths())
    }

    /// Cents as `f64`: the unit of the observation's portfolio features.
    pub fn cents_f64(self) -> f64 {
        self.0 as f64 / 10_000.0
    }

    /// Whole cents, truncated toward zero (Kalshi's integer `balance`).
    pub const fn cents_truncated(self) -> i64 {
        self.0 / 10_000
    }

    /// Rounds up (toward +∞) to a multiple of `step` micro-dollars; `step` must be positive.
    pub fn ceil_to(self, step: i64) -> Money {
        Money(self.0.div_euclid(step) * step + if self.0.rem_euclid(step) > 0 { step } else { 0 })
    }

    /// Six-decimal string (`"0.017500"`), Kalshi's form for fees and costs.
    pub fn format(self) -> String {
        format_scaled(self.0, 6, 6)
    }

    /// Four-decimal string (`"2.6000"`), Kalshi's form for balances and position values;
    /// six decimals when four would drop digits (`"0.526667"`), so output is never lossy.
    pub fn format_4dp(self) -> String {
        format_scaled(self.0, 6, if self.0 % 100 == 0 { 4 } else { 6 })
    }

    /// Checked sum.
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }

    /// Checked difference.
    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl FixedPoint for Money {
    const SCALE: u32 = 6;
    const EXPECTING: &'static str = "a dollar amount such as \"0.017500\"";

    fn parse_text(s: &str) -> Result<Money, NumError> {
        parse_scaled(s, 6, true).map(Money)
    }

    fn from_scaled(v: i64) -> Result<Money, NumError> {
        Ok(Money(v))
    }
}

fixed_point_serde!(Money);

/// Serde adapter writing [`Money`] with four decimals, for fields Kalshi prints that way.
pub mod dp4 {
    use super::Money;

    /// Serializes as `"2.6000"` (six decimals when four would lose digits).
    pub fn serialize<S: serde::Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&m.format_4dp())
    }

    /// Accepts any precision up to six decimals.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let m: Money = "0.017500".parse().unwrap();
        assert_eq!(m.micros(), 17_500);
        assert_eq!(m.format(), "0.017500");
        assert_eq!("98.0186".parse::<Money>().unwrap().format_4dp(), "98.0186");
        assert_eq!(Money::from_micros(526_667).format_4dp(), "0.526667");
        assert_eq!("-0.31".parse::<Money>().unwrap().micros(), -310_000);
        assert!("0.0000001".parse::<Money>().is_err());
    }

    #[test]
    fn notional_is_exact() {
        let p: Price = "0.52".parse().unwrap();
        let c: Count = "3.50".parse().unwrap();
        assert_eq!(Money::notional(p, c).format(), "1.820000");
    }

    #[test]
    fn ceil_to_ten_thousandth() {
        // 0.07 × 1 × 0.52 × 0.48 = 0.017472 → 0.0175 (observed on demo).
        assert_eq!(Money::from_micros(17_472).ceil_to(100).micros(), 17_500);
        assert_eq!(Money::from_micros(17_500).ceil_to(100).micros(), 17_500);
        assert_eq!(Money::from_micros(693).ceil_to(100).micros(), 700);
        assert_eq!(Money::from_micros(-150).ceil_to(100).micros(), -100);
        assert_eq!(Money::from_cents(9801).cents_truncated(), 9801);
    }
}
