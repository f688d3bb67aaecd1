//! Capture files: every received text frame as one JSON line
//! `{"recv_ts_ms": <receive time ms>, "frame": <the frame>}`. A frame that is not JSON is
//! kept as a JSON string, so nothing received is lost. `observe` and `replay` read this.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Receive time, Unix ms.
    pub recv_ts_ms: i64,
    /// The frame text as received.
    pub frame: String,
}

#[derive(Serialize)]
struct LineOut<'a> {
    recv_ts_ms: i64,
    frame: &'a RawValue,
}

#[derive(Deserialize)]
struct LineIn<'a> {
    recv_ts_ms: i64,
    #[serde(borrow)]
    frame: &'a RawValue,
}

/// The capture line for `frame` received at `recv_ms` (with its trailing newline).
pub fn line(recv_ms: i64, frame: &str) -> String {
    let trimmed = frame.trim_end();
    let raw: Box<RawValue> = match serde_json::from_str::<&RawValue>(trimmed) {
        Ok(r) => r.to_owned(),
        Err(_) => RawValue::from_string(serde_json::Value::String(frame.to_owned()).to_string()).unwrap_or_default(),
    };
    let mut s = serde_json::to_string(&LineOut { recv_ts_ms: recv_ms, frame: &raw }).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads one capture line back.
pub fn parse_line(line: &str) -> Result<Captured, serde_json::Error> {
    let l: LineIn = serde_json::from_str(line.trim_end())?;
    let text = l.frame.get();
    let frame = match serde_json::from_str::<String>(text) {
        Ok(s) => s,
        Err(_) => text.to_owned(),
    };
    Ok(Captured { recv_ts_ms: l.recv_ts_ms, frame })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_exactly() {
        let frame = r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"price_dollars":"0.4300"}}"#;
        let l = line(1_795_705_445_123, frame);
        assert_eq!(l, format!("{{\"recv_ts_ms\":1795705445123,\"frame\":{frame}}}\n"));
        assert_eq!(parse_line(&l).unwrap(), Captured { recv_ts_ms: 1_795_705_445_123, frame: frame.into() });
        let garbage = "{\"type\":\"orderbook_delta\",\"sid\":";
        let l = line(5, garbage);
        assert_eq!(parse_line(&l).unwrap().frame, garbage);
        assert!(parse_line("not json").is_err());
    }
}
