//! The `kalshi-actor` command line: one binary, one subcommand per job.
//!
//! This is an edge of the program: errors are `anyhow` with context, printed once by
//! [`main`], which maps them to a non-zero exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

mod bench;
mod observe;
mod policy;
mod replay;
mod sessions;
mod sim;
mod soak;
pub mod source;
mod train;
pub use replay::settings as replay_settings;

use crate::config::{Config, FileLayer};
use crate::kalshi::sign;

/// Trades Kalshi event contracts with a trained reinforcement-learning policy.
#[derive(Debug, Parser)]
#[command(name = "kalshi-actor", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the trading service (configuration: defaults → config.toml → environment).
    Run(RunArgs),
    /// List the recorded sessions of a database with their counts and time span.
    Sessions(sessions::SessionsArgs),
    /// Run the Kalshi exchange simulator (REST + WebSocket, synthetic flow, fault injection).
    Sim(Box<sim::SimArgs>),
    /// Print the 52 observation features of one market from a recorded session or a capture.
    Observe(Box<observe::ObserveArgs>),
    /// Run a model on observations (JSON lines in, decisions out).
    Policy(policy::PolicyArgs),
    /// Backtest a model on a recorded session or capture: the live observer, policy and
    /// executor against a fill model on the recorded book.
    Replay(Box<replay::ReplayArgs>),
    /// Train a policy (PPO in candle) on recorded sessions or captures, through the replay.
    Train(Box<train::TrainArgs>),
    /// Measure the service against the simulator at a given load, trading on: feed rate,
    /// decision and wire latency, database rows/s, memory, CPU (a table and a JSON line).
    Bench(Box<bench::BenchArgs>),
    /// Write a new RSA key pair for Kalshi API signing and print the key id it will use.
    Keygen(KeygenArgs),
}

/// `run` options.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print the effective configuration (secrets redacted) and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// `keygen` options.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Directory to write `private_key.pem`, `public_key.pem` and `key_id` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// RSA modulus size in bits.
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u32).range(2048..=4096))]
    pub bits: u32,
    /// Replace keys already in DIR.
    #[arg(long)]
    pub force: bool,
}

/// Parses the command line, runs it, and turns an error into exit code 1 (2 for usage).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Sim(args) => sim::run(*args),
        Command::Sessions(args) => sessions::run(args),
        Command::Observe(args) => observe::run(*args),
        Command::Policy(args) => policy::run(args),
        Command::Replay(args) => replay::run(*args),
        Command::Train(args) => train::run(*args),
        Command::Bench(args) => bench::run(*args),
        Command::Keygen(args) => keygen(&args, &mut std::io::stdout()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let layer = args.config.map_or(FileLayer::Default, FileLayer::Path);
    let config = Config::load(layer)?;
    if args.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    actix_web::rt::System::new().block_on(crate::app::run(config))
}

/// Writes a key pair into `args.out` and reports where, and the key id, on `out`.
pub fn keygen(args: &KeygenArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = &args.out;
    let private = dir.join("private_key.pem");
    let public = dir.join("public_key.pem");
    let id_file = dir.join("key_id");
    if !args.force {
        if let Some(existing) = [&private, &public, &id_file].into_iter().find(|p| p.exists()) {
            bail!("{} already exists; pass --force to replace the key pair", existing.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pair = sign::generate_key_pair(args.bits as usize).context("key generation failed")?;
    write_private(&private, &pair.private_pem)?;
    std::fs::write(&public, &pair.public_pem).with_context(|| format!("cannot write {}", public.display()))?;
    std::fs::write(&id_file, format!("{}\n", pair.key_id))
        .with_context(|| format!("cannot write {}", id_file.display()))?;
    writeln!(out, "key id:      {}", pair.key_id)?;
    writeln!(out, "private key: {}", private.display())?;
    writeln!(out, "public key:  {}", public.display())?;
    writeln!(out, "use with:    export KALSHI_PAPER_TRADING_API_KEY_ID={}", pair.key_id)?;
    writeln!(out, "             export KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT=\"$(cat {})\"", private.display())?;
    Ok(())
}

/// Writes the private key readable by its owner only.
pub(crate) fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(pem.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
