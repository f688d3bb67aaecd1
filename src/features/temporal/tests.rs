//! Temporal feature tests: hand-computed cases for every rule and edge case.
use super::*;
use crate::domain::{Count, Price};

/// A book with YES bid `yb` and YES ask `ya` (cents), `size` contracts on each.
fn bk(yb: u16, ya: u16, size: i64) -> MarketBook {
    let c = Count::contracts(size);
    MarketBook::new(&[(Price::from_cents(yb).unwrap(), c)], &[(Price::from_cents(100 - ya).unwrap(), c)])
}
fn vp(ts_ms: i64, act: f64, mid: Option<f64>) -> ViewPoint {
    ViewPoint { ts_ms, time_gap: 0.0, activity_score: act, momentum: 0.0, yes_mid_cents: mid }
}
const NOON_THU: LocalTime = LocalTime { hour: 12, weekday_from_monday: 3 };
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn updates_group_by_exact_ms_and_keep_the_latest_state() {
    let mut s = PointStream::new();
    assert!(s.push(1000, "A", bk(40, 42, 1)).is_none());
    assert!(s.push(1000, "B", bk(10, 20, 2)).is_none());
    assert!(s.push(1000, "A", bk(41, 43, 3)).is_none());
    assert_eq!(s.latest("A"), None, "the point is still open");
    let p = s.push(1500, "A", bk(41, 43, 5)).unwrap();
    assert_eq!(p.ts_ms, 1000);
    assert_eq!(s.latest("A"), Some(&bk(41, 43, 3)), "as of the closed point");
    assert_eq!(*p.markets["A"], bk(41, 43, 3));
    // First point: gap 0, momentum 0, activity from the normal formula (module doc):
    // k = 2, V = 4·3 + 4·2 = 20 (each level counts in a bid book and an ask book).
    assert_eq!((p.time_gap, p.momentum), (0.0, 0.0));
    close(p.activity_score, 2.0 * 21f64.ln() / 1000.0);
    assert_eq!(s.points(), 1);
    let q = s.close().unwrap();
    assert_eq!(q.time_gap, 0.5);
    close(q.activity_score, 21f64.ln() / 1000.0);
    assert!(s.close().is_none());
    assert_eq!(s.latest_yes_mid_cents("A"), Some(42.0));
    assert_eq!(s.latest_yes_mid_cents("C"), None);
    assert_eq!(q.price("A"), 0.42);
    assert_eq!(q.price("B"), 0.5, "not in the point: 50 cents");
}

#[test]
fn single_point_stream() {
    let mut s = PointStream::new();
    s.push(7, "A", MarketBook::default());
    let p = s.close().unwrap();
    assert_eq!((p.time_gap, p.activity_score, p.momentum), (0.0, 0.0, 0.0));
    assert_eq!(s.points(), 1);
    let (hist, cur) = s.view("A").unwrap();
    assert!(hist.is_empty());
    assert_eq!(cur.ts_ms, 7);
    assert!(s.view("B").is_none());
}

#[test]
fn activity_score_caps_at_one() {
    let mut s = PointStream::new();
    s.push(1, "A", bk(40, 60, 1_000_000_000));
    assert!(s.close().unwrap().activity_score < 1.0);
    // 40 markets, V = 40·4·10^10: 40·ln(1 + V)/1000 ≈ 1.12 → 1.
    for i in 0..40 {
        s.push(2, &format!("M{i}"), bk(40, 60, 10_000_000_000));
    }
    assert_eq!(s.close().unwrap().activity_score, 1.0);
}

#[test]
fn momentum_over_all_markets_seen_so_far() {
    let mut s = PointStream::new();
    // A: mids 40, 42, 45 → r = 3, q = 2 → tanh(0.5). B: mids 50, 50, 51 → q = 0, skipped.
    for (ts, a, b) in [(1, 40, 50), (2, 42, 50), (3, 45, 51)] {
        s.push(ts, "A", bk(a - 1, a + 1, 1));
        s.push(ts, "B", bk(b - 1, b + 1, 1));
    }
    let p = s.close().unwrap();
    close(p.momentum, 0.5f64.tanh());
    // A point with only B (mid 51 → r = 0, q = 1 → tanh(−1)); A still counts.
    s.push(4, "B", bk(50, 52, 1));
    let p = s.close().unwrap();
    close(p.momentum, (0.5f64.tanh() + (-1f64).tanh()) / 2.0);
    // A point with only C (no mid, no contribution of its own).
    s.push(5, "C", bk(50, 52, 1));
    s.push(5, "C", MarketBook::new(&[], &[]));
    assert_eq!(s.close().unwrap().momentum, p.momentum);
    assert_eq!(s.view("C").unwrap().1.yes_mid_cents, None);
}

