//! The 12 portfolio features (indices 35–46), the offline portfolio value, and the five
//! order features (47–51).
//!
//! Everything is in cents. Flat positions (0 contracts) are ignored entirely. Sums run in
//! the order of the `positions` slice: pass them sorted by market for determinism.

/// Number of portfolio features.
pub const PORTFOLIO_LEN: usize = 12;

/// Number of order features.
pub const ORDER_LEN: usize = 5;

/// One position.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Market ticker.
    pub market: String,
    /// Signed contracts: + YES, − NO.
    pub contracts: f64,
    /// Cost basis in cents.
    pub cost_basis_cents: f64,
}

/// The portfolio value computed offline (what-if `--portfolio`, replay): `cash + Σ abs(pos) ·
/// mark`, mark = the latest YES mid in cents for YES, `100 − mid` for NO, 50 without a mid.
/// `latest_mid` gives a market's latest YES mid in cents as of this point (e.g.
/// [`super::temporal::PointStream::latest_yes_mid_cents`]). Not rounded.
pub fn offline_pv(cash_cents: f64, positions: &[Position], latest_mid: impl Fn(&str) -> Option<f64>) -> f64 {
    let mut pv = cash_cents;
    for p in positions.iter().filter(|p| p.contracts != 0.0) {
        let mark = match latest_mid(&p.market) {
            None => 50.0,
            Some(m) if p.contracts > 0.0 => m,
            Some(m) => 100.0 - m,
        };
        pv += p.contracts.abs() * mark;
    }
    pv
}

/// Features 35–46. `price` is the YES mid probability of a market at this point (0.5 for a
/// market not in the point: [`super::temporal::Point::price`]), used for NO positions too.
pub fn portfolio_features(
    pv: f64,
    cash: f64,
    positions: &[Position],
    price: impl Fn(&str) -> f64,
) -> [f64; PORTFOLIO_LEN] {
    let mut f = [0.0; PORTFOLIO_LEN];
    if pv <= 0.01 {
        f[0] = 1.0;
        return f;
    }
    f[0] = (cash / pv).clamp(0.0, 1.0);
    f[1] = ((pv - cash) / pv).clamp(0.0, 1.0);
    let open: Vec<&Position> = positions.iter().filter(|p| p.contracts != 0.0).collect();
    if open.is_empty() {
        return f;
    }
    let n = open.len() as f64;
    let abs_sum: f64 = open.iter().map(|p| p.contracts.abs()).sum();
    let net: f64 = open.iter().map(|p| p.contracts).sum();
    let values: Vec<f64> = open.iter().map(|p| p.contracts.abs() * price(&p.market) * 100.0).collect();
    let mut largest = open[0].contracts;
    for p in &open[1..] {
        if p.contracts.abs() > largest.abs() {
            largest = p.contracts;
        }
    }
    let pnl: f64 = open.iter().zip(&values).map(|(p, v)| v - p.cost_basis_cents).sum();
    let max_value = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exposure: f64 = values.iter().sum();
    f[2] = (n / 10.0).min(1.0);
    f[3] = ((abs_sum / n) / 1000.0).min(1.0);
    f[4] = open.iter().filter(|p| p.contracts > 0.0).count() as f64 / n;
    f[5] = open.iter().filter(|p| p.contracts < 0.0).count() as f64 / n;
    f[6] = (net / abs_sum).tanh();
    f[7] = (max_value / pv).min(1.0);
    f[8] = (largest / 1000.0).min(1.0);
    f[9] = (pnl / pv).tanh();
    f[10] = diversity(&open.iter().map(|p| p.contracts.abs()).collect::<Vec<_>>());
    f[11] = (exposure / pv).min(2.0) / 2.0;
    f
}

fn diversity(s: &[f64]) -> f64 {
    let total: f64 = s.iter().sum();
    if total == 0.0 {
        return 0.0;
    }
    let h: f64 = s.iter().map(|x| (x / total) * (x / total)).sum();
    let hmin = 1.0 / s.len() as f64;
    if 1.0 > hmin {
        1.0 - (h - hmin) / (1.0 - hmin)
    } else {
        1.0
    }
}

/// One resting order of the target market, for the live order features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestingOrder {
    /// True for a buy, false for a sell.
    pub is_buy: bool,
    /// Limit price in YES cents.
    pub limit_cents: f64,
    /// Placement time, ms.
    pub placed_ms: i64,
}

/// Which order features the model was trained with (`observer.order_features`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderMode {
    /// Always zeros (the original training environment).
    #[default]
    Zeros,
    /// From the resting orders of the target market.
    Live,
}

