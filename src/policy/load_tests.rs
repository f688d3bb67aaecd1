//! Model resolution, cards and our safetensors format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use super::card::{architecture_of, check, save_safetensors, Expectations, ModelCard};
use super::load::{card_path, load, resolve};
use super::{PolicyError, PolicyModel};

fn weights() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model_weights")
}

fn ny_zeros() -> Expectations {
    Expectations { order_features: "zeros".into(), timezone: "America/New_York".into() }
}

fn default_card() -> ModelCard {
    ModelCard::read(&weights().join("ppo_default.card.json")).unwrap()
}

#[test]
fn names_and_paths_resolve_and_missing_models_are_named() {
    assert_eq!(resolve("", &weights()).unwrap(), weights().join("ppo_sim.safetensors"));
    assert_eq!(resolve("ppo_default", &weights()).unwrap(), weights().join("ppo_default.zip"));
    let p = weights().join("ppo_default.zip");
    assert_eq!(resolve(p.to_str().unwrap(), Path::new("/nonexistent")).unwrap(), p);
    let e = resolve("nope", &weights()).unwrap_err().to_string();
    assert!(e.contains("no model named \"nope\"") && e.contains("available: ppo_default, ppo_sim"), "{e}");
    let e = resolve("/tmp/none/x.zip", &weights()).unwrap_err().to_string();
    assert!(e.contains("no model file at /tmp/none/x.zip"), "{e}");
    assert_eq!(card_path(&p), weights().join("ppo_default.card.json"));
}

#[test]
fn the_default_model_loads_with_its_card() {
    let m = load("ppo_default", &weights(), Some(&ny_zeros())).unwrap();
    assert_eq!(m.id, "ppo_default");
    assert_eq!(m.card.as_ref().unwrap().observation.version, 1);
    assert_eq!(m.model.hidden_sizes(), [64, 64]);
}

#[test]
fn a_card_contradicting_the_configuration_is_refused_with_every_reason() {
    let e =
        load("ppo_default", &weights(), Some(&Expectations { order_features: "live".into(), timezone: "UTC".into() }))
            .unwrap_err()
            .to_string();
    assert!(e.contains("order_features = \"zeros\", configured observer.order_features = \"live\""), "{e}");
    assert!(e.contains("timezone \"America/New_York\", configured observer.timezone = \"UTC\""), "{e}");
    let mut card = default_card();
    card.observation.version = 2;
    card.observation.size = 60;
    card.actions.swap(1, 2);
    let e = check(&card, &ny_zeros()).unwrap_err().to_string();
    for part in ["contract version 2", "observation size 60", "actions [\"HOLD\", \"SELL_YES\""] {
        assert!(e.contains(part), "{part}: {e}");
    }
    assert!(check(&default_card(), &ny_zeros()).is_ok());
}

fn write_card(dir: &Path, name: &str, card: &ModelCard) {
    std::fs::write(dir.join(format!("{name}.card.json")), serde_json::to_string_pretty(card).unwrap()).unwrap();
}

#[test]
fn safetensors_round_trip_gives_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let sb3 = PolicyModel::load_sb3(weights().join("ppo_default.zip")).unwrap();
    save_safetensors(&sb3, &dir.path().join("mine.safetensors")).unwrap();
    let mut card = default_card();
    card.model = "mine".into();
    card.architecture = Some(architecture_of(&sb3));
    write_card(dir.path(), "mine", &card);
    let ours = load("mine", dir.path(), Some(&ny_zeros())).unwrap();
    assert_eq!(ours.id, "mine");
    for k in 0..20 {
        let obs: [f32; 52] = std::array::from_fn(|i| ((i * 7 + k * 13) % 17) as f32 / 8.0 - 1.0);
        assert_eq!(ours.model.logits(&obs).unwrap(), sb3.logits(&obs).unwrap());
    }
}

#[test]
fn safetensors_models_need_a_matching_architecture_in_their_card() {
    let dir = tempfile::tempdir().unwrap();
    let sb3 = PolicyModel::load_sb3(weights().join("ppo_default.zip")).unwrap();
    save_safetensors(&sb3, &dir.path().join("m.safetensors")).unwrap();
    let e = load("m", dir.path(), None).unwrap_err().to_string();
    assert!(e.contains("needs its card"), "{e}");
    let mut card = default_card();
    write_card(dir.path(), "m", &card);
    assert!(load("m", dir.path(), None).unwrap_err().to_string().contains("no `architecture`"));
    let mut arch = architecture_of(&sb3);
    arch.hidden = vec![64, 32];
    card.architecture = Some(arch.clone());
    write_card(dir.path(), "m", &card);
    assert!(matches!(load("m", dir.path(), None).unwrap_err(), PolicyError::ShapeMismatch { .. }));
    arch.hidden = vec![64, 64];
    arch.n_actions = 3;
    card.architecture = Some(arch);
    write_card(dir.path(), "m", &card);
    assert!(matches!(load("m", dir.path(), None).unwrap_err(), PolicyError::ActionCount { found: 3, expected: 5 }));
    std::fs::write(dir.path().join("m.card.json"), "{not json").unwrap();
    assert!(matches!(load("m", dir.path(), None).unwrap_err(), PolicyError::Card(_)));
}
