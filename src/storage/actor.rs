//! Actor tables: what the trading side records (the policy's decisions with their
//! observations, order state changes, our fills, positions, risk events), written by the
//! Persister next to the market data of the same session.
//!
//! Five tables, `rl_actor_actions`, `rl_actor_orders`, `rl_actor_fills`,
//! `rl_actor_positions` and `rl_actor_risk_events`, share one id space assigned in the order
//! the records were written, so [`super::Store::actor_records`] gives them back in that
//! order. Prices, counts and money are Kalshi's exact decimal strings; the observation and
//! the probabilities are JSON arrays of `f32` that read back bit for bit.

use crate::actors::messages::{OrderEvent, OrderEventKind, PositionChanged, RiskEvent};
use crate::domain::{BookSide, Count, Money, Price};
use crate::features::OBS_LEN;
use crate::policy::N_ACTIONS;

use super::StoreError;

/// One decision of the policy, with its full observation.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    /// Market the decision is about.
    pub market: String,
    /// Action number, below [`N_ACTIONS`].
    pub action: u8,
    /// The action's name (`HOLD`, `BUY_YES`, …).
    pub name: String,
    /// Softmax of the logits.
    pub probs: [f32; N_ACTIONS],
    /// The observation decided on: [`OBS_LEN`] finite floats.
    pub obs: Vec<f32>,
    /// The model's id.
    pub model_id: String,
    /// Sequence number of the market's last update in the observation's point.
    pub seq: u64,
    /// Receive time of the observation's point, Unix ms.
    pub recv_ms: i64,
    /// When the decision was made, Unix ms.
    pub ts_ms: i64,
    /// True when no order could follow from it (dry run).
    pub dry_run: bool,
}

/// One of our fills.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FillRow {
    /// Kalshi's trade id: a fill is stored once per session whatever the redeliveries.
    pub trade_id: String,
    /// The exchange's order id.
    pub order_id: String,
    /// Our order id, when the fill carried it.
    pub client_order_id: Option<String>,
    /// Market.
    pub market: String,
    /// `bid` (bought YES) or `ask` (sold YES).
    pub side: BookSide,
    /// YES execution price.
    pub price: Price,
    /// Contracts filled.
    pub count: Count,
    /// Fee paid.
    pub fee: Money,
    /// True when our order took liquidity.
    pub is_taker: bool,
    /// Signed position in the market after the fill (+YES, −NO).
    pub post_position: Count,
    /// When, Unix ms.
    pub ts_ms: i64,
}

/// What the executor stores, one variant per actor table.
#[derive(Debug, Clone, PartialEq)]
pub enum ActorRecord {
    /// A decision (`rl_actor_actions`).
    Action(ActionRow),
    /// An order state change (`rl_actor_orders`).
    Order(OrderEvent),
    /// A fill (`rl_actor_fills`).
    Fill(FillRow),
    /// A position change (`rl_actor_positions`).
    Position(PositionChanged),
    /// A risk limit, halt or resume (`rl_actor_risk_events`).
    Risk(RiskEvent),
}

impl ActorRecord {
    /// The table the record is stored in.
    pub fn table(&self) -> &'static str {
        match self {
            ActorRecord::Action(_) => "rl_actor_actions",
            ActorRecord::Order(_) => "rl_actor_orders",
            ActorRecord::Fill(_) => "rl_actor_fills",
            ActorRecord::Position(_) => "rl_actor_positions",
            ActorRecord::Risk(_) => "rl_actor_risk_events",
        }
    }

    /// Whether the record can be stored and read back exactly: an action number below
    /// [`N_ACTIONS`], an observation of [`OBS_LEN`] finite floats, finite probabilities, a
    /// `seq` that fits `i64`, and no NUL character in any text (PostgreSQL refuses it). A
    /// record that fails would fail every retry, so the Persister refuses it up front.
    pub fn validate(&self) -> Result<(), StoreError> {
        let bad = |what: String| Err(StoreError::OutOfRange(format!("{} record: {what}", self.table())));
        let texts: Vec<&str> = match self {
            ActorRecord::Action(a) => {
                if usize::from(a.action) >= N_ACTIONS {
                    return bad(format!("action {}", a.action));
                }
                if a.obs.len() != OBS_LEN {
                    return bad(format!("observation of {} floats", a.obs.len()));
                }
                if !a.obs.iter().chain(&a.probs).all(|x| x.is_finite()) {
                    return bad("a float is not finite".into());
                }
                if i64::try_from(a.seq).is_err() {
                    return bad(format!("seq {}", a.seq));
                }
                vec![&a.market, &a.name, &a.model_id]
            }
            ActorRecord::Order(o) => {
                vec![&o.market, &o.client_order_id, o.order_id.as_deref().unwrap_or_default(), &o.reason]
            }
            ActorRecord::Fill(f) => {
                vec![&f.trade_id, &f.order_id, f.client_order_id.as_deref().unwrap_or_default(), &f.market]
            }
            ActorRecord::Position(p) => vec![&p.market],
            ActorRecord::Risk(r) => vec![&r.kind, r.market.as_deref().unwrap_or_default(), &r.detail],
        };
        match texts.iter().find(|t| t.contains('\0')) {
            Some(t) => bad(format!("NUL character in {t:?}")),
            None => Ok(()),
        }
    }
}

