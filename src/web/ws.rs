//! `/rl/ws`: one dashboard session per WebSocket, fed by the Broadcaster.
//!
//! The session writes the frames the Broadcaster delivers, then pings with the count of
//! frames delivered so far; the browser's pong (sent by the browser itself, not page code)
//! acknowledges them, which is the Broadcaster's flow control. A browser silent for
//! [`PONG_TIMEOUT`] is disconnected. A WebSocket from a foreign `Origin` is refused.

use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws;

use super::WebData;
use crate::actors::broadcaster::{Acked, Broadcaster, Deliver, Join, Leave};

/// How often the session pings.
const PING_EVERY: Duration = Duration::from_secs(5);
/// A browser that answers nothing for this long is disconnected.
pub const PONG_TIMEOUT: Duration = Duration::from_secs(15);

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
            Err(_) => ctx.stop(),
        }
    }
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
    ws::start(WsSession { broadcaster, id: None, last_pong: Instant::now() }, &req, stream)
}

/// Mounts `/rl/ws`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rl/ws", web::get().to(session));
}
