//! The local exchange simulator (issue #3): a pure matching engine speaking Kalshi's 2026
//! protocol semantics, which the HTTP/WebSocket server wraps.

pub mod engine;
