//! Fault injection for the simulator (all off by default): what can go wrong on a real
//! exchange connection, on demand and reproducibly from a seed, so the client's recovery
//! paths are exercised for real.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Which faults to inject and how often. Probabilities are per frame or per request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultConfig {
    /// Close every WebSocket connection after this long.
    pub disconnect_every: Option<Duration>,
    /// Probability, per data frame sent, of closing the connection right after it.
    pub disconnect_prob: f64,
    /// Probability, per sequenced frame, of skipping one `seq` number (a gap).
    pub skip_seq_prob: f64,
    /// Probability of sending a data frame twice.
    pub duplicate_prob: f64,
    /// Probability of swapping a data frame with the next one of the same connection.
    pub reorder_prob: f64,
    /// Probability of sending a malformed JSON frame after a data frame.
    pub malformed_prob: f64,
    /// Probability of sending a frame of an unknown `type` after a data frame.
    pub unknown_type_prob: f64,
    /// Probability of sending an `orderbook_delta` with an out-of-range price.
    pub bad_price_prob: f64,
    /// Delay before every order-entry response.
    pub ack_delay: Option<Duration>,
    /// Probability that an order-entry response is never sent (the order still executes).
    pub ack_drop_prob: f64,
    /// Probability of answering a request 429 before processing it.
    pub http_429_prob: f64,
    /// Probability of answering a request 503 before processing it.
    pub http_5xx_prob: f64,
    /// A market whose feed frames are withheld while the socket stays alive.
    pub stall_market: Option<String>,
}

impl FaultConfig {
    /// True when any fault is enabled.
    pub fn any(&self) -> bool {
        *self != FaultConfig::default()
    }
}

/// What the injector decided for one outgoing data frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameFaults {
    /// Send the frame twice.
    pub duplicate: bool,
    /// Hold the frame and send it after the next one.
    pub reorder: bool,
    /// Extra garbage frames to send after it.
    pub extra: Vec<String>,
    /// Close the connection after sending.
    pub disconnect: bool,
}

/// How many faults of each kind were injected (served at `GET /sim/stats`, so a soak can
/// check that every one was detected).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FaultCounts {
    /// Sequence numbers skipped (gaps).
    pub skipped_seq: u64,
    /// Frames sent twice.
    pub duplicated: u64,
    /// Frames swapped with the next.
    pub reordered: u64,
    /// Malformed frames sent.
    pub malformed: u64,
    /// Frames of an unknown type sent.
    pub unknown_type: u64,
    /// Deltas with an out-of-range price sent.
    pub bad_price: u64,
    /// Connections closed at random.
    pub disconnects: u64,
    /// Requests answered 429 by injection.
    pub http_429: u64,
    /// Requests answered 503 by injection.
    pub http_5xx: u64,
    /// Order-entry responses withheld.
    pub acks_dropped: u64,
}

/// Seeded decisions over a [`FaultConfig`].
#[derive(Debug, Clone)]
pub struct FaultInjector {
    config: FaultConfig,
    rng: StdRng,
    counts: FaultCounts,
}

/// A malformed frame (not JSON).
pub const MALFORMED_FRAME: &str = "{\"type\":\"orderbook_delta\",\"sid\":";

impl FaultInjector {
    /// An injector for `config`, reproducible from `seed`.
    pub fn new(config: FaultConfig, seed: u64) -> FaultInjector {
        FaultInjector { config, rng: StdRng::seed_from_u64(seed ^ 0xFA17), counts: FaultCounts::default() }
    }

    /// The configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Faults injected so far.
    pub fn counts(&self) -> &FaultCounts {
        &self.counts
    }

    fn roll(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.gen_bool(p.min(1.0))
    }

    /// Whether to skip a sequence number before the next sequenced frame.
    pub fn skip_seq(&mut self) -> bool {
        let p = self.config.skip_seq_prob;
        let skip = self.roll(p);
        self.counts.skipped_seq += u64::from(skip);
        skip
    }

