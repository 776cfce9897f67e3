//! plimsoll's language server (`plimsoll lsp`): the editor sends the text of each DevOps file
//! it opens and every edit to it; the server checks that text in memory with the same
//! classification, rules and configuration as `plimsoll check` over the workspace, and
//! publishes the findings as diagnostics, with each rule's documentation on hover and the rules'
//! fixes as code actions.
//!
//! - [`server`] holds the loop over the editor's messages (the `lsp-server` transport, as
//!   rust-analyzer uses it);
//! - [`document`] keeps open documents in step with incremental edits;
//! - [`position`] converts the protocol's UTF-16 positions to byte offsets and back;
//! - [`uri`] turns `file:` URIs into paths.

pub mod document;
pub mod position;
pub mod server;
pub mod uri;

/// Why the server stopped other than by the editor's `shutdown` then `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The editor did not follow the protocol (no `initialize` first, a malformed message).
    #[error("the editor broke the protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The connection closed without `exit`.
    #[error("the editor closed the connection without `exit`")]
    Disconnected,
    /// The editor said `exit` without `shutdown` first (the protocol's exit code is then 1).
    #[error("the editor sent `exit` without `shutdown` first")]
    ExitWithoutShutdown,
    /// A message could not be encoded.
    #[error("cannot encode a message: {0}")]
    Json(#[from] serde_json::Error),
    /// Standard input or output failed.
    #[error("standard input or output failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Serve the editor over standard input and output until it says `exit`.
pub fn run_stdio() -> Result<(), LspError> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    server::run(connection)?;
    io_threads.join()?;
    Ok(())
}
