//! The simulator's WebSocket hub: every connection's subscriptions, `sid`s and per-sid
//! `seq` counters (kalshi-api.md §4.3–4.5), command handling with Kalshi's replies and error
//! codes, and the fan-out of engine events into frames. Pure: it returns frames for the
//! server to send, so it is tested without sockets.

mod fanout;
pub mod frames;

use std::collections::{BTreeMap, BTreeSet};

use crate::kalshi::ws::{
    self, error_message, Channel, Command, CommandFrame, ErrorMsg, OkMsg, ServerFrame, SubscriptionInfo, UpdateAction,
};
use crate::sim::engine::{Engine, EngineEvent};
use crate::sim::faults::FaultInjector;

/// A connection's id.
pub type ConnId = u64;

/// A frame to send on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Out {
    /// Connection.
    pub conn: ConnId,
    /// Frame text.
    pub text: String,
    /// Close the connection after sending (injected fault).
    pub close_after: bool,
}

#[derive(Debug, Clone)]
struct Sub {
    channel: Channel,
    /// `None` = every market.
    tickers: Option<BTreeSet<String>>,
    seq: u64,
    use_yes_price: bool,
    skip_ticker_ack: bool,
}

impl Sub {
    fn covers(&self, ticker: &str) -> bool {
        self.tickers.as_ref().is_none_or(|t| t.contains(ticker))
    }
}

#[derive(Debug, Clone)]
struct Conn {
    user: String,
    next_sid: u64,
    subs: BTreeMap<u64, Sub>,
}

/// All connections and their subscriptions.
#[derive(Debug)]
pub struct Hub {
    conns: BTreeMap<ConnId, Conn>,
    next_conn: ConnId,
    faults: FaultInjector,
    last_ticker: BTreeMap<String, ws::Ticker>,
}

fn channel_name(c: Channel) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn error_frame(id: u64, code: u16, sid_seq: Option<(u64, u64)>, ticker: Option<String>) -> String {
    ServerFrame::Error {
        id,
        sid: sid_seq.map(|s| s.0),
        seq: sid_seq.map(|s| s.1),
        msg: ErrorMsg { code, msg: error_message(code).to_owned(), market_ticker: ticker, market_tickers: None },
    }
    .to_json()
}

/// Advances a subscription's counter, skipping one number when the injector says so.
fn next_seq(sub: &mut Sub, faults: &mut FaultInjector, data: bool) -> u64 {
    if data && faults.skip_seq() {
        sub.seq += 1;
    }
    sub.seq += 1;
    sub.seq
}

impl Hub {
    /// A hub with no connections.
    pub fn new(faults: FaultInjector) -> Hub {
        Hub { conns: BTreeMap::new(), next_conn: 1, faults, last_ticker: BTreeMap::new() }
    }

    /// The fault injector (shared with the HTTP side).
    pub fn faults(&mut self) -> &mut FaultInjector {
        &mut self.faults
    }

    /// The fault injector, to read.
    pub fn faults_ref(&self) -> &FaultInjector {
        &self.faults
    }

    /// Registers a connection authenticated as `user`.
    pub fn connect(&mut self, user: &str) -> ConnId {
        let id = self.next_conn;
        self.next_conn += 1;
        self.conns.insert(id, Conn { user: user.to_owned(), next_sid: 1, subs: BTreeMap::new() });
        id
    }

    /// Forgets a connection and its subscriptions.
    pub fn disconnect(&mut self, conn: ConnId) {
        self.conns.remove(&conn);
    }

