//! Persister: owns the write buffer and the database. Accepting a record is what
//! acknowledges it (`RecordEnqueued` → Observer); a full buffer refuses and counts. Batches
//! are written in transactions every `flush_every` or when full; a failed write is retried
//! with backoff and nothing accepted is lost. Runs on its own arbiter, off the hot path.
//!
//! Stream markers from the BookKeeper pass through in order with the acknowledgements. A
//! refused record leaves a hole in what is stored, so its market is marked stale for the
//! Observer and a fresh snapshot is requested; it trades again once a snapshot is stored.
//!
//! The trading side's records ([`PersistActorRecord`]) have their own buffer, of the same
//! capacity and batch size, written on the same timer with the same retries; they are
//! never acknowledged.

mod lane;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{info, warn};

use super::messages::{InjectFailure, PersistRecord, RecordEnqueued, RequestSnapshots, StreamMarked, StreamMarker};
use crate::persist::{BufferCounters, WriteBuffer};
use crate::storage::{ActorRecord, BookRecord, SessionCounters, SessionStatus, Store};
use lane::{write_all, Lane};

/// Where acknowledgements and stream markers go (the Observer).
#[derive(Clone)]
pub struct AckTargets {
    /// Accepted records.
    pub records: Recipient<RecordEnqueued>,
    /// Stream markers, in order with the records.
    pub markers: Recipient<StreamMarked>,
}

/// The persister actor. Its database connection is opened by [`OpenSession`], on the
/// persister's own arbiter: connections belong to the runtime that opened them.
pub struct Persister {
    book: Lane<BookRecord>,
    /// The trading side's records: same capacity and batch size, never acknowledged.
    actor: Lane<ActorRecord>,
    store: Option<Store>,
    session: i64,
    observer: Option<AckTargets>,
    /// Asks the feed for snapshots after a refusal.
    snapshots: Option<Recipient<RequestSnapshots>>,
    /// Markets with a refused record and no stored snapshot since.
    holes: HashSet<String>,
    flush_every: Duration,
    /// Set by [`FlushAndClose`]: later records are refused, since they could not be written.
    closing: bool,
    restarts: u64,
}

impl Persister {
    /// A persister that will write once [`OpenSession`] has connected it. Actor records get
    /// a buffer of the same capacity and batch size as `buf`.
    pub fn new(buf: WriteBuffer, flush_every: Duration, observer: Option<AckTargets>) -> Persister {
        Persister {
            actor: Lane::new(WriteBuffer::new(buf.capacity(), buf.batch_size())),
            book: Lane::new(buf),
            store: None,
            session: 0,
            observer,
            snapshots: None,
            holes: HashSet::new(),
            flush_every,
            closing: false,
            restarts: 0,
        }
    }
}

impl Actor for Persister {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.flush_every, |act, ctx| {
            act.flush::<BookRecord>(ctx);
            act.flush::<ActorRecord>(ctx);
        });
    }
}

/// A restart keeps the buffers and the connection: nothing accepted is lost.
impl actix::Supervised for Persister {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.restarts += 1;
        self.clear_backoff();
    }
}

impl Handler<InjectFailure> for Persister {
    type Result = ();

    /// Stops between batches: a batch cancelled mid-transaction could be committed without
    /// the buffer knowing, and its records would then be written twice.
    fn handle(&mut self, msg: InjectFailure, ctx: &mut Self::Context) {
        if self.in_flight() {
            ctx.notify_later(msg, Duration::from_millis(5));
            return;
        }
        warn!("injected failure: stopping the persister");
        ctx.stop();
    }
}

impl Persister {
    /// A refused record of `market`: its stored stream has a hole until a snapshot.
    fn hole(&mut self, market: &str, snapshot: bool) {
        let first = self.holes.insert(market.to_owned());
        if !(first || snapshot) {
            return;
        }
        if first {
            if let Some(o) = &self.observer {
                o.markers.do_send(StreamMarked { marker: StreamMarker::Stale { markets: vec![market.to_owned()] } });
            }
        }
        if let Some(feed) = &self.snapshots {
            feed.do_send(RequestSnapshots { markets: vec![market.to_owned()] });
        }
    }
}

