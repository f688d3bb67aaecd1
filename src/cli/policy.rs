//! `kalshi-actor policy`: runs a model on observations, one JSON line out per line in:
//! `{"action": a, "name": "...", "probs": [...], "logits": [...]}`. An input line is a
//! bare array of 52 numbers or an object with `"obs"` (such as `observe`'s output).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use serde::Serialize;
use serde_json::Value;

use crate::policy::{PolicyModel, OBS_DIM};

/// `policy` options.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// A `.zip` (SB3 PPO) or `.safetensors` model, or a name under `model_weights/`.
    #[arg(long, value_name = "PATH")]
    pub model: String,
    /// Observations, one per line (default: standard input).
    #[arg(long, value_name = "FILE.jsonl")]
    pub obs: Option<PathBuf>,
}

#[derive(Serialize)]
struct Out<'a> {
    action: usize,
    name: &'a str,
    probs: [f32; 5],
    logits: [f32; 5],
}

/// The observation in one input line.
pub fn parse_obs(line: &str) -> anyhow::Result<[f32; OBS_DIM]> {
    let v: Value = serde_json::from_str(line).context("not JSON")?;
    let arr = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("obs") {
            Some(Value::Array(a)) => a,
            _ => bail!("an object line needs an \"obs\" array"),
        },
        _ => bail!("expected an array of {OBS_DIM} numbers or an object with \"obs\""),
    };
    if arr.len() != OBS_DIM {
        bail!("{} numbers; the policy needs {OBS_DIM}", arr.len());
    }
    let mut obs = [0f32; OBS_DIM];
    for (i, (dst, x)) in obs.iter_mut().zip(arr).enumerate() {
        let f = x.as_f64().with_context(|| format!("element {i} is not a number: {x}"))?;
        *dst = f as f32;
        if !dst.is_finite() {
            bail!("element {i} is not a finite f32: {x}");
        }
    }
    Ok(obs)
}

/// Scores every line of `input` onto `out`.
pub fn score(model: &PolicyModel, input: impl BufRead, out: &mut dyn Write) -> anyhow::Result<u64> {
    let mut n = 0;
    for (i, line) in input.lines().enumerate() {
        let line = line.context("cannot read the input")?;
        if line.trim().is_empty() {
            continue;
        }
        let obs = parse_obs(&line).with_context(|| format!("line {}", i + 1))?;
        let d = model.act(&obs).with_context(|| format!("line {}", i + 1))?;
        let o = Out { action: d.action, name: d.action_name(), probs: d.probs, logits: d.logits };
        writeln!(out, "{}", serde_json::to_string(&o)?)?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// Runs `policy`.
pub fn run(args: PolicyArgs) -> anyhow::Result<()> {
    let loaded = crate::policy::load::load(&args.model, std::path::Path::new(crate::app::MODEL_DIR), None)
        .with_context(|| format!("cannot load model {:?}", args.model))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &args.obs {
        Some(path) => {
            let f = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            score(&loaded.model, std::io::BufReader::new(f), &mut out)?
        }
        None => score(&loaded.model, std::io::stdin().lock(), &mut out)?,
    };
    Ok(())
}
