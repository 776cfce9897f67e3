//! `plimsoll lsp` driven as an editor drives it: the real binary, spoken to over its standard
//! input and output with the protocol's framing, through the whole life of a session.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

mod common;
use common::write;

/// How long a test waits for one message before failing rather than hanging.
const PATIENCE: Duration = Duration::from_secs(20);

/// A workflow whose findings sit after non-ASCII text: the emoji takes two UTF-16 units and
/// four bytes, each CJK character one unit and three bytes.
const WORKFLOW: &str = "name: CI 🚀
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - { name: \"🚀 構築\", uses: actions/checkout@main }
      - run: make
        continue-on-error: true
";

struct Editor {
    server: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    /// Everything the server wrote, to search for text it must never show.
    transcript: String,
}

impl Editor {
    fn start(root: &Path) -> Editor {
        Editor::start_with(root, &[])
    }

    /// Start the server in `root` with the environment variables `env` set.
    fn start_with(root: &Path, env: &[(&str, &Path)]) -> Editor {
        let mut server = Command::new(assert_cmd::cargo::cargo_bin("plimsoll"))
            .arg("lsp")
            .current_dir(root)
            .envs(env.iter().copied())
            .env_remove("PLIMSOLL_DISABLE")
            .env_remove("PLIMSOLL_ENABLE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let input = server.stdin.take().unwrap();
        let output = server.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut output = BufReader::new(output);
            while let Some(message) = read_message(&mut output) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Editor {
            server,
            input,
            messages,
            next_id: 0,
            transcript: String::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message for which `wanted` holds; the ones before it are dropped.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no {what} from the server"));
            self.transcript.push_str(&message.to_string());
            if wanted(&message) {
                return message;
            }
        }
    }

    fn response(&mut self, id: u64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(&format!("diagnostics of {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path) {
        let id = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri_of(root),
                "workspaceFolders": [{"uri": uri_of(root), "name": "w"}],
                "capabilities": {
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                    "textDocument": {"hover": {"contentFormat": ["markdown"]}}
                }
            }),
        );
        let result = self.response(id);
        let capabilities = &result["result"]["capabilities"];
        assert_eq!(capabilities["positionEncoding"], "utf-16");
        assert_eq!(capabilities["textDocumentSync"]["change"], 2, "incremental");
        assert_eq!(capabilities["hoverProvider"], true);
        assert_eq!(
            capabilities["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.fixAll"])
        );
        self.notify("initialized", json!({}));
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri_of(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        uri
    }

    fn shut_down(mut self) -> std::process::ExitStatus {
        let id = self.request("shutdown", Value::Null);
        assert_eq!(self.response(id)["result"], Value::Null);
        self.notify("exit", Value::Null);
        wait(&mut self.server)
    }
}

fn wait(server: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(status) = server.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill().unwrap();
    panic!("the server did not exit");
}

fn read_message(output: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if output.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    output.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri_of(path: &Path) -> String {
    let path = path.to_str().unwrap();
    format!("file://{}", path.replace(' ', "%20"))
}

fn range(diagnostic: &Value) -> (u64, u64, u64, u64) {
    let r = &diagnostic["range"];
    let n = |v: &Value| v.as_u64().unwrap();
    (
        n(&r["start"]["line"]),
        n(&r["start"]["character"]),
        n(&r["end"]["line"]),
        n(&r["end"]["character"]),
    )
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

fn position(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

#[test]
fn an_editor_session_gets_diagnostics_hover_and_updates_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    // A folder name with a space: the URI escapes it.
    let root = dir.path().join("my repo");
    let workflow = write(&root, ".github/workflows/ci.yml", "on: push\n");
    let mut editor = Editor::start(&root);
    editor.initialize(&root);
    // The server watches the configuration files through the editor.
    let registration = editor.wait_for("a watcher registration", |m| {
        m["method"] == "client/registerCapability"
    });
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    let globs = registered["registerOptions"]["watchers"].to_string();
    assert!(globs.contains("**/plimsoll.toml"), "{globs}");
    editor.send(json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));

    // The buffer, not the file on disk (`on: push` only), is what is checked.
    let uri = editor.open(&workflow, WORKFLOW);
    let diagnostics = editor.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        ["unpinned-action", "continue-on-error"]
    );
    let unpinned = &diagnostics[0];
    // `main` of `actions/checkout@main` on line 9: characters 47..51 counted in scalar values,
    // 48..52 in UTF-16 units (the emoji is two).
    assert_eq!(range(unpinned), (8, 48, 8, 52));
    assert_eq!(unpinned["severity"], 1);
    assert_eq!(unpinned["source"], "plimsoll");
    assert!(unpinned["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/docs/rules.md#unpinned-action"));
    assert!(unpinned["message"]
        .as_str()
        .unwrap()
        .contains("`actions/checkout@main` follows the branch `main`"));
    assert_eq!(range(&diagnostics[1]), (10, 8, 10, 31));

    // Hover on the finding shows the rule's documentation; elsewhere, nothing.
    let id = editor.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(8, 50)}),
    );
    let hover = editor.response(id);
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");
    assert!(text.contains("[`unpinned-action`]"), "{text}");
    assert!(text.contains("## What it does"), "{text}");
    assert!(text.contains("## Use instead"), "{text}");
    assert_eq!(range(&hover["result"]), (8, 48, 8, 52));
    let id = editor.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(0, 3)}),
    );
    assert_eq!(editor.response(id)["result"], Value::Null);

    // An incremental edit in UTF-16 positions after the emoji: `main` becomes `v4`, and the
    // step loses `continue-on-error` (line 10, the whole line with its break).
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {"range": {"start": position(8, 48), "end": position(8, 52)}, "text": "v4"},
                {"range": {"start": position(10, 0), "end": position(11, 0)}, "text": ""}
            ]
        }),
    );
    assert_eq!(editor.diagnostics(&uri, 2), Vec::<Value>::new());

    // Typing a new problem brings a finding back, where it is now.
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [
                {"range": {"start": position(7, 0), "end": position(7, 0)}, "text": "    continue-on-error: true\n"}
            ]
        }),
    );
    let diagnostics = editor.diagnostics(&uri, 3);
    assert_eq!(codes(&diagnostics), ["continue-on-error"]);
    assert_eq!(range(&diagnostics[0]), (7, 4, 7, 27));

    // Closing the document clears its diagnostics.
    editor.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = editor.wait_for("cleared diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert!(editor.shut_down().success());
}

