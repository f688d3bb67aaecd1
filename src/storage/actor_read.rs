//! The actor tables read back: their rows as both backends return them, decoded into
//! records in id order, each malformed column named in its error.

use std::fmt::Display;
use std::str::FromStr;

use crate::actors::messages::{OrderEvent, PositionChanged, RiskEvent};
use crate::domain::BookSide;
use crate::policy::N_ACTIONS;

use super::actor::{parse_book_side, parse_kind, ActionRow, ActorRecord, FillRow};
use super::actor_row::{ACTIONS, FILLS, ORDERS, POSITIONS};
use super::StoreError;

/// `rl_actor_actions` as read by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RawAction {
    id: i64,
    market_ticker: String,
    action: i64,
    action_name: String,
    probs: String,
    observation: String,
    model_id: String,
    seq: i64,
    recv_ts_ms: i64,
    ts_ms: i64,
    dry_run: bool,
}

/// `rl_actor_orders` as read by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RawOrder {
    id: i64,
    kind: String,
    market_ticker: String,
    client_order_id: String,
    order_id: Option<String>,
    side: String,
    price: String,
    remaining: String,
    filled: String,
    reason: String,
    ts_ms: i64,
}

/// `rl_actor_fills` as read by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RawFill {
    id: i64,
    trade_id: String,
    order_id: String,
    client_order_id: Option<String>,
    market_ticker: String,
    side: String,
    price: String,
    count: String,
    fee: String,
    is_taker: bool,
    post_position: String,
    ts_ms: i64,
}

/// `rl_actor_positions` as read by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RawPosition {
    id: i64,
    market_ticker: String,
    position: String,
    cost_basis: String,
    realized_pnl: String,
    fees: String,
    ts_ms: i64,
}

/// `rl_actor_risk_events` as read by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RawRisk {
    id: i64,
    kind: String,
    market_ticker: Option<String>,
    detail: String,
    halted: bool,
    ts_ms: i64,
}

/// Every actor row of a session, by table.
#[derive(Debug, Default)]
pub(crate) struct RawActorRows {
    pub actions: Vec<RawAction>,
    pub orders: Vec<RawOrder>,
    pub fills: Vec<RawFill>,
    pub positions: Vec<RawPosition>,
    pub risk: Vec<RawRisk>,
}

/// Decodes the columns of one row, naming the row in every error.
struct Row {
    table: &'static str,
    id: i64,
}

impl Row {
    fn bad(&self, reason: String) -> StoreError {
        StoreError::Decode { table: self.table, id: self.id, reason }
    }

    fn parse<T: FromStr>(&self, column: &str, text: &str) -> Result<T, StoreError>
    where
        T::Err: Display,
    {
        text.parse().map_err(|e| self.bad(format!("{column} {text:?}: {e}")))
    }

    fn side(&self, text: &str) -> Result<BookSide, StoreError> {
        parse_book_side(text).ok_or_else(|| self.bad(format!("side {text:?}")))
    }

    fn floats(&self, column: &str, text: &str) -> Result<Vec<f32>, StoreError> {
        serde_json::from_str(text).map_err(|e| self.bad(format!("{column}: {e}")))
    }
}

