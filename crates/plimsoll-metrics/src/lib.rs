//! `plimsoll metrics`: a repository's GitHub Actions run history, synced into SQLite, and the
//! CI health figures computed from it (durations, queue time, failure rate, time to recover,
//! slowest and failing steps, flaky jobs, runner minutes), as a table, JSON or OpenMetrics.
//!
//! - [`store`]: the SQLite database and its schema migrations;
//! - [`client`] and [`sync`]: the REST API client (pagination, ETags, rate limits, retries)
//!   and the incremental sync;
//! - [`analysis`]: the figures; [`render`]: their output formats.

pub mod analysis;
pub mod api;
pub mod cache_log;
pub mod client;
pub mod error;
pub mod figures;
pub mod html;
pub mod junit;
pub mod model;
pub mod org;
pub mod render;
pub mod runners;
pub mod serve;
pub mod spread;
pub mod store;
pub mod sync;
mod tables;
pub mod test_metrics;
pub mod time;

pub use analysis::{analyse, analyse_stored, AnalysisOptions, Report};
pub use client::{Client, ClientOptions};
pub use error::{MetricsError, Result};
pub use store::Store;
pub use sync::{sync, SyncOptions, SyncSummary};
