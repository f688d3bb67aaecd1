//! Checks that need the whole, typed configuration: value ranges and combinations.

use std::net::SocketAddr;

use super::{Config, ExchangeMode, MarketMode, Problem, ALLOW_PROD_ENV};

fn problem(path: &str, message: impl Into<String>) -> Problem {
    Problem { path: path.into(), source: None, message: message.into() }
}

/// Every problem with `c`; empty when valid. `allow_prod_env` is the value of
/// [`ALLOW_PROD_ENV`].
pub fn validate(c: &Config, allow_prod_env: Option<&str>) -> Vec<Problem> {
    let mut out = Vec::new();
    let ex = &c.exchange;
    if ex.mode == ExchangeMode::Prod {
        if !ex.allow_prod {
            out.push(problem("exchange.mode", "prod trades real money: also set exchange.allow_prod = true"));
        }
        if allow_prod_env != Some("yes") {
            out.push(problem("exchange.mode", format!("prod trades real money: also set {ALLOW_PROD_ENV}=yes")));
        }
    }
    if ex.mode != ExchangeMode::Sim {
        let creds = [
            ("exchange.key_id", ex.key_id.is_set(), "KALSHI_PAPER_TRADING_API_KEY_ID"),
            ("exchange.private_key", ex.private_key.is_set(), "KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT"),
        ];
        for (key, set, var) in creds {
            if !set {
                out.push(problem(key, format!("required outside sim mode: set {var} in the environment")));
            }
        }
    }
    let has_scheme = |url: &str, schemes: &[&str]| url.is_empty() || schemes.iter().any(|s| url.starts_with(s));
    if !has_scheme(&ex.api_url, &["http://", "https://"]) {
        out.push(problem("exchange.api_url", format!("{:?} is not an http(s) URL", ex.api_url)));
    }
    if !has_scheme(&ex.ws_url, &["ws://", "wss://"]) {
        out.push(problem("exchange.ws_url", format!("{:?} is not a ws(s) URL", ex.ws_url)));
    }
    if ex.api_url.is_empty() != ex.ws_url.is_empty() {
        out.push(problem("exchange.ws_url", "set both exchange.api_url and exchange.ws_url, or neither"));
    }

    let feed = &c.feed;
    if feed.market_mode == MarketMode::Config && feed.market_tickers.is_empty() {
        out.push(problem("feed.market_tickers", "market_mode = \"config\" needs at least one ticker"));
    }
    for t in &feed.market_tickers {
        if t.is_empty() || !t.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || "-._".contains(ch)) {
            out.push(problem("feed.market_tickers", format!("{t:?} is not a Kalshi ticker (A-Z, 0-9, '-', '.', '_')")));
        }
    }
    if !(1..=10_000).contains(&feed.market_limit) {
        out.push(problem("feed.market_limit", "must be between 1 and 10000"));
    }
    if feed.stall_timeout.is_zero() {
        out.push(problem("feed.stall_timeout", "must be positive"));
    }

    if !c.actor.contract_size.is_positive() {
        out.push(problem("actor.contract_size", "must be positive"));
    }
    if c.actor.model.trim().is_empty() {
        out.push(problem("actor.model", "must name a model (a path, or a name under model_weights/)"));
    }
    if c.actor.target_market_mode == crate::config::TargetMarketMode::Config
        && c.actor.target_markets.is_empty()
        && c.feed.market_tickers.is_empty()
    {
        out.push(problem(
            "actor.target_markets",
            "target_market_mode = \"config\" needs tickers (here or in feed.market_tickers)",
        ));
    }
    if c.actor.hot_count == 0 {
        out.push(problem("actor.hot_count", "must be at least 1"));
    }
    if !(c.actor.hot_max_spread_cents.is_finite() && c.actor.hot_max_spread_cents > 0.0) {
        out.push(problem("actor.hot_max_spread_cents", "must be a positive number of cents"));
    }
    if c.actor.hot_rerank_s == 0 {
        out.push(problem("actor.hot_rerank_s", "must be at least 1 second"));
    }

    let url = c.persister.database_url.expose();
    if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        out.push(problem(
            "persister.database_url",
            format!("{:?} must start with sqlite:, postgres:// or postgresql://", c.persister.database_url.redacted()),
        ));
    }
    if c.persister.buffer_capacity == 0 || c.persister.batch_size == 0 || c.persister.flush_interval.is_zero() {
        out.push(problem(
            "persister.buffer_capacity",
            "buffer_capacity, batch_size and flush_interval must be positive",
        ));
    }
    if let Err(e) = crate::observer::parse_timezone(c.observer.timezone.trim()) {
        out.push(problem("observer.timezone", e));
    }
    if !(c.observer.starting_cash.is_finite() && c.observer.starting_cash >= 0.0) {
        out.push(problem("observer.starting_cash", "must be a non-negative number of dollars"));
    }
    match c.web.listen.parse::<SocketAddr>() {
        Err(_) => {
            out.push(problem("web.listen", format!("{:?} is not an address such as 127.0.0.1:8080", c.web.listen)))
        }
        Ok(addr) if !addr.ip().is_loopback() && c.web.control_token.expose().is_none_or(str::is_empty) => {
            out.push(problem(
                "web.control_token",
                "web.listen is not a loopback address: set KALSHI_ACTOR_WEB__CONTROL_TOKEN to protect halt/resume",
            ))
        }
        Ok(_) => {}
    }
    let r = &c.risk;
    if !r.max_position.is_positive() {
        out.push(problem("risk.max_position", "must be positive"));
    }
    if r.max_exposure.micros() <= 0 || r.max_daily_loss.micros() <= 0 {
        out.push(problem("risk.max_exposure", "max_exposure and max_daily_loss must be positive"));
    }
    if r.max_resting_per_market == 0 || r.max_consecutive_errors == 0 {
        out.push(problem(
            "risk.max_resting_per_market",
            "max_resting_per_market and max_consecutive_errors must be at least 1",
        ));
    }
    if c.executor.reconcile_interval.is_zero() || c.executor.request_timeout.is_zero() {
        out.push(problem("executor.reconcile_interval", "reconcile_interval and request_timeout must be positive"));
    }
    out
}
