//! Fuzzes the Kalshi WebSocket frame decoder, [`ServerFrame::parse`], with any text.
//!
//! Property: parsing never panics; a frame that parses is written back by
//! [`ServerFrame::to_json`] as text that parses again, to a frame of the same type and
//! sequence that writes the same text (the simulator depends on that).

#![no_main]

use kalshi_actor::kalshi::ws::ServerFrame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(frame) = ServerFrame::parse(text) else { return };
    let _ = (frame.kind(), frame.sequence());
    let json = frame.to_json();
    match ServerFrame::parse(&json) {
        // The writer drops what Kalshi never sends (a `sid` without its `seq` on a reply):
        // the sequence and the text it writes must survive, not every field.
        Ok(again) => {
            assert_eq!((again.kind(), again.sequence()), (frame.kind(), frame.sequence()), "re-encoded as {json}");
            assert_eq!(again.to_json(), json, "from {text:?}");
        }
        Err(e) => panic!("{json} (from {text:?}) does not parse back: {e}"),
    }
});
