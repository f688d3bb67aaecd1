//! Writing server frames exactly as the exchange does: `type` first, then `id`, `sid`,
//! `seq`, `msg`, each only where Kalshi sends it.

use serde::ser::SerializeMap;
use serde::Serialize;

use super::{ServerFrame, SubscriptionInfo};

impl Serialize for ServerFrame<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.kind())?;
        let put_id = |m: &mut S::SerializeMap, id: u64| if id != 0 { m.serialize_entry("id", &id) } else { Ok(()) };
        match self {
            ServerFrame::Subscribed { id, channel, sid } => {
                m.serialize_entry("id", id)?;
                m.serialize_entry("msg", &SubscriptionInfo { channel: channel.clone(), sid: *sid })?;
            }
            ServerFrame::Ok { id, sid, seq, msg } => {
                m.serialize_entry("id", id)?;
                if let (Some(sid), Some(seq)) = (sid, seq) {
                    m.serialize_entry("sid", sid)?;
                    m.serialize_entry("seq", seq)?;
                }
                m.serialize_entry("msg", msg)?;
            }
            ServerFrame::Unsubscribed { id, sid, seq } => {
                m.serialize_entry("id", id)?;
                m.serialize_entry("sid", sid)?;
                if let Some(seq) = seq {
                    m.serialize_entry("seq", seq)?;
                }
            }
            ServerFrame::Error { id, sid, seq, msg } => {
                m.serialize_entry("id", id)?;
                if let (Some(sid), Some(seq)) = (sid, seq) {
                    m.serialize_entry("sid", sid)?;
                    m.serialize_entry("seq", seq)?;
                }
                m.serialize_entry("msg", msg)?;
            }
            ServerFrame::OrderbookSnapshot { sid, seq, id, msg } => {
                put_id(&mut m, id.unwrap_or(0))?;
                m.serialize_entry("sid", sid)?;
                m.serialize_entry("seq", seq)?;
                m.serialize_entry("msg", msg)?;
            }
            ServerFrame::OrderbookDelta { sid, seq, msg } => sequenced(&mut m, *sid, *seq, msg)?,
            ServerFrame::Trade { sid, seq, msg } => sequenced(&mut m, *sid, *seq, msg)?,
            ServerFrame::MarketLifecycle { sid, seq, msg } => sequenced(&mut m, *sid, *seq, msg)?,
            ServerFrame::Ticker { sid, msg } => unsequenced(&mut m, *sid, msg)?,
            ServerFrame::Fill { sid, msg } => unsequenced(&mut m, *sid, msg)?,
            ServerFrame::MarketPosition { sid, msg } => unsequenced(&mut m, *sid, msg)?,
            ServerFrame::UserOrder { sid, msg } => unsequenced(&mut m, *sid, msg)?,
            ServerFrame::Other { sid, seq, .. } => {
                if let Some(sid) = sid {
                    m.serialize_entry("sid", sid)?;
                }
                if let Some(seq) = seq {
                    m.serialize_entry("seq", seq)?;
                }
            }
        }
        m.end()
    }
}

fn sequenced<M: SerializeMap, T: Serialize>(m: &mut M, sid: u64, seq: u64, msg: &T) -> Result<(), M::Error> {
    m.serialize_entry("sid", &sid)?;
    m.serialize_entry("seq", &seq)?;
    m.serialize_entry("msg", msg)
}

fn unsequenced<M: SerializeMap, T: Serialize>(m: &mut M, sid: u64, msg: &T) -> Result<(), M::Error> {
    m.serialize_entry("sid", &sid)?;
    m.serialize_entry("msg", msg)
}
