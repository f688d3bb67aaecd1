//! `Count`: contracts in hundredths (`"12.34"` → 1234), signed so it also holds positions
//! and book deltas.

use super::fixed::{format_scaled, parse_scaled, NumError};
use super::serde_num::{fixed_point_serde, FixedPoint};

/// Hundredths of a contract. Sizes are non-negative; positions (+YES / −NO) and deltas are
/// signed. Parse with [`Count::size`] where a negative value means nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Count(i64);

/// The largest count we accept: 10^12 contracts, far beyond any exchange limit, so sums of
/// many counts never overflow.
const MAX: i64 = 100_000_000_000_000;

impl Count {
    /// No contracts.
    pub const ZERO: Count = Count(0);

    /// Builds a count from hundredths of a contract.
    pub fn from_hundredths(h: i64) -> Result<Count, NumError> {
        if !(-MAX..=MAX).contains(&h) {
            return Err(NumError::OutOfRange { value: format_scaled(h, 2, 2), range: "at most 10^12 contracts" });
        }
        Ok(Count(h))
    }

    /// Wraps hundredths the caller has already validated (sums of accepted counts), without
    /// the range check: used on the book's read path.
    #[inline]
    pub(crate) const fn from_raw(h: i64) -> Count {
        Count(h)
    }

    /// Whole contracts (tests and configuration).
    pub fn contracts(n: i64) -> Count {
        Count(n.clamp(-MAX / 100, MAX / 100) * 100)
    }

    /// Parses a size: non-negative.
    pub fn size(s: &str) -> Result<Count, NumError> {
        let v = parse_scaled(s, 2, false)?;
        Count::from_hundredths(v)
    }

    /// Hundredths of a contract.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Contracts as `f64`: the unit the observation is computed in.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// True when strictly positive.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Absolute value.
    pub const fn abs(self) -> Count {
        Count(self.0.abs())
    }

    /// Kalshi's 2-decimal string (`"10.00"`, `"-15.25"`).
    pub fn format(self) -> String {
        format_scaled(self.0, 2, 2)
    }

    /// Sum, `None` on overflow of the accepted range.
    pub fn checked_add(self, other: Count) -> Option<Count> {
        Count::from_hundredths(self.0.checked_add(other.0)?).ok()
    }

    /// Difference, `None` on overflow of the accepted range.
    pub fn checked_sub(self, other: Count) -> Option<Count> {
        Count::from_hundredths(self.0.checked_sub(other.0)?).ok()
    }
}

impl std::ops::Neg for Count {
    type Output = Count;
    fn neg(self) -> Count {
        Count(-self.0)
    }
}

impl FixedPoint for Count {
    const SCALE: u32 = 2;
    const EXPECTING: &'static str = "a contract count such as \"10.00\"";

    fn parse_text(s: &str) -> Result<Count, NumError> {
        Count::from_hundredths(parse_scaled(s, 2, true)?)
    }

    fn from_scaled(v: i64) -> Result<Count, NumError> {
        Count::from_hundredths(v)
    }
}

fixed_point_serde!(Count);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [("10", 1000), ("10.0", 1000), ("10.50", 1050), ("0.01", 1), ("-15.25", -1525), ("0", 0)];
        for (s, h) in ok {
            assert_eq!(s.parse::<Count>().map(Count::hundredths), Ok(h), "{s}");
        }
        for bad in ["10.501", "", "ten", "1e2", "1000000000000.01"] {
            assert!(bad.parse::<Count>().is_err(), "{bad} should fail");
        }
        assert!(matches!(Count::size("-1"), Err(NumError::Negative(_))));
        assert_eq!(Count::size("12.34").map(Count::hundredths), Ok(1234));
    }

    #[test]
    fn formats_and_json() {
        assert_eq!(Count::contracts(10).format(), "10.00");
        assert_eq!((-Count::contracts(3)).to_string(), "-3.00");
        let c: Count = serde_json::from_str("40.5").unwrap();
        assert_eq!(c.format(), "40.50");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"40.50\"");
        assert!(serde_json::from_str::<Count>("0.001").is_err());
        assert_eq!(Count::contracts(1).checked_add(Count::contracts(2)), Some(Count::contracts(3)));
        assert_eq!(Count::from_hundredths(MAX).unwrap().checked_add(Count(1)), None);
    }
}
