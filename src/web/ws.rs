//! `/rl/ws`: one dashboard session per WebSocket, fed by the Broadcaster.
//!
//! The session writes the frames the Broadcaster delivers, then pings with the count of
//! frames delivered so far; the browser's pong (sent by the browser itself, not page code)
//! acknowledges them, which is the Broadcaster's flow control. A browser silent for
//! [`PONG_TIMEOUT`] is disconnected. A WebSocket from a foreign `Origin` is refused.
//!
//! A browser only ever sends pongs and a close, so a frame over [`MAX_FRAME`] bytes ends the
//! session. The limit is enforced on the frame's header (`FrameGuard`), before its payload
//! arrives: actix-http checks its own limit only once a whole frame is buffered, so a client
//! announcing a terabyte would otherwise be buffered until memory ran out.

use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web::error::PayloadError;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws;
use futures_util::StreamExt;

use super::WebData;
use crate::actors::broadcaster::{Acked, Broadcaster, Deliver, Join, Leave};

/// How often the session pings.
const PING_EVERY: Duration = Duration::from_secs(5);
/// A browser that answers nothing for this long is disconnected.
pub const PONG_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest frame a browser may send, in bytes (64 KiB); a larger one ends the session.
pub const MAX_FRAME: usize = 64 * 1024;

/// One dashboard session.
pub struct WsSession {
    broadcaster: Addr<Broadcaster>,
    id: Option<u64>,
    last_pong: Instant,
}

impl Actor for WsSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let me = ctx.address().recipient();
        self.broadcaster
            .send(Join(me))
            .into_actor(self)
            .map(|res, act, ctx| match res {
                Ok(id) => act.id = Some(id),
                Err(_) => ctx.stop(),
            })
            .wait(ctx);
        ctx.run_interval(PING_EVERY, |act, ctx| {
            if act.last_pong.elapsed() > PONG_TIMEOUT {
                tracing::warn!(session = act.id, "dashboard session silent; disconnecting");
                ctx.stop();
            } else {
                ctx.ping(b"");
            }
        });
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(id) = self.id {
            self.broadcaster.do_send(Leave(id));
        }
    }
}

impl Handler<Deliver> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Deliver, ctx: &mut Self::Context) {
        for f in &msg.frames {
            ctx.text(&**f);
        }
        if msg.close {
            ctx.close(Some(ws::CloseReason { code: ws::CloseCode::Policy, description: Some("too slow".into()) }));
            ctx.stop();
            return;
        }
        ctx.ping(&msg.upto.to_be_bytes());
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, item: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        match item {
            Ok(ws::Message::Ping(p)) => ctx.pong(&p),
            Ok(ws::Message::Pong(p)) => {
                self.last_pong = Instant::now();
                if let (Some(id), Ok(bytes)) = (self.id, <[u8; 8]>::try_from(&p[..])) {
                    self.broadcaster.do_send(Acked { id, upto: u64::from_be_bytes(bytes) });
                }
            }
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(session = self.id, error = %e, "dashboard websocket protocol error; disconnecting");
                ctx.stop();
            }
        }
    }
}

/// Follows the frame headers in the bytes a client sends and refuses a frame announcing more
/// than [`MAX_FRAME`] bytes as soon as its header is in.
#[derive(Default)]
struct FrameGuard {
    /// The current frame's header while incomplete (at most 14 bytes).
    header: Vec<u8>,
    /// Payload bytes of the current frame still to come.
    payload_left: u64,
}

impl FrameGuard {
    /// Checks the next bytes; `Overflow` once a frame announces more than [`MAX_FRAME`].
    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), PayloadError> {
        while let Some((&first, rest)) = bytes.split_first() {
            if self.payload_left > 0 {
                let skip = usize::try_from(self.payload_left).unwrap_or(usize::MAX).min(bytes.len());
                self.payload_left -= skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            self.header.push(first);
            bytes = rest;
            if let Some(len) = announced(&self.header) {
                if len > MAX_FRAME as u64 {
                    return Err(PayloadError::Overflow);
                }
                self.header.clear();
                self.payload_left = len;
            }
        }
        Ok(())
    }
}

/// The payload length a complete frame header announces (RFC 6455 §5.2); `None` while the
/// header is incomplete.
fn announced(h: &[u8]) -> Option<u64> {
    let second = *h.get(1)?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let (ext, len) = match second & 0x7f {
        126 => (2, u64::from(u16::from_be_bytes([*h.get(2)?, *h.get(3)?]))),
        127 => (8, u64::from_be_bytes(h.get(2..10)?.try_into().ok()?)),
        n => (0, u64::from(n)),
    };
    (h.len() == 2 + ext + mask).then_some(len)
}

/// Whether `origin` (when sent) names the host the request was made to.
fn same_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else { return true };
    let host = req.connection_info().host().to_owned();
    origin.split("://").nth(1).is_some_and(|h| h.trim_end_matches('/') == host)
}

async fn session(req: HttpRequest, stream: web::Payload, data: WebData) -> actix_web::Result<HttpResponse> {
    let Some(broadcaster) = data.broadcaster.clone() else {
        return Ok(super::error_response(actix_web::http::StatusCode::NOT_FOUND, "no dashboard feed"));
    };
    if !same_origin(&req) {
        tracing::warn!(peer = ?req.peer_addr(), "dashboard websocket from a foreign origin refused");
        return Ok(super::error_response(actix_web::http::StatusCode::FORBIDDEN, "foreign origin"));
    }
    let mut guard = FrameGuard::default();
    let stream = stream.map(move |chunk| chunk.and_then(|bytes| guard.feed(&bytes).map(|()| bytes)));
    ws::WsResponseBuilder::new(WsSession { broadcaster, id: None, last_pong: Instant::now() }, &req, stream)
        .frame_size(MAX_FRAME)
        .start()
}

/// Mounts `/rl/ws`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rl/ws", web::get().to(session));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked client frame header announcing `len` bytes.
    fn header(len: u64) -> Vec<u8> {
        let mut h = vec![0x81];
        match len {
            0..=125 => h.push(0x80 | len as u8),
            126..=0xffff => {
                h.push(0x80 | 126);
                h.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 127);
                h.extend_from_slice(&len.to_be_bytes());
            }
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    #[test]
    fn frames_up_to_the_limit_pass_in_any_chunking() {
        let mut bytes = Vec::new();
        for len in [0, 5, 125, 126, 4_000, MAX_FRAME as u64] {
            bytes.extend(header(len));
            bytes.extend(std::iter::repeat_n(b'x', len as usize));
        }
        for chunk in [1, 3, 7, 4096, bytes.len()] {
            let mut g = FrameGuard::default();
            assert!(bytes.chunks(chunk).all(|c| g.feed(c).is_ok()), "chunks of {chunk}");
            assert_eq!((g.header.len(), g.payload_left), (0, 0));
        }
    }

    #[test]
    fn a_larger_frame_is_refused_on_its_header() {
        for len in [MAX_FRAME as u64 + 1, 1 << 40] {
            let mut g = FrameGuard::default();
            let h = header(len);
            assert!(g.feed(&h[..h.len() - 1]).is_ok(), "refused before its header is complete");
            assert!(matches!(g.feed(&h[h.len() - 1..]), Err(PayloadError::Overflow)), "{len}");
        }
        // After a frame that passed, too.
        let mut g = FrameGuard::default();
        let mut bytes = header(3);
        bytes.extend_from_slice(b"abc");
        bytes.extend(header(MAX_FRAME as u64 + 1));
        assert!(g.feed(&bytes).is_err());
    }
}
