//! The actor-critic network in candle, shaped like Stable-Baselines3's default PPO
//! `MlpPolicy`: two separate MLPs on the observation, a policy net
//! `52 → 64 → 64 → 5` (logits) and a value net `52 → 64 → 64 → 1`, Tanh after every hidden
//! layer (hidden widths configurable).
//!
//! Weights are `candle_core::Var`s initialized from a seeded [`StdRng`] with SB3's
//! orthogonal initialization (gain √2 for hidden layers, 0.01 for the policy head, 1.0 for
//! the value head, zero biases), so a seed always gives the same network. The orthogonal
//! matrices are built like `torch.nn.init.orthogonal_`: Gram–Schmidt (the Q of a QR with a
//! positive diagonal R) on a Gaussian matrix, transposed when the layer is wider than tall.
//!
//! [`ActorCritic::to_policy_model`] exports the actor half as the inference
//! [`PolicyModel`].

use candle_core::{DType, Device, Tensor, Var};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::TrainError;
use crate::policy::{Activation, Dense, PolicyModel, N_ACTIONS, OBS_DIM};

/// SB3's `ortho_init` gains: hidden layers of the MLP extractor.
const GAIN_HIDDEN: f64 = std::f64::consts::SQRT_2;
/// SB3's gain for `action_net`.
const GAIN_POLICY_HEAD: f64 = 0.01;
/// SB3's gain for `value_net`.
const GAIN_VALUE_HEAD: f64 = 1.0;

/// One `nn.Linear`: weight `[out, in]` (PyTorch layout), bias `[out]`.
#[derive(Debug)]
struct Linear {
    weight: Var,
    bias: Var,
}

impl Linear {
    fn orthogonal(inputs: usize, outputs: usize, gain: f64, rng: &mut StdRng) -> Result<Self, TrainError> {
        let w = orthogonal(outputs, inputs, gain, rng);
        let weight = Var::from_tensor(&Tensor::from_vec(w, (outputs, inputs), &Device::Cpu)?)?;
        let bias = Var::zeros(outputs, DType::F32, &Device::Cpu)?;
        Ok(Self { weight, bias })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor, TrainError> {
        Ok(x.matmul(&self.weight.as_tensor().t()?)?.broadcast_add(self.bias.as_tensor())?)
    }

    fn to_dense(&self) -> Result<Dense, TrainError> {
        let (outputs, inputs) = self.weight.as_tensor().dims2()?;
        Ok(Dense {
            inputs,
            outputs,
            weight: self.weight.as_tensor().flatten_all()?.to_vec1::<f32>()?,
            bias: self.bias.as_tensor().to_vec1::<f32>()?,
        })
    }
}

/// An MLP: `Linear + tanh` per hidden layer, then a linear head.
#[derive(Debug)]
struct Mlp {
    hidden: Vec<Linear>,
    head: Linear,
}

impl Mlp {
    fn new(hidden: &[usize], outputs: usize, head_gain: f64, rng: &mut StdRng) -> Result<Self, TrainError> {
        let mut layers = Vec::with_capacity(hidden.len());
        let mut inputs = OBS_DIM;
        for &width in hidden {
            layers.push(Linear::orthogonal(inputs, width, GAIN_HIDDEN, rng)?);
            inputs = width;
        }
        let head = Linear::orthogonal(inputs, outputs, head_gain, rng)?;
        Ok(Self { hidden: layers, head })
    }

    fn forward(&self, obs: &Tensor) -> Result<Tensor, TrainError> {
        let mut x = obs.clone();
        for layer in &self.hidden {
            x = layer.forward(&x)?.tanh()?;
        }
        self.head.forward(&x)
    }

