//! Domain types: fixed-point prices, counts and money, and the two ways Kalshi names a side.
//!
//! Nothing here uses `f64` for storage; floats appear only in the `*_f64` accessors the
//! observation uses.

mod count;
pub mod fixed;
mod money;
pub mod position;
mod price;
pub(crate) mod serde_num;

pub use count::Count;
pub use fixed::NumError;
pub use money::{dp4, Money, MICROS_PER_DOLLAR};
pub use price::{Price, ONE_DOLLAR};

use serde::{Deserialize, Serialize};

/// Which outcome a level, order or position is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The YES leg.
    Yes,
    /// The NO leg.
    No,
}

/// Side of Kalshi's single YES book (V2 orders): `bid` buys YES, `ask` sells YES (≡ buys NO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookSide {
    /// Buy YES.
    Bid,
    /// Sell YES / buy NO.
    Ask,
}

impl BookSide {
    /// The outcome this side acquires: a bid gets YES, an ask gets NO.
    pub fn outcome(self) -> Outcome {
        match self {
            BookSide::Bid => Outcome::Yes,
            BookSide::Ask => Outcome::No,
        }
    }
}

/// A hash map with a fast, per-map randomly seeded hasher (foldhash) for the per-update
/// lookups by market ticker; iteration order is arbitrary, as with `std`'s.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The set counterpart of [`FastMap`].
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
