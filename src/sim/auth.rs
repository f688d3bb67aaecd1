//! Request authentication for the simulator: registered public keys, the timestamp window,
//! and RSA-PSS verification, answering with Kalshi's exact 401 bodies (kalshi-api.md §2.7).

use std::collections::HashMap;
use std::path::Path;

use crate::kalshi::rest::ErrorBody;
use crate::kalshi::sign::{self, Verifier};

/// How far a request timestamp may be from the simulator's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkewWindow {
    /// Most milliseconds a timestamp may lag the clock. Default 5 000.
    pub past_ms: i64,
    /// Most milliseconds a timestamp may lead the clock. Default 5 000.
    pub future_ms: i64,
}

impl Default for SkewWindow {
    fn default() -> Self {
        SkewWindow { past_ms: 5_000, future_ms: 5_000 }
    }
}

/// Why a request was refused; each maps to one 401 body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// A signature, key or timestamp header is absent.
    #[error("signature is missing from headers")]
    MissingHeaders,
    /// No key registered under the given id.
    #[error("unknown api key")]
    UnknownKey,
    /// The timestamp is not a number or is outside the window.
    #[error("header timestamp expired")]
    TimestampExpired,
    /// The signature does not verify (wrong message, wrong key, PKCS#1 v1.5, garbage).
    #[error("incorrect api key signature")]
    BadSignature,
}

impl AuthFailure {
    /// The exact 401 body Kalshi sends for this failure.
    pub fn body(self) -> ErrorBody {
        match self {
            AuthFailure::MissingHeaders => ErrorBody::auth_signature_missing(),
            AuthFailure::UnknownKey => ErrorBody::auth_unknown_key(),
            AuthFailure::TimestampExpired => ErrorBody::auth_timestamp_expired(),
            AuthFailure::BadSignature => ErrorBody::auth_bad_signature(),
        }
    }
}

/// The three `KALSHI-ACCESS-*` header values of one request, as received.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthHeaders<'a> {
    /// `KALSHI-ACCESS-KEY`.
    pub key_id: Option<&'a str>,
    /// `KALSHI-ACCESS-TIMESTAMP`.
    pub timestamp: Option<&'a str>,
    /// `KALSHI-ACCESS-SIGNATURE`.
    pub signature: Option<&'a str>,
}

/// Registered API keys: key id → public key. The key id also names the account.
#[derive(Clone, Default)]
pub struct KeyRegistry {
    keys: HashMap<String, Verifier>,
    window: SkewWindow,
}

impl std::fmt::Debug for KeyRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRegistry").field("keys", &self.keys.keys().collect::<Vec<_>>()).finish()
    }
}

impl KeyRegistry {
    /// An empty registry with `window`.
    pub fn new(window: SkewWindow) -> KeyRegistry {
        KeyRegistry { keys: HashMap::new(), window }
    }

    /// Registers a public key PEM under its derived key id, which is returned.
    pub fn register_pem(&mut self, public_pem: &str) -> Result<String, sign::SignError> {
        let verifier = Verifier::from_public_pem(public_pem)?;
        let id = verifier.derived_key_id()?;
        self.keys.insert(id.clone(), verifier);
        Ok(id)
    }

