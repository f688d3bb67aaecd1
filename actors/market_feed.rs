//! MarketFeed: owns the WebSocket to Kalshi (or the simulator). Signs every handshake,
//! subscribes, answers pings, reconnects with backoff and jitter forever, watches liveness,
//! captures frames, and hands each frame to the pure [`FeedCore`], routing what it returns.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use actix::io::{SinkWrite, WriteHandler};
use actix::prelude::*;
use awc::ws::{Frame, Message as WsMessage};
use futures_util::stream::{SplitSink, StreamExt};
use rand::Rng;
use tracing::{info, warn};

use super::messages::{
    BookEventReceived, BooksMarkedStale, FillReceived, InjectFailure, OrderUpdated, RequestSnapshots,
};
use crate::feed::{capture, FeedCore, FeedCounters, FeedOutput};
use crate::kalshi::client::RestClient;
use crate::kalshi::sign::now_ms;

type WsSink = SplitSink<actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>, WsMessage>;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Where the feed sends what it reads.
#[derive(Clone)]
pub struct FeedOutputs {
    /// Book events (BookKeeper).
    pub books: Recipient<BookEventReceived>,
    /// Stale notices (BookKeeper).
    pub stale: Recipient<BooksMarkedStale>,
    /// Our fills (OrderExecutor), when trading.
    pub fills: Option<Recipient<FillReceived>>,
    /// Our order updates (OrderExecutor), when trading.
    pub orders: Option<Recipient<OrderUpdated>>,
    /// The `fill` channel subscribed (OrderExecutor), when trading.
    pub fill_channel: Option<Recipient<super::messages::FillChannelOpened>>,
}

/// Counters of the connection itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionCounters {
    /// Successful connections.
    pub connects: u64,
    /// Connections lost or dropped.
    pub disconnects: u64,
    /// Liveness timeouts.
    pub stalls: u64,
    /// Restarts by the supervisor.
    pub restarts: u64,
    /// Whether a socket is open now.
    pub connected: bool,
    /// Milliseconds since the last frame (or since the connection attempt), when asked.
    pub last_frame_age_ms: u64,
}

/// The feed actor.
pub struct MarketFeed {
    core: FeedCore,
    client: RestClient,
    ws_url: String,
    out: FeedOutputs,
    stall_timeout: Duration,
    capture: Option<BufWriter<File>>,
    sink: Option<SinkWrite<WsMessage, WsSink>>,
    stream: Option<SpawnHandle>,
    last_frame: Instant,
    attempt: u32,
    counters: ConnectionCounters,
}

impl MarketFeed {
    /// A feed on `ws_url` with the handshake signed by `client`'s signer.
    pub fn new(
        core: FeedCore,
        client: RestClient,
        ws_url: String,
        out: FeedOutputs,
        stall_timeout: Duration,
        capture: Option<File>,
    ) -> MarketFeed {
        MarketFeed {
            core,
            client,
            ws_url,
            out,
            stall_timeout,
            capture: capture.map(BufWriter::new),
            sink: None,
            stream: None,
            last_frame: Instant::now(),
            attempt: 0,
            counters: ConnectionCounters::default(),
        }
    }

    fn connect(&mut self, ctx: &mut Context<Self>) {
        let client = self.client.clone();
        let url = self.ws_url.clone();
        async move { client.connect_ws(&url).await }
            .into_actor(self)
            .map(|res, act, ctx| match res {
                Ok(framed) => {
                    let (sink, stream) = framed.split();
                    act.sink = Some(SinkWrite::new(sink, ctx));
                    act.stream = Some(ctx.add_stream(stream));
                    act.attempt = 0;
                    act.counters.connects += 1;
                    act.last_frame = Instant::now();
                    info!(url = %act.ws_url, "feed connected");
                    let outputs = act.core.on_connected();
                    act.route(outputs, Instant::now());
                }
                Err(e) => {
                    warn!(url = %act.ws_url, error = %e, "feed connection failed");
                    act.reconnect_later(ctx);
                }
            })
            .spawn(ctx);
    }

    fn reconnect_later(&mut self, ctx: &mut Context<Self>) {
        self.sink = None;
        let base = Duration::from_millis(100).saturating_mul(1 << self.attempt.min(9)).min(MAX_BACKOFF);
        let jittered = base.mul_f64(rand::thread_rng().gen_range(0.5..1.0));
        self.attempt += 1;
        ctx.run_later(jittered, |act, ctx| act.connect(ctx));
    }

    fn drop_connection(&mut self, ctx: &mut Context<Self>) {
        self.counters.disconnects += 1;
        if let Some(mut sink) = self.sink.take() {
            sink.close();
        }
        // Frames still arriving on the old socket must not reach the new session's state.
        if let Some(handle) = self.stream.take() {
            ctx.cancel_future(handle);
        }
        let markets: Vec<String> = self.core.markets().cloned().collect();
        let _ = self.out.stale.try_send(BooksMarkedStale { markets });
        self.reconnect_later(ctx);
    }

    fn send(&mut self, text: String) {
        if let Some(sink) = self.sink.as_mut() {
            let _ = sink.write(WsMessage::Text(text.into()));
        }
    }

