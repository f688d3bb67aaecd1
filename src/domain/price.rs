//! `Price`: a YES-or-NO contract price in centi-cents ($1 = 10 000), exact to Kalshi's
//! finest tick ($0.0001).

use super::fixed::{format_scaled, parse_scaled, NumError};
use super::serde_num::{fixed_point_serde, FixedPoint};

/// Centi-cents in one dollar: the payout of a winning contract.
pub const ONE_DOLLAR: u16 = 10_000;

/// A price in centi-cents, always within `[$0, $1]`.
///
/// `$0` and `$1` are valid prices (a settlement value, the far side of an empty book) but not
/// valid order prices: use [`Price::order`] for anything sent to the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price(u16);

impl Price {
    /// $0.
    pub const ZERO: Price = Price(0);
    /// $1.
    pub const ONE: Price = Price(ONE_DOLLAR);

    /// Builds a price from centi-cents, refusing anything above $1.
    pub fn from_centicents(cc: i64) -> Result<Price, NumError> {
        if !(0..=i64::from(ONE_DOLLAR)).contains(&cc) {
            return Err(NumError::OutOfRange { value: format_scaled(cc, 4, 4), range: "0 to 1 dollars" });
        }
        Ok(Price(cc as u16))
    }

    /// Builds a price from whole cents (tests and cent-based tables).
    pub fn from_cents(c: u16) -> Result<Price, NumError> {
        Price::from_centicents(i64::from(c) * 100)
    }

    /// Parses a price valid for an order: strictly between $0 and $1.
    pub fn order(s: &str) -> Result<Price, NumError> {
        let p: Price = s.parse()?;
        p.check_tradable()
    }

    /// Returns the price if it can be traded (strictly inside `(0, 1)`).
    pub fn check_tradable(self) -> Result<Price, NumError> {
        if self.0 == 0 || self.0 >= ONE_DOLLAR {
            return Err(NumError::OutOfRange {
                value: self.format(),
                range: "order prices are strictly between 0 and 1 dollars",
            });
        }
        Ok(self)
    }

    /// Centi-cents.
    pub const fn centicents(self) -> u16 {
        self.0
    }

    /// The price in cents as `f64`: the unit the observation is computed in.
    pub fn cents_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// `$1 − self`: the same level seen from the other outcome.
    pub const fn complement(self) -> Price {
        Price(ONE_DOLLAR - self.0)
    }

    /// Kalshi's 4-decimal dollar string (`"0.4300"`).
    pub fn format(self) -> String {
        format_scaled(i64::from(self.0), 4, 4)
    }
}

impl FixedPoint for Price {
    const SCALE: u32 = 4;
    const EXPECTING: &'static str = "a dollar price such as \"0.4300\"";

    fn parse_text(s: &str) -> Result<Price, NumError> {
        Price::from_centicents(parse_scaled(s, 4, false)?)
    }

    fn from_scaled(v: i64) -> Result<Price, NumError> {
        Price::from_centicents(v)
    }
}

fixed_point_serde!(Price);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [
            ("0.4300", 4300),
            ("0.43", 4300),
            ("0.4350", 4350),
            ("0.0001", 1),
            ("1.0000", 10_000),
            ("0", 0),
            ("1", 10_000),
        ];
        for (s, cc) in ok {
            assert_eq!(s.parse::<Price>().map(Price::centicents), Ok(cc), "{s}");
        }
        for bad in ["1.0001", "2", "-0.43", "0.43005", "", "0.4x", "NaN"] {
            assert!(bad.parse::<Price>().is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn order_prices_are_strictly_inside() {
        assert!(Price::order("0.0001").is_ok());
        assert!(Price::order("0.9999").is_ok());
        assert!(Price::order("0").is_err());
        assert!(Price::order("1.00").is_err());
    }

    #[test]
    fn round_trips_and_json() {
        let p: Price = serde_json::from_str("\"0.43\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"0.4300\"");
        let n: Price = serde_json::from_str("0.43").unwrap();
        assert_eq!(n, p);
        assert!(serde_json::from_str::<Price>("0.12345").is_err());
        assert!(serde_json::from_str::<Price>("true").is_err());
        assert_eq!(p.complement().format(), "0.5700");
        assert_eq!(p.cents_f64(), 43.0);
    }
}
