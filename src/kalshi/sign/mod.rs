//! Kalshi request signing and verification (spec `kalshi-api.md` §2).
//!
//! Message = `timestamp_ms + METHOD + path` (path from the host root, query string removed),
//! signed with RSA-PSS / SHA-256 / MGF1(SHA-256) / 32-byte salt and sent as standard base64
//! in the `KALSHI-ACCESS-*` headers. PSS is randomized, so signatures must be *verified*
//! ([`Verifier`]), never compared as strings. Key material never appears in `Debug` output
//! or error messages.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::der::zeroize::Zeroizing;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::pss::{BlindedSigningKey, Signature, VerifyingKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier as _};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Header carrying the API key id.
pub const HEADER_ACCESS_KEY: &str = "KALSHI-ACCESS-KEY";
/// Header carrying the millisecond timestamp string that was signed.
pub const HEADER_ACCESS_TIMESTAMP: &str = "KALSHI-ACCESS-TIMESTAMP";
/// Header carrying the base64 RSA-PSS signature.
pub const HEADER_ACCESS_SIGNATURE: &str = "KALSHI-ACCESS-SIGNATURE";
/// Smallest RSA modulus accepted for signing, verifying or generation (Kalshi keys are 2048).
pub const MIN_KEY_BITS: usize = 1024;

/// Base64 decoder for bare key bodies: standard alphabet, padding optional.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Errors from loading keys, signing or verifying. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// PEM text could not be parsed as the expected kind of key (`what` names the kind).
    #[error("bad {what} pem")]
    BadPem {
        /// Which key kind was expected, e.g. "private key" or "public key".
        what: &'static str,
    },
    /// Key content is neither PEM nor base64 of a PKCS#8/PKCS#1 DER RSA private key.
    #[error("bad key content: {reason}")]
    BadKeyContent {
        /// Short, key-free description of what went wrong.
        reason: &'static str,
    },
    /// A base64 field (e.g. the signature header) did not decode.
    #[error("bad base64 in {what}")]
    BadBase64 {
        /// Which field failed to decode.
        what: &'static str,
    },
    /// The RSA modulus is smaller than [`MIN_KEY_BITS`].
    #[error("key too small: {bits} bits, need at least {min}")]
    KeyTooSmall {
        /// Modulus size of the offered key (or requested size for generation).
        bits: usize,
        /// Minimum accepted size.
        min: usize,
    },
    /// The signature does not match the message under this public key.
    #[error("signature verification failed")]
    VerificationFailed,
    /// RSA key generation (or encoding the generated key) failed.
    #[error("key generation failed")]
    KeyGenFailed,
}

impl SignError {
    /// `true` when the error concerns a single request (bad signature base64, failed
    /// verification): reject that request and carry on. `false` for key/configuration
    /// problems (bad PEM or key content, weak key, keygen failure) that a retry cannot fix.
    pub fn is_recoverable(&self) -> bool {
        matches!(self, Self::BadBase64 { .. } | Self::VerificationFailed)
    }
}

/// Current Unix time in milliseconds (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The path part that is signed: scheme and host removed (for full URLs), query string and
/// fragment removed. `https://h/trade-api/v2/x?limit=5` → `/trade-api/v2/x`.
pub fn path_for_signing(url_or_path: &str) -> &str {
    let rest = match url_or_path.find("://") {
        Some(i) => {
            let after_scheme = &url_or_path[i + 3..];
            match after_scheme.find(['/', '?', '#']) {
                Some(j) => &after_scheme[j..],
                None => "",
            }
        }
        None => url_or_path,
    };
    let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    if path.is_empty() && url_or_path.contains("://") {
        "/"
    } else {
        path
    }
}

/// The exact string that is signed: `ts_ms + METHOD (upper-cased) + path_for_signing(path)`.
pub fn signing_message(ts_ms: i64, method: &str, path: &str) -> String {
    message_from_parts(&ts_ms.to_string(), method, path)
}

fn message_from_parts(ts: &str, method: &str, path: &str) -> String {
    format!("{ts}{}{}", method.to_ascii_uppercase(), path_for_signing(path))
}

/// The three authentication header values for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// API key id (`KALSHI-ACCESS-KEY`).
    pub key_id: String,
    /// Millisecond timestamp string that was signed (`KALSHI-ACCESS-TIMESTAMP`).
    pub timestamp: String,
    /// Standard base64 (padded) RSA-PSS signature (`KALSHI-ACCESS-SIGNATURE`).
    pub signature: String,
}

