//! Client → server commands (`{"id", "cmd", "params"}`) and their parsing with the
//! WebSocket error codes of kalshi-api.md §4.4, so the simulator answers exactly as Kalshi.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A channel name. Channels we do not serve parse as [`Channel::Unknown`] (error 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Order-book snapshots and deltas (needs market tickers).
    OrderbookDelta,
    /// Top-of-book and last-trade ticker.
    Ticker,
    /// Public trades.
    Trade,
    /// Own fills.
    Fill,
    /// Own positions (`market_position` messages).
    MarketPositions,
    /// Market lifecycle events.
    MarketLifecycleV2,
    /// Own order updates (`user_order` messages).
    UserOrders,
    /// Any other channel name.
    #[serde(other)]
    Unknown,
}

/// `subscribe` parameters (only `channels` is required).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SubscribeParams {
    /// Channels to subscribe to; one `subscribed` reply (own sid) per channel.
    pub channels: Vec<Channel>,
    /// A single market.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
    /// Several markets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_tickers: Option<Vec<String>>,
    /// Ticker channel: send the current ticker right away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_initial_snapshot: Option<bool>,
    /// `ok` replies omit the market list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_ticker_ack: Option<bool>,
    /// Orderbook channel: report NO levels in YES prices. Always sent explicitly by us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_yes_price: Option<bool>,
}

impl SubscribeParams {
    /// All tickers named, from either field.
    pub fn tickers(&self) -> Vec<String> {
        all_tickers(&self.market_ticker, &self.market_tickers)
    }
}

/// `unsubscribe` parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UnsubscribeParams {
    /// Subscriptions to end (required, ≥ 1).
    #[serde(default)]
    pub sids: Vec<u64>,
}

/// `update_subscription` actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateAction {
    /// Add markets to the subscription.
    AddMarkets,
    /// Remove markets from the subscription.
    DeleteMarkets,
    /// Orderbook only: resend snapshots of the named markets.
    GetSnapshot,
    /// Anything else (error 13).
    #[serde(other)]
    Unknown,
}

/// `update_subscription` parameters: exactly one of `sid` / `sids: [one]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateParams {
    /// What to do.
    pub action: UpdateAction,
    /// Target subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<u64>,
    /// Target subscription as a one-element array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sids: Option<Vec<u64>>,
    /// A single market.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
    /// Several markets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_tickers: Option<Vec<String>>,
    /// Ticker channel: send current tickers of added markets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_initial_snapshot: Option<bool>,
}

impl UpdateParams {
    /// The single targeted sid, or the error code 12 when zero or several were given.
    pub fn target(&self) -> Result<u64, u16> {
        match (self.sid, self.sids.as_deref()) {
            (Some(s), None) => Ok(s),
            (None, Some([s])) => Ok(*s),
            _ => Err(12),
        }
    }

    /// All tickers named, from either field.
    pub fn tickers(&self) -> Vec<String> {
        all_tickers(&self.market_ticker, &self.market_tickers)
    }
}

fn all_tickers(one: &Option<String>, many: &Option<Vec<String>>) -> Vec<String> {
    one.iter().chain(many.iter().flatten()).cloned().collect()
}

/// A command with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open subscriptions.
    Subscribe(SubscribeParams),
    /// Close subscriptions.
    Unsubscribe(UnsubscribeParams),
    /// Change one subscription.
    UpdateSubscription(UpdateParams),
    /// List open subscriptions.
    ListSubscriptions,
}

/// A command frame: `{"id": 1, "cmd": "subscribe", "params": {…}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandFrame {
    /// Client-chosen id echoed in replies; 0 means none.
    pub id: u64,
    /// The command.
    pub cmd: Command,
}

/// A command the server refuses, with Kalshi's error code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ws command error {code}: {message}")]
pub struct CommandError {
    /// The command's id when it could be read (0 otherwise).
    pub id: u64,
    /// Kalshi WS error code (1 = unable to process, 2 = params required, …).
    pub code: u16,
    /// Kalshi's message for the code.
    pub message: &'static str,
}

impl CommandError {
    /// The error for `code` with Kalshi's message text.
    pub fn new(id: u64, code: u16) -> CommandError {
        CommandError { id, code, message: error_message(code) }
    }

