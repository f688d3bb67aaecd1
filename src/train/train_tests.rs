//! Tests of the training loop on synthetic environments: it learns a task whose best
//! action is known, it is bit-for-bit reproducible, and it handles empty episodes and
//! environment errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::ppo::explained_variance;
use super::{train, Env, PpoConfig, TrainError, Trained};
use crate::policy::{PolicyModel, N_ACTIONS, OBS_DIM};

/// Episodes of `len` steps; the observation one-hot encodes (features 0..5) which action
/// pays +1 this step, every other action pays −0.1; features 5..10 are noise.
struct Signal {
    len: usize,
    t: usize,
    target: usize,
    rng: StdRng,
    /// Every `empty_every`-th episode has no decision (0: none).
    empty_every: u64,
    /// Fail at this step of the whole run (None: never).
    fail_at: Option<u64>,
    steps: u64,
    /// `reset` calls.
    resets: u64,
}

impl Signal {
    fn new(len: usize) -> Self {
        Self { len, t: 0, target: 0, rng: StdRng::seed_from_u64(0), empty_every: 0, fail_at: None, steps: 0, resets: 0 }
    }

    fn observe(&mut self) -> [f32; OBS_DIM] {
        self.target = self.rng.gen_range(0..N_ACTIONS);
        let mut obs = [0.0f32; OBS_DIM];
        obs[self.target] = 1.0;
        for v in &mut obs[5..10] {
            *v = self.rng.gen_range(-1.0..1.0);
        }
        obs
    }
}

impl Env for Signal {
    fn reset(&mut self, episode: u64) -> Result<Option<[f32; OBS_DIM]>, TrainError> {
        self.resets += 1;
        if self.empty_every > 0 && episode % self.empty_every == 0 {
            return Ok(None);
        }
        self.rng = StdRng::seed_from_u64(episode.wrapping_mul(0x2545_F491_4F6C_DD1D));
        self.t = 0;
        Ok(Some(self.observe()))
    }

    fn step(&mut self, action: usize) -> Result<(f32, Option<[f32; OBS_DIM]>), TrainError> {
        self.steps += 1;
        if self.fail_at == Some(self.steps) {
            return Err(TrainError::Env("replay broke".into()));
        }
        let reward = if action == self.target { 1.0 } else { -0.1 };
        self.t += 1;
        Ok((reward, (self.t < self.len).then(|| self.observe())))
    }
}

/// Mean return of greedy play on episodes the training never saw, and the fraction of
/// decisions that picked the paying action.
fn evaluate(model: &PolicyModel, episodes: u64) -> (f32, f32) {
    let mut env = Signal::new(32);
    let (mut total, mut right, mut decisions) = (0.0f32, 0usize, 0usize);
    for e in 0..episodes {
        let mut obs = env.reset(1_000_000 + e).unwrap();
        while let Some(o) = obs {
            let action = model.act(&o).unwrap().action;
            right += usize::from(action == env.target);
            decisions += 1;
            let (r, next) = env.step(action).unwrap();
            total += r;
            obs = next;
        }
    }
    (total / episodes as f32, right as f32 / decisions as f32)
}

fn small_config(seed: u64) -> PpoConfig {
    PpoConfig { n_steps: 64, batch_size: 32, n_epochs: 2, seed, ..PpoConfig::default() }
}

fn weight_bits(trained: &Trained) -> Vec<u32> {
    let m = &trained.model;
    m.hidden.iter().chain([&m.action_net]).flat_map(|l| l.weight.iter().chain(&l.bias)).map(|x| x.to_bits()).collect()
}

