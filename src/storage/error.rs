//! `StoreError`: why a storage call failed, and whether retrying can help.
//!
//! The Persister keeps its records and retries with backoff on a recoverable error (a lost
//! connection, an I/O error, a busy or locked database, a full disk, a serialization
//! failure); anything else (a bad URL, a schema or decode problem, a constraint violation)
//! will fail the same way again and must stop the session.

use std::path::PathBuf;

use sqlx::migrate::MigrateError;
use thiserror::Error;

/// A storage failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The URL names no supported database (not recoverable).
    #[error("unsupported database url {0:?}: expected sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// The directory of the SQLite file could not be created (not recoverable).
    #[error("cannot create database directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database or the connection failed; see [`StoreError::is_recoverable`].
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the migrations failed (recoverable only when the connection failed).
    #[error("migration failed: {0}")]
    Migrate(#[from] MigrateError),
    /// Records were written to, or a session closed, that does not exist (not recoverable).
    #[error("session {0} does not exist")]
    UnknownSession(i64),
    /// A stored row could not be turned back into a record (not recoverable).
    #[error("corrupt row {id} in {table}: {reason}")]
    Decode {
        /// Table of the row.
        table: &'static str,
        /// Row id.
        id: i64,
        /// What was wrong.
        reason: String,
    },
    /// A value cannot be represented in the database (not recoverable).
    #[error("value out of range: {0}")]
    OutOfRange(String),
}

impl StoreError {
    /// True when retrying the same call later may succeed.
    pub fn is_recoverable(&self) -> bool {
        match self {
            StoreError::Database(e) => sqlx_recoverable(e),
            StoreError::Migrate(MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _)) => sqlx_recoverable(e),
            _ => false,
        }
    }
}

fn sqlx_recoverable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                sqlite_code_recoverable(&code)
            } else {
                sqlstate_recoverable(&code)
            }
        }
        _ => false,
    }
}

/// Whether an SQLite extended result code (decimal; the primary code is its low byte)
/// means "try again later": BUSY, LOCKED, NOMEM, IOERR, FULL, CANTOPEN, PROTOCOL.
fn sqlite_code_recoverable(code: &str) -> bool {
    code.parse::<u32>().is_ok_and(|extended| matches!(extended & 0xff, 5 | 6 | 7 | 10 | 13 | 14 | 15))
}

/// Whether a PostgreSQL SQLSTATE means "try again later": connection exception,
/// insufficient resources, operator intervention (shutdown, cannot connect now), system
/// error, lock not available, serialization failure, deadlock.
fn sqlstate_recoverable(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || code.starts_with("58")
        || matches!(code, "55P03" | "40001" | "40P01")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        // SQLite: BUSY, BUSY_SNAPSHOT (517), LOCKED, IOERR_WRITE (778), FULL.
        for code in ["5", "517", "6", "778", "13", "14"] {
            assert!(sqlite_code_recoverable(code), "{code}");
        }
        // SQLite: CONSTRAINT_PRIMARYKEY (1555), ERROR, CORRUPT, READONLY.
        for code in ["1555", "1", "11", "8", ""] {
            assert!(!sqlite_code_recoverable(code), "{code}");
        }
        for code in ["08006", "08001", "57P01", "57P03", "53100", "40001", "40P01", "55P03"] {
            assert!(sqlstate_recoverable(code), "{code}");
        }
        // Unique violation, undefined table, syntax error, check violation.
        for code in ["23505", "42P01", "42601", "23514", ""] {
            assert!(!sqlstate_recoverable(code), "{code}");
        }
    }

    #[test]
    fn classification() {
        let io = || sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        assert!(StoreError::Database(io()).is_recoverable());
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_recoverable());
        assert!(StoreError::Migrate(MigrateError::Execute(io())).is_recoverable());
        assert!(!StoreError::Migrate(MigrateError::VersionMismatch(1)).is_recoverable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_recoverable());
        assert!(!StoreError::Database(sqlx::Error::ColumnNotFound("x".into())).is_recoverable());
        assert!(!StoreError::UnsupportedUrl("mysql://x".into()).is_recoverable());
        assert!(!StoreError::UnknownSession(4).is_recoverable());
        assert!(!StoreError::OutOfRange("seq".into()).is_recoverable());
        let decode = StoreError::Decode { table: "rl_orderbook_deltas", id: 3, reason: "side \"x\"".into() };
        assert!(!decode.is_recoverable());
        assert_eq!(decode.to_string(), "corrupt row 3 in rl_orderbook_deltas: side \"x\"");
    }
}
