//! Policy inference at batch 1 (performance.md P4): the SB3 default shape 52→64→64→5 (Tanh)
//! from `model_weights/ppo_default.zip`, and observation finalization.

#![allow(clippy::unwrap_used, missing_docs)] // set-up on fixed inputs; criterion macros make undocumented fns

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kalshi_actor::policy::PolicyModel;

fn policy(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/ppo_default.zip");
    let model = PolicyModel::load_sb3(path).unwrap();
    let mut obs = [0.1f32; 52];
    let mut i = 0usize;
    c.bench_function("policy/act_ppo_default_batch1", |b| {
        b.iter(|| {
            obs[i % 52] += 1e-3;
            i += 1;
            black_box(model.act(black_box(&obs)).unwrap())
        })
    });
}

criterion_group!(benches, policy);
criterion_main!(benches);