#[test]
fn every_file_kind_is_checked_by_its_place_and_secrets_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut editor = Editor::start(root);
    editor.initialize(root);
    // Assembled at run time, so the repository holds no credential.
    let token = format!("ghp_{}", "Zq8Xw2Lm4Rt6Yu1Io3Pa5Sd7Fg9Hj0Kl2Mn4");
    let cases: [(&str, String, &str); 6] = [
        (
            "action.yml",
            "name: a\ndescription: d\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@main\n"
                .into(),
            "unpinned-action",
        ),
        (
            "docker/Dockerfile",
            "FROM ubuntu:latest\nUSER app\n".into(),
            "unpinned-base-image",
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx\n".into(),
            "unpinned-image",
        ),
        (
            "deploy/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n"
                .into(),
            "unpinned-container-image",
        ),
        (
            "infra/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n".into(),
            "missing-required-tags",
        ),
        (
            "notes/deploy.txt",
            format!("token: {token}\n"),
            "hardcoded-secret",
        ),
    ];
    for (rel, text, expected) in &cases {
        let path = root.join(rel);
        let uri = editor.open(&path, text);
        let diagnostics = editor.diagnostics(&uri, 1);
        let found = codes(&diagnostics);
        assert!(found.contains(expected), "{rel}: {found:?}");
    }
    // The secret's finding points at its start, and so does the hover.
    let id = editor.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri_of(&root.join("notes/deploy.txt"))}, "position": position(0, 7)}),
    );
    let hover = editor.response(id);
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("hardcoded-secret"));
    let transcript = editor.transcript.clone();
    assert!(editor.shut_down().success());
    assert!(
        !transcript.contains(&token[4..]),
        "the server showed the token"
    );
}