#[test]
fn view_keeps_ten_points_of_history() {
    let mut s = PointStream::new();
    for ts in 0..12 {
        s.push(ts * 1000, "A", bk(40, 42, 1));
        s.push(ts * 1000, if ts == 5 { "A" } else { "B" }, bk(1, 99, 1));
    }
    s.close();
    let (hist, cur) = s.view("A").unwrap();
    assert_eq!((hist.len(), cur.ts_ms, hist[0].ts_ms), (10, 11_000, 1000));
    assert_eq!(cur.time_gap, 1.0);
    assert_eq!(hist[4].yes_mid_cents, Some(50.0), "latest state of A at ts 5");
}

#[test]
fn first_point_features() {
    let cur = ViewPoint { ts_ms: 0, time_gap: 30.0, activity_score: 0.3, momentum: 0.25, yes_mid_cents: None };
    let f = temporal_features(&[], &cur, NOON_THU);
    let want = [0.1, 3.0 / 7.0, 0.5, 0.3, 0.0, 0.1, 0.0, 0.0, 0.0, 0.25, 0.1, 0.5, 0.5, 0.0];
    for (a, b) in f.iter().zip(want) {
        close(*a, b);
    }
}

#[test]
fn time_gap_and_clock() {
    let at = |gap: f64, hour: u32| {
        let cur = ViewPoint { time_gap: gap, ..vp(0, 0.0, None) };
        temporal_features(&[], &cur, LocalTime { hour, weekday_from_monday: 6 })
    };
    assert_eq!(at(600.0, 9)[0..3], [1.0, 0.0, 1.0]);
    assert_eq!(at(-5.0, 16)[0..2], [0.0, 1.0]);
    assert_eq!(at(0.0, 8)[1], 0.0);
    assert_eq!(at(0.0, 17)[1], 0.0);
}

#[test]
fn activity_change_and_update_frequency() {
    let f = temporal_features(&[vp(0, 0.1, None)], &vp(500, 0.4, None), NOON_THU);
    close(f[4], 0.3f64.tanh());
    assert_eq!(f[5], 0.1, "fewer than 2 in R");
    // span 0.5 s < 1 s → (2/1)/2 = 1.
    let f = temporal_features(&[vp(0, 0.0, None), vp(200, 0.0, None)], &vp(500, 0.0, None), NOON_THU);
    assert_eq!(f[5], 1.0);
    let f = temporal_features(&[vp(0, 0.0, None), vp(4000, 0.0, None)], &vp(8000, 0.0, None), NOON_THU);
    assert_eq!(f[5], 0.125);
    // R = the last 5 of 7: span from ts 2000 to 12 000 → (5/10)/2.
    let h: Vec<ViewPoint> = (0..7).map(|i| vp(i * 1000, 0.0, None)).collect();
    assert_eq!(temporal_features(&h, &vp(12_000, 0.0, None), NOON_THU)[5], 0.25);
}

#[test]
fn burst_quiet_trend() {
    let acts = |a: &[f64]| a.iter().map(|&x| vp(0, x, None)).collect::<Vec<_>>();
    let f = temporal_features(&acts(&[0.0, 0.0, 0.0]), &vp(0, 1.0, None), NOON_THU);
    assert_eq!((f[6], f[7]), (1.0, 0.0));
    // W = [0, 0, 1]: mean + 1.5·std = 1.04 > 1 → no burst.
    assert_eq!(temporal_features(&acts(&[0.0, 0.0]), &vp(0, 1.0, None), NOON_THU)[6], 0.0);
    // W = [.5 ×4, .1]: mean .42, std .16 → .1 < .26 → quiet.
    let f = temporal_features(&acts(&[0.5; 4]), &vp(0, 0.1, None), NOON_THU);
    assert_eq!((f[6], f[7]), (0.0, 1.0));
    close(f[8], (10.0 * -0.08f64).tanh());
    let f = temporal_features(&acts(&[0.0, 0.1, 0.2, 0.3]), &vp(0, 0.4, None), NOON_THU);
    close(f[8], 1f64.tanh());
    assert_eq!(temporal_features(&acts(&[0.0, 0.1, 0.2]), &vp(0, 0.3, None), NOON_THU)[8], 0.0);
    // Only the last 10 history points enter W.
    let mut long = acts(&[9.0; 3]);
    long.extend(acts(&[0.0; 10]));
    assert_eq!(temporal_features(&long, &vp(0, 0.0, None), NOON_THU)[8], 0.0);
}

