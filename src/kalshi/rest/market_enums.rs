//! Enumerations and small value types carried by `Market` objects (§5.3): type, lifecycle
//! status, result, strike type, the price grid (`price_level_structure`, `price_ranges`) and
//! the `status` query filter of `GET /markets`.

use serde::{Deserialize, Serialize};

use crate::domain::Price;

/// `market_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketType {
    /// Pays $1 to YES or to NO.
    Binary,
    /// Settles at a value between $0 and $1 per YES contract.
    Scalar,
    /// A value added after this code was written.
    #[serde(other)]
    Unknown,
}

/// Market lifecycle `status` as the server reports it (not the query-filter names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketStatus {
    /// Created, not yet open (filter `unopened`).
    Initialized,
    /// Paused (filter `paused`).
    Inactive,
    /// Open for trading (filter `open`).
    Active,
    /// Past close, no result yet.
    Closed,
    /// Result set; settlement timer running.
    Determined,
    /// Result disputed.
    Disputed,
    /// Result amended after a dispute.
    Amended,
    /// Paid out (filter `settled`).
    Finalized,
    /// A value added after this code was written.
    #[serde(other)]
    Unknown,
}

impl MarketStatus {
    /// True only for `active`: the one state that accepts new orders.
    pub fn is_tradable(self) -> bool {
        self == MarketStatus::Active
    }
}

/// The `status` query parameter of `GET /markets` (one value only; differs from
/// [`MarketStatus`]: `open` ↔ `active`, `paused` ↔ `inactive`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketFilterStatus {
    /// Markets in `initialized`.
    Unopened,
    /// Markets in `active`.
    Open,
    /// Markets in `inactive`.
    Paused,
    /// Markets past close but not finalized.
    Closed,
    /// Markets in `finalized`.
    Settled,
}

impl MarketFilterStatus {
    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            MarketFilterStatus::Unopened => "unopened",
            MarketFilterStatus::Open => "open",
            MarketFilterStatus::Paused => "paused",
            MarketFilterStatus::Closed => "closed",
            MarketFilterStatus::Settled => "settled",
        }
    }
}

/// Market `result` (and settlement `market_result`); `""` while undetermined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketResult {
    /// YES won.
    Yes,
    /// NO won.
    No,
    /// Scalar settlement (see `settlement_value_dollars`).
    Scalar,
    /// No result yet (`""`).
    #[default]
    #[serde(rename = "")]
    Undetermined,
    /// A value added after this code was written.
    #[serde(other)]
    Unknown,
}

/// `strike_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrikeType {
    /// Above `floor_strike`.
    Greater,
    /// At or above `floor_strike`.
    GreaterOrEqual,
    /// Below `cap_strike`.
    Less,
    /// At or below `cap_strike`.
    LessOrEqual,
    /// Between floor and cap.
    Between,
    /// Described by `functional_strike`.
    Functional,
    /// Described by `custom_strike`.
    Custom,
    /// Structured target.
    Structured,
    /// A value added after this code was written.
    #[serde(other)]
    Unknown,
}

/// `price_level_structure`: the name of the market's tick grid. A plain string in the
/// official schema, new families appear over time, so it is kept verbatim; the
/// authoritative grid is `price_ranges`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceLevelStructure(pub String);

impl PriceLevelStructure {
    /// $0.01 everywhere (most markets).
    pub const LINEAR_CENT: &'static str = "linear_cent";
    /// $0.001 below $0.10 and above $0.90, $0.01 between.
    pub const TAPERED_DECI_CENT: &'static str = "tapered_deci_cent";
    /// $0.001 everywhere.
    pub const DECI_CENT: &'static str = "deci_cent";

    /// Wraps a name.
    pub fn new(name: impl Into<String>) -> PriceLevelStructure {
        PriceLevelStructure(name.into())
    }

    /// The name as sent (`""` = unknown).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the classic 1¢ grid.
    pub fn is_linear_cent(&self) -> bool {
        self.0 == Self::LINEAR_CENT
    }
}

/// One band of the market's price grid: prices from `start` to `end` in steps of `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PriceRange {
    /// Lower bound (dollars, `"0.0000"`).
    pub start: Price,
    /// Upper bound (dollars, `"1.0000"`).
    pub end: Price,
    /// Tick size inside the band (`"0.0100"`).
    pub step: Price,
}

impl PriceRange {
    /// True when `p` lies in `[start, end]` on the band's grid (a zero step never matches).
    pub fn contains_tick(&self, p: Price) -> bool {
        let (s, e, step) = (self.start.centicents(), self.end.centicents(), self.step.centicents());
        step != 0 && (s..=e).contains(&p.centicents()) && (p.centicents() - s) % step == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_tolerate_new_values() {
        let s: MarketStatus = serde_json::from_str("\"finalized\"").unwrap();
        assert_eq!(s, MarketStatus::Finalized);
        let s: MarketStatus = serde_json::from_str("\"halted_forever\"").unwrap();
        assert_eq!(s, MarketStatus::Unknown);
        assert!(MarketStatus::Active.is_tradable());
        assert!(!MarketStatus::Closed.is_tradable());
        assert_eq!(MarketFilterStatus::Paused.as_str(), "paused");
        assert_eq!(serde_json::to_string(&MarketFilterStatus::Open).unwrap(), "\"open\"");
    }

    #[test]
    fn result_empty_string_is_undetermined() {
        let r: MarketResult = serde_json::from_str("\"\"").unwrap();
        assert_eq!(r, MarketResult::Undetermined);
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"\"");
        assert_eq!(serde_json::from_str::<MarketResult>("\"no\"").unwrap(), MarketResult::No);
        let s: StrikeType = serde_json::from_str("\"greater_or_equal\"").unwrap();
        assert_eq!(s, StrikeType::GreaterOrEqual);
    }

    #[test]
    fn price_range_grid() {
        let r: PriceRange = serde_json::from_str(r#"{"start":"0.0000","end":"1.0000","step":"0.0100"}"#).unwrap();
        assert_eq!(r.step.centicents(), 100);
        assert!(r.contains_tick(Price::from_centicents(4300).unwrap()));
        assert!(!r.contains_tick(Price::from_centicents(5150).unwrap()));
        let pls: PriceLevelStructure = serde_json::from_str("\"linear_cent\"").unwrap();
        assert!(pls.is_linear_cent());
        assert_eq!(serde_json::to_string(&pls).unwrap(), "\"linear_cent\"");
    }
}