    /// Open connections.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Handles one client text frame; returns the frames to send back on that connection.
    pub fn command(&mut self, conn: ConnId, text: &str, engine: &Engine, now_ms: i64) -> Vec<String> {
        let frame = match CommandFrame::parse(text) {
            Ok(f) => f,
            Err(e) => return vec![error_frame(e.id, e.code, None, None)],
        };
        let Some(c) = self.conns.get_mut(&conn) else { return Vec::new() };
        let id = frame.id;
        let mut out = Vec::new();
        let known: BTreeSet<String> = engine.tickers().into_iter().collect();
        match frame.cmd {
            Command::Subscribe(p) => {
                let tickers = p.tickers();
                if let Some(bad) = tickers.iter().find(|t| !known.contains(*t)) {
                    return vec![error_frame(id, 11, None, Some(bad.clone()))];
                }
                let mut seen = BTreeSet::new();
                for channel in p.channels.iter().copied().filter(|ch| seen.insert(*ch)) {
                    if channel == Channel::OrderbookDelta && tickers.is_empty() {
                        out.push(error_frame(id, 14, None, None));
                        continue;
                    }
                    let wanted: Option<BTreeSet<String>> =
                        (!tickers.is_empty()).then(|| tickers.iter().cloned().collect());
                    let existing = c.subs.iter().find(|(_, s)| s.channel == channel).map(|(sid, _)| *sid);
                    if let Some(sid) = existing {
                        // Subscribing again merges the markets into the existing subscription.
                        let Some(sub) = c.subs.get_mut(&sid) else { continue };
                        let added = merge(sub, wanted);
                        let seq = next_seq(sub, &mut self.faults, false);
                        out.push(ok_markets(id, sid, seq, sub));
                        out.extend(snapshots(sub, sid, None, &added, engine, &mut self.faults));
                        continue;
                    }
                    let sid = c.next_sid;
                    c.next_sid += 1;
                    let mut sub = Sub {
                        channel,
                        tickers: wanted,
                        seq: 0,
                        use_yes_price: p.use_yes_price.unwrap_or(false),
                        skip_ticker_ack: p.skip_ticker_ack.unwrap_or(false),
                    };
                    out.push(ServerFrame::Subscribed { id, channel: channel_name(channel), sid }.to_json());
                    out.extend(snapshots(&mut sub, sid, None, &tickers, engine, &mut self.faults));
                    if channel == Channel::Ticker && p.send_initial_snapshot == Some(true) {
                        let list: Vec<String> =
                            if tickers.is_empty() { known.iter().cloned().collect() } else { tickers.clone() };
                        for t in list {
                            if let Some(msg) = frames::ticker_msg(engine, &t, now_ms) {
                                out.push(ServerFrame::Ticker { sid, msg: Box::new(msg) }.to_json());
                            }
                        }
                    }
                    c.subs.insert(sid, sub);
                }
            }
            Command::Unsubscribe(p) => {
                for sid in p.sids {
                    match c.subs.remove(&sid) {
                        Some(mut sub) => {
                            let seq = next_seq(&mut sub, &mut self.faults, false);
                            out.push(ServerFrame::Unsubscribed { id, sid, seq: Some(seq) }.to_json());
                        }
                        None => out.push(error_frame(id, 7, None, None)),
                    }
                }
            }
            Command::UpdateSubscription(p) => {
                let Ok(sid) = p.target() else { return vec![error_frame(id, 12, None, None)] };
                let Some(sub) = c.subs.get_mut(&sid) else { return vec![error_frame(id, 7, None, None)] };
                let tickers = p.tickers();
                if let Some(bad) = tickers.iter().find(|t| !known.contains(*t)) {
                    let seq = next_seq(sub, &mut self.faults, false);
                    return vec![error_frame(id, 11, Some((sid, seq)), Some(bad.clone()))];
                }
                let supported = matches!(
                    (p.action, sub.channel),
                    (UpdateAction::GetSnapshot, Channel::OrderbookDelta)
                        | (
                            UpdateAction::AddMarkets | UpdateAction::DeleteMarkets,
                            Channel::OrderbookDelta | Channel::Fill | Channel::UserOrders | Channel::Ticker
                        )
                );
                if !supported {
                    let seq = next_seq(sub, &mut self.faults, false);
                    return vec![error_frame(id, 13, Some((sid, seq)), None)];
                }
                if tickers.is_empty() {
                    let seq = next_seq(sub, &mut self.faults, false);
                    return vec![error_frame(id, 14, Some((sid, seq)), None)];
                }
                match p.action {
                    UpdateAction::AddMarkets => {
                        let added = merge(sub, Some(tickers.into_iter().collect()));
                        let seq = next_seq(sub, &mut self.faults, false);
                        out.push(ok_markets(id, sid, seq, sub));
                        out.extend(snapshots(sub, sid, None, &added, engine, &mut self.faults));
                    }
                    UpdateAction::DeleteMarkets => {
                        if let Some(set) = sub.tickers.as_mut() {
                            for t in &tickers {
                                set.remove(t);
                            }
                        }
                        let seq = next_seq(sub, &mut self.faults, false);
                        out.push(ok_markets(id, sid, seq, sub));
                    }
                    _ => {
                        let subscribed: Vec<String> = tickers.into_iter().filter(|t| sub.covers(t)).collect();
                        out.extend(snapshots(sub, sid, Some(id), &subscribed, engine, &mut self.faults));
                    }
                }
            }
            Command::ListSubscriptions => {
                let list =
                    c.subs.iter().map(|(sid, s)| SubscriptionInfo { channel: channel_name(s.channel), sid: *sid });
                out.push(ServerFrame::Ok { id, sid: None, seq: None, msg: OkMsg::List(list.collect()) }.to_json());
            }
        }
        out
    }

