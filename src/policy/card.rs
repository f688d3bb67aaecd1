//! Model cards and our own model format.
//!
//! A model card is the JSON file `NAME.card.json` beside a model: what the model is, the
//! observation contract it was trained with (version, size, order-features mode, time
//! zone), its action names, its architecture (for our safetensors format) and where it
//! came from. [`check`] refuses a model whose card contradicts this build or the
//! configuration, so a policy never silently sees observations it was not trained on.
//!
//! Our format is `NAME.safetensors` (tensors named as in SB3's state dict:
//! `mlp_extractor.policy_net.{2i}.weight|bias`, `action_net.weight|bias`) plus the card,
//! whose `architecture` says how to assemble them.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::sb3::{self, Sb3Meta};
use super::{Activation, PolicyError, PolicyModel, ACTION_NAMES, N_ACTIONS, OBS_DIM};
use crate::features::OBSERVATION_VERSION;

/// The observation contract a model was trained with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardObservation {
    /// Contract version ([`OBSERVATION_VERSION`]).
    #[serde(default = "default_version")]
    pub version: u32,
    /// Observation length (52).
    pub size: usize,
    /// Where the contract is written down.
    #[serde(default)]
    pub contract: String,
    /// `zeros` or `live` (`observer.order_features`).
    pub order_features: String,
    /// IANA time zone of the time features (`observer.timezone`).
    pub timezone: String,
}

fn default_version() -> u32 {
    OBSERVATION_VERSION
}

/// The network's shape, required for our safetensors format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardArchitecture {
    /// Input size.
    pub obs_dim: usize,
    /// Hidden layer widths of the policy net.
    pub hidden: Vec<usize>,
    /// Hidden activation: `tanh`, `relu`, `leaky_relu`, `elu`, `silu` or `sigmoid`.
    pub activation: String,
    /// Number of actions.
    pub n_actions: usize,
}

/// A model card (`NAME.card.json`). Unknown fields (training metrics…) are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Model name.
    pub model: String,
    /// File format, free text.
    #[serde(default)]
    pub format: String,
    /// What the model is, for people.
    #[serde(default)]
    pub what_it_is: String,
    /// The observation contract.
    pub observation: CardObservation,
    /// Action names, in action-number order.
    pub actions: Vec<String>,
    /// Network shape (required for safetensors models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<CardArchitecture>,
    /// Where it came from.
    #[serde(default)]
    pub provenance: serde_json::Value,
    /// Anything else (training data, steps, final metrics…).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ModelCard {
    /// Reads and parses a card file.
    pub fn read(path: &Path) -> Result<ModelCard, PolicyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| PolicyError::Io { path: path.display().to_string(), source })?;
        serde_json::from_str(&text).map_err(|e| PolicyError::Card(format!("{}: {e}", path.display())))
    }
}

/// What the running configuration expects of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// `observer.order_features` (`zeros` / `live`).
    pub order_features: String,
    /// `observer.timezone`.
    pub timezone: String,
}

/// Refuses a card that contradicts this build or `expect`, naming every contradiction.
pub fn check(card: &ModelCard, expect: &Expectations) -> Result<(), PolicyError> {
    let mut problems = Vec::new();
    let o = &card.observation;
    if o.version != OBSERVATION_VERSION {
        problems.push(format!("observation contract version {} (this build: {OBSERVATION_VERSION})", o.version));
    }
    if o.size != OBS_DIM {
        problems.push(format!("observation size {} (this build: {OBS_DIM})", o.size));
    }
    if o.order_features != expect.order_features {
        problems.push(format!(
            "trained with order_features = {:?}, configured observer.order_features = {:?}",
            o.order_features, expect.order_features
        ));
    }
    if o.timezone != expect.timezone {
        problems.push(format!(
            "trained with timezone {:?}, configured observer.timezone = {:?}",
            o.timezone, expect.timezone
        ));
    }
    if card.actions != ACTION_NAMES {
        problems.push(format!("actions {:?} (this build: {ACTION_NAMES:?})", card.actions));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PolicyError::Card(format!(
            "model card {:?} contradicts the configuration: {}",
            card.model,
            problems.join("; ")
        )))
    }
}

/// The activation's card name.
pub fn activation_name(a: Activation) -> &'static str {
    match a {
        Activation::Tanh => "tanh",
        Activation::Relu => "relu",
        Activation::LeakyRelu => "leaky_relu",
        Activation::Elu => "elu",
        Activation::Silu => "silu",
        Activation::Sigmoid => "sigmoid",
    }
}

fn activation_from_name(name: &str) -> Result<Activation, PolicyError> {
    [Activation::Tanh, Activation::Relu, Activation::LeakyRelu, Activation::Elu, Activation::Silu, Activation::Sigmoid]
        .into_iter()
        .find(|a| activation_name(*a) == name)
        .ok_or_else(|| PolicyError::UnknownActivation(name.to_owned()))
}

/// Loads a safetensors model assembled as its card's `architecture` says.
pub fn load_safetensors(path: &Path, card: &ModelCard) -> Result<PolicyModel, PolicyError> {
    let arch = card.architecture.as_ref().ok_or_else(|| {
        PolicyError::Card(format!("card {:?} has no `architecture` for a safetensors model", card.model))
    })?;
    if arch.obs_dim != OBS_DIM {
        return Err(PolicyError::ObservationSize { found: arch.obs_dim, expected: OBS_DIM });
    }
    if arch.n_actions != N_ACTIONS {
        return Err(PolicyError::ActionCount { found: arch.n_actions, expected: N_ACTIONS });
    }
    let bytes = std::fs::read(path).map_err(|source| PolicyError::Io { path: path.display().to_string(), source })?;
    let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)?;
    let meta = Sb3Meta {
        obs_dim: arch.obs_dim,
        n_actions: arch.n_actions,
        pi: arch.hidden.clone(),
        activation: activation_from_name(&arch.activation)?,
    };
    sb3::build(&meta, &tensors)
}

/// Writes `model` as safetensors at `path` (tensor names as in SB3's state dict).
pub fn save_safetensors(model: &PolicyModel, path: &Path) -> Result<(), PolicyError> {
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (i, layer) in model.hidden.iter().enumerate() {
        let prefix = format!("mlp_extractor.policy_net.{}", 2 * i);
        tensors.insert(format!("{prefix}.weight"), layer.weight_tensor()?);
        tensors.insert(format!("{prefix}.bias"), layer.bias_tensor()?);
    }
    tensors.insert("action_net.weight".into(), model.action_net.weight_tensor()?);
    tensors.insert("action_net.bias".into(), model.action_net.bias_tensor()?);
    candle_core::safetensors::save(&tensors, path)?;
    Ok(())
}

/// The `architecture` section describing `model`.
pub fn architecture_of(model: &PolicyModel) -> CardArchitecture {
    CardArchitecture {
        obs_dim: OBS_DIM,
        hidden: model.hidden_sizes(),
        activation: activation_name(model.activation()).to_owned(),
        n_actions: N_ACTIONS,
    }
}
