//! Single-pass reading of the two hot frame types, `orderbook_delta` and
//! `orderbook_snapshot`: when `type` precedes `msg` (as Kalshi writes it), the payload is
//! deserialized in place instead of being scanned once as raw JSON and parsed again.
//! Anything else, and every error, goes back to the general path in `mod.rs`, which
//! produces the precise [`super::FrameError`].

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{OrderbookDelta, OrderbookSnapshot, ServerFrame};

enum Payload<'a> {
    Delta(OrderbookDelta<'a>),
    Snapshot(OrderbookSnapshot<'a>),
}

/// A hot frame read in one pass; `None` payload means "not a hot frame, use the general
/// path".
struct Hot<'a> {
    id: Option<u64>,
    sid: Option<u64>,
    seq: Option<u64>,
    payload: Option<Payload<'a>>,
}

impl<'de> Deserialize<'de> for Hot<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HotVisitor)
    }
}

struct HotVisitor;

/// Error text that only means "take the general path".
const NOT_HOT: &str = "not a hot frame";

impl<'de> Visitor<'de> for HotVisitor {
    type Value = Hot<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kalshi frame")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Hot<'de>, A::Error> {
        let mut kind: Option<&'de str> = None;
        let mut hot = Hot { id: None, sid: None, seq: None, payload: None };
        // Borrowed keys: an escaped key fails here and the general path takes the frame.
        while let Some(key) = map.next_key::<&'de str>()? {
            match key {
                "type" if kind.is_none() => kind = Some(map.next_value()?),
                "id" if hot.id.is_none() => hot.id = Some(map.next_value()?),
                "sid" if hot.sid.is_none() => hot.sid = Some(map.next_value()?),
                "seq" if hot.seq.is_none() => hot.seq = Some(map.next_value()?),
                // A repeated key is malformed: let the general path name it.
                "type" | "id" | "sid" | "seq" => return Err(de::Error::custom(NOT_HOT)),
                "msg" if hot.payload.is_none() => {
                    hot.payload = Some(match kind {
                        Some("orderbook_delta") => Payload::Delta(map.next_value()?),
                        Some("orderbook_snapshot") => Payload::Snapshot(map.next_value()?),
                        _ => return Err(de::Error::custom(NOT_HOT)),
                    })
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(hot)
    }
}

/// The frame, if `text` is a well-formed hot frame with `type` before `msg`.
#[inline]
pub(super) fn parse_hot(text: &str) -> Option<ServerFrame<'_>> {
    let hot: Hot = serde_json::from_str(text).ok()?;
    let (sid, seq) = (hot.sid?, hot.seq?);
    Some(match hot.payload? {
        Payload::Delta(msg) => ServerFrame::OrderbookDelta { sid, seq, msg },
        Payload::Snapshot(msg) => ServerFrame::OrderbookSnapshot { sid, seq, id: hot.id, msg },
    })
}
