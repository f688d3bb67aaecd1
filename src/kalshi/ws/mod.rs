//! Kalshi WebSocket v2 frames: commands we send, replies and data messages we receive.
//!
//! [`ServerFrame::parse`] reads the envelope (`type`, `id`, `sid`, `seq`) and then the
//! payload typed by `type`. Frames of an unknown `type` are not errors: they come back as
//! [`ServerFrame::Other`] with their `sid`/`seq`, because a sequenced frame of any type
//! still consumes a sequence number. A payload that does not match its type is a
//! [`FrameError`] naming the type and the field.

mod commands;
mod encode;
mod fast;
mod messages;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use thiserror::Error;

pub use commands::*;
pub use messages::*;

/// The WebSocket path (also the path signed for the handshake).
pub const WS_PATH: &str = "/trade-api/ws/v2";

/// A server frame that could not be read. Recoverable: count it, log it, drop it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    /// Not JSON, or no `type`.
    #[error("malformed frame: {0}")]
    Envelope(String),
    /// A known `type` whose payload is missing or wrong.
    #[error("malformed {kind} frame: {detail}")]
    Payload {
        /// The frame's `type`.
        kind: String,
        /// What serde found wrong (field, line, column).
        detail: String,
    },
}

/// One entry of a `list_subscriptions` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionInfo {
    /// Channel.
    pub channel: String,
    /// Subscription id.
    pub sid: u64,
}

/// The `msg` of an `ok` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OkMsg {
    /// Reply to `list_subscriptions`: an array.
    List(Vec<SubscriptionInfo>),
    /// Reply to `update_subscription`: the markets now subscribed (absent with
    /// `skip_ticker_ack`).
    Markets {
        /// Tickers after the update.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        market_tickers: Option<Vec<String>>,
    },
}

/// The `msg` of an `error` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorMsg {
    /// Kalshi WS error code.
    pub code: u16,
    /// Text for the code.
    pub msg: String,
    /// Market concerned, when scoped to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
    /// Markets concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_tickers: Option<Vec<String>>,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame<'a> {
    /// A channel was subscribed; `sid` lives inside `msg`; no seq.
    Subscribed {
        /// Command id.
        id: u64,
        /// Channel name.
        channel: String,
        /// New subscription id.
        sid: u64,
    },
    /// Command succeeded. Carries `sid`/`seq` for `update_subscription`.
    Ok {
        /// Command id.
        id: u64,
        /// Subscription, when scoped.
        sid: Option<u64>,
        /// Sequence number, when scoped.
        seq: Option<u64>,
        /// Reply body.
        msg: OkMsg,
    },
    /// A subscription ended; carries `seq`.
    Unsubscribed {
        /// Command id.
        id: u64,
        /// Subscription id.
        sid: u64,
        /// Sequence number.
        seq: Option<u64>,
    },
    /// A command or subscription failed.
    Error {
        /// Command id (0 if none).
        id: u64,
        /// Subscription, when scoped.
        sid: Option<u64>,
        /// Sequence number, when scoped.
        seq: Option<u64>,
        /// Code and text.
        msg: ErrorMsg,
    },
    /// Full book of one market; `id` set when answering `get_snapshot`.
    OrderbookSnapshot {
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Command id of a `get_snapshot`, if any.
        id: Option<u64>,
        /// Payload.
        msg: OrderbookSnapshot<'a>,
    },
    /// One level change.
    OrderbookDelta {
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Payload.
        msg: OrderbookDelta<'a>,
    },
    /// Ticker update (no seq).
    Ticker {
        /// Subscription.
        sid: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<Ticker>,
    },
    /// Public trade.
    Trade {
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<Trade>,
    },
    /// Our fill (no seq).
    Fill {
        /// Subscription.
        sid: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<Fill>,
    },
    /// Our position (no seq).
    MarketPosition {
        /// Subscription.
        sid: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<MarketPosition>,
    },
    /// Our order (no seq).
    UserOrder {
        /// Subscription.
        sid: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<UserOrder>,
    },
    /// Market lifecycle event.
    MarketLifecycle {
        /// Subscription.
        sid: u64,
        /// Sequence number.
        seq: u64,
        /// Payload (boxed: keeps the frame small for the hot variants).
        msg: Box<MarketLifecycle>,
    },
    /// A frame of a type we do not read; kept for its `sid`/`seq`.
    Other {
        /// The frame's `type`.
        kind: String,
        /// Subscription, if any.
        sid: Option<u64>,
        /// Sequence number, if any.
        seq: Option<u64>,
    },
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    sid: Option<u64>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(borrow, default)]
    msg: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct SubscribedMsg {
    channel: String,
    sid: u64,
}