impl Handler<PersistRecord> for Persister {
    type Result = ();

    fn handle(&mut self, msg: PersistRecord, ctx: &mut Self::Context) {
        if self.closing {
            self.book.buf.refuse();
            return;
        }
        let (market, snapshot) = (msg.record.market().to_owned(), msg.record.is_snapshot());
        let ack = self.observer.as_ref().map(|_| msg.record.clone());
        if !self.book.buf.offer(msg.record) {
            let dropped = self.book.buf.counters().dropped;
            if dropped.is_power_of_two() {
                warn!(dropped, "write buffer full: update refused, not acknowledged");
            }
            self.hole(&market, snapshot);
            return;
        }
        if snapshot && !self.holes.is_empty() {
            self.holes.remove(&market);
        }
        if let (Some(o), Some(record)) = (&self.observer, ack) {
            o.records.do_send(RecordEnqueued { record, rx: msg.rx });
        }
        if self.book.buf.batch_ready() {
            self.flush::<BookRecord>(ctx);
        }
    }
}

/// OrderExecutor (and Policy) → Persister: a record of the trading side to store. Never
/// acknowledged; refused (counted as dropped) when the actor buffer is full, the session
/// is closing, or the record fails [`ActorRecord::validate`].
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PersistActorRecord {
    /// The record.
    pub record: ActorRecord,
}

impl Handler<PersistActorRecord> for Persister {
    type Result = ();

    fn handle(&mut self, msg: PersistActorRecord, ctx: &mut Self::Context) {
        let buf = &mut self.actor.buf;
        if self.closing {
            buf.refuse();
            return;
        }
        if let Err(e) = msg.record.validate() {
            warn!(error = %e, "actor record cannot be stored: refused");
            buf.refuse();
            return;
        }
        if !buf.offer(msg.record) {
            let dropped = buf.counters().dropped;
            if dropped.is_power_of_two() {
                warn!(dropped, "actor record buffer full: record refused");
            }
            return;
        }
        if buf.batch_ready() {
            self.flush::<ActorRecord>(ctx);
        }
    }
}

impl Handler<StreamMarked> for Persister {
    type Result = ();

    fn handle(&mut self, msg: StreamMarked, _: &mut Self::Context) {
        if let Some(o) = &self.observer {
            o.markers.do_send(msg);
        }
    }
}

/// Connects the feed, which is asked for snapshots after a refused record.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectSnapshots(pub Recipient<RequestSnapshots>);

impl Handler<ConnectSnapshots> for Persister {
    type Result = ();

    fn handle(&mut self, msg: ConnectSnapshots, _: &mut Self::Context) {
        self.snapshots = Some(msg.0);
    }
}

/// Connects to the database, applies migrations and opens a session row; answers its id.
#[derive(Message)]
#[rtype(result = "Result<i64, String>")]
pub struct OpenSession {
    /// Database URL (secret: never logged).
    pub url: String,
    /// The feed's WebSocket URL, recorded on the session.
    pub ws_url: String,
    /// Markets subscribed.
    pub markets: Vec<String>,
}

impl Handler<OpenSession> for Persister {
    type Result = ResponseActFuture<Self, Result<i64, String>>;

    fn handle(&mut self, msg: OpenSession, _: &mut Self::Context) -> Self::Result {
        Box::pin(
            async move {
                let store = Store::connect(&msg.url).await.map_err(|e| format!("cannot open the database: {e}"))?;
                let id = store
                    .start_session(&msg.ws_url, &msg.markets, crate::kalshi::sign::now_ms())
                    .await
                    .map_err(|e| format!("cannot open a session: {e}"))?;
                Ok((store, id))
            }
            .into_actor(self)
            .map(|res: Result<(Store, i64), String>, act, _| {
                let (store, id) = res?;
                act.store = Some(store);
                act.session = id;
                Ok(id)
            }),
        )
    }
}

/// Buffer counters and records pending.
#[derive(Message)]
#[rtype(result = "(BufferCounters, usize)")]
pub struct GetPersisterCounters;

