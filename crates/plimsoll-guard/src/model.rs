//! The coverage model of one workflow or composite action.
//!
//! Built on the views of `plimsoll-actions`, but owned: two versions of a file are compared
//! after both are parsed, and every element keeps a [`Location`] in its own version.

use std::collections::BTreeMap;

use plimsoll_actions::{schema, Action, Condition, Job, Step, Workflow};
use plimsoll_syntax::shell::{self, Connector};
use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::{expr, SourceFile, Span};

use crate::allow::{self, Allow};
use crate::equivalence;
use crate::location::Location;
use crate::matrix::{self, canonical, Matrix};

/// Whether a file is a workflow or a composite action's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.github/workflows/*.yml`.
    Workflow,
    /// `action.yml`.
    Action,
}

/// Why a file has no model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub location: Location,
}

/// A setting that lets failures pass: off, on, or decided by an expression at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toggle {
    /// Absent or `false`.
    Off,
    /// `true`.
    On,
    /// `${{ … }}`: on for some runs.
    Expression(String),
}

/// One event a workflow runs on.
#[derive(Clone, Debug)]
pub struct TriggerModel {
    /// The event name.
    pub event: String,
    /// Where the event is named.
    pub location: Location,
    /// Filters by key (`branches`, `paths-ignore`, `types`, …), each a list of patterns.
    pub filters: BTreeMap<String, (Vec<String>, Location)>,
    /// `schedule` crons.
    pub crons: Vec<(String, Location)>,
}

/// A command of a `run:` script.
#[derive(Clone, Debug)]
pub struct CommandModel {
    /// What it runs, as written: `cargo clippy`, `npm run lint`, `pytest`.
    pub key: String,
    /// What it runs, as compared: the key, but one spelling for a `package.json` script
    /// whichever manager runs it (`yarn build` and `pnpm run build` are `package script build`).
    pub runs: String,
    /// Flags (`--all-features`, `-D warnings`), normalised.
    pub flags: Vec<String>,
    /// The whole command, words joined by one space.
    pub text: String,
    /// Whether it is a test, lint, format or build command.
    pub quality: bool,
    /// Where it is.
    pub location: Location,
}

/// A step of a job or composite action.
#[derive(Clone, Debug)]
pub struct StepModel {
    /// 0-based position.
    pub index: usize,
    /// Where the step is.
    pub location: Location,
    /// The label for messages (name, id, action or first script line).
    pub label: String,
    /// `id:`.
    pub id: Option<String>,
    /// `name:`.
    pub name: Option<String>,
    /// `uses:`, with where its value is.
    pub uses: Option<(String, Location)>,
    /// `with:` inputs, canonical values.
    pub with: BTreeMap<String, (String, Location)>,
    /// The script, with runs of whitespace folded.
    pub run: Option<String>,
    /// The script's commands.
    pub commands: Vec<CommandModel>,
    /// Constructs that swallow failures: `cmd || true`, `set +e`.
    pub masks: Vec<(String, Location)>,
    /// `continue-on-error`, with its location.
    pub continue_on_error: (Toggle, Option<Location>),
    /// `if:`, normalised, with its location.
    pub condition: Option<(String, Location)>,
    /// Whether the step caches (an action that caches, or a setup action with `cache:`).
    pub caches: bool,
    /// What the step does, without its name and id: equal content means the same step.
    pub content: String,
    /// The local composite action (or reusable workflow) this step was read from, when it is
    /// one of a job's steps only through `uses: ./…`: its key.
    pub inlined_from: Option<String>,
    /// `working-directory:`, the folder its script runs in.
    pub working_directory: Option<String>,
    /// Environment variables the step sees: its job's overlaid by its own `env:`.
    pub env: BTreeMap<String, (String, Location)>,
}

/// A job.
#[derive(Clone, Debug)]
pub struct JobModel {
    /// The job id.
    pub id: String,
    /// `name:`.
    pub name: Option<String>,
    /// Where the job's key is.
    pub location: Location,
    /// `runs-on:` labels (canonical text of the value), with location.
    pub runner: Option<(String, Location)>,
    /// The container image, with location.
    pub container: Option<(String, Location)>,
    /// The expanded matrix.
    pub matrix: Matrix,
    /// Where `matrix:` is.
    pub matrix_location: Option<Location>,
    /// The steps.
    pub steps: Vec<StepModel>,
    /// `continue-on-error`.
    pub continue_on_error: (Toggle, Option<Location>),
    /// `if:`, normalised.
    pub condition: Option<(String, Location)>,
    /// `needs:` job ids.
    pub needs: Vec<String>,
    /// `timeout-minutes:`.
    pub timeout: Option<String>,
    /// A reusable workflow call: `uses:`, with location.
    pub uses: Option<(String, Location)>,
    /// The call's `with:`, canonical.
    pub call_with: Option<String>,
    /// The job's content without `name:`: equal content under another id is a rename.
    pub content: String,
    /// Environment variables its steps see: the workflow's `env:` overlaid by the job's, with
    /// where each value is written.
    pub env: BTreeMap<String, (String, Location)>,
}

