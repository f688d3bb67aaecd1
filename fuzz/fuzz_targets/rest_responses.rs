//! Fuzzes the REST response decoders: the first byte picks a response type, the rest is
//! the body, decoded as `RestClient::call` does (`serde_json::from_slice`) or, for error
//! bodies, by [`ApiError::from_response`].
//!
//! Property: decoding never panics; a body that decodes is written back by `Serialize`
//! as JSON that decodes again to the same value (the simulator emits those bytes).

#![no_main]

use kalshi_actor::kalshi::rest::*;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(body) else { return };
    let json = serde_json::to_vec(&value).unwrap_or_else(|e| panic!("cannot encode {value:?}: {e}"));
    match serde_json::from_slice::<T>(&json) {
        Ok(again) => assert_eq!(again, value, "re-encoded as {}", String::from_utf8_lossy(&json)),
        Err(e) => panic!("{} does not decode back: {e}", String::from_utf8_lossy(&json)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    match which % 23 {
        0 => {
            let e = ApiError::from_response(400, body);
            let _ = (e.to_string(), e.shape(), e.code(), e.message(), e.details(), e.is_retryable());
        }
        1 => round_trip::<ErrorBody>(body),
        2 => round_trip::<MarketsResponse>(body),
        3 => round_trip::<MarketResponse>(body),
        4 => round_trip::<OrderbookResponse>(body),
        5 => round_trip::<OrderbooksResponse>(body),
        6 => round_trip::<TradesResponse>(body),
        7 => round_trip::<FillsResponse>(body),
        8 => round_trip::<PositionsResponse>(body),
        9 => round_trip::<BalanceResponse>(body),
        10 => round_trip::<SettlementsResponse>(body),
        11 => round_trip::<OrdersResponse>(body),
        12 => round_trip::<OrderResponse>(body),
        13 => round_trip::<QueuePositionResponse>(body),
        14 => round_trip::<CreateOrderV2Response>(body),
        15 => round_trip::<CancelOrderV2Response>(body),
        16 => round_trip::<AmendOrderV2Response>(body),
        17 => round_trip::<DecreaseOrderV2Response>(body),
        18 => round_trip::<BatchCreateOrdersV2Response>(body),
        19 => round_trip::<BatchCancelOrdersV2Response>(body),
        20 => round_trip::<ExchangeStatus>(body),
        21 => round_trip::<AccountLimits>(body),
        _ => round_trip::<EndpointCostsResponse>(body),
    }
});
