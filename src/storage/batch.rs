//! A batch of records split into the rows of the two record tables, ready to bind.
//!
//! Each row remembers its position in the batch: the backends give it the id
//! `reserved[position]`, so ids follow the order the records were received across both
//! tables.

use super::record::{levels_json, side_text, BookRecord, Header};
use super::StoreError;

/// A row of `rl_orderbook_snapshots` without its id and session.
#[derive(Debug)]
pub(crate) struct SnapshotRow<'a> {
    pub position: usize,
    pub market: &'a str,
    pub header: Header,
    pub yes: String,
    pub no: String,
}

/// A row of `rl_orderbook_deltas` without its id and session.
#[derive(Debug)]
pub(crate) struct DeltaRow<'a> {
    pub position: usize,
    pub market: &'a str,
    pub header: Header,
    pub side: &'static str,
    pub price: String,
    pub delta: String,
}

/// A batch split by table.
#[derive(Debug, Default)]
pub(crate) struct Batch<'a> {
    pub snapshots: Vec<SnapshotRow<'a>>,
    pub deltas: Vec<DeltaRow<'a>>,
    /// Smallest and largest receive time of the batch (`None` when empty).
    pub recv_span: Option<(i64, i64)>,
}

impl<'a> Batch<'a> {
    /// Splits `records`; fails (writing nothing) if any record cannot be stored.
    pub fn split(records: &'a [BookRecord]) -> Result<Batch<'a>, StoreError> {
        let mut batch = Batch { deltas: Vec::with_capacity(records.len()), ..Batch::default() };
        for (position, record) in records.iter().enumerate() {
            let header = Header::of(record)?;
            batch.recv_span = Some(match batch.recv_span {
                None => (header.recv_ms, header.recv_ms),
                Some((lo, hi)) => (lo.min(header.recv_ms), hi.max(header.recv_ms)),
            });
            match record {
                BookRecord::Snapshot { market, yes, no, .. } => batch.snapshots.push(SnapshotRow {
                    position,
                    market,
                    header,
                    yes: levels_json(yes)?,
                    no: levels_json(no)?,
                }),
                BookRecord::Delta { market, side, price, delta, .. } => batch.deltas.push(DeltaRow {
                    position,
                    market,
                    header,
                    side: side_text(*side),
                    price: price.format(),
                    delta: delta.format(),
                }),
            }
        }
        Ok(batch)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.snapshots.len() + self.deltas.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Outcome;

    #[test]
    fn splits_in_order_with_exact_strings() {
        let records = vec![
            BookRecord::Delta {
                market: "A".into(),
                sid: 1,
                seq: 5,
                recv_ms: 30,
                exchange_ts_ms: Some(29),
                side: Outcome::No,
                price: "0.43".parse().unwrap(),
                delta: "-1.5".parse().unwrap(),
            },
            BookRecord::Snapshot {
                market: "B".into(),
                sid: 2,
                seq: 1,
                recv_ms: 10,
                exchange_ts_ms: None,
                yes: vec![("0.0100".parse().unwrap(), "3".parse().unwrap())],
                no: vec![],
            },
        ];
        let batch = Batch::split(&records).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.recv_span, Some((10, 30)));
        let d = &batch.deltas[0];
        assert_eq!(
            (d.position, d.market, d.side, d.price.as_str(), d.delta.as_str()),
            (0, "A", "no", "0.4300", "-1.50")
        );
        let s = &batch.snapshots[0];
        assert_eq!((s.position, s.yes.as_str(), s.no.as_str()), (1, r#"[["0.0100","3.00"]]"#, "[]"));
        assert_eq!(Batch::split(&[]).unwrap().recv_span, None);
    }
}
