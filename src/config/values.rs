//! Value types used by the configuration: redacted secrets, database URLs whose password
//! never prints, and human-readable durations (`"250ms"`, `"30s"`, `"5m"`).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Shown instead of a secret.
pub const REDACTED: &str = "<redacted>";

/// A secret string (private key, key id, password). Comes only from the environment; its
/// `Debug` and `Serialize` never show the value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Option<String>);

impl Secret {
    /// Wraps a value; an empty string means unset.
    pub fn new(v: impl Into<String>) -> Secret {
        let v = v.into();
        Secret((!v.is_empty()).then_some(v))
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// True when set.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_set() { REDACTED } else { "<unset>" })
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.is_set() { REDACTED } else { "" })
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret::new(String::deserialize(d)?))
    }
}

/// A database URL; any password inside it is redacted when printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The full URL, password included, for the connection itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with `user:password@` turned into `user:<redacted>@` and the value of a
    /// `password=` query parameter (which sqlx also reads) redacted. The password part runs
    /// to the last `@`, so a `/`, `?` or `#` left unescaped in it is hidden too (when an `@`
    /// appears later in the URL, more than the password is hidden, never less).
    pub fn redacted(&self) -> String {
        let url = redact_query_password(&self.0);
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return url;
        };
        let rest = &url[scheme_end..];
        match rest.rfind('@') {
            Some(at) => match rest[..at].find(':') {
                Some(colon) => format!("{}{}:{REDACTED}{}", &url[..scheme_end], &rest[..colon], &rest[at..]),
                None => url.clone(),
            },
            None => url.clone(),
        }
    }
}

/// `url` with the value of every `password=` query parameter (up to the next `&`) redacted.
fn redact_query_password(url: &str) -> String {
    const KEY: &str = "password=";
    let lower = url.to_ascii_lowercase();
    let (mut out, mut from) = (String::with_capacity(url.len()), 0);
    for (i, _) in lower.match_indices(KEY) {
        if i < from || !matches!(lower.as_bytes().get(i.wrapping_sub(1)), Some(b'?' | b'&')) {
            continue;
        }
        let start = i + KEY.len();
        out.push_str(&url[from..start]);
        out.push_str(REDACTED);
        from = url[start..].find('&').map_or(url.len(), |end| start + end);
    }
    out.push_str(&url[from..]);
    out
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// Serde for `Duration` as `"250ms"`, `"30s"`, `"5m"`, `"1h"`.
pub mod duration {
    use super::*;

    /// Parses `"<integer><unit>"` with unit `ms`, `s`, `m` or `h`.
    pub fn parse(s: &str) -> Result<Duration, String> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let n: u64 = num.parse().map_err(|_| format!("invalid duration {s:?}: expected e.g. \"250ms\" or \"30s\""))?;
        let ms = match unit {
            "ms" => Some(n),
            "s" => n.checked_mul(1_000),
            "m" => n.checked_mul(60_000),
            "h" => n.checked_mul(3_600_000),
            _ => return Err(format!("invalid duration {s:?}: unit must be ms, s, m or h")),
        };
        ms.map(Duration::from_millis).ok_or_else(|| format!("duration {s:?} is too long"))
    }

    /// Writes the largest exact unit.
    pub fn format(d: Duration) -> String {
        let ms = d.as_millis();
        match ms {
            0 => "0s".into(),
            _ if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
            _ if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
            _ if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
            _ => format!("{ms}ms"),
        }
    }

    /// Serde serializer.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    /// Serde deserializer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show() {
        let s = Secret::new("-----BEGIN PRIVATE KEY-----abc");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        assert_eq!(s.expose(), Some("-----BEGIN PRIVATE KEY-----abc"));
        assert!(!Secret::new("").is_set());
    }

    #[test]
    fn database_password_is_redacted() {
        let u = DatabaseUrl::new("postgres://trader:hunter2@db.local:5432/kalshi");
        assert_eq!(u.redacted(), "postgres://trader:<redacted>@db.local:5432/kalshi");
        assert!(!format!("{u:?}").contains("hunter2"));
        assert_eq!(DatabaseUrl::new("sqlite://data/x.db").redacted(), "sqlite://data/x.db");
        assert_eq!(DatabaseUrl::new("postgres://trader@h/db").redacted(), "postgres://trader@h/db");
        // A `/` left unescaped in the password, and the password as a query parameter.
        assert_eq!(DatabaseUrl::new("postgres://t:pw/x?y@h/db").redacted(), "postgres://t:<redacted>@h/db");
        assert_eq!(
            DatabaseUrl::new("postgres://t@h/db?sslmode=disable&Password=p@w&x=1").redacted(),
            "postgres://t@h/db?sslmode=disable&Password=<redacted>&x=1"
        );
        assert_eq!(
            DatabaseUrl::new("postgres://t:a@h/db?password=b").redacted(),
            "postgres://t:<redacted>@h/db?password=<redacted>"
        );
        assert_eq!(DatabaseUrl::new("postgres://h/db?mypassword=x").redacted(), "postgres://h/db?mypassword=x");
    }

    #[test]
    fn durations() {
        assert_eq!(duration::parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration::parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(duration::parse("2m"), Ok(Duration::from_secs(120)));
        assert!(duration::parse("30").is_err());
        assert!(duration::parse("s").is_err());
        assert!(duration::parse("1.5s").is_err());
        assert_eq!(duration::format(Duration::from_millis(1500)), "1500ms");
        assert_eq!(duration::format(Duration::from_secs(120)), "2m");
    }
}