/// The coverage model of one file.
#[derive(Clone, Debug)]
pub struct FileModel {
    /// Repository path (the key two versions are matched by first).
    pub key: String,
    /// Path shown in reports.
    pub display: String,
    /// Workflow or action.
    pub kind: FileKind,
    /// `name:`.
    pub name: Option<String>,
    /// The whole file's start.
    pub location: Location,
    /// Events, by name.
    pub triggers: BTreeMap<String, TriggerModel>,
    /// Where `on:` is.
    pub on_location: Option<Location>,
    /// Jobs in source order (a composite action has one, `runs`).
    pub jobs: Vec<JobModel>,
    /// Where `jobs:` is (or `runs:` of an action).
    pub jobs_location: Location,
    /// Content without `name:`: equal content under another path is a renamed file.
    pub content: String,
    /// `allow-reduction` comments.
    pub allows: Vec<Allow>,
}

impl FileModel {
    /// The job with id `id`.
    pub fn job(&self, id: &str) -> Option<&JobModel> {
        self.jobs.iter().find(|job| job.id == id)
    }
}

/// Parse and model `text`, a workflow when `key` is under `.github/workflows/`, else an action.
pub fn build(key: &str, display: &str, text: &str) -> Result<FileModel, ParseFailure> {
    let source = SourceFile::new(display, text);
    let text = source.text();
    let failure = |message: String, offset: usize| ParseFailure {
        message,
        location: Location::of(display, &source, Span::empty(offset.min(text.len()))),
    };
    let document = plimsoll_syntax::yaml::parse(text, source.lines())
        .into_single()
        .map_err(|error| failure(error.message, error.offset))?;
    let root = &document.root;
    // A workflow lives under `.github/workflows/`; a single file compared on its own may be
    // named anything, so its content decides.
    let kind = if key.starts_with(".github/workflows/")
        || (root.get("jobs").is_some() && root.get("runs").is_none())
    {
        FileKind::Workflow
    } else {
        FileKind::Action
    };
    if root.as_mapping().is_none() {
        return Err(failure(
            format!("the file holds a {}, not a mapping", root.type_name()),
            root.span.start,
        ));
    }
    let at = |span: Span| Location::of(display, &source, span);
    let mut model = FileModel {
        key: key.to_string(),
        display: display.to_string(),
        kind,
        name: root.get_str("name").map(str::to_string),
        location: at(Span::empty(0)),
        triggers: BTreeMap::new(),
        on_location: None,
        jobs: Vec::new(),
        jobs_location: at(Span::empty(0)),
        content: content_without(root, &["name"]),
        allows: allow::parse(display, &source),
    };
    match kind {
        FileKind::Workflow => {
            let workflow =
                Workflow::new(root).ok_or_else(|| failure("not a workflow".into(), 0))?;
            let Some(jobs) = root.entry("jobs") else {
                return Err(failure("the workflow has no `jobs:`".into(), 0));
            };
            if jobs.value.as_mapping().is_none() && !jobs.value.is_null() {
                return Err(failure(
                    format!("`jobs:` is a {}, not a mapping", jobs.value.type_name()),
                    jobs.value.span.start,
                ));
            }
            model.jobs_location = at(jobs.key.span);
            model.on_location = workflow.on().map(|on| at(on.key.span));
            for trigger in workflow.triggers() {
                let mut filters = BTreeMap::new();
                let mut crons = Vec::new();
                for entry in trigger
                    .config
                    .and_then(Node::as_mapping)
                    .unwrap_or_default()
                {
                    let Some(filter) = entry.key.as_str() else {
                        continue;
                    };
                    if schema::EVENT_FILTER_KEYS.contains(&filter)
                        && !matches!(filter, "inputs" | "outputs" | "secrets")
                    {
                        filters.insert(
                            filter.to_string(),
                            (patterns(&entry.value), at(entry.value.span)),
                        );
                    }
                }
                if trigger.event == "schedule" {
                    // `on: schedule:` is a list of `- cron:` entries, not a mapping.
                    if let Some(list) = workflow
                        .on()
                        .and_then(|on| on.value.get("schedule"))
                        .and_then(Node::as_sequence)
                    {
                        for item in list {
                            if let Some(cron) = item.get("cron") {
                                crons.push((
                                    cron.as_str()
                                        .unwrap_or("")
                                        .split_whitespace()
                                        .collect::<Vec<_>>()
                                        .join(" "),
                                    at(cron.span),
                                ));
                            }
                        }
                    }
                }
                model.triggers.insert(
                    trigger.event.to_string(),
                    TriggerModel {
                        event: trigger.event.to_string(),
                        location: at(trigger.span),
                        filters,
                        crons,
                    },
                );
            }
            let workflow_env = env_of(root.get("env"), &at);
            for job in workflow.jobs() {
                model
                    .jobs
                    .push(job_model(&job, &source, display, &workflow_env));
            }
        }
        FileKind::Action => {
            let action = Action::new(root).ok_or_else(|| failure("not an action".into(), 0))?;
            if let Some(runs) = root.entry("runs") {
                model.jobs_location = at(runs.key.span);
            }
            let no_matrix = Matrix::single();
            let scope = Scope {
                env: &BTreeMap::new(),
                matrix: &no_matrix,
            };
            let steps = action
                .steps()
                .iter()
                .map(|step| step_model(step, &source, display, &scope))
                .collect();
            model.jobs.push(JobModel {
                id: "runs".to_string(),
                name: None,
                location: model.jobs_location.clone(),
                runner: action
                    .using()
                    .map(|using| (using.to_string(), model.jobs_location.clone())),
                container: root
                    .get("runs")
                    .and_then(|runs| runs.get("image"))
                    .and_then(|image| Some((image.as_str()?.to_string(), at(image.span)))),
                matrix: Matrix::single(),
                matrix_location: None,
                steps,
                continue_on_error: (Toggle::Off, None),
                condition: None,
                needs: Vec::new(),
                timeout: None,
                uses: None,
                call_with: None,
                content: root.get("runs").map(canonical).unwrap_or_default(),
                env: BTreeMap::new(),
            });
        }
    }
    Ok(model)
}

