//! Observation lines: `{"ts_ms": N, "market": "T", "seq": S, "obs": [52 numbers]}`.
//!
//! The `observe` command prints them (without `seq`); the live Observer appends them to
//! `observer.log_path` when set, so a session's observations can be compared with the ones
//! recomputed offline. Floats are written in their shortest exact form, so a line read back
//! gives the same `f32` bits.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Observation;

#[derive(Serialize, Deserialize)]
struct Line<'a> {
    ts_ms: i64,
    #[serde(borrow)]
    market: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    obs: Vec<f32>,
}

/// The JSON line of `o` (no newline); with its `seq` when `with_seq`.
pub fn line(o: &Observation, with_seq: bool) -> String {
    let l =
        Line { ts_ms: o.ts_ms, market: o.market.as_str().into(), seq: with_seq.then_some(o.seq), obs: o.obs.to_vec() };
    serde_json::to_string(&l).unwrap_or_default()
}

/// Reads a line back (`seq` 0 when absent).
pub fn parse_line(text: &str) -> Result<Observation, String> {
    let l: Line = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let obs: [f32; crate::features::OBS_LEN] =
        l.obs.try_into().map_err(|v: Vec<f32>| format!("{} numbers, expected 52", v.len()))?;
    Ok(Observation { market: l.market.into_owned(), ts_ms: l.ts_ms, seq: l.seq.unwrap_or(0), obs })
}

/// An append-only observation log, flushed after every line.
#[derive(Debug)]
pub struct ObservationLog {
    out: BufWriter<File>,
}

impl ObservationLog {
    /// Opens (appending, creating) the log at `path`.
    pub fn open(path: &Path) -> std::io::Result<ObservationLog> {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(ObservationLog { out: BufWriter::new(f) })
    }

    /// Appends `o`.
    pub fn write(&mut self, o: &Observation) -> std::io::Result<()> {
        let mut l = line(o, true);
        l.push('\n');
        self.out.write_all(l.as_bytes())?;
        self.out.flush()
    }
}
