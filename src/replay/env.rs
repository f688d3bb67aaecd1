//! Training's environment: the replay itself. An episode is one recorded input replayed from
//! its start (the inputs in turn); a step is one decision; the reward is the change of the
//! portfolio value in cents from this decision to the next (to the end of the input for the
//! last), as in the original environment. The episode's rewards add up to its P&L.

use std::sync::Arc;

use super::{Replay, ReplaySettings};
use crate::features::OBS_LEN;
use crate::storage::BookRecord;
use crate::train::{Env, TrainError};

/// Replays as episodes.
pub struct ReplayEnv {
    inputs: Vec<Arc<[BookRecord]>>,
    settings: ReplaySettings,
    current: Option<Replay>,
    value: f64,
}

impl ReplayEnv {
    /// An environment over `inputs` (at least one), trading with `settings`.
    pub fn new(inputs: Vec<Arc<[BookRecord]>>, settings: ReplaySettings) -> Result<ReplayEnv, TrainError> {
        if inputs.is_empty() {
            return Err(TrainError::Env("no recorded input to train on".into()));
        }
        Ok(ReplayEnv { inputs, settings, current: None, value: 0.0 })
    }

    fn observe(&mut self) -> Option<[f32; OBS_LEN]> {
        let r = self.current.as_mut()?;
        let obs = r.next_decision()?.obs;
        self.value = r.value_cents();
        Some(obs)
    }
}

impl Env for ReplayEnv {
    fn reset(&mut self, episode: u64) -> Result<Option<[f32; OBS_LEN]>, TrainError> {
        let k = usize::try_from(episode % self.inputs.len() as u64).unwrap_or(0);
        self.current = Some(Replay::new(Arc::clone(&self.inputs[k]), self.settings.clone()));
        Ok(self.observe())
    }

    fn step(&mut self, action: usize) -> Result<(f32, Option<[f32; OBS_LEN]>), TrainError> {
        let r = self.current.as_mut().ok_or_else(|| TrainError::Env("step before reset".into()))?;
        r.act(action).ok_or_else(|| TrainError::Env("no decision pending".into()))?;
        let before = self.value;
        match self.observe() {
            Some(obs) => Ok(((self.value - before) as f32, Some(obs))),
            None => {
                let end = self.current.as_ref().map_or(before, Replay::value_cents);
                self.current = None;
                Ok(((end - before) as f32, None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::replay::synthetic;

    #[test]
    fn an_episodes_rewards_add_up_to_its_pnl() {
        let recs: Arc<[BookRecord]> = synthetic::path("M", &[50, 52, 49, 55, 60, 58, 61, 64, 50, 70], 0, 100).into();
        let settings = crate::replay::tests::settings(0);
        let mut env = ReplayEnv::new(vec![recs.clone()], settings.clone()).unwrap();
        let mut obs = env.reset(0).unwrap();
        let (mut total, mut steps) = (0.0f64, 0);
        while obs.is_some() {
            let (reward, next) = env.step(1).unwrap();
            total += f64::from(reward);
            steps += 1;
            obs = next;
        }
        // The same replay driven directly: its P&L.
        let mut r = Replay::new(recs, settings);
        while r.next_decision().is_some() {
            r.act(1);
        }
        let pnl = r.report("x").pnl_cents;
        assert!(steps > 5 && pnl != 0.0);
        assert!((total - pnl).abs() < 1e-2, "{total} vs {pnl}");
        assert!(matches!(env.step(1), Err(TrainError::Env(_))), "the episode is over");
        assert!(ReplayEnv::new(Vec::new(), crate::replay::tests::settings(0)).is_err());
    }

    /// The greedy policy's P&L on `recs`, cents.
    fn greedy_pnl(model: &crate::policy::PolicyModel, recs: &Arc<[BookRecord]>) -> f64 {
        let mut r = Replay::new(Arc::clone(recs), crate::replay::tests::settings(0));
        while let Some(p) = r.next_decision() {
            let a = model.act(&p.obs).unwrap().action;
            r.act(a);
        }
        r.report("eval").pnl_cents
    }

    #[test]
    fn training_on_a_rising_market_learns_to_buy_it() {
        // The best action is known: the market only rises, so buying YES early pays and
        // selling YES or buying NO loses.
        let recs: Arc<[BookRecord]> = synthetic::rising("M", 30, 70, 120, 0, 100).into();
        let settings = crate::replay::tests::settings(0);
        let cfg = crate::train::PpoConfig {
            learning_rate: 3e-3,
            n_steps: 256,
            batch_size: 64,
            n_epochs: 4,
            gamma: 0.9,
            gae_lambda: 0.9,
            hidden: vec![32, 32],
            seed: 3,
            ..crate::train::PpoConfig::default()
        };
        let untrained = crate::train::Ppo::new(cfg.clone()).unwrap().policy_model().unwrap();
        let before = greedy_pnl(&untrained, &recs);
        let mut env = ReplayEnv::new(vec![recs.clone()], settings).unwrap();
        let trained = crate::train::train(&mut env, &cfg, 6_000, &mut |_| {}).unwrap();
        let after = greedy_pnl(&trained.model, &recs);
        // The untrained greedy policy loses (it sells into the rise); the trained one has
        // learned to hold YES: a clear gain, and a profit.
        assert!(after > before + 500.0, "greedy P&L {before:.0}¢ → {after:.0}¢");
        assert!(after > 0.0, "greedy P&L {before:.0}¢ → {after:.0}¢");
    }
}
