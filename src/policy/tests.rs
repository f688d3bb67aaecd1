//! Tests of the SB3 loader and forward pass against outputs computed by SB3 itself
//! (`*.cases.json` fixtures), plus refusal of corrupted or mismatched models.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;

use serde_json::Value;

use super::sb3::load_bytes;
use super::{argmax, softmax, PolicyError, PolicyModel, N_ACTIONS, OBS_DIM};

const TOL: f32 = 1e-5;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `ppo_default` is vendored under `model_weights/` so these tests always run.
fn default_zip() -> PathBuf {
    crate_root().join("model_weights/ppo_default.zip")
}

/// `ppo_relu128` lives only in `../shared/fixtures/sb3/`, beside the repository.
fn shared_fixture(name: &str) -> Option<PathBuf> {
    let p = crate_root().join("../shared/fixtures/sb3").join(name);
    p.exists().then_some(p)
}

/// Checks every case; returns (max logit error, max prob error).
fn check_cases(model: &PolicyModel, cases_path: &PathBuf) -> (f32, f32) {
    let text = std::fs::read_to_string(cases_path).unwrap();
    let root: Value = serde_json::from_str(&text).unwrap();
    let cases = root["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    let (mut max_logit, mut max_prob) = (0.0f32, 0.0f32);
    for (i, case) in cases.iter().enumerate() {
        let floats = |key: &str| -> Vec<f32> {
            case[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect()
        };
        let obs: [f32; OBS_DIM] = floats("obs").try_into().unwrap();
        let want_logits = floats("logits");
        let want_probs = floats("probs");
        let want_action = case["action"].as_u64().unwrap() as usize;
        let d = model.act(&obs).unwrap();
        assert_eq!(d.action, want_action, "case {i}: action");
        assert_eq!(d.logits, model.logits(&obs).unwrap());
        for k in 0..N_ACTIONS {
            let le = (d.logits[k] - want_logits[k]).abs();
            let pe = (d.probs[k] - want_probs[k]).abs();
            assert!(le <= TOL, "case {i} logit {k}: {} vs {}", d.logits[k], want_logits[k]);
            assert!(pe <= TOL, "case {i} prob {k}: {} vs {}", d.probs[k], want_probs[k]);
            max_logit = max_logit.max(le);
            max_prob = max_prob.max(pe);
        }
    }
    (max_logit, max_prob)
}

#[test]
fn ppo_default_matches_sb3() {
    let model = PolicyModel::load_sb3(default_zip()).unwrap();
    assert_eq!(model.hidden_sizes(), vec![64, 64]);
    assert_eq!(model.activation(), super::Activation::Tanh);
    let (l, p) = check_cases(&model, &crate_root().join("model_weights/ppo_default.cases.json"));
    println!("ppo_default: max |logit err| = {l:e}, max |prob err| = {p:e}");
}

#[test]
fn ppo_relu128_matches_sb3() {
    let (Some(zip), Some(cases)) = (shared_fixture("ppo_relu128.zip"), shared_fixture("ppo_relu128.cases.json")) else {
        println!("skipping ppo_relu128: ../shared/fixtures/sb3 not present");
        return;
    };
    let model = PolicyModel::load_sb3(zip).unwrap();
    assert_eq!(model.hidden_sizes(), vec![128, 128]);
    assert_eq!(model.activation(), super::Activation::Relu);
    let (l, p) = check_cases(&model, &cases);
    println!("ppo_relu128: max |logit err| = {l:e}, max |prob err| = {p:e}");
}

#[test]
fn argmax_takes_first_max_and_softmax_sums_to_one() {
    assert_eq!(argmax(&[1.0, 3.0, 3.0, 0.0, 3.0]), 1);
    assert_eq!(argmax(&[2.0, 2.0, 2.0, 2.0, 2.0]), 0);
    let p = softmax(&[1000.0, 0.0, -1000.0, 1000.0, 5.0]);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    assert!((p[0] - 0.5).abs() < 1e-6 && (p[3] - 0.5).abs() < 1e-6);
}

/// Rebuilds a zip, passing each entry's bytes through `edit`.
fn rewrite_zip(bytes: &[u8], edit: &dyn Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), opts).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The default fixture with its `data` JSON edited by `f`.
fn with_data(f: impl Fn(&mut Value)) -> Vec<u8> {
    let bytes = std::fs::read(default_zip()).unwrap();
    rewrite_zip(&bytes, &|name, data| {
        if name != "data" {
            return data;
        }
        let mut v: Value = serde_json::from_slice(&data).unwrap();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    })
}

/// The default fixture with `from` renamed to `to` (same length) in the state dict.
fn with_renamed_tensor(from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let bytes = std::fs::read(default_zip()).unwrap();
    rewrite_zip(&bytes, &|name, data| {
        if name != "policy.pth" {
            return data;
        }
        rewrite_zip(&data, &|inner, d| {
            if !inner.ends_with("data.pkl") {
                return d;
            }
            let pos = d.windows(from.len()).position(|w| w == from.as_bytes()).unwrap();
            let mut d = d;
            d[pos..pos + to.len()].copy_from_slice(to.as_bytes());
            d
        })
    })
}

#[test]
fn unchanged_rewrite_still_loads() {
    let model = load_bytes(&with_data(|_| {})).unwrap();
    assert_eq!(model.hidden_sizes(), vec![64, 64]);
}

#[test]
fn refuses_wrong_observation_size() {
    let err = load_bytes(&with_data(|v| {
        v["observation_space"]["_shape"] = serde_json::json!([10]);
    }))
    .unwrap_err();
    assert!(matches!(err, PolicyError::ObservationSize { found: 10, expected: 52 }), "{err}");
    assert!(err.to_string().contains("10 inputs"), "{err}");
}

#[test]
fn refuses_wrong_action_count() {
    let err = load_bytes(&with_data(|v| v["action_space"]["n"] = "4".into())).unwrap_err();
    assert!(matches!(err, PolicyError::ActionCount { found: 4, expected: 5 }), "{err}");
}

#[test]
fn refuses_unknown_activation() {
    let err = load_bytes(&with_data(|v| {
        v["policy_kwargs"]["activation_fn"] = "<class 'torch.nn.modules.activation.Softplus'>".into();
    }))
    .unwrap_err();
    assert!(matches!(err, PolicyError::UnknownActivation(_)), "{err}");
    assert!(err.to_string().contains("Softplus"), "{err}");
}

#[test]
fn refuses_architecture_mismatch() {
    let err = load_bytes(&with_data(|v| {
        v["policy_kwargs"]["net_arch"] = serde_json::json!({"pi": [32, 32], "vf": [64]});
    }))
    .unwrap_err();
    assert!(matches!(err, PolicyError::ShapeMismatch { .. }), "{err}");
    assert!(err.to_string().contains("policy_net.0.weight"), "{err}");

    let err = load_bytes(&with_data(|v| {
        v["policy_kwargs"]["net_arch"] = serde_json::json!([64]);
    }))
    .unwrap_err();
    assert!(matches!(err, PolicyError::ArchitectureMismatch(_)), "{err}");
    assert!(err.to_string().contains("policy_net.2.weight"), "{err}");
}

#[test]
fn refuses_missing_action_net() {
    let err = load_bytes(&with_renamed_tensor("action_net.weight", "action_net.wXight")).unwrap_err();
    assert!(matches!(&err, PolicyError::MissingTensor(n) if n == "action_net.weight"), "{err}");
}

#[test]
fn refuses_garbage_and_missing_files() {
    assert!(matches!(load_bytes(b"not a zip"), Err(PolicyError::Zip { .. })));
    let err = PolicyModel::load_sb3(crate_root().join("model_weights/nope.zip")).unwrap_err();
    assert!(matches!(err, PolicyError::Io { .. }), "{err}");
}

#[test]
fn the_fast_tanh_stays_within_2e_7_of_libm() {
    let mut worst = 0.0f32;
    for i in -120_000..=120_000 {
        let x = i as f32 * 1e-4;
        worst = worst.max((super::tanh_fast(x) - x.tanh()).abs());
    }
    assert!(worst <= 2e-7, "worst {worst}");
    assert_eq!((super::tanh_fast(f32::INFINITY), super::tanh_fast(f32::NEG_INFINITY)), (1.0, -1.0));
    assert!(super::tanh_fast(f32::NAN).is_nan());
}
