//! Policy: the loaded model. Each observation is run through the network on the decision
//! thread (a batch-1 forward pass of a few µs; no thread pool), and the decision goes out as
//! `ActionChosen` with its probabilities, the model id, the observation's seq and receive
//! time, and the inference time.
//!
//! **The hot path has no hop.** The model and its counters live in a [`Decider`] that the
//! Policy actor shares with the Observer (same thread, `Rc<RefCell>`): the Observer calls it
//! as soon as an observation is built, and the Decider hands the action to the executor's
//! [`ExecutorLink`] in the same call, so frame → intent → request handed to the sender is
//! one call chain. Each mailbox hop cost 25–30 µs on the 2-core VM (measured), several
//! times the decision itself. The actor stays for supervision, counters and wiring; it
//! still takes `ObservationBuilt` by message (tests, tools).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use tracing::warn;

use super::messages::{ActionChosen, ObservationBuilt};
use super::order_executor::ExecutorLink;
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

/// The model, its counters and where decisions go: the Policy's state, callable in place.
pub struct Decider {
    model: Arc<PolicyModel>,
    model_id: Arc<str>,
    outputs: Vec<Recipient<ActionChosen>>,
    executor: Option<ExecutorLink>,
    stats: PolicyStats,
    inference: LatencyWindow,
}

impl Decider {
    /// A decider running `model` (named `model_id`), sending decisions to `outputs` and,
    /// in the same call, to `executor`.
    pub fn new(
        model: Arc<PolicyModel>,
        model_id: &str,
        outputs: Vec<Recipient<ActionChosen>>,
        executor: Option<ExecutorLink>,
    ) -> Decider {
        Decider {
            model,
            model_id: model_id.into(),
            outputs,
            executor,
            stats: PolicyStats::default(),
            inference: LatencyWindow::new(8192),
        }
    }

    /// Scores `msg` and passes the action on: the executor first (in this call), then the
    /// other receivers.
    pub fn decide(&mut self, msg: ObservationBuilt) {
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
        if let Some(x) = &self.executor {
            x.decide(&action);
        }
        for o in &self.outputs {
            o.do_send(action.clone());
        }
    }

    fn stats(&self) -> PolicyStats {
        let mut s = self.stats.clone();
        s.inference_p50_us = self.inference.percentile(0.5);
        s.inference_p99_us = self.inference.percentile(0.99);
        s
    }
}

/// Where the Observer sends its observations.
pub enum PolicyInput {
    /// The Policy's mailbox (a hop per observation).
    Mailbox(Recipient<ObservationBuilt>),
    /// The Policy's decider, called in place (same thread, no hop).
    Direct(Rc<RefCell<Decider>>),
}

impl PolicyInput {
    /// Hands `o` to the policy.
    pub fn send(&self, o: ObservationBuilt) {
        match self {
            PolicyInput::Mailbox(r) => r.do_send(o),
            PolicyInput::Direct(d) => d.borrow_mut().decide(o),
        }
    }
}

impl From<Recipient<ObservationBuilt>> for PolicyInput {
    fn from(r: Recipient<ObservationBuilt>) -> PolicyInput {
        PolicyInput::Mailbox(r)
    }
}

/// The policy actor.
pub struct Policy {
    decider: Rc<RefCell<Decider>>,
}

impl Policy {
    /// A policy running `model` (named `model_id`), sending decisions to `outputs`.
    pub fn new(model: Arc<PolicyModel>, model_id: &str, outputs: Vec<Recipient<ActionChosen>>) -> Policy {
        Policy::with_decider(Rc::new(RefCell::new(Decider::new(model, model_id, outputs, None))))
    }

    /// A policy around a decider it shares with the Observer (on this thread).
    pub fn with_decider(decider: Rc<RefCell<Decider>>) -> Policy {
        Policy { decider }
    }
}

impl Actor for Policy {
    type Context = Context<Self>;
}

impl actix::Supervised for Policy {}

impl Handler<ObservationBuilt> for Policy {
    type Result = ();

    fn handle(&mut self, msg: ObservationBuilt, _: &mut Self::Context) {
        self.decider.borrow_mut().decide(msg);
    }
}

/// Adds receivers of `ActionChosen`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectActions(pub Vec<Recipient<ActionChosen>>);

impl Handler<ConnectActions> for Policy {
    type Result = ();

    fn handle(&mut self, msg: ConnectActions, _: &mut Self::Context) {
        self.decider.borrow_mut().outputs.extend(msg.0);
    }
}

/// The policy's counters and inference percentiles.
#[derive(Message)]
#[rtype(result = "PolicyStats")]
pub struct GetPolicyStats;

impl Handler<GetPolicyStats> for Policy {
    type Result = MessageResult<GetPolicyStats>;

    fn handle(&mut self, _: GetPolicyStats, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.decider.borrow().stats())
    }
}
