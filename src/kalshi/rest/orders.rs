//! V2 order mutation bodies under `/portfolio/events/orders` (§5.5): create, cancel, amend
//! and decrease, plus the `time_in_force` and `self_trade_prevention_type` enums.
//!
//! Requests always serialize `count` and `price` as strings and omit unset optional fields.
//! When deserializing a request (the simulator's side) JSON numbers are refused for those
//! fields, as the exchange does (400 `bad_request`).

use serde::{Deserialize, Serialize};

use super::serde_util::{dollars4_opt, string_only, string_only_opt};
use crate::domain::{BookSide, Count, Money, Price};

/// `time_in_force` of a V2 order (`GTT` is not accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Rest until filled, canceled or `expiration_time`.
    GoodTillCanceled,
    /// Fill what crosses now, cancel the rest.
    ImmediateOrCancel,
    /// Fill completely now or not at all.
    FillOrKill,
}

/// `self_trade_prevention_type` (required on V2 creates; echoed on `Order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfTradePreventionType {
    /// Cancel the incoming (taker) order when it would hit our own resting order.
    TakerAtCross,
    /// Cancel our resting (maker) order and keep matching.
    Maker,
    /// A value added after this code was written (never valid in a request: the simulator
    /// must reject it).
    #[serde(other)]
    Unknown,
}

/// `POST /portfolio/events/orders` body (`CreateOrderV2Request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrderV2Request {
    /// Market ticker.
    pub ticker: String,
    /// Side of the YES book: `bid` buys YES, `ask` sells YES (≡ buys NO at `1 − price`).
    pub side: BookSide,
    /// Contracts, 0–2 decimals, ≥ 0.01.
    #[serde(deserialize_with = "string_only")]
    pub count: Count,
    /// YES limit price, on the market grid, strictly inside (0, 1).
    #[serde(deserialize_with = "string_only")]
    pub price: Price,
    /// Lifetime of the order.
    pub time_in_force: TimeInForce,
    /// Self-trade prevention mode.
    pub self_trade_prevention_type: SelfTradePreventionType,
    /// Idempotency key (UUID recommended; ids are never reused, even after cancel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Expiry in Unix **seconds**; only with `good_till_canceled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<i64>,
    /// Reject (or cancel) instead of taking liquidity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_only: Option<bool>,
    /// Cap the size by the current position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce_only: Option<bool>,
    /// Cancel when trading or the exchange pauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_order_on_pause: Option<bool>,
    /// Order group to join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_group_id: Option<String>,
    /// Subaccount (0 primary, 1–63).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<u32>,
    /// Exchange shard; omit to auto-route by ticker, `-1` to require auto-routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index: Option<i32>,
}

impl CreateOrderV2Request {
    /// A request with the required fields and every optional field unset.
    pub fn new(
        ticker: impl Into<String>,
        side: BookSide,
        count: Count,
        price: Price,
        time_in_force: TimeInForce,
        self_trade_prevention_type: SelfTradePreventionType,
    ) -> CreateOrderV2Request {
        CreateOrderV2Request {
            ticker: ticker.into(),
            side,
            count,
            price,
            time_in_force,
            self_trade_prevention_type,
            client_order_id: None,
            expiration_time: None,
            post_only: None,
            reduce_only: None,
            cancel_order_on_pause: None,
            order_group_id: None,
            subaccount: None,
            exchange_index: None,
        }
    }

    /// Sets `client_order_id`.
    pub fn with_client_order_id(mut self, id: impl Into<String>) -> CreateOrderV2Request {
        self.client_order_id = Some(id.into());
        self
    }
}

/// `POST /portfolio/events/orders` → 201 body (`CreateOrderV2Response`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrderV2Response {
    /// Exchange order id (UUID).
    pub order_id: String,
    /// Echo of the request's `client_order_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts filled immediately.
    pub fill_count: Count,
    /// Contracts still resting (0 for IOC/FOK after the unfilled part was canceled).
    pub remaining_count: Count,
    /// Average YES execution price per contract; only when `fill_count > 0`.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fill_price: Option<Money>,
    /// Average fee per contract; only when `fill_count > 0`.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fee_paid: Option<Money>,
    /// Matching-engine time, Unix milliseconds.
    pub ts_ms: i64,
}

/// `DELETE /portfolio/events/orders/{order_id}` → 200 body (`CancelOrderV2Response`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelOrderV2Response {
    /// The canceled order.
    pub order_id: String,
    /// Its `client_order_id`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts removed from the book (`"0.00"`: it had already filled).
    pub reduced_by: Count,
    /// Matching-engine time, Unix milliseconds.
    pub ts_ms: i64,
}