    /// Sends the core's outputs on; `rx` is when the frame behind them was in hand.
    fn route(&mut self, outputs: Vec<FeedOutput>, rx: Instant) {
        let recv_ms = now_ms();
        for o in outputs {
            match o {
                FeedOutput::Book(event) => self.out.books.do_send(BookEventReceived { event, rx }),
                FeedOutput::Stale { markets } => self.out.stale.do_send(BooksMarkedStale { markets }),
                FeedOutput::Send(text) => self.send(text),
                FeedOutput::Fill(fill) => {
                    if let Some(r) = &self.out.fills {
                        r.do_send(FillReceived { fill, recv_ms });
                    }
                }
                FeedOutput::UserOrder(order) => {
                    if let Some(r) = &self.out.orders {
                        r.do_send(OrderUpdated { order, recv_ms });
                    }
                }
                FeedOutput::Position(_) => {}
                FeedOutput::FillChannelOpened => {
                    if let Some(r) = &self.out.fill_channel {
                        r.do_send(super::messages::FillChannelOpened);
                    }
                }
                FeedOutput::Resubscribe { code } => {
                    warn!(code, "subscription ended by the exchange; resubscribing");
                    let outputs = self.core.on_connected();
                    self.route(outputs, rx);
                }
            }
        }
    }
}

impl Actor for MarketFeed {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.connect(ctx);
        let every = (self.stall_timeout / 4).max(Duration::from_millis(50));
        ctx.run_interval(every, |act, ctx| {
            if act.sink.is_some() && act.last_frame.elapsed() > act.stall_timeout {
                warn!(timeout = ?act.stall_timeout, "feed stalled; reconnecting");
                act.counters.stalls += 1;
                act.drop_connection(ctx);
            }
            if act.sink.is_some() {
                let timeout = i64::try_from(act.stall_timeout.as_millis()).unwrap_or(i64::MAX);
                let outputs = act.core.check_stalls(now_ms(), timeout);
                if !outputs.is_empty() {
                    warn!(timeout = ?act.stall_timeout, "market feed stalled; books stale, snapshots requested");
                }
                act.route(outputs, Instant::now());
            }
            if let Some(c) = act.capture.as_mut() {
                let _ = c.flush();
            }
        });
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(c) = self.capture.as_mut() {
            let _ = c.flush();
        }
    }
}

impl Handler<InjectFailure> for MarketFeed {
    type Result = ();

    fn handle(&mut self, _: InjectFailure, ctx: &mut Self::Context) {
        warn!("injected failure: stopping the feed");
        ctx.stop();
    }
}

impl actix::Supervised for MarketFeed {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.counters.restarts += 1;
        let markets: Vec<String> = self.core.markets().cloned().collect();
        let _ = self.out.stale.try_send(BooksMarkedStale { markets });
        self.sink = None;
        self.stream = None;
        self.attempt = 0;
    }
}

impl WriteHandler<awc::error::WsProtocolError> for MarketFeed {
    fn error(&mut self, err: awc::error::WsProtocolError, _: &mut Self::Context) -> Running {
        warn!(error = %err, "feed write failed");
        Running::Continue
    }

    /// A closed sink ends one connection, not the actor (the default would stop it).
    fn finished(&mut self, _: &mut Self::Context) {}
}

impl StreamHandler<Result<Frame, awc::error::WsProtocolError>> for MarketFeed {
    fn handle(&mut self, item: Result<Frame, awc::error::WsProtocolError>, ctx: &mut Self::Context) {
        self.last_frame = Instant::now();
        match item {
            Ok(Frame::Text(bytes)) => {
                let recv_ms = now_ms();
                let text = String::from_utf8_lossy(&bytes);
                if let Some(c) = self.capture.as_mut() {
                    let _ = c.write_all(capture::line(recv_ms, &text).as_bytes());
                }
                let bad_before = self.core.counters().malformed.values().sum::<u64>();
                let outputs = self.core.on_text(&text, recv_ms);
                let bad = self.core.counters().malformed.values().sum::<u64>();
                // Logged at a limited rate: the 1st, 2nd, 4th, 8th… malformed frame.
                if bad > bad_before && bad.is_power_of_two() {
                    warn!(malformed = bad, frame = %text.chars().take(200).collect::<String>(), "malformed frame dropped");
                }
                self.route(outputs, self.last_frame);
            }
            Ok(Frame::Ping(p)) => {
                if let Some(sink) = self.sink.as_mut() {
                    let _ = sink.write(WsMessage::Pong(p));
                }
            }
            Ok(Frame::Close(reason)) => {
                warn!(?reason, "feed closed by the server");
                self.drop_connection(ctx);
            }
            Ok(_) => {}
            Err(e) => {
                warn!(error = %e, "feed protocol error");
                self.drop_connection(ctx);
            }
        }
    }

    fn finished(&mut self, ctx: &mut Self::Context) {
        if self.sink.is_some() {
            warn!("feed stream ended");
            self.drop_connection(ctx);
        }
    }
}

impl Handler<RequestSnapshots> for MarketFeed {
    type Result = ();

    fn handle(&mut self, msg: RequestSnapshots, _: &mut Self::Context) {
        if let Some(out) = self.core.request_snapshots(&msg.markets) {
            self.route(vec![out], Instant::now());
        }
    }
}

/// Counters of the feed (frames, gaps, malformed…) and of its connection.
#[derive(Debug, Clone, Message)]
#[rtype(result = "(FeedCounters, ConnectionCounters)")]
pub struct GetFeedCounters;

impl Handler<GetFeedCounters> for MarketFeed {
    type Result = MessageResult<GetFeedCounters>;

    fn handle(&mut self, _: GetFeedCounters, _: &mut Self::Context) -> Self::Result {
        let mut c = self.counters.clone();
        c.connected = self.sink.is_some();
        c.last_frame_age_ms = u64::try_from(self.last_frame.elapsed().as_millis()).unwrap_or(u64::MAX);
        MessageResult((self.core.counters().clone(), c))
    }
}
