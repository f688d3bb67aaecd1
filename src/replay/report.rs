//! What a replay reports: P&L, fees, trades, the action histogram, the maximum drawdown and
//! exposure over time; and the per-step rows of `--steps-csv`. Everything here is a function
//! of the replayed records and the model, never of the wall clock, so the same input gives
//! the same report.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::domain::Money;
use crate::features::FEATURE_NAMES;
use crate::policy::{ACTION_NAMES, N_ACTIONS};

/// Points kept of a time series in the report (evenly thinned beyond).
pub const SERIES_POINTS: usize = 500;
/// Points a tally holds at most while it runs.
const KEEP: usize = 8192;

/// One point of the value and exposure series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Record time, Unix ms.
    pub ts_ms: i64,
    /// Portfolio value (cash + positions at the YES mid), cents.
    pub value_cents: f64,
    /// Cost of the open positions plus every live buy, dollars.
    pub exposure: Money,
}

/// A market's end state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketEnd {
    /// Signed contracts (+YES, −NO), in hundredths.
    pub position: crate::domain::Count,
    /// Cost basis of the open position.
    pub cost: Money,
    /// Realized P&L.
    pub realized_pnl: Money,
    /// Fees paid.
    pub fees: Money,
}

/// The replay's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The model's id.
    pub model: String,
    /// Order-book records replayed.
    pub updates: u64,
    /// Decisions (observations the policy scored).
    pub decisions: u64,
    /// Decisions per action name.
    pub actions: BTreeMap<&'static str, u64>,
    /// Decisions that sent nothing, by reason (`hold`, `kept`, `busy`, a risk limit…).
    pub skipped: BTreeMap<&'static str, u64>,
    /// Evaluations skipped before the policy, by reason (`stale`, `one_sided`, `warming_up`).
    pub not_evaluated: BTreeMap<&'static str, u64>,
    /// Requests the executor made (creates, amends, cancels).
    pub requests: u64,
    /// Fills.
    pub trades: u64,
    /// Contracts filled.
    pub contracts: crate::domain::Count,
    /// Fees paid.
    pub fees: Money,
    /// Starting cash.
    pub starting_cash: Money,
    /// Cash at the end.
    pub cash: Money,
    /// Realized P&L (net of nothing: fees are separate).
    pub realized_pnl: Money,
    /// End value − starting cash, cents (positions at the last YES mid, NO at 100 − mid).
    pub pnl_cents: f64,
    /// Largest fall of the value from a previous peak, cents.
    pub max_drawdown_cents: f64,
    /// Largest exposure seen.
    pub max_exposure: Money,
    /// Each market's end state.
    pub markets: BTreeMap<String, MarketEnd>,
    /// Value and exposure at the decisions (at most [`SERIES_POINTS`]).
    pub series: Vec<SeriesPoint>,
}

/// Builds the report as the replay goes.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Decisions per action.
    pub actions: [u64; N_ACTIONS],
    /// Skips after the policy.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Skips before the policy.
    pub not_evaluated: BTreeMap<&'static str, u64>,
    /// Requests.
    pub requests: u64,
    /// Fills.
    pub trades: u64,
    /// Contracts, hundredths.
    pub contracts: i64,
    /// Fees.
    pub fees: Money,
    /// The points, thinned as they come: past [`KEEP`] every other one is dropped and
    /// only every `stride`-th later point is kept (memory stays bounded on long runs).
    pub series: Vec<SeriesPoint>,
    stride: u64,
    seen: u64,
    peak: Option<f64>,
    /// Largest drawdown, cents.
    pub max_drawdown_cents: f64,
    /// Largest exposure.
    pub max_exposure: Money,
}