#[test]
fn configuration_is_read_from_the_workspace_and_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "plimsoll.toml",
        "[rules]\nunpinned-action = \"off\"\n",
    );
    let mut editor = Editor::start(root);
    editor.initialize(root);
    let uri = editor.open(&root.join(".github/workflows/ci.yml"), WORKFLOW);
    assert_eq!(codes(&editor.diagnostics(&uri, 1)), ["continue-on-error"]);

    // The file watcher reports a change: the rule is back, and a second one lowered.
    write(
        root,
        "plimsoll.toml",
        "[rules]\ncontinue-on-error = \"note\"\n",
    );
    editor.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&root.join("plimsoll.toml")), "type": 2}]}),
    );
    let diagnostics = editor.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        ["unpinned-action", "continue-on-error"]
    );
    assert_eq!(diagnostics[1]["severity"], 3, "a note is information");

    // A configuration that does not load is said, and the defaults apply.
    write(root, "plimsoll.toml", "[rules]\nno-such-rule = \"off\"\n");
    editor.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&root.join("plimsoll.toml"))}}),
    );
    let shown = editor.wait_for("an error message", |m| m["method"] == "window/showMessage");
    assert!(shown["params"]["message"]
        .as_str()
        .unwrap()
        .contains("plimsoll.toml:2:1"));
    assert_eq!(
        codes(&editor.diagnostics(&uri, 1)),
        ["unpinned-action", "continue-on-error"]
    );

    // Exclusions apply to the buffers of excluded folders as to a run over the workspace.
    write(root, "plimsoll.toml", "exclude = [\"vendor\"]\n");
    editor.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&root.join("plimsoll.toml")), "type": 2}]}),
    );
    assert_eq!(editor.diagnostics(&uri, 1).len(), 2);
    let vendored = editor.open(&root.join("vendor/lib/Dockerfile"), "FROM ubuntu:latest\n");
    assert_eq!(editor.diagnostics(&vendored, 1), Vec::<Value>::new());
    assert!(editor.shut_down().success());
}

#[test]
fn bad_requests_get_errors_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut editor = Editor::start(root);
    editor.initialize(root);
    let id = editor.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(editor.response(id)["error"]["code"], -32602);
    let id = editor.request("textDocument/definition", json!({}));
    assert_eq!(editor.response(id)["error"]["code"], -32601);
    // Edits to a document never opened, positions far out of range, a non-file URI.
    editor.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.yml", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    editor.notify(
        "textDocument/didOpen",
        json!({"textDocument": "not an object"}),
    );
    let uri = editor.open(&root.join("Dockerfile"), "FROM alpine:3\n");
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": position(99, 99), "end": position(0, 999)}, "text": "🚀"}]
        }),
    );
    editor.diagnostics(&uri, 2);
    editor.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:Untitled-1", "languageId": "yaml", "version": 1, "text": "x"}}),
    );
    assert_eq!(
        editor.diagnostics("untitled:Untitled-1", 1),
        Vec::<Value>::new()
    );
    assert!(editor.shut_down().success());
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut editor = Editor::start(dir.path());
    editor.initialize(dir.path());
    editor.notify("exit", Value::Null);
    assert_eq!(wait(&mut editor.server).code(), Some(1));
}

#[test]
fn quick_fixes_are_offered_in_utf16_and_applying_one_clears_its_finding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut editor = Editor::start(root);
    editor.initialize(root);
    let text = "# 構築 🚀\nFROM alpine:3.20\nRUN echo \"🚀\" && apk add curl\nUSER app\n";
    let uri = editor.open(&root.join("Dockerfile"), text);
    let diagnostics = editor.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["apk-add-without-no-cache"]);
    // `apk add curl` after the emoji: characters 16..28, UTF-16 units 17..29.
    assert_eq!(range(&diagnostics[0]), (2, 17, 2, 29));

    let id = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": [diagnostics[0]]}
        }),
    );
    let actions = editor.response(id)["result"].as_array().cloned().unwrap();
    let kinds: Vec<&str> = actions
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quickfix", "quickfix", "source.fixAll"]);
    assert_eq!(
        actions[1]["title"],
        "Suppress `apk-add-without-no-cache` on this line"
    );
    let suppress = &actions[1]["edit"]["changes"][&uri][0];
    assert_eq!(range(suppress), (2, 0, 2, 0));
    assert_eq!(
        suppress["newText"],
        "# plimsoll: ignore[apk-add-without-no-cache]\n"
    );
    let quick_fix = &actions[0];
    assert_eq!(
        quick_fix["title"],
        "add `--no-cache` [apk-add-without-no-cache]"
    );
    assert_eq!(quick_fix["isPreferred"], true);
    assert_eq!(
        quick_fix["diagnostics"][0]["code"],
        "apk-add-without-no-cache"
    );
    let edits = quick_fix["edit"]["changes"][&uri]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(edits.len(), 1);
    // Inserted after `apk add`: character 23, UTF-16 unit 24.
    assert_eq!(range(&edits[0]), (2, 24, 2, 24));
    assert_eq!(edits[0]["newText"], " --no-cache");

    // Only source actions when only they are asked for; elsewhere in the file, no quick fix.
    let id = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": position(0, 0), "end": position(0, 0)},
            "context": {"diagnostics": [], "only": ["source"]}
        }),
    );
    let actions = editor.response(id)["result"].as_array().cloned().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["kind"], "source.fixAll");
    let whole = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(
        whole["newText"],
        "# 構築 🚀\nFROM alpine:3.20\nRUN echo \"🚀\" && apk add --no-cache curl\nUSER app\n"
    );

    // The editor applies the quick fix and sends the change: the finding is gone.
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": edits[0]["range"], "text": edits[0]["newText"]}]
        }),
    );
    assert_eq!(editor.diagnostics(&uri, 2), Vec::<Value>::new());
    let id = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": position(2, 0), "end": position(2, 40)},
            "context": {"diagnostics": []}
        }),
    );
    assert_eq!(editor.response(id)["result"], json!([]));
    assert!(editor.shut_down().success());
}

