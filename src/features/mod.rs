//! The 52-float observation (`/work/shared/spec/observation.md`): one pure implementation
//! shared by the live Observer and the offline `observe` command.
//!
//! - [`market`]: features 0–20 from one market's book.
//! - [`temporal`]: the point stream of all markets and features 21–34.
//! - [`portfolio`]: features 35–46, the offline portfolio value, and order features 47–51.
//!
//! Everything is computed in `f64` in the spec's order, then [`finalize`]d: cast to `f32`,
//! NaN → 0, +inf → 1, −inf → −1, clip to [−2, 2]. Maps are `BTreeMap`s: no hash order.

pub mod market;
pub mod portfolio;
pub mod temporal;

use market::{market_features, MarketBook, MARKET_LEN};
use portfolio::{order_features, portfolio_features, OrderMode, Position, RestingOrder, ORDER_LEN, PORTFOLIO_LEN};
use temporal::{temporal_features, LocalTime, ViewPoint, TEMPORAL_LEN};

/// Length of the observation.
pub const OBS_LEN: usize = 52;

/// Version of the observation contract (`observation.md`) this build implements; model
/// cards name the version they were trained with.
pub const OBSERVATION_VERSION: u32 = 1;

const _: () = assert!(MARKET_LEN + TEMPORAL_LEN + PORTFOLIO_LEN + ORDER_LEN == OBS_LEN);

/// Feature names in observation order (a CSV header).
pub const FEATURE_NAMES: [&str; OBS_LEN] = [
    "best_yes_bid_norm",
    "best_yes_ask_norm",
    "best_no_bid_norm",
    "best_no_ask_norm",
    "yes_spread_norm",
    "no_spread_norm",
    "yes_mid_price_norm",
    "no_mid_price_norm",
    "yes_volume_norm",
    "no_volume_norm",
    "total_volume_norm",
    "volume_imbalance",
    "yes_side_imbalance",
    "no_side_imbalance",
    "yes_book_depth_norm",
    "no_book_depth_norm",
    "yes_liquidity_concentration",
    "no_liquidity_concentration",
    "arbitrage_opportunity",
    "market_efficiency",
    "cross_side_efficiency",
    "time_since_last_update",
    "time_of_day_norm",
    "day_of_week_norm",
    "current_activity_score",
    "activity_change",
    "update_frequency",
    "activity_burst_indicator",
    "quiet_period_indicator",
    "activity_trend",
    "price_momentum",
    "volatility_regime",
    "activity_consistency",
    "price_stability",
    "activity_persistence",
    "cash_ratio",
    "position_ratio",
    "position_count_norm",
    "average_position_size_norm",
    "long_position_ratio",
    "short_position_ratio",
    "net_position_bias",
    "position_concentration",
    "largest_position_norm",
    "unrealized_pnl_ratio",
    "position_diversity",
    "leverage",
    "has_open_buy",
    "has_open_sell",
    "buy_distance_from_mid",
    "sell_distance_from_mid",
    "time_since_order",
];

/// One element: `f64` → `f32`, NaN → 0, +inf → 1, −inf → −1, clip to [−2, 2].
pub fn finalize_one(x: f64) -> f32 {
    let y = x as f32;
    if y.is_nan() {
        0.0
    } else if y == f32::INFINITY {
        1.0
    } else if y == f32::NEG_INFINITY {
        -1.0
    } else {
        y.clamp(-2.0, 2.0)
    }
}

/// The whole vector through [`finalize_one`].
pub fn finalize(raw: &[f64; OBS_LEN]) -> [f32; OBS_LEN] {
    raw.map(finalize_one)
}

/// Concatenates the four parts in observation order (before finalization).
pub fn concat(
    market: &[f64; MARKET_LEN],
    temporal: &[f64; TEMPORAL_LEN],
    portfolio: &[f64; PORTFOLIO_LEN],
    orders: &[f64; ORDER_LEN],
) -> [f64; OBS_LEN] {
    let mut out = [0.0; OBS_LEN];
    let parts: [&[f64]; 4] = [market, temporal, portfolio, orders];
    let mut i = 0;
    for part in parts {
        out[i..i + part.len()].copy_from_slice(part);
        i += part.len();
    }
    out
}

/// Everything one observation of a target market depends on.
#[derive(Debug, Clone, Copy)]
pub struct ObservationInput<'a> {
    /// The target's state (`None`: no state at all → the default market vector).
    pub book: Option<&'a MarketBook>,
    /// The target's previous ≤ 10 view points, oldest first.
    pub history: &'a [ViewPoint],
    /// The target's current view point.
    pub current: &'a ViewPoint,
    /// Local time of the current point.
    pub time: LocalTime,
    /// Portfolio value, cents.
    pub pv: f64,
    /// Cash, cents.
    pub cash: f64,
    /// Positions, sorted by market.
    pub positions: &'a [Position],
    /// Order-feature mode.
    pub order_mode: OrderMode,
    /// The target's resting orders (live mode).
    pub orders: &'a [RestingOrder],
}

