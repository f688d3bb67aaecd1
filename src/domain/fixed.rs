//! Decimal-string parsing and formatting shared by the fixed-point types.
//!
//! Kalshi writes every price, count and amount as a decimal string (`"0.4300"`, `"10.50"`,
//! `"0.017500"`). We hold them as integers scaled by a power of ten and never pass through
//! `f64`, so a value parses and prints back exactly. JSON numbers are accepted only as a
//! tolerated fallback (some WebSocket frames carry them) and must convert without loss.

use thiserror::Error;

/// Why a decimal value was rejected. Every variant is a bad-input error: the value is
/// refused, nothing is stored, and the caller decides whether to count and continue.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumError {
    /// The string was empty.
    #[error("empty number")]
    Empty,
    /// A character other than digits, one `.` and a leading `-`.
    #[error("invalid number {0:?}")]
    Invalid(String),
    /// More decimal places than the type can hold exactly.
    #[error("{value:?} has more than {max} decimal places")]
    TooManyDecimals {
        /// The rejected text.
        value: String,
        /// Decimal places the type allows.
        max: u32,
    },
    /// A negative value where only non-negative ones mean something.
    #[error("{0:?} must not be negative")]
    Negative(String),
    /// Outside the type's valid range.
    #[error("{value:?} is out of range ({range})")]
    OutOfRange {
        /// The rejected text.
        value: String,
        /// Human-readable valid range.
        range: &'static str,
    },
    /// A JSON number that is not finite or not exactly representable.
    #[error("number {0} is not an exact fixed-point value")]
    Inexact(String),
}

/// Largest magnitude we accept before scaling, so `digits × 10^scale` never overflows.
const MAX_ABS: u64 = i64::MAX as u64 / 1_000_000;

/// Parses `s` as a decimal with at most `scale` fraction digits into `value × 10^scale`.
///
/// Accepts `"10"`, `"10.50"`, a leading `+`, and zeros past the scale (`"0.430000"`). A
/// trailing dot (`"5."`) or a bare fraction (`".5"`) is rejected: Kalshi never writes either,
/// and accepting them would hide a corrupted field. `scale` is at most 6.
#[inline]
pub fn parse_scaled(s: &str, scale: u32, allow_negative: bool) -> Result<i64, NumError> {
    let bytes = s.as_bytes();
    let (neg, digits) = match bytes.first() {
        None => return Err(NumError::Empty),
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        Some(_) => (false, bytes),
    };
    if neg && !allow_negative {
        return Err(NumError::Negative(s.to_owned()));
    }
    let (int_part, frac_part) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    if int_part.is_empty() || frac_part.is_some_and(<[u8]>::is_empty) {
        return Err(NumError::Invalid(s.to_owned()));
    }
    let mut int: u64 = 0;
    for &b in int_part {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(NumError::Invalid(s.to_owned()));
        }
        int = int * 10 + u64::from(d);
        if int > MAX_ABS {
            return Err(NumError::OutOfRange { value: s.to_owned(), range: "magnitude too large" });
        }
    }
    let mut frac: u64 = 0;
    let mut used = 0u32;
    for (i, &b) in frac_part.unwrap_or_default().iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(NumError::Invalid(s.to_owned()));
        }
        if (i as u32) < scale {
            frac = frac * 10 + u64::from(d);
            used += 1;
        } else if d != 0 {
            // Zeros past the scale are still exact ("0.430000").
            return Err(NumError::TooManyDecimals { value: s.to_owned(), max: scale });
        }
    }
    let scaled = (int * POW10[scale as usize] + frac * POW10[(scale - used) as usize]) as i64;
    Ok(if neg { -scaled } else { scaled })
}

const POW10: [u64; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// Converts a JSON number to `value × 10^scale`, refusing anything that is not exactly a
/// multiple of `10^-scale` (within float noise far below one unit).
pub fn scaled_from_f64(x: f64, scale: u32) -> Result<i64, NumError> {
    if !x.is_finite() {
        return Err(NumError::Inexact(x.to_string()));
    }
    let f = x * 10f64.powi(scale as i32);
    let r = f.round();
    if (f - r).abs() > 1e-6 || r.abs() > (MAX_ABS as f64) {
        return Err(NumError::Inexact(x.to_string()));
    }
    Ok(r as i64)
}

/// Writes `v / 10^scale` with exactly `places` fraction digits (`places ≤ scale`; digits
/// dropped must be zero or the caller has chosen a lossy format on purpose).
pub fn format_scaled(v: i64, scale: u32, places: u32) -> String {
    let mut out = String::with_capacity(24);
    write_scaled(&mut out, v, scale, places);
    out
}

/// [`format_scaled`] into an existing buffer, for hot paths that reuse one.
pub fn write_scaled(out: &mut String, v: i64, scale: u32, places: u32) {
    use std::fmt::Write;
    let unit = 10u64.pow(scale);
    let abs = v.unsigned_abs();
    if v < 0 {
        out.push('-');
    }
    let int = abs / unit;
    let frac = (abs % unit) / 10u64.pow(scale - places);
    if places == 0 {
        let _ = write!(out, "{int}");
    } else {
        let _ = write!(out, "{int}.{frac:0width$}", width = places as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kalshi_forms() {
        assert_eq!(parse_scaled("0.4300", 4, false), Ok(4300));
        assert_eq!(parse_scaled("0.43", 4, false), Ok(4300));
        assert_eq!(parse_scaled("10", 2, false), Ok(1000));
        assert_eq!(parse_scaled("10.50", 2, false), Ok(1050));
        assert_eq!(parse_scaled("-15.25", 2, true), Ok(-1525));
        assert_eq!(parse_scaled("0.017500", 6, false), Ok(17_500));
        assert_eq!(parse_scaled("0.430000", 4, false), Ok(4300));
        assert_eq!(parse_scaled("+3", 2, false), Ok(300));
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(parse_scaled("", 2, false), Err(NumError::Empty));
        for bad in ["abc", "1.2.3", ".5", "5.", "-", "1e3", " 1", "1,5", "--1"] {
            assert!(matches!(parse_scaled(bad, 2, true), Err(NumError::Invalid(_))), "{bad}");
        }
        assert!(matches!(parse_scaled("0.43001", 4, false), Err(NumError::TooManyDecimals { max: 4, .. })));
        assert!(matches!(parse_scaled("-1", 2, false), Err(NumError::Negative(_))));
        assert!(matches!(parse_scaled("99999999999999999999", 2, false), Err(NumError::OutOfRange { .. })));
    }

    #[test]
    fn floats_must_be_exact() {
        assert_eq!(scaled_from_f64(0.43, 4), Ok(4300));
        assert_eq!(scaled_from_f64(-15.25, 2), Ok(-1525));
        assert!(scaled_from_f64(0.12345, 4).is_err());
        assert!(scaled_from_f64(f64::NAN, 4).is_err());
        assert!(scaled_from_f64(f64::INFINITY, 2).is_err());
    }

    #[test]
    fn formats_exactly() {
        assert_eq!(format_scaled(4300, 4, 4), "0.4300");
        assert_eq!(format_scaled(1050, 2, 2), "10.50");
        assert_eq!(format_scaled(-1525, 2, 2), "-15.25");
        assert_eq!(format_scaled(17_500, 6, 6), "0.017500");
        assert_eq!(format_scaled(2_600_000, 6, 4), "2.6000");
        assert_eq!(format_scaled(0, 2, 2), "0.00");
    }
}