impl<'a> ServerFrame<'a> {
    /// Parses one text frame (a trailing newline is allowed).
    #[inline]
    pub fn parse(text: &'a str) -> Result<ServerFrame<'a>, FrameError> {
        let text = text.trim_end();
        match fast::parse_hot(text) {
            Some(frame) => Ok(frame),
            None => ServerFrame::parse_general(text),
        }
    }

    /// Envelope first, then the payload typed by `type`; names the problem on failure.
    fn parse_general(text: &'a str) -> Result<ServerFrame<'a>, FrameError> {
        let env: Envelope<'a> =
            serde_json::from_str(text.trim_end()).map_err(|e| FrameError::Envelope(e.to_string()))?;
        let kind = env.kind.as_ref();
        let payload_err = |detail: String| FrameError::Payload { kind: kind.to_owned(), detail };
        let need = |what: &str, v: Option<u64>| v.ok_or_else(|| payload_err(format!("missing `{what}`")));
        fn body<'b, T: Deserialize<'b>>(raw: Option<&'b RawValue>) -> Result<T, String> {
            let raw = raw.ok_or_else(|| "missing `msg`".to_owned())?;
            serde_json::from_str(raw.get()).map_err(|e| e.to_string())
        }
        let id = env.id.unwrap_or(0);
        Ok(match kind {
            "orderbook_delta" => ServerFrame::OrderbookDelta {
                sid: need("sid", env.sid)?,
                seq: need("seq", env.seq)?,
                msg: body(env.msg).map_err(payload_err)?,
            },
            "orderbook_snapshot" => ServerFrame::OrderbookSnapshot {
                sid: need("sid", env.sid)?,
                seq: need("seq", env.seq)?,
                id: env.id,
                msg: body(env.msg).map_err(payload_err)?,
            },
            "subscribed" => {
                let m: SubscribedMsg = body(env.msg).map_err(payload_err)?;
                ServerFrame::Subscribed { id, channel: m.channel, sid: m.sid }
            }
            "ok" => ServerFrame::Ok {
                id,
                sid: env.sid,
                seq: env.seq,
                msg: match env.msg {
                    None => OkMsg::Markets { market_tickers: None },
                    raw => body(raw).map_err(payload_err)?,
                },
            },
            "unsubscribed" => ServerFrame::Unsubscribed { id, sid: need("sid", env.sid)?, seq: env.seq },
            "error" => ServerFrame::Error { id, sid: env.sid, seq: env.seq, msg: body(env.msg).map_err(payload_err)? },
            "ticker" => ServerFrame::Ticker { sid: need("sid", env.sid)?, msg: body(env.msg).map_err(payload_err)? },
            "trade" => ServerFrame::Trade {
                sid: need("sid", env.sid)?,
                seq: need("seq", env.seq)?,
                msg: body(env.msg).map_err(payload_err)?,
            },
            "fill" => ServerFrame::Fill { sid: need("sid", env.sid)?, msg: body(env.msg).map_err(payload_err)? },
            "market_position" => {
                ServerFrame::MarketPosition { sid: need("sid", env.sid)?, msg: body(env.msg).map_err(payload_err)? }
            }
            "user_order" => {
                ServerFrame::UserOrder { sid: need("sid", env.sid)?, msg: body(env.msg).map_err(payload_err)? }
            }
            "market_lifecycle_v2" => ServerFrame::MarketLifecycle {
                sid: need("sid", env.sid)?,
                seq: need("seq", env.seq)?,
                msg: body(env.msg).map_err(payload_err)?,
            },
            _ => ServerFrame::Other { kind: kind.to_owned(), sid: env.sid, seq: env.seq },
        })
    }

    /// The frame's `type`.
    pub fn kind(&self) -> &str {
        match self {
            ServerFrame::Subscribed { .. } => "subscribed",
            ServerFrame::Ok { .. } => "ok",
            ServerFrame::Unsubscribed { .. } => "unsubscribed",
            ServerFrame::Error { .. } => "error",
            ServerFrame::OrderbookSnapshot { .. } => "orderbook_snapshot",
            ServerFrame::OrderbookDelta { .. } => "orderbook_delta",
            ServerFrame::Ticker { .. } => "ticker",
            ServerFrame::Trade { .. } => "trade",
            ServerFrame::Fill { .. } => "fill",
            ServerFrame::MarketPosition { .. } => "market_position",
            ServerFrame::UserOrder { .. } => "user_order",
            ServerFrame::MarketLifecycle { .. } => "market_lifecycle_v2",
            ServerFrame::Other { kind, .. } => kind,
        }
    }

    /// `(sid, seq)` when the frame is sequenced: the input of gap detection.
    pub fn sequence(&self) -> Option<(u64, u64)> {
        match *self {
            ServerFrame::OrderbookSnapshot { sid, seq, .. }
            | ServerFrame::OrderbookDelta { sid, seq, .. }
            | ServerFrame::Trade { sid, seq, .. }
            | ServerFrame::MarketLifecycle { sid, seq, .. } => Some((sid, seq)),
            ServerFrame::Ok { sid: Some(sid), seq: Some(seq), .. }
            | ServerFrame::Unsubscribed { sid, seq: Some(seq), .. }
            | ServerFrame::Error { sid: Some(sid), seq: Some(seq), .. }
            | ServerFrame::Other { sid: Some(sid), seq: Some(seq), .. } => Some((sid, seq)),
            _ => None,
        }
    }

    /// The frame's JSON text, `type` first, exactly as the exchange writes it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