impl AuthHeaders {
    /// `(header name, value)` pairs, ready to attach to an HTTP or WebSocket upgrade request.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (HEADER_ACCESS_KEY, self.key_id.as_str()),
            (HEADER_ACCESS_TIMESTAMP, self.timestamp.as_str()),
            (HEADER_ACCESS_SIGNATURE, self.signature.as_str()),
        ]
    }
}

/// Signs requests with an API key id and its RSA private key (RSA-PSS, SHA-256, salt 32).
#[derive(Clone)]
pub struct Signer {
    key_id: String,
    key: BlindedSigningKey<Sha256>,
    public: RsaPublicKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("key_id", &self.key_id).field("key", &"<redacted>").finish()
    }
}

impl Signer {
    /// Loads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    /// Literal `\n` escapes and CRLF line endings are tolerated.
    pub fn from_pem(key_id: impl Into<String>, pem: &str) -> Result<Self, SignError> {
        let text = Zeroizing::new(pem.trim().replace("\\r", "").replace("\\n", "\n"));
        let key = RsaPrivateKey::from_pkcs8_pem(&text)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&text))
            .or_else(|_| key_from_body(&pem_body(&text)))
            .map_err(|_| SignError::BadPem { what: "private key" })?;
        Self::from_key(key_id, key)
    }

    /// Loads a full PEM or a bare base64 key body (PEM without header/footer lines, on one
    /// line or several, possibly with literal `\n` escapes or spaces): PKCS#8 DER is tried
    /// first, then PKCS#1 DER.
    pub fn from_key_content(key_id: impl Into<String>, content: &str) -> Result<Self, SignError> {
        let content = content.trim().trim_matches(|c| c == '"' || c == '\'');
        if content.contains("-----BEGIN") {
            return Self::from_pem(key_id, content);
        }
        Self::from_key(key_id, key_from_body(content)?)
    }

    /// Wraps an already-parsed private key.
    pub fn from_key(key_id: impl Into<String>, key: RsaPrivateKey) -> Result<Self, SignError> {
        check_size(key.size() * 8)?;
        let public = key.to_public_key();
        Ok(Self { key_id: key_id.into(), key: BlindedSigningKey::new(key), public })
    }

    /// The API key id sent in `KALSHI-ACCESS-KEY`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs `ts_ms + METHOD + path` (see [`signing_message`]) and returns the header values.
    pub fn sign(&self, ts_ms: i64, method: &str, path: &str) -> AuthHeaders {
        let msg = signing_message(ts_ms, method, path);
        // Cannot fail: the key size was checked (>= MIN_KEY_BITS) when the signer was built.
        let sig = self.key.sign_with_rng(&mut rand::thread_rng(), msg.as_bytes());
        AuthHeaders {
            key_id: self.key_id.clone(),
            timestamp: ts_ms.to_string(),
            signature: STANDARD.encode(sig.to_bytes()),
        }
    }

    /// [`Signer::sign`] with the current system time in milliseconds.
    pub fn sign_now(&self, method: &str, path: &str) -> AuthHeaders {
        self.sign(now_ms(), method, path)
    }

    /// The matching public key as SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn public_pem(&self) -> Result<String, SignError> {
        self.public.to_public_key_pem(LineEnding::LF).map_err(|_| SignError::BadPem { what: "public key" })
    }

    /// A [`Verifier`] for signatures made by this signer.
    pub fn verifier(&self) -> Verifier {
        Verifier { key: VerifyingKey::new(self.public.clone()) }
    }
}

/// Verifies Kalshi request signatures against a registered public key (simulator side).
#[derive(Clone)]
pub struct Verifier {
    key: VerifyingKey<Sha256>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = self.key.as_ref().size() * 8;
        f.debug_struct("Verifier").field("bits", &bits).finish()
    }
}

impl Verifier {
    /// Loads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
    pub fn from_public_pem(pem: &str) -> Result<Self, SignError> {
        let key = parse_public_pem(pem)?;
        check_size(key.size() * 8)?;
        Ok(Self { key: VerifyingKey::new(key) })
    }

