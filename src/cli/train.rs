//! `kalshi-actor train`: PPO (candle) on recorded sessions or captures, with the replay as
//! the environment, so the model sees exactly the live observation. Writes
//! `OUT.safetensors` and `OUT.card.json` (observation contract, training data, steps,
//! hyperparameters, final metrics). Reproducible for a seed on one machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};

use super::replay::{replay, settings, targets, Decider, TargetMode};
use super::source::Source;
use crate::config::{Config, FileLayer, OrderFeatures};
use crate::policy::card::{architecture_of, save_safetensors, CardObservation, ModelCard};
use crate::policy::{PolicyModel, ACTION_NAMES, OBS_DIM};
use crate::replay::env::ReplayEnv;
use crate::replay::ReplaySettings;
use crate::storage::BookRecord;
use crate::train::{train, PpoConfig, Progress};

/// `train` options.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(true).args(["input", "session"])))]
pub struct TrainArgs {
    /// Capture files to train on (repeat the option for several).
    #[arg(long, value_name = "CAPTURE.jsonl")]
    pub input: Vec<PathBuf>,
    /// Recorded sessions to train on (repeat the option for several).
    #[arg(long, value_name = "ID")]
    pub session: Vec<i64>,
    /// Database URL for `--session` (default: `persister.database_url`).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Where to write: `OUT.safetensors` and `OUT.card.json` (e.g. `model_weights/ppo_sim`).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Environment steps (decisions) to train for (whole rollouts: may end a little after).
    #[arg(long, default_value_t = 200_000)]
    pub steps: u64,
    /// Seed of the weights, the sampling and the minibatches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Learning rate.
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f64,
    /// Steps per rollout.
    #[arg(long, default_value_t = 4096)]
    pub n_steps: usize,
    /// Evaluate the greedy policy on the training inputs every this many updates (0: never).
    #[arg(long, default_value_t = 5)]
    pub eval_every: u64,
    /// Trade this market only.
    #[arg(long, value_name = "TICKER", conflicts_with = "target_mode")]
    pub market: Option<String>,
    /// Which markets to trade (default: `actor.target_market_mode`).
    #[arg(long, value_enum)]
    pub target_mode: Option<TargetMode>,
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The greedy policy's P&L (cents) summed over `inputs`.
pub fn evaluate(model: &PolicyModel, inputs: &[Arc<[BookRecord]>], s: &ReplaySettings) -> anyhow::Result<f64> {
    let mut total = 0.0;
    let mut decider = Decider::Model(Box::new(model.clone()));
    for recs in inputs {
        let hidden = indicatif::ProgressBar::hidden();
        total += replay(Arc::clone(recs), s.clone(), &mut decider, "eval", None, &hidden)?.pnl_cents;
    }
    Ok(total)
}

fn sources(args: &TrainArgs) -> Vec<Source> {
    let files = args.input.iter().map(|p| Source::Capture(p.clone()));
    let sessions = args.session.iter().map(|id| Source::Session { id: *id, database: args.database.clone() });
    files.chain(sessions).collect()
}

fn card(args: &TrainArgs, config: &Config, model: &PolicyModel, metrics: serde_json::Value) -> ModelCard {
    let name = args.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let data: Vec<String> = sources(args).iter().map(Source::describe).collect();
    let mut extra = serde_json::Map::new();
    extra.insert("training".into(), metrics);
    ModelCard {
        model: name,
        format: "kalshi-actor safetensors (SB3 state-dict names)".into(),
        what_it_is: "PPO (candle) trained by `kalshi-actor train` on the replay of recorded order books".into(),
        observation: CardObservation {
            version: 1,
            size: OBS_DIM,
            contract: "shared/spec/observation.md".into(),
            order_features: match config.observer.order_features {
                OrderFeatures::Zeros => "zeros".into(),
                OrderFeatures::Live => "live".into(),
            },
            timezone: config.observer.timezone.clone(),
        },
        actions: ACTION_NAMES.iter().map(|a| (*a).to_owned()).collect(),
        architecture: Some(architecture_of(model)),
        provenance: serde_json::json!({ "data": data, "command": std::env::args().collect::<Vec<_>>().join(" ") }),
        extra,
    }
}

fn with_ext(out: &Path, ext: &str) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Runs `train`.
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.clone().map_or(FileLayer::Default, FileLayer::Path))?;
    let s = settings(&config, targets(&config, args.market.as_deref(), args.target_mode)?)?;
    let mut inputs: Vec<Arc<[BookRecord]>> = Vec::new();
    for src in sources(&args) {
        let recs = src.load(&config)?;
        if recs.is_empty() {
            bail!("{} holds no order-book update", src.describe());
        }
        inputs.push(recs.into());
    }
    let cfg = PpoConfig { learning_rate: args.lr, n_steps: args.n_steps, seed: args.seed, ..PpoConfig::default() };
    let mut env = ReplayEnv::new(inputs.clone(), s.clone())?;
    let bar = indicatif::ProgressBar::new(args.steps).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} steps {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut evals: Vec<serde_json::Value> = Vec::new();
    let mut eval_error = None;
    let mut on_progress = |p: &Progress| {
        bar.set_position(p.steps.min(args.steps));
        let ret = p.mean_return.map_or("—".to_owned(), |r| format!("{:.1}¢", r));
        bar.set_message(format!("update {} episode return {ret} loss {:.3}", p.updates, p.stats.loss));
        if args.eval_every > 0 && p.updates % args.eval_every == 0 && eval_error.is_none() {
            match p.policy().map_err(anyhow::Error::from).and_then(|m| evaluate(&m, &inputs, &s)) {
                Ok(pnl) => {
                    let line = format!("update {}: {} steps, greedy P&L {:.2} $", p.updates, p.steps, pnl / 100.0);
                    if bar.is_hidden() {
                        eprintln!("{line}");
                    } else {
                        bar.println(line);
                    }
                    evals.push(serde_json::json!({ "update": p.updates, "steps": p.steps, "greedy_pnl_cents": pnl }));
                }
                Err(e) => eval_error = Some(e),
            }
        }
    };
    let trained = train(&mut env, &cfg, args.steps, &mut on_progress)?;
    bar.finish_and_clear();
    if let Some(e) = eval_error {
        return Err(e).context("evaluation failed");
    }
    let pnl = evaluate(&trained.model, &inputs, &s)?;
    let metrics = serde_json::json!({
        "steps": trained.steps,
        "updates": trained.updates,
        "episodes": trained.episodes,
        "seed": args.seed,
        "hyperparameters": {
            "learning_rate": cfg.learning_rate, "n_steps": cfg.n_steps, "batch_size": cfg.batch_size,
            "n_epochs": cfg.n_epochs, "gamma": cfg.gamma, "gae_lambda": cfg.gae_lambda, "clip_range": cfg.clip_range,
            "ent_coef": cfg.ent_coef, "vf_coef": cfg.vf_coef, "max_grad_norm": cfg.max_grad_norm, "hidden": cfg.hidden,
        },
        "final_mean_episode_return_cents": trained.mean_return,
        "final_greedy_pnl_cents_on_training_data": pnl,
        "evaluations": evals,
    });
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let weights = with_ext(&args.out, ".safetensors");
    save_safetensors(&trained.model, &weights).with_context(|| format!("cannot write {}", weights.display()))?;
    let card_file = with_ext(&args.out, ".card.json");
    let text = serde_json::to_string_pretty(&card(&args, &config, &trained.model, metrics))?;
    std::fs::write(&card_file, format!("{text}\n")).with_context(|| format!("cannot write {}", card_file.display()))?;
    println!(
        "trained {} steps ({} updates, {} episodes) in {:.1} s; greedy P&L on the training data {:.2} $",
        trained.steps,
        trained.updates,
        trained.episodes,
        started.elapsed().as_secs_f64(),
        pnl / 100.0
    );
    println!("wrote {} and {}", weights.display(), card_file.display());
    Ok(())
}
