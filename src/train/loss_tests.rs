//! Hand-computed checks of the PPO loss terms and their gradients, and of the global
//! gradient-norm clipping.
//!
//! One sample, five actions, action 1 taken. With logits `z` and `p = softmax(z)`,
//! `∂ log p_a / ∂z_j = δ_aj − p_j`, so in the unclipped regime the policy term
//! `L = −r·A` has `∂L/∂z = −A·r·(δ_a − p)`; in the clipped regime the surrogate is a
//! constant `clip(r)·A` and its gradient is zero.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use candle_core::{Device, Tensor, Var};

use super::loss::{clip_grad_norm, loss_terms, Targets};

const TOL: f32 = 1e-5;

fn targets(action: u32, old_log_prob: f32, advantage: f32, ret: f32) -> Targets {
    let t = |v: f32| Tensor::new(&[v], &Device::Cpu).unwrap();
    Targets {
        actions: Tensor::new(&[action], &Device::Cpu).unwrap(),
        old_log_probs: t(old_log_prob),
        advantages: t(advantage),
        returns: t(ret),
    }
}

fn scalar(t: &Tensor) -> f32 {
    t.to_scalar::<f32>().unwrap()
}

fn assert_vec(got: &Tensor, want: &[f32]) {
    let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < TOL, "got {got:?}, want {want:?}");
    }
}

/// Policy-term value and its gradient w.r.t. uniform logits (p = 0.2 each).
fn policy_case(old_log_prob: f32, advantage: f32) -> (f32, Tensor) {
    let logits = Var::zeros((1, 5), candle_core::DType::F32, &Device::Cpu).unwrap();
    let values = Tensor::new(&[0.0f32], &Device::Cpu).unwrap();
    let terms = loss_terms(logits.as_tensor(), &values, &targets(1, old_log_prob, advantage, 0.0), 0.2).unwrap();
    let grads = terms.policy.backward().unwrap();
    (scalar(&terms.policy), grads.get(logits.as_tensor()).unwrap().clone())
}

#[test]
fn unclipped_ratio_one() {
    // old log-prob = ln 0.2 = current: r = 1, A = 2: L = −min(2, 2) = −2.
    // ∂L/∂z = −2·1·(δ₁ − 0.2) = [0.4, −1.6, 0.4, 0.4, 0.4].
    let (loss, grad) = policy_case(0.2f32.ln(), 2.0);
    assert!((loss + 2.0).abs() < TOL, "{loss}");
    assert_vec(&grad, &[0.4, -1.6, 0.4, 0.4, 0.4]);
}

#[test]
fn clipped_above_has_zero_policy_gradient() {
    // old = ln 0.2 − ln 1.5: r = 1.5, A = 2: min(1.5·2, 1.2·2) = 2.4, L = −2.4, ∂L/∂z = 0.
    let (loss, grad) = policy_case(0.2f32.ln() - 1.5f32.ln(), 2.0);
    assert!((loss + 2.4).abs() < TOL, "{loss}");
    assert_vec(&grad, &[0.0; 5]);
}

#[test]
fn low_ratio_with_positive_advantage_stays_unclipped() {
    // old = ln 0.4: r = 0.5, A = 2: min(0.5·2, 0.8·2) = 1 (the unclipped term), L = −1.
    // ∂L/∂z = −2·0.5·(δ₁ − 0.2) = [0.2, −0.8, 0.2, 0.2, 0.2].
    let (loss, grad) = policy_case(0.4f32.ln(), 2.0);
    assert!((loss + 1.0).abs() < TOL, "{loss}");
    assert_vec(&grad, &[0.2, -0.8, 0.2, 0.2, 0.2]);
}

#[test]
fn clipped_below_with_negative_advantage_has_zero_gradient() {
    // old = ln 0.4: r = 0.5, A = −1: min(−0.5, 0.8·(−1)) = −0.8, L = 0.8, ∂L/∂z = 0.
    let (loss, grad) = policy_case(0.4f32.ln(), -1.0);
    assert!((loss - 0.8).abs() < TOL, "{loss}");
    assert_vec(&grad, &[0.0; 5]);
}

