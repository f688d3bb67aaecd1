//! The markets the simulator lists: a fixed, realistic catalog (eight `linear_cent` markets
//! and one sub-cent market), their 2026 `Market` objects built from the engine's live state,
//! the `GET /markets` filters and cursor pagination, and the optional lifecycle schedule.
//!
//! Tickers never depend on the start time, so configurations and tests can name them; the
//! dates inside them are decorative.

mod query;
mod rest;
#[cfg(test)]
mod tests;

pub use query::{page, status_matches, MarketQuery, PageError, QueryError};

use serde::{Deserialize, Serialize};

use super::engine::{Engine, EngineEvent, MarketSpec, PPM};
use crate::domain::{Outcome, Price};
use crate::kalshi::rest::{MarketStatus, PriceLevelStructure, PriceRange, StrikeType};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Displayed `close_time` when no close is scheduled.
const NOMINAL_CLOSE_MS: i64 = 30 * DAY_MS;

/// Which markets to list and when they close. Loaded from the `sim.catalog` config section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogConfig {
    /// Number of `linear_cent` markets (default 8; more than 8 adds Bitcoin strikes).
    pub markets: usize,
    /// Also list one `tapered_deci_cent` market (default true).
    pub include_sub_cent: bool,
    /// Creation and open time of every market, Unix ms (default 2026-11-20T14:00:00Z).
    pub start_ms: i64,
    /// Close every market this long after `start_ms` (default `None`: never close).
    pub close_after_ms: Option<i64>,
    /// Settle this long after the close (default `None`: never settle; needs a close).
    pub settle_after_ms: Option<i64>,
}

impl Default for CatalogConfig {
    fn default() -> CatalogConfig {
        CatalogConfig {
            markets: 8,
            include_sub_cent: true,
            start_ms: 1_795_183_200_000,
            close_after_ms: None,
            settle_after_ms: None,
        }
    }
}

/// One listed market: static metadata plus what the engine needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogMarket {
    /// What to register with [`Engine::add_market`].
    pub spec: MarketSpec,
    /// Series ticker (`GET /markets?series_ticker=`).
    pub series_ticker: String,
    /// Question shown to users (deprecated `title`, still sent).
    pub title: String,
    /// Short label of the YES outcome.
    pub yes_sub_title: String,
    /// Short label of the NO outcome.
    pub no_sub_title: String,
    /// Primary rules text.
    pub rules_primary: String,
    /// Grid name matching `spec.price_ranges`.
    pub price_level_structure: PriceLevelStructure,
    /// How the strike is expressed, with its floor and cap.
    pub strike: (Option<StrikeType>, Option<f64>, Option<f64>),
    /// Initial fair value of YES (10¢–90¢): where the synthetic flow starts quoting.
    pub initial_fair: Price,
    /// Creation and open time, Unix ms.
    pub open_ms: i64,
    /// Displayed `close_time`, Unix ms (the scheduled close, or a nominal one).
    pub close_ms: i64,
    /// Scheduled close, Unix ms; `None` never closes.
    pub close_at_ms: Option<i64>,
    /// Scheduled settlement, Unix ms; `None` never settles.
    pub settle_at_ms: Option<i64>,
    /// When the market was settled; [`advance_lifecycle`] sets it, a server settling by
    /// hand should too (it becomes `settlement_ts`).
    pub settled_ms: Option<i64>,
}

/// Static part of a catalog entry.
struct Template {
    ticker: &'static str,
    title: &'static str,
    yes: &'static str,
    no: &'static str,
    strike: (Option<StrikeType>, Option<f64>, Option<f64>),
    fair_cents: u16,
    fee_ppm: u32,
}

const fn t(
    ticker: &'static str,
    title: &'static str,
    yes: &'static str,
    no: &'static str,
    strike: (Option<StrikeType>, Option<f64>, Option<f64>),
    fair_cents: u16,
) -> Template {
    Template { ticker, title, yes, no, strike, fair_cents, fee_ppm: PPM }
}

const GT: Option<StrikeType> = Some(StrikeType::Greater);
const BETWEEN: Option<StrikeType> = Some(StrikeType::Between);

const LINEAR: [Template; 8] = [
    t("KXFEDDECISION-26DEC-H0", "Fed decision in Dec 2026?", "Hold rate", "Not hold", (None, None, None), 62),
    t(
        "KXBTCD-26NOV2617-T97499.99",
        "Bitcoin price on Nov 26, 2026 at 5pm EST?",
        "$97,500 or above",
        "Below $97,500",
        (GT, Some(97_499.99), None),
        48,
    ),
    t(
        "KXHIGHNY-26NOV26-B48.5",
        "Highest temperature in NYC on Nov 26, 2026?",
        "48° to 49°",
        "48° to 49°",
        (BETWEEN, Some(48.0), Some(49.0)),
        23,
    ),
    t(
        "KXNBAGAME-26NOV26LALBOS-LAL",
        "Los Angeles L at Boston Winner?",
        "Los Angeles L",
        "Los Angeles L",
        (None, None, None),
        41,
    ),
    Template {
        fee_ppm: PPM / 2,
        ..t(
            "INXD-26NOV26-B6100",
            "S&P 500 price range on Nov 26, 2026?",
            "6,075 to 6,124.9999",
            "6,075 to 6,124.9999",
            (BETWEEN, Some(6075.0), Some(6124.9999)),
            31,
        )
    },
    t(
        "KXCPIYOY-26NOV-T2.8",
        "CPI year-over-year in Oct 2026?",
        "Above 2.8%",
        "2.8% or below",
        (GT, Some(2.8), None),
        55,
    ),
    t(
        "KXETHD-26NOV2617-T3499.99",
        "Ethereum price on Nov 26, 2026 at 5pm EST?",
        "$3,500 or above",
        "Below $3,500",
        (GT, Some(3_499.99), None),
        67,
    ),
    t(
        "KXNFLGAME-26NOV26KCDAL-KC",
        "Kansas City at Dallas Winner?",
        "Kansas City",
        "Kansas City",
        (None, None, None),
        58,
    ),
];

