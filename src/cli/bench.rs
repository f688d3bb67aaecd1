//! `kalshi-actor bench`: the service against the simulator at a given load, trading on,
//! measured from the inside (performance.md P3, P5, P8).
//!
//! The simulator runs as a child process (`kalshi-actor sim`) so the memory and CPU
//! reported are the service's alone; the service runs in this process exactly as `run`
//! starts it, on a temporary SQLite database. After a warm-up the actors' counters are read,
//! again after the measured window, and the difference, with the latency percentiles the
//! service keeps, is printed as a table and one JSON line.
//!
//! With `--faults` it is a soak: the simulator injects every fault it has, and at the end
//! trading is halted, reconciled, and judged ([`crate::bench::soak`]); a failed check makes
//! the command fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::actors::probe::{sample, Sample};
use crate::app::Service;
use crate::bench::process::{anon_mb, cpu_seconds, heap_mb, memory_mb};
use crate::bench::soak::{table, verdict, Check, SIM_FAULT_ARGS};
use crate::bench::{report, Counters, Load, Resources, STEP_MS};
use crate::config::{Config, DatabaseUrl, ExchangeMode, MarketMode, Secret, TargetMarketMode};

/// `bench` options.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Markets listed by the simulator and subscribed.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub markets: u16,
    /// Order-book frames per second wanted on the feed.
    #[arg(long, default_value_t = 5000.0)]
    pub rate: f64,
    /// Measured window, seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub seconds: u64,
    /// Warm-up before the window, seconds.
    #[arg(long, default_value_t = 10)]
    pub warmup: u64,
    /// The model that trades (default: the SB3 fixture, which trades; `ppo_sim` holds).
    #[arg(long, default_value = "ppo_default")]
    pub model: String,
    /// Trade every market (`all`, the most decisions) or the hot one (`hot`, as `run`).
    #[arg(long, default_value = "all", value_parser = ["all", "hot"])]
    pub target_mode: String,
    /// Soak: every fault injection on, and the end state checked against the exchange.
    #[arg(long)]
    pub faults: bool,
}

/// The simulator child and what it printed.
struct SimChild {
    child: Child,
    rest: String,
    ws: String,
    key_id: String,
    key_path: PathBuf,
}

impl Drop for SimChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The simulator account's cash in a bench: enough for hours of the fixture's buying.
const BENCH_CASH_DOLLARS: u32 = 10_000_000;

/// Starts `kalshi-actor sim` for `load` and reads its endpoints and key from its output.
fn start_sim(load: &Load, dir: &Path, faults: bool) -> anyhow::Result<SimChild> {
    let exe = std::env::current_exe().context("cannot find this program to start the simulator")?;
    let log = std::fs::File::create(dir.join("sim.log")).context("cannot create the simulator log")?;
    let child = Command::new(exe)
        .args(["sim", "--listen", "127.0.0.1:0", "--markets", &load.markets.to_string()])
        .args(["--flow-tick-ms", &STEP_MS.to_string(), "--flow-resizes", &load.resizes_per_step().to_string()])
        // The fixture model buys about 20 000 contracts an hour: $10 000 ran out mid-soak,
        // and every order after was refused for want of balance.
        .args(["--starting-cash", &BENCH_CASH_DOLLARS.to_string()])
        .args(if faults { SIM_FAULT_ARGS } else { &[] })
        .arg("--accounts-dir")
        .arg(dir.join("accounts"))
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("cannot start the simulator")?;
    let mut sim =
        SimChild { child, rest: String::new(), ws: String::new(), key_id: String::new(), key_path: PathBuf::new() };
    let out = sim.child.stdout.take().context("no simulator output")?;
    for line in BufReader::new(out).lines() {
        let line = line.context("cannot read the simulator's output")?;
        let value = |key: &str| line.strip_prefix(key).map(|v| v.trim().to_owned());
        if let Some(v) = value("REST:") {
            sim.rest = v;
        } else if let Some(v) = value("WebSocket:") {
            sim.ws = v;
        } else if let Some(v) = value("key id:") {
            sim.key_id = v;
        } else if let Some(v) = value("private key:") {
            sim.key_path = PathBuf::from(v);
        } else if line.starts_with("markets:") {
            return Ok(sim);
        }
    }
    bail!("the simulator stopped before it was ready; see {}", dir.join("sim.log").display())
}

/// The service's configuration for the bench: defaults, the child simulator, trading on.
fn config(args: &BenchArgs, sim: &SimChild, dir: &Path) -> anyhow::Result<Config> {
    let pem = std::fs::read_to_string(&sim.key_path)
        .with_context(|| format!("cannot read the simulator's key {}", sim.key_path.display()))?;
    let mut c = Config::default();
    c.exchange.mode = ExchangeMode::Sim;
    c.exchange.api_url = sim.rest.clone();
    c.exchange.ws_url = sim.ws.clone();
    c.exchange.key_id = Secret::new(sim.key_id.clone());
    c.exchange.private_key = Secret::new(pem);
    c.feed.market_mode = MarketMode::Discovery;
    c.feed.market_limit = u32::from(args.markets);
    c.actor.enabled = true;
    c.actor.model = args.model.clone();
    c.actor.target_market_mode = if args.target_mode == "hot" { TargetMarketMode::Hot } else { TargetMarketMode::All };
    // One contract per order and position limits out of the way, so trading (and the
    // decision and wire latencies it samples) goes on for the whole window instead of
    // stopping at the default limits; the write-token bucket and every other check stay.
    c.actor.contract_size = crate::domain::Count::contracts(1);
    c.risk.max_position = crate::domain::Count::contracts(1_000_000);
    c.risk.max_exposure = crate::domain::Money::from_cents(1_000_000_000);
    c.risk.max_daily_loss = crate::domain::Money::from_cents(1_000_000_000);
    c.persister.database_url = DatabaseUrl::new(format!("sqlite://{}", dir.join("bench.sqlite").display()));
    c.web.listen = "127.0.0.1:0".into();
    Ok(c)
}

