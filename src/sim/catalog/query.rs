//! `GET /markets` query handling: the `status`, `tickers`, `event_ticker` and
//! `series_ticker` filters, and cursor pagination shared by every list endpoint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use thiserror::Error;

use super::CatalogMarket;
use crate::kalshi::rest::{MarketFilterStatus, MarketStatus};
use crate::sim::engine::Engine;

/// A bad `GET /markets` filter (answer 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// `status` is not one of `unopened`, `open`, `paused`, `closed`, `settled`.
    #[error("invalid status filter {0:?}")]
    Status(String),
}

/// A bad pagination parameter (answer 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PageError {
    /// `limit` outside 1–1000.
    #[error("limit {0} is outside 1 to 1000")]
    Limit(u32),
}

/// True when a market in `status` passes the `status` filter (§5.3): `closed` covers every
/// state past close but not finalized.
pub fn status_matches(filter: MarketFilterStatus, status: MarketStatus) -> bool {
    use MarketStatus as S;
    match filter {
        MarketFilterStatus::Unopened => status == S::Initialized,
        MarketFilterStatus::Open => status == S::Active,
        MarketFilterStatus::Paused => status == S::Inactive,
        MarketFilterStatus::Closed => matches!(status, S::Closed | S::Determined | S::Disputed | S::Amended),
        MarketFilterStatus::Settled => status == S::Finalized,
    }
}

/// The `GET /markets` filters the simulator honours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketQuery {
    /// One status filter.
    pub status: Option<MarketFilterStatus>,
    /// Only these tickers (empty: all).
    pub tickers: Vec<String>,
    /// Only this event.
    pub event_ticker: Option<String>,
    /// Only this series.
    pub series_ticker: Option<String>,
}

impl MarketQuery {
    /// Builds the query from raw parameters (`tickers` is a comma list; empty values are
    /// ignored). `status=active` and other unknown statuses are refused.
    pub fn parse(
        status: Option<&str>,
        tickers: Option<&str>,
        event_ticker: Option<&str>,
        series_ticker: Option<&str>,
    ) -> Result<MarketQuery, QueryError> {
        let status = match status.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                [
                    MarketFilterStatus::Unopened,
                    MarketFilterStatus::Open,
                    MarketFilterStatus::Paused,
                    MarketFilterStatus::Closed,
                    MarketFilterStatus::Settled,
                ]
                .into_iter()
                .find(|f| f.as_str() == s)
                .ok_or_else(|| QueryError::Status(s.to_owned()))?,
            ),
        };
        let list = tickers.unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty());
        let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(MarketQuery {
            status,
            tickers: list.map(str::to_owned).collect(),
            event_ticker: nonempty(event_ticker),
            series_ticker: nonempty(series_ticker),
        })
    }

    /// The catalog markets passing every filter, in catalog order.
    pub fn select<'a>(&self, markets: &'a [CatalogMarket], engine: &Engine) -> Vec<&'a CatalogMarket> {
        markets
            .iter()
            .filter(|m| self.tickers.is_empty() || self.tickers.iter().any(|t| t == m.ticker()))
            .filter(|m| self.event_ticker.as_ref().is_none_or(|e| *e == m.spec.event_ticker))
            .filter(|m| self.series_ticker.as_ref().is_none_or(|s| *s == m.series_ticker))
            .filter(|m| {
                let status = engine.market_status(m.ticker()).unwrap_or(m.spec.status);
                self.status.is_none_or(|f| status_matches(f, status))
            })
            .collect()
    }
}

/// Cursor pagination: `limit` items (default 100, 1–1000) from the position `cursor`
/// encodes, and the cursor of the next page (`""` on the last). A cursor that does not
/// parse starts from the beginning, as Kalshi silently accepts it.
pub fn page<T: Clone>(items: &[T], limit: Option<u32>, cursor: Option<&str>) -> Result<(Vec<T>, String), PageError> {
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(PageError::Limit(limit));
    }
    let start = cursor.and_then(decode_cursor).unwrap_or(0).min(items.len());
    let end = start.saturating_add(limit as usize).min(items.len());
    let next = if end < items.len() { URL_SAFE_NO_PAD.encode(format!("offset:{end}")) } else { String::new() };
    Ok((items.get(start..end).unwrap_or_default().to_vec(), next))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("offset:")?.parse().ok()
}
