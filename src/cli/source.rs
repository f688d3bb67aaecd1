//! Where the offline commands (`observe`, `replay`, `train`) read recorded order-book
//! updates from: a capture file (through the live feed and book-keeper cores) or a stored
//! session of the database.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::config::Config;
use crate::observer::offline::CaptureReplay;
use crate::storage::{BookRecord, Store};

/// The `--input` / `--session` / `--database` options of `observe` and `replay`.
/// The command using it declares the required group `source` (one of the two).
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct SourceArgs {
    /// A capture file written by the feed (`feed.capture_path`).
    #[arg(long, value_name = "CAPTURE.jsonl", group = "source")]
    pub input: Option<PathBuf>,
    /// A recorded session (see `kalshi-actor sessions`).
    #[arg(long, value_name = "ID", group = "source")]
    pub session: Option<i64>,
    /// Database URL for `--session` (default: `persister.database_url`).
    #[arg(long, value_name = "URL", requires = "session")]
    pub database: Option<String>,
}

impl SourceArgs {
    /// The input these options name.
    pub fn source(&self) -> anyhow::Result<Source> {
        Source::from_args(self.input.as_deref(), self.session, self.database.clone())
    }
}

/// A recorded input.
#[derive(Debug, Clone)]
pub enum Source {
    /// A capture file written by the feed.
    Capture(PathBuf),
    /// A stored session in a database (`None`: `persister.database_url`).
    Session {
        /// Session id.
        id: i64,
        /// Database URL.
        database: Option<String>,
    },
}

impl Source {
    /// From the `--input` / `--session` / `--database` options.
    pub fn from_args(input: Option<&Path>, session: Option<i64>, database: Option<String>) -> anyhow::Result<Source> {
        match (input, session) {
            (Some(p), None) => Ok(Source::Capture(p.to_path_buf())),
            (None, Some(id)) => Ok(Source::Session { id, database }),
            _ => bail!("give either --input CAPTURE.jsonl or --session ID"),
        }
    }

    /// Calls `f` with every record, in the order accepted; returns how many.
    pub fn each(&self, config: &Config, f: &mut dyn FnMut(BookRecord)) -> anyhow::Result<u64> {
        match self {
            Source::Capture(path) => {
                let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
                let mut n = 0u64;
                CaptureReplay::new()
                    .read(std::io::BufReader::new(file), &mut |r| {
                        n += 1;
                        f(r);
                    })
                    .with_context(|| format!("cannot replay {}", path.display()))?;
                Ok(n)
            }
            Source::Session { id, database } => {
                let url = database.clone().unwrap_or_else(|| config.persister.database_url.expose().to_owned());
                let id = *id;
                actix_web::rt::System::new().block_on(async {
                    let store = Store::connect(&url).await.context("cannot open the database")?;
                    let sessions = store.sessions().await.context("cannot read sessions")?;
                    if !sessions.iter().any(|s| s.id == id) {
                        let ids: Vec<String> = sessions.iter().map(|s| s.id.to_string()).collect();
                        bail!("no session {id} in this database (sessions: {})", ids.join(", "));
                    }
                    let n = store.each_record(id, f).await.context("cannot read the session's records")?;
                    store.close().await;
                    anyhow::Ok(n)
                })
            }
        }
    }

    /// Every record, in memory.
    pub fn load(&self, config: &Config) -> anyhow::Result<Vec<BookRecord>> {
        let mut v = Vec::new();
        self.each(config, &mut |r| v.push(r))?;
        Ok(v)
    }

    /// For messages: the file or `session N`.
    pub fn describe(&self) -> String {
        match self {
            Source::Capture(p) => p.display().to_string(),
            Source::Session { id, .. } => format!("session {id}"),
        }
    }
}
