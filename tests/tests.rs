//! Integration tests, one binary: each module drives a real interface (the binary, a
//! socket, a database) rather than internals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed set-up should fail the test loudly

mod support;

mod actor_tables;
mod broadcast;
mod cli;
mod executor;
mod fuzz_regressions;
mod observe;
mod pipeline;
mod pipeline_actors;
mod replay;
mod restart;
mod security;
mod service_web;
mod sim_rest;
mod sim_rest_more;
mod sim_ws;
mod soak;
mod trading;
mod web_control;
