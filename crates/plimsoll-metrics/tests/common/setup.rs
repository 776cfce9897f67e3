//! What every sync test starts from: a client of the local server, quick to give up, and the
//! options of a sync of `octo/app` over the history's window.

use std::time::Duration;

use plimsoll_metrics::time::parse_timestamp;
use plimsoll_metrics::{Client, ClientOptions, SyncOptions};

use super::github_server::GitHubServer;
use super::history::{REPO, SINCE};

pub fn client(server: &GitHubServer) -> Client {
    let mut options = ClientOptions::new(&server.url, Some("test-token".to_owned()));
    options.timeout = Duration::from_secs(1);
    options.backoff_base = Duration::from_millis(50);
    options.max_retries = 3;
    Client::new(options)
}

pub fn since() -> i64 {
    parse_timestamp(SINCE).expect("since")
}

pub fn sync_options() -> SyncOptions {
    SyncOptions {
        repo: REPO.to_owned(),
        since: since(),
        workflow: None,
        branch: None,
        now: parse_timestamp("2026-11-12T00:00:00Z").expect("now"),
        logs: false,
        junit: false,
    }
}
