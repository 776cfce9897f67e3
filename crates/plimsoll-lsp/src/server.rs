//! The server: the initialize handshake, then one loop over the editor's messages that keeps the
//! open documents, checks them in memory and publishes what it finds.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionParams, CodeActionProviderCapability, CodeDescription, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    MarkupContent, MarkupKind, MessageType, NumberOrString, Position, PositionEncodingKind,
    PublishDiagnosticsParams, Range, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri,
    WorkspaceEdit,
};
use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::fix::{self, Applicability, Fix};
use plimsoll_check::pins;
use plimsoll_check::{Finding, RuleMeta, Severity};

use crate::document::Document;
use crate::position::{contains, overlaps, saturating_u32, Positions};
use crate::{uri, LspError};

/// The id of the file watcher registered for the configuration files.
const WATCHER_REGISTRATION: &str = "plimsoll-configuration";

/// Files whose change changes the settings: `plimsoll.toml`, its `plimsoll.<env>.toml`
/// layers, and actionlint's configuration, whose runner labels plimsoll reads.
const CONFIGURATION_GLOBS: &[&str] = &[
    "**/plimsoll.toml",
    "**/plimsoll.*.toml",
    "**/.github/actionlint.yaml",
    "**/.github/actionlint.yml",
];

/// Answer the `initialize` request on `connection`, then serve until the editor says `exit`.
pub fn run(connection: Connection) -> Result<(), LspError> {
    let (id, params) = connection.initialize_start()?;
    // A client that sends odd capabilities still gets a server: every field is optional.
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "plimsoll".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    // This waits for the editor's `initialized`, after which the server may send requests.
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server::new(connection, &params);
    server.watch_configuration()?;
    server.serve()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// An open document and what was last found in it.
struct Open {
    document: Document,
    /// The file it is, when its URI names a local file (an unsaved `untitled:` buffer has no
    /// place, so no kind, and is not checked).
    path: Option<PathBuf>,
    /// What the last check found, in the document's positions.
    findings: Vec<Located>,
}

/// A finding with its range in the document.
struct Located {
    range: Range,
    rule: &'static RuleMeta,
    severity: Severity,
    message: String,
    help: String,
    /// The rule's fix, with byte spans in the text after any byte-order mark.
    fix: Option<Fix>,
}

struct Server {
    connection: Connection,
    /// The workspace folders, deepest first, so a file belongs to the innermost one.
    roots: Vec<PathBuf>,
    documents: HashMap<Uri, Open>,
    /// Settings loaded for each root, until a configuration file changes.
    settings: HashMap<PathBuf, Arc<Settings>>,
    /// Documents changed since their diagnostics were last published.
    stale: BTreeSet<String>,
    /// Whether the client lets the server register a file watcher.
    can_watch_files: bool,
    shutdown_requested: bool,
}

/// What the loop does after a message.
#[derive(PartialEq)]
enum Flow {
    Continue,
    Exit,
}

impl Server {
    fn new(connection: Connection, params: &InitializeParams) -> Self {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| uri::to_path(folder.uri.as_str()))
            .collect();
        #[allow(deprecated)] // Older clients send only `rootUri`.
        if roots.is_empty() {
            roots.extend(
                params
                    .root_uri
                    .as_ref()
                    .and_then(|root| uri::to_path(root.as_str())),
            );
        }
        roots.sort_by_key(|root| std::cmp::Reverse(root.components().count()));
        let can_watch_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        Server {
            connection,
            roots,
            documents: HashMap::new(),
            settings: HashMap::new(),
            stale: BTreeSet::new(),
            can_watch_files,
            shutdown_requested: false,
        }
    }

    fn serve(mut self) -> Result<(), LspError> {
        while let Ok(message) = self.connection.receiver.recv() {
            if self.handle(message)? == Flow::Exit {
                return Ok(());
            }
            // Edits typed in a burst are all applied before the document is checked once.
            while let Ok(message) = self.connection.receiver.try_recv() {
                if self.handle(message)? == Flow::Exit {
                    return Ok(());
                }
            }
            self.publish_stale()?;
        }
        Err(LspError::Disconnected)
    }

    fn handle(&mut self, message: Message) -> Result<Flow, LspError> {
        match message {
            Message::Request(request) => self.on_request(request),
            Message::Notification(notification) => self.on_notification(notification),
            // The only requests the server sends are registrations; their answer changes nothing.
            Message::Response(response) => {
                if let Some(error) = response.error {
                    tracing::info!("the editor refused a registration: {}", error.message);
                }
                Ok(Flow::Continue)
            }
        }
    }

    fn on_request(&mut self, request: Request) -> Result<Flow, LspError> {
        if request.method == request::Shutdown::METHOD {
            self.shutdown_requested = true;
            self.send(Response::new_ok(request.id, ()))?;
            return Ok(Flow::Continue);
        }
        if self.shutdown_requested {
            return self.reply_error(
                request.id,
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            );
        }
        match request.method.as_str() {
            request::HoverRequest::METHOD => {
                match serde_json::from_value::<HoverParams>(request.params) {
                    Ok(params) => {
                        let hover = self.hover(params);
                        self.send(Response::new_ok(request.id, hover))?;
                    }
                    Err(err) => {
                        return self.reply_error(
                            request.id,
                            ErrorCode::InvalidParams,
                            err.to_string(),
                        )
                    }
                }
            }
            request::CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => {
                        let actions = self.code_actions(params)?;
                        self.send(Response::new_ok(request.id, actions))?;
                    }
                    Err(err) => {
                        return self.reply_error(
                            request.id,
                            ErrorCode::InvalidParams,
                            err.to_string(),
                        )
                    }
                }
            }
            method => {
                return self.reply_error(
                    request.id,
                    ErrorCode::MethodNotFound,
                    format!("plimsoll does not answer `{method}`"),
                )
            }
        }
        Ok(Flow::Continue)
    }

    fn on_notification(&mut self, notification: Notification) -> Result<Flow, LspError> {
        let method = notification.method.clone();
        let result = match method.as_str() {
            notification::Exit::METHOD => {
                return if self.shutdown_requested {
                    Ok(Flow::Exit)
                } else {
                    Err(LspError::ExitWithoutShutdown)
                };
            }
            notification::DidOpenTextDocument::METHOD => notification
                .extract::<DidOpenTextDocumentParams>(&method)
                .map(|params| self.open(params)),
            notification::DidChangeTextDocument::METHOD => notification
                .extract::<DidChangeTextDocumentParams>(&method)
                .map(|params| self.change(params)),
            notification::DidCloseTextDocument::METHOD => {
                match notification.extract::<DidCloseTextDocumentParams>(&method) {
                    Ok(params) => {
                        self.documents.remove(&params.text_document.uri);
                        self.stale.remove(params.text_document.uri.as_str());
                        // The problems panel forgets a closed file.
                        self.publish(params.text_document.uri, Vec::new(), None)?;
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                match notification.extract::<DidSaveTextDocumentParams>(&method) {
                    Ok(params) => {
                        if is_configuration(params.text_document.uri.as_str()) {
                            self.reload_configuration();
                        }
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
            notification::DidChangeWatchedFiles::METHOD => {
                match notification.extract::<DidChangeWatchedFilesParams>(&method) {
                    Ok(params) => {
                        if params
                            .changes
                            .iter()
                            .any(|change| is_configuration(change.uri.as_str()))
                        {
                            self.reload_configuration();
                        }
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
            // `$/cancelRequest`, `$/setTrace` and others need no answer.
            _ => Ok(()),
        };
        if let Err(err) = result {
            tracing::warn!("ignored a `{method}` notification: {err}");
        }
        Ok(Flow::Continue)
    }

    fn open(&mut self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let path = uri::to_path(item.uri.as_str());
        self.stale.insert(item.uri.as_str().to_string());
        self.documents.insert(
            item.uri,
            Open {
                document: Document {
                    text: item.text,
                    version: item.version,
                },
                path,
                findings: Vec::new(),
            },
        );
    }

    fn change(&mut self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(open) = self.documents.get_mut(&uri) else {
            tracing::warn!("a change to {} which is not open", uri.as_str());
            return;
        };
        open.document
            .apply(params.content_changes, params.text_document.version);
        self.stale.insert(uri.as_str().to_string());
    }

    /// Ask the client to tell the server when a configuration file changes on disk, by
    /// another program or in the editor.
    fn watch_configuration(&mut self) -> Result<(), LspError> {
        if !self.can_watch_files {
            return Ok(());
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: CONFIGURATION_GLOBS
                .iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*glob).to_string()),
                    kind: None,
                })
                .collect(),
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: WATCHER_REGISTRATION.into(),
                method: notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(serde_json::to_value(options)?),
            }],
        };
        let request = Request::new(
            RequestId::from(WATCHER_REGISTRATION.to_string()),
            request::RegisterCapability::METHOD.into(),
            params,
        );
        self.send(request)
    }

    /// Forget the settings and check every open document again.
    fn reload_configuration(&mut self) {
        tracing::info!("configuration changed: reloading");
        self.settings.clear();
        self.stale
            .extend(self.documents.keys().map(|uri| uri.as_str().to_string()));
    }

    /// Check and publish every document changed since it was last published.
    fn publish_stale(&mut self) -> Result<(), LspError> {
        let stale = std::mem::take(&mut self.stale);
        for key in stale {
            let Ok(uri) = Uri::from_str(&key) else {
                continue;
            };
            self.recheck(&uri)?;
            if let Some(open) = self.documents.get(&uri) {
                let diagnostics = open.findings.iter().map(to_diagnostic).collect();
                let version = Some(open.document.version);
                self.publish(uri, diagnostics, version)?;
            }
        }
        Ok(())
    }

    /// Check `uri` again from its current text.
    fn recheck(&mut self, uri: &Uri) -> Result<(), LspError> {
        let Some(path) = self.documents.get(uri).and_then(|open| open.path.clone()) else {
            return Ok(());
        };
        let root = self.root_of(&path);
        let settings = self.settings_for(&root)?;
        let Some(open) = self.documents.get_mut(uri) else {
            return Ok(());
        };
        open.findings = check(&path, &open.document.text, &root, &settings);
        Ok(())
    }

    /// The folder a run over the workspace would be named on for `path`: the innermost
    /// workspace folder holding it; outside every one, its repository, or its own folder.
    fn root_of(&self, path: &Path) -> PathBuf {
        if let Some(root) = self.roots.iter().find(|root| path.starts_with(root)) {
            return root.clone();
        }
        let folder = path.parent().unwrap_or(Path::new("/"));
        plimsoll_check::discovery::repository_root(folder).unwrap_or_else(|| folder.to_path_buf())
    }

    /// The settings for a run over `root`, loaded once: a configuration error is shown to the
    /// user and the built-in defaults apply until it is fixed.
    fn settings_for(&mut self, root: &Path) -> Result<Arc<Settings>, LspError> {
        if let Some(settings) = self.settings.get(root) {
            return Ok(settings.clone());
        }
        let env = |name: &str| std::env::var(name).ok();
        let mut settings = match Settings::load(root, &env, &Overrides::default()) {
            Ok(settings) => settings,
            Err(err) => {
                let message = plimsoll_check::secrets::log::redact_text(&format!(
                    "plimsoll: the configuration is not used: {err}"
                ))
                .into_owned();
                self.send(Notification::new(
                    notification::ShowMessage::METHOD.into(),
                    ShowMessageParams {
                        typ: MessageType::ERROR,
                        message,
                    },
                ))?;
                Settings::default()
            }
        };
        // The pinning quick fix uses the refs `check --fix` resolved before, from the cache:
        // an editor must not wait on the network, nor reach it on every keystroke.
        let cache = pins::RefCache::load(pins::RefCache::default_path(&env));
        settings.github_actions.pins = Arc::new(cache.resolved(&pins::server(&env), pins::now()));
        let settings = Arc::new(settings);
        self.settings.insert(root.to_path_buf(), settings.clone());
        Ok(settings)
    }

    fn hover(&mut self, params: HoverParams) -> Option<Hover> {
        let uri = params.text_document_position_params.text_document.uri;
        let position = params.text_document_position_params.position;
        // A hover between an edit and its diagnostics sees the current text.
        if self.stale.contains(uri.as_str()) {
            // Failing to tell the user of a configuration error is no reason to fail the hover.
            let _ = self.recheck(&uri);
        }
        let open = self.documents.get(&uri)?;
        let under: Vec<&Located> = open
            .findings
            .iter()
            .filter(|finding| contains(&finding.range, position))
            .collect();
        let first = under.first()?;
        let sections: Vec<String> = under.iter().map(|finding| hover_text(finding)).collect();
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: sections.join("\n\n---\n\n"),
            }),
            range: Some(first.range),
        })
    }

    /// The quick fixes of the findings in `params.range`, safe ones preferred, and a source
    /// action applying every safe fix of the file (as `plimsoll check --fix` would).
    fn code_actions(
        &mut self,
        params: CodeActionParams,
    ) -> Result<Vec<CodeActionOrCommand>, LspError> {
        let uri = params.text_document.uri;
        if self.stale.contains(uri.as_str()) {
            self.recheck(&uri)?;
        }
        let Some(open) = self.documents.get(&uri) else {
            return Ok(Vec::new());
        };
        let wanted = |kind: &CodeActionKind| {
            params.context.only.as_ref().is_none_or(|only| {
                only.iter().any(|asked| {
                    kind.as_str() == asked.as_str()
                        || kind.as_str().starts_with(&format!("{}.", asked.as_str()))
                })
            })
        };
        let text = &open.document.text;
        let positions = Positions::new(text);
        // Fix spans count from after a byte-order mark; the editor's text holds it.
        let bom = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let edits_of = |fix: &Fix| -> Vec<TextEdit> {
            fix.edits
                .iter()
                .map(|edit| TextEdit {
                    range: positions.range(edit.span.start + bom, edit.span.end + bom),
                    new_text: edit.replacement.clone(),
                })
                .collect()
        };
        let workspace_edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        };
        let mut actions = Vec::new();
        if wanted(&CodeActionKind::QUICKFIX) {
            for finding in open
                .findings
                .iter()
                .filter(|finding| overlaps(&finding.range, &params.range))
            {
                let Some(fix) = &finding.fix else {
                    continue;
                };
                let safe = fix.applicability == Applicability::Safe;
                let caution = if safe { "" } else { " (changes behaviour)" };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{}{caution} [{}]", fix.message, finding.rule.name),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![to_diagnostic(finding)]),
                    edit: Some(workspace_edit(edits_of(fix))),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
        }
        if wanted(&CodeActionKind::QUICKFIX) && open.path.as_deref().is_some_and(has_hash_comments)
        {
            let mut offered: Vec<(u32, &str)> = Vec::new();
            for finding in open.findings.iter().filter(|finding| {
                overlaps(&finding.range, &params.range)
                    && finding.rule.domain != plimsoll_check::Domain::Engine
            }) {
                let line = finding.range.start.line;
                if offered.contains(&(line, finding.rule.name)) {
                    continue;
                }
                offered.push((line, finding.rule.name));
                let edit = suppression(text, &positions, line, finding.rule.name);
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Suppress `{}` on this line", finding.rule.name),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![to_diagnostic(finding)]),
                    edit: Some(workspace_edit(vec![edit])),
                    is_preferred: Some(false),
                    ..CodeAction::default()
                }));
            }
        }
        let any_safe_fix = open.findings.iter().any(|finding| {
            finding
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe)
        });
        if any_safe_fix && wanted(&CodeActionKind::SOURCE_FIX_ALL) {
            if let Some(path) = &open.path {
                let root = self.root_of(path);
                let settings = self.settings.get(&root).cloned().unwrap_or_default();
                let fixed = plimsoll_check::fixer::fix_text(path, &text[bom..], &settings, false);
                if fixed.changed(&text[bom..]) {
                    let whole = TextEdit {
                        range: positions.range(bom, text.len()),
                        new_text: fixed.text,
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!(
                            "plimsoll: apply {} safe fix(es) in this file",
                            fixed.applied.len()
                        ),
                        kind: Some(CodeActionKind::SOURCE_FIX_ALL),
                        edit: Some(workspace_edit(vec![whole])),
                        ..CodeAction::default()
                    }));
                }
            }
        }
        Ok(actions)
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), LspError> {
        self.send(Notification::new(
            notification::PublishDiagnostics::METHOD.into(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ))
    }

    fn reply_error(
        &self,
        id: RequestId,
        code: ErrorCode,
        message: String,
    ) -> Result<Flow, LspError> {
        self.send(Response::new_err(id, code as i32, message))?;
        Ok(Flow::Continue)
    }

    fn send(&self, message: impl Into<Message>) -> Result<(), LspError> {
        self.connection
            .sender
            .send(message.into())
            .map_err(|_| LspError::Disconnected)
    }
}

