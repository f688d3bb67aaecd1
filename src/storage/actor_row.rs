//! The actor tables' columns and statements, and an [`ActorRecord`] as one row of values
//! to bind: the same for both backends, only the placeholders and the id differ.

use super::actor::{book_side_text, kind_text, ActorRecord};
use super::StoreError;

/// One actor table: its name and the columns after `id` and `session_id`, in bind order.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// Appended to the INSERT: a redelivered fill is ignored, not an error.
    pub on_conflict: &'static str,
}

pub(crate) const ACTIONS: Table = Table {
    name: "rl_actor_actions",
    columns: &[
        "market_ticker",
        "action",
        "action_name",
        "probs",
        "observation",
        "model_id",
        "seq",
        "recv_ts_ms",
        "ts_ms",
        "dry_run",
    ],
    on_conflict: "",
};
pub(crate) const ORDERS: Table = Table {
    name: "rl_actor_orders",
    columns: &[
        "kind",
        "market_ticker",
        "client_order_id",
        "order_id",
        "side",
        "price",
        "remaining",
        "filled",
        "reason",
        "ts_ms",
    ],
    on_conflict: "",
};
pub(crate) const FILLS: Table = Table {
    name: "rl_actor_fills",
    columns: &[
        "trade_id",
        "order_id",
        "client_order_id",
        "market_ticker",
        "side",
        "price",
        "count",
        "fee",
        "is_taker",
        "post_position",
        "ts_ms",
    ],
    on_conflict: " ON CONFLICT (session_id, trade_id) DO NOTHING",
};
pub(crate) const POSITIONS: Table = Table {
    name: "rl_actor_positions",
    columns: &["market_ticker", "position", "cost_basis", "realized_pnl", "fees", "ts_ms"],
    on_conflict: "",
};
pub(crate) const RISK: Table = Table {
    name: "rl_actor_risk_events",
    columns: &["kind", "market_ticker", "detail", "halted", "ts_ms"],
    on_conflict: "",
};

/// Every actor table.
pub(crate) const TABLES: [&Table; 5] = [&ACTIONS, &ORDERS, &FILLS, &POSITIONS, &RISK];

impl Table {
    /// The INSERT of one row. SQLite (`?` placeholders) is given the id; PostgreSQL (`$n`)
    /// takes it from `rl_actor_record_id_seq`.
    pub fn insert_sql(&self, postgres: bool) -> String {
        let mut names = vec!["session_id"];
        if !postgres {
            names.insert(0, "id");
        }
        names.extend(self.columns);
        let marks: Vec<String> =
            (1..=names.len()).map(|i| if postgres { format!("${i}") } else { "?".to_owned() }).collect();
        format!("INSERT INTO {} ({}) VALUES ({}){}", self.name, names.join(", "), marks.join(", "), self.on_conflict)
    }

    /// The rows of one session in id order.
    pub fn select_sql(&self, postgres: bool) -> String {
        let mark = if postgres { "$1" } else { "?" };
        format!("SELECT id, {} FROM {} WHERE session_id = {mark} ORDER BY id", self.columns.join(", "), self.name)
    }
}

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    Bool(bool),
}

/// A record as the values of its table's columns.
#[derive(Debug)]
pub(crate) struct ActorRow {
    pub table: &'static Table,
    pub values: Vec<Value>,
}

impl ActorRow {
    /// Encodes a record; fails (writing nothing) when [`ActorRecord::validate`] does.
    pub fn encode(record: &ActorRecord) -> Result<ActorRow, StoreError> {
        use Value::{Bool, Int, MaybeText, Text};
        record.validate()?;
        let (table, values) = match record {
            ActorRecord::Action(a) => {
                let json = |v: &[f32]| {
                    serde_json::to_string(v).map_err(|e| StoreError::OutOfRange(format!("cannot encode floats: {e}")))
                };
                let seq = i64::try_from(a.seq).map_err(|_| StoreError::OutOfRange(format!("seq {}", a.seq)))?;
                (
                    &ACTIONS,
                    vec![
                        Text(a.market.clone()),
                        Int(a.action.into()),
                        Text(a.name.clone()),
                        Text(json(&a.probs)?),
                        Text(json(&a.obs)?),
                        Text(a.model_id.clone()),
                        Int(seq),
                        Int(a.recv_ms),
                        Int(a.ts_ms),
                        Bool(a.dry_run),
                    ],
                )
            }
            ActorRecord::Order(o) => (
                &ORDERS,
                vec![
                    Text(kind_text(o.kind).into()),
                    Text(o.market.clone()),
                    Text(o.client_order_id.clone()),
                    MaybeText(o.order_id.clone()),
                    Text(book_side_text(o.side).into()),
                    Text(o.price.format()),
                    Text(o.remaining.format()),
                    Text(o.filled.format()),
                    Text(o.reason.clone()),
                    Int(o.ts_ms),
                ],
            ),
            ActorRecord::Fill(f) => (
                &FILLS,
                vec![
                    Text(f.trade_id.clone()),
                    Text(f.order_id.clone()),
                    MaybeText(f.client_order_id.clone()),
                    Text(f.market.clone()),
                    Text(book_side_text(f.side).into()),
                    Text(f.price.format()),
                    Text(f.count.format()),
                    Text(f.fee.format()),
                    Bool(f.is_taker),
                    Text(f.post_position.format()),
                    Int(f.ts_ms),
                ],
            ),
            ActorRecord::Position(p) => (
                &POSITIONS,
                vec![
                    Text(p.market.clone()),
                    Text(p.position.format()),
                    Text(p.cost_basis.format()),
                    Text(p.realized_pnl.format()),
                    Text(p.fees.format()),
                    Int(p.ts_ms),
                ],
            ),
            ActorRecord::Risk(r) => (
                &RISK,
                vec![
                    Text(r.kind.clone()),
                    MaybeText(r.market.clone()),
                    Text(r.detail.clone()),
                    Bool(r.halted),
                    Int(r.ts_ms),
                ],
            ),
        };
        Ok(ActorRow { table, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        assert_eq!(
            POSITIONS.insert_sql(false),
            "INSERT INTO rl_actor_positions (id, session_id, market_ticker, position, cost_basis, realized_pnl, \
             fees, ts_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        );
        assert_eq!(
            RISK.insert_sql(true),
            "INSERT INTO rl_actor_risk_events (session_id, kind, market_ticker, detail, halted, ts_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        );
        assert!(FILLS.insert_sql(true).ends_with(
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (session_id, trade_id) DO NOTHING"
        ));
        assert_eq!(
            RISK.select_sql(true),
            "SELECT id, kind, market_ticker, detail, halted, ts_ms FROM rl_actor_risk_events WHERE session_id = $1 \
             ORDER BY id"
        );
    }
}