#[test]
fn entropy_and_its_gradient() {
    // z = [ln 4, 0, 0, 0, 0]: p = [0.5, 0.125 ×4].
    // H = −(0.5·ln 0.5 + 4·0.125·ln 0.125) = 0.5·ln 2 + 1.5·ln 2 = 2 ln 2 = 1.3862944.
    // ∂H/∂z_j = −p_j (ln p_j + H): j=0: −0.5(−ln 2 + 2 ln 2) = −0.5 ln 2 = −0.3465736;
    //                              j≥1: −0.125(−3 ln 2 + 2 ln 2) = 0.125 ln 2 = 0.0866434.
    let logits = Var::from_tensor(&Tensor::new(&[[4.0f32.ln(), 0.0, 0.0, 0.0, 0.0]], &Device::Cpu).unwrap()).unwrap();
    let values = Tensor::new(&[0.0f32], &Device::Cpu).unwrap();
    let terms = loss_terms(logits.as_tensor(), &values, &targets(0, 0.5f32.ln(), 1.0, 0.0), 0.2).unwrap();
    let ln2 = std::f32::consts::LN_2;
    assert!((scalar(&terms.entropy) - 2.0 * ln2).abs() < TOL);
    let grads = terms.entropy.backward().unwrap();
    let small = 0.125 * ln2;
    assert_vec(grads.get(logits.as_tensor()).unwrap(), &[-0.5 * ln2, small, small, small, small]);
}

#[test]
fn total_loss_and_gradients() {
    // Uniform logits, r = 1, A = 2, V = 0.5, R = 2, vf_coef = 0.5, ent_coef = 0.05.
    // policy = −2; value = (2 − 0.5)² = 2.25; entropy = ln 5 = 1.6094379.
    // total = −2 + 0.5·2.25 − 0.05·1.6094379 = −0.9554719.
    // ∂/∂z: policy part [0.4, −1.6, 0.4, 0.4, 0.4]; ∂H/∂z = 0 at the uniform distribution.
    // ∂/∂V = 0.5 · (−2)(R − V) = 0.5 · (−3) = −1.5.
    let logits = Var::zeros((1, 5), candle_core::DType::F32, &Device::Cpu).unwrap();
    let values = Var::from_tensor(&Tensor::new(&[0.5f32], &Device::Cpu).unwrap()).unwrap();
    let terms = loss_terms(logits.as_tensor(), values.as_tensor(), &targets(1, 0.2f32.ln(), 2.0, 2.0), 0.2).unwrap();
    assert!((scalar(&terms.policy) + 2.0).abs() < TOL);
    assert!((scalar(&terms.value) - 2.25).abs() < TOL);
    assert!((scalar(&terms.entropy) - 5.0f32.ln()).abs() < TOL);
    assert!(scalar(&terms.log_ratio.sum_all().unwrap()).abs() < TOL);
    let total = terms.total(0.5, 0.05).unwrap();
    assert!((scalar(&total) + 0.955_471_9).abs() < TOL, "{}", scalar(&total));
    let grads = total.backward().unwrap();
    assert_vec(grads.get(logits.as_tensor()).unwrap(), &[0.4, -1.6, 0.4, 0.4, 0.4]);
    assert_vec(grads.get(values.as_tensor()).unwrap(), &[-1.5]);
}

#[test]
fn gradient_norm_clipping_is_global() {
    // loss = 3a₀ + 4a₁ + 12b: gradients [3, 4] and [12], global norm √(9 + 16 + 144) = 13.
    let a = Var::zeros(2, candle_core::DType::F32, &Device::Cpu).unwrap();
    let b = Var::zeros(1, candle_core::DType::F32, &Device::Cpu).unwrap();
    let loss = |a: &Var, b: &Var| {
        let wa = Tensor::new(&[3.0f32, 4.0], &Device::Cpu).unwrap();
        let wb = Tensor::new(&[12.0f32], &Device::Cpu).unwrap();
        ((a.as_tensor() * wa).unwrap().sum_all().unwrap() + (b.as_tensor() * wb).unwrap().sum_all().unwrap()).unwrap()
    };
    let vars = [a.clone(), b.clone()];
    // Limit 0.5: every gradient scaled by 0.5 / (13 + 1e-6).
    let mut grads = loss(&a, &b).backward().unwrap();
    let norm = clip_grad_norm(&mut grads, &vars, 0.5).unwrap();
    assert!((norm - 13.0).abs() < TOL);
    let k = 0.5 / 13.0;
    assert_vec(grads.get(a.as_tensor()).unwrap(), &[3.0 * k, 4.0 * k]);
    assert_vec(grads.get(b.as_tensor()).unwrap(), &[12.0 * k]);
    // Limit 100: untouched.
    let mut grads = loss(&a, &b).backward().unwrap();
    clip_grad_norm(&mut grads, &vars, 100.0).unwrap();
    assert_vec(grads.get(a.as_tensor()).unwrap(), &[3.0, 4.0]);
    assert_vec(grads.get(b.as_tensor()).unwrap(), &[12.0]);
}
