//! Who may use the control endpoints (halt, resume): a pure decision on the bound address,
//! the configured token and the request's `Authorization` header.
//!
//! The rule is about where the server *listens*, not where a request comes from: a server
//! bound off loopback can be reached by anyone on the network (and through proxies that
//! make every peer look local), so every mutating request must carry
//! `Authorization: Bearer <token>`; without a configured token those requests are always
//! refused, never open. On loopback the header is optional, but a header that is given
//! while a token is configured must be right: a client with a stale or mistyped token
//! learns it here rather than after the service moves off loopback.
//!
//! The token is compared in constant time (SHA-256 digests of both sides, compared
//! without an early exit, so neither content nor length leaks through timing) and never
//! appears in `Debug` output; [`ControlAuth::redact`] scrubs it from any text that is
//! echoed back (a halt reason, a JSON parser's message).

use std::borrow::Cow;
use std::net::SocketAddr;

use sha2::{Digest, Sha256};

/// What replaces the token wherever it would be echoed.
pub const REDACTED: &str = "<redacted>";

/// The verdict on one control request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The request may proceed.
    Allowed,
    /// Missing, malformed or wrong bearer token (401).
    Unauthorized,
    /// Off loopback with no token configured: control is disabled (403).
    Disabled,
}

/// The control endpoints' access rule for one listener.
#[derive(Clone)]
pub struct ControlAuth {
    loopback: bool,
    /// `None` when not configured or empty.
    token: Option<String>,
}

impl std::fmt::Debug for ControlAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlAuth")
            .field("loopback", &self.loopback)
            .field("token", &self.token.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl ControlAuth {
    /// The rule for a server bound to `bound`; an empty `token` counts as none.
    pub fn new(bound: SocketAddr, token: Option<String>) -> ControlAuth {
        // `::ffff:127.0.0.1` is loopback too.
        let loopback = bound.ip().to_canonical().is_loopback();
        ControlAuth { loopback, token: token.filter(|t| !t.is_empty()) }
    }

    /// Whether the listener is on a loopback address.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// Whether a token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The verdict for a request carrying `authorization` (the raw header value, if any).
    pub fn check(&self, authorization: Option<&[u8]>) -> Access {
        match (self.loopback, &self.token, authorization) {
            (false, None, _) => Access::Disabled,
            (true, _, None) | (true, None, Some(_)) => Access::Allowed,
            (_, Some(_), None) => Access::Unauthorized,
            (_, Some(token), Some(header)) => match bearer(header) {
                Some(given) if same_secret(given, token.as_bytes()) => Access::Allowed,
                _ => Access::Unauthorized,
            },
        }
    }

    /// `text` with every occurrence of the token replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match &self.token {
            Some(token) if text.contains(token.as_str()) => Cow::Owned(text.replace(token.as_str(), REDACTED)),
            _ => Cow::Borrowed(text),
        }
    }
}

/// The credentials of a `Bearer` header value (scheme case-insensitive, RFC 7235).
fn bearer(header: &[u8]) -> Option<&[u8]> {
    const SCHEME: &[u8] = b"bearer ";
    let scheme = header.get(..SCHEME.len())?;
    if !scheme.eq_ignore_ascii_case(SCHEME) {
        return None;
    }
    header.get(SCHEME.len()..).map(<[u8]>::trim_ascii).filter(|t| !t.is_empty())
}

/// Equality of two secrets in time independent of where (or whether) they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (da, db) = (Sha256::digest(a), Sha256::digest(b));
    let diff = da.iter().zip(db.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok-3f9a";

    fn auth(addr: &str, token: Option<&str>) -> ControlAuth {
        ControlAuth::new(addr.parse().unwrap(), token.map(str::to_owned))
    }

    #[test]
    fn off_loopback_needs_the_right_bearer_token() {
        let a = auth("0.0.0.0:8080", Some(TOKEN));
        assert!(!a.is_loopback());
        assert_eq!(a.check(None), Access::Unauthorized);
        assert_eq!(a.check(Some(b"Bearer nope")), Access::Unauthorized);
        assert_eq!(a.check(Some(b"Bearer tok-3f9")), Access::Unauthorized, "a prefix is not the token");
        assert_eq!(a.check(Some(b"Bearer tok-3f9aa")), Access::Unauthorized);
        assert_eq!(a.check(Some(b"Basic tok-3f9a")), Access::Unauthorized);
        assert_eq!(a.check(Some(b"tok-3f9a")), Access::Unauthorized);
        assert_eq!(a.check(Some(b"Bearer ")), Access::Unauthorized);
        assert_eq!(a.check(Some(b"Bearer tok-3f9a")), Access::Allowed);
        assert_eq!(a.check(Some(b"bearer  tok-3f9a ")), Access::Allowed);
    }

    #[test]
    fn off_loopback_without_a_token_is_never_open() {
        for token in [None, Some("")] {
            let a = auth("192.168.1.5:80", token);
            assert!(!a.has_token());
            assert_eq!(a.check(None), Access::Disabled);
            assert_eq!(a.check(Some(b"Bearer ")), Access::Disabled);
            assert_eq!(a.check(Some(b"Bearer anything")), Access::Disabled);
        }
        assert_eq!(auth("[::]:80", None).check(None), Access::Disabled);
    }

    #[test]
    fn loopback_needs_no_token_but_a_given_one_must_be_right() {
        for addr in ["127.0.0.1:1", "127.8.9.10:1", "[::1]:1", "[::ffff:127.0.0.1]:1"] {
            let a = auth(addr, Some(TOKEN));
            assert!(a.is_loopback(), "{addr}");
            assert_eq!(a.check(None), Access::Allowed);
            assert_eq!(a.check(Some(b"Bearer tok-3f9a")), Access::Allowed);
            assert_eq!(a.check(Some(b"Bearer wrong")), Access::Unauthorized);
            let open = auth(addr, None);
            assert_eq!(open.check(None), Access::Allowed);
            assert_eq!(open.check(Some(b"Bearer whatever")), Access::Allowed, "nothing to check against");
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_or_echoed_text() {
        let a = auth("0.0.0.0:1", Some(TOKEN));
        let debug = format!("{a:?}");
        assert!(!debug.contains(TOKEN) && debug.contains(REDACTED), "{debug}");
        assert_eq!(a.redact("x tok-3f9a y tok-3f9a"), format!("x {REDACTED} y {REDACTED}"));
        assert!(matches!(a.redact("nothing secret"), Cow::Borrowed("nothing secret")));
        assert_eq!(auth("0.0.0.0:1", None).redact("tok-3f9a"), "tok-3f9a");
    }
}
