//! One serde visitor for every fixed-point type: a decimal string (Kalshi's form) or,
//! tolerated, a JSON number that converts exactly.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Visitor};

use super::fixed::{scaled_from_f64, NumError};

/// A fixed-point type that can be built from a scaled integer or its decimal text.
pub trait FixedPoint: Sized {
    /// Decimal places of the integer representation.
    const SCALE: u32;
    /// What the visitor says it expected.
    const EXPECTING: &'static str;
    /// Parses Kalshi's decimal text.
    fn parse_text(s: &str) -> Result<Self, NumError>;
    /// Validates an already scaled value (from a JSON number).
    fn from_scaled(v: i64) -> Result<Self, NumError>;
}

/// Deserializes any [`FixedPoint`] from a string or a number.
pub struct FixedVisitor<T>(pub PhantomData<T>);

impl<'de, T: FixedPoint> Visitor<'de> for FixedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::parse_text(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        let scaled = v.checked_mul(10i64.pow(T::SCALE)).ok_or_else(|| E::custom(NumError::Inexact(v.to_string())))?;
        T::from_scaled(scaled).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        let v = i64::try_from(v).map_err(|_| E::custom(NumError::Inexact(v.to_string())))?;
        self.visit_i64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        let scaled = scaled_from_f64(v, T::SCALE).map_err(E::custom)?;
        T::from_scaled(scaled).map_err(E::custom)
    }
}

/// Implements `Serialize` (as Kalshi's string), `Deserialize`, `FromStr` and `Display` for a
/// fixed-point newtype from its [`FixedPoint`] impl and a `fn format(&self) -> String`.
macro_rules! fixed_point_serde {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.format())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any($crate::domain::serde_num::FixedVisitor::<$ty>(std::marker::PhantomData))
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::domain::NumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty as $crate::domain::serde_num::FixedPoint>::parse_text(s)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.format())
            }
        }
    };
}
pub(crate) use fixed_point_serde;