#[test]
fn a_finding_can_be_suppressed_from_the_editor_keeping_the_yaml_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut editor = Editor::start(root);
    editor.initialize(root);
    let uri = editor.open(&root.join(".github/workflows/ci.yml"), WORKFLOW);
    let diagnostics = editor.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        ["unpinned-action", "continue-on-error"]
    );
    let id = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostics[1]["range"],
            "context": {"diagnostics": [diagnostics[1]]}
        }),
    );
    let actions = editor.response(id)["result"].as_array().cloned().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(
        actions[0]["title"],
        "Suppress `continue-on-error` on this line"
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    // Above `continue-on-error: true`, indented as it is.
    assert_eq!(range(edit), (10, 0, 10, 0));
    assert_eq!(
        edit["newText"],
        "        # plimsoll: ignore[continue-on-error]\n"
    );
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]
        }),
    );
    let diagnostics = editor.diagnostics(&uri, 2);
    // Suppressed, the suppression used, and the workflow still parses.
    assert_eq!(codes(&diagnostics), ["unpinned-action"]);
    assert!(editor.shut_down().success());
}

#[test]
fn the_pinning_quick_fix_comes_from_the_cache_never_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    std::fs::create_dir_all(&root).unwrap();
    // What an earlier `plimsoll check --fix` resolved, fresh; the server named has no
    // repository at all, so a pin can only come from the cache.
    let server = dir.path().join("no-server");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cache = json!({
        "version": 1,
        "entries": [{
            "server": server.display().to_string(),
            "repository": "some-org/deploy-action",
            "ref": "main",
            "sha": sha,
            "kind": "branch",
            "resolved_at": now
        }]
    });
    let cache_dir = dir.path().join("cache");
    std::fs::create_dir_all(cache_dir.join("plimsoll")).unwrap();
    std::fs::write(
        cache_dir.join("plimsoll/action-refs.json"),
        cache.to_string(),
    )
    .unwrap();
    let mut editor = Editor::start_with(
        &root,
        &[
            ("XDG_CACHE_HOME", &cache_dir),
            ("GITHUB_SERVER_URL", &server),
        ],
    );
    editor.initialize(&root);
    let text = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - uses: some-org/deploy-action@main\n      - uses: some-org/other-action@main\n";
    let uri = editor.open(&root.join(".github/workflows/ci.yml"), text);
    let diagnostics: Vec<Value> = editor
        .diagnostics(&uri, 1)
        .into_iter()
        .filter(|d| d["code"] == "unpinned-action")
        .collect();
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    let mut pin_titles = Vec::new();
    for diagnostic in &diagnostics {
        let id = editor.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]}
            }),
        );
        let actions = editor.response(id)["result"].as_array().cloned().unwrap();
        pin_titles.push(
            actions
                .iter()
                .filter(|a| a["title"].as_str().unwrap().starts_with("pin "))
                .map(|a| {
                    let edits = a["edit"]["changes"][&uri].as_array().cloned().unwrap();
                    let texts: Vec<String> = edits
                        .iter()
                        .map(|e| e["newText"].as_str().unwrap().to_string())
                        .collect();
                    texts.join("|")
                })
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        pin_titles,
        [vec![format!("{sha}| # main (branch)")], vec![]],
        "the cached ref is pinned, the other is not"
    );
    assert!(editor.shut_down().success());
}
