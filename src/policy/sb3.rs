//! Loader for Stable-Baselines3 PPO `MlpPolicy` archives.
//!
//! `model.save()` writes a zip holding `data` (JSON metadata: `policy_kwargs`,
//! `observation_space`, `action_space`, …) and `policy.pth` (itself a PyTorch zip archive
//! with the policy's state dict). Everything is read in memory: the inner archive's
//! `data.pkl` is decoded with candle's pickle reader ([`candle_core::pickle`]), each tensor's
//! storage bytes are turned into a candle [`Tensor`], and the weights are then copied once
//! into the plain `Vec<f32>` layers of [`PolicyModel`].
//!
//! Checked before accepting a model: a `Box` observation space of shape `[52]`, a
//! `Discrete(5)` action space, a readable `net_arch` (list or `{pi, vf}` dict; the SB3
//! default `pi = [64, 64]` when absent), a known activation (default Tanh), the default
//! flatten feature extractor, and every `mlp_extractor.policy_net.{2i}` / `action_net`
//! tensor present with the shape the architecture implies.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

use candle_core::pickle::{Object, Stack, TensorInfo};
use candle_core::{DType, Device, Tensor};
use serde_json::Value;

use super::{Activation, Dense, PolicyError, PolicyModel, N_ACTIONS, OBS_DIM};

/// SB3's default policy `net_arch` for PPO/A2C `MlpPolicy`.
const DEFAULT_PI: [usize; 2] = [64, 64];

/// What the `data` JSON says about the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Sb3Meta {
    /// Observation vector length.
    pub obs_dim: usize,
    /// Number of discrete actions.
    pub n_actions: usize,
    /// Policy hidden layer widths.
    pub pi: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
}

/// Loads the model at `path` (see [`PolicyModel::load_sb3`]).
pub(crate) fn load(path: &Path) -> Result<PolicyModel, PolicyError> {
    let bytes = std::fs::read(path).map_err(|source| PolicyError::Io { path: path.display().to_string(), source })?;
    load_bytes(&bytes)
}

/// Loads a model from the bytes of an SB3 `.zip`.
pub fn load_bytes(bytes: &[u8]) -> Result<PolicyModel, PolicyError> {
    let mut outer = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err("SB3 archive"))?;
    let data = read_entry(&mut outer, "data")?;
    let meta = parse_meta(&data)?;
    let pth = read_entry(&mut outer, "policy.pth")?;
    let tensors = read_pth(&pth)?;
    build(&meta, &tensors)
}

fn zip_err(what: &str) -> impl Fn(zip::result::ZipError) -> PolicyError + '_ {
    move |source| PolicyError::Zip { what: what.to_string(), source }
}

fn read_entry(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, PolicyError> {
    let mut file = archive.by_name(name).map_err(zip_err(name))?;
    let mut out = Vec::new();
    file.read_to_end(&mut out).map_err(|source| PolicyError::Io { path: name.to_string(), source })?;
    Ok(out)
}

fn meta_err(msg: impl Into<String>) -> PolicyError {
    PolicyError::Metadata(msg.into())
}

/// A JSON number, or a string holding one (SB3 writes `Discrete.n` as `"5"`).
fn as_usize(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn usize_list(v: &Value, what: &str) -> Result<Vec<usize>, PolicyError> {
    v.as_array()
        .and_then(|a| a.iter().map(as_usize).collect::<Option<Vec<_>>>())
        .ok_or_else(|| meta_err(format!("{what} is not a list of integers: {v}")))
}

/// Parses the SB3 `data` JSON and checks the spaces against this build.
pub fn parse_meta(data: &[u8]) -> Result<Sb3Meta, PolicyError> {
    let root: Value = serde_json::from_slice(data).map_err(|e| meta_err(format!("not JSON: {e}")))?;

    let obs = root.get("observation_space").ok_or_else(|| meta_err("no observation_space"))?;
    let obs_type = obs.get(":type:").and_then(Value::as_str).unwrap_or("");
    if !obs_type.contains("Box") {
        return Err(PolicyError::Unsupported(format!("observation space {obs_type:?} (need a Box)")));
    }
    let shape =
        obs.get("_shape").or_else(|| obs.get("shape")).ok_or_else(|| meta_err("observation_space has no shape"))?;
    let shape = usize_list(shape, "observation_space shape")?;
    let obs_dim = match shape.as_slice() {
        [n] => *n,
        _ => shape.iter().product(),
    };
    if shape.len() != 1 || obs_dim != OBS_DIM {
        return Err(PolicyError::ObservationSize { found: obs_dim, expected: OBS_DIM });
    }

    let act = root.get("action_space").ok_or_else(|| meta_err("no action_space"))?;
    let act_type = act.get(":type:").and_then(Value::as_str).unwrap_or("");
    if !act_type.contains("Discrete") || act_type.contains("MultiDiscrete") {
        return Err(PolicyError::Unsupported(format!("action space {act_type:?} (need Discrete)")));
    }
    let n_actions = act.get("n").and_then(as_usize).ok_or_else(|| meta_err("action_space has no integer n"))?;
    if n_actions != N_ACTIONS {
        return Err(PolicyError::ActionCount { found: n_actions, expected: N_ACTIONS });
    }
    if let Some(start) = act.get("start").and_then(as_usize) {
        if start != 0 {
            return Err(PolicyError::Unsupported(format!("Discrete action space starting at {start}")));
        }
    }

    let empty = Value::Object(Default::default());
    let kwargs = root.get("policy_kwargs").unwrap_or(&empty);
    let pi = match kwargs.get("net_arch") {
        None | Some(Value::Null) => DEFAULT_PI.to_vec(),
        Some(Value::Object(m)) => match m.get("pi") {
            Some(v) => usize_list(v, "net_arch.pi")?,
            None => Vec::new(),
        },
        Some(v @ Value::Array(_)) => usize_list(v, "net_arch (legacy shared layers unsupported)")?,
        Some(v) => return Err(meta_err(format!("unreadable net_arch {v}"))),
    };
    let activation = match kwargs.get("activation_fn") {
        None | Some(Value::Null) => Activation::Tanh,
        Some(v) => parse_activation(v.as_str().unwrap_or(""))?,
    };
    if let Some(fx) = kwargs.get("features_extractor_class") {
        let fx = fx.as_str().unwrap_or("");
        if !fx.contains("FlattenExtractor") {
            return Err(PolicyError::Unsupported(format!("features extractor {fx:?}")));
        }
    }
    Ok(Sb3Meta { obs_dim, n_actions, pi, activation })
}

/// Parses SB3's rendering of a torch activation class, e.g.
/// `"<class 'torch.nn.modules.activation.Tanh'>"`.
pub fn parse_activation(text: &str) -> Result<Activation, PolicyError> {
    let name = text.trim().trim_start_matches("<class '").trim_end_matches("'>").rsplit('.').next().unwrap_or("");
    match name {
        "Tanh" => Ok(Activation::Tanh),
        "ReLU" => Ok(Activation::Relu),
        "LeakyReLU" => Ok(Activation::LeakyRelu),
        "ELU" => Ok(Activation::Elu),
        "SiLU" => Ok(Activation::Silu),
        "Sigmoid" => Ok(Activation::Sigmoid),
        _ => Err(PolicyError::UnknownActivation(text.to_string())),
    }
}

/// Decodes every tensor of a PyTorch zip archive (`torch.save` of a state dict) held in
/// memory, using candle's pickle reader.
pub fn read_pth(bytes: &[u8]) -> Result<HashMap<String, Tensor>, PolicyError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err("policy.pth"))?;
    let pkl = zip
        .file_names()
        .find(|n| n.ends_with("data.pkl"))
        .map(str::to_string)
        .ok_or_else(|| meta_err("policy.pth has no data.pkl"))?;
    let dir = pkl.trim_end_matches(".pkl").to_string();
    let pickle = read_entry(&mut zip, &pkl)?;
    let mut stack = Stack::empty();
    stack.read_loop(&mut Cursor::new(pickle))?;
    let Object::Dict(entries) = stack.finalize()? else {
        return Err(PolicyError::Unsupported("policy.pth does not hold a plain state dict".into()));
    };
    let mut out = HashMap::new();
    for (name, value) in entries {
        if let Some(info) = value.into_tensor_info(name, Path::new(&dir))? {
            let tensor = load_tensor(&mut zip, &info)?;
            out.insert(info.name, tensor);
        }
    }
    Ok(out)
}

