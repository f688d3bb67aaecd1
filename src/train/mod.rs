//! PPO training in candle (issue #8): the actor-critic network ([`net`]), generalized
//! advantage estimation ([`gae`](mod@gae)), the clipped objective ([`loss`]), the learner
//! ([`ppo`]) and, here, the environment interface and the training loop.
//!
//! The defaults reproduce the original Stable-Baselines3 setup (PPO `MlpPolicy`, separate
//! 64-64 Tanh policy and value nets, see [`PpoConfig`]). Everything random (weights,
//! action sampling, minibatch shuffling) comes from seeded generators, so the same seed
//! and the same environment give bit-identical weights on the same machine.
//!
//! [`train`] collects `n_steps` transitions per update across episodes, like SB3 with one
//! environment: it always collects whole rollouts, so the steps done can pass
//! `total_steps` by up to `n_steps − 1`. The trained actor comes back as a
//! [`PolicyModel`], the same type the service runs.

pub mod gae;
pub mod loss;
pub mod net;
pub mod ppo;

#[cfg(test)]
mod loss_tests;
#[cfg(test)]
mod net_tests;
#[cfg(test)]
mod train_tests;

use rand::rngs::StdRng;
use rand::SeedableRng;

pub use gae::gae;
pub use loss::{loss_terms, LossTerms, Targets};
pub use net::ActorCritic;
pub use ppo::{Ppo, PpoConfig, Rollout, UpdateStats};

use crate::policy::{PolicyModel, OBS_DIM};

/// Consecutive episodes without a single decision after which [`train`] gives up.
pub const MAX_EMPTY_EPISODES: u64 = 10_000;

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A tensor operation failed.
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    /// The environment failed.
    #[error("environment: {0}")]
    Env(String),
    /// The configuration cannot be trained with.
    #[error("bad training configuration: {0}")]
    Config(String),
    /// The network produced NaN or infinite numbers (diverged).
    #[error("training diverged: {0}")]
    NonFinite(String),
}

/// An episodic environment: the replay of recorded sessions (the lead implements it).
pub trait Env {
    /// Starts an episode; its first observation (None: an episode with no decision at all).
    fn reset(&mut self, episode: u64) -> Result<Option<[f32; OBS_DIM]>, TrainError>;
    /// Takes `action`; the reward since the previous decision and the next observation
    /// (None: the episode ended; the reward then includes everything up to its end).
    fn step(&mut self, action: usize) -> Result<(f32, Option<[f32; OBS_DIM]>), TrainError>;
}

/// Reported after every update.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Environment steps (decisions) done so far.
    pub steps: u64,
    /// The `total_steps` asked for.
    pub total_steps: u64,
    /// Updates done so far (this one included).
    pub updates: u64,
    /// Episodes finished so far.
    pub episodes: u64,
    /// Episodes finished during this update's rollout.
    pub rollout_episodes: usize,
    /// Mean return of the episodes finished during this rollout (None: none finished).
    pub mean_return: Option<f32>,
    /// The update's losses and diagnostics.
    pub stats: UpdateStats,
    ppo: &'a Ppo,
}

impl Progress<'_> {
    /// The current policy, e.g. for a periodic evaluation.
    pub fn policy(&self) -> Result<PolicyModel, TrainError> {
        self.ppo.policy_model()
    }
}

/// The result of [`train`].
#[derive(Debug)]
pub struct Trained {
    /// The trained actor, ready to save or run.
    pub model: PolicyModel,
    /// Environment steps done.
    pub steps: u64,
    /// Updates done.
    pub updates: u64,
    /// Episodes finished.
    pub episodes: u64,
    /// Mean return of the episodes finished during the last rollout (None: none finished
    /// or no update ran).
    pub mean_return: Option<f32>,
    /// The last update's losses and diagnostics (None: no update ran).
    pub last_update: Option<UpdateStats>,
}

/// Where the loop is in the episode sequence.
struct Episodes {
    /// Index passed to the next `reset`.
    next: u64,
    /// Return of the running episode so far.
    running_return: f32,
    /// Episodes finished.
    finished: u64,
}

impl Episodes {
    /// Resets into the next episode that has a decision.
    fn start(&mut self, env: &mut dyn Env) -> Result<[f32; OBS_DIM], TrainError> {
        self.running_return = 0.0;
        for _ in 0..MAX_EMPTY_EPISODES {
            let episode = self.next;
            self.next += 1;
            if let Some(obs) = env.reset(episode)? {
                return Ok(obs);
            }
        }
        Err(TrainError::Env(format!("{MAX_EMPTY_EPISODES} episodes in a row had no decision")))
    }
}

/// Trains a PPO policy on `env` for at least `total_steps` steps (whole rollouts of
/// `cfg.n_steps`), calling `on_progress` after each update.
///
/// Episodes are numbered from 0 in the order they are started; an episode whose
/// `reset` gives no observation is skipped (not counted). An episode still running when
/// training stops is not counted either.
pub fn train(
    env: &mut dyn Env,
    cfg: &PpoConfig,
    total_steps: u64,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Trained, TrainError> {
    let mut ppo = Ppo::new(cfg.clone())?;
    // The weights use `seed` itself; sampling and shuffling get a stream of their own.
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut episodes = Episodes { next: 0, running_return: 0.0, finished: 0 };
    let mut rollout = Rollout::default();
    let (mut steps, mut updates) = (0u64, 0u64);
    let (mut mean_return, mut last_update) = (None, None);
    // None between an episode's end and the next step (started lazily, so training never
    // resets an episode it will not play).
    let mut obs: Option<[f32; OBS_DIM]> = None;
    while steps < total_steps {
        rollout.clear();
        let mut returns = Vec::new();
        for _ in 0..cfg.n_steps {
            let current = match obs {
                Some(o) => o,
                None => episodes.start(env)?,
            };
            let (action, log_prob, value) = ppo.act(&current, &mut rng)?;
            let (reward, next) = env.step(action)?;
            episodes.running_return += reward;
            rollout.push(current, action, log_prob, value, reward, next.is_none());
            if next.is_none() {
                returns.push(episodes.running_return);
                episodes.finished += 1;
            }
            obs = next;
        }
        steps += cfg.n_steps as u64;
        // After an episode's end the bootstrap value is cut by GAE anyway.
        let last_value = match &obs {
            Some(o) => ppo.value(o)?,
            None => 0.0,
        };
        let stats = ppo.update(&rollout, last_value, &mut rng)?;
        updates += 1;
        mean_return = (!returns.is_empty()).then(|| returns.iter().sum::<f32>() / returns.len() as f32);
        last_update = Some(stats);
        on_progress(&Progress {
            steps,
            total_steps,
            updates,
            episodes: episodes.finished,
            rollout_episodes: returns.len(),
            mean_return,
            stats,
            ppo: &ppo,
        });
    }
    Ok(Trained { model: ppo.policy_model()?, steps, updates, episodes: episodes.finished, mean_return, last_update })
}
