//! `kalshi-actor sim`: the exchange simulator on its own, for manual testing and for
//! other tools to trade against.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::sim::config::SimConfig;
use crate::sim::faults::FaultConfig;

/// `sim` options.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: String,
    /// Number of linear-cent markets (one sub-cent market is added).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub markets: u16,
    /// Seed of the synthetic flow and of fault decisions.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Public keys to accept (`*.pem`); a key pair is generated here when there is none.
    #[arg(long, value_name = "DIR", default_value = "data/sim-accounts")]
    pub accounts_dir: PathBuf,
    /// No synthetic order flow: the book moves only on client orders.
    #[arg(long)]
    pub no_flow: bool,
    /// Real milliseconds between two flow steps.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub flow_tick_ms: u64,
    /// Extra maker level resizes per market per flow step (the whole part always, the
    /// fraction by chance): more book updates per second. Default: the flow's 0.1.
    #[arg(long, value_name = "N", value_parser = resizes)]
    pub flow_resizes: Option<f64>,
    /// Charge makers 0.0175·C·P·(1−P) per fill (series with maker fees); default: makers free.
    #[arg(long)]
    pub maker_fees: bool,
    /// Cash of each account when it is opened, whole dollars (default 10 000).
    #[arg(long, value_name = "DOLLARS", value_parser = clap::value_parser!(u32).range(1..))]
    pub starting_cash: Option<u32>,
    /// Close every market this many seconds after start (default: never).
    #[arg(long, value_name = "SECS")]
    pub close_after_secs: Option<u64>,
    /// Settle (determine and pay out) this many seconds after close.
    #[arg(long, value_name = "SECS", requires = "close_after_secs")]
    pub settle_after_secs: Option<u64>,
    /// Close every WebSocket connection after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub fault_disconnect_every: Option<u64>,
    /// Probability per data frame of closing the connection after it.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_disconnect_prob: f64,
    /// Probability per sequenced frame of skipping a seq number.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_skip_seq: f64,
    /// Probability of sending a frame twice.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_duplicate: f64,
    /// Probability of swapping a frame with the next.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_reorder: f64,
    /// Probability of sending malformed JSON after a frame.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_malformed: f64,
    /// Probability of sending a frame of an unknown type.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_unknown_type: f64,
    /// Probability of sending a delta with an out-of-range price.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_bad_price: f64,
    /// Delay every order acknowledgement by this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub fault_ack_delay_ms: Option<u64>,
    /// Probability of never answering an order request (the order still executes).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_ack_drop: f64,
    /// Probability of answering 429 before processing a request.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_429: f64,
    /// Probability of answering 503 before processing a request.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_5xx: f64,
    /// Withhold this market's feed while the socket stays alive.
    #[arg(long, value_name = "TICKER")]
    pub fault_stall_market: Option<String>,
}

fn resizes(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if (0.0..=1000.0).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of resizes between 0 and 1000")),
    }
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a probability between 0 and 1")),
    }
}

impl SimArgs {
    /// The simulator configuration these options describe.
    pub fn config(&self) -> SimConfig {
        let mut c = SimConfig::default();
        c.catalog.markets = usize::from(self.markets);
        if self.maker_fees {
            c.engine.maker_fee_ppm = crate::sim::engine::MAKER_FEE_PPM;
        }
        if self.close_after_secs.is_some() {
            // A schedule runs from now, not from the catalog's nominal open time.
            c.catalog.start_ms = crate::sim::server::now_ms();
        }
        let ms = |secs: u64| i64::try_from(secs).unwrap_or(i64::MAX / 1000).saturating_mul(1000);
        c.catalog.close_after_ms = self.close_after_secs.map(ms);
        c.catalog.settle_after_ms = self.settle_after_secs.map(ms);
        c.seed = self.seed;
        c.accounts_dir = self.accounts_dir.clone();
        if let Some(dollars) = self.starting_cash {
            c.starting_cash = crate::domain::Money::from_cents(i64::from(dollars) * 100);
        }
        if self.no_flow {
            c.flow = None;
        }
        if let (Some(f), Some(n)) = (c.flow.as_mut(), self.flow_resizes) {
            f.resize_prob = n;
        }
        c.flow_tick = Some(Duration::from_millis(self.flow_tick_ms));
        c.faults = FaultConfig {
            disconnect_every: self.fault_disconnect_every.map(Duration::from_secs),
            disconnect_prob: self.fault_disconnect_prob,
            skip_seq_prob: self.fault_skip_seq,
            duplicate_prob: self.fault_duplicate,
            reorder_prob: self.fault_reorder,
            malformed_prob: self.fault_malformed,
            unknown_type_prob: self.fault_unknown_type,
            bad_price_prob: self.fault_bad_price,
            ack_delay: self.fault_ack_delay_ms.map(Duration::from_millis),
            ack_drop_prob: self.fault_ack_drop,
            http_429_prob: self.fault_429,
            http_5xx_prob: self.fault_5xx,
            stall_market: self.fault_stall_market.clone(),
        };
        c
    }
}

/// Runs the simulator until Ctrl-C.
pub fn run(args: SimArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&args.listen).with_context(|| format!("cannot listen on {}", args.listen))?;
    let config = args.config();
    actix_web::rt::System::new().block_on(async move {
        let handle = crate::sim::run::start(listener, config)?;
        println!("REST:        {}", handle.rest_url);
        println!("WebSocket:   {}", handle.ws_url);
        for id in &handle.key_ids {
            println!("key id:      {id}");
        }
        if let Some(p) = &handle.private_key_path {
            println!("private key: {}", p.display());
        }
        println!("markets:     {}", handle.sim.lock().engine.tickers().join(", "));
        actix_web::rt::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
        handle.stop().await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::SimArgs;
    use crate::domain::Money;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    fn config(args: &[&str]) -> Result<crate::sim::config::SimConfig, clap::Error> {
        Cli::try_parse_from(std::iter::once("sim").chain(args.iter().copied())).map(|c| c.sim.config())
    }

    #[test]
    fn starting_cash_is_whole_dollars_and_positive() {
        assert_eq!(config(&[]).unwrap().starting_cash, crate::sim::config::SimConfig::default().starting_cash);
        assert_eq!(config(&["--starting-cash", "2500"]).unwrap().starting_cash, Money::from_cents(250_000));
        for bad in ["0", "-5", "12.50", "lots"] {
            assert!(config(&["--starting-cash", bad]).is_err(), "{bad}");
        }
    }
}
