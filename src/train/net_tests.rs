//! Tests of the actor-critic: shapes, SB3's orthogonal initialization, seeding, and the
//! export to the inference [`PolicyModel`](crate::policy::PolicyModel).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::net::{obs_tensor, orthogonal, ActorCritic};
use crate::policy::{N_ACTIONS, OBS_DIM};

fn random_obs(n: usize, seed: u64) -> Vec<[f32; OBS_DIM]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| std::array::from_fn(|_| rng.gen_range(-2.0f32..2.0))).collect()
}

/// `M Mᵀ` (rows × rows) of a row-major `rows × cols` matrix.
fn gram_rows(m: &[f32], rows: usize, cols: usize) -> Vec<f64> {
    let mut g = vec![0.0; rows * rows];
    for i in 0..rows {
        for j in 0..rows {
            g[i * rows + j] = (0..cols).map(|k| f64::from(m[i * cols + k]) * f64::from(m[j * cols + k])).sum();
        }
    }
    g
}

#[test]
fn orthogonal_has_orthonormal_rows_or_columns_times_gain() {
    let mut rng = StdRng::seed_from_u64(1);
    // Wide (5 × 64, like action_net): orthonormal rows, scaled by the gain.
    let gain = 0.01f64;
    let w = orthogonal(5, 64, gain, &mut rng);
    let g = gram_rows(&w, 5, 64);
    for i in 0..5 {
        for j in 0..5 {
            let want = if i == j { gain * gain } else { 0.0 };
            assert!((g[i * 5 + j] - want).abs() < 1e-9, "({i},{j}) = {}", g[i * 5 + j]);
        }
    }
    // Tall (64 × 52, the first hidden layer): orthonormal columns, i.e. rows of Wᵀ.
    let gain = std::f64::consts::SQRT_2;
    let w = orthogonal(64, 52, gain, &mut rng);
    let wt: Vec<f32> = (0..52).flat_map(|c| (0..64).map(move |r| (r, c))).map(|(r, c)| w[r * 52 + c]).collect();
    let g = gram_rows(&wt, 52, 64);
    for i in 0..52 {
        for j in 0..52 {
            let want = if i == j { 2.0 } else { 0.0 };
            assert!((g[i * 52 + j] - want).abs() < 1e-5, "({i},{j}) = {}", g[i * 52 + j]);
        }
    }
}

#[test]
fn forward_shapes_and_initial_policy_is_near_uniform() {
    let net = ActorCritic::new(&[64, 64], 7).unwrap();
    let obs = obs_tensor(&random_obs(9, 3)).unwrap();
    let (logits, values) = net.forward(&obs).unwrap();
    assert_eq!(logits.dims(), &[9, N_ACTIONS]);
    assert_eq!(values.dims(), &[9]);
    // Head gain 0.01 and |tanh| ≤ 1 over 64 units: every logit is tiny.
    let max = logits.abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap();
    assert!(max < 0.1, "initial logits too large: {max}");
    // 2 matrices per layer, 3 layers per net, 2 nets.
    assert_eq!(net.vars().len(), 12);
}

#[test]
fn initialization_is_reproducible_per_seed() {
    let weights = |seed| {
        let net = ActorCritic::new(&[64, 64], seed).unwrap();
        net.vars().iter().flat_map(|v| v.as_tensor().flatten_all().unwrap().to_vec1::<f32>().unwrap()).collect()
    };
    let a: Vec<f32> = weights(42);
    let b: Vec<f32> = weights(42);
    let c: Vec<f32> = weights(43);
    assert_eq!(a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), b.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    assert_ne!(a, c);
}

#[test]
fn exported_policy_model_matches_candle_forward() {
    for hidden in [vec![64, 64], vec![32], vec![]] {
        let net = ActorCritic::new(&hidden, 11).unwrap();
        // Make the logits non-trivial: the default head gain gives ~0.01-sized logits,
        // which would hide errors; scale the head up.
        let vars = net.vars();
        let head = &vars[2 * hidden.len()];
        head.set(&head.as_tensor().affine(300.0, 0.0).unwrap()).unwrap();
        let model = net.to_policy_model().unwrap();
        assert_eq!(model.hidden_sizes(), hidden);
        let obs = random_obs(32, 5);
        let logits = net.logits(&obs_tensor(&obs).unwrap()).unwrap().to_vec2::<f32>().unwrap();
        let mut spread = 0.0f32;
        for (o, want) in obs.iter().zip(&logits) {
            let got = model.logits(o).unwrap();
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-5, "hidden {hidden:?}: {got:?} vs {want:?}");
                spread = spread.max(w.abs());
            }
        }
        assert!(spread > 0.5, "logits too small to test the export: {spread}");
    }
}

#[test]
fn zero_width_hidden_layer_is_refused() {
    assert!(ActorCritic::new(&[64, 0], 0).is_err());
}
