//! Signing tests: sign → verify, and every rejection Kalshi makes.
use super::*;
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::signature::Signer as _;
use std::sync::OnceLock;

const PATH: &str = "/trade-api/v2/portfolio/balance";

fn kp() -> &'static KeyPair {
    static K: OnceLock<KeyPair> = OnceLock::new();
    K.get_or_init(|| generate_key_pair(1024).unwrap())
}
fn kp2048() -> &'static KeyPair {
    static K: OnceLock<KeyPair> = OnceLock::new();
    K.get_or_init(|| generate_key_pair(2048).unwrap())
}
fn signer() -> Signer {
    Signer::from_pem(&kp().key_id, &kp().private_pem).unwrap()
}
fn verifier() -> Verifier {
    Verifier::from_public_pem(&kp().public_pem).unwrap()
}

#[test]
fn sign_verify_roundtrip_and_headers() {
    let h = signer().sign(1703123456789, "get", PATH);
    assert_eq!(h.timestamp, "1703123456789");
    assert_eq!(STANDARD.decode(&h.signature).unwrap().len(), 128); // padded standard b64
    verifier().verify(&h.timestamp, "GET", PATH, &h.signature).unwrap();
    let p = h.pairs();
    assert_eq!(p[0], ("KALSHI-ACCESS-KEY", kp().key_id.as_str()));
    assert_eq!(p[1], ("KALSHI-ACCESS-TIMESTAMP", "1703123456789"));
    assert_eq!(p[2].0, "KALSHI-ACCESS-SIGNATURE");
    let now = signer().sign_now("POST", "/trade-api/ws/v2");
    verifier().verify(&now.timestamp, "POST", "/trade-api/ws/v2", &now.signature).unwrap();
    assert!(now.timestamp.parse::<i64>().unwrap() > 1_700_000_000_000);
}

#[test]
fn sign_verify_2048_and_rejects_other_key() {
    let s = Signer::from_pem("k2", &kp2048().private_pem).unwrap();
    let h = s.sign(1, "GET", PATH);
    s.verifier().verify("1", "GET", PATH, &h.signature).unwrap();
    let e = verifier().verify("1", "GET", PATH, &h.signature).unwrap_err();
    assert_eq!(e, SignError::VerificationFailed);
    assert!(e.is_recoverable());
}

#[test]
fn rejects_tampering_pkcs1v15_and_garbage() {
    let v = verifier();
    let h = signer().sign(1000, "GET", PATH);
    let bad = SignError::VerificationFailed;
    assert_eq!(v.verify("1000", "GET", "/trade-api/v2/portfolio/orders", &h.signature), Err(bad.clone()));
    assert_eq!(v.verify("1001", "GET", PATH, &h.signature), Err(bad.clone()));
    assert_eq!(v.verify("1000", "POST", PATH, &h.signature), Err(bad.clone()));
    let key = RsaPrivateKey::from_pkcs8_pem(&kp().private_pem).unwrap();
    let v15 = rsa::pkcs1v15::SigningKey::<Sha256>::new(key).sign(signing_message(1000, "GET", PATH).as_bytes());
    assert_eq!(v.verify("1000", "GET", PATH, &STANDARD.encode(v15.to_bytes())), Err(bad));
    let e = v.verify("1000", "GET", PATH, "not base64 !!").unwrap_err();
    assert!(matches!(e, SignError::BadBase64 { .. }) && e.is_recoverable());
}

#[test]
fn pkcs1_pkcs8_and_bare_content_load() {
    let key = RsaPrivateKey::from_pkcs8_pem(&kp().private_pem).unwrap();
    let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let body: Vec<&str> = kp().private_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let escaped = kp().private_pem.replace('\n', "\\n");
    let signers = [
        Signer::from_pem("k", &pkcs1).unwrap(),
        Signer::from_key_content("k", &pkcs1).unwrap(),
        Signer::from_key_content("k", &body.concat()).unwrap(),
        Signer::from_key_content("k", &body.join("\\n")).unwrap(),
        Signer::from_key_content("k", &body.join(" ")).unwrap(),
        Signer::from_key_content("k", &escaped).unwrap(),
        Signer::from_key_content("k", &pem_body(&pkcs1)).unwrap(),
    ];
    for s in &signers {
        let h = s.sign(5, "GET", PATH);
        verifier().verify("5", "GET", PATH, &h.signature).unwrap();
    }
    let pub1 = key.to_public_key().to_pkcs1_pem(LineEnding::LF).unwrap();
    let h = signer().sign(5, "GET", PATH);
    Verifier::from_public_pem(&pub1).unwrap().verify("5", "GET", PATH, &h.signature).unwrap();
    assert!(matches!(Signer::from_key_content("k", "!!!"), Err(SignError::BadKeyContent { .. })));
    assert!(matches!(Signer::from_key_content("k", "QUJD"), Err(SignError::BadKeyContent { .. })));
    assert!(matches!(
        Signer::from_pem("k", "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----"),
        Err(SignError::BadPem { .. })
    ));
}

#[test]
fn message_and_path_normalization() {
    assert_eq!(signing_message(1703123456789, "GET", PATH), "1703123456789GET/trade-api/v2/portfolio/balance");
    assert_eq!(path_for_signing("/trade-api/v2/portfolio/orders?limit=5"), "/trade-api/v2/portfolio/orders");
    assert_eq!(path_for_signing("https://demo-api.kalshi.co/trade-api/v2/portfolio/balance?x=1"), PATH);
    assert_eq!(path_for_signing("wss://api.elections.kalshi.com/trade-api/ws/v2"), "/trade-api/ws/v2");
    assert_eq!(path_for_signing("https://host?x"), "/");
    let h = signer().sign(7, "get", "https://h.example/trade-api/v2/portfolio/orders?limit=5");
    verifier().verify("7", "GET", "/trade-api/v2/portfolio/orders", &h.signature).unwrap();
}

#[test]
fn debug_redacts_and_key_id_is_stable_uuid() {
    let body = kp().private_pem.lines().nth(1).unwrap();
    let dbg = format!("{:?} {:?}", signer(), kp());
    assert!(!dbg.contains(body) && dbg.contains("<redacted>"));
    let id = key_id_for_public_pem(&kp().public_pem).unwrap();
    assert_eq!(id, kp().key_id);
    assert_eq!(verifier().derived_key_id().unwrap(), id);
    let u = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(u.get_version_num(), 4);
    assert_eq!(id, id.to_lowercase());
    let pub_pem = signer().public_pem().unwrap();
    assert_eq!(key_id_for_public_pem(&pub_pem).unwrap(), id);
    assert_ne!(kp2048().key_id, id);
    assert!(matches!(generate_key_pair(512), Err(SignError::KeyTooSmall { .. })));
    assert!(!SignError::BadPem { what: "x" }.is_recoverable());
}
