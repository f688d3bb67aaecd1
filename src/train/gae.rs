//! Generalized advantage estimation (Schulman et al. 2016), as Stable-Baselines3's
//! `RolloutBuffer.compute_returns_and_advantage` computes it.
//!
//! `dones[t]` means the episode ended after step `t`: the bootstrap from the next value is
//! cut there, and the advantage does not flow back across the boundary. The last step
//! bootstraps from `last_value` (the value of the observation after the rollout) unless it
//! ended an episode.

/// Advantages and returns (`advantage + value`, the value targets) for one rollout.
///
/// ```text
/// δ_t = r_t + γ · V_{t+1} · (1 − done_t) − V_t          (V_{n} = last_value)
/// A_t = δ_t + γ · λ · (1 − done_t) · A_{t+1}
/// R_t = A_t + V_t
/// ```
///
/// # Panics
///
/// If `rewards`, `values` and `dones` do not have the same length.
pub fn gae(
    rewards: &[f32],
    values: &[f32],
    dones: &[bool],
    last_value: f32,
    gamma: f32,
    lambda: f32,
) -> (Vec<f32>, Vec<f32>) {
    let n = rewards.len();
    assert!(values.len() == n && dones.len() == n, "gae: rewards, values and dones differ in length");
    let mut advantages = vec![0.0f32; n];
    let mut last_gae = 0.0f32;
    for t in (0..n).rev() {
        let next_value = if t + 1 == n { last_value } else { values[t + 1] };
        let next_non_terminal = if dones[t] { 0.0 } else { 1.0 };
        let delta = rewards[t] + gamma * next_value * next_non_terminal - values[t];
        last_gae = delta + gamma * lambda * next_non_terminal * last_gae;
        advantages[t] = last_gae;
    }
    let returns = advantages.iter().zip(values).map(|(a, v)| a + v).collect();
    (advantages, returns)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::gae;

    fn assert_close(got: &[f32], want: &[f32]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn episode_boundary_in_the_middle() {
        // γ = λ = 0.5; the episode ends after step 1, a new one runs steps 2..3 and is cut
        // by the rollout's end (bootstrap from last_value = 4).
        // t=3: δ = 4 + 0.5·4 − 2 = 4;              A = 4
        // t=2: δ = 3 + 0.5·2 − 1.5 = 2.5;          A = 2.5 + 0.25·4 = 3.5
        // t=1: done: δ = 2 + 0 − 1 = 1;            A = 1 (nothing flows back from t=2)
        // t=0: δ = 1 + 0.5·1 − 0.5 = 1;            A = 1 + 0.25·1 = 1.25
        // R = A + V = [1.75, 2, 5, 6]
        let (adv, ret) = gae(&[1.0, 2.0, 3.0, 4.0], &[0.5, 1.0, 1.5, 2.0], &[false, true, false, false], 4.0, 0.5, 0.5);
        assert_close(&adv, &[1.25, 1.0, 3.5, 4.0]);
        assert_close(&ret, &[1.75, 2.0, 5.0, 6.0]);
    }

    #[test]
    fn terminal_last_step_ignores_last_value() {
        // γ = 0.9, λ = 1, V = 0: Monte-Carlo returns. The rollout ends with the episode, so
        // last_value = 100 must not leak in.
        // t=1: δ = 1;             A = 1
        // t=0: δ = 1 + 0.9·0 − 0; A = 1 + 0.9·1·1 = 1.9
        let (adv, ret) = gae(&[1.0, 1.0], &[0.0, 0.0], &[false, true], 100.0, 0.9, 1.0);
        assert_close(&adv, &[1.9, 1.0]);
        assert_close(&ret, &[1.9, 1.0]);
    }

    #[test]
    fn lambda_zero_is_one_step_td() {
        // λ = 0: A_t = r_t + γ V_{t+1} − V_t with γ = 0.9.
        // t=0: 1 + 0.9·2 − 1 = 1.8;   t=1: 0 + 0.9·10 − 2 = 7 (bootstraps from last_value)
        let (adv, ret) = gae(&[1.0, 0.0], &[1.0, 2.0], &[false, false], 10.0, 0.9, 0.0);
        assert_close(&adv, &[1.8, 7.0]);
        assert_close(&ret, &[2.8, 9.0]);
    }

    #[test]
    fn empty_rollout() {
        let (adv, ret) = gae(&[], &[], &[], 1.0, 0.99, 0.95);
        assert!(adv.is_empty() && ret.is_empty());
    }
}
