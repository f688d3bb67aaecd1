//! The pure core of the Persister actor: a bounded write buffer. A record is accepted only
//! when there is room for it counting the batch in flight, so nothing accepted is ever
//! dropped: a failed batch goes back to the front of the queue, in order, for a retry.
//!
//! The Persister keeps one buffer per kind of record: market data ([`BookRecord`], the
//! default) and the trading actor's records ([`crate::storage::ActorRecord`]).

use std::collections::VecDeque;

use crate::storage::BookRecord;

/// Buffer counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferCounters {
    /// Records accepted (acknowledged).
    pub accepted: u64,
    /// Records refused because the buffer was full (never acknowledged).
    pub dropped: u64,
    /// Records committed to the database.
    pub written: u64,
    /// Failed batch writes (each retried).
    pub failures: u64,
}

/// The write buffer of records of type `T`.
#[derive(Debug)]
pub struct WriteBuffer<T = BookRecord> {
    queue: VecDeque<T>,
    in_flight: usize,
    capacity: usize,
    batch_size: usize,
    counters: BufferCounters,
}

impl<T> WriteBuffer<T> {
    /// A buffer holding at most `capacity` records (queued plus in flight), flushed in
    /// batches of at most `batch_size`.
    pub fn new(capacity: usize, batch_size: usize) -> WriteBuffer<T> {
        WriteBuffer {
            queue: VecDeque::new(),
            in_flight: 0,
            capacity: capacity.max(1),
            batch_size: batch_size.max(1),
            counters: BufferCounters::default(),
        }
    }

    /// Accepts `record` if there is room; `false` means refused (counted as dropped).
    pub fn offer(&mut self, record: T) -> bool {
        if self.queue.len() + self.in_flight >= self.capacity {
            self.counters.dropped += 1;
            return false;
        }
        self.queue.push_back(record);
        self.counters.accepted += 1;
        true
    }

    /// Counts a record refused for another reason (shutting down) as dropped.
    pub fn refuse(&mut self) {
        self.counters.dropped += 1;
    }

    /// True when a full batch is waiting.
    pub fn batch_ready(&self) -> bool {
        self.queue.len() >= self.batch_size
    }

    /// The next batch to write, unless one is already in flight or nothing waits.
    pub fn take_batch(&mut self) -> Option<Vec<T>> {
        if self.in_flight > 0 || self.queue.is_empty() {
            return None;
        }
        let n = self.queue.len().min(self.batch_size);
        self.in_flight = n;
        Some(self.queue.drain(..n).collect())
    }

    /// The batch in flight was committed.
    pub fn committed(&mut self) {
        self.counters.written += self.in_flight as u64;
        self.in_flight = 0;
    }

    /// The batch in flight failed: it goes back to the front, in order.
    pub fn failed(&mut self, batch: Vec<T>) {
        self.counters.failures += 1;
        self.in_flight = 0;
        for r in batch.into_iter().rev() {
            self.queue.push_front(r);
        }
    }

    /// Everything waiting (not the batch in flight), for a final flush.
    pub fn drain_queue(&mut self) -> Vec<T> {
        self.queue.drain(..).collect()
    }

    /// Records written outside the batch cycle (the final flush).
    pub fn add_written(&mut self, n: usize) {
        self.counters.written += n as u64;
    }

    /// Largest batch written at once.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Most records held at once (queued plus in flight).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// True while a batch is being written.
    pub fn in_flight(&self) -> bool {
        self.in_flight > 0
    }

    /// Records waiting or in flight.
    pub fn pending(&self) -> usize {
        self.queue.len() + self.in_flight
    }

    /// Counters so far.
    pub fn counters(&self) -> BufferCounters {
        self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Count, Outcome, Price};

    fn rec(seq: u64) -> BookRecord {
        BookRecord::Delta {
            market: "M".into(),
            sid: 1,
            seq,
            recv_ms: 0,
            exchange_ts_ms: None,
            side: Outcome::Yes,
            price: Price::from_cents(40).unwrap(),
            delta: Count::contracts(1),
        }
    }

    #[test]
    fn full_buffer_refuses_and_nothing_accepted_is_lost() {
        let mut b = WriteBuffer::new(3, 2);
        assert_eq!((b.capacity(), b.batch_size()), (3, 2));
        assert!(b.offer(rec(1)) && b.offer(rec(2)) && b.offer(rec(3)));
        assert!(!b.offer(rec(4)), "full");
        let batch = b.take_batch().unwrap();
        assert_eq!(batch.len(), 2);
        assert!(b.take_batch().is_none(), "one batch in flight at a time");
        assert!(!b.offer(rec(5)), "the batch in flight still counts against capacity");
        b.failed(batch);
        let again = b.take_batch().unwrap();
        assert_eq!(again.iter().map(BookRecord::seq).collect::<Vec<_>>(), vec![1, 2], "retried first, in order");
        b.committed();
        assert!(b.offer(rec(6)));
        let last = b.take_batch().unwrap();
        assert_eq!(last.iter().map(BookRecord::seq).collect::<Vec<_>>(), vec![3, 6]);
        b.committed();
        assert_eq!(b.counters(), BufferCounters { accepted: 4, dropped: 2, written: 4, failures: 1 });
        assert_eq!(b.pending(), 0);
    }
}