fn load_tensor(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, info: &TensorInfo) -> Result<Tensor, PolicyError> {
    let layout = &info.layout;
    if !layout.is_contiguous() {
        return Err(PolicyError::Unsupported(format!("non-contiguous tensor {:?}", info.name)));
    }
    let storage = read_entry(zip, &info.path)?;
    let start = layout.start_offset();
    let len = layout.shape().elem_count() * info.dtype.size_in_bytes();
    let raw = storage.get(start..start + len).ok_or_else(|| {
        meta_err(format!("tensor {:?} storage too short ({} bytes, need {})", info.name, storage.len(), start + len))
    })?;
    Ok(Tensor::from_raw_buffer(raw, info.dtype, layout.dims(), &Device::Cpu)?)
}

/// Fetches `name`, checks its shape and returns its values as row-major `f32`.
fn take(tensors: &HashMap<String, Tensor>, name: &str, expected: &[usize]) -> Result<Vec<f32>, PolicyError> {
    let t = tensors.get(name).ok_or_else(|| PolicyError::MissingTensor(name.to_string()))?;
    if t.dims() != expected {
        return Err(PolicyError::ShapeMismatch {
            name: name.to_string(),
            found: t.dims().to_vec(),
            expected: expected.to_vec(),
        });
    }
    Ok(t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?)
}

fn dense(tensors: &HashMap<String, Tensor>, prefix: &str, inputs: usize, outputs: usize) -> Result<Dense, PolicyError> {
    Ok(Dense {
        inputs,
        outputs,
        weight: take(tensors, &format!("{prefix}.weight"), &[outputs, inputs])?,
        bias: take(tensors, &format!("{prefix}.bias"), &[outputs])?,
    })
}

/// Assembles the actor network declared by `meta` from the state dict.
pub(crate) fn build(meta: &Sb3Meta, tensors: &HashMap<String, Tensor>) -> Result<PolicyModel, PolicyError> {
    let mut hidden = Vec::with_capacity(meta.pi.len());
    let mut width = meta.obs_dim;
    for (i, &out) in meta.pi.iter().enumerate() {
        if out == 0 {
            return Err(meta_err("net_arch.pi has a zero-width layer"));
        }
        let prefix = format!("mlp_extractor.policy_net.{}", 2 * i);
        hidden.push(dense(tensors, &prefix, width, out)?);
        width = out;
    }
    // A deeper policy_net than net_arch declares means the metadata does not match.
    let extra = format!("mlp_extractor.policy_net.{}.weight", 2 * meta.pi.len());
    if tensors.contains_key(&extra) {
        let pi = &meta.pi;
        return Err(PolicyError::ArchitectureMismatch(format!("state dict has {extra:?} beyond net_arch.pi = {pi:?}")));
    }
    let action_net = dense(tensors, "action_net", width, meta.n_actions)?;
    Ok(PolicyModel::from_layers(hidden, meta.activation, action_net))
}
