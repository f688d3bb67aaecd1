//! Kalshi Trade API v2 as it is in 2026: WebSocket frames, REST bodies, request signing.
//!
//! Shapes follow `shared/spec/kalshi-api.md`: dollar strings and fixed-point counts, V2
//! orders under `/portfolio/events/orders`. Unknown fields are ignored everywhere; numbers
//! are accepted as strings or JSON numbers; malformed input yields a typed error.

pub mod client;
pub mod rest;
pub mod sign;
pub mod ws;
