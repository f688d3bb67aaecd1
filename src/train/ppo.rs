//! The PPO learner: configuration (SB3's defaults as the original used them), the rollout
//! buffer, sampling actions for rollouts, and the update (epochs × shuffled minibatches,
//! Adam, global gradient-norm clipping).

use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::Rng;

use super::gae::gae;
use super::loss::{clip_grad_norm, loss_terms, Targets};
use super::net::{obs_tensor, ActorCritic};
use super::TrainError;
use crate::policy::{PolicyModel, N_ACTIONS, OBS_DIM};

/// Adam's epsilon as SB3 sets it for PPO (PyTorch's default is 1e-8).
const ADAM_EPS: f64 = 1e-5;

/// PPO hyperparameters. [`Default`] gives the original model's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PpoConfig {
    /// Adam learning rate (constant). Default 1e-4.
    pub learning_rate: f64,
    /// Transitions collected per update. Default 4096.
    pub n_steps: usize,
    /// Minibatch size. Default 256.
    pub batch_size: usize,
    /// Passes over each rollout. Default 10.
    pub n_epochs: usize,
    /// Discount factor. Default 0.99.
    pub gamma: f32,
    /// GAE λ. Default 0.95.
    pub gae_lambda: f32,
    /// Clip range ε of the surrogate objective. Default 0.2.
    pub clip_range: f32,
    /// Entropy bonus coefficient. Default 0.05.
    pub ent_coef: f32,
    /// Value loss coefficient. Default 0.5.
    pub vf_coef: f32,
    /// Global gradient L2-norm limit. Default 0.5.
    pub max_grad_norm: f32,
    /// Seed of the weight initialization, action sampling and minibatch shuffling.
    /// Default 0.
    pub seed: u64,
    /// Hidden layer widths of both the policy and the value net. Default `[64, 64]`.
    pub hidden: Vec<usize>,
    /// Normalize advantages per minibatch (SB3's `normalize_advantage`). Default true.
    pub normalize_advantages: bool,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-4,
            n_steps: 4096,
            batch_size: 256,
            n_epochs: 10,
            gamma: 0.99,
            gae_lambda: 0.95,
            clip_range: 0.2,
            ent_coef: 0.05,
            vf_coef: 0.5,
            max_grad_norm: 0.5,
            seed: 0,
            hidden: vec![64, 64],
            normalize_advantages: true,
        }
    }
}

impl PpoConfig {
    /// Refuses settings the training loop cannot run with.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |what: &str| Err(TrainError::Config(what.to_string()));
        if self.n_steps == 0 || self.batch_size == 0 || self.n_epochs == 0 {
            return bad("n_steps, batch_size and n_epochs must be positive");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning_rate must be positive");
        }
        if !(self.clip_range > 0.0 && self.max_grad_norm > 0.0) {
            return bad("clip_range and max_grad_norm must be positive");
        }
        if !((0.0..=1.0).contains(&self.gamma) && (0.0..=1.0).contains(&self.gae_lambda)) {
            return bad("gamma and gae_lambda must lie in [0, 1]");
        }
        Ok(())
    }
}

/// The transitions of one rollout, in the order they were collected.
#[derive(Debug, Clone, Default)]
pub struct Rollout {
    /// Observations the actions were taken on.
    pub obs: Vec<[f32; OBS_DIM]>,
    /// Actions taken.
    pub actions: Vec<usize>,
    /// Their log-probabilities under the collecting policy.
    pub log_probs: Vec<f32>,
    /// The value estimates of `obs` at collection time.
    pub values: Vec<f32>,
    /// Rewards received for the actions.
    pub rewards: Vec<f32>,
    /// Whether the episode ended after the step.
    pub dones: Vec<bool>,
}

impl Rollout {
    /// Records one transition.
    pub fn push(&mut self, obs: [f32; OBS_DIM], action: usize, log_prob: f32, value: f32, reward: f32, done: bool) {
        self.obs.push(obs);
        self.actions.push(action);
        self.log_probs.push(log_prob);
        self.values.push(value);
        self.rewards.push(reward);
        self.dones.push(done);
    }

    /// Number of transitions.
    pub fn len(&self) -> usize {
        self.obs.len()
    }

    /// Whether no transition was recorded.
    pub fn is_empty(&self) -> bool {
        self.obs.is_empty()
    }

