//! Broadcaster: fans the service's events out to the dashboard sessions (`/rl/ws`) as JSON
//! frames `{"type": ..., "data": ...}`, on its own arbiter so that no browser can slow the
//! engine (senders only `do_send` to it).
//!
//! Flow control: each session has a [`Backlog`] here. At most [`WINDOW`] frames are in
//! flight to a session; the session acknowledges what its browser received (the browser's
//! pong to a numbered ping), which lets more go out. While a browser is slow its book frames
//! coalesce (only each market's newest waits) and its other frames queue; past the backlog
//! bound the session is dropped. A session that joins mid-session first receives the current
//! state: the connection frame, the latest book of every market, the latest `stats` and
//! `feed_status`, every market's position and the P&L, and recent events. Once a second it samples every actor (see
//! [`stats`]) for the `stats` and `feed_status` frames.

mod stats;

use std::collections::{BTreeMap, HashMap, VecDeque};

use actix::prelude::*;
use serde::Serialize;
use tracing::{info, warn};

use super::messages::{
    ActionChosen, BookUpdated, FillRecorded, OrderEvent, PortfolioChanged, PositionChanged, RiskEvent,
};
use crate::broadcast::{frame, Backlog, Frame, Offer};
pub use stats::SetProbes;

/// Frames in flight to one session (sent, not yet acknowledged).
pub const WINDOW: u64 = 1024;
/// Non-book frames a session may have waiting before it is dropped.
pub const BACKLOG: usize = 8192;
/// Recent events replayed to a session that joins.
const RECENT: usize = 200;

/// Broadcaster → session: frames to write; then ping with `upto` (the count after them).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct Deliver {
    /// Frames, in order.
    pub frames: Vec<Frame>,
    /// Frames delivered to this session so far, these included.
    pub upto: u64,
    /// The session is dropped (too slow): close after writing.
    pub close: bool,
}

/// Session → Broadcaster: a new session; answers its id.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct Join(pub Recipient<Deliver>);

/// Session → Broadcaster: the session ended.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Leave(pub u64);

/// Session → Broadcaster: the browser received the first `upto` frames.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Acked {
    /// Session.
    pub id: u64,
    /// Frames received.
    pub upto: u64,
}

/// Counts an operator asks about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, MessageResponse)]
pub struct BroadcastCounters {
    /// Sessions now.
    pub sessions: u64,
    /// Sessions dropped for not keeping up.
    pub dropped: u64,
    /// Frames built.
    pub frames: u64,
    /// Book frames coalesced for slow sessions.
    pub coalesced: u64,
}

/// The counters.
#[derive(Message)]
#[rtype(result = "BroadcastCounters")]
pub struct GetBroadcastCounters;

struct Session {
    addr: Recipient<Deliver>,
    backlog: Backlog,
    sent: u64,
    acked: u64,
}

/// The broadcaster actor.
pub struct Broadcaster {
    hello: Frame,
    sessions: HashMap<u64, Session>,
    next: u64,
    /// The latest state frame of each key: a market's book, `stats`, `feed_status`.
    states: BTreeMap<String, Frame>,
    recent: VecDeque<Frame>,
    /// The latest position of each market and the latest P&L, for joiners (they are events
    /// in order for every session, but must not age out of `recent` for a late page).
    standing: BTreeMap<String, Frame>,
    counters: BroadcastCounters,
    sampler: stats::Sampler,
}

impl Broadcaster {
    /// A broadcaster greeting each session with `connection` (markets, mode, model, version).
    pub fn new(connection: &impl Serialize) -> Broadcaster {
        Broadcaster {
            hello: frame("connection", connection),
            sessions: HashMap::new(),
            next: 1,
            states: BTreeMap::new(),
            recent: VecDeque::new(),
            standing: BTreeMap::new(),
            counters: BroadcastCounters::default(),
            sampler: stats::Sampler::default(),
        }
    }

    fn pump(&mut self, id: u64) {
        let Some(s) = self.sessions.get_mut(&id) else { return };
        let room = WINDOW.saturating_sub(s.sent - s.acked);
        if room == 0 || s.backlog.is_empty() {
            return;
        }
        let frames = s.backlog.take(usize::try_from(room).unwrap_or(usize::MAX));
        s.sent += frames.len() as u64;
        s.addr.do_send(Deliver { frames, upto: s.sent, close: false });
    }

    fn pump_all(&mut self) {
        let ids: Vec<u64> = self.sessions.keys().copied().collect();
        for id in ids {
            self.pump(id);
        }
    }

    fn event(&mut self, f: Frame) {
        self.counters.frames += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(f.clone());
        let mut dropped = Vec::new();
        for (id, s) in &mut self.sessions {
            if s.backlog.offer_event(f.clone()) == Offer::Overflow {
                dropped.push(*id);
            }
        }
        for id in dropped {
            if let Some(s) = self.sessions.remove(&id) {
                self.counters.dropped += 1;
                warn!(session = id, "dashboard session dropped: its browser does not keep up");
                s.addr.do_send(Deliver { frames: Vec::new(), upto: s.sent, close: true });
            }
        }
        self.pump_all();
    }