    /// Checks `signature_b64` over `ts_ms_str + METHOD + path` (path normalized as in
    /// [`path_for_signing`]; the timestamp string is used verbatim). Only RSA-PSS passes.
    pub fn verify(&self, ts_ms_str: &str, method: &str, path: &str, signature_b64: &str) -> Result<(), SignError> {
        let bytes = STANDARD.decode(signature_b64.trim()).map_err(|_| SignError::BadBase64 { what: "signature" })?;
        let sig = Signature::try_from(bytes.as_slice()).map_err(|_| SignError::VerificationFailed)?;
        let msg = message_from_parts(ts_ms_str, method, path);
        self.key.verify(msg.as_bytes(), &sig).map_err(|_| SignError::VerificationFailed)
    }

    /// The deterministic key id of this public key (see [`key_id_for_public_pem`]).
    pub fn derived_key_id(&self) -> Result<String, SignError> {
        key_id_for_public_key(self.key.as_ref())
    }
}

/// A freshly generated key pair. `private_pem` is a secret: `Debug` redacts it.
#[derive(Clone)]
pub struct KeyPair {
    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`) of the private key. Secret.
    pub private_pem: String,
    /// SPKI PEM (`BEGIN PUBLIC KEY`) of the public key.
    pub public_pem: String,
    /// Deterministic key id derived from the public key (UUID string).
    pub key_id: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_id", &self.key_id)
            .field("private_pem", &"<redacted>")
            .field("public_pem", &self.public_pem)
            .finish()
    }
}

/// Generates an RSA key pair of `bits` bits (use 2048 for real keys; minimum [`MIN_KEY_BITS`]).
pub fn generate_key_pair(bits: usize) -> Result<KeyPair, SignError> {
    check_size(bits)?;
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), bits).map_err(|_| SignError::KeyGenFailed)?;
    let public = key.to_public_key();
    let private_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|_| SignError::KeyGenFailed)?;
    let public_pem = public.to_public_key_pem(LineEnding::LF).map_err(|_| SignError::KeyGenFailed)?;
    Ok(KeyPair { private_pem: private_pem.to_string(), public_pem, key_id: key_id_for_public_key(&public)? })
}

/// Deterministic key id for a public key PEM (SPKI or PKCS#1): the first 16 bytes of
/// SHA-256 over the SPKI DER, with UUID version 4 / RFC 4122 variant bits set, formatted as
/// a lowercase hyphenated UUID.
pub fn key_id_for_public_pem(pem: &str) -> Result<String, SignError> {
    key_id_for_public_key(&parse_public_pem(pem)?)
}

fn key_id_for_public_key(key: &RsaPublicKey) -> Result<String, SignError> {
    let der = key.to_public_key_der().map_err(|_| SignError::BadPem { what: "public key" })?;
    let digest = Sha256::digest(der.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid().to_string())
}

fn parse_public_pem(pem: &str) -> Result<RsaPublicKey, SignError> {
    let text = pem.trim().replace("\\r", "").replace("\\n", "\n");
    RsaPublicKey::from_public_key_pem(&text)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(&text))
        .map_err(|_| SignError::BadPem { what: "public key" })
}

fn check_size(bits: usize) -> Result<(), SignError> {
    if bits < MIN_KEY_BITS {
        return Err(SignError::KeyTooSmall { bits, min: MIN_KEY_BITS });
    }
    Ok(())
}

/// The base64 body of a PEM: every line that is not a `-----` boundary line.
fn pem_body(pem: &str) -> Zeroizing<String> {
    let lines = pem.lines().filter(|l| !l.trim_start().starts_with("-----"));
    Zeroizing::new(lines.collect::<Vec<_>>().concat())
}

/// Decodes a bare base64 key body (any whitespace / literal `\n` ignored) as PKCS#8 then PKCS#1 DER.
fn key_from_body(body: &str) -> Result<RsaPrivateKey, SignError> {
    let cleaned = Zeroizing::new(
        body.replace("\\r", "").replace("\\n", "").chars().filter(|c| !c.is_whitespace()).collect::<String>(),
    );
    if cleaned.is_empty() {
        return Err(SignError::BadKeyContent { reason: "empty" });
    }
    let der = Zeroizing::new(
        LENIENT_B64.decode(cleaned.as_bytes()).map_err(|_| SignError::BadKeyContent { reason: "not base64" })?,
    );
    RsaPrivateKey::from_pkcs8_der(&der)
        .or_else(|_| RsaPrivateKey::from_pkcs1_der(&der))
        .map_err(|_| SignError::BadKeyContent { reason: "not a pkcs#8 or pkcs#1 rsa private key" })
}

#[cfg(test)]
mod tests;