/// The raw `f64` observation; `price` is the YES mid probability per market at this point
/// ([`temporal::Point::price`]). The order features' "now" is the current point's `ts_ms`.
pub fn build_raw(input: &ObservationInput<'_>, price: impl Fn(&str) -> f64) -> [f64; OBS_LEN] {
    let m = market_features(input.book);
    let t = temporal_features(input.history, input.current, input.time);
    let p = portfolio_features(input.pv, input.cash, input.positions, price);
    let mid = input.book.and_then(MarketBook::yes_mid_cents);
    let o = order_features(input.order_mode, mid, input.orders, input.current.ts_ms);
    concat(&m, &t, &p, &o)
}

/// The finalized 52-float observation.
pub fn build(input: &ObservationInput<'_>, price: impl Fn(&str) -> f64) -> [f32; OBS_LEN] {
    finalize(&build_raw(input, price))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Count, Price};
    use temporal::PointStream;

    #[test]
    fn finalization_maps_and_clips() {
        assert_eq!(finalize_one(f64::NAN), 0.0);
        assert_eq!(finalize_one(f64::INFINITY), 1.0);
        assert_eq!(finalize_one(f64::NEG_INFINITY), -1.0);
        assert_eq!(finalize_one(1e39), 1.0, "finite f64, infinite f32");
        assert_eq!(finalize_one(-1e39), -1.0);
        assert_eq!(finalize_one(3.0), 2.0);
        assert_eq!(finalize_one(-2.5), -2.0);
        assert_eq!(finalize_one(0.1), 0.1f32);
        assert_eq!(finalize_one(-0.3), -0.3f32);
    }

    #[test]
    fn names_and_concat_order() {
        let mut names = FEATURE_NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OBS_LEN);
        assert_eq!(FEATURE_NAMES[21], "time_since_last_update");
        assert_eq!(FEATURE_NAMES[35], "cash_ratio");
        assert_eq!(FEATURE_NAMES[47], "has_open_buy");
        let v = concat(&[1.0; 21], &[2.0; 14], &[3.0; 12], &[4.0; 5]);
        assert_eq!((v[20], v[21], v[34], v[35], v[46], v[47], v[51]), (1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0));
    }

    fn observe(s: &PointStream, point: &temporal::Point, market: &str) -> [f32; OBS_LEN] {
        let (history, current) = s.view(market).unwrap();
        let positions = [Position { market: "B".into(), contracts: -10.0, cost_basis_cents: 300.0 }];
        let pv = portfolio::offline_pv(1000.0, &positions, |m| s.latest_yes_mid_cents(m));
        let input = ObservationInput {
            book: s.latest(market),
            history,
            current,
            time: LocalTime { hour: 10, weekday_from_monday: 0 },
            pv,
            cash: 1000.0,
            positions: &positions,
            order_mode: OrderMode::Zeros,
            orders: &[],
        };
        build(&input, |m| point.price(m))
    }

    #[test]
    fn end_to_end_and_deterministic() {
        let book = |yb: u16, nb: u16| {
            let c = Count::contracts(5);
            MarketBook::new(&[(Price::from_cents(yb).unwrap(), c)], &[(Price::from_cents(nb).unwrap(), c)])
        };
        let run = || {
            let mut s = PointStream::new();
            let mut out = Vec::new();
            for (ts, m, b) in
                [(0, "A", book(40, 55)), (0, "B", book(20, 70)), (900, "A", book(41, 55)), (2000, "B", book(22, 70))]
            {
                if let Some(p) = s.push(ts, m, b) {
                    out.extend(p.markets.keys().map(|m| observe(&s, &p, m)));
                }
            }
            if let Some(p) = s.close() {
                out.extend(p.markets.keys().map(|m| observe(&s, &p, m)));
            }
            out
        };
        let (a, b) = (run(), run());
        assert_eq!(a.len(), 4);
        let bits = |v: &Vec<[f32; OBS_LEN]>| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
        // Last observation: B at ts 2000, gap 1.1 s; YES 22 / ask 30 → mid 0.26.
        // First observation: A at ts 0, before its ts 900 update.
        assert_eq!(a[0][0], 0.40);
        let last = a[3];
        assert_eq!(last[0], 0.22);
        assert_eq!(last[6], 0.26);
        assert_eq!(last[21], (1.1f64 / 300.0) as f32);
        assert_eq!(last[22], (1.0f64 / 7.0) as f32);
        // pv = 1000 + 10·(100 − 26) = 1740; B is NO, valued at the YES mid 0.26 → 260.
        assert_eq!(last[35], (1000.0f64 / 1740.0) as f32);
        assert_eq!(last[42], (260.0f64 / 1740.0) as f32);
        assert_eq!(last[44], ((260.0f64 - 300.0) / 1740.0).tanh() as f32);
        assert_eq!(last[47..], [0.0; 5]);
        // A has no state at all in a fresh stream's view: the default market vector.
        let mut s = PointStream::new();
        s.push(1, "B", book(20, 70));
        let p = s.close().unwrap();
        let (history, current) = s.view("B").unwrap();
        let input = ObservationInput {
            book: s.latest("A"),
            history,
            current,
            time: LocalTime { hour: 3, weekday_from_monday: 2 },
            pv: 0.0,
            cash: 0.0,
            positions: &[],
            order_mode: OrderMode::Live,
            orders: &[],
        };
        let o = build(&input, |m| p.price(m));
        assert_eq!(o[..21], market::NO_STATE_DEFAULT.map(|x| x as f32));
        assert_eq!((o[35], o[36]), (1.0, 0.0));
    }
}