#[test]
fn volatility_and_consistency() {
    let mids = [Some(49.0), Some(50.0), Some(51.0), Some(53.0), Some(53.0), None];
    let h: Vec<ViewPoint> = mids.iter().map(|&m| vp(0, 0.1, m)).collect();
    let f = temporal_features(&h, &vp(0, 0.4, Some(54.0)), NOON_THU);
    // P = last 5 + current: changes 1, 2, 0 → std √(2/3).
    close(f[10], (2f64 / 3.0).sqrt() / 5.0);
    // activities [.1 ×5, .4]: std √.0125.
    close(f[11], 1.0 - 0.0125f64.sqrt() / 0.3);
    assert_eq!(temporal_features(&h[1..5], &vp(0, 0.4, Some(54.0)), NOON_THU)[10..12], [0.1, 0.5]);
    let none: Vec<ViewPoint> = (0..5).map(|_| vp(0, 0.0, None)).collect();
    assert_eq!(temporal_features(&none, &vp(0, 2.0, Some(1.0)), NOON_THU)[10..12], [0.1, 0.0]);
    let big: Vec<ViewPoint> = [0.0, 90.0, 0.0, 90.0, 0.0].iter().map(|&m| vp(0, 0.0, Some(m))).collect();
    assert_eq!(temporal_features(&big, &vp(0, 0.0, Some(90.0)), NOON_THU)[10], 0.0, "std of equal changes");
}

#[test]
fn price_stability_uses_history_only() {
    let with = |m: &[Option<f64>]| m.iter().map(|&x| vp(0, 0.0, x)).collect::<Vec<_>>();
    let cur = vp(0, 0.0, Some(99.0));
    close(temporal_features(&with(&[Some(50.0), Some(52.0), Some(55.0)]), &cur, NOON_THU)[12], 0.5);
    let h = with(&[Some(10.0), Some(50.0), Some(52.0), Some(55.0)]);
    assert_eq!(temporal_features(&h, &cur, NOON_THU)[12], 0.0);
    let h = with(&[Some(0.0), Some(50.0), Some(51.0), None, Some(70.0)]);
    close(temporal_features(&h, &cur, NOON_THU)[12], 0.8);
    assert_eq!(temporal_features(&with(&[None, None, None]), &cur, NOON_THU)[12], 0.5);
    assert_eq!(temporal_features(&with(&[Some(0.0), Some(50.0)]), &cur, NOON_THU)[12], 0.5);
}

#[test]
fn activity_persistence() {
    let acts = |a: &[f64]| a.iter().map(|&x| vp(0, x, None)).collect::<Vec<_>>();
    close(temporal_features(&acts(&[0.9, 0.5, 0.5, 0.55]), &vp(0, 0.5, None), NOON_THU)[13], 0.4);
    assert_eq!(temporal_features(&acts(&[0.5, 0.5]), &vp(0, 0.5, None), NOON_THU)[13], 0.0);
    assert_eq!(temporal_features(&acts(&[0.5; 10]), &vp(0, 0.5, None), NOON_THU)[13], 1.0);
    // Scan stops at index len − 9: h[0] is never visited.
    let mut h = acts(&[0.9]);
    h.extend(acts(&[0.5; 8]));
    h.push(vp(0, 0.9, None));
    close(temporal_features(&h, &vp(0, 0.5, None), NOON_THU)[13], 0.1);
    close(temporal_features(&h[..9], &vp(0, 0.5, None), NOON_THU)[13], 0.9);
}

