//! Property test: random order streams from 2–4 users on one market keep every invariant,
//! and after settlement the cash of all users plus the fees collected equals the cash they
//! started with.

use proptest::prelude::*;

use super::*;
use crate::kalshi::rest::{AmendOrderV2Request, DecreaseOrderV2Request};

#[derive(Debug, Clone)]
enum Op {
    Create {
        user: usize,
        bid: bool,
        cents: u16,
        hundredths: i64,
        tif: u8,
        maker_stp: bool,
        post_only: bool,
        reduce_only: bool,
    },
    Cancel {
        user: usize,
        nth: usize,
    },
    Amend {
        user: usize,
        nth: usize,
        cents: u16,
        hundredths: i64,
    },
    Decrease {
        user: usize,
        nth: usize,
        hundredths: i64,
    },
    CancelAll {
        user: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        16 => (0..4usize, any::<bool>(), prop_oneof![3 => 40..61u16, 1 => 1..100u16], 1..1500i64, prop_oneof![3 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)], any::<bool>(), prop::bool::weighted(0.1), prop::bool::weighted(0.15))
            .prop_map(|(user, bid, cents, hundredths, tif, maker_stp, post_only, reduce_only)| Op::Create {
                user, bid, cents, hundredths, tif, maker_stp, post_only, reduce_only
            }),
        2 => (0..4usize, 0..8usize).prop_map(|(user, nth)| Op::Cancel { user, nth }),
        4 => (0..4usize, 0..8usize, prop_oneof![3 => 40..61u16, 1 => 1..100u16], 1..2000i64).prop_map(|(user, nth, cents, hundredths)| Op::Amend { user, nth, cents, hundredths }),
        2 => (0..4usize, 0..8usize, 1..800i64).prop_map(|(user, nth, hundredths)| Op::Decrease { user, nth, hundredths }),
        1 => (0..4usize).prop_map(|user| Op::CancelAll { user }),
    ]
}

/// The `nth` resting order of `user` (wrapping), if any.
fn pick(e: &Engine, user: &str, nth: usize) -> Option<(String, BookSide, Count)> {
    let resting: Vec<&SimOrder> = e.accounts.get(user)?.resting.iter().map(|s| &e.orders[s]).collect();
    let o = resting.get(nth % resting.len().max(1))?;
    Some((o.order_id.clone(), o.side, o.fill_count))
}

fn apply(e: &mut Engine, users: &[String], op: &Op, now: i64) {
    let name = |u: usize| users[u % users.len()].clone();
    match *op {
        Op::Create { user, bid, cents, hundredths, tif, maker_stp, post_only, reduce_only } => {
            let tif =
                [TimeInForce::GoodTillCanceled, TimeInForce::ImmediateOrCancel, TimeInForce::FillOrKill][tif as usize];
            let side = if bid { BookSide::Bid } else { BookSide::Ask };
            let count = Count::from_hundredths(hundredths).unwrap();
            let mut r = CreateOrderV2Request::new(
                T,
                side,
                count,
                Price::from_cents(cents).unwrap(),
                tif,
                if maker_stp { SelfTradePreventionType::Maker } else { SelfTradePreventionType::TakerAtCross },
            );
            r.post_only = Some(post_only);
            r.reduce_only = Some(reduce_only);
            let res = e.create_order(&name(user), &r, now);
            if let Ok(out) = res {
                let filled = out.fill_count().hundredths();
                assert!(filled <= hundredths, "filled more than asked");
                assert!(out.remaining_count.hundredths() + filled <= hundredths);
                if tif != TimeInForce::GoodTillCanceled {
                    assert_eq!(out.remaining_count, Count::ZERO, "IOC/FOK left something resting");
                }
                if tif == TimeInForce::FillOrKill && !maker_stp {
                    // All or nothing unless own orders stopped it (taker_at_cross).
                    let own_stop = out.events.iter().any(|e| matches!(e, EngineEvent::Order(o) if o.order_id == out.order_id && o.last_update_reason == Some(crate::kalshi::rest::LastUpdateReason::SelfTradeCancel)));
                    let margin = out.events.iter().any(|e| matches!(e, EngineEvent::Order(o) if o.last_update_reason == Some(crate::kalshi::rest::LastUpdateReason::MarginCancel)));
                    assert!(
                        filled == 0 || filled == hundredths || own_stop || margin || reduce_only,
                        "FOK partial: {out:?}"
                    );
                }
            }
        }
        Op::Cancel { user, nth } => {
            if let Some((id, _, _)) = pick(e, &name(user), nth) {
                let out = e.cancel_order(&name(user), &id, now).unwrap();
                assert!(out.reduced_by.is_positive());
            }
        }
        Op::Amend { user, nth, cents, hundredths } => {
            if let Some((id, side, filled)) = pick(e, &name(user), nth) {
                let r = AmendOrderV2Request {
                    ticker: T.into(),
                    side,
                    price: Price::from_cents(cents).unwrap(),
                    count: Count::from_hundredths(filled.hundredths() + hundredths).unwrap(),
                    client_order_id: None,
                    updated_client_order_id: None,
                    exchange_index: None,
                };
                let _ = e.amend_order(&name(user), &id, &r, now);
            }
        }
        Op::Decrease { user, nth, hundredths } => {
            if let Some((id, _, _)) = pick(e, &name(user), nth) {
                let r = DecreaseOrderV2Request::reduce_by(Count::from_hundredths(hundredths).unwrap());
                e.decrease_order(&name(user), &id, &r, now).unwrap();
            }
        }
        Op::CancelAll { user } => {
            e.cancel_all(&name(user), None, now);
        }
    }
}

proptest! {
    // No regression files: they would land outside this module's directory.
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_conserve_cash(
        n_users in 2..=4usize,
        cash_cents in prop::collection::vec(prop_oneof![1 => 50..1_000i64, 3 => 1_000..20_000i64], 4),
        maker_fee in prop::bool::ANY,
        ops in prop::collection::vec(op(), 1..200),
        yes_wins in prop::bool::ANY,
    ) {
        let config = EngineConfig { maker_fee_ppm: if maker_fee { MAKER_FEE_PPM } else { 0 }, ..EngineConfig::default() };
        let mut e = Engine::new(config);
        e.add_market(MarketSpec::linear_cent(T)).unwrap();
        let users: Vec<String> = (0..n_users).map(|i| format!("user-{i}")).collect();
        let mut start = Money::ZERO;
        for (u, cents) in users.iter().zip(&cash_cents) {
            e.open_account(u, Money::from_cents(*cents));
            start = start + Money::from_cents(*cents);
        }
        for (i, op) in ops.iter().enumerate() {
            apply(&mut e, &users, op, NOW + i as i64);
            check_invariants(&e);
        }
        let fees_before = e.fees_collected();
        e.settle_market(T, if yes_wins { Outcome::Yes } else { Outcome::No }, NOW + 1_000_000).unwrap();
        check_invariants(&e);
        prop_assert_eq!(e.fees_collected(), fees_before);
        let total = users.iter().fold(e.fees_collected(), |acc, u| acc + e.cash(u));
        prop_assert_eq!(total, start);
        for u in &users {
            prop_assert_eq!(e.position(u, T).position, Count::ZERO);
            prop_assert_eq!(e.reserved(u), Money::ZERO);
            let resting = OrderFilter { status: Some(crate::kalshi::rest::OrderStatus::Resting), ..OrderFilter::default() };
            prop_assert!(e.orders(u, &resting).is_empty());
        }
        prop_assert!(e.levels(T, Outcome::Yes).is_empty() && e.levels(T, Outcome::No).is_empty());
    }
}