/// A filter's patterns: a list, or one scalar.
fn patterns(node: &Node) -> Vec<String> {
    match node.as_sequence() {
        Some(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| canonical(item), str::to_string)
            })
            .collect(),
        None => node
            .as_str()
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    }
}

/// Canonical text of a mapping without some keys.
fn content_without(node: &Node, skipped: &[&str]) -> String {
    let entries = node.as_mapping().unwrap_or_default();
    let mut parts: Vec<String> = entries
        .iter()
        .filter(|e| !e.key.as_str().is_some_and(|k| skipped.contains(&k)))
        .map(|e| format!("{}:{}", canonical(&e.key), canonical(&e.value)))
        .collect();
    parts.sort();
    parts.join(",")
}

fn toggle(node: Option<&Node>) -> Toggle {
    match node {
        None => Toggle::Off,
        Some(node) => match node.as_bool() {
            Some(true) => Toggle::On,
            Some(false) => Toggle::Off,
            None => match node.as_str() {
                Some(text) if text.contains("${{") => Toggle::Expression(fold(text)),
                Some(text) if text.trim() == "true" => Toggle::On,
                Some(_) => Toggle::Off,
                None => Toggle::Expression(canonical(node)),
            },
        },
    }
}

/// Whitespace runs folded to one space, ends trimmed.
pub fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An `if:` as compared: folded, with a whole-value `${{ }}` removed (GitHub evaluates `if:`
/// as an expression either way).
pub fn normalize_condition(text: &str) -> String {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("${{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .filter(|inner| !inner.contains("${{"))
        .unwrap_or(trimmed);
    fold(inner)
}

/// Whether an `if:` can never be true.
pub fn always_false(condition: &str) -> bool {
    let lowered = normalize_condition(condition).to_ascii_lowercase();
    let lowered = lowered.trim_matches(|c| c == '(' || c == ')').trim();
    matches!(
        lowered,
        "false" | "0" | "''" | "\"\"" | "null" | "!true" | "! true"
    ) || lowered.starts_with("false &&")
        || lowered.ends_with("&& false")
}

fn condition(node: Option<&Node>, at: &dyn Fn(Span) -> Location) -> Option<(String, Location)> {
    let node = node?;
    // Text around an expression (`"${{ false }} "`, a block scalar's final line break) makes a
    // non-empty string, which the runner takes as true: the same as no condition at all.
    if matches!(
        Condition::of(node),
        Condition::Interpolated { .. } | Condition::Default
    ) {
        return None;
    }
    let text = node
        .as_str()
        .map_or_else(|| canonical(node), str::to_string);
    Some((normalize_condition(&text), at(node.span)))
}

/// What a step's commands can expand besides their own words: the variables the step sees
/// (`$CLIPPY_OPTIONS`), and the matrix legs an expression may stand for.
struct Scope<'a> {
    env: &'a BTreeMap<String, (String, Location)>,
    matrix: &'a Matrix,
}

fn job_model(
    job: &Job<'_>,
    source: &SourceFile,
    display: &str,
    workflow_env: &BTreeMap<String, (String, Location)>,
) -> JobModel {
    let at = |span: Span| Location::of(display, source, span);
    let node = job.node;
    let mut env = workflow_env.clone();
    env.append(&mut env_of(node.get("env"), &at));
    let runner = job.runs_on().map(|entry| {
        let labels = match entry.value.as_str() {
            Some(label) => label.to_string(),
            None => canonical(entry.value),
        };
        (labels, at(entry.value.span))
    });
    let container = node.get("container").and_then(|container| {
        let image = container
            .as_str()
            .map(|_| container)
            .or_else(|| container.get("image"))?;
        Some((image.as_str()?.to_string(), at(image.span)))
    });
    let matrix_entry = job.matrix();
    let matrix = matrix_entry.map_or_else(Matrix::single, |entry| matrix::expand(entry.value));
    let scope = Scope {
        env: &env,
        matrix: &matrix,
    };
    let steps = job
        .steps()
        .iter()
        .map(|step| step_model(step, source, display, &scope))
        .collect();
    JobModel {
        id: job.id.to_string(),
        name: node.get_str("name").map(str::to_string),
        location: at(job.key.span),
        runner,
        container,
        matrix,
        matrix_location: matrix_entry.map(|entry| at(entry.key.span)),
        steps,
        continue_on_error: (
            toggle(node.get("continue-on-error")),
            node.get("continue-on-error").map(|n| at(n.span)),
        ),
        condition: condition(node.get("if"), &at),
        needs: job.needs().iter().map(|(id, _)| id.to_string()).collect(),
        timeout: node.get("timeout-minutes").map(canonical),
        uses: job
            .uses()
            .and_then(|entry| Some((entry.value.as_str()?.to_string(), at(entry.value.span)))),
        call_with: node.get("with").map(canonical),
        content: content_without(node, &["name"]),
        env,
    }
}

/// The variables of an `env:` mapping, values as text.
fn env_of(
    node: Option<&Node>,
    at: &dyn Fn(Span) -> Location,
) -> BTreeMap<String, (String, Location)> {
    node.and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| {
            let value = entry
                .value
                .as_str()
                .map_or_else(|| canonical(&entry.value), str::to_string);
            Some((
                entry.key.as_str()?.to_string(),
                (value, at(entry.value.span)),
            ))
        })
        .collect()
}

/// Inputs of setup actions that turn their built-in caching on.
const CACHE_INPUTS: &[&str] = &[
    "cache",
    "bundler-cache",
    "enable-cache",
    "cache-dependency-path",
];

fn step_model(step: &Step<'_>, source: &SourceFile, display: &str, scope: &Scope) -> StepModel {
    let at = |span: Span| Location::of(display, source, span);
    let node = step.node;
    let mut env = scope.env.clone();
    env.append(&mut env_of(node.get("env"), &at));
    let scope = Scope {
        env: &env,
        matrix: scope.matrix,
    };
    let uses = step
        .uses_node()
        .and_then(|n| Some((n.as_str()?.trim().to_string(), at(n.span))));
    let mut with = BTreeMap::new();
    for entry in node
        .get("with")
        .and_then(Node::as_mapping)
        .unwrap_or_default()
    {
        if let Some(key) = entry.key.as_str() {
            let value = entry
                .value
                .as_str()
                .map_or_else(|| canonical(&entry.value), |s| s.trim().to_string());
            with.insert(key.to_string(), (value, at(entry.value.span)));
        }
    }
    let caches = uses.as_ref().is_some_and(|(u, _)| {
        equivalence::is_cache_action(crate::version::uses_target(u))
            || equivalence::caches_by_default(u, |input| with.get(input).map(|v| v.0.clone()))
    }) || CACHE_INPUTS.iter().any(|input| {
        with.get(*input)
            .is_some_and(|(value, _)| !matches!(value.as_str(), "" | "false" | "\"\""))
    });
    let mut commands = Vec::new();
    let mut masks = Vec::new();
    let run_node = step.run();
    if let Some(run_node) = run_node {
        if let Some(script) = run_node.as_str() {
            scan_script(
                script,
                (run_node, source, display),
                &scope,
                &mut commands,
                &mut masks,
            );
        }
    }
    // An action that runs a command built from its inputs (`actions-rs/cargo` with
    // `command: test`) runs it as a script would.
    if let Some((uses, _)) = &uses {
        if let Some(template) = equivalence::command_action(crate::version::uses_target(uses)) {
            let words: Vec<String> = template
                .program
                .split_whitespace()
                .map(str::to_string)
                .chain(template.inputs.iter().flat_map(|input| {
                    with.get(input)
                        .map(|(value, _)| split_words(value))
                        .unwrap_or_else(Vec::new)
                }))
                .collect();
            let location = at(node.span);
            for expanded in expand_words(&words, &scope) {
                commands.push(command_model(&expanded, location.clone()));
            }
        }
    }
    let content = content_without(node, &["name", "id"]);
    StepModel {
        index: step.index,
        location: at(node.span),
        label: step.label(),
        id: step.id().map(str::to_string),
        name: step.name().map(str::to_string),
        uses,
        with,
        run: run_node.and_then(Node::as_str).map(fold),
        commands,
        masks,
        continue_on_error: (
            toggle(node.get("continue-on-error")),
            node.get("continue-on-error").map(|n| at(n.span)),
        ),
        condition: condition(node.get("if"), &at),
        caches,
        content,
        inlined_from: None,
        working_directory: node
            .get("working-directory")
            .and_then(Node::as_str)
            .map(|d| d.trim().to_string()),
        env: env.clone(),
    }
}

fn scan_script(
    script: &str,
    (run_node, source, display): (&Node, &SourceFile, &str),
    scope: &Scope,
    commands: &mut Vec<CommandModel>,
    masks: &mut Vec<(String, Location)>,
) {
    let masked = expr::mask(script);
    let parsed = shell::parse(&masked);
    let expressions = expr::find(script);
    let locator = Locator::new(run_node, source.text());
    // `set +e` to read an exit status (`$?`, `PIPESTATUS`) in a script that then exits with
    // it (or another non-zero status) still fails the step: it masks nothing.
    let reads_status = script.contains("PIPESTATUS") || script.contains("$?");
    let exits_non_zero = parsed.iter().any(|command| {
        let words: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
        matches!(words.as_slice(), ["exit", code, ..] if *code != "0")
            || words.first() == Some(&"false")
    });
    let status_checked = reads_status && exits_non_zero;
    let locate = |span: Span| {
        let in_source = locator.locate(run_node, source.text(), span.start..span.end);
        Location::of(display, source, in_source)
    };
    for (i, command) in parsed.iter().enumerate() {
        let argv = command.argv();
        let Some(first) = argv.first() else {
            continue;
        };
        let span = argv
            .last()
            .map_or(first.span, |last| first.span.cover(last.span));
        // Words as written: the placeholders that let the shell lexer read `${{ … }}` must not
        // reach messages (`--features ____`), nor make two expressions of one length equal.
        let unmasked: Vec<String> = argv
            .iter()
            .map(|w| unmask(w, script, &expressions))
            .collect();
        let words: Vec<&str> = unmasked.iter().map(String::as_str).collect();
        if words.first() == Some(&"set")
            && words.iter().any(|w| w.starts_with('+') && w.contains('e'))
        {
            if !status_checked {
                masks.push(("set +e".to_string(), locate(span)));
            }
            continue;
        }
        if command.connector == Connector::Or {
            if let Some(next) = parsed.get(i + 1) {
                let next_words: Vec<&str> = next.argv().iter().map(|w| w.text.as_str()).collect();
                if matches!(
                    next_words.as_slice(),
                    ["true"] | [":"] | ["exit", "0"] | ["exit"]
                ) && !checks_nothing(&words)
                {
                    let key = command_key(&words);
                    masks.push((format!("{key} || {}", next_words.join(" ")), locate(span)));
                }
            }
        }
        let location = locate(span);
        for expanded in expand_words(&unmasked, scope) {
            commands.push(command_model(&expanded, location.clone()));
        }
    }
}

/// Whether a command installs, prepares or prints a report (`sudo rm -rf …`, `pdm list`):
/// letting it fail (`|| true`) masks no check.
fn checks_nothing(words: &[&str]) -> bool {
    let key = command_key(words);
    let tool = unwrap(words);
    let named = tool
        .iter()
        .take(2)
        .map(|w| shell::program_name(w))
        .collect::<Vec<_>>()
        .join(" ");
    [key.as_str(), named.as_str()]
        .iter()
        .any(|k| equivalence::is_setup_command(k) || equivalence::checks_nothing(k))
}

/// The command `words` run, as compared.
fn command_model(words: &[String], location: Location) -> CommandModel {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let key = command_key(&words);
    CommandModel {
        runs: what_runs(&words).0,
        // The tool's flags, not its wrapper's (`uv run --no-project pytest -x`: `-x`).
        flags: flags(unwrap(&words)),
        quality: is_quality(&key) && !nested_checks_nothing(&key, unwrap(&words)),
        text: words.join(" "),
        key,
        location,
    }
}

/// The commands `words` stand for once what the shell and the matrix expand is expanded:
/// - a word that starts with whitespace is a line continuation folded into a plain scalar
///   (`cargo doc \` then `--no-deps` reads `cargo doc \ --no-deps`): the word after it;
/// - when the program or its subcommand is a matrix expression (`${{ matrix.job.command }}`),
///   one command per distinct leg, with the leg's values for that expression and for those
///   that hold flags (a value starting with `-`, or empty), other values kept as written;
/// - an unquoted `$NAME` or `${NAME}` of a variable the step sees: its value's words.
fn expand_words(words: &[String], scope: &Scope) -> Vec<Vec<String>> {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let by_matrix = command_key(&refs).contains("${{");
    let mut variants: Vec<Vec<String>> = Vec::new();
    match scope.matrix {
        Matrix::Combinations(legs) if by_matrix => {
            for leg in legs.iter().take(MAX_EXPANDED_LEGS) {
                let expanded: Vec<String> = words
                    .iter()
                    .enumerate()
                    .flat_map(|(i, word)| match matrix_value(word, leg) {
                        Some(value) if i < 2 || value.is_empty() || value.starts_with('-') => {
                            value.split_whitespace().map(str::to_string).collect()
                        }
                        _ => vec![word.clone()],
                    })
                    .collect();
                if !expanded.is_empty() && !variants.contains(&expanded) {
                    variants.push(expanded);
                }
            }
        }
        _ => {}
    }
    if variants.is_empty() {
        variants.push(words);
    }
    variants
        .into_iter()
        .map(|variant| {
            variant
                .into_iter()
                .flat_map(|word| match variable_value(&word, scope.env) {
                    Some(value) => value.split_whitespace().map(str::to_string).collect(),
                    None => vec![word],
                })
                .collect()
        })
        .collect()
}

/// Legs a command whose program comes from the matrix is expanded for, at most.
const MAX_EXPANDED_LEGS: usize = 64;

/// The value a leg gives `word` when the word is one expression `${{ matrix.a.b }}`: the text
/// of a scalar (empty when the leg has no such value, as GitHub evaluates it), `None` when the
/// word is something else or names a mapping.
pub(crate) fn matrix_value(word: &str, leg: &matrix::Combination) -> Option<String> {
    let inner = word.strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let path = inner.strip_prefix("matrix.")?;
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return None;
    }
    let mut parts = path.split('.');
    let first = parts.next()?;
    let Some(raw) = leg.get(first) else {
        return Some(String::new());
    };
    let mut value: serde_json::Value =
        serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.clone()));
    for part in parts {
        value = match value.get(part) {
            Some(inner) => inner.clone(),
            None => return Some(String::new()),
        };
    }
    match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Null => Some(String::new()),
        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Some(value.to_string()),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => None,
    }
}

