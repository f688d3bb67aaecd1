//! The trained trading policy: a small MLP mapping the 52-float observation (see
//! [`crate::features`]) to logits over the five discrete actions.
//!
//! Models are trained with Stable-Baselines3 PPO (`MlpPolicy`) and loaded from the `.zip`
//! that `model.save()` writes, by [`PolicyModel::load_sb3`] (see [`sb3`]). The tensors are
//! read with candle's PyTorch reader and copied once into plain row-major `Vec<f32>`
//! weights; inference is a hand-written batch-1 forward pass (no candle ops, no thread
//! pool), which is the fastest option for a network this small and needs no thread
//! pinning by the caller.
//!
//! Only the actor half of the actor-critic is kept: hidden layers `Linear + activation`
//! for each `net_arch.pi` entry, then `action_net`. The value head is not loaded.

pub mod card;
pub mod load;
pub mod sb3;

#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod tests;

/// Length of the observation vector the policy consumes.
pub const OBS_DIM: usize = 52;

/// Number of discrete actions the policy chooses between.
pub const N_ACTIONS: usize = 5;

/// Action names, indexed by the policy's action number.
pub const ACTION_NAMES: [&str; N_ACTIONS] = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"];

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The model file could not be read.
    #[error("cannot read model file {path}: {source}")]
    Io {
        /// The file that failed.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The outer SB3 archive or the inner `policy.pth` is not a readable zip.
    #[error("bad zip archive ({what}): {source}")]
    Zip {
        /// Which archive or entry.
        what: String,
        /// The underlying error.
        source: zip::result::ZipError,
    },
    /// The SB3 `data` JSON is missing, unparsable or lacks a required field.
    #[error("bad SB3 `data` metadata: {0}")]
    Metadata(String),
    /// The observation space does not have the expected size.
    #[error("model observation space has {found} inputs; this build needs {expected}")]
    ObservationSize {
        /// Size declared by the model.
        found: usize,
        /// [`OBS_DIM`].
        expected: usize,
    },
    /// The action space does not have the expected number of actions.
    #[error("model action space has {found} actions; this build needs {expected}")]
    ActionCount {
        /// Count declared by the model.
        found: usize,
        /// [`N_ACTIONS`].
        expected: usize,
    },
    /// The activation function is not one this loader implements.
    #[error("unsupported activation function {0:?}")]
    UnknownActivation(String),
    /// A feature of the saved policy this loader does not implement.
    #[error("unsupported policy: {0}")]
    Unsupported(String),
    /// A tensor the architecture needs is absent from the state dict.
    #[error("tensor {0:?} missing from policy.pth")]
    MissingTensor(String),
    /// A tensor has a different shape than the declared architecture implies.
    #[error("tensor {name:?} has shape {found:?}; expected {expected:?}")]
    ShapeMismatch {
        /// Tensor name.
        name: String,
        /// Shape in the file.
        found: Vec<usize>,
        /// Shape implied by `net_arch` and the spaces.
        expected: Vec<usize>,
    },
    /// The state dict holds more policy layers than `net_arch` declares.
    #[error("architecture mismatch: {0}")]
    ArchitectureMismatch(String),
    /// candle failed to decode the PyTorch pickle or a tensor.
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    /// A model card is unreadable, missing, or contradicts the configuration.
    #[error("{0}")]
    Card(String),
    /// No model where the configuration points.
    #[error("{0}")]
    NotFound(String),
    /// The observation given to the policy does not have 52 numbers.
    #[error("observation has {found} numbers; the policy needs {expected}")]
    BadObservation {
        /// Numbers given.
        found: usize,
        /// [`OBS_DIM`].
        expected: usize,
    },
    /// The forward pass produced NaN or infinite logits.
    #[error("policy produced non-finite logits {0:?}")]
    NonFinite([f32; N_ACTIONS]),
}

/// Hidden-layer activation function (SB3 `policy_kwargs.activation_fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `torch.nn.Tanh` (SB3's default for PPO).
    Tanh,
    /// `torch.nn.ReLU`.
    Relu,
    /// `torch.nn.LeakyReLU` with PyTorch's default slope 0.01.
    LeakyRelu,
    /// `torch.nn.ELU` with PyTorch's default alpha 1.0.
    Elu,
    /// `torch.nn.SiLU`.
    Silu,
    /// `torch.nn.Sigmoid`.
    Sigmoid,
}

impl Activation {
    #[inline]
    fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Tanh => tanh_fast(x),
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu => {
                if x >= 0.0 {
                    x
                } else {
                    0.01 * x
                }
            }
            Activation::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
            Activation::Silu => x / (1.0 + (-x).exp()),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }
}

