//! Policy: the loaded model. Each `ObservationBuilt` is run through the network on this
//! thread (a batch-1 forward pass of a few µs; no thread pool), and the decision goes out
//! as `ActionChosen` with its probabilities, the model id, the observation's seq and receive
//! time, and the inference time.

use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use tracing::warn;

use super::messages::{ActionChosen, ObservationBuilt};
use crate::latency::LatencyWindow;
use crate::policy::{PolicyModel, ACTION_NAMES, N_ACTIONS};

/// Counts an operator asks about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyStats {
    /// Decisions made.
    pub decisions: u64,
    /// Decisions per action.
    pub by_action: [u64; N_ACTIONS],
    /// Observations the model could not score (non-finite logits).
    pub errors: u64,
    /// Inference time percentiles over the recent window, µs.
    pub inference_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub inference_p99_us: Option<f64>,
}

/// The policy actor.
pub struct Policy {
    model: Arc<PolicyModel>,
    model_id: Arc<str>,
    outputs: Vec<Recipient<ActionChosen>>,
    stats: PolicyStats,
    inference: LatencyWindow,
}

impl Policy {
    /// A policy running `model` (named `model_id`), sending decisions to `outputs`.
    pub fn new(model: Arc<PolicyModel>, model_id: &str, outputs: Vec<Recipient<ActionChosen>>) -> Policy {
        Policy {
            model,
            model_id: model_id.into(),
            outputs,
            stats: PolicyStats::default(),
            inference: LatencyWindow::new(8192),
        }
    }
}

impl Actor for Policy {
    type Context = Context<Self>;
}

impl actix::Supervised for Policy {}

impl Handler<ObservationBuilt> for Policy {
    type Result = ();

    fn handle(&mut self, msg: ObservationBuilt, _: &mut Self::Context) {
        let t0 = Instant::now();
        let decision = match self.model.act(&msg.obs) {
            Ok(d) => d,
            Err(e) => {
                self.stats.errors += 1;
                if self.stats.errors.is_power_of_two() {
                    warn!(error = %e, market = %msg.market, errors = self.stats.errors, "policy could not score an observation");
                }
                return;
            }
        };
        let inference_us = t0.elapsed().as_secs_f64() * 1e6;
        self.inference.push(inference_us);
        self.stats.decisions += 1;
        self.stats.by_action[decision.action] += 1;
        let action = ActionChosen {
            market: msg.market,
            action: decision.action,
            name: ACTION_NAMES[decision.action],
            probs: decision.probs,
            logits: decision.logits,
            model_id: self.model_id.clone(),
            seq: msg.seq,
            recv_ms: msg.recv_ms,
            obs: msg.obs,
            touch: msg.touch,
            inference_us,
            started: msg.started,
            built: msg.built,
        };
        for o in &self.outputs {
            o.do_send(action.clone());
        }
    }
}

/// Adds receivers of `ActionChosen`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectActions(pub Vec<Recipient<ActionChosen>>);

impl Handler<ConnectActions> for Policy {
    type Result = ();

    fn handle(&mut self, msg: ConnectActions, _: &mut Self::Context) {
        self.outputs.extend(msg.0);
    }
}

/// The policy's counters and inference percentiles.
#[derive(Message)]
#[rtype(result = "PolicyStats")]
pub struct GetPolicyStats;

impl Handler<GetPolicyStats> for Policy {
    type Result = MessageResult<GetPolicyStats>;

    fn handle(&mut self, _: GetPolicyStats, _: &mut Self::Context) -> Self::Result {
        let mut s = self.stats.clone();
        s.inference_p50_us = self.inference.percentile(0.5);
        s.inference_p99_us = self.inference.percentile(0.99);
        MessageResult(s)
    }
}