/// The words of an input's value, a `${{ … }}` expression kept as one word.
fn split_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        let end = if rest.starts_with("${{") {
            rest.find("}}").map_or(rest.len(), |at| at + 2)
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        words.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    words
}

/// The value of `$NAME`, `${NAME}`, `${{ env.NAME }}` or `${{ env['NAME'] }}` when `word` is
/// exactly that and the step sees `NAME`.
fn variable_value<'e>(
    word: &str,
    env: &'e BTreeMap<String, (String, Location)>,
) -> Option<&'e str> {
    let name = match word
        .strip_prefix("${{")
        .and_then(|w| w.strip_suffix("}}"))
        .map(str::trim)
    {
        Some(inner) => {
            let field = inner.strip_prefix("env")?;
            field
                .strip_prefix('.')
                .or_else(|| field.strip_prefix("['").and_then(|f| f.strip_suffix("']")))?
        }
        None => {
            let name = word.strip_prefix('$')?;
            name.strip_prefix('{')
                .and_then(|n| n.strip_suffix('}'))
                .unwrap_or(name)
        }
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    env.get(name).map(|(value, _)| value.as_str())
}

/// `word`'s text with each `${{ … }}` placeholder replaced by the expression it stands for.
fn unmask(word: &shell::Word, script: &str, expressions: &[expr::Occurrence]) -> String {
    let mut text = word.text.clone();
    let mut from = 0;
    let inside = expressions
        .iter()
        .filter(|e| e.span.start >= word.span.start && e.span.end <= word.span.end);
    for expression in inside {
        let original = script.get(expression.span.start..expression.span.end);
        let placeholder = "_".repeat(expression.span.len());
        let found = text.get(from..).and_then(|rest| rest.find(&placeholder));
        let (Some(original), Some(at)) = (original, found) else {
            break;
        };
        // The placeholder ends where its run of `_` ends (a `_` may come before it).
        let mut at = from + at;
        while text.as_bytes().get(at + placeholder.len()) == Some(&b'_') {
            at += 1;
        }
        text.replace_range(at..at + placeholder.len(), original);
        from = at + original.len();
    }
    text
}