impl Tally {
    /// Adds a value/exposure point and updates the drawdown.
    pub fn point(&mut self, p: SeriesPoint) {
        let peak = self.peak.map_or(p.value_cents, |k| k.max(p.value_cents));
        self.peak = Some(peak);
        self.max_drawdown_cents = self.max_drawdown_cents.max(peak - p.value_cents);
        if p.exposure > self.max_exposure {
            self.max_exposure = p.exposure;
        }
        self.seen += 1;
        if (self.seen - 1) % self.stride.max(1) != 0 {
            return;
        }
        self.series.push(p);
        if self.series.len() >= KEEP {
            let kept: Vec<SeriesPoint> = self.series.iter().copied().step_by(2).collect();
            self.series = kept;
            self.stride = self.stride.max(1) * 2;
        }
    }

    /// The action histogram by name.
    pub fn histogram(&self) -> BTreeMap<&'static str, u64> {
        ACTION_NAMES.iter().zip(self.actions).map(|(n, c)| (*n, c)).collect()
    }
}

/// At most `n` points of `v`, evenly spaced, the last one kept.
pub fn thin<T: Copy>(v: &[T], n: usize) -> Vec<T> {
    if v.len() <= n || n < 2 {
        return v.to_vec();
    }
    let step = (v.len() - 1) as f64 / (n - 1) as f64;
    (0..n).map(|i| v[((i as f64 * step).round() as usize).min(v.len() - 1)]).collect()
}

/// One decision, as a `--steps-csv` row.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// Record time of the observation, Unix ms.
    pub ts_ms: i64,
    /// Market.
    pub market: String,
    /// Sequence number of its last record.
    pub seq: u64,
    /// The observation.
    pub obs: [f32; crate::features::OBS_LEN],
    /// Action chosen.
    pub action: usize,
    /// Its probabilities.
    pub probs: [f32; N_ACTIONS],
    /// Why nothing was sent, if nothing was.
    pub skipped: Option<&'static str>,
    /// Position in the market after the step, contracts.
    pub position: f64,
    /// Cash after the step, cents.
    pub cash_cents: f64,
    /// Value after the step, cents.
    pub value_cents: f64,
}

/// Writes the `--steps-csv` header.
pub fn write_header(out: &mut impl Write) -> std::io::Result<()> {
    write!(out, "ts_ms,market,seq,action,name,")?;
    for n in ACTION_NAMES {
        write!(out, "p_{n},")?;
    }
    write!(out, "skipped,position,cash_cents,value_cents")?;
    for n in FEATURE_NAMES {
        write!(out, ",{n}")?;
    }
    writeln!(out)
}

/// Writes one `--steps-csv` row.
pub fn write_row(out: &mut impl Write, r: &StepRow) -> std::io::Result<()> {
    write!(out, "{},{},{},{},{},", r.ts_ms, r.market, r.seq, r.action, ACTION_NAMES[r.action])?;
    for p in r.probs {
        write!(out, "{p},")?;
    }
    write!(out, "{},{},{},{}", r.skipped.unwrap_or(""), r.position, r.cash_cents, r.value_cents)?;
    for v in r.obs {
        write!(out, ",{v}")?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(v: f64) -> SeriesPoint {
        SeriesPoint { ts_ms: 0, value_cents: v, exposure: Money::ZERO }
    }

    #[test]
    fn drawdown_is_the_largest_fall_from_a_previous_peak() {
        let mut t = Tally::default();
        for v in [100.0, 120.0, 90.0, 130.0, 100.0, 125.0] {
            t.point(pt(v));
        }
        assert_eq!(t.max_drawdown_cents, 30.0);
        let mut up = Tally::default();
        for v in [1.0, 2.0, 3.0] {
            up.point(pt(v));
        }
        assert_eq!(up.max_drawdown_cents, 0.0);
    }

    #[test]
    fn thinning_keeps_the_ends_and_spacing() {
        let v: Vec<u32> = (0..1001).collect();
        let t = thin(&v, 5);
        assert_eq!(t, [0, 250, 500, 750, 1000]);
        assert_eq!(thin(&v[..3], 5), [0, 1, 2]);
    }
}