/// Whether `#` starts a comment in `path`: the YAML, Dockerfiles and Terraform plimsoll checks,
/// and the shell, Python, TOML and dotenv files its secrets rules read.
fn has_hash_comments(path: &Path) -> bool {
    if plimsoll_check::discovery::FileKind::from_path(path).is_some() {
        return true;
    }
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    name.starts_with(".env")
        || matches!(
            extension.as_str(),
            "yml" | "yaml" | "sh" | "bash" | "py" | "toml" | "rb" | "env"
        )
}

/// The edit that puts `# plimsoll: ignore[rule]` on its own line above `line`, indented as
/// `line` is (so a YAML block stays whole) and ending as the file's lines end.
fn suppression(text: &str, positions: &Positions<'_>, line: u32, rule: &str) -> TextEdit {
    let start = positions.offset(Position { line, character: 0 });
    let indentation = fix::indentation(text, start);
    let at = positions.position(start);
    TextEdit {
        range: Range { start: at, end: at },
        new_text: format!(
            "{indentation}# plimsoll: ignore[{rule}]{}",
            fix::line_ending(text)
        ),
    }
}

/// Whether `uri` names a file whose change changes the settings.
fn is_configuration(uri: &str) -> bool {
    let Some(name) = uri.rsplit('/').next() else {
        return false;
    };
    let is_plimsoll = name == "plimsoll.toml"
        || name
            .strip_prefix("plimsoll.")
            .is_some_and(|rest| rest.ends_with(".toml"));
    let is_actionlint = matches!(name, "actionlint.yaml" | "actionlint.yml")
        && uri.trim_end_matches(name).ends_with("/.github/");
    is_plimsoll || is_actionlint
}