    /// Forgets every transition (keeps the allocations).
    pub fn clear(&mut self) {
        self.obs.clear();
        self.actions.clear();
        self.log_probs.clear();
        self.values.clear();
        self.rewards.clear();
        self.dones.clear();
    }
}

/// What one update did, averaged over its minibatches (SB3's `train/*` numbers).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UpdateStats {
    /// Mean clipped surrogate loss.
    pub policy_loss: f32,
    /// Mean value loss `mean((R − V)²)`.
    pub value_loss: f32,
    /// Mean entropy of the policy (nats; SB3 logs its negative as `entropy_loss`).
    pub entropy: f32,
    /// Mean total loss.
    pub loss: f32,
    /// Mean approximate KL(old ‖ new), `mean((r − 1) − log r)`.
    pub approx_kl: f32,
    /// Fraction of samples whose ratio was outside `1 ± ε`.
    pub clip_fraction: f32,
    /// Explained variance of the rollout's values w.r.t. the returns,
    /// `1 − Var(R − V) / Var(R)`; NaN when the returns do not vary (like SB3).
    pub explained_variance: f32,
    /// Mean global gradient norm before clipping.
    pub grad_norm: f32,
    /// Gradient steps taken.
    pub minibatches: usize,
}

/// A PPO learner: the actor-critic and its Adam optimizer.
#[derive(Debug)]
pub struct Ppo {
    cfg: PpoConfig,
    net: ActorCritic,
    opt: AdamW,
}

impl Ppo {
    /// A fresh learner with the network initialized from `cfg.seed`.
    pub fn new(cfg: PpoConfig) -> Result<Self, TrainError> {
        cfg.validate()?;
        let net = ActorCritic::new(&cfg.hidden, cfg.seed)?;
        let params = ParamsAdamW { lr: cfg.learning_rate, eps: ADAM_EPS, weight_decay: 0.0, ..ParamsAdamW::default() };
        let opt = AdamW::new(net.vars(), params)?;
        Ok(Self { cfg, net, opt })
    }

    /// The configuration.
    pub fn config(&self) -> &PpoConfig {
        &self.cfg
    }

    /// The network.
    pub fn net(&self) -> &ActorCritic {
        &self.net
    }

    /// The actor half as the inference model.
    pub fn policy_model(&self) -> Result<PolicyModel, TrainError> {
        self.net.to_policy_model()
    }

    /// Samples an action from the policy for a rollout: `(action, log-probability, value)`.
    pub fn act<R: Rng + ?Sized>(&self, obs: &[f32; OBS_DIM], rng: &mut R) -> Result<(usize, f32, f32), TrainError> {
        let x = obs_tensor(std::slice::from_ref(obs))?;
        let (logits, values) = self.net.forward(&x)?;
        let log_probs = candle_nn::ops::log_softmax(&logits.squeeze(0)?, 0)?.to_vec1::<f32>()?;
        let value = values.squeeze(0)?.to_scalar::<f32>()?;
        // A log-probability may be −∞ (an action with no mass left), never NaN or +∞.
        if log_probs.iter().any(|v| v.is_nan() || *v == f32::INFINITY) || !value.is_finite() {
            return Err(TrainError::NonFinite(format!("policy output {log_probs:?}, value {value}")));
        }
        let u: f32 = rng.gen();
        let mut acc = 0.0f32;
        let mut action = N_ACTIONS - 1;
        for (i, lp) in log_probs.iter().enumerate() {
            acc += lp.exp();
            if u < acc {
                action = i;
                break;
            }
        }
        // Rounding can leave `u` above the total: take the last action with any mass.
        if u >= acc {
            action = log_probs.iter().rposition(|lp| lp.exp() > 0.0).unwrap_or(action);
        }
        Ok((action, log_probs[action], value))
    }

    /// The value estimate of one observation.
    pub fn value(&self, obs: &[f32; OBS_DIM]) -> Result<f32, TrainError> {
        let v = self.net.values(&obs_tensor(std::slice::from_ref(obs))?)?.squeeze(0)?.to_scalar::<f32>()?;
        Ok(v)
    }

