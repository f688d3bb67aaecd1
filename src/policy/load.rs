//! Finding and loading the configured model (`actor.model`, env `RL_ACTOR_MODEL_ID`).
//!
//! The setting is a path to a model file, or a name under `model_weights/`: `NAME.zip`
//! (a Stable-Baselines3 PPO archive) or `NAME.safetensors` (our format). Either may have a
//! card `NAME.card.json` beside it; a safetensors model must. When a card is present it is
//! checked against the configuration ([`super::card::check`]).

use std::path::{Path, PathBuf};

use super::card::{self, Expectations, ModelCard};
use super::{PolicyError, PolicyModel};

/// The model `make run` uses when `actor.model` is empty.
pub const DEFAULT_MODEL: &str = "ppo_sim";

/// A loaded model with its identity.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The network.
    pub model: PolicyModel,
    /// Its id: the card's `model`, or the file stem.
    pub id: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Its card, when it has one.
    pub card: Option<ModelCard>,
}

/// The card path beside a model file: `NAME.card.json`.
pub fn card_path(model: &Path) -> PathBuf {
    let stem = model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    model.with_file_name(format!("{stem}.card.json"))
}

/// Resolves `spec` (a path, or a name under `weights_dir`; empty = [`DEFAULT_MODEL`]).
pub fn resolve(spec: &str, weights_dir: &Path) -> Result<PathBuf, PolicyError> {
    let spec = if spec.trim().is_empty() { DEFAULT_MODEL } else { spec.trim() };
    let as_path = Path::new(spec);
    let looks_like_path = spec.contains('/') || spec.ends_with(".zip") || spec.ends_with(".safetensors");
    if looks_like_path {
        return if as_path.is_file() {
            Ok(as_path.to_path_buf())
        } else {
            Err(PolicyError::NotFound(format!("no model file at {spec}")))
        };
    }
    for ext in ["safetensors", "zip"] {
        let p = weights_dir.join(format!("{spec}.{ext}"));
        if p.is_file() {
            return Ok(p);
        }
    }
    let mut names: Vec<String> = std::fs::read_dir(weights_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter_map(|n| n.strip_suffix(".zip").or_else(|| n.strip_suffix(".safetensors")).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    Err(PolicyError::NotFound(format!(
        "no model named {spec:?} in {} (available: {})",
        weights_dir.display(),
        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
    )))
}

/// Loads the model `spec` names; with `expect`, refuses a card that contradicts it.
pub fn load(spec: &str, weights_dir: &Path, expect: Option<&Expectations>) -> Result<LoadedModel, PolicyError> {
    let path = resolve(spec, weights_dir)?;
    let card_file = card_path(&path);
    let card = if card_file.is_file() { Some(ModelCard::read(&card_file)?) } else { None };
    let model = if path.extension().is_some_and(|e| e == "safetensors") {
        let card = card
            .as_ref()
            .ok_or_else(|| PolicyError::Card(format!("a safetensors model needs its card {}", card_file.display())))?;
        card::load_safetensors(&path, card)?
    } else {
        PolicyModel::load_sb3(&path)?
    };
    if let (Some(card), Some(expect)) = (&card, expect) {
        card::check(card, expect)?;
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let id = card.as_ref().map_or(stem, |c| c.model.clone());
    Ok(LoadedModel { model, id, path, card })
}