/// Tools whose first argument names what they do (`cargo test`, `go vet`, `make lint`).
const SUBCOMMAND_TOOLS: &[&str] = &[
    "cargo",
    "go",
    "npm",
    "yarn",
    "pnpm",
    "bun",
    "deno",
    "dotnet",
    "mvn",
    "mvnw",
    "gradle",
    "gradlew",
    "make",
    "just",
    "task",
    "bazel",
    "bazelisk",
    "swift",
    "flutter",
    "dart",
    "mix",
    "terraform",
    "tofu",
    "helm",
    "composer",
    "rake",
    // Not tox: `tox -e py,lint` names environments, not what tox does (`tox run -e py` runs
    // the same), and its `-e` list is compared as a flag.
    "nox",
    "meson",
    "ctest",
    "sbt",
];

/// The words of the tool a command runs, without the wrapper that runs it (`npx eslint`,
/// `uvx ruff`, `uv run pytest`, `python -m pytest`: see `wrappers` in the equivalence data).
pub fn unwrap<'a, 'b>(words: &'b [&'a str]) -> &'b [&'a str] {
    let program = words.first().map(|w| shell::program_name(w)).unwrap_or("");
    let skip = equivalence::wrapper_words(program, words.get(1).copied());
    if skip == 0 || words.len() <= skip {
        return words;
    }
    let rest = &words[skip..];
    // `npx --yes eslint`: flags of the wrapper.
    let flags = rest.iter().take_while(|w| w.starts_with('-')).count();
    if flags < rest.len() {
        &rest[flags..]
    } else {
        words
    }
}

