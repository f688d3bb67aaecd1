//! Exchange and account bodies (§5.11, §5.12): `GET /exchange/status`,
//! `GET /account/limits` and `GET /account/endpoint_costs`.

use serde::{Deserialize, Serialize};

use super::serde_util::null_default;

/// Status of one exchange shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeIndexStatus {
    /// Exchange shard.
    pub exchange_index: i32,
    /// Description of the shard.
    #[serde(default)]
    pub description: String,
    /// Shard up.
    pub exchange_active: bool,
    /// Trading allowed on the shard.
    pub trading_active: bool,
    /// Transfers between shards allowed.
    #[serde(default)]
    pub intra_exchange_transfers_active: bool,
}

/// `GET /exchange/status` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeStatus {
    /// Exchange up (false: nothing allowed, not even cancels).
    pub exchange_active: bool,
    /// Trading allowed (false during a trading pause: cancels still allowed).
    pub trading_active: bool,
    /// Transfers between shards allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intra_exchange_transfers_active: Option<bool>,
    /// Estimated resume time (RFC 3339) while paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_estimated_resume_time: Option<String>,
    /// Per-shard status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index_statuses: Option<Vec<ExchangeIndexStatus>>,
}

/// A token bucket of the rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketLimit {
    /// Tokens added per second.
    pub refill_rate: u32,
    /// Maximum tokens held (burst).
    pub bucket_capacity: u32,
}

/// Which exchange lane an API-usage grant applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeInstance {
    /// Event contracts (ours).
    EventContract,
    /// Margined (perps) exchange.
    Margined,
    /// A value added after this code was written.
    #[serde(other)]
    Unknown,
}

/// An active API usage level grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsageLevelGrant {
    /// Lane the grant applies to.
    pub exchange_instance: ExchangeInstance,
    /// Granted tier (`advanced`, …).
    pub level: String,
    /// Expiry, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_ts: Option<i64>,
    /// Origin of the grant.
    #[serde(default)]
    pub source: String,
}

/// `GET /account/limits` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLimits {
    /// Effective tier (`basic`, `advanced`, `expert`, `premier`, `paragon`, `prime`,
    /// `prestige`; free text in the schema).
    pub usage_tier: String,
    /// Read bucket.
    pub read: BucketLimit,
    /// Write bucket (order create/amend/decrease/cancel).
    pub write: BucketLimit,
    /// Active grants.
    #[serde(default, deserialize_with = "null_default")]
    pub grants: Vec<ApiUsageLevelGrant>,
}

/// Token cost of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointCost {
    /// HTTP method.
    pub method: String,
    /// Path (under the API prefix).
    pub path: String,
    /// Tokens per call.
    pub cost: u32,
}

/// `GET /account/endpoint_costs` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointCostsResponse {
    /// Cost of endpoints not listed (10).
    pub default_cost: u32,
    /// Non-default costs.
    #[serde(default, deserialize_with = "null_default")]
    pub endpoint_costs: Vec<EndpointCost>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LIMITS: &str = include_str!("../../../tests/fixtures/kalshi/rest/account_limits.json");

    #[test]
    fn account_limits_spec_example() {
        let l: AccountLimits = serde_json::from_str(LIMITS).unwrap();
        assert_eq!(l.usage_tier, "basic");
        assert_eq!(l.read, BucketLimit { refill_rate: 200, bucket_capacity: 200 });
        assert_eq!(l.write, BucketLimit { refill_rate: 100, bucket_capacity: 100 });
        assert!(l.grants.is_empty());
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(
            json,
            r#"{"usage_tier":"basic","read":{"refill_rate":200,"bucket_capacity":200},"write":{"refill_rate":100,"bucket_capacity":100},"grants":[]}"#
        );
        let e = serde_json::from_str::<AccountLimits>(
            r#"{"usage_tier":"basic","read":{"refill_rate":1,"bucket_capacity":1}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing field `write`"), "{e}");
        let e = serde_json::from_str::<BucketLimit>(r#"{"refill_rate":"x","bucket_capacity":1}"#);
        assert!(e.is_err());
    }

    #[test]
    fn grants_and_costs() {
        let l: AccountLimits = serde_json::from_str(
            r#"{"usage_tier":"advanced","read":{"refill_rate":300,"bucket_capacity":600},
                "write":{"refill_rate":300,"bucket_capacity":600},
                "grants":[{"exchange_instance":"event_contract","level":"advanced","expires_ts":null,"source":"self_serve"}]}"#,
        )
        .unwrap();
        assert_eq!(l.grants[0].exchange_instance, ExchangeInstance::EventContract);
        assert_eq!(l.grants[0].expires_ts, None);
        let c: EndpointCostsResponse = serde_json::from_str(
            r#"{"default_cost":10,"endpoint_costs":[{"method":"DELETE","path":"/portfolio/events/orders/{order_id}","cost":2}]}"#,
        )
        .unwrap();
        assert_eq!(c.default_cost, 10);
        assert_eq!(c.endpoint_costs[0].cost, 2);
        let back: EndpointCostsResponse = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn exchange_status() {
        let s: ExchangeStatus = serde_json::from_str(
            r#"{"exchange_active":true,"trading_active":false,"exchange_estimated_resume_time":null,
                "exchange_index_statuses":[{"exchange_index":0,"description":"main","exchange_active":true,
                "trading_active":false,"intra_exchange_transfers_active":true}]}"#,
        )
        .unwrap();
        assert!(s.exchange_active && !s.trading_active);
        assert_eq!(s.exchange_estimated_resume_time, None);
        assert_eq!(s.exchange_index_statuses.as_ref().map(Vec::len), Some(1));
        let minimal = r#"{"exchange_active":true,"trading_active":true}"#;
        let m: ExchangeStatus = serde_json::from_str(minimal).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), minimal);
        let e = serde_json::from_str::<ExchangeStatus>(r#"{"exchange_active":true}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `trading_active`"), "{e}");
    }
}