#[test]
fn stack_buffers_equal_the_vector_reference_to_the_bit() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(34);
    for _ in 0..20_000 {
        let n = rng.gen_range(0..14);
        let mut ts = rng.gen_range(0..1_000_000i64);
        let mut point = |rng: &mut rand::rngs::StdRng| {
            ts += rng.gen_range(0..3000);
            let act = if rng.gen_bool(0.3) { 0.5 } else { rng.gen_range(0.0..1.0) };
            let mid = rng.gen_bool(0.8).then(|| f64::from(rng.gen_range(1u32..9999)) / 100.0);
            ViewPoint {
                ts_ms: ts,
                time_gap: rng.gen_range(0.0..400.0),
                activity_score: act,
                momentum: 0.1,
                yes_mid_cents: mid,
            }
        };
        let history: Vec<ViewPoint> = (0..n).map(|_| point(&mut rng)).collect();
        let cur = point(&mut rng);
        let time = LocalTime { hour: rng.gen_range(0..24), weekday_from_monday: rng.gen_range(0..7) };
        let fast = temporal_features(&history, &cur, time).map(f64::to_bits);
        assert_eq!(fast, reference_temporal_features(&history, &cur, time).map(f64::to_bits), "{history:?} {cur:?}");
    }
}

/// The reference's mid changes.
fn ref_mid_changes<'a>(pairs: impl Iterator<Item = (&'a ViewPoint, &'a ViewPoint)>) -> Vec<f64> {
    pairs.filter_map(|(a, b)| Some((b.yes_mid_cents? - a.yes_mid_cents?).abs())).collect()
}

/// The features as first written, with a vector per intermediate list: the reference the
/// stack-buffer version must equal to the bit.
fn reference_temporal_features(history: &[ViewPoint], cur: &ViewPoint, time: LocalTime) -> [f64; TEMPORAL_LEN] {
    let h = &history[history.len().saturating_sub(HISTORY_LEN)..];
    let len = h.len();
    let act = cur.activity_score;
    let mut w: Vec<f64> = h.iter().map(|p| p.activity_score).collect();
    w.push(act);

    let activity_change = h.last().map_or(0.0, |p| (act - p.activity_score).tanh());
    let r = &h[len.saturating_sub(5)..];
    let update_frequency = if r.len() < 2 {
        0.1
    } else {
        let span = (cur.ts_ms - r[0].ts_ms) as f64 / 1000.0;
        ((r.len() as f64 / span.max(1.0)) / 2.0).min(1.0)
    };
    let (wm, ws) = (mean(&w).unwrap_or(0.0), std(&w));
    let burst = if w.len() >= 3 && act > wm + 1.5 * ws { 1.0 } else { 0.0 };
    let quiet = if w.len() >= 3 && act < wm - ws { 1.0 } else { 0.0 };
    let trend = if w.len() >= 5 { (10.0 * slope(&w)).tanh() } else { 0.0 };

    let (volatility, consistency) = if len >= 5 {
        let mut p: Vec<ViewPoint> = h[len - 5..].to_vec();
        p.push(*cur);
        let ch = ref_mid_changes(p.windows(2).map(|x| (&x[0], &x[1])));
        let vol = if ch.is_empty() { 0.1 } else { (std(&ch) / 5.0).min(1.0) };
        let acts: Vec<f64> = p.iter().map(|x| x.activity_score).collect();
        (vol, (1.0 - std(&acts) / 0.3).max(0.0))
    } else {
        (0.1, 0.5)
    };
    let stability = if len >= 3 {
        let ch = ref_mid_changes((len - 3..len).filter(|&i| i > 0).map(|i| (&h[i - 1], &h[i])));
        mean(&ch).map_or(0.5, |m| (1.0 - m / 5.0).max(0.0))
    } else {
        0.5
    };
    let persistence = if len >= 3 {
        let mut count = 1.0;
        for i in (len.saturating_sub(9)..len).rev() {
            if (h[i].activity_score - act).abs() <= 0.1 {
                count += 1.0;
            } else {
                break;
            }
        }
        f64::min(count / 10.0, 1.0)
    } else {
        0.0
    };
    let hour = time.hour;
    [
        (cur.time_gap.max(0.0) / 300.0).min(1.0),
        if (9..=16).contains(&hour) { (f64::from(hour) - 9.0) / 7.0 } else { 0.0 },
        f64::from(time.weekday_from_monday) / 6.0,
        act,
        activity_change,
        update_frequency,
        burst,
        quiet,
        trend,
        cur.momentum,
        volatility,
        consistency,
        stability,
        persistence,
    ]
}
