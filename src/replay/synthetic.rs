//! Synthetic sessions for tests and examples: a market whose YES mid walks a known path, one
//! full snapshot per update, so the best action at every point is known in advance.

use crate::domain::{Count, Price};
use crate::storage::BookRecord;

/// A market whose YES bid/ask are `mid − 1¢` / `mid + 1¢`, with `mids[i]` (cents) at
/// update `i`, `step_ms` apart from `start_ms`; 50 contracts on each side.
pub fn path(market: &str, mids: &[u16], start_ms: i64, step_ms: i64) -> Vec<BookRecord> {
    mids.iter()
        .enumerate()
        .filter_map(|(i, &mid)| {
            let bid = Price::from_cents(mid.checked_sub(1)?).ok()?;
            // The YES ask is the complement of the best NO bid.
            let no_bid = Price::from_cents(100u16.checked_sub(mid + 1)?).ok()?;
            Some(BookRecord::Snapshot {
                market: market.to_owned(),
                sid: 1,
                seq: i as u64 + 1,
                recv_ms: start_ms + i as i64 * step_ms,
                exchange_ts_ms: None,
                yes: vec![(bid, Count::contracts(50))],
                no: vec![(no_bid, Count::contracts(50))],
            })
        })
        .collect()
}

/// A steady rise: the mid goes from `from` to `to` cents over `n` updates.
pub fn rising(market: &str, from: u16, to: u16, n: usize, start_ms: i64, step_ms: i64) -> Vec<BookRecord> {
    let mids: Vec<u16> = (0..n)
        .map(|i| {
            let f = i as f64 / (n.max(2) - 1) as f64;
            (f64::from(from) + f * (f64::from(to) - f64::from(from))).round() as u16
        })
        .collect();
    path(market, &mids, start_ms, step_ms)
}

/// A busy session: `markets` markets, `n` records in all (a snapshot per market, then
/// deltas), `gap_ms` apart, seeded: sizes change at the levels near the touch and the touch
/// wanders, as in a real book.
pub fn random_walk(markets: usize, n: usize, gap_ms: i64, seed: u64) -> Vec<BookRecord> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let names: Vec<String> = (0..markets).map(|i| format!("SYN-{i:03}")).collect();
    // Each market: YES bids 36..=45, NO bids 46..=55 (YES asks 45..=54 → spread ≥ 1¢).
    let mut seq = vec![1u64; markets];
    let mut out = Vec::with_capacity(n);
    for (i, m) in names.iter().enumerate() {
        let levels =
            |lo: u16| (lo..lo + 10).filter_map(|c| Some((Price::from_cents(c).ok()?, Count::contracts(20)))).collect();
        out.push(BookRecord::Snapshot {
            market: m.clone(),
            sid: 1,
            seq: 1,
            recv_ms: i as i64,
            exchange_ts_ms: None,
            yes: levels(36),
            no: levels(46),
        });
    }
    // Sizes of the 20 levels of each market (YES 0..10, NO 10..20), kept positive.
    let mut sizes = vec![[20i64; 20]; markets];
    let mut t = markets as i64;
    while out.len() < n {
        let k = rng.gen_range(0..markets);
        seq[k] += 1;
        t += gap_ms;
        let level = rng.gen_range(0..20usize);
        let (side, base) =
            if level < 10 { (crate::domain::Outcome::Yes, 36) } else { (crate::domain::Outcome::No, 36) };
        let price = Price::from_cents(base + level as u16).unwrap_or(Price::ZERO);
        let delta = if sizes[k][level] <= 3 || rng.gen_bool(0.5) { 3 } else { -3 };
        sizes[k][level] += delta;
        out.push(BookRecord::Delta {
            market: names[k].clone(),
            sid: 1,
            seq: seq[k],
            recv_ms: t,
            exchange_ts_ms: None,
            side,
            price,
            delta: Count::contracts(delta),
        });
    }
    out
}