/// An order event's kind as stored in `rl_actor_orders.kind` (its serde name).
pub(crate) fn kind_text(kind: OrderEventKind) -> &'static str {
    match kind {
        OrderEventKind::Sent => "sent",
        OrderEventKind::Placed => "placed",
        OrderEventKind::Amended => "amended",
        OrderEventKind::Canceled => "canceled",
        OrderEventKind::Rejected => "rejected",
        OrderEventKind::Executed => "executed",
        OrderEventKind::Unknown => "unknown",
    }
}

/// The kind named by [`kind_text`].
pub(crate) fn parse_kind(text: &str) -> Option<OrderEventKind> {
    const ALL: [OrderEventKind; 7] = [
        OrderEventKind::Sent,
        OrderEventKind::Placed,
        OrderEventKind::Amended,
        OrderEventKind::Canceled,
        OrderEventKind::Rejected,
        OrderEventKind::Executed,
        OrderEventKind::Unknown,
    ];
    ALL.into_iter().find(|k| kind_text(*k) == text)
}

/// `bid` / `ask`, as stored in the `side` columns.
pub(crate) fn book_side_text(side: BookSide) -> &'static str {
    match side {
        BookSide::Bid => "bid",
        BookSide::Ask => "ask",
    }
}

/// The side named by [`book_side_text`].
pub(crate) fn parse_book_side(text: &str) -> Option<BookSide> {
    match text {
        "bid" => Some(BookSide::Bid),
        "ask" => Some(BookSide::Ask),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action() -> ActionRow {
        ActionRow {
            market: "M".into(),
            action: 1,
            name: "BUY_YES".into(),
            probs: [0.2; N_ACTIONS],
            obs: vec![0.0; OBS_LEN],
            model_id: "ppo".into(),
            seq: 1,
            recv_ms: 2,
            ts_ms: 3,
            dry_run: false,
        }
    }

    #[test]
    fn names_match_serde_and_parse_back() {
        for kind in [
            OrderEventKind::Sent,
            OrderEventKind::Placed,
            OrderEventKind::Amended,
            OrderEventKind::Canceled,
            OrderEventKind::Rejected,
            OrderEventKind::Executed,
            OrderEventKind::Unknown,
        ] {
            let serde = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde, format!("\"{}\"", kind_text(kind)));
            assert_eq!(parse_kind(kind_text(kind)), Some(kind));
        }
        assert_eq!(parse_kind("filled"), None);
        for side in [BookSide::Bid, BookSide::Ask] {
            assert_eq!(serde_json::to_string(&side).unwrap(), format!("\"{}\"", book_side_text(side)));
            assert_eq!(parse_book_side(book_side_text(side)), Some(side));
        }
        assert_eq!(parse_book_side("yes"), None);
    }

    #[test]
    fn unstorable_records_are_refused() {
        assert!(ActorRecord::Action(action()).validate().is_ok());
        let mut bad = vec![
            ActionRow { action: N_ACTIONS as u8, ..action() },
            ActionRow { obs: vec![0.0; OBS_LEN - 1], ..action() },
            ActionRow { seq: u64::MAX, ..action() },
            ActionRow { model_id: "a\0b".into(), ..action() },
        ];
        let mut nan = action();
        nan.obs[7] = f32::NAN;
        bad.push(nan);
        let mut inf = action();
        inf.probs[4] = f32::INFINITY;
        bad.push(inf);
        for a in bad {
            let err = ActorRecord::Action(a.clone()).validate().unwrap_err();
            assert!(matches!(err, StoreError::OutOfRange(_)) && !err.is_recoverable(), "{a:?}");
        }
        let risk =
            RiskEvent { kind: "halt".into(), market: Some("\0".into()), detail: String::new(), halted: true, ts_ms: 0 };
        assert!(ActorRecord::Risk(risk).validate().is_err());
    }
}
