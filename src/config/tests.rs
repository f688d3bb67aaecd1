//! Configuration tests: precedence, seed names, unknown keys, gathered errors, secrets.

use std::io::Write;
use std::time::Duration;

use super::*;
use crate::domain::Count;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn load(text: &str, e: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let f = toml_file(text);
    Config::load_from(FileLayer::Path(f.path().to_owned()), env(e))
}

#[test]
fn defaults_when_nothing_is_set() {
    let c = Config::load_from(FileLayer::None, env(&[])).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.exchange.mode, ExchangeMode::Sim);
    assert_eq!(c.web.listen, "127.0.0.1:8080");
    assert_eq!(c.actor.tick_throttle_ms, 250);
}

#[test]
fn precedence_defaults_then_toml_then_env() {
    let text =
        "[actor]\ntick_throttle_ms = 500\ncontract_size = 3\n[feed]\nmarket_limit = 20\nstall_timeout = \"5s\"\n";
    let c = load(text, &[]).unwrap();
    assert_eq!((c.actor.tick_throttle_ms, c.feed.market_limit), (500, 20));
    assert_eq!(c.actor.contract_size, Count::contracts(3));
    assert_eq!(c.feed.stall_timeout, Duration::from_secs(5));
    assert_eq!(c.actor.target_market_mode, TargetMarketMode::Hot); // untouched default
    let c = load(text, &[("RL_ACTOR_TICK_THROTTLE_MS", "100")]).unwrap();
    assert_eq!((c.actor.tick_throttle_ms, c.feed.market_limit), (100, 20));
    // The generic form wins over the seed name for the same key.
    let c =
        load(text, &[("RL_ACTOR_TICK_THROTTLE_MS", "100"), ("KALSHI_ACTOR_ACTOR__TICK_THROTTLE_MS", "75")]).unwrap();
    assert_eq!(c.actor.tick_throttle_ms, 75);
}

#[test]
fn every_seed_name_works() {
    let e = [
        ("RL_ACTOR_ENABLED", "false"),
        ("RL_ACTOR_MODEL_ID", "ppo_default"),
        ("RL_ACTOR_TICK_THROTTLE_MS", "125"),
        ("RL_ACTOR_TARGET_MARKET_MODE", "all"),
        ("RL_ACTOR_CONTRACT_SIZE", "2.5"),
        ("RL_MARKET_MODE", "config"),
        ("RL_MARKET_TICKERS", "KXA-1, KXB-2.5"),
        ("ORDERBOOK_MARKET_LIMIT", "7"),
        ("KALSHI_PAPER_TRADING_API_KEY_ID", "key-123"),
        ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", "MIIEv-secret-body"),
        ("KALSHI_PAPER_TRADING_WS_URL", "ws://127.0.0.1:9/trade-api/ws/v2"),
        ("KALSHI_PAPER_TRADING_API_URL", "http://127.0.0.1:9/trade-api/v2"),
        ("DATABASE_URL", "postgres://u:pw@localhost/db"),
    ];
    let c = Config::load_from(FileLayer::None, env(&e)).unwrap();
    assert_eq!(SEED_ENV.len(), e.len());
    assert!(!c.actor.enabled);
    assert_eq!(c.actor.model, "ppo_default");
    assert_eq!(c.actor.tick_throttle_ms, 125);
    assert_eq!(c.actor.target_market_mode, TargetMarketMode::All);
    assert_eq!(c.actor.contract_size.hundredths(), 250);
    assert_eq!(c.feed.market_mode, MarketMode::Config);
    assert_eq!(c.feed.market_tickers, vec!["KXA-1", "KXB-2.5"]);
    assert_eq!(c.feed.market_limit, 7);
    assert_eq!(c.exchange.key_id.expose(), Some("key-123"));
    assert_eq!(c.exchange.private_key.expose(), Some("MIIEv-secret-body"));
    assert_eq!(c.exchange.ws_url, "ws://127.0.0.1:9/trade-api/ws/v2");
    assert_eq!(c.exchange.api_url, "http://127.0.0.1:9/trade-api/v2");
    assert_eq!(c.persister.database_url.expose(), "postgres://u:pw@localhost/db");
}

#[test]
fn unknown_keys_are_errors_from_file_and_env() {
    let err = load(
        "[feed]\nmarket_limt = 5\n[nonsense]\nx = 1\n",
        &[("KALSHI_ACTOR_WEB__LISTN", "x"), ("KALSHI_ACTOR_OOPS", "1")],
    )
    .unwrap_err();
    let paths: Vec<_> = err.problems().iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
    assert!(paths.contains(&("feed.market_limt", "unknown key")), "{err}");
    assert!(paths.contains(&("nonsense.x", "unknown key")), "{err}");
    assert!(paths.contains(&("web.listn", "unknown key")), "{err}");
    assert!(err.to_string().contains("env KALSHI_ACTOR_OOPS"), "{err}");
}