/// A package name without the version it is pinned to (`prettier@3.9.0` → `prettier`,
/// `@scope/tool@1` → `@scope/tool`): a wrapper runs the same tool at another version.
pub fn without_version(word: &str) -> &str {
    match word.rfind('@') {
        Some(at) if at > 0 => &word[..at],
        _ => word,
    }
}

/// What a command runs, as compared between versions: the program, and for tools with
/// subcommands the subcommand (`npm run lint`, `cargo clippy`, `make test`).
pub fn command_key(words: &[&str]) -> String {
    let words = unwrap(words);
    let Some(first) = words.first() else {
        return String::new();
    };
    let program = shell::program_name(first).trim_end_matches(".exe");
    let program = program.strip_prefix("./").unwrap_or(program);
    let program = without_version(program);
    if !SUBCOMMAND_TOOLS.contains(&program) {
        return program.to_string();
    }
    // Skip flags and `+toolchain` (`cargo +nightly fmt`), and the value of an option given
    // before the subcommand (`cargo --config ci.toml test`, `make -C docs lint`).
    let mut after_option = false;
    let mut rest = words[1..].iter().filter(|w| {
        let value = std::mem::replace(&mut after_option, equivalence::takes_value_first(w));
        !value && !w.starts_with('-') && !w.starts_with('+')
    });
    match rest.next() {
        // `cargo hack check --feature-powerset` runs `cargo check` for each feature set.
        Some(&"hack") if program == "cargo" => match rest.next() {
            Some(sub) => format!("cargo {sub}"),
            None => "cargo hack".to_string(),
        },
        Some(&"run") if matches!(program, "npm" | "yarn" | "pnpm" | "bun") => match rest.next() {
            Some(script) => format!("{program} run {script}"),
            None => format!("{program} run"),
        },
        Some(&"t") if program == "npm" => "npm test".to_string(),
        Some(sub) => format!("{program} {sub}"),
        None => program.to_string(),
    }
}

