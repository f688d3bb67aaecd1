//! One simulator WebSocket connection: an actix actor that forwards client commands to the
//! hub, writes the frames the hub produces, pings every 10 s with payload `heartbeat`, and
//! closes when a fault says so.

use std::sync::Arc;

use actix::{Actor, ActorContext, AsyncContext, Handler, Message, StreamHandler};
use actix_web_actors::ws;

use super::Sim;
use crate::sim::hub::ConnId;

/// A frame for the connection.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct WsOut {
    /// Text to send.
    pub text: String,
    /// Close the connection afterwards.
    pub close_after: bool,
}

/// The session actor.
pub struct SimSession {
    sim: Arc<Sim>,
    conn: ConnId,
}

impl SimSession {
    /// A session for a connection already registered with the hub.
    pub fn new(sim: Arc<Sim>, conn: ConnId) -> SimSession {
        SimSession { sim, conn }
    }
}

impl Actor for SimSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.sim.attach(self.conn, ctx.address().recipient());
        ctx.run_interval(self.sim.config().ping_every, |_, ctx| ctx.ping(b"heartbeat"));
        if let Some(every) = self.sim.config().faults.disconnect_every {
            ctx.run_later(every, |_, ctx| {
                ctx.close(Some(ws::CloseCode::Away.into()));
                ctx.stop();
            });
        }
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.sim.detach(self.conn);
    }
}

impl Handler<WsOut> for SimSession {
    type Result = ();

    fn handle(&mut self, msg: WsOut, ctx: &mut Self::Context) {
        ctx.text(msg.text);
        if msg.close_after {
            ctx.close(Some(ws::CloseCode::Away.into()));
            ctx.stop();
        }
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for SimSession {
    fn handle(&mut self, item: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        match item {
            Ok(ws::Message::Text(text)) => {
                for reply in self.sim.command(self.conn, &text) {
                    ctx.text(reply);
                }
            }
            Ok(ws::Message::Ping(p)) => ctx.pong(&p),
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Ok(ws::Message::Binary(_)) => {
                ctx.text(crate::kalshi::ws::CommandError::new(0, 1).to_frame());
            }
            Ok(_) => {}
            Err(_) => ctx.stop(),
        }
    }
}