#[test]
fn learns_the_paying_action() {
    // Smaller nets, fewer epochs and a shorter horizon than the defaults keep this fast in
    // a debug build (candle's matmul dominates); the default 64-64 net with γ = 0.9 and
    // lr 1e-3 also reaches 100 % here, in ~5× the time.
    let cfg = PpoConfig {
        learning_rate: 3e-3,
        n_steps: 256,
        batch_size: 64,
        n_epochs: 4,
        gamma: 0.9,
        gae_lambda: 0.9,
        ent_coef: 0.01,
        seed: 3,
        hidden: vec![32, 32],
        ..PpoConfig::default()
    };
    let mut reports = Vec::new();
    let untrained = train(&mut Signal::new(32), &cfg, 0, &mut |_| {}).unwrap();
    let trained = train(&mut Signal::new(32), &cfg, 4096, &mut |p| reports.push(p.mean_return.unwrap())).unwrap();
    let (before, before_right) = evaluate(&untrained.model, 20);
    let (after, after_right) = evaluate(&trained.model, 20);
    // Random play earns 32·(0.2·1 − 0.8·0.1) = 3.84 per episode; perfect play 32.
    assert!(after >= before + 15.0, "greedy return {before} → {after}");
    assert!(after_right >= 0.9, "right action on {after_right} of decisions (untrained {before_right})");
    // The rollouts' own (sampled) returns improved too.
    assert_eq!(reports.len(), 16);
    assert!(reports[15] > reports[0] + 10.0, "rollout returns {reports:?}");
    assert_eq!((trained.steps, trained.updates, trained.episodes), (4096, 16, 128));
}

#[test]
fn same_seed_gives_identical_weights() {
    let run = |seed| train(&mut Signal::new(10), &small_config(seed), 128, &mut |_| {}).unwrap();
    let (a, b, c) = (run(5), run(5), run(6));
    assert_eq!(weight_bits(&a), weight_bits(&b));
    assert_eq!(a.last_update, b.last_update);
    assert_ne!(weight_bits(&a), weight_bits(&c));
    // Training moved the weights away from the initialization.
    let init = train(&mut Signal::new(10), &small_config(5), 0, &mut |_| {}).unwrap();
    assert_ne!(weight_bits(&a), weight_bits(&init));
}

#[test]
fn progress_after_every_update_and_whole_rollouts() {
    let mut seen = Vec::new();
    let mut env = Signal::new(10);
    let trained = train(&mut env, &small_config(1), 150, &mut |p| {
        seen.push((p.steps, p.updates, p.episodes, p.rollout_episodes, p.total_steps));
        let model = p.policy().unwrap();
        assert_eq!(model.hidden_sizes(), vec![64, 64]);
        assert!(p.stats.minibatches == 4 && p.stats.entropy > 1.5 && p.stats.approx_kl.is_finite());
    })
    .unwrap();
    // 150 steps → three rollouts of 64 (SB3 rounds up to whole rollouts); 10-step episodes.
    assert_eq!(seen, vec![(64, 1, 6, 6, 150), (128, 2, 12, 6, 150), (192, 3, 19, 7, 150)]);
    assert_eq!((trained.steps, trained.updates, trained.episodes), (192, 3, 19));
    assert!(trained.mean_return.is_some() && trained.last_update.is_some());
    // 192 = 19·10 + 2: the 20th episode was started, no 21st.
    assert_eq!(env.resets, 20);
}

#[test]
fn empty_episodes_are_skipped_and_env_errors_surface() {
    let mut env = Signal::new(10);
    env.empty_every = 2;
    let trained = train(&mut env, &small_config(1), 64, &mut |_| {}).unwrap();
    assert_eq!(trained.episodes, 6);

    let mut env = Signal::new(10);
    env.fail_at = Some(70);
    let err = train(&mut env, &small_config(1), 640, &mut |_| {}).unwrap_err();
    assert!(matches!(err, TrainError::Env(ref m) if m == "replay broke"), "{err}");

    let mut env = Signal::new(10);
    env.empty_every = 1;
    assert!(matches!(train(&mut env, &small_config(1), 64, &mut |_| {}), Err(TrainError::Env(_))));
}

#[test]
fn bad_configuration_is_refused() {
    let cfg = PpoConfig { batch_size: 0, ..PpoConfig::default() };
    assert!(matches!(train(&mut Signal::new(10), &cfg, 64, &mut |_| {}), Err(TrainError::Config(_))));
}

#[test]
fn explained_variance_like_sb3() {
    assert_eq!(explained_variance(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 1.0);
    // Predicting zeros explains nothing: Var(y − 0) = Var(y).
    assert_eq!(explained_variance(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0]), 0.0);
    assert!(explained_variance(&[0.0, 1.0], &[2.0, 2.0]).is_nan());
}
