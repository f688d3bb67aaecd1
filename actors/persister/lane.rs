//! How the Persister writes: one lane per kind of record (market data, actor records),
//! each a bounded [`WriteBuffer`] and a retry delay; batches written one at a time per lane,
//! put back and retried with backoff on failure, and the final flush.

use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::warn;

use super::Persister;
use crate::persist::WriteBuffer;
use crate::storage::{ActorRecord, BookRecord, Store, StoreError};

/// First delay before retrying a failed batch; it doubles up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_millis(100);
/// Longest delay between retries.
const MAX_RETRY: Duration = Duration::from_secs(5);

/// One kind of record on its way to the database: its buffer and its retry delay.
pub(super) struct Lane<T> {
    pub(super) buf: WriteBuffer<T>,
    /// The next retry's delay.
    retry: Duration,
    /// Set after a failure until the retry is due: the flush timer must not retry sooner.
    backing_off: bool,
    /// Batch writes that failed (and were put back).
    pub(super) failures: u64,
}

impl<T> Lane<T> {
    pub(super) fn new(buf: WriteBuffer<T>) -> Lane<T> {
        Lane { buf, retry: FIRST_RETRY, backing_off: false, failures: 0 }
    }
}

/// What the persister writes in batches: market data and actor records.
pub(super) trait Stored: Sized + 'static {
    /// For logs.
    const WHAT: &'static str;
    /// The persister's lane of this kind.
    fn lane(p: &mut Persister) -> &mut Lane<Self>;
    /// Writes one batch in one transaction.
    async fn insert(store: &Store, session: i64, batch: &[Self]) -> Result<(), StoreError>;
}

impl Stored for BookRecord {
    const WHAT: &'static str = "book";
    fn lane(p: &mut Persister) -> &mut Lane<Self> {
        &mut p.book
    }
    async fn insert(store: &Store, session: i64, batch: &[Self]) -> Result<(), StoreError> {
        store.insert_batch(session, batch).await
    }
}

impl Stored for ActorRecord {
    const WHAT: &'static str = "actor";
    fn lane(p: &mut Persister) -> &mut Lane<Self> {
        &mut p.actor
    }
    async fn insert(store: &Store, session: i64, batch: &[Self]) -> Result<(), StoreError> {
        store.insert_actor_records(session, batch).await
    }
}

/// Writes `records` in batches of `chunk` until done, a failure or `deadline`: how many
/// were written, and whether all were.
pub(super) async fn write_all<T: Stored>(
    store: &Store,
    session: i64,
    records: &[T],
    chunk: usize,
    deadline: Instant,
) -> (usize, bool) {
    let mut written = 0;
    for batch in records.chunks(chunk) {
        if Instant::now() >= deadline {
            return (written, false);
        }
        if let Err(e) = T::insert(store, session, batch).await {
            warn!(error = %e, what = T::WHAT, records = records.len() - written, "final write failed");
            return (written, false);
        }
        written += batch.len();
    }
    (written, true)
}

impl Persister {
    /// Writes the next batch of kind `T`, unless one is in flight or a retry is pending; a
    /// failure puts the batch back and retries it after a doubling delay.
    pub(super) fn flush<T: Stored>(&mut self, ctx: &mut Context<Self>) {
        let Some(store) = self.store.clone() else { return };
        let session = self.session;
        let lane = T::lane(self);
        if lane.backing_off {
            return;
        }
        let Some(batch) = lane.buf.take_batch() else { return };
        async move {
            let result = T::insert(&store, session, &batch).await;
            (batch, result)
        }
        .into_actor(self)
        .map(|(batch, result), act, ctx| {
            let lane = T::lane(act);
            match result {
                Ok(()) => {
                    lane.buf.committed();
                    lane.retry = FIRST_RETRY;
                    if lane.buf.batch_ready() {
                        act.flush::<T>(ctx);
                    }
                }
                Err(e) => {
                    let (what, records, retry_in) = (T::WHAT, batch.len(), lane.retry);
                    warn!(error = %e, what, records, ?retry_in, "batch write failed; will retry");
                    lane.buf.failed(batch);
                    lane.failures += 1;
                    lane.retry = (lane.retry * 2).min(MAX_RETRY);
                    lane.backing_off = true;
                    ctx.run_later(retry_in, |act, ctx| {
                        T::lane(act).backing_off = false;
                        act.flush::<T>(ctx);
                    });
                }
            }
        })
        .spawn(ctx);
    }

    /// Forgets pending retries: a restart cancelled their timers, and the flush timer
    /// takes over.
    pub(super) fn clear_backoff(&mut self) {
        self.book.backing_off = false;
        self.actor.backing_off = false;
    }

    /// True while a batch of either kind is being written.
    pub(super) fn in_flight(&self) -> bool {
        self.book.buf.in_flight() || self.actor.buf.in_flight()
    }
}