    fn vars(&self) -> impl Iterator<Item = &Var> {
        self.hidden.iter().chain(std::iter::once(&self.head)).flat_map(|l| [&l.weight, &l.bias])
    }
}

/// SB3's default PPO actor-critic: separate policy and value MLPs with Tanh.
#[derive(Debug)]
pub struct ActorCritic {
    hidden: Vec<usize>,
    policy: Mlp,
    value: Mlp,
}

impl ActorCritic {
    /// A freshly initialized network with the given hidden widths (SB3's default is
    /// `[64, 64]`), reproducible for `seed`. Refuses a zero-width hidden layer.
    pub fn new(hidden: &[usize], seed: u64) -> Result<Self, TrainError> {
        if hidden.contains(&0) {
            return Err(TrainError::Config(format!("hidden layer widths must be positive, got {hidden:?}")));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let policy = Mlp::new(hidden, N_ACTIONS, GAIN_POLICY_HEAD, &mut rng)?;
        let value = Mlp::new(hidden, 1, GAIN_VALUE_HEAD, &mut rng)?;
        Ok(Self { hidden: hidden.to_vec(), policy, value })
    }

    /// Hidden layer widths (the same for both nets).
    pub fn hidden_sizes(&self) -> &[usize] {
        &self.hidden
    }

    /// Forward pass on a batch of observations `[n, 52]`: logits `[n, 5]` and values `[n]`.
    pub fn forward(&self, obs: &Tensor) -> Result<(Tensor, Tensor), TrainError> {
        Ok((self.policy.forward(obs)?, self.value.forward(obs)?.squeeze(1)?))
    }

    /// Logits `[n, 5]` only.
    pub fn logits(&self, obs: &Tensor) -> Result<Tensor, TrainError> {
        self.policy.forward(obs)
    }

    /// Values `[n]` only.
    pub fn values(&self, obs: &Tensor) -> Result<Tensor, TrainError> {
        Ok(self.value.forward(obs)?.squeeze(1)?)
    }

    /// Every trainable variable: the policy net's layers (weight, bias) in order, then the
    /// value net's.
    pub fn vars(&self) -> Vec<Var> {
        self.policy.vars().chain(self.value.vars()).cloned().collect()
    }

    /// The actor half as the inference model (Tanh hidden layers, then `action_net`).
    pub fn to_policy_model(&self) -> Result<PolicyModel, TrainError> {
        let hidden = self.policy.hidden.iter().map(Linear::to_dense).collect::<Result<Vec<_>, _>>()?;
        Ok(PolicyModel::from_layers(hidden, Activation::Tanh, self.policy.head.to_dense()?))
    }
}

/// Builds a batch tensor `[n, 52]` from observations.
pub fn obs_tensor(obs: &[[f32; OBS_DIM]]) -> Result<Tensor, TrainError> {
    Ok(Tensor::from_slice(obs.as_flattened(), (obs.len(), OBS_DIM), &Device::Cpu)?)
}

/// A standard normal sample (Box–Muller; `1 − u` keeps the logarithm finite).
fn normal(rng: &mut StdRng) -> f64 {
    let u1 = 1.0 - rng.gen::<f64>();
    let u2 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A `rows × cols` matrix (row-major) with orthonormal rows or columns (whichever are
/// fewer) times `gain`, like `torch.nn.init.orthogonal_`.
pub(crate) fn orthogonal(rows: usize, cols: usize, gain: f64, rng: &mut StdRng) -> Vec<f32> {
    let (long, short) = (rows.max(cols), rows.min(cols));
    // `short` random vectors of length `long`, orthonormalized in turn (modified
    // Gram–Schmidt, twice for numerical safety).
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(short);
    for _ in 0..short {
        let mut v: Vec<f64> = (0..long).map(|_| normal(rng)).collect();
        for _ in 0..2 {
            for q in &basis {
                let d: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                for (x, y) in v.iter_mut().zip(q) {
                    *x -= d * y;
                }
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        for x in &mut v {
            *x /= norm;
        }
        basis.push(v);
    }
    let mut out = vec![0.0f32; rows * cols];
    for (k, q) in basis.iter().enumerate() {
        for (i, &x) in q.iter().enumerate() {
            // rows ≥ cols: the vectors are columns; otherwise they are rows.
            let (r, c) = if rows >= cols { (i, k) } else { (k, i) };
            out[r * cols + c] = (gain * x) as f32;
        }
    }
    out
}