/// `POST /portfolio/events/orders/{order_id}/amend` body (`AmendOrderV2Request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendOrderV2Request {
    /// Market ticker of the order.
    pub ticker: String,
    /// Side of the order (must match).
    pub side: BookSide,
    /// New YES limit price.
    #[serde(deserialize_with = "string_only")]
    pub price: Price,
    /// New total size = already filled + desired remaining.
    #[serde(deserialize_with = "string_only")]
    pub count: Count,
    /// Current `client_order_id` of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Replacement `client_order_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_client_order_id: Option<String>,
    /// Exchange shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index: Option<i32>,
}

/// `…/amend` → 200 body (`AmendOrderV2Response`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendOrderV2Response {
    /// The amended order.
    pub order_id: String,
    /// Its (possibly updated) `client_order_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts resting after the amend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_count: Option<Count>,
    /// Contracts filled by the amend (a price change may cross).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_count: Option<Count>,
    /// Average YES execution price of those fills.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fill_price: Option<Money>,
    /// Average fee per contract of those fills.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fee_paid: Option<Money>,
    /// Matching-engine time, Unix milliseconds.
    pub ts_ms: i64,
}

/// `POST /portfolio/events/orders/{order_id}/decrease` body: exactly one of `reduce_by`
/// and `reduce_to` (use the constructors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecreaseOrderV2Request {
    /// Contracts to remove.
    #[serde(default, deserialize_with = "string_only_opt", skip_serializing_if = "Option::is_none")]
    pub reduce_by: Option<Count>,
    /// Remaining size to keep.
    #[serde(default, deserialize_with = "string_only_opt", skip_serializing_if = "Option::is_none")]
    pub reduce_to: Option<Count>,
    /// Exchange shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index: Option<i32>,
    /// Market ticker (for auto-routing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
}

impl DecreaseOrderV2Request {
    /// Remove `by` contracts.
    pub fn reduce_by(by: Count) -> DecreaseOrderV2Request {
        DecreaseOrderV2Request { reduce_by: Some(by), reduce_to: None, exchange_index: None, market_ticker: None }
    }

    /// Keep `to` contracts resting.
    pub fn reduce_to(to: Count) -> DecreaseOrderV2Request {
        DecreaseOrderV2Request { reduce_by: None, reduce_to: Some(to), exchange_index: None, market_ticker: None }
    }

    /// True when exactly one of `reduce_by` / `reduce_to` is set (what the exchange demands).
    pub fn is_valid(&self) -> bool {
        self.reduce_by.is_some() != self.reduce_to.is_some()
    }
}