#[test]
fn all_problems_are_reported_together() {
    let text = "[feed]\nmarket_limit = \"many\"\nmarket_mode = \"sometimes\"\nstall_timeout = \"soon\"\n[web]\nlisten = \"nowhere\"\n";
    let err = load(text, &[("RL_ACTOR_ENABLED", "perhaps"), ("RL_ACTOR_CONTRACT_SIZE", "1.234")]).unwrap_err();
    let text = err.to_string();
    for path in ["feed.market_limit", "feed.market_mode", "feed.stall_timeout", "actor.enabled", "actor.contract_size"]
    {
        assert!(err.problems().iter().any(|p| p.path == path), "{path} missing from:\n{text}");
    }
    assert!(text.contains("(from env RL_ACTOR_ENABLED)"), "{text}");
    assert!(text.contains("problems"), "{text}");
    // Type errors stop before semantic checks; the semantic ones are gathered too.
    let err =
        load("[web]\nlisten = \"nowhere\"\n[feed]\nmarket_mode = \"config\"\nmarket_limit = 0\n", &[]).unwrap_err();
    let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, vec!["feed.market_tickers", "feed.market_limit", "web.listen"], "{err}");
}

#[test]
fn secrets_only_from_the_environment_and_never_printed() {
    let err = load("[exchange]\nprivate_key = \"-----BEGIN PRIVATE KEY-----\"\n", &[]).unwrap_err();
    assert!(err.problems().iter().any(|p| p.path == "exchange.private_key" && p.message.contains("secret")), "{err}");
    assert!(!err.to_string().contains("BEGIN PRIVATE KEY"), "{err}");
    let c = Config::load_from(
        FileLayer::None,
        env(&[
            ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", "TOPSECRETKEYBODY"),
            ("KALSHI_PAPER_TRADING_API_KEY_ID", "KEYID-SECRET"),
            ("KALSHI_ACTOR_PERSISTER__DATABASE_PASSWORD", "PASSWORD-SECRET"),
            ("DATABASE_URL", "postgres://u:URLPASS@h/db"),
        ]),
    )
    .unwrap();
    let printed = format!("{}\n{:?}", c.to_toml(), c);
    for secret in ["TOPSECRETKEYBODY", "KEYID-SECRET", "PASSWORD-SECRET", "URLPASS"] {
        assert!(!printed.contains(secret), "{secret} leaked:\n{printed}");
    }
    assert!(printed.contains("<redacted>"));
}

#[test]
fn prod_needs_two_switches_and_credentials() {
    let creds = [("KALSHI_PAPER_TRADING_API_KEY_ID", "k"), ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", "p")];
    let err = load("[exchange]\nmode = \"prod\"\n", &creds).unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    let err = load("[exchange]\nmode = \"prod\"\nallow_prod = true\n", &creds).unwrap_err();
    assert!(err.to_string().contains(ALLOW_PROD_ENV), "{err}");
    let mut with_env = creds.to_vec();
    with_env.push((ALLOW_PROD_ENV, "yes"));
    assert_eq!(
        load("[exchange]\nmode = \"prod\"\nallow_prod = true\n", &with_env).unwrap().exchange.mode,
        ExchangeMode::Prod
    );
    let err = load("[exchange]\nmode = \"demo\"\n", &[]).unwrap_err();
    assert_eq!(err.problems().iter().filter(|p| p.path.starts_with("exchange.")).count(), 2, "{err}");
}

#[test]
fn missing_config_file_is_an_error() {
    let err = Config::load_from(FileLayer::Path("/nonexistent/kalshi.toml".into()), env(&[])).unwrap_err();
    assert!(err.to_string().contains("cannot read"), "{err}");
    let err = load("[feed\n", &[]).unwrap_err();
    assert!(err.to_string().contains("not valid TOML"), "{err}");
}

#[test]
fn committed_config_toml_is_valid_and_documents_every_key() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");
    let c = Config::load_from(FileLayer::Path(path.into()), env(&[])).unwrap();
    assert_eq!(c, Config::default(), "config.toml should state the defaults");
    let text = std::fs::read_to_string(path).unwrap();
    for key in leaves(&dict_of(&Config::default())) {
        let (section, name) = key.split_once('.').unwrap();
        assert!(text.contains(&format!("[{section}]")), "section {section} undocumented");
        assert!(text.contains(&format!("{name} =")) || text.contains(&format!("# {name} =")), "{key} undocumented");
    }
}