/// What a command runs, as compared between versions, and the words of the tool it runs with
/// the runner spelled one way. A `package.json` script is the same whichever package manager
/// runs it (`yarn build`, `pnpm run build`, `npm run build`: `package script build`, see
/// `package_managers` in the equivalence data); any other command is its [`command_key`] and
/// its tool's words, at any version (`npx prettier@3.9.0` runs prettier).
pub fn what_runs(words: &[&str]) -> (String, Vec<String>) {
    let tool = unwrap(words);
    let Some(first) = tool.first() else {
        return (String::new(), Vec::new());
    };
    let program = shell::program_name(first)
        .trim_end_matches(".exe")
        .trim_end_matches(".cmd");
    let mut after_option = false;
    let bare: Vec<usize> = (1..tool.len())
        .filter(|&i| {
            let word = tool[i];
            let value = std::mem::replace(&mut after_option, equivalence::takes_value_first(word));
            !value && !word.starts_with('-')
        })
        .collect();
    let run = bare.first().map(|&sub| {
        let next = bare.get(1).map(|&i| tool[i]);
        (sub, equivalence::package_run(program, tool[sub], next))
    });
    let (runs, skipped) = match run {
        Some((sub, equivalence::PackageRun::Script(script, runner))) => {
            let name = format!("package script {script}");
            let skipped = if runner { bare.get(1).copied() } else { None };
            (name, vec![sub, skipped.unwrap_or(sub)])
        }
        Some((sub, equivalence::PackageRun::Shared)) => {
            (format!("package manager {}", tool[sub]), vec![sub])
        }
        _ => {
            let tool_words = tool
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { without_version(w) } else { w }.to_string())
                .collect();
            return (command_key(words), tool_words);
        }
    };
    let mut canonical = vec![runs.clone()];
    canonical.extend(
        tool.iter()
            .enumerate()
            .skip(1)
            .filter(|(i, _)| !skipped.contains(i))
            .map(|(_, w)| w.to_string()),
    );
    (runs, canonical)
}

/// Whether the tool `key` (`cargo vet`) runs, by the subcommand of its own that follows, a
/// report (`cargo vet suggest` prints suggestions: `not_checks`), or a subcommand the tool
/// rejects (`cargo vet suggestions`: a usage error before any check). Either way the command
/// checks nothing.
fn nested_checks_nothing(key: &str, tool: &[&str]) -> bool {
    let mut after_option = false;
    let mut bare = tool.iter().skip(1).filter(|w| {
        let value = std::mem::replace(&mut after_option, equivalence::takes_value_first(w));
        !value && !w.starts_with('-') && !w.starts_with('+')
    });
    // The key's own subcommand, then the one nested under it.
    if key.split(' ').count() != 2 || bare.next().is_none() {
        return false;
    }
    let Some(sub) = bare.next() else {
        return false;
    };
    equivalence::checks_nothing(&format!("{key} {sub}"))
        || equivalence::rejects_subcommand(key, sub)
}

/// Tests, linters, formatters and builds: what a quality gate runs.
pub fn is_quality(key: &str) -> bool {
    if equivalence::checks_nothing(key) {
        return false;
    }
    let mut parts = key.split(' ');
    let program = parts.next().unwrap_or("");
    let sub = parts.next().unwrap_or("");
    match program {
        "cargo" => !matches!(
            sub,
            "" | "install"
                | "fetch"
                | "update"
                | "login"
                | "publish"
                | "generate-lockfile"
                | "metadata"
                | "add"
                | "remove"
                | "version"
                | "search"
                | "new"
                | "init"
                | "binstall"
                | "run"
        ),
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(
                sub,
                "test" | "run" | "lint" | "check" | "build" | "audit" | "typecheck"
            )
        }
        "go" => matches!(sub, "test" | "vet" | "build"),
        "dotnet" => matches!(sub, "test" | "build" | "format"),
        "mvn" | "mvnw" => matches!(
            sub,
            "test" | "verify" | "package" | "install" | "checkstyle:check"
        ),
        "gradle" | "gradlew" => matches!(sub, "test" | "check" | "build" | "lint"),
        "make" | "just" | "task" => true,
        "bazel" | "bazelisk" => matches!(sub, "test" | "build"),
        "swift" | "flutter" | "dart" | "mix" | "deno" | "sbt" => {
            matches!(
                sub,
                "test" | "analyze" | "lint" | "check" | "build" | "fmt" | "format"
            )
        }
        "terraform" | "tofu" => matches!(sub, "validate" | "fmt" | "plan" | "test"),
        "helm" => matches!(sub, "lint" | "test" | "template"),
        "tox" | "nox" | "rake" | "meson" | "ctest" | "composer" => true,
        _ => QUALITY_PROGRAMS.contains(&program),
    }
}

