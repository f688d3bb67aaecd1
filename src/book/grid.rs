//! `TickGrid`: a market's price levels (Kalshi's `price_ranges`) mapped to dense tick
//! indices, so a ladder is a plain array and a level update is O(1).

use std::sync::{Arc, OnceLock};

use crate::domain::{Price, ONE_DOLLAR};

use super::BookError;

/// Marks a centi-cent price that is not on the grid.
const OFF_GRID: u16 = u16::MAX;

/// One `{start, end, step}` band of a price level structure, in centi-cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriceBand {
    /// First price of the band.
    pub start: Price,
    /// Last price of the band (inclusive).
    pub end: Price,
    /// Distance between levels; positive.
    pub step: Price,
}

/// The valid prices of one market, ascending, with an O(1) price → tick lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickGrid {
    /// `index[centicents]` = tick, or [`OFF_GRID`].
    index: Box<[u16]>,
    /// `prices[tick]` = price.
    prices: Box<[Price]>,
}

impl TickGrid {
    /// Builds a grid from bands; levels of overlapping bands are merged.
    pub fn from_bands(bands: &[PriceBand]) -> Result<TickGrid, BookError> {
        if bands.is_empty() {
            return Err(BookError::BadGrid("no price ranges".into()));
        }
        let mut on = vec![false; usize::from(ONE_DOLLAR) + 1];
        for b in bands {
            let (start, end, step) = (b.start.centicents(), b.end.centicents(), b.step.centicents());
            if step == 0 || start > end {
                return Err(BookError::BadGrid(format!(
                    "range {}..{} step {} is empty or has a zero step",
                    b.start, b.end, b.step
                )));
            }
            let mut p = start;
            while p <= end {
                on[usize::from(p)] = true;
                p = match p.checked_add(step) {
                    Some(n) => n,
                    None => break,
                };
            }
        }
        Ok(TickGrid::from_mask(&on))
    }

    fn from_mask(on: &[bool]) -> TickGrid {
        let mut index = vec![OFF_GRID; on.len()].into_boxed_slice();
        let mut prices = Vec::new();
        for (cc, _) in on.iter().enumerate().filter(|(_, &v)| v) {
            index[cc] = prices.len() as u16;
            prices.push(Price::from_centicents(cc as i64).unwrap_or(Price::ZERO));
        }
        TickGrid { index, prices: prices.into_boxed_slice() }
    }

    /// Kalshi's `linear_cent` structure: every cent from $0 to $1 (shared instance).
    pub fn linear_cent() -> Arc<TickGrid> {
        static GRID: OnceLock<Arc<TickGrid>> = OnceLock::new();
        GRID.get_or_init(|| Arc::new(TickGrid::uniform(100))).clone()
    }

    /// Every $0.0001: fits any structure; used when a market's grid is not known.
    pub fn centi_cent() -> Arc<TickGrid> {
        static GRID: OnceLock<Arc<TickGrid>> = OnceLock::new();
        GRID.get_or_init(|| Arc::new(TickGrid::uniform(1))).clone()
    }

    fn uniform(step: u16) -> TickGrid {
        let on: Vec<bool> = (0..=ONE_DOLLAR).map(|cc| cc % step == 0).collect();
        TickGrid::from_mask(&on)
    }

    /// The grid seen from the other outcome (`p ↦ $1 − p`); equal to `self` for the
    /// symmetric structures Kalshi uses today.
    pub fn mirrored(&self) -> TickGrid {
        let mut on = vec![false; self.index.len()];
        for p in self.prices.iter() {
            on[usize::from(p.complement().centicents())] = true;
        }
        TickGrid::from_mask(&on)
    }

    /// The tick of `price`, or `None` when the price is not a level of this market.
    #[inline]
    pub fn tick(&self, price: Price) -> Option<u16> {
        match self.index.get(usize::from(price.centicents())) {
            Some(&t) if t != OFF_GRID => Some(t),
            _ => None,
        }
    }

    /// The price of `tick` (callers only pass ticks this grid produced).
    #[inline]
    pub fn price(&self, tick: u16) -> Price {
        self.prices.get(usize::from(tick)).copied().unwrap_or(Price::ZERO)
    }

    /// Number of levels.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// True when the grid has no levels (never for a grid built by this module).
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }

    #[test]
    fn linear_cent_has_101_levels() {
        let g = TickGrid::linear_cent();
        assert_eq!(g.len(), 101);
        assert_eq!(g.tick(p("0.43")), Some(43));
        assert_eq!(g.tick(p("0.4350")), None);
        assert_eq!(g.price(43), p("0.43"));
    }

    #[test]
    fn tapered_deci_cent() {
        let bands = [
            PriceBand { start: p("0"), end: p("0.10"), step: p("0.001") },
            PriceBand { start: p("0.10"), end: p("0.90"), step: p("0.01") },
            PriceBand { start: p("0.90"), end: p("1"), step: p("0.001") },
        ];
        let g = TickGrid::from_bands(&bands).unwrap();
        assert_eq!(g.len(), 101 + 79 + 101);
        assert!(g.tick(p("0.005")).is_some());
        assert!(g.tick(p("0.505")).is_none());
        assert!(g.tick(p("0.995")).is_some());
        assert_eq!(g.mirrored(), g);
    }

    #[test]
    fn asymmetric_grid_mirrors() {
        let bands = [PriceBand { start: p("0.0001"), end: p("0.0003"), step: p("0.0001") }];
        let g = TickGrid::from_bands(&bands).unwrap();
        let m = g.mirrored();
        assert!(m.tick(p("0.9999")).is_some());
        assert!(m.tick(p("0.0001")).is_none());
    }

    #[test]
    fn rejects_bad_bands() {
        assert!(TickGrid::from_bands(&[]).is_err());
        let zero = PriceBand { start: p("0"), end: p("1"), step: p("0") };
        assert!(TickGrid::from_bands(&[zero]).is_err());
    }
}