/// Features 47–51. `yes_mid_cents` is the target's YES mid (50 is used if missing),
/// `orders` its resting orders in a stable order, `now_ms` the observation time.
pub fn order_features(
    mode: OrderMode,
    yes_mid_cents: Option<f64>,
    orders: &[RestingOrder],
    now_ms: i64,
) -> [f64; ORDER_LEN] {
    let mut f = [0.0; ORDER_LEN];
    if mode == OrderMode::Zeros {
        return f;
    }
    let mid = yes_mid_cents.unwrap_or(50.0);
    let distance = |o: &RestingOrder| ((mid - o.limit_cents).abs() / 100.0).min(1.0);
    if let Some(o) = orders.iter().find(|o| o.is_buy) {
        f[0] = 1.0;
        f[2] = distance(o);
    }
    if let Some(o) = orders.iter().find(|o| !o.is_buy) {
        f[1] = 1.0;
        f[3] = distance(o);
    }
    if let Some(newest) = orders.iter().map(|o| o.placed_ms).max() {
        f[4] = (((now_ms - newest) as f64 / 1000.0) / 300.0).min(1.0);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(market: &str, contracts: f64, cost: f64) -> Position {
        Position { market: market.to_string(), contracts, cost_basis_cents: cost }
    }
    fn prices(m: &str) -> f64 {
        match m {
            "A" => 0.6,
            "B" => 0.3,
            _ => 0.5,
        }
    }
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn tiny_pv_gives_cash_ratio_one_only() {
        let p = [pos("A", 10.0, 100.0)];
        for pv in [0.01, 0.0, -5.0] {
            let mut want = [0.0; PORTFOLIO_LEN];
            want[0] = 1.0;
            assert_eq!(portfolio_features(pv, 100.0, &p, prices), want);
        }
    }

    #[test]
    fn no_positions() {
        let f = portfolio_features(1000.0, 400.0, &[], prices);
        assert_eq!(f[..2], [0.4, 0.6]);
        assert_eq!(f[2..], [0.0; 10]);
        let f = portfolio_features(1000.0, 1500.0, &[pos("A", 0.0, 300.0)], prices);
        assert_eq!(f[..2], [1.0, 0.0]);
        assert_eq!(f[2..], [0.0; 10], "a flat position is no position");
    }

    #[test]
    fn hand_computed_portfolio() {
        // C is not in the point: 50¢. B is NO, valued at the YES mid (original behaviour).
        let p = [pos("A", 100.0, 4000.0), pos("B", -50.0, 2000.0), pos("C", 30.0, 900.0)];
        let f = portfolio_features(10_000.0, 5000.0, &p, prices);
        close(f[0], 0.5);
        close(f[1], 0.5);
        close(f[2], 0.3);
        close(f[3], 0.06);
        close(f[4], 2.0 / 3.0);
        close(f[5], 1.0 / 3.0);
        close(f[6], (80.0f64 / 180.0).tanh());
        close(f[7], 0.6);
        close(f[8], 0.1);
        close(f[9], 0.21f64.tanh());
        let h = 13_400.0 / 32_400.0;
        close(f[10], 1.0 - (h - 1.0 / 3.0) / (2.0 / 3.0));
        close(f[11], 0.45);
    }

    #[test]
    fn caps_ties_and_single_position() {
        let f = portfolio_features(100.0, 0.0, &[pos("X", -2000.0, 0.0)], prices);
        assert_eq!((f[7], f[11]), (1.0, 1.0), "concentration and leverage cap");
        assert_eq!(f[8], -2.0, "largest position can be negative (clipped later)");
        assert_eq!(f[10], 1.0, "one position: diversity 1");
        assert_eq!((f[4], f[5], f[6]), (0.0, 1.0, (-1f64).tanh()));
        let f = portfolio_features(1e9, 0.0, &[pos("A", 50.0, 0.0), pos("B", -50.0, 0.0)], prices);
        assert_eq!(f[8], 0.05, "first on ties");
        assert_eq!(f[10], 1.0, "equal sizes: H = Hmin");
        assert_eq!(f[6], 0.0);
        let f = portfolio_features(1000.0, 0.0, &[pos("A", 5000.0, 0.0), pos("B", 2000.0, 0.0)], prices);
        assert_eq!(f[3], 1.0);
        assert_eq!(f[8], 1.0);
    }

    #[test]
    fn offline_pv_marks() {
        let p = [pos("A", 10.0, 0.0), pos("B", -10.0, 0.0), pos("C", 4.0, 0.0), pos("D", 0.0, 0.0)];
        let mid = |m: &str| match m {
            "A" | "B" => Some(60.0),
            "D" => Some(1.0),
            _ => None,
        };
        assert_eq!(offline_pv(1000.0, &p, mid), 1000.0 + 600.0 + 400.0 + 200.0);
        assert_eq!(offline_pv(0.5, &[pos("A", 3.0, 0.0)], |_| Some(43.5)), 131.0);
    }

    #[test]
    fn order_features_modes() {
        let orders = [
            RestingOrder { is_buy: true, limit_cents: 40.0, placed_ms: 0 },
            RestingOrder { is_buy: false, limit_cents: 70.0, placed_ms: 30_000 },
            RestingOrder { is_buy: true, limit_cents: 10.0, placed_ms: 60_000 },
        ];
        assert_eq!(order_features(OrderMode::Zeros, Some(50.0), &orders, 120_000), [0.0; ORDER_LEN]);
        assert_eq!(OrderMode::default(), OrderMode::Zeros);
        let f = order_features(OrderMode::Live, Some(45.0), &orders, 120_000);
        assert_eq!(f, [1.0, 1.0, 0.05, 0.25, 0.2]);
        let f = order_features(OrderMode::Live, None, &orders[1..2], 1_000_000);
        assert_eq!(f, [0.0, 1.0, 0.0, 0.2, 1.0]);
        assert_eq!(order_features(OrderMode::Live, None, &[], 5), [0.0; ORDER_LEN]);
        let far = [RestingOrder { is_buy: true, limit_cents: 250.0, placed_ms: 5 }];
        assert_eq!(order_features(OrderMode::Live, Some(50.0), &far, 5), [1.0, 0.0, 1.0, 0.0, 0.0]);
    }
}
