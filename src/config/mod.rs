//! Configuration: built-in defaults → `config.toml` (or `--config PATH`) → environment.
//!
//! The environment understands every name the seed plan uses (`RL_ACTOR_ENABLED`,
//! `DATABASE_URL`, …, see [`SEED_ENV`]) and `KALSHI_ACTOR_<SECTION>__<KEY>` for any key.
//! Loading never stops at the first mistake: unknown keys, values of the wrong type,
//! secrets outside the environment and invalid combinations are all gathered into one
//! [`ConfigError`] listing each problem with its key path and where it came from.

mod sections;
mod trading;
mod validate;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::Figment;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use sections::*;
pub use trading::*;
pub use values::{DatabaseUrl, Secret};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Exchange and credentials.
    pub exchange: ExchangeConfig,
    /// Market-data feed.
    pub feed: FeedConfig,
    /// Trading loop.
    pub actor: ActorConfig,
    /// Storage.
    pub persister: PersisterConfig,
    /// Observation building.
    pub observer: ObserverConfig,
    /// Order management.
    pub executor: ExecutorConfig,
    /// Risk limits.
    pub risk: RiskConfig,
    /// Dashboard.
    pub web: WebConfig,
}

/// Environment names from the seed plan and the key each sets.
pub const SEED_ENV: &[(&str, &str)] = &[
    ("RL_ACTOR_ENABLED", "actor.enabled"),
    ("RL_ACTOR_MODEL_ID", "actor.model"),
    ("RL_ACTOR_TICK_THROTTLE_MS", "actor.tick_throttle_ms"),
    ("RL_ACTOR_TARGET_MARKET_MODE", "actor.target_market_mode"),
    ("RL_ACTOR_CONTRACT_SIZE", "actor.contract_size"),
    ("RL_MARKET_MODE", "feed.market_mode"),
    ("RL_MARKET_TICKERS", "feed.market_tickers"),
    ("ORDERBOOK_MARKET_LIMIT", "feed.market_limit"),
    ("KALSHI_PAPER_TRADING_API_KEY_ID", "exchange.key_id"),
    ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", "exchange.private_key"),
    ("KALSHI_PAPER_TRADING_WS_URL", "exchange.ws_url"),
    ("KALSHI_PAPER_TRADING_API_URL", "exchange.api_url"),
    ("DATABASE_URL", "persister.database_url"),
];

/// Prefix of the generic form `KALSHI_ACTOR_<SECTION>__<KEY>`.
pub const ENV_PREFIX: &str = "KALSHI_ACTOR_";

/// The second switch for real money; must equal `yes`.
pub const ALLOW_PROD_ENV: &str = "KALSHI_ACTOR_ALLOW_PROD";

/// Keys whose values are secrets: accepted from the environment only.
pub const SECRET_KEYS: &[&str] =
    &["exchange.key_id", "exchange.private_key", "persister.database_password", "web.control_token"];

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path (`feed.market_limit`), or empty for the file as a whole.
    pub path: String,
    /// Where the value came from (`config.toml`, `env RL_MARKET_MODE`), if known.
    pub source: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.path[..], &self.source) {
            ("", Some(s)) => write!(f, "{s}: {}", self.message),
            (p, Some(s)) => write!(f, "{p} (from {s}): {}", self.message),
            (p, None) => write!(f, "{p}: {}", self.message),
        }
    }
}

/// The configuration could not be loaded. Unrecoverable: the service does not start.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// One or more problems, all listed.
    #[error("invalid configuration ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl ConfigError {
    /// The problems.
    pub fn problems(&self) -> &[Problem] {
        let ConfigError::Invalid(p) = self;
        p
    }
}

/// Where to read the file layer from.
#[derive(Debug, Clone)]
pub enum FileLayer {
    /// `./config.toml` if it exists.
    Default,
    /// A path given with `--config`; it must exist.
    Path(PathBuf),
    /// No file.
    None,
}

impl Config {
    /// Loads from `file` and the process environment.
    pub fn load(file: FileLayer) -> Result<Config, ConfigError> {
        Config::load_from(file, std::env::vars())
    }