/// `…/decrease` → 200 body (`DecreaseOrderV2Response`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecreaseOrderV2Response {
    /// The decreased order.
    pub order_id: String,
    /// Its `client_order_id`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts still resting.
    pub remaining_count: Count,
    /// Matching-engine time, Unix milliseconds.
    pub ts_ms: i64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CREATE_RESPONSE: &str = include_str!("../../../tests/fixtures/kalshi/rest/create_order_response.json");

    fn req() -> CreateOrderV2Request {
        CreateOrderV2Request::new(
            "KXDEMO-26NOV30-T50",
            BookSide::Bid,
            Count::contracts(10),
            Price::from_cents(43).unwrap(),
            TimeInForce::GoodTillCanceled,
            SelfTradePreventionType::TakerAtCross,
        )
    }

    #[test]
    fn create_request_serializes_exactly() {
        let json = serde_json::to_string(&req()).unwrap();
        assert_eq!(
            json,
            r#"{"ticker":"KXDEMO-26NOV30-T50","side":"bid","count":"10.00","price":"0.4300","time_in_force":"good_till_canceled","self_trade_prevention_type":"taker_at_cross"}"#
        );
        let mut r = req().with_client_order_id("c-1");
        r.side = BookSide::Ask;
        r.time_in_force = TimeInForce::ImmediateOrCancel;
        r.self_trade_prevention_type = SelfTradePreventionType::Maker;
        r.post_only = Some(false);
        r.exchange_index = Some(-1);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"ticker":"KXDEMO-26NOV30-T50","side":"ask","count":"10.00","price":"0.4300","time_in_force":"immediate_or_cancel","self_trade_prevention_type":"maker","client_order_id":"c-1","post_only":false,"exchange_index":-1}"#
        );
        assert_eq!(serde_json::from_str::<CreateOrderV2Request>(&json).unwrap(), r);
    }

    #[test]
    fn create_request_parsing_is_strict_like_the_exchange() {
        let ok = r#"{"ticker":"T","side":"bid","count":"10","price":"0.56","time_in_force":"fill_or_kill","self_trade_prevention_type":"maker"}"#;
        let r: CreateOrderV2Request = serde_json::from_str(ok).unwrap();
        assert_eq!((r.count.hundredths(), r.price.centicents()), (1000, 5600));
        assert_eq!(r.time_in_force, TimeInForce::FillOrKill);
        let cases = [
            (ok.replace(r#""count":"10""#, r#""count":10"#), "expected a string"),
            (ok.replace(r#""price":"0.56""#, r#""price":true"#), "expected a string"),
            (ok.replace(r#""price":"0.56""#, r#""price":"0.56001""#), "decimal places"),
            (ok.replace(r#""fill_or_kill""#, r#""GTT""#), "unknown variant `GTT`"),
            (ok.replace(r#""side":"bid","#, ""), "missing field `side`"),
        ];
        for (body, want) in cases {
            let e = serde_json::from_str::<CreateOrderV2Request>(&body).unwrap_err();
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
    }

    #[test]
    fn create_response_spec_example() {
        let r: CreateOrderV2Response = serde_json::from_str(CREATE_RESPONSE).unwrap();
        assert_eq!(r.order_id, "4e0b7a52-2b2e-4c61-9a3c-6a0d9f1f0e11");
        assert_eq!(r.client_order_id.as_deref(), Some("c7f1e0d2-aaaa-bbbb-cccc-000000000001"));
        assert_eq!(r.fill_count.hundredths(), 300);
        assert_eq!(r.remaining_count.hundredths(), 700);
        assert_eq!(r.average_fill_price, Some(Money::from_micros(480_000)));
        assert_eq!(r.average_fee_paid, Some(Money::from_micros(17_500)));
        assert_eq!(r.ts_ms, 1_795_705_445_123);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""average_fill_price":"0.4800","average_fee_paid":"0.0175""#));
        assert_eq!(serde_json::from_str::<CreateOrderV2Response>(&json).unwrap(), r);
    }

    #[test]
    fn gtc_resting_response_has_no_averages() {
        let body = r#"{"order_id":"o-1","fill_count":"0.00","remaining_count":"1.00","ts_ms":5}"#;
        let r: CreateOrderV2Response = serde_json::from_str(body).unwrap();
        assert_eq!(r.fill_count, Count::ZERO);
        assert_eq!(r.remaining_count.hundredths(), 100);
        assert_eq!((r.average_fill_price, r.average_fee_paid), (None, None));
        assert_eq!(r.client_order_id, None);
        assert_eq!(serde_json::to_string(&r).unwrap(), body);
        let e = serde_json::from_str::<CreateOrderV2Response>(
            r#"{"order_id":"o","fill_count":"0.00","remaining_count":"1.00"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing field `ts_ms`"), "{e}");
    }

    #[test]
    fn cancel_response() {
        let body = r#"{"order_id":"o-1","client_order_id":"c-1","reduced_by":"7.00","ts_ms":1795705446000}"#;
        let r: CancelOrderV2Response = serde_json::from_str(body).unwrap();
        assert_eq!(r.reduced_by.hundredths(), 700);
        assert_eq!(r.client_order_id.as_deref(), Some("c-1"));
        assert_eq!(serde_json::to_string(&r).unwrap(), body);
        let e = serde_json::from_str::<CancelOrderV2Response>(r#"{"order_id":"o","ts_ms":1}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `reduced_by`"), "{e}");
    }

    #[test]
    fn amend_and_decrease() {
        let a = AmendOrderV2Request {
            ticker: "T".into(),
            side: BookSide::Bid,
            price: Price::from_cents(44).unwrap(),
            count: Count::contracts(5),
            client_order_id: Some("c-1".into()),
            updated_client_order_id: Some("c-2".into()),
            exchange_index: None,
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"ticker":"T","side":"bid","price":"0.4400","count":"5.00","client_order_id":"c-1","updated_client_order_id":"c-2"}"#
        );
        assert_eq!(serde_json::from_str::<AmendOrderV2Request>(&json).unwrap(), a);
        let r: AmendOrderV2Response =
            serde_json::from_str(r#"{"order_id":"o","ts_ms":9,"remaining_count":"4.00"}"#).unwrap();
        assert_eq!(r.remaining_count, Some(Count::contracts(4)));
        assert_eq!(r.fill_count, None);

        let d = DecreaseOrderV2Request::reduce_to(Count::contracts(2));
        assert!(d.is_valid());
        assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"reduce_to":"2.00"}"#);
        let both: DecreaseOrderV2Request = serde_json::from_str(r#"{"reduce_by":"1","reduce_to":"2"}"#).unwrap();
        assert!(!both.is_valid());
        assert!(serde_json::from_str::<DecreaseOrderV2Request>(r#"{"reduce_by":1}"#).is_err());
        let r: DecreaseOrderV2Response =
            serde_json::from_str(r#"{"order_id":"o","remaining_count":"2.00","ts_ms":3}"#).unwrap();
        assert_eq!(r.remaining_count.hundredths(), 200);
    }
}