async fn read(service: &Service) -> Sample {
    sample(Some(&service.probes), &service.trading.control().summary, Duration::from_secs(5)).await
}

/// Waits until the feed is connected, the executor ready and frames flowing.
async fn ready(service: &Service, deadline: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let s = read(service).await;
        let feed_up = s.feed.as_ref().is_some_and(|(f, c)| c.connected && f.frames > 0);
        if feed_up && s.trading.as_ref().is_some_and(|t| t.ready) {
            return Ok(());
        }
        if started.elapsed() > deadline {
            bail!("the service was not trading after {deadline:?}");
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits out the warm-up or the measurement window (`phase`), printing memory to stderr
/// every minute (resident, anonymous, and jemalloc's live and kept heap), so a long run
/// shows its memory curve and that it is alive.
async fn watch_window(phase: &str, seconds: u64) {
    let mut left = seconds;
    let mut at = 0;
    while left > 0 {
        let step = left.min(60);
        actix_web::rt::time::sleep(Duration::from_secs(step)).await;
        (left, at) = (left - step, at + step);
        let rss = memory_mb(None).map_or(0.0, |(now, _)| now);
        let anon = anon_mb(None).unwrap_or_default();
        let heap =
            heap_mb().map_or(String::new(), |(live, kept)| format!(", heap {live:.1} MB live / {kept:.1} MB kept"));
        eprintln!("bench: {phase} {at:>5} s of {seconds}: resident {rss:.1} MB, anonymous {anon:.1} MB{heap}");
    }
}

/// Runs the bench and prints its table and JSON line.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number of frames per second, not {}", args.rate);
    }
    let load = Load { markets: args.markets, rate: args.rate, seconds: args.seconds };
    let dir = std::env::temp_dir().join(format!("kalshi-actor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let result = measure(&args, &load, &dir);
    let passed = result.as_ref().is_ok_and(|(_, checks)| checks.iter().flatten().all(|c| c.ok));
    if passed {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        // The database reaches gigabytes in an hour; the simulator's log is what explains a
        // failure, so only the database goes.
        for db in ["bench.sqlite", "bench.sqlite-wal", "bench.sqlite-shm"] {
            let _ = std::fs::remove_file(dir.join(db));
        }
        eprintln!("kept for inspection: {} (the simulator's log is sim.log)", dir.display());
    }
    let (r, checks) = result?;
    println!("kalshi-actor bench: {} markets, {:.0} frames/s asked, {} s window", r.markets, load.rate, load.seconds);
    print!("{}", r.table());
    println!("{}", r.json_line());
    let Some(checks) = checks else { return Ok(()) };
    println!("soak: every fault injection on");
    print!("{}", table(&checks));
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    println!("{}", serde_json::json!({ "bench": "soak", "passed": failed.is_empty(), "checks": checks }));
    if !failed.is_empty() {
        bail!("soak failed: {}", failed.join(", "));
    }
    Ok(())
}

fn measure(args: &BenchArgs, load: &Load, dir: &Path) -> anyhow::Result<(crate::bench::Report, Option<Vec<Check>>)> {
    let sim = start_sim(load, dir, args.faults)?;
    let sim_pid = sim.child.id();
    let config = config(args, &sim, dir)?;
    let t0 = Instant::now();
    let cpu = || cpu_seconds(None).unwrap_or(0.0);
    actix_web::rt::System::new().block_on(async move {
        let service = crate::app::start(&config, None).await?;
        let outcome = async {
            ready(&service, Duration::from_secs(60)).await?;
            // The warm-up and the window are the measurement's durations, not waits for
            // something to happen.
            watch_window("warm-up", args.warmup).await;
            let sim_cpu0 = cpu_seconds(Some(sim_pid));
            let anon_start = anon_mb(None).unwrap_or_default();
            let first = read(&service).await;
            let a = Counters::of(&first, t0.elapsed().as_secs_f64(), cpu()).context("an actor did not answer")?;
            watch_window("window", load.seconds).await;
            let end = read(&service).await;
            let b = Counters::of(&end, t0.elapsed().as_secs_f64(), cpu()).context("an actor did not answer")?;
            let (rss_mb, rss_peak_mb) = memory_mb(None).unwrap_or_default();
            let sim_cpu_s = sim_cpu0.zip(cpu_seconds(Some(sim_pid))).map(|(x, y)| y - x);
            let res = Resources { rss_mb, rss_peak_mb, sim_cpu_s };
            let r = report(load, service.pipeline.markets.len(), &a, &b, &end, res);
            let checks = match args.faults {
                true => {
                    let anon_end = anon_mb(None).unwrap_or_default();
                    Some(verdict(&super::soak::gather(&service, anon_start, anon_end).await?))
                }
                false => None,
            };
            anyhow::Ok((r, checks))
        }
        .await;
        service.stop().await?;
        drop(sim);
        outcome
    })
}
