//! `kalshi-actor observe`: the 52 observation features of one market, one line per point
//! of its view, recomputed offline from a recorded session or a capture file by the same
//! code the live Observer runs.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Deserialize;

use crate::config::{Config, FileLayer};
use crate::features::portfolio::Position;
use crate::features::FEATURE_NAMES;
use crate::observer::offline::OfflineObserver;
use crate::observer::{log, parse_timezone, Observation, Portfolio};
use crate::storage::BookRecord;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"ts_ms": N, "market": "T", "obs": [52 numbers]}` per line.
    Jsonl,
    /// A header (`ts_ms`, `market`, the 52 feature names), then one row per observation.
    Csv,
}

/// `observe` options.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true)))]
pub struct ObserveArgs {
    /// The recorded input.
    #[command(flatten)]
    pub source: super::source::SourceArgs,
    /// The market to observe.
    #[arg(long, value_name = "TICKER")]
    pub market: String,
    /// IANA time zone of the time features (default: `observer.timezone`).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// What-if portfolio: `{"cash_cents": 8000, "positions": [{"market": "T", "position":
    /// 12, "cost_basis_cents": 510}]}` (default: flat, `observer.starting_cash`).
    #[arg(long, value_name = "FILE.json")]
    pub portfolio: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortfolioFile {
    cash_cents: f64,
    #[serde(default)]
    positions: Vec<PositionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionFile {
    market: String,
    position: f64,
    #[serde(default)]
    cost_basis_cents: f64,
}

/// Parses a `--portfolio` file's text.
pub fn parse_portfolio(text: &str) -> anyhow::Result<Portfolio> {
    let f: PortfolioFile = serde_json::from_str(text).context("not a portfolio (see `observe --help`)")?;
    let mut positions = Vec::new();
    for p in f.positions {
        if !(p.position.is_finite() && p.cost_basis_cents.is_finite()) {
            bail!("position of {} is not a finite number", p.market);
        }
        positions.push(Position { market: p.market, contracts: p.position, cost_basis_cents: p.cost_basis_cents });
    }
    if !f.cash_cents.is_finite() {
        bail!("cash_cents is not a finite number");
    }
    positions.sort_by(|a, b| a.market.cmp(&b.market));
    Ok(Portfolio { cash_cents: f.cash_cents, positions, value_cents: None })
}

/// Writes observations in `format`.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    header: bool,
}

impl<W: Write> Writer<W> {
    /// A writer on `out`.
    pub fn new(out: W, format: Format) -> Writer<W> {
        Writer { out, format, header: false }
    }

    /// Writes one observation.
    pub fn write(&mut self, o: &Observation) -> std::io::Result<()> {
        match self.format {
            Format::Jsonl => writeln!(self.out, "{}", log::line(o, false)),
            Format::Csv => {
                if !self.header {
                    self.header = true;
                    writeln!(self.out, "ts_ms,market,{}", FEATURE_NAMES.join(","))?;
                }
                write!(self.out, "{},{}", o.ts_ms, o.market)?;
                for v in o.obs {
                    write!(self.out, ",{v}")?;
                }
                writeln!(self.out)
            }
        }
    }

    /// Flushes.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Runs `observe`.
pub fn run(args: ObserveArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.clone().map_or(FileLayer::Default, FileLayer::Path))?;
    let tz_name = args.timezone.clone().unwrap_or_else(|| config.observer.timezone.clone());
    let tz = parse_timezone(&tz_name).map_err(anyhow::Error::msg)?;
    let portfolio = match &args.portfolio {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            parse_portfolio(&text).with_context(|| format!("bad portfolio file {}", path.display()))?
        }
        None => Portfolio { cash_cents: config.observer.starting_cash * 100.0, ..Portfolio::default() },
    };
    let mut observer = OfflineObserver::new(&args.market, tz, portfolio);
    let stdout = std::io::stdout();
    let mut writer = Writer::new(std::io::BufWriter::new(stdout.lock()), args.format);
    let mut write_err: Option<std::io::Error> = None;
    let mut seen = std::collections::BTreeSet::new();
    let started = Instant::now();
    let mut emit = |o: Observation| {
        if write_err.is_none() {
            write_err = writer.write(&o).err();
        }
    };
    let mut feed = |r: BookRecord, observer: &mut OfflineObserver, emit: &mut dyn FnMut(Observation)| {
        if !seen.contains(r.market()) {
            seen.insert(r.market().to_owned());
        }
        observer.push(&r, emit);
    };
    let source = args.source.source()?;
    let records = source.each(&config, &mut |r| feed(r, &mut observer, &mut emit))?;
    let observations = observer.finish(&mut emit);
    if let Some(e) = write_err {
        return Err(e).context("cannot write the output");
    }
    writer.flush().context("cannot write the output")?;
    if !seen.contains(&args.market) {
        let list: Vec<&String> = seen.iter().take(20).collect();
        bail!("market {} has no order-book update in this input (markets: {list:?})", args.market);
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "observe: {records} updates, {observations} observations of {} in {secs:.3} s ({:.0} updates/s)",
        args.market,
        records as f64 / secs.max(1e-9)
    );
    Ok(())
}
