//! `kalshi-actor sessions`: the recorded sessions of a database, one line each.

use std::io::Write;

use anyhow::Context;

use crate::config::{Config, FileLayer};
use crate::sim::engine::rfc3339_ms;
use crate::storage::{SessionRow, Store};

/// `sessions` options.
#[derive(Debug, clap::Args)]
pub struct SessionsArgs {
    /// Database URL (default: `persister.database_url` of the configuration).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
}

/// One table row per session.
pub fn render(rows: &[SessionRow], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>4}  {:<8}  {:<24}  {:>9}  {:>10}  {:>10}  {:>7}  markets",
        "id", "status", "started", "duration", "snapshots", "deltas", "dropped"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:>4}  {:<8}  {:<24}  {:>8.1}s  {:>10}  {:>10}  {:>7}  {}",
            r.id,
            r.status.as_str(),
            rfc3339_ms(r.started_at_ms),
            r.duration_ms() as f64 / 1000.0,
            r.snapshots,
            r.deltas,
            r.dropped,
            r.markets.join(",")
        )?;
    }
    Ok(())
}

/// Lists the sessions.
pub fn run(args: SessionsArgs) -> anyhow::Result<()> {
    let url = match args.database {
        Some(u) => u,
        None => {
            let layer = args.config.map_or(FileLayer::Default, FileLayer::Path);
            Config::load(layer)?.persister.database_url.expose().to_owned()
        }
    };
    let rows = actix_web::rt::System::new().block_on(async {
        let store = Store::connect(&url).await.context("cannot open the database")?;
        let rows = store.sessions().await.context("cannot read sessions")?;
        store.close().await;
        anyhow::Ok(rows)
    })?;
    render(&rows, &mut std::io::stdout())?;
    Ok(())
}