impl RawActorRows {
    /// Every record in id order (the order they were written); a malformed column is a
    /// [`StoreError::Decode`].
    pub fn decode(self) -> Result<Vec<ActorRecord>, StoreError> {
        let mut out = Vec::with_capacity(
            self.actions.len() + self.orders.len() + self.fills.len() + self.positions.len() + self.risk.len(),
        );
        for r in self.actions {
            let row = Row { table: ACTIONS.name, id: r.id };
            let probs = row.floats("probs", &r.probs)?;
            let probs: [f32; N_ACTIONS] =
                probs.try_into().map_err(|v: Vec<f32>| row.bad(format!("probs: {} floats", v.len())))?;
            out.push((
                r.id,
                ActorRecord::Action(ActionRow {
                    market: r.market_ticker,
                    action: u8::try_from(r.action).map_err(|_| row.bad(format!("action {}", r.action)))?,
                    name: r.action_name,
                    probs,
                    obs: row.floats("observation", &r.observation)?,
                    model_id: r.model_id,
                    seq: u64::try_from(r.seq).map_err(|_| row.bad(format!("seq {}", r.seq)))?,
                    recv_ms: r.recv_ts_ms,
                    ts_ms: r.ts_ms,
                    dry_run: r.dry_run,
                }),
            ));
        }
        for r in self.orders {
            let row = Row { table: ORDERS.name, id: r.id };
            out.push((
                r.id,
                ActorRecord::Order(OrderEvent {
                    kind: parse_kind(&r.kind).ok_or_else(|| row.bad(format!("kind {:?}", r.kind)))?,
                    market: r.market_ticker,
                    client_order_id: r.client_order_id,
                    order_id: r.order_id,
                    side: row.side(&r.side)?,
                    price: row.parse("price", &r.price)?,
                    remaining: row.parse("remaining", &r.remaining)?,
                    filled: row.parse("filled", &r.filled)?,
                    reason: r.reason,
                    ts_ms: r.ts_ms,
                }),
            ));
        }
        for r in self.fills {
            let row = Row { table: FILLS.name, id: r.id };
            out.push((
                r.id,
                ActorRecord::Fill(FillRow {
                    trade_id: r.trade_id,
                    order_id: r.order_id,
                    client_order_id: r.client_order_id,
                    market: r.market_ticker,
                    side: row.side(&r.side)?,
                    price: row.parse("price", &r.price)?,
                    count: row.parse("count", &r.count)?,
                    fee: row.parse("fee", &r.fee)?,
                    is_taker: r.is_taker,
                    post_position: row.parse("post_position", &r.post_position)?,
                    ts_ms: r.ts_ms,
                }),
            ));
        }
        for r in self.positions {
            let row = Row { table: POSITIONS.name, id: r.id };
            out.push((
                r.id,
                ActorRecord::Position(PositionChanged {
                    market: r.market_ticker,
                    position: row.parse("position", &r.position)?,
                    cost_basis: row.parse("cost_basis", &r.cost_basis)?,
                    realized_pnl: row.parse("realized_pnl", &r.realized_pnl)?,
                    fees: row.parse("fees", &r.fees)?,
                    ts_ms: r.ts_ms,
                }),
            ));
        }
        for r in self.risk {
            out.push((
                r.id,
                ActorRecord::Risk(RiskEvent {
                    kind: r.kind,
                    market: r.market_ticker,
                    detail: r.detail,
                    halted: r.halted,
                    ts_ms: r.ts_ms,
                }),
            ));
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out.into_iter().map(|(_, record)| record).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_rows_are_named() {
        let fill = |side: &str, fee: &str| RawFill {
            id: 9,
            trade_id: "t".into(),
            order_id: "o".into(),
            client_order_id: None,
            market_ticker: "M".into(),
            side: side.into(),
            price: "0.4300".into(),
            count: "1.00".into(),
            fee: fee.into(),
            is_taker: true,
            post_position: "1.00".into(),
            ts_ms: 0,
        };
        let ok = RawActorRows { fills: vec![fill("ask", "0.017500")], ..RawActorRows::default() };
        assert!(matches!(&ok.decode().unwrap()[..], [ActorRecord::Fill(f)] if f.fee.micros() == 17_500));
        for (side, fee) in [("yes", "0.01"), ("bid", "0.0000001"), ("bid", "x")] {
            let rows = RawActorRows { fills: vec![fill(side, fee)], ..RawActorRows::default() };
            let err = rows.decode().unwrap_err();
            assert!(matches!(err, StoreError::Decode { table: "rl_actor_fills", id: 9, .. }), "{err}");
        }
    }
}