    /// True when frames about `ticker` must be withheld.
    pub fn stalled(&self, ticker: &str) -> bool {
        self.config.stall_market.as_deref() == Some(ticker)
    }

    /// Faults for one outgoing data frame on subscription `sid`.
    pub fn frame(&mut self, sid: u64) -> FrameFaults {
        let c = self.config.clone();
        let mut f = FrameFaults {
            duplicate: self.roll(c.duplicate_prob),
            reorder: self.roll(c.reorder_prob),
            ..Default::default()
        };
        if self.roll(c.malformed_prob) {
            f.extra.push(MALFORMED_FRAME.to_owned());
        }
        if self.roll(c.unknown_type_prob) {
            f.extra.push(format!(r#"{{"type":"mystery_event","sid":{sid},"msg":{{"note":"injected"}}}}"#));
        }
        if self.roll(c.bad_price_prob) {
            f.extra.push(format!(
                r#"{{"type":"orderbook_delta","sid":{sid},"seq":0,"msg":{{"market_ticker":"INJECTED","market_id":"00000000-0000-4000-8000-000000000000","price_dollars":"1.5000","delta_fp":"1.00","side":"yes"}}}}"#
            ));
        }
        f.disconnect = self.roll(c.disconnect_prob);
        let n = &mut self.counts;
        n.duplicated += u64::from(f.duplicate);
        n.reordered += u64::from(f.reorder);
        n.disconnects += u64::from(f.disconnect);
        for extra in &f.extra {
            match extra.as_str() {
                MALFORMED_FRAME => n.malformed += 1,
                e if e.contains("mystery_event") => n.unknown_type += 1,
                _ => n.bad_price += 1,
            }
        }
        f
    }

    /// Whether to answer a request 429 (checked first) or 503 before processing it.
    pub fn http_failure(&mut self) -> Option<u16> {
        let (p429, p5xx) = (self.config.http_429_prob, self.config.http_5xx_prob);
        if self.roll(p429) {
            self.counts.http_429 += 1;
            Some(429)
        } else if self.roll(p5xx) {
            self.counts.http_5xx += 1;
            Some(503)
        } else {
            None
        }
    }

    /// Whether to withhold an order-entry response.
    pub fn drop_ack(&mut self) -> bool {
        let p = self.config.ack_drop_prob;
        let drop = self.roll(p);
        self.counts.acks_dropped += u64::from(drop);
        drop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_and_reproducible() {
        let mut quiet = FaultInjector::new(FaultConfig::default(), 1);
        assert!(!FaultConfig::default().any());
        for _ in 0..1000 {
            assert_eq!(quiet.frame(1), FrameFaults::default());
            assert!(!quiet.skip_seq() && quiet.http_failure().is_none() && !quiet.drop_ack());
        }
        let cfg = FaultConfig { duplicate_prob: 0.3, skip_seq_prob: 0.2, http_429_prob: 0.1, ..Default::default() };
        let run = |seed| {
            let mut f = FaultInjector::new(cfg.clone(), seed);
            (0..200).map(|_| (f.frame(3).duplicate, f.skip_seq(), f.http_failure())).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let dups = run(7).iter().filter(|x| x.0).count();
        assert!((30..90).contains(&dups), "{dups} duplicates of 200 at p = 0.3");
    }

    #[test]
    fn injected_frames_are_what_they_claim() {
        let cfg =
            FaultConfig { malformed_prob: 1.0, unknown_type_prob: 1.0, bad_price_prob: 1.0, ..Default::default() };
        let f = FaultInjector::new(cfg, 1).frame(4);
        assert!(matches!(
            crate::kalshi::ws::ServerFrame::parse(&f.extra[0]),
            Err(crate::kalshi::ws::FrameError::Envelope(_))
        ));
        assert_eq!(crate::kalshi::ws::ServerFrame::parse(&f.extra[1]).unwrap().kind(), "mystery_event");
        let bad = crate::kalshi::ws::ServerFrame::parse(&f.extra[2]).unwrap_err().to_string();
        assert!(bad.contains("out of range"), "{bad}");
    }
}
