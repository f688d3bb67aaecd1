//! The PPO objective as candle tensors (so it can be differentiated and tested), and
//! global gradient-norm clipping.
//!
//! ```text
//! r    = exp(log π(a|s) − log π_old(a|s))
//! loss = −mean(min(r·A, clip(r, 1−ε, 1+ε)·A)) + vf_coef·mean((R − V)²) − ent_coef·mean(H(π(·|s)))
//! ```
//!
//! This is SB3's PPO loss without value clipping (`clip_range_vf=None`, its default).

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var, D};

use super::TrainError;

/// What a minibatch is trained toward: the taken actions and the rollout's numbers.
#[derive(Debug, Clone)]
pub struct Targets {
    /// Actions taken, `[n]` `u32`.
    pub actions: Tensor,
    /// Their log-probabilities under the policy that collected the rollout, `[n]`.
    pub old_log_probs: Tensor,
    /// Advantages (already normalized if the configuration says so), `[n]`.
    pub advantages: Tensor,
    /// Value targets (GAE returns), `[n]`.
    pub returns: Tensor,
}

/// The three terms of the PPO loss (scalars) and the per-sample log-ratio.
#[derive(Debug, Clone)]
pub struct LossTerms {
    /// Clipped surrogate loss `−mean(min(r·A, clip(r)·A))`.
    pub policy: Tensor,
    /// Value loss `mean((R − V)²)`.
    pub value: Tensor,
    /// Mean entropy of the action distributions (positive; the loss subtracts it).
    pub entropy: Tensor,
    /// `log r = log π − log π_old`, `[n]`, for the approximate KL and clip fraction.
    pub log_ratio: Tensor,
}

impl LossTerms {
    /// The total loss `policy + vf_coef·value − ent_coef·entropy`.
    pub fn total(&self, vf_coef: f32, ent_coef: f32) -> Result<Tensor, TrainError> {
        let value = self.value.affine(f64::from(vf_coef), 0.0)?;
        let entropy = self.entropy.affine(f64::from(ent_coef), 0.0)?;
        Ok(((&self.policy + value)? - entropy)?)
    }
}

/// The PPO loss terms for a minibatch given the network's `logits` `[n, 5]` and `values`
/// `[n]`, with clip range `clip` (ε).
pub fn loss_terms(logits: &Tensor, values: &Tensor, targets: &Targets, clip: f32) -> Result<LossTerms, TrainError> {
    let log_probs_all = candle_nn::ops::log_softmax(logits, D::Minus1)?;
    let log_probs = log_probs_all.gather(&targets.actions.unsqueeze(1)?, 1)?.squeeze(1)?;
    let log_ratio = (&log_probs - &targets.old_log_probs)?;
    let ratio = log_ratio.exp()?;
    let surr1 = (&ratio * &targets.advantages)?;
    let clipped = ratio.clamp(1.0 - clip, 1.0 + clip)?;
    let surr2 = (&clipped * &targets.advantages)?;
    let policy = surr1.minimum(&surr2)?.mean_all()?.neg()?;
    let value = (&targets.returns - values)?.sqr()?.mean_all()?;
    let entropy = (log_probs_all.exp()? * &log_probs_all)?.sum(1)?.neg()?.mean_all()?;
    Ok(LossTerms { policy, value, entropy, log_ratio })
}

/// Scales every gradient of `vars` in `grads` so their global L2 norm is at most
/// `max_norm` (PyTorch's `clip_grad_norm_`: factor `max_norm / (norm + 1e-6)` when below
/// 1). Returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut GradStore, vars: &[Var], max_norm: f32) -> Result<f32, TrainError> {
    let mut sum_sq = 0.0f64;
    for var in vars {
        if let Some(g) = grads.get(var.as_tensor()) {
            sum_sq += f64::from(g.sqr()?.sum_all()?.to_scalar::<f32>()?);
        }
    }
    let norm = sum_sq.sqrt() as f32;
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 {
        for var in vars {
            if let Some(g) = grads.get(var.as_tensor()) {
                let scaled = g.affine(f64::from(coef), 0.0)?;
                grads.insert(var.as_tensor(), scaled);
            }
        }
    }
    Ok(norm)
}
