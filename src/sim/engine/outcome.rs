//! What the mutating engine calls return: the REST response fields plus the events.

use super::events::EngineEvent;
use crate::domain::{Count, Money, Price};
use crate::kalshi::rest::{
    AmendOrderV2Response, BatchCreateOrderV2Result, CancelOrderV2Response, CreateOrderV2Response,
    DecreaseOrderV2Response, OrderStatus,
};

/// Fills of one order during one engine call, for the response averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FillTotals {
    /// Contracts filled.
    pub count: Count,
    /// Σ YES price × contracts.
    pub yes_notional: Money,
    /// Σ fees.
    pub fees: Money,
}

impl FillTotals {
    /// Adds one fill.
    pub fn add(&mut self, price: Price, count: Count, fee: Money) {
        self.count = self.count.checked_add(count).unwrap_or(self.count);
        self.yes_notional = self.yes_notional + Money::notional(price, count);
        self.fees = self.fees + fee;
    }

    fn per_contract(&self, total: Money) -> Option<Money> {
        let c = self.count.hundredths();
        (c > 0).then(|| Money::from_micros(total.micros().saturating_mul(100) / c))
    }

    /// Average YES execution price per contract (micro-dollars, truncated); `None` without
    /// fills.
    pub fn average_price(&self) -> Option<Money> {
        self.per_contract(self.yes_notional)
    }

    /// Average fee per contract (micro-dollars, truncated); `None` without fills.
    pub fn average_fee(&self) -> Option<Money> {
        self.per_contract(self.fees)
    }
}

/// Result of `create_order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOutcome {
    /// New order id.
    pub order_id: String,
    /// Echo of the request's `client_order_id`.
    pub client_order_id: Option<String>,
    /// Status after the call.
    pub status: OrderStatus,
    /// Fills made by this call.
    pub fills: FillTotals,
    /// Contracts left resting.
    pub remaining_count: Count,
    /// Engine time, Unix milliseconds.
    pub ts_ms: i64,
    /// Everything that happened, in order.
    pub events: Vec<EngineEvent>,
}

impl CreateOutcome {
    /// Contracts filled immediately.
    pub fn fill_count(&self) -> Count {
        self.fills.count
    }

    /// The 201 body.
    pub fn response(&self) -> CreateOrderV2Response {
        CreateOrderV2Response {
            order_id: self.order_id.clone(),
            client_order_id: self.client_order_id.clone(),
            fill_count: self.fills.count,
            remaining_count: self.remaining_count,
            average_fill_price: self.fills.average_price(),
            average_fee_paid: self.fills.average_fee(),
            ts_ms: self.ts_ms,
        }
    }

    /// The batch-create item for this order.
    pub fn batch_item(&self) -> BatchCreateOrderV2Result {
        let r = self.response();
        BatchCreateOrderV2Result {
            order_id: Some(r.order_id),
            client_order_id: r.client_order_id,
            fill_count: Some(r.fill_count),
            remaining_count: Some(r.remaining_count),
            average_fill_price: r.average_fill_price,
            average_fee_paid: r.average_fee_paid,
            ts_ms: Some(r.ts_ms),
            error: None,
        }
    }
}

/// Result of `cancel_order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOutcome {
    /// Canceled order.
    pub order_id: String,
    /// Its `client_order_id`.
    pub client_order_id: Option<String>,
    /// Contracts removed from the book.
    pub reduced_by: Count,
    /// Engine time, Unix milliseconds.
    pub ts_ms: i64,
    /// Everything that happened, in order.
    pub events: Vec<EngineEvent>,
}

impl CancelOutcome {
    /// The 200 body.
    pub fn response(&self) -> CancelOrderV2Response {
        CancelOrderV2Response {
            order_id: self.order_id.clone(),
            client_order_id: self.client_order_id.clone(),
            reduced_by: self.reduced_by,
            ts_ms: self.ts_ms,
        }
    }
}

/// Result of `amend_order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendOutcome {
    /// Amended order.
    pub order_id: String,
    /// Its (possibly updated) `client_order_id`.
    pub client_order_id: Option<String>,
    /// Status after the amend.
    pub status: OrderStatus,
    /// Fills made by the amend (a new price may cross).
    pub fills: FillTotals,
    /// Contracts resting after the amend.
    pub remaining_count: Count,
    /// True when the order kept its place in the queue.
    pub kept_priority: bool,
    /// Engine time, Unix milliseconds.
    pub ts_ms: i64,
    /// Everything that happened, in order.
    pub events: Vec<EngineEvent>,
}

impl AmendOutcome {
    /// The 200 body.
    pub fn response(&self) -> AmendOrderV2Response {
        let filled = self.fills.count.is_positive();
        AmendOrderV2Response {
            order_id: self.order_id.clone(),
            client_order_id: self.client_order_id.clone(),
            remaining_count: Some(self.remaining_count),
            fill_count: filled.then_some(self.fills.count),
            average_fill_price: self.fills.average_price(),
            average_fee_paid: self.fills.average_fee(),
            ts_ms: self.ts_ms,
        }
    }
}

/// Result of `decrease_order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecreaseOutcome {
    /// Decreased order.
    pub order_id: String,
    /// Its `client_order_id`.
    pub client_order_id: Option<String>,
    /// Contracts still resting.
    pub remaining_count: Count,
    /// Engine time, Unix milliseconds.
    pub ts_ms: i64,
    /// Everything that happened, in order.
    pub events: Vec<EngineEvent>,
}

impl DecreaseOutcome {
    /// The 200 body.
    pub fn response(&self) -> DecreaseOrderV2Response {
        DecreaseOrderV2Response {
            order_id: self.order_id.clone(),
            client_order_id: self.client_order_id.clone(),
            remaining_count: self.remaining_count,
            ts_ms: self.ts_ms,
        }
    }
}
