//! `kalshi-actor replay`: a model (or a baseline: HOLD only, uniformly random) on a recorded
//! session or capture, through the live observer, executor and risk rules against the fill
//! model of [`crate::replay`]. Prints a summary, writes the JSON report (`--out`) and the
//! per-step CSV (`--steps-csv`). Deterministic: the same input gives the same report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use rand::{Rng, SeedableRng};

use crate::config::{Config, FileLayer, OrderFeatures, TargetMarketMode};
use crate::domain::Money;
use crate::executor::ExecutorSettings;
use crate::features::portfolio::OrderMode;
use crate::observer::hot::HotSelector;
use crate::observer::parse_timezone;
use crate::policy::{PolicyModel, N_ACTIONS};
use crate::replay::report::{write_header, write_row, Report};
use crate::replay::{FeeSchedule, Replay, ReplaySettings, Targets};
use crate::storage::BookRecord;

/// Which markets to trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetMode {
    /// `actor.target_markets`.
    Config,
    /// Every market in the input.
    All,
    /// The live hot selector (`actor.hot_*`).
    Hot,
}

/// A policy that is not a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Baseline {
    /// Always HOLD.
    Hold,
    /// Uniformly random actions (seeded by `--seed`).
    Random,
}

/// `replay` options.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true)))]
#[command(group(clap::ArgGroup::new("decider").required(true).args(["model", "baseline"])))]
pub struct ReplayArgs {
    /// The recorded input.
    #[command(flatten)]
    pub source: super::source::SourceArgs,
    /// The model: a path, or a name under `model_weights/`.
    #[arg(long, value_name = "PATH|NAME")]
    pub model: Option<String>,
    /// A baseline policy instead of a model.
    #[arg(long, value_enum)]
    pub baseline: Option<Baseline>,
    /// Trade this market only.
    #[arg(long, value_name = "TICKER", conflicts_with = "target_mode")]
    pub market: Option<String>,
    /// Which markets to trade (default: `actor.target_market_mode`).
    #[arg(long, value_enum)]
    pub target_mode: Option<TargetMode>,
    /// Write the JSON report here.
    #[arg(long, value_name = "report.json")]
    pub out: Option<PathBuf>,
    /// Write one row per decision: observation, action, probabilities, position, cash.
    #[arg(long, value_name = "FILE.csv")]
    pub steps_csv: Option<PathBuf>,
    /// Seed of `--baseline random`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The settings a replay takes from the configuration (the live service's).
pub fn settings(config: &Config, targets: Targets) -> anyhow::Result<ReplaySettings> {
    let tz = parse_timezone(&config.observer.timezone).map_err(anyhow::Error::msg)?;
    Ok(ReplaySettings {
        tz,
        targets,
        throttle_ms: config.actor.tick_throttle_ms,
        order_mode: match config.observer.order_features {
            OrderFeatures::Zeros => OrderMode::Zeros,
            OrderFeatures::Live => OrderMode::Live,
        },
        executor: ExecutorSettings {
            size: config.actor.contract_size,
            pricing: config.actor.pricing,
            sell: config.actor.sell_semantics,
            coid_prefix: "replay".into(),
            inflight_timeout_ms: i64::MAX,
        },
        risk: config.risk.clone(),
        // Kalshi's Basic tier: 10 writes a second.
        rate: (10.0, 10.0),
        starting_cash: Money::from_micros((config.observer.starting_cash * 1e6).round() as i64),
        fees: FeeSchedule::default(),
    })
}

/// The targets the options and the configuration name.
pub fn targets(config: &Config, market: Option<&str>, mode: Option<TargetMode>) -> anyhow::Result<Targets> {
    if let Some(m) = market {
        return Ok(Targets::Listed([m.to_owned()].into()));
    }
    let mode = mode.unwrap_or(match config.actor.target_market_mode {
        TargetMarketMode::Config => TargetMode::Config,
        TargetMarketMode::All => TargetMode::All,
        TargetMarketMode::Hot => TargetMode::Hot,
    });
    Ok(match mode {
        TargetMode::Config if config.actor.target_markets.is_empty() => {
            bail!("target mode `config` but actor.target_markets is empty: give --market or --target-mode all|hot")
        }
        TargetMode::Config => Targets::Listed(config.actor.target_markets.iter().cloned().collect()),
        TargetMode::All => Targets::All,
        TargetMode::Hot => Targets::Hot(HotSelector::new(
            usize::try_from(config.actor.hot_count).unwrap_or(1),
            config.actor.hot_max_spread_cents,
            i64::try_from(config.actor.hot_rerank_s.saturating_mul(1000)).unwrap_or(i64::MAX),
        )),
    })
}

/// Decides for an observation: its action and probabilities.
pub enum Decider {
    /// A model (argmax, as live).
    Model(Box<PolicyModel>),
    /// Always HOLD.
    Hold,
    /// Uniform random.
    Random(Box<rand::rngs::StdRng>),
}

impl Decider {
    /// The action and its probabilities.
    pub fn decide(&mut self, obs: &[f32; crate::features::OBS_LEN]) -> anyhow::Result<(usize, [f32; N_ACTIONS])> {
        Ok(match self {
            Decider::Model(m) => {
                let d = m.act(obs)?;
                (d.action, d.probs)
            }
            Decider::Hold => (0, [1.0, 0.0, 0.0, 0.0, 0.0]),
            Decider::Random(rng) => (rng.gen_range(0..N_ACTIONS), [1.0 / N_ACTIONS as f32; N_ACTIONS]),
        })
    }
}

/// Replays `records` deciding with `decider`; writes each step to `steps` when given.
pub fn replay(
    records: Arc<[BookRecord]>,
    settings: ReplaySettings,
    decider: &mut Decider,
    model_id: &str,
    mut steps: Option<&mut dyn Write>,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Report> {
    let mut r = Replay::new(records, settings);
    if let Some(out) = steps.as_mut() {
        write_header(out).context("cannot write the steps CSV")?;
    }
    let mut shown = 0u64;
    while let Some(p) = r.next_decision() {
        let (action, probs) = decider.decide(&p.obs)?;
        let pending = steps.is_some().then(|| p.clone());
        let acted = r.act(action);
        if let (Some(out), Some(p), Some(acted)) = (steps.as_mut(), pending, acted) {
            write_row(out, &r.row(&p, &acted, probs)).context("cannot write the steps CSV")?;
        }
        let done = r.updates();
        if done - shown >= 65_536 {
            progress.set_position(done);
            shown = done;
        }
    }
    progress.set_position(r.updates());
    Ok(r.report(model_id))
}

fn load_decider(args: &ReplayArgs, config: &Config) -> anyhow::Result<(Decider, String)> {
    if let Some(spec) = &args.model {
        let mut c = config.clone();
        c.actor.model = spec.clone();
        let m = crate::app::load_model(&c)?;
        return Ok((Decider::Model(Box::new(m.model)), m.id));
    }
    match args.baseline {
        Some(Baseline::Hold) => Ok((Decider::Hold, "baseline:hold".into())),
        Some(Baseline::Random) => Ok((
            Decider::Random(Box::new(rand::rngs::StdRng::seed_from_u64(args.seed))),
            format!("baseline:random:{}", args.seed),
        )),
        None => bail!("give --model or --baseline"),
    }
}

fn create(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let f = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(std::io::BufWriter::new(f))
}

/// Runs `replay`.
pub fn run(args: ReplayArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.clone().map_or(FileLayer::Default, FileLayer::Path))?;
    let (mut decider, model_id) = load_decider(&args, &config)?;
    let targets = targets(&config, args.market.as_deref(), args.target_mode)?;
    let settings = settings(&config, targets)?;
    let source = args.source.source()?;
    let records: Arc<[BookRecord]> = source.load(&config)?.into();
    if records.is_empty() {
        bail!("{} holds no order-book update", source.describe());
    }
    if let Some(m) = &args.market {
        if !records.iter().any(|r| r.market() == m) {
            bail!("market {m} has no order-book update in {}", source.describe());
        }
    }
    let mut steps = args.steps_csv.as_deref().map(create).transpose()?;
    let progress = indicatif::ProgressBar::new(records.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} updates {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let report = replay(
        Arc::clone(&records),
        settings,
        &mut decider,
        &model_id,
        steps.as_mut().map(|w| w as &mut dyn Write),
        &progress,
    )?;
    progress.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if let Some(mut w) = steps {
        w.flush().context("cannot write the steps CSV")?;
    }
    let json = serde_json::to_string_pretty(&report).context("cannot encode the report")?;
    if let Some(path) = &args.out {
        std::fs::write(path, format!("{json}\n")).with_context(|| format!("cannot write {}", path.display()))?;
    }
    print_summary(&report, &source.describe());
    eprintln!(
        "replay: {} updates, {} decisions in {secs:.3} s ({:.0} updates/s)",
        report.updates,
        report.decisions,
        report.updates as f64 / secs.max(1e-9)
    );
    Ok(())
}

fn print_summary(r: &Report, source: &str) {
    println!("replay of {source} with {}", r.model);
    println!("  updates {}  decisions {}  requests {}  trades {}", r.updates, r.decisions, r.requests, r.trades);
    println!(
        "  P&L ${:.2}  realized {}  fees {}  max drawdown ${:.2}  max exposure {}",
        r.pnl_cents / 100.0,
        r.realized_pnl.format(),
        r.fees.format(),
        r.max_drawdown_cents / 100.0,
        r.max_exposure.format()
    );
    let actions: Vec<String> = r.actions.iter().map(|(a, n)| format!("{a} {n}")).collect();
    println!("  actions: {}", actions.join(", "));
}
