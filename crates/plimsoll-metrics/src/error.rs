//! What can go wrong while syncing, storing or reading the run history.

use std::path::PathBuf;

/// An error of the metrics engine; every variant says what it was doing and with what.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot open the metrics database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path} for the metrics database: {source}")]
    CreateFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("metrics database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error(
        "the metrics database has schema version {found}, newer than the {known} this plimsoll \
         knows: use a newer plimsoll or another --db"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("GET {url}: HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },
    #[error("GET {url}: {reason} (gave up after {attempts} attempts)")]
    Transport {
        url: String,
        reason: String,
        attempts: u32,
    },
    #[error("GET {url}: {reason}")]
    RateLimited { url: String, reason: String },
    #[error("GET {url}: the response is not the JSON GitHub documents: {source}")]
    Json {
        url: String,
        source: serde_json::Error,
    },
    #[error("GET {url}: the timestamp `{value}` is not RFC 3339")]
    Timestamp { url: String, value: String },
    #[error("`{0}` is not a repository: expected OWNER/NAME")]
    RepoName(String),
}

/// The result of the metrics engine.
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;