/// One fully connected layer, `y = W x + b`, with `W` row-major `[out][in]` (PyTorch's
/// `nn.Linear` layout).
#[derive(Debug, Clone)]
pub(crate) struct Dense {
    pub(crate) inputs: usize,
    pub(crate) outputs: usize,
    pub(crate) weight: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

impl Dense {
    fn weight_tensor(&self) -> Result<candle_core::Tensor, PolicyError> {
        Ok(candle_core::Tensor::from_slice(&self.weight, (self.outputs, self.inputs), &candle_core::Device::Cpu)?)
    }

    fn bias_tensor(&self) -> Result<candle_core::Tensor, PolicyError> {
        Ok(candle_core::Tensor::from_slice(&self.bias, self.outputs, &candle_core::Device::Cpu)?)
    }

    /// Writes `W x + b` into `out` (cleared first).
    fn forward(&self, x: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend(self.weight.chunks_exact(self.inputs).zip(&self.bias).map(|(row, b)| b + dot(row, x)));
    }
}

/// `tanh` through one `exp`: `1 − 2/(e^{2x} + 1)`, about twice as fast as libm's `tanhf`,
/// within 2e-7 of it (absolute) — far inside the 1e-5 the logits are held to against SB3.
#[inline]
fn tanh_fast(x: f32) -> f32 {
    if x.abs() > 9.0 {
        return x.signum();
    }
    1.0 - 2.0 / ((2.0 * x).exp() + 1.0)
}

/// Dot product with eight independent accumulators (lets the compiler keep two vector
/// registers busy).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b8, b_rest) = b.split_at(a8.len().min(b.len()));
    for (ca, cb) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += ca[i] * cb[i];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// The policy's choice for one observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Index of the chosen action (argmax of the logits; the first maximum on ties),
    /// naming [`ACTION_NAMES`]. Matches SB3's `predict(obs, deterministic=True)`.
    pub action: usize,
    /// Softmax of the logits.
    pub probs: [f32; N_ACTIONS],
    /// Raw `action_net` outputs.
    pub logits: [f32; N_ACTIONS],
}

impl Decision {
    /// The chosen action's name, e.g. `"BUY_YES"`.
    pub fn action_name(&self) -> &'static str {
        ACTION_NAMES[self.action]
    }
}

/// A loaded policy network (actor half only), ready for batch-1 inference on the CPU.
///
/// Immutable after loading, so it can be shared between threads behind an `Arc`.
#[derive(Debug, Clone)]
pub struct PolicyModel {
    pub(crate) hidden: Vec<Dense>,
    activation: Activation,
    pub(crate) action_net: Dense,
}

impl PolicyModel {
    /// Builds a model from already validated layers.
    pub(crate) fn from_layers(hidden: Vec<Dense>, activation: Activation, action_net: Dense) -> Self {
        Self { hidden, activation, action_net }
    }

    /// Loads a Stable-Baselines3 PPO `MlpPolicy` `.zip` (as written by `model.save()`),
    /// refusing models whose spaces, architecture or tensors do not fit this build.
    pub fn load_sb3(path: impl AsRef<std::path::Path>) -> Result<Self, PolicyError> {
        sb3::load(path.as_ref())
    }

    /// Hidden layer widths (SB3's `net_arch.pi`).
    pub fn hidden_sizes(&self) -> Vec<usize> {
        self.hidden.iter().map(|l| l.outputs).collect()
    }

    /// The hidden-layer activation function.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Raw action logits (`action_net` output) for one observation.
    pub fn logits(&self, obs: &[f32; OBS_DIM]) -> Result<[f32; N_ACTIONS], PolicyError> {
        let mut cur: Vec<f32> = obs.to_vec();
        let mut next = Vec::new();
        for layer in &self.hidden {
            layer.forward(&cur, &mut next);
            for v in &mut next {
                *v = self.activation.apply(*v);
            }
            std::mem::swap(&mut cur, &mut next);
        }
        self.action_net.forward(&cur, &mut next);
        let mut logits = [0.0f32; N_ACTIONS];
        for (dst, src) in logits.iter_mut().zip(&next) {
            *dst = *src;
        }
        if logits.iter().any(|v| !v.is_finite()) {
            return Err(PolicyError::NonFinite(logits));
        }
        Ok(logits)
    }

    /// The deterministic decision for one observation: logits, their softmax and argmax.
    pub fn act(&self, obs: &[f32; OBS_DIM]) -> Result<Decision, PolicyError> {
        let logits = self.logits(obs)?;
        Ok(Decision { action: argmax(&logits), probs: softmax(&logits), logits })
    }
}

/// Index of the largest value; the first one on ties (like `torch.argmax`).
pub fn argmax(values: &[f32; N_ACTIONS]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate().skip(1) {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f32; N_ACTIONS]) -> [f32; N_ACTIONS] {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out = logits.map(|v| (v - max).exp());
    let sum: f32 = out.iter().sum();
    for v in &mut out {
        *v /= sum;
    }
    out
}