    /// The `error` frame the server sends for it.
    pub fn to_frame(&self) -> String {
        super::ServerFrame::Error {
            id: self.id,
            sid: None,
            seq: None,
            msg: super::ErrorMsg {
                code: self.code,
                msg: self.message.to_owned(),
                market_ticker: None,
                market_tickers: None,
            },
        }
        .to_json()
    }
}

/// Kalshi's message text for a WS error code.
pub fn error_message(code: u16) -> &'static str {
    match code {
        1 => "Unable to process message",
        2 => "Params required",
        3 => "Channels required",
        4 => "Subscription IDs required",
        5 => "Unknown command",
        7 => "Unknown subscription ID",
        8 => "Unknown channel name",
        9 => "Authentication required",
        10 => "Channel error",
        11 => "Invalid parameter",
        12 => "Exactly one subscription ID is required",
        13 => "Unsupported action",
        14 => "Market Ticker required",
        15 => "Action required",
        18 => "Command timeout",
        25 => "Subscription buffer overflow",
        26 => "Subscription market limit exceeded",
        27 => "Too many requests",
        _ => "Error",
    }
}

#[derive(Deserialize)]
struct RawCommand<'a> {
    #[serde(default)]
    id: u64,
    cmd: Option<String>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct CommandOut<'a, P: Serialize> {
    id: u64,
    cmd: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a P>,
}

impl CommandFrame {
    /// Parses a client frame the way the exchange does, mapping every problem to its code.
    pub fn parse(text: &str) -> Result<CommandFrame, CommandError> {
        let raw: RawCommand = serde_json::from_str(text.trim_end()).map_err(|_| CommandError::new(0, 1))?;
        let id = raw.id;
        let params = |code_if_missing: u16| raw.params.map(RawValue::get).ok_or(CommandError::new(id, code_if_missing));
        let bad = |_| CommandError::new(id, 1);
        let cmd = match raw.cmd.as_deref() {
            Some("subscribe") => {
                let p: SubscribeParams = serde_json::from_str(params(2)?).map_err(|e| {
                    if e.to_string().contains("missing field `channels`") {
                        CommandError::new(id, 3)
                    } else {
                        CommandError::new(id, 1)
                    }
                })?;
                if p.channels.is_empty() {
                    return Err(CommandError::new(id, 3));
                }
                if p.channels.contains(&Channel::Unknown) {
                    return Err(CommandError::new(id, 8));
                }
                Command::Subscribe(p)
            }
            Some("unsubscribe") => {
                let p: UnsubscribeParams = serde_json::from_str(params(2)?).map_err(bad)?;
                if p.sids.is_empty() {
                    return Err(CommandError::new(id, 4));
                }
                Command::Unsubscribe(p)
            }
            Some("update_subscription") => {
                let text = params(2)?;
                let p: UpdateParams = serde_json::from_str(text).map_err(|e| {
                    if e.to_string().contains("missing field `action`") {
                        CommandError::new(id, 15)
                    } else {
                        CommandError::new(id, 1)
                    }
                })?;
                if p.action == UpdateAction::Unknown {
                    return Err(CommandError::new(id, 13));
                }
                p.target().map_err(|c| CommandError::new(id, c))?;
                Command::UpdateSubscription(p)
            }
            Some("list_subscriptions") => Command::ListSubscriptions,
            _ => return Err(CommandError::new(id, 5)),
        };
        Ok(CommandFrame { id, cmd })
    }

    /// The frame's JSON text.
    pub fn to_json(&self) -> String {
        fn out<P: Serialize>(id: u64, cmd: &str, p: Option<&P>) -> String {
            serde_json::to_string(&CommandOut { id, cmd, params: p }).unwrap_or_default()
        }
        match &self.cmd {
            Command::Subscribe(p) => out(self.id, "subscribe", Some(p)),
            Command::Unsubscribe(p) => out(self.id, "unsubscribe", Some(p)),
            Command::UpdateSubscription(p) => out(self.id, "update_subscription", Some(p)),
            Command::ListSubscriptions => out::<()>(self.id, "list_subscriptions", None),
        }
    }
}
