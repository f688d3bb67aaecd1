//! `Ladder`: the resting size at every tick of one side, with an occupancy bitmap so the
//! best (highest) level is found in a few word scans after it empties.

/// Sizes (hundredths of a contract) per tick, plus cached aggregates.
#[derive(Debug, Clone)]
pub struct Ladder {
    sizes: Box<[i64]>,
    occupied: Box<[u64]>,
    best: Option<u16>,
    levels: u32,
    total: i64,
}

/// What one delta did to a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelChange {
    /// The level now has this positive size.
    Sized(i64),
    /// The level reached exactly zero and was removed.
    Removed,
    /// The delta would have taken the level below zero; the level was removed.
    WentNegative,
    /// A negative delta on an absent level; nothing changed.
    RemovedAbsent,
}

impl Ladder {
    /// An empty ladder of `ticks` levels.
    pub fn new(ticks: usize) -> Ladder {
        Ladder {
            sizes: vec![0; ticks].into_boxed_slice(),
            occupied: vec![0; ticks.div_ceil(64)].into_boxed_slice(),
            best: None,
            levels: 0,
            total: 0,
        }
    }

    /// Removes every level.
    pub fn clear(&mut self) {
        self.sizes.fill(0);
        self.occupied.fill(0);
        self.best = None;
        self.levels = 0;
        self.total = 0;
    }

    /// Size at `tick` (0 when absent or out of range).
    #[inline]
    pub fn size(&self, tick: u16) -> i64 {
        self.sizes.get(usize::from(tick)).copied().unwrap_or(0)
    }

    /// Adds `delta` at `tick` (callers pass ticks from the ladder's grid).
    #[inline]
    pub fn add(&mut self, tick: u16, delta: i64) -> LevelChange {
        let i = usize::from(tick);
        let Some(slot) = self.sizes.get_mut(i) else {
            return LevelChange::RemovedAbsent;
        };
        let old = *slot;
        if old == 0 && delta <= 0 {
            return LevelChange::RemovedAbsent;
        }
        let new = old.saturating_add(delta);
        if new > 0 {
            *slot = new;
            self.total += new - old;
            if old == 0 {
                self.levels += 1;
                self.occupied[i >> 6] |= 1 << (i & 63);
                if self.best.is_none_or(|b| tick > b) {
                    self.best = Some(tick);
                }
            }
            return LevelChange::Sized(new);
        }
        *slot = 0;
        self.total -= old;
        self.levels -= 1;
        self.occupied[i >> 6] &= !(1 << (i & 63));
        if self.best == Some(tick) {
            self.best = self.highest_at_or_below(i);
        }
        if new == 0 {
            LevelChange::Removed
        } else {
            LevelChange::WentNegative
        }
    }

    /// Sets `tick` to `size` (≥ 0); used to load snapshots.
    pub fn set(&mut self, tick: u16, size: i64) {
        let current = self.size(tick);
        if size != current {
            self.add(tick, size - current);
        }
    }

    fn highest_at_or_below(&self, i: usize) -> Option<u16> {
        let mut w = i >> 6;
        let mut word = self.occupied.get(w).copied().unwrap_or(0) & (u64::MAX >> (63 - (i & 63)));
        loop {
            if word != 0 {
                return Some((w * 64 + 63 - word.leading_zeros() as usize) as u16);
            }
            if w == 0 {
                return None;
            }
            w -= 1;
            word = self.occupied[w];
        }
    }

    /// Best (highest) occupied tick and its size.
    #[inline]
    pub fn best(&self) -> Option<(u16, i64)> {
        self.best.map(|t| (t, self.size(t)))
    }

    /// Number of occupied levels.
    pub fn levels(&self) -> u32 {
        self.levels
    }

    /// Sum of all sizes.
    pub fn total(&self) -> i64 {
        self.total
    }

    /// Occupied levels from the best downward: one pass over the occupancy words, each set
    /// bit taken off the word in hand, ending at the last occupied level (not at tick 0).
    pub fn iter_desc(&self) -> impl Iterator<Item = (u16, i64)> + '_ {
        let mut left = self.levels;
        let (mut w, mut word) = match self.best {
            Some(b) => {
                let i = usize::from(b);
                (i >> 6, self.occupied.get(i >> 6).copied().unwrap_or(0) & (u64::MAX >> (63 - (i & 63))))
            }
            None => (0, 0),
        };
        std::iter::from_fn(move || loop {
            if left == 0 {
                return None;
            }
            if word != 0 {
                left -= 1;
                let bit = 63 - word.leading_zeros() as usize;
                word &= !(1u64 << bit);
                let i = w * 64 + bit;
                return Some((i as u16, self.sizes.get(i).copied().unwrap_or(0)));
            }
            if w == 0 {
                return None;
            }
            w -= 1;
            word = self.occupied.get(w).copied().unwrap_or(0);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_best_and_totals() {
        let mut l = Ladder::new(200);
        assert_eq!(l.add(10, 500), LevelChange::Sized(500));
        assert_eq!(l.add(130, 100), LevelChange::Sized(100));
        assert_eq!(l.best(), Some((130, 100)));
        assert_eq!(l.add(130, -100), LevelChange::Removed);
        assert_eq!(l.best(), Some((10, 500)));
        assert_eq!(l.add(10, -600), LevelChange::WentNegative);
        assert_eq!(l.best(), None);
        assert_eq!(l.add(5, -1), LevelChange::RemovedAbsent);
        assert_eq!((l.levels(), l.total()), (0, 0));
    }

    #[test]
    fn iterates_best_first_across_words() {
        let mut l = Ladder::new(10_001);
        for t in [0u16, 63, 64, 5000, 10_000] {
            l.set(t, i64::from(t) + 1);
        }
        let ticks: Vec<u16> = l.iter_desc().map(|(t, _)| t).collect();
        assert_eq!(ticks, vec![10_000, 5000, 64, 63, 0]);
        l.clear();
        assert_eq!(l.iter_desc().count(), 0);
    }

    #[test]
    fn iteration_equals_a_scan_of_every_tick_after_random_changes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut l = Ladder::new(1_001);
        for step in 0..20_000 {
            let t = rng.gen_range(0..1_001u16);
            l.add(t, rng.gen_range(-50..100));
            if step % 97 == 0 {
                let scan: Vec<(u16, i64)> =
                    (0..1_001u16).rev().filter(|&t| l.size(t) > 0).map(|t| (t, l.size(t))).collect();
                assert_eq!(l.iter_desc().collect::<Vec<_>>(), scan);
                assert_eq!(scan.len(), l.levels() as usize);
            }
        }
    }
}