/// Check `text` as the content of `path` in the workspace `root`.
fn check(path: &Path, text: &str, root: &Path, settings: &Settings) -> Vec<Located> {
    // The engine drops a byte-order mark and counts from after it; the editor counts it.
    let bom = text.starts_with('\u{feff}');
    let report = plimsoll_check::check_buffer(path, text, root, settings);
    report
        .findings
        .into_iter()
        // Only the file's own findings: a rule over several files may point at another.
        .filter(|finding| finding.location.path == path)
        .map(|finding| locate(finding, bom))
        .collect()
}

fn locate(finding: Finding, bom: bool) -> Located {
    let location = &finding.location;
    let position = |line: usize, utf16_column: usize| {
        let line = line.saturating_sub(1);
        let shift = usize::from(bom && line == 0);
        Position {
            line: saturating_u32(line),
            character: saturating_u32(utf16_column.saturating_sub(1) + shift),
        }
    };
    Located {
        range: Range {
            start: position(location.start.line, location.start_utf16),
            end: position(location.end.line, location.end_utf16),
        },
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        help: finding.help,
        fix: finding.fix,
    }
}

fn to_diagnostic(finding: &Located) -> lsp_types::Diagnostic {
    let severity = match finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    };
    let message = if finding.help.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\nhelp: {}", finding.message, finding.help)
    };
    lsp_types::Diagnostic {
        range: finding.range,
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule.name.to_string())),
        code_description: Uri::from_str(&finding.rule.doc_uri())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("plimsoll".into()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

/// The hover of a finding: what it says, then its rule's documentation.
fn hover_text(finding: &Located) -> String {
    let rule = finding.rule;
    format!(
        "**plimsoll** [`{}`]({}) ({}, {}): {}\n\n{}",
        rule.name,
        rule.doc_uri(),
        rule.id,
        finding.severity,
        finding.message,
        rule.documentation()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_counts_as_the_editor_counts_it() {
        let root = Path::new("/nonexistent-workspace");
        let path = root.join("Dockerfile");
        let settings = Settings::default();
        let range_of = |text: &str| {
            check(&path, text, root, &settings)
                .into_iter()
                .find(|finding| finding.rule.name == "unpinned-base-image")
                .map(|finding| {
                    let (start, end) = (finding.range.start, finding.range.end);
                    (start.line, start.character, end.line, end.character)
                })
        };
        let text = "FROM ubuntu:latest\nUSER app\n";
        assert_eq!(range_of(text), Some((0, 5, 0, 18)));
        // The mark is one UTF-16 unit on the first line, and nothing on the others.
        assert_eq!(range_of(&format!("\u{feff}{text}")), Some((0, 6, 0, 19)));
        let below = format!("\u{feff}# 🚀\n{text}");
        assert_eq!(range_of(&below), Some((1, 5, 1, 18)));
    }

    #[test]
    fn configuration_files_are_told_from_others() {
        for uri in [
            "file:///w/plimsoll.toml",
            "file:///w/plimsoll.ci.toml",
            "file:///w/.github/actionlint.yaml",
        ] {
            assert!(is_configuration(uri), "{uri}");
        }
        for uri in [
            "file:///w/Cargo.toml",
            "file:///w/actionlint.yaml",
            "file:///w/plimsoll.toml.bak",
        ] {
            assert!(!is_configuration(uri), "{uri}");
        }
    }
}
