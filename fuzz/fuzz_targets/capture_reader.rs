//! Fuzzes the capture reader behind `kalshi-actor observe/replay --input`:
//! [`CaptureReplay::read`] over the whole input as a capture file (each line through
//! [`capture::parse_line`], then the feed and book-keeper cores), and each line's frame
//! written back by [`capture::line`].
//!
//! Property: reading never panics (a bad line is a `CaptureError`); a line that parses is
//! written back as a line that parses to the same frame; every record produced survives
//! its JSON round trip and applies, in order, to a centi-cent book without panicking.

#![no_main]

use std::collections::HashMap;

use kalshi_actor::book::{OrderBook, TickGrid};
use kalshi_actor::feed::capture;
use kalshi_actor::observer::offline::CaptureReplay;
use kalshi_actor::storage::{apply_record, BookRecord};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut records = Vec::new();
    let _ = CaptureReplay::new().read(data, &mut |r| records.push(r));
    let mut books: HashMap<String, OrderBook> = HashMap::new();
    for r in &records {
        let json = serde_json::to_string(r).unwrap_or_else(|e| panic!("cannot encode {r:?}: {e}"));
        let back: BookRecord = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(&back, r);
        let book =
            books.entry(r.market().to_owned()).or_insert_with(|| OrderBook::new(r.market(), TickGrid::centi_cent()));
        let _ = apply_record(book, r);
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    for line in text.lines() {
        let Ok(c) = capture::parse_line(line) else { continue };
        let again = capture::parse_line(&capture::line(c.recv_ts_ms, &c.frame))
            .unwrap_or_else(|e| panic!("{c:?} does not read back: {e}"));
        assert_eq!(again.recv_ts_ms, c.recv_ts_ms);
    }
});