    /// One PPO update on `rollout`: GAE (bootstrapping from `last_value`, the value of
    /// the observation after the rollout), then `n_epochs` passes over minibatches
    /// shuffled with `rng`, each an Adam step on the clipped gradient.
    pub fn update<R: Rng + ?Sized>(
        &mut self,
        rollout: &Rollout,
        last_value: f32,
        rng: &mut R,
    ) -> Result<UpdateStats, TrainError> {
        if rollout.is_empty() {
            return Err(TrainError::Config("cannot update on an empty rollout".into()));
        }
        let cfg = &self.cfg;
        let (advantages, returns) =
            gae(&rollout.rewards, &rollout.values, &rollout.dones, last_value, cfg.gamma, cfg.gae_lambda);
        let vars = self.net.vars();
        let mut sums = UpdateStats::default();
        let mut indices: Vec<usize> = (0..rollout.len()).collect();
        for _ in 0..cfg.n_epochs {
            indices.shuffle(rng);
            for chunk in indices.chunks(cfg.batch_size) {
                let mut obs = Vec::with_capacity(chunk.len());
                let mut adv = Vec::with_capacity(chunk.len());
                for &i in chunk {
                    obs.push(rollout.obs[i]);
                    adv.push(advantages[i]);
                }
                if cfg.normalize_advantages && adv.len() > 1 {
                    normalize(&mut adv);
                }
                let pick = |v: &[f32]| chunk.iter().map(|&i| v[i]).collect::<Vec<f32>>();
                let actions: Vec<u32> = chunk.iter().map(|&i| rollout.actions[i] as u32).collect();
                let targets = Targets {
                    actions: Tensor::new(actions, &Device::Cpu)?,
                    old_log_probs: Tensor::new(pick(&rollout.log_probs), &Device::Cpu)?,
                    advantages: Tensor::new(adv, &Device::Cpu)?,
                    returns: Tensor::new(pick(&returns), &Device::Cpu)?,
                };
                let (logits, values) = self.net.forward(&obs_tensor(&obs)?)?;
                let terms = loss_terms(&logits, &values, &targets, cfg.clip_range)?;
                let loss = terms.total(cfg.vf_coef, cfg.ent_coef)?;
                let loss_value = loss.to_scalar::<f32>()?;
                if !loss_value.is_finite() {
                    return Err(TrainError::NonFinite(format!("loss {loss_value}")));
                }
                let mut grads = loss.backward()?;
                sums.grad_norm += clip_grad_norm(&mut grads, &vars, cfg.max_grad_norm)?;
                self.opt.step(&grads)?;

                sums.loss += loss_value;
                sums.policy_loss += terms.policy.to_scalar::<f32>()?;
                sums.value_loss += terms.value.to_scalar::<f32>()?;
                sums.entropy += terms.entropy.to_scalar::<f32>()?;
                let log_ratio = terms.log_ratio.to_vec1::<f32>()?;
                let n = log_ratio.len() as f32;
                sums.approx_kl += log_ratio.iter().map(|lr| lr.exp_m1() - lr).sum::<f32>() / n;
                let clipped = log_ratio.iter().filter(|lr| lr.exp_m1().abs() > cfg.clip_range).count();
                sums.clip_fraction += clipped as f32 / n;
                sums.minibatches += 1;
            }
        }
        let k = sums.minibatches as f32;
        Ok(UpdateStats {
            policy_loss: sums.policy_loss / k,
            value_loss: sums.value_loss / k,
            entropy: sums.entropy / k,
            loss: sums.loss / k,
            approx_kl: sums.approx_kl / k,
            clip_fraction: sums.clip_fraction / k,
            explained_variance: explained_variance(&rollout.values, &returns),
            grad_norm: sums.grad_norm / k,
            minibatches: sums.minibatches,
        })
    }
}

/// `(x − mean) / (std + 1e-8)` with the sample standard deviation, like SB3.
fn normalize(x: &mut [f32]) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / (n - 1.0);
    let std = var.sqrt();
    for v in x {
        *v = (*v - mean) / (std + 1e-8);
    }
}

/// `1 − Var(y − ŷ) / Var(y)` (population variances); NaN when `y` does not vary.
pub fn explained_variance(predicted: &[f32], actual: &[f32]) -> f32 {
    let var_y = variance(actual.iter().copied());
    if var_y == 0.0 || var_y.is_nan() {
        return f32::NAN;
    }
    let var_diff = variance(actual.iter().zip(predicted).map(|(y, p)| y - p));
    (1.0 - var_diff / var_y) as f32
}

/// Population variance in f64 (NaN for no values).
fn variance(xs: impl Iterator<Item = f32>) -> f64 {
    let xs: Vec<f64> = xs.map(f64::from).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n
}