impl Handler<GetPersisterCounters> for Persister {
    type Result = MessageResult<GetPersisterCounters>;

    fn handle(&mut self, _: GetPersisterCounters, _: &mut Self::Context) -> Self::Result {
        MessageResult((self.book.buf.counters(), self.book.buf.pending()))
    }
}

/// Actor-record counters: `(accepted, written, dropped)`. Written means in a committed
/// transaction (a redelivered fill the database ignored counts); dropped means refused
/// (buffer full, closing, or a record that fails [`ActorRecord::validate`]).
#[derive(Message)]
#[rtype(result = "(u64, u64, u64)")]
pub struct GetActorPersistCounters;

impl Handler<GetActorPersistCounters> for Persister {
    type Result = MessageResult<GetActorPersistCounters>;

    fn handle(&mut self, _: GetActorPersistCounters, _: &mut Self::Context) -> Self::Result {
        let c = self.actor.buf.counters();
        MessageResult((c.accepted, c.written, c.dropped))
    }
}

/// Failed actor-record batch writes so far (each was put back and retried).
#[derive(Message)]
#[rtype(result = "u64")]
pub struct GetActorWriteFailures;

impl Handler<GetActorWriteFailures> for Persister {
    type Result = u64;

    fn handle(&mut self, _: GetActorWriteFailures, _: &mut Self::Context) -> u64 {
        self.actor.failures
    }
}

/// Supervisor restarts so far.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct GetPersisterRestarts;

impl Handler<GetPersisterRestarts> for Persister {
    type Result = u64;

    fn handle(&mut self, _: GetPersisterRestarts, _: &mut Self::Context) -> u64 {
        self.restarts
    }
}

/// Writes everything pending, market data then actor records (waiting at most `deadline`),
/// and closes the session; answers the market-data counters.
#[derive(Message)]
#[rtype(result = "BufferCounters")]
pub struct FlushAndClose {
    /// Longest time to spend flushing.
    pub deadline: Duration,
    /// Counters for the session row.
    pub counters: SessionCounters,
}

impl Handler<FlushAndClose> for Persister {
    type Result = ResponseActFuture<Self, BufferCounters>;

    fn handle(&mut self, msg: FlushAndClose, ctx: &mut Self::Context) -> Self::Result {
        self.closing = true;
        let Some(store) = self.store.clone() else { return Box::pin(actix::fut::ready(self.book.buf.counters())) };
        if self.in_flight() {
            // Let the batches being written land first, then close (asking again shortly).
            let me = ctx.address();
            let counters = self.book.buf.counters();
            return Box::pin(
                async move {
                    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
                    me.send(msg).await.unwrap_or(counters)
                }
                .into_actor(self),
            );
        }
        let session = self.session;
        let (book, actor) = (self.book.buf.drain_queue(), self.actor.buf.drain_queue());
        let (book_chunk, actor_chunk) = (self.book.buf.batch_size(), self.actor.buf.batch_size());
        let dropped = self.book.buf.counters().dropped;
        Box::pin(
            async move {
                let deadline = Instant::now() + msg.deadline;
                let (book_written, book_ok) = write_all(&store, session, &book, book_chunk, deadline).await;
                let (actor_written, actor_ok) = write_all(&store, session, &actor, actor_chunk, deadline).await;
                let status = if book_ok && actor_ok { SessionStatus::Closed } else { SessionStatus::Failed };
                let counters = SessionCounters { dropped, ..msg.counters };
                if let Err(e) = store.end_session(session, crate::kalshi::sign::now_ms(), status, &counters).await {
                    warn!(error = %e, "cannot close the session row");
                }
                (book_written, actor_written, status)
            }
            .into_actor(self)
            .map(|(book_written, actor_written, status), act, _| {
                act.book.buf.add_written(book_written);
                act.actor.buf.add_written(actor_written);
                let (counters, actor) = (act.book.buf.counters(), act.actor.buf.counters());
                info!(
                    written = counters.written,
                    dropped = counters.dropped,
                    actor_written = actor.written,
                    actor_dropped = actor.dropped,
                    ?status,
                    "persister flushed and closed"
                );
                counters
            }),
        )
    }
}