    /// Offers the latest state frame of `key` (coalesced per session, replayed to joiners).
    fn state(&mut self, key: &str, f: Frame) {
        self.counters.frames += 1;
        self.states.insert(key.to_owned(), f.clone());
        for s in self.sessions.values_mut() {
            if s.backlog.offer_book(key, f.clone()) == Offer::Coalesced {
                self.counters.coalesced += 1;
            }
        }
        self.pump_all();
    }
}

impl Actor for Broadcaster {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(stats::EVERY, |act, ctx| act.sample(ctx));
    }
}

impl Handler<Join> for Broadcaster {
    type Result = u64;

    fn handle(&mut self, msg: Join, _: &mut Self::Context) -> u64 {
        let id = self.next;
        self.next += 1;
        let mut backlog = Backlog::new(BACKLOG);
        // The connection frame goes first, on its own; then the books and stats, then each
        // market's position and the P&L, then recent events.
        msg.0.do_send(Deliver { frames: vec![self.hello.clone()], upto: 1, close: false });
        for (key, f) in &self.states {
            backlog.offer_book(key, f.clone());
        }
        for f in self.standing.values().chain(&self.recent) {
            backlog.offer_event(f.clone());
        }
        self.sessions.insert(id, Session { addr: msg.0, backlog, sent: 1, acked: 0 });
        info!(session = id, "dashboard session joined");
        self.pump(id);
        id
    }
}

impl Handler<Leave> for Broadcaster {
    type Result = ();

    fn handle(&mut self, msg: Leave, _: &mut Self::Context) {
        self.sessions.remove(&msg.0);
    }
}

impl Handler<Acked> for Broadcaster {
    type Result = ();

    fn handle(&mut self, msg: Acked, _: &mut Self::Context) {
        if let Some(s) = self.sessions.get_mut(&msg.id) {
            s.acked = s.acked.max(msg.upto.min(s.sent));
        }
        self.pump(msg.id);
    }
}

/// The `orderbook_snapshot` frame's data.
#[derive(Serialize)]
struct BookFrame<'a> {
    market: &'a str,
    timestamp_ms: i64,
    sequence_number: u64,
    yes_bids: &'a [crate::book::Level],
    no_bids: &'a [crate::book::Level],
}

impl Handler<BookUpdated> for Broadcaster {
    type Result = ();

    fn handle(&mut self, msg: BookUpdated, _: &mut Self::Context) {
        let b = &msg.book;
        let data = BookFrame {
            market: &b.ticker,
            timestamp_ms: msg.recv_ms,
            sequence_number: msg.seq,
            yes_bids: &b.yes_bids,
            no_bids: &b.no_bids,
        };
        let f = frame("orderbook_snapshot", &data);
        self.state(&b.ticker, f);
    }
}

/// The `actor_action` frame's data.
#[derive(Serialize)]
struct ActionFrame<'a> {
    market: &'a str,
    action: usize,
    name: &'a str,
    probs: [f32; 5],
    model_id: &'a str,
    seq: u64,
    timestamp_ms: i64,
    inference_us: f64,
}

impl Handler<ActionChosen> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: ActionChosen, _: &mut Self::Context) {
        let data = ActionFrame {
            market: &m.market,
            action: m.action,
            name: m.name,
            probs: m.probs,
            model_id: &m.model_id,
            seq: m.seq,
            timestamp_ms: m.recv_ms,
            inference_us: m.inference_us,
        };
        self.event(frame("actor_action", &data));
    }
}

impl Handler<OrderEvent> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: OrderEvent, _: &mut Self::Context) {
        self.event(frame("actor_order", &m));
    }
}

impl Handler<PositionChanged> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: PositionChanged, _: &mut Self::Context) {
        let f = frame("actor_position", &m);
        self.standing.insert(format!("position {}", m.market), f.clone());
        self.event(f);
    }
}

impl Handler<RiskEvent> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: RiskEvent, _: &mut Self::Context) {
        self.event(frame("risk_event", &m));
    }
}

impl Handler<FillRecorded> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: FillRecorded, _: &mut Self::Context) {
        self.event(frame("actor_fill", &m.fill));
    }
}

/// The `actor_pnl` frame's data.
#[derive(Serialize)]
struct PnlFrame {
    cash_cents: f64,
    value_cents: f64,
    timestamp_ms: i64,
}

impl Handler<PortfolioChanged> for Broadcaster {
    type Result = ();

    fn handle(&mut self, m: PortfolioChanged, _: &mut Self::Context) {
        let data = PnlFrame {
            cash_cents: m.cash_cents,
            value_cents: m.value_cents,
            timestamp_ms: crate::kalshi::sign::now_ms(),
        };
        let f = frame("actor_pnl", &data);
        self.standing.insert("pnl".into(), f.clone());
        self.event(f);
    }
}

impl Handler<GetBroadcastCounters> for Broadcaster {
    type Result = BroadcastCounters;

    fn handle(&mut self, _: GetBroadcastCounters, _: &mut Self::Context) -> BroadcastCounters {
        let mut c = self.counters;
        c.sessions = self.sessions.len() as u64;
        c
    }
}

/// Starts a broadcaster on its own arbiter.
pub fn start(connection: serde_json::Value) -> Addr<Broadcaster> {
    let arbiter = actix::Arbiter::new();
    Broadcaster::start_in_arbiter(&arbiter.handle(), move |_| Broadcaster::new(&connection))
}
