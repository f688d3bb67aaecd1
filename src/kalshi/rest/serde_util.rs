//! Serde helpers shared by the REST body types: `null`-tolerant lists, string-only request
//! numbers, four-decimal money output and timestamps that may be a string or an integer.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

use crate::domain::Money;

/// Deserializes `null` (what Go writes for a nil slice or map) as `T::default()`.
///
/// Use together with `#[serde(default)]` so a missing key also yields the default.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Deserializes a fixed-point value from a JSON **string only**.
///
/// V2 order requests reject JSON numbers for `count` and `price` (§3), so the simulator must
/// too; responses keep the lenient string-or-number parsing of the domain types.
pub fn string_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let s = String::deserialize(d)?;
    s.parse().map_err(D::Error::custom)
}

/// [`string_only`] for an optional field: absent or `null` is `None`.
pub fn string_only_opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(D::Error::custom),
    }
}

/// Formats money with four decimals when that is exact (`"0.4800"`, `"98.0186"`), and with
/// six otherwise (`"0.526667"`), so nothing is ever lost on output.
pub fn format_dollars4(m: Money) -> String {
    m.format_4dp()
}

/// Serde adapter for [`Money`] fields Kalshi prints with four decimals (lossless).
pub use crate::domain::dp4 as dollars4;

/// [`dollars4`] for `Option<Money>`: `None` writes `null` (pair it with
/// `skip_serializing_if = "Option::is_none"`), absent or `null` reads as `None`.
pub mod dollars4_opt {
    use super::*;

    /// Writes `"0.4800"` or `null`.
    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.serialize_str(&format_dollars4(*m)),
            None => s.serialize_none(),
        }
    }

    /// Reads `null` or a dollar amount.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        Option::<Money>::deserialize(d)
    }
}

/// A timestamp documented as an RFC 3339 string that some captures show as Unix seconds:
/// integers are kept as their decimal text so either form parses.
pub fn string_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Int(i64),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Text(s)) => s,
        Some(Either::Int(i)) => i.to_string(),
        None => String::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::Count;
    use serde::Serialize;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "null_default")]
        list: Vec<u8>,
        #[serde(deserialize_with = "string_only")]
        count: Count,
        #[serde(with = "dollars4")]
        amount: Money,
        #[serde(default, deserialize_with = "string_or_int")]
        ts: String,
    }

    #[test]
    fn null_and_missing_lists_are_empty() {
        let p: Probe = serde_json::from_str(r#"{"list":null,"count":"1","amount":"0.5"}"#).unwrap();
        assert!(p.list.is_empty());
        let p: Probe = serde_json::from_str(r#"{"count":"1","amount":"0.5"}"#).unwrap();
        assert!(p.list.is_empty());
        let p: Probe = serde_json::from_str(r#"{"list":[3],"count":"1","amount":"0.5"}"#).unwrap();
        assert_eq!(p.list, vec![3]);
    }

    #[test]
    fn request_numbers_must_be_strings() {
        let e = serde_json::from_str::<Probe>(r#"{"count":10,"amount":"0.5"}"#).unwrap_err();
        assert!(e.to_string().contains("expected a string"), "{e}");
        let p: Probe = serde_json::from_str(r#"{"count":"10.5","amount":"0.5"}"#).unwrap();
        assert_eq!(p.count.hundredths(), 1050);
    }

    #[test]
    fn dollars4_is_lossless() {
        assert_eq!(format_dollars4(Money::from_micros(480_000)), "0.4800");
        assert_eq!(format_dollars4(Money::from_micros(526_667)), "0.526667");
        let p: Probe = serde_json::from_str(r#"{"count":"1","amount":"98.0186","ts":17}"#).unwrap();
        assert_eq!(p.amount.micros(), 98_018_600);
        assert_eq!(p.ts, "17");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"list":[],"count":"1.00","amount":"98.0186","ts":"17"}"#);
    }
}