const QUALITY_PROGRAMS: &[&str] = &[
    "pytest",
    "py.test",
    "unittest",
    "mypy",
    "pyright",
    "ruff",
    "flake8",
    "black",
    "pylint",
    "isort",
    "bandit",
    "coverage",
    "jest",
    "vitest",
    "mocha",
    "ava",
    "playwright",
    "cypress",
    "eslint",
    "prettier",
    "tsc",
    "biome",
    "stylelint",
    "golangci-lint",
    "staticcheck",
    "gofmt",
    "govulncheck",
    "shellcheck",
    "shfmt",
    "hadolint",
    "actionlint",
    "yamllint",
    "markdownlint",
    "rspec",
    "rubocop",
    "phpunit",
    "phpstan",
    "psalm",
    "tflint",
    "checkov",
    "trivy",
    "semgrep",
    "codespell",
    "typos",
    "cspell",
    "pre-commit",
    "plimsoll",
    "clippy-driver",
    "rustfmt",
    "ctest",
    "zizmor",
    "cargo-deny",
    "cargo-audit",
    "nextest",
    "doctest",
    "kubeconform",
    "kubeval",
    "conftest",
    "ansible-lint",
    "buf",
];

/// Short flags whose value is a separate word that changes what is checked.
const VALUE_FLAGS: &[&str] = &[
    "-D",
    "-W",
    "-F",
    "-p",
    "-k",
    "-m",
    "-E",
    // tox's environments.
    "-e",
    "--features",
    "--package",
    "--exclude",
    "--deny",
    "--warn",
    "--forbid",
    "--skip",
    "--target",
    "--bin",
];

/// Flags that do not change what is checked.
const NEUTRAL_FLAGS: &[&str] = &["-q", "--quiet", "-v", "-vv", "--verbose", "-j", "--jobs"];

/// The flags of a command, normalised: `-Dwarnings` and `-D warnings` are both `-D warnings`.
pub fn flags(words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let cargo = words
        .first()
        .is_some_and(|w| matches!(shell::program_name(w), "cargo" | "cross"));
    let mut i = 1;
    while i < words.len() {
        let word = words[i];
        i += 1;
        if !word.starts_with('-') || word == "--" || word == "-" {
            continue;
        }
        if NEUTRAL_FLAGS.contains(&word) || word.starts_with("--color") {
            continue;
        }
        // One spelling per flag: `--package x`, `--package=x` and `-px` are all `-p x`.
        let (name, attached) = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => match word
                .strip_prefix("-p")
                .filter(|v| cargo && !v.is_empty() && !word.starts_with("--"))
            {
                Some(value) => ("-p", Some(value)),
                None => (word, None),
            },
        };
        let name = if cargo && name == "--package" {
            "-p"
        } else {
            name
        };
        if VALUE_FLAGS.contains(&name) {
            if let Some(value) = attached {
                found.push(format!("{name} {value}"));
                continue;
            }
            if let Some(value) = words.get(i).filter(|v| !v.starts_with('-')) {
                found.push(format!("{name} {value}"));
                i += 1;
                continue;
            }
        }
        if let Some(value) = ["-D", "-W", "-F"].iter().find_map(|short| {
            word.strip_prefix(short)
                .filter(|v| !v.is_empty() && !word.starts_with("--"))
                .map(|v| (short, v))
        }) {
            found.push(format!("{} {}", value.0, value.1));
            continue;
        }
        found.push(word.to_string());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_flags() {
        assert_eq!(
            command_key(&["cargo", "+nightly", "fmt", "--check"]),
            "cargo fmt"
        );
        assert_eq!(command_key(&["npm", "run", "lint"]), "npm run lint");
        assert_eq!(
            command_key(&["cargo", "hack", "--all", "check", "--each-feature"]),
            "cargo check"
        );
        assert_eq!(command_key(&["python", "-m", "pytest", "-x"]), "pytest");
        assert_eq!(command_key(&["npx", "--yes", "eslint", "."]), "eslint");
        assert_eq!(
            command_key(&["npx", "prettier@3.9.0", "--check"]),
            "prettier"
        );
        assert_eq!(command_key(&["uvx", "ruff", "check", "."]), "ruff");
        assert_eq!(
            command_key(&["cargo", "--config", "ci.toml", "test", "--workspace"]),
            "cargo test"
        );
        assert_eq!(command_key(&["make", "-C", "docs", "lint"]), "make lint");
        assert!(!is_quality("cargo release"));
        assert_eq!(
            flags(&["cargo", "clippy", "--all-targets", "--", "-Dwarnings"]),
            ["--all-targets", "-D warnings"]
        );
        assert_eq!(
            flags(&[
                "cargo",
                "test",
                "--package=tokio",
                "-ptokio-util",
                "--package",
                "x"
            ]),
            ["-p tokio", "-p tokio-util", "-p x"]
        );
        assert!(is_quality("cargo clippy"));
        assert!(!is_quality("cargo install"));
        assert!(always_false("${{ false }}"));
        assert!(always_false("false"));
        assert!(!always_false("github.event_name == 'push'"));
    }
}