    /// Loads from `file` and the given environment (tests pass their own).
    pub fn load_from(file: FileLayer, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = env.into_iter().collect();
        let mut problems = Vec::new();
        let defaults = dict_of(&Config::default());
        let mut sources: BTreeMap<String, String> = BTreeMap::new();

        let file_dict = read_file(&file, &mut problems);
        if let Some((name, dict)) = &file_dict {
            for path in leaves(dict) {
                if SECRET_KEYS.contains(&path.as_str()) {
                    problems.push(Problem {
                        path: path.clone(),
                        source: Some(name.clone()),
                        message: "is a secret: set it in the environment, not in a file".into(),
                    });
                }
                sources.insert(path, name.clone());
            }
        }
        let env_dict = env_layer(&env, &defaults, &mut sources, &mut problems);

        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some((_, dict)) = &file_dict {
            figment = figment.merge(Serialized::defaults(dict.clone()));
        }
        figment = figment.merge(Serialized::defaults(env_dict.clone()));
        let merged: Dict = figment.extract().unwrap_or_default();

        for path in leaves(&merged) {
            let src = sources.get(&path).cloned();
            let Some(value) = find(&merged, &path) else { continue };
            if find(&defaults, &path).is_none() && !SECRET_KEYS.contains(&path.as_str()) {
                problems.push(Problem { path, source: src, message: "unknown key".into() });
                continue;
            }
            // Each value alone on top of the defaults: every type error is reported.
            let single =
                Figment::from(Serialized::defaults(Config::default())).merge(Serialized::default(&path, value));
            if let Err(e) = single.extract::<Config>() {
                problems.push(Problem { path, source: src, message: e.kind.to_string() });
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        let config: Config = figment.extract().map_err(|e| {
            ConfigError::Invalid(vec![Problem { path: e.path.join("."), source: None, message: e.kind.to_string() }])
        })?;
        let problems = validate::validate(&config, env.get(ALLOW_PROD_ENV).map(String::as_str));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The effective configuration as TOML. Secret keys appear as comments saying whether
    /// they are set (never their values), so the output loads back as a config file.
    pub fn to_toml(&self) -> String {
        let text = toml::to_string(self).unwrap_or_else(|e| format!("# cannot render configuration: {e}\n"));
        let secret_names: Vec<&str> = SECRET_KEYS.iter().filter_map(|k| k.split_once('.')).map(|(_, n)| n).collect();
        text.lines()
            .map(|line| match line.split_once(" = ") {
                Some((name, value)) if secret_names.contains(&name) => {
                    let state = if value == "\"\"" { "unset" } else { values::REDACTED };
                    format!("# {name} = {state} (environment only)\n")
                }
                _ => format!("{line}\n"),
            })
            .collect()
    }
}

fn dict_of<T: Serialize>(v: &T) -> Dict {
    match Value::serialize(v) {
        Ok(Value::Dict(_, d)) => d,
        _ => Dict::new(),
    }
}

fn read_file(layer: &FileLayer, problems: &mut Vec<Problem>) -> Option<(String, Dict)> {
    let path: &Path = match layer {
        FileLayer::None => return None,
        FileLayer::Default if !Path::new("config.toml").exists() => return None,
        FileLayer::Default => Path::new("config.toml"),
        FileLayer::Path(p) => p,
    };
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem { path: String::new(), source: Some(name), message: format!("cannot read: {e}") });
            return None;
        }
    };
    match Figment::from(Toml::string(&text)).extract::<Dict>() {
        Ok(d) => Some((name, d)),
        Err(e) => {
            problems.push(Problem { path: String::new(), source: Some(name), message: format!("not valid TOML: {e}") });
            None
        }
    }
}

/// Builds the environment layer, typing each string by the default at its key.
fn env_layer(
    env: &BTreeMap<String, String>,
    defaults: &Dict,
    sources: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> Dict {
    let mut pairs: Vec<(String, &str, String)> = Vec::new();
    for (var, path) in SEED_ENV {
        if let Some(v) = env.get(*var) {
            pairs.push((path.to_string(), var, v.clone()));
        }
    }
    // The generic form comes last, so it wins over a seed name for the same key.
    for (var, v) in env.iter().filter(|(k, _)| k.starts_with(ENV_PREFIX) && k.as_str() != ALLOW_PROD_ENV) {
        match var[ENV_PREFIX.len()..].split_once("__") {
            Some((section, key)) if !section.is_empty() && !key.is_empty() => {
                let path = format!("{}.{}", section.to_lowercase(), key.to_lowercase().replace("__", "."));
                pairs.push((path, var, v.clone()));
            }
            _ => problems.push(Problem {
                path: String::new(),
                source: Some(format!("env {var}")),
                message: format!("unknown variable: use {ENV_PREFIX}<SECTION>__<KEY>"),
            }),
        }
    }
    let mut dict = Dict::new();
    for (path, var, raw) in pairs {
        let value = match find(defaults, &path) {
            Some(Value::Bool(..)) => match raw.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Value::from(true),
                "false" | "0" | "no" | "off" => Value::from(false),
                _ => Value::from(raw),
            },
            Some(Value::Num(..)) => raw.trim().parse::<i64>().map(Value::from).unwrap_or(Value::from(raw)),
            Some(Value::Array(..)) => Value::from(
                raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect::<Vec<_>>(),
            ),
            _ => Value::from(raw),
        };
        sources.insert(path.clone(), format!("env {var}"));
        insert(&mut dict, &path, value);
    }
    dict
}

fn insert(dict: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = dict.entry(head.to_owned()).or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

fn find<'a>(dict: &'a Dict, path: &str) -> Option<&'a Value> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let v = dict.get(head)?;
    match (rest, v) {
        (None, v) => Some(v),
        (Some(r), Value::Dict(_, d)) => find(d, r),
        _ => None,
    }
}

/// Dotted paths of every non-dict value.
fn leaves(dict: &Dict) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in dict {
        match v {
            Value::Dict(_, d) => out.extend(leaves(d).into_iter().map(|p| format!("{k}.{p}"))),
            _ => out.push(k.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests;