    /// Turns engine events into frames for every subscribed connection, in event order,
    /// then sends ticker updates for markets whose ticker fields changed.
    pub fn publish(&mut self, events: &[EngineEvent], engine: &Engine, now_ms: i64) -> Vec<Out> {
        let mut out = Vec::new();
        let mut touched = BTreeSet::new();
        let mut held: BTreeMap<ConnId, Out> = BTreeMap::new();
        for event in events {
            let ticker = event.ticker();
            touched.insert(ticker.to_owned());
            if self.faults.stalled(ticker) {
                continue;
            }
            for (&conn, c) in self.conns.iter_mut() {
                for (&sid, sub) in c.subs.iter_mut() {
                    let Some(frame) = fanout::frame_for(event, sid, sub, &c.user, &mut self.faults, now_ms) else {
                        continue;
                    };
                    fanout::emit(&mut out, &mut held, &mut self.faults, conn, sid, frame);
                }
            }
        }
        for ticker in touched {
            if self.faults.stalled(&ticker) {
                continue;
            }
            let Some(msg) = frames::ticker_msg(engine, &ticker, now_ms) else { continue };
            let unstamped = ws::Ticker { ts: None, ts_ms: None, time: None, ..msg.clone() };
            if self.last_ticker.get(&ticker) == Some(&unstamped) {
                continue;
            }
            self.last_ticker.insert(ticker.clone(), unstamped);
            for (&conn, c) in self.conns.iter() {
                for (&sid, _) in c.subs.iter().filter(|(_, s)| s.channel == Channel::Ticker && s.covers(&ticker)) {
                    let frame = ServerFrame::Ticker { sid, msg: Box::new(msg.clone()) }.to_json();
                    fanout::emit(&mut out, &mut held, &mut self.faults, conn, sid, frame);
                }
            }
        }
        out.extend(held.into_values());
        out
    }
}

/// Adds `wanted` to a subscription's markets; returns the markets that are new.
fn merge(sub: &mut Sub, wanted: Option<BTreeSet<String>>) -> Vec<String> {
    match (&mut sub.tickers, wanted) {
        (Some(have), Some(want)) => want.into_iter().filter(|t| have.insert(t.clone())).collect(),
        (have @ Some(_), None) => {
            *have = None;
            Vec::new()
        }
        (None, _) => Vec::new(),
    }
}

fn ok_markets(id: u64, sid: u64, seq: u64, sub: &Sub) -> String {
    let market_tickers = if sub.skip_ticker_ack { None } else { Some(sub.tickers.iter().flatten().cloned().collect()) };
    ServerFrame::Ok { id, sid: Some(sid), seq: Some(seq), msg: OkMsg::Markets { market_tickers } }.to_json()
}

/// Snapshot frames for `tickers` on an orderbook subscription (none for other channels).
fn snapshots(
    sub: &mut Sub,
    sid: u64,
    id: Option<u64>,
    tickers: &[String],
    engine: &Engine,
    faults: &mut FaultInjector,
) -> Vec<String> {
    if sub.channel != Channel::OrderbookDelta {
        return Vec::new();
    }
    tickers
        .iter()
        .map(|t| {
            let msg = frames::snapshot_msg(engine, t, sub.use_yes_price);
            ServerFrame::OrderbookSnapshot { sid, seq: next_seq(sub, faults, false), id, msg }.to_json()
        })
        .collect()
}

#[cfg(test)]
mod tests;
