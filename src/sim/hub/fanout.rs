//! The fan-out of engine events to subscriptions: which frame a subscription gets for an
//! event (consuming a `seq` on sequenced channels), and the queueing of each data frame with
//! the faults injected into it (duplicates, reorders, extra frames, a disconnect after).

use std::collections::BTreeMap;

use super::{frames, next_seq, ConnId, Out, Sub};
use crate::kalshi::ws::{Channel, ServerFrame};
use crate::sim::engine::EngineEvent;
use crate::sim::faults::FaultInjector;

/// The frame one subscription gets for one event, if any (consumes a seq when sequenced).
pub(super) fn frame_for(
    e: &EngineEvent,
    sid: u64,
    sub: &mut Sub,
    user: &str,
    faults: &mut FaultInjector,
    now_ms: i64,
) -> Option<String> {
    let ticker = e.ticker();
    if !sub.covers(ticker) {
        return None;
    }
    Some(match (e, sub.channel) {
        (EngineEvent::Book(d), Channel::OrderbookDelta) => {
            let msg = frames::delta_msg(d, sub.use_yes_price, d.user_id == user, now_ms);
            ServerFrame::OrderbookDelta { sid, seq: next_seq(sub, faults, true), msg }.to_json()
        }
        (EngineEvent::Trade(t), Channel::Trade) => {
            ServerFrame::Trade { sid, seq: next_seq(sub, faults, true), msg: Box::new(frames::trade_msg(t)) }.to_json()
        }
        (EngineEvent::Fill(f), Channel::Fill) if f.user_id == user => {
            ServerFrame::Fill { sid, msg: Box::new(frames::fill_msg(f)) }.to_json()
        }
        (EngineEvent::Order(o), Channel::UserOrders) if o.user_id == user => {
            ServerFrame::UserOrder { sid, msg: Box::new(frames::user_order_msg(o)) }.to_json()
        }
        (EngineEvent::Position(p), Channel::MarketPositions) if p.user_id == user => {
            ServerFrame::MarketPosition { sid, msg: Box::new(frames::position_msg(p)) }.to_json()
        }
        (EngineEvent::Market(m), Channel::MarketLifecycleV2) => frames::lifecycle_msgs(m, now_ms)
            .into_iter()
            .map(|msg| {
                ServerFrame::MarketLifecycle { sid, seq: next_seq(sub, faults, true), msg: Box::new(msg) }.to_json()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return None,
    })
}

/// Queues a data frame with its injected faults; lifecycle pairs arrive newline-joined.
pub(super) fn emit(
    out: &mut Vec<Out>,
    held: &mut BTreeMap<ConnId, Out>,
    faults: &mut FaultInjector,
    conn: ConnId,
    sid: u64,
    frame: String,
) {
    for text in frame.split('\n') {
        let f = faults.frame(sid);
        let this = Out { conn, text: text.to_owned(), close_after: f.disconnect };
        let reorder = f.reorder && !held.contains_key(&conn);
        if f.duplicate {
            out.push(Out { close_after: false, ..this.clone() });
        }
        if reorder {
            held.insert(conn, this);
        } else {
            out.push(this);
            if let Some(h) = held.remove(&conn) {
                out.push(h);
            }
        }
        out.extend(f.extra.into_iter().map(|text| Out { conn, text, close_after: false }));
    }
}
