//! Accounts: cash, reservations and netted per-market positions (§6.5).
//!
//! Cash per contract of a fill at YES price `x`: a bid first closes NO (+`1 − x`) then opens
//! YES (−`x`); an ask first closes YES (+`x`) then opens NO (−`1 − x`); fees subtract. The
//! position keeps an average-cost basis (`exposure`), so `realized_pnl` of a close is the
//! proceeds minus the basis it releases. For every account at every moment
//! `cash = starting_cash + Σ (realized_pnl − exposure − fees_paid)` over its markets.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::events::FillEvent;
use crate::domain::{Count, Money};

pub(crate) use crate::domain::position::cnt;
pub use crate::domain::position::PositionState;

/// One settled position, kept for `GET /portfolio/settlements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecord {
    /// Market.
    pub ticker: String,
    /// True when YES won.
    pub yes_won: bool,
    /// Signed position held at settlement.
    pub position: Count,
    /// Cost basis of that position.
    pub cost: Money,
    /// Cash paid out.
    pub payout: Money,
    /// Settlement time, Unix milliseconds.
    pub ts_ms: i64,
}

/// One user's cash, positions and history.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Cash including what resting orders reserve.
    pub cash: Money,
    /// Cash set aside for resting orders (sum of their reservations).
    pub reserved: Money,
    /// Cash the account was opened with.
    pub starting_cash: Money,
    /// Positions by market ticker.
    pub positions: BTreeMap<String, PositionState>,
    /// Every `client_order_id` ever accepted (never freed).
    pub client_order_ids: HashSet<String>,
    /// Sequence numbers of this user's resting orders.
    pub resting: BTreeSet<u64>,
    /// This user's fills, oldest first.
    pub fills: Vec<FillEvent>,
    /// Settled positions, oldest first.
    pub settlements: Vec<SettlementRecord>,
}

impl Account {
    /// An empty account holding `cash`.
    pub fn new(cash: Money) -> Account {
        Account { cash, starting_cash: cash, ..Account::default() }
    }

    /// Cash not reserved by resting orders: what a new order may use.
    pub fn available(&self) -> Money {
        self.cash - self.reserved
    }

    /// The position in `ticker` (flat when never traded).
    pub fn position(&self, ticker: &str) -> PositionState {
        self.positions.get(ticker).copied().unwrap_or_default()
    }
}