const SUB_CENT: Template = t(
    "KXBTC-26NOV2617-B101250",
    "Bitcoin price range on Nov 26, 2026 at 5pm EST?",
    "$101,000 to 101,499.99",
    "$101,000 to 101,499.99",
    (BETWEEN, Some(101_000.0), Some(101_499.99)),
    12,
);

fn price(cc: u16) -> Price {
    Price::from_centicents(i64::from(cc)).unwrap_or(Price::ZERO)
}

fn band(start: u16, end: u16, step: u16) -> PriceRange {
    PriceRange { start: price(start), end: price(end), step: price(step) }
}

/// The catalog: `cfg.markets` `linear_cent` markets, then the sub-cent one if enabled.
pub fn default_markets(cfg: &CatalogConfig) -> Vec<CatalogMarket> {
    let mut out = Vec::new();
    for i in 0..cfg.markets {
        match LINEAR.get(i) {
            Some(t) => out.push(build(cfg, t, t.ticker, t.yes, t.no)),
            None => {
                // Extra Bitcoin strikes, $500 apart above the listed one.
                let floor = 97_499.99 + 500.0 * (i + 1 - LINEAR.len()) as f64;
                let base = &LINEAR[1];
                let fair = (i.wrapping_mul(37) % 81) as u16 + 10;
                let tpl = t(base.ticker, base.title, "", "", (GT, Some(floor), None), fair);
                let (yes, no) = (format!("${:.0} or above", floor + 0.01), format!("Below ${:.0}", floor + 0.01));
                out.push(build(cfg, &tpl, &format!("KXBTCD-26NOV2617-T{floor:.2}"), &yes, &no));
            }
        }
    }
    if cfg.include_sub_cent {
        let mut m = build(cfg, &SUB_CENT, SUB_CENT.ticker, SUB_CENT.yes, SUB_CENT.no);
        m.price_level_structure = PriceLevelStructure::new(PriceLevelStructure::TAPERED_DECI_CENT);
        m.spec.price_ranges = vec![band(0, 1000, 10), band(1000, 9000, 100), band(9000, 10_000, 10)];
        out.push(m);
    }
    out
}

fn build(cfg: &CatalogConfig, tpl: &Template, ticker: &str, yes: &str, no: &str) -> CatalogMarket {
    let mut spec = MarketSpec::linear_cent(ticker);
    spec.fee_multiplier_ppm = tpl.fee_ppm;
    let series = spec.event_ticker.split('-').next().unwrap_or_default().to_owned();
    let close_at_ms = cfg.close_after_ms.map(|d| cfg.start_ms.saturating_add(d));
    let settle_at_ms = close_at_ms.zip(cfg.settle_after_ms).map(|(c, d)| c.saturating_add(d));
    CatalogMarket {
        rules_primary: format!("If the outcome is {yes} for \"{}\", then the market resolves to Yes.", tpl.title),
        spec,
        series_ticker: series,
        title: tpl.title.to_owned(),
        yes_sub_title: yes.to_owned(),
        no_sub_title: no.to_owned(),
        price_level_structure: PriceLevelStructure::new(PriceLevelStructure::LINEAR_CENT),
        strike: tpl.strike,
        initial_fair: Price::from_cents(tpl.fair_cents.clamp(10, 90)).unwrap_or(Price::ZERO),
        open_ms: cfg.start_ms,
        close_ms: close_at_ms.unwrap_or(cfg.start_ms.saturating_add(NOMINAL_CLOSE_MS)),
        close_at_ms,
        settle_at_ms,
        settled_ms: None,
    }
}

impl CatalogMarket {
    /// Market ticker.
    pub fn ticker(&self) -> &str {
        &self.spec.ticker
    }
}

/// Applies the schedule at `now_ms`: closes markets whose close time has passed and
/// settles those whose settlement time has passed. The result is YES when the last trade
/// (or, without trades, the initial fair value) is at least 50¢. Engine refusals are
/// skipped.
pub fn advance_lifecycle(markets: &mut [CatalogMarket], engine: &mut Engine, now_ms: i64) -> Vec<EngineEvent> {
    let mut events = Vec::new();
    for m in markets.iter_mut() {
        let Some(status) = engine.market_status(m.ticker()) else { continue };
        let open = matches!(status, MarketStatus::Initialized | MarketStatus::Active | MarketStatus::Inactive);
        if open && m.close_at_ms.is_some_and(|c| c <= now_ms) {
            events.extend(engine.set_market_status(m.ticker(), MarketStatus::Closed, now_ms).unwrap_or_default());
        }
        if status != MarketStatus::Finalized && m.settle_at_ms.is_some_and(|s| s <= now_ms) {
            let last = engine.last_trade(m.ticker()).map_or(m.initial_fair, |t| t.yes_price);
            let result = if last.centicents() >= 5000 { Outcome::Yes } else { Outcome::No };
            if let Ok(ev) = engine.settle_market(m.ticker(), result, now_ms) {
                m.settled_ms = Some(now_ms);
                events.extend(ev);
            }
        }
    }
    events
}
