//! The trading chain in process, against the simulator: acknowledged updates → Observer →
//! Policy → `ActionChosen`, target selection, and the Observer's restart path.

use actix::Actor;
use kalshi_actor::actors::messages::{ActionChosen, InjectFailure};
use kalshi_actor::actors::observer::GetObserverCounters;
use kalshi_actor::actors::policy::{ConnectActions, GetPolicyStats};
use kalshi_actor::config::TargetMarketMode;
use kalshi_actor::policy::{PolicyModel, ACTION_NAMES};

use crate::support::pipeline::{Running, WAIT};
use crate::support::{default_model, wait_until};

/// Collects the policy's decisions.
#[derive(Default)]
struct ActionProbe(Vec<ActionChosen>);

impl Actor for ActionProbe {
    type Context = actix::Context<Self>;
}

impl actix::Handler<ActionChosen> for ActionProbe {
    type Result = ();
    fn handle(&mut self, m: ActionChosen, _: &mut Self::Context) {
        self.0.push(m);
    }
}

#[derive(actix::Message)]
#[rtype(result = "Vec<ActionChosen>")]
struct Actions;

impl actix::Handler<Actions> for ActionProbe {
    type Result = actix::MessageResult<Actions>;
    fn handle(&mut self, _: Actions, _: &mut Self::Context) -> Self::Result {
        actix::MessageResult(self.0.clone())
    }
}

/// Steps the flow until the probe holds at least `n` decisions; returns them.
async fn actions_until(r: &Running, probe: &actix::Addr<ActionProbe>, n: usize, step: &mut i64) -> Vec<ActionChosen> {
    wait_until(WAIT, "decisions", || {
        r.step(*step, 1);
        *step += 1;
        let probe = probe.clone();
        async move { probe.send(Actions).await.ok().filter(|a| a.len() >= n) }
    })
    .await
}

async fn started(markets: usize, mode: TargetMarketMode) -> (Running, actix::Addr<ActionProbe>) {
    let r = Running::start_trading(markets, |c| {
        c.actor.target_market_mode = mode;
        c.actor.tick_throttle_ms = 0;
    })
    .await;
    let probe = ActionProbe::default().start();
    r.trading.as_ref().unwrap().policy.send(ConnectActions(vec![probe.clone().recipient()])).await.unwrap();
    (r, probe)
}

#[actix_web::test]
async fn every_action_is_the_models_decision_on_its_observation() {
    let (r, probe) = started(3, TargetMarketMode::All).await;
    let mut step = 0;
    let actions = actions_until(&r, &probe, 40, &mut step).await;
    let model = PolicyModel::load_sb3(default_model()).unwrap();
    let mut last_ms = std::collections::HashMap::new();
    for a in &actions {
        let d = model.act(&a.obs).unwrap();
        assert_eq!((a.action, a.probs, a.logits), (d.action, d.probs, d.logits));
        assert_eq!(a.name, ACTION_NAMES[a.action]);
        assert_eq!(&*a.model_id, "ppo_default");
        assert!(a.inference_us > 0.0);
        assert!(r.tickers.contains(&a.market));
        // Observations of a two-sided book: its best bid and ask are real prices.
        assert!(a.obs[0] > 0.0 && a.obs[1] > a.obs[0] - 0.5, "{:?}", &a.obs[..2]);
        let prev = last_ms.insert(a.market.clone(), a.recv_ms);
        assert!(prev.is_none_or(|p| p < a.recv_ms), "one decision per view point, in order");
    }
    let markets: std::collections::BTreeSet<_> = actions.iter().map(|a| a.market.clone()).collect();
    assert!(markets.len() >= 2, "{markets:?}");
    let t = r.trading.as_ref().unwrap();
    let (counters, targets) = t.observer.send(GetObserverCounters).await.unwrap();
    assert_eq!(targets, r.tickers);
    let stats = t.policy.send(GetPolicyStats).await.unwrap();
    assert!(counters.observations >= actions.len() as u64 && stats.decisions >= actions.len() as u64);
    assert!(stats.inference_p50_us.unwrap() > 0.0);
    assert_eq!(counters.restarts, 0);
}

#[actix_web::test]
async fn hot_mode_trades_only_the_hot_market() {
    let (r, probe) = started(3, TargetMarketMode::Hot).await;
    let mut step = 0;
    let actions = actions_until(&r, &probe, 10, &mut step).await;
    let (_, targets) = r.trading.as_ref().unwrap().observer.send(GetObserverCounters).await.unwrap();
    assert_eq!(targets.len(), 1, "hot_count = 1");
    // The set may have been re-ranked once (10 s window), but a decision is always on a
    // market that was hot: here, within the first window, the current one.
    assert!(actions.iter().all(|a| a.market == targets[0]), "{targets:?}");
}

#[actix_web::test]
async fn a_panicking_observer_restarts_and_observes_again() {
    let (r, probe) = started(2, TargetMarketMode::All).await;
    let mut step = 0;
    let before = actions_until(&r, &probe, 5, &mut step).await.len();
    let observer = r.trading.as_ref().unwrap().observer.clone();
    observer.do_send(InjectFailure);
    wait_until(WAIT, "the observer to restart", || {
        let o = observer.clone();
        async move { o.send(GetObserverCounters).await.ok().filter(|(c, _)| c.restarts == 1) }
    })
    .await;
    // Fresh snapshots were requested; decisions resume on the new stream.
    let after = actions_until(&r, &probe, before + 10, &mut step).await;
    assert!(after.len() >= before + 10);
}

#[actix_web::test]
async fn live_order_features_see_our_resting_orders() {
    // A model whose card says it was trained with live order features.
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("live.zip");
    std::fs::copy(default_model(), &zip).unwrap();
    let card_path = std::path::Path::new(&default_model()).with_file_name("ppo_default.card.json");
    let mut card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(card_path).unwrap()).unwrap();
    card["model"] = "live".into();
    card["observation"]["order_features"] = "live".into();
    std::fs::write(dir.path().join("live.card.json"), card.to_string()).unwrap();
    let r = Running::start_trading(2, |c| {
        c.actor.target_market_mode = TargetMarketMode::All;
        c.actor.tick_throttle_ms = 0;
        c.actor.pricing = kalshi_actor::config::Pricing::Passive;
        c.observer.order_features = kalshi_actor::config::OrderFeatures::Live;
        c.actor.model = zip.to_str().unwrap().to_owned();
    })
    .await;
    let probe = ActionProbe::default().start();
    r.trading.as_ref().unwrap().policy.send(ConnectActions(vec![probe.clone().recipient()])).await.unwrap();
    let mut step = 0;
    // The fixture model buys: passive bids rest, and the observations start to show them.
    let actions = wait_until(WAIT, "an observation with a resting order", || {
        r.step(step, 1);
        step += 1;
        let probe = probe.clone();
        async move { probe.send(Actions).await.ok().filter(|a| a.iter().any(|a| a.obs[47] == 1.0 || a.obs[48] == 1.0)) }
    })
    .await;
    let with = actions.iter().find(|a| a.obs[47] == 1.0 || a.obs[48] == 1.0).unwrap();
    assert!((0.0..=1.0).contains(&with.obs[49]) && (0.0..=1.0).contains(&with.obs[51]), "{:?}", &with.obs[47..]);
    assert_eq!(&*with.model_id, "live");
}
