//! The simulator's pure matching engine: Kalshi's single YES book per market with
//! price-time priority, V2 order semantics, fees, netted positions and settlement (§6).
//!
//! No networking, clock or randomness: every call takes the time (`now_ms`) from the
//! caller, ids are counters formatted as UUIDs, and the same calls always give the same
//! results. Each mutating call either fails with an [`EngineError`] and changes nothing, or
//! succeeds and returns the [`EngineEvent`]s the server turns into WebSocket frames.
//!
//! Cash model: an account's `cash` includes what its resting orders reserve (their worst
//! case: cost of the part that would open a position plus the largest possible fee); new
//! orders may use only `cash − reserved`. Every fill re-checks that both participants can
//! pay; a maker that cannot is canceled (`MarginCancel`) and matching goes on, a taker that
//! cannot stops. Expired orders are canceled at the start of every mutating call (after
//! validation) and by [`Engine::expire_orders`], which the server should call on a timer.
//!
//! Files: `book` (per-order queues), `account` (cash and positions), `fees`, `order`
//! (order records), `events` and `outcome` (what calls return), `market` (lifecycle and
//! settlement), `create` (validation and placement), `matching`, `resting` (book entry and
//! exit, reservations, expiry), `modify` (cancel, amend, decrease) and `views` (read side).

mod account;
mod book;
mod create;
mod error;
mod events;
pub mod fees;
mod market;
mod matching;
mod modify;
mod order;
mod outcome;
mod resting;
mod views;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use account::{PositionState, SettlementRecord};
pub use error::EngineError;
pub use events::{BookDelta, DeltaCause, EngineEvent, FillEvent, MarketEvent, PositionUpdate, TradeEvent};
pub use fees::{fee_bound, trade_fee, MAKER_FEE_PPM, PPM, TAKER_FEE_PPM};
pub use market::MarketSpec;
pub use order::{rfc3339_ms, SimOrder};
pub use outcome::{AmendOutcome, CancelOutcome, CreateOutcome, DecreaseOutcome, FillTotals};
pub use views::OrderFilter;

use account::Account;
use market::MarketState;

use crate::domain::Money;

/// What a post-only order that would cross does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostOnlyMode {
    /// 400 `invalid_order`, details `post only cross` (observed on demo, June 2026).
    #[default]
    Reject,
    /// Accept and cancel at once (`PostOnlyCrossCancel`, as the docs describe).
    Cancel,
}

/// Engine-wide settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Taker fee coefficient in parts per million (0.07 → 70 000).
    pub taker_fee_ppm: u32,
    /// Maker fee coefficient in parts per million (0 by default; 17 500 for series with
    /// maker fees).
    pub maker_fee_ppm: u32,
    /// Post-only behaviour.
    pub post_only: PostOnlyMode,
    /// Cash of an account created on first use.
    pub starting_cash: Money,
    /// Goes into every generated id so engines with different namespaces never collide.
    pub id_namespace: u16,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            taker_fee_ppm: TAKER_FEE_PPM,
            maker_fee_ppm: 0,
            post_only: PostOnlyMode::Reject,
            starting_cash: Money::from_cents(100_000),
            id_namespace: 0,
        }
    }
}

/// Largest order size, in hundredths (10⁹ contracts): keeps every sum of counts exact.
pub const MAX_ORDER_HUNDREDTHS: i64 = 100_000_000_000;

/// Id tag of orders (first eight hex digits of the UUID).
const ORDER_TAG: u32 = 0x0000_0001;
/// Id tag of trades.
const TRADE_TAG: u32 = 0x0000_0002;

/// The matching engine of the simulated exchange.
#[derive(Debug, Clone)]
pub struct Engine {
    config: EngineConfig,
    markets: BTreeMap<String, MarketState>,
    accounts: BTreeMap<String, Account>,
    orders: BTreeMap<u64, SimOrder>,
    order_index: HashMap<String, u64>,
    /// `(expiration_ts_ms, seq)` of resting orders with an expiry (stale entries skipped).
    expiries: BTreeSet<(i64, u64)>,
    next_order: u64,
    next_trade: u64,
    fees_collected: Money,
}

impl Engine {
    /// An engine with no markets and no accounts.
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            config,
            markets: BTreeMap::new(),
            accounts: BTreeMap::new(),
            orders: BTreeMap::new(),
            order_index: HashMap::new(),
            expiries: BTreeSet::new(),
            next_order: 0,
            next_trade: 0,
            fees_collected: Money::ZERO,
        }
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Opens an account with `cash`; false (and no change) when it already exists.
    pub fn open_account(&mut self, user: &str, cash: Money) -> bool {
        if self.accounts.contains_key(user) {
            return false;
        }
        self.accounts.insert(user.to_owned(), Account::new(cash));
        true
    }

    /// Opens an account with the configured starting cash unless it exists.
    fn ensure_account(&mut self, user: &str) {
        let cash = self.config.starting_cash;
        self.open_account(user, cash);
    }

    /// Formats `n` with `tag` as a version-4-shaped UUID:
    /// `TTTTTTTT-NNNN-4000-8000-CCCCCCCCCCCC` (tag, namespace, counter).
    fn make_id(&self, tag: u32, n: u64) -> String {
        let v = (u128::from(tag) << 96)
            | (u128::from(self.config.id_namespace) << 80)
            | (0x4u128 << 76)
            | (0x8u128 << 60)
            | u128::from(n & 0xFFFF_FFFF_FFFF);
        uuid::Uuid::from_u128(v).to_string()
    }

    /// Allocates the next order sequence number and id.
    fn next_order_id(&mut self) -> (u64, String) {
        self.next_order += 1;
        (self.next_order, self.make_id(ORDER_TAG, self.next_order))
    }

    /// Allocates the next trade id.
    fn next_trade_id(&mut self) -> String {
        self.next_trade += 1;
        self.make_id(TRADE_TAG, self.next_trade)
    }
}
