//! `Orders` answers its per-decision questions from its `open` index: checked against a full
//! scan of every order over random inserts, state changes (finished orders coming back to
//! life included) and prunes.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::domain::{BookSide, Count, Price};
use crate::executor::state::{OrderState, Orders, TrackedOrder};

const STATES: [OrderState; 8] = [
    OrderState::Sending,
    OrderState::Resting,
    OrderState::Amending,
    OrderState::Canceling,
    OrderState::Unknown,
    OrderState::Rejected,
    OrderState::Canceled,
    OrderState::Executed,
];
const MARKETS: [&str; 3] = ["A", "B", "C"];

#[derive(Debug, Clone)]
enum Op {
    Insert { market: usize, state: usize, at: i64 },
    Set { which: usize, state: usize },
    Prune { before: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 0..8usize, 0..1000i64).prop_map(|(market, state, at)| Op::Insert { market, state, at }),
        (0..64usize, 0..8usize).prop_map(|(which, state)| Op::Set { which, state }),
        (0..1200i64).prop_map(|before| Op::Prune { before }),
    ]
}

fn order(coid: String, market: &str, state: OrderState, at: i64) -> TrackedOrder {
    TrackedOrder {
        client_order_id: coid,
        order_id: None,
        market: market.to_owned(),
        side: BookSide::Bid,
        price: Price::from_cents(50).unwrap(),
        filled: Count::ZERO,
        remaining: Count::contracts(1),
        state,
        placed_ms: at,
        sent_ms: at,
    }
}

proptest! {
    #[test]
    fn indexed_queries_equal_a_full_scan(ops in prop::collection::vec(op(), 1..200)) {
        let mut orders = Orders::default();
        // The reference: every order ever inserted and not pruned, by client id.
        let mut all: BTreeMap<String, TrackedOrder> = BTreeMap::new();
        for (i, op) in ops.into_iter().enumerate() {
            match op {
                Op::Insert { market, state, at } => {
                    let o = order(format!("c{i}"), MARKETS[market], STATES[state], at);
                    all.insert(o.client_order_id.clone(), o.clone());
                    orders.insert(o);
                }
                Op::Set { which, state } => {
                    let Some(coid) = all.keys().nth(which % all.len().max(1)).cloned() else { continue };
                    orders.get_mut(&coid).unwrap().state = STATES[state];
                    all.get_mut(&coid).unwrap().state = STATES[state];
                }
                Op::Prune { before } => {
                    orders.prune(before);
                    all.retain(|_, o| o.state.live() || o.sent_ms >= before);
                }
            }
            for m in MARKETS {
                let mut want: Vec<&TrackedOrder> = all.values().filter(|o| o.market == m && o.state.live()).collect();
                want.sort_by(|a, b| a.sent_ms.cmp(&b.sent_ms).then_with(|| a.client_order_id.cmp(&b.client_order_id)));
                prop_assert_eq!(orders.live_in(m), want);
                prop_assert_eq!(orders.busy(m), all.values().any(|o| o.market == m && o.state.busy()));
            }
            let mut live: Vec<&str> = orders.live().map(|o| o.client_order_id.as_str()).collect();
            live.sort_unstable();
            let want: Vec<&str> = all.values().filter(|o| o.state.live()).map(|o| o.client_order_id.as_str()).collect();
            prop_assert_eq!(live, want);
        }
    }
}

#[test]
fn prune_leaves_only_live_orders_to_scan() {
    let mut orders = Orders::default();
    for i in 0..1000 {
        let state = if i % 100 == 0 { OrderState::Resting } else { OrderState::Canceled };
        orders.insert(order(format!("c{i}"), "A", state, i));
    }
    assert_eq!(orders.open_len(), 1000);
    // Finished orders are kept (a late fill still finds them) but no longer scanned.
    orders.prune(0);
    assert_eq!((orders.open_len(), orders.live().count()), (10, 10));
    assert!(orders.get("c1").is_some());
    // One coming back to life (a late failure answer) is found again.
    orders.get_mut("c1").unwrap().state = OrderState::Unknown;
    assert!(orders.busy("A"));
    assert_eq!(orders.live_in("A").len(), 11);
}