    /// Registers every public-key `.pem` file in `dir` and its direct subdirectories
    /// (private keys and other files are skipped). Returns the key ids added.
    pub fn register_dir(&mut self, dir: &Path) -> std::io::Result<Vec<String>> {
        let mut added = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
        for d in dirs {
            let mut files: Vec<_> = std::fs::read_dir(&d)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "pem")) {
                let text = std::fs::read_to_string(&f)?;
                if text.contains("PUBLIC KEY") {
                    if let Ok(id) = self.register_pem(&text) {
                        added.push(id);
                    }
                }
            }
        }
        Ok(added)
    }

    /// Number of registered keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is registered.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks one request signed over `method` and `path` at the simulator time `now_ms`;
    /// returns the account (key id) on success.
    pub fn authenticate<'h>(
        &self,
        headers: AuthHeaders<'h>,
        method: &str,
        path: &str,
        now_ms: i64,
    ) -> Result<&'h str, AuthFailure> {
        let (Some(key_id), Some(ts), Some(sig)) = (headers.key_id, headers.timestamp, headers.signature) else {
            return Err(AuthFailure::MissingHeaders);
        };
        let verifier = self.keys.get(key_id).ok_or(AuthFailure::UnknownKey)?;
        let ts_ms: i64 = ts.trim().parse().map_err(|_| AuthFailure::TimestampExpired)?;
        let skew = ts_ms - now_ms;
        if skew < -self.window.past_ms || skew > self.window.future_ms {
            return Err(AuthFailure::TimestampExpired);
        }
        verifier.verify(ts, method, path, sig).map_err(|_| AuthFailure::BadSignature)?;
        Ok(key_id)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::kalshi::sign::{generate_key_pair, KeyPair, Signer};

    fn pair(i: usize) -> &'static KeyPair {
        static PAIRS: OnceLock<Vec<KeyPair>> = OnceLock::new();
        &PAIRS.get_or_init(|| (0..2).map(|_| generate_key_pair(2048).unwrap()).collect())[i]
    }

    fn registry() -> (KeyRegistry, Signer) {
        let mut r = KeyRegistry::new(SkewWindow::default());
        let id = r.register_pem(&pair(0).public_pem).unwrap();
        assert_eq!(id, pair(0).key_id);
        (r, Signer::from_pem(id, &pair(0).private_pem).unwrap())
    }

    fn headers(h: &sign::AuthHeaders) -> AuthHeaders<'_> {
        AuthHeaders { key_id: Some(&h.key_id), timestamp: Some(&h.timestamp), signature: Some(&h.signature) }
    }

    const NOW: i64 = 1_795_705_445_000;
    const PATH: &str = "/trade-api/v2/portfolio/balance";

    #[test]
    fn accepts_a_good_signature_and_names_the_account() {
        let (r, s) = registry();
        let h = s.sign(NOW - 1_000, "GET", PATH);
        assert_eq!(r.authenticate(headers(&h), "GET", "/trade-api/v2/portfolio/balance?x=1", NOW), Ok(s.key_id()));
    }

    #[test]
    fn each_failure_has_its_401_body() {
        let (r, s) = registry();
        let h = s.sign(NOW, "GET", PATH);
        let mut missing = headers(&h);
        missing.signature = None;
        assert_eq!(r.authenticate(missing, "GET", PATH, NOW), Err(AuthFailure::MissingHeaders));
        let unknown = AuthHeaders { key_id: Some("nope"), ..headers(&h) };
        assert_eq!(r.authenticate(unknown, "GET", PATH, NOW), Err(AuthFailure::UnknownKey));
        assert_eq!(r.authenticate(headers(&h), "GET", PATH, NOW + 6_000), Err(AuthFailure::TimestampExpired));
        assert_eq!(r.authenticate(headers(&h), "GET", PATH, NOW - 6_000), Err(AuthFailure::TimestampExpired));
        assert_eq!(r.authenticate(headers(&h), "POST", PATH, NOW), Err(AuthFailure::BadSignature));
        assert_eq!(
            r.authenticate(headers(&h), "GET", "/trade-api/v2/portfolio/fills", NOW),
            Err(AuthFailure::BadSignature)
        );
        // Another key's signature under this key id.
        let other = Signer::from_pem(s.key_id(), &pair(1).private_pem).unwrap().sign(NOW, "GET", PATH);
        assert_eq!(r.authenticate(headers(&other), "GET", PATH, NOW), Err(AuthFailure::BadSignature));
        let bodies = [
            (AuthFailure::MissingHeaders, "signature_is_missing_from_headers"),
            (AuthFailure::UnknownKey, "NOT_FOUND"),
            (AuthFailure::TimestampExpired, "header_timestamp_expired"),
            (AuthFailure::BadSignature, "INCORRECT_API_KEY_SIGNATURE"),
        ];
        for (failure, needle) in bodies {
            assert!(failure.body().to_json().contains(needle), "{failure:?}");
        }
    }

    #[test]
    fn registers_public_keys_from_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("alice");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("public_key.pem"), &pair(0).public_pem).unwrap();
        std::fs::write(sub.join("private_key.pem"), &pair(0).private_pem).unwrap();
        std::fs::write(dir.path().join("bob.pem"), &pair(1).public_pem).unwrap();
        let mut r = KeyRegistry::default();
        let mut ids = r.register_dir(dir.path()).unwrap();
        ids.sort();
        let mut want = vec![pair(0).key_id.clone(), pair(1).key_id.clone()];
        want.sort();
        assert_eq!(ids, want);
        assert_eq!(r.len(), 2);
    }
}
